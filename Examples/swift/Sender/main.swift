// A PGM source with the Swift library: connect to a group, send, close.
import PGM
import SystemPackage

let group = try IPv4Endpoint("239.192.0.1:7500")
var options = SourceOptions()
options.txwMaxRte = 1_000_000                 // PGM_TXW_MAX_RTE: bytes/s, IP headers included
options.spmAmbientIvl = .milliseconds(500)

do {
    let source = try PGMSource(group: group, options: options)
    print("session", try source.transportSessionID())
    for i in 0..<10 {
        try source.send(contentsOf: Array("message \(i)".utf8))  // one APDU each
        // The netns's multicast policy may cap the rate (pgmctl policy).
        if let r = try source.rateChange() { print("the policy moved the rate to \(r.newRate) bytes/s") }
    }
    let stats = try source.statistics()
    print("sent \(stats.odataSent) ODATA packets, \(stats.dataBytesSent) bytes")
    try source.close(linger: .seconds(1))     // OPT_FIN, repeated for a second
} catch {
    print("pgm: \(error)")                    // an Errno, e.g. "Socket type not supported"
}

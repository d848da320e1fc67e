// A PGM receiver with the Swift library: join a group and print messages,
// losses and session ends as they arrive, until a session ends.
import PGM
import SystemPackage

let group = try IPv4Endpoint("239.192.0.1:7500")
var options = ReceiverOptions()
options.nakBoIvl = .milliseconds(20)

do {
    let receiver = try PGMReceiver(group: group, interface: nil, options: options)
    loop: for try await event in receiver.events() {
        switch event {
        case .message(let m):
            let sqn = m.sequenceNumber.map { " sqn \($0)" } ?? ""
            print("\(m.transportSessionID) from \(m.source)\(sqn): \(m.bytes.count) bytes")
        case .loss(let loss):
            print("lost \(loss.count) sequence numbers from \(loss.firstSequenceNumber)")
        case .sessionEnded(let end):
            print("session \(end.transportSessionID) ended: \(end.reason)")
            break loop
        case .rateChanged:
            break  // a source's event: never a receiver's
        }
    }
    let stats = try receiver.statistics()
    print("\(stats.apdusDelivered) APDUs, \(stats.naksSent) NAKs sent, \(stats.rdataReceived) repairs")
    try receiver.close()
} catch {
    print("pgm: \(error)")
}

import Foundation
import PGMDump
import PGMWire
import Testing

/// Runs the built `pgm-dump` on capture files the test writes.
@Suite("pgm-dump end to end")
struct EndToEndTests {
    /// `$PGM_DUMP`, or `pgm-dump` next to the test bundle in the build directory.
    static let binary: String? = {
        if let p = ProcessInfo.processInfo.environment["PGM_DUMP"], FileManager.default.isExecutableFile(atPath: p) {
            return p
        }
        var dir = URL(fileURLWithPath: CommandLine.arguments.first ?? "").deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = dir.appendingPathComponent("pgm-dump").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }()

    static func onPath(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    static func temporaryFile(_ name: String, _ bytes: [UInt8]) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pgm-dump-tests-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Every type natively, ODATA over UDP, a broken RDATA and a TCP segment.
    static func capture() throws -> (file: [UInt8], lines: [String]) {
        let packets = try S.everyType()
        var datagrams = try packets.map { try S.native($0.0) }
        var lines = packets.enumerated().map { i, entry in
            let addresses = entry.0.type.isUpstream ? "10.0.0.9 > 10.0.0.1" : "10.0.0.1 > 239.192.0.1"
            return "12:00:\(pad(i)).123456 \(addresses) PGM \(entry.1)"
        }
        datagrams.append(try S.udp(packets[3].0))
        lines.append("12:00:10.123456 10.0.0.1 > 239.192.0.1 PGM udp 3056>3055 \(packets[3].1)")
        var broken = try S.native(packets[4].0)
        broken[broken.count - 1] ^= 0xFF
        datagrams.append(broken)
        var tcp = try S.native(packets[4].0)
        tcp[9] = 6
        datagrams.append(tcp)
        return (pcapFile(datagrams), lines)
    }

    static func pad(_ i: Int) -> String { i < 10 ? "0\(i)" : "\(i)" }

    @Test(.enabled(if: binary != nil, "pgm-dump not built next to the tests"))
    func printsEveryPacket() throws {
        let binary = try #require(Self.binary)
        let (file, expected) = try Self.capture()
        let path = try Self.temporaryFile("every.pcap", file)
        let r = try Self.run(binary, ["-r", path, "--utc"])
        #expect(r.status == 0)
        let lines = r.out.split(separator: "\n").map(String.init)
        #expect(lines.count == 12)
        #expect(Array(lines.prefix(11)) == expected)
        #expect(lines.last?.hasPrefix("12:00:11.123456 10.0.0.1 > 239.192.0.1 PGM error: bad checksum") == true)
        #expect(r.err == "pgm-dump: 12 packets seen, 12 shown, 1 undecodable (13 frames read)\n")
    }

    @Test(.enabled(if: binary != nil, "pgm-dump not built next to the tests"))
    func filtersAndJSON() throws {
        let binary = try #require(Self.binary)
        let path = try Self.temporaryFile("filter.pcap", try Self.capture().file)
        let r = try Self.run(binary, ["-r", path, "--json", "--type", "odata,Rdata", "--tsi", S.tsiText, "--port", "7500"])
        #expect(r.status == 0)
        let objects = try r.out.split(separator: "\n").map {
            try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        // ODATA, RDATA, ODATA over UDP and the broken RDATA (judged by its header).
        #expect(objects.map { $0["type"] as? String ?? "error" } == ["ODATA", "RDATA", "ODATA", "error"])
        #expect(objects.map { $0["frame"] as? Int } == [4, 5, 11, 12])
        #expect(r.err == "pgm-dump: 12 packets seen, 4 shown, 1 undecodable (13 frames read)\n")
        let c = try Self.run(binary, ["-r", path, "-c", "2", "--type", "NAK,NCF", "--utc"])
        #expect(c.out.split(separator: "\n").map { $0.split(separator: " ")[5] } == ["NAK", "NCF"])
    }

    @Test(.enabled(if: binary != nil, "pgm-dump not built next to the tests"))
    func malformedFileFailsWithOffset() throws {
        let binary = try #require(Self.binary)
        let good = pcapFile([try S.native(S.everyType()[0].0)])
        let path = try Self.temporaryFile("cut.pcap", good + [1, 2, 3])
        let r = try Self.run(binary, ["-r", path, "--utc"])
        #expect(r.status == 1)
        #expect(r.out.split(separator: "\n").count == 1)
        #expect(r.err.contains("offset \(good.count): file ends inside a record header: 16 octets needed, 3 present"))
        let bad = try Self.temporaryFile("bad.pcap", Array("not a capture".utf8))
        let b = try Self.run(binary, ["-r", bad])
        #expect(b.status == 1)
        #expect(b.err.contains("offset 0: not a pcap or pcapng file"))
        let usage = try Self.run(binary, ["-r", bad, "--type", "BOGUS"])
        #expect(usage.status == 64)
        #expect(usage.err.contains("unknown packet type 'BOGUS'"))
    }

    /// Wireshark as a witness: it sees the same PGM packets of the same types.
    /// SPMR is left out: Wireshark's dissector does not know type 0x0C.
    @Test(.enabled(if: binary != nil && onPath("tshark") != nil, "needs pgm-dump and tshark"))
    func tsharkAgreesOnPacketsAndTypes() throws {
        let binary = try #require(Self.binary)
        let tshark = try #require(Self.onPath("tshark"))
        let packets = try S.everyType().filter { $0.0.type != .spmr }
        let datagrams = try packets.map { try S.native($0.0) } + [try S.udp(packets[0].0)]
        let path = try Self.temporaryFile("witness.pcap", pcapFile(datagrams))
        let ws = try Self.run(tshark, ["-r", path, "-n", "-d", "udp.port==3055,pgm", "-T", "fields", "-e", "pgm.hdr.type"])
        #expect(ws.status == 0)
        let names: [String: String] = [
            "0x00": "SPM", "0x01": "POLL", "0x02": "POLR", "0x04": "ODATA", "0x05": "RDATA", "0x08": "NAK",
            "0x09": "NNAK", "0x0a": "NCF", "0x0d": "ACK",
        ]
        let theirs = ws.out.split(separator: "\n").map { names[String($0)] ?? String($0) }
        let ours = try Self.run(binary, ["-r", path, "--json"]).out.split(separator: "\n").map {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["type"] as? String ?? "?"
        }
        #expect(theirs == ours)
        #expect(ours.count == datagrams.count)
    }
}

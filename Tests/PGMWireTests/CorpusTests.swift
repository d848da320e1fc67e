import Foundation
import PGMWire
import Testing

/// The fuzzing corpus committed with the tests (scripts/fuzz-wire reads it).
///
/// - `seed-*.bin`: valid PGM packets, one per vector of every packet type and
///   option, and `seed-ipv4-*.bin`: the same framed in IPv4 (native and UDP).
///   They must decode (checksums verified) and re-encode to the same octets.
/// - any other file (`regress-*.bin`: inputs that once crashed the fuzzer or
///   broke an oracle) must decode or fail with an error, never trap, and stay
///   canonical.
///
/// `PGM_WRITE_CORPUS=1 swift test --filter CorpusTests` rewrites the seeds
/// from the vectors.
@Suite("Fuzzing corpus")
struct CorpusTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Corpus")

    static func files() -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.sorted().map { directory.appendingPathComponent($0) }
    }

    static func slug(_ name: String) -> String {
        var s = ""
        for c in name.lowercased() {
            if c.isLetter || c.isNumber {
                s.append(c)
            } else if !s.isEmpty && s.last != "-" {
                s.append("-")
            }
        }
        while s.last == "-" { s.removeLast() }
        return s
    }

    static func seeds() throws -> [(String, [UInt8])] {
        var seeds: [(String, [UInt8])] = []
        for v in packetVectors + optionVectors {
            seeds.append(("seed-\(slug(v.name)).bin", v.bytes))
        }
        let src = IPv4Address(192, 0, 2, 1)
        let dst = IPv4Address(239, 1, 2, 3)
        for v in packetVectors {
            let packet = try PGMPacket.decode(v.bytes)
            let header = PGMIPv4Header(source: src, destination: dst, routerAlert: packet.type == .spm)
            seeds.append(("seed-ipv4-native-\(slug(v.name)).bin", try PGMFraming.nativeIPv4Datagram(packet, header: header)))
            let udp = PGMUDPHeader(sourcePort: PGMFraming.defaultUDPPort, destinationPort: PGMFraming.defaultUDPPort)
            seeds.append(("seed-ipv4-udp-\(slug(v.name)).bin", try PGMFraming.udpIPv4Datagram(packet, header: header, udp: udp)))
        }
        return seeds
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["PGM_WRITE_CORPUS"] == "1"))
    func writeSeeds() throws {
        try FileManager.default.createDirectory(at: Self.directory, withIntermediateDirectories: true)
        for file in Self.files() where file.lastPathComponent.hasPrefix("seed-") {
            try FileManager.default.removeItem(at: file)
        }
        for (name, bytes) in try Self.seeds() {
            try Data(bytes).write(to: Self.directory.appendingPathComponent(name))
        }
    }

    @Test func seedsAreCurrent() throws {
        let onDisk = Set(Self.files().map(\.lastPathComponent).filter { $0.hasPrefix("seed-") })
        let expected = try Self.seeds()
        #expect(onDisk == Set(expected.map(\.0)), "run PGM_WRITE_CORPUS=1 swift test --filter CorpusTests")
        for (name, bytes) in expected where onDisk.contains(name) {
            let data = try Data(contentsOf: Self.directory.appendingPathComponent(name))
            #expect([UInt8](data) == bytes, "\(name)")
        }
    }

    @Test func replaysEveryFile() throws {
        let files = Self.files()
        #expect(files.count > 50)
        for file in files {
            let bytes = [UInt8](try Data(contentsOf: file))
            let name = file.lastPathComponent
            if name.hasPrefix("seed-ipv4-") {
                let (_, _, packet) = try PGMFraming.decodeIPv4(bytes)
                #expect(packet.encodedLength + 20 <= bytes.count, "\(name)")
            } else if name.hasPrefix("seed-") {
                let packet = try PGMPacket.decode(bytes)
                #expect(try packet.encoded() == bytes, "\(name)")
            } else {
                checkCanonical(bytes)
                _ = try? PGMFraming.decodeIPv4(bytes, verifyChecksums: false)
            }
        }
    }
}

import Foundation
import PGMFEC
import Testing

/// fec-vectors.txt: parity packets of OpenPGM 5.3's encoder (Debian's libpgm), written
/// by `build/ktests/fec_test --vectors Tests/PGMFECTests/fec-vectors.txt`, which checks
/// the kernel's encoder against the same library. Each line: k, the parity packet's
/// number, its bytes in hex, for the group whose originals `group(k:length:)` makes.
struct LibpgmVector: Sendable, CustomTestStringConvertible {
    let k: Int
    let index: Int
    let parity: [UInt8]

    var testDescription: String { "k \(k), parity packet \(index)" }

    static let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("fec-vectors.txt")

    static func load() throws -> [LibpgmVector] {
        try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
            .filter { !$0.hasPrefix("#") }
            .map { line in
                let fields = line.split(separator: " ")
                let hex = Array(fields[2].utf8)
                let bytes = stride(from: 0, to: hex.count, by: 2).map { i in
                    UInt8(String(decoding: hex[i..<i + 2], as: UTF8.self), radix: 16) ?? 0
                }
                return LibpgmVector(k: Int(fields[0]) ?? 0, index: Int(fields[1]) ?? 0, parity: bytes)
            }
    }

    /// The file's group: k packets filled in order with x >> 24 after each step
    /// x = x * 1103515245 + 12345 (mod 2^32), x starting at k.
    static func group(k: Int, length: Int) -> [[UInt8]] {
        var x = UInt32(k)
        return (0..<k).map { _ in
            (0..<length).map { _ in
                x = x &* 1_103_515_245 &+ 12345
                return UInt8(x >> 24)
            }
        }
    }
}

@Suite struct LibpgmVectorTests {
    @Test func theFileCoversEveryK() throws {
        let vectors = try LibpgmVector.load()
        #expect(Set(vectors.map(\.k)) == [2, 4, 8, 16, 32, 64, 128])
        #expect(vectors.allSatisfy { $0.parity.count == 24 })
        #expect(vectors.count >= 7 * 3)
    }

    @Test func parityEqualsLibpgms() throws {
        for v in try LibpgmVector.load() {
            let originals = LibpgmVector.group(k: v.k, length: v.parity.count)
            let rs = try ReedSolomon(n: 255, k: v.k)
            #expect(try rs.parity(v.index, of: originals) == v.parity, "\(v.testDescription)")
            // and its parity packet stands in for a lost original
            var packets = Dictionary(uniqueKeysWithValues: originals.enumerated().dropFirst().map { ($0, $1) })
            packets[v.index] = v.parity
            #expect(try rs.reconstruct(packets) == originals, "\(v.testDescription)")
        }
    }
}

import PGMFEC
import PGMTypes
import Testing

func randomGroup(k: Int, length: Int, using g: inout SeededRandom) -> [[UInt8]] {
    (0..<k).map { _ in (0..<length).map { _ in UInt8.random(in: 0...255, using: &g) } }
}

/// k from 2 to 128, each with n = k + 1, k + 4, 2k (at most 255) and 255.
let powersOfTwo = [2, 4, 8, 16, 32, 64, 128]

func lengths(for k: Int) -> [Int] {
    Array(Set([k + 1, k + 4, min(2 * k, 255), 255])).sorted()
}

@Suite struct ReedSolomonTests {
    @Test(arguments: powersOfTwo)
    func anyKPacketsRebuildTheGroup(k: Int) throws {
        var g = SeededRandom(seed: UInt64(k))
        for n in lengths(for: k) {
            let rs = try ReedSolomon(n: n, k: k)
            let most = min(k, n - k)
            for (trial, lost) in [0, 1, most, Int.random(in: 1...most, using: &g)].enumerated() {
                let length = trial == 3 ? 1 + Int.random(in: 0..<7, using: &g) : 1 + Int.random(in: 0..<300, using: &g)
                let originals = randomGroup(k: k, length: length, using: &g)
                let gone = Array((0..<k).shuffled(using: &g).prefix(lost))
                let parity = Array((k..<n).shuffled(using: &g).prefix(lost))
                var packets: [Int: [UInt8]] = [:]
                for j in 0..<k where !gone.contains(j) { packets[j] = originals[j] }
                for i in parity { packets[i] = try rs.parity(i, of: originals) }
                #expect(try rs.reconstruct(packets) == originals, "RS(\(n), \(k)), \(lost) lost")
            }
        }
    }

    /// Every set of k packets of a few small codes.
    @Test(arguments: [(6, 2), (8, 4), (12, 4), (11, 8)])
    func everySetOfKPackets(n: Int, k: Int) throws {
        var g = SeededRandom(seed: 7)
        let rs = try ReedSolomon(n: n, k: k)
        let originals = randomGroup(k: k, length: 19, using: &g)
        let all = try originals + (k..<n).map { i throws(FECError) in try rs.parity(i, of: originals) }
        var sets = 0
        for set in 0..<(1 << n) where set.nonzeroBitCount == k {
            let numbers = (0..<n).filter { set & (1 << $0) != 0 }
            let packets = Dictionary(uniqueKeysWithValues: numbers.map { ($0, all[$0]) })
            #expect(try rs.reconstruct(packets) == originals, "RS(\(n), \(k)), packets \(set)")
            sets += 1
        }
        #expect(sets > 0)
    }

    @Test func moreThanKPacketsAreFine() throws {
        var g = SeededRandom(seed: 3)
        let rs = try ReedSolomon(n: 24, k: 16)
        let originals = randomGroup(k: 16, length: 40, using: &g)
        var packets: [Int: [UInt8]] = [:]
        for j in 2..<16 { packets[j] = originals[j] }
        for i in 16..<24 { packets[i] = try rs.parity(i, of: originals) }
        #expect(try rs.reconstruct(packets) == originals)
    }

    /// OpenPGM's receiver makes RS(255, k) whatever n its source chose.
    @Test(arguments: powersOfTwo)
    func aParityPacketDoesNotDependOnN(k: Int) throws {
        var g = SeededRandom(seed: 11)
        let originals = randomGroup(k: k, length: 32, using: &g)
        let short = try ReedSolomon(n: k + 2, k: k), full = try ReedSolomon(n: 255, k: k)
        for i in k..<(k + 2) {
            #expect(try short.parity(i, of: originals) == full.parity(i, of: originals))
        }
    }

    @Test func theFieldIsOpenPGMs() throws {
        // alpha^8 = x^4 + x^3 + x^2 + 1 = 0x1d, which fixes the polynomial 0x11d
        let rs = try ReedSolomon(n: 3, k: 2)
        // packet 2 is the value at alpha = 2 of the line through (0, a) and (1, b):
        // a + (a + b) * 2
        #expect(try rs.parity(2, of: [[0x00], [0x80]]) == [0x1D])
        #expect(try rs.parity(2, of: [[0x01], [0x00]]) == [0x03])
    }
}

@Suite struct FECErrorTests {
    @Test(arguments: [0, 1, 3, 6, 12, 100, 129, 256, -2])
    func refusesGroupSizes(k: Int) {
        #expect(throws: FECError.invalidK(k)) { try ReedSolomon(n: 255, k: k) }
    }

    @Test(arguments: [(8, 8), (7, 8), (0, 8), (256, 8), (300, 128), (128, 128)])
    func refusesCodeLengths(n: Int, k: Int) {
        #expect(throws: FECError.invalidN(n, k: k)) { try ReedSolomon(n: n, k: k) }
    }

    @Test func theSmallestAndLargestCodesAreMade() throws {
        #expect(try ReedSolomon(n: 3, k: 2).n == 3)
        #expect(try ReedSolomon(n: 255, k: 128).k == 128)
    }

    @Test func refusesBadPackets() throws {
        let rs = try ReedSolomon(n: 12, k: 8)
        let group = Array(repeating: [UInt8](repeating: 5, count: 4), count: 8)
        #expect(throws: FECError.notAParityPacket(7, n: 12, k: 8)) { try rs.parity(7, of: group) }
        #expect(throws: FECError.notAParityPacket(12, n: 12, k: 8)) { try rs.parity(12, of: group) }
        #expect(throws: FECError.originalCount(7, k: 8)) { try rs.parity(8, of: Array(group.dropLast())) }
        var uneven = group
        uneven[3] = [1, 2]
        #expect(throws: FECError.unequalLengths(packet: 3, length: 2, expected: 4)) { try rs.parity(8, of: uneven) }

        var packets = Dictionary(uniqueKeysWithValues: (0..<7).map { ($0, group[$0]) })
        #expect(throws: FECError.tooFewPackets(7, k: 8)) { try rs.reconstruct(packets) }
        packets[12] = group[0]
        #expect(throws: FECError.packetOutOfGroup(12, n: 12, k: 8)) { try rs.reconstruct(packets) }
        packets[12] = nil
        packets[-1] = group[0]
        #expect(throws: FECError.packetOutOfGroup(-1, n: 12, k: 8)) { try rs.reconstruct(packets) }
        packets[-1] = nil
        packets[9] = [0, 0, 0]
        #expect(throws: FECError.unequalLengths(packet: 9, length: 3, expected: 4)) { try rs.reconstruct(packets) }
    }

    @Test(arguments: [
        (FECError.invalidK(3), "k = 3 is not a transmission group size: k is a power of two from 2 to 128"),
        (.invalidN(8, k: 8), "n = 8 is not a code length for k = 8: n is from k + 1 = 9 to 255"),
        (.notAParityPacket(3, n: 12, k: 8), "packet 3 is not a parity packet of RS(12, 8): those are 8 to 11"),
        (.packetOutOfGroup(12, n: 12, k: 8), "packet 12 is not in a group of RS(12, 8): packets are 0 to 11"),
        (.originalCount(7, k: 8), "7 original packets given: a group of this code has exactly 8"),
        (.unequalLengths(packet: 2, length: 3, expected: 4),
         "packet 2 is 3 bytes, not 4: packets of a group have one length (pad them)"),
        (.tooFewPackets(7, k: 8), "7 packets of a group given: any 8 rebuild it, fewer cannot"),
    ])
    func saysWhatIsAllowed(error: FECError, message: String) {
        #expect(error.description == message)
    }
}

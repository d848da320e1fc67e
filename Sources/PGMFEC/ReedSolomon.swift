/// The Reed-Solomon erasure code of PGM's FEC (RFC 3208 appendix A) as OpenPGM 5.3
/// makes it: parity packets made here are OpenPGM's, and the kernel's (kernel/fec.c),
/// byte for byte.
///
/// A transmission group is k original packets of one length, numbered 0 to k - 1, and
/// up to n - k parity packets, numbered k to n - 1; any k distinct packets of a group
/// rebuild its originals. Packet i is the value at the point x_i (x_0 = 0, x_i =
/// alpha^(i - 1) in ``GF256``) of the polynomial of degree below k whose values at
/// x_0 ... x_{k-1} are the originals. In matrix terms, as OpenPGM builds it: the
/// generator is V times the inverse of its first k rows, V being the Vandermonde
/// matrix whose row i is 1, x_i, x_i^2, ..., x_i^(k-1). A parity packet depends on k
/// and its number, not on n.
///
/// This is the model's version, written for clarity rather than speed; the kernel's
/// gets the same matrix from a closed form and decodes in place.
public struct ReedSolomon: Sendable, Hashable {
    /// Packets in a transmission group, originals and parity: k + 1 to 255.
    public let n: Int
    /// Original packets in a transmission group: a power of two from 2 to 128.
    public let k: Int
    /// `parityRows[i - k][j]`: the coefficient of original j in parity packet i.
    private let parityRows: [[UInt8]]

    public init(n: Int, k: Int) throws(FECError) {
        guard (2...128).contains(k), k & (k - 1) == 0 else { throw .invalidK(k) }
        guard n > k, n <= 255 else { throw .invalidN(n, k: k) }
        self.n = n
        self.k = k
        let vandermonde = (0..<n).map { i in Self.powers(of: Self.point(i), count: k) }
        guard let inverse = GF256.invert(Array(vandermonde[0..<k])) else {
            preconditionFailure("a Vandermonde matrix of distinct points is invertible")
        }
        parityRows = vandermonde[k..<n].map { GF256.multiply($0, inverse) }
    }

    /// The point packet i of a group is the polynomial's value at.
    static func point(_ i: Int) -> UInt8 {
        i == 0 ? 0 : GF256.exp[i - 1]
    }

    /// 1, x, x^2, ..., x^(count - 1).
    static func powers(of x: UInt8, count: Int) -> [UInt8] {
        var row = [UInt8](repeating: 1, count: count)
        for c in row.indices.dropFirst() { row[c] = GF256.multiply(row[c - 1], x) }
        return row
    }

    /// Parity packet `index` (k to n - 1) of a group whose k originals are `originals`.
    public func parity(_ index: Int, of originals: [[UInt8]]) throws(FECError) -> [UInt8] {
        guard (k..<n).contains(index) else { throw .notAParityPacket(index, n: n, k: k) }
        guard originals.count == k else { throw .originalCount(originals.count, k: k) }
        let length = originals[0].count
        for (j, p) in originals.enumerated() where p.count != length {
            throw .unequalLengths(packet: j, length: p.count, expected: length)
        }
        var packet = [UInt8](repeating: 0, count: length)
        for (j, c) in parityRows[index - k].enumerated() {
            GF256.addMultiple(c, of: originals[j], to: &packet)
        }
        return packet
    }

    /// The k originals of a group from any k or more of its packets, keyed by packet
    /// number. Originals given are returned as they are; each missing one is rebuilt
    /// from the lowest-numbered parity packets given.
    public func reconstruct(_ packets: [Int: [UInt8]]) throws(FECError) -> [[UInt8]] {
        let numbers = packets.keys.sorted()
        if let bad = numbers.first(where: { !(0..<n).contains($0) }) {
            throw .packetOutOfGroup(bad, n: n, k: k)
        }
        guard numbers.count >= k else { throw .tooFewPackets(numbers.count, k: k) }
        let length = packets[numbers[0], default: []].count
        for i in numbers where packets[i, default: []].count != length {
            throw .unequalLengths(packet: i, length: packets[i, default: []].count, expected: length)
        }
        var originals = (0..<k).map { packets[$0] ?? [] }
        let missing = (0..<k).filter { packets[$0] == nil }
        guard !missing.isEmpty else { return originals }
        let used = Array(numbers.filter { $0 >= k }.prefix(missing.count))

        // Parity packet i less the originals we have is the sum over the missing
        // originals j of parityRows[i - k][j] times original j: solve for them.
        let syndromes = used.map { i in
            var y = packets[i, default: []]
            for j in 0..<k where packets[j] != nil {
                GF256.addMultiple(parityRows[i - k][j], of: originals[j], to: &y)
            }
            return y
        }
        let system = used.map { i in missing.map { parityRows[i - k][$0] } }
        guard let solution = GF256.invert(system) else {
            preconditionFailure("the code is MDS: every square submatrix of its parity rows is invertible")
        }
        for (a, j) in missing.enumerated() {
            var x = [UInt8](repeating: 0, count: length)
            for (b, y) in syndromes.enumerated() { GF256.addMultiple(solution[a][b], of: y, to: &x) }
            originals[j] = x
        }
        return originals
    }
}

extension GF256 {
    /// The row vector `v` times the matrix `m`.
    static func multiply(_ v: [UInt8], _ m: [[UInt8]]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: m[0].count)
        for (r, c) in v.enumerated() { addMultiple(c, of: m[r], to: &out) }
        return out
    }

    /// The inverse of the square matrix `m` (Gauss-Jordan with pivot search), or nil
    /// if it is singular.
    static func invert(_ m: [[UInt8]]) -> [[UInt8]]? {
        let size = m.count
        var a = m
        var inv = (0..<size).map { r in (0..<size).map { c in UInt8(r == c ? 1 : 0) } }
        for c in 0..<size {
            guard let p = (c..<size).first(where: { a[$0][c] != 0 }) else { return nil }
            a.swapAt(c, p)
            inv.swapAt(c, p)
            let scale = inverse(a[c][c])
            a[c] = a[c].map { multiply($0, scale) }
            inv[c] = inv[c].map { multiply($0, scale) }
            for r in 0..<size where r != c && a[r][c] != 0 {
                let f = a[r][c]
                addMultiple(f, of: a[c], to: &a[r])
                addMultiple(f, of: inv[c], to: &inv[r])
            }
        }
        return inv
    }
}

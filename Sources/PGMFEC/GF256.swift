/// GF(2^8), the field of OpenPGM's Reed-Solomon code: polynomials over GF(2)
/// modulo x^8 + x^4 + x^3 + x^2 + 1 (0x11d), whose root alpha = x (the byte 2)
/// generates the 255 nonzero elements. Addition is XOR.
enum GF256 {
    static let polynomial = 0x11d

    /// `exp[i]` = alpha^i, for i up to twice round: a sum of two logarithms needs no modulo.
    static let exp: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 2 * 255)
        var x = 1
        for i in 0..<255 {
            table[i] = UInt8(x)
            table[i + 255] = UInt8(x)
            x <<= 1
            if x & 0x100 != 0 { x ^= polynomial }
        }
        return table
    }()

    /// `log[a]` = i where alpha^i = a, for a != 0.
    static let log: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 256)
        for i in 0..<255 { table[Int(exp[i])] = UInt8(i) }
        return table
    }()

    /// `product[a << 8 | b]` = a * b.
    static let product: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 256 * 256)
        for a in 1..<256 {
            for b in 1..<256 {
                table[a << 8 | b] = exp[Int(log[a]) + Int(log[b])]
            }
        }
        return table
    }()

    static func multiply(_ a: UInt8, _ b: UInt8) -> UInt8 {
        product[Int(a) << 8 | Int(b)]
    }

    /// 1 / a, for a != 0.
    static func inverse(_ a: UInt8) -> UInt8 {
        precondition(a != 0, "zero has no inverse")
        return exp[255 - Int(log[Int(a)])]
    }

    /// `d[i] += c * s[i]` for each i.
    static func addMultiple(_ c: UInt8, of s: [UInt8], to d: inout [UInt8]) {
        guard c != 0 else { return }
        let row = Int(c) << 8
        product.withUnsafeBufferPointer { t in
            for i in d.indices { d[i] ^= t[row | Int(s[i])] }
        }
    }
}

// scripts/fuzz-wire compiles PGMTypes' files into the same module as these.
#if canImport(PGMTypes)
@_exported import PGMTypes
#endif

/// An IPv6 address, kept as two 64-bit halves in network order.
public struct PGMIPv6Address: Hashable, Sendable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// The address made of exactly 16 octets in network order; nil for any
    /// other count.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 16 else { return nil }
        var h: UInt64 = 0
        var l: UInt64 = 0
        for (i, b) in bytes.enumerated() {
            if i < 8 { h = h << 8 | UInt64(b) } else { l = l << 8 | UInt64(b) }
        }
        high = h
        low = l
    }

    /// The eight 16-bit groups, most significant first.
    public var groups: [UInt16] {
        (0..<8).map { i in
            let word = i < 4 ? high : low
            return UInt16(truncatingIfNeeded: word >> (48 - 16 * UInt64(i % 4)))
        }
    }

    /// The 16 octets in network order.
    public var bytes: [UInt8] {
        (0..<16).map { i in
            let word = i < 8 ? high : low
            return UInt8(truncatingIfNeeded: word >> (56 - 8 * UInt64(i % 8)))
        }
    }

    /// RFC 5952 text: lower-case hex, no leading zeros, the longest run of two
    /// or more zero groups (the first such run on ties) written as "::".
    /// Embedded IPv4 forms are not used.
    public var description: String {
        let g = groups
        var bestStart = -1
        var bestLength = 0
        var i = 0
        while i < 8 {
            if g[i] == 0 {
                var j = i
                while j < 8 && g[j] == 0 { j += 1 }
                if j - i > bestLength && j - i >= 2 {
                    bestStart = i
                    bestLength = j - i
                }
                i = j
            } else {
                i += 1
            }
        }
        func hex(_ range: Range<Int>) -> String {
            g[range].map { String($0, radix: 16) }.joined(separator: ":")
        }
        if bestStart < 0 { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
    }
}

/// A Network Layer Address with its Address Family Indicator (RFC 3208
/// section 8: AFIs "as specified in [10]", the IANA address family numbers:
/// 1 = IPv4, 2 = IPv6).
///
/// On the wire an NLA is the 16-bit AFI, 16 reserved bits that must be zero,
/// and the address (4 or 16 octets).
public enum PGMNLA: Hashable, Sendable, CustomStringConvertible {
    case ipv4(IPv4Address)
    case ipv6(PGMIPv6Address)

    /// The IANA address family number for IPv4.
    public static let afiIPv4: UInt16 = 1
    /// The IANA address family number for IPv6.
    public static let afiIPv6: UInt16 = 2

    /// This NLA's AFI.
    public var afi: UInt16 {
        switch self {
        case .ipv4: return PGMNLA.afiIPv4
        case .ipv6: return PGMNLA.afiIPv6
        }
    }

    /// Octets of the address alone.
    public var addressLength: Int {
        switch self {
        case .ipv4: return 4
        case .ipv6: return 16
        }
    }

    /// Octets of AFI, reserved field and address together.
    public var encodedLength: Int { 4 + addressLength }

    public var description: String {
        switch self {
        case .ipv4(let a): return a.description
        case .ipv6(let a): return a.description
        }
    }
}

/// An IPv6 address, kept as two 64-bit halves read as numbers (host order):
/// ff15::1 is high 0xFF15_0000_0000_0000, low 1.
public struct IPv6Address: Hashable, Sendable, Comparable, CustomStringConvertible {
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

    /// Parses RFC 4291 section 2.2 text: eight groups of one to four hex
    /// digits separated by ':', one "::" standing for one or more zero
    /// groups, and optionally a dotted-quad IPv4 address as the last 32 bits
    /// ("ff15::1", "fe80::1", "2001:db8::10.0.0.1"). No zone ("%eth0"): an
    /// endpoint's parser takes that apart.
    public init(_ text: some StringProtocol) throws(VocabularyParseError) {
        func fail(_ problem: String) -> VocabularyParseError {
            VocabularyParseError(.ipv6Address, text: text, problem: problem)
        }
        let s = String(text)
        var halves: [String] = []
        var rest = Substring(s)
        while let r = rest.firstRange(of: "::") {
            halves.append(String(rest[..<r.lowerBound]))
            rest = rest[r.upperBound...]
        }
        halves.append(String(rest))
        guard halves.count <= 2 else { throw fail("it has more than one '::'") }
        if halves.count == 2 && (halves[1].hasPrefix(":") || halves[0].hasSuffix(":")) {
            throw fail("it has ':::'")
        }
        func groups(_ part: String, last: Bool) throws(VocabularyParseError) -> [UInt16] {
            if part.isEmpty { return [] }
            var out: [UInt16] = []
            let fields = part.split(separator: ":", omittingEmptySubsequences: false)
            for (i, f) in fields.enumerated() {
                if last && i == fields.count - 1 && f.contains(".") {
                    let v4: IPv4Address
                    do { v4 = try IPv4Address(f) } catch { throw fail("'\(f)' is not a dotted-quad IPv4 address") }
                    out.append(UInt16(truncatingIfNeeded: v4.rawValue >> 16))
                    out.append(UInt16(truncatingIfNeeded: v4.rawValue))
                    continue
                }
                guard (1...4).contains(f.utf8.count), let g = UInt16(f, radix: 16) else {
                    throw fail(f.isEmpty ? "a group is empty" : "'\(f)' is not a group of one to four hex digits")
                }
                out.append(g)
            }
            return out
        }
        var all: [UInt16]
        if halves.count == 2 {
            let head = try groups(halves[0], last: false)
            let tail = try groups(halves[1], last: true)
            guard head.count + tail.count <= 7 else { throw fail("'::' stands for no group: there are 8 besides it") }
            all = head + [UInt16](repeating: 0, count: 8 - head.count - tail.count) + tail
        } else {
            all = try groups(s, last: true)
            guard all.count == 8 else { throw fail("it has \(all.count) groups, not 8 (or '::' for the zeros)") }
        }
        high = all[0..<4].reduce(0) { $0 << 16 | UInt64($1) }
        low = all[4..<8].reduce(0) { $0 << 16 | UInt64($1) }
    }

    /// `::`.
    public static let any = IPv6Address(high: 0, low: 0)

    /// ff00::/8.
    public var isMulticast: Bool { high >> 56 == 0xFF }

    /// Whether the address names a link (fe80::/10, or a multicast address
    /// of interface-local or link-local scope, ff01::/16 and ff02::/16):
    /// it needs an interface (a scope id) to be used.
    public var needsScope: Bool {
        if high >> 54 == 0x3FA { return true }
        return isMulticast && (high >> 48 & 0xF == 1 || high >> 48 & 0xF == 2)
    }

    /// Numeric order.
    public static func < (a: Self, b: Self) -> Bool { (a.high, a.low) < (b.high, b.low) }

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

/// An address of either family.
public enum IPAddress: Hashable, Sendable, CustomStringConvertible {
    case v4(IPv4Address)
    case v6(IPv6Address)

    /// Parses an IPv4 dotted quad or IPv6 text (with ':'), as users write it.
    public init(_ text: some StringProtocol) throws(VocabularyParseError) {
        if text.contains(":") {
            self = .v6(try IPv6Address(text))
        } else {
            do { self = .v4(try IPv4Address(text)) } catch {
                throw VocabularyParseError(.ipAddress, text: text, problem: error.problem)
            }
        }
    }

    /// A group: 224.0.0.0/4 or ff00::/8.
    public var isMulticast: Bool {
        switch self {
        case .v4(let a): a.isMulticast
        case .v6(let a): a.isMulticast
        }
    }

    /// The octets in network order: 4 or 16.
    public var bytes: [UInt8] {
        switch self {
        case .v4(let a): a.bytes
        case .v6(let a): a.bytes
        }
    }

    /// Dotted quad or RFC 5952 text.
    public var description: String {
        switch self {
        case .v4(let a): a.description
        case .v6(let a): a.description
        }
    }
}

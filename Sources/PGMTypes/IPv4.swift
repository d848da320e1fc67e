/// An IPv4 address, kept as its 32 bits in network order read as a number
/// (host order): 239.192.0.1 is 0xEFC0_0001.
public struct IPv4Address: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The address in host byte order.
    public var rawValue: UInt32

    /// An address from its value in host byte order.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// The address a.b.c.d.
    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        rawValue = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
    }

    /// Parses dotted-quad text: four decimal octets, no leading sign or
    /// white space ("239.192.0.1").
    public init(_ text: some StringProtocol) throws(VocabularyParseError) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else {
            throw VocabularyParseError(.ipv4Address, text: text, problem: "it has \(parts.count) dot-separated parts, not 4")
        }
        var a: UInt32 = 0
        for p in parts {
            guard let b = Self.octet(p) else {
                throw VocabularyParseError(.ipv4Address, text: text, problem: "'\(p)' is not a number from 0 to 255")
            }
            a = a << 8 | UInt32(b)
        }
        rawValue = a
    }

    /// One to three ASCII digits with a value up to 255.
    static func octet(_ p: some StringProtocol) -> UInt8? {
        guard (1...3).contains(p.utf8.count), p.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return UInt8(p)
    }

    /// `0.0.0.0`.
    public static let any = IPv4Address(rawValue: 0)

    /// A class D address (224.0.0.0/4).
    public var isMulticast: Bool { rawValue >> 28 == 0xE }

    /// The four octets in network order.
    public var bytes: [UInt8] { [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: rawValue >> $0) } }

    /// Numeric order.
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    /// Dotted quad.
    public var description: String {
        "\(rawValue >> 24).\(rawValue >> 16 & 0xFF).\(rawValue >> 8 & 0xFF).\(rawValue & 0xFF)"
    }
}

/// An IPv4 address and a port: a multicast group and its data-destination
/// port, or a source's address and data-source port.
public struct IPv4Endpoint: Hashable, Sendable, CustomStringConvertible {
    /// The address.
    public var address: IPv4Address
    /// The port, host byte order.
    public var port: UInt16

    /// An endpoint from an address and a port.
    public init(_ address: IPv4Address, port: UInt16) {
        self.address = address
        self.port = port
    }

    /// An endpoint from an address in host byte order and a port.
    public init(address: UInt32, port: UInt16) {
        self.init(IPv4Address(rawValue: address), port: port)
    }

    /// Parses "a.b.c.d:port" as users write it ("239.192.0.1:7500"); the
    /// port is a decimal number from 1 to 65535.
    public init(_ text: some StringProtocol) throws(VocabularyParseError) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw VocabularyParseError(
                .ipv4Endpoint, text: text, problem: parts.count == 1 ? "the port is missing" : "it has more than one ':'")
        }
        let address: IPv4Address
        do {
            address = try IPv4Address(parts[0])
        } catch {
            throw VocabularyParseError(.ipv4Endpoint, text: text, problem: error.problem)
        }
        guard parts[1].utf8.allSatisfy({ (0x30...0x39).contains($0) }), let port = UInt16(parts[1]), port != 0 else {
            throw VocabularyParseError(.ipv4Endpoint, text: text, problem: "port '\(parts[1])' is not a number from 1 to 65535")
        }
        self.init(address, port: port)
    }

    /// "a.b.c.d:port".
    public var description: String { "\(address):\(port)" }
}

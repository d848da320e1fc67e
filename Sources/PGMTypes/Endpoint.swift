/// The interface an IPv6 address is scoped to (RFC 4007 section 11: the
/// zone after '%'), by name ("eth0") or by index ("3"). The socket
/// library turns a name into the index `sin6_scope_id` takes.
public enum IPv6Zone: Hashable, Sendable, CustomStringConvertible {
    /// An interface name, as `ip link` lists it.
    case name(String)
    /// An interface index (`if_nametoindex(3)`), never 0.
    case index(UInt32)

    /// A zone as written after '%': all decimal digits is an index (not 0),
    /// anything else a name of 1 to 15 bytes without '/', ':', '%', ']' or
    /// white space; nil otherwise.
    public init?(_ text: some StringProtocol) {
        if !text.isEmpty, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) {
            guard let i = UInt32(text), i != 0 else { return nil }
            self = .index(i)
            return
        }
        guard (1...15).contains(text.utf8.count), text != ".", text != "..",
              !text.contains(where: { "/:%[]".contains($0) || $0.isWhitespace })
        else { return nil }
        self = .name(String(text))
    }

    /// The name, or the index in decimal.
    public var description: String {
        switch self {
        case .name(let n): n
        case .index(let i): String(i)
        }
    }
}

/// An address of either family and a port: a multicast group and its
/// data-destination port, or a source's address and data-source port.
/// An IPv6 address may carry a zone, the interface a link-local address
/// (fe80::/10) or group (ff01::/16, ff02::/16) is on.
///
/// As text: "239.192.0.1:7500", "[ff15::1]:7500", "[fe80::1%eth0]:7500",
/// "[ff02::1%3]:7500".
public struct PGMEndpoint: Hashable, Sendable, CustomStringConvertible {
    /// The address.
    public var address: IPAddress
    /// The port, host byte order.
    public var port: UInt16
    /// The zone of an IPv6 address (nil: none); always nil for IPv4.
    public var zone: IPv6Zone?

    /// An endpoint from its parts; a zone is dropped for an IPv4 address.
    public init(_ address: IPAddress, port: UInt16, zone: IPv6Zone? = nil) {
        self.address = address
        self.port = port
        if case .v6 = address { self.zone = zone } else { self.zone = nil }
    }

    /// An IPv6 endpoint.
    public init(_ address: IPv6Address, port: UInt16, zone: IPv6Zone? = nil) {
        self.init(.v6(address), port: port, zone: zone)
    }

    /// An IPv4 endpoint.
    public init(_ address: IPv4Address, port: UInt16) {
        self.init(.v4(address), port: port)
    }

    /// The same endpoint as an ``IPv4Endpoint`` has it.
    public init(_ v4: IPv4Endpoint) {
        self.init(.v4(v4.address), port: v4.port)
    }

    /// The endpoint as an ``IPv4Endpoint``; nil for IPv6.
    public var ipv4: IPv4Endpoint? {
        guard case .v4(let a) = address else { return nil }
        return IPv4Endpoint(a, port: port)
    }

    /// Whether the address is IPv6.
    public var isIPv6: Bool {
        if case .v6 = address { return true }
        return false
    }

    /// Parses "a.b.c.d:port" or "[IPv6]:port" with an optional zone inside
    /// the brackets ("[fe80::1%eth0]:7500", "[ff02::1%3]:7500"); the port
    /// is a decimal number from 1 to 65535.
    public init(_ text: some StringProtocol) throws(VocabularyParseError) {
        func fail(_ problem: String) -> VocabularyParseError {
            VocabularyParseError(.endpoint, text: text, problem: problem)
        }
        let s = Substring(text)
        let hostPart: Substring
        let portPart: Substring
        if s.hasPrefix("[") {
            guard let close = s.firstIndex(of: "]") else { throw fail("'[' has no ']'") }
            hostPart = s[s.index(after: s.startIndex)..<close]
            let after = s[s.index(after: close)...]
            guard after.hasPrefix(":") else {
                throw fail(after.isEmpty ? "the port is missing" : "']' is not followed by ':port'")
            }
            portPart = after.dropFirst()
        } else {
            let parts = s.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count <= 2 else { throw fail("an IPv6 address goes in brackets: [ff15::1]:7500") }
            guard parts.count == 2 else { throw fail("the port is missing") }
            hostPart = parts[0]
            portPart = parts[1]
        }
        guard portPart.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let port = UInt16(portPart), port != 0 else {
            throw fail("port '\(portPart)' is not a number from 1 to 65535")
        }
        if s.hasPrefix("[") {
            let (address, zone) = try Self.ipv6(hostPart, fail: fail)
            self.init(address, port: port, zone: zone)
        } else {
            do {
                self.init(try IPv4Address(hostPart), port: port)
            } catch {
                throw fail(error.problem)
            }
        }
    }

    /// An IPv6 address with an optional "%zone".
    static func ipv6(
        _ text: Substring, fail: (String) -> VocabularyParseError
    ) throws(VocabularyParseError) -> (IPv6Address, IPv6Zone?) {
        var addressText = text
        var zone: IPv6Zone?
        if let pct = text.firstIndex(of: "%") {
            addressText = text[..<pct]
            let z = text[text.index(after: pct)...]
            guard let parsed = IPv6Zone(z) else {
                throw fail("zone '\(z)' is not an interface name (1-15 bytes) or index (1-4294967295)")
            }
            zone = parsed
        }
        let address: IPv6Address
        do { address = try IPv6Address(addressText) } catch { throw fail(error.problem) }
        return (address, zone)
    }

    /// "a.b.c.d:port", "[ff15::1]:port" or "[fe80::1%eth0]:port".
    public var description: String {
        switch address {
        case .v4(let a): "\(a):\(port)"
        case .v6(let a): "[\(a)\(zone.map { "%\($0)" } ?? "")]:\(port)"
        }
    }

    /// The address with its zone, without the port or brackets:
    /// "239.192.0.1", "ff15::1", "fe80::1%eth0".
    public var host: String {
        "\(address)\(zone.map { "%\($0)" } ?? "")"
    }
}

extension IPAddress {
    /// Parses an address as a user writes a group or a host: a dotted
    /// quad, or IPv6 text with an optional "%zone" ("fe80::1%eth0"); the
    /// address and its zone (always nil for IPv4).
    public static func parseWithZone(_ text: some StringProtocol) throws(VocabularyParseError) -> (IPAddress, IPv6Zone?) {
        let s = Substring(text)
        if s.contains(":") {
            let (a, z) = try PGMEndpoint.ipv6(s) { VocabularyParseError(.ipAddress, text: text, problem: $0) }
            return (.v6(a), z)
        }
        if s.contains("%") {
            throw VocabularyParseError(.ipAddress, text: text, problem: "only an IPv6 address takes a %zone")
        }
        return (try IPAddress(s), nil)
    }
}

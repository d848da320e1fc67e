// The words of multicast governance (issue #22, docs/governance.md) that
// every target speaks: what a rule does, which sockets it is about, and
// the range of groups it covers.  The reference model decides with them
// (PGMModel's Policy), the netlink client carries them (its policy rules);
// their numbers are those of the family's `policy-action` and
// `policy-role` enums (kernel/pgm.yaml, <linux/pgm_netlink.h>).

/// What a rule does with the sockets it matches; also the policy's default.
public enum PolicyAction: UInt32, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// The socket may use the group (`PGM_POLICY_ACTION_ALLOW`).
    case allow = 0
    /// connect() or the join fails with `EACCES` (`PGM_POLICY_ACTION_DENY`).
    case deny = 1

    /// The action named as the spec and the tools name it; nil for other text.
    public init?(name: some StringProtocol) {
        guard let a = Self.allCases.first(where: { $0.description == name }) else { return nil }
        self = a
    }

    /// "allow" or "deny".
    public var description: String {
        switch self {
        case .allow: "allow"
        case .deny: "deny"
        }
    }
}

/// Which sockets a rule is about.
public enum PolicyRole: UInt32, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// Sources and receivers (`PGM_POLICY_ROLE_ANY`).
    case any = 0
    /// A source's connect() to the group (`PGM_POLICY_ROLE_SOURCE`).
    case source = 1
    /// A receiver's join of the group (`PGM_POLICY_ROLE_RECEIVER`).
    case receiver = 2

    /// The role named as the spec and the tools name it; nil for other text.
    public init?(name: some StringProtocol) {
        guard let r = Self.allCases.first(where: { $0.description == name }) else { return nil }
        self = r
    }

    /// "any", "source" or "receiver".
    public var description: String {
        switch self {
        case .any: "any"
        case .source: "source"
        case .receiver: "receiver"
        }
    }
}

/// A range of group addresses: an address and a prefix length of its
/// family (0 matches the whole family).
public struct GroupRange: Hashable, Sendable, CustomStringConvertible {
    /// The first address of the range (bits past the prefix are zero).
    public let address: IPAddress
    public let prefixLength: Int

    /// The range of `address`'s first `prefixLength` bits; nil for a
    /// prefix longer than the family's address.
    public init?(_ address: IPAddress, prefixLength: Int) {
        let bits = address.bytes.count * 8
        guard (0...bits).contains(prefixLength) else { return nil }
        self.prefixLength = prefixLength
        let masked = Self.mask(address.bytes, prefixLength)
        switch address {
        case .v4: self.address = .v4(IPv4Address(rawValue: masked.reduce(0) { $0 << 8 | UInt32($1) }))
        case .v6:
            guard let a = IPv6Address(bytes: masked) else { return nil }
            self.address = .v6(a)
        }
    }

    /// Parses a range as users write it: an address and, after a slash, a
    /// prefix length ("239.192.0.0/16", "ff15::/16"); without one, the
    /// address alone (/32, /128).  Bits past the prefix are dropped, as
    /// the kernel drops them ("239.1.2.3/8" is 239.0.0.0/8).
    public init(_ text: some StringProtocol) throws(VocabularyParseError) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let address: IPAddress
        do { address = try IPAddress(parts[0]) } catch {
            throw VocabularyParseError(.groupRange, text: text, problem: error.problem)
        }
        let bits = address.bytes.count * 8
        var prefix = bits
        if parts.count == 2 {
            guard !parts[1].isEmpty, parts[1].allSatisfy({ ("0"..."9").contains($0) }), let p = Int(parts[1]) else {
                throw VocabularyParseError(.groupRange, text: text, problem: "'\(parts[1])' is not a prefix length")
            }
            prefix = p
        }
        guard let r = GroupRange(address, prefixLength: prefix) else {
            throw VocabularyParseError(.groupRange, text: text,
                                       problem: "prefix length \(prefix) is longer than an \(address.family) address's \(bits) bits")
        }
        self = r
    }

    /// Whether `group` is in the range; never across families.
    public func contains(_ group: IPAddress) -> Bool {
        let a = group.bytes
        guard a.count == address.bytes.count else { return false }
        return Self.mask(a, prefixLength) == address.bytes
    }

    /// Whether the range and `other` share an address: one holds the other.
    public func overlaps(_ other: GroupRange) -> Bool {
        contains(other.address) || other.contains(address)
    }

    /// The multicast range of `family`: 224.0.0.0/4 or ff00::/8.
    public static func multicast(_ family: IPFamily) -> GroupRange {
        switch family {
        case .v4: GroupRange(unchecked: .v4(IPv4Address(224, 0, 0, 0)), prefixLength: 4)
        case .v6: GroupRange(unchecked: .v6(IPv6Address(high: 0xFF00 << 48, low: 0)), prefixLength: 8)
        }
    }

    /// Whether the range holds a multicast address, so that a rule about it
    /// can match a group.
    public var holdsGroups: Bool { overlaps(.multicast(address.family)) }

    private init(unchecked address: IPAddress, prefixLength: Int) {
        self.address = address
        self.prefixLength = prefixLength
    }

    static func mask(_ b: [UInt8], _ prefix: Int) -> [UInt8] {
        b.enumerated().map { i, byte in
            let keep = min(max(prefix - i * 8, 0), 8)
            return keep == 8 ? byte : byte & ~(UInt8(0xFF) >> keep)
        }
    }

    public var description: String { "\(address)/\(prefixLength)" }
}

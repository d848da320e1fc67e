// The profiles of the tunables are PGMTypes' `TunableProfile` (its table
// generated from kernel/pgm.yaml, ProfileTable.swift), keyed by option
// number, which is also the tunable's attribute in the set `defaults`; here,
// that number read as a `PGMDefaultsAttribute`, and a profile as the netns's
// defaults (`pgmctl profile`). The socket library reads the same table for
// one socket.

extension TunableProfile.Setting {
    /// The setting of the tunable `attribute` to `value`.
    public init(_ attribute: PGMDefaultsAttribute, _ value: UInt32) {
        self.init(option: Int32(attribute.rawValue), value: value)
    }

    /// The tunable as an attribute of the set `defaults` (the attribute's
    /// number is the option's); nil for a number that is none of the set's
    /// (no profile of the spec has one).
    public var attribute: PGMDefaultsAttribute? {
        UInt16(exactly: option).flatMap(PGMDefaultsAttribute.init(rawValue:))
    }
}

extension TunableProfile {
    /// The value this profile gives `attribute`; nil when no profile changes it.
    public func value(of attribute: PGMDefaultsAttribute) -> UInt32? {
        value(option: Int32(attribute.rawValue))
    }

    /// Whether `defaults` hold this profile's value for every tunable it gives.
    public func matches(_ defaults: PGMDefaults) -> Bool {
        settings.allSatisfy { s in s.attribute.map { defaults.values[$0] == s.value } ?? false }
    }

    /// The profiles `defaults` match, in the spec's order (none when some
    /// tunable a profile changes has a value of no profile).
    public static func matching(_ defaults: PGMDefaults) -> [TunableProfile] {
        all.filter { $0.matches(defaults) }
    }

    /// The attributes of the one defaults-set request that makes this
    /// profile's values the netns's defaults, all or none (CAP_NET_ADMIN):
    /// a u32 for every setting, in the profile's order.
    public var attributes: [NetlinkAttribute] {
        settings.compactMap { s in s.attribute.map { .u32($0.rawValue, s.value) } }
    }
}

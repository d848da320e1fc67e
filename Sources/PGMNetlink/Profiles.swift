/// A named profile of the tunables (kernel/pgm.yaml): values for a kind of
/// network, `lan` (a low-latency LAN) or `wan` (the built-in defaults); see
/// pgm(7), "Profiles". A profile gives every tunable that any profile
/// changes, in option order, so setting one as the netns's defaults undoes
/// another. The table is generated from the spec (``all``, in
/// Generated.swift); the socket library's `TunableProfile` is the same table
/// for one socket.
public struct PGMProfile: Sendable, Hashable {
    /// One tunable's value in a profile.
    public struct Setting: Sendable, Hashable {
        /// The tunable, as an attribute of the set `defaults`.
        public var attribute: PGMDefaultsAttribute
        /// Its value, in the tunable's unit (``PGMDefaultsAttribute/unit``).
        public var value: UInt32

        public init(_ attribute: PGMDefaultsAttribute, _ value: UInt32) {
            self.attribute = attribute
            self.value = value
        }
    }

    /// The profile's name in the spec (`lan`).
    public let name: String
    /// The spec's one-line documentation.
    public let doc: String
    /// Every tunable any profile changes, with its value here, in option order.
    public let settings: [Setting]

    public init(name: String, doc: String, settings: [Setting]) {
        self.name = name
        self.doc = doc
        self.settings = settings
    }

    /// The profile called `name`.
    ///
    /// - Throws: ``PGMProfileError`` listing the known profiles.
    public static func named(_ name: String) throws(PGMProfileError) -> PGMProfile {
        guard let p = all.first(where: { $0.name == name }) else {
            throw PGMProfileError(name: name, known: all.map(\.name))
        }
        return p
    }

    /// The names of every profile, in the spec's order.
    public static var names: [String] { all.map(\.name) }

    /// The value this profile gives `attribute`; nil when no profile changes it.
    public func value(of attribute: PGMDefaultsAttribute) -> UInt32? {
        settings.first { $0.attribute == attribute }?.value
    }

    /// Whether `defaults` hold this profile's value for every tunable it gives.
    public func matches(_ defaults: PGMDefaults) -> Bool {
        settings.allSatisfy { defaults.values[$0.attribute] == $0.value }
    }

    /// The profiles `defaults` match, in the spec's order (none when some
    /// tunable a profile changes has a value of no profile).
    public static func matching(_ defaults: PGMDefaults) -> [PGMProfile] {
        all.filter { $0.matches(defaults) }
    }
}

/// A profile name that is not in the spec.
public struct PGMProfileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The name asked for.
    public var name: String
    /// The profiles there are.
    public var known: [String]

    public init(name: String, known: [String]) {
        self.name = name
        self.known = known
    }

    public var description: String {
        "unknown profile '\(name)'; the profiles are \(known.joined(separator: ", "))"
    }
}

extension PGMProfile {
    /// The attributes of the one defaults-set request that makes this
    /// profile's values the netns's defaults, all or none (CAP_NET_ADMIN).
    public var attributes: [NetlinkAttribute] {
        settings.map { .u32($0.attribute.rawValue, $0.value) }
    }
}

import SystemPackage

// The profiles of the tunables are PGMTypes' `TunableProfile` (its table
// generated from kernel/pgm.yaml, ProfileTable.swift), keyed by option
// number; here, that number read as a `Tunable`, and a profile set on a
// socket. PGMNetlink reads the same table as the netns's defaults.

extension TunableProfile.Setting {
    /// The setting of `tunable` to `value`.
    public init(_ tunable: Tunable, _ value: UInt32) {
        self.init(option: tunable.rawValue, value: value)
    }

    /// The tunable: the option numbered ``option``; nil for a number that is
    /// none of this library's (no profile of the spec has one).
    public var tunable: Tunable? { Tunable(rawValue: option) }
}

extension TunableProfile {
    /// The value this profile gives `tunable`; nil when no profile changes it.
    public func value(of tunable: Tunable) -> UInt32? {
        value(option: tunable.rawValue)
    }

    /// The settings a socket of `role` takes: its role's and those of both roles.
    public func settings(for role: Tunable.Role) -> [Setting] {
        settings.filter { $0.tunable?.role == role || $0.tunable?.role == .both }
    }
}

extension SourceOptions {
    /// Sets the source tunables of `profile` (``SourceTunables/apply(profile:)``);
    /// a field set afterwards overrides the profile's value.
    public mutating func apply(profile: TunableProfile) {
        tunables.apply(profile: profile)
    }
}

extension ReceiverOptions {
    /// Sets the receiver tunables of `profile` (``ReceiverTunables/apply(profile:)``);
    /// a field set afterwards overrides the profile's value.
    public mutating func apply(profile: TunableProfile) {
        tunables.apply(profile: profile)
    }
}

extension PGMSocket {
    /// Sets the tunables of `profile` for a socket of `role` with
    /// setsockopt, in option order; before connect (a source) or bind (a
    /// receiver), as some options are fixed afterwards.
    ///
    /// - Throws: the `Errno` of the first setsockopt that failed.
    public func apply(profile: TunableProfile, role: Tunable.Role) throws(Errno) {
        for s in profile.settings(for: role) {
            if let t = s.tunable { try set(t, to: s.value) }
        }
    }
}

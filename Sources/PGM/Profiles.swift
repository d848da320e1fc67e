import SystemPackage

/// A named profile of the tunables (kernel/pgm.yaml): values for a kind of
/// network, `lan` (a low-latency LAN) or `wan` (the built-in defaults); see
/// pgm(7), "Profiles". A profile gives every tunable that any profile
/// changes, in option order, so applying one undoes another. The table is
/// generated from the spec (``all``, in Tunables.swift); pgmctl's
/// `PGMProfile` is the same table for the netns's defaults.
///
/// ```swift
/// var options = ReceiverOptions()
/// options.apply(profile: try TunableProfile.named("lan"))
/// ```
public struct TunableProfile: Sendable, Hashable {
    /// One tunable's value in a profile.
    public struct Setting: Sendable, Hashable {
        /// The tunable.
        public var tunable: Tunable
        /// Its value, in the tunable's unit (``Tunable/unit``).
        public var value: UInt32

        public init(_ tunable: Tunable, _ value: UInt32) {
            self.tunable = tunable
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
    /// - Throws: ``UnknownProfileError`` listing the known profiles.
    public static func named(_ name: String) throws(UnknownProfileError) -> TunableProfile {
        guard let p = all.first(where: { $0.name == name }) else {
            throw UnknownProfileError(name: name, known: all.map(\.name))
        }
        return p
    }

    /// The names of every profile, in the spec's order.
    public static var names: [String] { all.map(\.name) }

    /// The value this profile gives `tunable`; nil when no profile changes it.
    public func value(of tunable: Tunable) -> UInt32? {
        settings.first { $0.tunable == tunable }?.value
    }

    /// The settings a socket of `role` takes: its role's and those of both roles.
    public func settings(for role: Tunable.Role) -> [Setting] {
        settings.filter { $0.tunable.role == role || $0.tunable.role == .both }
    }
}

/// A profile name that is not in the spec.
public struct UnknownProfileError: Error, Sendable, Hashable, CustomStringConvertible {
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
        for s in profile.settings(for: role) { try set(s.tunable, to: s.value) }
    }
}

/// A named profile of the tunables (kernel/pgm.yaml): values for a kind of
/// network, `lan` (a low-latency LAN) or `wan` (the built-in defaults); see
/// pgm(7), "Profiles". A profile gives every tunable that any profile
/// changes, in option order, so applying one undoes another. The table is
/// generated from the spec (``all``, in ProfileTable.swift), once for both
/// its uses: the socket library (PGM) sets a profile on one socket
/// (`apply(profile:)`, the tools' `--profile`), the netlink client
/// (PGMNetlink) as the netns's defaults (`attributes`, `pgmctl profile`).
///
/// A setting names its tunable by number: its `SOL_PGM` option number, which
/// is also its attribute in the netlink set `defaults` (the spec gives both
/// the one value). PGM's `Setting.tunable` and PGMNetlink's
/// `Setting.attribute` read it as their own type.
///
/// ```swift
/// var options = ReceiverOptions()
/// options.apply(profile: try TunableProfile.named("lan"))
/// ```
public struct TunableProfile: Sendable, Hashable {
    /// One tunable's value in a profile.
    public struct Setting: Sendable, Hashable {
        /// The tunable's number: its `SOL_PGM` option (`PGM_NAK_BO_IVL`), the
        /// same as its attribute in the netlink set `defaults`.
        public var option: Int32
        /// Its value, in the tunable's unit.
        public var value: UInt32

        public init(option: Int32, value: UInt32) {
            self.option = option
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

    /// A profile of the spec (ProfileTable.swift): `values[i]` is its value
    /// of the tunable `options[i]`.
    init(name: String, doc: String, values: [UInt32]) {
        precondition(values.count == Self.options.count, "profile \(name): a value for each of the options")
        self.init(name: name, doc: doc, settings: zip(Self.options, values).map { Setting(option: $0, value: $1) })
    }

    /// The profile called `name`.
    ///
    /// - Throws: ``UnknownProfileError`` listing the known profiles.
    public static func named(_ name: String) throws(UnknownProfileError) -> TunableProfile {
        guard let p = all.first(where: { $0.name == name }) else {
            throw UnknownProfileError(name: name, known: names)
        }
        return p
    }

    /// The names of every profile, in the spec's order.
    public static var names: [String] { all.map(\.name) }

    /// The value this profile gives the tunable numbered `option`; nil when no
    /// profile changes it.
    public func value(option: Int32) -> UInt32? {
        settings.first { $0.option == option }?.value
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

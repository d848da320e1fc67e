/// An address family: IPv4 or IPv6.
public enum IPFamily: Hashable, Sendable, CustomStringConvertible {
    case v4
    case v6

    /// The family of a socket's `sa_family` as Linux numbers it: AF_INET (2)
    /// or AF_INET6 (10); nil for any other.
    public init?(socketFamily: UInt32) {
        switch socketFamily {
        case 2: self = .v4
        case 10: self = .v6
        default: return nil
        }
    }

    /// AF_INET (2) or AF_INET6 (10).
    public var socketFamily: UInt32 {
        switch self {
        case .v4: 2
        case .v6: 10
        }
    }

    /// The IP version: 4 or 6.
    public var version: Int {
        switch self {
        case .v4: 4
        case .v6: 6
        }
    }

    /// "IPv4" or "IPv6".
    public var description: String { "IPv\(version)" }
}

extension IPAddress {
    /// The address's family.
    public var family: IPFamily {
        switch self {
        case .v4: .v4
        case .v6: .v6
        }
    }

    /// The address with a port as users write it: "239.1.1.1:7500" or,
    /// the colons of IPv6 text being ambiguous, "[ff15::1]:7500".
    public func text(port: UInt16) -> String {
        switch self {
        case .v4(let a): "\(a):\(port)"
        case .v6(let a): "[\(a)]:\(port)"
        }
    }
}

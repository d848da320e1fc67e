// scripts/fuzz-wire compiles PGMTypes' files into the same module as these.
#if canImport(PGMTypes)
@_exported import PGMTypes
#endif

/// The name the codec knew ``IPv6Address`` by (it lives in PGMTypes, with
/// ``IPv4Address``, for the socket library and netlink).
public typealias PGMIPv6Address = IPv6Address

/// A Network Layer Address with its Address Family Indicator (RFC 3208
/// section 8: AFIs "as specified in [10]", the IANA address family numbers:
/// 1 = IPv4, 2 = IPv6).
///
/// On the wire an NLA is the 16-bit AFI, 16 reserved bits that must be zero,
/// and the address (4 or 16 octets).
public enum PGMNLA: Hashable, Sendable, CustomStringConvertible {
    case ipv4(IPv4Address)
    case ipv6(PGMIPv6Address)

    /// The IANA address family number for IPv4.
    public static let afiIPv4: UInt16 = 1
    /// The IANA address family number for IPv6.
    public static let afiIPv6: UInt16 = 2

    /// This NLA's AFI.
    public var afi: UInt16 {
        switch self {
        case .ipv4: return PGMNLA.afiIPv4
        case .ipv6: return PGMNLA.afiIPv6
        }
    }

    /// Octets of the address alone.
    public var addressLength: Int {
        switch self {
        case .ipv4: return 4
        case .ipv6: return 16
        }
    }

    /// Octets of AFI, reserved field and address together.
    public var encodedLength: Int { 4 + addressLength }

    public var description: String {
        switch self {
        case .ipv4(let a): return a.description
        case .ipv6(let a): return a.description
        }
    }
}

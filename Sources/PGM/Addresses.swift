import CPGM
import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The interface a socket joins its group on or sends from.
///
/// IPv4 names an interface by one of its addresses or by name or index;
/// IPv6 by name or index only (`ipv6_mreq`, `IPV6_MULTICAST_IF` and
/// `sin6_scope_id` take an index), so ``address(_:)`` with an IPv6 group
/// is ``PGMSetupError/interfaceFamily(interface:group:)``.
public enum PGMInterface: Hashable, Sendable, CustomStringConvertible {
    /// The IPv4 interface that has this address (IPv4 groups only).
    case address(IPv4Address)
    /// The interface of this name ("eth0").
    case name(String)
    /// The interface of this index (`ip link` lists them), never 0.
    case index(UInt32)

    /// The interface an IPv6 zone names.
    public init(_ zone: IPv6Zone) {
        switch zone {
        case .name(let n): self = .name(n)
        case .index(let i): self = .index(i)
        }
    }

    /// The address, name or index as text.
    public var description: String {
        switch self {
        case .address(let a): a.description
        case .name(let n): n
        case .index(let i): String(i)
        }
    }
}

/// Why a ``PGMSource`` or ``PGMReceiver`` could not be set up: a system
/// call that failed, or a group and interface that cannot go together,
/// found before the socket is opened.
public enum PGMSetupError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A system call failed with this errno (the socket is closed).
    case system(Errno)
    /// A receiver's group is not a multicast address (224.0.0.0/4, ff00::/8).
    case notMulticast(PGMEndpoint)
    /// The interface is named in a way the group's family cannot use: an
    /// IPv4 address for an IPv6 group (name the interface instead).
    case interfaceFamily(interface: PGMInterface, group: PGMEndpoint)
    /// No interface has this name in the socket's network namespace.
    case noSuchInterface(String)
    /// A link-local or interface-local IPv6 group (ff02::/16, ff01::/16)
    /// with no interface: it needs a zone ("[ff02::1%eth0]:7500") or an
    /// interface.
    case interfaceRequired(PGMEndpoint)
    /// The group's zone and the interface name two different interfaces.
    case conflictingInterfaces(zone: IPv6Zone, interface: PGMInterface)

    /// The errno closest to the error, for callers that speak errno:
    /// the call's own, or EINVAL, ENODEV or EAFNOSUPPORT.
    public var errno: Errno {
        switch self {
        case .system(let e): e
        case .notMulticast, .interfaceRequired, .conflictingInterfaces: .invalidArgument
        case .interfaceFamily: .addressFamilyNotSupported
        case .noSuchInterface: .operationNotSupportedByDevice
        }
    }

    public var description: String {
        switch self {
        case .system(let e):
            "\(e)"
        case .notMulticast(let g):
            "\(g.host) is not a multicast group (224.0.0.0/4 or ff00::/8)"
        case .interfaceFamily(let i, let g):
            "the interface \(i) is an IPv4 address, which cannot name the interface of the IPv6 group \(g.host): "
                + "name the interface (eth0) or give its index"
        case .noSuchInterface(let n):
            "no interface is named \(n) in this network namespace; `ip link` lists them"
        case .interfaceRequired(let g):
            "\(g.host) is link-scoped and needs an interface: write it as [\(g.address)%eth0]:\(g.port) or name the interface"
        case .conflictingInterfaces(let z, let i):
            "the group's zone %\(z) and the interface \(i) are different interfaces: give one"
        }
    }
}

extension PGMSocket {
    /// The address family of a PGM socket: `AF_INET` or `AF_INET6`.
    public enum Family: Sendable, Hashable, CustomStringConvertible {
        /// `AF_INET`: IPv4.
        case ipv4
        /// `AF_INET6`: IPv6 only (pgm(7): a PGM socket of `AF_INET6` is v6-only).
        case ipv6

        /// The family of an address.
        public init(_ address: IPAddress) {
            switch address {
            case .v4: self = .ipv4
            case .v6: self = .ipv6
            }
        }

        /// `AF_INET` or `AF_INET6`.
        public var domain: Int32 { self == .ipv4 ? AF_INET : AF_INET6 }

        /// "AF_INET" or "AF_INET6".
        public var description: String { self == .ipv4 ? "AF_INET" : "AF_INET6" }
    }
}

extension Syscalls {
    /// The index of an interface: a name looked up, an index as it is.
    func index(of interface: PGMInterface) -> Result<UInt32, Errno> {
        switch interface {
        case .name(let n): interfaceIndex(n)
        case .index(let i): i == 0 ? .failure(.operationNotSupportedByDevice) : .success(i)
        case .address: .failure(.addressFamilyNotSupported)
        }
    }
}

extension IPv6Address {
    /// The address as an `in6_addr` (network order).
    var in6: in6_addr {
        var a = in6_addr()
        let b = bytes
        withUnsafeMutableBytes(of: &a) { raw in
            for i in 0..<16 { raw[i] = b[i] }
        }
        return a
    }

    /// The address of an `in6_addr`.
    init(_ a: in6_addr) {
        self = withUnsafeBytes(of: a) { IPv6Address(bytes: $0) } ?? .any
    }
}

extension PGMEndpoint {
    /// The endpoint of a `sockaddr_in6`: its scope id as the zone (an
    /// index), when not 0.
    public init(_ sin6: sockaddr_in6) {
        let scope = sin6.sin6_scope_id
        self.init(IPv6Address(sin6.sin6_addr), port: UInt16(bigEndian: sin6.sin6_port),
                  zone: scope == 0 ? nil : .index(scope))
    }

    /// The endpoint as a `sockaddr_in6` (`AF_INET6`, network order fields)
    /// with `scopeID` as `sin6_scope_id`; nil for IPv4.
    public func sockaddrIn6(scopeID: UInt32 = 0) -> sockaddr_in6? {
        guard case .v6(let a) = address else { return nil }
        var sin6 = sockaddr_in6()
        sin6.sin6_family = sa_family_t(AF_INET6)
        sin6.sin6_port = port.bigEndian
        sin6.sin6_addr = a.in6
        sin6.sin6_scope_id = scopeID
        return sin6
    }
}

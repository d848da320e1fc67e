#if canImport(Glibc)
import Glibc
#endif

/// What a tool was doing when a system call failed. An errno names a
/// symptom; what it means, and what to do about it, depends on the call:
/// ENODEV from joining a group on `--interface 192.0.2.99` is an address no
/// local interface has, ENETUNREACH from starting a source is a missing
/// multicast route.
public enum Doing: Sendable, Equatable {
    /// Opening a PGM socket: socket(AF_INET, SOCK_RDM, IPPROTO_PGM).
    case openingSocket
    /// A PGM source starting a session to `group` or sending to it, from the
    /// interface `interface` (an IPv4 address, or an IPv6 group's interface
    /// name) when one was given.
    case sending(group: String, interface: String?)
    /// A PGM receiver binding to `group` and joining it, on the interface
    /// `interface` (as for ``sending(group:interface:)``) when one was given.
    case receiving(group: String, interface: String?)
    /// Opening a packet socket for a live capture (pgm-dump).
    case capturing
    /// Finding the IPv4 address of the interface named `name` (`--interface
    /// eth0`, or `eth0;239.192.0.1` as the group).
    case resolvingInterface(String)
    /// Anything else: the errno's text says what there is to say.
    case other
}

/// The text of errno `code`, as strerror(3) gives it: "No such device".
public func errnoText(_ code: Int32) -> String {
    String(cString: strerror(code))
}

/// What pgm.ko's absence looks like and how to load it: every tool says
/// it in these words.
public let pgmModuleHint =
    "is pgm.ko loaded? `modprobe pgm` loads it with the udp_tunnel module it needs"

/// A multicast route, for the hints that ask for one: IPv4's, or IPv6's
/// for a group written in brackets ("[ff15::1]:7500").
private func routeHint(_ group: String) -> String {
    isIPv6(group)
        ? "add a route for ff00::/8 (ip -6 route add ff00::/8 dev IFACE)"
        : "add a route for 224.0.0.0/4 (ip route add 224.0.0.0/4 dev IFACE)"
}

/// The port of a group as the tools print it ("239.1.1.1:7500",
/// "[ff15::1]:7500"); nil without one.
private func port(of group: String) -> UInt16? {
    guard let colon = group.lastIndex(of: ":"), !group.hasSuffix("]") else { return nil }
    return UInt16(group[group.index(after: colon)...])
}

/// Whether a group as the tools print it is IPv6 ("[ff15::1]:7500").
private func isIPv6(_ group: String) -> Bool { group.hasPrefix("[") }

/// What to give as --interface: IPv6 takes a name, IPv4 an address.
private func interfaceHint(_ group: String) -> String { isIPv6(group) ? "--interface NAME" : "--interface ADDRESS" }

/// The cause of errno `code` while `doing`, and what to do about it, or
/// nil when the errno's text says it all.
public func errnoCause(_ code: Int32, doing: Doing) -> String? {
    switch (doing, code) {
    case (.openingSocket, ESOCKTNOSUPPORT), (.openingSocket, EPROTONOSUPPORT),
         (.sending, ESOCKTNOSUPPORT), (.sending, EPROTONOSUPPORT),
         (.receiving, ESOCKTNOSUPPORT), (.receiving, EPROTONOSUPPORT):
        return pgmModuleHint
    case (.sending(let g, let i?), ENODEV), (.sending(let g, let i?), EADDRNOTAVAIL),
         (.receiving(let g, let i?), ENODEV), (.receiving(let g, let i?), EADDRNOTAVAIL):
        return isIPv6(g)
            ? "\(i) is not an interface that can take \(g); `ip -6 address` lists them"
            : "no local interface has the address \(i); `ip -4 address` lists them"
    case (.sending(let g, nil), ENETUNREACH):
        return "no route to \(g): give \(interfaceHint(g)) or \(routeHint(g))"
    case (.sending(let g, _?), ENETUNREACH):
        return "no route to \(g): \(routeHint(g))"
    case (.receiving(let g, nil), ENODEV):
        return "no route to \(g) to choose an interface by: give \(interfaceHint(g)) or \(routeHint(g))"
    case (.sending(let g, _), EACCES), (.receiving(let g, _), EACCES):
        // pgm.ko's multicast policy refuses a connect() or join with EACCES too.
        let policy = "the network namespace's multicast policy denies this user the group (`pgmctl policy show` lists its rules)"
        guard let p = port(of: g), p >= 1024 else {
            return "a port below net.ipv4.ip_unprivileged_port_start (1024 by default) needs CAP_NET_BIND_SERVICE, or " + policy
        }
        return policy
    case (.sending, ENOBUFS), (.receiving, ENOBUFS):
        // pgm.ko's multicast policy refuses a group past its max-groups with
        // ENOBUFS; so does the IP layer a join past igmp_max_memberships.
        let limit = "the network namespace's multicast policy may allow no more groups in use "
            + "(its max-groups; `pgmctl policy show`)"
        guard case .receiving(let g, _) = doing, !isIPv6(g) else { return limit }
        return limit + ", or the socket has joined net.ipv4.igmp_max_memberships groups (20 by default)"
    case (.resolvingInterface(let n), ENODEV):
        return "no interface is named \(n) in this network namespace; `ip link` lists them"
    case (.resolvingInterface(let n), EADDRNOTAVAIL):
        return "\(n) has no IPv4 address; give it one (ip address add ADDRESS/LEN dev \(n)) or name another interface"
    case (.capturing, EPERM), (.capturing, EACCES):
        return "live capture needs CAP_NET_RAW: run as root, or setcap cap_net_raw+ep on pgm-dump"
    default:
        return nil
    }
}

/// A failed system call as every tool prints it: what it was doing, the
/// errno's text, and the cause when it is known,
/// "joining 239.192.0.1:7500: No such device (no local interface has the address ...)".
public func systemErrorMessage(_ what: String, errno code: Int32, doing: Doing = .other) -> String {
    "\(what): \(errnoText(code))" + (errnoCause(code, doing: doing).map { " (\($0))" } ?? "")
}

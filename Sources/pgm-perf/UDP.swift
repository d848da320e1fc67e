import CPGM
import PGM
import PGMCLISupport
import PGMToolSupport
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// A plain UDP multicast socket: the baseline pgm-perf compares PGM with.
/// The PGM library has no UDP, so this is the few calls it needs. It is of
/// the group's family: UDP over IPv6 for an IPv6 group.
struct UDPMulticast {
    let fd: Int32

    private init(fd: Int32) { self.fd = fd }

    private static func open(_ group: PGMEndpoint) throws(Errno) -> UDPMulticast {
        let fd = Glibc.socket(group.isIPv6 ? AF_INET6 : AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw Errno(rawValue: errno) }
        return UDPMulticast(fd: fd)
    }

    /// The index of an interface as IPv6 names it: by name or index, else
    /// by the group's zone; nil for the routing table's choice.
    private static func index(_ interface: PGMInterface?, zone: IPv6Zone?) throws(Errno) -> UInt32? {
        switch interface ?? zone.map(PGMInterface.init) {
        case nil: return nil
        case .index(let i)?: return i
        case .name(let n)?:
            let i = if_nametoindex(n)
            guard i != 0 else { throw .operationNotSupportedByDevice }
            return i
        case .address?: throw .addressFamilyNotSupported
        }
    }

    /// The group as an IPv6 socket binds or connects to it: with the
    /// interface's index as the scope id when it is link-scoped.
    private static func sockaddr6(_ group: PGMEndpoint, index: UInt32?) throws(Errno) -> sockaddr_in6 {
        guard case .v6(let a) = group.address else { throw .addressFamilyNotSupported }
        if a.needsScope && index == nil { throw .invalidArgument }
        guard let sin6 = group.sockaddrIn6(scopeID: a.needsScope ? index ?? 0 : 0) else {
            throw .addressFamilyNotSupported
        }
        return sin6
    }

    /// A sender: connected to `group`, sending from `interface` (IPv4: by
    /// its address; IPv6: by name or index, or the group's zone), the
    /// routing table's choice when nil.
    static func sender(group: PGMEndpoint, interface: PGMInterface?, ttl: UInt8?) throws(Errno) -> UDPMulticast {
        let s = try open(group)
        do throws(Errno) {
            if let v4 = group.ipv4 {
                if case .address(let a)? = interface {
                    var addr = in_addr(s_addr: a.rawValue.bigEndian)
                    try s.set(Int32(IPPROTO_IP), IP_MULTICAST_IF, &addr)
                    var sin = IPv4Endpoint(a, port: 0).sockaddrIn
                    try s.bind(&sin)
                } else if let i = try index(interface, zone: nil) {
                    var m = ip_mreqn()
                    m.imr_ifindex = Int32(bitPattern: i)
                    try s.set(Int32(IPPROTO_IP), IP_MULTICAST_IF, &m)
                }
                if let ttl {
                    var t = Int32(ttl)
                    try s.set(Int32(IPPROTO_IP), IP_MULTICAST_TTL, &t)
                }
                var sin = v4.sockaddrIn
                try s.connect(&sin)
            } else {
                let i = try index(interface, zone: group.zone)
                if let i {
                    var v = Int32(bitPattern: i)
                    try s.set(Int32(IPPROTO_IPV6), IPV6_MULTICAST_IF, &v)
                }
                if let ttl {
                    var h = Int32(ttl)
                    try s.set(Int32(IPPROTO_IPV6), IPV6_MULTICAST_HOPS, &h)
                }
                var sin6 = try sockaddr6(group, index: i)
                try s.connect(&sin6)
            }
        } catch {
            s.close()
            throw error
        }
        return s
    }

    /// A receiver: bound to `group` (shared with other sockets on the port)
    /// and joined to it on `interface` (IPv4: by its address; IPv6: by name
    /// or index, or the group's zone), the routing table's choice when nil.
    static func receiver(group: PGMEndpoint, interface: PGMInterface?, receiveBuffer: Int32?) throws(Errno) -> UDPMulticast {
        let s = try open(group)
        do throws(Errno) {
            var one: Int32 = 1
            try s.set(SOL_SOCKET, SO_REUSEADDR, &one)
            if var b = receiveBuffer { try s.set(SOL_SOCKET, SO_RCVBUF, &b) }
            if let v4 = group.ipv4 {
                var sin = v4.sockaddrIn
                try s.bind(&sin)
                var m = ip_mreqn()
                m.imr_multiaddr.s_addr = v4.address.rawValue.bigEndian
                if case .address(let a)? = interface {
                    m.imr_address.s_addr = a.rawValue.bigEndian
                } else if let i = try index(interface, zone: nil) {
                    m.imr_ifindex = Int32(bitPattern: i)
                }
                try s.set(Int32(IPPROTO_IP), IP_ADD_MEMBERSHIP, &m)
            } else {
                try s.set(Int32(IPPROTO_IPV6), IPV6_V6ONLY, &one)
                let i = try index(interface, zone: group.zone)
                var sin6 = try sockaddr6(group, index: i)
                try s.bind(&sin6)
                var m = ipv6_mreq()
                m.ipv6mr_multiaddr = sin6.sin6_addr
                m.ipv6mr_interface = i ?? 0
                try s.set(Int32(IPPROTO_IPV6), IPV6_ADD_MEMBERSHIP, &m)
            }
        } catch {
            s.close()
            throw error
        }
        return s
    }

    private func set<T>(_ level: Int32, _ name: Int32, _ value: inout T) throws(Errno) {
        let rc = withUnsafeBytes(of: &value) { Glibc.setsockopt(fd, level, name, $0.baseAddress, socklen_t($0.count)) }
        guard rc == 0 else { throw Errno(rawValue: errno) }
    }

    /// bind(2) to a `sockaddr_in` or `sockaddr_in6`.
    private func bind<A>(_ address: inout A) throws(Errno) {
        let rc = withUnsafeBytes(of: &address) {
            Glibc.bind(fd, $0.baseAddress?.assumingMemoryBound(to: Glibc.sockaddr.self), socklen_t($0.count))
        }
        guard rc == 0 else { throw Errno(rawValue: errno) }
    }

    /// connect(2) to a `sockaddr_in` or `sockaddr_in6`.
    private func connect<A>(_ address: inout A) throws(Errno) {
        let rc = withUnsafeBytes(of: &address) {
            Glibc.connect(fd, $0.baseAddress?.assumingMemoryBound(to: Glibc.sockaddr.self), socklen_t($0.count))
        }
        guard rc == 0 else { throw Errno(rawValue: errno) }
    }

    /// Sends one datagram, retrying on EINTR.
    func send(_ bytes: UnsafeRawBufferPointer) throws(Errno) {
        while true {
            let n = Glibc.send(fd, bytes.baseAddress, bytes.count, 0)
            if n == bytes.count { return }
            if n >= 0 { throw .ioError }
            if errno != EINTR { throw Errno(rawValue: errno) }
        }
    }

    /// Receives one datagram without waiting; nil when none waits.
    func receive(into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int? {
        while true {
            let n = Glibc.recv(fd, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT))
            if n >= 0 { return n }
            if errno == EAGAIN || errno == EWOULDBLOCK { return nil }
            if errno != EINTR { throw Errno(rawValue: errno) }
        }
    }

    func close() { _ = Glibc.close(fd) }
}

/// Sleeps until `CLOCK_MONOTONIC` reads `deadline` nanoseconds.
func sleep(untilMonotonic deadline: UInt64) {
    var ts = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
    while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nil) == EINTR {}
}

/// Sleeps for `seconds`.
func sleep(seconds: Double) {
    guard seconds > 0 else { return }
    sleep(untilMonotonic: monotonicNanoseconds() &+ UInt64(seconds * 1e9))
}

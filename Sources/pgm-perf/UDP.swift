import CPGM
import PGM
import PGMCLISupport
import PGMToolSupport
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// A plain UDP multicast socket: the baseline pgm-perf compares PGM with.
/// The PGM library has no UDP, so this is the few calls it needs.
struct UDPMulticast {
    let fd: Int32

    private init(fd: Int32) { self.fd = fd }

    private static func open() throws(Errno) -> Int32 {
        let fd = Glibc.socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw Errno(rawValue: errno) }
        return fd
    }

    /// A sender: connected to `group`, sending from the interface with
    /// address `interface` (the routing table's choice when nil).
    static func sender(group: IPv4Endpoint, interface: IPv4Address?, ttl: UInt8?) throws(Errno) -> UDPMulticast {
        let s = UDPMulticast(fd: try open())
        do throws(Errno) {
            if let interface {
                var a = in_addr(s_addr: interface.rawValue.bigEndian)
                try s.set(Int32(IPPROTO_IP), IP_MULTICAST_IF, &a)
                try s.bind(IPv4Endpoint(interface, port: 0))
            }
            if let ttl {
                var t = Int32(ttl)
                try s.set(Int32(IPPROTO_IP), IP_MULTICAST_TTL, &t)
            }
            var sin = group.sockaddrIn
            let rc = withUnsafePointer(to: &sin) {
                $0.withMemoryRebound(to: Glibc.sockaddr.self, capacity: 1) {
                    Glibc.connect(s.fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard rc == 0 else { throw Errno(rawValue: errno) }
        } catch {
            s.close()
            throw error
        }
        return s
    }

    /// A receiver: bound to `group` (shared with other sockets on the port)
    /// and joined to it on the interface with address `interface`.
    static func receiver(group: IPv4Endpoint, interface: IPv4Address?, receiveBuffer: Int32?) throws(Errno) -> UDPMulticast {
        let s = UDPMulticast(fd: try open())
        do throws(Errno) {
            var one: Int32 = 1
            try s.set(SOL_SOCKET, SO_REUSEADDR, &one)
            if var b = receiveBuffer { try s.set(SOL_SOCKET, SO_RCVBUF, &b) }
            try s.bind(group)
            var m = ip_mreqn()
            m.imr_multiaddr.s_addr = group.address.rawValue.bigEndian
            m.imr_address.s_addr = (interface?.rawValue ?? 0).bigEndian
            try s.set(Int32(IPPROTO_IP), IP_ADD_MEMBERSHIP, &m)
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

    private func bind(_ e: IPv4Endpoint) throws(Errno) {
        var sin = e.sockaddrIn
        let rc = withUnsafePointer(to: &sin) {
            $0.withMemoryRebound(to: Glibc.sockaddr.self, capacity: 1) {
                Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
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

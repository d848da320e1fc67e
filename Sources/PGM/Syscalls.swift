import CPGM
import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The system calls the library makes, as a table of functions.
///
/// This is the library's seam for unit tests, after swift-system's mocking
/// pattern: ``PGMSocket`` calls the kernel only through a `Syscalls` value,
/// `Syscalls.system` in production and a test double on the host, where no
/// PGM module is loaded. Each entry takes the C call's arguments and returns
/// its value or the errno it failed with, from the same call: `errno` is
/// read on the calling thread right after the call (``valueOrErrno(_:)``),
/// never in a second step that something else could run before.
struct Syscalls: Sendable {
    var socket: @Sendable (_ domain: Int32, _ type: Int32, _ proto: Int32) -> Result<Int32, Errno>
    var bind: @Sendable (_ fd: Int32, _ addr: UnsafePointer<sockaddr>, _ len: socklen_t) -> Result<Int32, Errno>
    var connect: @Sendable (_ fd: Int32, _ addr: UnsafePointer<sockaddr>, _ len: socklen_t) -> Result<Int32, Errno>
    var setsockopt: @Sendable (
        _ fd: Int32, _ level: Int32, _ name: Int32, _ value: UnsafeRawPointer?, _ len: socklen_t
    ) -> Result<Int32, Errno>
    var getsockopt: @Sendable (
        _ fd: Int32, _ level: Int32, _ name: Int32, _ value: UnsafeMutableRawPointer?,
        _ len: UnsafeMutablePointer<socklen_t>
    ) -> Result<Int32, Errno>
    /// send(2): one buffer, no control message, to the connected group.
    var send: @Sendable (_ fd: Int32, _ bytes: UnsafeRawPointer?, _ count: Int, _ flags: Int32) -> Result<Int, Errno>
    var recvmsg: @Sendable (_ fd: Int32, _ msg: UnsafeMutablePointer<msghdr>, _ flags: Int32) -> Result<Int, Errno>
    var poll: @Sendable (_ fds: UnsafeMutablePointer<pollfd>, _ count: nfds_t, _ timeout: Int32) -> Result<Int32, Errno>
    var close: @Sendable (_ fd: Int32) -> Result<Int32, Errno>
    /// mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0): the
    /// receive ring.
    var mapRing: @Sendable (_ fd: Int32, _ length: Int) -> Result<UnsafeMutableRawPointer, Errno>
    var unmap: @Sendable (_ address: UnsafeMutableRawPointer, _ length: Int) -> Result<Int32, Errno>
    /// if_nametoindex(3): the index of the interface of that name in this
    /// network namespace, or the errno (ENODEV: no such interface).
    var interfaceIndex: @Sendable (_ name: String) -> Result<UInt32, Errno>

    /// The real system calls.
    static let system = Syscalls(
        socket: { d, t, p in valueOrErrno { Glibc.socket(d, t, p) } },
        bind: { fd, a, l in valueOrErrno { Glibc.bind(fd, a, l) } },
        connect: { fd, a, l in valueOrErrno { Glibc.connect(fd, a, l) } },
        setsockopt: { fd, level, name, v, l in valueOrErrno { Glibc.setsockopt(fd, level, name, v, l) } },
        getsockopt: { fd, level, name, v, l in valueOrErrno { Glibc.getsockopt(fd, level, name, v, l) } },
        send: { fd, b, n, flags in valueOrErrno { Glibc.send(fd, b, n, flags) } },
        recvmsg: { fd, m, flags in valueOrErrno { Glibc.recvmsg(fd, m, flags) } },
        poll: { fds, n, timeout in valueOrErrno { Glibc.poll(fds, n, timeout) } },
        close: { fd in valueOrErrno { Glibc.close(fd) } },
        mapRing: { fd, len in
            let p = Glibc.mmap(nil, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
            guard let p, p != MAP_FAILED else { return .failure(Errno(rawValue: Glibc.errno)) }
            return .success(p)
        },
        unmap: { p, len in valueOrErrno { Glibc.munmap(p, len) } },
        interfaceIndex: { name in
            let i = Glibc.if_nametoindex(name)
            return i == 0 ? .failure(Errno(rawValue: Glibc.errno)) : .success(i)
        }
    )
}

/// Runs a C call that returns a negative value and sets `errno` when it
/// fails, and returns its value or that errno, read at once on this thread.
func valueOrErrno<I: FixedWidthInteger>(_ call: () -> I) -> Result<I, Errno> {
    let value = call()
    return value < 0 ? .failure(Errno(rawValue: Glibc.errno)) : .success(value)
}

extension Result where Failure == Errno {
    /// Calls `call` again while it fails with EINTR.
    static func retryingOnInterrupt(_ call: () -> Self) -> Self {
        while true {
            let r = call()
            if case .failure(.interrupted) = r { continue }
            return r
        }
    }
}

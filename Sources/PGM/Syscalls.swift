import CPGM

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
/// PGM module is loaded. Each entry has the C signature and the C contract
/// (a negative result with `errno` set on failure), so the library's error
/// handling is exercised the same way against both.
struct Syscalls: Sendable {
    var socket: @Sendable (_ domain: Int32, _ type: Int32, _ proto: Int32) -> Int32
    var bind: @Sendable (_ fd: Int32, _ addr: UnsafePointer<sockaddr>, _ len: socklen_t) -> Int32
    var connect: @Sendable (_ fd: Int32, _ addr: UnsafePointer<sockaddr>, _ len: socklen_t) -> Int32
    var setsockopt: @Sendable (
        _ fd: Int32, _ level: Int32, _ name: Int32, _ value: UnsafeRawPointer?, _ len: socklen_t
    ) -> Int32
    var getsockopt: @Sendable (
        _ fd: Int32, _ level: Int32, _ name: Int32, _ value: UnsafeMutableRawPointer?,
        _ len: UnsafeMutablePointer<socklen_t>
    ) -> Int32
    var sendmsg: @Sendable (_ fd: Int32, _ msg: UnsafePointer<msghdr>, _ flags: Int32) -> Int
    var recvmsg: @Sendable (_ fd: Int32, _ msg: UnsafeMutablePointer<msghdr>, _ flags: Int32) -> Int
    var poll: @Sendable (_ fds: UnsafeMutablePointer<pollfd>, _ count: nfds_t, _ timeout: Int32) -> Int32
    var close: @Sendable (_ fd: Int32) -> Int32
    /// mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0): the
    /// receive ring; nil on failure.
    var mapRing: @Sendable (_ fd: Int32, _ length: Int) -> UnsafeMutableRawPointer?
    var unmap: @Sendable (_ address: UnsafeMutableRawPointer, _ length: Int) -> Int32
    /// The calling thread's errno after a failed call.
    var errno: @Sendable () -> Int32

    /// The real system calls.
    static let system = Syscalls(
        socket: { Glibc.socket($0, $1, $2) },
        bind: { Glibc.bind($0, $1, $2) },
        connect: { Glibc.connect($0, $1, $2) },
        setsockopt: { Glibc.setsockopt($0, $1, $2, $3, $4) },
        getsockopt: { Glibc.getsockopt($0, $1, $2, $3, $4) },
        sendmsg: { Glibc.sendmsg($0, $1, $2) },
        recvmsg: { Glibc.recvmsg($0, $1, $2) },
        poll: { Glibc.poll($0, $1, $2) },
        close: { Glibc.close($0) },
        mapRing: { fd, len in
            let p = Glibc.mmap(nil, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
            return p == MAP_FAILED ? nil : p
        },
        unmap: { Glibc.munmap($0, $1) },
        errno: { Glibc.errno }
    )
}

import CPGM
import Dispatch
import Synchronization
import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A receiving socket's events as an `AsyncSequence`: APDUs, losses and
/// session ends (see ``PGMSocket/events(maximumLength:)``).
///
/// Each iterator waits on its own thread (a serial dispatch queue) in
/// poll(2) on the socket and an eventfd; cancelling the iterating task
/// writes the eventfd, the wait ends and the sequence finishes with nil.
/// Errors are the socket's, as `Errno`.
public struct PGMEvents: AsyncSequence, Sendable {
    /// The sequence's elements.
    public typealias Element = Event
    /// The sequence's errors.
    public typealias Failure = Errno

    let fd: Int32
    let family: PGMSocket.Family
    let syscalls: Syscalls
    let maximumLength: Int
    var ring: ReceiveRing? = nil

    /// An iterator with its own waiting thread.
    public func makeAsyncIterator() -> Iterator {
        Iterator(pump: EventPump(fd: fd, family: family, syscalls: syscalls, maximumLength: maximumLength, ring: ring))
    }

    /// Reads events one at a time, waiting on a dedicated thread.
    public struct Iterator: AsyncIteratorProtocol {
        let pump: EventPump

        /// The next event; nil once the task is cancelled.
        public mutating func next(isolation actor: isolated (any Actor)? = #isolation) async throws(Errno) -> Event? {
            if Task.isCancelled || pump.finished { return nil }
            if let e = try pump.poll(wait: false) { return e }
            let pump = self.pump
            let r: Result<Event?, Errno> = await withTaskCancellationHandler {
                await withCheckedContinuation { (c: CheckedContinuation<Result<Event?, Errno>, Never>) in
                    pump.queue.async {
                        do throws(Errno) { c.resume(returning: .success(try pump.poll(wait: true))) } catch {
                            c.resume(returning: .failure(error))
                        }
                    }
                }
            } onCancel: {
                pump.cancel()
            }
            return try r.get()
        }

        /// The next event; nil once the task is cancelled.
        public mutating func next() async throws(Errno) -> Event? {
            try await next(isolation: nil)
        }
    }
}

/// The state of one ``PGMEvents/Iterator``: the socket it reads, the eventfd
/// that cancels a wait, and the queue it waits on.
final class EventPump: Sendable {
    let fd: Int32
    let family: PGMSocket.Family
    let syscalls: Syscalls
    let maximumLength: Int
    let ring: ReceiveRing?
    let wakeFD: Int32
    let queue = DispatchQueue(label: "pgm.events")
    private let done = Atomic<Bool>(false)

    init(fd: Int32, family: PGMSocket.Family, syscalls: Syscalls, maximumLength: Int, ring: ReceiveRing? = nil) {
        self.fd = fd
        self.family = family
        self.syscalls = syscalls
        self.maximumLength = maximumLength
        self.ring = ring
        self.wakeFD = cpgm_eventfd()
    }

    deinit {
        if wakeFD >= 0 { _ = Glibc.close(wakeFD) }
    }

    var finished: Bool { done.load(ordering: .acquiring) }

    func cancel() {
        done.store(true, ordering: .releasing)
        var one: UInt64 = 1
        if wakeFD >= 0 { _ = Glibc.write(wakeFD, &one, 8) }
    }

    /// Reads the next event; without `wait`, nil when none is there; with
    /// it, waits for one, and nil means cancelled.
    func poll(wait: Bool) throws(Errno) -> Event? {
        // Borrow the descriptor without owning it: `sock` is never closed.
        let sock = PGMSocket(borrowing: fd, family: family, syscalls: syscalls)
        while true {
            if finished { return nil }
            if let ring {
                if let e = try ring.nextEvent(maximumLength: maximumLength, timeout: .zero) { return e }
            } else if let e = try sock.nextEvent(maximumLength: maximumLength, timeout: .zero) {
                return e
            }
            guard wait else { return nil }
            // RingOptions.spin: watch the ring before sleeping.
            if let ring, ring.spin > .zero, ring.spin(for: ring.spin) { continue }
            var fds = [
                pollfd(fd: fd, events: Int16(POLLIN | POLLERR), revents: 0),
                pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0),
            ]
            let n = fds.count
            let rc = fds.withUnsafeMutableBufferPointer { b -> Result<Int32, Errno> in
                guard let base = b.baseAddress else { return .failure(.invalidArgument) }
                return syscalls.poll(base, nfds_t(n), -1)
            }
            if case .failure(let e) = rc, e != .interrupted { throw e }
        }
    }
}

extension PGMSocket {
    /// A view of a descriptor owned elsewhere; must not be closed.
    init(borrowing fd: Int32, family: Family, syscalls: Syscalls) {
        self.fileDescriptor = FileDescriptor(rawValue: fd)
        self.sys = syscalls
        self.family = family
        self.owned = false
    }
}

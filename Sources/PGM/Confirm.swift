import CPGM
import Dispatch
import Synchronization
import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A source's confirmed delivery (`PGM_CONFIRM`, docs/confirmed-delivery.md),
/// as ``SourceOptions/confirmedDelivery`` sets it before `connect()`:
/// receivers that confirm (``ReceiverOptions/confirmInterval``) are kept,
/// and the source tells how far every live one has everything.
public struct ConfirmedDeliverySettings: Sendable, Hashable {
    /// A receiver silent this long leaves (`PGM_CONFIRM_EXPIRY`), 100 ms to
    /// 600 s; at least twice the receivers' interval, or idle ones expire.
    public var expiry: Duration
    /// Receivers kept at most (`PGM_CONFIRM_MAX`), 1 to 65,536; more are
    /// refused and counted (``ConfirmedState/refused``) and the namespace
    /// bounds them all (pgmctl's `confirm-receivers-netns`).
    public var maximumReceivers: Int
    /// Flow control to the slowest live receiver (`PGM_CONFIRM_FLOW`): the
    /// transmit window never moves past what it confirmed, so a blocking
    /// send waits for it (a non-blocking one fails with
    /// `.resourceTemporarilyUnavailable`) until it confirms or expires.
    public var flowControl: Bool

    /// The kernel's expiry, 3 s (`PGM_CONFIRM_EXPIRY_MS`).
    public static let defaultExpiry = Duration.milliseconds(Int64(PGM_CONFIRM_EXPIRY_MS))
    /// The kernel's bound, 1,024 receivers (`PGM_CONFIRM_MAX_DEFAULT`).
    public static let defaultMaximumReceivers = Int(PGM_CONFIRM_MAX_DEFAULT)
    /// A receiver's ACK interval when it asks for the default, 200 ms
    /// (`PGM_CONFIRM_IVL_MS`).
    public static let defaultInterval = Duration.milliseconds(Int64(PGM_CONFIRM_IVL_MS))
    /// The intervals a receiver may confirm at (`PGM_CONFIRM_IVL_MIN_MS` to
    /// `PGM_CONFIRM_IVL_MAX_MS`).
    public static let intervals = Duration.milliseconds(Int64(PGM_CONFIRM_IVL_MIN_MS))...Duration.milliseconds(
        Int64(PGM_CONFIRM_IVL_MAX_MS))
    /// The expiries a source accepts (`PGM_CONFIRM_EXPIRY_MIN_MS` to
    /// `PGM_CONFIRM_EXPIRY_MAX_MS`).
    public static let expiries = Duration.milliseconds(Int64(PGM_CONFIRM_EXPIRY_MIN_MS))...Duration.milliseconds(
        Int64(PGM_CONFIRM_EXPIRY_MAX_MS))
    /// The bounds a source accepts (1 to `PGM_CONFIRM_MAX_MAX`).
    public static let maximumReceiversRange = 1...Int(PGM_CONFIRM_MAX_MAX)

    /// Settings; every default is the kernel's.
    public init(expiry: Duration = defaultExpiry, maximumReceivers: Int = defaultMaximumReceivers,
                flowControl: Bool = false) {
        self.expiry = expiry
        self.maximumReceivers = maximumReceivers
        self.flowControl = flowControl
    }
}

extension PGMSocket {
    /// Waits until at least `receivers` live confirming receivers all have
    /// every sequence number through `sequence`
    /// (``ConfirmedState/covers(_:receivers:)``), or `timeout` passes.
    ///
    /// A source with confirmed delivery raises `POLLPRI` when its CONFIRMED
    /// or its number of live receivers changes; this waits for it in
    /// poll(2) on a thread of its own (a dispatch queue, as
    /// ``events(maximumLength:)`` does), never blocking the caller's
    /// executor, and reads `PGM_CONFIRMED` after each wake (which clears
    /// `POLLPRI`), and at least every 100 ms, so that no wait hangs on a
    /// single wake-up.
    ///
    /// - Parameters:
    ///   - sequence: the last sequence number to be delivered, as
    ///     ``lastSequenceNumber()`` gives it after a send.
    ///   - receivers: how many live receivers must have it (1 or more).
    ///   - timeout: how long to wait at most; zero or less looks once.
    /// - Returns: true once delivered, false when the timeout passed first.
    /// - Throws: `.canceled` when the task is cancelled while waiting,
    ///   `.invalidArgument` on a source without confirmed delivery (or for
    ///   `receivers` below 1), `.notConnected` on a socket that is not a
    ///   source, or the errno of poll(2).
    public func waitUntilDelivered(through sequence: SequenceNumber, receivers: Int = 1, timeout: Duration)
        async throws(Errno) -> Bool
    {
        guard receivers >= 1 else { throw .invalidArgument }
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: max(timeout, .zero))
        if try confirmed().covers(sequence, receivers: receivers) { return true }
        if timeout <= .zero { return false }
        if Task.isCancelled { throw .canceled }
        let waiter = ConfirmWaiter(fd: fd, family: family, syscalls: sys)
        let r: Result<Bool, Errno> = await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Result<Bool, Errno>, Never>) in
                waiter.queue.async {
                    c.resume(returning: waiter.wait(through: sequence, receivers: receivers, until: deadline, clock: clock))
                }
            }
        } onCancel: {
            waiter.cancel()
        }
        return try r.get()
    }
}

/// One wait of ``PGMSocket/waitUntilDelivered(through:receivers:timeout:)``:
/// the socket it polls, the eventfd that cancels the poll, and the queue it
/// waits on.
final class ConfirmWaiter: Sendable {
    let fd: Int32
    let family: PGMSocket.Family
    let syscalls: Syscalls
    let wakeFD: Int32
    let queue = DispatchQueue(label: "pgm.confirm")
    private let done = Atomic<Bool>(false)
    /// The longest poll between two reads of CONFIRMED.
    static let recheck = Duration.milliseconds(100)

    init(fd: Int32, family: PGMSocket.Family, syscalls: Syscalls) {
        self.fd = fd
        self.family = family
        self.syscalls = syscalls
        self.wakeFD = cpgm_eventfd()
    }

    deinit {
        if wakeFD >= 0 { _ = Glibc.close(wakeFD) }
    }

    var cancelled: Bool { done.load(ordering: .acquiring) }

    /// Ends the wait: the flag, then the eventfd to wake the poll.
    func cancel() {
        done.store(true, ordering: .releasing)
        var one: UInt64 = 1
        if wakeFD >= 0 { _ = Glibc.write(wakeFD, &one, 8) }
    }

    /// Reads CONFIRMED, and polls for `POLLPRI` until it covers `sequence`
    /// for `receivers`, the deadline passes or the wait is cancelled.
    func wait(through sequence: SequenceNumber, receivers: Int, until deadline: ContinuousClock.Instant,
              clock: ContinuousClock) -> Result<Bool, Errno> {
        // Borrow the descriptor without owning it: `sock` is never closed.
        let sock = PGMSocket(borrowing: fd, family: family, syscalls: syscalls)
        while true {
            if cancelled { return .failure(.canceled) }
            do throws(Errno) {
                if try sock.confirmed().covers(sequence, receivers: receivers) { return .success(true) }
            } catch {
                return .failure(error)
            }
            let left = clock.now.duration(to: deadline)
            if left <= .zero { return .success(false) }
            let ms = Self.milliseconds(min(left, Self.recheck))
            var fds = [pollfd(fd: fd, events: Int16(POLLPRI), revents: 0)]
            if wakeFD >= 0 { fds.append(pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0)) }
            let n = fds.count
            let rc = fds.withUnsafeMutableBufferPointer { b -> Result<Int32, Errno> in
                guard let base = b.baseAddress else { return .failure(.invalidArgument) }
                return syscalls.poll(base, nfds_t(n), ms)
            }
            if case .failure(let e) = rc, e != .interrupted { return .failure(e) }
            let revents = Int32(fds[0].revents)
            if revents & Int32(POLLNVAL) != 0 { return .failure(.badFileDescriptor) }
            if revents & Int32(POLLERR | POLLHUP) != 0 && revents & Int32(POLLPRI) == 0 {
                // The socket reports an error or a hang-up, which poll
                // always returns: wait out the slice on the eventfd alone
                // instead of spinning, then read CONFIRMED again.
                if wakeFD >= 0 {
                    var wake = pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0)
                    _ = syscalls.poll(&wake, 1, ms)
                } else {
                    usleep(UInt32(ms) * 1000)
                }
            }
        }
    }

    /// A positive duration as whole milliseconds for poll(2), rounded up.
    static func milliseconds(_ d: Duration) -> Int32 {
        let (s, atto) = d.components
        return Int32(clamping: s * 1000 + (atto + 999_999_999_999_999) / 1_000_000_000_000_000)
    }
}

import CPGM
import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The geometry of a receive ring (`PGM_RX_RING`, pgm(7)): the kernel puts
/// APDUs, losses and session ends into memory this process maps, so that
/// receiving needs no system call and no copy per APDU.
public struct RingOptions: Sendable, Hashable {
    /// Bytes of records: a power of two from ``minimumSize`` to
    /// ``maximumSize``. An APDU larger than half of it is read with
    /// recvmsg(2) at its place in the ring (the library does that).
    public var size: UInt32

    /// Wake-up coalescing (`PGM_RX_RING_WAKE`): a reader asleep waiting
    /// for records is woken at most this long after the first one arrives,
    /// so that one wake-up covers the records of many packets. Zero (the
    /// default) wakes it for every packet: the least latency. At most
    /// ``maximumWakeUpDelay``, in whole microseconds.
    public var wakeUpDelay: Duration
    /// With ``wakeUpDelay``: wake at once when this many bytes of records
    /// wait (at most ``size``); 0 for no such limit.
    public var wakeUpBytes: UInt32
    /// Busy-polling: before the library's waits sleep in poll(2), they
    /// watch the ring's producer index for up to this long, without a
    /// system call (the idle strategy of Aeron, `SO_BUSY_POLL`'s idea in
    /// user space). A reader that is spinning when a record comes costs
    /// the kernel no wake-up at all, and reads it in a few hundred
    /// nanoseconds instead of a scheduler's wake-up; the price is a CPU
    /// kept busy for up to this long each time the ring runs dry. Zero
    /// (the default) sleeps at once. At most ``maximumSpin``.
    public var spin: Duration

    /// A ring of `size` bytes (1 MiB by default), waking its reader for
    /// every packet unless `wakeUpDelay` says otherwise, and not spinning
    /// unless `spin` says so.
    public init(size: UInt32 = 1 << 20, wakeUpDelay: Duration = .zero, wakeUpBytes: UInt32 = 0,
                spin: Duration = .zero) {
        self.size = size
        self.wakeUpDelay = wakeUpDelay
        self.wakeUpBytes = wakeUpBytes
        self.spin = spin
    }

    /// The longest ``spin``: one second.
    public static let maximumSpin = Duration.seconds(1)

    /// The longest ``wakeUpDelay`` (`PGM_RING_WAKE_USECS_MAX`).
    public static let maximumWakeUpDelay = Duration.microseconds(Int64(PGM_RING_WAKE_USECS_MAX))

    /// ``wakeUpDelay`` in whole microseconds, if it is in range.
    var wakeUpMicroseconds: UInt32? {
        guard wakeUpDelay >= .zero, wakeUpDelay <= Self.maximumWakeUpDelay else { return nil }
        let (s, atto) = wakeUpDelay.components
        return UInt32(s * 1_000_000 + atto / 1_000_000_000_000)
    }

    /// The smallest ring (`PGM_RING_SIZE_MIN`).
    public static let minimumSize = UInt32(PGM_RING_SIZE_MIN)
    /// The largest ring (`PGM_RING_SIZE_MAX`).
    public static let maximumSize = UInt32(PGM_RING_SIZE_MAX)
}

/// Counters of a receive ring (`struct pgm_rx_ring_stats`).
public struct RingStatistics: Sendable, Hashable {
    /// Records published (padding excluded).
    public var records: UInt64
    /// APDU bytes published.
    public var bytes: UInt64
    /// Times delivery stopped on a full ring (the data waited, none was lost).
    public var full: UInt64
    /// Batches of records that woke a waiting reader.
    public var wakeups: UInt64
    /// Batches published while nobody waited (the reader was reading or
    /// spinning): no wake-up was needed.
    public var unwoken: UInt64
    /// APDUs too large for the ring, handed to recvmsg(2) instead.
    public var spilled: UInt64
    /// Consumer indices the kernel ignored as invalid.
    public var badConsumer: UInt64

    init(_ s: pgm_rx_ring_stats) {
        records = s.records
        bytes = s.bytes
        full = s.full
        wakeups = s.wakeups
        unwoken = s.unwoken
        spilled = s.spilled
        badConsumer = s.bad_consumer
    }
}

/// An APDU lent to a closure without a copy: in ring mode its bytes are the
/// ring's own memory, given back to the kernel when the closure returns.
/// Neither the view nor ``bytes`` may be kept beyond that; ``copy()`` makes
/// a ``Message`` that may.
public struct MessageView {
    /// The session it belongs to.
    public let transportSessionID: TSI
    /// The source's IP address and data-source port.
    public let source: PGMEndpoint
    /// The APDU's bytes, valid only until the closure returns.
    public let bytes: UnsafeRawBufferPointer
    /// The sequence number of the APDU's first packet (always in ring mode;
    /// in recvmsg mode when the socket reports them, see
    /// ``Message/sequenceNumber``).
    public let sequenceNumber: SequenceNumber?
    /// The APDU was longer than the receive allowed (recvmsg mode only).
    public let isTruncated: Bool

    /// The same APDU as a ``Message`` that owns its bytes.
    public func copy() -> Message {
        Message(transportSessionID: transportSessionID, source: source, bytes: Array(bytes),
                isTruncated: isTruncated, sequenceNumber: sequenceNumber)
    }
}

/// An ``Event`` whose message, if any, is lent (see ``MessageView``).
public enum EventView {
    /// An APDU, borrowed.
    case message(MessageView)
    /// Unrecoverable loss.
    case loss(Loss)
    /// The end of a session.
    case sessionEnded(SessionEnd)
    /// A source's rate change (never a receiver's).
    case rateChanged(RateChange)

    /// The event with the message copied out.
    public func copy() -> Event {
        switch self {
        case .message(let m): .message(m.copy())
        case .loss(let l): .loss(l)
        case .sessionEnded(let e): .sessionEnded(e)
        case .rateChanged(let r): .rateChanged(r)
        }
    }
}

/// A receive ring mapped into this process: the reader's side of the
/// protocol in the uapi header (acquire on the producer, release on the
/// consumer, poll(2) when the kernel asks for it). The barriers are in the
/// C shims (Sources/CPGM/cmsg.c) and carry the labels of kernel/ring.c:
/// `nextRecord()` reads the producer with (B), which pairs with the
/// kernel's (A); ``release()`` stores the consumer with (C), pairing with
/// the kernel's (D), and fences with (F) before it reads the wake-up flag,
/// pairing with the kernel's (E).
///
/// One reader at a time: a ``PGMReceiver`` and the iterators of its
/// ``PGMReceiver/events(maximumLength:)`` share it and must not read
/// concurrently. The memory is unmapped by ``PGMReceiver/close()``.
final class ReceiveRing: @unchecked Sendable {
    let fd: Int32
    let sys: Syscalls
    let base: UnsafeMutableRawPointer
    let length: Int
    let data: UnsafeMutableRawPointer
    let size: UInt32
    /// The socket's family: an IPv6 socket's records carry an IPv6 source.
    let family: PGMSocket.Family
    /// A record's header: `pgm_ring_rec`, or `pgm_ring_rec6` on IPv6.
    let headerSize: Int
    /// ``RingOptions/spin``.
    let spin: Duration
    private(set) var mapped = true
    /// Next record to read; released up to ``released``.
    private var cursor: UInt32
    private var released: UInt32
    /// Loss and end records met by ``receive(maximumLength:mode:)``, for
    /// ``nextEvent(maximumLength:timeout:)`` and friends to return first.
    private var pending: [Held] = []

    /// A loss or session end read ahead of the caller.
    private enum Held {
        case loss(Loss)
        case end(SessionEnd)

        var view: EventView {
            switch self {
            case .loss(let l): .loss(l)
            case .end(let e): .sessionEnded(e)
            }
        }
    }

    var ctrl: UnsafeMutablePointer<pgm_ring_ctrl> {
        base.assumingMemoryBound(to: pgm_ring_ctrl.self)
    }

    /// Sets the ring on `fd` (before bind) and maps it.
    init(fd: Int32, family: PGMSocket.Family, syscalls: Syscalls, options: RingOptions) throws(Errno) {
        var req = pgm_rx_ring()
        req.size = options.size
        _ = try withUnsafeBytes(of: &req) {
            syscalls.setsockopt(fd, SOL_PGM, PGM_RX_RING, $0.baseAddress, socklen_t($0.count))
        }.get()
        var len = socklen_t(MemoryLayout<pgm_rx_ring>.size)
        _ = try withUnsafeMutableBytes(of: &req) {
            syscalls.getsockopt(fd, SOL_PGM, PGM_RX_RING, $0.baseAddress, &len)
        }.get()
        guard options.spin >= .zero, options.spin <= RingOptions.maximumSpin else { throw .invalidArgument }
        guard Int(len) == MemoryLayout<pgm_rx_ring>.size, req.size == options.size,
              req.data_offset >= UInt32(MemoryLayout<pgm_ring_ctrl>.size),
              req.mmap_len == req.data_offset &+ req.size
        else { throw .invalidArgument }
        if options.wakeUpDelay != .zero || options.wakeUpBytes != 0 {
            guard let us = options.wakeUpMicroseconds, options.wakeUpBytes <= options.size
            else { throw .invalidArgument }
            var w = pgm_rx_ring_wake(usecs: us, bytes: options.wakeUpBytes)
            _ = try withUnsafeBytes(of: &w) {
                syscalls.setsockopt(fd, SOL_PGM, PGM_RX_RING_WAKE, $0.baseAddress, socklen_t($0.count))
            }.get()
        }
        let p = try syscalls.mapRing(fd, Int(req.mmap_len)).get()
        // The header the kernel writes (a kernel before IPv6 rings left 0:
        // IPv4's); anything else is not a ring this library can read.
        let header = family == .ipv6 ? MemoryLayout<pgm_ring_rec6>.size : MemoryLayout<pgm_ring_rec>.size
        let told = Int(p.assumingMemoryBound(to: pgm_ring_ctrl.self).pointee.rec_hdr)
        guard told == header || (told == 0 && family == .ipv4) else {
            _ = syscalls.unmap(p, Int(req.mmap_len))
            throw .protocolNotSupported
        }
        self.family = family
        self.spin = options.spin
        self.headerSize = header
        self.fd = fd
        self.sys = syscalls
        self.base = p
        self.length = Int(req.mmap_len)
        self.data = p + Int(req.data_offset)
        self.size = req.size
        let c = cpgm_ring_consumer(p.assumingMemoryBound(to: pgm_ring_ctrl.self))
        self.cursor = c
        self.released = c
    }

    /// Unmaps the ring; reading after this is a programming error.
    func unmap() {
        guard mapped else { return }
        mapped = false
        _ = sys.unmap(base, length)
    }

    /// The next record that is not padding, or nil; a record the kernel
    /// cannot have written (the application overwrote the ring) is
    /// `Errno.badMessage`.
    private func nextRecord() throws(Errno) -> UnsafeRawPointer? {
        guard mapped else { throw .badFileDescriptor }
        let producer = cpgm_ring_producer(ctrl)  // (B): pairs with the kernel's (A)
        while cursor != producer {
            let off = Int(cursor & (size &- 1))
            let rec = UnsafeRawPointer(data + off)
            let h = rec.loadUnaligned(as: pgm_ring_rec.self)
            guard h.len >= 8, h.len % UInt32(PGM_RING_ALIGN) == 0, Int(h.len) <= Int(size) - off,
                  h.len <= producer &- cursor
            else { throw .badMessage }
            cursor &+= h.len
            if h.type == UInt16(PGM_REC_PAD.rawValue) { continue }
            guard Int(h.len) >= headerSize else { throw .badMessage }
            return rec
        }
        return nil
    }

    /// Gives everything read so far back to the kernel.
    func release() {
        guard mapped, released != cursor else { return }
        released = cursor
        // (C) then (F): pair with the kernel's (D) and (E).
        if cpgm_ring_release(ctrl, cursor) != 0 {
            // Data waits for the space just freed: poll() moves it in.
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            _ = sys.poll(&p, 1, 0)
        }
    }

    /// Lends the next event to `body`, without waiting; nil when the ring is
    /// empty. The record is released when `body` returns.
    func withNextEvent<R>(maximumLength: Int, _ body: (EventView) -> R) throws(Errno) -> R? {
        if !pending.isEmpty {
            return body(pending.removeFirst().view)
        }
        defer { release() }
        while let rec = try nextRecord() {
            if let r = try lend(rec, maximumLength: maximumLength, body) { return r }
        }
        return nil
    }

    /// Lends every event available now (up to `limit`) to `body`, releasing
    /// them together at the end; how many there were.
    func consumeAvailable(limit: Int, maximumLength: Int, _ body: (EventView) -> Void) throws(Errno) -> Int {
        var n = 0
        defer { release() }
        while n < limit, !pending.isEmpty {
            body(pending.removeFirst().view)
            n += 1
        }
        while n < limit, let rec = try nextRecord() {
            if try lend(rec, maximumLength: maximumLength, body) != nil { n += 1 }
        }
        return n
    }

    /// `body` applied to the record at `rec`; nil for a record type this
    /// library does not know (skipped).
    private func lend<R>(_ rec: UnsafeRawPointer, maximumLength: Int, _ body: (EventView) -> R) throws(Errno) -> R? {
        let h = rec.loadUnaligned(as: pgm_ring_rec.self)
        let payload = rec + headerSize
        let room = Int(h.len) - headerSize
        let tsi = TSI(h.tsi)
        let source = self.source(of: rec, h)
        switch Int(h.type) {
        case Int(PGM_REC_DATA.rawValue):
            guard Int(h.data_len) <= room else { throw .badMessage }
            let v = MessageView(
                transportSessionID: tsi, source: source,
                bytes: UnsafeRawBufferPointer(start: payload, count: Int(h.data_len)),
                sequenceNumber: SequenceNumber(h.sqn), isTruncated: false)
            return body(.message(v))
        case Int(PGM_REC_SPILL.rawValue):
            // Too large for the ring: this APDU waits on the receive queue.
            let sock = PGMSocket(borrowing: fd, family: family, syscalls: sys)
            let n = max(Int(h.data_len), 1)
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: n, alignment: 16)
            defer { buffer.deallocate() }
            let r = try sock.receive(into: buffer, mode: .nonBlocking)
            let v = MessageView(
                transportSessionID: r.transportSessionID ?? tsi, source: r.source,
                bytes: UnsafeRawBufferPointer(rebasing: buffer[..<r.count]),
                sequenceNumber: SequenceNumber(h.sqn), isTruncated: r.isTruncated)
            return body(.message(v))
        case Int(PGM_REC_LOSS.rawValue):
            guard room >= MemoryLayout<pgm_loss>.size else { throw .badMessage }
            let l = payload.loadUnaligned(as: pgm_loss.self)
            return body(.loss(Loss(transportSessionID: TSI(l.tsi),
                                   firstSequenceNumber: SequenceNumber(l.first_sqn), count: l.count)))
        case Int(PGM_REC_END.rawValue):
            guard room >= MemoryLayout<pgm_session_end>.size else { throw .badMessage }
            let e = payload.loadUnaligned(as: pgm_session_end.self)
            return body(.sessionEnded(SessionEnd(
                transportSessionID: TSI(e.tsi), reason: SessionEndReason(rawValue: e.reason),
                lastSequenceNumber: SequenceNumber(e.last_sqn))))
        default:
            return nil
        }
    }

    /// A record's source, as recvmsg()'s msg_name would give it: the IPv6
    /// source and its scope id (the zone of a link-local one) in the
    /// longer header of an IPv6 socket's records.
    private func source(of rec: UnsafeRawPointer, _ h: pgm_ring_rec) -> PGMEndpoint {
        let port = UInt16(bigEndian: h.tsi.sport)
        guard family == .ipv6 else { return PGMEndpoint(IPv4Address(rawValue: UInt32(bigEndian: h.saddr)), port: port) }
        let h6 = rec.loadUnaligned(as: pgm_ring_rec6.self)
        return PGMEndpoint(IPv6Address(h6.saddr6), port: port, zone: h6.scope_id == 0 ? nil : .index(h6.scope_id))
    }

    /// The next event, copied; waits up to `timeout` (nil: for ever).
    func nextEvent(maximumLength: Int, timeout: Duration?) throws(Errno) -> Event? {
        let clock = ContinuousClock()
        let deadline = timeout.map { clock.now.advanced(by: $0) }
        while true {
            if let e = try withNextEvent(maximumLength: maximumLength, { Self.copy($0, maximumLength) }) {
                return e
            }
            guard try wait(until: deadline, clock: clock) else { return nil }
        }
    }

    private static func copy(_ v: EventView, _ maximumLength: Int) -> Event {
        guard case .message(let m) = v, m.bytes.count > maximumLength else { return v.copy() }
        return .message(Message(
            transportSessionID: m.transportSessionID, source: m.source,
            bytes: Array(UnsafeRawBufferPointer(rebasing: m.bytes[..<maximumLength])), isTruncated: true,
            sequenceNumber: m.sequenceNumber))
    }

    /// One APDU, like recvmsg(2): a loss fails one receive with
    /// `Errno.connectionReset` and is kept, with session ends, for
    /// ``nextEvent(maximumLength:timeout:)``.
    func receive(maximumLength: Int, mode: IOMode) throws(Errno) -> Message {
        guard maximumLength > 0 else { throw .invalidArgument }
        while true {
            while let rec = try nextRecord() {
                let got: Event? = try lend(rec, maximumLength: maximumLength) { Self.copy($0, maximumLength) }
                release()
                switch got {
                case .message(let m): return m
                case .loss(let l):
                    pending.append(.loss(l))
                    throw .connectionReset
                case .sessionEnded(let e): pending.append(.end(e))
                case .rateChanged, nil: break  // a ring is a receiver's
                }
            }
            if mode == .nonBlocking { throw .resourceTemporarilyUnavailable }
            _ = try wait(until: nil, clock: ContinuousClock())
        }
    }

    /// Watches the producer index for up to `duration` without a system
    /// call; true as soon as the ring holds a record not read yet (or a
    /// held event waits).
    func spin(for duration: Duration, clock: ContinuousClock = ContinuousClock()) -> Bool {
        guard mapped else { return false }
        if !pending.isEmpty { return true }
        let end = clock.now.advanced(by: duration)
        repeat {
            // About a microsecond of loads between two looks at the clock.
            if cpgm_ring_spin(ctrl, cursor, 64) != cursor { return true }
        } while clock.now < end
        return false
    }

    /// poll(2) until the ring may hold something, after spinning for
    /// ``spin`` (cut short by the deadline); false at the deadline.
    func wait(until deadline: ContinuousClock.Instant?, clock: ContinuousClock) throws(Errno) -> Bool {
        if spin > .zero {
            let left = deadline.map { clock.now.duration(to: $0) } ?? spin
            if self.spin(for: min(spin, left), clock: clock) { return true }
        }
        var ms: Int32 = -1
        if let deadline {
            let left = clock.now.duration(to: deadline)
            if left <= .zero { return false }
            let (s, atto) = left.components
            ms = Int32(clamping: s * 1000 + (atto + 999_999_999_999_999) / 1_000_000_000_000_000)
        }
        var p = pollfd(fd: fd, events: Int16(POLLIN | POLLERR), revents: 0)
        if case .failure(let e) = sys.poll(&p, 1, ms), e != .interrupted { throw e }
        return true
    }

    /// The kernel's counters for this ring.
    func statistics() throws(Errno) -> RingStatistics {
        RingStatistics(try PGMSocket(borrowing: fd, family: .ipv4, syscalls: sys)
            .getRaw(level: SOL_PGM, name: PGM_RX_RING_STATS, as: pgm_rx_ring_stats.self, counters: true))
    }
}

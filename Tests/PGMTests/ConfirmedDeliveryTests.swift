import CPGM
import SystemPackage
import Testing
@testable import PGM

#if canImport(Glibc)
import Glibc
#endif

/// Confirmed delivery (docs/confirmed-delivery.md) in the library, against
/// ``MockKernel``: the options both roles set, `PGM_CONFIRMED` decoded and
/// waited for, the counters and the source's view in its statistics.
@Suite("Confirmed delivery through a mock kernel")
struct ConfirmedDeliveryTests {
    /// A task waiting (600 s at most) on a view of `s` until `receivers`
    /// have `through`.
    static func waiting(_ s: borrowing PGMSocket, _ k: MockKernel, through: UInt32, receivers: Int)
        -> Task<Bool, any Error>
    {
        let fd = s.fileDescriptor.rawValue
        let sys = k.syscalls
        return Task { () async throws -> Bool in
            let view = PGMSocket(borrowing: fd, family: .ipv4, syscalls: sys)
            return try await view.waitUntilDelivered(through: SequenceNumber(through), receivers: receivers,
                                                     timeout: .seconds(600))
        }
    }

    func i32(_ b: [UInt8]?) -> Int32? {
        guard let b, b.count == 4 else { return nil }
        return b.withUnsafeBytes { $0.loadUnaligned(as: Int32.self) }
    }

    let group = PGMEndpoint(.v4(IPv4Address(239, 192, 0, 1)), port: 7500)

    /// A source with ``SourceOptions/confirmedDelivery`` sets the expiry,
    /// the bound, flow control and PGM_CONFIRM, all before connect();
    /// without it none of them is touched.
    @Test func sourceSetsConfirmedDeliveryBeforeConnecting() throws {
        let k = MockKernel()
        var o = SourceOptions()
        o.confirmedDelivery = ConfirmedDeliverySettings(expiry: .milliseconds(1500), maximumReceivers: 400,
                                                        flowControl: true)
        let src = try PGMSource(group: group, options: o, syscalls: k.syscalls)
        #expect(i32(k.option(SOL_PGM, PGM_CONFIRM_EXPIRY)) == 1500)
        #expect(i32(k.option(SOL_PGM, PGM_CONFIRM_MAX)) == 400)
        #expect(i32(k.option(SOL_PGM, PGM_CONFIRM_FLOW)) == 1)
        #expect(i32(k.option(SOL_PGM, PGM_CONFIRM)) == 1)
        #expect(k.calls.last == "connect")
        try src.close()

        // The kernel's defaults, spelled out.
        let k2 = MockKernel()
        o.confirmedDelivery = ConfirmedDeliverySettings()
        try PGMSource(group: group, options: o, syscalls: k2.syscalls).close()
        #expect(i32(k2.option(SOL_PGM, PGM_CONFIRM_EXPIRY)) == 3000 && i32(k2.option(SOL_PGM, PGM_CONFIRM_MAX)) == 1024)
        #expect(i32(k2.option(SOL_PGM, PGM_CONFIRM_FLOW)) == 0 && i32(k2.option(SOL_PGM, PGM_CONFIRM)) == 1)

        let k3 = MockKernel()
        try PGMSource(group: group, options: SourceOptions(), syscalls: k3.syscalls).close()
        #expect(k3.option(SOL_PGM, PGM_CONFIRM) == nil && k3.option(SOL_PGM, PGM_CONFIRM_FLOW) == nil)

        // Out of range: refused before the kernel is asked, nothing opened stays.
        let k4 = MockKernel()
        o.confirmedDelivery = ConfirmedDeliverySettings(expiry: .milliseconds(50))
        #expect(throws: PGMSetupError.system(.invalidArgument)) {
            try PGMSource(group: group, options: o, syscalls: k4.syscalls).close()
        }
        o.confirmedDelivery = ConfirmedDeliverySettings(maximumReceivers: 65537)
        #expect(throws: PGMSetupError.system(.invalidArgument)) {
            try PGMSource(group: group, options: o, syscalls: k4.syscalls).close()
        }
        #expect(k4.option(SOL_PGM, PGM_CONFIRM) == nil && !k4.calls.contains("connect"))
    }

    /// A receiver with ``ReceiverOptions/confirmInterval`` sets PGM_CONFIRM
    /// to it in milliseconds before bind(); 10 ms to 60 s.
    @Test func receiverSetsTheIntervalBeforeBinding() throws {
        let k = MockKernel()
        var o = ReceiverOptions()
        o.confirmInterval = .milliseconds(50)
        let r = try PGMReceiver(group: group, interface: nil, options: o, syscalls: k.syscalls)
        #expect(i32(k.option(SOL_PGM, PGM_CONFIRM)) == 50)
        try r.close()
        // Before bind(): a bind that fails finds it set already.
        let k1 = MockKernel()
        k1.fail("bind", with: EADDRINUSE)
        #expect(throws: PGMSetupError.system(.addressInUse)) {
            try PGMReceiver(group: group, interface: nil, options: o, syscalls: k1.syscalls).close()
        }
        #expect(i32(k1.option(SOL_PGM, PGM_CONFIRM)) == 50)
        let k2 = MockKernel()
        o.confirmInterval = ConfirmedDeliverySettings.defaultInterval
        try PGMReceiver(group: group, interface: nil, options: o, syscalls: k2.syscalls).close()
        #expect(i32(k2.option(SOL_PGM, PGM_CONFIRM)) == 200)
        let k3 = MockKernel()
        try PGMReceiver(group: group, interface: nil, options: ReceiverOptions(), syscalls: k3.syscalls).close()
        #expect(k3.option(SOL_PGM, PGM_CONFIRM) == nil)
        for bad in [Duration.milliseconds(9), .seconds(61)] {
            o.confirmInterval = bad
            #expect(throws: PGMSetupError.system(.invalidArgument)) {
                try PGMReceiver(group: group, interface: nil, options: o, syscalls: MockKernel().syscalls).close()
            }
        }
    }

    /// `PGM_CONFIRMED`: the sequence number only with PGM_CONFIRMED_VALID,
    /// the receivers and the refused; `covers` in sequence-number order,
    /// across the wrap, with enough receivers.
    @Test func confirmedIsDecodedAndCovers() throws {
        let k = MockKernel()
        let s = try PGMSocket(syscalls: k.syscalls)
        k.confirm(sqn: nil, receivers: 0, refused: 2)
        let none = try s.confirmed()
        #expect(none == ConfirmedState(sequenceNumber: nil, receivers: 0, refused: 2))
        #expect(!none.covers(SequenceNumber(0)) && !none.covers(SequenceNumber(0), receivers: 0))
        #expect(none.description == "none confirmed (0 receivers, 2 refused)")
        k.confirm(sqn: 5, receivers: 2)
        let c = try s.confirmed()
        #expect(c.sequenceNumber == SequenceNumber(5) && c.receivers == 2 && c.refused == 0)
        #expect(c.covers(SequenceNumber(5)) && c.covers(SequenceNumber(4), receivers: 2))
        #expect(!c.covers(SequenceNumber(6)) && !c.covers(SequenceNumber(5), receivers: 3))
        // Sequence arithmetic: 5 is after 4294967290 (the wrap between).
        #expect(c.covers(SequenceNumber(4_294_967_290)))
        #expect(c.description == "confirmed through 5 by 2 receivers (0 refused)")
        // Reading clears POLLPRI, as the kernel's getsockopt does.
        #expect(!k.priority)
        // A source without PGM_CONFIRM: EINVAL, as pgm.ko answers.
        let k2 = MockKernel()
        let plain = try PGMSocket(syscalls: k2.syscalls)
        k2.fail("getsockopt", with: EINVAL)
        #expect(throws: Errno.invalidArgument) { try plain.confirmed() }
        try s.close()
        try plain.close()
    }

    /// The lead after a send is the APDU's last sequence number.
    @Test func sendReturnsTheLastSequenceNumber() throws {
        let k = MockKernel()
        var o = SourceOptions()
        o.confirmedDelivery = ConfirmedDeliverySettings()
        let src = try PGMSource(group: group, options: o, syscalls: k.syscalls)
        k.setOption(SOL_PGM, PGM_TXW_LEAD, UInt32(77))
        #expect(try src.sendReturningSequenceNumber(contentsOf: [1, 2, 3]) == SequenceNumber(77))
        let bytes = [UInt8](repeating: 9, count: 4)
        let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 1)
        defer { raw.deallocate() }
        raw.copyBytes(from: bytes)
        k.setOption(SOL_PGM, PGM_TXW_LEAD, UInt32(79))
        #expect(try src.sendReturningSequenceNumber(UnsafeRawBufferPointer(raw)) == SequenceNumber(79))
        #expect(try src.lastSequenceNumber() == SequenceNumber(79))
        #expect(k.sent == [[1, 2, 3], [9, 9, 9, 9]])
        k.fail("send", with: EAGAIN)
        var failed: Errno?
        do { try src.sendReturningSequenceNumber(contentsOf: [4], mode: .nonBlocking) } catch { failed = error }
        #expect(failed == .resourceTemporarilyUnavailable)
        try src.close()
    }

    /// Already delivered: true at once, without polling.
    @Test func waitReturnsAtOnceWhenCovered() async throws {
        let k = MockKernel()
        let s = try PGMSocket(syscalls: k.syscalls)
        k.confirm(sqn: 10, receivers: 1)
        #expect(try await s.waitUntilDelivered(through: SequenceNumber(10), timeout: .seconds(5)))
        #expect(!k.calls.contains("poll"))
        // Not covered and no time to wait: false, still no poll.
        #expect(try await !s.waitUntilDelivered(through: SequenceNumber(11), timeout: .zero))
        #expect(!k.calls.contains("poll"))
        await #expect(throws: Errno.invalidArgument) {
            try await s.waitUntilDelivered(through: SequenceNumber(1), receivers: 0, timeout: .seconds(1))
        }
        try s.close()
    }

    /// CONFIRMED moves while the wait polls: POLLPRI wakes it, it reads
    /// again and returns true (long before its timeout: no time is
    /// measured, the test runner may hold the task back); a move that does
    /// not cover the sequence number keeps it waiting.
    @Test func waitReturnsTrueWhenConfirmedMoves() async throws {
        let k = MockKernel()
        let s = try PGMSocket(syscalls: k.syscalls)
        k.confirm(sqn: nil, receivers: 0)
        let task = Self.waiting(s, k, through: 20, receivers: 2)
        try await Task.sleep(for: .milliseconds(50))
        k.confirm(sqn: 20, receivers: 1)  // one receiver short
        try await Task.sleep(for: .milliseconds(50))
        k.confirm(sqn: 19, receivers: 2)  // one sqn short
        try await Task.sleep(for: .milliseconds(50))
        k.confirm(sqn: 25, receivers: 2)
        #expect(try await task.value)
        #expect(k.calls.contains("poll") && !k.priority)
        try s.close()
    }

    /// Nothing moves: false once the timeout passed (not before; how much
    /// later depends on the test runner's load, not checked).
    @Test func waitReturnsFalseAtTheTimeout() async throws {
        let k = MockKernel()
        let s = try PGMSocket(syscalls: k.syscalls)
        k.confirm(sqn: 3, receivers: 1)
        let clock = ContinuousClock()
        let t0 = clock.now
        let got = try await s.waitUntilDelivered(through: SequenceNumber(4), timeout: .milliseconds(300))
        let took = t0.duration(to: clock.now)
        #expect(!got)
        #expect(took >= .milliseconds(300), "\(took)")
        try s.close()
    }

    /// Cancelling the waiting task ends the poll: `.canceled` (its timeout
    /// would say false, long after).
    @Test func waitEndsWhenCancelled() async throws {
        let k = MockKernel()
        let s = try PGMSocket(syscalls: k.syscalls)
        k.confirm(sqn: nil, receivers: 0)
        let task = Self.waiting(s, k, through: 1, receivers: 1)
        try await Task.sleep(for: .milliseconds(100))
        task.cancel()
        await #expect(throws: Errno.canceled) { try await task.value }
        try s.close()
    }
    /// A source's confirm counters, and its view: the receivers and
    /// CONFIRMED while one is live; with `PGM_CONFIRM` set and a lead (a
    /// source), a view without receivers too; without `PGM_CONFIRM`, none.
    @Test func sourceCountersAndViewAreDecoded() throws {
        let k = MockKernel()
        let s = try PGMSocket(syscalls: k.syscalls)
        var st = pgm_source_stats()
        st.odata_sent = 9
        k.setOption(SOL_PGM, PGM_SOURCE_STATS, st)
        let plain = try s.sourceStatistics()
        #expect(plain.confirm == nil && plain.confirmAcks == 0 && plain.odataSent == 9)

        // PGM_CONFIRM on, but no lead: not a source (a confirming receiver's
        // zero source counters), no view.
        k.setOption(SOL_PGM, PGM_CONFIRM, Int32(200))
        #expect(try s.sourceStatistics().confirm == nil)
        // A source with PGM_CONFIRM and nobody live yet: a view, no CONFIRMED.
        k.setOption(SOL_PGM, PGM_TXW_LEAD, UInt32(41))
        #expect(try s.sourceStatistics().confirm == SourceConfirm(receivers: 0, confirmed: nil))

        st.confirm_acks = 1
        st.confirm_joins = 2
        st.confirm_leaves = 3
        st.confirm_expired = 4
        st.confirm_lost = 5
        st.confirm_refused = 6
        st.confirm_stale = 7
        st.confirm_future = 8
        st.confirm_behind = 9
        st.flow_limited = 10
        st.confirm_receivers = 3
        st.confirmed = 40
        st.confirm_flags = UInt32(PGM_CONFIRMED_VALID)
        k.setOption(SOL_PGM, PGM_SOURCE_STATS, st)
        let got = try s.sourceStatistics()
        #expect(got.confirmAcks == 1 && got.confirmJoins == 2 && got.confirmLeaves == 3 && got.confirmExpired == 4)
        #expect(got.confirmLost == 5 && got.confirmRefused == 6 && got.confirmStale == 7 && got.confirmFuture == 8)
        #expect(got.confirmBehind == 9 && got.flowLimited == 10)
        #expect(got.confirm == SourceConfirm(receivers: 3, confirmed: SequenceNumber(40)))
        // By name, in the spec's order, as pgmctl shows them.
        let named = Dictionary(uniqueKeysWithValues: got.namedCounters.map { ($0.name, $0.value) })
        #expect(named["confirm-acks"] == 1 && named["confirm-behind"] == 9 && named["flow-limited"] == 10)

        // Live receivers say it confirms even where PGM_CONFIRM is not known
        // (the option unread): the struct alone.
        let k2 = MockKernel()
        let s2 = try PGMSocket(syscalls: k2.syscalls)
        k2.setOption(SOL_PGM, PGM_SOURCE_STATS, st)
        #expect(try s2.sourceStatistics().confirm == SourceConfirm(receivers: 3, confirmed: SequenceNumber(40)))
        // A module from before confirmed delivery writes the struct up to
        // cc_acker: the counters after it zero, no view.
        let known = try #require(MemoryLayout<pgm_source_stats>.offset(of: \.confirm_acks))
        k2.setOptionBytes(SOL_PGM, PGM_SOURCE_STATS, withUnsafeBytes(of: st) { Array($0.prefix(known)) })
        let old = try s2.sourceStatistics()
        #expect(old.odataSent == 9 && old.confirmAcks == 0 && old.flowLimited == 0 && old.confirm == nil)
        try s.close()
        try s2.close()
    }

    /// A receiver's two counters, their place after PGMCC's, and the two after them.
    @Test func receiverCountersAreDecoded() throws {
        let k = MockKernel()
        let s = try PGMSocket(syscalls: k.syscalls)
        var st = pgm_receiver_stats()
        st.acks_no_credit = 1
        st.confirm_acks_sent = 12
        st.confirm_no_credit = 3
        st.windows_shed = 5
        st.source_refused = 6
        k.setOption(SOL_PGM, PGM_RECEIVER_STATS, st)
        let got = try s.receiverStatistics()
        #expect(got.acksWithoutCredit == 1 && got.confirmAcksSent == 12 && got.confirmAcksWithoutCredit == 3)
        #expect(got.windowsShed == 5 && got.sourceRefused == 6)
        #expect(got.namedCounters.suffix(4).map(\.name)
                == ["confirm-acks-sent", "confirm-no-credit", "windows-shed", "source-refused"])
        let known = try #require(MemoryLayout<pgm_receiver_stats>.offset(of: \.confirm_acks_sent))
        k.setOptionBytes(SOL_PGM, PGM_RECEIVER_STATS, withUnsafeBytes(of: st) { Array($0.prefix(known)) })
        let old = try s.receiverStatistics()
        #expect(old.acksWithoutCredit == 1 && old.confirmAcksSent == 0 && old.windowsShed == 0)
        try s.close()
    }
}

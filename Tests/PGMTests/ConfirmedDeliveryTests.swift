import CPGM
import SystemPackage
import Testing
@testable import PGM

#if canImport(Glibc)
import Glibc
#endif

/// Confirmed delivery (docs/confirmed-delivery.md) in the library, against
/// ``MockKernel``: the counters and the source's view in its statistics.
@Suite("Confirmed delivery through a mock kernel")
struct ConfirmedDeliveryTests {
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

    /// A receiver's two counters, and their place after PGMCC's.
    @Test func receiverCountersAreDecoded() throws {
        let k = MockKernel()
        let s = try PGMSocket(syscalls: k.syscalls)
        var st = pgm_receiver_stats()
        st.acks_no_credit = 1
        st.confirm_acks_sent = 12
        st.confirm_no_credit = 3
        k.setOption(SOL_PGM, PGM_RECEIVER_STATS, st)
        let got = try s.receiverStatistics()
        #expect(got.acksWithoutCredit == 1 && got.confirmAcksSent == 12 && got.confirmAcksWithoutCredit == 3)
        #expect(got.namedCounters.suffix(2).map(\.name) == ["confirm-acks-sent", "confirm-no-credit"])
        let known = try #require(MemoryLayout<pgm_receiver_stats>.offset(of: \.confirm_acks_sent))
        k.setOptionBytes(SOL_PGM, PGM_RECEIVER_STATS, withUnsafeBytes(of: st) { Array($0.prefix(known)) })
        let old = try s.receiverStatistics()
        #expect(old.acksWithoutCredit == 1 && old.confirmAcksSent == 0)
        try s.close()
    }
}

import CPGM
import SystemPackage
import Testing
@testable import PGM

#if canImport(Glibc)
import Glibc
#endif

/// The library against ``MockKernel``: what it asks of the kernel and how it
/// reads the answers, on the host without pgm.ko.
@Suite("PGM library through a mock kernel")
struct LibraryTests {
    func u32(_ b: [UInt8]?) -> UInt32? {
        guard let b, b.count == 4 else { return nil }
        return b.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
    }

    @Test func durationsBecomeMicrosecondsAndMilliseconds() throws {
        let k = MockKernel()
        let s = try PGMSocket(syscalls: k.syscalls)
        try s.set(.nakBoIvl, to: .milliseconds(75))
        #expect(u32(k.option(SOL_PGM, PGM_NAK_BO_IVL)) == 75_000)
        try s.set(.txwSecsMs, to: .seconds(2))
        #expect(u32(k.option(SOL_PGM, PGM_TXW_SECS_MS)) == 2000)
        try s.set(.peerExpiry, to: .nanoseconds(1))  // rounded up, never 0
        #expect(u32(k.option(SOL_PGM, PGM_PEER_EXPIRY)) == 1)
        #expect(try s.getDuration(.nakBoIvl) == .milliseconds(75))
        #expect(throws: Errno.invalidArgument) { try s.set(.txwSqns, to: .seconds(1)) }
        #expect(throws: Errno.invalidArgument) { try s.set(.nakBoIvl, to: .seconds(-1)) }
        #expect(throws: Errno.invalidArgument) { try s.set(.nakBoIvl, to: .seconds(5000)) }
        #expect(throws: Errno.invalidArgument) { try s.getDuration(.maxTpdu) }
        try s.close()
    }

    @Test func unitsCoverEveryTunable() {
        for t in Tunable.allCases {
            let isTime = t.unit == .microseconds || t.unit == .milliseconds
            #expect((t.unit.value(of: .seconds(1)) != nil) == isTime, "\(t)")
        }
    }

    @Test func kernelErrnoSurfacesTyped() throws {
        let k = MockKernel()
        k.fail("socket", with: ESOCKTNOSUPPORT)
        #expect(throws: Errno.socketTypeNotSupported) { try PGMSocket(syscalls: k.syscalls).close() }
        let s = try PGMSocket(syscalls: k.syscalls)
        k.fail("setsockopt", with: EISCONN)
        #expect(throws: Errno.socketIsConnected) { try s.set(.txwSqns, to: 10) }
        k.fail("send", with: EMSGSIZE)
        #expect(throws: Errno.messageTooLong) { try s.send(contentsOf: [1, 2, 3]) }
        k.fail("send", with: EINTR)  // retried
        try s.send(contentsOf: [9])
        #expect(k.sent == [[9]])
        try s.close()
    }

    @Test func sourceAppliesOptionsThenConnects() throws {
        let k = MockKernel()
        var o = SourceOptions()
        o.txwMaxRte = 1_000_000
        o.spmAmbientIvl = .milliseconds(500)
        o.interface = .address(IPv4Address(10, 99, 0, 1))
        o.globalSourceID = GSI(1, 2, 3, 4, 5, 6)
        let src = try PGMSource(group: try IPv4Endpoint("239.192.0.1:7500"), options: o, syscalls: k.syscalls)
        #expect(u32(k.option(SOL_PGM, PGM_TXW_MAX_RTE)) == 1_000_000)
        #expect(u32(k.option(SOL_PGM, PGM_SPM_AMBIENT_IVL)) == 500_000)
        #expect(k.option(SOL_PGM, PGM_GSI) == [1, 2, 3, 4, 5, 6])
        #expect(u32(k.option(Int32(IPPROTO_IP), IP_MULTICAST_IF)) == UInt32(0x0A63_0001).bigEndian)
        #expect(k.calls.suffix(2) == ["setsockopt", "connect"])
        let bytes = Array("hello".utf8)
        try src.send(contentsOf: bytes)
        try src.send(contentsOf: bytes[1...])       // a slice: contiguous storage
        try src.send(contentsOf: bytes.lazy.map { $0 })  // not contiguous: copied
        #expect(k.sent == [bytes, Array(bytes[1...]), bytes])
        try src.close(linger: .milliseconds(1500))
        #expect(k.option(SOL_SOCKET, SO_LINGER) == withUnsafeBytes(of: linger(l_onoff: 1, l_linger: 2)) { Array($0) })
    }

    /// PGMCC at a source (`PGM_PGMCC`) is set with the other options,
    /// before connect(); left nil, the option is not touched.
    @Test func sourceSetsPGMCCBeforeConnecting() throws {
        let k = MockKernel()
        var o = SourceOptions()
        o.pgmcc = true
        let src = try PGMSource(group: try IPv4Endpoint("239.192.0.1:7500"), options: o, syscalls: k.syscalls)
        #expect(u32(k.option(SOL_PGM, PGM_PGMCC)) == 1)
        #expect(k.calls.last == "connect")
        try src.close()
        let k2 = MockKernel()
        let plain = try PGMSource(group: try IPv4Endpoint("239.192.0.1:7500"), options: SourceOptions(), syscalls: k2.syscalls)
        #expect(k2.option(SOL_PGM, PGM_PGMCC) == nil)
        try plain.close()
    }

    /// A GSI without CAP_NET_RAW is EPERM from the kernel: the source is not
    /// started, and the errno's hint names the capability (pgm(7) SECURITY).
    @Test func gsiWithoutCapabilityIsExplained() throws {
        let k = MockKernel()
        var o = SourceOptions()
        o.globalSourceID = GSI(1, 2, 3, 4, 5, 6)
        k.fail("setsockopt", with: EPERM)
        let group = try IPv4Endpoint("239.192.0.1:7500")
        #expect(throws: Errno.notPermitted) { _ = try PGMSource(group: group, options: o, syscalls: k.syscalls) }
        #expect(!k.calls.contains("connect"))
        #expect(Errno.notPermitted.pgmPrivilegeHint?.contains("CAP_NET_RAW") == true)
        #expect(Errno.permissionDenied.pgmPrivilegeHint?.contains("CAP_NET_BIND_SERVICE") == true)
        #expect(Errno.invalidArgument.pgmPrivilegeHint == nil)
    }

    @Test func sourceClosesTheSocketWhenSetupFails() throws {
        let k = MockKernel()
        k.fail("connect", with: ENETUNREACH)
        #expect(throws: Errno(rawValue: ENETUNREACH)) {
            try PGMSource(group: IPv4Endpoint(address: 0xEFC0_0001, port: 7500), options: SourceOptions(), syscalls: k.syscalls).close()
        }
        #expect(k.calls.last == "close")
    }

    @Test func receiverBindsAndJoins() throws {
        let k = MockKernel()
        var o = ReceiverOptions()
        o.nakBoIvl = .milliseconds(20)
        o.abortOnLoss = true
        let r = try PGMReceiver(
            group: IPv4Endpoint(address: 0xEFC0_0001, port: 7500), interface: IPv4Address(10, 98, 0, 1),
            options: o, syscalls: k.syscalls)
        #expect(u32(k.option(SOL_PGM, PGM_NAK_BO_IVL)) == 20_000)
        #expect(k.option(SOL_PGM, PGM_ABORT_ON_LOSS) == [1, 0, 0, 0])
        #expect(k.option(SOL_PGM, PGM_RECVSQN) == [1, 0, 0, 0])
        let m = try #require(k.option(SOL_PGM, PGM_JOIN_GROUP))
        let mreq = m.withUnsafeBytes { $0.loadUnaligned(as: ip_mreqn.self) }
        #expect(UInt32(bigEndian: mreq.imr_multiaddr.s_addr) == 0xEFC0_0001)
        #expect(UInt32(bigEndian: mreq.imr_address.s_addr) == 0x0A62_0001)
        try r.close()
        #expect(throws: Errno.invalidArgument) {
            try PGMReceiver(
                group: IPv4Endpoint(address: 0x0A00_0001, port: 7500), interface: nil, options: ReceiverOptions(),
                syscalls: k.syscalls
            ).close()
        }
    }

    @Test func receiveNamesTheSessionAndMarksTruncation() throws {
        let k = MockKernel()
        let s = try PGMSocket(syscalls: k.syscalls)
        k.deliver(Array(0..<100), port: 41000)
        let m = try s.receive(maximumLength: 10, mode: .nonBlocking)
        #expect(m.bytes == Array(0..<10))
        #expect(m.isTruncated)
        #expect(m.transportSessionID.description == "1.2.3.4.5.6.41000")
        #expect(m.source.description == "10.99.0.1:41000")
        k.deliver([7, 7])
        var buf = [UInt8](repeating: 0, count: 8)
        let r = try buf.withUnsafeMutableBytes { try s.receive(into: $0) }
        #expect(r.count == 2 && r.length == 2 && !r.isTruncated)
        #expect(throws: Errno.resourceTemporarilyUnavailable) { try s.receive(mode: .nonBlocking) }
        try s.close()
    }

    @Test func aDroppedSocketIsClosedOnce() throws {
        let k = MockKernel()
        do { _ = try PGMSocket(syscalls: k.syscalls) }
        #expect(k.calls.filter { $0 == "close" }.count == 1)
        try PGMSocket(syscalls: k.syscalls).close()
        #expect(k.calls.filter { $0 == "close" }.count == 2, "close() and then no second close when dropped")
        do { _ = try PGMReceiver(group: IPv4Endpoint(address: 0xEFC0_0001, port: 7500), interface: nil,
                                 options: ReceiverOptions(), syscalls: k.syscalls) }
        #expect(k.calls.filter { $0 == "close" }.count == 3)
        // A receive loop's borrowed view of the descriptor closes nothing.
        do { _ = PGMSocket(borrowing: MockKernel.fd, family: .ipv4, syscalls: k.syscalls) }
        #expect(k.calls.filter { $0 == "close" }.count == 3)
    }

    @Test func sequenceNumbersOnlyWhenAskedFor() throws {
        let k = MockKernel()
        let s = try PGMSocket(syscalls: k.syscalls)
        k.deliver([1], sqn: 0xFFFF_FFFE)
        #expect(try s.receive(mode: .nonBlocking).sequenceNumber == nil)
        try s.setReceiveSequenceNumbers(true)
        k.deliver([2], sqn: 0xFFFF_FFFF)
        k.deliver([3], sqn: 0)
        #expect(try s.receive(mode: .nonBlocking).sequenceNumber == 0xFFFF_FFFF)
        var buf = [UInt8](repeating: 0, count: 4)
        let r = try buf.withUnsafeMutableBytes { try s.receive(into: $0) }
        #expect(r.sequenceNumber == 0 && r.count == 1)
        try s.setReceiveSequenceNumbers(false)
        k.deliver([4], sqn: 1)
        #expect(try s.receive(mode: .nonBlocking).sequenceNumber == nil)
        try s.close()
    }

    @Test func errorQueueRecordsBecomeEvents() throws {
        let k = MockKernel()
        let s = try PGMSocket(syscalls: k.syscalls)
        #expect(try s.readErrorQueue() == nil)
        k.deliver([1])
        k.lose(first: 17, count: 3)
        k.deliver([2])
        k.end(reason: UInt32(PGM_END_FIN.rawValue), last: 40)
        k.end(reason: 99, last: 41)
        let tsi = TSI(gsi: GSI(rawValue: 0), sourcePort: 40000)
        // The receive a loss fails with ECONNRESET reports the loss record;
        // queued data comes before other records.
        var got: [Event] = []
        while let e = try s.nextEvent(timeout: .zero) { got.append(e) }
        #expect(got.count == 5)
        #expect(got[0] == .loss(Loss(transportSessionID: tsi, firstSequenceNumber: 17, count: 3)))
        if case .message(let m) = got[1] { #expect(m.bytes == [1]) } else { Issue.record("\(got[1])") }
        if case .message(let m) = got[2] { #expect(m.bytes == [2]) } else { Issue.record("\(got[2])") }
        #expect(got[3] == .sessionEnded(SessionEnd(transportSessionID: tsi, reason: .finished, lastSequenceNumber: 40)))
        #expect(got[4] == .sessionEnded(SessionEnd(transportSessionID: tsi, reason: .other(99), lastSequenceNumber: 41)))
        try s.close()
    }

    /// A source's error queue: a PGM_RATE_CHANGE record is a typed
    /// `.rateChanged` event (old, new and policy rate), and
    /// ``PGMSource/rateChange()`` reads the one waiting, then nil.
    @Test func rateChangeRecordsBecomeEvents() throws {
        let k = MockKernel()
        let s = try PGMSocket(syscalls: k.syscalls)
        k.rateChange(old: 0, new: 100_000, policy: 100_000)
        #expect(try s.readErrorQueue() == .rateChanged(RateChange(oldRate: 0, newRate: 100_000, policyRate: 100_000)))
        #expect(try s.readErrorQueue() == nil)
        try s.close()

        let k2 = MockKernel()
        let src = try PGMSource(group: try IPv4Endpoint("239.192.0.1:7500"), options: SourceOptions(),
                                syscalls: k2.syscalls)
        #expect(try src.rateChange() == nil)
        // The policy's rate-cap lifted: the source's own limit
        // (PGM_TXW_MAX_RTE) is what remains, and the policy has no part.
        k2.rateChange(old: 500_000, new: 2_000_000, policy: 0)
        #expect(try src.rateChange() == RateChange(oldRate: 500_000, newRate: 2_000_000, policyRate: 0))
        #expect(try src.rateChange() == nil)
        try src.close()
    }

    @Test func resetWithoutARecordIsAnError() throws {
        let k = MockKernel()
        let s = try PGMSocket(syscalls: k.syscalls)
        k.state.withLock { $0.resetPending = 1 }  // a loss whose record was read: absorbed
        #expect(try s.nextEvent(timeout: .zero) == nil)
        k.state.withLock { $0.resetPending = 2 }  // an aborted session fails every receive
        #expect(throws: Errno.connectionReset) { try s.nextEvent(timeout: .zero) }
        try s.close()
    }

    @Test func statisticsAreDecoded() throws {
        let k = MockKernel()
        let s = try PGMSocket(syscalls: k.syscalls)
        var r = pgm_receiver_stats()
        r.apdus_delivered = 5
        r.naks_sent = 7
        r.rdata_received = 6
        r.losses = 1
        r.peers = 2
        k.setOption(SOL_PGM, PGM_RECEIVER_STATS, r)
        var src = pgm_source_stats()
        src.odata_sent = 11
        src.txw_lead = 10
        src.rdata_deferred = 12
        src.nak_lists_ignored = 13
        src.txw_mem = 14
        k.setOption(SOL_PGM, PGM_SOURCE_STATS, src)
        let rs = try s.receiverStatistics()
        #expect(rs.apdusDelivered == 5 && rs.naksSent == 7 && rs.rdataReceived == 6 && rs.losses == 1 && rs.peers == 2)
        let ss = try s.sourceStatistics()
        #expect(ss.odataSent == 11 && ss.transmitWindowLead == 10)
        #expect(ss.rdataDeferred == 12 && ss.nakListsIgnored == 13 && ss.transmitWindowMemory == 14)
        k.setOptionBytes(SOL_PGM, PGM_TSI, [UInt8](repeating: 0, count: 4))  // short reply
        #expect(throws: Errno.invalidArgument) { try s.transportSessionID() }
        // An older module's shorter struct (before repairs, repair_us_*):
        // the counters it knows, the others zero.
        r.repairs = 9
        let known = MemoryLayout<pgm_receiver_stats>.offset(of: \.repairs)!
        k.setOptionBytes(SOL_PGM, PGM_RECEIVER_STATS, withUnsafeBytes(of: r) { Array($0.prefix(known)) })
        let old = try s.receiverStatistics()
        #expect(old.apdusDelivered == 5 && old.peers == 2 && old.repairs == 0)
        try s.close()
    }

    /// A PGMCC source's counters and state: the acker's IPv4 address in
    /// the first four octets of cc_acker, W and T in 1/65536 packets; no
    /// acker while cc_acker is all zero; no state at all while cc_window
    /// is 0 (no PGMCC, or a module that reports none).
    @Test func pgmccStateIsDecoded() throws {
        let k = MockKernel()
        let s = try PGMSocket(syscalls: k.syscalls)
        var src = pgm_source_stats()
        src.odata_sent = 3
        k.setOption(SOL_PGM, PGM_SOURCE_STATS, src)
        let none = try s.sourceStatistics()
        #expect(none.pgmcc == nil && none.acksReceived == 0 && none.odataSent == 3)
        src.acks_received = 40
        src.acks_no_feedback = 1
        src.feedback_naks = 2
        src.feedback_foreign = 3
        src.acker_changes = 4
        src.congestion_events = 5
        src.cc_timeouts = 6
        src.window_limited = 7
        src.cc_window = 3 * 65536 + 32768
        src.cc_tokens = -65536
        src.cc_rtt_us = 2100
        src.cc_loss = 498
        src.cc_acker.0 = 10
        src.cc_acker.3 = 2
        k.setOption(SOL_PGM, PGM_SOURCE_STATS, src)
        let st = try s.sourceStatistics()
        #expect(st.acksReceived == 40 && st.acksWithoutFeedback == 1 && st.feedbackNaks == 2 && st.feedbackForeign == 3)
        #expect(st.ackerChanges == 4 && st.congestionEvents == 5 && st.ccTimeouts == 6 && st.windowLimited == 7)
        let cc = try #require(st.pgmcc)
        #expect(cc.acker == .v4(IPv4Address(10, 0, 0, 2)))
        #expect(cc.window == 229_376 && cc.windowPackets == 3.5)
        #expect(cc.tokens == -65536 && cc.tokenPackets == -1)
        #expect(cc.rttMicroseconds == 2100 && cc.rtt == .microseconds(2100))
        #expect(cc.lossRate == 498)
        // Electing: no acker, W one packet, no RTT sample.
        src.cc_acker = pgm_source_stats().cc_acker
        src.cc_window = 65536
        src.cc_rtt_us = 0
        k.setOption(SOL_PGM, PGM_SOURCE_STATS, src)
        let electing = try #require(try s.sourceStatistics().pgmcc)
        #expect(electing.acker == nil && electing.windowPackets == 1 && electing.rtt == nil)
        // A module from before PGMCC at the source writes the struct up to
        // rate_wait_ns: the counters after it zero, no PGMCC.
        let known = MemoryLayout<pgm_source_stats>.offset(of: \.acks_received)!
        k.setOptionBytes(SOL_PGM, PGM_SOURCE_STATS, withUnsafeBytes(of: src) { Array($0.prefix(known)) })
        let old = try s.sourceStatistics()
        #expect(old.odataSent == 3 && old.acksReceived == 0 && old.pgmcc == nil)
        try s.close()
    }

    @Test func asyncEventsDeliverAndCancel() async throws {
        let k = MockKernel()
        let s = try PGMSocket(syscalls: k.syscalls)
        k.deliver([1])
        k.end(reason: UInt32(PGM_END_RST.rawValue), last: 1)
        let events = s.events()
        let task = Task { () throws(Errno) -> [Event] in
            var got: [Event] = []
            for try await e in events { got.append(e) }
            return got
        }
        // Let the iterator drain the queue (however slow the machine) and
        // block in poll, then cancel.
        for _ in 0..<1000 where k.state.withLock({ !$0.data.isEmpty || !$0.errors.isEmpty }) {
            try await Task.sleep(for: .milliseconds(10))
        }
        try await Task.sleep(for: .milliseconds(100))
        task.cancel()
        let got = try await task.value
        #expect(got.count == 2)
        if case .sessionEnded(let e) = got.last { #expect(e.reason == .reset) } else { Issue.record("\(got)") }
        try s.close()
    }
}

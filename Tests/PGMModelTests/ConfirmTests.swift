import PGMModel
import PGMTypes
import PGMWire
import Testing

/// An ACK with OPT_CONFIRM as the model sent it or a test builds it.
struct ConfirmACK: Equatable {
    var rxMax: UInt32
    var bitmap: UInt32
    var confirmed: UInt32
    var id: UInt32
    var join = false
    var bye = false
    var lost = false

    init(rxMax: UInt32, bitmap: UInt32, confirmed: UInt32, id: UInt32, join: Bool = false, bye: Bool = false,
         lost: Bool = false) {
        self.rxMax = rxMax
        self.bitmap = bitmap
        self.confirmed = confirmed
        self.id = id
        self.join = join
        self.bye = bye
        self.lost = lost
    }

    init?(_ p: PGMPacket) {
        guard case .ack(let a) = p.body,
              case .confirm(let c, let id, let join, let bye, let lost)? = p.options.first(type: PGMOptionType.confirm)?.kind
        else { return nil }
        self.init(rxMax: a.rxMax, bitmap: a.bitmap, confirmed: c, id: id, join: join, bye: bye, lost: lost)
    }

    /// The packet a receiver at some address sends the fixture's source.
    static func packet(confirmed: UInt32, id: UInt32, join: Bool = false, bye: Bool = false, lost: Bool = false)
        -> PGMPacket
    {
        PGMPacket(sourcePort: Fixture.dport, destinationPort: Fixture.sport, gsi: Fixture.gsi,
                  body: .ack(PGMAck(rxMax: confirmed, bitmap: 0)),
                  options: (try? PGMOptions([PGMOption(.confirm(confirmed: confirmed, receiverID: id, join: join,
                                                                 bye: bye, lost: lost))])) ?? PGMOptions())
    }
}

/// Confirmed delivery at a receiver (docs/confirmed-delivery.md, "The rules,
/// exactly", R1-R6).
@Suite("Confirmed delivery, receiver (docs/confirmed-delivery.md R1-R6)")
struct ConfirmReceiverTests {
    typealias F = Fixture
    static let ivl: Int64 = 200_000

    static func receiver(seed: UInt64 = 1) -> ReceiverDriver {
        ReceiverDriver(confirm: ConfirmReceiverParameters(interval: ivl), seed: seed)
    }

    /// The confirm ACKs sent, with when and where.
    static func acks(_ r: ReceiverDriver) -> [(time: VirtualTime, ack: ConfirmACK, to: Destination)] {
        r.sent.compactMap { t, tx in ConfirmACK(tx.packet).map { (t, $0, tx.destination) } }
    }

    /// Runs `r` to `end`, returning every time `advance` ran: with the
    /// session's first SPM in and no repair state, the ticks (the peer's
    /// expiry is further off).
    static func ticks(_ r: inout ReceiverDriver, until end: VirtualTime) -> [VirtualTime] {
        var times: [VirtualTime] = []
        while let d = r.receiver.nextDeadline, d <= end {
            r.now = max(r.now, d)
            times.append(r.now)
            r.receiver.advance(to: r.now, into: &r.out)
            r.collect()
        }
        r.now = end
        return times
    }

    @Test("R1 R6 the first SPM with a path: a JOIN at once, CONFIRMED the window's edge, unicast to the path NLA with a NAK's ports")
    func joinOnFirstSPM() throws {
        var r = Self.receiver()
        r.receive(F.spm(1, trail: 0, lead: 9))
        let sent = Self.acks(r)
        try #require(sent.count == 1)
        #expect(sent[0].time == .zero)
        #expect(sent[0].to == .unicast(F.pathAddress))
        #expect(sent[0].ack.join && !sent[0].ack.bye && !sent[0].ack.lost)
        #expect(sent[0].ack.confirmed == 9)
        #expect(sent[0].ack.rxMax == 9)
        #expect(sent[0].ack.bitmap == 0)
        let p = try #require(r.sent.first?.1.packet)
        #expect(p.sourcePort == F.dport && p.destinationPort == F.sport && p.gsi == F.gsi)
        #expect(p.options.count == 1)
        #expect(!p.options.contains(type: PGMOptionType.pgmccFeedback))
        #expect(r.receiver.statistics.confirmAcksSent == 1)
        #expect(r.receiver.statistics.confirmJoinsSent == 1)
    }

    @Test("R1 no ACK before a path: a session started by data waits for its SPM, then JOINs with next - 1")
    func noACKBeforePath() {
        var r = Self.receiver()
        r.receive(F.odata(10, trail: 10))
        r.receive(F.odata(11, trail: 10))
        r.run(until: F.t(2000))
        #expect(Self.acks(r).isEmpty)
        r.receive(F.spm(1, trail: 10, lead: 11))
        let sent = Self.acks(r)
        #expect(sent.count == 1)
        #expect(sent.first?.ack.join == true)
        #expect(sent.first?.ack.confirmed == 11)
        #expect(sent.first?.time == F.t(2000))
    }

    @Test("R1 R3 ticks are jittered uniformly within [3/4, 5/4] of the interval; idle, every 5th tick sends an ACK",
          arguments: [UInt64(1), 2, 3, 4])
    func idleTicks(seed: UInt64) {
        var r = Self.receiver(seed: seed)
        r.receive(F.spm(1, trail: 0, lead: 9))
        let ticks = Self.ticks(&r, until: F.t(8000))
        #expect(ticks.count >= 30)
        var previous = VirtualTime.zero
        var gaps: Set<Int64> = []
        for t in ticks {
            let gap = t - previous
            #expect(gap >= Self.ivl * 3 / 4 && gap <= Self.ivl * 5 / 4, "tick gap \(gap)")
            gaps.insert(gap)
            previous = t
        }
        // Jittered: not one fixed interval.
        #expect(gaps.count > ticks.count / 2)
        // JOIN at 0, then ticks 5, 10, 15, ...
        let sent = Self.acks(r)
        let expected = [VirtualTime.zero] + stride(from: 4, to: ticks.count, by: 5).map { ticks[$0] }
        #expect(sent.map(\.time) == expected)
        #expect(sent.dropFirst().allSatisfy { !$0.ack.join && !$0.ack.bye && $0.ack.confirmed == 9 })
    }

    @Test("R2 R3 the first tick after data ACKs the new CONFIRMED; progress ACKs every tick, one receiver id throughout")
    func progress() throws {
        var r = Self.receiver()
        r.receive(F.spm(1, trail: 0, lead: 9))
        var sqn: UInt32 = 10
        var deliveredAt: [(VirtualTime, UInt32)] = []
        // ODATA every 10 ms for 3 s: every tick sees CONFIRMED move.
        for ms in stride(from: Int64(10), through: 3000, by: 10) {
            r.run(until: F.t(ms))
            r.receive(F.odata(sqn, trail: 0))
            deliveredAt.append((r.now, sqn))
            sqn += 1
        }
        let sent = Self.acks(r)
        #expect(sent.count >= 12)
        let id = try #require(sent.first?.ack.id)
        #expect(sent.allSatisfy { $0.ack.id == id })
        for (i, a) in sent.enumerated().dropFirst() {
            // CONFIRMED: the last sqn delivered before the tick.
            let last = deliveredAt.last { $0.0 <= a.time }?.1
            #expect(a.ack.confirmed == last)
            #expect(a.ack.rxMax == last)
            #expect(!a.ack.join)
            let gap = a.time - sent[i - 1].time
            #expect(gap >= Self.ivl * 3 / 4 && gap <= Self.ivl * 5 / 4)
        }
    }

    @Test("R4 a loss reported: BYE and LOST with CONFIRMED the first lost - 1, then no more ACKs")
    func lossSaysByeLost() throws {
        var r = ReceiverDriver(parameters: try .with(["NAK_NCF_RETRIES": 2]),
                               confirm: ConfirmReceiverParameters(interval: Self.ivl))
        r.receive(F.spm(1, trail: 0, lead: 9))
        r.receive(F.odata(10, trail: 0))
        r.receive(F.odata(12, trail: 0))
        r.run(until: F.t(5000))
        let loss = try #require(r.events.first { if case .loss = $0.1 { true } else { false } })
        guard case .loss(_, let first, let count) = loss.1 else { return }
        #expect(first.rawValue == 11 && count == 1)
        let byes = Self.acks(r).filter { $0.ack.bye }
        try #require(byes.count == 1)
        #expect(byes[0].ack.lost)
        #expect(byes[0].ack.confirmed == 10)
        #expect(byes[0].time == loss.0)
        // Nothing after it, whatever comes.
        r.receive(F.odata(13, trail: 0))
        r.run(until: F.t(10_000))
        r.close()
        #expect(Self.acks(r).last?.time == loss.0)
        #expect(r.receiver.statistics.confirmLostSent == 1)
        #expect(r.receiver.statistics.confirmByesSent == 1)
    }

    @Test("R5 close(): BYE with CONFIRMED next - 1 for a confirming session, then nothing")
    func byeOnClose() throws {
        var r = Self.receiver()
        r.receive(F.spm(1, trail: 0, lead: 9))
        r.run(until: F.t(50))
        for s in UInt32(10)...12 { r.receive(F.odata(s, trail: 0)) }
        r.close()
        let last = try #require(Self.acks(r).last)
        #expect(last.time == F.t(50))
        #expect(last.ack.bye && !last.ack.lost && !last.ack.join)
        #expect(last.ack.confirmed == 12)
        #expect(last.ack.id == Self.acks(r).first?.ack.id)
        #expect(r.receiver.nextDeadline == nil)
        let count = r.sent.count
        r.receive(F.odata(13, trail: 0))
        r.run(until: F.t(5000))
        #expect(r.sent.count == count)
    }

    @Test("R5 a session that ends (FIN delivered) stops confirming without an ACK; close then sends no BYE")
    func finStopsSilently() {
        var r = Self.receiver()
        r.receive(F.spm(1, trail: 0, lead: 9))
        r.receive(F.odata(10, trail: 0, options: [PGMOption(.fin)]))
        #expect(r.ends == [.finished])
        r.run(until: F.t(3000))
        r.close()
        #expect(Self.acks(r).count == 1)
    }

    @Test("R6 each session draws its own receiver id; with PGMCC the ACK carries PGMCC's bitmap and still no feedback")
    func idsAndPGMCCBitmap() throws {
        var r = ReceiverDriver(pgmcc: PGMCCReceiverParameters(), confirm: ConfirmReceiverParameters(interval: Self.ivl))
        r.receive(F.spm(1, trail: 0, lead: 9))
        let other = TSI(gsi: GSI(9, 9, 9, 9, 9, 9), sourcePort: F.sport)
        let spm2 = PGMPacket(sourcePort: F.sport, destinationPort: F.dport, gsi: other.gsi,
                             body: .spm(PGMSPM(sequence: 1, trailingEdge: 0, leadingEdge: 4, path: F.otherPath)))
        r.receive(spm2, from: .ipv4(IPv4Address(10, 0, 0, 2)))
        let sent = Self.acks(r)
        try #require(sent.count == 2)
        #expect(sent[0].ack.id != sent[1].ack.id)
        #expect(sent[1].to == .unicast(F.otherPath))
        #expect(r.sent[1].1.packet.gsi == other.gsi)
        #expect(sent.allSatisfy { $0.ack.bitmap == 0xFFFF_FFFF })
        #expect(r.sent.allSatisfy { !$0.1.packet.options.contains(type: PGMOptionType.pgmccFeedback) })
    }

    @Test("without confirm a receiver sends no ACK")
    func off() {
        var r = ReceiverDriver()
        r.receive(F.spm(1, trail: 0, lead: 9))
        r.receive(F.odata(10, trail: 0))
        r.run(until: F.t(3000))
        r.close()
        #expect(r.sent.allSatisfy { $0.1.packet.type != .ack })
    }
}

/// Confirmed delivery at a source (docs/confirmed-delivery.md, "The rules,
/// exactly", S1-S8).
@Suite("Confirmed delivery, source (docs/confirmed-delivery.md S1-S8)")
struct ConfirmSourceTests {
    typealias F = Fixture
    static let r1 = PGMNLA.ipv4(IPv4Address(10, 1, 0, 1))
    static let r2 = PGMNLA.ipv4(IPv4Address(10, 1, 0, 2))
    static let r3 = PGMNLA.ipv4(IPv4Address(10, 1, 0, 3))

    static func source(_ confirm: ConfirmSourceParameters = ConfirmSourceParameters(),
                       _ values: [String: UInt32] = [:]) throws -> SourceDriver {
        var v = ["TXW_MAX_RTE": UInt32(100_000_000)]
        for (k, x) in values { v[k] = x }
        return try SourceDriver(parameters: try .with(v), confirm: confirm)
    }

    static func ack(_ s: inout SourceDriver, _ confirmed: UInt32, id: UInt32 = 1, from: PGMNLA = r1,
                    join: Bool = false, bye: Bool = false, lost: Bool = false) {
        s.receive(ConfirmACK.packet(confirmed: confirmed, id: id, join: join, bye: bye, lost: lost), from: from)
    }

    static func sent(_ s: SourceDriver) -> [UInt32] {
        s.packets(.odata).compactMap { if case .odata(let d) = $0.1.body { d.sequence } else { nil } }
    }

    static func state(_ sqn: UInt32?, _ receivers: Int, refused: UInt64 = 0) -> ConfirmedState {
        ConfirmedState(sqn: sqn.map { SequenceNumber($0) }, receivers: receivers, refused: refused)
    }

    @Test("S1 S4 S7 a JOIN adds its receiver; the source's CONFIRMED is its")
    func join() throws {
        var s = try Self.source()
        #expect(s.source.confirmed == Self.state(nil, 0))
        for _ in 0..<3 { try s.send([1]) }
        Self.ack(&s, 1, id: 7, join: true)
        #expect(s.source.confirmed == Self.state(1, 1))
        #expect(s.events.map(\.1) == [.receiverJoined(address: Self.r1, id: 7, confirmed: SequenceNumber(1))])
        #expect(s.source.statistics.confirmAcks == 1)
        #expect(s.source.statistics.confirmJoins == 1)
        #expect(s.source.confirmReceivers.map(\.id) == [7])
    }

    @Test("S4 any ACK of an unknown receiver adds it, JOIN or not; S3 a known one's CONFIRMED moves forward")
    func progress() throws {
        var s = try Self.source()
        for _ in 0..<5 { try s.send([1]) }
        Self.ack(&s, 0)
        #expect(s.source.confirmed == Self.state(0, 1))
        Self.ack(&s, 3)
        #expect(s.source.confirmed == Self.state(3, 1))
        Self.ack(&s, 4)
        #expect(s.source.confirmed == Self.state(4, 1))
        #expect(s.source.statistics.confirmJoins == 1)
        #expect(s.source.statistics.confirmAcks == 3)
    }

    @Test("S1 S7 receivers keyed by (address, id): the least CONFIRMED of all of them")
    func minimum() throws {
        var s = try Self.source()
        for _ in 0..<5 { try s.send([1]) }
        Self.ack(&s, 3, id: 1, from: Self.r1, join: true)
        Self.ack(&s, 1, id: 1, from: Self.r2, join: true)
        Self.ack(&s, 2, id: 2, from: Self.r1, join: true)
        #expect(s.source.confirmed == Self.state(1, 3))
        Self.ack(&s, 4, id: 1, from: Self.r2)
        #expect(s.source.confirmed == Self.state(2, 3))
        Self.ack(&s, 4, id: 2, from: Self.r1)
        #expect(s.source.confirmed == Self.state(3, 3))
    }

    @Test("S7 the minimum in sequence-number order, across the wrap")
    func minimumAcrossWrap() throws {
        var s = try SourceDriver(parameters: try .with(["TXW_MAX_RTE": 100_000_000]), initial: 0xFFFF_FFFE,
                                 confirm: ConfirmSourceParameters())
        for _ in 0..<4 { try s.send([1]) }
        Self.ack(&s, 1, id: 1)
        Self.ack(&s, 0xFFFF_FFFF, id: 2)
        #expect(s.source.confirmed == Self.state(0xFFFF_FFFF, 2))
    }

    @Test("S3 a stale CONFIRMED changes nothing but is counted, and the receiver was heard")
    func stale() throws {
        var s = try Self.source()
        for _ in 0..<5 { try s.send([1]) }
        Self.ack(&s, 3)
        s.run(until: F.t(2000))
        Self.ack(&s, 1)
        #expect(s.source.confirmed == Self.state(3, 1))
        #expect(s.source.statistics.confirmStale == 1)
        // Heard at 2 s: gone 3 s later, not at 3 s.
        s.run(until: F.t(4900))
        #expect(s.source.confirmed.receivers == 1)
        s.run(until: F.t(5000))
        #expect(s.source.confirmed.receivers == 0)
    }

    @Test("S2 a CONFIRMED after the lead is clamped to it and counted; before any ODATA the lead is the first sqn - 1")
    func future() throws {
        var s = try Self.source()
        Self.ack(&s, 5, join: true)
        #expect(s.source.confirmed == Self.state(0xFFFF_FFFF, 1))
        #expect(s.events.map(\.1) == [.receiverJoined(address: Self.r1, id: 1, confirmed: SequenceNumber(0xFFFF_FFFF))])
        for _ in 0..<3 { try s.send([1]) }
        Self.ack(&s, 100)
        #expect(s.source.confirmed == Self.state(2, 1))
        #expect(s.source.statistics.confirmFuture == 2)
    }

    @Test("S3 a BYE removes its receiver (reason bye, or lost with LOST); S4 a BYE of an unknown one is stale")
    func byeAndLost() throws {
        var s = try Self.source()
        for _ in 0..<5 { try s.send([1]) }
        Self.ack(&s, 4, id: 1, join: true)
        Self.ack(&s, 2, id: 2, join: true)
        Self.ack(&s, 1, id: 2, bye: true, lost: true)
        #expect(s.source.confirmed == Self.state(4, 1))
        Self.ack(&s, 4, id: 1, bye: true)
        #expect(s.source.confirmed == Self.state(nil, 0))
        Self.ack(&s, 4, id: 3, bye: true)
        #expect(s.source.confirmed == Self.state(nil, 0))
        #expect(s.events.map(\.1).suffix(2) == [
            .receiverLeft(address: Self.r1, id: 2, reason: .lost), .receiverLeft(address: Self.r1, id: 1, reason: .bye),
        ])
        #expect(s.source.statistics.confirmLeaves == 1)
        #expect(s.source.statistics.confirmLost == 1)
        #expect(s.source.statistics.confirmStale == 1)
        // A removed receiver that comes back joins again.
        Self.ack(&s, 4, id: 1)
        #expect(s.source.confirmed == Self.state(4, 1))
        #expect(s.source.statistics.confirmJoins == 3)
    }

    @Test("S5 a receiver not heard for the expiry is removed (reason expired)")
    func expiry() throws {
        var s = try Self.source(ConfirmSourceParameters(expiry: 1_000_000))
        try s.send([1])
        Self.ack(&s, 0, join: true)
        s.run(until: F.t(999))
        #expect(s.source.confirmed == Self.state(0, 1))
        s.run(until: F.t(1000))
        #expect(s.source.confirmed == Self.state(nil, 0))
        #expect(s.events.last?.1 == .receiverLeft(address: Self.r1, id: 1, reason: .expired))
        #expect(s.events.last?.0 == F.t(1000))
        #expect(s.source.statistics.confirmExpired == 1)
        #expect(s.source.statistics.confirmLeaves == 0)
    }

    @Test("S4 at the maximum a new receiver is refused: counted, reported at most once a second, nothing changes")
    func maximum() throws {
        var s = try Self.source(ConfirmSourceParameters(maximum: 2))
        for _ in 0..<3 { try s.send([1]) }
        Self.ack(&s, 2, id: 1, join: true)
        Self.ack(&s, 1, id: 2, join: true)
        Self.ack(&s, 0, id: 3, join: true)
        #expect(s.source.confirmed == Self.state(1, 2, refused: 1))
        Self.ack(&s, 0, id: 4, from: Self.r2, join: true)
        #expect(s.source.confirmed == Self.state(1, 2, refused: 2))
        s.run(until: F.t(1000))
        Self.ack(&s, 0, id: 3)
        let refusals = s.events.filter { if case .receiverRefused = $0.1 { true } else { false } }
        #expect(refusals.map(\.1) == [.receiverRefused(address: Self.r1, id: 3), .receiverRefused(address: Self.r1, id: 3)])
        #expect(refusals.map(\.0) == [.zero, F.t(1000)])
        #expect(s.source.statistics.confirmRefused == 3)
        #expect(s.source.confirmed.refused == 3)
        // Room again after a BYE.
        Self.ack(&s, 2, id: 2, bye: true)
        Self.ack(&s, 2, id: 3)
        #expect(s.source.confirmed == Self.state(2, 2, refused: 3))
    }

    @Test("S4 an unknown receiver whose CONFIRMED is before trail - 1 is not added (confirm_behind)")
    func behind() throws {
        var s = try Self.source(ConfirmSourceParameters(), ["TXW_SQNS": 4])
        for _ in 0..<10 { try s.send([1]) }
        #expect(s.source.trail == SequenceNumber(6))
        Self.ack(&s, 4, id: 1)
        #expect(s.source.confirmed == Self.state(nil, 0))
        #expect(s.source.statistics.confirmBehind == 1)
        Self.ack(&s, 5, id: 2)
        #expect(s.source.confirmed == Self.state(5, 1))
    }

    @Test("S6 without flow control, the trail passing CONFIRMED + 1 removes the receiver (reason lost)")
    func trailPasses() throws {
        var s = try Self.source(ConfirmSourceParameters(), ["TXW_SQNS": 4])
        for _ in 0..<4 { try s.send([1]) }
        Self.ack(&s, 1, id: 1)
        Self.ack(&s, 3, id: 2)
        try s.send([1])  // trail 1
        try s.send([1])  // trail 2 = CONFIRMED + 1: still repairable
        #expect(s.source.confirmed == Self.state(1, 2))
        try s.send([1])  // trail 3
        #expect(s.source.confirmed == Self.state(3, 1))
        #expect(s.events.last?.1 == .receiverLeft(address: Self.r1, id: 1, reason: .lost))
        #expect(s.source.statistics.confirmLost == 1)
        #expect(s.source.statistics.confirmLeaves == 0)
    }

    @Test("S8 flow control: ODATA that would move the trail past CONFIRMED + 1 waits, counted once per wait; progress lets it go")
    func flowProgress() throws {
        var s = try Self.source(ConfirmSourceParameters(flow: true), ["TXW_SQNS": 4])
        Self.ack(&s, 0xFFFF_FFFF, join: true)
        for _ in 0..<10 { try s.send([1]) }
        #expect(Self.sent(s) == [0, 1, 2, 3])
        #expect(s.source.statistics.flowLimited == 1)
        // Pumping again (SPMs, timers) while waiting counts nothing.
        s.run(until: F.t(500))
        #expect(s.source.statistics.flowLimited == 1)
        Self.ack(&s, 1)
        #expect(Self.sent(s) == [0, 1, 2, 3, 4, 5])
        #expect(s.source.trail == SequenceNumber(2))
        #expect(s.source.statistics.flowLimited == 2)
        // A second receiver, further behind, holds it alone.
        Self.ack(&s, 1, id: 2)
        Self.ack(&s, 5)
        #expect(Self.sent(s).count == 6)
        Self.ack(&s, 3, id: 2)
        #expect(Self.sent(s) == Array(0...7))
        #expect(!s.events.contains { if case .receiverLeft = $0.1 { true } else { false } })
    }

    @Test("S8 the receiver's removal lets ODATA go: expiry, or BYE")
    func flowRemoval() throws {
        var s = try Self.source(ConfirmSourceParameters(expiry: 1_000_000, flow: true), ["TXW_SQNS": 4])
        Self.ack(&s, 0xFFFF_FFFF, id: 1, join: true)
        Self.ack(&s, 0xFFFF_FFFF, id: 2, join: true)
        for _ in 0..<10 { try s.send([1]) }
        #expect(Self.sent(s).count == 4)
        Self.ack(&s, 0xFFFF_FFFF, id: 1, bye: true)
        #expect(Self.sent(s).count == 4)
        s.run(until: F.t(999))
        #expect(Self.sent(s).count == 4)
        s.run(until: F.t(1000))
        #expect(Self.sent(s) == Array(0...9))
        #expect(s.packets(.odata).last?.0 == F.t(1000))
        #expect(s.source.statistics.flowLimited == 1)
    }

    @Test("S8 TXW_SECS ageing stops at CONFIRMED + 1 too, and goes on when it moves")
    func flowAgeing() throws {
        var s = try Self.source(ConfirmSourceParameters(flow: true), ["TXW_SECS_MS": 500])
        Self.ack(&s, 0xFFFF_FFFF, join: true)
        for _ in 0..<3 { try s.send([1]) }
        s.run(until: F.t(900))
        Self.ack(&s, 0xFFFF_FFFF)
        s.run(until: F.t(1800))
        #expect(s.source.trail == SequenceNumber(0))
        Self.ack(&s, 1)
        s.run(until: F.t(1801))
        #expect(s.source.trail == SequenceNumber(2))
        #expect(s.source.confirmed == Self.state(1, 1))
    }

    @Test("S1 a source without confirm ignores OPT_CONFIRM; with PGMCC too, PGMCC counts the ACK as without feedback")
    func offAndPGMCC() throws {
        var off = try SourceDriver(parameters: try .with(["TXW_MAX_RTE": 100_000_000]))
        try off.send([1])
        Self.ack(&off, 0, join: true)
        #expect(off.source.confirmed == Self.state(nil, 0))
        #expect(off.source.statistics.confirmAcks == 0)
        var both = try SourceDriver(parameters: try .with(["TXW_MAX_RTE": 100_000_000]),
                                    pgmcc: PGMCCSourceParameters(), confirm: ConfirmSourceParameters())
        try both.send([1])
        Self.ack(&both, 0, join: true)
        #expect(both.source.confirmed == Self.state(0, 1))
        #expect(both.source.pgmccState?.statistics.acksWithoutFeedback == 1)
    }
}

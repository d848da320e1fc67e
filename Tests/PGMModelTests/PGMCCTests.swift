import PGMModel
import PGMTypes
import PGMWire
import Testing

/// PGMCC at a receiver (draft-ietf-rmt-bb-pgmcc-03, sections 2.3, 2.5, 2.6
/// and 4): the loss rate, the echoed timestamp, ACKs as the acker and in an
/// election, OPT_PGMCC_FEEDBACK on NAKs.
@Suite("PGMCC receiver (draft-ietf-rmt-bb-pgmcc-03)")
struct PGMCCReceiverTests {
    typealias F = Fixture
    static let other = PGMNLA.ipv4(IPv4Address(10, 1, 0, 9))
    static let nobody = PGMNLA.ipv4(IPv4Address(rawValue: 0))

    static func data(_ sqn: UInt32, ts: UInt32, acker: PGMNLA, rdata: Bool = false) -> PGMPacket {
        F.odata(sqn, options: [PGMOption(.pgmccData(timestamp: ts, acker: acker))], rdata: rdata)
    }

    /// A PGMCC receiver that has the session's first SPM (its path NLA).
    static func started(_ cc: PGMCCReceiverParameters = PGMCCReceiverParameters(), seed: UInt64 = 1)
        throws -> ReceiverDriver
    {
        var r = ReceiverDriver(parameters: try .with([:]), pgmcc: cc, seed: seed)
        r.receive(F.spm(1, trail: 0, lead: 0xFFFF_FFFF))
        return r
    }

    /// The ACKs sent: RX_MAX, ACK_BITMAP, the feedback, where they went.
    struct SentACK: Equatable {
        var rxMax: UInt32, bitmap: UInt32, timestamp: UInt32, loss: UInt16, receiver: PGMNLA
        var destination: Destination
    }

    static func acks(_ r: ReceiverDriver) -> [SentACK] {
        r.sent.compactMap { _, t -> SentACK? in
            guard case .ack(let a) = t.packet.body, let f = feedback(t.packet) else { return nil }
            return SentACK(rxMax: a.rxMax, bitmap: a.bitmap, timestamp: f.timestamp, loss: f.loss,
                           receiver: f.receiver, destination: t.destination)
        }
    }

    static func feedback(_ p: PGMPacket) -> (timestamp: UInt32, loss: UInt16, receiver: PGMNLA)? {
        guard case .pgmccFeedback(let ts, let loss, let nla)? = p.options.first(type: PGMOptionType.pgmccFeedback)?.kind
        else { return nil }
        return (ts, loss, nla)
    }

    @Test("§4 the acker ACKs each new data packet at once: RX_MAX, the bitmap of the last 32, its loss rate (§2.6)")
    func ackerAcks() throws {
        var r = try Self.started()
        r.receive(Self.data(0, ts: 1000, acker: F.receiverAddress))
        r.now = F.t(10)
        r.receive(Self.data(2, ts: 1010, acker: F.receiverAddress))
        r.now = F.t(20)
        r.receive(Self.data(1, ts: 1020, acker: F.receiverAddress, rdata: true))
        r.receive(Self.data(2, ts: 1030, acker: F.receiverAddress))  // a duplicate: no ACK
        let path = Destination.unicast(F.pathAddress)
        // Loss filter, c_p = 500/65536: 0 received (p 0), 1 lost (p 500),
        // 2 received (p = (65036 x 500 + 32768) >> 16 = 496); the repair of
        // 1 sets its bit and leaves p alone.
        #expect(Self.acks(r) == [
            SentACK(rxMax: 0, bitmap: 0xFFFF_FFFF, timestamp: 1000, loss: 0, receiver: F.receiverAddress,
                    destination: path),
            SentACK(rxMax: 2, bitmap: 0xFFFF_FFFD, timestamp: 1010, loss: 496, receiver: F.receiverAddress,
                    destination: path),
            SentACK(rxMax: 2, bitmap: 0xFFFF_FFFF, timestamp: 1020, loss: 496, receiver: F.receiverAddress,
                    destination: path),
        ])
        #expect(r.receiver.statistics.acksSent == 3)
        let ack = try #require(r.sent.first { $0.1.packet.type == .ack }?.1.packet)
        #expect(ack.tsi == F.tsi && ack.sourcePort == F.dport && ack.destinationPort == F.sport)
    }

    @Test("§2.5.1 a NAK echoes the newest timestamp plus the milliseconds since it came, with the loss rate")
    func nakFeedback() throws {
        var r = try Self.started()
        r.receive(Self.data(0, ts: 5000, acker: Self.other))
        r.now = F.t(3)
        r.receive(Self.data(2, ts: 5003, acker: Self.other))
        r.run(until: F.t(200))
        let nak = try #require(r.naks.first)
        let fb = try #require(Self.feedback(nak.1))
        let elapsed = (nak.0.rawValue - F.t(3).rawValue) / 1000
        #expect(fb.timestamp == 5003 + UInt32(elapsed))
        #expect(fb.loss == 496 && fb.receiver == F.receiverAddress)
        #expect(F.sequences(nak.1) == [1])
        #expect(Self.acks(r).isEmpty)
    }

    @Test("§2.3 an election (no acker named) is answered once after a random back-off; an acker named meanwhile cancels it")
    func election() throws {
        let cc = PGMCCReceiverParameters(electionBackOff: 50_000)
        var r = try Self.started(cc)
        r.receive(Self.data(0, ts: 1, acker: Self.nobody))
        r.receive(Self.data(1, ts: 2, acker: Self.nobody))
        #expect(Self.acks(r).isEmpty)
        r.run(until: F.t(100))
        let sent = r.sent.filter { $0.1.packet.type == .ack }
        #expect(sent.count == 1)
        #expect(try #require(sent.first).0 < F.t(50))
        #expect(Self.acks(r).first?.rxMax == 1)

        var c = try Self.started(cc)
        c.receive(Self.data(0, ts: 1, acker: Self.nobody))
        c.receive(Self.data(1, ts: 2, acker: Self.other))
        c.run(until: F.t(100))
        #expect(Self.acks(c).isEmpty)
    }

    @Test("a receiver without PGMCC neither ACKs nor adds feedback; one with PGMCC adds none for a source without it")
    func off() throws {
        var r = ReceiverDriver(parameters: try .with([:]))
        r.receive(F.spm(1, trail: 0, lead: 0xFFFF_FFFF))
        r.receive(Self.data(0, ts: 1, acker: F.receiverAddress))
        r.receive(Self.data(2, ts: 2, acker: F.receiverAddress))
        r.run(until: F.t(200))
        #expect(r.sent.allSatisfy { $0.1.packet.type != .ack })
        #expect(try Self.feedback(#require(r.naks.first).1) == nil)

        var p = try Self.started()
        p.receive(F.odata(0))
        p.receive(F.odata(2))
        p.run(until: F.t(200))
        #expect(try Self.feedback(#require(p.naks.first).1) == nil)
        #expect(p.receiver.statistics.acksSent == 0)
    }

    @Test("an ACK due before any SPM named the path NLA is counted, not sent")
    func noPath() throws {
        var r = ReceiverDriver(parameters: try .with([:]), pgmcc: PGMCCReceiverParameters())
        r.receive(Self.data(0, ts: 1, acker: F.receiverAddress))
        #expect(r.sent.allSatisfy { $0.1.packet.type != .ack })
        #expect(r.receiver.statistics.acksWithoutPath == 1)
    }

    @Test("§2.6 the loss rate rises towards 1 with each packet lost and is 16 bits on the wire (65535 for 1)")
    func lossBounds() throws {
        var r = try Self.started(PGMCCReceiverParameters(lossWeight: 40_000))
        r.receive(Self.data(0, ts: 1, acker: F.receiverAddress))
        r.receive(Self.data(40, ts: 2, acker: F.receiverAddress))
        // 39 lost drive p to 1 (65536); 40 received: (25536 x 65536 + 32768) >> 16.
        let last = try #require(Self.acks(r).last)
        #expect(last.bitmap == 1 && last.loss == 25_536)
        // An SPM's lead 40 further: all lost, p at 1, sent as 65535.
        r.receive(F.spm(2, trail: 0, lead: 80))
        r.run(until: F.t(300))
        let nak = try #require(r.naks.first)
        #expect(Self.feedback(nak.1)?.loss == 65_535)
        #expect(PGMCCReceiverParameters(lossWeight: 1 << 20).lossWeight == 65_536)
    }
}

/// PGMCC at a source (draft-ietf-rmt-bb-pgmcc-03, sections 2.2-2.4, 2.7, 3).
@Suite("PGMCC source (draft-ietf-rmt-bb-pgmcc-03)")
struct PGMCCSourceTests {
    typealias F = Fixture
    static let one = PGMCCSourceState.one
    static let r1 = PGMNLA.ipv4(IPv4Address(10, 1, 0, 1))
    static let r2 = PGMNLA.ipv4(IPv4Address(10, 1, 0, 2))

    /// A source with PGMCC and no rate limit that matters, `n` APDUs queued.
    static func source(_ n: Int, _ cc: PGMCCSourceParameters = PGMCCSourceParameters()) throws -> SourceDriver {
        var s = try SourceDriver(parameters: try .with(["TXW_MAX_RTE": 100_000_000]), pgmcc: cc)
        for i in 0..<n { try s.send([UInt8(truncatingIfNeeded: i)]) }
        return s
    }

    static func ack(_ rxMax: UInt32, bitmap: UInt32 = 0xFFFF_FFFF, ts: UInt32, loss: UInt16 = 0,
                    from: PGMNLA = r1) -> PGMPacket {
        PGMPacket(sourcePort: F.dport, destinationPort: F.sport, gsi: F.gsi,
                  body: .ack(PGMAck(rxMax: rxMax, bitmap: bitmap)),
                  options: (try? PGMOptions([PGMOption(.pgmccFeedback(timestamp: ts, lossRate: loss, receiver: from))]))
                      ?? PGMOptions())
    }

    static func nak(_ sqn: UInt32, ts: UInt32, loss: UInt16, from: PGMNLA) -> PGMPacket {
        PGMPacket(sourcePort: F.dport, destinationPort: F.sport, gsi: F.gsi,
                  body: .nak(PGMNak(sequence: sqn, source: F.sourceAddress, group: F.group)),
                  options: (try? PGMOptions([PGMOption(.pgmccFeedback(timestamp: ts, lossRate: loss, receiver: from))]))
                      ?? PGMOptions())
    }

    static func odataSequences(_ s: SourceDriver) -> [UInt32] {
        s.packets(.odata).compactMap { if case .odata(let d) = $0.1.body { d.sequence } else { nil } }
    }

    static func acker(_ p: PGMPacket) -> PGMNLA? {
        if case .pgmccData(_, let a)? = p.options.first(type: PGMOptionType.pgmccData)?.kind { return a }
        return nil
    }

    @Test("§3 W = T = 1 at the start: one ODATA, naming no acker (an election), then nothing until an ACK")
    func start() throws {
        let s = try Self.source(10)
        #expect(Self.odataSequences(s) == [0])
        let first = try #require(s.packets(.odata).first?.1)
        #expect(Self.acker(first) == .ipv4(IPv4Address(rawValue: 0)))
        #expect(s.source.pgmccState?.window == Self.one)
        #expect(s.source.pgmccState?.statistics.windowLimited == 1)
    }

    @Test("§2.3.1 the first feedback elects its receiver; §2.2 slow start opens the window two packets per ACK up to SSTHRESH")
    func electionAndSlowStart() throws {
        var s = try Self.source(40)
        s.run(until: F.t(10))
        s.receive(Self.ack(0, ts: 0))
        // Elected (T + 1); its ACK of 0 opens W 1 -> 2 with 2 tokens, T at
        // most W: two packets.
        #expect(s.source.pgmccState?.acker == Self.r1)
        #expect(s.source.pgmccState?.statistics.ackerChanges == 1)
        #expect(Self.odataSequences(s) == [0, 1, 2])
        #expect(Self.acker(try #require(s.packets(.odata).last?.1)) == Self.r1)
        s.run(until: F.t(20))
        s.receive(Self.ack(1, ts: 10))
        s.run(until: F.t(21))
        s.receive(Self.ack(2, ts: 10))
        // W 2 -> 3 -> 4 (SSTHRESH), two packets per ACK.
        #expect(s.source.pgmccState?.window == 4 * Self.one)
        #expect(Self.odataSequences(s) == Array(0...6))
        // Past SSTHRESH, linear: one ACK adds 1/W to W.
        s.run(until: F.t(22))
        s.receive(Self.ack(3, ts: 10))
        #expect(s.source.pgmccState?.window == 4 * Self.one + Self.one / 4)
    }

    /// ACKs every packet sent, in order, 1 ms apart, until W reaches `w` packets.
    static func open(_ s: inout SourceDriver, to w: Int64) throws -> UInt32 {
        s.run(until: F.t(10))
        var rx: UInt32 = 0
        s.receive(Self.ack(rx, ts: 0))
        while let cw = s.source.pgmccState?.window, cw < w * Self.one {
            rx += 1
            try #require(rx <= s.source.lead.rawValue)
            s.run(until: s.now + Int64(1000))
            s.receive(Self.ack(rx, ts: UInt32(s.now.rawValue / 1000) - 5))
        }
        return rx
    }

    @Test("§2.2 an ACK showing a packet unacknowledged with three newer ones acknowledged halves the window, then one RTT without changes")
    func lossHalves() throws {
        var s = try Self.source(200)
        let rx = try Self.open(&s, to: 8)
        let w = try #require(s.source.pgmccState?.window)
        let lead = s.source.lead.rawValue
        #expect(lead >= rx + 6)
        // rx + 1 lost, rx + 2 ... rx + 4 received.
        s.run(until: s.now + Int64(1000))
        s.receive(Self.ack(rx + 4, bitmap: 0xFFFF_FFF7, ts: 10))
        let cc = try #require(s.source.pgmccState)
        #expect(cc.statistics.congestionEvents == 1)
        #expect(cc.window == w / 2)
        // T - W/2 as the draft has it, below zero when the packets in
        // flight are more than the new window: the ACKs to come repay it
        // before anything leaves (not floored at 0, which would leave the
        // packets in flight, and so the rate, as they were).
        #expect(cc.tokens < 0)
        // ACKs up to the lead at the loss change tokens, not the window.
        s.run(until: s.now + Int64(1000))
        s.receive(Self.ack(rx + 5, ts: 10))
        #expect(s.source.pgmccState?.window == w / 2)
        // Past it, the window opens again.
        s.run(until: s.now + Int64(1000))
        s.receive(Self.ack(lead + 1, ts: 10))
        #expect(try #require(s.source.pgmccState?.window) > w / 2)
        #expect(s.source.pgmccState?.statistics.congestionEvents == 1)
    }

    @Test("§2.3 feedback from a receiver slower by the equation (T_i < 3/4 T_acker) takes over; a little slower does not")
    func ackerSwitch() throws {
        var s = try Self.source(20)
        s.run(until: F.t(100))
        s.receive(Self.ack(0, ts: 90, loss: 1000))  // r1: RTT 10 ms, p 1000/65536
        #expect(s.source.pgmccState?.acker == Self.r1)
        // r2, the same RTT, a little more loss: within the hysteresis.
        s.receive(Self.nak(0, ts: 90, loss: 1100, from: Self.r2))
        #expect(s.source.pgmccState?.acker == Self.r1)
        // r2 with four times the RTT: M^2 sixteen times r1's.
        s.receive(Self.nak(0, ts: 60, loss: 1000, from: Self.r2))
        #expect(s.source.pgmccState?.acker == Self.r2)
        #expect(s.source.pgmccState?.statistics.ackerChanges == 2)
        // r1's ACKs no longer move the window; r2's do, and data names r2.
        let sent = Self.odataSequences(s).count
        s.run(until: F.t(110))
        s.receive(Self.ack(1, ts: 100, loss: 1000, from: Self.r1))
        #expect(Self.odataSequences(s).count == sent)
        s.receive(Self.ack(1, ts: 70, loss: 1000, from: Self.r2))
        #expect(Self.odataSequences(s).count > sent)
        #expect(Self.acker(try #require(s.packets(.odata).last?.1)) == Self.r2)
    }

    @Test("feedback naming another receiver than the packet's sender is counted and not taken: it neither elects nor opens the window")
    func foreignFeedback() throws {
        var s = try Self.source(20)
        s.run(until: F.t(10))
        // r2 sends ACKs and NAKs claiming to be r1.
        s.receive(Self.ack(0, ts: 0), from: Self.r2)
        s.receive(Self.nak(0, ts: 0, loss: 60_000, from: Self.r1), from: Self.r2)
        var cc = try #require(s.source.pgmccState)
        #expect(cc.statistics.feedbackForeign == 2)
        #expect(cc.statistics.acksReceived == 0)
        #expect(cc.statistics.feedbackNAKs == 0)
        #expect(cc.acker == nil)
        #expect(Self.odataSequences(s) == [0])
        // r1 itself is elected.
        s.receive(Self.ack(0, ts: 0))
        cc = try #require(s.source.pgmccState)
        #expect(cc.acker == Self.r1)
        #expect(Self.odataSequences(s) == [0, 1, 2])
    }

    @Test("§2.4 M^2 grows with the RTT squared and with the loss rate; 0 without loss")
    func equation() {
        let m = PGMCCSourceState.inverseThroughputSquared
        #expect(m(100, 0) == 0)
        #expect(m(20, 1000) == 4 * m(10, 1000))
        #expect(m(10, 2000) > 2 * m(10, 1000))
        #expect(m(40_000, 65_535) == m(32_767, 65_535))
    }

    @Test("§2.7 no ACK within the timeout: W = T = 1; the second in a row ends the acker's term and the next data calls an election")
    func timeouts() throws {
        var s = try Self.source(50, PGMCCSourceParameters(initialTimeout: 1_000_000))
        s.now = F.t(10)
        s.receive(Self.ack(0, ts: 0))
        s.receive(Self.ack(1, ts: 10))
        let before = Self.odataSequences(s).count
        s.run(until: F.t(5_000))
        let cc = try #require(s.source.pgmccState)
        #expect(cc.statistics.timeouts >= 2)
        #expect(cc.acker == nil)
        #expect(cc.window == Self.one)
        // After each timeout one token: one packet more each, the last naming nobody.
        #expect(Self.odataSequences(s).count > before)
        #expect(Self.acker(try #require(s.packets(.odata).last?.1)) == .ipv4(IPv4Address(rawValue: 0)))
    }

    @Test("§2.7 a halving that leaves no token with everything acknowledged and nothing queued still arms the timeout, which gives one back")
    func timeoutWithoutSend() throws {
        // Five APDUs: the window sends them all, none waits for a token.
        var s = try Self.source(5)
        s.run(until: F.t(10))
        s.receive(Self.ack(0, ts: 10))                        // elected: W 2, T 2 -> sqns 1, 2
        s.receive(Self.ack(2, bitmap: 0xFFFF_FFFD, ts: 10))  // 1 missing: W 3 -> sqns 3, 4
        #expect(Self.odataSequences(s) == [0, 1, 2, 3, 4])
        s.receive(Self.ack(4, bitmap: 0xFFFF_FFF7, ts: 10))  // a loss with 4 acknowledged: T < 0
        var cc = try #require(s.source.pgmccState)
        #expect(cc.statistics.congestionEvents == 1)
        #expect(cc.tokens < 0)
        // The RTT is 0: the timeout is the shortest, 200 ms.
        s.run(until: s.now + Int64(250_000))
        cc = try #require(s.source.pgmccState)
        #expect(cc.statistics.timeouts == 1)
        #expect(cc.tokens == Self.one)
    }

    @Test("§2.7 an acker claiming an RTT of 1,000 s (an old echo) cannot stop the timeouts: the RTT counts as 32.767 s and a timeout comes within 60 s")
    func forgedRTTBounded() throws {
        var s = try Self.source(20)
        s.run(until: F.t(1_000_000))
        // The echo of a timestamp 1,000 s old.
        s.receive(Self.ack(0, ts: 0))
        let cc = try #require(s.source.pgmccState)
        #expect(cc.acker == Self.r1)
        // The acker goes quiet; packets wait for its ACK.
        s.run(until: s.now + PGMCCSourceState.maximumTimeout + Int64(1_000_000))
        #expect(try #require(s.source.pgmccState).statistics.timeouts > cc.statistics.timeouts)
    }

    @Test("a source without PGMCC adds no OPT_PGMCC_DATA and takes no notice of ACKs")
    func off() throws {
        var s = try SourceDriver(parameters: try .with(["TXW_MAX_RTE": 100_000_000]))
        for i in 0..<10 { try s.send([UInt8(i)]) }
        #expect(Self.odataSequences(s).count == 10)
        #expect(s.packets(.odata).allSatisfy { Self.acker($0.1) == nil })
        s.receive(Self.ack(9, ts: 0))
        #expect(s.source.pgmccState == nil)
    }

    @Test("RDATA carries OPT_PGMCC_DATA too, and repairs wait for no token")
    func repairs() throws {
        var s = try Self.source(10)
        s.now = F.t(10)
        s.receive(Self.ack(0, ts: 0))
        s.receive(Self.nak(1, ts: 5, loss: 100, from: Self.r1))
        s.run(until: F.t(200))
        let rdata = try #require(s.packets(.rdata).first?.1)
        #expect(Self.acker(rdata) == Self.r1)
    }
}

@Suite("PGMCC in the simulation")
struct PGMCCSimulationTests {
    static func run(loss: Double, pgmcc: Bool) throws -> SimulationReport {
        var c = SimulationConfiguration()
        c.receivers = 3
        c.messages = 1500
        c.messageSize = 1000
        c.downstream = LinkModel(loss: loss == 0 ? .none : .bernoulli(loss), delay: 10_000)
        c.upstream = LinkModel(delay: 10_000)
        c.verifyContent = true
        c.pgmcc = pgmcc ? PGMCCSourceParameters() : nil
        var sim = try Simulation(c)
        return sim.run()
    }

    @Test("§2.2 a PGMCC stream through 2% loss arrives whole, clocked by ACKs: the window halves on loss and the transfer takes longer than the rate limit alone")
    func lossyStream() throws {
        let cc = try Self.run(loss: 0.02, pgmcc: true)
        let plain = try Self.run(loss: 0.02, pgmcc: false)
        #expect(cc.deliveredPercent == 100 && cc.isConsistent && cc.receiversFinished == 3)
        #expect(cc.acksSent > 1000)
        #expect(cc.congestionEvents > 0 && cc.windowLimited > 0)
        #expect(cc.ackerChanges >= 1)
        #expect(cc.endTimeus > 2 * plain.endTimeus)
        #expect(plain.acksSent == 0 && plain.ackerChanges == 0)
    }

    @Test("§2.2 without loss the window only opens: no halving, and it ends above SSTHRESH")
    func cleanStream() throws {
        let cc = try Self.run(loss: 0, pgmcc: true)
        #expect(cc.deliveredPercent == 100 && cc.isConsistent)
        #expect(cc.congestionEvents == 0 && cc.pgmccTimeouts == 0)
        #expect(cc.finalWindow > 4)
    }
}

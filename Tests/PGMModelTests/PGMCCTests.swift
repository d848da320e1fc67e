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
            guard case .ack(let a) = t.packet.body,
                  case .pgmccFeedback(let ts, let loss, let nla)? =
                    t.packet.options.first(type: PGMOptionType.pgmccFeedback)?.kind
            else { return nil }
            return SentACK(rxMax: a.rxMax, bitmap: a.bitmap, timestamp: ts, loss: loss, receiver: nla,
                           destination: t.destination)
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

import PGMWire

// PGMCC, the receiver's part (draft-ietf-rmt-bb-pgmcc-03, section 4): a
// receiver measures its loss rate (section 2.6), echoes the source's
// timestamps (section 2.5.1), answers as the ACKER when a data packet names
// it (or, in an election, after a random back-off: section 2.3), and adds
// OPT_PGMCC_FEEDBACK to its NAKs (section 2.1.2). The source's part (acker
// selection, the window and tokens) comes with it in issue #21.

/// What a receiver taking part in PGMCC uses.
public struct PGMCCReceiverParameters: Hashable, Sendable {
    /// c_p of the draft's loss filter (section 2.6), in 1/65536: how much one
    /// packet, received or lost, moves the loss rate. The draft's experiments
    /// used 500/65536, the default.
    public var lossWeight: UInt32
    /// An acker election (OPT_PGMCC_DATA naming no acker) is answered after
    /// a random wait, uniform on [0, this) µs, so that not every receiver
    /// answers at once (section 2.3). 0 answers at once.
    public var electionBackOff: Int64

    public init(lossWeight: UInt32 = 500, electionBackOff: Int64 = 50_000) {
        self.lossWeight = min(lossWeight, PGMCCLoss.one)
        self.electionBackOff = max(0, electionBackOff)
    }
}

/// The draft's loss rate p (section 2.6) in 16.16 fixed point, 0 to 1: an
/// exponentially weighted moving average of x_i, 1 for a packet lost and 0
/// for one received, in the order the window meets them.
public struct PGMCCLoss: Hashable, Sendable {
    /// 1.0.
    public static let one: UInt32 = 1 << 16
    /// p, 0 ... `one`.
    public private(set) var value: UInt32 = 0
    let weight: UInt32

    init(weight: UInt32) { self.weight = weight }

    /// p_i = c_p x_i + (1 - c_p) p_{i-1}, rounded to the nearest 1/65536.
    mutating func note(lost: Bool) {
        let keep = (UInt64(Self.one - weight) * UInt64(value) + 0x8000) >> 16
        value = UInt32(keep) + (lost ? weight : 0)
        if value > Self.one { value = Self.one }
    }

    /// The 16-bit LOSS RATE of the feedback (section 2.1.3): 0 is none,
    /// 65535 is all.
    public var wire: UInt16 { UInt16(min(value, 0xFFFF)) }
}

/// One session's PGMCC state at a receiver.
struct PeerPGMCC: Sendable {
    var loss: PGMCCLoss
    /// ACK_BITMAP: bit 0 is RX_MAX (the window's lead), bit n is RX_MAX - n.
    var bitmap: UInt32 = 0xFFFF_FFFF
    /// The timestamp of the newest OPT_PGMCC_DATA, and when it came.
    var timestamp: UInt32?
    var timestampAt: VirtualTime = .never
    /// An election answer waiting for its back-off.
    var electionDeadline: VirtualTime = .never

    init(weight: UInt32) { loss = PGMCCLoss(weight: weight) }

    /// The window's lead moved on by one sequence number, received or not.
    mutating func advance(received: Bool) {
        bitmap = bitmap << 1 | (received ? 1 : 0)
        loss.note(lost: !received)
    }

    /// A sequence number `behind` the lead that was missing arrived (a
    /// repair, or data late): its bit is set. The loss rate keeps the loss:
    /// the network lost the original transmission (section 2.6).
    mutating func repaired(behind: UInt32) {
        if behind < 32 { bitmap |= 1 << behind }
    }

    /// TIMESTAMP of feedback sent at `now`: the echoed one plus the time
    /// since it came, in its unit, milliseconds (section 2.5.1).
    func echo(at now: VirtualTime) -> UInt32? {
        guard let timestamp else { return nil }
        let ms = max(0, now.rawValue - timestampAt.rawValue) / 1000
        return timestamp &+ UInt32(truncatingIfNeeded: ms)
    }
}

extension PGMNLA {
    /// 0.0.0.0 or ::, which in OPT_PGMCC_DATA's acker field calls an election.
    var isUnspecified: Bool {
        switch self {
        case .ipv4(let a): return a.rawValue == 0
        case .ipv6(let a): return a.high == 0 && a.low == 0
        }
    }
}

extension Peer {
    /// OPT_PGMCC_DATA of ODATA or RDATA that took a slot (section 4, "on
    /// DATA packet reception"): the timestamp recorded; an ACK now when it
    /// names this receiver, after a random back-off in an election; a
    /// pending election answer dropped when it names another.
    mutating func onPGMCCData(_ options: PGMOptions, now: VirtualTime, ctx: inout ReceiverContext,
                              out: inout Outbox<ReceiverEvent>) {
        guard let params = ctx.pgmcc, var cc = pgmcc,
              case .pgmccData(let ts, let acker)? = options.first(type: PGMOptionType.pgmccData)?.kind
        else { return }
        cc.timestamp = ts
        cc.timestampAt = now
        if acker == ctx.address {
            cc.electionDeadline = .never
            pgmcc = cc
            sendACK(now: now, ctx: &ctx, out: &out)
            return
        }
        if acker.isUnspecified {
            if cc.electionDeadline == .never {
                let wait = params.electionBackOff > 0 ? Int64(ctx.rng.below(UInt64(params.electionBackOff))) : 0
                cc.electionDeadline = now + wait
            }
        } else {
            cc.electionDeadline = .never
        }
        pgmcc = cc
        if cc.electionDeadline <= now { onPGMCCTimer(now: now, ctx: &ctx, out: &out) }
    }

    /// The election answer, when its back-off ran out.
    mutating func onPGMCCTimer(now: VirtualTime, ctx: inout ReceiverContext, out: inout Outbox<ReceiverEvent>) {
        guard var cc = pgmcc, cc.electionDeadline <= now else { return }
        cc.electionDeadline = .never
        pgmcc = cc
        sendACK(now: now, ctx: &ctx, out: &out)
    }

    /// An ACK (type 0x0D): RX_MAX, ACK_BITMAP and OPT_PGMCC_FEEDBACK,
    /// unicast to the session's path NLA as NAKs go. Without an SPM's path
    /// yet there is nowhere to send it: counted, not sent.
    func sendACK(now: VirtualTime, ctx: inout ReceiverContext, out: inout Outbox<ReceiverEvent>) {
        guard let cc = pgmcc, let path else {
            ctx.statistics.acksWithoutPath += 1
            return
        }
        var options = PGMOptions()
        if let f = feedbackOption(now: now, ctx: ctx), let o = try? PGMOptions([f]) { options = o }
        let packet = PGMPacket(sourcePort: port, destinationPort: tsi.sourcePort, gsi: tsi.gsi,
                               body: .ack(PGMAck(rxMax: lead.rawValue, bitmap: cc.bitmap)), options: options)
        out.packets.append(Transmission(packet: packet, destination: .unicast(path)))
        ctx.statistics.acksSent += 1
    }

    /// OPT_PGMCC_FEEDBACK for an ACK or a NAK at `now`: the echoed
    /// timestamp, this receiver's loss rate and address. Nil until the
    /// session's data carried OPT_PGMCC_DATA (its source runs PGMCC).
    func feedbackOption(now: VirtualTime, ctx: ReceiverContext) -> PGMOption? {
        guard let cc = pgmcc, let ts = cc.echo(at: now) else { return nil }
        return PGMOption(.pgmccFeedback(timestamp: ts, lossRate: cc.loss.wire, receiver: ctx.address))
    }
}

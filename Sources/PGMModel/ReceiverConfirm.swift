import PGMWire

// Confirmed delivery, the receiver's part (docs/confirmed-delivery.md, "The
// rules, exactly", R1-R6; R7, the NAK credit, is the kernel's alone): a
// session with a window and a path NLA tells its source how far it has
// everything, in ACKs (type 0x0D, as PGMCC's) carrying OPT_CONFIRM, unicast
// to the path NLA as NAKs go.

/// What a confirming receiver uses (the kernel's `PGM_CONFIRM`).
public struct ConfirmReceiverParameters: Hashable, Sendable {
    /// The shortest and longest interval the kernel takes, µs.
    public static let intervalRange: ClosedRange<Int64> = 10_000...60_000_000

    /// The interval between ticks, µs; each tick is jittered uniformly on
    /// [3/4, 5/4] of it (R1, R3). Clamped to `intervalRange`.
    public var interval: Int64

    public init(interval: Int64 = 200_000) {
        self.interval = min(max(interval, Self.intervalRange.lowerBound), Self.intervalRange.upperBound)
    }
}

/// One session's confirming state at a receiver.
struct PeerConfirm: Sendable {
    enum State: UInt8 {
        /// Not yet: the session lacks a window or a path NLA (R1).
        case waiting
        /// JOIN sent; ticks run.
        case confirming
        /// BYE sent (loss, R4; close, R5), or the session ended (R5): no
        /// more ACKs.
        case done
    }

    var state = State.waiting
    /// RECEIVER ID: drawn when the session starts confirming, the same in
    /// all its ACKs (R6).
    var receiverID: UInt32 = 0
    /// CONFIRMED of the last ACK sent.
    var lastSent = SequenceNumber(0)
    /// Ticks in a row that sent no ACK (R3: the fifth sends one).
    var silentTicks = 0
    /// The next tick.
    var deadline = VirtualTime.never

    /// How many silent ticks make the next one send anyway (R3, the
    /// kernel's PGM_CONFIRM_IDLE_IVLS - 1).
    static let idleTicks = 4
}

extension Peer {
    /// R2: CONFIRMED, every sequence number before the first not yet
    /// delivered or reported (the window's contiguous edge). The fragments
    /// of an APDU still being reassembled are not delivered: the edge stops
    /// before its first, as pgm.ko's `next` does.
    var confirmedEdge: SequenceNumber {
        (assembling ? SequenceNumber(apduFirst) : next).advanced(by: UInt32.max)
    }

    /// A tick's interval: uniform on [3/4, 5/4] of the interval (R1, R3).
    static func confirmJitter(_ p: ConfirmReceiverParameters, ctx: inout ReceiverContext) -> Int64 {
        let low = p.interval * 3 / 4
        let high = p.interval * 5 / 4
        return low + Int64(ctx.rng.below(UInt64(high - low + 1)))
    }

    /// R1: a session with both a window and a path NLA starts confirming:
    /// a JOIN at once, the first tick a jittered interval later. A session
    /// that ended (FIN, R5) never starts.
    mutating func confirmStartIfReady(now: VirtualTime, ctx: inout ReceiverContext, out: inout Outbox<ReceiverEvent>) {
        guard let p = ctx.confirm, var c = confirmState, c.state == .waiting, started, path != nil else { return }
        if ended {
            c.state = .done
            confirmState = c
            return
        }
        c.state = .confirming
        c.receiverID = UInt32(truncatingIfNeeded: ctx.rng.next())
        c.silentTicks = 0
        c.deadline = now + Self.confirmJitter(p, ctx: &ctx)
        confirmState = c
        sendConfirmACK(confirmed: confirmedEdge, join: true, ctx: &ctx, out: &out)
    }

    /// R3: at a tick, an ACK when CONFIRMED moved since the last one sent,
    /// or when the `idleTicks` ticks before sent none; then the next tick.
    /// A session that ended stops without an ACK (R5).
    mutating func onConfirmTimer(now: VirtualTime, ctx: inout ReceiverContext, out: inout Outbox<ReceiverEvent>) {
        guard let p = ctx.confirm, var c = confirmState, c.state == .confirming, c.deadline <= now else { return }
        if ended {
            c.state = .done
            c.deadline = .never
            confirmState = c
            return
        }
        let edge = confirmedEdge
        let send = edge != c.lastSent || c.silentTicks >= PeerConfirm.idleTicks
        c.silentTicks = send ? 0 : c.silentTicks + 1
        c.deadline = now + Self.confirmJitter(p, ctx: &ctx)
        confirmState = c
        if send { sendConfirmACK(confirmed: edge, ctx: &ctx, out: &out) }
    }

    /// R4: the session reported the loss of `first` (the loss record the
    /// application reads): BYE with LOST, CONFIRMED `first` - 1, and no more
    /// ACKs. A session not yet confirming sends nothing: its source never
    /// knew it.
    mutating func onConfirmLoss(first: UInt32, ctx: inout ReceiverContext, out: inout Outbox<ReceiverEvent>) {
        guard var c = confirmState, c.state == .confirming else { return }
        c.state = .done
        c.deadline = .never
        confirmState = c
        sendConfirmACK(confirmed: SequenceNumber(first &- 1), bye: true, lost: true, ctx: &ctx, out: &out)
    }

    /// R5: the socket closes: a confirming session says BYE with its
    /// CONFIRMED.
    mutating func confirmClose(ctx: inout ReceiverContext, out: inout Outbox<ReceiverEvent>) {
        guard var c = confirmState, c.state == .confirming else { return }
        c.state = .done
        c.deadline = .never
        confirmState = c
        sendConfirmACK(confirmed: confirmedEdge, bye: true, ctx: &ctx, out: &out)
    }

    /// R5: the session ended (FIN delivered): it stops without an ACK.
    mutating func confirmSessionEnded() {
        guard var c = confirmState, c.state != .done else { return }
        c.state = .done
        c.deadline = .never
        confirmState = c
    }

    /// R6: the ACK, type 0x0D, unicast to the path NLA with the ports of a
    /// NAK: RX_MAX the window's lead, ACK_BITMAP PGMCC's when the receiver
    /// runs PGMCC, else 0; OPT_CONFIRM its only option (no
    /// OPT_PGMCC_FEEDBACK).
    mutating func sendConfirmACK(confirmed: SequenceNumber, join: Bool = false, bye: Bool = false, lost: Bool = false,
                                 ctx: inout ReceiverContext, out: inout Outbox<ReceiverEvent>) {
        guard var c = confirmState, let path else { return }
        let option = PGMOption(.confirm(confirmed: confirmed.rawValue, receiverID: c.receiverID, join: join, bye: bye,
                                        lost: lost))
        guard let options = try? PGMOptions([option]) else { return }
        let packet = PGMPacket(sourcePort: port, destinationPort: tsi.sourcePort, gsi: tsi.gsi,
                               body: .ack(PGMAck(rxMax: lead.rawValue, bitmap: pgmcc?.bitmap ?? 0)), options: options)
        out.packets.append(Transmission(packet: packet, destination: .unicast(path)))
        c.lastSent = confirmed
        confirmState = c
        ctx.statistics.confirmAcksSent += 1
        if join { ctx.statistics.confirmJoinsSent += 1 }
        if bye { ctx.statistics.confirmByesSent += 1 }
        if lost { ctx.statistics.confirmLostSent += 1 }
    }
}

import DequeModule
import HeapModule
import PGMFEC
import PGMTypes
import PGMWire

/// What a receiver tells its application.
public enum ReceiverEvent: Hashable, Sendable {
    /// A whole APDU, in order: `sequence` is the sequence number of its first
    /// TPDU. Never delivered twice, never out of order (RFC 3208 section 6.1).
    case data(tsi: TSI, sequence: SequenceNumber, apdu: ArraySlice<UInt8>)
    /// Unrecoverable loss of `count` sequence numbers from `first` (section
    /// 6.3, "Cancellation of NAK generation"). Data after the range is
    /// delivered; an APDU with a fragment in the range is dropped whole.
    case loss(tsi: TSI, first: SequenceNumber, count: UInt32)
    /// The session ended: OPT_FIN seen and everything up to it delivered or
    /// reported lost (section 9.7), OPT_RST (section 9.8), or silence for
    /// PEER_EXPIRY.
    case sessionEnded(tsi: TSI, reason: SessionEnd)
}

/// Why a session ended at a receiver, with what OPT_RST said: the model
/// keeps the reset's error code and N bit, which neither the kernel's
/// records nor ``SessionEndReason`` carry; ``reason`` is the shared part.
public enum SessionEnd: Hashable, Sendable {
    case finished
    case reset(errorCode: UInt8, noNAKs: Bool)
    case expired

    /// The reason as the kernel reports it.
    public var reason: SessionEndReason {
        switch self {
        case .finished: .finished
        case .reset: .reset
        case .expired: .expired
        }
    }
}

/// Counters a model receiver keeps: what the simulation and the conformance
/// runs measure (requests, suppressions, fragments dropped), in `Int`s and
/// `Codable` for pgm-sim's JSON. Not PGMTypes' `ReceiverStatistics`, the
/// kernel's `struct pgm_receiver_stats`: the two count different things,
/// and only some counters (NAKs sent, duplicates, wrong source) mean the same.
public struct ModelReceiverStatistics: Hashable, Sendable, Codable {
    public var naksSent = 0
    /// Sequence numbers requested, counting NAK_SQN and OPT_NAK_LIST entries.
    public var sequencesRequested = 0
    public var spmrsSent = 0
    public var spmrsSuppressed = 0
    public var duplicates = 0
    public var outsideWindow = 0
    public var spmsDiscarded = 0
    public var apdusDelivered = 0
    public var sequencesLost = 0
    public var fragmentsDropped = 0
    /// Packets with a session's TSI from another address (or an NCF from
    /// neither the source nor its path NLA), dropped.
    public var wrongSource = 0
    /// SPMs whose path NLA is not a unicast address (not taken).
    public var badPath = 0
    /// Sequence numbers found missing (a gap behind newer data), then
    /// received: RDATA, or ODATA late. As the kernel's `repairs`.
    public var repairs = 0
    /// Their repair times, from the packet that revealed the gap to the
    /// data, summed, in microseconds (the kernel's `repair_us_total`).
    public var repairMicrosecondsTotal: Int64 = 0
    /// The longest of them, in microseconds (`repair_us_max`).
    public var repairMicrosecondsMax: Int64 = 0
    // FEC (RFC 3208 Appendix A).
    /// Parity packets (ODATA or RDATA with OPT_PARITY) received.
    public var parityReceived = 0
    /// Parity packets dropped as bad: an impossible number, a group size
    /// other than the SPM's, a length or options that do not fit the group,
    /// or a group they did not rebuild exactly.
    public var parityDropped = 0
    /// Parity packets not needed: for a group already whole or behind the
    /// window, a number already held, or a session without FEC.
    public var parityUnused = 0
    /// Groups whose lost packets parity rebuilt.
    public var groupsRebuilt = 0
    /// NAKs with OPT_PARITY sent (also in `naksSent`).
    public var parityNaksSent = 0
    /// Parity packets they asked for (the sum of NAK_PKT_CNT + 1).
    public var parityRequested = 0
    /// SPMs that changed a session's group size within
    /// `Peer.fecGroupSizeHold` of the last one taken: refused, and the
    /// session's FEC off until an SPM after the hold.
    public var fecGroupSizeRefused = 0
    // PGMCC (draft-ietf-rmt-bb-pgmcc-03).
    /// ACKs sent as the session's acker or in an election.
    public var acksSent = 0
    /// ACKs due before any SPM named the session's path NLA: not sent.
    public var acksWithoutPath = 0
    // Confirmed delivery (docs/confirmed-delivery.md, R1-R6).
    /// ACKs with OPT_CONFIRM sent: JOINs, ticks and BYEs.
    public var confirmAcksSent = 0
    /// Of them, with JOIN: sessions that started confirming (R1).
    public var confirmJoinsSent = 0
    /// Of them, with BYE: on a loss (R4) or at close (R5).
    public var confirmByesSent = 0
    /// Of the BYEs, with LOST (R4).
    public var confirmLostSent = 0
    public init() {}
}

/// The RFC 3208 receiver (section 6, Appendix C, options of section 9): an
/// I/O-free state machine. Feed it packets (`receive`) and the time
/// (`advance`); it answers with packets to send and application events in an
/// `Outbox`, and `nextDeadline` says when it next needs `advance`.
public struct Receiver: Sendable {
    public let parameters: Parameters
    /// This receiver's unicast address (the network-header source of its
    /// NAKs and SPMRs).
    public let address: PGMNLA
    /// The group NLA written into NAKs (NAK_GRP).
    public let group: PGMNLA
    /// The data-destination port listened on; nil accepts any.
    public let port: UInt16?
    /// Counters since creation.
    public var statistics: ModelReceiverStatistics { ctx.statistics }

    var ctx: ReceiverContext
    var peers: [Peer] = []
    var index: [TSI: Int] = [:]
    /// The session of the previous packet: most packets need no hashing.
    var lastPeer = 0

    /// A receiver; `parityNAKs` (the kernel's `PGM_FEC_NAK`): whether it asks
    /// a source that offers on-demand parity for parity rather than for the
    /// lost packets themselves (RFC 3208 section 11.5); off by default, as
    /// in the kernel (an OpenPGM 5.3 source aborts on a parity NAK).
    ///
    /// With `pgmcc` it takes part in PGMCC (draft-ietf-rmt-bb-pgmcc-03): it
    /// measures each session's loss rate, answers as the acker, and puts
    /// OPT_PGMCC_FEEDBACK in its NAKs to sources that run PGMCC.
    ///
    /// With `confirm` it confirms delivery (docs/confirmed-delivery.md, R1-R6):
    /// each session with a window and a path NLA sends its source ACKs with
    /// OPT_CONFIRM, a JOIN first, then one per tick while it progresses and
    /// every fifth tick while idle, a BYE on a loss or at `close`.
    public init(address: PGMNLA, group: PGMNLA, port: UInt16? = nil, parameters: Parameters = Parameters(),
                parityNAKs: Bool = false, pgmcc: PGMCCReceiverParameters? = nil,
                confirm: ConfirmReceiverParameters? = nil, random: SeededRandom) {
        self.address = address
        self.group = group
        self.port = port
        self.parameters = parameters
        self.ctx = ReceiverContext(parameters: parameters, group: group, address: address, parityNAKs: parityNAKs,
                                   pgmcc: pgmcc, confirm: confirm, rng: random)
    }

    /// Whether `close` was called: the receiver then ignores packets and
    /// has no timers.
    public private(set) var isClosed = false

    /// Confirmed delivery's settings; nil: the receiver does not confirm.
    public var confirm: ConfirmReceiverParameters? { ctx.confirm }

    /// The sessions currently known.
    public var sessions: [TSI] { peers.map(\.tsi) }

    /// The earliest time `advance` has work to do, if any.
    public var nextDeadline: VirtualTime? {
        var d: VirtualTime? = nil
        for p in peers { d = earliest(d, p.nextDeadline(parameters)) }
        return d
    }

    // MARK: Input

    /// Handles a packet that arrived from the network-header source `sender`.
    public mutating func receive(_ packet: PGMPacket, from sender: PGMNLA, at now: VirtualTime,
                                 into out: inout Outbox<ReceiverEvent>) {
        if isClosed { return }
        if let port, packet.dataDestinationPort != port { return }
        switch packet.body {
        case .odata(let d), .rdata(let d):
            if packet.flags.contains(.parity) {
                // A parity packet never starts a session nor takes a data slot.
                ctx.statistics.parityReceived += 1
                guard let i = existingPeer(packet.tsi) else {
                    ctx.statistics.parityUnused += 1
                    return
                }
                guard peers[i].source == sender else {
                    ctx.statistics.wrongSource += 1
                    return
                }
                lastPeer = i
                peers[i].onParity(d, flags: packet.flags, options: packet.options, now: now, ctx: &ctx, out: &out)
                return
            }
            guard let i = peer(for: packet, sender: sender, now: now, createdBySPM: false) else { return }
            peers[i].onData(d, options: packet.options, now: now, ctx: &ctx, out: &out)
            if ctx.confirm != nil { peers[i].confirmStartIfReady(now: now, ctx: &ctx, out: &out) }
        case .spm(let s):
            guard let i = peer(for: packet, sender: sender, now: now, createdBySPM: true) else { return }
            peers[i].onSPM(s, options: packet.options, now: now, ctx: &ctx, out: &out)
            // OPT_RST: nothing more is NAKed or delivered for the session
            // (nor confirmed: R5).
            if peers[i].reset {
                remove(at: i)
                return
            }
            if ctx.confirm != nil { peers[i].confirmStartIfReady(now: now, ctx: &ctx, out: &out) }
        case .ncf(let n), .nak(let n):
            // Multicast NAKs from other receivers count as NCFs do (section 6.3).
            guard let i = existingPeer(packet.tsi) else { return }
            // An NCF comes from the session's source or its path NLA (pgm(7) SECURITY).
            if packet.type == .ncf && sender != peers[i].source && sender != peers[i].path {
                ctx.statistics.wrongSource += 1
                return
            }
            if packet.flags.contains(.parity) {
                peers[i].onParityConfirmation(first: n.sequence, options: packet.options, isNCF: packet.type == .ncf,
                                              now: now, ctx: &ctx)
            } else {
                peers[i].onConfirmation(first: n.sequence, options: packet.options, isNCF: packet.type == .ncf,
                                        now: now, ctx: &ctx)
            }
        case .spmr:
            // Another receiver's multicast SPMR (Appendix C, section 13.5).
            guard let i = existingPeer(packet.tsi) else { return }
            if peers[i].suppressSPMR(now: now, parameters) { ctx.statistics.spmrsSuppressed += 1 }
        case .nnak, .poll, .polr, .ack:
            return
        }
    }

    /// Runs every timer due at `now`.
    public mutating func advance(to now: VirtualTime, into out: inout Outbox<ReceiverEvent>) {
        if isClosed { return }
        var i = 0
        while i < peers.count {
            if peers[i].lastHeard + parameters.peerExpiry <= now {
                if !peers[i].ended { out.events.append(.sessionEnded(tsi: peers[i].tsi, reason: .expired)) }
                remove(at: i)
                continue
            }
            peers[i].onTimers(now: now, ctx: &ctx, out: &out)
            i += 1
        }
    }

    /// The application closes the socket: every session confirming says BYE
    /// (docs/confirmed-delivery.md R5), then the receiver forgets its
    /// sessions and takes no more packets.
    public mutating func close(at now: VirtualTime, into out: inout Outbox<ReceiverEvent>) {
        guard !isClosed else { return }
        for i in peers.indices { peers[i].confirmClose(ctx: &ctx, out: &out) }
        peers.removeAll()
        index.removeAll()
        lastPeer = 0
        isClosed = true
    }

    // MARK: Peers

    func existingPeer(_ tsi: TSI) -> Int? {
        if lastPeer < peers.count && peers[lastPeer].tsi == tsi { return lastPeer }
        return index[tsi]
    }

    /// The index of the packet's session, created on first sight; nil when
    /// the TSI is a session's that started from another address: a session
    /// is tied to its source's address (pgm(7) SECURITY, RFC 3208 section 10).
    mutating func peer(for packet: PGMPacket, sender: PGMNLA, now: VirtualTime, createdBySPM: Bool) -> Int? {
        let tsi = packet.tsi
        if let i = existingPeer(tsi) {
            guard peers[i].source == sender else {
                ctx.statistics.wrongSource += 1
                return nil
            }
            lastPeer = i
            return i
        }
        var p = Peer(tsi: tsi, port: packet.dataDestinationPort, source: sender, now: now)
        if let cc = ctx.pgmcc { p.pgmcc = PeerPGMCC(weight: cc.lossWeight) }
        if ctx.confirm != nil { p.confirmState = PeerConfirm() }
        if !createdBySPM {
            // Section 13 (Appendix C): a session first seen through data
            // solicits an SPM after a random back-off on SPMR_EXPIRY.
            p.spmr = .backOff
            p.spmrDeadline = now + Int64(ctx.rng.below(UInt64(parameters.spmrExpiry)))
        }
        peers.append(p)
        index[tsi] = peers.count - 1
        return peers.count - 1
    }

    mutating func remove(at i: Int) {
        index[peers[i].tsi] = nil
        let last = peers.count - 1
        if i != last {
            peers.swapAt(i, last)
            index[peers[i].tsi] = i
        }
        peers.removeLast()
    }
}

/// What a receiver's sessions share: parameters, randomness, counters and
/// scratch space.
struct ReceiverContext: Sendable {
    let parameters: Parameters
    let group: PGMNLA
    /// Whether parity NAKs are sent to sources offering on-demand parity.
    let parityNAKs: Bool
    /// This receiver's address: PGMCC's acker identity.
    let address: PGMNLA
    /// PGMCC's receiver parameters; nil: no part in PGMCC.
    let pgmcc: PGMCCReceiverParameters?
    /// Confirmed delivery's parameters; nil: no confirming.
    let confirm: ConfirmReceiverParameters?
    var rng: SeededRandom
    var statistics = ModelReceiverStatistics()
    var due: [(offset: Int, sqn: UInt32, deadline: VirtualTime)] = []
    var nakList: [UInt32] = []
    /// Parity NAKs to send: group, packets asked for.
    var parityNAKList: [(group: UInt32, count: Int)] = []
    /// RS(255, k) by k: one code serves every session with that group size.
    var codes: [UInt32: ReedSolomon] = [:]

    init(parameters: Parameters, group: PGMNLA, address: PGMNLA, parityNAKs: Bool = false,
         pgmcc: PGMCCReceiverParameters? = nil, confirm: ConfirmReceiverParameters? = nil, rng: SeededRandom) {
        self.parameters = parameters
        self.group = group
        self.address = address
        self.parityNAKs = parityNAKs
        self.pgmcc = pgmcc
        self.confirm = confirm
        self.rng = rng
    }

    /// A random NAK back-off, NAK_RB_IVL, uniform on [0, NAK_BO_IVL).
    mutating func backOff() -> Int64 { Int64(rng.below(UInt64(parameters.nakBoIvl))) }
}

/// One repair slot of the receive window.
struct Slot: Sendable {
    enum State: UInt8 { case missing, received, lost }
    /// The NAK state machine of section 6.3, plus waiting for the first SPM
    /// (a receiver "MUST NOT initiate repair requests until it has received
    /// at least one SPM").
    enum Phase: UInt8 { case awaitingSPM, backOff, waitNCF, waitData }

    var state: State = .missing
    var phase: Phase = .awaitingSPM
    var fin = false
    var fragmented = false
    /// Its NAK state follows its group's parity NAK (section 11.5).
    var viaParity = false
    var ncfRetries: UInt16 = 0
    var dataRetries: UInt16 = 0
    var deadline: VirtualTime = .never
    /// When a gap revealed it missing; `never` for data that came in order.
    var missingSince: VirtualTime = .never
    var fragmentFirst: UInt32 = 0
    var fragmentOffset: UInt32 = 0
    var fragmentLength: UInt32 = 0
    var payload: ArraySlice<UInt8> = []
}

/// A NAK timer: a slot's deadline. Stale entries (the slot moved on) are
/// skipped when they come up.
struct NakTimer: Comparable, Sendable {
    var deadline: Int64
    var sqn: UInt32
    static func < (a: NakTimer, b: NakTimer) -> Bool {
        a.deadline < b.deadline || (a.deadline == b.deadline && Int32(bitPattern: a.sqn &- b.sqn) < 0)
    }
}

/// Per-session receiver state.
struct Peer: Sendable {
    enum SPMRState { case idle, backOff, waiting }

    let tsi: TSI
    /// The data-destination port (source port of our NAKs).
    let port: UInt16
    /// The network-header source of the session's data: NAK_SRC, SPMR target.
    var source: PGMNLA
    /// SPM_PATH of the in-sequence SPMs: where NAKs go.
    var path: PGMNLA?
    /// A different SPM_PATH seen once: taken if the next SPM names it too.
    var pathCandidate: PGMNLA?
    var spmSequence: UInt32 = 0
    /// SPM_LEAD of the last in-sequence SPM with window information.
    var spmLead: SequenceNumber?
    var lastHeard: VirtualTime
    var spmr: SPMRState = .idle
    var spmrDeadline: VirtualTime = .never

    /// Whether the window is set up (by the first SPM or data packet).
    var started = false
    /// The first sequence number the window started with.
    var windowStart = SequenceNumber(0)
    /// FEC as the source's SPMs advertise it (OPT_PARITY_PRM), and the
    /// groups in the window.
    var fec: PeerFEC?
    /// When the session last took a group size: another is taken only
    /// `fecGroupSizeHold` later.
    var fecGroupSizeTaken: VirtualTime?
    /// PGMCC's loss rate, ACK bitmap and echoed timestamp; nil when the
    /// receiver takes no part in PGMCC.
    var pgmcc: PeerPGMCC?
    /// Confirmed delivery's state; nil when the receiver does not confirm.
    var confirmState: PeerConfirm?
    /// RXW_TRAIL as advertised by the source.
    var trail = SequenceNumber(0)
    /// The first sequence number not yet delivered or reported: one past
    /// the leading edge of contiguous data.
    var next = SequenceNumber(0)
    /// RXW_LEAD: slots hold next...lead.
    var lead = SequenceNumber(0)
    var slots = Deque<Slot>()
    var timers = Heap<NakTimer>()

    /// The last sequence number of the session, from OPT_FIN.
    var fin: SequenceNumber?
    var ended = false
    var reset = false

    // Reassembly of a fragmented APDU (section 9.2.3).
    var apdu: [UInt8] = []
    var apduFirst: UInt32 = 0
    var apduLength: UInt32 = 0
    var assembling = false

    // A loss range being gathered for one event.
    var lossFirst: UInt32 = 0
    var lossCount: UInt32 = 0

    init(tsi: TSI, port: UInt16, source: PGMNLA, now: VirtualTime) {
        self.tsi = tsi
        self.port = port
        self.source = source
        self.lastHeard = now
    }

    var spmSeen: Bool { path != nil }

    func nextDeadline(_ p: Parameters) -> VirtualTime? {
        var d: VirtualTime? = lastHeard + p.peerExpiry
        if let t = timers.min { d = earliest(d, VirtualTime(rawValue: t.deadline)) }
        if spmr != .idle { d = earliest(d, spmrDeadline) }
        if let cc = pgmcc, cc.electionDeadline != .never { d = earliest(d, cc.electionDeadline) }
        if let c = confirmState, c.state == .confirming { d = earliest(d, c.deadline) }
        return d
    }

    // MARK: Window

    /// Starts the window with `first` as the first sequence number expected.
    mutating func start(at first: SequenceNumber, trail: SequenceNumber) {
        started = true
        windowStart = first
        next = first
        lead = first.advanced(by: UInt32.max)  // first - 1: empty
        self.trail = trail
    }

    /// Makes `sqn` part of the window, opening NAK state for every sequence
    /// number skipped on the way (section 6.3, "Detecting missing data
    /// packets"). Returns false when `sqn` is behind the window.
    /// `data`: `sqn` itself arrived (PGMCC counts it received).
    mutating func extend(to sqn: SequenceNumber, now: VirtualTime, ctx: inout ReceiverContext,
                         out: inout Outbox<ReceiverEvent>, data: Bool = false) -> Bool {
        guard sqn >= next else { return false }
        guard sqn > lead else { return true }
        // Keep at most RXW_SQNS sequence numbers open.
        let size = Int64(next.distance(to: sqn)) + 1
        if size > Int64(ctx.parameters.rxwSqns) {
            let newNext = sqn.advanced(by: 1 &- ctx.parameters.rxwSqns)
            forceAdvance(to: newNext, now: now, ctx: &ctx, out: &out)
        }
        // All sequence numbers detected missing together share one random
        // back-off, so their NAKs leave together in one OPT_NAK_LIST.
        let deadline = spmSeen ? now + ctx.backOff() : VirtualTime.never
        var s = lead.advanced(by: 1)
        while s < sqn {
            var slot = Slot()
            slot.missingSince = now
            if spmSeen {
                slot.phase = .backOff
                slot.deadline = deadline
                timers.insert(NakTimer(deadline: deadline.rawValue, sqn: s.rawValue))
            }
            slots.append(slot)
            pgmcc?.advance(received: false)
            s = s.advanced(by: 1)
        }
        var slot = Slot()
        slot.phase = .waitData
        slots.append(slot)
        pgmcc?.advance(received: data)
        lead = sqn
        return true
    }

    /// Moves `next` to `target`: missing sequence numbers before it are lost
    /// (the trailing edge passed them, section 6.3), received ones delivered.
    mutating func forceAdvance(to target: SequenceNumber, now: VirtualTime, ctx: inout ReceiverContext,
                               out: inout Outbox<ReceiverEvent>) {
        while next < target {
            if slots.isEmpty {
                // Never seen at all: report the rest of the way as lost.
                let n = UInt32(next.distance(to: target))
                noteLoss(first: next.rawValue, count: n, ctx: &ctx)
                next = target
                if lead < next { lead = next.advanced(by: UInt32.max) }
                break
            }
            if slots[0].state == .missing { slots[0].state = .lost }
            pop(ctx: &ctx, out: &out)
        }
        pruneGroups()
        deliver(now: now, ctx: &ctx, out: &out)
    }

    /// Section 9.4: how far back before `sqn`, the first sequence number a
    /// new session hears of, its OPT_JOIN lets it start: nil when not at all
    /// (no OPT_JOIN, or one not before `sqn` or beyond the window), else at
    /// most JOIN_MAX sequence numbers back (0: never) and within the window.
    static func joinStart(_ sqn: SequenceNumber, _ options: PGMOptions,
                          _ parameters: Parameters) -> SequenceNumber? {
        guard let join = options.joinMinimumSequence.map({ SequenceNumber($0) }), join < sqn,
              sqn.distance(to: join) > -Int32(parameters.rxwSqns) else { return nil }
        let most = min(parameters.joinMax, parameters.rxwSqns - 1)
        if most == 0 { return nil }
        return UInt32(join.distance(to: sqn)) > most ? SequenceNumber(sqn.rawValue &- most) : join
    }

    /// OPT_JOIN named where the session's data begins; what the transmit
    /// window no longer holds from there is unrecoverable, and said so.
    mutating func reportBeforeStart(_ join: SequenceNumber, ctx: inout ReceiverContext) {
        if join < next { noteLoss(first: join.rawValue, count: UInt32(join.distance(to: next)), ctx: &ctx) }
    }

    /// Takes the advertised trailing edge into account.
    mutating func advertise(trail t: SequenceNumber, now: VirtualTime, ctx: inout ReceiverContext,
                            out: inout Outbox<ReceiverEvent>) {
        guard t > trail else { return }
        trail = t
        if t > next { forceAdvance(to: t, now: now, ctx: &ctx, out: &out) }
    }

    /// Delivers contiguous data and reports contiguous losses.
    mutating func deliver(now: VirtualTime, ctx: inout ReceiverContext, out: inout Outbox<ReceiverEvent>) {
        while !slots.isEmpty && slots[0].state != .missing {
            pop(ctx: &ctx, out: &out)
        }
        flushLoss(ctx: &ctx, out: &out)
        if let fin, !ended, next > fin {
            ended = true
            out.events.append(.sessionEnded(tsi: tsi, reason: .finished))
            confirmSessionEnded()
        }
    }

    /// Removes the first slot, which is received or lost.
    mutating func pop(ctx: inout ReceiverContext, out: inout Outbox<ReceiverEvent>) {
        let sqn = next.rawValue
        let slot = slots.removeFirst()
        next = next.advanced(by: 1)
        // A group whose last packet is gone needs no more FEC.
        if let groups = fec?.groups, groups.index(of: sqn) == Int(groups.k) - 1 {
            fec?.state[groups.start(of: sqn)] = nil
        }
        if slot.fin && fin == nil { fin = SequenceNumber(sqn) }
        if slot.state == .lost {
            // An APDU losing a fragment is lost whole: the loss reported
            // covers the fragments already received, from its first sqn.
            if assembling {
                noteLoss(first: apduFirst, count: sqn &- apduFirst &+ 1, ctx: &ctx)
            } else {
                noteLoss(first: sqn, count: 1, ctx: &ctx)
            }
            dropPartial(ctx: &ctx)
            return
        }
        // ... and so do its later fragments.
        if slot.fragmented, lossCount > 0, slot.fragmentFirst != sqn,
           slot.fragmentFirst &- lossFirst < lossCount {
            noteLoss(first: sqn, count: 1, ctx: &ctx)
            ctx.statistics.fragmentsDropped += 1
            return
        }
        flushLoss(ctx: &ctx, out: &out)
        guard slot.fragmented else {
            dropPartial(ctx: &ctx)
            ctx.statistics.apdusDelivered += 1
            out.events.append(.data(tsi: tsi, sequence: SequenceNumber(sqn), apdu: slot.payload))
            return
        }
        if slot.fragmentOffset == 0 {
            dropPartial(ctx: &ctx)
            if UInt32(slot.payload.count) == slot.fragmentLength && slot.fragmentFirst == sqn {
                ctx.statistics.apdusDelivered += 1
                out.events.append(.data(tsi: tsi, sequence: SequenceNumber(sqn), apdu: slot.payload))
                return
            }
            guard slot.fragmentFirst == sqn, UInt32(slot.payload.count) < slot.fragmentLength else {
                ctx.statistics.fragmentsDropped += 1
                return
            }
            assembling = true
            apduFirst = sqn
            apduLength = slot.fragmentLength
            apdu.removeAll(keepingCapacity: true)
            apdu.append(contentsOf: slot.payload)
            return
        }
        // A later fragment: it must continue the APDU being assembled.
        guard assembling, slot.fragmentFirst == apduFirst, slot.fragmentLength == apduLength,
              slot.fragmentOffset == UInt32(apdu.count),
              UInt64(slot.fragmentOffset) + UInt64(slot.payload.count) <= UInt64(apduLength)
        else {
            dropPartial(ctx: &ctx)
            ctx.statistics.fragmentsDropped += 1
            return
        }
        apdu.append(contentsOf: slot.payload)
        if UInt32(apdu.count) == apduLength {
            ctx.statistics.apdusDelivered += 1
            out.events.append(.data(tsi: tsi, sequence: SequenceNumber(apduFirst), apdu: apdu[...]))
            apdu = []
            assembling = false
        }
    }

    mutating func dropPartial(ctx: inout ReceiverContext) {
        if assembling {
            ctx.statistics.fragmentsDropped += 1
            assembling = false
            apdu.removeAll(keepingCapacity: true)
        }
    }

    mutating func noteLoss(first: UInt32, count: UInt32, ctx: inout ReceiverContext) {
        ctx.statistics.sequencesLost += Int(count)
        if lossCount > 0 && lossFirst &+ lossCount == first {
            lossCount += count
        } else {
            // The caller flushes before a non-adjacent range starts.
            lossFirst = first
            lossCount = count
        }
    }

    mutating func flushLoss(ctx: inout ReceiverContext, out: inout Outbox<ReceiverEvent>) {
        guard lossCount > 0 else { return }
        out.events.append(.loss(tsi: tsi, first: SequenceNumber(lossFirst), count: lossCount))
        lossCount = 0
        if confirmState != nil { onConfirmLoss(first: lossFirst, ctx: &ctx, out: &out) }
    }

    // MARK: Packets

    /// ODATA or RDATA (sections 6.1, 6.3, 9.2, 9.4, 9.6, 9.7).
    mutating func onData(_ d: PGMData, options: PGMOptions, now: VirtualTime, ctx: inout ReceiverContext,
                         out: inout Outbox<ReceiverEvent>) {
        guard !ended else { ctx.statistics.outsideWindow += 1; return }
        lastHeard = now
        let sqn = SequenceNumber(d.sequence)
        let advertisedTrail = SequenceNumber(d.trailingEdge)
        var hasFin = false
        var fragment: (firstSequence: UInt32, offset: UInt32, length: UInt32)? = nil
        if !options.isEmpty {
            hasFin = options.contains(type: PGMOptionType.fin)
            fragment = options.fragment
        }
        if !started {
            // Section 6.1: reception starts with this packet, RXW_TRAIL_INIT;
            // section 9.4: OPT_JOIN may move RXW_TRAIL_INIT back.
            var first = sqn
            var joinedAt: SequenceNumber? = nil
            if let join = Self.joinStart(sqn, options, ctx.parameters) {
                first = max(join, advertisedTrail)
                joinedAt = join
            }
            // A first fragment that is not the APDU's first cannot be
            // reassembled: start at the APDU boundary if it is in reach.
            if let f = fragment, f.offset != 0 {
                let start = SequenceNumber(f.firstSequence)
                if start < first && first.distance(to: start) > -Int32(ctx.parameters.rxwSqns) {
                    first = start
                }
            }
            start(at: first, trail: advertisedTrail)
            if let joinedAt { reportBeforeStart(joinedAt, ctx: &ctx) }
        }
        advertise(trail: advertisedTrail, now: now, ctx: &ctx, out: &out)
        // Section 6.1: "MUST discard any data packet outside of the receive
        // window": at most RXW_SQNS from the oldest sqn not yet delivered.
        // Data far ahead neither moves the window nor declares loss, so a
        // stray or forged packet cannot wipe out a session.
        if sqn > lead && Int64(next.distance(to: sqn)) >= Int64(ctx.parameters.rxwSqns) {
            ctx.statistics.outsideWindow += 1
            return
        }
        let wasBehindLead = sqn <= lead
        guard extend(to: sqn, now: now, ctx: &ctx, out: &out, data: true) else {
            ctx.statistics.duplicates += 1
            return
        }
        let offset = Int(next.distance(to: sqn))
        guard slots[offset].state == .missing else {
            ctx.statistics.duplicates += 1
            return
        }
        fill(offset, payload: d.payload, fragment: fragment, fin: hasFin, now: now, ctx: &ctx)
        if pgmcc != nil {
            if wasBehindLead { pgmcc?.repaired(behind: UInt32(sqn.distance(to: lead))) }
            onPGMCCData(options, now: now, ctx: &ctx, out: &out)
        }
        if fec != nil {
            keep(sqn.rawValue, FECOriginal(payload: d.payload, fragment: fragment), now: now, ctx: &ctx, out: &out)
        }
        if offset == 0 { deliver(now: now, ctx: &ctx, out: &out) }
    }

    /// Puts data into the missing slot at `offset`: received data, or data
    /// FEC rebuilt, alike.
    mutating func fill(_ offset: Int, payload: ArraySlice<UInt8>,
                       fragment: (firstSequence: UInt32, offset: UInt32, length: UInt32)?, fin hasFin: Bool,
                       now: VirtualTime, ctx: inout ReceiverContext) {
        // Matching data completes recovery in any state (section 6.3).
        if slots[offset].missingSince != .never {
            let took = now.rawValue - slots[offset].missingSince.rawValue
            ctx.statistics.repairs += 1
            ctx.statistics.repairMicrosecondsTotal += took
            ctx.statistics.repairMicrosecondsMax = max(ctx.statistics.repairMicrosecondsMax, took)
        }
        slots[offset].state = .received
        slots[offset].deadline = .never
        slots[offset].payload = payload
        slots[offset].fin = hasFin
        if let f = fragment {
            slots[offset].fragmented = true
            slots[offset].fragmentFirst = f.firstSequence
            slots[offset].fragmentOffset = f.offset
            slots[offset].fragmentLength = f.length
        }
        if hasFin && fin == nil { fin = next.advanced(by: UInt32(offset)) }
    }

    /// The path NLA of an in-sequence SPM (section 6.2).  Only a unicast
    /// address is taken, and a new one only when two SPMs in a row name it
    /// (the damping of path NLA jitter, RFC 3208 section 10).
    mutating func takePath(_ nla: PGMNLA, ctx: inout ReceiverContext) {
        if case .ipv4(let a) = nla, a.rawValue >> 28 == 0xE || a.rawValue == 0 || a.rawValue == .max {
            ctx.statistics.badPath += 1
            return
        }
        if path == nil || nla == path || nla == pathCandidate {
            path = nla
            pathCandidate = nil
        } else {
            pathCandidate = nla
        }
    }

    /// SPM (section 6.2; OPT_FIN 9.7, OPT_RST 9.8, OPT_JOIN 9.4).
    mutating func onSPM(_ s: PGMSPM, options: PGMOptions, now: VirtualTime, ctx: inout ReceiverContext,
                        out: inout Outbox<ReceiverEvent>) {
        // "An SPM is in sequence if its sequence number is greater than that
        // of the most recent in-sequence SPM"; others MUST be discarded.
        if spmSeen && !(SequenceNumber(s.sequence) > SequenceNumber(spmSequence)) {
            ctx.statistics.spmsDiscarded += 1
            return
        }
        lastHeard = now
        spmSequence = s.sequence
        let firstSPM = !spmSeen
        takePath(s.path, ctx: &ctx)
        if !options.isEmpty,
           case .parityParameters(let pro, let ond, let size)? = options.first(type: PGMOptionType.parityParameters)?.kind {
            learnFEC(proactive: pro, onDemand: ond, groupSize: size, now: now, ctx: &ctx)
        }
        spmr = .idle
        spmrDeadline = .never
        if !options.isEmpty, case .reset(let noNAKs, let code)? = options.first(type: PGMOptionType.reset)?.kind {
            out.events.append(.sessionEnded(tsi: tsi, reason: .reset(errorCode: code, noNAKs: noNAKs)))
            ended = true
            reset = true
            return
        }
        if s.hasNoWindowInformation { return }
        let spmTrail = SequenceNumber(s.trailingEdge)
        let spmLead = SequenceNumber(s.leadingEdge)
        self.spmLead = spmLead
        if !started {
            // Everything up to SPM_LEAD was sent before we joined, unless
            // OPT_JOIN invites a repair from further back.
            var first = spmLead.advanced(by: 1)
            var joinedAt: SequenceNumber? = nil
            if let join = Self.joinStart(first, options, ctx.parameters) {
                first = max(join, spmTrail)
                joinedAt = join
            }
            start(at: first, trail: spmTrail)
            if let joinedAt { reportBeforeStart(joinedAt, ctx: &ctx) }
        }
        if firstSPM { armAwaitingSlots(now: now, ctx: &ctx) }
        if !options.isEmpty && options.contains(type: PGMOptionType.fin) && fin == nil {
            // "SPM_LEAD in an SPM with the FIN option indicates the last
            // known data successfully transmitted for the session."
            fin = spmLead
        }
        // Stale window information is ignored (section 6.2).
        advertise(trail: spmTrail, now: now, ctx: &ctx, out: &out)
        if spmLead > lead && spmLead >= next {
            // Section 6.3: gaps up to SPM_LEAD are missing data too.
            if extend(to: spmLead, now: now, ctx: &ctx, out: &out) {
                // extend() made a placeholder for spmLead itself: open NAK state for it.
                let o = Int(next.distance(to: spmLead))
                if o >= 0 && o < slots.count && slots[o].state == .missing {
                    openNakState(offset: o, deadline: slotDeadline(o), now: now, ctx: &ctx)
                }
            }
        }
        deliver(now: now, ctx: &ctx, out: &out)
    }

    /// The deadline shared by the slot before `offset`, or a fresh back-off.
    func slotDeadline(_ offset: Int) -> VirtualTime? {
        offset > 0 && slots[offset - 1].phase == .backOff ? slots[offset - 1].deadline : nil
    }

    /// Puts a missing slot into BACK-OFF (or AWAITING SPM).
    mutating func openNakState(offset: Int, deadline: VirtualTime?, now: VirtualTime, ctx: inout ReceiverContext) {
        guard spmSeen else {
            slots[offset].phase = .awaitingSPM
            slots[offset].deadline = .never
            return
        }
        let d = deadline ?? now + ctx.backOff()
        slots[offset].phase = .backOff
        slots[offset].deadline = d
        timers.insert(NakTimer(deadline: d.rawValue, sqn: next.advanced(by: UInt32(offset)).rawValue))
    }

    /// The first SPM lets waiting sequence numbers start NAK generation.
    mutating func armAwaitingSlots(now: VirtualTime, ctx: inout ReceiverContext) {
        let d = now + ctx.backOff()
        for o in 0..<slots.count where slots[o].state == .missing && slots[o].phase == .awaitingSPM {
            openNakState(offset: o, deadline: d, now: now, ctx: &ctx)
        }
    }

    /// NCF, or a NAK multicast by another receiver (section 6.3, "Receiving
    /// NCFs and multicast NAKs"; section 9.3.2 for OPT_NAK_LIST).
    mutating func onConfirmation(first: UInt32, options: PGMOptions, isNCF: Bool, now: VirtualTime,
                                 ctx: inout ReceiverContext) {
        guard started, !ended else { return }
        confirm(first, isNCF: isNCF, now: now, ctx: &ctx)
        if !options.isEmpty, case .nakList(let list)? = options.first(type: PGMOptionType.nakList)?.kind {
            for s in list { confirm(s, isNCF: isNCF, now: now, ctx: &ctx) }
        }
    }

    mutating func confirm(_ raw: UInt32, isNCF: Bool, now: VirtualTime, ctx: inout ReceiverContext) {
        let sqn = SequenceNumber(raw)
        // Outside the window, or already received: discarded.
        guard sqn >= next, sqn <= lead else { ctx.statistics.outsideWindow += 1; return }
        let o = Int(next.distance(to: sqn))
        confirmSlot(o, isNCF: isNCF, now: now, ctx: &ctx)
    }

    /// A confirmation of the missing slot at `o`: its NCF, or another
    /// receiver's NAK.
    mutating func confirmSlot(_ o: Int, isNCF: Bool, now: VirtualTime, ctx: inout ReceiverContext) {
        guard slots[o].state == .missing else { return }
        let p = ctx.parameters
        switch slots[o].phase {
        case .awaitingSPM, .backOff:
            // Matching NCF: straight to WAIT_DATA. Matching NAK: WAIT_NCF.
            if isNCF {
                setPhase(o, .waitData, now + p.nakRdataIvl)
            } else {
                setPhase(o, .waitNCF, now + p.nakRptIvl)
            }
        case .waitNCF:
            if isNCF {
                setPhase(o, .waitData, now + p.nakRdataIvl)
            } else {
                setPhase(o, .waitNCF, now + p.nakRptIvl)
            }
        case .waitData:
            // Matching NCFs and NAKs restart NAK_RDATA_IVL.
            setPhase(o, .waitData, now + p.nakRdataIvl)
        }
    }

    mutating func setPhase(_ o: Int, _ phase: Slot.Phase, _ deadline: VirtualTime) {
        slots[o].phase = phase
        slots[o].deadline = deadline
        timers.insert(NakTimer(deadline: deadline.rawValue, sqn: next.advanced(by: UInt32(o)).rawValue))
    }

    /// Suppression by a multicast SPMR (Appendix C, section 13.5).
    mutating func suppressSPMR(now: VirtualTime, _ p: Parameters) -> Bool {
        guard spmr == .backOff else { return false }
        spmr = .waiting
        spmrDeadline = now + p.spmrExpiry
        return true
    }

    // MARK: Timers

    mutating func onTimers(now: VirtualTime, ctx: inout ReceiverContext, out: inout Outbox<ReceiverEvent>) {
        let p = ctx.parameters
        if pgmcc != nil { onPGMCCTimer(now: now, ctx: &ctx, out: &out) }
        if confirmState != nil { onConfirmTimer(now: now, ctx: &ctx, out: &out) }
        if spmr != .idle && spmrDeadline <= now {
            if spmr == .backOff {
                // Multicast with TTL 1 first, then unicast to the source.
                let packet = PGMPacket(sourcePort: port, destinationPort: tsi.sourcePort, gsi: tsi.gsi, body: .spmr)
                out.packets.append(Transmission(packet: packet, destination: .group(linkLocal: true)))
                out.packets.append(Transmission(packet: packet, destination: .unicast(source)))
                ctx.statistics.spmrsSent += 1
                spmr = .waiting
                spmrDeadline = now + p.spmrExpiry
            } else {
                // No SPM came: try again after a new back-off.
                spmr = .backOff
                spmrDeadline = now + Int64(ctx.rng.below(UInt64(p.spmrExpiry)))
            }
        }
        guard let top = timers.min, top.deadline <= now.rawValue else { return }
        ctx.due.removeAll(keepingCapacity: true)
        while let t = timers.min, t.deadline <= now.rawValue {
            timers.removeMin()
            let s = SequenceNumber(t.sqn)
            guard s >= next, s <= lead else { continue }
            let o = Int(next.distance(to: s))
            guard slots[o].state == .missing, slots[o].deadline.rawValue == t.deadline else { continue }
            ctx.due.append((o, t.sqn, slots[o].deadline))
        }
        guard !ctx.due.isEmpty else { return }
        ctx.due.sort { $0.offset < $1.offset }
        ctx.nakList.removeAll(keepingCapacity: true)
        ctx.parityNAKList.removeAll(keepingCapacity: true)
        var retry: VirtualTime? = nil
        var deferred: VirtualTime? = nil
        var anyLost = false
        for (o, sqn, deadline) in ctx.due {
            // A group's parity NAK or fallback may have moved this slot on already.
            guard slots[o].state == .missing, slots[o].deadline == deadline else { continue }
            switch slots[o].phase {
            case .awaitingSPM:
                continue
            case .backOff:
                // NAK_RB_IVL expired: send the NAK, wait NAK_RPT_IVL for an NCF;
                // for a whole group, with on-demand parity, one parity NAK.
                if waitsForGroupEnd(sqn, ctx: ctx) {
                    // Section 11.5: loss is detected at group boundaries;
                    // the back-off starts over until the group is whole.
                    let d = deferred ?? now + (ctx.backOff() + 1)
                    deferred = d
                    setPhase(o, .backOff, d)
                    continue
                }
                if let g = parityNAKGroup(sqn, ctx: ctx) {
                    requestParity(group: g, now: now, ctx: &ctx)
                    continue
                }
                slots[o].viaParity = false
                ctx.nakList.append(sqn)
                setPhase(o, .waitNCF, now + p.nakRptIvl)
            case .waitNCF:
                slots[o].ncfRetries += 1
                if UInt32(slots[o].ncfRetries) > p.nakNcfRetries {
                    if slots[o].viaParity {
                        fallBackToSelective(sqn, retry: &retry, now: now, ctx: &ctx)
                        continue
                    }
                    slots[o].state = .lost
                    anyLost = true
                } else {
                    retryBackOff(o, &retry, now: now, ctx: &ctx)
                }
            case .waitData:
                slots[o].dataRetries += 1
                if UInt32(slots[o].dataRetries) > p.nakDataRetries {
                    if slots[o].viaParity {
                        fallBackToSelective(sqn, retry: &retry, now: now, ctx: &ctx)
                        continue
                    }
                    slots[o].state = .lost
                    anyLost = true
                } else {
                    retryBackOff(o, &retry, now: now, ctx: &ctx)
                }
            }
        }
        sendNAKs(now: now, ctx: &ctx, out: &out)
        sendParityNAKs(now: now, ctx: &ctx, out: &out)
        if anyLost { deliver(now: now, ctx: &ctx, out: &out) }
    }

    /// After a WAIT_NCF or WAIT_DATA timeout: back to BACK-OFF, with one
    /// random interval shared by everything that timed out together.
    mutating func retryBackOff(_ o: Int, _ retry: inout VirtualTime?, now: VirtualTime, ctx: inout ReceiverContext) {
        guard spmSeen else {
            slots[o].phase = .awaitingSPM
            slots[o].deadline = .never
            return
        }
        let r = retry ?? now + ctx.backOff()
        retry = r
        setPhase(o, .backOff, r)
    }

    /// Sends the gathered sequence numbers, oldest first, 1 + up to 62 per NAK
    /// (section 9.3), unicast to the path NLA (section 6.3).
    /// With PGMCC, each carries OPT_PGMCC_FEEDBACK (draft section 2.1.2).
    mutating func sendNAKs(now: VirtualTime, ctx: inout ReceiverContext, out: inout Outbox<ReceiverEvent>) {
        guard let path, !ctx.nakList.isEmpty else { return }
        var i = 0
        let list = ctx.nakList
        let feedback = feedbackOption(now: now, ctx: ctx).map { [$0] } ?? []
        while i < list.count {
            let end = min(i + 63, list.count)
            let nak = PGMNak(sequence: list[i], source: source, group: ctx.group)
            var options = (try? PGMOptions(feedback)) ?? PGMOptions()
            if end - i > 1 {
                do {
                    options = try PGMOptions([PGMOption(.nakList(Array(list[(i + 1)..<end])))] + feedback)
                } catch {
                    // Cannot happen for 1...62 entries; send them one by one rather than lose them.
                    for s in list[(i + 1)..<end] {
                        appendNAK(PGMNak(sequence: s, source: source, group: ctx.group), options, path, &ctx, &out)
                    }
                }
            }
            appendNAK(nak, options, path, &ctx, &out)
            ctx.statistics.sequencesRequested += end - i
            i = end
        }
    }

    func appendNAK(_ nak: PGMNak, _ options: PGMOptions, _ path: PGMNLA, _ ctx: inout ReceiverContext,
                   _ out: inout Outbox<ReceiverEvent>) {
        let packet = PGMPacket(sourcePort: port, destinationPort: tsi.sourcePort, gsi: tsi.gsi,
                               body: .nak(nak), options: options).withComputedNetworkSignificance
        out.packets.append(Transmission(packet: packet, destination: .unicast(path)))
        ctx.statistics.naksSent += 1
    }
}

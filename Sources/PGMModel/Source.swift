import DequeModule
import PGMFEC
import PGMWire

/// Who a source is and where it sends.
public struct SourceConfiguration: Hashable, Sendable {
    public var gsi: GSI
    /// The data-source port: with the GSI, the TSI.
    public var sourcePort: UInt16
    /// The data-destination port.
    public var destinationPort: UInt16
    /// The group NLA (NAK_GRP in NCFs).
    public var group: PGMNLA
    /// The source's unicast NLA: SPM_PATH and NCF_SRC.
    public var address: PGMNLA
    /// OD_SQN of the first ODATA.
    public var initialSequence: UInt32

    public init(gsi: GSI, sourcePort: UInt16, destinationPort: UInt16, group: PGMNLA, address: PGMNLA,
                initialSequence: UInt32 = 0) {
        self.gsi = gsi
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.group = group
        self.address = address
        self.initialSequence = initialSequence
    }

    public var tsi: TSI { TSI(gsi: gsi, sourcePort: sourcePort) }
}

/// Why a source refused a request.
public enum SourceError: Error, Equatable, Sendable, CustomStringConvertible {
    case parameters(Parameters.ParameterError)
    /// send() after close() or abort().
    case closed
    case apduTooLarge(size: Int, limit: Int)
    /// OPT_RST carries a 6-bit error code.
    case errorCodeOutOfRange(UInt8)
    /// The codec refused the options built for a packet.
    case encoding(PGMWireError)
    /// FEC settings that the code cannot have.
    case fec(FECParametersError)

    public var description: String {
        switch self {
        case .parameters(let e): "\(e)"
        case .closed: "the session is closed"
        case .apduTooLarge(let size, let limit): "APDU of \(size) bytes exceeds \(limit)"
        case .errorCodeOutOfRange(let c): "OPT_RST error code \(c) does not fit in 6 bits"
        case .encoding(let e): "cannot encode options: \(e)"
        case .fec(let e): "FEC: \(e)"
        }
    }
}

/// What a source tells its application.
public enum SourceEvent: Hashable, Sendable {
    /// OPT_FIN went out, on the last ODATA or in an SPM; `lead` is the last
    /// sequence number of the session.
    case finSent(lead: SequenceNumber)
    /// The first SPM with OPT_RST went out.
    case resetSent
    /// Confirmed delivery (docs/confirmed-delivery.md S4): a receiver joined,
    /// named by its ACKs' address and RECEIVER ID, with its CONFIRMED.
    case receiverJoined(address: PGMNLA, id: UInt32, confirmed: SequenceNumber)
    /// ... a receiver was removed (S3, S5, S6).
    case receiverLeft(address: PGMNLA, id: UInt32, reason: ConfirmLeaveReason)
    /// ... a receiver was refused at the maximum (S4), at most one a second.
    case receiverRefused(address: PGMNLA, id: UInt32)
}

/// Counters a model source keeps: what the simulation and the conformance
/// runs measure (sequences NAKed, repairs lingering, bytes with IP headers),
/// in `Int`s and `Codable` for pgm-sim's JSON. Not PGMTypes'
/// `SourceStatistics`, the kernel's `struct pgm_source_stats`: the two count
/// different things, and only some counters (ODATA, RDATA, NCFs sent, NAKs
/// received) mean the same.
public struct ModelSourceStatistics: Hashable, Sendable, Codable {
    public var odataSent = 0
    public var rdataSent = 0
    public var spmsSent = 0
    public var ncfsSent = 0
    public var naksReceived = 0
    /// Sequence numbers NAKed, counting OPT_NAK_LIST entries.
    public var sequencesNaked = 0
    /// NAKed sequence numbers outside the transmit window (no NCF, no RDATA).
    public var sequencesOutsideWindow = 0
    /// NAKs within RDATA_LINGER_IVL of a sqn's RDATA: confirmed at once,
    /// repaired together by one RDATA when the linger ends (section 5.3).
    public var repairsLingering = 0
    public var spmrsReceived = 0
    public var spmrsAnswered = 0
    /// Octets sent, IP headers included.
    public var bytesSent = 0
    // FEC (RFC 3208 Appendix A). Parity RDATA is not in `rdataSent`.
    /// Parity packets sent as ODATA after their group's last ODATA.
    public var paritySentProactive = 0
    /// Parity packets sent as RDATA for parity NAKs.
    public var paritySentOnDemand = 0
    /// NAKs with OPT_PARITY (also in `naksReceived`), counting OPT_NAK_LIST entries.
    public var parityNaksReceived = 0
    /// Parity requests not answered: no on-demand parity offered, or a group
    /// not wholly in the transmit window (the leading partial group, one not
    /// yet sent in full, one the trail passed).
    public var parityNaksRefused = 0
    /// Parity requests answered with the group's originals: they asked for
    /// more than the group's n - k parity numbers had left.
    public var parityAnsweredByOriginals = 0
    // Confirmed delivery (docs/confirmed-delivery.md, S1-S8).
    /// ACKs with OPT_CONFIRM received (S1).
    public var confirmAcks = 0
    /// Receivers added (S4).
    public var confirmJoins = 0
    /// Receivers gone by BYE (S3). Each removal is counted once, by its
    /// reason, as pgm.ko's `confirm_leaves`, `confirm_expired` and
    /// `confirm_lost` are.
    public var confirmLeaves = 0
    /// Receivers removed for silence past the expiry (S5).
    public var confirmExpired = 0
    /// Receivers that lost data: BYE with LOST (S3), or the trail passed
    /// them (S6).
    public var confirmLost = 0
    /// New receivers refused at the maximum (S4).
    public var confirmRefused = 0
    /// ACKs that changed nothing: a CONFIRMED before the receiver's own
    /// (S3), a BYE from a receiver not known (S4).
    public var confirmStale = 0
    /// CONFIRMED beyond the lead, clamped (S2).
    public var confirmFuture = 0
    /// New receivers whose CONFIRMED is before trail - 1: not added (S4).
    public var confirmBehind = 0
    /// ODATA held back by flow control, counted once per wait (S8).
    public var flowLimited = 0
    public init() {}
}

/// One TPDU of the transmit window.
struct TxEntry: Sendable {
    var payload: ArraySlice<UInt8>
    var options: PGMOptions
    var fragment: Bool
    var fin: Bool
    var sentAt: VirtualTime
}

/// The RFC 3208 source (section 5, Appendix C, options of section 9): an
/// I/O-free state machine on the virtual clock. The application calls
/// `send`, `close` and `abort`; the network calls `receive`; the clock calls
/// `advance` at `nextDeadline`. Packets to send and events come out in an
/// `Outbox`.
public struct Source: Sendable {
    /// The largest APDU accepted (PGM_APDU_MAX in the uapi header).
    public static let maximumAPDU = 1 << 20
    /// The session's opening (PGM_JOIN_OPENING, PGM_JOIN_OPENING_MS): its
    /// first sequence numbers, and its first milliseconds.
    public static let joinOpening: UInt32 = 64
    public static let joinOpeningMicroseconds: Int64 = 100_000

    public let configuration: SourceConfiguration
    public let parameters: Parameters
    public internal(set) var statistics = ModelSourceStatistics()

    /// TXW_TRAIL: the oldest sequence number available for repair.
    public private(set) var trail: SequenceNumber
    /// TXW_LEAD: the last sequence number sent.
    public private(set) var lead: SequenceNumber
    /// The next sequence number to assign to a TPDU.
    public private(set) var assigned: SequenceNumber

    /// TPDUs trail..<assigned (sent ones, then those waiting for the rate).
    var entries = Deque<TxEntry>()
    /// TSDU bytes of the sent entries still in the window (TXW_BYTES).
    var heldBytes = 0
    var spmPending = false
    var spmSequence: UInt32 = 0
    var nextAmbient: VirtualTime
    var nextHeartbeat: VirtualTime = .never
    var heartbeatInterval: UInt32
    var lastSPMRAnswer: VirtualTime?
    var repairs = Deque<Repair>()
    var repairsQueued: Set<UInt32> = []
    var lastRepair: [UInt32: VirtualTime] = [:]
    /// Sequence numbers NAKed within RDATA_LINGER_IVL of their RDATA: one
    /// RDATA for them all when the linger ends.
    var afterLinger: Set<UInt32> = []
    /// Token bucket in byte-microseconds: one octet costs 1_000_000, and
    /// TXW_MAX_RTE of them accrue per microsecond.
    var tokens: Int64
    var tokensAt: VirtualTime
    var blockedCost: Int64 = 0
    var closing = false
    var finAnnounced = false
    var resetSent = false
    var abortState: (noNAKs: Bool, code: UInt8)?
    var resetOption: PGMOption?
    /// When the session began (connect).
    let started: VirtualTime

    /// FEC settings; nil: no FEC.
    public let fec: FECParameters?
    /// PGMCC's settings (draft-ietf-rmt-bb-pgmcc-03); nil: no congestion
    /// control, the rate limit alone.
    public let pgmcc: PGMCCSourceParameters?
    /// PGMCC's window, tokens and acker, with its counters.
    public internal(set) var pgmccState: PGMCCSourceState?
    /// Confirmed delivery's settings (docs/confirmed-delivery.md); nil: the
    /// source ignores OPT_CONFIRM.
    public let confirm: ConfirmSourceParameters?
    /// The confirming receivers.
    var confirmState: ConfirmSourceState?
    /// RS(n, k) of `fec`.
    let code: ReedSolomon?
    /// Proactive parity packets due: group, number (section 11.4).
    var proactive = Deque<(group: UInt32, number: Int)>()
    /// On-demand parity per group with a parity NAK: the next unused
    /// number, the packets still to send, whether the group is queued.
    var parityRequests: [UInt32: ParityRequest] = [:]

    /// A repair waiting for the rate: a selective one, or on-demand parity
    /// for a group.
    enum Repair: Equatable {
        case sequence(UInt32)
        case parity(group: UInt32)
    }

    struct ParityRequest {
        var nextNumber: Int
        /// Parity packets still to send.
        var pending = 0
        var queued = false
        /// Parity packets sent since `pending` last rose from 0.
        var batch = 0
        /// When the last parity packet of the group went, and how many the
        /// batch it ended had.
        var lastSent: VirtualTime?
        var lastBatch = 0
        /// Parity owed when the linger after `lastSent` ends.
        var owed = 0
    }
    /// Groups with parity owed after a linger.
    var parityLingering: Set<UInt32> = []

    /// A source whose first ambient SPM is due at `start`, with FEC when
    /// `fec` is given (RFC 3208 Appendix A).
    ///
    /// With `pgmcc` it runs PGMCC: ODATA waits for the window's tokens as
    /// well as for TXW_MAX_RTE, so it never goes faster than either.
    ///
    /// With `confirm` it keeps the receivers that confirm delivery and
    /// their least CONFIRMED (`confirmed`), and with its `flow` holds the
    /// trail for the slowest (docs/confirmed-delivery.md S1-S8).
    public init(_ configuration: SourceConfiguration, parameters: Parameters = Parameters(),
                fec: FECParameters? = nil, pgmcc: PGMCCSourceParameters? = nil,
                confirm: ConfirmSourceParameters? = nil, start: VirtualTime = .zero) throws(SourceError) {
        do { try parameters.validate() } catch { throw .parameters(error) }
        self.configuration = configuration
        self.parameters = parameters
        self.fec = fec
        self.pgmcc = pgmcc
        self.pgmccState = pgmcc.map { _ in PGMCCSourceState() }
        self.confirm = confirm
        self.confirmState = confirm.map { _ in ConfirmSourceState() }
        if let fec {
            do { code = try ReedSolomon(n: fec.n, k: fec.k) } catch {
                // FECParameters holds what ReedSolomon accepts.
                throw .fec(.blockSize(fec.n, k: fec.k))
            }
        } else {
            code = nil
        }
        trail = SequenceNumber(configuration.initialSequence)
        lead = trail.advanced(by: UInt32.max)
        assigned = trail
        nextAmbient = start
        heartbeatInterval = parameters.ihbMin
        tokens = Int64(parameters.maxTpdu) * 1_000_000
        tokensAt = start
        started = start
    }

    /// OPT_JOIN's minimum sequence number now (section 9.4), or nil when
    /// late joiners may repair nothing and start at the first packet they
    /// hear. While the session opens (its first `joinOpening` sequence
    /// numbers or its first `joinOpeningMicroseconds`) the session's first,
    /// so that a receiver present at the start that lost or had reordered
    /// the opening packets starts there, or learns what it lost; afterwards the newest LATE_JOIN percent of the window, none
    /// by default (MS-PGM's late-joiner percentage).
    func joinOffer(_ now: VirtualTime) -> UInt32? {
        // The next sequence number to number, as the kernel's next_sqn when
        // it builds an ODATA (its send() waits for the rate; ours queues).
        let next = assigned
        let held = UInt32(bitPattern: trail.distance(to: next))
        let sent = UInt32(bitPattern: SequenceNumber(configuration.initialSequence).distance(to: next))
        if sent <= Self.joinOpening || now < started + Self.joinOpeningMicroseconds {
            return configuration.initialSequence
        }
        let back = UInt32(UInt64(held) * UInt64(parameters.lateJoin) / 100)
        return back == 0 ? nil : next.rawValue &- back
    }

    /// The options of an SPM now: OPT_PARITY_PRM with FEC (in every SPM,
    /// section 11.4), OPT_JOIN when offered, then OPT_RST or OPT_FIN.
    func spmOptions(_ now: VirtualTime) -> PGMOptions {
        var list: [PGMOption] = []
        if let fec { list.append(fec.option) }
        if let j = joinOffer(now) { list.append(PGMOption(.join(minimumSequence: j))) }
        if let r = resetOption {
            list.append(r)
        } else if closing && unsentCount == 0 {
            list.append(PGMOption(.fin))
        }
        return (try? PGMOptions(list)) ?? PGMOptions()
    }

    /// An RDATA's options: its ODATA's, with OPT_JOIN naming today's offer
    /// (or the RDATA's own sequence number, which offers nothing before it),
    /// as the kernel rewrites it.
    func rdataOptions(_ options: PGMOptions, sequence: UInt32, now: VirtualTime) -> PGMOptions {
        guard !options.isEmpty, options.joinMinimumSequence != nil else { return options }
        let join = joinOffer(now) ?? sequence
        let list = options.all.map { o -> PGMOption in
            if case .join = o.kind { return PGMOption(.join(minimumSequence: join)) }
            return o
        }
        return (try? PGMOptions(list)) ?? options
    }

    static func options(_ list: [PGMOption]) throws(SourceError) -> PGMOptions {
        do { return try PGMOptions(list) } catch { throw .encoding(error) }
    }

    /// TPDUs accepted but not yet sent (held back by TXW_MAX_RTE).
    public var unsentCount: Int { Int(lead.advanced(by: 1).distance(to: assigned)) }

    /// Whether close() or abort() was called.
    public var isClosed: Bool { closing || abortState != nil }

    // MARK: Application

    /// Queues one APDU as ODATA, fragmented with OPT_FRAGMENT when it does
    /// not fit MAX_TPDU (section 9.2.2). Returns the sequence numbers given
    /// to its TPDUs.
    @discardableResult
    public mutating func send(_ apdu: [UInt8], at now: VirtualTime,
                              into out: inout Outbox<SourceEvent>) throws(SourceError) -> ClosedRange<SequenceNumber> {
        guard !isClosed else { throw .closed }
        guard apdu.count <= Self.maximumAPDU else { throw .apduTooLarge(size: apdu.count, limit: Self.maximumAPDU) }
        let first = assigned
        let syn = first.rawValue == configuration.initialSequence
        let join = joinOffer(now)
        let sizes = Self.fragmentSizes(apduSize: apdu.count, syn: syn, parameters: parameters, fec: fec != nil,
                                       pgmccBytes: pgmcc == nil ? 0 : Self.pgmccDataLength(source: configuration.address))
        var built: [TxEntry] = []
        built.reserveCapacity(sizes.count)
        var offset = 0
        for (i, size) in sizes.enumerated() {
            var list: [PGMOption] = []
            if sizes.count > 1 || size < apdu.count {
                list.append(PGMOption(.fragment(firstSequence: first.rawValue, offset: UInt32(offset),
                                                length: UInt32(apdu.count))))
            }
            if let join { list.append(PGMOption(.join(minimumSequence: join))) }
            if syn && i == 0 { list.append(PGMOption(.syn)) }
            built.append(TxEntry(payload: apdu[offset..<(offset + size)], options: try Self.options(list),
                                 fragment: !list.isEmpty, fin: false, sentAt: .never))
            offset += size
        }
        for e in built { entries.append(e) }
        assigned = assigned.advanced(by: UInt32(built.count))
        pump(now: now, out: &out)
        return first...assigned.advanced(by: UInt32.max)
    }

    /// The TSDU sizes of the TPDUs an APDU of `apduSize` octets becomes:
    /// each TPDU, with the IPv4 header (20), PGM header (16), ODATA fields
    /// (8) and options (OPT_LENGTH, OPT_FRAGMENT when fragmented, OPT_JOIN,
    /// OPT_SYN on the session's first TPDU), fits MAX_TPDU. Room for OPT_JOIN
    /// is always kept, as it comes and goes with the window (`joinOffer`).
    /// With FEC, every TPDU leaves room for the largest parity packet its
    /// group can have (section 11.2): the 2-octet length trailer of a group
    /// of variable-sized packets, and the options OPT_LENGTH, an encoded
    /// OPT_FRAGMENT and OPT_PARITY_GRP (28 octets), as if fragmented.
    /// `pgmccBytes`: room for OPT_PGMCC_DATA, which a PGMCC source adds to
    /// every ODATA and RDATA when it leaves.
    public static func fragmentSizes(apduSize: Int, syn: Bool, parameters: Parameters, fec: Bool = false,
                                     pgmccBytes: Int = 0) -> [Int] {
        let room = Int(parameters.maxTpdu) - ipv4HeaderLength - 24 - pgmccBytes
        func optionBytes(fragment: Bool, syn: Bool) -> Int {
            if fec { return PGMParity.trailerLength + 4 + 16 + 8 + (syn ? 4 : 0) }
            return 4 + (fragment ? 16 : 0) + (syn ? 4 : 0) + 8
        }
        if apduSize <= room - optionBytes(fragment: false, syn: syn) { return [apduSize] }
        var sizes: [Int] = []
        var offset = 0
        while offset < apduSize {
            let size = min(apduSize - offset, room - optionBytes(fragment: true, syn: syn && offset == 0))
            sizes.append(size)
            offset += size
        }
        return sizes
    }

    /// Closes the session gracefully: OPT_FIN on the last ODATA when it is
    /// still queued and has room, else in an SPM sent at once; every later
    /// SPM carries OPT_FIN (section 9.7.2).
    public mutating func close(at now: VirtualTime, into out: inout Outbox<SourceEvent>) {
        guard !isClosed else { return }
        closing = true
        if unsentCount > 0 {
            let last = entries.count - 1
            var e = entries[last]
            let length = ipv4HeaderLength + 24 + e.options.encodedLength + (e.options.isEmpty ? 8 : 4) + e.payload.count
            if length <= Int(parameters.maxTpdu), let withFin = try? Self.options(e.options.all + [PGMOption(.fin)]) {
                e.options = withFin
                e.fin = true
                entries[last] = e
                pump(now: now, out: &out)
                return
            }
        }
        announceBySPM(now: now)
        pump(now: now, out: &out)
    }

    /// Aborts the session: queued ODATA is dropped and every SPM from now on
    /// carries OPT_RST (section 9.8.2), the first one at once. With `noNAKs`
    /// the N bit is set and NAKs are no longer answered.
    public mutating func abort(errorCode: UInt8 = 0, noNAKs: Bool = false, at now: VirtualTime,
                               into out: inout Outbox<SourceEvent>) throws(SourceError) {
        guard errorCode < 64 else { throw .errorCodeOutOfRange(errorCode) }
        guard abortState == nil else { return }
        resetOption = PGMOption(.reset(noNAKs: noNAKs, errorCode: errorCode))
        abortState = (noNAKs, errorCode)
        // Unsent TPDUs will never be sent.
        let unsent = unsentCount
        for _ in 0..<unsent { entries.removeLast() }
        assigned = lead.advanced(by: 1)
        announceBySPM(now: now)
        pump(now: now, out: &out)
    }

    /// Sends an SPM now and restarts the heartbeat (sections 9.7.2, 9.8.2).
    mutating func announceBySPM(now: VirtualTime) {
        spmPending = true
        heartbeatInterval = parameters.ihbMin
        nextHeartbeat = now + parameters.ihbMin
    }

    // MARK: Network

    /// Handles a packet from the network: NAKs (sections 5.2, 5.3, 9.3.4) and
    /// SPMRs (Appendix C, section 13.4). Other packets are ignored.
    public mutating func receive(_ packet: PGMPacket, from sender: PGMNLA, at now: VirtualTime,
                                 into out: inout Outbox<SourceEvent>) {
        guard packet.tsi == configuration.tsi, packet.dataDestinationPort == configuration.destinationPort else { return }
        refill(now)
        switch packet.body {
        case .nak(let nak):
            if pgmcc != nil { onPGMCCFeedback(packet.options, ack: nil, sender: sender, now: now) }
            if packet.flags.contains(.parity) {
                onParityNAK(nak, options: packet.options, now: now, out: &out)
            } else {
                onNAK(nak, options: packet.options, now: now, out: &out)
            }
        case .ack(let a):
            // S1: OPT_CONFIRM to the receivers' set; PGMCC reads the ACK
            // too (one without feedback it counts and leaves).
            let confirming = confirm != nil && !packet.options.isEmpty
                && packet.options.contains(type: PGMOptionType.confirm)
            guard pgmcc != nil || confirming else { return }
            if confirming { onConfirmACK(packet.options, sender: sender, now: now, out: &out) }
            if pgmcc != nil { onPGMCCFeedback(packet.options, ack: a, sender: sender, now: now) }
        case .spmr:
            statistics.spmrsReceived += 1
            // "respond immediately ... rate limited to once per IHB_MIN per TSI".
            if lastSPMRAnswer.map({ now >= $0 + parameters.ihbMin }) ?? true {
                lastSPMRAnswer = now
                statistics.spmrsAnswered += 1
                spmPending = true
            }
        default:
            return
        }
        pump(now: now, out: &out)
    }

    func inWindow(_ s: SequenceNumber) -> Bool { s >= trail && s <= lead }

    /// What a NAK asks for: its sequence number and those of its OPT_NAK_LIST
    /// (a parity NAK's are group requests), or nil when a reset stopped NAKs.
    func nakRequest(_ nak: PGMNak, options: PGMOptions) -> [UInt32]? {
        if let a = abortState, a.noNAKs { return nil }
        var requested = [nak.sequence]
        if !options.isEmpty, case .nakList(let list)? = options.first(type: PGMOptionType.nakList)?.kind {
            requested += list
        }
        return requested
    }

    mutating func onNAK(_ nak: PGMNak, options: PGMOptions, now: VirtualTime, out: inout Outbox<SourceEvent>) {
        statistics.naksReceived += 1
        guard let requested = nakRequest(nak, options: options) else { return }
        statistics.sequencesNaked += requested.count
        // Only sequence numbers still in the transmit window are confirmed
        // and repaired (section 5.3); an NCF for the others would promise
        // RDATA that can never come, and hold back the NAKs of receivers
        // (6.3) and network elements (9.3.3) for a sqn beyond the lead that
        // they may yet lose. Section 9.3.4's NCF with "the same NAK list as
        // the NAK itself" (OpenPGM's way) cannot be kept for such a list:
        // its RDATA "for every requested sequence number" cannot be sent.
        let valid = requested.filter { inWindow(SequenceNumber($0)) }
        statistics.sequencesOutsideWindow += requested.count - valid.count
        guard !valid.isEmpty else { return }
        // Section 5.2: "MUST immediately multicast an NCF in response to any
        // NAK", ahead of everything else and outside the rate limit; section
        // 9.3.4: with the NAK's list. A repeated NAK is confirmed again (its
        // sender may have lost the first NCF); only its RDATA lingers.
        let first = valid[0]
        var ncfOptions = PGMOptions()
        if valid.count > 1, let o = try? PGMOptions([PGMOption(.nakList(Array(valid.dropFirst())))]) {
            ncfOptions = o
        }
        // A list the codec refuses cannot come from a decoded NAK: then only
        // the first is confirmed, and only the confirmed repaired.
        let confirmed = valid.count > 1 && ncfOptions.isEmpty ? [first] : valid
        let ncf = PGMPacket(sourcePort: configuration.sourcePort, destinationPort: configuration.destinationPort,
                            gsi: configuration.gsi,
                            body: .ncf(PGMNak(sequence: first, source: configuration.address,
                                              group: configuration.group)),
                            options: ncfOptions).withComputedNetworkSignificance
        emit(ncf, &out)
        statistics.ncfsSent += 1
        for s in confirmed { queueSelectiveRepair(s, now: now) }
    }

    /// Queues the RDATA of `s` unless it is queued already; within
    /// RDATA_LINGER_IVL of its last repair it waits for the linger's end
    /// (section 5.3: RDATA "MUST" answer any NAK for data in the window,
    /// and MAY be delayed).
    private mutating func queueSelectiveRepair(_ s: UInt32, now: VirtualTime) {
        if repairsQueued.contains(s) { return }
        if let t = lastRepair[s], now < t + parameters.rdataLingerIvl {
            statistics.repairsLingering += 1
            afterLinger.insert(s)
            return
        }
        repairs.append(.sequence(s))
        repairsQueued.insert(s)
    }

    // MARK: FEC

    /// Whether all of `group` is in the transmit window: sent, and not yet
    /// behind the trail. The session's first group is not when the ISN is
    /// not a multiple of k (the leading partial group).
    func groupInWindow(_ group: UInt32) -> Bool {
        guard let fec else { return false }
        return inWindow(SequenceNumber(group)) && inWindow(SequenceNumber(fec.groups.last(of: group)))
    }

    /// A parity NAK (section 11.4): NAK_TG_SQN names a group, NAK_PKT_CNT + 1
    /// parity packets are asked for (OPT_NAK_LIST: more groups, as OpenPGM
    /// accepts). Each group wholly in the window is confirmed with a parity
    /// NCF echoing the request and gets as many new parity packets as the
    /// largest request pending for it. A group not wholly in the window gets
    /// neither: an NCF would promise parity that cannot be made; its
    /// receivers repair it with selective NAKs.
    mutating func onParityNAK(_ nak: PGMNak, options: PGMOptions, now: VirtualTime, out: inout Outbox<SourceEvent>) {
        statistics.naksReceived += 1
        guard let requested = nakRequest(nak, options: options) else { return }
        statistics.parityNaksReceived += requested.count
        guard let fec, fec.onDemand else {
            statistics.parityNaksRefused += requested.count
            return
        }
        let groups = fec.groups
        // What one NAK may add to what the source owes, as for a selective
        // NAK (PGM_NAK_SQNS_MAX sequence numbers): parity packets, or the k
        // originals when a group's numbers run out. A request past that is
        // cut to what fits, refused when nothing does (pgm(7)'s reflection
        // bound; the kernel does the same).
        var budget = Self.nakWorkMax
        var accepted: [(group: UInt32, echo: UInt32)] = []
        for s in requested {
            let (g, count) = groups.parityRequest(s)
            guard groupInWindow(g) else {
                statistics.parityNaksRefused += 1
                continue
            }
            var r = parityRequests[g] ?? ParityRequest(nextNumber: fec.proactive)
            var echo = s
            if r.pending == 0, let t = r.lastSent, now < t + parameters.rdataLingerIvl {
                // Within RDATA_LINGER_IVL of the group's last parity, as for
                // RDATA (section 5.3): the NAK is taken as sent before that
                // batch arrived, and only what it asks beyond the batch is
                // owed, when the linger ends.
                let want = max(0, count - r.lastBatch)
                if want > r.owed {
                    guard let (target, cost) = grant(r, have: r.owed, count: want, budget: budget, fec: fec) else {
                        statistics.parityNaksRefused += 1
                        parityRequests[g] = r
                        continue
                    }
                    budget -= cost
                    r.owed = target
                    echo = groups.parityRequest(group: g, count: min(count, r.lastBatch + target))
                }
                statistics.repairsLingering += 1
                if r.owed > 0 { parityLingering.insert(g) }
                parityRequests[g] = r
                accepted.append((g, echo))
                continue
            }
            guard let (target, cost) = grant(r, have: r.pending, count: count, budget: budget, fec: fec) else {
                statistics.parityNaksRefused += 1
                parityRequests[g] = r
                continue
            }
            budget -= cost
            // "need only increase the number of pending parity packets to
            // NAK_PKT_CNT" (section 11.4): pending ones serve the new request too.
            if r.pending == 0 { r.batch = 0 }
            r.pending = max(r.pending, target)
            if !r.queued {
                r.queued = true
                repairs.append(.parity(group: g))
            }
            parityRequests[g] = r
            accepted.append((g, groups.parityRequest(group: g, count: min(count, target))))
        }
        guard !accepted.isEmpty else { return }
        var ncfOptions = PGMOptions()
        if accepted.count > 1, let o = try? PGMOptions([PGMOption(.nakList(accepted.dropFirst().map(\.echo)))]) {
            ncfOptions = o
        }
        // Section 11.3.2: the parity NCF carries the request, OPT_PARITY set.
        let ncf = PGMPacket(sourcePort: configuration.sourcePort, destinationPort: configuration.destinationPort,
                            gsi: configuration.gsi,
                            body: .ncf(PGMNak(sequence: accepted[0].echo, source: configuration.address,
                                              group: configuration.group)),
                            options: ncfOptions, flags: .parity).withComputedNetworkSignificance
        emit(ncf, &out)
        statistics.ncfsSent += 1
    }

    /// The packets one NAK may make the source owe (PGM_NAK_SQNS_MAX).
    static let nakWorkMax = 63

    /// What a request for `count` parity packets of a group whose request
    /// stands at `have` (pending, or owed after a linger) may raise it to
    /// within `budget` packets, the k originals counting when the request
    /// brings them on (its numbers used up), and what that costs; nil when
    /// nothing fits.
    func grant(_ r: ParityRequest, have: Int, count: Int, budget: Int,
               fec: FECParameters) -> (target: Int, cost: Int)? {
        let used = r.nextNumber + have
        let left = max(0, fec.parityCount - used)
        var inc = max(0, count - have)
        // More than the parity numbers left: the k originals instead.
        let originals = inc > left
        let cost = originals ? fec.k : inc
        if cost <= budget { return (have + inc, cost) }
        // Cut to the parity that fits.
        inc = min(inc, left, budget)
        return inc > 0 ? (have + inc, inc) : nil
    }

    /// The originals of `group` as FEC sees them, in order.
    func originals(of group: UInt32) -> [FECOriginal]? {
        guard let fec, groupInWindow(group) else { return nil }
        return (0..<UInt32(fec.k)).map { i in
            let e = entries[Int(trail.distance(to: SequenceNumber(group &+ i)))]
            return FECOriginal(payload: e.payload, fragment: e.options.fragment)
        }
    }

    /// Parity packet `number` of `group` as ODATA (proactive) or RDATA (on
    /// demand), computed from the window's packets now (section 11.2).
    func parityPacket(group: UInt32, number: Int, repair: Bool) -> PGMPacket? {
        guard let fec, let code, let originals = originals(of: group),
              let content = try? ParityContent(number: number, of: originals, code: code)
        else { return nil }
        let (sqn, parityGroup) = fec.groups.paritySequence(group: group, number: number)
        var list: [PGMOption] = []
        if let f = content.encodedFragment { list.append(PGMParity.encodedFragment(f)) }
        if let m = parityGroup { list.append(PGMOption(.parityGroup(m))) }
        let data = PGMData(sequence: sqn, trailingEdge: trail.rawValue, payload: content.payload)
        return PGMPacket(sourcePort: configuration.sourcePort, destinationPort: configuration.destinationPort,
                         gsi: configuration.gsi, body: repair ? .rdata(data) : .odata(data),
                         options: (try? PGMOptions(list)) ?? PGMOptions(), flags: content.flags)
    }

    /// Sends the first proactive parity packet due; false when the rate
    /// holds it back.
    mutating func sendProactive(now: VirtualTime, out: inout Outbox<SourceEvent>) -> Bool {
        guard let (g, j) = proactive.first else { return true }
        guard let packet = parityPacket(group: g, number: j, repair: false) else {
            // The trail passed the group before its parity went.
            proactive.removeFirst()
            return true
        }
        guard take(packet) else { return false }
        proactive.removeFirst()
        statistics.paritySentProactive += 1
        emit(packet, &out)
        dataSent(now)
        return true
    }

    /// Sends on-demand parity for the group at the head of the repair queue;
    /// false when the rate holds it back.
    mutating func sendOnDemand(group g: UInt32, now: VirtualTime, out: inout Outbox<SourceEvent>) -> Bool {
        guard var r = parityRequests[g], r.pending > 0, let fec, groupInWindow(g) else {
            repairs.removeFirst()
            parityRequests[g]?.queued = false
            parityRequests[g]?.pending = 0
            return true
        }
        // Section 11.4: the group's proactive parity goes before its on-demand parity.
        if proactive.first?.group == g { return sendProactive(now: now, out: &out) }
        if r.nextNumber + r.pending > fec.parityCount {
            // More asked than the group's parity numbers left: its
            // originals, as selective repairs (lingering as those do),
            // which serve any receiver of the group as the numbers left
            // would not.
            repairs.removeFirst()
            r.pending = 0
            r.queued = false
            parityRequests[g] = r
            statistics.parityAnsweredByOriginals += 1
            for i in 0..<UInt32(fec.k) { queueSelectiveRepair(g &+ i, now: now) }
            return true
        }
        guard let packet = parityPacket(group: g, number: r.nextNumber, repair: true) else {
            repairs.removeFirst()
            parityRequests[g] = nil
            return true
        }
        guard take(packet) else { return false }
        r.nextNumber += 1
        r.pending -= 1
        r.batch += 1
        r.lastSent = now
        if r.pending == 0 {
            r.queued = false
            r.lastBatch = r.batch
            repairs.removeFirst()
        }
        parityRequests[g] = r
        statistics.paritySentOnDemand += 1
        emit(packet, &out)
        dataSent(now)
        return true
    }

    // MARK: Clock

    /// The earliest time `advance` has work to do.
    public var nextDeadline: VirtualTime? {
        var d: VirtualTime? = min(nextAmbient, nextHeartbeat)
        if parameters.txwSecsMs > 0 && !entries.isEmpty && trail <= lead && confirmMayDropTrail {
            d = earliest(d, entries[0].sentAt + Int64(parameters.txwSecsMs) * 1000)
        }
        if confirm != nil { d = earliest(d, confirmDeadline) }
        for s in afterLinger {
            if let t = lastRepair[s] { d = earliest(d, t + parameters.rdataLingerIvl) }
        }
        for g in parityLingering {
            if let t = parityRequests[g]?.lastSent { d = earliest(d, t + parameters.rdataLingerIvl) }
        }
        if let cc = pgmccState, cc.deadline != .never { d = earliest(d, cc.deadline) }
        if blockedCost > 0 && parameters.txwMaxRte > 0 {
            let rate = Int64(parameters.txwMaxRte)
            d = earliest(d, tokensAt + (blockedCost - tokens + rate - 1) / rate)
        }
        return d
    }

    /// Runs the timers due at `now` and sends what the rate allows.
    public mutating func advance(to now: VirtualTime, into out: inout Outbox<SourceEvent>) {
        refill(now)
        // Confirming receivers not heard for the expiry are gone (S5), before
        // the trail's age is looked at: one may have held it (S8).
        if confirm != nil { confirmExpire(now: now, out: &out) }
        // The transmit window also advances in time (section 3.3), as far as
        // flow control lets it (S8).
        if parameters.txwSecsMs > 0 {
            let age = Int64(parameters.txwSecsMs) * 1000
            let before = trail
            while !entries.isEmpty && trail <= lead && entries[0].sentAt + age <= now && confirmMayDropTrail {
                dropTrail()
            }
            if trail != before && confirm != nil { confirmTrailMoved(out: &out) }
        }
        // Ambient SPMs (section 5.1.4).
        if nextAmbient <= now {
            spmPending = true
            nextAmbient = now + parameters.spmAmbientIvl
        }
        // Heartbeat SPMs (section 5.1.5): IHB_MIN after data, doubling to IHB_MAX.
        if nextHeartbeat <= now {
            spmPending = true
            heartbeatInterval = min(heartbeatInterval * 2, parameters.ihbMax)
            nextHeartbeat = now + heartbeatInterval
        }
        if pgmccState != nil { pgmccTimer(now: now) }
        if lastRepair.count > 4096 {
            expireLingers(now)
            lastRepair = lastRepair.filter { now < $0.value + parameters.rdataLingerIvl }
        }
        pump(now: now, out: &out)
    }

    mutating func dropTrail() {
        if trail <= lead { heldBytes -= entries[0].payload.count }
        entries.removeFirst()
        if let fec, !parityRequests.isEmpty, fec.groups.index(of: trail.rawValue) == fec.k - 1 {
            parityRequests[fec.groups.start(of: trail.rawValue)] = nil
        }
        trail = trail.advanced(by: 1)
    }

    // MARK: Transmission

    mutating func refill(_ now: VirtualTime) {
        guard parameters.txwMaxRte > 0, now > tokensAt else { return }
        let rate = Int64(parameters.txwMaxRte)
        let capacity = Int64(parameters.maxTpdu) * 1_000_000
        let elapsed = min(now - tokensAt, capacity / rate + 1)
        tokens = min(capacity, tokens + elapsed * rate)
        tokensAt = now
    }

    /// Takes the tokens for `packet` if there are enough.
    mutating func take(_ packet: PGMPacket) -> Bool {
        guard parameters.txwMaxRte > 0 else { return true }
        let cost = Int64(ipv4HeaderLength + packet.encodedLength) * 1_000_000
        guard tokens >= cost else {
            blockedCost = cost
            return false
        }
        tokens -= cost
        return true
    }

    mutating func emit(_ packet: PGMPacket, _ out: inout Outbox<SourceEvent>) {
        statistics.bytesSent += ipv4HeaderLength + packet.encodedLength
        out.packets.append(Transmission(packet: packet, destination: .group(linkLocal: false)))
    }

    /// Sends in the order of section 5.1.3 (NCFs already went out): SPMs,
    /// then RDATA, then ODATA, while TXW_MAX_RTE allows.
    mutating func pump(now: VirtualTime, out: inout Outbox<SourceEvent>) {
        blockedCost = 0
        expireLingers(now)
        while true {
            if spmPending {
                let spm = makeSPM(now)
                guard take(spm) else { return }
                spmPending = false
                spmSequence &+= 1
                statistics.spmsSent += 1
                emit(spm, &out)
                if abortState != nil && !resetSent {
                    resetSent = true
                    out.events.append(.resetSent)
                } else if abortState == nil && closing && unsentCount == 0 && !finAnnounced {
                    finAnnounced = true
                    out.events.append(.finSent(lead: lead))
                }
                continue
            }
            if let head = repairs.first {
                let raw: UInt32
                switch head {
                case .parity(let g):
                    guard sendOnDemand(group: g, now: now, out: &out) else { return }
                    continue
                case .sequence(let v):
                    raw = v
                }
                let s = SequenceNumber(raw)
                guard inWindow(s) else {
                    repairs.removeFirst()
                    repairsQueued.remove(raw)
                    continue
                }
                let e = entries[Int(trail.distance(to: s))]
                let rdata = PGMPacket(sourcePort: configuration.sourcePort,
                                      destinationPort: configuration.destinationPort, gsi: configuration.gsi,
                                      body: .rdata(PGMData(sequence: s.rawValue, trailingEdge: trail.rawValue,
                                                           payload: e.payload)),
                                      options: withPGMCCData(rdataOptions(e.options, sequence: s.rawValue, now: now),
                                                             now: now))
                guard take(rdata) else { return }
                repairs.removeFirst()
                repairsQueued.remove(raw)
                lastRepair[s.rawValue] = now
                statistics.rdataSent += 1
                emit(rdata, &out)
                dataSent(now)
                continue
            }
            // Proactive parity follows its group's last ODATA (section 11.4).
            if !proactive.isEmpty {
                guard sendProactive(now: now, out: &out) else { return }
                continue
            }
            if unsentCount > 0 {
                let s = lead.advanced(by: 1)
                // Sending s makes it the lead; the window keeps TXW_SQNS.
                var newTrail = trail
                if Int64(newTrail.distance(to: s)) + 1 > Int64(parameters.txwSqns) {
                    newTrail = s.advanced(by: 1 &- parameters.txwSqns)
                }
                let o = Int(trail.distance(to: s))
                let e = entries[o]
                // And at most TXW_BYTES of TSDU held, when that is set (section 3.3).
                if parameters.txwBytes > 0 {
                    var held = heldBytes
                    var t = trail
                    while t < newTrail { held -= entries[Int(trail.distance(to: t))].payload.count; t = t.advanced(by: 1) }
                    while newTrail <= lead && held + e.payload.count > Int(parameters.txwBytes) {
                        held -= entries[Int(trail.distance(to: newTrail))].payload.count
                        newTrail = newTrail.advanced(by: 1)
                    }
                }
                // Flow control: the trail waits for the slowest confirming
                // receiver (docs/confirmed-delivery.md S8).
                guard confirmMaySend(newTrail: newTrail) else { return }
                // PGMCC: a token of the window too (section 3, send_packet).
                guard pgmccMaySend(now: now) else { return }
                let odata = PGMPacket(sourcePort: configuration.sourcePort,
                                      destinationPort: configuration.destinationPort, gsi: configuration.gsi,
                                      body: .odata(PGMData(sequence: s.rawValue, trailingEdge: newTrail.rawValue,
                                                           payload: e.payload)),
                                      options: withPGMCCData(e.options, now: now))
                guard take(odata) else { return }
                pgmccSent(now: now)
                entries[o].sentAt = now
                lead = s
                heldBytes += e.payload.count
                let before = trail
                while trail < newTrail { dropTrail() }
                if confirm != nil {
                    confirmSent()
                    if trail != before { confirmTrailMoved(out: &out) }
                }
                statistics.odataSent += 1
                emit(odata, &out)
                dataSent(now)
                if let fec, fec.proactive > 0, fec.groups.index(of: s.rawValue) == fec.k - 1 {
                    let g = fec.groups.start(of: s.rawValue)
                    if groupInWindow(g) {
                        for j in 0..<fec.proactive { proactive.append((g, j)) }
                    }
                }
                if e.fin {
                    finAnnounced = true
                    out.events.append(.finSent(lead: s))
                }
                continue
            }
            return
        }
    }

    /// The lingers that ended: the sequence numbers NAKed during theirs are
    /// queued for RDATA, oldest repair first.
    mutating func expireLingers(_ now: VirtualTime) {
        if !parityLingering.isEmpty { expireParityLingers(now) }
        guard !afterLinger.isEmpty else { return }
        let due = afterLinger.compactMap { s -> (VirtualTime, UInt32)? in
            guard let t = lastRepair[s], now < t + parameters.rdataLingerIvl else { return (lastRepair[s] ?? now, s) }
            return nil
        }.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : trail.distance(to: SequenceNumber($0.1)) < trail.distance(to: SequenceNumber($1.1)) }
        for (_, s) in due {
            afterLinger.remove(s)
            guard inWindow(SequenceNumber(s)), !repairsQueued.contains(s) else { continue }
            repairs.append(.sequence(s))
            repairsQueued.insert(s)
        }
    }

    /// The groups whose linger ended get the parity owed them.
    mutating func expireParityLingers(_ now: VirtualTime) {
        for g in parityLingering.sorted(by: { trail.distance(to: SequenceNumber($0)) < trail.distance(to: SequenceNumber($1)) }) {
            guard var r = parityRequests[g] else {
                parityLingering.remove(g)
                continue
            }
            if let t = r.lastSent, now < t + parameters.rdataLingerIvl { continue }
            parityLingering.remove(g)
            if r.pending == 0 { r.batch = 0 }
            r.pending = max(r.pending, r.owed)
            r.owed = 0
            if r.pending > 0 && !r.queued {
                r.queued = true
                repairs.append(.parity(group: g))
            }
            parityRequests[g] = r
        }
    }

    /// Any data packet restarts the heartbeat at IHB_MIN (section 5.1.5).
    mutating func dataSent(_ now: VirtualTime) {
        heartbeatInterval = parameters.ihbMin
        nextHeartbeat = now + parameters.ihbMin
    }

    func makeSPM(_ now: VirtualTime) -> PGMPacket {
        let options = spmOptions(now)
        return PGMPacket(sourcePort: configuration.sourcePort, destinationPort: configuration.destinationPort,
                         gsi: configuration.gsi,
                         body: .spm(PGMSPM(sequence: spmSequence, trailingEdge: trail.rawValue,
                                           leadingEdge: lead.rawValue, path: configuration.address)),
                         options: options).withComputedNetworkSignificance
    }
}

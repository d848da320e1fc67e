import PGMWire

// PGMCC, the source's part (draft-ietf-rmt-bb-pgmcc-03, sections 2.2-2.5,
// 2.7 and 3): OPT_PGMCC_DATA on every ODATA and RDATA, the acker chosen by
// the throughput equation from ACK and NAK feedback, and ODATA clocked out
// by a token-based window that opens like TCP's and halves on loss.

/// What a PGMCC source uses.
public struct PGMCCSourceParameters: Hashable, Sendable {
    /// SSTHRESH, in packets: the window opens exponentially up to it, then
    /// by one packet per window (section 2.2 recommends a small fixed value).
    public var slowStartThreshold: UInt32
    /// The timeout before any RTT sample, µs (section 2.7: TCP's 3 s).
    public var initialTimeout: Int64
    /// The shortest timeout, µs, however small the RTT.
    public var minimumTimeout: Int64
    /// Timeouts in a row that end the acker's term: the next data calls an
    /// election (section 2.7 recommends two).
    public var timeoutsBeforeElection: Int

    public init(slowStartThreshold: UInt32 = 4, initialTimeout: Int64 = 3_000_000, minimumTimeout: Int64 = 200_000,
                timeoutsBeforeElection: Int = 2) {
        self.slowStartThreshold = max(1, slowStartThreshold)
        self.initialTimeout = max(1000, initialTimeout)
        self.minimumTimeout = max(1000, minimumTimeout)
        self.timeoutsBeforeElection = max(1, timeoutsBeforeElection)
    }
}

/// Counters of a PGMCC source.
public struct PGMCCSourceStatistics: Hashable, Sendable, Codable {
    /// ACKs with OPT_PGMCC_FEEDBACK received (from any receiver).
    public var acksReceived = 0
    /// ACKs without OPT_PGMCC_FEEDBACK: nothing to learn from them, ignored.
    public var acksWithoutFeedback = 0
    /// NAKs whose OPT_PGMCC_FEEDBACK was taken.
    public var feedbackNAKs = 0
    /// Feedback naming another receiver than the packet's sender: ignored,
    /// so nobody makes another host the acker without spoofing its address.
    public var feedbackForeign = 0
    /// Ackers chosen: the first of each election and every switch.
    public var ackerChanges = 0
    /// Losses the acker's ACKs showed: each halved the window.
    public var congestionEvents = 0
    /// Timeouts without an ACK: each set the window back to one packet.
    public var timeouts = 0
    /// ODATA held back for want of a token, counted once per wait.
    public var windowLimited = 0
    public init() {}
}

/// The window and the acker, in 16.16 fixed point where fractional.
public struct PGMCCSourceState: Hashable, Sendable {
    /// 1.0 in the window's and tokens' fixed point.
    public static let one: Int64 = 1 << 16
    /// W, packets.
    public internal(set) var window: Int64 = one
    /// T, packets that may leave now; at most W.
    public internal(set) var tokens: Int64 = one
    /// The ACKER; nil: none, the next data calls an election.
    public internal(set) var acker: PGMNLA?
    /// 1/T_acker squared (section 2.4), from its newest feedback.
    public internal(set) var ackerM2: UInt64 = 0
    public internal(set) var statistics = PGMCCSourceStatistics()

    /// RX_MAX and ACK_BITMAP as the acker's ACKs built them up.
    var rxMax: UInt32?
    var bitmap: UInt32 = 0xFFFF_FFFF
    /// After a loss, window changes wait for feedback past this sqn.
    var suspendedUntil: UInt32?
    /// Smoothed RTT and its variation of the acker, µs (RFC 6298's way).
    var srtt: Int64?
    var rttvar: Int64 = 0
    var deadline: VirtualTime = .never
    var retries = 0
    var blocked = false
}

extension PGMCCSourceState {
    /// M^2 = (RTT sqrt(p) (1 + 9p (1 + 32p^2)))^2 of section 2.4 (constant
    /// factors dropped): the larger, the slower a TCP flow to that receiver.
    /// `rttMs` is clamped to 32,767 ms and `loss` is the 16-bit LOSS RATE,
    /// so that it fits 64 bits.
    public static func inverseThroughputSquared(rttMs: UInt32, loss: UInt16) -> UInt64 {
        let p = UInt64(loss)
        let one = UInt64(1) << 16
        let p2 = (p * p) >> 16
        let f = one + ((9 * p * (one + 32 * p2)) >> 16)
        let f2 = (f * f) >> 16
        let g = (p * f2) >> 16
        let rtt = UInt64(min(rttMs, 32_767))
        return rtt * rtt * g
    }

    /// Section 2.3: receiver i takes over when T_i < C T_acker, C = 3/4,
    /// that is M_acker^2 < (9/16) M_i^2.
    static func slower(_ m2: UInt64, than acker: UInt64) -> Bool { acker < (m2 >> 4) * 9 }

    /// The longest timeout, µs, however large the RTT a receiver claims:
    /// a forged echo must not stop the timeouts (TCP bounds its RTO too).
    public static let maximumTimeout: Int64 = 60_000_000

    var timeout: Int64 {
        guard let srtt else { return 0 }
        return min(Self.maximumTimeout, srtt + 4 * rttvar)
    }

    mutating func sampleRTT(_ us: Int64) {
        if let s = srtt {
            rttvar = (3 * rttvar + abs(s - us)) / 4
            srtt = (7 * s + us) / 8
        } else {
            srtt = us
            rttvar = us / 2
        }
    }

    mutating func newAcker(_ nla: PGMNLA?, m2: UInt64) {
        acker = nla
        ackerM2 = m2
        srtt = nil
        rttvar = 0
        rxMax = nil
        bitmap = 0xFFFF_FFFF
        suspendedUntil = nil
        if nla != nil { statistics.ackerChanges += 1 }
    }

    /// T + `add`, never above W.
    mutating func addTokens(_ add: Int64) { tokens = min(window, tokens + add) }
}

extension Source {
    /// Octets OPT_PGMCC_DATA takes in a data TPDU of a source at `address`
    /// (its acker NLA has that family): room every TPDU keeps for it.
    public static func pgmccDataLength(source address: PGMNLA) -> Int {
        PGMOption(.pgmccData(timestamp: 0, acker: address)).encodedLength
    }

    /// OPT_PGMCC_DATA for a data packet leaving at `now`: the timestamp in
    /// milliseconds (section 2.5.1) and the acker, or the unspecified
    /// address of the source's family to call an election.
    func pgmccDataOption(now: VirtualTime) -> PGMOption? {
        guard let cc = pgmccState else { return nil }
        let ts = UInt32(truncatingIfNeeded: now.rawValue / 1000)
        let nobody: PGMNLA
        switch configuration.address {
        case .ipv4: nobody = .ipv4(IPv4Address(rawValue: 0))
        case .ipv6: nobody = .ipv6(PGMIPv6Address(high: 0, low: 0))
        }
        return PGMOption(.pgmccData(timestamp: ts, acker: cc.acker ?? nobody))
    }

    /// `options` with OPT_PGMCC_DATA added, when the source runs PGMCC.
    func withPGMCCData(_ options: PGMOptions, now: VirtualTime) -> PGMOptions {
        guard let o = pgmccDataOption(now: now) else { return options }
        return (try? PGMOptions(options.all + [o])) ?? options
    }

    /// Whether the window lets the next ODATA go (section 3, send_packet).
    /// Held back, the timeout runs even with nothing in flight: a halving
    /// can leave T below one token with every packet acknowledged, and no
    /// ACK would then ever come to give one back (section 2.7's timeout is
    /// there "to prevent stalls").
    mutating func pgmccMaySend(now: VirtualTime) -> Bool {
        guard var cc = pgmccState, let p = pgmcc else { return true }
        if cc.tokens >= PGMCCSourceState.one { return true }
        if !cc.blocked {
            cc.blocked = true
            cc.statistics.windowLimited += 1
        }
        if cc.deadline == .never {
            cc.deadline = now + (cc.srtt == nil ? p.initialTimeout : max(p.minimumTimeout, cc.timeout))
        }
        pgmccState = cc
        return false
    }

    /// An ODATA left: one token spent, and the timeout armed while packets
    /// wait for their ACK (section 2.7).
    mutating func pgmccSent(now: VirtualTime) {
        guard var cc = pgmccState, let p = pgmcc else { return }
        cc.tokens -= PGMCCSourceState.one
        cc.blocked = false
        if cc.deadline == .never {
            cc.deadline = now + (cc.srtt == nil ? p.initialTimeout : max(p.minimumTimeout, cc.timeout))
        }
        pgmccState = cc
    }

    /// No ACK within the timeout: the window back to one packet, and after
    /// `timeoutsBeforeElection` in a row, no acker (section 3, "on timeout").
    mutating func pgmccTimer(now: VirtualTime) {
        guard var cc = pgmccState, let p = pgmcc, cc.deadline <= now else { return }
        cc.statistics.timeouts += 1
        cc.window = PGMCCSourceState.one
        cc.tokens = PGMCCSourceState.one
        cc.suspendedUntil = nil
        cc.retries += 1
        if cc.retries >= p.timeoutsBeforeElection {
            cc.newAcker(nil, m2: 0)
            cc.retries = 0
        }
        // Armed again when the next packet leaves.
        cc.deadline = .never
        pgmccState = cc
    }

    /// OPT_PGMCC_FEEDBACK of an ACK or a NAK from receiver I (section 3, "on
    /// ACK/NAK reception"), taken only when it names `sender`, the address
    /// the packet came from.
    mutating func onPGMCCFeedback(_ options: PGMOptions, ack: PGMAck?, sender: PGMNLA, now: VirtualTime) {
        guard var cc = pgmccState else { return }
        guard case .pgmccFeedback(let ts, let loss, let from)? = options.first(type: PGMOptionType.pgmccFeedback)?.kind
        else {
            if ack != nil { cc.statistics.acksWithoutFeedback += 1 }
            pgmccState = cc
            return
        }
        guard from == sender else {
            cc.statistics.feedbackForeign += 1
            pgmccState = cc
            return
        }
        if ack != nil { cc.statistics.acksReceived += 1 } else { cc.statistics.feedbackNAKs += 1 }
        // The RTT from the echoed timestamp, modulo 2^32 ms; a timestamp
        // from the future (a forged or mangled one) counts as 0.
        let elapsed = UInt32(truncatingIfNeeded: now.rawValue / 1000) &- ts
        let rttMs = elapsed < 1 << 31 ? elapsed : 0
        let m2 = PGMCCSourceState.inverseThroughputSquared(rttMs: rttMs, loss: loss)
        cc.retries = 0
        if cc.acker == nil {
            cc.newAcker(from, m2: m2)
            cc.tokens += PGMCCSourceState.one
        }
        guard cc.acker == from else {
            if PGMCCSourceState.slower(m2, than: cc.ackerM2) { cc.newAcker(from, m2: m2) }
            pgmccState = cc
            return
        }
        cc.ackerM2 = m2
        cc.sampleRTT(Int64(min(rttMs, 32_767)) * 1000)
        if let ack, let p = pgmcc {
            Self.pgmccWindow(&cc, ack: ack, lead: lead.rawValue, now: now, parameters: p)
            // Left without a token and with nothing waiting for an ACK (a
            // halving after the last one came), only the timeout gives one
            // back: it runs, whether or not a send asks (an application
            // that polls for POLLOUT does not).
            if cc.tokens < PGMCCSourceState.one && cc.deadline == .never {
                cc.deadline = now + (cc.srtt == nil ? p.initialTimeout : max(p.minimumTimeout, cc.timeout))
            }
        }
        pgmccState = cc
    }

    /// Whether ACK_BITMAP shows a packet not acknowledged with at least three
    /// newer ones acknowledged (section 2.2, TCP's three duplicate ACKs).
    static func pgmccLossShown(_ bitmap: UInt32) -> Bool {
        var holes = ~bitmap
        while holes != 0 {
            let j = UInt32(holes.trailingZeroBitCount)
            if (bitmap & ((1 << j) &- 1)).nonzeroBitCount >= 3 { return true }
            holes &= holes &- 1
        }
        return false
    }

    /// The window after an ACK of the acker (section 2.2).
    static func pgmccWindow(_ cc: inout PGMCCSourceState, ack: PGMAck, lead: UInt32, now: VirtualTime,
                            parameters p: PGMCCSourceParameters) {
        let one = PGMCCSourceState.one
        // Line the ACK's bitmap up with what earlier ACKs said.
        var incoming = ack.bitmap
        if let old = cc.rxMax {
            let delta = Int32(bitPattern: ack.rxMax &- old)
            if delta > 0 {
                cc.bitmap = delta >= 32 ? 0 : cc.bitmap << UInt32(delta)
                cc.rxMax = ack.rxMax
            } else if delta > -32 {
                incoming <<= UInt32(-delta)
            } else {
                incoming = 0
            }
        } else {
            // The acker's first ACK is the baseline: it acknowledges RX_MAX,
            // and what came before this acker's term shows no loss.
            cc.rxMax = ack.rxMax
            cc.bitmap = 0xFFFF_FFFE
            incoming &= 1
        }
        let fresh = UInt32((incoming & ~cc.bitmap).nonzeroBitCount)
        cc.bitmap |= incoming
        guard fresh > 0 else { return }
        let n = Int64(fresh) * one
        // Packets wait for ACKs: the timeout restarts, or stops when none do.
        if let rx = cc.rxMax, Int32(bitPattern: lead &- rx) > 0 {
            cc.deadline = now + max(p.minimumTimeout, cc.timeout)
        } else {
            cc.deadline = .never
        }
        // After a loss, one RTT without window changes; tokens still come.
        if let s = cc.suspendedUntil {
            if let rx = cc.rxMax, Int32(bitPattern: rx &- s) <= 0 {
                cc.addTokens(n + n * one / cc.window)
                return
            }
            cc.suspendedUntil = nil
        }
        // A packet not acknowledged, followed by three that are: lost.
        if Self.pgmccLossShown(cc.bitmap) {
            do {
                cc.statistics.congestionEvents += 1
                let half = max(one, cc.window / 2)
                cc.tokens -= cc.window / 2
                cc.window = half
                cc.tokens = min(cc.tokens, cc.window)
                cc.suspendedUntil = lead
                cc.bitmap = 0xFFFF_FFFF
                return
            }
        }
        var opening = n
        let ss = Int64(p.slowStartThreshold) * one
        if cc.window < ss {
            let d = min(opening, ss - cc.window)
            opening -= d
            cc.tokens += 2 * d
            cc.window += d
        }
        cc.tokens += opening + opening * one / cc.window
        cc.window += opening * one / cc.window
        cc.tokens = min(cc.tokens, cc.window)
    }
}

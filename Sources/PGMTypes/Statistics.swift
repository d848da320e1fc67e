// The kernel's counters, one type each whichever way they are read: the
// socket library fills them from getsockopt(2), the netlink client from
// attributes named as in kernel/pgm.yaml (`counters` maps those names).
// The reference model keeps counters of its own (PGMModel's
// ModelSourceStatistics and ModelReceiverStatistics: what the simulation
// measures, not what the kernel reports).

/// Kernel counters that can be read and written by their names in
/// kernel/pgm.yaml.
public protocol NamedCounters: Sendable {
    /// All zero.
    init()
    /// The 64-bit counters by their names in kernel/pgm.yaml, in the spec's
    /// order.
    static var counters: [(name: String, keyPath: any WritableKeyPath<Self, UInt64> & Sendable)] { get }
}

extension NamedCounters {
    /// Each 64-bit counter with its name in kernel/pgm.yaml.
    public var namedCounters: [(name: String, value: UInt64)] {
        Self.counters.map { ($0.name, self[keyPath: $0.keyPath]) }
    }
}

/// Counters of one source socket (`struct pgm_source_stats`), as
/// `PGMSocket.statistics()` reads them with getsockopt(2) and pgmctl's
/// socket dump carries them (the family's `source-stats`).
public struct SourceStatistics: NamedCounters, Hashable {
    /// Application bytes sent in ODATA.
    public var dataBytesSent: UInt64 = 0
    /// ODATA packets sent.
    public var odataSent: UInt64 = 0
    /// RDATA (repair) packets sent.
    public var rdataSent: UInt64 = 0
    /// Bytes sent in RDATA.
    public var rdataBytesSent: UInt64 = 0
    /// SPMs sent.
    public var spmSent: UInt64 = 0
    /// NCFs sent.
    public var ncfSent: UInt64 = 0
    /// NAKs received, each sequence number of a NAK list counted.
    public var naksReceived: UInt64 = 0
    /// NAKs ignored: outside the window or in the linger time.
    public var naksIgnored: UInt64 = 0
    /// SPMRs received.
    public var spmrReceived: UInt64 = 0
    /// Sends that waited for the rate limit.
    public var rateLimited: UInt64 = 0
    /// Packets for this session dropped as malformed.
    public var malformed: UInt64 = 0
    /// Trailing edge of the transmit window.
    public var transmitWindowTrail: UInt32 = 0
    /// Leading edge of the transmit window.
    public var transmitWindowLead: UInt32 = 0
    /// RDATA queued to wait for the rate limit (pgm(7) LIMITS).
    public var rdataDeferred: UInt64 = 0
    /// Queued RDATA whose data left the transmit window before it was sent.
    public var rdataUnsent: UInt64 = 0
    /// NAKed sequence numbers whose RDATA was already queued (no second copy).
    public var naksPending: UInt64 = 0
    /// `OPT_NAK_LIST` options after a NAK's first, ignored.
    public var nakListsIgnored: UInt64 = 0
    /// NAKs not all confirmed: the pending NCF already held 63 sequence numbers.
    public var ncfDropped: UInt64 = 0
    /// SPMs that waited for the rate limit.
    public var spmDeferred: UInt64 = 0
    /// RDATA waiting in the repair queue now.
    public var rdataQueued: UInt64 = 0
    /// Memory the transmit window holds, bytes (bounded by `SO_SNDBUF`).
    public var transmitWindowMemory: UInt64 = 0
    /// FEC parity sent as ODATA after a group's last ODATA (`PGM_FEC`).
    public var paritySentProactive: UInt64 = 0
    /// FEC parity sent as RDATA for parity NAKs (not in ``rdataSent``).
    public var paritySentOnDemand: UInt64 = 0
    /// Parity NAKs received, each group of a NAK list counted.
    public var parityNaksReceived: UInt64 = 0
    /// Parity NAKs refused: no on-demand parity, a group not wholly in the
    /// window, or past what one NAK may ask (63 packets).
    public var parityNaksRefused: UInt64 = 0
    /// Parity requests answered with the group's originals: its n - k parity
    /// numbers were used up.
    public var parityByOriginals: UInt64 = 0
    /// How long sends were told to wait for the rate limit in all (the sum
    /// of the waits it set), nanoseconds.
    public var rateWaitNanoseconds: UInt64 = 0
    /// PGMCC (`PGM_PGMCC`): ACKs with OPT_PGMCC_FEEDBACK received, from any receiver.
    public var acksReceived: UInt64 = 0
    /// PGMCC: ACKs without OPT_PGMCC_FEEDBACK, ignored.
    public var acksWithoutFeedback: UInt64 = 0
    /// PGMCC: NAKs whose OPT_PGMCC_FEEDBACK was taken.
    public var feedbackNaks: UInt64 = 0
    /// PGMCC: feedback naming another receiver than the packet's IP source, ignored.
    public var feedbackForeign: UInt64 = 0
    /// PGMCC: ackers chosen, each election's first and each switch.
    public var ackerChanges: UInt64 = 0
    /// PGMCC: losses the acker's ACKs showed, each of which halved the window.
    public var congestionEvents: UInt64 = 0
    /// PGMCC: no ACK within the timeout, the window back to one packet.
    public var ccTimeouts: UInt64 = 0
    /// PGMCC: sends that found no token (counted once per wait).
    public var windowLimited: UInt64 = 0
    /// The source's PGMCC state now; nil without `PGM_PGMCC`.
    public var pgmcc: SourcePGMCC?
    /// Confirmed delivery (`PGM_CONFIRM`): ACKs with OPT_CONFIRM received.
    public var confirmAcks: UInt64 = 0
    /// Confirmed delivery: receivers added (a JOIN, or any ACK of an unknown receiver).
    public var confirmJoins: UInt64 = 0
    /// Confirmed delivery: receivers gone by BYE.
    public var confirmLeaves: UInt64 = 0
    /// Confirmed delivery: receivers silent past `PGM_CONFIRM_EXPIRY`, removed.
    public var confirmExpired: UInt64 = 0
    /// Confirmed delivery: receivers that lost data (BYE with LOST, or the
    /// window passed them), removed.
    public var confirmLost: UInt64 = 0
    /// Confirmed delivery: receivers refused past `PGM_CONFIRM_MAX` or the
    /// namespace's `confirm-receivers-netns`.
    public var confirmRefused: UInt64 = 0
    /// Confirmed delivery: ACKs behind what their receiver confirmed, or
    /// BYEs of unknown receivers; nothing changed.
    public var confirmStale: UInt64 = 0
    /// Confirmed delivery: ACKs confirming beyond the lead, clamped to it.
    public var confirmFuture: UInt64 = 0
    /// Confirmed delivery: unknown receivers already behind the window, not added.
    public var confirmBehind: UInt64 = 0
    /// Confirmed delivery: sends that waited for the slowest receiver
    /// (`PGM_CONFIRM_FLOW`; counted once per wait).
    public var flowLimited: UInt64 = 0
    /// The source's confirmed delivery now (its live receivers and how far
    /// all have everything); nil without `PGM_CONFIRM`.
    public var confirm: SourceConfirm?

    /// All zero, without PGMCC or confirmed delivery.
    public init() {}

    /// The 64-bit counters by their names in kernel/pgm.yaml, in the spec's
    /// order.
    public static let counters: [(name: String, keyPath: any WritableKeyPath<SourceStatistics, UInt64> & Sendable)] = [
        ("data-bytes-sent", \.dataBytesSent), ("odata-sent", \.odataSent), ("rdata-sent", \.rdataSent),
        ("rdata-bytes-sent", \.rdataBytesSent), ("spm-sent", \.spmSent), ("ncf-sent", \.ncfSent),
        ("naks-received", \.naksReceived), ("naks-ignored", \.naksIgnored), ("spmr-received", \.spmrReceived),
        ("rate-limited", \.rateLimited), ("malformed", \.malformed), ("rdata-deferred", \.rdataDeferred),
        ("rdata-unsent", \.rdataUnsent), ("naks-pending", \.naksPending), ("nak-lists-ignored", \.nakListsIgnored),
        ("ncf-dropped", \.ncfDropped), ("spm-deferred", \.spmDeferred), ("rdata-queued", \.rdataQueued),
        ("txw-mem", \.transmitWindowMemory), ("parity-sent-proactive", \.paritySentProactive),
        ("parity-sent-ondemand", \.paritySentOnDemand), ("parity-naks-received", \.parityNaksReceived),
        ("parity-naks-refused", \.parityNaksRefused), ("parity-by-originals", \.parityByOriginals),
        ("rate-wait-ns", \.rateWaitNanoseconds), ("acks-received", \.acksReceived),
        ("acks-no-feedback", \.acksWithoutFeedback), ("feedback-naks", \.feedbackNaks),
        ("feedback-foreign", \.feedbackForeign), ("acker-changes", \.ackerChanges),
        ("congestion-events", \.congestionEvents), ("cc-timeouts", \.ccTimeouts),
        ("window-limited", \.windowLimited), ("confirm-acks", \.confirmAcks), ("confirm-joins", \.confirmJoins),
        ("confirm-leaves", \.confirmLeaves), ("confirm-expired", \.confirmExpired), ("confirm-lost", \.confirmLost),
        ("confirm-refused", \.confirmRefused), ("confirm-stale", \.confirmStale),
        ("confirm-future", \.confirmFuture), ("confirm-behind", \.confirmBehind), ("flow-limited", \.flowLimited),
    ]
}

/// A source's confirmed delivery (`PGM_CONFIRM`, docs/confirmed-delivery.md)
/// as its statistics report it: the live confirming receivers and how far
/// every one of them has everything, as `struct pgm_source_stats`
/// (`confirm_receivers`, `confirmed`, `confirm_flags`) and the socket dump
/// (`confirm-receivers`, `confirmed-sqn`) carry them.
public struct SourceConfirm: Sendable, Hashable {
    /// Live confirming receivers.
    public var receivers: Int
    /// Every live receiver has every sequence number up to this one; nil
    /// while none is live.
    public var confirmed: SequenceNumber?

    /// A view from its parts.
    public init(receivers: Int, confirmed: SequenceNumber?) {
        self.receivers = receivers
        self.confirmed = confirmed
    }
}

/// A PGMCC source's congestion state (draft-ietf-rmt-bb-pgmcc-03): its
/// acker, its window and what the acker's feedback says.  The values are
/// the kernel's fixed point, as `struct pgm_source_stats` (`cc_*`) and the
/// socket dump (`pgmcc-*`) carry them; the computed properties convert.
public struct SourcePGMCC: Sendable, Hashable {
    /// The acker, of the socket's family; nil while there is none (an
    /// election is called: the data names no acker).
    public var acker: IPAddress?
    /// The window W, in 1/65536 packets: 65536 (one packet) at least.
    public var window: UInt32
    /// The tokens T, in 1/65536 packets (negative after an APDU of several
    /// TPDUs); nil where it is not reported (the socket dump).
    public var tokens: Int32?
    /// The acker's smoothed RTT, microseconds; 0 before a sample.
    public var rttMicroseconds: UInt32
    /// The acker's loss rate, 0 to 65535 as its feedback carries it.
    public var lossRate: UInt32

    /// A state from its parts.
    public init(acker: IPAddress?, window: UInt32, tokens: Int32? = nil, rttMicroseconds: UInt32, lossRate: UInt32) {
        self.acker = acker
        self.window = window
        self.tokens = tokens
        self.rttMicroseconds = rttMicroseconds
        self.lossRate = lossRate
    }

    /// W in packets.
    public var windowPackets: Double { Double(window) / 65536 }
    /// T in packets; nil when not reported.
    public var tokenPackets: Double? { tokens.map { Double($0) / 65536 } }
    /// The acker's loss rate as a fraction, 0 to just under 1.
    public var lossFraction: Double { Double(lossRate) / 65536 }
    /// The acker's smoothed RTT; nil before a sample.
    public var rtt: Duration? { rttMicroseconds == 0 ? nil : .microseconds(Int64(rttMicroseconds)) }
}

/// Counters of one receiver socket, summed over its sessions
/// (`struct pgm_receiver_stats`), as getsockopt(2) and pgmctl's socket dump
/// (the family's `receiver-stats`) report them.
public struct ReceiverStatistics: NamedCounters, Hashable {
    /// Application bytes delivered.
    public var dataBytesReceived: UInt64 = 0
    /// APDUs delivered.
    public var apdusDelivered: UInt64 = 0
    /// ODATA packets received.
    public var odataReceived: UInt64 = 0
    /// RDATA (repair) packets received.
    public var rdataReceived: UInt64 = 0
    /// Data already held or delivered.
    public var duplicates: UInt64 = 0
    /// NAKs sent, each sequence number of a NAK list counted.
    public var naksSent: UInt64 = 0
    /// NCFs received.
    public var ncfsReceived: UInt64 = 0
    /// SPMs received.
    public var spmsReceived: UInt64 = 0
    /// SPMRs sent.
    public var spmrsSent: UInt64 = 0
    /// Sequence numbers declared unrecoverable.
    public var losses: UInt64 = 0
    /// Packets for this socket dropped as malformed.
    public var malformed: UInt64 = 0
    /// Data beyond the receive window, dropped.
    public var outsideWindow: UInt64 = 0
    /// Sources currently known.
    public var peers: UInt32 = 0
    /// New sessions refused: past `rx-sessions`, `rx-sessions-netns` or memory.
    public var sessionsRefused: UInt64 = 0
    /// Packets or sessions refused past the memory budget (`rx-mem`, `rx-mem-netns`).
    public var memoryRefused: UInt64 = 0
    /// Packets with a session's TSI from another address, dropped.
    public var wrongSource: UInt64 = 0
    /// Times due NAKs waited for NAK credit (the reflection bound of pgm(7)).
    public var naksDeferred: UInt64 = 0
    /// Bytes held now for sessions, windows and the data in them.
    public var memory: UInt64 = 0
    /// Sequence numbers found missing, then received (RDATA, or ODATA late).
    public var repairs: UInt64 = 0
    /// Their repair times (found missing to received) summed, microseconds.
    public var repairMicrosecondsTotal: UInt64 = 0
    /// The longest repair time, microseconds.
    public var repairMicrosecondsMax: UInt64 = 0
    /// Parity ODATA and RDATA received (RFC 3208 section 11.5).
    public var parityReceived: UInt64 = 0
    /// Parity that fits no group, or failed a rebuild: dropped.
    public var parityDropped: UInt64 = 0
    /// Parity not needed: no FEC learnt, its group behind the window, complete or failed.
    public var parityUnused: UInt64 = 0
    /// Transmission groups rebuilt from parity.
    public var groupsRebuilt: UInt64 = 0
    /// Parity NAKs sent (also in `naksSent`).
    public var parityNaksSent: UInt64 = 0
    /// SPMs that changed a session's FEC group size within
    /// `PGM_FEC_K_HOLD_MS` of the last one taken: refused, FEC off for the
    /// session until an SPM after the hold.
    public var fecGroupSizeRefused: UInt64 = 0
    /// PGMCC ACKs sent: as the acker, or an election's answer.
    public var acksSent: UInt64 = 0
    /// PGMCC ACKs due before an SPM gave the session a path NLA: not sent.
    public var acksWithoutPath: UInt64 = 0
    /// PGMCC ACKs due without NAK credit (the reflection bound): not sent.
    public var acksWithoutCredit: UInt64 = 0
    /// Confirmed delivery (`PGM_CONFIRM`): ACKs with OPT_CONFIRM sent.
    public var confirmAcksSent: UInt64 = 0
    /// Confirmed delivery: ACKs due without NAK credit (the reflection
    /// bound), not sent.
    public var confirmAcksWithoutCredit: UInt64 = 0
    /// Windows of sessions heard less recently, given up to make room for
    /// a packet past the memory budget; their sequence numbers were
    /// reported lost (pgm(7) LIMITS).
    public var windowsShed: UInt64 = 0
    /// New sessions refused because their address had `rx-sessions-source`
    /// sessions at this socket already (also in `sessionsRefused`).
    public var sourceRefused: UInt64 = 0

    /// The mean repair time in microseconds, nil before the first repair.
    public var repairMicrosecondsMean: Double? {
        repairs == 0 ? nil : Double(repairMicrosecondsTotal) / Double(repairs)
    }

    /// All zero.
    public init() {}

    /// The 64-bit counters by their names in kernel/pgm.yaml, in the spec's
    /// order.
    public static let counters: [(name: String, keyPath: any WritableKeyPath<ReceiverStatistics, UInt64> & Sendable)] = [
        ("data-bytes-received", \.dataBytesReceived), ("apdus-delivered", \.apdusDelivered),
        ("odata-received", \.odataReceived), ("rdata-received", \.rdataReceived), ("duplicates", \.duplicates),
        ("naks-sent", \.naksSent), ("ncfs-received", \.ncfsReceived), ("spms-received", \.spmsReceived),
        ("spmrs-sent", \.spmrsSent), ("losses", \.losses), ("malformed", \.malformed),
        ("outside-window", \.outsideWindow), ("sessions-refused", \.sessionsRefused),
        ("mem-refused", \.memoryRefused), ("wrong-source", \.wrongSource), ("naks-deferred", \.naksDeferred),
        ("mem", \.memory), ("repairs", \.repairs), ("repair-us-total", \.repairMicrosecondsTotal),
        ("repair-us-max", \.repairMicrosecondsMax),
        ("parity-received", \.parityReceived), ("parity-dropped", \.parityDropped),
        ("parity-unused", \.parityUnused), ("groups-rebuilt", \.groupsRebuilt),
        ("parity-naks-sent", \.parityNaksSent), ("fec-k-refused", \.fecGroupSizeRefused),
        ("acks-sent", \.acksSent), ("acks-no-path", \.acksWithoutPath), ("acks-no-credit", \.acksWithoutCredit),
        ("confirm-acks-sent", \.confirmAcksSent), ("confirm-no-credit", \.confirmAcksWithoutCredit),
        ("windows-shed", \.windowsShed), ("source-refused", \.sourceRefused),
    ]
}

/// Input counters of a network namespace (`struct pgm_netns_stats`), as
/// `PGM_NETNS_STATS` and the family's `stats-get` report them.
public struct NetnsStatistics: NamedCounters, Hashable {
    /// All PGM packets seen.
    public var inPackets: UInt64 = 0
    /// Their bytes.
    public var inBytes: UInt64 = 0
    /// Shorter than their header.
    public var inTruncated: UInt64 = 0
    /// With a bad checksum.
    public var inBadChecksum: UInt64 = 0
    /// Of an unknown type or version.
    public var inBadType: UInt64 = 0
    /// With inconsistent options or lengths.
    public var inMalformed: UInt64 = 0
    /// Valid, but no socket wanted them.
    public var inNoSocket: UInt64 = 0
    /// Handed to a socket.
    public var inDelivered: UInt64 = 0
    /// PGM sockets open in the namespace.
    public var sockets: UInt64 = 0
    /// Receivers' new sessions refused (limits or memory).
    public var receiverSessionsRefused: UInt64 = 0
    /// Receivers' packets or sessions refused past the memory budget.
    public var receiverMemoryRefused: UInt64 = 0
    /// Packets with a session's TSI from another address, dropped.
    public var receiverWrongSource: UInt64 = 0
    /// Receivers' sessions now.
    public var receiverSessions: UInt64 = 0
    /// Bytes receivers hold now.
    public var receiverMemory: UInt64 = 0
    /// Sources' `connect()` and receivers' joins the netns's multicast
    /// policy refused (`EACCES`; docs/governance.md).
    public var policyDenied: UInt64 = 0
    /// Packets a receiver did not take under a policy: their group is not
    /// one it joined.
    public var inPolicy: UInt64 = 0
    /// Sources' `connect()` and receivers' joins refused because the netns
    /// used its policy's max-groups groups already (`ENOBUFS`).
    public var policyGroupLimit: UInt64 = 0
    /// Sources ended and groups left because a policy change denied them.
    public var policyRevoked: UInt64 = 0
    /// Sources' `connect()` and receivers' joins a policy allowed.
    public var policyAllowed: UInt64 = 0
    /// Receivers' session windows given up to make room past `rx-mem`
    /// for a more recently heard session; their sequence numbers were
    /// reported lost.
    public var receiverWindowsShed: UInt64 = 0
    /// Receivers' new sessions refused because their address had
    /// `rx-sessions-source` sessions at the socket already (also in
    /// `receiverSessionsRefused`).
    public var receiverSourceRefused: UInt64 = 0

    /// All zero.
    public init() {}

    /// The 64-bit counters by their names in kernel/pgm.yaml, in the spec's
    /// order.
    public static let counters: [(name: String, keyPath: any WritableKeyPath<NetnsStatistics, UInt64> & Sendable)] = [
        ("in-packets", \.inPackets), ("in-bytes", \.inBytes), ("in-truncated", \.inTruncated),
        ("in-bad-checksum", \.inBadChecksum), ("in-bad-type", \.inBadType), ("in-malformed", \.inMalformed),
        ("in-no-socket", \.inNoSocket), ("in-delivered", \.inDelivered), ("sockets", \.sockets),
        ("rx-sessions-refused", \.receiverSessionsRefused), ("rx-mem-refused", \.receiverMemoryRefused),
        ("rx-wrong-source", \.receiverWrongSource), ("rx-sessions", \.receiverSessions), ("rx-mem", \.receiverMemory),
        ("policy-denied", \.policyDenied), ("in-policy", \.inPolicy),
        ("policy-group-limit", \.policyGroupLimit), ("policy-revoked", \.policyRevoked),
        ("policy-allowed", \.policyAllowed), ("rx-windows-shed", \.receiverWindowsShed),
        ("rx-source-refused", \.receiverSourceRefused),
    ]
}

@_exported import PGMTypes
import CPGM

// Tunable itself, its table and SourceTunables/ReceiverTunables are
// generated from kernel/pgm.yaml into Tunables.swift.
extension Tunable {
    /// Which sockets use a tunable.
    public enum Role: String, Sendable {
        /// A source's (RFC 3208 section 5).
        case source
        /// A receiver's (RFC 3208 section 6).
        case receiver
        /// Any socket's (the UDP encapsulation's ports).
        case both
    }

    /// The unit of a tunable's integer value.
    public enum Unit: String, Sendable {
        /// A number of sequence numbers (packets).
        case sequenceNumbers = "sqns"
        /// A time in milliseconds.
        case milliseconds = "ms"
        /// A time in microseconds.
        case microseconds = "us"
        /// A rate in bytes per second.
        case bytesPerSecond = "bytes/s"
        /// A size in bytes.
        case bytes = "bytes"
        /// A plain count.
        case count = "count"
        /// A UDP port.
        case port = "port"
        /// A share, in percent (0 to 100).
        case percent = "percent"

        /// The value of a duration in this unit; nil when the unit is not a
        /// time, the duration is negative or it does not fit 32 bits.
        /// Fractions of the unit are rounded up, so that a positive duration
        /// never becomes 0.
        public func value(of duration: Duration) -> UInt32? {
            let per: Int64
            switch self {
            case .microseconds: per = 1_000_000_000_000  // attoseconds per microsecond
            case .milliseconds: per = 1_000_000_000_000_000
            default: return nil
            }
            let (s, atto) = duration.components
            guard s >= 0, atto >= 0 else { return nil }
            let perSecond = 1_000_000_000_000_000_000 / per
            let (whole, o1) = s.multipliedReportingOverflow(by: perSecond)
            let frac = (atto + per - 1) / per
            let (total, o2) = whole.addingReportingOverflow(frac)
            guard !o1, !o2, total <= Int64(UInt32.max) else { return nil }
            return UInt32(total)
        }

        /// A value of this unit as a duration; nil when the unit is not a time.
        public func duration(of value: UInt32) -> Duration? {
            switch self {
            case .microseconds: .microseconds(Int64(value))
            case .milliseconds: .milliseconds(Int64(value))
            default: nil
            }
        }
    }
}

extension GSI {
    /// The GSI of the six bytes of `struct pgm_gsi` or `struct pgm_tsi`.
    init(_ b: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8)) {
        self.init(b.0, b.1, b.2, b.3, b.4, b.5)
    }

    /// The six bytes as `struct pgm_gsi` holds them.
    var tuple: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) {
        let b = bytes
        return (b[0], b[1], b[2], b[3], b[4], b[5])
    }
}

extension TSI {
    /// The TSI of a `struct pgm_tsi` as the kernel fills it (port in
    /// network order).
    public init(_ t: pgm_tsi) {
        self.init(gsi: GSI(t.gsi), sourcePort: UInt16(bigEndian: t.sport))
    }
}

extension IPv4Endpoint {
    /// The endpoint of a `sockaddr_in` (network order fields).
    public init(_ sin: sockaddr_in) {
        self.init(address: UInt32(bigEndian: sin.sin_addr.s_addr), port: UInt16(bigEndian: sin.sin_port))
    }

    /// The endpoint as a `sockaddr_in` (`AF_INET`, network order fields).
    public var sockaddrIn: sockaddr_in {
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = port.bigEndian
        sin.sin_addr.s_addr = address.rawValue.bigEndian
        return sin
    }
}

/// One APDU as delivered to a receiver.
///
/// PGM numbers packets, not APDUs: an APDU sent in several fragments has
/// the sequence number of its first packet, and the next APDU's number is
/// higher by the count of fragments. Sequence numbers wrap at 2^32 (RFC 3208
/// section 3.1); ``SequenceNumber`` compares them in serial arithmetic.
public struct Message: Sendable, Hashable {
    /// The session it belongs to.
    public var transportSessionID: TSI
    /// The source's IP address and data-source port (on IPv6, with the
    /// interface index of a link-local source as its zone).
    public var source: PGMEndpoint
    /// The APDU's bytes.
    public var bytes: [UInt8]
    /// The APDU was longer than the receive allowed; its tail is gone.
    public var isTruncated: Bool
    /// The sequence number of the APDU's first packet (ODATA or RDATA);
    /// nil when the socket does not report them
    /// (``PGMSocket/setReceiveSequenceNumbers(_:)``, on in ``PGMReceiver``).
    public var sequenceNumber: SequenceNumber?

    /// A message from its parts.
    public init(
        transportSessionID: TSI, source: PGMEndpoint, bytes: [UInt8], isTruncated: Bool = false,
        sequenceNumber: SequenceNumber? = nil
    ) {
        self.transportSessionID = transportSessionID
        self.source = source
        self.bytes = bytes
        self.isTruncated = isTruncated
        self.sequenceNumber = sequenceNumber
    }
}

/// Sequence numbers a receiver could not repair (`struct pgm_loss`): they
/// were skipped and the data after them delivered.
public struct Loss: Sendable, Hashable {
    /// The session that lost them.
    public var transportSessionID: TSI
    /// The first sequence number lost.
    public var firstSequenceNumber: SequenceNumber
    /// How many consecutive sequence numbers were lost.
    public var count: UInt32

    /// A loss from its parts.
    public init(transportSessionID: TSI, firstSequenceNumber: SequenceNumber, count: UInt32) {
        self.transportSessionID = transportSessionID
        self.firstSequenceNumber = firstSequenceNumber
        self.count = count
    }
}

/// The end of a session a receiver followed (`struct pgm_session_end`).
public struct SessionEnd: Sendable, Hashable {
    /// The session that ended.
    public var transportSessionID: TSI
    /// Why.
    public var reason: SessionEndReason
    /// The last sequence number delivered or lost.
    public var lastSequenceNumber: SequenceNumber

    /// A session end from its parts.
    public init(transportSessionID: TSI, reason: SessionEndReason, lastSequenceNumber: SequenceNumber) {
        self.transportSessionID = transportSessionID
        self.reason = reason
        self.lastSequenceNumber = lastSequenceNumber
    }
}

/// A move of the rate a source may send at, made by the netns's multicast
/// policy (`struct pgm_rate_change`; docs/governance.md): its rule's rate
/// cap, or its share of the policy's rate cap, recomputed every 100 ms as
/// sources come, go and use what they are given.  The kernel reports a move
/// of more than 1/16, so that a source can adapt what it produces instead
/// of blocking in send().  A rate of 0 is no limit.
public struct RateChange: Sendable, Hashable {
    /// Bytes/s the source could send before the first change not yet read
    /// (the kernel keeps one record, a newer one taking the older's old rate).
    public var oldRate: UInt32
    /// Bytes/s it may send now: the smaller of its own limit
    /// (`PGM_TXW_MAX_RTE`) and ``policyRate``.
    public var newRate: UInt32
    /// The policy's part of it; 0 when the policy no longer limits it.
    public var policyRate: UInt32

    /// A rate change from its parts.
    public init(oldRate: UInt32, newRate: UInt32, policyRate: UInt32) {
        self.oldRate = oldRate
        self.newRate = newRate
        self.policyRate = policyRate
    }
}

/// What a socket reports, in order: a receiver's data, loss or a session's
/// end; a source's rate change.
public enum Event: Sendable, Hashable {
    /// An APDU.
    case message(Message)
    /// Unrecoverable loss, read from the error queue (`PGM_LOSS`).
    case loss(Loss)
    /// The end of a session, read from the error queue (`PGM_SESSION_END`).
    case sessionEnded(SessionEnd)
    /// The rate a source may send at moved, read from a source's error
    /// queue (`PGM_RATE_CHANGE`); a receiver never has one (see
    /// ``PGMSource/rateChange()``).
    case rateChanged(RateChange)
}

extension SourceStatistics {
    /// The counters, PGMCC state and confirmed delivery of a `struct
    /// pgm_source_stats` read from a socket of `family` (the acker's address
    /// is of that family); `confirming`: the socket is a source with
    /// `PGM_CONFIRM` (the struct cannot tell while no receiver is live).
    init(_ s: pgm_source_stats, family: PGMSocket.Family, confirming: Bool = false) {
        self.init()
        dataBytesSent = s.data_bytes_sent
        odataSent = s.odata_sent
        rdataSent = s.rdata_sent
        rdataBytesSent = s.rdata_bytes_sent
        spmSent = s.spm_sent
        ncfSent = s.ncf_sent
        naksReceived = s.naks_received
        naksIgnored = s.naks_ignored
        spmrReceived = s.spmr_received
        rateLimited = s.rate_limited
        malformed = s.malformed
        transmitWindowTrail = s.txw_trail
        transmitWindowLead = s.txw_lead
        rdataDeferred = s.rdata_deferred
        rdataUnsent = s.rdata_unsent
        naksPending = s.naks_pending
        nakListsIgnored = s.nak_lists_ignored
        ncfDropped = s.ncf_dropped
        spmDeferred = s.spm_deferred
        rdataQueued = s.rdata_queued
        transmitWindowMemory = s.txw_mem
        paritySentProactive = s.parity_sent_proactive
        paritySentOnDemand = s.parity_sent_ondemand
        parityNaksReceived = s.parity_naks_received
        parityNaksRefused = s.parity_naks_refused
        parityByOriginals = s.parity_by_originals
        rateWaitNanoseconds = s.rate_wait_ns
        acksReceived = s.acks_received
        acksWithoutFeedback = s.acks_no_feedback
        feedbackNaks = s.feedback_naks
        feedbackForeign = s.feedback_foreign
        ackerChanges = s.acker_changes
        congestionEvents = s.congestion_events
        ccTimeouts = s.cc_timeouts
        windowLimited = s.window_limited
        // W is one packet at least while PGMCC runs, 0 without it (and from
        // a module older than PGMCC at the source, whose shorter struct
        // leaves it zero).
        if s.cc_window != 0 {
            pgmcc = SourcePGMCC(acker: Self.acker(s.cc_acker, family: family), window: s.cc_window,
                                tokens: s.cc_tokens, rttMicroseconds: s.cc_rtt_us, lossRate: s.cc_loss)
        }
        confirmAcks = s.confirm_acks
        confirmJoins = s.confirm_joins
        confirmLeaves = s.confirm_leaves
        confirmExpired = s.confirm_expired
        confirmLost = s.confirm_lost
        confirmRefused = s.confirm_refused
        confirmStale = s.confirm_stale
        confirmFuture = s.confirm_future
        confirmBehind = s.confirm_behind
        flowLimited = s.flow_limited
        // A live receiver says that the source confirms, whatever the
        // caller knew (a module older than confirmed delivery leaves all
        // three zero).
        let valid = s.confirm_flags & UInt32(PGM_CONFIRMED_VALID) != 0
        if confirming || valid || s.confirm_receivers != 0 {
            confirm = SourceConfirm(receivers: Int(s.confirm_receivers),
                                    confirmed: valid ? SequenceNumber(s.confirmed) : nil)
        }
    }

    /// `cc_acker`: an address of the socket's family (IPv4 in the first four
    /// octets), nil when all zero (no acker: an election is called).
    static func acker(_ b: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                            UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8),
                      family: PGMSocket.Family) -> IPAddress? {
        let octets = withUnsafeBytes(of: b) { Array($0) }
        guard octets.contains(where: { $0 != 0 }) else { return nil }
        switch family {
        case .ipv4: return .v4(IPv4Address(octets[0], octets[1], octets[2], octets[3]))
        case .ipv6: return IPv6Address(bytes: octets).map(IPAddress.v6)
        }
    }
}

extension ReceiverStatistics {
    /// The counters of a `struct pgm_receiver_stats`.
    init(_ s: pgm_receiver_stats) {
        self.init()
        dataBytesReceived = s.data_bytes_received
        apdusDelivered = s.apdus_delivered
        odataReceived = s.odata_received
        rdataReceived = s.rdata_received
        duplicates = s.duplicates
        naksSent = s.naks_sent
        ncfsReceived = s.ncfs_received
        spmsReceived = s.spms_received
        spmrsSent = s.spmrs_sent
        losses = s.losses
        malformed = s.malformed
        outsideWindow = s.outside_window
        peers = s.peers
        sessionsRefused = s.sessions_refused
        memoryRefused = s.mem_refused
        wrongSource = s.wrong_source
        naksDeferred = s.naks_deferred
        memory = s.mem
        repairs = s.repairs
        repairMicrosecondsTotal = s.repair_us_total
        repairMicrosecondsMax = s.repair_us_max
        parityReceived = s.parity_received
        parityDropped = s.parity_dropped
        parityUnused = s.parity_unused
        groupsRebuilt = s.groups_rebuilt
        parityNaksSent = s.parity_naks_sent
        fecGroupSizeRefused = s.fec_k_refused
        acksSent = s.acks_sent
        acksWithoutPath = s.acks_no_path
        acksWithoutCredit = s.acks_no_credit
        confirmAcksSent = s.confirm_acks_sent
        confirmAcksWithoutCredit = s.confirm_no_credit
        windowsShed = s.windows_shed
        sourceRefused = s.source_refused
    }
}

extension NetnsStatistics {
    /// The counters of a `struct pgm_netns_stats`.
    init(_ s: pgm_netns_stats) {
        self.init()
        inPackets = s.in_packets
        inBytes = s.in_bytes
        inTruncated = s.in_truncated
        inBadChecksum = s.in_bad_checksum
        inBadType = s.in_bad_type
        inMalformed = s.in_malformed
        inNoSocket = s.in_no_socket
        inDelivered = s.in_delivered
        sockets = s.sockets
        receiverSessionsRefused = s.rx_sessions_refused
        receiverMemoryRefused = s.rx_mem_refused
        receiverWrongSource = s.rx_wrong_source
        receiverSessions = s.rx_sessions
        receiverMemory = s.rx_mem
        policyDenied = s.policy_denied
        inPolicy = s.in_policy
        policyGroupLimit = s.policy_group_limit
        policyRevoked = s.policy_revoked
        policyAllowed = s.policy_allowed
        receiverWindowsShed = s.rx_windows_shed
        receiverSourceRefused = s.rx_source_refused
    }
}

/// How far every live confirming receiver of a source has everything
/// (`PGM_CONFIRMED`; docs/confirmed-delivery.md).
public struct ConfirmedState: Sendable, Hashable, CustomStringConvertible {
    /// Every live receiver has every sequence number up to this one; nil
    /// while no receiver is live.
    public var sequenceNumber: SequenceNumber?
    /// Live confirming receivers.
    public var receivers: Int
    /// Receivers refused past the socket's maximum or the namespace's bound.
    public var refused: UInt64

    public init(sequenceNumber: SequenceNumber?, receivers: Int, refused: UInt64) {
        self.sequenceNumber = sequenceNumber
        self.receivers = receivers
        self.refused = refused
    }

    init(_ c: pgm_confirmed) {
        self.init(sequenceNumber: c.flags & UInt32(PGM_CONFIRMED_VALID) != 0 ? SequenceNumber(c.sqn) : nil,
                  receivers: Int(c.receivers), refused: c.refused)
    }

    /// Whether at least `receivers` live receivers all have `sequence`.
    public func covers(_ sequence: SequenceNumber, receivers: Int = 1) -> Bool {
        guard let s = sequenceNumber, self.receivers >= receivers else { return false }
        return !(s < sequence)
    }

    public var description: String {
        guard let s = sequenceNumber else { return "none confirmed (\(receivers) receivers, \(refused) refused)" }
        return "confirmed through \(s.rawValue) by \(receivers) receivers (\(refused) refused)"
    }
}

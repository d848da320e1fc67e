// Do not edit directly, auto-generated from:
// 	kernel/pgm.yaml
// by scripts/ynl-gen (run it after changing the spec).

/// Constants of the `pgm` generic-netlink family, from its spec.
public enum PGMFamily {
    /// The family's name, resolved through the controller.
    public static let name = "pgm"
    /// The family's version, in every request's generic-netlink header.
    public static let version: UInt8 = 1
    /// The multicast groups.
    public enum Group {
        /// Group "events". Joining it needs CAP_NET_ADMIN over the network namespace.
        public static let events = "events"
    }
    /// rules a netns's policy holds at most (docs/governance.md)
    public static let policyRulesMax: UInt32 = 256
    /// the largest max-groups a policy may set
    public static let policyMaxGroupsMax: UInt32 = 4096
    /// logical groups a netns's policy maps at most
    public static let policyMapsMax: UInt32 = 64
    /// unicast addresses a logical group maps to at most
    public static let policyFanoutMax: UInt32 = 64
    /// Default of nak-storm-rate: NAKs per second one source session may receive before a nak-storm event; 0 = no such events. Not a socket option: netns-wide only.
    public static let nakStormRateDefault: UInt32 = 1000
    /// Default of rx-sessions: Sessions one receiver socket keeps at most; a packet of a new session past it is dropped and counted. Not a socket option: netns-wide only.
    public static let rxSessionsDefault: UInt32 = 1024
    /// Default of rx-sessions-netns: Sessions all receivers of the netns keep at most. Netns-wide only.
    public static let rxSessionsNetnsDefault: UInt32 = 65536
    /// Default of rx-mem: Bytes one receiver socket may hold for its sessions, windows and data waiting in them (SO_RCVBUF when larger); past it packets are refused and counted. Netns-wide only.
    public static let rxMemDefault: UInt32 = 33554432
    /// Default of rx-mem-netns: Bytes all receivers of the netns may hold. Netns-wide only.
    public static let rxMemNetnsDefault: UInt32 = 268435456
    /// Default of fec-nak: What PGM_FEC_NAK starts as in receiver sockets created in the netns: 1, parity NAKs to sources that offer on-demand parity; 0, selective NAKs only (OpenPGM 5.3 sources abort on a parity NAK). A socket's setsockopt(PGM_FEC_NAK) overrides it.
    public static let fecNakDefault: UInt32 = 0
    /// Default of confirm-receivers-netns: Confirming receivers (PGM_CONFIRM) all sources of the netns keep at most; past it a new one is refused and counted (confirm_refused). Netns-wide only.
    public static let confirmReceiversNetnsDefault: UInt32 = 65536
    /// Default of ne-nak-rpt-ivl: The network element's NAK_RPT_IVL (RFC 3208 section 7.3): how long it repeats a NAK it forwarded while no NCF confirms it; then it gives up and the receivers ask again. Netns-wide only.
    public static let neNakRptIvlDefault: UInt32 = 200000
    /// Default of ne-nak-rpt-rte: The network element's NAK_RPT_RTE (section 7.3): how often a forwarded NAK is repeated until an NCF comes. Netns-wide only.
    public static let neNakRptRteDefault: UInt32 = 20
    /// Default of ne-nak-rdata-ivl: The network element's NAK_RDATA_IVL (section 7.3): how long repair state waits for its RDATA once confirmed; then it is dropped (7.8). Netns-wide only.
    public static let neNakRdataIvlDefault: UInt32 = 500000
    /// Default of ne-nak-elim-ivl: The network element's NAK_ELIM_IVL (section 7.4): how long after a NAK is confirmed its duplicates are eliminated; a small fraction of ne-nak-rdata-ivl. Netns-wide only.
    public static let neNakElimIvlDefault: UInt32 = 50000
    /// Default of ne-tsis: Sessions (TSI and group) the network element follows at most; an SPM of another is forwarded without source path state and counted (ne tsis-refused). Netns-wide only.
    public static let neTsisDefault: UInt32 = 1024
    /// Default of ne-states: Repair states (one a NAKed sqn) the network element keeps at most; past it a NAK makes none and is counted (ne states-refused). Netns-wide only.
    public static let neStatesDefault: UInt32 = 16384
    /// Default of ne-tsi-states: Repair states one session may have in the network element at most, so that a flood of NAKs for one leaves room for the others. Netns-wide only.
    public static let neTsiStatesDefault: UInt32 = 4096
    /// Default of ne-spm-timeout: How long the network element keeps a session without an SPM; a session ends sooner with OPT_RST, or two ne-nak-rdata-ivl after OPT_FIN. A quarter of it is also the longest a false SPM far ahead keeps the true ones out. Netns-wide only.
    public static let neSpmTimeoutDefault: UInt32 = 60000000
    /// Default of rx-sessions-source: Sessions one receiver socket keeps at most from one IP address (the sessions' source); a packet of a new session from an address at it is dropped and counted, so that one host cannot take all of rx-sessions. Netns-wide only.
    public static let rxSessionsSourceDefault: UInt32 = 256
}

/// The kind of value an attribute carries.
public enum PGMAttributeKind: Sendable {
    /// Native-endian integers (addresses: network order).
    case u16, u32, u64
    /// Alignment padding for u64 values.
    case pad
    /// Bytes.
    case binary
    /// Nested attributes.
    case nest
}

/// What a socket is.
public enum PGMRole: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    /// neither bound to a group nor connected
    case none = 0
    /// connected to a group; sends a session
    case source = 1
    /// bound to a group and port; receives sessions
    case receiver = 2

    /// The name in the spec.
    public var description: String {
        switch self {
        case .none: "none"
        case .source: "source"
        case .receiver: "receiver"
        }
    }
}

/// The state of a socket's session.
public enum PGMSockState: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    /// no session (role none)
    case idle = 0
    /// a source sending, or a receiver receiving
    case active = 1
    /// a source that is closing (OPT_FIN or OPT_RST sent, lingering)
    case closing = 2
    /// a receiver stopped by loss under PGM_ABORT_ON_LOSS
    case aborted = 3

    /// The name in the spec.
    public var description: String {
        switch self {
        case .idle: "idle"
        case .active: "active"
        case .closing: "closing"
        case .aborted: "aborted"
        }
    }
}

// `end-reason` is PGMTypes' SessionEndReason.

// `policy-action` is PGMTypes' PolicyAction.

// `policy-role` is PGMTypes' PolicyRole.

/// Attributes of the set `defaults`: Netns-wide defaults: what a socket of the netns takes when it is created, and the netns's own settings (role netns). Attribute numbers equal the SOL_PGM option numbers, and the ranges are setsockopt's. Every attribute here is a tunable (scripts/ynl-gen).
public enum PGMDefaultsAttribute: UInt16, Sendable, CaseIterable, CustomStringConvertible {
    /// transmit window, in sequence numbers (PGM_TXW_SQNS)
    case txwSqns = 1
    /// transmit window, in ms; 0 = by size only (PGM_TXW_SECS_MS)
    case txwSecsMs = 2
    /// rate limit, bytes/s including IP headers; 0 = none (PGM_TXW_MAX_RTE)
    case txwMaxRte = 3
    /// ambient SPM interval, us (PGM_SPM_AMBIENT_IVL)
    case spmAmbientIvl = 4
    /// first heartbeat SPM after data, us; at most ihb-max (PGM_IHB_MIN)
    case ihbMin = 5
    /// longest heartbeat SPM interval, us (PGM_IHB_MAX)
    case ihbMax = 6
    /// delay RDATA for NAKs of a just-repaired sqn to the end of this, us; 0 = off (PGM_RDATA_LINGER_IVL)
    case rdataLingerIvl = 7
    /// largest IP packet a source sends, bytes (PGM_MAX_TPDU)
    case maxTpdu = 8
    /// transmit window, in TSDU bytes; 0 = by sqns only (PGM_TXW_BYTES)
    case txwBytes = 10
    /// share of the transmit window late joiners may repair, %; 0 = none (PGM_LATE_JOIN)
    case lateJoin = 11
    /// receive window, in sequence numbers (PGM_RXW_SQNS)
    case rxwSqns = 20
    /// forget a silent source after, us (PGM_PEER_EXPIRY)
    case peerExpiry = 21
    /// wait for an SPM before sending an SPMR, us (PGM_SPMR_EXPIRY)
    case spmrExpiry = 22
    /// NAK back-off interval, upper bound, us (PGM_NAK_BO_IVL)
    case nakBoIvl = 23
    /// wait for an NCF after a NAK, us (PGM_NAK_RPT_IVL)
    case nakRptIvl = 24
    /// wait for RDATA after an NCF, us (PGM_NAK_RDATA_IVL)
    case nakRdataIvl = 25
    /// NAKs without an NCF before giving up (PGM_NAK_NCF_RETRIES)
    case nakNcfRetries = 26
    /// NCFs without RDATA before giving up (PGM_NAK_DATA_RETRIES)
    case nakDataRetries = 27
    /// most sqns before the first one heard a new session repairs; 0 = none (PGM_JOIN_MAX)
    case joinMax = 32
    /// NAKs per second one source session may receive before a nak-storm event; 0 = no such events. Not a socket option: netns-wide only.
    case nakStormRate = 50
    /// UDP port of unicast packets of UDP-encapsulated sockets (PGM_UDP_ENCAP_UCAST_PORT)
    case udpEncapUcastPort = 61
    /// UDP port of multicast packets of UDP-encapsulated sockets (PGM_UDP_ENCAP_MCAST_PORT)
    case udpEncapMcastPort = 62
    /// Sessions one receiver socket keeps at most; a packet of a new session past it is dropped and counted. Not a socket option: netns-wide only.
    case rxSessions = 63
    /// Sessions all receivers of the netns keep at most. Netns-wide only.
    case rxSessionsNetns = 64
    /// Bytes one receiver socket may hold for its sessions, windows and data waiting in them (SO_RCVBUF when larger); past it packets are refused and counted. Netns-wide only.
    case rxMem = 65
    /// Bytes all receivers of the netns may hold. Netns-wide only.
    case rxMemNetns = 66
    /// What PGM_FEC_NAK starts as in receiver sockets created in the netns: 1, parity NAKs to sources that offer on-demand parity; 0, selective NAKs only (OpenPGM 5.3 sources abort on a parity NAK). A socket's setsockopt(PGM_FEC_NAK) overrides it.
    case fecNak = 67
    /// Confirming receivers (PGM_CONFIRM) all sources of the netns keep at most; past it a new one is refused and counted (confirm_refused). Netns-wide only.
    case confirmReceiversNetns = 68
    /// The network element's NAK_RPT_IVL (RFC 3208 section 7.3): how long it repeats a NAK it forwarded while no NCF confirms it; then it gives up and the receivers ask again. Netns-wide only.
    case neNakRptIvl = 69
    /// The network element's NAK_RPT_RTE (section 7.3): how often a forwarded NAK is repeated until an NCF comes. Netns-wide only.
    case neNakRptRte = 70
    /// The network element's NAK_RDATA_IVL (section 7.3): how long repair state waits for its RDATA once confirmed; then it is dropped (7.8). Netns-wide only.
    case neNakRdataIvl = 71
    /// The network element's NAK_ELIM_IVL (section 7.4): how long after a NAK is confirmed its duplicates are eliminated; a small fraction of ne-nak-rdata-ivl. Netns-wide only.
    case neNakElimIvl = 72
    /// Sessions (TSI and group) the network element follows at most; an SPM of another is forwarded without source path state and counted (ne tsis-refused). Netns-wide only.
    case neTsis = 73
    /// Repair states (one a NAKed sqn) the network element keeps at most; past it a NAK makes none and is counted (ne states-refused). Netns-wide only.
    case neStates = 74
    /// Repair states one session may have in the network element at most, so that a flood of NAKs for one leaves room for the others. Netns-wide only.
    case neTsiStates = 75
    /// How long the network element keeps a session without an SPM; a session ends sooner with OPT_RST, or two ne-nak-rdata-ivl after OPT_FIN. A quarter of it is also the longest a false SPM far ahead keeps the true ones out. Netns-wide only.
    case neSpmTimeout = 76
    /// Sessions one receiver socket keeps at most from one IP address (the sessions' source); a packet of a new session from an address at it is dropped and counted, so that one host cannot take all of rx-sessions. Netns-wide only.
    case rxSessionsSource = 77

    /// The name in the spec.
    public var description: String {
        switch self {
        case .txwSqns: "txw-sqns"
        case .txwSecsMs: "txw-secs-ms"
        case .txwMaxRte: "txw-max-rte"
        case .spmAmbientIvl: "spm-ambient-ivl"
        case .ihbMin: "ihb-min"
        case .ihbMax: "ihb-max"
        case .rdataLingerIvl: "rdata-linger-ivl"
        case .maxTpdu: "max-tpdu"
        case .txwBytes: "txw-bytes"
        case .lateJoin: "late-join"
        case .rxwSqns: "rxw-sqns"
        case .peerExpiry: "peer-expiry"
        case .spmrExpiry: "spmr-expiry"
        case .nakBoIvl: "nak-bo-ivl"
        case .nakRptIvl: "nak-rpt-ivl"
        case .nakRdataIvl: "nak-rdata-ivl"
        case .nakNcfRetries: "nak-ncf-retries"
        case .nakDataRetries: "nak-data-retries"
        case .joinMax: "join-max"
        case .nakStormRate: "nak-storm-rate"
        case .udpEncapUcastPort: "udp-encap-ucast-port"
        case .udpEncapMcastPort: "udp-encap-mcast-port"
        case .rxSessions: "rx-sessions"
        case .rxSessionsNetns: "rx-sessions-netns"
        case .rxMem: "rx-mem"
        case .rxMemNetns: "rx-mem-netns"
        case .fecNak: "fec-nak"
        case .confirmReceiversNetns: "confirm-receivers-netns"
        case .neNakRptIvl: "ne-nak-rpt-ivl"
        case .neNakRptRte: "ne-nak-rpt-rte"
        case .neNakRdataIvl: "ne-nak-rdata-ivl"
        case .neNakElimIvl: "ne-nak-elim-ivl"
        case .neTsis: "ne-tsis"
        case .neStates: "ne-states"
        case .neTsiStates: "ne-tsi-states"
        case .neSpmTimeout: "ne-spm-timeout"
        case .rxSessionsSource: "rx-sessions-source"
        }
    }

    /// What the attribute carries.
    public var kind: PGMAttributeKind {
        switch self {
        case .txwSqns: .u32
        case .txwSecsMs: .u32
        case .txwMaxRte: .u32
        case .spmAmbientIvl: .u32
        case .ihbMin: .u32
        case .ihbMax: .u32
        case .rdataLingerIvl: .u32
        case .maxTpdu: .u32
        case .txwBytes: .u32
        case .lateJoin: .u32
        case .rxwSqns: .u32
        case .peerExpiry: .u32
        case .spmrExpiry: .u32
        case .nakBoIvl: .u32
        case .nakRptIvl: .u32
        case .nakRdataIvl: .u32
        case .nakNcfRetries: .u32
        case .nakDataRetries: .u32
        case .joinMax: .u32
        case .nakStormRate: .u32
        case .udpEncapUcastPort: .u32
        case .udpEncapMcastPort: .u32
        case .rxSessions: .u32
        case .rxSessionsNetns: .u32
        case .rxMem: .u32
        case .rxMemNetns: .u32
        case .fecNak: .u32
        case .confirmReceiversNetns: .u32
        case .neNakRptIvl: .u32
        case .neNakRptRte: .u32
        case .neNakRdataIvl: .u32
        case .neNakElimIvl: .u32
        case .neTsis: .u32
        case .neStates: .u32
        case .neTsiStates: .u32
        case .neSpmTimeout: .u32
        case .rxSessionsSource: .u32
        }
    }

    /// The values the kernel accepts: the range, and whether 0 ("off") is accepted too.
    public var accepted: (range: ClosedRange<UInt32>, zeroMeansOff: Bool)? {
        switch self {
        case .txwSqns: (1...1048576, false)
        case .txwSecsMs: (1...3600000, true)
        case .txwMaxRte: (1...4294967295, true)
        case .spmAmbientIvl: (1000...600000000, false)
        case .ihbMin: (1000...600000000, false)
        case .ihbMax: (1000...600000000, false)
        case .rdataLingerIvl: (1000...600000000, true)
        case .maxTpdu: (576...65535, false)
        case .txwBytes: (576...4294967295, true)
        case .lateJoin: (1...100, true)
        case .rxwSqns: (1...1048576, false)
        case .peerExpiry: (1000...600000000, false)
        case .spmrExpiry: (1000...600000000, false)
        case .nakBoIvl: (1000...600000000, false)
        case .nakRptIvl: (1000...600000000, false)
        case .nakRdataIvl: (1000...600000000, false)
        case .nakNcfRetries: (0...255, false)
        case .nakDataRetries: (0...255, false)
        case .joinMax: (1...1048576, true)
        case .nakStormRate: (1...10000000, true)
        case .udpEncapUcastPort: (1...65535, false)
        case .udpEncapMcastPort: (1...65535, false)
        case .rxSessions: (1...1048576, false)
        case .rxSessionsNetns: (1...16777216, false)
        case .rxMem: (65536...4294967295, false)
        case .rxMemNetns: (65536...4294967295, false)
        case .fecNak: (0...1, false)
        case .confirmReceiversNetns: (1...16777216, false)
        case .neNakRptIvl: (1000...60000000, false)
        case .neNakRptRte: (1...1000, false)
        case .neNakRdataIvl: (1000...60000000, false)
        case .neNakElimIvl: (1000...60000000, false)
        case .neTsis: (1...65536, false)
        case .neStates: (1...1048576, false)
        case .neTsiStates: (1...1048576, false)
        case .neSpmTimeout: (1000000...3600000000, false)
        case .rxSessionsSource: (1...1048576, false)
        }
    }

    /// The unit of the value, as the spec writes it (us, ms, bytes, bytes/s, sqns, count,
    /// count/s, port, percent, bool).
    public var unit: String {
        switch self {
        case .txwSqns: "sqns"
        case .txwSecsMs: "ms"
        case .txwMaxRte: "bytes/s"
        case .spmAmbientIvl: "us"
        case .ihbMin: "us"
        case .ihbMax: "us"
        case .rdataLingerIvl: "us"
        case .maxTpdu: "bytes"
        case .txwBytes: "bytes"
        case .lateJoin: "percent"
        case .rxwSqns: "sqns"
        case .peerExpiry: "us"
        case .spmrExpiry: "us"
        case .nakBoIvl: "us"
        case .nakRptIvl: "us"
        case .nakRdataIvl: "us"
        case .nakNcfRetries: "count"
        case .nakDataRetries: "count"
        case .joinMax: "sqns"
        case .nakStormRate: "count/s"
        case .udpEncapUcastPort: "port"
        case .udpEncapMcastPort: "port"
        case .rxSessions: "count"
        case .rxSessionsNetns: "count"
        case .rxMem: "bytes"
        case .rxMemNetns: "bytes"
        case .fecNak: "bool"
        case .confirmReceiversNetns: "count"
        case .neNakRptIvl: "us"
        case .neNakRptRte: "count/s"
        case .neNakRdataIvl: "us"
        case .neNakElimIvl: "us"
        case .neTsis: "count"
        case .neStates: "count"
        case .neTsiStates: "count"
        case .neSpmTimeout: "us"
        case .rxSessionsSource: "count"
        }
    }

    /// The spec's one-line documentation.
    public var doc: String {
        switch self {
        case .txwSqns: "transmit window, in sequence numbers (PGM_TXW_SQNS)"
        case .txwSecsMs: "transmit window, in ms; 0 = by size only (PGM_TXW_SECS_MS)"
        case .txwMaxRte: "rate limit, bytes/s including IP headers; 0 = none (PGM_TXW_MAX_RTE)"
        case .spmAmbientIvl: "ambient SPM interval, us (PGM_SPM_AMBIENT_IVL)"
        case .ihbMin: "first heartbeat SPM after data, us; at most ihb-max (PGM_IHB_MIN)"
        case .ihbMax: "longest heartbeat SPM interval, us (PGM_IHB_MAX)"
        case .rdataLingerIvl: "delay RDATA for NAKs of a just-repaired sqn to the end of this, us; 0 = off (PGM_RDATA_LINGER_IVL)"
        case .maxTpdu: "largest IP packet a source sends, bytes (PGM_MAX_TPDU)"
        case .txwBytes: "transmit window, in TSDU bytes; 0 = by sqns only (PGM_TXW_BYTES)"
        case .lateJoin: "share of the transmit window late joiners may repair, %; 0 = none (PGM_LATE_JOIN)"
        case .rxwSqns: "receive window, in sequence numbers (PGM_RXW_SQNS)"
        case .peerExpiry: "forget a silent source after, us (PGM_PEER_EXPIRY)"
        case .spmrExpiry: "wait for an SPM before sending an SPMR, us (PGM_SPMR_EXPIRY)"
        case .nakBoIvl: "NAK back-off interval, upper bound, us (PGM_NAK_BO_IVL)"
        case .nakRptIvl: "wait for an NCF after a NAK, us (PGM_NAK_RPT_IVL)"
        case .nakRdataIvl: "wait for RDATA after an NCF, us (PGM_NAK_RDATA_IVL)"
        case .nakNcfRetries: "NAKs without an NCF before giving up (PGM_NAK_NCF_RETRIES)"
        case .nakDataRetries: "NCFs without RDATA before giving up (PGM_NAK_DATA_RETRIES)"
        case .joinMax: "most sqns before the first one heard a new session repairs; 0 = none (PGM_JOIN_MAX)"
        case .nakStormRate: "NAKs per second one source session may receive before a nak-storm event; 0 = no such events. Not a socket option: netns-wide only."
        case .udpEncapUcastPort: "UDP port of unicast packets of UDP-encapsulated sockets (PGM_UDP_ENCAP_UCAST_PORT)"
        case .udpEncapMcastPort: "UDP port of multicast packets of UDP-encapsulated sockets (PGM_UDP_ENCAP_MCAST_PORT)"
        case .rxSessions: "Sessions one receiver socket keeps at most; a packet of a new session past it is dropped and counted. Not a socket option: netns-wide only."
        case .rxSessionsNetns: "Sessions all receivers of the netns keep at most. Netns-wide only."
        case .rxMem: "Bytes one receiver socket may hold for its sessions, windows and data waiting in them (SO_RCVBUF when larger); past it packets are refused and counted. Netns-wide only."
        case .rxMemNetns: "Bytes all receivers of the netns may hold. Netns-wide only."
        case .fecNak: "What PGM_FEC_NAK starts as in receiver sockets created in the netns: 1, parity NAKs to sources that offer on-demand parity; 0, selective NAKs only (OpenPGM 5.3 sources abort on a parity NAK). A socket's setsockopt(PGM_FEC_NAK) overrides it."
        case .confirmReceiversNetns: "Confirming receivers (PGM_CONFIRM) all sources of the netns keep at most; past it a new one is refused and counted (confirm_refused). Netns-wide only."
        case .neNakRptIvl: "The network element's NAK_RPT_IVL (RFC 3208 section 7.3): how long it repeats a NAK it forwarded while no NCF confirms it; then it gives up and the receivers ask again. Netns-wide only."
        case .neNakRptRte: "The network element's NAK_RPT_RTE (section 7.3): how often a forwarded NAK is repeated until an NCF comes. Netns-wide only."
        case .neNakRdataIvl: "The network element's NAK_RDATA_IVL (section 7.3): how long repair state waits for its RDATA once confirmed; then it is dropped (7.8). Netns-wide only."
        case .neNakElimIvl: "The network element's NAK_ELIM_IVL (section 7.4): how long after a NAK is confirmed its duplicates are eliminated; a small fraction of ne-nak-rdata-ivl. Netns-wide only."
        case .neTsis: "Sessions (TSI and group) the network element follows at most; an SPM of another is forwarded without source path state and counted (ne tsis-refused). Netns-wide only."
        case .neStates: "Repair states (one a NAKed sqn) the network element keeps at most; past it a NAK makes none and is counted (ne states-refused). Netns-wide only."
        case .neTsiStates: "Repair states one session may have in the network element at most, so that a flood of NAKs for one leaves room for the others. Netns-wide only."
        case .neSpmTimeout: "How long the network element keeps a session without an SPM; a session ends sooner with OPT_RST, or two ne-nak-rdata-ivl after OPT_FIN. A quarter of it is also the longest a false SPM far ahead keeps the true ones out. Netns-wide only."
        case .rxSessionsSource: "Sessions one receiver socket keeps at most from one IP address (the sessions' source); a packet of a new session from an address at it is dropped and counted, so that one host cannot take all of rx-sessions. Netns-wide only."
        }
    }
}

/// Attributes of the set `stats`: Counters of the netns's PGM input path (struct pgm_netns_stats).
public enum PGMStatsAttribute: UInt16, Sendable, CaseIterable, CustomStringConvertible {
    case pad = 1
    /// all PGM packets seen
    case inPackets = 2
    case inBytes = 3
    /// shorter than their header
    case inTruncated = 4
    case inBadChecksum = 5
    /// unknown type or version bits
    case inBadType = 6
    /// options or lengths inconsistent
    case inMalformed = 7
    /// valid, but no socket wanted it
    case inNoSocket = 8
    /// handed to a socket
    case inDelivered = 9
    /// PGM sockets open in the netns
    case sockets = 10
    /// receivers' new sessions refused (rx-sessions, rx-sessions-netns, memory)
    case rxSessionsRefused = 11
    /// receivers' packets or sessions refused past rx-mem or rx-mem-netns
    case rxMemRefused = 12
    /// packets with a session's TSI from another address, dropped
    case rxWrongSource = 13
    /// receivers' sessions now
    case rxSessions = 14
    /// bytes receivers hold now (sessions, windows, data)
    case rxMem = 15
    /// connect() and joins the netns's policy refused (EACCES)
    case policyDenied = 16
    /// packets a receiver did not take under a policy because it had not joined their group
    case inPolicy = 17
    /// connect() and joins refused because the netns used max-groups groups already (ENOBUFS)
    case policyGroupLimit = 18
    /// sources ended and groups left because a policy change denied them
    case policyRevoked = 19
    /// connect() and joins a policy allowed (by a rule or its default)
    case policyAllowed = 20
    /// receivers' session windows given up to make room for a more recently heard session (rx-mem); their sqns are reported lost
    case rxWindowsShed = 21
    /// receivers' new sessions refused because their address had rx-sessions-source sessions (also in rx-sessions-refused)
    case rxSourceRefused = 22

    /// The name in the spec.
    public var description: String {
        switch self {
        case .pad: "pad"
        case .inPackets: "in-packets"
        case .inBytes: "in-bytes"
        case .inTruncated: "in-truncated"
        case .inBadChecksum: "in-bad-checksum"
        case .inBadType: "in-bad-type"
        case .inMalformed: "in-malformed"
        case .inNoSocket: "in-no-socket"
        case .inDelivered: "in-delivered"
        case .sockets: "sockets"
        case .rxSessionsRefused: "rx-sessions-refused"
        case .rxMemRefused: "rx-mem-refused"
        case .rxWrongSource: "rx-wrong-source"
        case .rxSessions: "rx-sessions"
        case .rxMem: "rx-mem"
        case .policyDenied: "policy-denied"
        case .inPolicy: "in-policy"
        case .policyGroupLimit: "policy-group-limit"
        case .policyRevoked: "policy-revoked"
        case .policyAllowed: "policy-allowed"
        case .rxWindowsShed: "rx-windows-shed"
        case .rxSourceRefused: "rx-source-refused"
        }
    }

    /// What the attribute carries.
    public var kind: PGMAttributeKind {
        switch self {
        case .pad: .pad
        case .inPackets: .u64
        case .inBytes: .u64
        case .inTruncated: .u64
        case .inBadChecksum: .u64
        case .inBadType: .u64
        case .inMalformed: .u64
        case .inNoSocket: .u64
        case .inDelivered: .u64
        case .sockets: .u64
        case .rxSessionsRefused: .u64
        case .rxMemRefused: .u64
        case .rxWrongSource: .u64
        case .rxSessions: .u64
        case .rxMem: .u64
        case .policyDenied: .u64
        case .inPolicy: .u64
        case .policyGroupLimit: .u64
        case .policyRevoked: .u64
        case .policyAllowed: .u64
        case .rxWindowsShed: .u64
        case .rxSourceRefused: .u64
        }
    }

    /// The spec's one-line documentation.
    public var doc: String {
        switch self {
        case .pad: ""
        case .inPackets: "all PGM packets seen"
        case .inBytes: ""
        case .inTruncated: "shorter than their header"
        case .inBadChecksum: ""
        case .inBadType: "unknown type or version bits"
        case .inMalformed: "options or lengths inconsistent"
        case .inNoSocket: "valid, but no socket wanted it"
        case .inDelivered: "handed to a socket"
        case .sockets: "PGM sockets open in the netns"
        case .rxSessionsRefused: "receivers' new sessions refused (rx-sessions, rx-sessions-netns, memory)"
        case .rxMemRefused: "receivers' packets or sessions refused past rx-mem or rx-mem-netns"
        case .rxWrongSource: "packets with a session's TSI from another address, dropped"
        case .rxSessions: "receivers' sessions now"
        case .rxMem: "bytes receivers hold now (sessions, windows, data)"
        case .policyDenied: "connect() and joins the netns's policy refused (EACCES)"
        case .inPolicy: "packets a receiver did not take under a policy because it had not joined their group"
        case .policyGroupLimit: "connect() and joins refused because the netns used max-groups groups already (ENOBUFS)"
        case .policyRevoked: "sources ended and groups left because a policy change denied them"
        case .policyAllowed: "connect() and joins a policy allowed (by a rule or its default)"
        case .rxWindowsShed: "receivers' session windows given up to make room for a more recently heard session (rx-mem); their sqns are reported lost"
        case .rxSourceRefused: "receivers' new sessions refused because their address had rx-sessions-source sessions (also in rx-sessions-refused)"
        }
    }
}

/// Attributes of the set `source-stats`: Counters of a source socket (struct pgm_source_stats).
public enum PGMSourceStatsAttribute: UInt16, Sendable, CaseIterable, CustomStringConvertible {
    case pad = 1
    case dataBytesSent = 2
    case odataSent = 3
    case rdataSent = 4
    case rdataBytesSent = 5
    case spmSent = 6
    case ncfSent = 7
    case naksReceived = 8
    case naksIgnored = 9
    case spmrReceived = 10
    case rateLimited = 11
    case malformed = 12
    /// RDATA queued to wait for the rate limit
    case rdataDeferred = 13
    /// queued RDATA whose data left the window first
    case rdataUnsent = 14
    /// NAKed sqns already queued for RDATA (no second copy)
    case naksPending = 15
    /// OPT_NAK_LIST options after a NAK's first, ignored
    case nakListsIgnored = 16
    /// NAKs not all confirmed, the pending NCF being full (63 sqns)
    case ncfDropped = 17
    /// SPMs that waited for the rate limit
    case spmDeferred = 18
    /// RDATA waiting in the repair queue now
    case rdataQueued = 19
    /// memory the transmit window holds, bytes (skb truesize; bounded by SO_SNDBUF)
    case txwMem = 20
    /// FEC parity sent as ODATA after a group's last ODATA
    case paritySentProactive = 21
    /// FEC parity sent as RDATA for parity NAKs (not in rdata-sent)
    case paritySentOndemand = 22
    /// parity NAKs, each group of a NAK list counted
    case parityNaksReceived = 23
    /// parity NAKs refused (no on-demand parity, group not wholly in the window, past one NAK's 63 packets)
    case parityNaksRefused = 24
    /// parity requests answered with the group's originals, more asked than its n - k parity numbers had left
    case parityByOriginals = 25
    /// how long sends were told to wait for the rate limit (the sum of the waits it set), ns
    case rateWaitNs = 26
    /// PGMCC - ACKs with OPT_PGMCC_FEEDBACK, from any receiver
    case acksReceived = 27
    /// PGMCC - ACKs without OPT_PGMCC_FEEDBACK, ignored
    case acksNoFeedback = 28
    /// PGMCC - NAKs whose OPT_PGMCC_FEEDBACK was taken
    case feedbackNaks = 29
    /// PGMCC - feedback naming another receiver than the packet's IP source, ignored
    case feedbackForeign = 30
    /// PGMCC - ackers chosen (each election's first, each switch)
    case ackerChanges = 31
    /// PGMCC - losses the acker's ACKs showed, each halving the window
    case congestionEvents = 32
    /// PGMCC - no ACK within the timeout, the window back to one packet
    case ccTimeouts = 33
    /// PGMCC - sends that found no token (once per wait)
    case windowLimited = 34
    /// Confirmed delivery - ACKs with OPT_CONFIRM received
    case confirmAcks = 35
    /// Confirmed delivery - receivers added
    case confirmJoins = 36
    /// Confirmed delivery - receivers gone by BYE
    case confirmLeaves = 37
    /// Confirmed delivery - receivers silent past PGM_CONFIRM_EXPIRY, removed
    case confirmExpired = 38
    /// Confirmed delivery - receivers that lost data (BYE with LOST, or the window passed them)
    case confirmLost = 39
    /// Confirmed delivery - receivers refused past PGM_CONFIRM_MAX or confirm-receivers-netns
    case confirmRefused = 40
    /// Confirmed delivery - ACKs behind their receiver's CONFIRMED, or BYEs of unknown receivers
    case confirmStale = 41
    /// Confirmed delivery - ACKs confirming beyond the lead (clamped to it)
    case confirmFuture = 42
    /// Confirmed delivery - unknown receivers already behind the window (not added)
    case confirmBehind = 43
    /// Confirmed delivery - sends that waited for the slowest receiver (PGM_CONFIRM_FLOW; once per wait)
    case flowLimited = 44

    /// The name in the spec.
    public var description: String {
        switch self {
        case .pad: "pad"
        case .dataBytesSent: "data-bytes-sent"
        case .odataSent: "odata-sent"
        case .rdataSent: "rdata-sent"
        case .rdataBytesSent: "rdata-bytes-sent"
        case .spmSent: "spm-sent"
        case .ncfSent: "ncf-sent"
        case .naksReceived: "naks-received"
        case .naksIgnored: "naks-ignored"
        case .spmrReceived: "spmr-received"
        case .rateLimited: "rate-limited"
        case .malformed: "malformed"
        case .rdataDeferred: "rdata-deferred"
        case .rdataUnsent: "rdata-unsent"
        case .naksPending: "naks-pending"
        case .nakListsIgnored: "nak-lists-ignored"
        case .ncfDropped: "ncf-dropped"
        case .spmDeferred: "spm-deferred"
        case .rdataQueued: "rdata-queued"
        case .txwMem: "txw-mem"
        case .paritySentProactive: "parity-sent-proactive"
        case .paritySentOndemand: "parity-sent-ondemand"
        case .parityNaksReceived: "parity-naks-received"
        case .parityNaksRefused: "parity-naks-refused"
        case .parityByOriginals: "parity-by-originals"
        case .rateWaitNs: "rate-wait-ns"
        case .acksReceived: "acks-received"
        case .acksNoFeedback: "acks-no-feedback"
        case .feedbackNaks: "feedback-naks"
        case .feedbackForeign: "feedback-foreign"
        case .ackerChanges: "acker-changes"
        case .congestionEvents: "congestion-events"
        case .ccTimeouts: "cc-timeouts"
        case .windowLimited: "window-limited"
        case .confirmAcks: "confirm-acks"
        case .confirmJoins: "confirm-joins"
        case .confirmLeaves: "confirm-leaves"
        case .confirmExpired: "confirm-expired"
        case .confirmLost: "confirm-lost"
        case .confirmRefused: "confirm-refused"
        case .confirmStale: "confirm-stale"
        case .confirmFuture: "confirm-future"
        case .confirmBehind: "confirm-behind"
        case .flowLimited: "flow-limited"
        }
    }

    /// What the attribute carries.
    public var kind: PGMAttributeKind {
        switch self {
        case .pad: .pad
        case .dataBytesSent: .u64
        case .odataSent: .u64
        case .rdataSent: .u64
        case .rdataBytesSent: .u64
        case .spmSent: .u64
        case .ncfSent: .u64
        case .naksReceived: .u64
        case .naksIgnored: .u64
        case .spmrReceived: .u64
        case .rateLimited: .u64
        case .malformed: .u64
        case .rdataDeferred: .u64
        case .rdataUnsent: .u64
        case .naksPending: .u64
        case .nakListsIgnored: .u64
        case .ncfDropped: .u64
        case .spmDeferred: .u64
        case .rdataQueued: .u64
        case .txwMem: .u64
        case .paritySentProactive: .u64
        case .paritySentOndemand: .u64
        case .parityNaksReceived: .u64
        case .parityNaksRefused: .u64
        case .parityByOriginals: .u64
        case .rateWaitNs: .u64
        case .acksReceived: .u64
        case .acksNoFeedback: .u64
        case .feedbackNaks: .u64
        case .feedbackForeign: .u64
        case .ackerChanges: .u64
        case .congestionEvents: .u64
        case .ccTimeouts: .u64
        case .windowLimited: .u64
        case .confirmAcks: .u64
        case .confirmJoins: .u64
        case .confirmLeaves: .u64
        case .confirmExpired: .u64
        case .confirmLost: .u64
        case .confirmRefused: .u64
        case .confirmStale: .u64
        case .confirmFuture: .u64
        case .confirmBehind: .u64
        case .flowLimited: .u64
        }
    }

    /// The spec's one-line documentation.
    public var doc: String {
        switch self {
        case .pad: ""
        case .dataBytesSent: ""
        case .odataSent: ""
        case .rdataSent: ""
        case .rdataBytesSent: ""
        case .spmSent: ""
        case .ncfSent: ""
        case .naksReceived: ""
        case .naksIgnored: ""
        case .spmrReceived: ""
        case .rateLimited: ""
        case .malformed: ""
        case .rdataDeferred: "RDATA queued to wait for the rate limit"
        case .rdataUnsent: "queued RDATA whose data left the window first"
        case .naksPending: "NAKed sqns already queued for RDATA (no second copy)"
        case .nakListsIgnored: "OPT_NAK_LIST options after a NAK's first, ignored"
        case .ncfDropped: "NAKs not all confirmed, the pending NCF being full (63 sqns)"
        case .spmDeferred: "SPMs that waited for the rate limit"
        case .rdataQueued: "RDATA waiting in the repair queue now"
        case .txwMem: "memory the transmit window holds, bytes (skb truesize; bounded by SO_SNDBUF)"
        case .paritySentProactive: "FEC parity sent as ODATA after a group's last ODATA"
        case .paritySentOndemand: "FEC parity sent as RDATA for parity NAKs (not in rdata-sent)"
        case .parityNaksReceived: "parity NAKs, each group of a NAK list counted"
        case .parityNaksRefused: "parity NAKs refused (no on-demand parity, group not wholly in the window, past one NAK's 63 packets)"
        case .parityByOriginals: "parity requests answered with the group's originals, more asked than its n - k parity numbers had left"
        case .rateWaitNs: "how long sends were told to wait for the rate limit (the sum of the waits it set), ns"
        case .acksReceived: "PGMCC - ACKs with OPT_PGMCC_FEEDBACK, from any receiver"
        case .acksNoFeedback: "PGMCC - ACKs without OPT_PGMCC_FEEDBACK, ignored"
        case .feedbackNaks: "PGMCC - NAKs whose OPT_PGMCC_FEEDBACK was taken"
        case .feedbackForeign: "PGMCC - feedback naming another receiver than the packet's IP source, ignored"
        case .ackerChanges: "PGMCC - ackers chosen (each election's first, each switch)"
        case .congestionEvents: "PGMCC - losses the acker's ACKs showed, each halving the window"
        case .ccTimeouts: "PGMCC - no ACK within the timeout, the window back to one packet"
        case .windowLimited: "PGMCC - sends that found no token (once per wait)"
        case .confirmAcks: "Confirmed delivery - ACKs with OPT_CONFIRM received"
        case .confirmJoins: "Confirmed delivery - receivers added"
        case .confirmLeaves: "Confirmed delivery - receivers gone by BYE"
        case .confirmExpired: "Confirmed delivery - receivers silent past PGM_CONFIRM_EXPIRY, removed"
        case .confirmLost: "Confirmed delivery - receivers that lost data (BYE with LOST, or the window passed them)"
        case .confirmRefused: "Confirmed delivery - receivers refused past PGM_CONFIRM_MAX or confirm-receivers-netns"
        case .confirmStale: "Confirmed delivery - ACKs behind their receiver's CONFIRMED, or BYEs of unknown receivers"
        case .confirmFuture: "Confirmed delivery - ACKs confirming beyond the lead (clamped to it)"
        case .confirmBehind: "Confirmed delivery - unknown receivers already behind the window (not added)"
        case .flowLimited: "Confirmed delivery - sends that waited for the slowest receiver (PGM_CONFIRM_FLOW; once per wait)"
        }
    }
}

/// Attributes of the set `receiver-stats`: Counters of a receiver socket, over its peers (struct pgm_receiver_stats).
public enum PGMReceiverStatsAttribute: UInt16, Sendable, CaseIterable, CustomStringConvertible {
    case pad = 1
    case dataBytesReceived = 2
    case apdusDelivered = 3
    case odataReceived = 4
    case rdataReceived = 5
    case duplicates = 6
    case naksSent = 7
    case ncfsReceived = 8
    case spmsReceived = 9
    case spmrsSent = 10
    case losses = 11
    case malformed = 12
    case outsideWindow = 13
    /// new sessions refused (rx-sessions, rx-sessions-netns, memory)
    case sessionsRefused = 14
    /// packets or sessions refused past the memory budget
    case memRefused = 15
    /// packets with a session's TSI from another address, dropped
    case wrongSource = 16
    /// times due NAKs waited for NAK credit (the reflection bound)
    case naksDeferred = 17
    /// bytes held now for sessions, windows and data
    case mem = 18
    /// sqns found missing, then received (RDATA, or ODATA late)
    case repairs = 19
    /// time from a sqn found missing to its data, summed over repairs, us
    case repairUsTotal = 20
    /// the longest repair time, us
    case repairUsMax = 21
    /// parity ODATA and RDATA (RFC 3208 section 11.5)
    case parityReceived = 22
    /// parity that fits no group (number, length, options, group size) or failed a rebuild
    case parityDropped = 23
    /// parity not needed (no FEC learnt, group behind the window, complete or failed)
    case parityUnused = 24
    /// transmission groups rebuilt from parity
    case groupsRebuilt = 25
    /// parity NAKs sent (also in naks-sent)
    case parityNaksSent = 26
    /// SPMs changing the FEC group size within PGM_FEC_K_HOLD_MS of the last taken (FEC off for the session until an SPM after it)
    case fecKRefused = 27
    /// PGMCC ACKs sent, as the acker or an election's answer
    case acksSent = 28
    /// PGMCC ACKs due before an SPM gave a path NLA (not sent)
    case acksNoPath = 29
    /// PGMCC ACKs due without NAK credit, the reflection bound (not sent)
    case acksNoCredit = 30
    /// Confirmed delivery - ACKs with OPT_CONFIRM sent (PGM_CONFIRM)
    case confirmAcksSent = 31
    /// Confirmed delivery - ACKs due without NAK credit (not sent)
    case confirmNoCredit = 32
    /// windows of sessions given up to make room for a more recently heard session past the memory budget; their sqns are reported lost
    case windowsShed = 33
    /// new sessions refused because their address had rx-sessions-source sessions here (also in sessions-refused)
    case sourceRefused = 34

    /// The name in the spec.
    public var description: String {
        switch self {
        case .pad: "pad"
        case .dataBytesReceived: "data-bytes-received"
        case .apdusDelivered: "apdus-delivered"
        case .odataReceived: "odata-received"
        case .rdataReceived: "rdata-received"
        case .duplicates: "duplicates"
        case .naksSent: "naks-sent"
        case .ncfsReceived: "ncfs-received"
        case .spmsReceived: "spms-received"
        case .spmrsSent: "spmrs-sent"
        case .losses: "losses"
        case .malformed: "malformed"
        case .outsideWindow: "outside-window"
        case .sessionsRefused: "sessions-refused"
        case .memRefused: "mem-refused"
        case .wrongSource: "wrong-source"
        case .naksDeferred: "naks-deferred"
        case .mem: "mem"
        case .repairs: "repairs"
        case .repairUsTotal: "repair-us-total"
        case .repairUsMax: "repair-us-max"
        case .parityReceived: "parity-received"
        case .parityDropped: "parity-dropped"
        case .parityUnused: "parity-unused"
        case .groupsRebuilt: "groups-rebuilt"
        case .parityNaksSent: "parity-naks-sent"
        case .fecKRefused: "fec-k-refused"
        case .acksSent: "acks-sent"
        case .acksNoPath: "acks-no-path"
        case .acksNoCredit: "acks-no-credit"
        case .confirmAcksSent: "confirm-acks-sent"
        case .confirmNoCredit: "confirm-no-credit"
        case .windowsShed: "windows-shed"
        case .sourceRefused: "source-refused"
        }
    }

    /// What the attribute carries.
    public var kind: PGMAttributeKind {
        switch self {
        case .pad: .pad
        case .dataBytesReceived: .u64
        case .apdusDelivered: .u64
        case .odataReceived: .u64
        case .rdataReceived: .u64
        case .duplicates: .u64
        case .naksSent: .u64
        case .ncfsReceived: .u64
        case .spmsReceived: .u64
        case .spmrsSent: .u64
        case .losses: .u64
        case .malformed: .u64
        case .outsideWindow: .u64
        case .sessionsRefused: .u64
        case .memRefused: .u64
        case .wrongSource: .u64
        case .naksDeferred: .u64
        case .mem: .u64
        case .repairs: .u64
        case .repairUsTotal: .u64
        case .repairUsMax: .u64
        case .parityReceived: .u64
        case .parityDropped: .u64
        case .parityUnused: .u64
        case .groupsRebuilt: .u64
        case .parityNaksSent: .u64
        case .fecKRefused: .u64
        case .acksSent: .u64
        case .acksNoPath: .u64
        case .acksNoCredit: .u64
        case .confirmAcksSent: .u64
        case .confirmNoCredit: .u64
        case .windowsShed: .u64
        case .sourceRefused: .u64
        }
    }

    /// The spec's one-line documentation.
    public var doc: String {
        switch self {
        case .pad: ""
        case .dataBytesReceived: ""
        case .apdusDelivered: ""
        case .odataReceived: ""
        case .rdataReceived: ""
        case .duplicates: ""
        case .naksSent: ""
        case .ncfsReceived: ""
        case .spmsReceived: ""
        case .spmrsSent: ""
        case .losses: ""
        case .malformed: ""
        case .outsideWindow: ""
        case .sessionsRefused: "new sessions refused (rx-sessions, rx-sessions-netns, memory)"
        case .memRefused: "packets or sessions refused past the memory budget"
        case .wrongSource: "packets with a session's TSI from another address, dropped"
        case .naksDeferred: "times due NAKs waited for NAK credit (the reflection bound)"
        case .mem: "bytes held now for sessions, windows and data"
        case .repairs: "sqns found missing, then received (RDATA, or ODATA late)"
        case .repairUsTotal: "time from a sqn found missing to its data, summed over repairs, us"
        case .repairUsMax: "the longest repair time, us"
        case .parityReceived: "parity ODATA and RDATA (RFC 3208 section 11.5)"
        case .parityDropped: "parity that fits no group (number, length, options, group size) or failed a rebuild"
        case .parityUnused: "parity not needed (no FEC learnt, group behind the window, complete or failed)"
        case .groupsRebuilt: "transmission groups rebuilt from parity"
        case .parityNaksSent: "parity NAKs sent (also in naks-sent)"
        case .fecKRefused: "SPMs changing the FEC group size within PGM_FEC_K_HOLD_MS of the last taken (FEC off for the session until an SPM after it)"
        case .acksSent: "PGMCC ACKs sent, as the acker or an election's answer"
        case .acksNoPath: "PGMCC ACKs due before an SPM gave a path NLA (not sent)"
        case .acksNoCredit: "PGMCC ACKs due without NAK credit, the reflection bound (not sent)"
        case .confirmAcksSent: "Confirmed delivery - ACKs with OPT_CONFIRM sent (PGM_CONFIRM)"
        case .confirmNoCredit: "Confirmed delivery - ACKs due without NAK credit (not sent)"
        case .windowsShed: "windows of sessions given up to make room for a more recently heard session past the memory budget; their sqns are reported lost"
        case .sourceRefused: "new sessions refused because their address had rx-sessions-source sessions here (also in sessions-refused)"
        }
    }
}

/// Attributes of the set `socket`: One PGM socket, as a socket dump gives it.
public enum PGMSocketAttribute: UInt16, Sendable, CaseIterable, CustomStringConvertible {
    case pad = 1
    /// inode number of the socket (as in /proc/PID/fd and ss)
    case inode = 2
    /// owner, in the dumping process's user namespace
    case uid = 3
    case role = 4
    case state = 5
    /// Global Source ID (6 bytes)
    case gsi = 6
    /// a source's Transport Session ID (GSI and port, 8 bytes)
    case tsi = 7
    /// local IPv4 address (a source's NLA, a receiver's bound address); IPv4 sockets only, addr6 on IPv6 ones
    case addr = 8
    /// the multicast group (a source's destination); IPv4 sockets, group6 on IPv6 ones
    case group = 9
    /// data-destination port
    case port = 10
    /// a source's data-source port
    case sport = 11
    /// a source's transmit window trail (section 3.3)
    case txwTrail = 12
    /// a source's transmit window lead
    case txwLead = 13
    /// transmit window capacity, in sqns
    case txwSize = 14
    /// TSDU bytes held in the transmit window
    case txwBytes = 15
    /// a source's rate limit, bytes/s; 0 = none
    case rateLimit = 16
    /// bytes in the receive queue
    case rmemAlloc = 17
    case rcvbuf = 18
    /// bytes queued for sending
    case wmemAlloc = 19
    case sndbuf = 20
    /// APDUs waiting in the receive queue
    case rcvQueue = 21
    /// loss and session-end records on the error queue
    case errQueue = 22
    /// a receiver's sessions
    case peers = 23
    case sourceStats = 24
    case receiverStats = 25
    /// the process that created the socket (its thread group id), in the dumping process's pid namespace; absent when it is not visible there
    case pid = 26
    /// the socket's address family: AF_INET (2) or AF_INET6 (10); it says which of addr and addr6, group and group6 the socket has
    case family = 27
    /// an IPv6 socket's local address, as addr (16 bytes, network order)
    case addr6 = 28
    /// an IPv6 socket's multicast group, as group (16 bytes, network order)
    case group6 = 29
    /// PGMCC source (IPv4) - the acker; absent while none (an election is called)
    case pgmccAcker = 30
    /// PGMCC source (IPv6) - the acker, as pgmcc-acker
    case pgmccAcker6 = 31
    /// PGMCC source - the window W, in 1/65536 packets
    case pgmccWindow = 32
    /// PGMCC source - the acker's smoothed RTT, us; 0 before a sample
    case pgmccRttUs = 33
    /// PGMCC source - the acker's loss rate, 0 to 65535 as its feedback carries it
    case pgmccLossRate = 34
    /// Confirmed delivery source - live confirming receivers (absent without PGM_CONFIRM)
    case confirmReceivers = 35
    /// Confirmed delivery source - every live receiver has every sqn up to this one (absent while none is live)
    case confirmedSqn = 36
    /// a source's rate the netns's policy allows it, bytes/s (its rule's rate-cap, or its share of the policy's rate-cap); absent when the policy limits it not
    case policyRate = 37

    /// The name in the spec.
    public var description: String {
        switch self {
        case .pad: "pad"
        case .inode: "inode"
        case .uid: "uid"
        case .role: "role"
        case .state: "state"
        case .gsi: "gsi"
        case .tsi: "tsi"
        case .addr: "addr"
        case .group: "group"
        case .port: "port"
        case .sport: "sport"
        case .txwTrail: "txw-trail"
        case .txwLead: "txw-lead"
        case .txwSize: "txw-size"
        case .txwBytes: "txw-bytes"
        case .rateLimit: "rate-limit"
        case .rmemAlloc: "rmem-alloc"
        case .rcvbuf: "rcvbuf"
        case .wmemAlloc: "wmem-alloc"
        case .sndbuf: "sndbuf"
        case .rcvQueue: "rcv-queue"
        case .errQueue: "err-queue"
        case .peers: "peers"
        case .sourceStats: "source-stats"
        case .receiverStats: "receiver-stats"
        case .pid: "pid"
        case .family: "family"
        case .addr6: "addr6"
        case .group6: "group6"
        case .pgmccAcker: "pgmcc-acker"
        case .pgmccAcker6: "pgmcc-acker6"
        case .pgmccWindow: "pgmcc-window"
        case .pgmccRttUs: "pgmcc-rtt-us"
        case .pgmccLossRate: "pgmcc-loss-rate"
        case .confirmReceivers: "confirm-receivers"
        case .confirmedSqn: "confirmed-sqn"
        case .policyRate: "policy-rate"
        }
    }

    /// What the attribute carries.
    public var kind: PGMAttributeKind {
        switch self {
        case .pad: .pad
        case .inode: .u32
        case .uid: .u32
        case .role: .u32
        case .state: .u32
        case .gsi: .binary
        case .tsi: .binary
        case .addr: .u32
        case .group: .u32
        case .port: .u16
        case .sport: .u16
        case .txwTrail: .u32
        case .txwLead: .u32
        case .txwSize: .u32
        case .txwBytes: .u64
        case .rateLimit: .u32
        case .rmemAlloc: .u32
        case .rcvbuf: .u32
        case .wmemAlloc: .u32
        case .sndbuf: .u32
        case .rcvQueue: .u32
        case .errQueue: .u32
        case .peers: .u32
        case .sourceStats: .nest
        case .receiverStats: .nest
        case .pid: .u32
        case .family: .u32
        case .addr6: .binary
        case .group6: .binary
        case .pgmccAcker: .u32
        case .pgmccAcker6: .binary
        case .pgmccWindow: .u32
        case .pgmccRttUs: .u32
        case .pgmccLossRate: .u32
        case .confirmReceivers: .u32
        case .confirmedSqn: .u32
        case .policyRate: .u32
        }
    }

    /// The spec's one-line documentation.
    public var doc: String {
        switch self {
        case .pad: ""
        case .inode: "inode number of the socket (as in /proc/PID/fd and ss)"
        case .uid: "owner, in the dumping process's user namespace"
        case .role: ""
        case .state: ""
        case .gsi: "Global Source ID (6 bytes)"
        case .tsi: "a source's Transport Session ID (GSI and port, 8 bytes)"
        case .addr: "local IPv4 address (a source's NLA, a receiver's bound address); IPv4 sockets only, addr6 on IPv6 ones"
        case .group: "the multicast group (a source's destination); IPv4 sockets, group6 on IPv6 ones"
        case .port: "data-destination port"
        case .sport: "a source's data-source port"
        case .txwTrail: "a source's transmit window trail (section 3.3)"
        case .txwLead: "a source's transmit window lead"
        case .txwSize: "transmit window capacity, in sqns"
        case .txwBytes: "TSDU bytes held in the transmit window"
        case .rateLimit: "a source's rate limit, bytes/s; 0 = none"
        case .rmemAlloc: "bytes in the receive queue"
        case .rcvbuf: ""
        case .wmemAlloc: "bytes queued for sending"
        case .sndbuf: ""
        case .rcvQueue: "APDUs waiting in the receive queue"
        case .errQueue: "loss and session-end records on the error queue"
        case .peers: "a receiver's sessions"
        case .sourceStats: ""
        case .receiverStats: ""
        case .pid: "the process that created the socket (its thread group id), in the dumping process's pid namespace; absent when it is not visible there"
        case .family: "the socket's address family: AF_INET (2) or AF_INET6 (10); it says which of addr and addr6, group and group6 the socket has"
        case .addr6: "an IPv6 socket's local address, as addr (16 bytes, network order)"
        case .group6: "an IPv6 socket's multicast group, as group (16 bytes, network order)"
        case .pgmccAcker: "PGMCC source (IPv4) - the acker; absent while none (an election is called)"
        case .pgmccAcker6: "PGMCC source (IPv6) - the acker, as pgmcc-acker"
        case .pgmccWindow: "PGMCC source - the window W, in 1/65536 packets"
        case .pgmccRttUs: "PGMCC source - the acker's smoothed RTT, us; 0 before a sample"
        case .pgmccLossRate: "PGMCC source - the acker's loss rate, 0 to 65535 as its feedback carries it"
        case .confirmReceivers: "Confirmed delivery source - live confirming receivers (absent without PGM_CONFIRM)"
        case .confirmedSqn: "Confirmed delivery source - every live receiver has every sqn up to this one (absent while none is live)"
        case .policyRate: "a source's rate the netns's policy allows it, bytes/s (its rule's rate-cap, or its share of the policy's rate-cap); absent when the policy limits it not"
        }
    }
}

/// Attributes of the set `peer`: One session a receiver socket follows.
public enum PGMPeerAttribute: UInt16, Sendable, CaseIterable, CustomStringConvertible {
    case pad = 1
    /// the receiver socket (socket inode); in a request, only its peers
    case socketInode = 2
    case tsi = 3
    /// IP source address of the session's packets (IPv4 sessions; source6 on IPv6 ones)
    case source = 4
    case group = 5
    /// data-destination port
    case port = 6
    /// path NLA from SPMs, where NAKs go; absent before the first SPM
    case nla = 7
    /// next sequence number to deliver (trailing edge of the window)
    case nextSqn = 8
    /// highest sequence number known to exist
    case leadSqn = 9
    /// receive window capacity, in sqns
    case rxwSqns = 10
    /// set once the source has said it ends (OPT_FIN, OPT_RST)
    case end = 11
    /// time since the peer was last heard, ms
    case idleMs = 12
    /// sqns of this session declared unrecoverable
    case losses = 13
    /// NAKs sent to this session's source, each sqn counted
    case naksSent = 14
    /// transmission group size the source's OPT_PARITY_PRM offers (RFC 3208 section 11.4); absent until an SPM offers FEC
    case fecK = 15
    /// 1 when the source says it sends proactive parity; with fec-k
    case fecProactive = 16
    /// 1 when the source offers on-demand parity; with fec-k
    case fecOndemand = 17
    /// this session's transmission groups rebuilt from parity
    case groupsRebuilt = 18
    /// parity NAKs sent to this session's source
    case parityNaksSent = 19
    /// IPv6 source address of the session's packets (a session of an IPv6 socket), as source
    case source6 = 20
    /// the session's IPv6 group, as group
    case group6 = 21
    /// the path NLA (AFI 2) from SPMs of an IPv6 session, as nla; absent before the first SPM
    case nla6 = 22
    /// PGMCC, a receiver with PGM_PGMCC - its loss rate for the session, 0 to 65535 as its feedback carries it; absent until the source's data carries OPT_PGMCC_DATA
    case pgmccLossRate = 23
    /// PGMCC ACKs sent to this session's source
    case acksSent = 24

    /// The name in the spec.
    public var description: String {
        switch self {
        case .pad: "pad"
        case .socketInode: "socket-inode"
        case .tsi: "tsi"
        case .source: "source"
        case .group: "group"
        case .port: "port"
        case .nla: "nla"
        case .nextSqn: "next-sqn"
        case .leadSqn: "lead-sqn"
        case .rxwSqns: "rxw-sqns"
        case .end: "end"
        case .idleMs: "idle-ms"
        case .losses: "losses"
        case .naksSent: "naks-sent"
        case .fecK: "fec-k"
        case .fecProactive: "fec-proactive"
        case .fecOndemand: "fec-ondemand"
        case .groupsRebuilt: "groups-rebuilt"
        case .parityNaksSent: "parity-naks-sent"
        case .source6: "source6"
        case .group6: "group6"
        case .nla6: "nla6"
        case .pgmccLossRate: "pgmcc-loss-rate"
        case .acksSent: "acks-sent"
        }
    }

    /// What the attribute carries.
    public var kind: PGMAttributeKind {
        switch self {
        case .pad: .pad
        case .socketInode: .u32
        case .tsi: .binary
        case .source: .u32
        case .group: .u32
        case .port: .u16
        case .nla: .u32
        case .nextSqn: .u32
        case .leadSqn: .u32
        case .rxwSqns: .u32
        case .end: .u32
        case .idleMs: .u32
        case .losses: .u64
        case .naksSent: .u64
        case .fecK: .u32
        case .fecProactive: .u32
        case .fecOndemand: .u32
        case .groupsRebuilt: .u64
        case .parityNaksSent: .u64
        case .source6: .binary
        case .group6: .binary
        case .nla6: .binary
        case .pgmccLossRate: .u32
        case .acksSent: .u64
        }
    }

    /// The spec's one-line documentation.
    public var doc: String {
        switch self {
        case .pad: ""
        case .socketInode: "the receiver socket (socket inode); in a request, only its peers"
        case .tsi: ""
        case .source: "IP source address of the session's packets (IPv4 sessions; source6 on IPv6 ones)"
        case .group: ""
        case .port: "data-destination port"
        case .nla: "path NLA from SPMs, where NAKs go; absent before the first SPM"
        case .nextSqn: "next sequence number to deliver (trailing edge of the window)"
        case .leadSqn: "highest sequence number known to exist"
        case .rxwSqns: "receive window capacity, in sqns"
        case .end: "set once the source has said it ends (OPT_FIN, OPT_RST)"
        case .idleMs: "time since the peer was last heard, ms"
        case .losses: "sqns of this session declared unrecoverable"
        case .naksSent: "NAKs sent to this session's source, each sqn counted"
        case .fecK: "transmission group size the source's OPT_PARITY_PRM offers (RFC 3208 section 11.4); absent until an SPM offers FEC"
        case .fecProactive: "1 when the source says it sends proactive parity; with fec-k"
        case .fecOndemand: "1 when the source offers on-demand parity; with fec-k"
        case .groupsRebuilt: "this session's transmission groups rebuilt from parity"
        case .parityNaksSent: "parity NAKs sent to this session's source"
        case .source6: "IPv6 source address of the session's packets (a session of an IPv6 socket), as source"
        case .group6: "the session's IPv6 group, as group"
        case .nla6: "the path NLA (AFI 2) from SPMs of an IPv6 session, as nla; absent before the first SPM"
        case .pgmccLossRate: "PGMCC, a receiver with PGM_PGMCC - its loss rate for the session, 0 to 65535 as its feedback carries it; absent until the source's data carries OPT_PGMCC_DATA"
        case .acksSent: "PGMCC ACKs sent to this session's source"
        }
    }
}

/// Attributes of the set `event`: What the events multicast group announces.
public enum PGMEventAttribute: UInt16, Sendable, CaseIterable, CustomStringConvertible {
    case pad = 1
    case socketInode = 2
    case role = 3
    case tsi = 4
    case source = 5
    case group = 6
    case port = 7
    case firstSqn = 8
    case count = 9
    /// the last sqn delivered or lost (receiver), or sent (source)
    case lastSqn = 10
    case reason = 11
    /// NAKs received in the second when nak-storm-rate was passed (nak-storm)
    case rate = 12
    /// the nak-storm-rate in force (nak-storm)
    case threshold = 13
    /// the source's rate limit, bytes/s (rate-limited)
    case rateLimit = 14
    /// sends that waited for the rate limit so far (rate-limited)
    case rateLimited = 15
    /// an IPv6 socket's session source, as source
    case source6 = 16
    /// an IPv6 socket's group, as group
    case group6 = 17
    /// PGMCC - the new acker of an IPv4 source; absent when the term ended without one (acker-change)
    case acker = 18
    /// PGMCC - the new acker of an IPv6 source, as acker
    case acker6 = 19
    /// PGMCC - the RTT of the feedback that chose the acker, us (acker-change)
    case rttUs = 20
    /// PGMCC - the loss rate that feedback carried, 0 to 65535 (acker-change)
    case lossRate = 21
    /// Confirmed delivery - the IPv4 address of the receiver (receiver-join, -leave, -refused)
    case receiver = 22
    /// Confirmed delivery - the IPv6 address of the receiver, as receiver
    case receiver6 = 23
    /// Confirmed delivery - the RECEIVER ID of its OPT_CONFIRM (receiver-join, -leave, -refused)
    case receiverId = 24
    /// Confirmed delivery - how far the receiver had everything (receiver-join, -leave, -refused)
    case confirmedSqn = 25
    /// Policy - the owner of the socket, in the user namespace that owns the netns (policy-denied, policy-revoked)
    case uid = 26
    /// Policy - the rule that refused it; absent when the policy's default did or for max-groups (policy-denied, policy-revoked)
    case ruleId = 27
    /// Policy - the errno the socket got, EACCES (a rule or the default) or ENOBUFS (max-groups) (policy-denied, policy-revoked)
    case error = 28
    /// Network element - the session's upstream NE, where NAKs go (ne-session)
    case upstream = 29
    /// Network element - the interface toward the session's source (ne-session)
    case ifindex = 30

    /// The name in the spec.
    public var description: String {
        switch self {
        case .pad: "pad"
        case .socketInode: "socket-inode"
        case .role: "role"
        case .tsi: "tsi"
        case .source: "source"
        case .group: "group"
        case .port: "port"
        case .firstSqn: "first-sqn"
        case .count: "count"
        case .lastSqn: "last-sqn"
        case .reason: "reason"
        case .rate: "rate"
        case .threshold: "threshold"
        case .rateLimit: "rate-limit"
        case .rateLimited: "rate-limited"
        case .source6: "source6"
        case .group6: "group6"
        case .acker: "acker"
        case .acker6: "acker6"
        case .rttUs: "rtt-us"
        case .lossRate: "loss-rate"
        case .receiver: "receiver"
        case .receiver6: "receiver6"
        case .receiverId: "receiver-id"
        case .confirmedSqn: "confirmed-sqn"
        case .uid: "uid"
        case .ruleId: "rule-id"
        case .error: "error"
        case .upstream: "upstream"
        case .ifindex: "ifindex"
        }
    }

    /// What the attribute carries.
    public var kind: PGMAttributeKind {
        switch self {
        case .pad: .pad
        case .socketInode: .u32
        case .role: .u32
        case .tsi: .binary
        case .source: .u32
        case .group: .u32
        case .port: .u16
        case .firstSqn: .u32
        case .count: .u32
        case .lastSqn: .u32
        case .reason: .u32
        case .rate: .u32
        case .threshold: .u32
        case .rateLimit: .u32
        case .rateLimited: .u64
        case .source6: .binary
        case .group6: .binary
        case .acker: .u32
        case .acker6: .binary
        case .rttUs: .u32
        case .lossRate: .u32
        case .receiver: .u32
        case .receiver6: .binary
        case .receiverId: .u32
        case .confirmedSqn: .u32
        case .uid: .u32
        case .ruleId: .u32
        case .error: .u32
        case .upstream: .u32
        case .ifindex: .u32
        }
    }

    /// The spec's one-line documentation.
    public var doc: String {
        switch self {
        case .pad: ""
        case .socketInode: ""
        case .role: ""
        case .tsi: ""
        case .source: ""
        case .group: ""
        case .port: ""
        case .firstSqn: ""
        case .count: ""
        case .lastSqn: "the last sqn delivered or lost (receiver), or sent (source)"
        case .reason: ""
        case .rate: "NAKs received in the second when nak-storm-rate was passed (nak-storm)"
        case .threshold: "the nak-storm-rate in force (nak-storm)"
        case .rateLimit: "the source's rate limit, bytes/s (rate-limited)"
        case .rateLimited: "sends that waited for the rate limit so far (rate-limited)"
        case .source6: "an IPv6 socket's session source, as source"
        case .group6: "an IPv6 socket's group, as group"
        case .acker: "PGMCC - the new acker of an IPv4 source; absent when the term ended without one (acker-change)"
        case .acker6: "PGMCC - the new acker of an IPv6 source, as acker"
        case .rttUs: "PGMCC - the RTT of the feedback that chose the acker, us (acker-change)"
        case .lossRate: "PGMCC - the loss rate that feedback carried, 0 to 65535 (acker-change)"
        case .receiver: "Confirmed delivery - the IPv4 address of the receiver (receiver-join, -leave, -refused)"
        case .receiver6: "Confirmed delivery - the IPv6 address of the receiver, as receiver"
        case .receiverId: "Confirmed delivery - the RECEIVER ID of its OPT_CONFIRM (receiver-join, -leave, -refused)"
        case .confirmedSqn: "Confirmed delivery - how far the receiver had everything (receiver-join, -leave, -refused)"
        case .uid: "Policy - the owner of the socket, in the user namespace that owns the netns (policy-denied, policy-revoked)"
        case .ruleId: "Policy - the rule that refused it; absent when the policy's default did or for max-groups (policy-denied, policy-revoked)"
        case .error: "Policy - the errno the socket got, EACCES (a rule or the default) or ENOBUFS (max-groups) (policy-denied, policy-revoked)"
        case .upstream: "Network element - the session's upstream NE, where NAKs go (ne-session)"
        case .ifindex: "Network element - the interface toward the session's source (ne-session)"
        }
    }
}

/// Attributes of the set `confirm-receiver`: One live confirming receiver of a source (PGM_CONFIRM).
public enum PGMConfirmReceiverAttribute: UInt16, Sendable, CaseIterable, CustomStringConvertible {
    /// the source socket (socket inode); in a request, only its receivers
    case socketInode = 1
    /// the IP source address of its ACKs (IPv4 source)
    case address = 2
    /// the IP source address of its ACKs (IPv6 source)
    case address6 = 3
    /// the RECEIVER ID of its OPT_CONFIRM
    case receiverId = 4
    /// it has every sqn up to this one
    case confirmedSqn = 5
    /// ms since its last ACK
    case idleMs = 6

    /// The name in the spec.
    public var description: String {
        switch self {
        case .socketInode: "socket-inode"
        case .address: "address"
        case .address6: "address6"
        case .receiverId: "receiver-id"
        case .confirmedSqn: "confirmed-sqn"
        case .idleMs: "idle-ms"
        }
    }

    /// What the attribute carries.
    public var kind: PGMAttributeKind {
        switch self {
        case .socketInode: .u32
        case .address: .u32
        case .address6: .binary
        case .receiverId: .u32
        case .confirmedSqn: .u32
        case .idleMs: .u32
        }
    }

    /// The spec's one-line documentation.
    public var doc: String {
        switch self {
        case .socketInode: "the source socket (socket inode); in a request, only its receivers"
        case .address: "the IP source address of its ACKs (IPv4 source)"
        case .address6: "the IP source address of its ACKs (IPv6 source)"
        case .receiverId: "the RECEIVER ID of its OPT_CONFIRM"
        case .confirmedSqn: "it has every sqn up to this one"
        case .idleMs: "ms since its last ACK"
        }
    }
}

/// Attributes of the set `policy`: A netns's multicast policy as a whole (docs/governance.md).
public enum PGMPolicyAttribute: UInt16, Sendable, CaseIterable, CustomStringConvertible {
    /// what happens to a socket no rule matches; allow (today's behaviour) when unset
    case defaultAction = 1
    /// the rules the policy holds
    case rules = 2
    /// distinct groups the netns's sockets may use at once (sources connected, receivers joined), 0 for no limit
    case maxGroups = 3
    /// distinct groups in use now
    case groups = 4
    /// bytes/s all sources of the netns may send together (but those of exempt rules), shared max-min fairly every 100 ms; 0 for no cap
    case rateCap = 5
    /// the logical groups it maps (policy-map-get lists them)
    case maps = 6

    /// The name in the spec.
    public var description: String {
        switch self {
        case .defaultAction: "default-action"
        case .rules: "rules"
        case .maxGroups: "max-groups"
        case .groups: "groups"
        case .rateCap: "rate-cap"
        case .maps: "maps"
        }
    }

    /// What the attribute carries.
    public var kind: PGMAttributeKind {
        switch self {
        case .defaultAction: .u32
        case .rules: .u32
        case .maxGroups: .u32
        case .groups: .u32
        case .rateCap: .u32
        case .maps: .u32
        }
    }

    /// The values the kernel accepts: the range, and whether 0 ("off") is accepted too.
    public var accepted: (range: ClosedRange<UInt32>, zeroMeansOff: Bool)? {
        switch self {
        case .defaultAction: (0...1, false)
        case .maxGroups: (0...4096, false)
        default: nil
        }
    }

    /// The spec's one-line documentation.
    public var doc: String {
        switch self {
        case .defaultAction: "what happens to a socket no rule matches; allow (today's behaviour) when unset"
        case .rules: "the rules the policy holds"
        case .maxGroups: "distinct groups the netns's sockets may use at once (sources connected, receivers joined), 0 for no limit"
        case .groups: "distinct groups in use now"
        case .rateCap: "bytes/s all sources of the netns may send together (but those of exempt rules), shared max-min fairly every 100 ms; 0 for no cap"
        case .maps: "the logical groups it maps (policy-map-get lists them)"
        }
    }
}

/// Attributes of the set `policy-rule`: One rule of a netns's policy. The first rule that matches a socket's connect() or join decides; a rule matches when every part it has matches (no uid range: any owner; no gid: any; no group: every group of both families).
public enum PGMPolicyRuleAttribute: UInt16, Sendable, CaseIterable, CustomStringConvertible {
    case pad = 1
    /// the rule's id, given by the kernel, stable while the rule lives
    case id = 2
    /// its place in the list, from 0; in a request, where to insert it (absent - at the end)
    case index = 3
    /// which sockets it is about; any when absent
    case role = 4
    /// what it does with the sockets it matches
    case action = 5
    /// the lowest owner uid it matches, in the user namespace of whoever added it (with uid-max)
    case uidMin = 6
    /// the highest owner uid it matches (with uid-min)
    case uidMax = 7
    /// a group the owner must be in (primary or supplementary)
    case gid = 8
    /// the IPv4 group range's address (with prefix-len)
    case group = 9
    /// the IPv6 group range's address (with prefix-len)
    case group6 = 10
    /// the group range's prefix length (0 to 32, or 128 with group6); the whole address when absent
    case prefixLen = 11
    /// the decisions it has made
    case hits = 12
    /// the most a source it allows may send, bytes/s (0 or absent - no cap)
    case rateCap = 13
    /// 1 - the sources it allows stay out of the policy's rate-cap (real-time senders)
    case exempt = 14
    /// a cgroup v2 (its id, the inode number of its directory) the socket's creator must be in, or under
    case cgroup = 15

    /// The name in the spec.
    public var description: String {
        switch self {
        case .pad: "pad"
        case .id: "id"
        case .index: "index"
        case .role: "role"
        case .action: "action"
        case .uidMin: "uid-min"
        case .uidMax: "uid-max"
        case .gid: "gid"
        case .group: "group"
        case .group6: "group6"
        case .prefixLen: "prefix-len"
        case .hits: "hits"
        case .rateCap: "rate-cap"
        case .exempt: "exempt"
        case .cgroup: "cgroup"
        }
    }

    /// What the attribute carries.
    public var kind: PGMAttributeKind {
        switch self {
        case .pad: .pad
        case .id: .u32
        case .index: .u32
        case .role: .u32
        case .action: .u32
        case .uidMin: .u32
        case .uidMax: .u32
        case .gid: .u32
        case .group: .u32
        case .group6: .binary
        case .prefixLen: .u32
        case .hits: .u64
        case .rateCap: .u32
        case .exempt: .u32
        case .cgroup: .u64
        }
    }

    /// The values the kernel accepts: the range, and whether 0 ("off") is accepted too.
    public var accepted: (range: ClosedRange<UInt32>, zeroMeansOff: Bool)? {
        switch self {
        case .role: (0...2, false)
        case .action: (0...1, false)
        case .prefixLen: (0...128, false)
        case .exempt: (0...1, false)
        default: nil
        }
    }

    /// The spec's one-line documentation.
    public var doc: String {
        switch self {
        case .pad: ""
        case .id: "the rule's id, given by the kernel, stable while the rule lives"
        case .index: "its place in the list, from 0; in a request, where to insert it (absent - at the end)"
        case .role: "which sockets it is about; any when absent"
        case .action: "what it does with the sockets it matches"
        case .uidMin: "the lowest owner uid it matches, in the user namespace of whoever added it (with uid-max)"
        case .uidMax: "the highest owner uid it matches (with uid-min)"
        case .gid: "a group the owner must be in (primary or supplementary)"
        case .group: "the IPv4 group range's address (with prefix-len)"
        case .group6: "the IPv6 group range's address (with prefix-len)"
        case .prefixLen: "the group range's prefix length (0 to 32, or 128 with group6); the whole address when absent"
        case .hits: "the decisions it has made"
        case .rateCap: "the most a source it allows may send, bytes/s (0 or absent - no cap)"
        case .exempt: "1 - the sources it allows stay out of the policy's rate-cap (real-time senders)"
        case .cgroup: "a cgroup v2 (its id, the inode number of its directory) the socket's creator must be in, or under"
        }
    }
}

/// Attributes of the set `policy-map`: A logical group of a netns's policy: the address applications use, and what it stands for - a physical group (sources send there, joins and binds are made to it) or a list of unicast receivers (a source sends each downstream packet to each; docs/governance.md).
public enum PGMPolicyMapAttribute: UInt16, Sendable, CaseIterable, CustomStringConvertible {
    /// the logical IPv4 group
    case logical = 1
    /// the logical IPv6 group
    case logical6 = 2
    /// the IPv4 group it stands for
    case physical = 3
    /// the IPv6 group it stands for
    case physical6 = 4
    /// the IPv4 unicast receivers it stands for, 4 bytes each (network order), at most policy-fanout-max
    case unicast = 5
    /// the IPv6 unicast receivers it stands for, 16 bytes each, at most policy-fanout-max
    case unicast6 = 6

    /// The name in the spec.
    public var description: String {
        switch self {
        case .logical: "logical"
        case .logical6: "logical6"
        case .physical: "physical"
        case .physical6: "physical6"
        case .unicast: "unicast"
        case .unicast6: "unicast6"
        }
    }

    /// What the attribute carries.
    public var kind: PGMAttributeKind {
        switch self {
        case .logical: .u32
        case .logical6: .binary
        case .physical: .u32
        case .physical6: .binary
        case .unicast: .binary
        case .unicast6: .binary
        }
    }

    /// The spec's one-line documentation.
    public var doc: String {
        switch self {
        case .logical: "the logical IPv4 group"
        case .logical6: "the logical IPv6 group"
        case .physical: "the IPv4 group it stands for"
        case .physical6: "the IPv6 group it stands for"
        case .unicast: "the IPv4 unicast receivers it stands for, 4 bytes each (network order), at most policy-fanout-max"
        case .unicast6: "the IPv6 unicast receivers it stands for, 16 bytes each, at most policy-fanout-max"
        }
    }
}

/// Attributes of the set `ne`: The netns's PGM network element (RFC 3208 section 7, docs/router-assist.md): on or off, what it holds, its counters.
public enum PGMNeAttribute: UInt16, Sendable, CaseIterable, CustomStringConvertible {
    case pad = 1
    /// 1 - the NE works on the forwarded PGM packets of the netns, 0 - off (the default)
    case enabled = 2
    /// sessions it follows now
    case tsis = 3
    /// repair states it holds now
    case states = 4
    /// bytes its sessions and repair states take now
    case mem = 5
    /// SPMs taken as source path state (section 7.1)
    case spms = 6
    /// SPMs not taken - from an interface not toward their source, a path NLA that is ours or not unicast, another source's TSI, out of sequence or too far ahead
    case spmsRefused = 7
    /// sessions whose upstream NE changed
    case pathChanges = 8
    /// NAKs for sessions followed
    case naks = 9
    /// NAKs sent upstream (7.3)
    case naksForwarded = 10
    /// NAKs not forwarded, duplicates of a pending or outstanding one (7.4)
    case naksEliminated = 11
    /// sqns refused in NAKs - outside the window the source's SPMs advertise, or a NAK naming another source
    case naksRefused = 12
    /// NAKs repeated upstream for want of an NCF (7.3)
    case nakRepeats = 13
    /// forwarded NAKs given up after ne-nak-rpt-ivl without an NCF
    case naksUnconfirmed = 14
    /// NCFs the NE multicast on the interface a NAK came in on (7.2)
    case ncfsSent = 15
    /// NAKs not answered with an NCF, as one went there for that sqn less than 10 ms before
    case ncfsLimited = 16
    /// NCFs from upstream that confirmed a NAK we forwarded
    case ncfsConfirmed = 17
    /// sqns of NCFs from upstream that made repair state before any NAK (7.5)
    case ncfsAnticipated = 18
    /// NCFs not from the interface toward their source, or of sessions not followed
    case ncfsRefused = 19
    /// RDATA copies let out on an interface that asked (7.8)
    case rdataForwarded = 20
    /// RDATA copies kept off interfaces that did not ask
    case rdataConstrained = 21
    /// RDATA of followed sessions with no repair state, dropped (7.8)
    case rdataUnrepaired = 22
    /// repair states not made - past ne-states or ne-tsi-states, or out of memory
    case statesRefused = 23
    /// sessions not followed - past ne-tsis, or out of memory
    case tsisRefused = 24
    /// repair states dropped after ne-nak-rdata-ivl without RDATA
    case statesExpired = 25
    /// NNAKs for sessions followed (9.5.3.2)
    case nnaks = 26
    /// packets the NE could not read, or RDATA with a bad checksum
    case malformed = 27
    /// IP fragments of PGM packets, forwarded as they are
    case fragments = 28

    /// The name in the spec.
    public var description: String {
        switch self {
        case .pad: "pad"
        case .enabled: "enabled"
        case .tsis: "tsis"
        case .states: "states"
        case .mem: "mem"
        case .spms: "spms"
        case .spmsRefused: "spms-refused"
        case .pathChanges: "path-changes"
        case .naks: "naks"
        case .naksForwarded: "naks-forwarded"
        case .naksEliminated: "naks-eliminated"
        case .naksRefused: "naks-refused"
        case .nakRepeats: "nak-repeats"
        case .naksUnconfirmed: "naks-unconfirmed"
        case .ncfsSent: "ncfs-sent"
        case .ncfsLimited: "ncfs-limited"
        case .ncfsConfirmed: "ncfs-confirmed"
        case .ncfsAnticipated: "ncfs-anticipated"
        case .ncfsRefused: "ncfs-refused"
        case .rdataForwarded: "rdata-forwarded"
        case .rdataConstrained: "rdata-constrained"
        case .rdataUnrepaired: "rdata-unrepaired"
        case .statesRefused: "states-refused"
        case .tsisRefused: "tsis-refused"
        case .statesExpired: "states-expired"
        case .nnaks: "nnaks"
        case .malformed: "malformed"
        case .fragments: "fragments"
        }
    }

    /// What the attribute carries.
    public var kind: PGMAttributeKind {
        switch self {
        case .pad: .pad
        case .enabled: .u32
        case .tsis: .u32
        case .states: .u32
        case .mem: .u64
        case .spms: .u64
        case .spmsRefused: .u64
        case .pathChanges: .u64
        case .naks: .u64
        case .naksForwarded: .u64
        case .naksEliminated: .u64
        case .naksRefused: .u64
        case .nakRepeats: .u64
        case .naksUnconfirmed: .u64
        case .ncfsSent: .u64
        case .ncfsLimited: .u64
        case .ncfsConfirmed: .u64
        case .ncfsAnticipated: .u64
        case .ncfsRefused: .u64
        case .rdataForwarded: .u64
        case .rdataConstrained: .u64
        case .rdataUnrepaired: .u64
        case .statesRefused: .u64
        case .tsisRefused: .u64
        case .statesExpired: .u64
        case .nnaks: .u64
        case .malformed: .u64
        case .fragments: .u64
        }
    }

    /// The values the kernel accepts: the range, and whether 0 ("off") is accepted too.
    public var accepted: (range: ClosedRange<UInt32>, zeroMeansOff: Bool)? {
        switch self {
        case .enabled: (0...1, false)
        default: nil
        }
    }

    /// The spec's one-line documentation.
    public var doc: String {
        switch self {
        case .pad: ""
        case .enabled: "1 - the NE works on the forwarded PGM packets of the netns, 0 - off (the default)"
        case .tsis: "sessions it follows now"
        case .states: "repair states it holds now"
        case .mem: "bytes its sessions and repair states take now"
        case .spms: "SPMs taken as source path state (section 7.1)"
        case .spmsRefused: "SPMs not taken - from an interface not toward their source, a path NLA that is ours or not unicast, another source's TSI, out of sequence or too far ahead"
        case .pathChanges: "sessions whose upstream NE changed"
        case .naks: "NAKs for sessions followed"
        case .naksForwarded: "NAKs sent upstream (7.3)"
        case .naksEliminated: "NAKs not forwarded, duplicates of a pending or outstanding one (7.4)"
        case .naksRefused: "sqns refused in NAKs - outside the window the source's SPMs advertise, or a NAK naming another source"
        case .nakRepeats: "NAKs repeated upstream for want of an NCF (7.3)"
        case .naksUnconfirmed: "forwarded NAKs given up after ne-nak-rpt-ivl without an NCF"
        case .ncfsSent: "NCFs the NE multicast on the interface a NAK came in on (7.2)"
        case .ncfsLimited: "NAKs not answered with an NCF, as one went there for that sqn less than 10 ms before"
        case .ncfsConfirmed: "NCFs from upstream that confirmed a NAK we forwarded"
        case .ncfsAnticipated: "sqns of NCFs from upstream that made repair state before any NAK (7.5)"
        case .ncfsRefused: "NCFs not from the interface toward their source, or of sessions not followed"
        case .rdataForwarded: "RDATA copies let out on an interface that asked (7.8)"
        case .rdataConstrained: "RDATA copies kept off interfaces that did not ask"
        case .rdataUnrepaired: "RDATA of followed sessions with no repair state, dropped (7.8)"
        case .statesRefused: "repair states not made - past ne-states or ne-tsi-states, or out of memory"
        case .tsisRefused: "sessions not followed - past ne-tsis, or out of memory"
        case .statesExpired: "repair states dropped after ne-nak-rdata-ivl without RDATA"
        case .nnaks: "NNAKs for sessions followed (9.5.3.2)"
        case .malformed: "packets the NE could not read, or RDATA with a bad checksum"
        case .fragments: "IP fragments of PGM packets, forwarded as they are"
        }
    }
}

/// Attributes of the set `ne-session`: A session the network element follows, from its SPMs.
public enum PGMNeSessionAttribute: UInt16, Sendable, CaseIterable, CustomStringConvertible {
    /// GSI (6 bytes) and data-source port (2 bytes, network order)
    case tsi = 1
    /// the group
    case group = 2
    /// the source's address
    case source = 3
    /// the data-destination port
    case port = 4
    /// the upstream NE (the SPMs' path NLA), where NAKs go
    case upstream = 5
    /// the interface toward the source, where its SPMs come in
    case ifindex = 6
    /// the last SPM's sqn
    case spmSqn = 7
    /// the window's trail the last SPM advertised
    case trail = 8
    /// its lead
    case lead = 9
    /// repair states of the session
    case states = 10
    /// the transmission group size of its on-demand parity, 0 for none
    case tgSize = 11
    /// ms since its last SPM taken
    case idleMs = 12

    /// The name in the spec.
    public var description: String {
        switch self {
        case .tsi: "tsi"
        case .group: "group"
        case .source: "source"
        case .port: "port"
        case .upstream: "upstream"
        case .ifindex: "ifindex"
        case .spmSqn: "spm-sqn"
        case .trail: "trail"
        case .lead: "lead"
        case .states: "states"
        case .tgSize: "tg-size"
        case .idleMs: "idle-ms"
        }
    }

    /// What the attribute carries.
    public var kind: PGMAttributeKind {
        switch self {
        case .tsi: .binary
        case .group: .u32
        case .source: .u32
        case .port: .u16
        case .upstream: .u32
        case .ifindex: .u32
        case .spmSqn: .u32
        case .trail: .u32
        case .lead: .u32
        case .states: .u32
        case .tgSize: .u32
        case .idleMs: .u32
        }
    }

    /// The spec's one-line documentation.
    public var doc: String {
        switch self {
        case .tsi: "GSI (6 bytes) and data-source port (2 bytes, network order)"
        case .group: "the group"
        case .source: "the source's address"
        case .port: "the data-destination port"
        case .upstream: "the upstream NE (the SPMs' path NLA), where NAKs go"
        case .ifindex: "the interface toward the source, where its SPMs come in"
        case .spmSqn: "the last SPM's sqn"
        case .trail: "the window's trail the last SPM advertised"
        case .lead: "its lead"
        case .states: "repair states of the session"
        case .tgSize: "the transmission group size of its on-demand parity, 0 for none"
        case .idleMs: "ms since its last SPM taken"
        }
    }
}

/// The family's commands; events arrive on the multicast groups.
public enum PGMCommand: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// Get the netns-wide defaults.
    case defaultsGet = 1
    /// Set some of the netns-wide defaults, all or none: every value is checked (with setsockopt's ranges, and ihb-min <= ihb-max) before any is stored. Sockets created afterwards take them.
    case defaultsSet = 2
    /// Get the netns's counters.
    case statsGet = 3
    /// Dump the netns's PGM sockets.
    case sockGet = 4
    /// Dump the sessions receivers follow; of one socket with socket-inode.
    case peerGet = 5
    /// A session started: a source connected, or a receiver heard a new source.
    case sessionStartNtf = 6
    /// A session ended: a source closed (fin, or rst with a zero linger), or a receiver learnt the end of a source's session.
    case sessionEndNtf = 7
    /// A receiver declared count sqns from first-sqn unrecoverable.
    case lossNtf = 8
    /// A source session received more than nak-storm-rate NAKs in one second; at most one event per session per second.
    case nakStormNtf = 9
    /// A source's send waited for its rate limit (the limit is saturated); at most one event per session per second.
    case rateLimitedNtf = 10
    /// A PGMCC source chose a new acker (an election's first feedback, or a receiver with a lower throughput), or ended its acker's term after PGM_PGMCC_TIMEOUTS timeouts in a row (no acker attribute).
    case ackerChangeNtf = 11
    /// A source with PGM_CONFIRM counts a new confirming receiver (its first ACK with OPT_CONFIRM, JOIN or not).
    case receiverJoinNtf = 12
    /// A confirming receiver left a source: reason 1 BYE (it closed), 2 expired (silent for PGM_CONFIRM_EXPIRY), 3 lost (it lost data, or the window passed it).
    case receiverLeaveNtf = 13
    /// A source refused a new confirming receiver past PGM_CONFIRM_MAX or confirm-receivers-netns (at most one event a second; all are counted in confirm_refused).
    case receiverRefusedNtf = 14
    /// Dump the live confirming receivers of sources with PGM_CONFIRM; of one socket with socket-inode.
    case confirmReceiverGet = 15
    /// Get the netns's policy settings (the rules with policy-rule-get).
    case policyGet = 16
    /// Set the netns's policy settings: default-action, max-groups, rate-cap. A netns whose policy has no rule, allows by default and has neither max-groups nor rate-cap behaves as if it had none. A change ends the live sessions it denies (policy-revoked).
    case policySet = 17
    /// Add a rule at index (at the end without it); the reply has its id and index. At most policy-rules-max rules a netns (ENOSPC). A uid or gid is taken in the requester's user namespace and must map (EINVAL). Live sessions it denies end (policy-revoked).
    case policyRuleAdd = 18
    /// Delete the rule with id (ENOENT when there is none); live sessions the policy then denies end.
    case policyRuleDel = 19
    /// Dump the netns's policy rules, in order.
    case policyRuleGet = 20
    /// Map a logical group to a physical group or to unicast receivers (one of physical, physical6, unicast, unicast6, of the logical group's family); replaces its mapping if it had one. At most policy-maps-max (ENOSPC). It applies to later connect(), bind() and joins.
    case policyMapAdd = 21
    /// Delete the mapping of a logical group (ENOENT when there is none).
    case policyMapDel = 22
    /// Dump the netns's logical groups.
    case policyMapGet = 23
    /// The netns's policy refused a source's connect() or a receiver's join (EACCES, or ENOBUFS past max-groups): who, which group, and the rule (none: the default, or max-groups).
    case policyDeniedNtf = 24
    /// The netns's policy allowed a source's connect() or a receiver's join: who, which group, and the rule (none: the default) - the audit trail of who uses which group.
    case policyAllowedNtf = 25
    /// A policy change denied a live use of a group: a source's session ended with OPT_RST and its socket fails with EACCES, or a receiver left the group and its sessions there ended (reason rst).
    case policyRevokedNtf = 26
    /// Get the netns's network element - on or off, what it holds, its counters.
    case neGet = 27
    /// Turn the netns's network element on or off (RFC 3208 section 7). Off forgets every session and repair state.
    case neSet = 28
    /// Dump the sessions the netns's network element follows.
    case neSessionGet = 29
    /// The netns's network element began to follow a session (its first SPM taken), or the session's upstream NE changed: the session, its source, the upstream NE and the interface toward the source.
    case neSessionNtf = 30
    /// The netns's network element stopped following a session: its source ended it (fin, two ne-nak-rdata-ivl after OPT_FIN; rst) or sent no SPM for ne-spm-timeout (expired); turning the NE off ends none with an event.
    case neSessionEndNtf = 31

    /// The name in the spec.
    public var description: String {
        switch self {
        case .defaultsGet: "defaults-get"
        case .defaultsSet: "defaults-set"
        case .statsGet: "stats-get"
        case .sockGet: "sock-get"
        case .peerGet: "peer-get"
        case .sessionStartNtf: "session-start-ntf"
        case .sessionEndNtf: "session-end-ntf"
        case .lossNtf: "loss-ntf"
        case .nakStormNtf: "nak-storm-ntf"
        case .rateLimitedNtf: "rate-limited-ntf"
        case .ackerChangeNtf: "acker-change-ntf"
        case .receiverJoinNtf: "receiver-join-ntf"
        case .receiverLeaveNtf: "receiver-leave-ntf"
        case .receiverRefusedNtf: "receiver-refused-ntf"
        case .confirmReceiverGet: "confirm-receiver-get"
        case .policyGet: "policy-get"
        case .policySet: "policy-set"
        case .policyRuleAdd: "policy-rule-add"
        case .policyRuleDel: "policy-rule-del"
        case .policyRuleGet: "policy-rule-get"
        case .policyMapAdd: "policy-map-add"
        case .policyMapDel: "policy-map-del"
        case .policyMapGet: "policy-map-get"
        case .policyDeniedNtf: "policy-denied-ntf"
        case .policyAllowedNtf: "policy-allowed-ntf"
        case .policyRevokedNtf: "policy-revoked-ntf"
        case .neGet: "ne-get"
        case .neSet: "ne-set"
        case .neSessionGet: "ne-session-get"
        case .neSessionNtf: "ne-session-ntf"
        case .neSessionEndNtf: "ne-session-end-ntf"
        }
    }
}

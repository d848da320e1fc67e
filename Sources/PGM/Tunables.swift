// Do not edit directly, auto-generated from:
// 	kernel/pgm.yaml
// by scripts/ynl-gen (run it after changing the spec).

import SystemPackage

/// The integer tunables of a PGM socket (`SOL_PGM` options), in pgm(7)'s names:
/// the spec's, in lowerCamelCase (`nak-bo-ivl`, `PGM_NAK_BO_IVL`: ``nakBoIvl``).
public enum Tunable: Int32, CaseIterable, Sendable {
    /// `PGM_TXW_SQNS`: transmit window, in sequence numbers.
    case txwSqns = 1
    /// `PGM_TXW_SECS_MS`: transmit window, in ms; 0 = by size only.
    case txwSecsMs = 2
    /// `PGM_TXW_MAX_RTE`: rate limit, bytes/s including IP headers; 0 = none.
    case txwMaxRte = 3
    /// `PGM_SPM_AMBIENT_IVL`: ambient SPM interval, us.
    case spmAmbientIvl = 4
    /// `PGM_IHB_MIN`: first heartbeat SPM after data, us; at most ihb-max.
    case ihbMin = 5
    /// `PGM_IHB_MAX`: longest heartbeat SPM interval, us.
    case ihbMax = 6
    /// `PGM_RDATA_LINGER_IVL`: delay RDATA for NAKs of a just-repaired sqn to the end of this, us; 0 = off.
    case rdataLingerIvl = 7
    /// `PGM_MAX_TPDU`: largest IP packet a source sends, bytes.
    case maxTpdu = 8
    /// `PGM_TXW_BYTES`: transmit window, in TSDU bytes; 0 = by sqns only.
    case txwBytes = 10
    /// `PGM_LATE_JOIN`: share of the transmit window late joiners may repair, %; 0 = none.
    case lateJoin = 11
    /// `PGM_RXW_SQNS`: receive window, in sequence numbers.
    case rxwSqns = 20
    /// `PGM_PEER_EXPIRY`: forget a silent source after, us.
    case peerExpiry = 21
    /// `PGM_SPMR_EXPIRY`: wait for an SPM before sending an SPMR, us.
    case spmrExpiry = 22
    /// `PGM_NAK_BO_IVL`: NAK back-off interval, upper bound, us.
    case nakBoIvl = 23
    /// `PGM_NAK_RPT_IVL`: wait for an NCF after a NAK, us.
    case nakRptIvl = 24
    /// `PGM_NAK_RDATA_IVL`: wait for RDATA after an NCF, us.
    case nakRdataIvl = 25
    /// `PGM_NAK_NCF_RETRIES`: NAKs without an NCF before giving up.
    case nakNcfRetries = 26
    /// `PGM_NAK_DATA_RETRIES`: NCFs without RDATA before giving up.
    case nakDataRetries = 27
    /// `PGM_JOIN_MAX`: most sqns before the first one heard a new session repairs; 0 = none.
    case joinMax = 32
    /// `PGM_UDP_ENCAP_UCAST_PORT`: UDP port of unicast packets of UDP-encapsulated sockets.
    case udpEncapUcastPort = 61
    /// `PGM_UDP_ENCAP_MCAST_PORT`: UDP port of multicast packets of UDP-encapsulated sockets.
    case udpEncapMcastPort = 62

    /// The option's name in the uapi header without its `PGM_` prefix.
    public var name: String {
        switch self {
        case .txwSqns: "TXW_SQNS"
        case .txwSecsMs: "TXW_SECS_MS"
        case .txwMaxRte: "TXW_MAX_RTE"
        case .spmAmbientIvl: "SPM_AMBIENT_IVL"
        case .ihbMin: "IHB_MIN"
        case .ihbMax: "IHB_MAX"
        case .rdataLingerIvl: "RDATA_LINGER_IVL"
        case .maxTpdu: "MAX_TPDU"
        case .txwBytes: "TXW_BYTES"
        case .lateJoin: "LATE_JOIN"
        case .rxwSqns: "RXW_SQNS"
        case .peerExpiry: "PEER_EXPIRY"
        case .spmrExpiry: "SPMR_EXPIRY"
        case .nakBoIvl: "NAK_BO_IVL"
        case .nakRptIvl: "NAK_RPT_IVL"
        case .nakRdataIvl: "NAK_RDATA_IVL"
        case .nakNcfRetries: "NAK_NCF_RETRIES"
        case .nakDataRetries: "NAK_DATA_RETRIES"
        case .joinMax: "JOIN_MAX"
        case .udpEncapUcastPort: "UDP_ENCAP_UCAST_PORT"
        case .udpEncapMcastPort: "UDP_ENCAP_MCAST_PORT"
        }
    }

    /// The unit of the option's value.
    public var unit: Unit {
        switch self {
        case .txwSqns: .sequenceNumbers
        case .txwSecsMs: .milliseconds
        case .txwMaxRte: .bytesPerSecond
        case .spmAmbientIvl: .microseconds
        case .ihbMin: .microseconds
        case .ihbMax: .microseconds
        case .rdataLingerIvl: .microseconds
        case .maxTpdu: .bytes
        case .txwBytes: .bytes
        case .lateJoin: .percent
        case .rxwSqns: .sequenceNumbers
        case .peerExpiry: .microseconds
        case .spmrExpiry: .microseconds
        case .nakBoIvl: .microseconds
        case .nakRptIvl: .microseconds
        case .nakRdataIvl: .microseconds
        case .nakNcfRetries: .count
        case .nakDataRetries: .count
        case .joinMax: .sequenceNumbers
        case .udpEncapUcastPort: .port
        case .udpEncapMcastPort: .port
        }
    }

    /// Which sockets use it.
    public var role: Role {
        switch self {
        case .txwSqns: .source
        case .txwSecsMs: .source
        case .txwMaxRte: .source
        case .spmAmbientIvl: .source
        case .ihbMin: .source
        case .ihbMax: .source
        case .rdataLingerIvl: .source
        case .maxTpdu: .source
        case .txwBytes: .source
        case .lateJoin: .source
        case .rxwSqns: .receiver
        case .peerExpiry: .receiver
        case .spmrExpiry: .receiver
        case .nakBoIvl: .receiver
        case .nakRptIvl: .receiver
        case .nakRdataIvl: .receiver
        case .nakNcfRetries: .receiver
        case .nakDataRetries: .receiver
        case .joinMax: .receiver
        case .udpEncapUcastPort: .both
        case .udpEncapMcastPort: .both
        }
    }

    /// The default of a new network namespace (`PGM_DEFAULT_*`).
    public var defaultValue: UInt32 {
        switch self {
        case .txwSqns: 8_192
        case .txwSecsMs: 0
        case .txwMaxRte: 12_500_000
        case .spmAmbientIvl: 1_000_000
        case .ihbMin: 50_000
        case .ihbMax: 1_000_000
        case .rdataLingerIvl: 20_000
        case .maxTpdu: 1_500
        case .txwBytes: 0
        case .lateJoin: 0
        case .rxwSqns: 8_192
        case .peerExpiry: 10_000_000
        case .spmrExpiry: 250_000
        case .nakBoIvl: 50_000
        case .nakRptIvl: 200_000
        case .nakRdataIvl: 200_000
        case .nakNcfRetries: 10
        case .nakDataRetries: 10
        case .joinMax: 1_048_576
        case .udpEncapUcastPort: 3_055
        case .udpEncapMcastPort: 3_056
        }
    }

    /// The values setsockopt accepts, besides 0 when ``zeroMeansOff``.
    public var range: ClosedRange<UInt32> {
        switch self {
        case .txwSqns: 1...1_048_576
        case .txwSecsMs: 1...3_600_000
        case .txwMaxRte: 1...4_294_967_295
        case .spmAmbientIvl: 1_000...600_000_000
        case .ihbMin: 1_000...600_000_000
        case .ihbMax: 1_000...600_000_000
        case .rdataLingerIvl: 1_000...600_000_000
        case .maxTpdu: 576...65_535
        case .txwBytes: 576...4_294_967_295
        case .lateJoin: 1...100
        case .rxwSqns: 1...1_048_576
        case .peerExpiry: 1_000...600_000_000
        case .spmrExpiry: 1_000...600_000_000
        case .nakBoIvl: 1_000...600_000_000
        case .nakRptIvl: 1_000...600_000_000
        case .nakRdataIvl: 1_000...600_000_000
        case .nakNcfRetries: 0...255
        case .nakDataRetries: 0...255
        case .joinMax: 1...1_048_576
        case .udpEncapUcastPort: 1...65_535
        case .udpEncapMcastPort: 1...65_535
        }
    }

    /// Whether 0 is accepted and means "off".
    public var zeroMeansOff: Bool {
        switch self {
        case .txwSqns: false
        case .txwSecsMs: true
        case .txwMaxRte: true
        case .spmAmbientIvl: false
        case .ihbMin: false
        case .ihbMax: false
        case .rdataLingerIvl: true
        case .maxTpdu: false
        case .txwBytes: true
        case .lateJoin: true
        case .rxwSqns: false
        case .peerExpiry: false
        case .spmrExpiry: false
        case .nakBoIvl: false
        case .nakRptIvl: false
        case .nakRdataIvl: false
        case .nakNcfRetries: false
        case .nakDataRetries: false
        case .joinMax: true
        case .udpEncapUcastPort: false
        case .udpEncapMcastPort: false
        }
    }

    /// Whether it is fixed once the socket is connected (sources) or bound (both roles):
    /// `EISCONN` after.
    public var isFixedOnceConnected: Bool {
        switch self {
        case .txwSqns: true
        case .txwSecsMs: true
        case .txwMaxRte: false
        case .spmAmbientIvl: false
        case .ihbMin: false
        case .ihbMax: false
        case .rdataLingerIvl: false
        case .maxTpdu: true
        case .txwBytes: true
        case .lateJoin: false
        case .rxwSqns: false
        case .peerExpiry: false
        case .spmrExpiry: false
        case .nakBoIvl: false
        case .nakRptIvl: false
        case .nakRdataIvl: false
        case .nakNcfRetries: false
        case .nakDataRetries: false
        case .joinMax: false
        case .udpEncapUcastPort: true
        case .udpEncapMcastPort: true
        }
    }

    /// The spec's one-line documentation.
    public var doc: String {
        switch self {
        case .txwSqns: "transmit window, in sequence numbers"
        case .txwSecsMs: "transmit window, in ms; 0 = by size only"
        case .txwMaxRte: "rate limit, bytes/s including IP headers; 0 = none"
        case .spmAmbientIvl: "ambient SPM interval, us"
        case .ihbMin: "first heartbeat SPM after data, us; at most ihb-max"
        case .ihbMax: "longest heartbeat SPM interval, us"
        case .rdataLingerIvl: "delay RDATA for NAKs of a just-repaired sqn to the end of this, us; 0 = off"
        case .maxTpdu: "largest IP packet a source sends, bytes"
        case .txwBytes: "transmit window, in TSDU bytes; 0 = by sqns only"
        case .lateJoin: "share of the transmit window late joiners may repair, %; 0 = none"
        case .rxwSqns: "receive window, in sequence numbers"
        case .peerExpiry: "forget a silent source after, us"
        case .spmrExpiry: "wait for an SPM before sending an SPMR, us"
        case .nakBoIvl: "NAK back-off interval, upper bound, us"
        case .nakRptIvl: "wait for an NCF after a NAK, us"
        case .nakRdataIvl: "wait for RDATA after an NCF, us"
        case .nakNcfRetries: "NAKs without an NCF before giving up"
        case .nakDataRetries: "NCFs without RDATA before giving up"
        case .joinMax: "most sqns before the first one heard a new session repairs; 0 = none"
        case .udpEncapUcastPort: "UDP port of unicast packets of UDP-encapsulated sockets"
        case .udpEncapMcastPort: "UDP port of multicast packets of UDP-encapsulated sockets"
        }
    }
}

/// The tunables of a source, each nil to keep the namespace's default; the
/// fields of ``SourceOptions`` through its dynamic member lookup.
public struct SourceTunables: Sendable, Hashable {
    /// transmit window, in sequence numbers (`PGM_TXW_SQNS`).
    public var txwSqns: UInt32?
    /// transmit window, in ms; 0 = by size only (`PGM_TXW_SECS_MS`).
    public var txwSecsMs: Duration?
    /// rate limit, bytes/s including IP headers; 0 = none (`PGM_TXW_MAX_RTE`).
    public var txwMaxRte: UInt32?
    /// ambient SPM interval, us (`PGM_SPM_AMBIENT_IVL`).
    public var spmAmbientIvl: Duration?
    /// first heartbeat SPM after data, us; at most ihb-max (`PGM_IHB_MIN`).
    public var ihbMin: Duration?
    /// longest heartbeat SPM interval, us (`PGM_IHB_MAX`).
    public var ihbMax: Duration?
    /// delay RDATA for NAKs of a just-repaired sqn to the end of this, us; 0 = off (`PGM_RDATA_LINGER_IVL`).
    public var rdataLingerIvl: Duration?
    /// largest IP packet a source sends, bytes (`PGM_MAX_TPDU`).
    public var maxTpdu: UInt32?
    /// transmit window, in TSDU bytes; 0 = by sqns only (`PGM_TXW_BYTES`).
    public var txwBytes: UInt32?
    /// share of the transmit window late joiners may repair, %; 0 = none (`PGM_LATE_JOIN`).
    public var lateJoin: UInt32?

    /// Every tunable nil: the defaults.
    public init() {}

    /// Sets the tunables that are not nil on `socket`, in option order.
    func apply(to socket: borrowing PGMSocket) throws(Errno) {
        if let v = txwSqns { try socket.set(.txwSqns, to: v) }
        if let v = txwSecsMs { try socket.set(.txwSecsMs, to: v) }
        if let v = txwMaxRte { try socket.set(.txwMaxRte, to: v) }
        if let v = spmAmbientIvl { try socket.set(.spmAmbientIvl, to: v) }
        if let v = ihbMin { try socket.set(.ihbMin, to: v) }
        if let v = ihbMax { try socket.set(.ihbMax, to: v) }
        if let v = rdataLingerIvl { try socket.set(.rdataLingerIvl, to: v) }
        if let v = maxTpdu { try socket.set(.maxTpdu, to: v) }
        if let v = txwBytes { try socket.set(.txwBytes, to: v) }
        if let v = lateJoin { try socket.set(.lateJoin, to: v) }
    }

    /// Sets every source tunable `profile` gives (see ``TunableProfile``); a
    /// value set after this call overrides the profile's.
    public mutating func apply(profile: TunableProfile) {
        for s in profile.settings {
            switch s.tunable {
            case .ihbMin: ihbMin = .microseconds(Int64(s.value))
            case .rdataLingerIvl: rdataLingerIvl = .microseconds(Int64(s.value))
            default: break
            }
        }
    }
}

/// The tunables of a receiver, each nil to keep the namespace's default; the
/// fields of ``ReceiverOptions`` through its dynamic member lookup.
public struct ReceiverTunables: Sendable, Hashable {
    /// receive window, in sequence numbers (`PGM_RXW_SQNS`).
    public var rxwSqns: UInt32?
    /// forget a silent source after, us (`PGM_PEER_EXPIRY`).
    public var peerExpiry: Duration?
    /// wait for an SPM before sending an SPMR, us (`PGM_SPMR_EXPIRY`).
    public var spmrExpiry: Duration?
    /// NAK back-off interval, upper bound, us (`PGM_NAK_BO_IVL`).
    public var nakBoIvl: Duration?
    /// wait for an NCF after a NAK, us (`PGM_NAK_RPT_IVL`).
    public var nakRptIvl: Duration?
    /// wait for RDATA after an NCF, us (`PGM_NAK_RDATA_IVL`).
    public var nakRdataIvl: Duration?
    /// NAKs without an NCF before giving up (`PGM_NAK_NCF_RETRIES`).
    public var nakNcfRetries: UInt32?
    /// NCFs without RDATA before giving up (`PGM_NAK_DATA_RETRIES`).
    public var nakDataRetries: UInt32?
    /// most sqns before the first one heard a new session repairs; 0 = none (`PGM_JOIN_MAX`).
    public var joinMax: UInt32?

    /// Every tunable nil: the defaults.
    public init() {}

    /// Sets the tunables that are not nil on `socket`, in option order.
    func apply(to socket: borrowing PGMSocket) throws(Errno) {
        if let v = rxwSqns { try socket.set(.rxwSqns, to: v) }
        if let v = peerExpiry { try socket.set(.peerExpiry, to: v) }
        if let v = spmrExpiry { try socket.set(.spmrExpiry, to: v) }
        if let v = nakBoIvl { try socket.set(.nakBoIvl, to: v) }
        if let v = nakRptIvl { try socket.set(.nakRptIvl, to: v) }
        if let v = nakRdataIvl { try socket.set(.nakRdataIvl, to: v) }
        if let v = nakNcfRetries { try socket.set(.nakNcfRetries, to: v) }
        if let v = nakDataRetries { try socket.set(.nakDataRetries, to: v) }
        if let v = joinMax { try socket.set(.joinMax, to: v) }
    }

    /// Sets every receiver tunable `profile` gives (see ``TunableProfile``); a
    /// value set after this call overrides the profile's.
    public mutating func apply(profile: TunableProfile) {
        for s in profile.settings {
            switch s.tunable {
            case .spmrExpiry: spmrExpiry = .microseconds(Int64(s.value))
            case .nakBoIvl: nakBoIvl = .microseconds(Int64(s.value))
            case .nakRptIvl: nakRptIvl = .microseconds(Int64(s.value))
            case .nakRdataIvl: nakRdataIvl = .microseconds(Int64(s.value))
            case .nakNcfRetries: nakNcfRetries = s.value
            case .nakDataRetries: nakDataRetries = s.value
            default: break
            }
        }
    }
}

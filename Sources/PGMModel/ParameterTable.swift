// Do not edit directly, auto-generated from:
// 	kernel/pgm.yaml
// by scripts/ynl-gen (run it after changing the spec).

/// Every timer and limit of the reference model: the source and receiver
/// tunables of kernel/pgm.yaml, named as there in lowerCamelCase. The
/// kernel's defaults (PGM_DEFAULT_* in <linux/pgm.h>) and pgm(7)'s table come
/// from the same spec.
public struct Parameters: Hashable, Sendable {
    // Source (RFC 3208 section 5).
    /// transmit window, in sequence numbers (sqns).
    public var txwSqns: UInt32 = 8_192
    /// transmit window, in ms; 0 = by size only (ms).
    public var txwSecsMs: UInt32 = 0
    /// rate limit, bytes/s including IP headers; 0 = none (bytes/s).
    public var txwMaxRte: UInt32 = 12_500_000
    /// ambient SPM interval, us (us).
    public var spmAmbientIvl: UInt32 = 1_000_000
    /// first heartbeat SPM after data, us; at most ihb-max (us).
    public var ihbMin: UInt32 = 50_000
    /// longest heartbeat SPM interval, us (us).
    public var ihbMax: UInt32 = 1_000_000
    /// delay RDATA for NAKs of a just-repaired sqn to the end of this, us; 0 = off (us).
    public var rdataLingerIvl: UInt32 = 20_000
    /// largest IP packet a source sends, bytes (bytes).
    public var maxTpdu: UInt32 = 1_500
    /// transmit window, in TSDU bytes; 0 = by sqns only (bytes).
    public var txwBytes: UInt32 = 0
    /// share of the transmit window late joiners may repair, %; 0 = none (percent).
    public var lateJoin: UInt32 = 0
    // Receiver (RFC 3208 section 6).
    /// receive window, in sequence numbers (sqns).
    public var rxwSqns: UInt32 = 8_192
    /// forget a silent source after, us (us).
    public var peerExpiry: UInt32 = 10_000_000
    /// wait for an SPM before sending an SPMR, us (us).
    public var spmrExpiry: UInt32 = 250_000
    /// NAK back-off interval, upper bound, us (us).
    public var nakBoIvl: UInt32 = 50_000
    /// wait for an NCF after a NAK, us (us).
    public var nakRptIvl: UInt32 = 200_000
    /// wait for RDATA after an NCF, us (us).
    public var nakRdataIvl: UInt32 = 200_000
    /// NAKs without an NCF before giving up (count).
    public var nakNcfRetries: UInt32 = 10
    /// NCFs without RDATA before giving up (count).
    public var nakDataRetries: UInt32 = 10
    /// most sqns before the first one heard a new session repairs; 0 = none (sqns).
    public var joinMax: UInt32 = 1_048_576

    /// Every parameter at its default.
    public init() {}

    /// The table, in the order of the socket option numbers.
    public static let table: [Descriptor] = [
        .init(
            name: "TXW_SQNS", unit: .sequenceNumbers, defaultValue: 8_192,
            range: 1...1_048_576, zeroDisables: false,
            summary: "transmit window, in sequence numbers", keyPath: \.txwSqns),
        .init(
            name: "TXW_SECS_MS", unit: .milliseconds, defaultValue: 0,
            range: 1...3_600_000, zeroDisables: true,
            summary: "transmit window, in ms; 0 = by size only", keyPath: \.txwSecsMs),
        .init(
            name: "TXW_MAX_RTE", unit: .bytesPerSecond, defaultValue: 12_500_000,
            range: 1...4_294_967_295, zeroDisables: true,
            summary: "rate limit, bytes/s including IP headers; 0 = none", keyPath: \.txwMaxRte),
        .init(
            name: "SPM_AMBIENT_IVL", unit: .microseconds, defaultValue: 1_000_000,
            range: 1_000...600_000_000, zeroDisables: false,
            summary: "ambient SPM interval, us", keyPath: \.spmAmbientIvl),
        .init(
            name: "IHB_MIN", unit: .microseconds, defaultValue: 50_000,
            range: 1_000...600_000_000, zeroDisables: false,
            summary: "first heartbeat SPM after data, us; at most ihb-max", keyPath: \.ihbMin),
        .init(
            name: "IHB_MAX", unit: .microseconds, defaultValue: 1_000_000,
            range: 1_000...600_000_000, zeroDisables: false,
            summary: "longest heartbeat SPM interval, us", keyPath: \.ihbMax),
        .init(
            name: "RDATA_LINGER_IVL", unit: .microseconds, defaultValue: 20_000,
            range: 1_000...600_000_000, zeroDisables: true,
            summary: "delay RDATA for NAKs of a just-repaired sqn to the end of this, us; 0 = off", keyPath: \.rdataLingerIvl),
        .init(
            name: "MAX_TPDU", unit: .bytes, defaultValue: 1_500,
            range: 576...65_535, zeroDisables: false,
            summary: "largest IP packet a source sends, bytes", keyPath: \.maxTpdu),
        .init(
            name: "TXW_BYTES", unit: .bytes, defaultValue: 0,
            range: 576...4_294_967_295, zeroDisables: true,
            summary: "transmit window, in TSDU bytes; 0 = by sqns only", keyPath: \.txwBytes),
        .init(
            name: "LATE_JOIN", unit: .percent, defaultValue: 0,
            range: 1...100, zeroDisables: true,
            summary: "share of the transmit window late joiners may repair, %; 0 = none", keyPath: \.lateJoin),
        .init(
            name: "RXW_SQNS", unit: .sequenceNumbers, defaultValue: 8_192,
            range: 1...1_048_576, zeroDisables: false,
            summary: "receive window, in sequence numbers", keyPath: \.rxwSqns),
        .init(
            name: "PEER_EXPIRY", unit: .microseconds, defaultValue: 10_000_000,
            range: 1_000...600_000_000, zeroDisables: false,
            summary: "forget a silent source after, us", keyPath: \.peerExpiry),
        .init(
            name: "SPMR_EXPIRY", unit: .microseconds, defaultValue: 250_000,
            range: 1_000...600_000_000, zeroDisables: false,
            summary: "wait for an SPM before sending an SPMR, us", keyPath: \.spmrExpiry),
        .init(
            name: "NAK_BO_IVL", unit: .microseconds, defaultValue: 50_000,
            range: 1_000...600_000_000, zeroDisables: false,
            summary: "NAK back-off interval, upper bound, us", keyPath: \.nakBoIvl),
        .init(
            name: "NAK_RPT_IVL", unit: .microseconds, defaultValue: 200_000,
            range: 1_000...600_000_000, zeroDisables: false,
            summary: "wait for an NCF after a NAK, us", keyPath: \.nakRptIvl),
        .init(
            name: "NAK_RDATA_IVL", unit: .microseconds, defaultValue: 200_000,
            range: 1_000...600_000_000, zeroDisables: false,
            summary: "wait for RDATA after an NCF, us", keyPath: \.nakRdataIvl),
        .init(
            name: "NAK_NCF_RETRIES", unit: .count, defaultValue: 10,
            range: 0...255, zeroDisables: false,
            summary: "NAKs without an NCF before giving up", keyPath: \.nakNcfRetries),
        .init(
            name: "NAK_DATA_RETRIES", unit: .count, defaultValue: 10,
            range: 0...255, zeroDisables: false,
            summary: "NCFs without RDATA before giving up", keyPath: \.nakDataRetries),
        .init(
            name: "JOIN_MAX", unit: .sequenceNumbers, defaultValue: 1_048_576,
            range: 1...1_048_576, zeroDisables: true,
            summary: "most sqns before the first one heard a new session repairs; 0 = none", keyPath: \.joinMax),
    ]
}

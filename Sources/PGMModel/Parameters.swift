/// Every timer and limit of the reference model: one table of names, units,
/// defaults and ranges. The kernel header (PGM_DEFAULT_*, kernel/include/uapi/
/// linux/pgm.h) and pgm(7) mirror it; a host test checks header and table agree.
public struct Parameters: Hashable, Sendable {
    /// What a value counts.
    public enum Unit: String, Sendable {
        case sequenceNumbers = "sqns"
        case milliseconds = "ms"
        case microseconds = "us"
        case bytesPerSecond = "bytes/s"
        case bytes
        case count
    }

    /// One row of the table.
    public struct Descriptor: Sendable {
        public let name: String
        public let unit: Unit
        public let defaultValue: UInt32
        public let range: ClosedRange<UInt32>
        /// Zero is allowed and means "off" even when below `range`.
        public let zeroDisables: Bool
        public let summary: String
        public let keyPath: any WritableKeyPath<Parameters, UInt32> & Sendable
    }

    // Source (RFC 3208 section 5).
    public var txwSqns: UInt32 = 8192
    public var txwSecsMs: UInt32 = 0
    public var txwMaxRte: UInt32 = 12_500_000
    public var spmAmbientIvl: UInt32 = 1_000_000
    public var ihbMin: UInt32 = 50_000
    public var ihbMax: UInt32 = 1_000_000
    public var rdataLingerIvl: UInt32 = 20_000
    public var maxTpdu: UInt32 = 1500
    public var txwBytes: UInt32 = 0
    // Receiver (RFC 3208 section 6).
    public var rxwSqns: UInt32 = 8192
    public var peerExpiry: UInt32 = 10_000_000
    public var spmrExpiry: UInt32 = 250_000
    public var nakBoIvl: UInt32 = 50_000
    public var nakRptIvl: UInt32 = 200_000
    public var nakRdataIvl: UInt32 = 200_000
    public var nakNcfRetries: UInt32 = 10
    public var nakDataRetries: UInt32 = 10

    public init() {}

    static let window: ClosedRange<UInt32> = 1...(1 << 20)
    static let interval: ClosedRange<UInt32> = 1000...600_000_000

    /// The table, in the order of the socket option numbers.
    public static let table: [Descriptor] = [
        .init(name: "TXW_SQNS", unit: .sequenceNumbers, defaultValue: 8192, range: window, zeroDisables: false,
              summary: "transmit window size", keyPath: \.txwSqns),
        .init(name: "TXW_SECS_MS", unit: .milliseconds, defaultValue: 0, range: 1...3_600_000, zeroDisables: true,
              summary: "transmit window in time; 0 = by size only", keyPath: \.txwSecsMs),
        .init(name: "TXW_MAX_RTE", unit: .bytesPerSecond, defaultValue: 12_500_000, range: 1...UInt32.max,
              zeroDisables: true, summary: "rate limit counting IP headers; 0 = none", keyPath: \.txwMaxRte),
        .init(name: "SPM_AMBIENT_IVL", unit: .microseconds, defaultValue: 1_000_000, range: interval,
              zeroDisables: false, summary: "ambient SPM interval", keyPath: \.spmAmbientIvl),
        .init(name: "IHB_MIN", unit: .microseconds, defaultValue: 50_000, range: interval, zeroDisables: false,
              summary: "first heartbeat SPM after data", keyPath: \.ihbMin),
        .init(name: "IHB_MAX", unit: .microseconds, defaultValue: 1_000_000, range: interval, zeroDisables: false,
              summary: "longest heartbeat SPM interval", keyPath: \.ihbMax),
        .init(name: "RDATA_LINGER_IVL", unit: .microseconds, defaultValue: 20_000, range: interval,
              zeroDisables: true, summary: "ignore repeated NAKs for a just-repaired sqn", keyPath: \.rdataLingerIvl),
        .init(name: "MAX_TPDU", unit: .bytes, defaultValue: 1500, range: 576...65535, zeroDisables: false,
              summary: "largest IP packet sent", keyPath: \.maxTpdu),
        .init(name: "TXW_BYTES", unit: .bytes, defaultValue: 0, range: 576...UInt32.max, zeroDisables: true,
              summary: "transmit window in TSDU bytes held; 0 = by sqns only", keyPath: \.txwBytes),
        .init(name: "RXW_SQNS", unit: .sequenceNumbers, defaultValue: 8192, range: window, zeroDisables: false,
              summary: "receive window size", keyPath: \.rxwSqns),
        .init(name: "PEER_EXPIRY", unit: .microseconds, defaultValue: 10_000_000, range: interval,
              zeroDisables: false, summary: "forget a silent source after", keyPath: \.peerExpiry),
        .init(name: "SPMR_EXPIRY", unit: .microseconds, defaultValue: 250_000, range: interval,
              zeroDisables: false, summary: "wait for an SPM before sending SPMR", keyPath: \.spmrExpiry),
        .init(name: "NAK_BO_IVL", unit: .microseconds, defaultValue: 50_000, range: interval, zeroDisables: false,
              summary: "NAK back-off interval", keyPath: \.nakBoIvl),
        .init(name: "NAK_RPT_IVL", unit: .microseconds, defaultValue: 200_000, range: interval, zeroDisables: false,
              summary: "wait for NCF after NAK", keyPath: \.nakRptIvl),
        .init(name: "NAK_RDATA_IVL", unit: .microseconds, defaultValue: 200_000, range: interval,
              zeroDisables: false, summary: "wait for RDATA after NCF", keyPath: \.nakRdataIvl),
        .init(name: "NAK_NCF_RETRIES", unit: .count, defaultValue: 10, range: 0...255, zeroDisables: false,
              summary: "NAKs without NCF before loss", keyPath: \.nakNcfRetries),
        .init(name: "NAK_DATA_RETRIES", unit: .count, defaultValue: 10, range: 0...255, zeroDisables: false,
              summary: "NCFs without RDATA before loss", keyPath: \.nakDataRetries),
    ]

    /// Why a value was refused.
    public enum Error: Swift.Error, Equatable, CustomStringConvertible {
        case unknown(String)
        case outOfRange(name: String, value: UInt32, range: ClosedRange<UInt32>)
        case inconsistent(String)

        public var description: String {
            switch self {
            case .unknown(let n): "unknown parameter \(n)"
            case .outOfRange(let n, let v, let r): "\(n) = \(v) is outside \(r.lowerBound)...\(r.upperBound)"
            case .inconsistent(let why): why
            }
        }
    }

    /// Sets a parameter by its table name, checking its range.
    public mutating func set(_ name: String, to value: UInt32) throws(Error) {
        guard let d = Self.table.first(where: { $0.name == name }) else { throw .unknown(name) }
        guard d.range.contains(value) || (value == 0 && d.zeroDisables) else {
            throw .outOfRange(name: name, value: value, range: d.range)
        }
        self[keyPath: d.keyPath] = value
    }

    /// Checks relations between parameters (RFC 3208 section 5.1.5: heartbeat
    /// intervals grow from IHB_MIN up to IHB_MAX).
    public func validate() throws(Error) {
        if ihbMin > ihbMax { throw .inconsistent("IHB_MIN (\(ihbMin)) exceeds IHB_MAX (\(ihbMax))") }
    }
}

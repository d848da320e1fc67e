// The stored parameters and their table are generated from kernel/pgm.yaml
// into ParameterTable.swift (scripts/ynl-gen).
extension Parameters {
    /// What a value counts.
    public enum Unit: String, Sendable {
        case sequenceNumbers = "sqns"
        case milliseconds = "ms"
        case microseconds = "us"
        case bytesPerSecond = "bytes/s"
        case bytes
        case count
        case percent
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

    /// Why a value was refused.
    public enum ParameterError: Error, Equatable, CustomStringConvertible {
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
    public mutating func set(_ name: String, to value: UInt32) throws(ParameterError) {
        guard let d = Self.table.first(where: { $0.name == name }) else { throw .unknown(name) }
        guard d.range.contains(value) || (value == 0 && d.zeroDisables) else {
            throw .outOfRange(name: name, value: value, range: d.range)
        }
        self[keyPath: d.keyPath] = value
    }

    /// Checks relations between parameters (RFC 3208 section 5.1.5: heartbeat
    /// intervals grow from IHB_MIN up to IHB_MAX).
    public func validate() throws(ParameterError) {
        if ihbMin > ihbMax { throw .inconsistent("IHB_MIN (\(ihbMin)) exceeds IHB_MAX (\(ihbMax))") }
    }
}

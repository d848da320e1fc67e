/// Quantities as a user writes them on a command line: a number with an
/// optional unit suffix, as tc(8) and ip(8) take them.
///
/// - Times: `500us`, `20ms`, `2s`, `1.5m`, `1h` (also `ns`, `µs`, `min`).
/// - Rates, in **bytes** per second with a decimal multiplier: `500k`,
///   `100M`, `1G` (k = 1000, M = 10^6, G = 10^9; `K` is `k`); or, as tc
///   writes them, in **bits** per second: `800kbit`, `100mbit`, `1gbit`
///   (`100mbit` is 12500000 bytes/s).
/// - Sizes in bytes: `64k`, `1M` (powers of 1000) or `64Ki`, `1Mi`, `1Gi`
///   (powers of 1024).
///
/// A bare number is in the unit the option had before suffixes existed
/// (seconds for the tools' timeouts, microseconds for most tunables), so
/// that scripts keep working. Values are exact: `1.5us` is refused where
/// microseconds are whole, never rounded.
public struct Quantity: Sendable, Hashable {
    /// What the user wrote.
    public let text: String
    /// Whether it had a minus sign (range checks then report it).
    public let isNegative: Bool
    /// The digits without the decimal point, and how many followed it.
    let mantissa: UInt64, scale: Int
    /// Base units (``QuantityUnit/base``) per unit of the number.
    let factor: UInt64

    /// Parses `text`; a bare number is in `bareUnit`, a suffix must be one
    /// of `bareUnit`'s dimension.
    public static func parse(_ text: String, bareUnit: QuantityUnit) throws(QuantityError) -> Quantity {
        var rest = Substring(text)
        var negative = false
        if let c = rest.first, c == "-" || c == "+" {
            negative = c == "-"
            rest.removeFirst()
        }
        var mantissa: UInt64 = 0, scale = 0, digits = 0, point = false
        while let c = rest.first, let a = c.asciiValue, c == "." || (48...57).contains(a) {
            rest.removeFirst()
            if c == "." {
                guard !point else { throw .notANumber(text: text, unit: bareUnit) }
                point = true
                continue
            }
            let (m, o1) = mantissa.multipliedReportingOverflow(by: 10)
            let (n, o2) = m.addingReportingOverflow(UInt64(a - 48))
            guard !o1, !o2, scale < 18 else { throw .tooLarge(text: text) }
            mantissa = n
            digits += 1
            if point { scale += 1 }
        }
        guard digits > 0 else { throw .notANumber(text: text, unit: bareUnit) }
        let suffix = String(rest)
        let factor: UInt64
        if suffix.isEmpty {
            factor = bareUnit.base
        } else if let f = bareUnit.dimension.suffixes.first(where: { $0.matches(suffix) })?.base {
            factor = f
        } else {
            throw .unknownUnit(text: text, suffix: suffix, dimension: bareUnit.dimension)
        }
        return Quantity(text: text, isNegative: negative, mantissa: mantissa, scale: scale, factor: factor)
    }

    /// The value as a whole number of `unit`.
    ///
    /// - Throws: ``QuantityError/notWhole(text:unit:)`` when it is a
    ///   fraction of `unit`, ``QuantityError/tooLarge(text:)`` beyond Int64.
    public func whole(in unit: QuantityUnit) throws(QuantityError) -> Int64 {
        var ten: UInt128 = 1
        for _ in 0..<scale { ten *= 10 }
        let n = UInt128(mantissa) * UInt128(factor), d = ten * UInt128(unit.base)
        guard n % d == 0 else { throw .notWhole(text: text, unit: unit) }
        let q = n / d
        guard q <= UInt128(Int64.max) else { throw .tooLarge(text: text) }
        return isNegative ? -Int64(q) : Int64(q)
    }

    /// The value in `unit`, as a floating-point number.
    public func value(in unit: QuantityUnit) -> Double {
        var v = Double(mantissa) * Double(factor) / Double(unit.base)
        for _ in 0..<scale { v /= 10 }
        return isNegative ? -v : v
    }

    /// The value as a whole number of `unit` within `range`; `note` follows
    /// the range in the error ("0: no limit").
    public func whole(in unit: QuantityUnit, range: ClosedRange<Int64>, note: String? = nil) throws(QuantityError) -> Int64 {
        let bounds = "\(range.lowerBound)-\(range.upperBound)" + (unit.name.isEmpty ? "" : " \(unit.name)")
            + (note.map { " (\($0))" } ?? "")
        let v: Int64
        do { v = try whole(in: unit) } catch .tooLarge { throw .outOfRange(text: text, accepted: bounds) }
        guard range.contains(v) else { throw .outOfRange(text: text, accepted: bounds) }
        return v
    }

    /// The value in `unit` within `range`, above its lower bound when
    /// `aboveLower` ("more than 0 and at most 86400 seconds").
    public func value(in unit: QuantityUnit, range: ClosedRange<Double>, aboveLower: Bool = false) throws(QuantityError) -> Double {
        let v = value(in: unit)
        let lo = Self.number(range.lowerBound), hi = Self.number(range.upperBound)
        let bounds = aboveLower ? "more than \(lo) and at most \(hi) \(unit.name)" : "\(lo)-\(hi) \(unit.name)"
        guard range.contains(v), !(aboveLower && v == range.lowerBound) else {
            throw .outOfRange(text: text, accepted: bounds)
        }
        return v
    }

    /// 3600 as "3600", 0.01 as "0.01".
    static func number(_ d: Double) -> String {
        d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
    }
}

/// The unit a quantity is kept in, and the one a bare number has.
public struct QuantityUnit: Sendable, Hashable, CustomStringConvertible {
    /// What a quantity measures; each has its own suffixes.
    public enum Dimension: Sendable, Hashable {
        /// Base unit: the nanosecond.
        case time
        /// Base unit: the bit per second.
        case rate
        /// Base unit: the byte.
        case size
        /// Sequence numbers, retries, ports: no suffix.
        case count

        /// The suffixes it accepts.
        var suffixes: [Suffix] {
            switch self {
            case .time:
                [Suffix("ns", 1), Suffix("us", 1000), Suffix("µs", 1000), Suffix("ms", 1_000_000),
                 Suffix("s", 1_000_000_000), Suffix("m", 60_000_000_000), Suffix("min", 60_000_000_000),
                 Suffix("h", 3_600_000_000_000)]
            case .rate:
                [Suffix("k", 8000), Suffix("K", 8000), Suffix("M", 8_000_000), Suffix("G", 8_000_000_000),
                 Suffix("bit", 1, anyCase: true), Suffix("kbit", 1000, anyCase: true),
                 Suffix("mbit", 1_000_000, anyCase: true), Suffix("gbit", 1_000_000_000, anyCase: true)]
            case .size:
                [Suffix("k", 1000), Suffix("K", 1000), Suffix("M", 1_000_000), Suffix("G", 1_000_000_000),
                 Suffix("Ki", 1024), Suffix("Mi", 1 << 20), Suffix("Gi", 1 << 30)]
            case .count:
                []
            }
        }

        /// "a time", for messages.
        var noun: String {
            switch self {
            case .time: "a time"
            case .rate: "a rate"
            case .size: "a size"
            case .count: "a number"
            }
        }

        /// Examples for messages.
        var examples: String {
            switch self {
            case .time: "500us, 20ms, 2s or 1m"
            case .rate: "500k, 100M or 1G (bytes/s) or 100mbit (bits/s)"
            case .size: "64k, 1M or 1Mi"
            case .count: "42"
            }
        }
    }

    /// A unit suffix and its size in base units.
    struct Suffix: Sendable {
        let symbol: String, base: UInt64, anyCase: Bool
        init(_ symbol: String, _ base: UInt64, anyCase: Bool = false) {
            self.symbol = symbol
            self.base = base
            self.anyCase = anyCase
        }
        func matches(_ s: String) -> Bool { anyCase ? s.lowercased() == symbol : s == symbol }
    }

    public let dimension: Dimension
    /// Its name in messages: "seconds", "bytes/s".
    public let name: String
    /// Base units in one of it (see ``Dimension``).
    public let base: UInt64

    public var description: String { name }

    public static let nanoseconds = QuantityUnit(dimension: .time, name: "nanoseconds", base: 1)
    public static let microseconds = QuantityUnit(dimension: .time, name: "microseconds", base: 1000)
    public static let milliseconds = QuantityUnit(dimension: .time, name: "milliseconds", base: 1_000_000)
    public static let seconds = QuantityUnit(dimension: .time, name: "seconds", base: 1_000_000_000)
    public static let bytesPerSecond = QuantityUnit(dimension: .rate, name: "bytes/s", base: 8)
    public static let bytes = QuantityUnit(dimension: .size, name: "bytes", base: 1)
    /// A count of something named `name` ("sequence numbers"): no suffixes.
    public static func count(_ name: String) -> QuantityUnit { QuantityUnit(dimension: .count, name: name, base: 1) }

    /// The unit of a tunable as kernel/pgm.yaml spells it ("us", "ms",
    /// "bytes/s", "bytes", "sqns", "count", "count/s", "port", "percent", "bool").
    public static func spec(_ unit: String) -> QuantityUnit {
        switch unit {
        case "us": .microseconds
        case "ms": .milliseconds
        case "bytes/s": .bytesPerSecond
        case "bytes": .bytes
        case "sqns": .count("sequence numbers")
        case "count/s": .count("per second")
        case "percent": .count("percent")
        default: .count("")
        }
    }
}

/// Why a quantity was refused. ``message(for:)`` words it for an option.
public enum QuantityError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not a number (with an optional suffix) at all.
    case notANumber(text: String, unit: QuantityUnit)
    /// A suffix the dimension does not have.
    case unknownUnit(text: String, suffix: String, dimension: QuantityUnit.Dimension)
    /// A fraction of the unit the value is kept in.
    case notWhole(text: String, unit: QuantityUnit)
    /// More digits or a larger value than anything accepted.
    case tooLarge(text: String)
    /// Outside what is accepted, as `accepted` says ("0-3600 seconds").
    case outOfRange(text: String, accepted: String)

    /// The error as a sentence about `option` ("--linger", "txw-max-rte").
    public func message(for option: String) -> String {
        switch self {
        case .notANumber(let t, let u):
            let bare = u.dimension == .count ? "" : " (a bare number is in \(u.name))"
            return "\(option) wants \(u.dimension.noun) such as \(u.dimension.examples)\(bare); got '\(t)'"
        case .unknownUnit(let t, let s, let d):
            let list = d.suffixes.map(\.symbol).filter { $0 != "K" && $0 != "µs" && $0 != "min" }
            return "\(option): unknown unit '\(s)' in '\(t)'; "
                + (list.isEmpty ? "\(d.noun) here takes no unit" : "\(d.noun) takes \(list.joined(separator: ", "))")
        case .notWhole(let t, let u):
            return "\(option): '\(t)' is not a whole number of \(u.name)"
        case .tooLarge(let t):
            return "\(option): '\(t)' is too large"
        case .outOfRange(let t, let a):
            return "\(option) must be \(a); got \(t)"
        }
    }

    public var description: String { message(for: "the value") }
}

/// An option's value refused, worded for the option: the tools turn it
/// into a usage error (ArgumentParser's ValidationError, status 64).
public struct OptionValueError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The option as the user wrote it ("--linger", "nak-bo-ivl").
    public let option: String
    /// Why.
    public let error: QuantityError

    public init(option: String, error: QuantityError) {
        self.option = option
        self.error = error
    }

    public var description: String { error.message(for: option) }
}

extension Quantity {
    /// `text` as seconds (a bare number is seconds) within `range`, above
    /// its lower bound when `aboveLower`.
    public static func seconds(
        _ text: String, option: String, range: ClosedRange<Double>, aboveLower: Bool = false
    ) throws(OptionValueError) -> Double {
        do {
            return try parse(text, bareUnit: .seconds).value(in: .seconds, range: range, aboveLower: aboveLower)
        } catch {
            throw OptionValueError(option: option, error: error)
        }
    }

    /// `text` as a whole number of `unit` (a bare number is in `unit`)
    /// within `range`; `note` follows the range in a refusal.
    public static func whole(
        _ text: String, option: String, unit: QuantityUnit, range: ClosedRange<Int64>, note: String? = nil
    ) throws(OptionValueError) -> Int64 {
        do {
            return try parse(text, bareUnit: unit).whole(in: unit, range: range, note: note)
        } catch {
            throw OptionValueError(option: option, error: error)
        }
    }
}

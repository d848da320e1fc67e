/// A point on the model's virtual clock, in microseconds since the start of a
/// run. The model never reads a real clock: every event carries its time.
public struct VirtualTime: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: Int64

    public init(rawValue: Int64) { self.rawValue = rawValue }

    /// `microseconds` after the start of the run.
    public init(microseconds: Int64) { rawValue = microseconds }

    public static let zero = VirtualTime(rawValue: 0)
    /// Later than any time a run reaches.
    public static let never = VirtualTime(rawValue: .max)

    public static func < (a: VirtualTime, b: VirtualTime) -> Bool { a.rawValue < b.rawValue }

    /// This time plus `microseconds`, saturating at `never`.
    public static func + (t: VirtualTime, microseconds: Int64) -> VirtualTime {
        let (sum, overflow) = t.rawValue.addingReportingOverflow(microseconds)
        return overflow ? .never : VirtualTime(rawValue: sum)
    }

    /// This time plus a parameter value in microseconds.
    public static func + (t: VirtualTime, microseconds: UInt32) -> VirtualTime { t + Int64(microseconds) }

    /// Microseconds from `b` to `a`.
    public static func - (a: VirtualTime, b: VirtualTime) -> Int64 { a.rawValue - b.rawValue }

    public var description: String {
        let s = rawValue / 1_000_000
        let us = rawValue % 1_000_000
        let frac = String(us)
        return "\(s).\(String(repeating: "0", count: 6 - frac.count))\(frac)s"
    }
}

/// The earlier of two optional deadlines.
@inline(__always)
func earliest(_ a: VirtualTime?, _ b: VirtualTime?) -> VirtualTime? {
    guard let a else { return b }
    guard let b else { return a }
    return min(a, b)
}

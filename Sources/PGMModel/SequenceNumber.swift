/// A PGM sequence number: 32 bits compared in serial-number arithmetic
/// (RFC 3208 section 3.2: "sequence numbers ... wrap", compared modulo 2^32,
/// and windows must stay below 2^31).
public struct SequenceNumber: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    public var rawValue: UInt32

    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public init(_ value: UInt32) { self.rawValue = value }

    /// `a < b` when b is ahead of a by less than 2^31.
    public static func < (a: SequenceNumber, b: SequenceNumber) -> Bool {
        Int32(bitPattern: a.rawValue &- b.rawValue) < 0
    }

    /// The sequence number `n` steps ahead, wrapping.
    public func advanced(by n: UInt32) -> SequenceNumber { SequenceNumber(rawValue &+ n) }

    /// How far `other` is ahead of `self`, as a signed serial distance.
    public func distance(to other: SequenceNumber) -> Int32 {
        Int32(bitPattern: other.rawValue &- rawValue)
    }

    public var description: String { String(rawValue) }
}

/// A PGM sequence number: 32 bits that wrap and are compared in serial
/// number arithmetic (RFC 3208 section 3.2 and RFC 1982): `a < b` when `b`
/// is ahead of `a` by less than 2^31. Windows stay below 2^31 so that the
/// order of any two numbers in one is defined.
public struct SequenceNumber: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible,
    ExpressibleByIntegerLiteral
{
    /// The 32 bits.
    public var rawValue: UInt32

    /// A sequence number from its 32 bits.
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// A sequence number from its 32 bits.
    public init(_ value: UInt32) { self.rawValue = value }
    /// A sequence number written as a number: `let first: SequenceNumber = 0`.
    public init(integerLiteral value: UInt32) { self.rawValue = value }

    /// `a < b` when `b` is ahead of `a` by less than 2^31. RFC 1982 leaves
    /// two numbers exactly 2^31 apart unordered; here each is below the
    /// other, so keep windows under 2^31 (serial order is not a total order
    /// on all of UInt32, whatever `Comparable` suggests).
    public static func < (a: SequenceNumber, b: SequenceNumber) -> Bool {
        Int32(bitPattern: a.rawValue &- b.rawValue) < 0
    }

    /// The sequence number `n` steps ahead, wrapping at 2^32.
    public func advanced(by n: UInt32) -> SequenceNumber { SequenceNumber(rawValue &+ n) }

    /// How far `other` is ahead of `self` as a signed serial distance:
    /// negative when `other` is behind.
    public func distance(to other: SequenceNumber) -> Int32 {
        Int32(bitPattern: other.rawValue &- rawValue)
    }

    /// `a` advanced by `n`, wrapping.
    public static func + (a: SequenceNumber, n: UInt32) -> SequenceNumber { a.advanced(by: n) }

    /// `a` moved back by `n`, wrapping.
    public static func - (a: SequenceNumber, n: UInt32) -> SequenceNumber { SequenceNumber(a.rawValue &- n) }

    /// Advances `a` by `n`, wrapping.
    public static func += (a: inout SequenceNumber, n: UInt32) { a = a + n }

    /// The decimal value.
    public var description: String { String(rawValue) }
}

/// Why a Reed-Solomon code cannot be made, or a group cannot be encoded or rebuilt.
/// Each description says what is allowed.
public enum FECError: Error, Equatable, Sendable, CustomStringConvertible {
    /// k is not a power of two from 2 to 128.
    case invalidK(Int)
    /// n is not from k + 1 to 255.
    case invalidN(Int, k: Int)
    /// A parity packet was asked for by a number that is not one (k to n - 1 are).
    case notAParityPacket(Int, n: Int, k: Int)
    /// A packet number outside the group (0 to n - 1).
    case packetOutOfGroup(Int, n: Int, k: Int)
    /// `parity(_:of:)` was given some other count of originals than k.
    case originalCount(Int, k: Int)
    /// Packets of one group differ in length.
    case unequalLengths(packet: Int, length: Int, expected: Int)
    /// Fewer than k packets of a group: nothing can be rebuilt.
    case tooFewPackets(Int, k: Int)

    public var description: String {
        switch self {
        case .invalidK(let k):
            return "k = \(k) is not a transmission group size: k is a power of two from 2 to 128"
        case .invalidN(let n, let k):
            return "n = \(n) is not a code length for k = \(k): n is from k + 1 = \(k + 1) to 255"
        case .notAParityPacket(let i, let n, let k):
            return "packet \(i) is not a parity packet of RS(\(n), \(k)): those are \(k) to \(n - 1)"
        case .packetOutOfGroup(let i, let n, let k):
            return "packet \(i) is not in a group of RS(\(n), \(k)): packets are 0 to \(n - 1)"
        case .originalCount(let count, let k):
            return "\(count) original packets given: a group of this code has exactly \(k)"
        case .unequalLengths(let packet, let length, let expected):
            return "packet \(packet) is \(length) bytes, not \(expected): packets of a group have one length (pad them)"
        case .tooFewPackets(let count, let k):
            return "\(count) packets of a group given: any \(k) rebuild it, fewer cannot"
        }
    }
}

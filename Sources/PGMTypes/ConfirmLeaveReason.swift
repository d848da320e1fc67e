/// Why a confirming receiver left a source with confirmed delivery
/// (docs/confirmed-delivery.md S3, S5, S6): the numbers of `enum
/// pgm_confirm_left` in the uapi header, which the netlink family's
/// receiver-leave event carries as its `reason`.
///
/// Printed as the tools print it: "bye", "expired", "lost".
public enum ConfirmLeaveReason: Hashable, Sendable, CustomStringConvertible {
    /// It said BYE: its socket closed (or left the group).
    case bye
    /// It was silent for `PGM_CONFIRM_EXPIRY`.
    case expired
    /// It lost data: a BYE with LOST, or the source's window passed what it
    /// confirmed.
    case lost
    /// A number this library does not know.
    case other(UInt32)

    /// The reasons the library knows.
    public static let known: [ConfirmLeaveReason] = [.bye, .expired, .lost]

    /// The reason for an `enum pgm_confirm_left` number.
    public init(rawValue: UInt32) {
        switch rawValue {
        case 1: self = .bye
        case 2: self = .expired
        case 3: self = .lost
        default: self = .other(rawValue)
        }
    }

    /// The `enum pgm_confirm_left` number.
    public var rawValue: UInt32 {
        switch self {
        case .bye: 1
        case .expired: 2
        case .lost: 3
        case .other(let n): n
        }
    }

    /// "bye", "expired", "lost" or "reason N".
    public var description: String {
        switch self {
        case .bye: "bye"
        case .expired: "expired"
        case .lost: "lost"
        case .other(let n): "reason \(n)"
        }
    }
}

/// Why a receiver's session ended: the numbers of `enum pgm_end_reason` in
/// kernel/pgm.yaml (the error-queue record `struct pgm_session_end`, the
/// ring's end record and the netlink family's `end-reason` all carry them).
///
/// Printed with the spec's names: "fin", "rst", "expired".
public enum SessionEndReason: Hashable, Sendable, CustomStringConvertible {
    /// The source closed the session (OPT_FIN); all its data came first.
    case finished
    /// The source reset it (OPT_RST).
    case reset
    /// The source was not heard for `PGM_PEER_EXPIRY`.
    case expired
    /// A number this library does not know.
    case other(UInt32)

    /// The reasons the library knows.
    public static let known: [SessionEndReason] = [.finished, .reset, .expired]

    /// The reason for a `enum pgm_end_reason` number.
    public init(rawValue: UInt32) {
        switch rawValue {
        case 1: self = .finished
        case 2: self = .reset
        case 3: self = .expired
        default: self = .other(rawValue)
        }
    }

    /// The reason named as the spec and the tools name it ("fin", "rst",
    /// "expired"); nil for any other text.
    public init?(name: some StringProtocol) {
        guard let r = Self.known.first(where: { $0.description == name }) else { return nil }
        self = r
    }

    /// The `enum pgm_end_reason` number.
    public var rawValue: UInt32 {
        switch self {
        case .finished: 1
        case .reset: 2
        case .expired: 3
        case .other(let n): n
        }
    }

    /// "fin", "rst", "expired" or "reason N".
    public var description: String {
        switch self {
        case .finished: "fin"
        case .reset: "rst"
        case .expired: "expired"
        case .other(let n): "reason \(n)"
        }
    }
}

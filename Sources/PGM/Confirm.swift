import CPGM

/// A source's confirmed delivery (`PGM_CONFIRM`, docs/confirmed-delivery.md),
/// as ``SourceOptions/confirmedDelivery`` sets it before `connect()`:
/// receivers that confirm (``ReceiverOptions/confirmInterval``) are kept,
/// and the source tells how far every live one has everything.
public struct ConfirmedDeliverySettings: Sendable, Hashable {
    /// A receiver silent this long leaves (`PGM_CONFIRM_EXPIRY`), 100 ms to
    /// 600 s; at least twice the receivers' interval, or idle ones expire.
    public var expiry: Duration
    /// Receivers kept at most (`PGM_CONFIRM_MAX`), 1 to 65,536; more are
    /// refused and counted (``ConfirmedState/refused``) and the namespace
    /// bounds them all (pgmctl's `confirm-receivers-netns`).
    public var maximumReceivers: Int
    /// Flow control to the slowest live receiver (`PGM_CONFIRM_FLOW`): the
    /// transmit window never moves past what it confirmed, so a blocking
    /// send waits for it (a non-blocking one fails with
    /// `.resourceTemporarilyUnavailable`) until it confirms or expires.
    public var flowControl: Bool

    /// The kernel's expiry, 3 s (`PGM_CONFIRM_EXPIRY_MS`).
    public static let defaultExpiry = Duration.milliseconds(Int64(PGM_CONFIRM_EXPIRY_MS))
    /// The kernel's bound, 1,024 receivers (`PGM_CONFIRM_MAX_DEFAULT`).
    public static let defaultMaximumReceivers = Int(PGM_CONFIRM_MAX_DEFAULT)
    /// A receiver's ACK interval when it asks for the default, 200 ms
    /// (`PGM_CONFIRM_IVL_MS`).
    public static let defaultInterval = Duration.milliseconds(Int64(PGM_CONFIRM_IVL_MS))
    /// The intervals a receiver may confirm at (`PGM_CONFIRM_IVL_MIN_MS` to
    /// `PGM_CONFIRM_IVL_MAX_MS`).
    public static let intervals = Duration.milliseconds(Int64(PGM_CONFIRM_IVL_MIN_MS))...Duration.milliseconds(
        Int64(PGM_CONFIRM_IVL_MAX_MS))
    /// The expiries a source accepts (`PGM_CONFIRM_EXPIRY_MIN_MS` to
    /// `PGM_CONFIRM_EXPIRY_MAX_MS`).
    public static let expiries = Duration.milliseconds(Int64(PGM_CONFIRM_EXPIRY_MIN_MS))...Duration.milliseconds(
        Int64(PGM_CONFIRM_EXPIRY_MAX_MS))
    /// The bounds a source accepts (1 to `PGM_CONFIRM_MAX_MAX`).
    public static let maximumReceiversRange = 1...Int(PGM_CONFIRM_MAX_MAX)

    /// Settings; every default is the kernel's.
    public init(expiry: Duration = defaultExpiry, maximumReceivers: Int = defaultMaximumReceivers,
                flowControl: Bool = false) {
        self.expiry = expiry
        self.maximumReceivers = maximumReceivers
        self.flowControl = flowControl
    }
}

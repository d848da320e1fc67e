import PGMModel
import PGMWire

/// One conformance scenario: an implementation under test (IUT) in one role,
/// its options, and the steps a simulated peer and the application take, with
/// what must be seen on the wire and at the application (see
/// Tests/conformance/README.md for the language).
public struct Scenario: Sendable {
    /// The file's name without `.pgm`.
    public var name: String
    /// Where it was read from.
    public var file: String
    /// The RFC 3208 sections it checks (`rfc` line).
    public var sections: [String]
    /// A one-line description: the `title` line.
    public var title: String
    /// Source or receiver.
    public var role: Role
    /// Options set on the IUT before it starts, in order.
    public var options: [(name: String, value: UInt32)]
    /// The first sequence number of a simulated source (receiver scenarios).
    public var base: UInt32
    /// FEC (the `fec` line): a source IUT's settings; for a receiver IUT,
    /// what the simulated source offers in the OPT_PARITY_PRM of its SPMs
    /// (n then only bounds the parity numbers a scenario may inject).
    public var fec: FECParameters?
    /// PGMCC (the `pgmcc` line, draft-ietf-rmt-bb-pgmcc-03): a receiver IUT
    /// takes part (measures loss, answers as acker, adds feedback to its
    /// NAKs); a source IUT runs the congestion window and elects ackers.
    public var pgmcc: PGMCCSettings?
    /// Confirmed delivery (the `confirm` line, docs/confirmed-delivery.md):
    /// a receiver IUT confirms, a source IUT keeps its confirming receivers.
    public var confirm: ConfirmSettings?
    /// The steps, in order.
    public var steps: [Step]

    public enum Role: String, Sendable { case source, receiver }
}

/// The `pgmcc` line: PGMCC on, with the parameters the scenario names
/// (nil: the implementation's default).
public struct PGMCCSettings: Sendable, Equatable {
    /// Receiver: the election answer's back-off bound, µs.
    public var electionBackOff: Int64?
    /// Receiver: the loss filter's c_p, in 1/65536.
    public var lossWeight: UInt32?
    /// Source: SSTHRESH, packets.
    public var slowStartThreshold: UInt32?

    public init() {}
}

/// The `confirm` line: confirmed delivery on, with the parameters the
/// scenario names (nil: the implementation's default).
public struct ConfirmSettings: Sendable, Equatable {
    /// Receiver: the ACK interval, µs (`ivl=`).
    public var interval: Int64?
    /// Source: a silent receiver's expiry, µs (`expiry=`).
    public var expiry: Int64?
    /// Source: the most receivers (`max=`).
    public var maximum: Int?
    /// Source: flow control (`flow`).
    public var flow = false

    public init() {}
}

/// What `expect confirmed` wants of a source IUT's application view
/// (docs/confirmed-delivery.md S7).
public struct ConfirmedPattern: Sendable, CustomStringConvertible {
    /// The source's CONFIRMED, relative to its first sqn; nil: none (no
    /// receivers).
    public var sequence: UInt32?
    /// The live receivers; nil: any number.
    public var receivers: Int?
    /// Receivers refused at the maximum since the start; nil: any number.
    public var refused: Int?
    public var text: String

    public var description: String { text }
}

/// A step of a scenario, with its line number.
public struct Step: Sendable {
    public var line: Int
    public var action: Action

    public enum Action: Sendable {
        /// The application sends `count` APDUs of `size` octets (source IUT).
        case send(size: Int, count: Int)
        /// The application closes the socket: gracefully (OPT_FIN) or with a
        /// reset (OPT_RST, SO_LINGER zero).
        case close(reset: Bool)
        /// The simulated peer sends a packet.
        case inject(Injection)
        /// Time passes (microseconds).
        case wait(Int64)
        /// A packet matching the pattern is seen no earlier than `after` and
        /// no later than `within` after the previous step.
        case expectPacket(PacketPattern, after: Int64, within: Int64)
        /// No packet matching the pattern for the duration.
        case expectNoPacket(PacketPattern, duration: Int64)
        /// The application's next event matches, no earlier than `after`
        /// and no later than `within` after the previous step.
        case expectEvent(EventPattern, after: Int64, within: Int64)
        /// No application event of this kind for the duration.
        case expectNoEvent(EventPattern.Kind, duration: Int64)
        /// A source IUT's CONFIRMED and receiver count are as given at some
        /// moment no later than `within` after the previous step.
        case expectConfirmed(ConfirmedPattern, within: Int64)
    }
}

/// Packet types a scenario names.
public enum PacketKind: String, Sendable, CaseIterable {
    case SPM, ODATA, RDATA, NAK, NCF, SPMR
    /// PGMCC's ACK (type 0x0D), receiver to source.
    case ACK

    var wireType: PGMPacketType {
        switch self {
        case .ACK: .ack
        case .SPM: .spm
        case .ODATA: .odata
        case .RDATA: .rdata
        case .NAK: .nak
        case .NCF: .ncf
        case .SPMR: .spmr
        }
    }
}

/// Whether an option must be present, absent, or is not looked at.
public enum Presence: Sendable, Equatable { case any, present, absent }

/// What an expected packet must look like. Sequence numbers are relative
/// to the session's first (`base`): the scenario writes 0 for the first
/// ODATA whatever number the implementation chose.
public struct PacketPattern: Sendable, CustomStringConvertible {
    public var kind: PacketKind
    /// ODATA/RDATA data sqn, SPM sqn (relative to the first SPM seen), NAK/NCF sqn.
    public var sequence: UInt32?
    /// ODATA/RDATA/SPM trailing edge.
    public var trail: UInt32?
    /// SPM leading edge.
    public var lead: UInt32?
    /// OPT_NAK_LIST entries: [] means no list.
    public var list: [UInt32]?
    /// TSDU length.
    public var length: Int?
    /// OPT_FRAGMENT: first sqn, offset, APDU length; nil parts (`*`) match any.
    public var fragment: (first: UInt32?, offset: UInt32?, length: UInt32?)?
    public var fin = Presence.any
    public var rst = Presence.any
    public var syn = Presence.any
    /// OPT_JOIN minimum sequence number; `.present` with nil value: any.
    public var join = Presence.any
    public var joinValue: UInt32?
    /// OPT_PARITY in the header (ODATA, RDATA, NAK, NCF): a pattern that
    /// does not name it matches packets without it only.
    public var parity = Presence.absent
    /// A parity packet's number (0-based, codeword k + number), its payload
    /// and encoded options checked against the group's originals.
    public var parityNumber: Int?
    /// The transmission group, by index: 0 holds the session's first sqn.
    /// With it, `sequence` is a place in the group (data, selective NAK).
    public var group: UInt32?
    /// A parity NAK's or NCF's count of packets asked for (NAK_PKT_CNT + 1).
    public var count: Int?
    /// OPT_VAR_PKTLEN in the header.
    public var variableLength = Presence.any
    /// SPM: OPT_PARITY_PRM, its group size, its P and O bits.
    public var prm = Presence.any
    public var prmSize: UInt32?
    public var proactive = Presence.any
    public var onDemand = Presence.any
    /// Sent to the group (true) or unicast (false); nil: either.
    public var multicast: Bool?
    /// NAK, ACK: sent to simulated peer N's address (the path NLA it was given).
    public var nla: Int?
    /// ODATA, RDATA: OPT_PGMCC_DATA, and the acker it names.
    public var ccData = Presence.any
    public var acker: AckerName?
    /// ACK: RX_MAX (relative), ACK_BITMAP.
    public var rxMax: UInt32?
    public var bitmap: UInt32?
    /// NAK, ACK: OPT_PGMCC_FEEDBACK, its echoed timestamp (a range: the
    /// echo adds the ms the feedback waited) and its loss rate.
    public var feedback = Presence.any
    public var timestamp: ClosedRange<UInt32>?
    public var lossRate: UInt16?
    /// ACK: OPT_CONFIRM (docs/confirmed-delivery.md), its CONFIRMED
    /// (relative) and its JOIN, BYE and LOST bits. Its RECEIVER ID is not
    /// matched: the runner checks a receiver IUT keeps one per session.
    public var confirm = Presence.any
    public var confirmed: UInt32?
    public var confirmJoin = Presence.any
    public var bye = Presence.any
    public var confirmLost = Presence.any
    /// The text of the pattern, for messages.
    public var text: String

    public init(kind: PacketKind, text: String) {
        self.kind = kind
        self.text = text
    }

    public var description: String { text }
}

/// Whom OPT_PGMCC_DATA names as acker.
public enum AckerName: Sendable, Equatable {
    /// 0.0.0.0: no acker, an election.
    case none
    /// The implementation under test (a receiver IUT).
    case iut
    /// Simulated peer N.
    case peer(Int)
}

/// A packet the simulated peer sends.
public struct Injection: Sendable {
    public var kind: PacketKind
    public var sequence: UInt32?
    public var trail: UInt32?
    public var lead: UInt32?
    public var list: [UInt32] = []
    public var length: Int?
    public var fragment: (first: UInt32, offset: UInt32, length: UInt32)?
    public var fin = false
    public var syn = false
    /// OPT_RST with its N bit.
    public var rst: (noNAKs: Bool, code: UInt8)?
    public var join: UInt32?
    /// Which simulated source (1, 2, ...): its TSI and address differ.
    public var peer = 1
    /// Sent from simulated peer N's address instead of `peer`'s (same TSI).
    public var from: Int?
    /// PGMCC feedback naming simulated peer N instead of the sender (`from`
    /// or `peer`): a receiver that claims to be another.
    public var who: Int?
    /// SPM: the path NLA is simulated peer N's address instead of `peer`'s.
    public var nla: Int?
    /// Multicast to the group instead of unicast (SPMR from another receiver).
    public var multicast: Bool?
    /// Damage done to the encoded packet.
    public var damage: Damage?
    /// OPT_PARITY in the header (a parity NAK or NCF, or a parity packet).
    public var parity = false
    /// ODATA/RDATA: parity packet number (0-based) of `group`, computed from
    /// the originals of the group the scenario injected (or declared lost).
    public var parityNumber: Int?
    /// The transmission group, by index (0 holds relative sqn 0); with it
    /// `sequence` is a place in the group.
    public var group: UInt32?
    /// Parity NAK/NCF: packets asked for (NAK_PKT_CNT + 1).
    public var count: Int?
    /// ODATA/RDATA: sent by the simulated source but lost on the way: the
    /// IUT does not get it, parity computed for its group includes it.
    /// ACK: OPT_CONFIRM's LOST bit.
    public var lost = false
    /// Parity packet: force OPT_VAR_PKTLEN on or off.
    public var variableLength: Bool?
    /// Parity packet: OPT_CURR_TGSIZE with this size.
    public var currentGroupSize: UInt32?
    /// SPM: OPT_PARITY_PRM off (false), or with another group size.
    public var prm: Bool?
    public var prmSize: UInt32?
    /// ODATA/RDATA: OPT_PGMCC_DATA naming this acker.
    public var acker: AckerName?
    /// OPT_PGMCC_DATA's timestamp (default: the scenario's clock in ms), or
    /// OPT_PGMCC_FEEDBACK's echo (default: the timestamp of the IUT's
    /// ODATA that RX_MAX or the NAK names, else its newest).
    public var timestamp: UInt32?
    /// NAK: OPT_PGMCC_FEEDBACK (an ACK has it unless `!feedback`).
    public var feedback: Bool?
    /// OPT_PGMCC_FEEDBACK's loss rate (default 0).
    public var lossRate: UInt16?
    /// ACK: RX_MAX (relative; default CONFIRMED with `confirmed`),
    /// ACK_BITMAP (default all ones).
    public var rxMax: UInt32?
    public var bitmap: UInt32?
    /// ACK: OPT_CONFIRM with this CONFIRMED (relative), RECEIVER ID
    /// (default 1), and the JOIN and BYE bits; its LOST bit is `lost`.
    public var confirmed: UInt32?
    public var receiverID: UInt32?
    public var confirmJoin = false
    public var bye = false
    public var text: String

    public enum Damage: String, Sendable {
        /// A wrong checksum.
        case checksum
        /// Cut in the middle of the header.
        case truncate
        /// An unknown version / type.
        case type
        /// An option whose length runs past the packet.
        case option
        /// TSDU length larger than the data.
        case tsdu
    }

    public init(kind: PacketKind, text: String) {
        self.kind = kind
        self.text = text
    }
}

/// An application event a scenario expects.
public struct EventPattern: Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable { case deliver, loss, end }

    public var kind: Kind
    /// deliver: first sqn of the APDU (relative); loss: first lost sqn.
    public var sequence: UInt32?
    /// deliver: APDU length.
    public var length: Int?
    /// loss: count.
    public var count: UInt32?
    /// end: why.
    public var reason: SessionEndReason?
    /// Which simulated source's session.
    public var peer = 1
    public var text: String

    public var description: String { text }
}

/// The packet types: the low-order nibble of the Type field (RFC 3208
/// section 8 and Appendices C and D; ACK from the PGMCC draft as carried by
/// PGM implementations).
public enum PGMPacketType: UInt8, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// Source Path Message (section 8.1).
    case spm = 0x00
    /// Poll Request (section 14.7.1).
    case poll = 0x01
    /// Poll Response (section 14.7.2).
    case polr = 0x02
    /// Original data (section 8.2).
    case odata = 0x04
    /// Repair data (section 8.2).
    case rdata = 0x05
    /// Negative acknowledgement (section 8.3).
    case nak = 0x08
    /// Null NAK (section 8.3).
    case nnak = 0x09
    /// NAK confirmation (section 8.3).
    case ncf = 0x0A
    /// SPM request (section 13.6).
    case spmr = 0x0C
    /// PGMCC positive acknowledgement (draft-ietf-rmt-bb-pgmcc section 2.1.2).
    case ack = 0x0D

    /// True for ODATA and RDATA, the only types that carry application data
    /// and must carry a checksum.
    public var isData: Bool { self == .odata || self == .rdata }

    /// True for types that flow from receivers towards the source (NAK, NNAK,
    /// SPMR, POLR, ACK): in these the Source Port field holds the
    /// data-destination port and the Destination Port field the data-source
    /// port (section 8.3).
    public var isUpstream: Bool {
        switch self {
        case .nak, .nnak, .spmr, .polr, .ack: return true
        case .spm, .poll, .odata, .rdata, .ncf: return false
        }
    }

    /// Octets of the fixed type-specific part for IPv4 NLAs; the caller adds
    /// 12 per IPv6 NLA.
    var fixedPartLength: Int {
        switch self {
        case .spm: return 12 + 8
        case .poll: return 8 + 8 + 12
        case .polr: return 8
        case .odata, .rdata: return 8
        case .nak, .nnak, .ncf: return 4 + 8 + 8
        case .spmr: return 0
        case .ack: return 8
        }
    }

    public var description: String {
        switch self {
        case .spm: return "SPM"
        case .poll: return "POLL"
        case .polr: return "POLR"
        case .odata: return "ODATA"
        case .rdata: return "RDATA"
        case .nak: return "NAK"
        case .nnak: return "NNAK"
        case .ncf: return "NCF"
        case .spmr: return "SPMR"
        case .ack: return "ACK"
        }
    }
}

/// The header Options field bits that are not derived from the option list
/// (RFC 3208 section 8).
///
/// The options-present bit is not part of this set: the encoder sets it
/// exactly when the packet has options, and the decoder requires options
/// whenever it is set.
///
/// Bit positions: RFC 3208 section 8 numbers the Options bits "from left
/// (0 = MSB)", which would make options-present 0x80 and parity 0x01. Every
/// deployed implementation (the RFC authors' original Talarian dissector that
/// became Wireshark's, OpenPGM's `PGM_OPT_PRESENT 0x01`, Microsoft's PGM)
/// numbers them from the right instead. This codec follows deployed practice
/// so the kernel interoperates with them; the values live only here.
public struct PGMHeaderFlags: OptionSet, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// One or more options are network-significant ("bit 1").
    public static let networkSignificant = PGMHeaderFlags(rawValue: 0x02)
    /// Parity packet of a transmission group of variable-sized packets,
    /// OPT_VAR_PKTLEN ("bit 6").
    public static let variableLengthParity = PGMHeaderFlags(rawValue: 0x40)
    /// Parity packet, OPT_PARITY ("bit 7").
    public static let parity = PGMHeaderFlags(rawValue: 0x80)

    /// The options-present bit ("bit 0") as it appears on the wire.
    public static let optionsPresentBit: UInt8 = 0x01
    /// All bits the RFC defines other than options-present.
    public static let defined: PGMHeaderFlags = [.networkSignificant, .variableLengthParity, .parity]
}

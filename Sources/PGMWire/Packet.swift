/// SPM type-specific fields (RFC 3208 section 8.1).
public struct PGMSPM: Hashable, Sendable {
    /// SPM_SQN.
    public var sequence: UInt32
    /// SPM_TRAIL: TXW_TRAIL.
    public var trailingEdge: UInt32
    /// SPM_LEAD: TXW_LEAD.
    public var leadingEdge: UInt32
    /// SPM_PATH: NLA of the interface that sent this SPM.
    public var path: PGMNLA

    public init(sequence: UInt32, trailingEdge: UInt32, leadingEdge: UInt32, path: PGMNLA) {
        self.sequence = sequence
        self.trailingEdge = trailingEdge
        self.leadingEdge = leadingEdge
        self.path = path
    }

    /// True when SPM_TRAIL == 0 and SPM_LEAD == 0x80000000: "no window
    /// information is present in the packet".
    public var hasNoWindowInformation: Bool { trailingEdge == 0 && leadingEdge == 0x8000_0000 }
}

/// POLL type-specific fields (RFC 3208 section 14.7.1).
public struct PGMPoll: Hashable, Sendable {
    /// POLL_SQN.
    public var sequence: UInt32
    /// POLL_ROUND.
    public var round: UInt16
    /// POLL_S_TYPE; see `general` and `dlr`.
    public var subtype: UInt16
    /// POLL_PATH.
    public var path: PGMNLA
    /// POLL_BO_IVL in microseconds.
    public var backoffInterval: UInt32
    /// POLL_RAND.
    public var randomString: UInt32
    /// POLL_MASK.
    public var matchingMask: UInt32

    /// PGM_POLL_GENERAL.
    public static let general: UInt16 = 0
    /// PGM_POLL_DLR.
    public static let dlr: UInt16 = 1

    public init(
        sequence: UInt32, round: UInt16, subtype: UInt16, path: PGMNLA,
        backoffInterval: UInt32, randomString: UInt32, matchingMask: UInt32
    ) {
        self.sequence = sequence
        self.round = round
        self.subtype = subtype
        self.path = path
        self.backoffInterval = backoffInterval
        self.randomString = randomString
        self.matchingMask = matchingMask
    }
}

/// POLR type-specific fields (RFC 3208 section 14.7.2).
public struct PGMPolr: Hashable, Sendable {
    /// POLR_SQN: the POLL_SQN answered.
    public var sequence: UInt32
    /// POLR_ROUND: the POLL_ROUND answered.
    public var round: UInt16

    public init(sequence: UInt32, round: UInt16) {
        self.sequence = sequence
        self.round = round
    }
}

/// ODATA and RDATA type-specific fields and data (RFC 3208 section 8.2).
public struct PGMData: Hashable, Sendable {
    /// OD_SQN / RD_SQN.
    public var sequence: UInt32
    /// OD_TRAIL / RD_TRAIL: TXW_TRAIL.
    public var trailingEdge: UInt32
    /// The TSDU. A decoded packet's payload shares the input's storage.
    public var payload: ArraySlice<UInt8>

    public init(sequence: UInt32, trailingEdge: UInt32, payload: ArraySlice<UInt8> = []) {
        self.sequence = sequence
        self.trailingEdge = trailingEdge
        self.payload = payload
    }

    public init(sequence: UInt32, trailingEdge: UInt32, payload: [UInt8]) {
        self.init(sequence: sequence, trailingEdge: trailingEdge, payload: payload[...])
    }

    public static func == (a: PGMData, b: PGMData) -> Bool {
        a.sequence == b.sequence && a.trailingEdge == b.trailingEdge && a.payload.elementsEqual(b.payload)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(sequence)
        hasher.combine(trailingEdge)
        hasher.combine(payload.count)
        for b in payload { hasher.combine(b) }
    }
}

/// NAK, NNAK and NCF type-specific fields (RFC 3208 section 8.3).
public struct PGMNak: Hashable, Sendable {
    /// NAK_SQN / NNAK_SQN / NCF_SQN.
    public var sequence: UInt32
    /// NAK_SRC: the unicast NLA of the original source.
    public var source: PGMNLA
    /// NAK_GRP: the multicast group NLA.
    public var group: PGMNLA

    public init(sequence: UInt32, source: PGMNLA, group: PGMNLA) {
        self.sequence = sequence
        self.source = source
        self.group = group
    }
}

/// ACK type-specific fields (PGMCC draft section 2.1.2/2.1.3).
public struct PGMAck: Hashable, Sendable {
    /// RX_MAX: the highest sequence number received.
    public var rxMax: UInt32
    /// ACK_BITMAP: bit 0 (least significant) is RX_MAX, bit n is RX_MAX - n.
    public var bitmap: UInt32

    public init(rxMax: UInt32, bitmap: UInt32) {
        self.rxMax = rxMax
        self.bitmap = bitmap
    }
}

/// The type-specific part of a packet, by packet type.
public enum PGMBody: Hashable, Sendable {
    case spm(PGMSPM)
    case poll(PGMPoll)
    case polr(PGMPolr)
    case odata(PGMData)
    case rdata(PGMData)
    case nak(PGMNak)
    case nnak(PGMNak)
    case ncf(PGMNak)
    case spmr
    case ack(PGMAck)

    /// The packet type this body belongs to.
    public var type: PGMPacketType {
        switch self {
        case .spm: return .spm
        case .poll: return .poll
        case .polr: return .polr
        case .odata: return .odata
        case .rdata: return .rdata
        case .nak: return .nak
        case .nnak: return .nnak
        case .ncf: return .ncf
        case .spmr: return .spmr
        case .ack: return .ack
        }
    }

    /// Octets of the type-specific part (data excluded).
    public var encodedLength: Int {
        switch self {
        case .spm(let s): return 12 + s.path.encodedLength
        case .poll(let p): return 8 + p.path.encodedLength + 12
        case .polr, .odata, .rdata, .ack: return 8
        case .nak(let n), .nnak(let n), .ncf(let n): return 4 + n.source.encodedLength + n.group.encodedLength
        case .spmr: return 0
        }
    }
}

/// A PGM packet: the transport header, its options and, for ODATA and RDATA,
/// the data (RFC 3208 section 8).
///
/// The value holds no checksum and no TSDU Length: the encoder computes both
/// and the decoder checks both. Two packets are equal when they encode to the
/// same octets, checksum aside.
public struct PGMPacket: Hashable, Sendable {
    /// The Source Port field (data-source port downstream, data-destination
    /// port upstream; see `PGMPacketType.isUpstream`).
    public var sourcePort: UInt16
    /// The Destination Port field.
    public var destinationPort: UInt16
    /// The header Options bits other than options-present.
    public var flags: PGMHeaderFlags
    /// The Global Source ID.
    public var gsi: GSI
    /// Type-specific fields (and data).
    public var body: PGMBody
    /// Option extensions.
    public var options: PGMOptions

    public init(
        sourcePort: UInt16, destinationPort: UInt16, gsi: GSI, body: PGMBody,
        options: PGMOptions = PGMOptions(), flags: PGMHeaderFlags = []
    ) {
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.gsi = gsi
        self.body = body
        self.options = options
        self.flags = flags
    }

    /// The packet type.
    public var type: PGMPacketType { body.type }

    /// The TSI: the GSI with the data-source port, which is the Source Port
    /// field downstream and the Destination Port field upstream.
    public var tsi: TSI {
        TSI(gsi: gsi, sourcePort: type.isUpstream ? destinationPort : sourcePort)
    }

    /// The data-destination port (the other port of the pair).
    public var dataDestinationPort: UInt16 { type.isUpstream ? sourcePort : destinationPort }

    /// The TSDU of ODATA and RDATA; empty for other types.
    public var payload: ArraySlice<UInt8> {
        switch body {
        case .odata(let d), .rdata(let d): return d.payload
        default: return []
        }
    }

    /// Octets of the transport header: common header, type-specific part,
    /// options (RFC 3208 section 8's TH length).
    public var headerLength: Int { 16 + body.encodedLength + options.encodedLength }

    /// Octets of the whole packet.
    public var encodedLength: Int { headerLength + payload.count }

    /// This packet with the network-significant bit set as RFC 3208 section 8
    /// defines it for its options.
    public var withComputedNetworkSignificance: PGMPacket {
        var copy = self
        if options.networkSignificant(in: type) {
            copy.flags.insert(.networkSignificant)
        } else {
            copy.flags.remove(.networkSignificant)
        }
        return copy
    }
}

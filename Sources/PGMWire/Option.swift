/// Option type numbers (RFC 3208 section 3.6.5, Appendices A, B, E; the
/// PGMCC options as numbered by PGM implementations, since the PGMCC draft
/// leaves packet formats to the transport).
public enum PGMOptionType {
    public static let length: UInt8 = 0x00
    public static let fragment: UInt8 = 0x01
    public static let nakList: UInt8 = 0x02
    public static let join: UInt8 = 0x03
    public static let nakBackoffInterval: UInt8 = 0x04
    public static let nakBackoffRange: UInt8 = 0x05
    public static let redirect: UInt8 = 0x07
    public static let parityParameters: UInt8 = 0x08
    public static let parityGroup: UInt8 = 0x09
    public static let currentGroupSize: UInt8 = 0x0A
    public static let neighborUnreachable: UInt8 = 0x0B
    public static let pathNLA: UInt8 = 0x0C
    public static let syn: UInt8 = 0x0D
    public static let fin: UInt8 = 0x0E
    public static let reset: UInt8 = 0x0F
    public static let congestionReport: UInt8 = 0x10
    public static let congestionReportRequest: UInt8 = 0x11
    public static let pgmccData: UInt8 = 0x12
    public static let pgmccFeedback: UInt8 = 0x13
    /// OPT_CONFIRM: this project's confirmed delivery (docs/confirmed-delivery.md),
    /// a type no other PGM implementation uses; OPX "ignore" for the others.
    public static let confirm: UInt8 = 0x21
    public static let invalid: UInt8 = 0x7F

    /// The OPT_END bit of the option type octet.
    public static let endBit: UInt8 = 0x80

    /// OPT_PARITY_PRM's P bit (PARITY_PRM_PRO) in its option-specific octet,
    /// OpenPGM's value (RFC 3208 section 11.8.1 draws it one bit to the left).
    public static let parityProactive: UInt8 = 0x01
    /// OPT_PARITY_PRM's O bit (PARITY_PRM_OND), OpenPGM's value.
    public static let parityOnDemand: UInt8 = 0x02

    /// Every type this codec decodes into its own case.
    public static let known: Set<UInt8> = [
        length, fragment, nakList, join, nakBackoffInterval, nakBackoffRange, redirect,
        parityParameters, parityGroup, currentGroupSize, neighborUnreachable, pathNLA,
        syn, fin, reset, congestionReport, congestionReportRequest, pgmccData, pgmccFeedback, confirm, invalid,
    ]

    /// OPT_CONFIRM's JOIN bit (the receiver's first) in its option-specific bits.
    public static let confirmJoin: UInt8 = 0x01
    /// OPT_CONFIRM's BYE bit (the receiver leaves).
    public static let confirmBye: UInt8 = 0x02
    /// OPT_CONFIRM's LOST bit (with BYE: the receiver lost CONFIRMED + 1 and
    /// stops confirming).
    public static let confirmLost: UInt8 = 0x04
}

/// The two Option Extensibility (OPX) bits: what a network element that does
/// not know an option does with it (RFC 3208 section 9).
public enum PGMOptionExtensibility: UInt8, Hashable, Sendable, CaseIterable {
    /// 00: ignore the option.
    case ignore = 0
    /// 01: invalidate the option by changing its type to OPT_INVALID.
    case invalidate = 1
    /// 10: discard the packet.
    case discard = 2
    /// 11: "Unsupported, and reserved for future use"; kept as received.
    case reserved = 3
}

/// OPT_CR / OPT_CRQST report selectors L, P, R (RFC 3208 section 12.7).
public struct PGMCongestionReportFlags: OptionSet, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// L: NE worst link (OPT_CR_NE_WL).
    public static let neWorstLink = PGMCongestionReportFlags(rawValue: 0x04)
    /// P: NE worst path (OPT_CR_NE_WP).
    public static let neWorstPath = PGMCongestionReportFlags(rawValue: 0x02)
    /// R: receiver worst path (OPT_CR_RX_WP).
    public static let receiverWorstPath = PGMCongestionReportFlags(rawValue: 0x01)
    /// All three.
    public static let all: PGMCongestionReportFlags = [.neWorstLink, .neWorstPath, .receiverWorstPath]
}

/// The contents of OPT_CR (RFC 3208 section 12.7.1).
public struct PGMCongestionReport: Hashable, Sendable {
    /// Which loads are being reported.
    public var flags: PGMCongestionReportFlags
    /// OPT_CR_LEAD: the ODATA sequence number the report refers to.
    public var referenceSequence: UInt32
    /// OPT_CR_NE_WL.
    public var neWorstLink: UInt16
    /// OPT_CR_NE_WP.
    public var neWorstPath: UInt16
    /// OPT_CR_RX_WP.
    public var receiverWorstPath: UInt16
    /// OPT_CR_RCVR: the receiver that reported the worst path.
    public var worstReceiver: PGMNLA

    public init(
        flags: PGMCongestionReportFlags, referenceSequence: UInt32, neWorstLink: UInt16,
        neWorstPath: UInt16, receiverWorstPath: UInt16, worstReceiver: PGMNLA
    ) {
        self.flags = flags
        self.referenceSequence = referenceSequence
        self.neWorstLink = neWorstLink
        self.neWorstPath = neWorstPath
        self.receiverWorstPath = receiverWorstPath
        self.worstReceiver = worstReceiver
    }
}

/// One option extension (RFC 3208 section 9), other than OPT_LENGTH, which
/// the codec derives.
///
/// The common header is `E | type (7) | length (8) | reserved (5) F OPX (2) |
/// U | option-specific (7)`. E (OPT_END) is derived from the option's position;
/// OPX is `extensibility`; an option with F (OP_ENCODED) set is an FEC-encoded
/// option, `.encoded`, whose octets from the fourth on (U and option-specific
/// bits included) are parity data (RFC 3208 Appendix A, "Payload-specific
/// options"); every other option has F = 0 and U = 0.
public struct PGMOption: Hashable, Sendable {
    /// What the option says.
    public var kind: Kind
    /// The OPX bits.
    public var extensibility: PGMOptionExtensibility

    public init(_ kind: Kind, extensibility: PGMOptionExtensibility = .ignore) {
        self.kind = kind
        self.extensibility = extensibility
    }

    /// The option types and their contents.
    public enum Kind: Hashable, Sendable {
        /// OPT_FRAGMENT (9.2.4): first sequence number of the APDU, this
        /// fragment's offset in it (OPT_FRAG_OFF), the APDU length (OPT_FRAG_LEN).
        case fragment(firstSequence: UInt32, offset: UInt32, length: UInt32)
        /// OPT_NAK_LIST (9.3.5): 1 to 62 further requested sequence numbers.
        case nakList([UInt32])
        /// OPT_JOIN (9.4.3): minimum sequence number for late joiners.
        case join(minimumSequence: UInt32)
        /// OPT_NAK_BO_IVL (15.4.1): NAK_BO_IVL in microseconds and the POLL_SQN
        /// it belongs to (0: not from polling).
        case nakBackoffInterval(interval: UInt32, pollSequence: UInt32)
        /// OPT_NAK_BO_RNG (15.4.2): NAK_BO_IVL_MAX then NAK_BO_IVL_MIN, in
        /// microseconds, in that wire order.
        case nakBackoffRange(maximum: UInt32, minimum: UInt32)
        /// OPT_REDIRECT (9.5.5): the DLR's NLA.
        case redirect(PGMNLA)
        /// OPT_PARITY_PRM (11.8.1): P (pro-active), O (on-demand), transmission
        /// group size. At least one of P and O is set. On the wire P is 0x01
        /// and O is 0x02 in the option-specific bits, as OpenPGM 5.3 writes
        /// and reads them (`PGM_PARITY_PRM_PRO`, `PGM_PARITY_PRM_OND`); the
        /// RFC's drawing, and Wireshark, put them the other way round.
        case parityParameters(proactive: Bool, onDemand: Bool, groupSize: UInt32)
        /// OPT_PARITY_GRP (11.8.2): parity group number, never zero.
        case parityGroup(UInt32)
        /// OPT_CURR_TGSIZE (11.8.3): actual transmission group size.
        case currentGroupSize(UInt32)
        /// OPT_NBR_UNREACH (15.4.3).
        case neighborUnreachable
        /// OPT_PATH_NLA (15.4.4): a bare address, its family given by the option
        /// length (8: IPv4, 20: IPv6), as drawn in the RFC's figure (no AFI).
        case pathNLA(PGMNLA)
        /// OPT_SYN (9.6.4).
        case syn
        /// OPT_FIN (9.7.4).
        case fin
        /// OPT_RST (9.8.4): N (NAKs go unanswered) and the 6-bit error code.
        case reset(noNAKs: Bool, errorCode: UInt8)
        /// OPT_CR (12.7.1).
        case congestionReport(PGMCongestionReport)
        /// OPT_CRQST (12.7.2): which reports are requested.
        case congestionReportRequest(PGMCongestionReportFlags)
        /// OPT_PGMCC_DATA: the sender's timestamp and the current ACKER
        /// (time stamp, AFI, reserved, ACKER NLA).
        case pgmccData(timestamp: UInt32, acker: PGMNLA)
        /// OPT_PGMCC_FEEDBACK: the echoed timestamp, the receiver's loss rate
        /// (0 = none, 0xFFFF = 100%) and its NLA (time stamp, AFI, loss rate, NLA).
        case pgmccFeedback(timestamp: UInt32, lossRate: UInt16, receiver: PGMNLA)
        /// OPT_CONFIRM (docs/confirmed-delivery.md): every sequence number up
        /// to `confirmed` has reached the receiver `receiverID` (random per
        /// receiver socket and session); JOIN marks its first, BYE its last,
        /// LOST (with BYE) a receiver that lost `confirmed` + 1 and stops.
        case confirm(confirmed: UInt32, receiverID: UInt32, join: Bool, bye: Bool, lost: Bool)
        /// OPT_INVALID (0x7F): an option a network element invalidated. The
        /// 7 option-specific bits and the value octets are kept as received.
        case invalidated(specific: UInt8, value: [UInt8])
        /// An option with OP_ENCODED (F) set: `type` (1...127) and the octets
        /// from the fourth on (the U bit and option-specific bits first), which
        /// hold FEC parity rather than a plain value.
        case encoded(type: UInt8, parity: [UInt8])
        /// Any other type: the 7 option-specific bits and value octets as received.
        case unknown(type: UInt8, specific: UInt8, value: [UInt8])

        /// The 7-bit option type.
        public var type: UInt8 {
            switch self {
            case .fragment: return PGMOptionType.fragment
            case .nakList: return PGMOptionType.nakList
            case .join: return PGMOptionType.join
            case .nakBackoffInterval: return PGMOptionType.nakBackoffInterval
            case .nakBackoffRange: return PGMOptionType.nakBackoffRange
            case .redirect: return PGMOptionType.redirect
            case .parityParameters: return PGMOptionType.parityParameters
            case .parityGroup: return PGMOptionType.parityGroup
            case .currentGroupSize: return PGMOptionType.currentGroupSize
            case .neighborUnreachable: return PGMOptionType.neighborUnreachable
            case .pathNLA: return PGMOptionType.pathNLA
            case .syn: return PGMOptionType.syn
            case .fin: return PGMOptionType.fin
            case .reset: return PGMOptionType.reset
            case .congestionReport: return PGMOptionType.congestionReport
            case .congestionReportRequest: return PGMOptionType.congestionReportRequest
            case .pgmccData: return PGMOptionType.pgmccData
            case .pgmccFeedback: return PGMOptionType.pgmccFeedback
            case .confirm: return PGMOptionType.confirm
            case .invalidated: return PGMOptionType.invalid
            case .encoded(let type, _): return type
            case .unknown(let type, _, _): return type
            }
        }
    }

    /// OP_ENCODED (F).
    public var isEncoded: Bool {
        if case .encoded = kind { return true }
        return false
    }

    /// OP_ENCODED_NULL (U) as it appears on the wire. Only an encoded option
    /// can have it set; there it is a parity bit like the rest of its octet.
    public var encodedNullBit: Bool {
        if case .encoded(_, let parity) = kind, let first = parity.first { return first & 0x80 != 0 }
        return false
    }

    /// Whether RFC 3208 calls this option network-significant in a packet of
    /// `packetType` (the basis of the header's network-significant bit).
    /// OPT_CURR_TGSIZE is, "except when appended to ODATA". The PGMCC options,
    /// OPT_INVALID, encoded and unknown options count as not significant.
    public func isNetworkSignificant(in packetType: PGMPacketType) -> Bool {
        switch kind {
        case .nakList, .redirect, .parityParameters, .neighborUnreachable, .pathNLA,
             .congestionReport, .congestionReportRequest, .nakBackoffInterval, .nakBackoffRange:
            return true
        case .currentGroupSize:
            return packetType != .odata
        case .fragment, .join, .parityGroup, .syn, .fin, .reset, .pgmccData, .pgmccFeedback, .confirm,
             .invalidated, .encoded, .unknown:
            return false
        }
    }

    /// Octets this option takes on the wire.
    public var encodedLength: Int {
        switch kind {
        case .fragment: return 16
        case .nakList(let list): return 4 + 4 * list.count
        case .join, .parityParameters, .parityGroup, .currentGroupSize: return 8
        case .nakBackoffInterval, .nakBackoffRange: return 12
        case .redirect(let nla): return 4 + nla.encodedLength
        case .neighborUnreachable, .syn, .fin, .reset, .congestionReportRequest: return 4
        case .pathNLA(let nla): return 4 + nla.addressLength
        case .congestionReport(let r): return 16 + r.worstReceiver.encodedLength
        case .pgmccData(_, let nla), .pgmccFeedback(_, _, let nla): return 8 + nla.encodedLength
        case .confirm: return 12
        case .invalidated(_, let value), .unknown(_, _, let value): return 4 + value.count
        case .encoded(_, let parity): return 3 + parity.count
        }
    }

    /// Throws when the option cannot be written as it stands.
    func checkEncodable() throws(PGMWireError) {
        switch kind {
        case .nakList(let list):
            guard (1...62).contains(list.count) else { throw .valueOutOfRange(.nakListCount) }
        case .parityParameters(let p, let o, _):
            guard p || o else { throw .valueOutOfRange(.parityMode) }
        case .parityGroup(let g):
            guard g != 0 else { throw .valueOutOfRange(.parityGroup) }
        case .reset(_, let code):
            guard code < 64 else { throw .valueOutOfRange(.rstErrorCode) }
        case .congestionReport(let r):
            guard PGMCongestionReportFlags.all.isSuperset(of: r.flags) else { throw .valueOutOfRange(.optionSpecific) }
        case .congestionReportRequest(let f):
            guard PGMCongestionReportFlags.all.isSuperset(of: f) else { throw .valueOutOfRange(.optionSpecific) }
        case .invalidated(let specific, let value):
            guard specific < 0x80 else { throw .valueOutOfRange(.optionSpecific) }
            guard value.count <= 251 else { throw .valueOutOfRange(.optionLength) }
        case .unknown(let type, let specific, let value):
            guard type != 0, type < 0x80, !PGMOptionType.known.contains(type) else {
                throw .valueOutOfRange(.optionType)
            }
            guard specific < 0x80 else { throw .valueOutOfRange(.optionSpecific) }
            guard value.count <= 251 else { throw .valueOutOfRange(.optionLength) }
        case .encoded(let type, let parity):
            guard type != 0, type < 0x80 else { throw .valueOutOfRange(.optionType) }
            guard (1...252).contains(parity.count) else { throw .valueOutOfRange(.optionLength) }
        case .fragment, .join, .nakBackoffInterval, .nakBackoffRange, .redirect, .currentGroupSize,
             .neighborUnreachable, .pathNLA, .syn, .fin, .pgmccData, .pgmccFeedback, .confirm:
            break
        }
    }

    /// Writes the option; `checkEncodable()` must have passed.
    func write(into w: inout ByteWriter, end: Bool) {
        w.u8(kind.type | (end ? PGMOptionType.endBit : 0))
        w.u8(UInt8(truncatingIfNeeded: encodedLength))
        let flagsOctet = extensibility.rawValue | (isEncoded ? 0x04 : 0)
        w.u8(flagsOctet)
        switch kind {
        case .fragment(let first, let offset, let length):
            w.u8(0)
            w.u32(first)
            w.u32(offset)
            w.u32(length)
        case .nakList(let list):
            w.u8(0)
            for s in list { w.u32(s) }
        case .join(let min):
            w.u8(0)
            w.u32(min)
        case .nakBackoffInterval(let ivl, let sqn):
            w.u8(0)
            w.u32(ivl)
            w.u32(sqn)
        case .nakBackoffRange(let max, let min):
            w.u8(0)
            w.u32(max)
            w.u32(min)
        case .redirect(let nla):
            w.u8(0)
            w.nla(nla)
        case .parityParameters(let p, let o, let size):
            w.u8((p ? PGMOptionType.parityProactive : 0) | (o ? PGMOptionType.parityOnDemand : 0))
            w.u32(size)
        case .parityGroup(let g):
            w.u8(0)
            w.u32(g)
        case .currentGroupSize(let s):
            w.u8(0)
            w.u32(s)
        case .neighborUnreachable, .syn, .fin:
            w.u8(0)
        case .pathNLA(let nla):
            w.u8(0)
            switch nla {
            case .ipv4(let a): w.u32(a.rawValue)
            case .ipv6(let a):
                w.u64(a.high)
                w.u64(a.low)
            }
        case .reset(let n, let code):
            w.u8((n ? 0x40 : 0) | (code & 0x3F))
        case .congestionReport(let r):
            w.u8(r.flags.rawValue)
            w.u32(r.referenceSequence)
            w.u16(r.neWorstLink)
            w.u16(r.neWorstPath)
            w.u16(r.receiverWorstPath)
            w.u16(0)
            w.nla(r.worstReceiver)
        case .congestionReportRequest(let f):
            w.u8(f.rawValue)
        case .pgmccData(let ts, let acker):
            w.u8(0)
            w.u32(ts)
            w.u16(acker.afi)
            w.u16(0)
            writeAddress(acker, &w)
        case .pgmccFeedback(let ts, let loss, let receiver):
            w.u8(0)
            w.u32(ts)
            w.u16(receiver.afi)
            w.u16(loss)
            writeAddress(receiver, &w)
        case .confirm(let confirmed, let id, let join, let bye, let lost):
            w.u8((join ? PGMOptionType.confirmJoin : 0) | (bye ? PGMOptionType.confirmBye : 0)
                 | (lost ? PGMOptionType.confirmLost : 0))
            w.u32(confirmed)
            w.u32(id)
        case .invalidated(let specific, let value), .unknown(_, let specific, let value):
            w.u8(specific)
            w.bytes(value)
        case .encoded(_, let parity):
            w.bytes(parity)
        }
    }
}

private func writeAddress(_ nla: PGMNLA, _ w: inout ByteWriter) {
    switch nla {
    case .ipv4(let a): w.u32(a.rawValue)
    case .ipv6(let a):
        w.u64(a.high)
        w.u64(a.low)
    }
}

// MARK: - Reading one option

extension PGMOption {
    /// Checks the option of `length` octets at `pos` in `p` (its type octet
    /// without the E bit is `type`, already known not to be OPT_LENGTH; the
    /// caller has checked that `length` octets are present). Allocates nothing.
    static func validate(_ p: UnsafeRawBufferPointer, at pos: Int, length len: Int, type: UInt8) throws(PGMWireError) {
        guard len >= 4 else { throw .malformedOption(type: type, .wrongLength(len)) }
        let flags = p[pos + 2]
        guard flags & 0xF8 == 0 else { throw .reservedBitsSet(.optionCommonHeader(type: type)) }
        if flags & 0x04 != 0 { return }  // OP_ENCODED: octets 3... are parity.
        let specific = p[pos + 3]
        guard specific & 0x80 == 0 else { throw .malformedOption(type: type, .encodedNullWithoutEncoded) }

        func exact(_ n: Int) throws(PGMWireError) {
            guard len == n else { throw .malformedOption(type: type, .wrongLength(len)) }
        }
        func noSpecific(_ mask: UInt8 = 0x7F) throws(PGMWireError) {
            guard specific & mask == 0 else { throw .reservedBitsSet(.optionSpecific(type: type)) }
        }
        /// AFI at `at`, then `reserved` (checked when `checkReserved`), then the
        /// address, which must end the option.
        func nla(at offset: Int, field: PGMNLAField, checkReserved: Bool) throws(PGMWireError) {
            guard len >= offset + 4 else { throw .malformedOption(type: type, .wrongLength(len)) }
            let afi = p.be16(pos + offset)
            let addressLength: Int
            switch afi {
            case PGMNLA.afiIPv4: addressLength = 4
            case PGMNLA.afiIPv6: addressLength = 16
            default: throw .badAFI(afi, field)
            }
            try exact(offset + 4 + addressLength)
            if checkReserved && p.be16(pos + offset + 2) != 0 { throw .reservedBitsSet(.nlaReserved(field)) }
        }

        switch type {
        case PGMOptionType.fragment:
            try exact(16)
            try noSpecific()
        case PGMOptionType.nakList:
            guard len >= 4, (len - 4) % 4 == 0 else { throw .malformedOption(type: type, .wrongLength(len)) }
            let n = (len - 4) / 4
            guard (1...62).contains(n) else { throw .malformedOption(type: type, .nakListCount(n)) }
            try noSpecific()
        case PGMOptionType.join, PGMOptionType.currentGroupSize:
            try exact(8)
            try noSpecific()
        case PGMOptionType.nakBackoffInterval, PGMOptionType.nakBackoffRange:
            try exact(12)
            try noSpecific()
        case PGMOptionType.redirect:
            try noSpecific()
            try nla(at: 4, field: .redirectDLR, checkReserved: true)
        case PGMOptionType.parityParameters:
            try exact(8)
            try noSpecific(0x7C)
            guard specific & 0x03 != 0 else { throw .malformedOption(type: type, .noParityMode) }
        case PGMOptionType.parityGroup:
            try exact(8)
            try noSpecific()
            guard p.be32(pos + 4) != 0 else { throw .malformedOption(type: type, .zeroParityGroup) }
        case PGMOptionType.neighborUnreachable, PGMOptionType.syn, PGMOptionType.fin:
            try exact(4)
            try noSpecific()
        case PGMOptionType.pathNLA:
            guard len == 8 || len == 20 else { throw .malformedOption(type: type, .wrongLength(len)) }
            try noSpecific()
        case PGMOptionType.reset:
            try exact(4)
        case PGMOptionType.congestionReport:
            try noSpecific(0x78)
            guard len >= 16 else { throw .malformedOption(type: type, .wrongLength(len)) }
            guard p.be16(pos + 14) == 0 else { throw .reservedBitsSet(.congestionReportReserved) }
            try nla(at: 16, field: .congestionReportReceiver, checkReserved: true)
        case PGMOptionType.congestionReportRequest:
            try exact(4)
            try noSpecific(0x78)
        case PGMOptionType.pgmccData:
            try noSpecific()
            try nla(at: 8, field: .pgmccAcker, checkReserved: true)
        case PGMOptionType.pgmccFeedback:
            try noSpecific()
            try nla(at: 8, field: .pgmccAcker, checkReserved: false)
        case PGMOptionType.confirm:
            try exact(12)
            try noSpecific(0x78)
        default:
            // OPT_INVALID and unknown types: any length of at least 4.
            break
        }
    }

    /// Builds the option of `length` octets at `pos`, which `validate` has
    /// accepted. Allocates only for list and byte-string contents.
    static func materialize(_ p: UnsafeRawBufferPointer, at pos: Int, length len: Int) -> PGMOption {
        let type = p[pos] & 0x7F
        let flags = p[pos + 2]
        let opx = PGMOptionExtensibility(rawValue: flags & 0x03) ?? .ignore
        func bytes(from start: Int) -> [UInt8] { Array(p[(pos + start)..<(pos + len)]) }
        if flags & 0x04 != 0 {
            return PGMOption(.encoded(type: type, parity: bytes(from: 3)), extensibility: opx)
        }
        let specific = p[pos + 3] & 0x7F
        func u32(_ o: Int) -> UInt32 { p.be32(pos + o) }
        func nla(_ o: Int) -> PGMNLA { readBareAddress(p, at: pos + o + 4, length: len - o - 4) }
        let kind: Kind
        switch type {
        case PGMOptionType.fragment: kind = .fragment(firstSequence: u32(4), offset: u32(8), length: u32(12))
        case PGMOptionType.nakList: kind = .nakList((0..<((len - 4) / 4)).map { u32(4 + 4 * $0) })
        case PGMOptionType.join: kind = .join(minimumSequence: u32(4))
        case PGMOptionType.nakBackoffInterval: kind = .nakBackoffInterval(interval: u32(4), pollSequence: u32(8))
        case PGMOptionType.nakBackoffRange: kind = .nakBackoffRange(maximum: u32(4), minimum: u32(8))
        case PGMOptionType.redirect: kind = .redirect(nla(4))
        case PGMOptionType.parityParameters:
            kind = .parityParameters(proactive: specific & PGMOptionType.parityProactive != 0,
                                     onDemand: specific & PGMOptionType.parityOnDemand != 0, groupSize: u32(4))
        case PGMOptionType.parityGroup: kind = .parityGroup(u32(4))
        case PGMOptionType.currentGroupSize: kind = .currentGroupSize(u32(4))
        case PGMOptionType.neighborUnreachable: kind = .neighborUnreachable
        case PGMOptionType.pathNLA: kind = .pathNLA(readBareAddress(p, at: pos + 4, length: len - 4))
        case PGMOptionType.syn: kind = .syn
        case PGMOptionType.fin: kind = .fin
        case PGMOptionType.reset: kind = .reset(noNAKs: specific & 0x40 != 0, errorCode: specific & 0x3F)
        case PGMOptionType.congestionReport:
            kind = .congestionReport(PGMCongestionReport(
                flags: PGMCongestionReportFlags(rawValue: specific & 0x07), referenceSequence: u32(4),
                neWorstLink: p.be16(pos + 8), neWorstPath: p.be16(pos + 10),
                receiverWorstPath: p.be16(pos + 12), worstReceiver: nla(16)))
        case PGMOptionType.congestionReportRequest:
            kind = .congestionReportRequest(PGMCongestionReportFlags(rawValue: specific & 0x07))
        case PGMOptionType.pgmccData: kind = .pgmccData(timestamp: u32(4), acker: nla(8))
        case PGMOptionType.pgmccFeedback:
            kind = .pgmccFeedback(timestamp: u32(4), lossRate: p.be16(pos + 10), receiver: nla(8))
        case PGMOptionType.confirm:
            kind = .confirm(confirmed: u32(4), receiverID: u32(8), join: specific & PGMOptionType.confirmJoin != 0,
                            bye: specific & PGMOptionType.confirmBye != 0,
                            lost: specific & PGMOptionType.confirmLost != 0)
        case PGMOptionType.invalid: kind = .invalidated(specific: specific, value: bytes(from: 4))
        default: kind = .unknown(type: type, specific: specific, value: bytes(from: 4))
        }
        return PGMOption(kind, extensibility: opx)
    }
}

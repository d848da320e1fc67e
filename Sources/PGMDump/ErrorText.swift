import PGMWire

/// One-line English text for each `PGMWireError`, as `pgm-dump` prints it.
public enum WireErrorText {
    public static func text(_ e: PGMWireError) -> String {
        switch e {
        case .truncated(let region, let needed, let available):
            return "truncated \(text(region)): \(needed) octets needed, \(available) present"
        case .unsupportedVersion(let v):
            return "unsupported version \(v) in the type field"
        case .unknownPacketType(let t):
            return "unknown packet type 0x\(hex(t, 2))"
        case .reservedBitsSet(let field):
            return "reserved bits set in \(text(field))"
        case .checksumMismatch(let found, let expected):
            return "bad checksum 0x\(hex(found, 4)), expected 0x\(hex(expected, 4))"
        case .checksumMissing(let type):
            return "\(type) without a checksum"
        case .badOptLength(let problem):
            switch problem {
            case .notFirst(let t): return "options present but the first option is type 0x\(hex(t, 2)), not OPT_LENGTH"
            case .wrongLength(let l): return "OPT_LENGTH with option length \(l), not 4"
            case .totalTooSmall(let t): return "OPT_LENGTH total \(t) is smaller than OPT_LENGTH"
            case .repeated(let i): return "OPT_LENGTH repeated as option \(i)"
            }
        case .optionsOverrun(let declared, let available):
            return "options total \(declared) octets but \(available) remain"
        case .optionsLengthMismatch(let declared, let actual):
            return "option lengths add up to \(actual), OPT_LENGTH says \(declared)"
        case .missingOptEnd:
            return "no option carries OPT_END"
        case .tooManyOptions:
            return "more than 16 options"
        case .badAFI(let afi, let field):
            return "bad AFI \(afi) in \(text(field))"
        case .tsduLengthMismatch(let declared, let actual):
            return "TSDU length \(declared) but \(actual) octets of data"
        case .unexpectedPayload(let type, let length):
            return "\(type) carries \(length) octets of data"
        case .variableLengthWithoutParity:
            return "OPT_VAR_PKTLEN without OPT_PARITY in the header options"
        case .malformedOption(let type, let problem):
            let name = OptionNames.name(type)
            switch problem {
            case .wrongLength(let l): return "\(name) with bad length \(l)"
            case .nakListCount(let n): return "\(name) lists \(n) sequence numbers (1 to 62 allowed)"
            case .encodedNullWithoutEncoded: return "\(name) has OP_ENCODED_NULL without OP_ENCODED"
            case .noParityMode: return "\(name) has neither P nor O set"
            case .zeroParityGroup: return "\(name) has parity group 0"
            }
        case .valueOutOfRange(let field):
            return "value out of range for \(field)"
        case .bufferTooSmall(let needed, let available):
            return "buffer too small: \(needed) octets needed, \(available) available"
        case .badIPv4Header(let problem):
            switch problem {
            case .notIPv4(let v): return "IP version \(v), not 4"
            case .badHeaderLength(let l): return "bad IPv4 header length \(l)"
            case .totalLengthMismatch(let declared, let actual):
                return "IPv4 total length \(declared) but \(actual) octets"
            case .headerChecksum: return "bad IPv4 header checksum"
            case .fragmented: return "IPv4 fragment"
            case .unexpectedProtocol(let p): return "IP protocol \(p), not PGM or UDP"
            }
        case .badUDPHeader(let problem):
            switch problem {
            case .lengthMismatch(let declared, let actual): return "UDP length \(declared) but \(actual) octets"
            case .checksum: return "bad UDP checksum"
            case .missingChecksum: return "zero UDP checksum over IPv6"
            }
        case .badIPv6Header(let problem):
            switch problem {
            case .notIPv6(let v): return "IP version \(v), not 6"
            case .payloadLengthMismatch(let declared, let actual):
                return "IPv6 payload length \(declared) but \(actual) octets"
            case .tooManyExtensionHeaders:
                return "more than \(PGMFraming.ipv6ExtensionHeaderLimit) IPv6 extension headers"
            case .hopByHopNotFirst: return "IPv6 hop-by-hop options header not first"
            case .fragmented: return "IPv6 fragment"
            case .unexpectedNextHeader(let n): return "IPv6 next header \(n), not PGM or UDP"
            }
        }
    }

    static func text(_ region: PGMWireRegion) -> String {
        switch region {
        case .header: return "PGM header"
        case .typeSpecific(let t): return "\(t) header"
        case .nla(let f): return text(f)
        case .optLength: return "OPT_LENGTH"
        case .ipv4Header: return "IPv4 header"
        case .udpHeader: return "UDP header"
        case .ipv6Header: return "IPv6 header"
        case .ipv6ExtensionHeader(let type): return "IPv6 extension header \(type)"
        }
    }

    static func text(_ field: PGMNLAField) -> String {
        switch field {
        case .spmPath: return "SPM path NLA"
        case .pollPath: return "POLL path NLA"
        case .nakSource: return "source NLA"
        case .nakGroup: return "group NLA"
        case .redirectDLR: return "OPT_REDIRECT NLA"
        case .pathNLA: return "OPT_PATH_NLA"
        case .congestionReportReceiver: return "OPT_CR receiver NLA"
        case .pgmccAcker: return "PGMCC NLA"
        }
    }

    static func text(_ field: PGMReservedField) -> String {
        switch field {
        case .typeReserved: return "the type field"
        case .headerOptions: return "the header options field"
        case .nlaReserved(let f): return text(f)
        case .polrReserved: return "POLR"
        case .optionCommonHeader(let t): return "\(OptionNames.name(t))'s common header"
        case .optionSpecific(let t): return "\(OptionNames.name(t))'s option-specific bits"
        case .congestionReportReserved: return "OPT_CR"
        }
    }
}

/// Option names as RFC 3208 spells them, without the OPT_ prefix.
public enum OptionNames {
    public static func name(_ type: UInt8) -> String {
        switch type {
        case PGMOptionType.length: return "OPT_LENGTH"
        case PGMOptionType.fragment: return "OPT_FRAGMENT"
        case PGMOptionType.nakList: return "OPT_NAK_LIST"
        case PGMOptionType.join: return "OPT_JOIN"
        case PGMOptionType.nakBackoffInterval: return "OPT_NAK_BO_IVL"
        case PGMOptionType.nakBackoffRange: return "OPT_NAK_BO_RNG"
        case PGMOptionType.redirect: return "OPT_REDIRECT"
        case PGMOptionType.parityParameters: return "OPT_PARITY_PRM"
        case PGMOptionType.parityGroup: return "OPT_PARITY_GRP"
        case PGMOptionType.currentGroupSize: return "OPT_CURR_TGSIZE"
        case PGMOptionType.neighborUnreachable: return "OPT_NBR_UNREACH"
        case PGMOptionType.pathNLA: return "OPT_PATH_NLA"
        case PGMOptionType.syn: return "OPT_SYN"
        case PGMOptionType.fin: return "OPT_FIN"
        case PGMOptionType.reset: return "OPT_RST"
        case PGMOptionType.congestionReport: return "OPT_CR"
        case PGMOptionType.congestionReportRequest: return "OPT_CRQST"
        case PGMOptionType.pgmccData: return "OPT_PGMCC_DATA"
        case PGMOptionType.pgmccFeedback: return "OPT_PGMCC_FEEDBACK"
        case PGMOptionType.confirm: return "OPT_CONFIRM"
        case PGMOptionType.invalid: return "OPT_INVALID"
        default: return "option 0x\(hex(type, 2))"
        }
    }
}

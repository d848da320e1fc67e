/// Everything that can go wrong decoding or encoding a PGM packet.
///
/// Decoding never traps: every malformed input ends in exactly one of these
/// cases, chosen to name the first defect met in wire order (common header,
/// checksum, type-specific part, options, payload). Offsets and lengths are in
/// octets; "declared" is what a length field says, "actual" is what the bytes
/// add up to.
public enum PGMWireError: Error, Hashable, Sendable {
    /// The input ended inside `region`: `needed` octets from the start of that
    /// region were required, `available` were present.
    case truncated(PGMWireRegion, needed: Int, available: Int)

    /// The version bits (the two high-order bits of Type, RFC 3208 section 8)
    /// are not 0.
    case unsupportedVersion(UInt8)

    /// The low-order nibble of Type is not a packet type defined by RFC 3208
    /// section 8 or the PGMCC draft's ACK (0x0D).
    case unknownPacketType(UInt8)

    /// A reserved field or reserved bits that the RFC requires to be zero are
    /// not zero.
    case reservedBitsSet(PGMReservedField)

    /// The checksum field is non-zero and does not match the packet; `expected`
    /// is the value a correct sender would have written.
    case checksumMismatch(found: UInt16, expected: UInt16)

    /// An ODATA or RDATA packet carries a zero checksum field; RFC 3208
    /// section 8: "The checksum is mandatory on data packets".
    case checksumMissing(PGMPacketType)

    /// The option extensions do not start with a well-formed OPT_LENGTH
    /// (RFC 3208 section 9.1), or OPT_LENGTH appears again later.
    case badOptLength(PGMOptLengthProblem)

    /// OPT_LENGTH declares more option octets than remain in the packet after
    /// the type-specific header.
    case optionsOverrun(declared: Int, available: Int)

    /// The option lengths, up to and including the option carrying OPT_END,
    /// do not add up to OPT_LENGTH's total (both counted from the start of
    /// OPT_LENGTH). `actual` is larger than `declared` when an option runs past
    /// the declared total, smaller when OPT_END comes early.
    case optionsLengthMismatch(declared: Int, actual: Int)

    /// The options reach OPT_LENGTH's total without any option carrying the
    /// OPT_END bit (RFC 3208 section 9: it "MUST be set in the last option").
    case missingOptEnd

    /// More than 16 options follow OPT_LENGTH (RFC 3208 section 9: "There is a
    /// limit of 16 options per packet").
    case tooManyOptions

    /// An NLA's Address Family Indicator is neither 1 (IPv4) nor 2 (IPv6).
    case badAFI(UInt16, PGMNLAField)

    /// The header's TSDU Length disagrees with the octets that follow the
    /// transport header.
    case tsduLengthMismatch(declared: Int, actual: Int)

    /// The header's OPT_VAR_PKTLEN bit is set without OPT_PARITY: only a
    /// parity packet can be one of a group of variable-sized packets (RFC
    /// 3208 section 11.3).
    case variableLengthWithoutParity

    /// A packet type that cannot carry data (all but ODATA and RDATA) has
    /// `length` octets of data, matching its TSDU Length.
    case unexpectedPayload(PGMPacketType, length: Int)

    /// An option's contents break its format. `type` is the option type
    /// without the OPT_END bit.
    case malformedOption(type: UInt8, PGMOptionProblem)

    /// Encoding: a value does not fit its wire field.
    case valueOutOfRange(PGMWireField)

    /// Encoding: the caller's buffer is too small.
    case bufferTooSmall(needed: Int, available: Int)

    /// An IPv4 header (native framing or UDP encapsulation) is malformed.
    case badIPv4Header(PGMIPv4Problem)

    /// A UDP header (UDP encapsulation) is malformed.
    case badUDPHeader(PGMUDPProblem)

    /// An IPv6 header or its extension headers (native framing or UDP
    /// encapsulation) are malformed.
    case badIPv6Header(PGMIPv6Problem)
}

/// Where in a packet a truncation happened.
public enum PGMWireRegion: Hashable, Sendable {
    /// The 16-octet common header (ports, type, options, checksum, GSI, TSDU length).
    case header
    /// The fixed type-specific part following the common header.
    case typeSpecific(PGMPacketType)
    /// An NLA (AFI, reserved, address) inside the type-specific part.
    case nla(PGMNLAField)
    /// OPT_LENGTH, the first option.
    case optLength
    /// The IPv4 header of a framed packet.
    case ipv4Header
    /// The UDP header of a UDP-encapsulated packet.
    case udpHeader
    /// The 40-octet fixed IPv6 header of a framed packet.
    case ipv6Header
    /// An IPv6 extension header of this type (0 Hop-by-Hop Options, 43
    /// Routing, 44 Fragment, 60 Destination Options).
    case ipv6ExtensionHeader(UInt8)
}

/// Which NLA field an error is about.
public enum PGMNLAField: Hashable, Sendable {
    case spmPath
    case pollPath
    case nakSource
    case nakGroup
    case redirectDLR
    case pathNLA
    case congestionReportReceiver
    case pgmccAcker
}

/// Reserved fields and bits that must be zero.
public enum PGMReservedField: Hashable, Sendable {
    /// Bits 2-3 of Type (RFC 3208 section 8).
    case typeReserved
    /// Header Options bits other than options-present, network-significant,
    /// variable-length parity and parity.
    case headerOptions
    /// The 16-bit Reserved field following an NLA's AFI.
    case nlaReserved(PGMNLAField)
    /// POLR's 16-bit reserved field (RFC 3208 section 14.7.2).
    case polrReserved
    /// The five reserved bits of an option's common header (RFC 3208 section 9).
    case optionCommonHeader(type: UInt8)
    /// Option-specific bits an option does not define (RFC 3208 section 9: "If
    /// not defined for a particular option, they MUST be set to 0").
    case optionSpecific(type: UInt8)
    /// OPT_CR's 16-bit reserved field after Rcvr Worst Path.
    case congestionReportReserved
}

/// What is wrong with OPT_LENGTH.
public enum PGMOptLengthProblem: Hashable, Sendable {
    /// The header's options-present bit is set but the first option's type
    /// octet is this, not 0x00.
    case notFirst(foundType: UInt8)
    /// OPT_LENGTH's Option Length is this, not 4.
    case wrongLength(UInt8)
    /// The total length is smaller than OPT_LENGTH itself.
    case totalTooSmall(UInt16)
    /// An option of type 0x00 appears again at this index (0 = first option
    /// after OPT_LENGTH).
    case repeated(index: Int)
}

/// What is wrong inside an option.
public enum PGMOptionProblem: Hashable, Sendable {
    /// Option Length is not a length this option type can have.
    case wrongLength(Int)
    /// OPT_NAK_LIST lists no sequence numbers or more than 62.
    case nakListCount(Int)
    /// OP_ENCODED_NULL is set on an option whose OP_ENCODED is clear (RFC 3208
    /// Appendix A: original options carry U = 0).
    case encodedNullWithoutEncoded
    /// OPT_PARITY_PRM has neither P nor O set (RFC 3208 section 11.8.1).
    case noParityMode
    /// OPT_PARITY_GRP's group number is zero (RFC 3208 section 11.8.2).
    case zeroParityGroup
}

/// A field whose value did not fit while encoding.
public enum PGMWireField: Hashable, Sendable {
    /// Header flags outside network-significant, variable-length parity,
    /// parity; or variable-length parity without parity.
    case headerFlags
    /// The payload is longer than 65535 octets.
    case tsduLength
    /// More than 16 options.
    case optionCount
    /// OPT_NAK_LIST must list 1 to 62 sequence numbers.
    case nakListCount
    /// OPT_RST's error code is 6 bits.
    case rstErrorCode
    /// OPT_PARITY_PRM needs P or O.
    case parityMode
    /// OPT_PARITY_GRP's group number must not be zero.
    case parityGroup
    /// An option's type must be 1 to 127, not 0 (OPT_LENGTH) and not a type
    /// that has its own case.
    case optionType
    /// An option-specific field is 7 bits.
    case optionSpecific
    /// An option would be longer than 255 octets.
    case optionLength
    /// The IPv4 datagram would be longer than 65535 octets.
    case ipv4TotalLength
    /// The IPv6 payload (extension headers and what follows) would be longer
    /// than 65535 octets; jumbograms are not written.
    case ipv6PayloadLength
}

/// What is wrong with an IPv4 header.
public enum PGMIPv4Problem: Hashable, Sendable {
    /// The version nibble is this, not 4.
    case notIPv4(version: UInt8)
    /// IHL below 5 words or past the datagram.
    case badHeaderLength(Int)
    /// Total Length disagrees with the datagram's size.
    case totalLengthMismatch(declared: Int, actual: Int)
    /// The header checksum does not verify.
    case headerChecksum
    /// The datagram is a fragment; reassemble before decoding.
    case fragmented
    /// The protocol number is this, not 113 (native) or 17 (UDP).
    case unexpectedProtocol(UInt8)
}

/// What is wrong with a UDP header.
public enum PGMUDPProblem: Hashable, Sendable {
    /// The UDP Length disagrees with the IP payload's size.
    case lengthMismatch(declared: Int, actual: Int)
    /// The UDP checksum is non-zero and does not verify.
    case checksum
    /// The UDP checksum is zero over IPv6, where it is mandatory (RFC 8200
    /// section 8.1).
    case missingChecksum
}

/// What is wrong with an IPv6 header or its chain of extension headers.
public enum PGMIPv6Problem: Hashable, Sendable {
    /// The version nibble is this, not 6.
    case notIPv6(version: UInt8)
    /// Payload Length says more octets than follow the fixed header.
    case payloadLengthMismatch(declared: Int, actual: Int)
    /// More extension headers than `PGMFraming.ipv6ExtensionHeaderLimit`
    /// precede the upper-layer header.
    case tooManyExtensionHeaders
    /// A Hop-by-Hop Options header anywhere but right after the fixed header
    /// (RFC 8200 section 4.3).
    case hopByHopNotFirst
    /// The datagram carries a Fragment header with a non-zero offset or More
    /// Fragments set; reassemble before decoding.
    case fragmented
    /// The upper-layer Next Header is this, not 113 (native) or 17 (UDP).
    case unexpectedNextHeader(UInt8)
}

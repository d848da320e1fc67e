import PGMWire
import Testing

/// The octets of the vector whose name starts with `prefix`.
func vector(_ prefix: String) -> [UInt8] {
    (packetVectors + optionVectors).first { $0.name.hasPrefix(prefix) }?.bytes ?? []
}

/// `base` changed by `edit`, checksum repaired.
func mutated(_ base: [UInt8], _ edit: (inout [UInt8]) -> Void) -> [UInt8] {
    var b = base
    edit(&b)
    fixChecksum(&b)
    return b
}

/// A packet of raw `type` octet and Options octet followed by `rest`, with the
/// test GSI and ports and a correct checksum. The default is an SPMR, which
/// has no type-specific part, so `rest` starts with the options.
func raw(type: UInt8 = 0x0C, options: UInt8 = 0x01, tsdu: UInt16 = 0, _ rest: [UInt8]) -> [UInt8] {
    checksummed([0x1F, 0x90, 0x12, 0x34, type, options, 0, 0, 1, 2, 3, 4, 5, 6, UInt8(tsdu >> 8), UInt8(tsdu & 0xFF)] + rest)
}

/// An SPMR carrying exactly the option octets `option` after OPT_LENGTH.
func withOption(_ option: [UInt8]) -> [UInt8] {
    let total = 4 + option.count
    return raw([0x00, 0x04, UInt8(total >> 8), UInt8(total & 0xFF)] + option)
}

@Suite("Decoding errors")
struct DecodeErrorTests {
    // MARK: Common header

    @Test func truncatedHeader() {
        #expect(decodeError([]) == .truncated(.header, needed: 16, available: 0))
        #expect(decodeError(Array(vector("SPMR").prefix(15))) == .truncated(.header, needed: 16, available: 15))
    }

    @Test func nonZeroVersion() {
        #expect(decodeError(mutated(vector("SPMR")) { $0[4] = 0x4C }) == .unsupportedVersion(1))
        #expect(decodeError(mutated(vector("SPMR")) { $0[4] = 0xCC }) == .unsupportedVersion(3))
    }

    @Test func reservedTypeBits() {
        #expect(decodeError(mutated(vector("SPMR")) { $0[4] = 0x1C }) == .reservedBitsSet(.typeReserved))
        #expect(decodeError(mutated(vector("SPMR")) { $0[4] = 0x2C }) == .reservedBitsSet(.typeReserved))
    }

    @Test(arguments: [UInt8(0x03), 0x06, 0x07, 0x0B, 0x0E, 0x0F])
    func illegalPacketType(_ type: UInt8) {
        #expect(decodeError(mutated(vector("SPMR")) { $0[4] = type }) == .unknownPacketType(type))
    }

    @Test(arguments: [UInt8(0x04), 0x08, 0x10, 0x20])
    func reservedHeaderOptionBits(_ bit: UInt8) {
        #expect(decodeError(mutated(vector("SPMR")) { $0[5] = bit }) == .reservedBitsSet(.headerOptions))
    }

    // MARK: Checksum

    @Test func checksumMismatch() {
        let good = vector("ODATA with 3")
        var bad = good
        bad[25] ^= 0x40  // corrupt the data; the field still holds the old sum
        let expected = checksummed(bad)
        #expect(decodeError(bad) == .checksumMismatch(
            found: UInt16(good[6]) << 8 | UInt16(good[7]),
            expected: UInt16(expected[6]) << 8 | UInt16(expected[7])))
        #expect(decodeError(bad, verifyChecksum: false) == nil)
    }

    @Test func checksumMandatoryOnDataPackets() {
        var odata = vector("ODATA with 3")
        odata[6] = 0
        odata[7] = 0
        #expect(decodeError(odata) == .checksumMissing(.odata))
        var rdata = vector("RDATA")
        rdata[6] = 0
        rdata[7] = 0
        #expect(decodeError(rdata) == .checksumMissing(.rdata))
        var spm = vector("SPM, IPv4")
        spm[6] = 0
        spm[7] = 0
        #expect(decodeError(spm) == nil, "zero means no checksum on non-data packets")
    }

    // MARK: Type-specific part and NLAs

    @Test func truncatedTypeSpecificPart() {
        #expect(decodeError(checksummed(Array(vector("SPM, IPv4").prefix(24))))
            == .truncated(.typeSpecific(.spm), needed: 12, available: 8))
        #expect(decodeError(checksummed(Array(vector("POLL").prefix(40))))
            == .truncated(.typeSpecific(.poll), needed: 28, available: 24))
        #expect(decodeError(checksummed(Array(vector("POLR").prefix(22))))
            == .truncated(.typeSpecific(.polr), needed: 8, available: 6))
        #expect(decodeError(checksummed(Array(vector("ACK").prefix(16))))
            == .truncated(.typeSpecific(.ack), needed: 8, available: 0))
        #expect(decodeError(checksummed(Array(vector("NAK").prefix(18))))
            == .truncated(.typeSpecific(.nak), needed: 4, available: 2))
    }

    @Test func truncatedNLA() {
        #expect(decodeError(checksummed(Array(vector("SPM, IPv4").prefix(30))))
            == .truncated(.nla(.spmPath), needed: 4, available: 2))
        #expect(decodeError(checksummed(Array(vector("SPM, IPv6").prefix(40))))
            == .truncated(.nla(.spmPath), needed: 20, available: 12))
        #expect(decodeError(checksummed(Array(vector("NAK").prefix(34))))
            == .truncated(.nla(.nakGroup), needed: 8, available: 6))
        #expect(decodeError(checksummed(Array(vector("POLL").prefix(30))))
            == .truncated(.nla(.pollPath), needed: 8, available: 6))
    }

    @Test func badAFI() {
        #expect(decodeError(mutated(vector("SPM, IPv4")) { $0[29] = 3 }) == .badAFI(3, .spmPath))
        #expect(decodeError(mutated(vector("NAK")) { $0[29] = 0 }) == .badAFI(0, .nakGroup))
        #expect(decodeError(mutated(vector("NNAK")) { $0[20] = 1 }) == .badAFI(0x101, .nakSource))
        #expect(decodeError(mutated(vector("POLL")) { $0[25] = 0x1C }) == .badAFI(0x1C, .pollPath))
        #expect(decodeError(mutated(vector("OPT_REDIRECT IPv4")) { $0[33] = 7 }) == .badAFI(7, .redirectDLR))
        #expect(decodeError(mutated(vector("OPT_CR in NAK")) { $0[57] = 9 }) == .badAFI(9, .congestionReportReceiver))
        #expect(decodeError(mutated(vector("OPT_PGMCC_DATA")) { $0[37] = 0 }) == .badAFI(0, .pgmccAcker))
    }

    @Test func reservedFields() {
        #expect(decodeError(mutated(vector("SPM, IPv4")) { $0[31] = 1 }) == .reservedBitsSet(.nlaReserved(.spmPath)))
        #expect(decodeError(mutated(vector("NAK")) { $0[22] = 0x80 }) == .reservedBitsSet(.nlaReserved(.nakSource)))
        #expect(decodeError(mutated(vector("POLR")) { $0[23] = 1 }) == .reservedBitsSet(.polrReserved))
        #expect(decodeError(mutated(vector("OPT_REDIRECT IPv4")) { $0[35] = 1 })
            == .reservedBitsSet(.nlaReserved(.redirectDLR)))
        #expect(decodeError(mutated(vector("OPT_CR in NAK")) { $0[55] = 1 }) == .reservedBitsSet(.congestionReportReserved))
        #expect(decodeError(mutated(vector("OPT_PGMCC_DATA")) { $0[39] = 1 })
            == .reservedBitsSet(.nlaReserved(.pgmccAcker)))
    }

    // MARK: OPT_LENGTH and the option list

    @Test func optionsBitWithoutOptions() {
        #expect(decodeError(raw([])) == .truncated(.optLength, needed: 4, available: 0))
        #expect(decodeError(raw([0x00, 0x04])) == .truncated(.optLength, needed: 4, available: 2))
    }

    @Test func badOptLength() {
        // First option is OPT_JOIN, not OPT_LENGTH.
        #expect(decodeError(raw([0x83, 0x08, 0x00, 0x00, 0, 0, 0, 5])) == .badOptLength(.notFirst(foundType: 0x83)))
        // OPT_LENGTH with the OPT_END bit is not OPT_LENGTH.
        #expect(decodeError(raw([0x80, 0x04, 0x00, 0x04])) == .badOptLength(.notFirst(foundType: 0x80)))
        // OPT_LENGTH's own length must be 4.
        #expect(decodeError(raw([0x00, 0x08, 0x00, 0x0C, 0x8D, 0x04, 0x00, 0x00, 0, 0, 0, 0]))
            == .badOptLength(.wrongLength(8)))
        #expect(decodeError(raw([0x00, 0x04, 0x00, 0x03])) == .badOptLength(.totalTooSmall(3)))
        // A second OPT_LENGTH.
        #expect(decodeError(withOption([0x00, 0x04, 0x00, 0x0C, 0x8D, 0x04, 0x00, 0x00]))
            == .badOptLength(.repeated(index: 0)))
        #expect(decodeError(withOption([0x0D, 0x04, 0x00, 0x00, 0x80, 0x04, 0x00, 0x00]))
            == .badOptLength(.repeated(index: 1)))
    }

    @Test func optionsRunPastThePacket() {
        #expect(decodeError(raw([0x00, 0x04, 0x00, 0x10, 0x8D, 0x04, 0x00, 0x00]))
            == .optionsOverrun(declared: 16, available: 8))
        // In an ODATA the declared options may not eat into the data either:
        // OPT_LENGTH claims 20 octets but only 13 follow the data header.
        let odata = mutated(vector("OPT_FRAGMENT in ODATA")) { b in
            b.removeLast(9)
            b[14] = 0
            b[15] = 0
        }
        #expect(decodeError(odata) == .optionsOverrun(declared: 20, available: 13))
    }

    @Test func totalOptionsLengthMismatch() {
        // OPT_END on OPT_JOIN after 12 octets, OPT_LENGTH says 16.
        #expect(decodeError(raw([0x00, 0x04, 0x00, 0x10, 0x83, 0x08, 0x00, 0x00, 0, 0, 0, 5, 0x8D, 0x04, 0x00, 0x00]))
            == .optionsLengthMismatch(declared: 16, actual: 12))
        // OPT_FRAGMENT (16 octets) runs past OPT_LENGTH's total of 12.
        #expect(decodeError(raw([0x00, 0x04, 0x00, 0x0C, 0x81, 0x10, 0x00, 0x00] + [UInt8](repeating: 0, count: 12)))
            == .optionsLengthMismatch(declared: 12, actual: 20))
        // Two octets left over after an option without OPT_END: no room for a header.
        #expect(decodeError(raw([0x00, 0x04, 0x00, 0x0A, 0x0D, 0x04, 0x00, 0x00, 0x8E, 0x04]))
            == .optionsLengthMismatch(declared: 10, actual: 12))
    }

    @Test func missingOptEnd() {
        #expect(decodeError(withOption([0x03, 0x08, 0x00, 0x00, 0, 0, 0, 5])) == .missingOptEnd)
        #expect(decodeError(raw([0x00, 0x04, 0x00, 0x04])) == .missingOptEnd)
        // The SPM with OPT_JOIN, its E bit cleared.
        #expect(decodeError(mutated(vector("OPT_JOIN in SPM")) { $0[40] = 0x03 }) == .missingOptEnd)
    }

    @Test func moreThanSixteenOptions() throws {
        let syn: [UInt8] = [0x0D, 0x04, 0x00, 0x00]
        let synEnd: [UInt8] = [0x8D, 0x04, 0x00, 0x00]
        let sixteen = Array([[UInt8]](repeating: syn, count: 15).joined()) + synEnd
        #expect(decodeError(withOption(sixteen)) == nil)
        #expect(try PGMPacket.decode(withOption(sixteen)).options.count == 16)
        let seventeen = Array([[UInt8]](repeating: syn, count: 16).joined()) + synEnd
        #expect(decodeError(withOption(seventeen)) == .tooManyOptions)
    }

    // MARK: TSDU length

    @Test func tsduLengthDisagreesWithPayload() {
        #expect(decodeError(mutated(vector("ODATA with 3")) { $0[15] = 5 }) == .tsduLengthMismatch(declared: 5, actual: 3))
        #expect(decodeError(mutated(vector("ODATA with 3")) { $0[15] = 2 }) == .tsduLengthMismatch(declared: 2, actual: 3))
        #expect(decodeError(mutated(vector("OPT_FRAGMENT in ODATA")) { $0[15] = 0 })
            == .tsduLengthMismatch(declared: 0, actual: 2))
        #expect(decodeError(mutated(vector("SPM, IPv4")) { $0 += [0xAB, 0xCD] })
            == .tsduLengthMismatch(declared: 0, actual: 2))
        #expect(decodeError(mutated(vector("SPMR")) { $0[15] = 1 }) == .tsduLengthMismatch(declared: 1, actual: 0))
        #expect(decodeError(mutated(vector("NCF, IPv6")) { b in
            b += [0xAB, 0xCD]
            b[15] = 2
        }) == .unexpectedPayload(.ncf, length: 2))
    }

    // MARK: Option contents

    @Test func optionLengthBelowHeader() {
        #expect(decodeError(withOption([0x8D, 0x02, 0x00, 0x00])) == .malformedOption(type: 0x0D, .wrongLength(2)))
        #expect(decodeError(withOption([0xA0, 0x00, 0x00, 0x00])) == .malformedOption(type: 0x20, .wrongLength(0)))
    }

    @Test func wrongLengthForType() {
        let cases: [(UInt8, [UInt8])] = [
            (0x01, [0x81, 0x0C, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2]),  // OPT_FRAGMENT of the text's 12 octets
            (0x03, [0x83, 0x0C, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2]),  // OPT_JOIN of 12
            (0x04, [0x84, 0x08, 0, 0, 0, 0, 0, 1]),  // OPT_NAK_BO_IVL of 8
            (0x05, [0x85, 0x10, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3]),  // OPT_NAK_BO_RNG of 16
            (0x07, [0x87, 0x08, 0, 0, 0, 1, 0, 0]),  // OPT_REDIRECT: AFI 1 but no address ("4 + NLA length")
            (0x07, [0x87, 0x18, 0, 0, 0, 1, 0, 0] + [UInt8](repeating: 0, count: 16)),  // AFI 1 with 16 octets
            (0x08, [0x88, 0x04, 0, 0x01]),  // OPT_PARITY_PRM of 4
            (0x09, [0x89, 0x0C, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0]),  // OPT_PARITY_GRP of 12
            (0x0A, [0x8A, 0x04, 0, 0]),  // OPT_CURR_TGSIZE of 4
            (0x0B, [0x8B, 0x08, 0, 0, 0, 0, 0, 0]),  // OPT_NBR_UNREACH of 8
            (0x0C, [0x8C, 0x0C, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),  // OPT_PATH_NLA of 12
            (0x0D, [0x8D, 0x08, 0, 0, 0, 0, 0, 0]),  // OPT_SYN of 8
            (0x0E, [0x8E, 0x05, 0, 0, 0]),  // OPT_FIN of 5
            (0x0F, [0x8F, 0x08, 0, 0, 0, 0, 0, 0]),  // OPT_RST of 8
            (0x10, [0x90, 0x0C, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),  // OPT_CR without its NLA
            (0x11, [0x91, 0x08, 0, 0, 0, 0, 0, 0]),  // OPT_CRQST of 8
            (0x12, [0x92, 0x0C, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0]),  // OPT_PGMCC_DATA, AFI 1, no address
            (0x13, [0x93, 0x18, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0] + [UInt8](repeating: 0, count: 12)),  // AFI 1, 12 octets
        ]
        for (type, option) in cases {
            #expect(
                decodeError(withOption(option)) == .malformedOption(type: type, .wrongLength(option.count)),
                "option type \(type)")
        }
    }

    @Test func nakListContents() {
        #expect(decodeError(withOption([0x82, 0x04, 0x00, 0x00])) == .malformedOption(type: 0x02, .nakListCount(0)))
        #expect(decodeError(withOption([0x82, 0x0A, 0x00, 0x00, 0, 0, 0, 1, 0, 0]))
            == .malformedOption(type: 0x02, .wrongLength(10)))
        let sixtyTwo = [0x82, 252, 0x00, 0x00] + [UInt8](repeating: 7, count: 248)
        #expect(decodeError(withOption(sixtyTwo)) == nil)
    }

    @Test func optionHeaderFlagBits() {
        // Reserved bits of the common header (the five above F).
        #expect(decodeError(withOption([0x8D, 0x04, 0x08, 0x00])) == .reservedBitsSet(.optionCommonHeader(type: 0x0D)))
        #expect(decodeError(withOption([0x8D, 0x04, 0x80, 0x00])) == .reservedBitsSet(.optionCommonHeader(type: 0x0D)))
        // U without F.
        #expect(decodeError(withOption([0x8D, 0x04, 0x00, 0x80])) == .malformedOption(type: 0x0D, .encodedNullWithoutEncoded))
        // U with F is parity data: accepted.
        #expect(decodeError(withOption([0x8D, 0x04, 0x04, 0x80])) == nil)
        // Every OPX value is kept.
        for opx in PGMOptionExtensibility.allCases {
            let p = try? PGMPacket.decode(withOption([0x8D, 0x04, opx.rawValue, 0x00]))
            #expect(p?.options.all.first?.extensibility == opx)
        }
    }

    @Test func undefinedOptionSpecificBits() {
        #expect(decodeError(withOption([0x83, 0x08, 0x00, 0x01, 0, 0, 0, 5])) == .reservedBitsSet(.optionSpecific(type: 0x03)))
        #expect(decodeError(withOption([0x88, 0x08, 0x00, 0x07, 0, 0, 0, 5])) == .reservedBitsSet(.optionSpecific(type: 0x08)))
        #expect(decodeError(withOption([0x91, 0x04, 0x00, 0x08])) == .reservedBitsSet(.optionSpecific(type: 0x11)))
        #expect(decodeError(withOption([0x8D, 0x04, 0x00, 0x40])) == .reservedBitsSet(.optionSpecific(type: 0x0D)))
        // OPT_CONFIRM defines JOIN, BYE and LOST (0x07); 0x08 and above are reserved.
        #expect(decodeError(withOption([0xA1, 0x0C, 0x00, 0x07, 0, 0, 0, 1, 0, 0, 0, 2])) == nil)
        #expect(decodeError(withOption([0xA1, 0x0C, 0x00, 0x08, 0, 0, 0, 1, 0, 0, 0, 2]))
            == .reservedBitsSet(.optionSpecific(type: 0x21)))
        // OPT_RST defines all seven bits (N and a 6-bit code); unknown options keep theirs.
        #expect(decodeError(withOption([0x8F, 0x04, 0x00, 0x7F])) == nil)
        #expect(decodeError(withOption([0xA5, 0x04, 0x00, 0x7F])) == nil)
    }

    @Test func parityOptionContents() {
        #expect(decodeError(withOption([0x88, 0x08, 0x00, 0x00, 0, 0, 0, 16])) == .malformedOption(type: 0x08, .noParityMode))
        #expect(decodeError(withOption([0x89, 0x08, 0x00, 0x00, 0, 0, 0, 0])) == .malformedOption(type: 0x09, .zeroParityGroup))
    }
}

@Suite("Encoding errors")
struct EncodeErrorTests {
    func optionsError(_ options: [PGMOption]) -> PGMWireError? {
        wireError { () throws(PGMWireError) in _ = try PGMOptions(options) }
    }

    @Test func unencodableOptions() {
        #expect(optionsError([PGMOption(.nakList([]))]) == .valueOutOfRange(.nakListCount))
        #expect(optionsError([PGMOption(.nakList(Array(0..<63)))]) == .valueOutOfRange(.nakListCount))
        #expect(optionsError([PGMOption(.nakList(Array(0..<62)))]) == nil)
        #expect(optionsError([PGMOption](repeating: PGMOption(.syn), count: 17)) == .valueOutOfRange(.optionCount))
        #expect(optionsError([PGMOption(.reset(noNAKs: false, errorCode: 64))]) == .valueOutOfRange(.rstErrorCode))
        #expect(optionsError([PGMOption(.parityParameters(proactive: false, onDemand: false, groupSize: 8))])
            == .valueOutOfRange(.parityMode))
        #expect(optionsError([PGMOption(.parityGroup(0))]) == .valueOutOfRange(.parityGroup))
        #expect(optionsError([PGMOption(.unknown(type: 0x0D, specific: 0, value: []))]) == .valueOutOfRange(.optionType))
        #expect(optionsError([PGMOption(.unknown(type: 0, specific: 0, value: []))]) == .valueOutOfRange(.optionType))
        #expect(optionsError([PGMOption(.unknown(type: 0x80, specific: 0, value: []))]) == .valueOutOfRange(.optionType))
        #expect(optionsError([PGMOption(.unknown(type: 0x20, specific: 0x80, value: []))]) == .valueOutOfRange(.optionSpecific))
        #expect(optionsError([PGMOption(.unknown(type: 0x20, specific: 0, value: [UInt8](repeating: 0, count: 252)))])
            == .valueOutOfRange(.optionLength))
        #expect(optionsError([PGMOption(.invalidated(specific: 0x80, value: []))]) == .valueOutOfRange(.optionSpecific))
        #expect(optionsError([PGMOption(.encoded(type: 1, parity: []))]) == .valueOutOfRange(.optionLength))
        #expect(optionsError([PGMOption(.encoded(type: 0, parity: [0]))]) == .valueOutOfRange(.optionType))
        #expect(optionsError([PGMOption(.congestionReportRequest(PGMCongestionReportFlags(rawValue: 0x08)))])
            == .valueOutOfRange(.optionSpecific))
    }

    @Test func unencodablePackets() throws {
        var p = try T.packet(.spmr)
        p.flags = PGMHeaderFlags(rawValue: 0x01)
        #expect(wireError { () throws(PGMWireError) in _ = try p.encoded() } == .valueOutOfRange(.headerFlags))
        p.flags = PGMHeaderFlags(rawValue: 0x04)
        #expect(wireError { () throws(PGMWireError) in _ = try p.encoded() } == .valueOutOfRange(.headerFlags))
        let big = try T.packet(.odata(PGMData(sequence: 0, trailingEdge: 0, payload: [UInt8](repeating: 0, count: 65536))))
        #expect(wireError { () throws(PGMWireError) in _ = try big.encoded() } == .valueOutOfRange(.tsduLength))
    }
}

import PGMWire
import Testing

// The wire side of FEC (RFC 3208 Appendix A, section 11): header bits of
// parity packets, OPT_PARITY_PRM's bits as OpenPGM numbers them, the
// variable-length trailer and encoded OPT_FRAGMENT (section 11.2).
@Suite("Parity packets on the wire (RFC 3208 section 11)")
struct ParityWireTests {
    static let nak = PGMNak(sequence: 0x43, source: T.source, group: T.group)

    @Test("11.8.1: OPT_PARITY_PRM's P is 0x01 and O is 0x02, as OpenPGM 5.3 sends them")
    func parityParameterBits() throws {
        for (p, o, octet) in [(true, false, UInt8(0x01)), (false, true, 0x02), (true, true, 0x03)] {
            let spm = try T.packet(
                .spm(PGMSPM(sequence: 1, trailingEdge: 2, leadingEdge: 3, path: T.source)),
                [PGMOption(.parityParameters(proactive: p, onDemand: o, groupSize: 8))], flags: .networkSignificant)
            let bytes = try spm.encoded()
            // Common header 16, SPM fields 12 + NLA 8, OPT_LENGTH 4: the option at 40.
            #expect(Array(bytes[40...47]) == [0x88, 0x08, 0x00, octet, 0, 0, 0, 8])
            let back = try PGMPacket.decode(bytes)
            #expect(back.options.all == [PGMOption(.parityParameters(proactive: p, onDemand: o, groupSize: 8))])
        }
    }

    @Test("11.3: OPT_PARITY (0x80) and OPT_VAR_PKTLEN (0x40) in the header of ODATA, RDATA, NAK and NCF")
    func headerBits() throws {
        let data = PGMData(sequence: 0x41, trailingEdge: 0x10, payload: [1, 2, 3])
        let cases: [(PGMBody, PGMHeaderFlags, UInt8)] = [
            (.odata(data), [.parity], 0x80),
            (.odata(data), [.parity, .variableLengthParity], 0xC0),
            (.rdata(data), [.parity, .variableLengthParity], 0xC0),
            (.nak(Self.nak), [.parity], 0x80),
            (.ncf(Self.nak), [.parity], 0x80),
        ]
        for (body, flags, octet) in cases {
            let packet = try T.packet(body, flags: flags)
            let bytes = try packet.encoded()
            #expect(bytes[5] == octet, "\(body.type)")
            #expect(try PGMPacket.decode(bytes) == packet)
        }
        // A parity NCF with a list: PRESENT | NETWORK | PARITY, OpenPGM's 0x83.
        let listed = try T.packet(.ncf(Self.nak), [PGMOption(.nakList([0x4B]))], flags: .parity)
            .withComputedNetworkSignificance
        #expect(try listed.encoded()[5] == 0x83)
    }

    @Test("11.3: OPT_VAR_PKTLEN without OPT_PARITY is refused both ways")
    func variableLengthNeedsParity() throws {
        var bytes = try T.packet(.odata(PGMData(sequence: 1, trailingEdge: 0, payload: [9])), flags: .parity).encoded()
        bytes[5] = 0x40
        #expect(decodeError(checksummed(bytes)) == .variableLengthWithoutParity)
        let packet = try T.packet(.odata(PGMData(sequence: 1, trailingEdge: 0, payload: [9])), flags: .variableLengthParity)
        #expect(wireError { () throws(PGMWireError) in _ = try packet.encoded() } == .valueOutOfRange(.headerFlags))
    }

    @Test("11.2: a short packet is padded with zeros and its length appended in network order")
    func trailerWritten() {
        #expect(PGMParity.padded([7, 8, 9], to: 6) == [7, 8, 9, 0, 0, 0, 0x00, 0x03])
        #expect(PGMParity.padded([], to: 2) == [0, 0, 0, 0])
        let long = [UInt8](repeating: 0xEE, count: 300)
        #expect(PGMParity.padded(long, to: 300).suffix(2) == [0x01, 0x2C])
    }

    @Test("11.2: the rebuilt length is read in network order, else little-endian (OpenPGM's), else refused")
    func trailerRead() {
        #expect(PGMParity.unpadded([7, 8, 9, 0, 0, 0, 0x00, 0x03]) == [7, 8, 9])
        // OpenPGM writes host order: 3 on x86 is 03 00.
        #expect(PGMParity.unpadded([7, 8, 9, 0, 0, 0, 0x03, 0x00]) == [7, 8, 9])
        #expect(PGMParity.unpadded([7, 8, 9, 0, 0, 0, 0x00, 0x00]) == nil, "zero length, but the padding holds data")
        #expect(PGMParity.unpadded([0, 0, 0, 0, 0x00, 0x00]) == [])
        #expect(PGMParity.unpadded([1, 2, 3, 4, 0x00, 0x04]) == [1, 2, 3, 4])
        #expect(PGMParity.unpadded([1, 2, 3, 4, 0x00, 0x05]) == nil, "longer than the padded packet")
        #expect(PGMParity.unpadded([7, 8, 9, 5, 0, 0, 0x00, 0x03]) == nil, "padding not zero")
        #expect(PGMParity.unpadded([0x00]) == nil)
    }

    @Test("11.2: OPT_FRAGMENT is encoded from its fourth octet on; an absent one is the null option (U set)")
    func fragmentInput() {
        let input = PGMParity.fragmentInput((firstSequence: 0x0102_0304, offset: 1400, length: 3000))
        #expect(input == [0x00, 0x01, 0x02, 0x03, 0x04, 0x00, 0x00, 0x05, 0x78, 0x00, 0x00, 0x0B, 0xB8])
        #expect(PGMParity.rebuiltFragment(input) == .present(firstSequence: 0x0102_0304, offset: 1400, length: 3000))
        let null = PGMParity.fragmentInput(nil)
        #expect(null == [0x80] + [UInt8](repeating: 0, count: 12))
        #expect(PGMParity.rebuiltFragment(null) == .absent)
    }

    @Test("11.2: a rebuilt option that is neither an option nor the null option is refused")
    func fragmentInconsistent() {
        #expect(PGMParity.rebuiltFragment([0x80, 1] + [UInt8](repeating: 0, count: 11)) == nil)
        #expect(PGMParity.rebuiltFragment([0x01] + [UInt8](repeating: 0, count: 12)) == nil)
        #expect(PGMParity.rebuiltFragment([0x00, 0, 0]) == nil)
    }

    @Test("11.2: a parity packet's encoded OPT_FRAGMENT is found as such, and is no plain OPT_FRAGMENT")
    func encodedFragmentAccessor() throws {
        let parity: [UInt8] = [0x80, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
        let packet = try T.packet(
            .odata(PGMData(sequence: 0x40, trailingEdge: 0x10, payload: [1])),
            [PGMParity.encodedFragment(parity)], flags: .parity)
        let bytes = try packet.encoded()
        // OPT_FRAGMENT | OPT_END, length 16, F (0x04) in the third octet.
        #expect(Array(bytes[28...30]) == [0x81, 0x10, 0x04])
        let back = try PGMPacket.decode(bytes)
        #expect(back.options.encodedFragment == parity)
        #expect(back.options.fragment == nil)
        let plain = try T.packet(.odata(PGMData(sequence: 1, trailingEdge: 0)),
                                 [PGMOption(.fragment(firstSequence: 1, offset: 0, length: 5))])
        #expect(plain.options.encodedFragment == nil)
    }
}

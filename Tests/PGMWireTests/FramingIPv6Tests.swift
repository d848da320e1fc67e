import PGMWire
import PropertyBased
import Testing

// The UDP/IPv6 checksum below was computed independently of the codec (a
// Python one's complement sum over the RFC 8200 section 8.1 pseudo-header).

@Suite("Native and UDP framing over IPv6")
struct FramingIPv6Tests {
    static let spmr = vector("SPMR")
    /// 2001:db8::9
    static let receiverAddress = PGMIPv6Address(high: 0x2001_0DB8_0000_0000, low: 9)
    /// 2001:db8::1
    static let sourceAddress = PGMIPv6Address(high: 0x2001_0DB8_0000_0000, low: 1)
    static let addresses: [UInt8] = [
        0x20, 0x01, 0x0D, 0xB8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x09,  // source 2001:db8::9
        0x20, 0x01, 0x0D, 0xB8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,  // destination 2001:db8::1
    ]
    static let header = PGMIPv6Header(source: receiverAddress, destination: sourceAddress)

    /// The SPMR vector as Next Header 113 from 2001:db8::9 to 2001:db8::1.
    static let native: [UInt8] = [
        0x60, 0x00, 0x00, 0x00,  // version 6, traffic class 0, flow label 0
        0x00, 0x10, 0x71, 0x10,  // payload length 16, next header 113 (PGM), hop limit 16
    ] + addresses + spmr

    /// The SPMR vector in UDP from port 3055 to 3055.
    static let udp: [UInt8] = [
        0x60, 0x00, 0x00, 0x00,
        0x00, 0x18, 0x11, 0x10,  // payload length 24, next header 17 (UDP), hop limit 16
    ] + addresses + [
        0x0B, 0xEF, 0x0B, 0xEF,  // UDP ports 3055 -> 3055
        0x00, 0x18, 0x8C, 0x64,  // UDP length 24, checksum (IPv6 pseudo-header)
    ] + spmr

    /// `datagram` (no extension headers) with extension headers of `types`
    /// inserted before its upper-layer header, each 8 + 8 * `extraUnits`
    /// octets (a Fragment header is always 8: an atomic fragment).
    static func chain(_ datagram: [UInt8], _ types: [UInt8], extraUnits: Int = 0) -> [UInt8] {
        let upper = datagram[6]
        var ext: [UInt8] = []
        for (i, type) in types.enumerated() {
            let next = i + 1 < types.count ? types[i + 1] : upper
            if type == 44 {
                ext += [next, 0, 0, 0, 0, 0, 0, 1]
            } else {
                let pad = 4 + 8 * extraUnits
                ext += [next, UInt8(extraUnits), 1, UInt8(pad)] + [UInt8](repeating: 0, count: pad)
            }
        }
        var out = Array(datagram.prefix(40)) + ext + datagram.dropFirst(40)
        let length = out.count - 40
        out[4] = UInt8(length >> 8)
        out[5] = UInt8(length & 0xFF)
        out[6] = types.first ?? upper
        return out
    }

    func error(_ bytes: [UInt8]) -> PGMWireError? {
        wireError { () throws(PGMWireError) in _ = try PGMFraming.decodeIPv6(bytes) }
    }

    @Test func buildsAndParsesNativeDatagram() throws {
        let packet = try PGMPacket.decode(Self.spmr)
        #expect(try PGMFraming.nativeIPv6Datagram(packet, header: Self.header) == Self.native)
        let (header, udp, decoded) = try PGMFraming.decodeIPv6(Self.native)
        #expect(header == Self.header)
        #expect(udp == nil)
        #expect(decoded == packet)
    }

    @Test func buildsAndParsesUDPDatagram() throws {
        let packet = try PGMPacket.decode(Self.spmr)
        let ports = PGMUDPHeader(sourcePort: PGMFraming.defaultUDPPort, destinationPort: PGMFraming.defaultUDPPort)
        #expect(try PGMFraming.udpIPv6Datagram(packet, header: Self.header, udp: ports) == Self.udp)
        let decoded = try PGMFraming.decodeIPv6(Self.udp)
        #expect(decoded.header.nextHeader == 17)
        #expect(decoded.udp == ports)
        #expect(decoded.packet == packet)
    }

    @Test func headerFieldsAndRouterAlert() throws {
        let header = PGMIPv6Header(
            source: Self.receiverAddress, destination: PGMIPv6Address(high: 0xFF0E_0000_0000_0000, low: 0x0001_0003),
            hopLimit: 1, trafficClass: 0xB8, flowLabel: 0xABCDE, routerAlert: 0x0102)
        let datagram = try PGMFraming.ipv6Datagram(header: header, payload: Self.spmr)
        #expect(Array(datagram.prefix(8)) == [0x6B, 0x8A, 0xBC, 0xDE, 0x00, 0x18, 0x00, 0x01])
        #expect(Array(datagram[40..<48]) == [
            0x71, 0x00,  // next header 113, length 8
            0x05, 0x02, 0x01, 0x02,  // Router Alert (RFC 2711), value 0x0102
            0x01, 0x00,  // PadN
        ])
        let decoded = try PGMFraming.decodeIPv6(datagram)
        #expect(decoded.header == header)
        #expect(decoded.packet == (try PGMPacket.decode(Self.spmr)))
    }

    @Test func linkLayerPaddingIsIgnored() throws {
        #expect(try PGMFraming.decodeIPv6(Self.native + [0, 0, 0, 0]).packet == (try PGMPacket.decode(Self.spmr)))
    }

    @Test func extensionHeadersAreWalked() throws {
        let packet = try PGMPacket.decode(Self.spmr)
        for types: [UInt8] in [[0], [60], [43], [0, 60, 43, 60], [44], [0, 44, 60]] {
            for datagram in [Self.native, Self.udp] {
                let chained = Self.chain(datagram, types, extraUnits: 1)
                #expect(try PGMFraming.decodeIPv6(chained).packet == packet, "\(types)")
                let (header, payload) = try PGMFraming.parseIPv6(chained[...])
                #expect(header.nextHeader == datagram[6] && payload.count == datagram.count - 40, "\(types)")
            }
        }
        let limit = [UInt8](repeating: 60, count: PGMFraming.ipv6ExtensionHeaderLimit)
        #expect(try PGMFraming.decodeIPv6(Self.chain(Self.native, limit)).packet == packet)
    }

    @Test func fixedHeaderErrors() {
        #expect(error(Array(Self.native.prefix(39))) == .truncated(.ipv6Header, needed: 40, available: 39))
        var v4 = Self.native
        v4[0] = 0x45
        #expect(error(v4) == .badIPv6Header(.notIPv6(version: 4)))
        var long = Self.native
        long[5] = 0x11
        #expect(error(long) == .badIPv6Header(.payloadLengthMismatch(declared: 17, actual: 16)))
        var huge = Self.native
        huge[4] = 0xFF
        #expect(error(huge) == .badIPv6Header(.payloadLengthMismatch(declared: 0xFF10, actual: 16)))
        var tcp = Self.native
        tcp[6] = 6
        #expect(error(tcp) == .badIPv6Header(.unexpectedNextHeader(6)))
        var none = Self.native
        none[6] = 59  // No Next Header
        #expect(error(none) == .badIPv6Header(.unexpectedNextHeader(59)))
        // The PGM packet inside is checked too.
        var inner = Self.native
        inner[40 + 4] = 0x4C
        #expect(error(inner) == .unsupportedVersion(1))
    }

    @Test func hostileExtensionHeaders() {
        // One more than the limit.
        let tooMany = [UInt8](repeating: 60, count: PGMFraming.ipv6ExtensionHeaderLimit + 1)
        #expect(error(Self.chain(Self.native, tooMany)) == .badIPv6Header(.tooManyExtensionHeaders))
        // A long chain is stopped by the limit, not walked to its end.
        #expect(error(Self.chain(Self.native, [UInt8](repeating: 43, count: 64))) == .badIPv6Header(.tooManyExtensionHeaders))
        // A header length past the payload.
        var past = Self.chain(Self.native, [60])
        past[41] = 0xFF
        #expect(error(past) == .truncated(.ipv6ExtensionHeader(60), needed: 256 * 8, available: 24))
        // A header cut by Payload Length although the buffer goes on.
        var cut = Self.chain(Self.native, [43])
        cut[4] = 0
        cut[5] = 4
        #expect(error(cut) == .truncated(.ipv6ExtensionHeader(43), needed: 8, available: 4))
        // Hop-by-Hop Options only first.
        #expect(error(Self.chain(Self.native, [60, 0])) == .badIPv6Header(.hopByHopNotFirst))
        // A Hop-by-Hop Router Alert whose option length runs past its header
        // is ignored, not read past.
        var ra = Self.chain(Self.native, [0])
        ra[42] = 5
        ra[43] = 200
        #expect(error(ra) == nil)
        #expect((try? PGMFraming.decodeIPv6(ra))?.header.routerAlert == nil)
    }

    @Test func fragmentHeaderMeansFragment() throws {
        var first = Self.chain(Self.native, [44])
        first[40 + 3] = 0x01  // offset 0, M
        #expect(error(first) == .badIPv6Header(.fragmented))
        var later = Self.chain(Self.native, [44])
        later[40 + 2] = 0x00
        later[40 + 3] = 0xB8  // offset 23 units (184 octets), no M
        #expect(error(later) == .badIPv6Header(.fragmented))
        let layout = try PGMFraming.ipv6Layout(later[...])
        #expect(layout.fragment == PGMIPv6Fragment(identification: 1, offset: 184, more: false))
        #expect(layout.header.nextHeader == 113)
        #expect(layout.payload == 48..<later.count)
        // An atomic fragment (offset 0, no M) is a whole datagram (RFC 6946).
        #expect(error(Self.chain(Self.native, [44])) == nil)
        #expect(try PGMFraming.ipv6Layout(Self.chain(Self.native, [44])[...]).fragment == nil)
    }

    @Test func udpErrors() {
        var zero = Self.udp
        zero[46] = 0
        zero[47] = 0
        #expect(error(zero) == .badUDPHeader(.missingChecksum), "the UDP checksum is mandatory over IPv6")
        #expect(wireError { () throws(PGMWireError) in _ = try PGMFraming.decodeIPv6(zero, verifyChecksums: false) } == nil)
        var sum = Self.udp
        sum[47] ^= 1
        #expect(error(sum) == .badUDPHeader(.checksum))
        // The pseudo-header covers the addresses: the same UDP datagram from
        // another source fails.
        var moved = Self.udp
        moved[23] = 0x0A
        #expect(error(moved) == .badUDPHeader(.checksum))
        var length = Self.udp
        length[45] = 0x19
        #expect(error(length) == .badUDPHeader(.lengthMismatch(declared: 25, actual: 24)))
        var short = Array(Self.udp.prefix(44))
        short[5] = 4
        #expect(error(short) == .truncated(.udpHeader, needed: 8, available: 4))
    }

    @Test func checksumCoversThePGMPacketOnly() throws {
        // The same PGM octets, with the same checksum field, in every framing.
        let v4Header = PGMIPv4Header(source: IPv4Address(192, 0, 2, 9), destination: IPv4Address(192, 0, 2, 1))
        for p in packetVectors {
            let packet = try PGMPacket.decode(p.bytes)
            let octets = try packet.encoded()
            #expect(Array(try PGMFraming.nativeIPv6Datagram(packet, header: Self.header).dropFirst(40)) == octets, "\(p.name)")
            #expect(Array(try PGMFraming.nativeIPv4Datagram(packet, header: v4Header).dropFirst(20)) == octets, "\(p.name)")
            let udp = try PGMFraming.udpIPv6Datagram(packet, header: Self.header, udp: PGMUDPHeader(sourcePort: 1, destinationPort: 2))
            #expect(Array(udp.dropFirst(48)) == octets, "\(p.name)")
        }
    }

    @Test func afi2NLAsFramedInIPv6() throws {
        let bodies: [PGMBody] = [
            .spm(PGMSPM(sequence: 7, trailingEdge: 1, leadingEdge: 6, path: T.source6)),
            .nak(PGMNak(sequence: 5, source: T.source6, group: T.group6)),
            .ncf(PGMNak(sequence: 5, source: T.source6, group: T.group6)),
            .spmr,
        ]
        let ports = PGMUDPHeader(sourcePort: 3056, destinationPort: 3055)
        for body in bodies {
            let packet = try T.packet(body)
            let native = try PGMFraming.nativeIPv6Datagram(packet, header: Self.header)
            let udp = try PGMFraming.udpIPv6Datagram(packet, header: Self.header, udp: ports)
            #expect(try PGMFraming.decodeIPv6(native).packet == packet, "\(body.type)")
            #expect(try PGMFraming.decodeIPv6(udp).packet == packet, "\(body.type)")
            #expect(try PGMFraming.decodeIPv6(udp).udp == ports, "\(body.type)")
        }
        // AFI 2 NLAs take 20 octets: the NAK's group NLA follows a 16-octet source.
        let nak = try PGMFraming.nativeIPv6Datagram(
            try T.packet(.nak(PGMNak(sequence: 5, source: T.source6, group: T.group6))), header: Self.header)
        #expect(Array(nak[(40 + 20)..<(40 + 24)]) == [0x00, 0x02, 0x00, 0x00])
        #expect(Array(nak[(40 + 40)..<(40 + 44)]) == [0x00, 0x02, 0x00, 0x00])
    }

    @Test func everyPrefixIsRefusedWithoutTrapping() throws {
        let chained = Self.chain(Self.udp, [0, 60, 43], extraUnits: 2)
        for n in 0..<chained.count {
            #expect(error(Array(chained.prefix(n))) != nil, "prefix \(n)")
        }
        #expect(error(chained) == nil)
    }

    /// Random packets behind random chains of extension headers, then
    /// flipped, cut or lengthened octets: the parsers never trap, and what
    /// decodes lies within the datagram.
    @Test func mutatedChainsNeverTrap() async {
        await propertyCheck(count: 3000, input: Gen.uint64()) { seed in
            var r = RandomPackets(seed: seed)
            let kinds: [UInt8] = [0, 43, 44, 60]
            let types = (0..<r.int(0...10)).map { _ in kinds[r.int(0...3)] }
            let header = PGMIPv6Header(source: FramingIPv6Tests.receiverAddress, destination: FramingIPv6Tests.sourceAddress)
            let ports = PGMUDPHeader(sourcePort: 3055, destinationPort: 3055)
            let packet = r.packet()
            guard let plain = try? (r.bool() ? PGMFraming.udpIPv6Datagram(packet, header: header, udp: ports)
                                             : PGMFraming.nativeIPv6Datagram(packet, header: header)) else { return }
            var bytes = Self.chain(plain, types, extraUnits: r.int(0...2))
            for _ in 0..<r.int(1...4) {
                let region = min(bytes.count - 1, 40 + 8 * 3 * (types.count + 1))
                switch r.int(0...3) {
                case 0, 1: bytes[r.int(0...region)] ^= UInt8(1) << UInt8(r.int(0...7))
                case 2: bytes.removeLast(min(bytes.count - 1, r.int(1...24)))
                default: bytes.insert(r.u8(), at: r.int(min(40, bytes.count)...bytes.count))
                }
            }
            if let layout = try? PGMFraming.ipv6Layout(bytes[...], captured: true) {
                #expect(layout.payload.lowerBound >= 40 && layout.payload.upperBound <= bytes.count)
            }
            _ = try? PGMFraming.decodeIPv6(bytes)
            _ = try? PGMFraming.decodeIPv6(bytes, verifyChecksums: false)
        }
    }
}

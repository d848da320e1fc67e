import PGMWire
import Testing

// IPv4 and UDP checksums below were computed independently of the codec.

@Suite("Native and UDP framing over IPv4")
struct FramingTests {
    static let spmr = vector("SPMR")
    static let receiverAddress = IPv4Address(192, 0, 2, 9)
    static let sourceAddress = IPv4Address(192, 0, 2, 1)

    /// The SPMR vector as IP protocol 113 from 192.0.2.9 to 192.0.2.1.
    static let native: [UInt8] = [
        0x45, 0x00, 0x00, 0x24,  // version 4, IHL 5, TOS 0, total length 36
        0x00, 0x00, 0x00, 0x00,  // identification 0, no flags, offset 0
        0x10, 0x71, 0x26, 0x5F,  // TTL 16, protocol 113 (PGM), header checksum
        0xC0, 0x00, 0x02, 0x09,  // source 192.0.2.9
        0xC0, 0x00, 0x02, 0x01,  // destination 192.0.2.1
    ] + spmr

    /// The SPMR vector in UDP from port 3055 to 3055.
    static let udp: [UInt8] = [
        0x45, 0x00, 0x00, 0x2C,  // total length 44
        0x00, 0x00, 0x00, 0x00,
        0x10, 0x11, 0x26, 0xB7,  // TTL 16, protocol 17 (UDP), header checksum
        0xC0, 0x00, 0x02, 0x09,
        0xC0, 0x00, 0x02, 0x01,
        0x0B, 0xEF, 0x0B, 0xEF,  // UDP ports 3055 -> 3055
        0x00, 0x18, 0x63, 0xD5,  // UDP length 24, checksum (IPv4 pseudo-header)
    ] + spmr

    @Test func buildsNativeDatagram() throws {
        let header = PGMIPv4Header(source: Self.receiverAddress, destination: Self.sourceAddress)
        let packet = try PGMPacket.decode(Self.spmr)
        #expect(try PGMFraming.nativeIPv4Datagram(packet, header: header) == Self.native)
    }

    @Test func parsesNativeDatagram() throws {
        let (header, udp, packet) = try PGMFraming.decodeIPv4(Self.native)
        #expect(header == PGMIPv4Header(source: Self.receiverAddress, destination: Self.sourceAddress))
        #expect(udp == nil)
        #expect(packet == (try PGMPacket.decode(Self.spmr)))
    }

    @Test func routerAlert() throws {
        let header = PGMIPv4Header(
            source: Self.receiverAddress, destination: IPv4Address(239, 1, 2, 3), ttl: 1,
            identification: 0x1234, dontFragment: true, routerAlert: true)
        let datagram = try PGMFraming.ipv4Datagram(header: header, payload: Self.spmr)
        #expect(Array(datagram.prefix(24)) == [
            0x46, 0x00, 0x00, 0x28,  // IHL 6, total length 40
            0x12, 0x34, 0x40, 0x00,  // identification, DF
            0x01, 0x71, 0x1F, 0x1F,  // TTL 1, PGM, header checksum
            0xC0, 0x00, 0x02, 0x09,
            0xEF, 0x01, 0x02, 0x03,
            0x94, 0x04, 0x00, 0x00,  // Router Alert (RFC 2113)
        ])
        #expect(try PGMFraming.decodeIPv4(datagram).header == header)
    }

    @Test func buildsAndParsesUDPDatagram() throws {
        let header = PGMIPv4Header(source: Self.receiverAddress, destination: Self.sourceAddress)
        let packet = try PGMPacket.decode(Self.spmr)
        let udpHeader = PGMUDPHeader(sourcePort: PGMFraming.defaultUDPPort, destinationPort: PGMFraming.defaultUDPPort)
        #expect(try PGMFraming.udpIPv4Datagram(packet, header: header, udp: udpHeader) == Self.udp)
        let decoded = try PGMFraming.decodeIPv4(Self.udp)
        #expect(decoded.header.protocolNumber == 17)
        #expect(decoded.udp == udpHeader)
        #expect(decoded.packet == packet)
    }

    @Test func linkLayerPaddingIsIgnored() throws {
        #expect(try PGMFraming.decodeIPv4(Self.native + [0, 0, 0, 0]).packet == (try PGMPacket.decode(Self.spmr)))
    }

    func error(_ bytes: [UInt8]) -> PGMWireError? {
        wireError { () throws(PGMWireError) in _ = try PGMFraming.decodeIPv4(bytes) }
    }

    @Test func ipv4Errors() {
        #expect(error(Array(Self.native.prefix(19))) == .truncated(.ipv4Header, needed: 20, available: 19))
        var v6 = Self.native
        v6[0] = 0x65
        #expect(error(v6) == .badIPv4Header(.notIPv4(version: 6)))
        var ihl = Self.native
        ihl[0] = 0x44
        #expect(error(ihl) == .badIPv4Header(.badHeaderLength(16)))
        var long = Self.native
        long[3] = 0x30
        #expect(error(long) == .badIPv4Header(.totalLengthMismatch(declared: 48, actual: 36)))
        var sum = Self.native
        sum[11] ^= 1
        #expect(error(sum) == .badIPv4Header(.headerChecksum))
        var fragment = Self.native
        fragment[6] = 0x20  // MF
        fragment[10] = 0x06
        fragment[11] = 0x5F
        #expect(error(fragment) == .badIPv4Header(.fragmented))
        var tcp = Self.native
        tcp[9] = 6
        tcp[11] = 0x5F + 113 - 6
        #expect(error(tcp) == .badIPv4Header(.unexpectedProtocol(6)))
    }

    @Test func udpErrors() {
        var length = Self.udp
        length[25] = 0x19
        #expect(error(length) == .badUDPHeader(.lengthMismatch(declared: 25, actual: 24)))
        var sum = Self.udp
        sum[27] ^= 1
        #expect(error(sum) == .badUDPHeader(.checksum))
        var none = Self.udp
        none[26] = 0
        none[27] = 0
        #expect(error(none) == nil, "a zero UDP checksum means none over IPv4")
        let short = Array(Self.udp.prefix(24))
        var shortFixed = short
        shortFixed[3] = 24
        shortFixed[11] = 0xB7 + 20
        #expect(error(shortFixed) == .truncated(.udpHeader, needed: 8, available: 4))
        // The PGM packet inside is checked too.
        var inner = Self.udp
        inner[28 + 4] = 0x4C
        #expect(error(inner) == .badUDPHeader(.checksum))
        #expect(wireError { () throws(PGMWireError) in _ = try PGMFraming.decodeIPv4(inner, verifyChecksums: false) }
            == .unsupportedVersion(1))
    }
}

/// The IPv4 header fields the framing helpers write and read.
public struct PGMIPv4Header: Hashable, Sendable {
    public var source: IPv4Address
    public var destination: IPv4Address
    /// 113 for native PGM, 17 for UDP encapsulation.
    public var protocolNumber: UInt8
    public var ttl: UInt8
    public var identification: UInt16
    /// The old TOS octet (DSCP and ECN).
    public var typeOfService: UInt8
    public var dontFragment: Bool
    /// The IP Router Alert option (RFC 2113), which RFC 3208 section 4 asks
    /// for on SPMs, NCFs and RDATA (and POLLs, section 14.7.1) over multicast.
    public var routerAlert: Bool

    public init(
        source: IPv4Address, destination: IPv4Address, protocolNumber: UInt8 = PGMFraming.ipProtocol,
        ttl: UInt8 = 16, identification: UInt16 = 0, typeOfService: UInt8 = 0,
        dontFragment: Bool = false, routerAlert: Bool = false
    ) {
        self.source = source
        self.destination = destination
        self.protocolNumber = protocolNumber
        self.ttl = ttl
        self.identification = identification
        self.typeOfService = typeOfService
        self.dontFragment = dontFragment
        self.routerAlert = routerAlert
    }

    /// Octets of the header as written: 20, or 24 with Router Alert.
    public var encodedLength: Int { routerAlert ? 24 : 20 }
}

/// A UDP-encapsulated PGM packet's addressing.
public struct PGMUDPHeader: Hashable, Sendable {
    public var sourcePort: UInt16
    public var destinationPort: UInt16

    public init(sourcePort: UInt16, destinationPort: UInt16) {
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
    }
}

/// Native framing (the PGM packet is the payload of IP protocol 113) and
/// UDP encapsulation (the PGM packet, starting with its own header, is the
/// UDP payload, as OpenPGM sends it), over IPv4.
public enum PGMFraming {
    /// IANA protocol number of PGM.
    public static let ipProtocol: UInt8 = 113
    /// IANA protocol number of UDP.
    public static let udpProtocol: UInt8 = 17
    /// The customary UDP encapsulation port (OpenPGM's default, Wireshark's
    /// `pgm.udp.encap_ucast_port`).
    public static let defaultUDPPort: UInt16 = 3055

    // MARK: Building

    /// An IPv4 datagram carrying `payload` (a PGM packet, or a UDP datagram
    /// when `header.protocolNumber` is 17), with a correct header checksum.
    public static func ipv4Datagram(header: PGMIPv4Header, payload: some Collection<UInt8>) throws(PGMWireError) -> [UInt8] {
        let headerLength = header.encodedLength
        let total = headerLength + payload.count
        guard total <= 0xFFFF else { throw .valueOutOfRange(.ipv4TotalLength) }
        var bytes = [UInt8](repeating: 0, count: total)
        bytes.withUnsafeMutableBytes { buffer in
            var w = ByteWriter(buffer)
            w.u8(0x40 | UInt8(headerLength / 4))
            w.u8(header.typeOfService)
            w.u16(UInt16(total))
            w.u16(header.identification)
            w.u16(header.dontFragment ? 0x4000 : 0)
            w.u8(header.ttl)
            w.u8(header.protocolNumber)
            w.u16(0)
            w.u32(header.source.rawValue)
            w.u32(header.destination.rawValue)
            if header.routerAlert {
                w.u32(0x9404_0000)
            }
            let sum = ~onesComplementSum(UnsafeRawBufferPointer(rebasing: buffer[0..<headerLength]), initial: 0)
            buffer[10] = UInt8(sum >> 8)
            buffer[11] = UInt8(sum & 0xFF)
            w.bytes(payload)
        }
        return bytes
    }

    /// A native-framing IPv4 datagram: `header` with protocol 113 around the
    /// encoded `packet`.
    public static func nativeIPv4Datagram(_ packet: PGMPacket, header: PGMIPv4Header) throws(PGMWireError) -> [UInt8] {
        var h = header
        h.protocolNumber = ipProtocol
        return try ipv4Datagram(header: h, payload: try packet.encoded())
    }

    /// A UDP datagram (header and payload) carrying the PGM octets `pgm`, its
    /// checksum computed over the IPv4 pseudo-header of `source` and `destination`.
    public static func udpDatagram(
        _ pgm: some Collection<UInt8>, udp: PGMUDPHeader,
        source: IPv4Address, destination: IPv4Address
    ) throws(PGMWireError) -> [UInt8] {
        let length = 8 + pgm.count
        guard length <= 0xFFFF else { throw .valueOutOfRange(.ipv4TotalLength) }
        var bytes = [UInt8](repeating: 0, count: length)
        bytes.withUnsafeMutableBytes { buffer in
            var w = ByteWriter(buffer)
            w.u16(udp.sourcePort)
            w.u16(udp.destinationPort)
            w.u16(UInt16(length))
            w.u16(0)
            w.bytes(pgm)
            let pseudo = pseudoHeaderSum(source: source, destination: destination, length: length)
            var sum = ~onesComplementSum(UnsafeRawBufferPointer(buffer), initial: pseudo)
            if sum == 0 { sum = 0xFFFF }
            buffer[6] = UInt8(sum >> 8)
            buffer[7] = UInt8(sum & 0xFF)
        }
        return bytes
    }

    /// A UDP-encapsulated IPv4 datagram: `header` with protocol 17, a UDP
    /// header `udp`, and the encoded `packet`.
    public static func udpIPv4Datagram(_ packet: PGMPacket, header: PGMIPv4Header, udp: PGMUDPHeader) throws(PGMWireError) -> [UInt8] {
        var h = header
        h.protocolNumber = udpProtocol
        let datagram = try udpDatagram(try packet.encoded(), udp: udp, source: h.source, destination: h.destination)
        return try ipv4Datagram(header: h, payload: datagram)
    }

    // MARK: Parsing

    /// Parses an IPv4 header and returns it with the datagram's payload.
    /// Octets past Total Length (link-layer padding) are ignored. Fragments
    /// are refused.
    public static func parseIPv4(_ datagram: ArraySlice<UInt8>, verifyChecksum: Bool = true) throws(PGMWireError) -> (header: PGMIPv4Header, payload: ArraySlice<UInt8>) {
        let result: Result<(PGMIPv4Header, Range<Int>), PGMWireError> = datagram.withUnsafeBytes { p in
            Result { () throws(PGMWireError) in try parseIPv4Raw(p, verifyChecksum: verifyChecksum) }
        }
        let (header, range) = try result.get()
        let base = datagram.startIndex
        return (header, datagram[(base + range.lowerBound)..<(base + range.upperBound)])
    }

    /// Parses a UDP header within the IPv4 `header`'s datagram and returns it
    /// with the UDP payload (the encapsulated PGM packet).
    public static func parseUDP(
        _ datagram: ArraySlice<UInt8>, source: IPv4Address, destination: IPv4Address, verifyChecksum: Bool = true
    ) throws(PGMWireError) -> (udp: PGMUDPHeader, payload: ArraySlice<UInt8>) {
        let result: Result<PGMUDPHeader, PGMWireError> = datagram.withUnsafeBytes { p in
            Result { () throws(PGMWireError) in
                guard p.count >= 8 else { throw .truncated(.udpHeader, needed: 8, available: p.count) }
                let length = Int(p.be16(4))
                guard length == p.count else { throw .badUDPHeader(.lengthMismatch(declared: length, actual: p.count)) }
                if verifyChecksum && p.be16(6) != 0 {
                    let pseudo = pseudoHeaderSum(source: source, destination: destination, length: length)
                    guard onesComplementSum(p, initial: pseudo) == 0xFFFF else { throw .badUDPHeader(.checksum) }
                }
                return PGMUDPHeader(sourcePort: p.be16(0), destinationPort: p.be16(2))
            }
        }
        let udp = try result.get()
        return (udp, datagram.dropFirst(8))
    }

    /// Decodes the PGM packet in an IPv4 datagram in either framing: protocol
    /// 113, or protocol 17 to any port (the UDP header is returned then).
    public static func decodeIPv4(_ datagram: [UInt8], verifyChecksums: Bool = true) throws(PGMWireError) -> (header: PGMIPv4Header, udp: PGMUDPHeader?, packet: PGMPacket) {
        let (header, payload) = try parseIPv4(datagram[...], verifyChecksum: verifyChecksums)
        switch header.protocolNumber {
        case ipProtocol:
            return (header, nil, try PGMPacket.decode(payload, verifyChecksum: verifyChecksums))
        case udpProtocol:
            let (udp, pgm) = try parseUDP(payload, source: header.source, destination: header.destination, verifyChecksum: verifyChecksums)
            return (header, udp, try PGMPacket.decode(pgm, verifyChecksum: verifyChecksums))
        default:
            throw .badIPv4Header(.unexpectedProtocol(header.protocolNumber))
        }
    }

    static func parseIPv4Raw(_ p: UnsafeRawBufferPointer, verifyChecksum: Bool) throws(PGMWireError) -> (PGMIPv4Header, Range<Int>) {
        guard p.count >= 20 else { throw .truncated(.ipv4Header, needed: 20, available: p.count) }
        let version = p[0] >> 4
        guard version == 4 else { throw .badIPv4Header(.notIPv4(version: version)) }
        let headerLength = Int(p[0] & 0x0F) * 4
        guard headerLength >= 20 else { throw .badIPv4Header(.badHeaderLength(headerLength)) }
        guard headerLength <= p.count else {
            throw .truncated(.ipv4Header, needed: headerLength, available: p.count)
        }
        let total = Int(p.be16(2))
        guard total >= headerLength, total <= p.count else {
            throw .badIPv4Header(.totalLengthMismatch(declared: total, actual: p.count))
        }
        if verifyChecksum {
            let header = UnsafeRawBufferPointer(rebasing: p[0..<headerLength])
            guard onesComplementSum(header, initial: 0) == 0xFFFF else { throw .badIPv4Header(.headerChecksum) }
        }
        let fragment = p.be16(6)
        guard fragment & 0x3FFF == 0 else { throw .badIPv4Header(.fragmented) }
        var routerAlert = false
        var o = 20
        while o < headerLength {
            let kind = p[o]
            if kind == 0 { break }
            if kind == 1 {
                o += 1
                continue
            }
            guard headerLength - o >= 2 else { break }
            let length = Int(p[o + 1])
            guard length >= 2, headerLength - o >= length else { break }
            if kind == 0x94 && length == 4 { routerAlert = true }
            o += length
        }
        let header = PGMIPv4Header(
            source: IPv4Address(rawValue: p.be32(12)), destination: IPv4Address(rawValue: p.be32(16)),
            protocolNumber: p[9], ttl: p[8], identification: p.be16(4), typeOfService: p[1],
            dontFragment: fragment & 0x4000 != 0, routerAlert: routerAlert)
        return (header, headerLength..<total)
    }
}

/// The one's complement sum of `p`'s 16-bit words plus `initial`, folded.
func onesComplementSum(_ p: UnsafeRawBufferPointer, initial: UInt32) -> UInt16 {
    var sum = UInt64(initial)
    var i = 0
    while p.count - i >= 2 {
        sum &+= UInt64(p[i]) << 8 | UInt64(p[i + 1])
        i += 2
    }
    if i < p.count { sum &+= UInt64(p[i]) << 8 }
    while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
    return UInt16(sum)
}

private func pseudoHeaderSum(source: IPv4Address, destination: IPv4Address, length: Int) -> UInt32 {
    (source.rawValue >> 16) + (source.rawValue & 0xFFFF) + (destination.rawValue >> 16)
        + (destination.rawValue & 0xFFFF) + UInt32(PGMFraming.udpProtocol) + UInt32(length)
}

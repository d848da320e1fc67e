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

/// The IPv6 header fields the framing helpers write and read.
public struct PGMIPv6Header: Hashable, Sendable {
    public var source: PGMIPv6Address
    public var destination: PGMIPv6Address
    /// The upper-layer protocol, the Next Header that ends the chain of
    /// extension headers: 113 for native PGM, 17 for UDP encapsulation.
    public var nextHeader: UInt8
    public var hopLimit: UInt8
    /// DSCP and ECN.
    public var trafficClass: UInt8
    /// 20 bits.
    public var flowLabel: UInt32
    /// The value of a Router Alert option (RFC 2711) in a Hop-by-Hop Options
    /// header, nil without one. IANA has assigned no value for PGM; RFC 3208
    /// section 4 asks for Router Alert on SPMs, NCFs and RDATA.
    public var routerAlert: UInt16?

    public init(
        source: PGMIPv6Address, destination: PGMIPv6Address, nextHeader: UInt8 = PGMFraming.ipProtocol,
        hopLimit: UInt8 = 16, trafficClass: UInt8 = 0, flowLabel: UInt32 = 0, routerAlert: UInt16? = nil
    ) {
        self.source = source
        self.destination = destination
        self.nextHeader = nextHeader
        self.hopLimit = hopLimit
        self.trafficClass = trafficClass
        self.flowLabel = flowLabel
        self.routerAlert = routerAlert
    }

    /// Octets of the headers as written: 40, or 48 with a Hop-by-Hop Options
    /// header carrying Router Alert.
    public var encodedLength: Int { routerAlert == nil ? 40 : 48 }
}

/// An IPv6 Fragment header's fields (RFC 8200 section 4.5).
public struct PGMIPv6Fragment: Hashable, Sendable {
    public var identification: UInt32
    /// Fragment offset in octets.
    public var offset: Int
    /// The M flag.
    public var more: Bool

    public init(identification: UInt32, offset: Int, more: Bool) {
        self.identification = identification
        self.offset = offset
        self.more = more
    }
}

/// Where an IPv6 datagram's upper-layer data is, found by walking its
/// extension headers.
public struct PGMIPv6Layout: Hashable, Sendable {
    /// `nextHeader` is the upper-layer protocol, or for a fragment the Next
    /// Header of its Fragment header.
    public var header: PGMIPv6Header
    /// 40 plus Payload Length: the datagram's declared size.
    public var totalLength: Int
    /// The upper-layer octets (for a fragment, the fragment's data), as
    /// indexes of the slice given to `ipv6Layout`.
    public var payload: Range<Int>
    /// The Fragment header, when there is one that makes this a fragment
    /// (an atomic fragment, offset 0 without M, is not; RFC 6946).
    public var fragment: PGMIPv6Fragment?
}

/// Native framing (the PGM packet is the payload of IP protocol 113) and
/// UDP encapsulation (the PGM packet, starting with its own header, is the
/// UDP payload, as OpenPGM sends it), over IPv4 and IPv6. The PGM checksum
/// covers the PGM packet alone in every framing (RFC 3208 section 8): no
/// pseudo-header.
public enum PGMFraming {
    /// IANA protocol number of PGM.
    public static let ipProtocol: UInt8 = 113
    /// IANA protocol number of UDP.
    public static let udpProtocol: UInt8 = 17
    /// The customary UDP encapsulation port (OpenPGM's default, Wireshark's
    /// `pgm.udp.encap_ucast_port`).
    public static let defaultUDPPort: UInt16 = 3055
    /// The most IPv6 extension headers `parseIPv6` walks before the
    /// upper-layer header.
    public static let ipv6ExtensionHeaderLimit = 8

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
        try udpDatagram(pgm, udp: udp, tooLong: .ipv4TotalLength) { length in
            pseudoHeaderSum(source: source, destination: destination, length: length)
        }
    }

    /// A UDP datagram carrying the PGM octets `pgm`, its checksum computed
    /// over the IPv6 pseudo-header (RFC 8200 section 8.1) of `source` and
    /// `destination`.
    public static func udpDatagram(
        _ pgm: some Collection<UInt8>, udp: PGMUDPHeader,
        source: PGMIPv6Address, destination: PGMIPv6Address
    ) throws(PGMWireError) -> [UInt8] {
        try udpDatagram(pgm, udp: udp, tooLong: .ipv6PayloadLength) { length in
            pseudoHeaderSum(source: source, destination: destination, length: length)
        }
    }

    private static func udpDatagram(
        _ pgm: some Collection<UInt8>, udp: PGMUDPHeader, tooLong: PGMWireField, pseudo: (Int) -> UInt32
    ) throws(PGMWireError) -> [UInt8] {
        let length = 8 + pgm.count
        guard length <= 0xFFFF else { throw .valueOutOfRange(tooLong) }
        let initial = pseudo(length)
        var bytes = [UInt8](repeating: 0, count: length)
        bytes.withUnsafeMutableBytes { buffer in
            var w = ByteWriter(buffer)
            w.u16(udp.sourcePort)
            w.u16(udp.destinationPort)
            w.u16(UInt16(length))
            w.u16(0)
            w.bytes(pgm)
            var sum = ~onesComplementSum(UnsafeRawBufferPointer(buffer), initial: initial)
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

    /// An IPv6 datagram carrying `payload` (a PGM packet, or a UDP datagram
    /// when `header.nextHeader` is 17), after a Hop-by-Hop Options header
    /// when `header.routerAlert` is set.
    public static func ipv6Datagram(header: PGMIPv6Header, payload: some Collection<UInt8>) throws(PGMWireError) -> [UInt8] {
        let headerLength = header.encodedLength
        let payloadLength = headerLength - 40 + payload.count
        guard payloadLength <= 0xFFFF else { throw .valueOutOfRange(.ipv6PayloadLength) }
        var bytes = [UInt8](repeating: 0, count: 40 + payloadLength)
        bytes.withUnsafeMutableBytes { buffer in
            var w = ByteWriter(buffer)
            w.u32(6 << 28 | UInt32(header.trafficClass) << 20 | header.flowLabel & 0xF_FFFF)
            w.u16(UInt16(payloadLength))
            w.u8(header.routerAlert == nil ? header.nextHeader : hopByHopHeader)
            w.u8(header.hopLimit)
            w.bytes(header.source.bytes)
            w.bytes(header.destination.bytes)
            if let value = header.routerAlert {
                // Next Header, length 0 (8 octets), Router Alert (type 5,
                // length 2, value), PadN of 2 octets.
                w.u8(header.nextHeader)
                w.u8(0)
                w.u8(5)
                w.u8(2)
                w.u16(value)
                w.u8(1)
                w.u8(0)
            }
            w.bytes(payload)
        }
        return bytes
    }

    /// A native-framing IPv6 datagram: `header` with Next Header 113 around
    /// the encoded `packet`.
    public static func nativeIPv6Datagram(_ packet: PGMPacket, header: PGMIPv6Header) throws(PGMWireError) -> [UInt8] {
        var h = header
        h.nextHeader = ipProtocol
        return try ipv6Datagram(header: h, payload: try packet.encoded())
    }

    /// A UDP-encapsulated IPv6 datagram: `header` with Next Header 17, a UDP
    /// header `udp` with its mandatory checksum, and the encoded `packet`.
    public static func udpIPv6Datagram(_ packet: PGMPacket, header: PGMIPv6Header, udp: PGMUDPHeader) throws(PGMWireError) -> [UInt8] {
        var h = header
        h.nextHeader = udpProtocol
        let datagram = try udpDatagram(try packet.encoded(), udp: udp, source: h.source, destination: h.destination)
        return try ipv6Datagram(header: h, payload: datagram)
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
    /// with the UDP payload (the encapsulated PGM packet). A zero checksum
    /// means none over IPv4.
    public static func parseUDP(
        _ datagram: ArraySlice<UInt8>, source: IPv4Address, destination: IPv4Address, verifyChecksum: Bool = true
    ) throws(PGMWireError) -> (udp: PGMUDPHeader, payload: ArraySlice<UInt8>) {
        try parseUDP(datagram, verifyChecksum: verifyChecksum, checksumRequired: false) { length in
            pseudoHeaderSum(source: source, destination: destination, length: length)
        }
    }

    /// Parses a UDP header within an IPv6 datagram from `source` to
    /// `destination` and returns it with the UDP payload. The checksum is
    /// mandatory over IPv6: zero is refused (RFC 8200 section 8.1).
    public static func parseUDP(
        _ datagram: ArraySlice<UInt8>, source: PGMIPv6Address, destination: PGMIPv6Address, verifyChecksum: Bool = true
    ) throws(PGMWireError) -> (udp: PGMUDPHeader, payload: ArraySlice<UInt8>) {
        try parseUDP(datagram, verifyChecksum: verifyChecksum, checksumRequired: true) { length in
            pseudoHeaderSum(source: source, destination: destination, length: length)
        }
    }

    private static func parseUDP(
        _ datagram: ArraySlice<UInt8>, verifyChecksum: Bool, checksumRequired: Bool, pseudo: (Int) -> UInt32
    ) throws(PGMWireError) -> (udp: PGMUDPHeader, payload: ArraySlice<UInt8>) {
        let result: Result<PGMUDPHeader, PGMWireError> = datagram.withUnsafeBytes { p in
            Result { () throws(PGMWireError) in
                guard p.count >= 8 else { throw .truncated(.udpHeader, needed: 8, available: p.count) }
                let length = Int(p.be16(4))
                guard length == p.count else { throw .badUDPHeader(.lengthMismatch(declared: length, actual: p.count)) }
                if verifyChecksum {
                    if p.be16(6) != 0 {
                        guard onesComplementSum(p, initial: pseudo(length)) == 0xFFFF else { throw .badUDPHeader(.checksum) }
                    } else if checksumRequired {
                        throw .badUDPHeader(.missingChecksum)
                    }
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
        case ipProtocol, udpProtocol:
            let (udp, packet) = try decodeTransport(
                header.protocolNumber, payload, verifyPGM: verifyChecksums
            ) { (d: ArraySlice<UInt8>) throws(PGMWireError) in
                try parseUDP(d, source: header.source, destination: header.destination, verifyChecksum: verifyChecksums)
            }
            return (header, udp, packet)
        default:
            throw .badIPv4Header(.unexpectedProtocol(header.protocolNumber))
        }
    }

    /// Decodes the PGM packet in an IPv6 datagram in either framing: Next
    /// Header 113, or 17 to any port (the UDP header is returned then).
    public static func decodeIPv6(_ datagram: [UInt8], verifyChecksums: Bool = true) throws(PGMWireError) -> (header: PGMIPv6Header, udp: PGMUDPHeader?, packet: PGMPacket) {
        let (header, payload) = try parseIPv6(datagram[...])
        guard header.nextHeader == ipProtocol || header.nextHeader == udpProtocol else {
            throw .badIPv6Header(.unexpectedNextHeader(header.nextHeader))
        }
        let (udp, packet) = try decodeTransport(
            header.nextHeader, payload, verifyPGM: verifyChecksums
        ) { (d: ArraySlice<UInt8>) throws(PGMWireError) in
            try parseUDP(d, source: header.source, destination: header.destination, verifyChecksum: verifyChecksums)
        }
        return (header, udp, packet)
    }

    /// The PGM packet after an IP header whose upper-layer protocol is
    /// `number`: natively, or inside the UDP datagram `parseUDP` reads.
    /// `verifyPGM` says whether the PGM checksum is verified.
    public static func decodeTransport(
        _ number: UInt8, _ payload: ArraySlice<UInt8>, verifyPGM: Bool = true,
        parseUDP: (ArraySlice<UInt8>) throws(PGMWireError) -> (udp: PGMUDPHeader, payload: ArraySlice<UInt8>)
    ) throws(PGMWireError) -> (udp: PGMUDPHeader?, packet: PGMPacket) {
        if number == udpProtocol {
            let (udp, pgm) = try parseUDP(payload)
            return (udp, try PGMPacket.decode(pgm, verifyChecksum: verifyPGM))
        }
        return (nil, try PGMPacket.decode(payload, verifyChecksum: verifyPGM))
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

    // MARK: IPv6

    /// The Next Header numbers of the extension headers `ipv6Layout` walks.
    static let hopByHopHeader: UInt8 = 0
    static let routingHeader: UInt8 = 43
    static let fragmentHeader: UInt8 = 44
    static let destinationOptionsHeader: UInt8 = 60

    /// Parses an IPv6 header and its extension headers (Hop-by-Hop Options,
    /// Routing, Destination Options; at most `ipv6ExtensionHeaderLimit`) and
    /// returns the header with the upper-layer payload. Octets past Payload
    /// Length (link-layer padding) are ignored. Fragments are refused.
    public static func parseIPv6(_ datagram: ArraySlice<UInt8>) throws(PGMWireError) -> (header: PGMIPv6Header, payload: ArraySlice<UInt8>) {
        let layout = try ipv6Layout(datagram)
        guard layout.fragment == nil else { throw .badIPv6Header(.fragmented) }
        let base = datagram.startIndex
        return (layout.header, datagram[(base + layout.payload.lowerBound)..<(base + layout.payload.upperBound)])
    }

    /// Walks an IPv6 datagram's extension headers to its upper-layer data,
    /// stopping at a Fragment header unless it is the first fragment (whose
    /// upper-layer header is then found). With `captured`, the datagram may
    /// end before Payload Length says (a capture cut by its snapshot length):
    /// the walk is then bounded by the octets present.
    public static func ipv6Layout(_ datagram: ArraySlice<UInt8>, captured: Bool = false) throws(PGMWireError) -> PGMIPv6Layout {
        let result: Result<PGMIPv6Layout, PGMWireError> = datagram.withUnsafeBytes { p in
            Result { () throws(PGMWireError) in try ipv6LayoutRaw(p, captured: captured) }
        }
        return try result.get()
    }

    static func ipv6LayoutRaw(_ p: UnsafeRawBufferPointer, captured: Bool) throws(PGMWireError) -> PGMIPv6Layout {
        guard p.count >= 40 else { throw .truncated(.ipv6Header, needed: 40, available: p.count) }
        let first = p.be32(0)
        let version = UInt8(first >> 28)
        guard version == 6 else { throw .badIPv6Header(.notIPv6(version: version)) }
        let payloadLength = Int(p.be16(4))
        let total = 40 + payloadLength
        guard total <= p.count || captured else {
            throw .badIPv6Header(.payloadLengthMismatch(declared: payloadLength, actual: p.count - 40))
        }
        let end = min(total, p.count)
        var header = PGMIPv6Header(
            source: PGMIPv6Address(high: p.be64(8), low: p.be64(16)),
            destination: PGMIPv6Address(high: p.be64(24), low: p.be64(32)),
            nextHeader: p[6], hopLimit: p[7], trafficClass: UInt8(truncatingIfNeeded: first >> 20),
            flowLabel: first & 0xF_FFFF)
        var fragment: PGMIPv6Fragment?
        var o = 40
        var count = 0
        walk: while true {
            let type = header.nextHeader
            switch type {
            case hopByHopHeader, routingHeader, destinationOptionsHeader, fragmentHeader:
                break
            default:
                break walk
            }
            guard count < ipv6ExtensionHeaderLimit else { throw .badIPv6Header(.tooManyExtensionHeaders) }
            if type == hopByHopHeader && count != 0 { throw .badIPv6Header(.hopByHopNotFirst) }
            count += 1
            guard end - o >= 8 else { throw .truncated(.ipv6ExtensionHeader(type), needed: 8, available: end - o) }
            // The Fragment header's second octet is reserved: it is 8 octets.
            let length = type == fragmentHeader ? 8 : (Int(p[o + 1]) + 1) * 8
            guard end - o >= length else { throw .truncated(.ipv6ExtensionHeader(type), needed: length, available: end - o) }
            header.nextHeader = p[o]
            if type == hopByHopHeader {
                header.routerAlert = routerAlert(UnsafeRawBufferPointer(rebasing: p[(o + 2)..<(o + length)]))
            }
            if type == fragmentHeader {
                let field = p.be16(o + 2)
                let f = PGMIPv6Fragment(identification: p.be32(o + 4), offset: Int(field & 0xFFF8), more: field & 1 != 0)
                if f.offset != 0 || f.more {
                    fragment = f
                    if f.offset != 0 {
                        o += length
                        break walk
                    }
                }
            }
            o += length
        }
        return PGMIPv6Layout(header: header, totalLength: total, payload: o..<end, fragment: fragment)
    }

    /// The value of the first Router Alert option (type 5, length 2) among
    /// Hop-by-Hop `options`; the walk stops at the first malformed option.
    static func routerAlert(_ options: UnsafeRawBufferPointer) -> UInt16? {
        var o = 0
        while o < options.count {
            let type = options[o]
            if type == 0 {
                o += 1
                continue
            }
            guard options.count - o >= 2 else { return nil }
            let length = Int(options[o + 1])
            guard options.count - o - 2 >= length else { return nil }
            if type == 5 && length == 2 { return options.be16(o + 2) }
            o += 2 + length
        }
        return nil
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

/// The IPv6 pseudo-header's sum (RFC 8200 section 8.1): both addresses, the
/// upper-layer length and Next Header 17.
private func pseudoHeaderSum(source: PGMIPv6Address, destination: PGMIPv6Address, length: Int) -> UInt32 {
    let words = source.groups + destination.groups
    return words.reduce(UInt32(PGMFraming.udpProtocol) + UInt32(length >> 16) + UInt32(length & 0xFFFF)) { $0 + UInt32($1) }
}

import PGMWire

/// Values shared by the tests.
enum T {
    static let gsi = GSI(0x01, 0x02, 0x03, 0x04, 0x05, 0x06)
    /// Data-source port (0x1234) and data-destination port (0x1F90 = 8080).
    static let dataSourcePort: UInt16 = 0x1234
    static let dataDestinationPort: UInt16 = 0x1F90
    static let source = PGMNLA.ipv4(IPv4Address(192, 0, 2, 1))
    static let group = PGMNLA.ipv4(IPv4Address(239, 1, 2, 3))
    static let router = PGMNLA.ipv4(IPv4Address(192, 0, 2, 254))
    static let receiver = PGMNLA.ipv4(IPv4Address(192, 0, 2, 9))
    /// 2001:db8::1
    static let source6 = PGMNLA.ipv6(PGMIPv6Address(high: 0x2001_0DB8_0000_0000, low: 1))
    /// ff0e::1:3
    static let group6 = PGMNLA.ipv6(PGMIPv6Address(high: 0xFF0E_0000_0000_0000, low: 0x0001_0003))

    /// A packet with the test ports, downstream or upstream by its type.
    static func packet(_ body: PGMBody, _ options: [PGMOption] = [], flags: PGMHeaderFlags = []) throws -> PGMPacket {
        let up = body.type.isUpstream
        return PGMPacket(
            sourcePort: up ? dataDestinationPort : dataSourcePort,
            destinationPort: up ? dataSourcePort : dataDestinationPort,
            gsi: gsi, body: body, options: try PGMOptions(options), flags: flags)
    }
}

/// An independent one's complement checksum (RFC 1071 style) used to repair
/// the checksum of hand-edited packets.
func fixChecksum(_ bytes: inout [UInt8]) {
    guard bytes.count >= 8 else { return }
    bytes[6] = 0
    bytes[7] = 0
    var sum: UInt32 = 0
    var i = 0
    while i < bytes.count {
        let hi = UInt32(bytes[i])
        let lo = i + 1 < bytes.count ? UInt32(bytes[i + 1]) : 0
        sum += hi << 8 | lo
        i += 2
    }
    while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
    var c = ~UInt16(sum)
    if c == 0 { c = 0xFFFF }
    bytes[6] = UInt8(c >> 8)
    bytes[7] = UInt8(c & 0xFF)
}

/// `bytes` with the checksum repaired.
func checksummed(_ bytes: [UInt8]) -> [UInt8] {
    var b = bytes
    fixChecksum(&b)
    return b
}

/// The error `body` throws, or nil.
func wireError(_ body: () throws(PGMWireError) -> Void) -> PGMWireError? {
    do {
        try body()
        return nil
    } catch {
        return error
    }
}

/// The error decoding `bytes` throws, or nil.
func decodeError(_ bytes: [UInt8], verifyChecksum: Bool = true) -> PGMWireError? {
    wireError { () throws(PGMWireError) in _ = try PGMPacket.decode(bytes, verifyChecksum: verifyChecksum) }
}

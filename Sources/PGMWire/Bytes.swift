// Internal big-endian access to raw buffers. Readers assume the caller has
// checked the range; every decoder path does so before reading.

extension UnsafeRawBufferPointer {
    @inline(__always)
    func be16(_ offset: Int) -> UInt16 {
        UInt16(self[offset]) << 8 | UInt16(self[offset + 1])
    }

    @inline(__always)
    func be32(_ offset: Int) -> UInt32 {
        UInt32(self[offset]) << 24 | UInt32(self[offset + 1]) << 16
            | UInt32(self[offset + 2]) << 8 | UInt32(self[offset + 3])
    }

    @inline(__always)
    func be64(_ offset: Int) -> UInt64 {
        UInt64(be32(offset)) << 32 | UInt64(be32(offset + 4))
    }
}

/// Writes big-endian fields into a buffer whose size the caller computed.
struct ByteWriter {
    let buffer: UnsafeMutableRawBufferPointer
    var offset: Int

    init(_ buffer: UnsafeMutableRawBufferPointer, offset: Int = 0) {
        self.buffer = buffer
        self.offset = offset
    }

    @inline(__always)
    mutating func u8(_ v: UInt8) {
        buffer[offset] = v
        offset += 1
    }

    @inline(__always)
    mutating func u16(_ v: UInt16) {
        buffer[offset] = UInt8(truncatingIfNeeded: v >> 8)
        buffer[offset + 1] = UInt8(truncatingIfNeeded: v)
        offset += 2
    }

    @inline(__always)
    mutating func u32(_ v: UInt32) {
        buffer[offset] = UInt8(truncatingIfNeeded: v >> 24)
        buffer[offset + 1] = UInt8(truncatingIfNeeded: v >> 16)
        buffer[offset + 2] = UInt8(truncatingIfNeeded: v >> 8)
        buffer[offset + 3] = UInt8(truncatingIfNeeded: v)
        offset += 4
    }

    @inline(__always)
    mutating func u64(_ v: UInt64) {
        u32(UInt32(truncatingIfNeeded: v >> 32))
        u32(UInt32(truncatingIfNeeded: v))
    }

    mutating func bytes(_ b: some Collection<UInt8>) {
        for x in b { u8(x) }
    }

    /// AFI, zero reserved field, address.
    mutating func nla(_ nla: PGMNLA) {
        u16(nla.afi)
        u16(0)
        switch nla {
        case .ipv4(let a): u32(a.rawValue)
        case .ipv6(let a):
            u64(a.high)
            u64(a.low)
        }
    }
}

/// Reads an NLA (AFI, reserved, address) at `offset` of `p`, which must have
/// at least 4 octets there; returns the NLA and its encoded length.
func readNLA(
    _ p: UnsafeRawBufferPointer, at offset: Int, limit: Int, field: PGMNLAField
) throws(PGMWireError) -> (PGMNLA, Int) {
    guard limit - offset >= 4 else {
        throw .truncated(.nla(field), needed: 4, available: max(0, limit - offset))
    }
    let afi = p.be16(offset)
    let addressLength: Int
    switch afi {
    case PGMNLA.afiIPv4: addressLength = 4
    case PGMNLA.afiIPv6: addressLength = 16
    default: throw .badAFI(afi, field)
    }
    guard limit - offset >= 4 + addressLength else {
        throw .truncated(.nla(field), needed: 4 + addressLength, available: limit - offset)
    }
    guard p.be16(offset + 2) == 0 else { throw .reservedBitsSet(.nlaReserved(field)) }
    if addressLength == 4 {
        return (.ipv4(IPv4Address(rawValue: p.be32(offset + 4))), 8)
    }
    return (.ipv6(PGMIPv6Address(high: p.be64(offset + 4), low: p.be64(offset + 12))), 20)
}

/// Reads a bare address whose family is given by its length (4 or 16).
func readBareAddress(_ p: UnsafeRawBufferPointer, at offset: Int, length: Int) -> PGMNLA {
    if length == 4 { return .ipv4(IPv4Address(rawValue: p.be32(offset))) }
    return .ipv6(PGMIPv6Address(high: p.be64(offset), low: p.be64(offset + 8)))
}

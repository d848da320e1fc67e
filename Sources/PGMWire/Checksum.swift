/// The PGM checksum (RFC 3208 section 8): the 16-bit one's complement of the
/// one's complement sum of the whole PGM packet, with no pseudo-header.
public enum PGMChecksum {
    /// The one's complement sum of `bytes`, folded to 16 bits, not complemented.
    public static func partialSum(_ bytes: some Collection<UInt8>, initial: UInt32 = 0) -> UInt32 {
        var sum = UInt64(initial)
        var iterator = bytes.makeIterator()
        while let hi = iterator.next() {
            let lo = iterator.next() ?? 0
            sum += UInt64(hi) << 8 | UInt64(lo)
        }
        while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
        return UInt32(sum)
    }

    /// The value to put in the checksum field of `packet`, whose checksum field
    /// must be zero. A computed zero is sent as 0xFFFF, since zero on the wire
    /// means "no checksum".
    public static func compute(_ packet: some Collection<UInt8>) -> UInt16 {
        let c = ~UInt16(truncatingIfNeeded: partialSum(packet))
        return c == 0 ? 0xFFFF : c
    }

    /// True when `packet` (checksum field included) carries a valid checksum,
    /// or none (a zero field).
    public static func verify(_ packet: some Collection<UInt8>, field: UInt16) -> Bool {
        field == 0 || UInt16(truncatingIfNeeded: partialSum(packet)) == 0xFFFF
    }
}

extension PGMChecksum {
    /// The checksum field value for the packet in `p`: the complement of the
    /// one's complement sum of its 16-bit words, the word at offset `skipping`
    /// (the checksum field) counted as zero, with zero sent as 0xFFFF.
    static func value(for p: UnsafeRawBufferPointer, skipping: Int?) -> UInt16 {
        var sum: UInt64 = 0
        var i = 0
        let n = p.count
        while n - i >= 2 {
            if i != skipping { sum &+= UInt64(p[i]) << 8 | UInt64(p[i + 1]) }
            i += 2
        }
        if i < n { sum &+= UInt64(p[i]) << 8 }
        while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
        let c = ~UInt16(truncatingIfNeeded: sum)
        return c == 0 ? 0xFFFF : c
    }
}

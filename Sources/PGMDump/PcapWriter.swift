/// Writes classic pcap files in little-endian order: what `pgm-dump -w`
/// saves and what the tests feed the readers.
public enum PcapWriter {
    /// The 24-octet file header: magic (nanosecond or microsecond), version
    /// 2.4, zone and accuracy 0, snapshot length, link type.
    public static func fileHeader(linkType: UInt32 = LinkType.raw, snapLength: UInt32 = 262_144, nanosecond: Bool = true) -> [UInt8] {
        le32(nanosecond ? CaptureReader.pcapMagicNano : CaptureReader.pcapMagicMicro)
            + le16(2) + le16(4) + le32(0) + le32(0) + le32(snapLength) + le32(linkType)
    }

    /// One record: header and captured octets. `originalLength` defaults to
    /// the captured length.
    public static func record(
        _ data: some Collection<UInt8>, timestamp: CaptureTimestamp, originalLength: Int? = nil, nanosecond: Bool = true
    ) -> [UInt8] {
        let fraction = nanosecond ? timestamp.nanoseconds : timestamp.nanoseconds / 1000
        let original = UInt32(clamping: originalLength ?? data.count)
        return le32(UInt32(truncatingIfNeeded: timestamp.seconds)) + le32(fraction)
            + le32(UInt32(clamping: data.count)) + le32(original) + Array(data)
    }

    static func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
    static func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * UInt32($0))) } }
}

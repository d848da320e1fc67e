// Readers for capture files: classic pcap and pcapng, written from the
// formats' descriptions (the tcpdump.org pcap file format and the IETF
// opsawg pcapng draft). Both parse untrusted input: every read is bounds
// checked and every defect ends in a `CaptureFileError` naming the byte
// offset, never in a trap.

/// When a frame was captured: seconds since the Unix epoch and nanoseconds.
public struct CaptureTimestamp: Hashable, Sendable, Comparable {
    public var seconds: Int64
    /// 0 ..< 1_000_000_000.
    public var nanoseconds: UInt32

    public init(seconds: Int64, nanoseconds: UInt32) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
    }

    public static func < (a: CaptureTimestamp, b: CaptureTimestamp) -> Bool {
        (a.seconds, a.nanoseconds) < (b.seconds, b.nanoseconds)
    }
}

/// Link-layer header types (the tcpdump.org LINKTYPE_ registry) this tool
/// understands.
public enum LinkType {
    /// BSD loopback: a 4-octet address family in the capturing host's order.
    public static let null: UInt32 = 0
    /// Ethernet II, with or without 802.1Q/802.1ad tags.
    public static let ethernet: UInt32 = 1
    /// Raw IP (the version nibble says 4 or 6).
    public static let raw: UInt32 = 101
    /// Linux cooked capture v1 (16-octet header).
    public static let linuxSLL: UInt32 = 113
    /// Raw IPv4.
    public static let ipv4: UInt32 = 228
    /// Raw IPv6.
    public static let ipv6: UInt32 = 229
    /// Linux cooked capture v2 (20-octet header).
    public static let linuxSLL2: UInt32 = 276
}

/// One captured frame.
public struct CaptureRecord: Sendable {
    /// 1-based position in the file (or in the live capture).
    public var number: Int
    /// File offset of the record (pcap record header or pcapng block).
    public var offset: Int
    /// Nil for pcapng Simple Packet Blocks, which carry no time.
    public var timestamp: CaptureTimestamp?
    public var linkType: UInt32
    /// The frame's length on the wire; more than `data.count` when the
    /// capture was cut short by the snapshot length.
    public var originalLength: Int
    /// The captured octets.
    public var data: ArraySlice<UInt8>

    public init(number: Int, offset: Int, timestamp: CaptureTimestamp?, linkType: UInt32, originalLength: Int, data: ArraySlice<UInt8>) {
        self.number = number
        self.offset = offset
        self.timestamp = timestamp
        self.linkType = linkType
        self.originalLength = originalLength
        self.data = data
    }

    /// True when fewer octets were captured than the frame had.
    public var isTruncated: Bool { data.count < originalLength }
}

/// A capture file that cannot be read further.
public struct CaptureFileError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Byte offset in the file where the defect is.
    public var offset: Int
    public var problem: Problem

    public init(offset: Int, _ problem: Problem) {
        self.offset = offset
        self.problem = problem
    }

    public enum Problem: Hashable, Sendable {
        /// The first four octets are neither a pcap magic nor a pcapng
        /// Section Header Block.
        case badMagic(UInt32)
        /// The file ends inside a file header, record header, block or
        /// record data: `needed` octets from `offset`, `available` present.
        case truncated(what: String, needed: Int, available: Int)
        /// A pcap record's captured length exceeds its original length.
        case capturedExceedsOriginal(captured: Int, original: Int)
        /// A pcapng Section Header Block's byte-order magic is not 0x1A2B3C4D
        /// in either order.
        case badByteOrderMagic(UInt32)
        /// An unsupported pcap or pcapng major version.
        case unsupportedVersion(major: UInt16, minor: UInt16)
        /// A pcapng block length below 12 or not a multiple of 4.
        case badBlockLength(UInt32)
        /// A pcapng block's trailing length differs from its leading length.
        case blockLengthMismatch(leading: UInt32, trailing: UInt32)
        /// A pcapng block's fixed fields or data do not fit in its length.
        case blockTooShort(type: UInt32, length: UInt32)
        /// A pcapng packet block names an interface no IDB described.
        case unknownInterface(UInt32)
        /// A pcapng block appears before any Section Header Block.
        case noSection
        /// A pcapng option runs past its block.
        case badOption(code: UInt16, length: UInt16)
        /// if_tsresol says a resolution this reader cannot convert.
        case unsupportedTimestampResolution(UInt8)
    }

    public var description: String {
        let what: String
        switch problem {
        case .badMagic(let m):
            what = "not a pcap or pcapng file (magic 0x\(hex(m, 8)))"
        case .truncated(let w, let needed, let available):
            what = "file ends inside \(w): \(needed) octets needed, \(available) present"
        case .capturedExceedsOriginal(let c, let o):
            what = "record's captured length \(c) exceeds its original length \(o)"
        case .badByteOrderMagic(let m):
            what = "pcapng section header with bad byte-order magic 0x\(hex(m, 8))"
        case .unsupportedVersion(let major, let minor):
            what = "unsupported format version \(major).\(minor)"
        case .badBlockLength(let l):
            what = "pcapng block length \(l) is below 12 or not a multiple of 4"
        case .blockLengthMismatch(let a, let b):
            what = "pcapng block length \(a) does not match its trailing copy \(b)"
        case .blockTooShort(let t, let l):
            what = "pcapng block type 0x\(hex(t, 8)) of length \(l) is too short for its fields"
        case .unknownInterface(let i):
            what = "pcapng packet block for interface \(i), which no Interface Description Block describes"
        case .noSection:
            what = "pcapng block before any Section Header Block"
        case .badOption(let c, let l):
            what = "pcapng option \(c) of length \(l) runs past its block"
        case .unsupportedTimestampResolution(let r):
            what = "unsupported if_tsresol 0x\(hex(r, 2))"
        }
        return "offset \(offset): \(what)"
    }
}

func hex(_ v: some BinaryInteger, _ width: Int) -> String {
    let s = String(v, radix: 16)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}

/// Bounds-checked reads of integers in a chosen byte order.
struct ByteReader {
    let bytes: [UInt8]
    var bigEndian: Bool

    func has(_ offset: Int, _ count: Int) -> Bool {
        offset >= 0 && count >= 0 && offset <= bytes.count && bytes.count - offset >= count
    }

    /// The unsigned integer of `width` octets at `offset`; the caller has
    /// checked `has(offset, width)`.
    func uint(_ offset: Int, _ width: Int) -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<width {
            let b = UInt64(bytes[offset + (bigEndian ? i : width - 1 - i)])
            v = v << 8 | b
        }
        return v
    }

    func u16(_ o: Int) -> UInt16 { UInt16(truncatingIfNeeded: uint(o, 2)) }
    func u32(_ o: Int) -> UInt32 { UInt32(truncatingIfNeeded: uint(o, 4)) }
}

/// The capture file formats.
public enum CaptureFormat: Hashable, Sendable {
    /// Classic pcap; `nanosecond` for the 0xA1B23C4D magic, `bigEndian` for
    /// the file's byte order.
    case pcap(bigEndian: Bool, nanosecond: Bool)
    case pcapng
}

/// Reads the records of a pcap or pcapng file held in memory, one at a time.
/// Records before a defect are returned; the defect then throws.
public struct CaptureReader: Sendable {
    public let format: CaptureFormat
    private var reader: ByteReader
    private var offset: Int
    private var number = 0
    // pcap
    private var pcapLinkType: UInt32 = 0
    private var pcapRecordHeader = 16
    // pcapng
    private var interfaces: [Interface] = []
    private var inSection = false

    private struct Interface: Sendable {
        var linkType: UInt32
        var snapLength: UInt32
        /// Timestamp units: 10^-n when `decimal`, else 2^-n.
        var resolution: UInt8 = 6
        var decimal = true
        var offsetSeconds: Int64 = 0
    }

    static let pcapMagicMicro: UInt32 = 0xA1B2_C3D4
    static let pcapMagicNano: UInt32 = 0xA1B2_3C4D
    /// Kuznetzov's modified pcap: 8 more octets per record header.
    static let pcapMagicModified: UInt32 = 0xA1B2_CD34
    static let blockSHB: UInt32 = 0x0A0D_0D0A
    static let blockIDB: UInt32 = 1
    static let blockOPB: UInt32 = 2
    static let blockSPB: UInt32 = 3
    static let blockEPB: UInt32 = 6
    static let byteOrderMagic: UInt32 = 0x1A2B_3C4D

    /// Recognises the file's format and reads its file header (pcap) or
    /// first Section Header Block (pcapng).
    public init(bytes: [UInt8]) throws(CaptureFileError) {
        let le = ByteReader(bytes: bytes, bigEndian: false)
        guard le.has(0, 4) else {
            throw CaptureFileError(offset: 0, .truncated(what: "the file header", needed: 4, available: bytes.count))
        }
        let magicLE = le.u32(0)
        let magicBE = ByteReader(bytes: bytes, bigEndian: true).u32(0)
        offset = 0
        if magicLE == Self.blockSHB {
            format = .pcapng
            reader = le
            return
        }
        let big: Bool
        let magic: UInt32
        if [Self.pcapMagicMicro, Self.pcapMagicNano, Self.pcapMagicModified].contains(magicLE) {
            big = false
            magic = magicLE
        } else if [Self.pcapMagicMicro, Self.pcapMagicNano, Self.pcapMagicModified].contains(magicBE) {
            big = true
            magic = magicBE
        } else {
            throw CaptureFileError(offset: 0, .badMagic(magicBE))
        }
        let r = ByteReader(bytes: bytes, bigEndian: big)
        guard r.has(0, 24) else {
            throw CaptureFileError(offset: 0, .truncated(what: "the pcap file header", needed: 24, available: bytes.count))
        }
        let major = r.u16(4), minor = r.u16(6)
        guard major == 2 else { throw CaptureFileError(offset: 4, .unsupportedVersion(major: major, minor: minor)) }
        format = .pcap(bigEndian: big, nanosecond: magic == Self.pcapMagicNano)
        reader = r
        // The upper bits of the link-type field carry FCS information.
        pcapLinkType = r.u32(20) & 0x03FF_FFFF
        pcapRecordHeader = magic == Self.pcapMagicModified ? 24 : 16
        offset = 24
    }

    /// The next record, or nil at the end of the file.
    public mutating func next() throws(CaptureFileError) -> CaptureRecord? {
        switch format {
        case .pcap(_, let nano): return try nextPcap(nanosecond: nano)
        case .pcapng: return try nextPcapng()
        }
    }

    /// All remaining records; throws at the first defect.
    public mutating func readAll() throws(CaptureFileError) -> [CaptureRecord] {
        var out: [CaptureRecord] = []
        while let r = try next() { out.append(r) }
        return out
    }

    private mutating func nextPcap(nanosecond: Bool) throws(CaptureFileError) -> CaptureRecord? {
        let r = reader
        let start = offset
        let remaining = r.bytes.count - start
        if remaining == 0 { return nil }
        guard r.has(start, pcapRecordHeader) else {
            throw CaptureFileError(offset: start, .truncated(what: "a record header", needed: pcapRecordHeader, available: remaining))
        }
        let sec = r.u32(start), frac = r.u32(start + 4)
        let captured = Int(r.u32(start + 8)), original = Int(r.u32(start + 12))
        guard captured <= original else {
            throw CaptureFileError(offset: start + 8, .capturedExceedsOriginal(captured: captured, original: original))
        }
        let dataStart = start + pcapRecordHeader
        guard r.has(dataStart, captured) else {
            throw CaptureFileError(offset: dataStart, .truncated(
                what: "record \(number + 1)'s data", needed: captured, available: r.bytes.count - dataStart))
        }
        offset = dataStart + captured
        number += 1
        // Nanoseconds or microseconds; a value past one second is kept
        // folded into the seconds rather than refused.
        let nanos = UInt64(frac) * (nanosecond ? 1 : 1000)
        let ts = CaptureTimestamp(
            seconds: Int64(sec) + Int64(nanos / 1_000_000_000), nanoseconds: UInt32(nanos % 1_000_000_000))
        return CaptureRecord(
            number: number, offset: start, timestamp: ts, linkType: pcapLinkType,
            originalLength: original, data: r.bytes[dataStart..<(dataStart + captured)])
    }

    private mutating func nextPcapng() throws(CaptureFileError) -> CaptureRecord? {
        while true {
            let start = offset
            let total = reader.bytes.count
            if start == total { return nil }
            guard reader.has(start, 12) else {
                throw CaptureFileError(offset: start, .truncated(what: "a pcapng block header", needed: 12, available: total - start))
            }
            var r = reader
            var type = r.u32(start)
            if type == Self.blockSHB {
                // The byte order is the section's: read it before the length.
                let bom = r.u32(start + 8)
                if bom == Self.byteOrderMagic {
                    // Already in the reader's order.
                } else if bom.byteSwapped == Self.byteOrderMagic {
                    r.bigEndian.toggle()
                    reader = r
                } else {
                    throw CaptureFileError(offset: start + 8, .badByteOrderMagic(bom))
                }
                type = Self.blockSHB
            } else if !inSection {
                throw CaptureFileError(offset: start, .noSection)
            }
            let length = r.u32(start + 4)
            guard length >= 12, length % 4 == 0 else { throw CaptureFileError(offset: start + 4, .badBlockLength(length)) }
            let len = Int(length)
            guard r.has(start, len) else {
                throw CaptureFileError(offset: start, .truncated(what: "a pcapng block of \(len) octets", needed: len, available: total - start))
            }
            let trailing = r.u32(start + len - 4)
            guard trailing == length else {
                throw CaptureFileError(offset: start + len - 4, .blockLengthMismatch(leading: length, trailing: trailing))
            }
            offset = start + len
            let bodyEnd = start + len - 4
            func tooShort() -> CaptureFileError { CaptureFileError(offset: start, .blockTooShort(type: type, length: length)) }

            switch type {
            case Self.blockSHB:
                guard len >= 28 else { throw tooShort() }
                let major = r.u16(start + 12), minor = r.u16(start + 14)
                guard major == 1 else { throw CaptureFileError(offset: start + 12, .unsupportedVersion(major: major, minor: minor)) }
                inSection = true
                interfaces = []
            case Self.blockIDB:
                guard len >= 20 else { throw tooShort() }
                var interface = Interface(linkType: UInt32(r.u16(start + 8)), snapLength: r.u32(start + 12))
                try readOptions(r, from: start + 16, to: bodyEnd) { code, value throws(CaptureFileError) in
                    switch code {
                    case 9 where value.count >= 1:
                        let v = r.bytes[value.lowerBound]
                        interface.decimal = v & 0x80 == 0
                        interface.resolution = v & 0x7F
                        guard interface.decimal ? interface.resolution <= 19 : interface.resolution <= 63 else {
                            throw CaptureFileError(offset: value.lowerBound, .unsupportedTimestampResolution(v))
                        }
                    case 14 where value.count >= 8:
                        interface.offsetSeconds = Int64(bitPattern: r.uint(value.lowerBound, 8))
                    default:
                        break
                    }
                }
                interfaces.append(interface)
            case Self.blockEPB, Self.blockOPB:
                guard len >= 32 else { throw tooShort() }
                let id = type == Self.blockEPB ? r.u32(start + 8) : UInt32(r.u16(start + 8))
                guard Int(id) < interfaces.count else { throw CaptureFileError(offset: start + 8, .unknownInterface(id)) }
                let interface = interfaces[Int(id)]
                let units = UInt64(r.u32(start + 12)) << 32 | UInt64(r.u32(start + 16))
                let captured = Int(r.u32(start + 20)), original = Int(r.u32(start + 24))
                let dataStart = start + 28
                guard captured <= bodyEnd - dataStart else { throw tooShort() }
                number += 1
                return CaptureRecord(
                    number: number, offset: start, timestamp: Self.timestamp(units, interface),
                    linkType: interface.linkType, originalLength: max(original, captured),
                    data: r.bytes[dataStart..<(dataStart + captured)])
            case Self.blockSPB:
                guard len >= 16 else { throw tooShort() }
                guard let interface = interfaces.first else { throw CaptureFileError(offset: start, .unknownInterface(0)) }
                let original = Int(r.u32(start + 8))
                let dataStart = start + 12
                var captured = min(original, bodyEnd - dataStart)
                if interface.snapLength != 0 { captured = min(captured, Int(interface.snapLength)) }
                number += 1
                return CaptureRecord(
                    number: number, offset: start, timestamp: nil, linkType: interface.linkType,
                    originalLength: original, data: r.bytes[dataStart..<(dataStart + captured)])
            default:
                // Name resolution, statistics, custom and unknown blocks.
                continue
            }
        }
    }

    /// Calls `body` with each option's code and value range in `from..<to`,
    /// stopping at opt_endofopt or the end.
    private func readOptions(
        _ r: ByteReader, from: Int, to end: Int,
        _ body: (UInt16, Range<Int>) throws(CaptureFileError) -> Void
    ) throws(CaptureFileError) {
        var o = from
        while end - o >= 4 {
            let code = r.u16(o), length = r.u16(o + 2)
            if code == 0 { return }
            let value = (o + 4)..<(o + 4 + Int(length))
            guard value.upperBound <= end else { throw CaptureFileError(offset: o, .badOption(code: code, length: length)) }
            try body(code, value)
            o = value.upperBound + (4 - Int(length) % 4) % 4
        }
    }

    /// Converts a pcapng timestamp in the interface's units.
    private static func timestamp(_ units: UInt64, _ i: Interface) -> CaptureTimestamp {
        let seconds: UInt64
        let nanos: UInt64
        if i.decimal {
            var perSecond: UInt64 = 1
            for _ in 0..<i.resolution { perSecond &*= 10 }
            seconds = units / perSecond
            let rest = units % perSecond
            if i.resolution <= 9 {
                var scale: UInt64 = 1
                for _ in i.resolution..<9 { scale *= 10 }
                nanos = rest * scale
            } else {
                var scale: UInt64 = 1
                for _ in 9..<i.resolution { scale *= 10 }
                nanos = rest / scale
            }
        } else {
            let shift = UInt64(i.resolution)
            seconds = shift == 0 ? units : units >> shift
            let rest = shift == 0 ? 0 : units & ((1 << shift) - 1)
            let product = rest.multipliedFullWidth(by: 1_000_000_000)
            // (high:low) >> shift, which fits: rest < 2^shift.
            if shift == 0 {
                nanos = 0
            } else {
                nanos = product.low >> shift | (shift == 64 ? 0 : product.high << (64 - shift))
            }
        }
        return CaptureTimestamp(
            seconds: Int64(truncatingIfNeeded: seconds) &+ i.offsetSeconds, nanoseconds: UInt32(nanos))
    }
}

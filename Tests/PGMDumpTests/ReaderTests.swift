import PGMDump
import PGMWire
import Testing

@Suite("Capture file readers")
struct ReaderTests {
    static let frames: [[UInt8]] = [[0x45, 1, 2, 3, 4], [0x45, 9, 9], []]

    func read(_ bytes: [UInt8]) throws -> [CaptureRecord] {
        var r = try CaptureReader(bytes: bytes)
        return try r.readAll()
    }

    /// The error reading `bytes` throws, with the records read before it.
    func failure(_ bytes: [UInt8]) -> (records: Int, error: CaptureFileError?) {
        var count = 0
        do throws(CaptureFileError) {
            var r = try CaptureReader(bytes: bytes)
            while try r.next() != nil { count += 1 }
            return (count, nil)
        } catch {
            return (count, error)
        }
    }

    @Test(arguments: [false, true], [false, true])
    func pcapBothOrdersAndResolutions(big: Bool, nano: Bool) throws {
        let bytes = pcapFile(Self.frames, big: big, nano: nano, linkType: 228)
        var r = try CaptureReader(bytes: bytes)
        #expect(r.format == .pcap(bigEndian: big, nanosecond: nano))
        let records = try r.readAll()
        #expect(records.map { Array($0.data) } == Self.frames)
        #expect(records.map(\.number) == [1, 2, 3])
        #expect(records.map(\.linkType) == [228, 228, 228])
        #expect(records.map(\.offset) == [24, 24 + 16 + 5, 24 + 32 + 8])
        #expect(records[0].timestamp == CaptureTimestamp(seconds: 43_200, nanoseconds: nano ? 123_456_789 : 123_456_000))
        #expect(records[2].timestamp?.seconds == 43_202)
        #expect(!records[0].isTruncated)
    }

    @Test func pcapLinkTypeFCSBitsAreMasked() throws {
        var bytes = pcapFile(Self.frames, linkType: 1)
        bytes[23] = 0x10  // FCS length bits in the upper nibble
        #expect(try read(bytes).map(\.linkType) == [1, 1, 1])
    }

    @Test func pcapTruncatedCaptureIsARecord() throws {
        let bytes = pcapFile([(data: [0x45, 0, 0, 40], original: 40)])
        let records = try read(bytes)
        #expect(records.count == 1)
        #expect(records[0].isTruncated)
        #expect(records[0].originalLength == 40)
    }

    @Test func badMagicNamesOffsetZero() {
        let result = failure(Array("GIF89a, not a capture".utf8))
        #expect(result.error == CaptureFileError(offset: 0, .badMagic(0x4749_4638)))
        #expect(result.error?.description == "offset 0: not a pcap or pcapng file (magic 0x47494638)")
        #expect(failure([0xD4, 0xC3]).error == CaptureFileError(
            offset: 0, .truncated(what: "the file header", needed: 4, available: 2)))
    }

    @Test func pcapFileCutInsideARecord() {
        let whole = pcapFile(Self.frames)
        // Cut inside the second record's data: the first record is read.
        let cut = Array(whole.prefix(24 + 16 + 5 + 16 + 1))
        let result = failure(cut)
        #expect(result.records == 1)
        #expect(result.error == CaptureFileError(
            offset: 24 + 16 + 5 + 16, .truncated(what: "record 2's data", needed: 3, available: 1)))
        // Cut inside a record header.
        let header = failure(Array(whole.prefix(24 + 16 + 5 + 7)))
        #expect(header.records == 1)
        #expect(header.error == CaptureFileError(offset: 45, .truncated(what: "a record header", needed: 16, available: 7)))
        // Cut inside the file header.
        #expect(failure(Array(whole.prefix(10))).error == CaptureFileError(
            offset: 0, .truncated(what: "the pcap file header", needed: 24, available: 10)))
    }

    @Test func pcapCapturedLongerThanOriginal() {
        let bytes = pcapFile([(data: [0x45, 0, 0, 4], original: 2)])
        #expect(failure(bytes).error == CaptureFileError(offset: 32, .capturedExceedsOriginal(captured: 4, original: 2)))
    }

    @Test(arguments: [false, true])
    func pcapngBothOrders(big: Bool) throws {
        let g = PcapNG(e: Endian(big: big))
        // Microseconds (default), then nanoseconds (if_tsresol 9), then an
        // unknown block and a Simple Packet Block on interface 0.
        let bytes = g.shb() + g.idb(linkType: 1) + g.idb(linkType: 113, tsresol: 9)
            + g.epb(interface: 0, units: 43_200_123_456, [1, 2, 3])
            + g.block(0x0000_0BAD, [9, 9, 9, 9])
            + g.epb(interface: 1, units: 43_200_123_456_789, [4, 5, 6, 7, 8], original: 60)
            + g.spb([0x45, 0x00])
        var r = try CaptureReader(bytes: bytes)
        #expect(r.format == .pcapng)
        let records = try r.readAll()
        #expect(records.map { Array($0.data) } == [[1, 2, 3], [4, 5, 6, 7, 8], [0x45, 0x00]])
        #expect(records.map(\.linkType) == [1, 113, 1])
        #expect(records[0].timestamp == CaptureTimestamp(seconds: 43_200, nanoseconds: 123_456_000))
        #expect(records[1].timestamp == CaptureTimestamp(seconds: 43_200, nanoseconds: 123_456_789))
        #expect(records[1].isTruncated && records[1].originalLength == 60)
        #expect(records[2].timestamp == nil)
        #expect(records.map(\.number) == [1, 2, 3])
    }

    @Test func pcapngBinaryResolutionAndNewSection() throws {
        let le = PcapNG(e: Endian(big: false)), be = PcapNG(e: Endian(big: true))
        // 2^-10 s units: 1.5 s is 1536 units. A second, big-endian section
        // forgets the first section's interfaces.
        let bytes = le.shb() + le.idb(linkType: 101, tsresol: 0x8A) + le.epb(units: 1536, [0x45])
            + be.shb() + be.idb(linkType: 228) + be.epb(units: 2_000_001, [0x46])
        let records = try read(bytes)
        #expect(records[0].timestamp == CaptureTimestamp(seconds: 1, nanoseconds: 500_000_000))
        #expect(records[1].timestamp == CaptureTimestamp(seconds: 2, nanoseconds: 1000))
        #expect(records.map(\.linkType) == [101, 228])
    }

    @Test func pcapngErrors() {
        let g = PcapNG(e: Endian(big: false))
        let head = g.shb() + g.idb(linkType: 1)
        // EPB for an interface never described.
        #expect(failure(head + g.epb(interface: 3, units: 0, [1])).error
            == CaptureFileError(offset: head.count + 8, .unknownInterface(3)))
        // Trailing length differs.
        var mismatch = head + g.epb(units: 0, [1])
        mismatch[mismatch.count - 4] ^= 4
        #expect(failure(mismatch).error == CaptureFileError(
            offset: mismatch.count - 4, .blockLengthMismatch(leading: 36, trailing: 32)))
        // Block length not a multiple of 4.
        var odd = head + g.epb(units: 0, [1])
        odd[head.count + 4] = 35
        #expect(failure(odd).error == CaptureFileError(offset: head.count + 4, .badBlockLength(35)))
        // File cut inside a block: the earlier packet is still read.
        let full = head + g.epb(units: 0, [1]) + g.epb(units: 0, [2])
        let cut = failure(Array(full.dropLast(3)))
        #expect(cut.records == 1)
        #expect(cut.error?.offset == head.count + 36)
        // Bad byte-order magic.
        var bom = g.shb()
        bom[8] = 0
        #expect(failure(bom).error == CaptureFileError(offset: 8, .badByteOrderMagic(0x1A2B_3C00)))
        // EPB whose captured length exceeds its block.
        var long = head + g.epb(units: 0, [1, 2, 3, 4])
        long[head.count + 20] = 40
        #expect(failure(long).error == CaptureFileError(offset: head.count, .blockTooShort(type: 6, length: 36)))
        // Unsupported major version.
        var version = g.shb()
        version[12] = 2
        #expect(failure(version).error == CaptureFileError(offset: 12, .unsupportedVersion(major: 2, minor: 0)))
    }

    @Test func pcapWriterRoundTrip() throws {
        let ts = CaptureTimestamp(seconds: 1_700_000_000, nanoseconds: 987_654_321)
        let bytes = PcapWriter.fileHeader() + PcapWriter.record([0x45, 1, 2], timestamp: ts, originalLength: 9)
        var r = try CaptureReader(bytes: bytes)
        #expect(r.format == .pcap(bigEndian: false, nanosecond: true))
        let records = try r.readAll()
        #expect(records.count == 1)
        #expect(records[0].timestamp == ts)
        #expect(records[0].originalLength == 9)
        #expect(records[0].linkType == LinkType.raw)
    }

    /// Every prefix and many corruptions of a valid file end in a record
    /// list or an error, never a trap.
    @Test func neverTraps() {
        let g = PcapNG(e: Endian(big: false))
        let files = [
            pcapFile(Self.frames, big: true, nano: true),
            g.shb() + g.idb(linkType: 1, tsresol: 0x83) + g.epb(units: 99, [1, 2, 3]) + g.spb([4, 5]),
        ]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for file in files {
            for n in 0...file.count { _ = failure(Array(file.prefix(n))) }
            for _ in 0..<2000 {
                var f = file
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let i = Int(state >> 33) % f.count
                f[i] = UInt8(truncatingIfNeeded: state >> 20)
                _ = failure(f)
            }
        }
    }
}

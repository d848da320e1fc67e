import PGMToolSupport
import Testing

/// What pgm-perf's two halves share: the message header, the end record,
/// the size list, percentiles and the UDP wire size.
@Suite("pgm-perf support")
struct PerfSupportTests {
    @Test func headerRoundTrips() {
        let h = PerfHeader(kind: .data, transport: .udp, phase: 3, phases: 10, index: 0x0102_0304_0506, stamp: 987_654_321)
        var bytes = [UInt8](repeating: 0, count: 64)
        let wrote = bytes.withUnsafeMutableBytes { h.encode(into: $0) }
        #expect(wrote)
        #expect(Array(bytes[0..<4]) == Array("PGPF".utf8))
        let back = bytes.withUnsafeBytes { PerfHeader(decoding: $0) }
        #expect(back == h)
    }

    @Test func headerRefusesForeignBytes() {
        var bytes = [UInt8](repeating: 0, count: PerfHeader.size)
        #expect(bytes.withUnsafeBytes { PerfHeader(decoding: $0) } == nil)  // no magic
        let h = PerfHeader(kind: .end, transport: .pgm, phase: 1, phases: 2, index: 5, stamp: 6)
        bytes.withUnsafeMutableBytes { _ = h.encode(into: $0) }
        #expect(bytes.withUnsafeBytes { PerfHeader(decoding: $0) } == h)
        #expect(bytes.withUnsafeBytes { PerfHeader(decoding: UnsafeRawBufferPointer(rebasing: $0[..<23])) } == nil)
        var bad = bytes
        bad[4] = 9  // unknown kind
        #expect(bad.withUnsafeBytes { PerfHeader(decoding: $0) } == nil)
        bad = bytes
        bad[5] = 2  // OpenPGM, opgm-perf's phases
        #expect(bad.withUnsafeBytes { PerfHeader(decoding: $0) }?.transport == .openpgm)
        bad[5] = 3  // unknown transport
        #expect(bad.withUnsafeBytes { PerfHeader(decoding: $0) } == nil)
        bad = bytes
        bad[6] = 2  // phase 2 of 2
        #expect(bad.withUnsafeBytes { PerfHeader(decoding: $0) } == nil)
        var short = [UInt8](repeating: 0, count: 10)
        #expect(!short.withUnsafeMutableBytes { h.encode(into: $0) })
    }

    @Test func endRecordRoundTrips() {
        let e = PerfEndRecord(sent: 1000, messageSize: 1400, sendNanoseconds: 1_500_000_000, cpuNanoseconds: 42,
                              naksReceived: 7, rdataSent: 6)
        var bytes = [UInt8](repeating: 0, count: PerfHeader.size + PerfEndRecord.size)
        #expect(bytes.withUnsafeMutableBytes { e.encode(into: $0) })
        #expect(bytes.withUnsafeBytes { PerfEndRecord(decoding: $0) } == e)
        #expect(bytes.withUnsafeBytes { PerfEndRecord(decoding: UnsafeRawBufferPointer(rebasing: $0.dropLast())) } == nil)
    }

    @Test func sizeLists() throws {
        #expect(try parseSizeList("64,512, 1400 ,65000", range: 24...65507, maximumCount: 8) == [64, 512, 1400, 65000])
        #expect(throws: SizeListError.empty) { try parseSizeList("", range: 24...100, maximumCount: 8) }
        #expect(throws: SizeListError.notANumber("")) { try parseSizeList("64,,128", range: 24...1000, maximumCount: 8) }
        #expect(throws: SizeListError.notANumber("-5")) { try parseSizeList("-5", range: 24...1000, maximumCount: 8) }
        #expect(throws: SizeListError.notANumber("1k")) { try parseSizeList("1k", range: 24...1000, maximumCount: 8) }
        #expect(throws: SizeListError.outOfRange(10, 24...1000)) { try parseSizeList("10", range: 24...1000, maximumCount: 8) }
        #expect(throws: SizeListError.duplicate(64)) { try parseSizeList("64,128,64", range: 24...1000, maximumCount: 8) }
        #expect(throws: SizeListError.tooMany(3, max: 2)) { try parseSizeList("30,40,50", range: 24...1000, maximumCount: 2) }
        #expect(SizeListError.outOfRange(10, 24...1000).description.contains("--sizes"))
    }

    @Test func percentilesByNearestRank() throws {
        #expect(Percentiles([]) == nil)
        let one = try #require(Percentiles([7]))
        #expect(one.p50 == 7 && one.p99 == 7 && one.max == 7)
        let hundred = try #require(Percentiles(Array((1...100).reversed())))
        #expect(hundred.p50 == 50 && hundred.p99 == 99 && hundred.max == 100)
        let ten = try #require(Percentiles([5, 1, 9, 3, 7, 2, 8, 4, 10, 6]))
        #expect(ten.p50 == 5 && ten.p99 == 10 && ten.max == 10)
    }

    @Test func udpWireBytesCountsHeadersAndFragments() {
        #expect(udpWireBytes(payload: 64) == 64 + 8 + 20)
        #expect(udpWireBytes(payload: 1472) == 1500)  // one full frame
        #expect(udpWireBytes(payload: 1473) == 1473 + 8 + 40)  // two fragments
        #expect(udpWireBytes(payload: 65000) == 65000 + 8 + 20 * 44)
    }

    @Test func udpWireBytesOverIPv6() {
        #expect(udpWireBytes(payload: 64, ipv6: true) == 64 + 8 + 40)
        #expect(udpWireBytes(payload: 1452, ipv6: true) == 1500)  // one full frame
        // Two fragments of at most 1448 bytes, each with 40 + 8 bytes of headers.
        #expect(udpWireBytes(payload: 1453, ipv6: true) == 1453 + 8 + 48 * 2)
        #expect(udpWireBytes(payload: 65000, ipv6: true) == 65000 + 8 + 48 * 45)
    }

    @Test func maximumUDPPayloadByFamily() {
        #expect(maximumUDPPayload(ipv6: false) == 65535 - 20 - 8)
        #expect(maximumUDPPayload(ipv6: true) == 65535 - 8)
    }

    @Test func clocksMove() {
        let a = monotonicNanoseconds()
        var x: UInt64 = 0
        for i in 0..<200_000 { x &+= UInt64(i) &* 31 }
        #expect(x != 1)
        #expect(monotonicNanoseconds() >= a)
        #expect(processCPUNanoseconds() > 0)
    }
}

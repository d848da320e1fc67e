import PGMWire
import PropertyBased
import Testing

@Suite("PGM checksum (RFC 3208 section 8)")
struct ChecksumTests {
    /// A minimal SPMR header: sport 0x1234, dport 0x5678, type 0x0C, options 0,
    /// checksum 0, GSI 01 02 03 04 05 06, TSDU length 0. Sum of its 16-bit words:
    /// 0x1234 + 0x5678 + 0x0C00 + 0x0102 + 0x0304 + 0x0506 = 0x7DB8; ~ = 0x8247.
    @Test func handComputedVector() {
        let spmr: [UInt8] = [0x12, 0x34, 0x56, 0x78, 0x0C, 0x00, 0x00, 0x00,
                             0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x00, 0x00]
        #expect(PGMChecksum.compute(spmr) == 0x8247)
        var withSum = spmr
        withSum[6] = 0x82
        withSum[7] = 0x47
        #expect(PGMChecksum.verify(withSum, field: 0x8247))
        withSum[9] ^= 0x01
        #expect(!PGMChecksum.verify(withSum, field: 0x8247))
    }

    @Test func zeroFieldMeansNoChecksum() {
        #expect(PGMChecksum.verify([0xde, 0xad, 0, 0], field: 0))
    }

    @Test func computedZeroIsSentAsAllOnes() {
        // 0xFFFF sums to 0xFFFF, whose complement is zero: sent as 0xFFFF.
        #expect(PGMChecksum.compute([0xFF, 0xFF]) == 0xFFFF)
    }

    @Test func oddLengthPadsWithZero() {
        #expect(PGMChecksum.partialSum([0x12, 0x34, 0x56]) == 0x1234 + 0x5600)
    }

    @Test func insertedChecksumAlwaysVerifies() async {
        await propertyCheck(input: Gen.uint8().array(of: 8...200)) { bytes in
            var packet = bytes
            packet[6] = 0
            packet[7] = 0
            let c = PGMChecksum.compute(packet)
            packet[6] = UInt8(c >> 8)
            packet[7] = UInt8(c & 0xFF)
            #expect(PGMChecksum.verify(packet, field: c))
        }
    }
}

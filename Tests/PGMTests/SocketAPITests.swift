import CPGM
import PGM
import SystemPackage
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("PGM socket library")
struct SocketAPITests {
    @Test func tunableNumbersMatchHeader() {
        let expected: [Tunable: Int32] = [
            .txwSqns: PGM_TXW_SQNS, .txwSecsMs: PGM_TXW_SECS_MS, .txwMaxRte: PGM_TXW_MAX_RTE,
            .spmAmbientIvl: PGM_SPM_AMBIENT_IVL, .ihbMin: PGM_IHB_MIN, .ihbMax: PGM_IHB_MAX,
            .rdataLingerIvl: PGM_RDATA_LINGER_IVL, .maxTpdu: PGM_MAX_TPDU, .rxwSqns: PGM_RXW_SQNS,
            .peerExpiry: PGM_PEER_EXPIRY, .spmrExpiry: PGM_SPMR_EXPIRY, .nakBoIvl: PGM_NAK_BO_IVL,
            .nakRptIvl: PGM_NAK_RPT_IVL, .nakRdataIvl: PGM_NAK_RDATA_IVL,
            .nakNcfRetries: PGM_NAK_NCF_RETRIES, .nakDataRetries: PGM_NAK_DATA_RETRIES,
        ]
        #expect(expected.count == Tunable.allCases.count)
        for t in Tunable.allCases { #expect(expected[t] == t.rawValue, "\(t)") }
    }

    @Test func endpointParsesAndPrints() {
        let e = IPv4Endpoint("239.192.0.1", port: 7500)
        #expect(e?.address == 0xEFC0_0001)
        #expect(e?.description == "239.192.0.1:7500")
        #expect(IPv4Endpoint("239.192.0", port: 1) == nil)
        #expect(IPv4Endpoint("239.192.0.256", port: 1) == nil)
        #expect(IPv4Endpoint("239.192..1", port: 1) == nil)
    }

    @Test func headerStructSizesAreStable() {
        // ABI: these sizes are part of the user API.
        #expect(MemoryLayout<pgm_tsi>.size == 8)
        #expect(MemoryLayout<pgm_netns_stats>.size == 9 * 8)
        #expect(MemoryLayout<pgm_receiver_stats>.size == 11 * 8 + 8)
        #expect(MemoryLayout<pgm_source_stats>.size == 11 * 8 + 8)
    }

    /// Where the kernel has PGM (inside the test VM) this opens a real socket;
    /// elsewhere the kernel refuses with EPROTONOSUPPORT and the test checks
    /// that the library surfaces exactly that errno.
    @Test func openReportsKernelErrno() throws {
        do {
            let s = try PGMSocket()
            #expect(try s.get(.txwSqns) > 0)
            try s.close()
        } catch let e {
            #expect(e == .protocolNotSupported || e == .socketTypeNotSupported)
        }
    }
}

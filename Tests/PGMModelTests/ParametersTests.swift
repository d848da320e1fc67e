import CPGM
import PGMModel
import Testing

@Suite("Model parameters and the kernel header agree")
struct ParametersTests {
    /// Each row of the model's table against the PGM_DEFAULT_* constant and
    /// option number in kernel/include/uapi/linux/pgm.h.
    static let header: [String: (option: Int32, value: UInt32)] = [
        "TXW_SQNS": (PGM_TXW_SQNS, UInt32(PGM_DEFAULT_TXW_SQNS)),
        "TXW_SECS_MS": (PGM_TXW_SECS_MS, UInt32(PGM_DEFAULT_TXW_SECS_MS)),
        "TXW_MAX_RTE": (PGM_TXW_MAX_RTE, UInt32(PGM_DEFAULT_TXW_MAX_RTE)),
        "SPM_AMBIENT_IVL": (PGM_SPM_AMBIENT_IVL, UInt32(PGM_DEFAULT_SPM_AMBIENT_IVL)),
        "IHB_MIN": (PGM_IHB_MIN, UInt32(PGM_DEFAULT_IHB_MIN)),
        "IHB_MAX": (PGM_IHB_MAX, UInt32(PGM_DEFAULT_IHB_MAX)),
        "RDATA_LINGER_IVL": (PGM_RDATA_LINGER_IVL, UInt32(PGM_DEFAULT_RDATA_LINGER_IVL)),
        "MAX_TPDU": (PGM_MAX_TPDU, UInt32(PGM_DEFAULT_MAX_TPDU)),
        "TXW_BYTES": (PGM_TXW_BYTES, UInt32(PGM_DEFAULT_TXW_BYTES)),
        "RXW_SQNS": (PGM_RXW_SQNS, UInt32(PGM_DEFAULT_RXW_SQNS)),
        "PEER_EXPIRY": (PGM_PEER_EXPIRY, UInt32(PGM_DEFAULT_PEER_EXPIRY)),
        "SPMR_EXPIRY": (PGM_SPMR_EXPIRY, UInt32(PGM_DEFAULT_SPMR_EXPIRY)),
        "NAK_BO_IVL": (PGM_NAK_BO_IVL, UInt32(PGM_DEFAULT_NAK_BO_IVL)),
        "NAK_RPT_IVL": (PGM_NAK_RPT_IVL, UInt32(PGM_DEFAULT_NAK_RPT_IVL)),
        "NAK_RDATA_IVL": (PGM_NAK_RDATA_IVL, UInt32(PGM_DEFAULT_NAK_RDATA_IVL)),
        "NAK_NCF_RETRIES": (PGM_NAK_NCF_RETRIES, UInt32(PGM_DEFAULT_NAK_NCF_RETRIES)),
        "NAK_DATA_RETRIES": (PGM_NAK_DATA_RETRIES, UInt32(PGM_DEFAULT_NAK_DATA_RETRIES)),
    ]

    @Test func everyRowHasAHeaderDefault() {
        #expect(Set(Self.header.keys).isSubset(of: Parameters.table.map(\.name)))
        let model = Parameters()
        for d in Parameters.table {
            if let h = Self.header[d.name] { #expect(h.value == d.defaultValue, "default of \(d.name)") }
            #expect(model[keyPath: d.keyPath] == d.defaultValue, "initial value of \(d.name)")
        }
    }

    @Test func rangesMatchHeaderLimits() throws {
        let byName = Dictionary(uniqueKeysWithValues: Parameters.table.map { ($0.name, $0) })
        #expect(byName["TXW_SQNS"]?.range == UInt32(PGM_WINDOW_SQNS_MIN)...UInt32(PGM_WINDOW_SQNS_MAX))
        #expect(byName["NAK_BO_IVL"]?.range == UInt32(PGM_IVL_MIN)...UInt32(PGM_IVL_MAX))
        #expect(byName["MAX_TPDU"]?.range == UInt32(PGM_TPDU_MIN)...UInt32(PGM_TPDU_MAX))
        #expect(byName["NAK_NCF_RETRIES"]?.range.upperBound == UInt32(PGM_RETRIES_MAX))
    }

    @Test func setChecksRange() throws {
        var p = Parameters()
        try p.set("NAK_BO_IVL", to: 80_000)
        #expect(p.nakBoIvl == 80_000)
        #expect(throws: Parameters.ParameterError.outOfRange(name: "NAK_BO_IVL", value: 10, range: 1000...600_000_000)) {
            try p.set("NAK_BO_IVL", to: 10)
        }
        #expect(throws: Parameters.ParameterError.unknown("NAK_BOGUS")) { try p.set("NAK_BOGUS", to: 1) }
        try p.set("TXW_MAX_RTE", to: 0)  // zero disables the rate limit
        #expect(p.txwMaxRte == 0)
    }

    @Test func heartbeatBoundsMustBeOrdered() throws {
        var p = Parameters()
        try p.set("IHB_MIN", to: 2_000_000)
        #expect(throws: Parameters.ParameterError.self) { try p.validate() }
    }
}

@Suite("Sequence numbers (RFC 3208 section 3.2)")
struct SequenceNumberTests {
    @Test func comparisonWrapsAround() {
        let top = SequenceNumber(UInt32.max)
        let zero = SequenceNumber(0)
        #expect(top < zero)
        #expect(top.advanced(by: 1) == zero)
        #expect(top.distance(to: SequenceNumber(5)) == 6)
        #expect(SequenceNumber(5).distance(to: top) == -6)
        #expect(SequenceNumber(0) < SequenceNumber(0x7FFF_FFFF))
        #expect(!(SequenceNumber(0) < SequenceNumber(0x8000_0001)))
    }
}

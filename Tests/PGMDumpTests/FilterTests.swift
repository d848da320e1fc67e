import PGMDump
import PGMWire
import Testing

@Suite("Filters")
struct FilterTests {
    static func all() throws -> [DumpPacket] {
        try S.everyType().enumerated().map { i, entry in
            var d = Dissector()
            let ip = try S.native(entry.0)
            guard case .pgm(let p) = d.dissect(CaptureRecord(
                number: i + 1, offset: 0, timestamp: S.noon, linkType: LinkType.raw,
                originalLength: ip.count, data: ip[...])) else { throw FilterSyntaxError("not PGM") }
            return p
        }
    }

    func types(_ f: DumpFilter, _ packets: [DumpPacket]) -> [String] {
        packets.filter(f.matches).compactMap { $0.packet?.type.description }
    }

    @Test func typeNames() throws {
        #expect(try DumpFilter.parseTypes("odata,RData, ncf").get() == [.odata, .rdata, .ncf])
        guard case .failure(let e) = DumpFilter.parseTypes("ODATA,DATA") else {
            Issue.record("DATA accepted")
            return
        }
        #expect(e.description.hasPrefix("unknown packet type 'DATA'"))
        let f = DumpFilter(types: [.odata, .rdata])
        #expect(types(f, try Self.all()) == ["ODATA", "RDATA"])
    }

    @Test func tsiForms() throws {
        let tsi = TSI(gsi: S.gsi, sourcePort: 40000)
        #expect(try DumpFilter.parseTSI("2.0.94.16.32.48.40000").get() == tsi)
        #expect(try DumpFilter.parseTSI("02:00:5e:10:20:30.40000").get() == tsi, "Wireshark's colon-hex GSI")
        #expect(tsi.description == "2.0.94.16.32.48.40000")
        for bad in ["2.0.94.16.32.40000", "2.0.94.16.32.48.256.1", "2.0.94.16.32.48", "x", "1.2.3.4.5.6.70000", "2.0.94.16.32.300.1"] {
            guard case .failure = DumpFilter.parseTSI(bad) else {
                Issue.record("'\(bad)' accepted")
                continue
            }
        }
    }

    @Test func tsiMatchesBothDirections() throws {
        let all = try Self.all()
        let mine = DumpFilter(tsi: TSI(gsi: S.gsi, sourcePort: 40000))
        #expect(types(mine, all).count == all.count, "upstream packets carry the TSI port as destination port")
        let other = DumpFilter(tsi: TSI(gsi: S.gsi, sourcePort: 7500))
        #expect(types(other, all).isEmpty)
    }

    @Test func portIsTheDataDestinationPort() throws {
        let all = try Self.all()
        #expect(types(DumpFilter(port: 7500), all).count == all.count)
        #expect(types(DumpFilter(port: 40000), all).isEmpty)
    }

    @Test func undecodablePacketsAreJudgedByTheirHeader() throws {
        let nak = try S.everyType()[5].0
        var ip = try S.native(nak)
        ip[ip.count - 1] ^= 0x01  // break the checksum
        var d = Dissector()
        guard case .pgm(let p) = d.dissect(CaptureRecord(
            number: 1, offset: 0, timestamp: nil, linkType: LinkType.raw, originalLength: ip.count, data: ip[...])) else {
            Issue.record("not PGM")
            return
        }
        #expect(p.packet == nil)
        #expect(DumpFilter(types: [.nak]).matches(p))
        #expect(!DumpFilter(types: [.odata]).matches(p))
        #expect(DumpFilter(tsi: TSI(gsi: S.gsi, sourcePort: 40000), port: 7500).matches(p))
        #expect(!DumpFilter(port: 40000).matches(p))
        // With no header captured there is nothing to judge: shown.
        let bare = DumpPacket(
            number: 2, timestamp: nil, source: nil, destination: nil, isUDP: false, udp: nil, ipLength: nil,
            result: .failure(.truncatedCapture(captured: 8, original: 100)), peek: nil)
        #expect(DumpFilter(types: [.odata], tsi: TSI(gsi: S.gsi, sourcePort: 1), port: 9).matches(bare))
    }
}

import PGMModel
import PGMWire
import Testing

@Suite("Source procedures (RFC 3208 section 5)")
struct SourceTests {
    static let unlimited: [String: UInt32] = ["TXW_MAX_RTE": 0]

    @Test("§5.1.1 ODATA numbered in unit increments, carrying TXW_TRAIL")
    func odataNumbering() throws {
        var s = try SourceDriver(parameters: .with(Self.unlimited), initial: 0xFFFF_FFFE)
        for i in 0..<4 { try s.send([UInt8(i)]) }
        let od = s.packets(.odata)
        #expect(od.map { Fixture.sequences($0.1)[0] } == [0xFFFF_FFFE, 0xFFFF_FFFF, 0, 1])
        for (_, p) in od {
            if case .odata(let d) = p.body { #expect(d.trailingEdge == 0xFFFF_FFFE) }
        }
        #expect(s.source.lead == SequenceNumber(1))
    }

    @Test("§9.6.2 OPT_SYN on the first ODATA only")
    func synOnFirst() throws {
        var s = try SourceDriver(parameters: .with(Self.unlimited))
        try s.send([1])
        try s.send([2])
        let od = s.packets(.odata)
        #expect(od[0].1.options.contains(type: PGMOptionType.syn))
        #expect(!od[1].1.options.contains(type: PGMOptionType.syn))
    }

    @Test("§9.2.2 APDUs larger than MAX_TPDU are fragmented with OPT_FRAGMENT, IP header counted")
    func fragmentation() throws {
        var s = try SourceDriver(parameters: .with(["TXW_MAX_RTE": 0, "MAX_TPDU": 576]))
        try s.send([9])
        let apdu = (0..<2000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        try s.send(apdu)
        let frags = s.packets(.odata).dropFirst()
        #expect(frags.count == 4)
        var rebuilt: [UInt8] = []
        for (i, (_, p)) in frags.enumerated() {
            #expect(20 + p.encodedLength <= 576)
            let f = try #require(p.options.fragment)
            #expect(f.firstSequence == 1)
            #expect(f.length == 2000)
            #expect(Int(f.offset) == rebuilt.count)
            #expect(Fixture.sequences(p)[0] == UInt32(1 + i))
            rebuilt += p.payload
        }
        #expect(rebuilt == apdu)
        // A fragment that is not the last fills the TPDU exactly.
        #expect(20 + (frags.first?.1.encodedLength ?? 0) == 576)
    }

    @Test("§3.3 the transmit window advances by TXW_SQNS; §5.3 NAKs outside it get no NCF and no RDATA")
    func windowBySize() throws {
        var s = try SourceDriver(parameters: .with(["TXW_MAX_RTE": 0, "TXW_SQNS": 4]))
        for i in 0..<10 { try s.send([UInt8(i)]) }
        #expect(s.source.trail == SequenceNumber(6))
        #expect(s.source.lead == SequenceNumber(9))
        s.receive(Fixture.nak(2))
        #expect(s.packets(.ncf).isEmpty)
        #expect(s.packets(.rdata).isEmpty)
        #expect(s.source.statistics.sequencesOutsideWindow == 1)
        s.receive(Fixture.nak(7))
        #expect(s.packets(.ncf).count == 1)
        #expect(s.packets(.rdata).map { Fixture.sequences($0.1) } == [[7]])
    }

    @Test("§3.3 the transmit window holds at most TXW_BYTES of data")
    func windowByBytes() throws {
        var s = try SourceDriver(parameters: .with(["TXW_MAX_RTE": 0, "TXW_BYTES": 3000]))
        for i in 0..<5 { try s.send([UInt8](repeating: UInt8(i), count: 1000)) }
        #expect(s.source.trail == SequenceNumber(2))
        #expect(s.source.lead == SequenceNumber(4))
        // One APDU larger than the window leaves only itself.
        try s.send([UInt8](repeating: 9, count: 1400))
        #expect(s.source.trail == SequenceNumber(4))
        #expect(s.source.lead == SequenceNumber(5))
    }

    @Test("§3.3 the transmit window advances in time (TXW_SECS)")
    func windowByTime() throws {
        var s = try SourceDriver(parameters: .with(["TXW_MAX_RTE": 0, "TXW_SECS_MS": 100]))
        try s.send([1])
        s.run(until: Fixture.t(50))
        try s.send([2])
        s.run(until: Fixture.t(100))
        #expect(s.source.trail == SequenceNumber(1))
        s.run(until: Fixture.t(150))
        #expect(s.source.trail == SequenceNumber(2))  // empty: trail = lead + 1
        #expect(s.source.lead == SequenceNumber(1))
        s.run(until: Fixture.t(1200))
        if case .spm(let spm) = s.packets(.spm).last?.1.body {
            #expect(spm.trailingEdge == 2 && spm.leadingEdge == 1)
        }
    }

    @Test("§5.1.4 ambient SPMs every SPM_AMBIENT_IVL")
    func ambientSPMs() throws {
        var s = try SourceDriver()
        s.run(until: Fixture.t(3500))
        #expect(s.packets(.spm).map(\.0) == [Fixture.t(0), Fixture.t(1000), Fixture.t(2000), Fixture.t(3000)])
        // SPM sequence numbers increase by one.
        #expect(s.packets(.spm).compactMap { if case .spm(let x) = $0.1.body { x.sequence } else { nil } } == [UInt32]([0, 1, 2, 3]))
    }

    @Test("§5.1.5 heartbeat SPMs start IHB_MIN after data and double up to IHB_MAX")
    func heartbeatSPMs() throws {
        var s = try SourceDriver(parameters: .with(["TXW_MAX_RTE": 0, "SPM_AMBIENT_IVL": 600_000_000]))
        s.run(until: Fixture.t(10))  // the first ambient SPM at 0
        try s.send([1])
        s.run(until: Fixture.t(4000))
        let times = s.packets(.spm).dropFirst().map { ($0.0 - Fixture.t(10)) / 1000 }
        #expect(times == [50, 150, 350, 750, 1550, 2550, 3550])
        // Data restarts the heartbeat at IHB_MIN.
        try s.send([2])
        let at = s.now
        s.run(until: at + Int64(60_000))
        #expect(s.packets(.spm).last?.0 == at + Int64(50_000))
    }

    @Test("§5.2 a NAK gets an NCF at once, §5.3 then RDATA")
    func nakNcfRdata() throws {
        var s = try SourceDriver(parameters: .with(Self.unlimited))
        for i in 0..<5 { try s.send([UInt8(i)]) }
        s.sent.removeAll()
        s.receive(Fixture.nak(3))
        #expect(s.sent.map(\.1.type) == [.ncf, .rdata])
        let rdata = s.sent[1].1
        #expect(rdata.payload.elementsEqual([3]))
        if case .ncf(let n) = s.sent[0].1.body {
            #expect(n.sequence == 3 && n.source == Fixture.sourceAddress && n.group == Fixture.group)
        }
    }

    @Test("§9.3.4 a NAK list is confirmed by one NCF with the same list and repaired by one RDATA per sqn")
    func nakList() throws {
        var s = try SourceDriver(parameters: .with(Self.unlimited))
        for i in 0..<10 { try s.send([UInt8(i)]) }
        s.sent.removeAll()
        s.receive(Fixture.nak(2, list: [4, 5, 8]))
        let ncfs = s.packets(.ncf)
        #expect(ncfs.count == 1)
        #expect(Fixture.sequences(ncfs[0].1) == [2, 4, 5, 8])
        #expect(ncfs[0].1.flags.contains(.networkSignificant))
        #expect(s.packets(.rdata).map { Fixture.sequences($0.1)[0] } == [2, 4, 5, 8])
    }

    @Test("§5.2, §5.3, RDATA_LINGER_IVL: NAKs within the linger are confirmed at once and repaired by one RDATA when it ends")
    func rdataLinger() throws {
        var s = try SourceDriver(parameters: .with(["TXW_MAX_RTE": 0, "RDATA_LINGER_IVL": 20_000]))
        for i in 0..<3 { try s.send([UInt8(i)]) }
        s.receive(Fixture.nak(1))
        s.run(until: Fixture.t(10))
        s.receive(Fixture.nak(1))
        s.receive(Fixture.nak(1))
        #expect(s.packets(.ncf).count == 3)
        #expect(s.packets(.rdata).count == 1)
        #expect(s.source.statistics.repairsLingering == 2)
        // A list mixing lingering and fresh sqns: all confirmed, the fresh repaired now.
        s.receive(Fixture.nak(1, list: [2]))
        #expect(s.packets(.ncf).last.map { Fixture.sequences($0.1) } == [1, 2])
        s.run(until: Fixture.t(19))
        #expect(s.packets(.rdata).map { Fixture.sequences($0.1)[0] } == [1, 2])
        // The linger of 1's RDATA ends at 20 ms: one RDATA for its three NAKs.
        s.run(until: Fixture.t(21))
        #expect(s.packets(.rdata).map { Fixture.sequences($0.1)[0] } == [1, 2, 1])
        #expect(s.packets(.rdata).last?.0 == Fixture.t(20))
        s.run(until: Fixture.t(100))
        #expect(s.packets(.rdata).count == 3)
        // Past the lingers, a NAK is repaired at once.
        s.receive(Fixture.nak(1))
        #expect(s.packets(.rdata).count == 4)
    }

    @Test("§5.1.2 TXW_MAX_RTE bounds bytes sent, IP headers included; §5.1.3 RDATA goes before ODATA")
    func rateControl() throws {
        let rate: UInt32 = 100_000
        var s = try SourceDriver(parameters: .with(["TXW_MAX_RTE": rate, "MAX_TPDU": 1500,
                                                   "SPM_AMBIENT_IVL": 600_000_000]))
        s.run(until: Fixture.t(0))
        for _ in 0..<50 { try s.send([UInt8](repeating: 7, count: 956)) }  // 1000-byte packets
        s.run(until: Fixture.t(100))
        s.receive(Fixture.nak(0))
        s.run(until: Fixture.t(600))
        // Over any interval: bytes <= bucket (MAX_TPDU) + rate * interval.
        let sends = s.sent.filter { $0.1.type != .ncf }
        for i in sends.indices {
            var bytes = 0
            for j in i..<sends.count {
                bytes += 20 + sends[j].1.encodedLength
                let interval = Double(sends[j].0 - sends[i].0) / 1e6
                #expect(Double(bytes) <= 1500 + Double(rate) * interval + 1)
            }
        }
        // The repair left before the ODATA still waiting when the NAK came.
        let order = s.sent.filter { $0.0 >= Fixture.t(100) }.map(\.1.type)
        let r = try #require(order.firstIndex(of: .rdata))
        #expect(order[..<r].allSatisfy { $0 == .ncf || $0 == .spm })
        #expect(order[(r + 1)...].contains(.odata))
    }

    @Test("§13.4 an SPMR is answered with an SPM, at most once per IHB_MIN")
    func spmrAnswered() throws {
        var s = try SourceDriver(parameters: .with(["SPM_AMBIENT_IVL": 600_000_000]))
        s.run(until: Fixture.t(1))
        s.receive(Fixture.spmr)
        s.receive(Fixture.spmr)
        #expect(s.packets(.spm).count == 2)  // the ambient one at 0 and one answer
        s.run(until: Fixture.t(60))
        s.receive(Fixture.spmr)
        #expect(s.packets(.spm).count == 3)
        #expect(s.source.statistics.spmrsReceived == 3)
    }

    @Test("§9.7.2 close: OPT_FIN on the last ODATA, on its RDATA and on every later SPM")
    func finOnLastODATA() throws {
        var s = try SourceDriver(parameters: .with(["TXW_MAX_RTE": 10_000]))
        for i in 0..<3 { try s.send([UInt8](repeating: UInt8(i), count: 1000)) }
        s.source.close(at: s.now, into: &s.out)
        s.collect()
        s.run(until: Fixture.t(1000))
        let od = s.packets(.odata)
        #expect(od.map { $0.1.options.contains(type: PGMOptionType.fin) } == [false, false, true])
        let spmsAfter = s.packets(.spm).filter { $0.0 >= od[2].0 }
        #expect(!spmsAfter.isEmpty)
        #expect(spmsAfter.allSatisfy { $0.1.options.contains(type: PGMOptionType.fin) })
        #expect(s.events.map(\.1) == [.finSent(lead: SequenceNumber(2))])
        s.receive(Fixture.nak(2))
        s.run(until: Fixture.t(1500))
        #expect(s.packets(.rdata).last?.1.options.contains(type: PGMOptionType.fin) == true)
        #expect(throws: SourceError.closed) { try s.send([1]) }
    }

    @Test("§9.7.2 close with everything sent: an SPM with OPT_FIN at once")
    func finBySPM() throws {
        var s = try SourceDriver(parameters: .with(["TXW_MAX_RTE": 0, "SPM_AMBIENT_IVL": 600_000_000]))
        s.run(until: Fixture.t(0))
        try s.send([1])
        s.run(until: Fixture.t(10))
        s.source.close(at: s.now, into: &s.out)
        s.collect()
        let last = try #require(s.packets(.spm).last)
        #expect(last.0 == Fixture.t(10))
        #expect(last.1.options.contains(type: PGMOptionType.fin))
        if case .spm(let spm) = last.1.body { #expect(spm.leadingEdge == 0) }
    }

    @Test("§9.8.2 abort: SPMs carry OPT_RST at once; with the N bit NAKs go unanswered")
    func resetOnAbort() throws {
        var s = try SourceDriver(parameters: .with(["TXW_MAX_RTE": 0]))
        try s.send([1])
        try s.source.abort(errorCode: 5, noNAKs: true, at: s.now, into: &s.out)
        s.collect()
        let rst = try #require(s.packets(.spm).last?.1.options.first(type: PGMOptionType.reset)?.kind)
        #expect(rst == .reset(noNAKs: true, errorCode: 5))
        #expect(s.events.map(\.1) == [.resetSent])
        s.receive(Fixture.nak(0))
        #expect(s.packets(.ncf).isEmpty)
        #expect(throws: SourceError.errorCodeOutOfRange(64)) {
            try s.source.abort(errorCode: 64, at: s.now, into: &s.out)
        }
    }

    @Test("Oversized APDUs and bad parameters are refused with typed errors")
    func refusals() throws {
        var s = try SourceDriver()
        #expect(throws: SourceError.apduTooLarge(size: Source.maximumAPDU + 1, limit: Source.maximumAPDU)) {
            try s.send([UInt8](repeating: 0, count: Source.maximumAPDU + 1))
        }
        var p = Parameters()
        p.ihbMin = 2_000_000
        #expect(throws: SourceError.self) { try Source(Fixture.sourceConfiguration(), parameters: p) }
    }
}

import PGMModel
import PGMWire
import Testing

@Suite("Receiver procedures (RFC 3208 section 6)")
struct ReceiverTests {
    typealias F = Fixture

    /// A receiver that has seen the session's first SPM (window empty, next 0).
    static func started(_ values: [String: UInt32] = [:], seed: UInt64 = 1) throws -> ReceiverDriver {
        var r = ReceiverDriver(parameters: try .with(values), seed: seed)
        r.receive(F.spm(1, trail: 0, lead: 0xFFFF_FFFF))
        return r
    }

    @Test("§6.1 contiguous data is delivered in order, once")
    func inOrder() throws {
        var r = try Self.started()
        r.receive(F.odata(0, [0]))
        r.receive(F.odata(2, [2]))
        r.receive(F.odata(2, [2]))
        #expect(r.delivered == [[0]])
        r.receive(F.odata(1, [1], rdata: true))
        r.receive(F.odata(1, [1]))
        r.receive(F.odata(0, [0]))
        #expect(r.delivered == [[0], [1], [2]])
        #expect(r.receiver.statistics.duplicates == 3)
    }

    @Test("§6.3 repair time runs from the packet that revealed the gap to the data")
    func repairTime() throws {
        var r = try Self.started()
        r.receive(F.odata(0))
        r.receive(F.odata(3))
        r.run(until: F.t(30))
        r.receive(F.odata(1, rdata: true))
        r.run(until: F.t(50))
        r.receive(F.odata(2))
        r.receive(F.odata(4))
        r.receive(F.odata(1, rdata: true))
        let s = r.receiver.statistics
        #expect(r.delivered.count == 5)
        // Data in order (0, 3, 4) and a duplicate are no repairs.
        #expect(s.repairs == 2)
        #expect(s.repairMicrosecondsTotal == 80_000)
        #expect(s.repairMicrosecondsMax == 50_000)
    }

    @Test("§6.2 NAKs are unicast to the path NLA of the most recent SPM")
    func nakToPath() throws {
        var r = try Self.started()
        r.receive(F.odata(0))
        r.receive(F.odata(2))
        r.run(until: F.t(60))
        let nak = try #require(r.naks.first)
        #expect(nak.2 == .unicast(F.pathAddress))
        #expect(F.sequences(nak.1) == [1])
        if case .nak(let n) = nak.1.body {
            #expect(n.source == F.sourceAddress && n.group == F.group)
        }
        #expect(nak.1.tsi == F.tsi)
        #expect(nak.1.sourcePort == F.dport)
    }

    @Test("§6.2 an SPM with an older SPM sequence number is discarded")
    func oldSPMDiscarded() throws {
        var r = try Self.started()
        r.receive(F.spm(0, lead: 0xFFFF_FFFF, path: F.otherPath))
        #expect(r.receiver.statistics.spmsDiscarded == 1)
        r.receive(F.spm(1, lead: 0xFFFF_FFFF, path: F.otherPath))
        #expect(r.receiver.statistics.spmsDiscarded == 2)
        r.receive(F.odata(1))
        r.run(until: F.t(60))
        #expect(r.naks.first?.2 == .unicast(F.pathAddress))
        r.receive(F.spm(2, lead: 1, path: F.otherPath))
        r.receive(F.odata(3))
        r.run(until: F.t(120))
        // Section 10: one SPM naming a new path NLA does not move the NAKs...
        #expect(r.naks.last?.2 == .unicast(F.pathAddress))
        // ...two in a row do.
        r.receive(F.spm(3, lead: 3, path: F.otherPath))
        r.receive(F.odata(5))
        r.run(until: F.t(180))
        #expect(r.naks.last?.2 == .unicast(F.otherPath))
    }

    @Test("§6.2 no NAK before the first SPM; the SPM starts NAK generation")
    func noNakBeforeSPM() throws {
        var r = ReceiverDriver(parameters: try .with(["SPMR_EXPIRY": 600_000_000]))
        r.receive(F.odata(5))
        r.receive(F.odata(8))
        r.run(until: F.t(500))
        #expect(r.naks.isEmpty)
        r.receive(F.spm(1, trail: 0, lead: 8))
        r.run(until: F.t(560))
        #expect(r.nakedSequences == [6, 7])
    }

    @Test("§6.3 a gap in ODATA starts a NAK within NAK_BO_IVL, oldest first")
    func gapFromODATA() throws {
        var r = try Self.started()
        r.receive(F.odata(0))
        r.receive(F.odata(4))
        r.run(until: F.t(49))
        r.run(until: F.t(50))
        #expect(r.nakedSequences == [1, 2, 3])
        #expect(r.naks.count == 1)
        #expect(r.naks[0].0 < F.t(50))
    }

    @Test("§6.3 the leading edge of an SPM reveals lost data")
    func gapFromSPM() throws {
        var r = try Self.started()
        r.receive(F.odata(0))
        r.receive(F.spm(2, trail: 0, lead: 2))
        r.run(until: F.t(50))
        #expect(r.nakedSequences == [1, 2])
    }

    @Test("§6.3 RDATA beyond the leading edge reveals lost data")
    func gapFromRDATA() throws {
        var r = try Self.started()
        r.receive(F.odata(0))
        r.receive(F.odata(3, rdata: true))
        r.run(until: F.t(50))
        #expect(r.nakedSequences == [1, 2])
    }

    @Test("§6.3 an NCF during back-off suppresses the NAK and waits for data")
    func ncfSuppresses() throws {
        var r = try Self.started()
        r.receive(F.odata(0))
        r.receive(F.odata(2))
        r.receive(F.ncf(1))
        r.run(until: F.t(150))
        #expect(r.naks.isEmpty)
        // NAK_RDATA_IVL (200 ms) passes without data: NAK generation resumes.
        r.run(until: F.t(260))
        #expect(r.nakedSequences == [1])
        // Matching data completes recovery.
        r.receive(F.odata(1, rdata: true))
        #expect(r.delivered.count == 3)
    }

    @Test("§9.3.2 an NCF with a NAK list suppresses every listed sqn")
    func ncfListSuppresses() throws {
        var r = try Self.started()
        r.receive(F.odata(0))
        r.receive(F.odata(5))
        r.receive(F.ncf(1, list: [2, 3, 4]))
        r.run(until: F.t(150))
        #expect(r.naks.isEmpty)
    }

    @Test("§6.3 NCFs outside the receive window or for received data are ignored")
    func ncfOutsideWindow() throws {
        var r = try Self.started()
        r.receive(F.odata(0))
        r.receive(F.odata(2))
        r.receive(F.ncf(7))
        r.receive(F.ncf(0))
        #expect(r.receiver.statistics.outsideWindow == 2)
        r.run(until: F.t(50))
        #expect(r.nakedSequences == [1])
    }

    @Test("§6.3 NAK_RPT_IVL: the NAK is repeated NAK_NCF_RETRIES times, then loss is reported and later data delivered")
    func ncfRetriesExhausted() throws {
        var r = try Self.started(["NAK_NCF_RETRIES": 3, "PEER_EXPIRY": 600_000_000])
        r.receive(F.odata(0, [0]))
        r.receive(F.odata(2, [2]))
        r.run(until: F.t(2000))
        #expect(r.nakedSequences == [1, 1, 1, 1])
        // Each repeat waits NAK_RPT_IVL then a fresh back-off.
        for i in 1..<r.naks.count {
            let gap = r.naks[i].0 - r.naks[i - 1].0
            #expect(gap >= 200_000 && gap < 250_000)
        }
        #expect(r.losses.count == 1)
        #expect(r.losses.first.map { $0 == (1, 1) } == true)
        if case .loss(let tsi, _, _)? = r.events.first(where: { if case .loss = $0.1 { true } else { false } })?.1 {
            #expect(tsi == F.tsi)
        }
        #expect(r.delivered == [[0], [2]])
    }

    @Test("§6.3 NAK_RDATA_IVL: NAK_DATA_RETRIES waits for data after NCFs, then loss")
    func dataRetriesExhausted() throws {
        var r = try Self.started(["NAK_DATA_RETRIES": 2, "PEER_EXPIRY": 600_000_000])
        r.receive(F.odata(0, [0]))
        r.receive(F.odata(3, [3]))
        var confirmed = 0
        while r.losses.isEmpty && r.now < F.t(5000) {
            let before = r.naks.count
            r.run(until: r.now + Int64(1000))
            if r.naks.count > before {
                // Confirm every NAK as the source would.
                r.receive(F.ncf(1, list: [2]))
                confirmed += 1
            }
        }
        #expect(confirmed == 3)  // the first NAK and two retries
        #expect(r.losses.map { [$0.0, $0.1] } == [[1, 2]])
        #expect(r.delivered == [[0], [3]])
    }

    @Test("§9.3 NAK lists carry at most 62 sqns beside NAK_SQN")
    func nakListBatching() throws {
        var r = try Self.started()
        r.receive(F.odata(0))
        r.receive(F.odata(101))
        r.run(until: F.t(50))
        #expect(r.naks.count == 2)
        #expect(r.naks.map { F.sequences($0.1).count } == [63, 37])
        #expect(r.nakedSequences == Array(1...100))
    }

    @Test("§13.5 a session first seen through data sends an SPMR after a back-off on SPMR_EXPIRY")
    func spmrForDataFirst() throws {
        var r = ReceiverDriver()
        r.receive(F.odata(0))
        r.run(until: F.t(250))
        let spmrs = r.sent.filter { $0.1.packet.type == .spmr }
        #expect(spmrs.count == 2)
        #expect(spmrs.map(\.1.destination) == [.group(linkLocal: true), .unicast(F.sourceAddress)])
        #expect(spmrs[0].1.packet.tsi == F.tsi)
        // No SPM: another round after SPMR_EXPIRY plus a back-off.
        r.run(until: F.t(750))
        #expect(r.sent.filter { $0.1.packet.type == .spmr }.count == 4)
    }

    @Test("§13.5 a multicast SPMR from another receiver suppresses ours; an SPM cancels it")
    func spmrSuppressed() throws {
        var r = ReceiverDriver()
        r.receive(F.odata(0))
        r.receive(F.spmr, from: PGMNLA.ipv4(IPv4Address(10, 1, 0, 2)))
        r.run(until: F.t(240))
        #expect(r.sent.isEmpty)
        #expect(r.receiver.statistics.spmrsSuppressed == 1)
        r.receive(F.spm(1, lead: 0))
        r.run(until: F.t(2000))
        #expect(r.sent.isEmpty)
    }

    @Test("§9.2.3 fragments are reassembled, across reordering and repair")
    func reassembly() throws {
        var r = try Self.started()
        let apdu = (0..<30).map { UInt8($0) }
        func frag(_ sqn: UInt32, _ off: Int) -> PGMPacket {
            F.odata(sqn, Array(apdu[off..<(off + 10)]),
                    options: [PGMOption(.fragment(firstSequence: 0, offset: UInt32(off), length: 30))])
        }
        r.receive(frag(0, 0))
        r.receive(frag(2, 20))
        #expect(r.delivered.isEmpty)
        r.receive(frag(1, 10))
        #expect(r.delivered == [apdu])
        if case .data(_, let s, _) = r.events.last?.1 { #expect(s == SequenceNumber(0)) }
    }

    @Test("§9.2.3 an APDU with a lost fragment is dropped whole, the loss reported from its first sqn")
    func reassemblyWithLoss() throws {
        var r = try Self.started(["NAK_NCF_RETRIES": 0, "PEER_EXPIRY": 600_000_000])
        func frag(_ sqn: UInt32, _ first: UInt32, _ off: UInt32, _ len: UInt32) -> PGMPacket {
            F.odata(sqn, [UInt8](repeating: UInt8(sqn), count: 10),
                    options: [PGMOption(.fragment(firstSequence: first, offset: off, length: len))])
        }
        r.receive(frag(0, 0, 0, 20))
        r.receive(frag(2, 2, 0, 10))
        r.run(until: F.t(1000))
        // Sqn 0 arrived but the application will not get it: it is reported too.
        #expect(r.losses.map { [$0.0, $0.1] } == [[0, 2]])
        #expect(r.delivered == [[UInt8](repeating: 2, count: 10)])
    }

    @Test("§6.3 a trailing edge passing a missing sqn cancels its recovery as loss")
    func trailCancels() throws {
        var r = try Self.started()
        r.receive(F.odata(0))
        r.receive(F.odata(3))
        r.receive(F.odata(4, trail: 2))
        #expect(r.losses.map { [$0.0, $0.1] } == [[1, 1]])
        #expect(r.delivered.count == 1)  // 3 and 4 wait behind 2
        r.run(until: F.t(60))
        #expect(r.nakedSequences == [2])
    }

    @Test("§9.4 OPT_JOIN lets a late joiner repair back to the join minimum")
    func lateJoin() throws {
        var r = try Self.started()
        var j = ReceiverDriver()
        j.receive(F.odata(5, trail: 0, options: [PGMOption(.join(minimumSequence: 2))]))
        j.receive(F.spm(1, trail: 0, lead: 5))
        j.run(until: F.t(60))
        #expect(j.nakedSequences == [2, 3, 4])
        // Without OPT_JOIN reception starts at the first packet heard (§6.1).
        r = ReceiverDriver()
        r.receive(F.odata(5))
        r.receive(F.spm(1, trail: 0, lead: 5))
        r.run(until: F.t(60))
        #expect(r.naks.isEmpty)
        #expect(r.delivered.count == 1)
    }

    @Test("§9.7.1 OPT_FIN ends the session once everything up to it is delivered")
    func finEndsSession() throws {
        var r = try Self.started()
        r.receive(F.odata(0))
        r.receive(F.spm(2, lead: 1, options: [PGMOption(.fin)]))
        #expect(r.ends.isEmpty)
        r.receive(F.odata(1, rdata: true))
        #expect(r.ends == [.finished])
        var d = try Self.started()
        d.receive(F.odata(0, options: [PGMOption(.fin)]))
        #expect(d.ends == [.finished])
    }

    @Test("§9.8.1 OPT_RST aborts the session")
    func resetEndsSession() throws {
        var r = try Self.started()
        r.receive(F.odata(0))
        r.receive(F.odata(2))
        r.receive(F.spm(2, lead: 2, options: [PGMOption(.reset(noNAKs: true, errorCode: 7))]))
        #expect(r.ends == [.reset(errorCode: 7, noNAKs: true)])
        r.run(until: F.t(1000))
        #expect(r.naks.isEmpty)
        #expect(r.receiver.sessions.isEmpty)
    }

    @Test("PEER_EXPIRY forgets a silent source")
    func peerExpiry() throws {
        var r = try Self.started(["PEER_EXPIRY": 2_000_000])
        r.receive(F.odata(0))
        r.run(until: F.t(1999))
        #expect(r.receiver.sessions == [F.tsi])
        r.run(until: F.t(2001))
        #expect(r.receiver.sessions.isEmpty)
        #expect(r.ends == [.expired])
    }

    @Test("Packets for another data-destination port are ignored")
    func otherPort() throws {
        var r = ReceiverDriver()
        var p = F.odata(0)
        p.destinationPort = 9
        r.receive(p)
        #expect(r.receiver.sessions.isEmpty)
    }
}

import PGMFEC
import PGMModel
import PGMWire
import Testing

/// Deterministic bytes for test packets.
func fecBytes(_ seed: Int, _ count: Int) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ seed &* 101 &+ 7) }
}

@Suite("FEC settings and transmission groups (RFC 3208 section 11.2)")
struct FECArithmeticTests {
    @Test("settings are checked as the kernel's PGM_FEC will be")
    func settings() throws {
        let ok = try FECParameters(n: 255, k: 128, proactive: 127, onDemand: true)
        #expect(ok.parityCount == 127)
        #expect(ok.option == PGMOption(.parityParameters(proactive: true, onDemand: true, groupSize: 128)))
        #expect(try FECParameters(n: 9, k: 8, proactive: 0, onDemand: true).option
            == PGMOption(.parityParameters(proactive: false, onDemand: true, groupSize: 8)))
        func error(_ n: Int, _ k: Int, _ h: Int, _ o: Bool) -> FECParametersError? {
            do {
                _ = try FECParameters(n: n, k: k, proactive: h, onDemand: o)
                return nil
            } catch {
                return error
            }
        }
        #expect(error(8, 3, 1, false) == .groupSize(3))
        #expect(error(8, 1, 1, false) == .groupSize(1))
        #expect(error(300, 256, 1, false) == .groupSize(256))
        #expect(error(4, 4, 0, true) == .blockSize(4, k: 4))
        #expect(error(256, 8, 1, false) == .blockSize(256, k: 8))
        #expect(error(8, 4, 5, false) == .proactive(5, n: 8, k: 4))
        // More proactive parity than k would need OPT_PARITY_GRP: refused.
        #expect(error(20, 4, 5, false) == .proactive(5, n: 20, k: 4))
        #expect(error(8, 4, 0, false) == .nothingOffered)
    }

    @Test("11.2: TG_SQN is sqn & ~(k - 1), PKT_SQN the low bits, across the wrap")
    func groups() throws {
        let g = try #require(TransmissionGroups(k: 4))
        #expect(g.start(of: 0xFFFF_FFFA) == 0xFFFF_FFF8)
        #expect(g.index(of: 0xFFFF_FFFA) == 2)
        #expect(g.last(of: 0xFFFF_FFFC) == 0xFFFF_FFFF)
        #expect(g.start(of: 3) == 0 && g.start(of: 4) == 4)
        #expect(TransmissionGroups(k: 6) == nil)
        #expect(TransmissionGroups(k: 256) == nil)
        #expect(TransmissionGroups(k: 1) == nil)
        #expect(TransmissionGroups(k: 128)?.highestParityNumber == 126)
    }

    @Test("11.3.1: a parity NAK's sqn is NAK_TG_SQN | (count - 1), and back")
    func parityRequests() throws {
        let g = try #require(TransmissionGroups(k: 8))
        #expect(g.parityRequest(group: 0x1000, count: 1) == 0x1000)
        #expect(g.parityRequest(group: 0x1003, count: 8) == 0x1007)
        #expect(g.parityRequest(0x1005) == (group: 0x1000, count: 6))
        for count in 1...8 {
            let (group, back) = g.parityRequest(g.parityRequest(group: 0xFFFF_FFF8, count: count))
            #expect(group == 0xFFFF_FFF8 && back == count)
        }
    }

    @Test("11.2: parity number j is PKT_SQN j mod k, with OPT_PARITY_GRP j / k from j = k on")
    func parityNumbers() throws {
        let g = try #require(TransmissionGroups(k: 4))
        #expect(g.paritySequence(group: 8, number: 0) == (8, nil))
        #expect(g.paritySequence(group: 8, number: 3) == (11, nil))
        #expect(g.paritySequence(group: 8, number: 4) == (8, 1))
        #expect(g.paritySequence(group: 8, number: 9) == (9, 2))
        for j in 0...g.highestParityNumber {
            let (sqn, m) = g.paritySequence(group: 0x40, number: j)
            #expect(g.start(of: sqn) == 0x40)
            #expect(g.parityNumber(sequence: sqn, parityGroup: m) == j)
        }
    }
}

@Suite("Parity content and rebuilding (RFC 3208 section 11.2)")
struct ParityContentTests {
    /// A group of 8: lengths from 1 to 400, fragments on some packets.
    static func group() -> [FECOriginal] {
        let lengths = [400, 17, 1, 399, 250, 400, 3, 128]
        return lengths.enumerated().map { i, l in
            let fragment: (firstSequence: UInt32, offset: UInt32, length: UInt32)? =
                i % 3 == 0 ? nil : (firstSequence: UInt32(100 + i), offset: UInt32(i * 1000), length: 90_000)
            return FECOriginal(payload: fecBytes(i, l)[...], fragment: fragment)
        }
    }

    @Test("variable lengths: padded to the longest, 2-octet length appended, OPT_VAR_PKTLEN")
    func variableLengthContent() throws {
        let code = try ReedSolomon(n: 12, k: 8)
        let originals = Self.group()
        let p = try ParityContent(number: 0, of: originals, code: code)
        #expect(p.variableLength && p.payload.count == 402 && p.paddedLength == 400)
        #expect(p.flags == [.parity, .variableLengthParity])
        #expect(p.encodedFragment?.count == PGMParity.fragmentEncodedLength)
        // Parity packet 0 is codeword k of the padded packets with their lengths.
        let padded = originals.map { PGMParity.padded($0.payload, to: 400) }
        #expect(p.payload == (try code.parity(8, of: padded)))
        let same = (0..<8).map { FECOriginal(payload: fecBytes($0, 64)[...], fragment: nil) }
        let fixed = try ParityContent(number: 2, of: same, code: code)
        #expect(!fixed.variableLength && fixed.payload.count == 64 && fixed.encodedFragment == nil)
        #expect(fixed.flags == .parity)
    }

    @Test("any k packets rebuild every original, lengths and OPT_FRAGMENT included")
    func rebuildsEverySubset() throws {
        let code = try ReedSolomon(n: 12, k: 8)
        let originals = Self.group()
        let parity = try (0..<4).map { try ParityContent(number: $0, of: originals, code: code) }
        // Lose originals 0, 2, 5, 7 (fragmented and not, longest and shortest) in turn.
        for lost in [[0], [2, 5], [0, 2, 7], [0, 2, 5, 7], [1, 3, 4, 6]] {
            var held: [Int: FECOriginal] = [:]
            for i in 0..<8 where !lost.contains(i) { held[i] = originals[i] }
            var using: [Int: ParityContent] = [:]
            for j in (0..<4).reversed().prefix(lost.count) { using[j] = parity[j] }
            let rebuilt = try #require(ParityContent.rebuild(originals: held, parity: using, code: code))
            #expect(rebuilt == originals, "lost \(lost)")
        }
    }

    @Test("a parity packet that contradicts the others is caught when one is spare")
    func spareCatchesCorruption() throws {
        let code = try ReedSolomon(n: 12, k: 8)
        let originals = Self.group()
        var parity = try (0..<3).map { try ParityContent(number: $0, of: originals, code: code) }
        var held: [Int: FECOriginal] = [:]
        for i in 2..<8 { held[i] = originals[i] }
        parity[1].payload[10] ^= 0x40
        // Two lost, three parity: one spare, so the corruption shows.
        let all = [0: parity[0], 1: parity[1], 2: parity[2]]
        #expect(ParityContent.rebuild(originals: held, parity: all, code: code) == nil)
        // Without the bad one, the group rebuilds.
        #expect(ParityContent.rebuild(originals: held, parity: [0: parity[0], 2: parity[2]], code: code) == originals)
    }

    @Test("refused: too few packets, an original longer than the padding, a fragment without encoded options")
    func refusals() throws {
        let code = try ReedSolomon(n: 12, k: 8)
        let originals = Self.group()
        let p0 = try ParityContent(number: 0, of: originals, code: code)
        var held: [Int: FECOriginal] = [:]
        for i in 1..<8 { held[i] = originals[i] }
        #expect(ParityContent.rebuild(originals: held, parity: [:], code: code) == nil)
        var fewer = held
        fewer[1] = nil
        #expect(ParityContent.rebuild(originals: fewer, parity: [0: p0], code: code) == nil)
        var long = held
        long[3] = FECOriginal(payload: fecBytes(3, 401)[...], fragment: nil)
        #expect(ParityContent.rebuild(originals: long, parity: [0: p0], code: code) == nil)
        var stripped = p0
        stripped.encodedFragment = nil
        #expect(ParityContent.rebuild(originals: held, parity: [0: stripped], code: code) == nil)
        #expect(ParityContent.rebuild(originals: held, parity: [0: p0], code: code) == originals)
    }
}

@Suite("FEC at the source (RFC 3208 section 11.4)")
struct SourceFECTests {
    typealias F = Fixture

    static func nak(_ sqn: UInt32, parity: Bool = true) -> PGMPacket {
        var p = F.nak(sqn)
        if parity { p.flags = .parity }
        return p
    }

    @Test("11.4: h proactive parity packets after each full group, none for the leading partial group")
    func proactiveCount() throws {
        // ISN 2, k = 4: group 0 holds 2 and 3 only.
        var s = try SourceDriver(initial: 2, fec: try FECParameters(n: 8, k: 4, proactive: 3, onDemand: false))
        try s.send(fecBytes(0, 10))
        for _ in 0..<13 { try s.send(fecBytes(1, 10)) }
        s.run(until: F.t(10))
        let parity = s.sent.filter { $0.1.flags.contains(.parity) }
        // Sqns 2 to 15: groups 4, 8 and 12 are full.
        #expect(parity.count == 9)
        #expect(s.source.statistics.paritySentProactive == 9)
        #expect(parity.allSatisfy { $0.1.type == .odata })
        #expect(Set(parity.map { TransmissionGroups(k: 4)?.start(of: Fixture.sequences($0.1)[0]) }) == [4, 8, 12])
        #expect(s.source.statistics.odataSent == 14)
    }

    @Test("11.4: parity NAKs for the partial group, a group not yet sent and one the trail passed are refused")
    func refusedRequests() throws {
        var s = try SourceDriver(parameters: try .with(["TXW_SQNS": 8]), initial: 2,
                                 fec: try FECParameters(n: 8, k: 4, proactive: 0, onDemand: true))
        for _ in 0..<18 { try s.send(fecBytes(1, 10)) }
        // Sent 2...19; the window holds 12...19.
        s.receive(Self.nak(0))  // group 0: partial, and behind the trail
        s.receive(Self.nak(8))  // group 8: the trail passed it
        s.receive(Self.nak(20))  // group 20: not sent
        s.receive(Self.nak(12 | 1))  // group 12: fine, two packets
        s.run(until: F.t(10))
        #expect(s.source.statistics.parityNaksReceived == 4)
        #expect(s.source.statistics.parityNaksRefused == 3)
        let ncfs = s.packets(.ncf)
        #expect(ncfs.count == 1 && ncfs[0].1.flags == .parity && Fixture.sequences(ncfs[0].1) == [13])
        #expect(s.source.statistics.paritySentOnDemand == 2)
    }

    @Test("11.4: without on-demand parity a parity NAK is neither confirmed nor answered")
    func noOnDemand() throws {
        var s = try SourceDriver(fec: try FECParameters(n: 8, k: 4, proactive: 1, onDemand: false))
        for _ in 0..<8 { try s.send(fecBytes(1, 10)) }
        s.receive(Self.nak(4))
        s.run(until: F.t(10))
        #expect(s.packets(.ncf).isEmpty && s.packets(.rdata).isEmpty)
        #expect(s.source.statistics.parityNaksRefused == 1)
    }

    @Test("11.4: pending parity serves a later request for fewer; a larger one raises it")
    func consolidation() throws {
        var s = try SourceDriver(parameters: try .with(["TXW_MAX_RTE": 10_000]),
                                 fec: try FECParameters(n: 16, k: 8, proactive: 0, onDemand: true))
        // 1,000-octet packets at 10,000 octets/s: one every ~100 ms, the
        // token bucket (MAX_TPDU) holds one.
        for _ in 0..<8 { try s.send(fecBytes(1, 1000)) }
        s.run(until: F.t(2000))
        s.receive(Self.nak(3))  // 4 packets: the first goes at once, 3 wait
        s.receive(Self.nak(1))  // 2: the 3 pending serve it
        s.receive(Self.nak(5))  // 6: pending raised to 6, not added
        s.run(until: F.t(4000))
        #expect(s.packets(.ncf).count == 3)
        #expect(s.source.statistics.paritySentOnDemand == 7)
        let numbers = s.packets(.rdata).map { Fixture.sequences($0.1)[0] }
        #expect(numbers == Array(0..<7))
    }

    @Test("one parity NAK makes the source owe at most 63 packets (pgm(7)'s reflection bound)")
    func reflectionBound() throws {
        var s = try SourceDriver(fec: try FECParameters(n: 255, k: 64, proactive: 0, onDemand: true))
        for _ in 0..<512 { try s.send(fecBytes(1, 10)) }
        s.run(until: F.t(100))
        // Eight whole groups (ISN 0); 63 requests for 64 packets each.
        var p = Self.nak(63)
        p.options = try PGMOptions([PGMOption(.nakList((1..<63).map { UInt32(($0 % 8) * 64) | 63 }))])
        s.receive(p)
        s.run(until: F.t(2000))
        let st = s.source.statistics
        #expect(st.paritySentOnDemand + st.rdataSent == 63)
        #expect(st.parityNaksReceived == 63)
        #expect(st.parityNaksRefused == 62)
        // The NCF confirms what will be sent: 63 packets of group 0.
        let ncfs = s.packets(.ncf)
        #expect(ncfs.count == 1 && Fixture.sequences(ncfs[0].1) == [62])
    }

    @Test("with FEC every packet, parity included, fits MAX_TPDU")
    func parityFitsTPDU() throws {
        let fec = try FECParameters(n: 40, k: 8, proactive: 4, onDemand: true)
        var s = try SourceDriver(parameters: try .with(["MAX_TPDU": 1500]), fec: fec)
        // Fragments of every length, whole APDUs of the largest size.
        for (i, size) in [5000, 1, 1426, 3001, 1427, 2852, 7, 10_000, 1426, 1426, 99, 4000].enumerated() {
            try s.send(fecBytes(i, size))
        }
        s.run(until: F.t(100))
        let lead = s.source.lead.rawValue
        // Ask every whole group for parity numbers beyond k (OPT_PARITY_GRP).
        for g in stride(from: UInt32(0), to: lead, by: 8) where g + 7 <= lead {
            for _ in 0..<5 { s.receive(Self.nak(g | 7)) }
        }
        s.run(until: F.t(2000))
        #expect(s.sent.contains { $0.1.options.contains(type: PGMOptionType.parityGroup) })
        #expect(s.sent.contains { $0.1.options.encodedFragment != nil && $0.1.flags.contains(.variableLengthParity) })
        for (_, p) in s.sent {
            #expect(ipv4HeaderLength + p.encodedLength <= 1500, "\(p.type) \(p.flags) of \(p.encodedLength)")
        }
    }
}

@Suite("FEC at the receiver (RFC 3208 section 11.5)")
struct ReceiverFECTests {
    typealias F = Fixture

    static func started(k: UInt32 = 4, pro: Bool = true, ond: Bool = false,
                        _ values: [String: UInt32] = [:]) throws -> ReceiverDriver {
        var r = ReceiverDriver(parameters: try .with(values))
        r.receive(F.spm(1, trail: 0, lead: 0xFFFF_FFFF,
                        options: [PGMOption(.parityParameters(proactive: pro, onDemand: ond, groupSize: k))]))
        return r
    }

    /// Parity packet `number` of the group at `group` whose originals are `originals`.
    static func parity(_ number: Int, group: UInt32, of originals: [FECOriginal], k: Int = 4,
                       rdata: Bool = false, edit: (inout ParityContent) -> Void = { _ in }) throws -> PGMPacket {
        var content = try ParityContent(number: number, of: originals, code: try ReedSolomon(n: 255, k: k))
        edit(&content)
        let (sqn, m) = try #require(TransmissionGroups(k: UInt32(k))).paritySequence(group: group, number: number)
        var options: [PGMOption] = []
        if let f = content.encodedFragment { options.append(PGMParity.encodedFragment(f)) }
        if let m { options.append(PGMOption(.parityGroup(m))) }
        var p = F.odata(sqn, content.payload, options: options, rdata: rdata)
        p.flags = content.flags
        return p
    }

    static func originals(_ group: UInt32, k: Int = 4, length: (Int) -> Int = { _ in 30 }) -> [FECOriginal] {
        (0..<k).map { FECOriginal(payload: fecBytes(Int(group) + $0, length($0))[...], fragment: nil) }
    }

    @Test("11.5: a group rebuilt from parity delivers exactly the lost packets, counted once")
    func rebuilds() throws {
        var r = try Self.started()
        let o = Self.originals(0, length: { 20 + 7 * $0 })
        r.receive(F.odata(0, Array(o[0].payload)))
        r.receive(F.odata(3, Array(o[3].payload)))
        r.receive(try Self.parity(1, group: 0, of: o))
        #expect(r.delivered.count == 1)
        r.receive(try Self.parity(0, group: 0, of: o))
        #expect(r.delivered == o.map { Array($0.payload) })
        #expect(r.receiver.statistics.groupsRebuilt == 1)
        #expect(r.receiver.statistics.parityReceived == 2)
        #expect(r.receiver.statistics.repairs == 2)
        r.run(until: F.t(1000))
        #expect(r.naks.isEmpty)
    }

    @Test("11.5: parity never starts a session, nor takes a data slot without FEC known")
    func parityAlone() throws {
        var r = ReceiverDriver()
        let o = Self.originals(0)
        r.receive(try Self.parity(0, group: 0, of: o))
        #expect(r.receiver.sessions.isEmpty)
        #expect(r.receiver.statistics.parityUnused == 1)
        // A session without OPT_PARITY_PRM: parity is not used.
        r.receive(F.spm(1, trail: 0, lead: 0xFFFF_FFFF))
        r.receive(F.odata(0, Array(o[0].payload)))
        r.receive(try Self.parity(0, group: 0, of: o))
        #expect(r.receiver.statistics.parityUnused == 2)
        r.receive(F.odata(1, Array(o[1].payload)))
        #expect(r.delivered.count == 2)
    }

    @Test("bad parity is dropped and counted: number beyond codeword 254, group size, length, options")
    func badParity() throws {
        var r = try Self.started(k: 128)
        let o = Self.originals(0, k: 128)
        r.receive(F.odata(0, Array(o[0].payload)))
        // Number 127 (codeword 255) does not exist.
        var beyond = try Self.parity(126, group: 0, of: o, k: 128)
        beyond.options = try PGMOptions([PGMOption(.parityGroup(1))])  // 1 * 128 + 126
        r.receive(beyond)
        var tgsize = try Self.parity(0, group: 0, of: o, k: 128)
        tgsize.options = try PGMOptions([PGMOption(.currentGroupSize(64))])
        r.receive(tgsize)
        r.receive(try Self.parity(1, group: 0, of: o, k: 128) { $0.payload.removeLast() })
        r.receive(try Self.parity(2, group: 0, of: o, k: 128) { $0.encodedFragment = [1, 2, 3] })
        #expect(r.receiver.statistics.parityDropped == 4)
        r.receive(try Self.parity(3, group: 0, of: o, k: 128))
        #expect(r.receiver.statistics.parityDropped == 4)
    }

    @Test("an original that contradicts the parity held drops that parity: the data wins")
    func dataWins() throws {
        var r = try Self.started()
        let o = Self.originals(0)
        r.receive(F.odata(0, Array(o[0].payload)))
        r.receive(try Self.parity(0, group: 0, of: o))
        // Sqn 1 arrives 31 octets long: the 30-octet fixed-length parity cannot be this group's.
        r.receive(F.odata(1, fecBytes(1, 31)))
        #expect(r.receiver.statistics.parityDropped == 1)
        r.receive(F.odata(3, Array(o[3].payload)))
        #expect(r.delivered.count == 2)
        #expect(r.receiver.statistics.groupsRebuilt == 0)
    }

    @Test("bounds: parity for a group behind the window or beyond RXW_SQNS is not kept and moves nothing")
    func bounds() throws {
        var r = try Self.started(["RXW_SQNS": 16])
        let o = Self.originals(0)
        for s in UInt32(0)..<4 { r.receive(F.odata(s, Array(o[Int(s)].payload))) }
        r.receive(try Self.parity(0, group: 0, of: o))
        #expect(r.receiver.statistics.parityUnused == 1)
        r.receive(try Self.parity(0, group: 64, of: Self.originals(64)))
        #expect(r.receiver.statistics.outsideWindow == 1)
        // Nothing was opened up to 67: sqn 4 comes next and nothing is NAKed.
        r.run(until: F.t(1000))
        #expect(r.naks.isEmpty)
        // Parity for group 4, never seen: the source sent 4...7, which are now missing.
        r.receive(try Self.parity(0, group: 4, of: Self.originals(4)))
        r.run(until: F.t(1100))
        #expect(Set(r.nakedSequences) == [4, 5, 6, 7])
    }

    @Test("bounds: a group holds at most k packets' worth: the k-th rebuilds it and later parity is not kept")
    func boundPerGroup() throws {
        var r = try Self.started(k: 8)
        let o = Self.originals(0, k: 8)
        r.receive(F.odata(0, Array(o[0].payload)))
        for j in 0..<7 { r.receive(try Self.parity(j, group: 0, of: o, k: 8)) }
        #expect(r.receiver.statistics.groupsRebuilt == 1)
        #expect(r.delivered.count == 8)
        for j in 7..<20 { r.receive(try Self.parity(j, group: 0, of: o, k: 8)) }
        #expect(r.receiver.statistics.parityUnused == 13)
    }

    @Test("FEC learned after data: the window's packets join their groups; the group of next is NAKed selectively")
    func learnedLate() throws {
        var r = ReceiverDriver(parameters: try .with(["NAK_BO_IVL": 10_000]))
        r.receive(F.spm(1, trail: 0, lead: 0xFFFF_FFFF))
        let o0 = Self.originals(0), o4 = Self.originals(4)
        for s in [0, 1, 3] { r.receive(F.odata(UInt32(s), Array(o0[s].payload))) }
        for s in [0, 2, 3] { r.receive(F.odata(UInt32(4 + s), Array(o4[s].payload))) }
        // Lost: 2 and 5. Now the SPMs say k = 4, on-demand.
        r.receive(F.spm(2, trail: 0, lead: 7,
                        options: [PGMOption(.parityParameters(proactive: true, onDemand: true, groupSize: 4))]))
        r.receive(try Self.parity(0, group: 4, of: o4))
        #expect(r.receiver.statistics.groupsRebuilt == 1)
        r.run(until: F.t(100))
        // Group 0 delivered 0 and 1 before FEC was known: no parity NAK for it.
        #expect(r.naks.allSatisfy { !$0.1.flags.contains(.parity) })
        #expect(r.nakedSequences == [2])
        r.receive(F.odata(2, Array(o0[2].payload), rdata: true))
        #expect(r.delivered == (o0 + o4).map { Array($0.payload) })
    }

    @Test("11.8.1 bounds: a group size is taken once a second at most (PGM_FEC_K_HOLD_MS); a change sooner is refused, counted, and turns FEC off")
    func groupSizeHold() throws {
        var r = try Self.started(k: 4)
        let ks: [UInt32] = [2, 128, 8]
        // An SPM every 10 ms for 3 s, each naming another size: taken at
        // 1 s, 2 s and 3 s after the first, every other one refused.
        for i in 1...300 {
            r.run(until: F.t(Int64(10 * i)))
            r.receive(F.spm(UInt32(1 + i), trail: 0, lead: 0xFFFF_FFFF,
                            options: [PGMOption(.parityParameters(proactive: true, onDemand: false, groupSize: ks[i % 3]))]))
        }
        #expect(r.receiver.statistics.fecGroupSizeRefused == 297)
        // Back to 4 at once: refused, FEC off, parity not used.
        let four = [PGMOption(.parityParameters(proactive: true, onDemand: false, groupSize: 4))]
        r.receive(F.spm(302, trail: 0, lead: 0xFFFF_FFFF, options: four))
        #expect(r.receiver.statistics.fecGroupSizeRefused == 298)
        r.receive(try Self.parity(0, group: 0, of: Self.originals(0)))
        #expect(r.receiver.statistics.parityUnused == 1)
        // A second after the last size taken, 4 is taken: parity is kept.
        r.run(until: F.t(4000))
        r.receive(F.spm(303, trail: 0, lead: 0xFFFF_FFFF, options: four))
        r.receive(try Self.parity(0, group: 0, of: Self.originals(0)))
        #expect(r.receiver.statistics.fecGroupSizeRefused == 298)
        #expect(r.receiver.statistics.parityUnused == 1)
    }

    @Test("11.5: with on-demand parity, one parity NAK per whole group; parityNAKs off (the default) gives selective NAKs")
    func parityNAKs() throws {
        for on: Bool? in [true, false, nil] {
            var r = ReceiverDriver()
            let parameters = try Parameters.with(["NAK_BO_IVL": 10_000])
            r.receiver = if let on {
                Receiver(address: F.receiverAddress, group: F.group, port: F.dport,
                         parameters: parameters, parityNAKs: on, random: SeededRandom(seed: 3))
            } else {
                Receiver(address: F.receiverAddress, group: F.group, port: F.dport,
                         parameters: parameters, random: SeededRandom(seed: 3))
            }
            r.receive(F.spm(1, trail: 0, lead: 0xFFFF_FFFF,
                            options: [PGMOption(.parityParameters(proactive: false, onDemand: true, groupSize: 4))]))
            for s: UInt32 in [0, 3, 4, 6, 8] { r.receive(F.odata(s)) }
            r.run(until: F.t(30))
            let parity = r.naks.filter { $0.1.flags.contains(.parity) }
            if on == true {
                // Group 0 lost 1 and 2: NAK_TG_SQN 0 | (2 - 1); group 4 lost 5 and 7: 4 | 1.
                #expect(parity.map { Fixture.sequences($0.1) } == [[1], [5]])
                #expect(r.naks.count == 2)
                #expect(r.receiver.statistics.parityNaksSent == 2 && r.receiver.statistics.parityRequested == 4)
            } else {
                #expect(parity.isEmpty)
                #expect(Set(r.nakedSequences) == [1, 2, 5, 7])
            }
        }
    }

    @Test("end to end: a FEC source's proactive parity heals two losses a group, fragments included, without a NAK")
    func endToEnd() throws {
        let fec = try FECParameters(n: 12, k: 8, proactive: 2, onDemand: false)
        var s = try SourceDriver(initial: 0, fec: fec)
        var r = try Self.started(k: 8)
        var apdus: [[UInt8]] = []
        // Lengths from 1 to 3,000 octets (fragmented from 1,427 on), until a group ends.
        while apdus.count < 48 || s.source.assigned.rawValue % 8 != 0 {
            let a = fecBytes(apdus.count, 1 + (apdus.count * 737) % 3000)
            apdus.append(a)
            try s.send(a)
        }
        s.run(until: F.t(100))
        #expect(s.source.unsentCount == 0)
        let groups = Int(s.source.lead.rawValue + 1) / 8
        #expect(s.source.statistics.paritySentProactive == 2 * groups)
        // Lose the 2nd and the 5th packet of every group.
        for (_, p) in s.sent where p.type == .odata {
            let sqn = Fixture.sequences(p)[0]
            if !p.flags.contains(.parity) && (sqn % 8 == 1 || sqn % 8 == 4) { continue }
            r.receive(p)
        }
        #expect(r.delivered == apdus)
        #expect(r.losses.isEmpty)
        #expect(r.receiver.statistics.groupsRebuilt == groups)
        #expect(r.receiver.statistics.parityDropped == 0)
        r.run(until: F.t(2000))
        #expect(r.naks.isEmpty)
    }
}

import PGMConformance
import PGMModel
import PGMWire
import Testing

/// The model, with what it is given recorded and, optionally, the RECEIVER
/// ID of the receiver's ACKs after the first rewritten (an implementation
/// that changes it).
final class ConfirmProbe: ConformanceBackend {
    let model = ModelBackend()
    var injected: [PGMPacket] = []
    var changeID = false
    var acks = 0
    var name: String { "confirm-probe" }
    var tolerance: Tolerance { model.tolerance }
    var now: Int64 { model.now }
    var sourceTSI: TSI? { model.sourceTSI }
    func start(_ scenario: Scenario, network: Network) throws(BackendError) { try model.start(scenario, network: network) }
    func send(_ apdu: [UInt8]) throws(BackendError) { try model.send(apdu) }
    func close(reset: Bool) throws(BackendError) { try model.close(reset: reset) }
    func stop() { model.stop() }
    func confirmed() throws(BackendError) -> ConfirmedView { try model.confirmed() }
    func inject(_ bytes: [UInt8], from peer: Int, multicast: Bool) throws(BackendError) {
        if let p = try? PGMPacket.decode(bytes) { injected.append(p) }
        try model.inject(bytes, from: peer, multicast: multicast)
    }
    func poll(until deadline: Int64) throws(BackendError) -> [Observation] {
        try model.poll(until: deadline).map { o in
            guard changeID, case .packet(var s) = o,
                  case .confirm(let c, let id, let join, let bye, let lost)? = s.packet.options.first(type: PGMOptionType.confirm)?.kind
            else { return o }
            acks += 1
            if acks > 1, let options = try? PGMOptions([PGMOption(.confirm(confirmed: c, receiverID: id &+ 1, join: join,
                                                                          bye: bye, lost: lost))]) {
                s.packet.options = options
            }
            return .packet(s)
        }
    }
}

@Suite("Conformance language: confirmed delivery (docs/confirmed-delivery.md)")
struct ConfirmLanguageTests {
    func run(_ text: String, backend: any ConformanceBackend = ModelBackend()) throws -> Outcome {
        let s = try ScenarioParser.parse(text, file: "t.pgm")
        return Runner(s, backend: backend, network: Network(port: 7000)).run()
    }

    static let receiver = "title t\nrfc confirm-R1\niut receiver\nconfirm ivl=100ms\ninject SPM\n"
    static let source = "title t\nrfc confirm-S4\niut source\nconfirm\nsend 100 x4\nexpect ODATA sqn=3\n"

    @Test("the confirm line's fields, by role")
    func header() throws {
        let r = try ScenarioParser.parse("title t\nrfc 5\niut receiver\nconfirm ivl=100ms\n", file: "t.pgm")
        #expect(r.confirm?.interval == 100_000)
        let s = try ScenarioParser.parse("title t\nrfc 5\niut source\nconfirm expiry=2s max=5 flow\n", file: "t.pgm")
        #expect(s.confirm?.expiry == 2_000_000)
        #expect(s.confirm?.maximum == 5)
        #expect(s.confirm?.flow == true)
        let plain = try ScenarioParser.parse("title t\nrfc 5\niut source\nconfirm\n", file: "t.pgm")
        #expect(plain.confirm == ConfirmSettings())
        #expect(try ScenarioParser.parse("title t\nrfc 5\niut source\n", file: "t.pgm").confirm == nil)
    }

    @Test("parse errors of the confirm line, the ACK fields and expect confirmed", arguments: [
        ("iut source\nconfirm ivl=100ms\n", "ivl= is a receiver IUT's"),
        ("iut receiver\nconfirm flow\n", "a receiver IUT takes ivl="),
        ("iut source\nconfirm max=0\n", "max is at least 1"),
        ("iut source\nconfirm bogus\n", "unknown confirm field 'bogus'"),
        ("iut source\nconfirm\nconfirm\n", "confirm given twice"),
        ("iut source\nsend 1\nconfirm\n", "confirm comes before the first step"),
        ("iut receiver\nconfirm\nexpect confirmed 1\n", "expect confirmed reads a source IUT's view"),
        ("iut source\nexpect confirmed 1\n", "expect confirmed reads a source IUT's view"),
        ("iut source\nconfirm\nexpect no confirmed 1 for 1s\n", "'expect no confirmed' is not a step"),
        ("iut source\nconfirm\nexpect confirmed none receivers=1\n", "confirmed none goes with receivers=0"),
        ("iut source\nconfirm\nexpect confirmed 1 after 1ms\n", "takes 'within', not 'after'"),
        ("iut source\nconfirm\nexpect confirmed 1 senders=2\n", "unknown field 'senders=2'"),
        ("iut receiver\nexpect ACK id=5\n", "id=any"),
        ("iut receiver\nexpect NAK bye\n", "are an ACK's (OPT_CONFIRM)"),
        ("iut source\ninject ACK rxmax=1 id=2\n", "give confirmed= too"),
        ("iut source\ninject ACK rxmax=1 bye\n", "give confirmed= too"),
        ("iut source\ninject NAK sqn=1 confirmed=1\n", "are an ACK's (OPT_CONFIRM)"),
        ("iut source\ninject NAK sqn=1 lost\n", "and ACK (OPT_CONFIRM's LOST bit)"),
        ("iut source\ninject ACK\n", "inject ACK needs rxmax= (or confirmed=)"),
    ])
    func parseErrors(text: String, message: String) {
        do {
            _ = try ScenarioParser.parse("title t\nrfc confirm-S1\n" + text, file: "x.pgm")
            Issue.record("parsed: \(text)")
        } catch {
            #expect(error.message.contains(message), "\(error)")
        }
    }

    @Test("R1 R6: an expected ACK's CONFIRMED, RX_MAX and bits are each checked; !confirm wants none")
    func ackFieldsChecked() throws {
        let ok = try run(Self.receiver + "expect ACK confirmed=-1 rxmax=-1 bitmap=0 cjoin !bye !lost id=any nla=1 within 1ms\n")
        #expect(ok.passed, "\(ok.failure ?? "")")
        for wrong in ["confirmed=0", "rxmax=0", "!cjoin", "bye", "lost", "!confirm", "confirm nla=2"] {
            let o = try run(Self.receiver + "expect ACK \(wrong) within 50ms\n")
            #expect(o.failure?.contains("no ACK \(wrong)") == true, "\(wrong): \(o.failure ?? "passed")")
        }
        #expect(ok.trace.contains { $0.contains("ACK rxmax=-1 bitmap=0x0 confirmed=-1 id=") && $0.hasSuffix(" cjoin") })
    }

    @Test("R6: a receiver whose ACKs change RECEIVER ID within a session fails the scenario")
    func oneIDPerSession() throws {
        let text = Self.receiver + "expect ACK cjoin within 1ms\ninject ODATA sqn=0\nexpect deliver sqn=0\nexpect ACK confirmed=0 within 200ms\n"
        #expect(try run(text).passed)
        let probe = ConfirmProbe()
        probe.changeID = true
        let o = try run(text, backend: probe)
        #expect(o.failure?.contains("changed RECEIVER ID") == true, "\(o.failure ?? "passed")")
    }

    @Test("an injected ACK with confirmed= carries OPT_CONFIRM (id 1 by default) and no PGMCC feedback unless asked")
    func injectedACK() throws {
        let probe = ConfirmProbe()
        let o = try run(Self.source + "inject ACK confirmed=2 cjoin\ninject ACK confirmed=-1 id=5 bye lost feedback from=2\n"
                        + "inject ACK rxmax=1\n", backend: probe)
        #expect(o.passed, "\(o.failure ?? "")")
        try #require(probe.injected.count == 3)
        let first = probe.injected[0], second = probe.injected[1], third = probe.injected[2]
        guard case .ack(let a) = first.body,
              case .confirm(let c, let id, let join, let bye, let lost)? = first.options.first(type: PGMOptionType.confirm)?.kind
        else {
            Issue.record("no OPT_CONFIRM in \(first)")
            return
        }
        // Relative to the source's first sqn, 0xFFFFFFFA in the model.
        #expect(c == 0xFFFF_FFFA &+ 2 && a.rxMax == c)
        #expect(id == 1 && join && !bye && !lost)
        #expect(!first.options.contains(type: PGMOptionType.pgmccFeedback))
        if case .confirm(let c2, let id2, let join2, let bye2, let lost2)? = second.options.first(type: PGMOptionType.confirm)?.kind {
            #expect(c2 == 0xFFFF_FFF9 && id2 == 5 && !join2 && bye2 && lost2)
        } else {
            Issue.record("no OPT_CONFIRM in \(second)")
        }
        #expect(second.options.contains(type: PGMOptionType.pgmccFeedback))
        // A plain ACK stays PGMCC's.
        #expect(!third.options.contains(type: PGMOptionType.confirm))
        #expect(third.options.contains(type: PGMOptionType.pgmccFeedback))
    }

    @Test("S7: expect confirmed compares the source's view, and fails naming what it has")
    func expectConfirmed() throws {
        let ok = try run(Self.source + "inject ACK confirmed=2 id=1 cjoin\nexpect confirmed 2 receivers=1 refused=0 within 1ms\n")
        #expect(ok.passed, "\(ok.failure ?? "")")
        #expect(ok.trace.contains { $0.hasSuffix("app      confirmed 2 receivers=1 refused=0") })
        for wrong in ["3 receivers=1", "2 receivers=2", "none receivers=0", "2 refused=1"] {
            let o = try run(Self.source + "inject ACK confirmed=2 id=1 cjoin\nexpect confirmed \(wrong) within 50ms\n")
            #expect(o.failure?.contains("confirmed \(wrong) not seen within 50ms") == true, "\(wrong): \(o.failure ?? "passed")")
            #expect(o.failure?.contains("the source has confirmed 2 receivers=1 refused=0") == true)
        }
    }

    @Test("S5: a change with no packet (an expiry) is seen when it happens")
    func changeWithoutPacket() throws {
        let o = try run("title t\nrfc confirm-S5\niut source\nconfirm expiry=1s\nsend 100\nexpect ODATA sqn=0\n"
                        + "inject ACK confirmed=0 cjoin\nexpect confirmed 0 receivers=1 within 1ms\n"
                        + "expect confirmed none receivers=0 within 2s\n")
        #expect(o.passed, "\(o.failure ?? "")")
        #expect(o.trace.contains { $0.hasPrefix("  1000.000 ms  app      confirmed none receivers=0") }, "\(o.trace)")
    }

    @Test("R5: close() of a confirming receiver IUT sends its BYE")
    func closeSaysBye() throws {
        let o = try run(Self.receiver + "expect ACK cjoin within 1ms\nclose\nexpect ACK confirmed=-1 bye !lost within 1ms\n")
        #expect(o.passed, "\(o.failure ?? "")")
    }
}

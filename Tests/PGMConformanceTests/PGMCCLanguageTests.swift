import PGMConformance
import PGMModel
import PGMWire
import Testing

/// A backend that cannot run PGMCC scenarios, as pgm.ko cannot yet: it
/// must never be started for one.
final class NoPGMCCBackend: ConformanceBackend {
    let model = ModelBackend()
    var started = 0
    var name: String { "no-pgmcc" }
    var tolerance: Tolerance { model.tolerance }
    var now: Int64 { model.now }
    var sourceTSI: TSI? { model.sourceTSI }
    func start(_ scenario: Scenario, network: Network) throws(BackendError) {
        started += 1
        try model.start(scenario, network: network)
    }
    func send(_ apdu: [UInt8]) throws(BackendError) { try model.send(apdu) }
    func close(reset: Bool) throws(BackendError) { try model.close(reset: reset) }
    func inject(_ bytes: [UInt8], from peer: Int, multicast: Bool) throws(BackendError) {
        try model.inject(bytes, from: peer, multicast: multicast)
    }
    func poll(until deadline: Int64) throws(BackendError) -> [Observation] { try model.poll(until: deadline) }
    func stop() { model.stop() }
    func unsupported(_ scenario: Scenario) -> String? { scenario.pgmcc != nil ? "no PGMCC here" : nil }
}

@Suite("Conformance language: PGMCC (draft-ietf-rmt-bb-pgmcc-03)")
struct PGMCCLanguageTests {
    func run(_ text: String, backend: any ConformanceBackend = ModelBackend()) throws -> Outcome {
        let s = try ScenarioParser.parse(text, file: "t.pgm")
        return Runner(s, backend: backend, network: Network(port: 7000)).run()
    }

    static let receiver = "title t\nrfc pgmcc-4\niut receiver\npgmcc\ninject SPM\n"

    @Test("the pgmcc line's fields")
    func header() throws {
        let s = try ScenarioParser.parse("title t\nrfc 5\niut receiver\npgmcc election=10ms lossweight=1000 ssthresh=8\n",
                                         file: "t.pgm")
        #expect(s.pgmcc?.electionBackOff == 10_000)
        #expect(s.pgmcc?.lossWeight == 1000)
        #expect(s.pgmcc?.slowStartThreshold == 8)
        #expect(try ScenarioParser.parse("title t\nrfc 5\niut source\n", file: "t.pgm").pgmcc == nil)
    }

    @Test("section 4: an ACK's RX_MAX, bitmap and feedback are each checked")
    func ackFieldsChecked() throws {
        let ok = try run(Self.receiver + "inject ODATA sqn=0 acker=iut ts=7\nexpect ACK rxmax=0 bitmap=0xffffffff ts=7 loss=0 nla=1 within 1ms\nexpect deliver sqn=0\n")
        #expect(ok.passed, "\(ok.failure ?? "")")
        for wrong in ["rxmax=1", "bitmap=0xfffffffe", "ts=8", "ts=0..6", "loss=1", "nla=2", "!feedback"] {
            let o = try run(Self.receiver + "inject ODATA sqn=0 acker=iut ts=7\nexpect ACK \(wrong) within 1ms\n")
            #expect(o.failure?.contains("no ACK \(wrong)") == true, "\(wrong): \(o.failure ?? "passed")")
        }
    }

    @Test("section 2.1.1: OPT_PGMCC_DATA's acker on a source IUT's ODATA")
    func ackerOnData() throws {
        let base = "title t\nrfc pgmcc-2.1.1\niut source\n"
        let o = try run(base + "pgmcc\nsend 100\nexpect ODATA sqn=0 acker=none\n")
        #expect(o.passed, "\(o.failure ?? "")")
        let wrong = try run(base + "pgmcc\nsend 100\nexpect ODATA sqn=0 acker=1 within 10ms\n")
        #expect(wrong.failure?.contains("no ODATA sqn=0 acker=1") == true, "\(wrong.failure ?? "passed")")
        let without = try run(base + "send 100\nexpect ODATA sqn=0 acker=* within 10ms\n")
        #expect(without.failure != nil)
        #expect(try run(base + "send 100\nexpect ODATA sqn=0 !acker\n").passed)
    }

    @Test("an injected ACK elects its sender and echoes the named ODATA's timestamp")
    func injectedACK() throws {
        let o = try run("title t\nrfc pgmcc-2.3\niut source\npgmcc\nsend 100 x3\nexpect ODATA sqn=0 acker=none\nwait 30ms\ninject ACK rxmax=0 from=3\nexpect ODATA sqn=1 acker=3 within 1ms\n")
        #expect(o.passed, "\(o.failure ?? "")")
        #expect(o.trace.contains { $0.contains("inject  ACK rxmax=0 from=3") })
    }

    @Test("a backend that cannot run PGMCC reports it, never starting the scenario")
    func unsupported() throws {
        let b = NoPGMCCBackend()
        let o = try run(Self.receiver + "inject ODATA sqn=0 acker=iut\nexpect ACK rxmax=0\n", backend: b)
        #expect(!o.passed)
        #expect(o.unsupported == "no PGMCC here")
        #expect(o.failure == nil)
        #expect(b.started == 0)
        // Without a pgmcc line the same backend runs it (and the receiver, taking no part, sends no ACK).
        let off = try run("title t\nrfc 9.4\niut receiver\ninject SPM\ninject ODATA sqn=0 acker=iut\nexpect deliver sqn=0\nexpect no ACK for 100ms\n",
                          backend: b)
        #expect(off.passed, "\(off.failure ?? "")")
        #expect(b.started == 1)
    }

    @Test("parse errors", arguments: [
        ("pgmcc bogus=1\n", "unknown pgmcc field 'bogus=1'"),
        ("pgmcc lossweight=70000\n", "lossweight is at most 65536"),
        ("pgmcc\npgmcc\n", "pgmcc given twice"),
        ("inject ODATA sqn=0 ts=5\n", "give acker= too"),
        ("inject ODATA sqn=0 acker=x\n", "acker=iut, acker=none or acker=N"),
        ("inject SPM acker=1\n", "acker is for ODATA and RDATA"),
        ("inject ACK\n", "inject ACK needs rxmax="),
        ("inject NAK sqn=1 rxmax=2\n", "rxmax and bitmap are an ACK's"),
        ("inject ODATA sqn=1 loss=5\n", "loss is for NAK and ACK"),
        ("expect NAK ts=5..4\n", "ts=N or ts=LOW..HIGH"),
        ("expect ODATA feedback\n", "feedback, ts and loss are for NAK and ACK"),
        ("expect ACK loss=65536\n", "a loss rate is 0 to 65535"),
        ("expect ODATA acker=iut\n", "an IUT source names a simulated peer or none"),
    ])
    func parseErrors(text: String, message: String) {
        do {
            _ = try ScenarioParser.parse("title t\nrfc 5\niut receiver\n" + text, file: "x.pgm")
            Issue.record("parsed: \(text)")
        } catch {
            #expect(error.message.contains(message), "\(error)")
        }
    }
}

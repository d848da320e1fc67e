import PGMConformance
import Testing

@Suite("Conformance scenario language and runner")
struct ConformanceTests {
    static let header = "title t\nrfc 5.2\niut source\n"

    func run(_ text: String) throws -> Outcome {
        let s = try ScenarioParser.parse(text, file: "t.pgm")
        return Runner(s, backend: ModelBackend(), network: Network(port: 7000)).run()
    }

    @Test("a scenario the model satisfies passes")
    func passes() throws {
        let o = try run(Self.header + "send 100 x3\nexpect ODATA sqn=2\ninject NAK sqn=1\nexpect NCF sqn=1 within 1ms\nexpect RDATA sqn=1\n")
        #expect(o.passed, "\(o.failure ?? "")")
    }

    @Test("a wrong expectation fails, naming its line")
    func wrongExpectationFails() throws {
        let o = try run(Self.header + "send 100 x3\nexpect ODATA sqn=2\ninject NAK sqn=1\nexpect NCF sqn=2 within 50ms\n")
        #expect(!o.passed)
        #expect(o.failure?.hasPrefix("line 7: no NCF sqn=2") == true, "\(o.failure ?? "")")
    }

    @Test("'expect no' fails when the packet comes")
    func silenceFails() throws {
        let o = try run(Self.header + "send 100 x3\nexpect ODATA sqn=2\ninject NAK sqn=1\nexpect no RDATA for 100ms\n")
        #expect(o.failure?.contains("RDATA came") == true, "\(o.failure ?? "")")
    }

    @Test("an 'after' bound catches a packet that came too early")
    func tooEarly() throws {
        let o = try run(Self.header + "send 100\nexpect ODATA sqn=0 after 10ms within 50ms\n")
        #expect(o.failure?.contains("earlier than 10ms") == true, "\(o.failure ?? "")")
    }

    @Test("an application event no step expects fails the scenario at its end")
    func unexpectedEvent() throws {
        let o = try run("title t\nrfc 6.1\niut receiver\ninject ODATA sqn=0\ninject ODATA sqn=1\nexpect deliver sqn=0\n")
        #expect(o.failure?.contains("no step expects: deliver sqn=1") == true, "\(o.failure ?? "")")
    }

    @Test("delivered content is checked against the APDU of that sqn")
    func contentChecked() throws {
        let o = try run("title t\nrfc 6.1\niut receiver\ninject ODATA sqn=0\nexpect deliver sqn=1\n")
        #expect(o.failure?.contains("content") == true, "\(o.failure ?? "")")
    }

    @Test("a damaged packet is dropped by the model's decoder")
    func damageDropped() throws {
        let s = try ScenarioParser.parse(
            "title t\nrfc 8\niut receiver\ninject ODATA sqn=0 damage=checksum\nexpect no deliver for 10ms\n", file: "t.pgm")
        let b = ModelBackend()
        let o = Runner(s, backend: b, network: Network(port: 7000)).run()
        #expect(o.passed)
        #expect(b.malformed == 1)
    }

    @Test("parse errors name the file, the line and what is wrong", arguments: [
        ("rfc 5.2\niut source\n", "no 'title' line"),
        ("title t\niut source\n", "no 'rfc' line"),
        ("title t\nrfc 5\nsend 10\n", "'iut source' or 'iut receiver' comes before the steps"),
        ("title t\nrfc 5\niut source\nwait 10\n", "wait takes a duration"),
        ("title t\nrfc 5\niut source\nsend 1\nset NAK_BO_IVL 1ms\n", "options are set before the first step"),
        ("title t\nrfc 5\niut source\nexpect BOGUS\n", "unknown packet type or event 'BOGUS'"),
        ("title t\nrfc 5\niut source\nexpect NAK sqn=x\n", "'sqn=x' needs a number"),
        ("title t\nrfc 5\niut source\nexpect no NAK\n", "needs 'for DURATION'"),
        ("title t\nrfc 5\niut receiver\nexpect end maybe\n", "end takes fin, rst or expired"),
        ("title t\nrfc 5\niut source\ninject NAK list=1,x\n", "'x' is not a number"),
    ])
    func parseErrors(text: String, message: String) {
        do {
            _ = try ScenarioParser.parse(text, file: "x.pgm")
            Issue.record("parsed: \(text)")
        } catch {
            #expect(error.file == "x.pgm")
            #expect(error.message.contains(message), "\(error)")
        }
    }

    @Test("durations and option values")
    func values() throws {
        let s = try ScenarioParser.parse(
            "title t\nrfc 5\niut source\nset NAK_BO_IVL 20ms\nset TXW_SECS_MS 2s\nset TXW_SQNS 0x10\nwait 1s\n", file: "t.pgm")
        #expect(s.options.map(\.value) == [20_000, 2000, 16])
        guard case .wait(let d) = s.steps.first?.action else {
            Issue.record("no wait step")
            return
        }
        #expect(d == 1_000_000)
    }
}

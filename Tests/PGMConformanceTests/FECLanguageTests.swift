import PGMConformance
import PGMFEC
import PGMModel
import PGMWire
import Testing

/// A source IUT that sends a fixed list of packets at time 0: the runner's
/// FEC matching against packets no model produced.
final class ScriptedSource: ConformanceBackend {
    let name = "scripted"
    let tolerance = Tolerance.exact
    private(set) var now: Int64 = 0
    let tsi = TSI(gsi: GSI(9, 9, 9, 9, 9, 9), sourcePort: 6000)
    var sourceTSI: TSI? { tsi }
    var network = Network(port: 0)
    var pending: [Observation] = []
    let make: (ScriptedSource) -> [PGMPacket]

    init(_ make: @escaping (ScriptedSource) -> [PGMPacket]) { self.make = make }

    func start(_ scenario: Scenario, network: Network) throws(BackendError) {
        self.network = network
        pending = make(self).map { .packet(Seen(time: 0, packet: $0, multicast: true)) }
    }
    func send(_ apdu: [UInt8]) throws(BackendError) {}
    func close(reset: Bool) throws(BackendError) {}
    func inject(_ bytes: [UInt8], from peer: Int, multicast: Bool) throws(BackendError) {}
    func poll(until deadline: Int64) throws(BackendError) -> [Observation] {
        defer { pending = [] }
        if pending.isEmpty { now = max(now, deadline) }
        return pending
    }
    func stop() {}

    func packet(_ body: PGMBody, flags: PGMHeaderFlags = [], options: [PGMOption] = []) -> PGMPacket {
        PGMPacket(sourcePort: tsi.sourcePort, destinationPort: network.port, gsi: tsi.gsi, body: body,
                  options: (try? PGMOptions(options)) ?? PGMOptions(), flags: flags)
    }

    /// An SPM naming `base` as the trail, ODATA `base` to `base + 7` (but
    /// `omit`) and the parity packet `number` of the group `base + 4` with
    /// `payload`.
    static func group(base: UInt32, number: Int, omit: UInt32? = nil,
                      payload: @escaping @Sendable ([UInt8]) -> [UInt8]) -> ScriptedSource {
        ScriptedSource { s in
            var out = [s.packet(.spm(PGMSPM(sequence: 1, trailingEdge: base, leadingEdge: base &- 1,
                                             path: .ipv4(IPv4Address(10, 0, 0, 1)))))]
            var originals: [FECOriginal] = []
            for i in UInt32(0)..<8 {
                let data = apduBytes(first: i, length: 50 + Int(i))
                if i != omit {
                    out.append(s.packet(.odata(PGMData(sequence: base &+ i, trailingEdge: base, payload: data))))
                }
                if i >= 4 { originals.append(FECOriginal(payload: data[...], fragment: nil)) }
            }
            if let code = try? ReedSolomon(n: 8, k: 4),
               let right = try? ParityContent(number: number, of: originals, code: code) {
                let data = PGMData(sequence: (base &+ 4) | UInt32(number), trailingEdge: base, payload: payload(right.payload))
                out.append(s.packet(.odata(data), flags: right.flags))
            }
            return out
        }
    }
}

@Suite("Conformance language: FEC (RFC 3208 Appendix A)")
struct FECLanguageTests {
    static let header = "title t\nrfc 11.4\niut source\nfec n=8 k=4 proactive=1\n"

    func run(_ text: String, _ backend: any ConformanceBackend) throws -> Outcome {
        let s = try ScenarioParser.parse(text, file: "t.pgm")
        return Runner(s, backend: backend, network: Network(port: 7000)).run()
    }

    @Test("the fec line gives the source's settings")
    func fecLine() throws {
        let s = try ScenarioParser.parse("title t\nrfc 11\niut source\nfec n=12 k=8 proactive=2 ondemand\n", file: "t.pgm")
        #expect(s.fec == (try FECParameters(n: 12, k: 8, proactive: 2, onDemand: true)))
        let plain = try ScenarioParser.parse("title t\nrfc 5\niut source\n", file: "t.pgm")
        #expect(plain.fec == nil)
    }

    @Test("FEC parse errors say what is allowed", arguments: [
        ("fec k=4\n", "fec needs n= and k="),
        ("fec n=8 k=3 proactive=1\n", "power of two"),
        ("fec n=4 k=4 proactive=1\n", "k + 1 = 5 to 255"),
        ("fec n=8 k=4\n", "on-demand parity, or both"),
        ("fec n=8 k=4 proactive=5\n", "at most n - k = 4"),
        ("fec n=8 k=4 ondemand=yes\n", "unknown fec field"),
        ("fec n=8 k=4 ondemand\nfec n=8 k=4 ondemand\n", "fec given twice"),
        ("fec n=8 k=4 ondemand\nexpect ODATA parity=1\n", "parity=J needs group=G"),
        ("fec n=8 k=4 ondemand\ninject NAK count=2 group=1\n", "count=C goes with parity and group=G"),
        ("fec n=8 k=4 ondemand\ninject NAK parity=1 group=1\n", "parity=J is for ODATA and RDATA"),
        ("fec n=8 k=4 ondemand\ninject NAK sqn=1 lost\n", "lost is for ODATA and RDATA"),
    ])
    func parseErrors(text: String, message: String) {
        do {
            _ = try ScenarioParser.parse("title t\nrfc 11\niut source\n" + text, file: "x.pgm")
            Issue.record("parsed: \(text)")
        } catch {
            #expect(error.message.contains(message), "\(error)")
        }
    }

    @Test("11.2: expected parity is checked against the group's originals: the right packet passes")
    func rightParityPasses() throws {
        let o = try run(Self.header + "expect ODATA parity=0 group=1 within 10ms\n",
                        ScriptedSource.group(base: 100, number: 0) { $0 })
        #expect(o.passed, "\(o.failure ?? "")")
    }

    @Test("11.2: a parity packet with one octet wrong does not match")
    func wrongParityFails() throws {
        let o = try run(Self.header + "expect ODATA parity=0 group=1 within 10ms\n",
                        ScriptedSource.group(base: 100, number: 0) { var p = $0; p[7] ^= 1; return p })
        #expect(o.failure?.contains("no ODATA parity=0 group=1") == true, "\(o.failure ?? "")")
    }

    @Test("11.2: parity packet 1 is not parity packet 0")
    func wrongNumberFails() throws {
        let o = try run(Self.header + "expect ODATA parity=0 group=1 within 10ms\n",
                        ScriptedSource.group(base: 100, number: 1) { $0 })
        #expect(!o.passed)
    }

    @Test("11.3: a pattern that does not name parity does not match a parity packet")
    func dataPatternSkipsParity() throws {
        // Group 1 is sqns 104 to 107; its parity packet 0 has sqn 104, the
        // data packet 104 is not sent.
        let source = { ScriptedSource.group(base: 100, number: 0, omit: 4) { $0 } }
        let data = try run(Self.header + "expect ODATA group=1 sqn=0 within 10ms\n", source())
        #expect(data.failure?.contains("no ODATA group=1 sqn=0") == true, "\(data.failure ?? "")")
        let plain = try run(Self.header + "expect ODATA sqn=4 within 10ms\n", source())
        #expect(!plain.passed)
        let any = try run(Self.header + "expect ODATA sqn=4 parity=* within 10ms\n", source())
        #expect(any.passed, "\(any.failure ?? "")")
        let parity = try run(Self.header + "expect ODATA group=1 sqn=0 parity within 10ms\n", source())
        #expect(parity.passed, "\(parity.failure ?? "")")
    }

    @Test("11.5: a lost injection is not sent, but its group's parity counts it")
    func lostInjection() throws {
        let text = """
            title t
            rfc 11.5
            iut receiver
            fec n=6 k=4 proactive=1
            inject SPM
            inject ODATA sqn=0 len=80
            inject ODATA sqn=1 lost len=90
            inject ODATA sqn=2
            inject ODATA sqn=3
            expect deliver sqn=0 within 1ms
            expect no deliver for 10ms
            inject ODATA parity=0 group=0
            expect deliver sqn=1 len=90 within 1ms
            expect deliver sqn=2 within 1ms
            expect deliver sqn=3 within 1ms

            """
        let o = try run(text, ModelBackend())
        #expect(o.passed, "\(o.failure ?? "")")
        #expect(o.trace.contains { $0.contains("lost    ODATA sqn=1") })
    }
}

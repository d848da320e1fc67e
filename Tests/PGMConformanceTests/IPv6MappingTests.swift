import Foundation
import PGMConformance
import PGMWire
import Testing

@Suite("The IPv6 pass's address mapping")
struct IPv6MappingTests {
    let network = Network(port: 7000)

    @Test("the scenario addresses map onto fd77::N and ff15::a.b.c.d and back")
    func addresses() throws {
        #expect(IPv6Mapping.ipv6(network.iut) == (try IPv6Address("fd77::1")))
        #expect(IPv6Mapping.ipv6(network.peer(1)) == (try IPv6Address("fd77::2")))
        #expect(IPv6Mapping.ipv6(network.peer(3)) == (try IPv6Address("fd77::4")))
        #expect(IPv6Mapping.ipv6(network.group) == (try IPv6Address("ff15::ef4d:1")))
        // PGMCC's "no acker" (OPT_PGMCC_DATA, draft section 2.1.1).
        #expect(IPv6Mapping.ipv6(IPv4Address(0, 0, 0, 0)) == (try IPv6Address("::")))
        for a in [network.iut, network.group, IPv4Address(10, 77, 0, 0), IPv4Address(10, 77, 0, 255),
                  IPv4Address(224, 0, 0, 1), IPv4Address(239, 255, 255, 255),
                  IPv4Address(0, 0, 0, 0)] + (1...Network.peers).map(network.peer) {
            let v6 = try #require(IPv6Mapping.ipv6(a))
            #expect(IPv6Mapping.ipv4(v6) == a)
        }
        // No image, no preimage: never a guess.
        #expect(IPv6Mapping.ipv6(IPv4Address(10, 77, 1, 1)) == nil)
        #expect(IPv6Mapping.ipv6(IPv4Address(8, 8, 8, 8)) == nil)
        for text in ["fd77::100", "fe80::1", "ff15::1:ef4d:1", "ff15::0a4d:1", "ff02::ef4d:1", "::ffff:10.77.0.1"] {
            #expect(IPv6Mapping.ipv4(try IPv6Address(text)) == nil, "\(text)")
        }
    }

    func nak(_ source: PGMNLA, _ group: PGMNLA, options: [PGMOption] = []) throws -> PGMPacket {
        PGMPacket(sourcePort: 7000, destinationPort: 4001, gsi: network.peerTSI(1).gsi,
                  body: .nak(PGMNak(sequence: 5, source: source, group: group)), options: try PGMOptions(options))
    }

    @Test("NLAs are mapped in the body and in options; the other family is refused")
    func packets() throws {
        let v4 = try nak(.ipv4(network.iut), .ipv4(network.group),
                         options: [PGMOption(.nakList([6, 7])), PGMOption(.redirect(.ipv4(network.peer(2))))])
        let v6 = try IPv6Mapping.toIPv6(v4)
        guard case .nak(let n) = v6.body else { Issue.record("\(v6.body)"); return }
        #expect(n.source == .ipv6(try IPv6Address("fd77::1")))
        #expect(n.group == .ipv6(try IPv6Address("ff15::ef4d:1")))
        #expect(v6.options.all.map(\.kind) == [.nakList([6, 7]), .redirect(.ipv6(try IPv6Address("fd77::3")))])
        #expect(try IPv6Mapping.toIPv4(v6) == v4)
        #expect(throws: BackendError.self) { try IPv6Mapping.toIPv4(v4) }
        #expect(throws: BackendError.self) { try IPv6Mapping.toIPv6(v6) }
        #expect(throws: BackendError.self) { try IPv6Mapping.toIPv6(try nak(.ipv4(IPv4Address(10, 0, 0, 1)), .ipv4(network.group))) }
    }

    @Test("a bad checksum stays bad, by the same bits; a cut packet goes as it is")
    func damaged() throws {
        var bytes = try nak(.ipv4(network.iut), .ipv4(network.group)).encoded()
        bytes[7] ^= 0x5A
        let out = try IPv6Mapping.translate(bytes, IPv6Mapping.nlaToIPv6)
        #expect(throws: PGMWireError.self) { try PGMPacket.decode(out) }
        let p = try PGMPacket.decode(out, verifyChecksum: false)
        guard case .nak(let n) = p.body else { Issue.record("\(p.body)"); return }
        #expect(n.source == .ipv6(try IPv6Address("fd77::1")))
        var good = out
        good[7] ^= 0x5A
        #expect(try PGMPacket.decode(good) == p)
        // Cut before the first NLA: nothing to translate.
        let cut = Array(bytes.prefix(12))
        #expect(try IPv6Mapping.translate(cut, IPv6Mapping.nlaToIPv6) == cut)
        // Cut in the middle of an NLA: refused rather than sent with AFI 1.
        #expect(throws: BackendError.self) { try IPv6Mapping.translate(Array(bytes.prefix(26)), IPv6Mapping.nlaToIPv6) }
    }

    /// The model behind the IPv6 pass's translation both ways: every
    /// injection goes to IPv6 (and must carry AFI 2 NLAs only) and back,
    /// every packet the model sends too. A scenario's outcome must not change.
    final class RoundTrip: ConformanceBackend {
        let model = ModelBackend()
        var failures: [String] = []
        var name: String { "model-via-ipv6" }
        var tolerance: Tolerance { model.tolerance }
        var now: Int64 { model.now }
        var sourceTSI: TSI? { model.sourceTSI }
        func start(_ scenario: Scenario, network: Network) throws(BackendError) { try model.start(scenario, network: network) }
        func send(_ apdu: [UInt8]) throws(BackendError) { try model.send(apdu) }
        func close(reset: Bool) throws(BackendError) { try model.close(reset: reset) }
        func stop() { model.stop() }
        func confirmed() throws(BackendError) -> ConfirmedView { try model.confirmed() }

        func inject(_ bytes: [UInt8], from peer: Int, multicast: Bool) throws(BackendError) {
            let v6 = try IPv6Mapping.translate(bytes, IPv6Mapping.nlaToIPv6)
            if let p = try? PGMPacket.decode(v6, verifyChecksum: false) {
                _ = try IPv6Mapping.mapNLAs(p) { nla throws(BackendError) in
                    if case .ipv4 = nla { throw BackendError("AFI 1 NLA left in an IPv6 injection") }
                    return nla
                }
            }
            try model.inject(try IPv6Mapping.translate(v6, IPv6Mapping.nlaToIPv4), from: peer, multicast: multicast)
        }

        func poll(until deadline: Int64) throws(BackendError) -> [Observation] {
            var out: [Observation] = []
            for o in try model.poll(until: deadline) {
                guard case .packet(var s) = o else {
                    out.append(o)
                    continue
                }
                s.packet = try IPv6Mapping.toIPv4(try IPv6Mapping.toIPv6(s.packet))
                if let d = s.destination {
                    guard let v6 = IPv6Mapping.ipv6(d) else { throw BackendError("destination \(d) has no image") }
                    s.destination = IPv6Mapping.ipv4(v6)
                }
                out.append(.packet(s))
            }
            return out
        }
    }

    @Test("every scenario of Tests/conformance passes on the model through the translation")
    func suite() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("conformance")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".pgm") }.sorted()
        #expect(files.count > 80)
        for (i, f) in files.enumerated() {
            let text = try String(contentsOf: dir.appendingPathComponent(f), encoding: .utf8)
            let s = try ScenarioParser.parse(text, file: f)
            let model = ModelBackend()
            let direct = Runner(s, backend: model, network: Network(port: UInt16(7100 + i))).run()
            let b = RoundTrip()
            let o = Runner(s, backend: b, network: Network(port: UInt16(7100 + i))).run()
            #expect(o.passed == direct.passed, "\(f): \(o.failure ?? "")")
            #expect(o.passed, "\(f): \(o.failure ?? "")")
            #expect(o.trace == direct.trace, "\(f)")
            // The damaged packets are still dropped as damaged.
            #expect(b.model.malformed == model.malformed, "\(f)")
        }
    }
}

import PGMDump
import PGMWire
import Testing

@Suite("Link layers, IPv4 and framing")
struct DissectTests {
    static func odata() throws -> PGMPacket { try S.everyType()[3].0 }

    func record(_ data: [UInt8], linkType: UInt32, original: Int? = nil) -> CaptureRecord {
        CaptureRecord(number: 1, offset: 0, timestamp: S.noon, linkType: linkType,
                      originalLength: original ?? data.count, data: data[...])
    }

    func dissect(_ data: [UInt8], linkType: UInt32 = LinkType.raw, original: Int? = nil,
                 ports: Set<UInt16> = [3055, 3056]) -> Dissector.Outcome {
        var d = Dissector(udpPorts: ports)
        return d.dissect(record(data, linkType: linkType, original: original))
    }

    func packet(_ outcome: Dissector.Outcome) -> DumpPacket? {
        if case .pgm(let p) = outcome { return p }
        return nil
    }

    static let mac: [UInt8] = [0x01, 0x00, 0x5E, 0x40, 0x00, 0x01, 0x02, 0x00, 0x5E, 0x10, 0x20, 0x30]

    @Test func everyLinkType() throws {
        let ip = try S.native(Self.odata())
        let framings: [(UInt32, [UInt8])] = [
            (LinkType.raw, ip),
            (LinkType.ipv4, ip),
            (LinkType.ethernet, Self.mac + [0x08, 0x00] + ip + [0, 0, 0, 0]),
            (LinkType.ethernet, Self.mac + [0x81, 0x00, 0x00, 0x05, 0x08, 0x00] + ip),
            (LinkType.ethernet, Self.mac + [0x88, 0xA8, 0x00, 0x07, 0x81, 0x00, 0x00, 0x05, 0x08, 0x00] + ip),
            (LinkType.linuxSLL, [0, 4, 0, 1, 0, 6] + Array(Self.mac.prefix(6)) + [0, 0, 0x08, 0x00] + ip),
            (LinkType.linuxSLL2, [0x08, 0x00, 0, 0, 0, 0, 0, 2, 0, 1, 4, 6] + Array(Self.mac.prefix(6)) + [0, 0] + ip),
            (LinkType.null, [2, 0, 0, 0] + ip),
            (LinkType.null, [0, 0, 0, 2] + ip),
        ]
        for (type, frame) in framings {
            let p = try #require(packet(dissect(frame, linkType: type)), "link type \(type)")
            #expect(p.packet == (try Self.odata()), "link type \(type)")
            #expect(p.source == .ipv4(S.sender) && p.destination == .ipv4(S.group))
            #expect(!p.isUDP)
            #expect(p.ipLength == ip.count)
        }
    }

    @Test func otherTrafficIsNotPGM() throws {
        let ip = try S.native(Self.odata())
        let arp = Self.mac + [0x08, 0x06] + [UInt8](repeating: 0, count: 28)
        var tcp = ip
        tcp[9] = 6
        let ipv6 = [UInt8](repeating: 0x60, count: 40)
        for (frame, type) in [(arp, LinkType.ethernet), (tcp, LinkType.raw), (ipv6, LinkType.raw),
                              ([10, 0, 0, 0] + ip, LinkType.null), ([0x08], LinkType.ethernet)] {
            guard case .notPGM = dissect(frame, linkType: type) else {
                Issue.record("frame \(frame.prefix(16)) of link type \(type) taken for PGM")
                continue
            }
        }
        guard case .unsupportedLinkType(147) = dissect(ip, linkType: 147) else {
            Issue.record("link type 147 not reported")
            return
        }
    }

    @Test func udpEncapsulationByPort() throws {
        let odata = try Self.odata()
        let p = try #require(packet(dissect(try S.udp(odata))))
        #expect(p.isUDP)
        #expect(p.udp == PGMUDPHeader(sourcePort: 3056, destinationPort: 3055))
        #expect(p.packet == odata)
        // Another port is not PGM unless asked for.
        let other = try S.udp(odata, sport: 5000, dport: 7000)
        guard case .notPGM = dissect(other) else {
            Issue.record("UDP 5000>7000 taken for PGM")
            return
        }
        #expect(packet(dissect(other, ports: [7000]))?.packet == odata)
    }

    @Test func truncatedCaptureIsShownWithError() throws {
        let ip = try S.native(Self.odata())
        let p = try #require(packet(dissect(Array(ip.prefix(96)), original: ip.count)))
        #expect(p.problem == .truncatedCapture(captured: 96, original: ip.count))
        #expect(p.source == .ipv4(S.sender))
        #expect(p.peek?.type == .odata)
        // Cut before the network-layer type: still shown.
        let eth = try #require(packet(dissect(Array(Self.mac.prefix(10)), linkType: LinkType.ethernet, original: 1060)))
        #expect(eth.problem == .truncatedCapture(captured: 10, original: 1060))
        #expect(eth.source == nil)
    }

    @Test func codecErrorsAreKept() throws {
        var ip = try S.native(Self.odata())
        ip[ip.count - 1] ^= 0xFF
        let p = try #require(packet(dissect(ip)))
        guard case .wire(.checksumMismatch)? = p.problem else {
            Issue.record("expected a checksum error, got \(String(describing: p.problem))")
            return
        }
        #expect(p.peek?.type == .odata && p.peek?.gsi == S.gsi)
        var udp = try S.udp(Self.odata())
        udp[27] ^= 1
        #expect(packet(dissect(udp))?.problem == .wire(.badUDPHeader(.checksum)))
    }

    @Test func fragmentsAreShownNotReassembled() throws {
        let ip = try S.native(Self.odata(), identification: 0x1234)
        let first = S.fragment(Array(ip.prefix(20 + 512)), offsetUnits: 0, more: true)
        var firstFixed = first
        firstFixed[2] = UInt8((20 + 512) >> 8)
        firstFixed[3] = UInt8((20 + 512) & 0xFF)
        firstFixed = S.fragment(firstFixed, offsetUnits: 0, more: true)
        let p = try #require(packet(dissect(firstFixed)))
        #expect(p.problem == .fragment(IPFragment(identification: 0x1234, offset: 0, more: true, length: 512)))
        #expect(p.peek?.type == .odata)
        #expect(p.problem?.text == "IPv4 fragment id 4660 offset 0 len 512 more, not reassembled")
        // A later native fragment.
        var later = Array(ip.prefix(20)) + Array(ip[(20 + 512)...])
        later[2] = UInt8(later.count >> 8)
        later[3] = UInt8(later.count & 0xFF)
        later = S.fragment(later, offsetUnits: 64, more: false)
        let q = try #require(packet(dissect(later)))
        #expect(q.problem == .fragment(IPFragment(identification: 0x1234, offset: 512, more: false, length: ip.count - 532)))
        #expect(q.peek == nil)
    }

    @Test func laterUDPFragmentsFollowTheirFirst() throws {
        let udp = try S.udp(Self.odata())
        var first = Array(udp.prefix(20 + 512))
        first[2] = UInt8((20 + 512) >> 8)
        first[3] = UInt8((20 + 512) & 0xFF)
        first = S.fragment(first, offsetUnits: 0, more: true)
        var later = Array(udp.prefix(20)) + Array(udp[(20 + 512)...])
        later[2] = UInt8(later.count >> 8)
        later[3] = UInt8(later.count & 0xFF)
        later = S.fragment(later, offsetUnits: 64, more: false)
        var d = Dissector()
        // Alone, a later UDP fragment cannot be placed.
        guard case .notPGM = d.dissect(record(later, linkType: LinkType.raw)) else {
            Issue.record("an unknown UDP fragment taken for PGM")
            return
        }
        guard case .pgm(let a) = d.dissect(record(first, linkType: LinkType.raw)),
              case .pgm(let b) = d.dissect(record(later, linkType: LinkType.raw)) else {
            Issue.record("UDP fragments of an encapsulated packet not shown")
            return
        }
        #expect(a.isUDP && b.isUDP && a.udp != nil && b.udp == nil)
        guard case .fragment(let f)? = b.problem else {
            Issue.record("not a fragment")
            return
        }
        #expect(f.offset == 512 && !f.more)
    }

    @Test func checksumPendingSkipsTheOffloadedChecksum() throws {
        var udp = try S.udp(Self.odata())
        udp[26] = 0x12  // a partial (pseudo-header) UDP checksum, as on loopback
        var d = Dissector()
        guard case .pgm(let p) = d.dissect(record(udp, linkType: LinkType.raw), transportChecksumPending: true) else {
            Issue.record("not PGM")
            return
        }
        #expect(p.packet == (try Self.odata()))
    }
}

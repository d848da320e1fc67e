import Foundation
import PGMDump
import PGMWire
import Testing

extension S {
    /// 2001:db8::1
    static let sender6 = PGMIPv6Address(high: 0x2001_0DB8_0000_0000, low: 1)
    /// ff0e::1:3
    static let group6 = PGMIPv6Address(high: 0xFF0E_0000_0000_0000, low: 0x0001_0003)
    /// 2001:db8::9
    static let receiver6 = PGMIPv6Address(high: 0x2001_0DB8_0000_0000, low: 9)

    static func header6(_ p: PGMPacket) -> PGMIPv6Header {
        p.type.isUpstream
            ? PGMIPv6Header(source: receiver6, destination: sender6)
            : PGMIPv6Header(source: sender6, destination: group6)
    }

    static func native6(_ p: PGMPacket) throws -> [UInt8] {
        try PGMFraming.nativeIPv6Datagram(p, header: header6(p))
    }

    static func udp6(_ p: PGMPacket, sport: UInt16 = 3056, dport: UInt16 = 3055) throws -> [UInt8] {
        try PGMFraming.udpIPv6Datagram(p, header: header6(p), udp: PGMUDPHeader(sourcePort: sport, destinationPort: dport))
    }

    /// A NAK with IPv6 NLAs.
    static func nak6() throws -> PGMPacket {
        try packet(.nak(PGMNak(sequence: 18, source: .ipv6(sender6), group: .ipv6(group6))), [.init(.nakList([19, 20]))])
    }

    /// `datagram` (IPv6 without extension headers) cut into a Fragment
    /// header's first fragment of `firstLength` upper-layer octets and the
    /// later fragment of the rest.
    static func fragments6(_ datagram: [UInt8], firstLength: Int, identification: UInt32) -> (first: [UInt8], later: [UInt8]) {
        let upper = datagram[6]
        func piece(_ data: ArraySlice<UInt8>, offset: Int, more: Bool) -> [UInt8] {
            var out = Array(datagram.prefix(40))
            let field = UInt16(offset) | (more ? 1 : 0)
            let id = [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: identification >> $0) }
            out += [upper, 0, UInt8(field >> 8), UInt8(field & 0xFF)] + id + data
            out[4] = UInt8((out.count - 40) >> 8)
            out[5] = UInt8((out.count - 40) & 0xFF)
            out[6] = 44
            return out
        }
        let upperLayer = datagram.dropFirst(40)
        return (piece(upperLayer.prefix(firstLength), offset: 0, more: true),
                piece(upperLayer.dropFirst(firstLength), offset: firstLength, more: false))
    }
}

@Suite("IPv6 frames")
struct IPv6DumpTests {
    static func odata() throws -> PGMPacket { try S.everyType()[3].0 }

    func dissect(_ data: [UInt8], linkType: UInt32 = LinkType.raw, original: Int? = nil) -> DumpPacket? {
        var d = Dissector()
        let record = CaptureRecord(number: 1, offset: 0, timestamp: S.noon, linkType: linkType,
                                   originalLength: original ?? data.count, data: data[...])
        if case .pgm(let p) = d.dissect(record) { return p }
        return nil
    }

    static let mac: [UInt8] = [0x33, 0x33, 0x00, 0x01, 0x00, 0x03, 0x02, 0x00, 0x5E, 0x10, 0x20, 0x30]

    /// `ip` in every link layer that can carry IPv6.
    static func framings(_ ip: [UInt8]) -> [(UInt32, [UInt8])] {
        var out: [(UInt32, [UInt8])] = [
            (LinkType.raw, ip),
            (LinkType.ipv6, ip),
            (LinkType.ethernet, mac + [0x86, 0xDD] + ip + [0, 0, 0, 0]),
            (LinkType.ethernet, mac + [0x81, 0x00, 0x00, 0x05, 0x86, 0xDD] + ip),
            (LinkType.linuxSLL, [0, 4, 0, 1, 0, 6] + Array(mac.prefix(6)) + [0, 0, 0x86, 0xDD] + ip),
            (LinkType.linuxSLL2, [0x86, 0xDD, 0, 0, 0, 0, 0, 2, 0, 1, 4, 6] + Array(mac.prefix(6)) + [0, 0] + ip),
        ]
        for family: UInt8 in [10, 24, 28, 30] {
            out.append((LinkType.null, [family, 0, 0, 0] + ip))
            out.append((LinkType.null, [0, 0, 0, family] + ip))
        }
        return out
    }

    @Test func everyLinkTypeNativeAndUDP() throws {
        let odata = try Self.odata()
        for (ip, udp) in [(try S.native6(odata), false), (try S.udp6(odata), true)] {
            for (type, frame) in Self.framings(ip) {
                let ctx = "link type \(type) \(frame.prefix(4)) udp \(udp)"
                let p = try #require(dissect(frame, linkType: type), "\(ctx)")
                #expect(p.packet == odata, "\(ctx)")
                #expect(p.source == .ipv6(S.sender6) && p.destination == .ipv6(S.group6), "\(ctx)")
                #expect(p.isUDP == udp, "\(ctx)")
                #expect(p.udp == (udp ? PGMUDPHeader(sourcePort: 3056, destinationPort: 3055) : nil), "\(ctx)")
                #expect(p.ipLength == ip.count, "\(ctx)")
            }
        }
    }

    @Test func linkLayerAndVersionMustAgree() throws {
        let v6 = try S.native6(Self.odata())
        let v4 = try S.native(Self.odata())
        let frames: [(UInt32, [UInt8])] = [
            (LinkType.ethernet, Self.mac + [0x08, 0x00] + v6),
            (LinkType.ethernet, Self.mac + [0x86, 0xDD] + v4),
            (LinkType.ipv4, v6),
            (LinkType.ipv6, v4),
            (LinkType.null, [2, 0, 0, 0] + v6),
            (LinkType.null, [30, 0, 0, 0] + v4),
        ]
        for (type, frame) in frames {
            #expect(dissect(frame, linkType: type) == nil, "link type \(type) \(frame.prefix(16))")
        }
        // Other upper layers and other UDP ports are not PGM.
        var tcp = v6
        tcp[6] = 6
        #expect(dissect(tcp) == nil)
        #expect(dissect(try S.udp6(Self.odata(), sport: 5000, dport: 7000)) == nil)
    }

    @Test func extensionHeadersAreWalkedAndHostileChainsAreNotPGM() throws {
        let odata = try Self.odata()
        let ip = try PGMFraming.nativeIPv6Datagram(odata, header: PGMIPv6Header(
            source: S.sender6, destination: S.group6, routerAlert: 0))
        #expect(dissect(ip)?.packet == odata)
        // A Destination Options header whose length runs past the frame.
        var past = ip
        past[6] = 60
        past[40] = 113
        past[41] = 0xFF
        #expect(dissect(past) == nil)
        // Nine Destination Options headers: over the limit.
        var long = Array(ip.prefix(40))
        for i in 0..<9 { long += [i == 8 ? 113 : 60, 0, 1, 4, 0, 0, 0, 0] }
        long[6] = 60
        long += ip.dropFirst(48)
        long[4] = UInt8((long.count - 40) >> 8)
        long[5] = UInt8((long.count - 40) & 0xFF)
        #expect(dissect(long) == nil)
    }

    @Test func errorsAreKept() throws {
        var zero = try S.udp6(Self.odata())
        zero[46] = 0
        zero[47] = 0
        let z = try #require(dissect(zero))
        #expect(z.problem == .wire(.badUDPHeader(.missingChecksum)))
        #expect(z.problem?.text == "zero UDP checksum over IPv6")
        #expect(z.peek?.type == .odata)
        var sum = try S.native6(Self.odata())
        sum[sum.count - 1] ^= 0xFF
        guard case .wire(.checksumMismatch)? = dissect(sum)?.problem else {
            Issue.record("expected a PGM checksum error")
            return
        }
        var long = try S.native6(Self.odata())
        let declared = long.count - 40 + 8
        long[4] = UInt8(declared >> 8)
        long[5] = UInt8(declared & 0xFF)
        #expect(dissect(long)?.problem == .wire(.badIPv6Header(.payloadLengthMismatch(declared: declared, actual: declared - 8))))
    }

    @Test func truncatedCaptureIsShownWithError() throws {
        let ip = try S.native6(Self.odata())
        let p = try #require(dissect(Array(ip.prefix(100)), original: ip.count))
        #expect(p.problem == .truncatedCapture(captured: 100, original: ip.count))
        #expect(p.source == .ipv6(S.sender6))
        #expect(p.peek?.type == .odata)
        #expect(p.ipLength == ip.count)
    }

    @Test func fragmentsAreShownNotReassembled() throws {
        let (first, later) = S.fragments6(try S.native6(Self.odata()), firstLength: 512, identification: 0x1234_5678)
        let p = try #require(dissect(first))
        #expect(p.problem == .fragment(IPFragment(identification: 0x1234_5678, offset: 0, more: true, length: 512, isIPv6: true)))
        #expect(p.problem?.text == "IPv6 fragment id 305419896 offset 0 len 512 more, not reassembled")
        #expect(p.peek?.type == .odata)
        let q = try #require(dissect(later))
        guard case .fragment(let f)? = q.problem else {
            Issue.record("not a fragment")
            return
        }
        #expect(f.offset == 512 && !f.more && f.isIPv6)
        #expect(q.peek == nil)
    }

    @Test func laterUDPFragmentsFollowTheirFirst() throws {
        let (first, later) = S.fragments6(try S.udp6(Self.odata()), firstLength: 512, identification: 7)
        var d = Dissector()
        func record(_ data: [UInt8]) -> CaptureRecord {
            CaptureRecord(number: 1, offset: 0, timestamp: nil, linkType: LinkType.raw, originalLength: data.count, data: data[...])
        }
        guard case .notPGM = d.dissect(record(later)) else {
            Issue.record("an unknown UDP fragment taken for PGM")
            return
        }
        guard case .pgm(let a) = d.dissect(record(first)), case .pgm(let b) = d.dissect(record(later)) else {
            Issue.record("UDP fragments of an encapsulated packet not shown")
            return
        }
        #expect(a.isUDP && b.isUDP && a.udp != nil && b.udp == nil)
        // The same identification between other addresses is another datagram.
        var elsewhere = later
        elsewhere[23] ^= 1
        guard case .notPGM = d.dissect(record(elsewhere)) else {
            Issue.record("a fragment between other addresses taken for PGM")
            return
        }
    }

    @Test func filtersApplyToIPv6Packets() throws {
        let packets = try [Self.odata(), S.nak6()].flatMap { [try S.native6($0), try S.udp6($0)] }.map { ip in
            try #require(dissect(ip))
        }
        func shown(_ f: DumpFilter) -> [String] {
            packets.filter(f.matches).compactMap { $0.packet.map { "\($0.type)" } }
        }
        #expect(shown(DumpFilter(types: [.nak])) == ["NAK", "NAK"])
        #expect(shown(DumpFilter(tsi: TSI(gsi: S.gsi, sourcePort: 40000), port: 7500)) == ["ODATA", "ODATA", "NAK", "NAK"])
        #expect(shown(DumpFilter(port: 40000)).isEmpty)
        // An undecodable IPv6 NAK is judged by its header.
        var broken = try S.native6(S.nak6())
        broken[broken.count - 1] ^= 1
        let p = try #require(dissect(broken))
        #expect(p.packet == nil)
        #expect(DumpFilter(types: [.nak]).matches(p) && !DumpFilter(types: [.odata]).matches(p))
    }

    @Test func textAndJSON() throws {
        let f = DumpFormatter(utc: true)
        let odata = try #require(dissect(try S.native6(Self.odata())))
        #expect(f.line(odata) == "12:00:00.123456 2001:db8::1 > ff0e::1:3 PGM ODATA tsi \(S.tsiText) dport 7500"
            + " sqn 17 trail 3 len 1000 [FRAGMENT first 17 off 0 len 3000] [SYN]")
        let nak = try #require(dissect(try S.udp6(S.nak6())))
        #expect(f.line(nak) == "12:00:00.123456 2001:db8::9 > 2001:db8::1 PGM udp 3056>3055 NAK tsi \(S.tsiText)"
            + " dport 7500 sqn 18 src 2001:db8::1 grp ff0e::1:3 [NAK_LIST 19,20]")
        let json = try #require(JSONSerialization.jsonObject(with: Data(f.json(nak).utf8)) as? [String: Any])
        #expect(json["src"] as? String == "2001:db8::9")
        #expect(json["dst"] as? String == "2001:db8::1")
        #expect(json["src_nla"] as? String == "2001:db8::1")
        #expect(json["grp_nla"] as? String == "ff0e::1:3")
        #expect(json["ip_len"] as? Int == (try S.udp6(S.nak6())).count)
    }

    @Test func pcapWriterWritesIPv6Records() throws {
        let datagrams = [try S.native6(Self.odata()), try S.udp6(S.nak6())]
        var file = PcapWriter.fileHeader()
        for d in datagrams { file += PcapWriter.record(d, timestamp: S.noon) }
        var reader = try CaptureReader(bytes: file)
        var d = Dissector()
        var decoded: [PGMPacket] = []
        while let r = try reader.next() {
            if case .pgm(let p) = d.dissect(r), let packet = p.packet { decoded.append(packet) }
        }
        #expect(decoded == [try Self.odata(), try S.nak6()])
    }

    @Test(.enabled(if: EndToEndTests.binary != nil, "pgm-dump not built next to the tests"))
    func pgmDumpPrintsIPv6() throws {
        let binary = try #require(EndToEndTests.binary)
        let frames = [try S.native6(Self.odata()), try S.udp6(S.nak6())].map { Self.mac + [0x86, 0xDD] + $0 }
        let path = try EndToEndTests.temporaryFile("v6.pcap", pcapFile(frames, linkType: LinkType.ethernet))
        let r = try EndToEndTests.run(binary, ["-r", path, "--utc"])
        #expect(r.status == 0)
        #expect(r.out.split(separator: "\n").map(String.init) == [
            "12:00:00.123456 2001:db8::1 > ff0e::1:3 PGM ODATA tsi \(S.tsiText) dport 7500 sqn 17 trail 3 len 1000"
                + " [FRAGMENT first 17 off 0 len 3000] [SYN]",
            "12:00:01.123456 2001:db8::9 > 2001:db8::1 PGM udp 3056>3055 NAK tsi \(S.tsiText) dport 7500 sqn 18"
                + " src 2001:db8::1 grp ff0e::1:3 [NAK_LIST 19,20]",
        ])
        #expect(r.err == "pgm-dump: 2 packets seen, 2 shown, 0 undecodable (2 frames read)\n")
        let nak = try EndToEndTests.run(binary, ["-r", path, "--type", "nak", "--json"])
        #expect(nak.out.split(separator: "\n").count == 1 && nak.out.contains("\"src\":\"2001:db8::9\""))
    }
}

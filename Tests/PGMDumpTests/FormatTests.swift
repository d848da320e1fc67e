import Foundation
import PGMDump
import PGMWire
import Testing

@Suite("Text and JSON lines")
struct FormatTests {
    static let formatter = DumpFormatter(utc: true)

    func dumped(_ datagram: [UInt8], number: Int = 1, original: Int? = nil) throws -> DumpPacket {
        var d = Dissector()
        let r = CaptureRecord(number: number, offset: 0, timestamp: S.noon, linkType: LinkType.raw,
                              originalLength: original ?? datagram.count, data: datagram[...])
        guard case .pgm(let p) = d.dissect(r) else { throw FilterSyntaxError("not PGM") }
        return p
    }

    @Test func everyTypeHasItsLine() throws {
        for (packet, text) in try S.everyType() {
            let p = try dumped(try S.native(packet))
            let addresses = packet.type.isUpstream ? "10.0.0.9 > 10.0.0.1" : "10.0.0.1 > 239.192.0.1"
            #expect(Self.formatter.line(p) == "12:00:00.123456 \(addresses) PGM \(text)")
        }
    }

    @Test func udpIsMarked() throws {
        let (packet, text) = try S.everyType()[3]
        let p = try dumped(try S.udp(packet))
        #expect(Self.formatter.line(p) == "12:00:00.123456 10.0.0.1 > 239.192.0.1 PGM udp 3056>3055 \(text)")
        #expect(DumpFormatter(utc: true, nanoseconds: true).line(p).hasPrefix("12:00:00.123456789 "))
    }

    @Test func optionTexts() throws {
        let r4 = PGMNLA.ipv4(S.receiver)
        let cases: [(PGMOption, String)] = [
            (.init(.join(minimumSequence: 7)), "JOIN min 7"),
            (.init(.nakBackoffRange(maximum: 9, minimum: 2)), "NAK_BO_RNG max 9 min 2"),
            (.init(.redirect(r4)), "REDIRECT 10.0.0.9"),
            (.init(.parityGroup(3)), "PARITY_GRP 3"),
            (.init(.currentGroupSize(4)), "CURR_TGSIZE 4"),
            (.init(.neighborUnreachable), "NBR_UNREACH"),
            (.init(.pathNLA(r4)), "PATH_NLA 10.0.0.9"),
            (.init(.fin), "FIN"),
            (.init(.reset(noNAKs: true, errorCode: 5)), "RST N code 5"),
            (.init(.congestionReport(PGMCongestionReport(
                flags: [.neWorstLink, .receiverWorstPath], referenceSequence: 8, neWorstLink: 1, neWorstPath: 2,
                receiverWorstPath: 3, worstReceiver: r4))), "CR L,R lead 8 ne_wl 1 ne_wp 2 rx_wp 3 rcvr 10.0.0.9"),
            (.init(.congestionReportRequest(.all)), "CRQST L,P,R"),
            (.init(.pgmccData(timestamp: 5, acker: r4)), "PGMCC_DATA tstamp 5 acker 10.0.0.9"),
            (.init(.confirm(confirmed: 47, receiverID: 0xBEEF, join: true, bye: false, lost: false)),
             "CONFIRM confirmed 47 id 0x0000beef JOIN"),
            (.init(.confirm(confirmed: 47, receiverID: 0xBEEF, join: false, bye: true, lost: true)),
             "CONFIRM confirmed 47 id 0x0000beef BYE LOST"),
            (.init(.invalidated(specific: 0, value: [1, 2, 3, 4])), "INVALID len 8"),
            (.init(.encoded(type: 1, parity: [0, 1, 2, 3, 4])), "ENCODED type 0x01 len 8"),
            (.init(.unknown(type: 0x21, specific: 0, value: []), extensibility: .invalidate), "UNKNOWN 0x21 len 4 opx invalidate"),
        ]
        for (option, text) in cases {
            #expect(DumpFormatter.optionText(option) == text)
        }
    }

    @Test func undecodableShowsAddressesAndError() throws {
        var ip = try S.native(S.everyType()[4].0)
        ip[ip.count - 1] ^= 0xFF
        let p = try dumped(ip)
        let line = Self.formatter.line(p)
        #expect(line.hasPrefix("12:00:00.123456 10.0.0.1 > 239.192.0.1 PGM error: bad checksum 0x"))
        let json = try #require(JSONSerialization.jsonObject(with: Data(Self.formatter.json(p).utf8)) as? [String: Any])
        #expect((json["error"] as? String)?.hasPrefix("bad checksum") == true)
        #expect(json["src"] as? String == "10.0.0.1")
        #expect(json["type"] == nil)

        let cut = try S.native(S.everyType()[3].0)
        let t = try dumped(Array(cut.prefix(60)), original: cut.count)
        #expect(Self.formatter.line(t) == "12:00:00.123456 10.0.0.1 > 239.192.0.1 PGM error: truncated capture: 60 of \(cut.count) octets")
        let tj = try #require(JSONSerialization.jsonObject(with: Data(Self.formatter.json(t).utf8)) as? [String: Any])
        #expect(tj["captured"] as? Int == 60 && tj["original"] as? Int == cut.count)
    }

    struct Line: Decodable {
        var frame: Int
        var ts_sec: Int64?
        var ts_nsec: Int?
        var src: String?
        var dst: String?
        var encap: String
        var ip_len: Int?
        var type: String?
        var tsi: String?
        var gsi: String?
        var sport: Int?
        var dport: Int?
        var flags: [String]?
        var sqn: UInt32?
        var trail: UInt32?
        var lead: UInt32?
        var len: Int?
        var path: String?
        var src_nla: String?
        var grp_nla: String?
        var rx_max: UInt32?
        var bitmap: UInt32?
        var round: Int?
        var options: [[String: AnyDecodable]]?
        var error: String?
    }

    /// Any JSON scalar, kept as text for comparison.
    struct AnyDecodable: Decodable, Equatable {
        var text: String
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let i = try? c.decode(Int64.self) {
                text = String(i)
            } else if let b = try? c.decode(Bool.self) {
                text = String(b)
            } else if let s = try? c.decode(String.self) {
                text = s
            } else if let a = try? c.decode([Int64].self) {
                text = a.map(String.init).joined(separator: ",")
            } else {
                text = "?"
            }
        }
    }

    @Test func jsonLinesDecode() throws {
        for (i, (packet, _)) in try S.everyType().enumerated() {
            let p = try dumped(try S.native(packet), number: i + 1)
            let text = Self.formatter.json(p)
            #expect(!text.contains("\n"))
            let line = try JSONDecoder().decode(Line.self, from: Data(text.utf8))
            #expect(line.frame == i + 1)
            #expect(line.ts_sec == 43_200 && line.ts_nsec == 123_456_789)
            #expect(line.encap == "native")
            #expect(line.type == packet.type.description)
            #expect(line.tsi == S.tsiText)
            #expect(line.gsi == "2.0.94.16.32.48")
            #expect(line.sport == 40000 && line.dport == 7500)
            #expect(line.ip_len == p.ipLength)
            #expect(line.options?.count == packet.options.count)
            switch packet.body {
            case .spm(let s):
                #expect(line.sqn == s.sequence && line.trail == s.trailingEdge && line.lead == s.leadingEdge)
                #expect(line.path == "10.0.0.1" && line.flags == ["netsig"])
                #expect(line.options?.first?["type"]?.text == "PARITY_PRM")
                #expect(line.options?.first?["tgs"]?.text == "8")
            case .odata(let d):
                #expect(line.sqn == d.sequence && line.len == d.payload.count)
                #expect(line.options?.map { $0["type"]?.text } == ["FRAGMENT", "SYN"])
                #expect(line.options?.first?["len"]?.text == "3000")
            case .nak(let n):
                #expect(line.sqn == n.sequence && line.src_nla == "10.0.0.1" && line.grp_nla == "239.192.0.1")
                #expect(line.options?.first?["sqns"]?.text == "19,20")
            case .ack(let a):
                #expect(line.rx_max == a.rxMax && line.bitmap == a.bitmap)
            case .polr(let r):
                #expect(line.sqn == r.sequence && line.round == 1)
            default:
                break
            }
        }
        // UDP lines carry the UDP ports.
        let u = try dumped(try S.udp(S.everyType()[8].0))
        let obj = try #require(JSONSerialization.jsonObject(with: Data(Self.formatter.json(u).utf8)) as? [String: Any])
        #expect(obj["encap"] as? String == "udp")
        #expect(obj["udp_sport"] as? Int == 3056 && obj["udp_dport"] as? Int == 3055)
    }

    @Test func jsonEscapesStrings() {
        #expect(JSONValue.string("a\"b\\c\n\u{1}").serialized == #""a\"b\\c\n\u0001""#)
        #expect(JSONValue.object([("k", .array([.int(-1), .bool(true), .null]))]).serialized == #"{"k":[-1,true,null]}"#)
    }

    @Test func wireErrorTexts() {
        #expect(WireErrorText.text(.truncated(.header, needed: 16, available: 3)) == "truncated PGM header: 16 octets needed, 3 present")
        #expect(WireErrorText.text(.checksumMissing(.odata)) == "ODATA without a checksum")
        #expect(WireErrorText.text(.malformedOption(type: 2, .nakListCount(0))) == "OPT_NAK_LIST lists 0 sequence numbers (1 to 62 allowed)")
        #expect(WireErrorText.text(.unknownPacketType(0x0F)) == "unknown packet type 0x0f")
    }
}

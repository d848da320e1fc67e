import Foundation
import PGMWire
import Testing

/// Wireshark as an independent witness: every packet and option vector,
/// framed natively (IP protocol 113) and in UDP (port 3055, decoded with
/// `-d udp.port==3055,pgm`), over IPv4 and over IPv6, goes into a pcap that
/// tshark must dissect to the values the codec wrote, with a good PGM
/// checksum, a good UDP checksum (checked with `udp.check_checksum`), the IP
/// addresses written, and no malformed-packet or expert report.
///
/// Where Wireshark (4.0, Debian 12) and RFC 3208 disagree, the RFC wins and
/// the check names the exception:
/// - SPMR (type 0x0C) is missing from Wireshark's PGM dissector, which leaves
///   it undissected (no PGM layer); only the absence of errors is checked.
/// - OPT_NAK_BO_RNG: RFC 3208 15.4.2 draws Maximum first, Wireshark calls the
///   first word "min_bo_ivl".
/// - OPT_NAK_LIST: Wireshark's `pgm.opts.nak.list` holds the start of its own
///   formatted text ("0x20 0x21 0x"...) rather than the list octets; the
///   check compares that text with the list.
/// - The option common header's third octet (reserved, F, OPX) is shown whole
///   as `pgm.genopts.opx`; options Wireshark does not know (OPT_CR, OPT_CRQST,
///   OPT_NBR_UNREACH, OPT_PATH_NLA, OPT_INVALID, unknown types) appear only as
///   "Option: Unknown (0xNN), Length: N" labels, and SYN, FIN, RST and
///   CURR_TGSIZE as name/length labels without fields.
/// - `pgm.hdr.cksum.status` occurs twice; its last occurrence is the status.
/// - OPT_PARITY_GRP's fields are reported under the `pgm.opts.parity_prm.*`
///   abbreviations, and the GSI without separators.
@Suite("Wireshark witness")
struct WiresharkTests {
    static let tshark: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/tshark"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }()

    static let fields = [
        "frame.protocols", "udp.dstport", "udp.checksum.status", "ipv6.src", "ipv6.dst", "ipv6.nxt",
        "pgm.hdr.sport", "pgm.hdr.dport", "pgm.hdr.type", "pgm.hdr.opts", "pgm.hdr.opts.opt",
        "pgm.hdr.opts.netsig", "pgm.hdr.opts.varlen", "pgm.hdr.opts.parity", "pgm.hdr.cksum.status",
        "pgm.hdr.gsi", "pgm.hdr.tsdulen",
        "pgm.spm.sqn", "pgm.spm.trail", "pgm.spm.lead", "pgm.spm.pathafi", "pgm.spm.path.ipv4", "pgm.spm.path.ipv6",
        "pgm.nak.sqn", "pgm.nak.srcafi", "pgm.nak.src.ipv4", "pgm.nak.src.ipv6",
        "pgm.nak.grpafi", "pgm.nak.grp.ipv4", "pgm.nak.grp.ipv6",
        "pgm.poll.sqn", "pgm.poll.round", "pgm.poll.subtype", "pgm.poll.pathafi", "pgm.poll.path.ipv4",
        "pgm.poll.path.ipv6", "pgm.poll.backoff_ivl", "pgm.poll.rand_str", "pgm.poll.matching_bmask",
        "pgm.polr.sqn", "pgm.polr.round", "pgm.ack.maxsqn", "pgm.ack.bitmap",
        "pgm.opts.tlen", "pgm.genopts.end", "pgm.genopts.type", "pgm.genopts.len", "pgm.genopts.opx",
        "pgm.opts.fragment.first_sqn", "pgm.opts.fragment.fragment_offset", "pgm.opts.fragment.total_length",
        "pgm.opts.join.min_join", "pgm.opts.nak_bo_ivl.bo_ivl", "pgm.opts.nak_bo_ivl.bo_ivl_sqn",
        "pgm.opts.nak_bo_rng.min_bo_ivl", "pgm.opts.nak_bo_rng.max_bo_ivl",
        "pgm.opts.redirect.afi", "pgm.opts.redirect.dlr.ipv4", "pgm.opts.redirect.dlr.ipv6",
        "pgm.opts.parity_prm.op", "pgm.opts.parity_prm.prm_grp",
        "pgm.opts.ccdata.tstamp", "pgm.opts.ccdata.afi", "pgm.opts.ccdata.acker.ipv4",
        "pgm.opts.ccdata.acker.ipv6", "pgm.opts.ccdata.lossrate", "pgm.opts.nak.list",
        "_ws.malformed", "_ws.expert.message", "pgm.bad_checksum", "pgm.opts.type.invalid",
        "pgm.opts.tlen.invalid", "pgm.genopts.len.invalid", "pgm.address_format_invalid",
    ]

    /// Wireshark's names for the option types it knows.
    static let optionNames: [UInt8: String] = [
        0x01: "Fragment", 0x02: "NakList", 0x03: "Join", 0x04: "NakBackOffIvl", 0x05: "NakBackOffRng",
        0x07: "ReDirect", 0x08: "ParityPrm", 0x09: "ParityGrp", 0x0A: "CurrTgsiz", 0x0D: "Syn",
        0x0E: "Fin", 0x0F: "Rst", 0x12: "CcData", 0x13: "CcFeedBack",
    ]
    /// Option types whose fields Wireshark decodes (the rest are labels only).
    static let decodedTypes: Set<UInt8> = [0x01, 0x02, 0x03, 0x04, 0x05, 0x07, 0x08, 0x09, 0x12, 0x13]

    static func pcap(_ datagrams: [[UInt8]]) -> [UInt8] {
        func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * UInt32($0))) } }
        func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
        // Classic libpcap header: magic, version 2.4, zone, sigfigs, snaplen, LINKTYPE_RAW (101).
        var out = le32(0xA1B2_C3D4) + le16(2) + le16(4) + le32(0) + le32(0) + le32(65535) + le32(101)
        for (i, d) in datagrams.enumerated() {
            out += le32(UInt32(i)) + le32(0) + le32(UInt32(d.count)) + le32(UInt32(d.count)) + d
        }
        return out
    }

    static func run(_ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tshark ?? "tshark")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return data
    }

    /// Numbers as tshark prints them (decimal or 0x-hex).
    static func number(_ s: String) -> UInt64? {
        if s.hasPrefix("0x") { return UInt64(s.dropFirst(2), radix: 16) }
        return UInt64(s)
    }

    /// Collects the "Option: ..." labels under a JSON tree.
    static func optionLabels(_ node: Any, into labels: inout [String]) {
        if let dict = node as? [String: Any] {
            for (k, v) in dict {
                if k.hasPrefix("Option: ") { labels.append(k) }
                optionLabels(v, into: &labels)
            }
        } else if let array = node as? [Any] {
            for v in array { optionLabels(v, into: &labels) }
        }
    }

    @Test(.enabled(if: tshark != nil, "tshark is not on PATH; Wireshark witness skipped"))
    func wiresharkAgrees() throws {
        try agree(ipv6: false)
    }

    @Test(.enabled(if: tshark != nil, "tshark is not on PATH; Wireshark witness skipped"))
    func wiresharkAgreesOverIPv6() throws {
        try agree(ipv6: true)
    }

    static let source6 = PGMIPv6Address(high: 0x2001_0DB8_0000_0000, low: 1)
    static let group6 = PGMIPv6Address(high: 0xFF0E_0000_0000_0000, low: 0x0001_0003)

    /// Every vector natively and in UDP, over IPv4 or IPv6.
    func agree(ipv6: Bool) throws {
        let packets = try (packetVectors + optionVectors).map { try PGMPacket.decode($0.bytes) }
        let ip = PGMIPv4Header(source: IPv4Address(192, 0, 2, 1), destination: IPv4Address(239, 1, 2, 3))
        let ip6 = PGMIPv6Header(source: Self.source6, destination: Self.group6)
        let udp = PGMUDPHeader(sourcePort: 40000, destinationPort: PGMFraming.defaultUDPPort)
        var datagrams: [[UInt8]] = []
        for p in packets {
            if ipv6 {
                datagrams.append(try PGMFraming.nativeIPv6Datagram(p, header: ip6))
                datagrams.append(try PGMFraming.udpIPv6Datagram(p, header: ip6, udp: udp))
            } else {
                datagrams.append(try PGMFraming.nativeIPv4Datagram(p, header: ip))
                datagrams.append(try PGMFraming.udpIPv4Datagram(p, header: ip, udp: udp))
            }
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pgmwire-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("all.pcap")
        try Data(Self.pcap(datagrams)).write(to: file)

        let common = ["-r", file.path, "-d", "udp.port==3055,pgm", "-o", "pgm.check_checksum:TRUE",
                      "-o", "udp.check_checksum:TRUE"]
        let text = String(decoding: try Self.run(common + ["-T", "fields", "-E", "separator=/t", "-E", "occurrence=a",
                                                           "-E", "aggregator=|"] + Self.fields.flatMap { ["-e", $0] }),
                          as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }
        try #require(lines.count == datagrams.count)
        let json = try JSONSerialization.jsonObject(with: try Self.run(common + ["-T", "json"])) as? [Any] ?? []
        try #require(json.count == datagrams.count)

        for (index, line) in lines.enumerated() {
            let packet = packets[index / 2]
            let viaUDP = index % 2 == 1
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            try #require(columns.count == Self.fields.count)
            var f: [String: [String]] = [:]
            for (name, value) in zip(Self.fields, columns) {
                f[name] = value.isEmpty ? [] : value.split(separator: "|").map(String.init)
            }
            var labels: [String] = []
            if let layers = ((json[index] as? [String: Any])?["_source"] as? [String: Any])?["layers"] {
                Self.optionLabels(layers, into: &labels)
            }
            let ctx = "frame \(index + 1) \(packet.type) \(viaUDP ? "UDP" : "native") over IPv\(ipv6 ? 6 : 4)"
            if ipv6 {
                #expect(f["ipv6.src"] == [Self.source6.description], "\(ctx)")
                #expect(f["ipv6.dst"] == [Self.group6.description], "\(ctx)")
                #expect(f["ipv6.nxt"] == [viaUDP ? "17" : "113"], "\(ctx)")
            } else {
                #expect(f["ipv6.src"] == [], "\(ctx)")
            }
            if viaUDP { #expect(f["udp.checksum.status"] == ["1"], "\(ctx): UDP checksum good") }
            check(packet, viaUDP: viaUDP, network: ipv6 ? "ipv6" : "ip", fields: f, labels: labels, frame: index + 1)
        }
    }

    func check(_ p: PGMPacket, viaUDP: Bool, network: String, fields f: [String: [String]], labels: [String], frame: Int) {
        let ctx = "frame \(frame) \(p.type) \(viaUDP ? "UDP" : "native") \(network)"
        for bad in ["_ws.malformed", "_ws.expert.message", "pgm.bad_checksum", "pgm.opts.type.invalid",
                    "pgm.opts.tlen.invalid", "pgm.genopts.len.invalid", "pgm.address_format_invalid"] {
            #expect(f[bad] == [], "\(ctx): \(bad): \(f[bad] ?? [])")
        }
        let protocols = f["frame.protocols"]?.first ?? ""
        if viaUDP { #expect(f["udp.dstport"] == ["3055"], "\(ctx)") }
        if p.type == .spmr {
            // Wireshark's PGM dissector has no SPMR: exception, see above.
            #expect(!protocols.contains("pgm"), "\(ctx)")
            return
        }
        #expect(protocols.contains(viaUDP ? "\(network):udp:pgm" : "\(network):pgm"), "\(ctx): \(protocols)")

        func nums(_ name: String) -> [UInt64] { (f[name] ?? []).compactMap(Self.number) }
        func expectNums(_ name: String, _ values: [UInt64]) { #expect(nums(name) == values, "\(ctx): \(name)") }
        func expectNLA(_ prefix: String, _ nla: PGMNLA) {
            switch nla {
            case .ipv4(let a): #expect(f["\(prefix).ipv4"] == [a.description], "\(ctx): \(prefix)")
            case .ipv6(let a): #expect(f["\(prefix).ipv6"] == [a.description], "\(ctx): \(prefix)")
            }
        }

        // Common header.
        let optionsOctet = UInt64(p.flags.rawValue | (p.options.isEmpty ? 0 : 1))
        expectNums("pgm.hdr.sport", [UInt64(p.sourcePort)])
        expectNums("pgm.hdr.dport", [UInt64(p.destinationPort)])
        expectNums("pgm.hdr.type", [UInt64(p.type.rawValue)])
        expectNums("pgm.hdr.opts", [optionsOctet])
        expectNums("pgm.hdr.opts.opt", [optionsOctet & 0x01])
        expectNums("pgm.hdr.opts.netsig", [optionsOctet >> 1 & 1])
        expectNums("pgm.hdr.opts.varlen", [optionsOctet >> 6 & 1])
        expectNums("pgm.hdr.opts.parity", [optionsOctet >> 7 & 1])
        #expect(f["pgm.hdr.cksum.status"]?.last == "1", "\(ctx): checksum status good")
        #expect(f["pgm.hdr.gsi"] == [p.gsi.colonHex.replacingOccurrences(of: ":", with: "")], "\(ctx)")
        expectNums("pgm.hdr.tsdulen", [UInt64(p.payload.count)])

        // Type-specific part.
        switch p.body {
        case .spm(let s):
            expectNums("pgm.spm.sqn", [UInt64(s.sequence)])
            expectNums("pgm.spm.trail", [UInt64(s.trailingEdge)])
            expectNums("pgm.spm.lead", [UInt64(s.leadingEdge)])
            expectNums("pgm.spm.pathafi", [UInt64(s.path.afi)])
            expectNLA("pgm.spm.path", s.path)
        case .odata(let d), .rdata(let d):
            // Wireshark shows the data sequence numbers in the SPM fields.
            expectNums("pgm.spm.sqn", [UInt64(d.sequence)])
            expectNums("pgm.spm.trail", [UInt64(d.trailingEdge)])
        case .nak(let n), .nnak(let n), .ncf(let n):
            expectNums("pgm.nak.sqn", [UInt64(n.sequence)])
            expectNums("pgm.nak.srcafi", [UInt64(n.source.afi)])
            expectNLA("pgm.nak.src", n.source)
            expectNums("pgm.nak.grpafi", [UInt64(n.group.afi)])
            expectNLA("pgm.nak.grp", n.group)
        case .poll(let poll):
            expectNums("pgm.poll.sqn", [UInt64(poll.sequence)])
            expectNums("pgm.poll.round", [UInt64(poll.round)])
            expectNums("pgm.poll.subtype", [UInt64(poll.subtype)])
            expectNums("pgm.poll.pathafi", [UInt64(poll.path.afi)])
            expectNLA("pgm.poll.path", poll.path)
            expectNums("pgm.poll.backoff_ivl", [UInt64(poll.backoffInterval)])
            expectNums("pgm.poll.rand_str", [UInt64(poll.randomString)])
            expectNums("pgm.poll.matching_bmask", [UInt64(poll.matchingMask)])
        case .polr(let r):
            expectNums("pgm.polr.sqn", [UInt64(r.sequence)])
            expectNums("pgm.polr.round", [UInt64(r.round)])
        case .ack(let a):
            expectNums("pgm.ack.maxsqn", [UInt64(a.rxMax)])
            expectNums("pgm.ack.bitmap", [UInt64(a.bitmap)])
        case .spmr:
            break
        }

        // Options.
        expectNums("pgm.opts.tlen", p.options.isEmpty ? [] : [UInt64(p.options.encodedLength)])
        var expectedLabels: [String] = []
        var decoded: (end: [UInt64], type: [UInt64], len: [UInt64], opx: [UInt64]) = ([], [], [], [])
        var values: [String: [UInt64]] = [:]
        var addresses: [String: [String]] = [:]
        let all = Array(p.options)
        for (i, o) in all.enumerated() {
            let type = o.kind.type
            let name = Self.optionNames[type] ?? "Unknown (0x\(type < 16 ? "0" : "")\(String(type, radix: 16)))"
            expectedLabels.append("Option: \(name), Length: \(o.encodedLength)")
            guard Self.decodedTypes.contains(type) else { continue }
            decoded.end.append(i == all.count - 1 ? 1 : 0)
            decoded.type.append(UInt64(type))
            decoded.len.append(UInt64(o.encodedLength))
            decoded.opx.append(UInt64(o.extensibility.rawValue | (o.isEncoded ? 0x04 : 0)))
            func add(_ field: String, _ v: UInt32) { values[field, default: []].append(UInt64(v)) }
            func addNLA(_ prefix: String, _ nla: PGMNLA) {
                switch nla {
                case .ipv4(let a): addresses["\(prefix).ipv4", default: []].append(a.description)
                case .ipv6(let a): addresses["\(prefix).ipv6", default: []].append(a.description)
                }
            }
            switch o.kind {
            case .fragment(let first, let offset, let length):
                add("pgm.opts.fragment.first_sqn", first)
                add("pgm.opts.fragment.fragment_offset", offset)
                add("pgm.opts.fragment.total_length", length)
            case .encoded(_, let parity) where type == PGMOptionType.fragment && parity.count == 13:
                func word(_ at: Int) -> UInt32 { parity[at..<(at + 4)].reduce(0) { $0 << 8 | UInt32($1) } }
                add("pgm.opts.fragment.first_sqn", word(1))
                add("pgm.opts.fragment.fragment_offset", word(5))
                add("pgm.opts.fragment.total_length", word(9))
            case .nakList(let list):
                // Exception: Wireshark shows its formatting buffer, see above.
                let hex = Array((f["pgm.opts.nak.list"] ?? []).first?.replacingOccurrences(of: ":", with: "") ?? "")
                let octets = stride(from: 0, to: hex.count - 1, by: 2).compactMap { UInt8(String(hex[$0...($0 + 1)]), radix: 16) }
                let shown = String(decoding: octets, as: UTF8.self)
                let formatted = list.map { "0x\(String($0, radix: 16)) " }.joined()
                #expect(!shown.isEmpty && formatted.hasPrefix(shown), "\(ctx): NAK list \(shown) vs \(formatted)")
            case .join(let min):
                add("pgm.opts.join.min_join", min)
            case .nakBackoffInterval(let ivl, let sqn):
                add("pgm.opts.nak_bo_ivl.bo_ivl", ivl)
                add("pgm.opts.nak_bo_ivl.bo_ivl_sqn", sqn)
            case .nakBackoffRange(let max, let min):
                // Exception: RFC order is maximum, minimum; Wireshark names them the other way.
                add("pgm.opts.nak_bo_rng.min_bo_ivl", max)
                add("pgm.opts.nak_bo_rng.max_bo_ivl", min)
            case .redirect(let nla):
                add("pgm.opts.redirect.afi", UInt32(nla.afi))
                addNLA("pgm.opts.redirect.dlr", nla)
            case .parityParameters(let pro, let ond, let size):
                // The option-specific octet as sent: OpenPGM's P = 0x01, O = 0x02
                // (Wireshark names them the other way round, the RFC's drawing).
                add("pgm.opts.parity_prm.op", (pro ? 1 : 0) | (ond ? 2 : 0))
                add("pgm.opts.parity_prm.prm_grp", size)
            case .parityGroup(let group):
                // Wireshark files OPT_PARITY_GRP's fourth octet and group number
                // under the parity_prm abbreviations.
                add("pgm.opts.parity_prm.op", 0)
                add("pgm.opts.parity_prm.prm_grp", group)
            case .pgmccData(let ts, let acker):
                add("pgm.opts.ccdata.tstamp", ts)
                add("pgm.opts.ccdata.afi", UInt32(acker.afi))
                addNLA("pgm.opts.ccdata.acker", acker)
            case .pgmccFeedback(let ts, let loss, let receiver):
                add("pgm.opts.ccdata.tstamp", ts)
                add("pgm.opts.ccdata.afi", UInt32(receiver.afi))
                add("pgm.opts.ccdata.lossrate", UInt32(loss))
                addNLA("pgm.opts.ccdata.acker", receiver)
            default:
                break
            }
        }
        #expect(labels.sorted() == expectedLabels.sorted(), "\(ctx)")
        expectNums("pgm.genopts.end", decoded.end)
        expectNums("pgm.genopts.type", decoded.type)
        expectNums("pgm.genopts.len", decoded.len)
        expectNums("pgm.genopts.opx", decoded.opx)
        for name in Self.fields where name.hasPrefix("pgm.opts.") && name != "pgm.opts.tlen" && name != "pgm.opts.nak.list"
            && !name.contains("invalid")
        {
            if name.hasSuffix(".ipv4") || name.hasSuffix(".ipv6") {
                #expect((f[name] ?? []) == (addresses[name] ?? []), "\(ctx): \(name)")
            } else {
                expectNums(name, values[name] ?? [])
            }
        }
    }
}

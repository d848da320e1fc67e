import Glibc
import PGMCLISupport
import PGMWire

/// A JSON value with object keys kept in insertion order, so that every
/// line has its keys in the same, documented order.
public indirect enum JSONValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool { a.serialized == b.serialized }
    public func hash(into h: inout Hasher) { h.combine(serialized) }

    public var serialized: String {
        var out = ""
        write(to: &out)
        return out
    }

    func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .string(let s): JSON.quote(s, into: &out)
        case .array(let a):
            out += "["
            for (i, v) in a.enumerated() {
                if i > 0 { out += "," }
                v.write(to: &out)
            }
            out += "]"
        case .object(let o):
            out += "{"
            for (i, (k, v)) in o.enumerated() {
                if i > 0 { out += "," }
                JSON.quote(k, into: &out)
                out += ":"
                v.write(to: &out)
            }
            out += "}"
        }
    }
}

/// Turns dissected packets into `pgm-dump`'s text lines and JSON lines.
public struct DumpFormatter: Sendable {
    /// Print times in UTC rather than the local time zone.
    public var utc: Bool
    /// Nine digits of fractional seconds instead of six.
    public var nanoseconds: Bool

    public init(utc: Bool = false, nanoseconds: Bool = false) {
        self.utc = utc
        self.nanoseconds = nanoseconds
    }

    // MARK: Text

    /// "HH:MM:SS.ffffff" in the chosen zone; "-" when there is no time.
    public func time(_ t: CaptureTimestamp?) -> String {
        guard let t else { return "-" }
        var seconds = time_t(t.seconds)
        var parts = tm()
        let ok = utc ? gmtime_r(&seconds, &parts) != nil : localtime_r(&seconds, &parts) != nil
        guard ok else { return "\(t.seconds).\(pad(Int(t.nanoseconds), 9))" }
        let fraction = nanoseconds ? pad(Int(t.nanoseconds), 9) : pad(Int(t.nanoseconds / 1000), 6)
        return "\(pad(Int(parts.tm_hour), 2)):\(pad(Int(parts.tm_min), 2)):\(pad(Int(parts.tm_sec), 2)).\(fraction)"
    }

    private func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    /// One line for the packet.
    public func line(_ p: DumpPacket) -> String {
        var s = time(p.timestamp) + " "
        s += "\(p.source.map(\.description) ?? "?") > \(p.destination.map(\.description) ?? "?") PGM"
        if p.isUDP {
            s += " udp"
            if let u = p.udp { s += " \(u.sourcePort)>\(u.destinationPort)" }
        }
        switch p.result {
        case .success(let packet):
            s += " " + Self.packetText(packet)
        case .failure(let problem):
            s += " error: " + problem.text
        }
        return s
    }

    /// The packet's type, TSI, data-destination port, type-specific fields,
    /// header flags and options.
    public static func packetText(_ p: PGMPacket) -> String {
        var s = "\(p.type) tsi \(p.tsi.description) dport \(p.dataDestinationPort)"
        switch p.body {
        case .spm(let spm):
            s += " sqn \(spm.sequence) trail \(spm.trailingEdge) lead \(spm.leadingEdge) path \(spm.path)"
        case .poll(let poll):
            s += " sqn \(poll.sequence) round \(poll.round) subtype \(pollSubtype(poll.subtype)) path \(poll.path)"
            s += " bo_ivl \(poll.backoffInterval) rand 0x\(hex(poll.randomString, 8)) mask 0x\(hex(poll.matchingMask, 8))"
        case .polr(let polr):
            s += " sqn \(polr.sequence) round \(polr.round)"
        case .odata(let d), .rdata(let d):
            s += " sqn \(d.sequence) trail \(d.trailingEdge) len \(d.payload.count)"
        case .nak(let n), .nnak(let n), .ncf(let n):
            s += " sqn \(n.sequence) src \(n.source) grp \(n.group)"
        case .spmr:
            break
        case .ack(let a):
            s += " rx_max \(a.rxMax) bitmap 0x\(hex(a.bitmap, 8))"
        }
        let flags = flagNames(p.flags)
        if !flags.isEmpty { s += " flags " + flags.joined(separator: ",") }
        for option in p.options { s += " [" + optionText(option) + "]" }
        return s
    }

    static func pollSubtype(_ v: UInt16) -> String {
        switch v {
        case PGMPoll.general: return "general"
        case PGMPoll.dlr: return "dlr"
        default: return String(v)
        }
    }

    static func flagNames(_ f: PGMHeaderFlags) -> [String] {
        var out: [String] = []
        if f.contains(.parity) { out.append("parity") }
        if f.contains(.variableLengthParity) { out.append("varpktlen") }
        if f.contains(.networkSignificant) { out.append("netsig") }
        return out
    }

    static func crFlags(_ f: PGMCongestionReportFlags) -> String {
        var out: [String] = []
        if f.contains(.neWorstLink) { out.append("L") }
        if f.contains(.neWorstPath) { out.append("P") }
        if f.contains(.receiverWorstPath) { out.append("R") }
        return out.isEmpty ? "-" : out.joined(separator: ",")
    }

    static func opxName(_ x: PGMOptionExtensibility) -> String {
        switch x {
        case .ignore: return "ignore"
        case .invalidate: return "invalidate"
        case .discard: return "discard"
        case .reserved: return "reserved"
        }
    }

    /// The option's name (RFC 3208's, without OPT_) and its fields.
    public static func optionText(_ o: PGMOption) -> String {
        var s = optionName(o.kind)
        switch o.kind {
        case .fragment(let first, let offset, let length): s += " first \(first) off \(offset) len \(length)"
        case .nakList(let list): s += " " + list.map(String.init).joined(separator: ",")
        case .join(let min): s += " min \(min)"
        case .nakBackoffInterval(let ivl, let sqn): s += " ivl \(ivl) sqn \(sqn)"
        case .nakBackoffRange(let max, let min): s += " max \(max) min \(min)"
        case .redirect(let nla): s += " \(nla)"
        case .parityParameters(let p, let o, let size):
            s += (p ? " proactive" : "") + (o ? " ondemand" : "") + " tgs \(size)"
        case .parityGroup(let g): s += " \(g)"
        case .currentGroupSize(let n): s += " \(n)"
        case .neighborUnreachable, .syn, .fin: break
        case .pathNLA(let nla): s += " \(nla)"
        case .reset(let n, let code): s += (n ? " N" : "") + " code \(code)"
        case .congestionReport(let r):
            s += " \(crFlags(r.flags)) lead \(r.referenceSequence) ne_wl \(r.neWorstLink) ne_wp \(r.neWorstPath)"
            s += " rx_wp \(r.receiverWorstPath) rcvr \(r.worstReceiver)"
        case .congestionReportRequest(let f): s += " \(crFlags(f))"
        case .pgmccData(let ts, let acker): s += " tstamp \(ts) acker \(acker)"
        case .pgmccFeedback(let ts, let loss, let rcvr): s += " tstamp \(ts) loss \(loss) rcvr \(rcvr)"
        case .confirm(let c, let id, let join, let bye, let lost):
            s += " confirmed \(c) id 0x\(hex(id, 8))" + (join ? " JOIN" : "") + (bye ? " BYE" : "") + (lost ? " LOST" : "")
        case .invalidated(_, let value): s += " len \(value.count + 4)"
        case .encoded(let type, let parity): s += " type 0x\(hex(type, 2)) len \(parity.count + 3)"
        case .unknown(let type, _, let value): s += " 0x\(hex(type, 2)) len \(value.count + 4)"
        }
        if o.extensibility != .ignore { s += " opx \(opxName(o.extensibility))" }
        return s
    }

    /// "FRAGMENT", "NAK_LIST", ...: RFC 3208's names without OPT_; "ENCODED"
    /// for FEC-encoded options and "UNKNOWN" for types the codec does not know.
    public static func optionName(_ kind: PGMOption.Kind) -> String {
        switch kind {
        case .encoded: return "ENCODED"
        case .unknown: return "UNKNOWN"
        default:
            let name = OptionNames.name(kind.type)
            return name.hasPrefix("OPT_") ? String(name.dropFirst(4)) : name
        }
    }

    // MARK: JSON

    /// One JSON object for the packet (see pgm-dump(1) for the keys).
    public func json(_ p: DumpPacket) -> String { jsonValue(p).serialized }

    public func jsonValue(_ p: DumpPacket) -> JSONValue {
        var o: [(String, JSONValue)] = [("frame", .int(Int64(p.number)))]
        if let t = p.timestamp {
            o.append(("ts_sec", .int(t.seconds)))
            o.append(("ts_nsec", .int(Int64(t.nanoseconds))))
        } else {
            o.append(("ts_sec", .null))
            o.append(("ts_nsec", .null))
        }
        o.append(("src", p.source.map { .string($0.description) } ?? .null))
        o.append(("dst", p.destination.map { .string($0.description) } ?? .null))
        o.append(("encap", .string(p.isUDP ? "udp" : "native")))
        if let u = p.udp {
            o.append(("udp_sport", .int(Int64(u.sourcePort))))
            o.append(("udp_dport", .int(Int64(u.destinationPort))))
        }
        o.append(("ip_len", p.ipLength.map { .int(Int64($0)) } ?? .null))
        switch p.result {
        case .success(let packet):
            o += Self.packetFields(packet)
        case .failure(let problem):
            o.append(("error", .string(problem.text)))
            switch problem {
            case .wire: break
            case .truncatedCapture(let c, let orig):
                o.append(("captured", .int(Int64(c))))
                o.append(("original", .int(Int64(orig))))
            case .fragment(let f):
                o.append(("fragment", .object([
                    ("id", .int(Int64(f.identification))), ("offset", .int(Int64(f.offset))),
                    ("len", .int(Int64(f.length))), ("more", .bool(f.more)),
                ])))
            }
        }
        return .object(o)
    }

    static func num(_ v: some BinaryInteger) -> JSONValue { .int(Int64(v)) }

    static func packetFields(_ p: PGMPacket) -> [(String, JSONValue)] {
        var o: [(String, JSONValue)] = [
            ("type", .string(p.type.description)),
            ("tsi", .string(p.tsi.description)),
            ("gsi", .string(p.gsi.description)),
            ("sport", num(p.tsi.sourcePort)),
            ("dport", num(p.dataDestinationPort)),
            ("flags", .array(flagNames(p.flags).map { .string($0) })),
        ]
        switch p.body {
        case .spm(let spm):
            o += [("sqn", num(spm.sequence)), ("trail", num(spm.trailingEdge)), ("lead", num(spm.leadingEdge)),
                  ("path", .string(spm.path.description))]
        case .poll(let poll):
            o += [("sqn", num(poll.sequence)), ("round", num(poll.round)), ("subtype", num(poll.subtype)),
                  ("path", .string(poll.path.description)), ("bo_ivl", num(poll.backoffInterval)),
                  ("rand", num(poll.randomString)), ("mask", num(poll.matchingMask))]
        case .polr(let polr):
            o += [("sqn", num(polr.sequence)), ("round", num(polr.round))]
        case .odata(let d), .rdata(let d):
            o += [("sqn", num(d.sequence)), ("trail", num(d.trailingEdge)), ("len", num(d.payload.count))]
        case .nak(let n), .nnak(let n), .ncf(let n):
            o += [("sqn", num(n.sequence)), ("src_nla", .string(n.source.description)),
                  ("grp_nla", .string(n.group.description))]
        case .spmr:
            break
        case .ack(let a):
            o += [("rx_max", num(a.rxMax)), ("bitmap", num(a.bitmap))]
        }
        o.append(("options", .array(p.options.map(optionJSON))))
        return o
    }

    static func optionJSON(_ opt: PGMOption) -> JSONValue {
        var o: [(String, JSONValue)] = [("type", .string(optionName(opt.kind)))]
        func nla(_ key: String, _ v: PGMNLA) { o.append((key, .string(v.description))) }
        func crFlagList(_ f: PGMCongestionReportFlags) -> JSONValue {
            .array(crFlags(f).split(separator: ",").filter { $0 != "-" }.map { .string(String($0)) })
        }
        switch opt.kind {
        case .fragment(let first, let offset, let length):
            o += [("first", num(first)), ("off", num(offset)), ("len", num(length))]
        case .nakList(let list): o.append(("sqns", .array(list.map(num))))
        case .join(let min): o.append(("min", num(min)))
        case .nakBackoffInterval(let ivl, let sqn): o += [("ivl", num(ivl)), ("sqn", num(sqn))]
        case .nakBackoffRange(let max, let min): o += [("max", num(max)), ("min", num(min))]
        case .redirect(let v): nla("nla", v)
        case .parityParameters(let p, let od, let size):
            o += [("proactive", .bool(p)), ("ondemand", .bool(od)), ("tgs", num(size))]
        case .parityGroup(let g): o.append(("group", num(g)))
        case .currentGroupSize(let n): o.append(("tgs", num(n)))
        case .neighborUnreachable, .syn, .fin: break
        case .pathNLA(let v): nla("nla", v)
        case .reset(let n, let code): o += [("n", .bool(n)), ("code", num(code))]
        case .congestionReport(let r):
            o += [("reports", crFlagList(r.flags)), ("lead", num(r.referenceSequence)),
                  ("ne_wl", num(r.neWorstLink)), ("ne_wp", num(r.neWorstPath)), ("rx_wp", num(r.receiverWorstPath))]
            nla("rcvr", r.worstReceiver)
        case .congestionReportRequest(let f): o.append(("reports", crFlagList(f)))
        case .pgmccData(let ts, let acker):
            o.append(("tstamp", num(ts)))
            nla("acker", acker)
        case .pgmccFeedback(let ts, let loss, let rcvr):
            o += [("tstamp", num(ts)), ("loss", num(loss))]
            nla("rcvr", rcvr)
        case .confirm(let c, let id, let join, let bye, let lost):
            o += [("confirmed", num(c)), ("receiver_id", num(id)), ("join", .bool(join)), ("bye", .bool(bye)),
                  ("lost", .bool(lost))]
        case .invalidated(let specific, let value):
            o += [("specific", num(specific)), ("value", .string(value.map { hex($0, 2) }.joined()))]
        case .encoded(let type, let parity):
            o += [("option_type", num(type)), ("parity", .string(parity.map { hex($0, 2) }.joined()))]
        case .unknown(let type, let specific, let value):
            o += [("option_type", num(type)), ("specific", num(specific)),
                  ("value", .string(value.map { hex($0, 2) }.joined()))]
        }
        o.append(("opx", .string(opxName(opt.extensibility))))
        return .object(o)
    }
}

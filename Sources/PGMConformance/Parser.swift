import PGMModel
import PGMWire

/// Why a scenario file could not be read.
public struct ScenarioError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var line: Int
    public var message: String

    public var description: String { "\(file):\(line): \(message)" }
}

/// Reads the scenario language (Tests/conformance/README.md).
public enum ScenarioParser {
    /// How long an expectation waits when it names no `within`.
    public static let defaultWithin: Int64 = 1_000_000

    /// Parses one file's text.
    public static func parse(_ text: String, file: String) throws(ScenarioError) -> Scenario {
        var name = file
        if let slash = name.lastIndex(of: "/") { name = String(name[name.index(after: slash)...]) }
        if name.hasSuffix(".pgm") { name = String(name.dropLast(4)) }
        var scenario = Scenario(name: name, file: file, sections: [], title: "", role: .source, options: [],
                                base: 1000, steps: [])
        var role: Scenario.Role?
        var lineNumber = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let head = words.first else { continue }
            func fail(_ message: String) -> ScenarioError {
                ScenarioError(file: file, line: lineNumber, message: message)
            }
            let rest = Array(words.dropFirst())
            switch head {
            case "title":
                scenario.title = rest.joined(separator: " ")
            case "rfc":
                guard !rest.isEmpty else { throw fail("rfc needs one or more section numbers") }
                scenario.sections = rest
            case "iut":
                guard rest.count == 1, let r = Scenario.Role(rawValue: rest[0]) else {
                    throw fail("iut takes 'source' or 'receiver'")
                }
                guard role == nil else { throw fail("iut given twice") }
                role = r
            case "base":
                guard rest.count == 1, let v = number(rest[0]) else { throw fail("base takes a sequence number") }
                scenario.base = v
            case "fec":
                guard scenario.steps.isEmpty else { throw fail("fec comes before the first step") }
                guard scenario.fec == nil else { throw fail("fec given twice") }
                scenario.fec = try fec(rest, fail: fail)
            case "pgmcc":
                guard scenario.steps.isEmpty else { throw fail("pgmcc comes before the first step") }
                guard scenario.pgmcc == nil else { throw fail("pgmcc given twice") }
                scenario.pgmcc = try pgmcc(rest, fail: fail)
            case "confirm":
                guard scenario.steps.isEmpty else { throw fail("confirm comes before the first step") }
                guard scenario.confirm == nil else { throw fail("confirm given twice") }
                scenario.confirm = try confirm(rest, fail: fail)
            case "set":
                guard scenario.steps.isEmpty else { throw fail("options are set before the first step") }
                guard rest.count == 2 else { throw fail("set takes an option name and a value") }
                let option = rest[0].uppercased()
                guard let value = optionValue(rest[1], milliseconds: option.hasSuffix("_MS")) else {
                    throw fail("bad value '\(rest[1])' for \(option)")
                }
                scenario.options.append((option, value))
            default:
                guard role != nil else { throw fail("'iut source' or 'iut receiver' comes before the steps") }
                let action = try step(head, rest, fail: fail)
                scenario.steps.append(Step(line: lineNumber, action: action))
            }
        }
        guard let role else { throw ScenarioError(file: file, line: lineNumber, message: "no 'iut' line") }
        guard !scenario.sections.isEmpty else {
            throw ScenarioError(file: file, line: lineNumber, message: "no 'rfc' line: cite the section")
        }
        guard !scenario.title.isEmpty else {
            throw ScenarioError(file: file, line: lineNumber, message: "no 'title' line")
        }
        if let c = scenario.confirm {
            let fail = { (m: String) in ScenarioError(file: file, line: lineNumber, message: m) }
            if role == .receiver && (c.expiry != nil || c.maximum != nil || c.flow) {
                throw fail("confirm: expiry=, max= and flow are a source IUT's; a receiver IUT takes ivl=")
            }
            if role == .source && c.interval != nil {
                throw fail("confirm: ivl= is a receiver IUT's; a source IUT takes expiry=, max= and flow")
            }
        }
        for step in scenario.steps {
            guard case .expectConfirmed = step.action else { continue }
            guard role == .source, scenario.confirm != nil else {
                throw ScenarioError(file: file, line: step.line,
                                    message: "expect confirmed reads a source IUT's view: it needs 'iut source' and a confirm line")
            }
        }
        scenario.role = role
        return scenario
    }

    /// `fec n=N k=K proactive=H [ondemand]`.
    static func fec(_ words: [String], fail: (String) -> ScenarioError) throws(ScenarioError) -> FECParameters {
        var n: Int?, k: Int?, h = 0, onDemand = false
        for w in words {
            let (key, value) = split(w)
            switch key {
            case "n": n = Int(try num(value, w, fail))
            case "k": k = Int(try num(value, w, fail))
            case "proactive": h = Int(try num(value, w, fail))
            case "ondemand" where value == nil: onDemand = true
            default: throw fail("unknown fec field '\(w)': fec n=N k=K proactive=H [ondemand]")
            }
        }
        guard let n, let k else { throw fail("fec needs n= and k=") }
        do { return try FECParameters(n: n, k: k, proactive: h, onDemand: onDemand) } catch { throw fail("fec: \(error)") }
    }

    /// `pgmcc [election=DURATION] [lossweight=N] [ssthresh=N]`.
    static func pgmcc(_ words: [String], fail: (String) -> ScenarioError) throws(ScenarioError) -> PGMCCSettings {
        var p = PGMCCSettings()
        for w in words {
            let (key, value) = split(w)
            switch key {
            case "election":
                guard let value, let d = duration(value) else { throw fail("election takes a duration (e.g. 50ms)") }
                p.electionBackOff = d
            case "lossweight":
                let v = try num(value, w, fail)
                guard v <= 65536 else { throw fail("lossweight is at most 65536 (1.0)") }
                p.lossWeight = v
            case "ssthresh":
                let v = try num(value, w, fail)
                guard v >= 1 else { throw fail("ssthresh is at least 1") }
                p.slowStartThreshold = v
            default: throw fail("unknown pgmcc field '\(w)': pgmcc [election=DURATION] [lossweight=N] [ssthresh=N]")
            }
        }
        return p
    }

    /// `confirm [ivl=DURATION] [expiry=DURATION] [max=N] [flow]`.
    static func confirm(_ words: [String], fail: (String) -> ScenarioError) throws(ScenarioError) -> ConfirmSettings {
        var c = ConfirmSettings()
        for w in words {
            let (key, value) = split(w)
            switch key {
            case "ivl":
                guard let value, let d = duration(value), d > 0 else { throw fail("ivl takes a duration (e.g. 200ms)") }
                c.interval = d
            case "expiry":
                guard let value, let d = duration(value), d > 0 else { throw fail("expiry takes a duration (e.g. 3s)") }
                c.expiry = d
            case "max":
                let v = try num(value, w, fail)
                guard v >= 1 else { throw fail("max is at least 1") }
                c.maximum = Int(v)
            case "flow" where value == nil: c.flow = true
            default: throw fail("unknown confirm field '\(w)': confirm [ivl=DURATION] [expiry=DURATION] [max=N] [flow]")
            }
        }
        return c
    }

    /// `acker=iut|none|N`.
    static func acker(_ value: String?, _ field: String, _ fail: (String) -> ScenarioError) throws(ScenarioError)
        -> AckerName
    {
        switch value {
        case "none": return .none
        case "iut": return .iut
        default:
            guard let value, let n = Int(value), n >= 1 else { throw fail("'\(field)': acker=iut, acker=none or acker=N (a simulated peer)") }
            return .peer(n)
        }
    }

    /// `ts=N` or `ts=LOW..HIGH`.
    static func timestampRange(_ value: String?, _ field: String, _ fail: (String) -> ScenarioError) throws(ScenarioError)
        -> ClosedRange<UInt32>
    {
        guard let value else { throw fail("'\(field)' needs a number or LOW..HIGH") }
        // "N" or "LOW..HIGH" (split at each dot: LOW, "", HIGH).
        let parts = value.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 1 || (parts.count == 3 && parts[1].isEmpty),
              let low = number(parts[0]), let high = number(parts[parts.count - 1]), low <= high
        else {
            throw fail("'\(field)': ts=N or ts=LOW..HIGH")
        }
        return low...high
    }

    static func lossRate(_ value: String?, _ field: String, _ fail: (String) -> ScenarioError) throws(ScenarioError)
        -> UInt16
    {
        let v = try num(value, field, fail)
        guard let r = UInt16(exactly: v) else { throw fail("'\(field)': a loss rate is 0 to 65535") }
        return r
    }

    static func step(_ head: String, _ rest: [String], fail: (String) -> ScenarioError) throws(ScenarioError)
        -> Step.Action
    {
        switch head {
        case "send":
            guard let first = rest.first, let size = Int(first), size >= 0, size <= 1 << 20 else {
                throw fail("send takes a size in octets (0 to 1048576), then optionally xCOUNT")
            }
            var count = 1
            if rest.count == 2, rest[1].hasPrefix("x"), let n = Int(rest[1].dropFirst()), n > 0 { count = n }
            else if rest.count != 1 { throw fail("send SIZE [xCOUNT]") }
            return .send(size: size, count: count)
        case "close":
            if rest.isEmpty { return .close(reset: false) }
            guard rest == ["rst"] else { throw fail("close takes nothing or 'rst'") }
            return .close(reset: true)
        case "wait":
            guard rest.count == 1, let d = duration(rest[0]) else { throw fail("wait takes a duration (e.g. 200ms)") }
            return .wait(d)
        case "inject":
            guard let k = rest.first, let kind = PacketKind(rawValue: k) else {
                throw fail("inject takes a packet type: \(PacketKind.allCases.map(\.rawValue).joined(separator: " "))")
            }
            return .inject(try injection(kind, Array(rest.dropFirst()), fail: fail))
        case "expect":
            return try expectation(rest, fail: fail)
        default:
            throw fail("unknown step '\(head)'")
        }
    }

    static func expectation(_ words: [String], fail: (String) -> ScenarioError) throws(ScenarioError) -> Step.Action {
        var words = words
        let negated = words.first == "no"
        if negated { words.removeFirst() }
        guard let k = words.first else { throw fail("expect what?") }
        words.removeFirst()
        // Timing words at the end: after D, within D, for D.
        var after: Int64 = 0
        var within = defaultWithin
        var span: Int64?
        var fields: [String] = []
        var i = 0
        while i < words.count {
            let w = words[i]
            if w == "after" || w == "within" || w == "for" {
                guard i + 1 < words.count, let d = duration(words[i + 1]) else { throw fail("\(w) takes a duration") }
                switch w {
                case "after": after = d
                case "within": within = d
                default: span = d
                }
                i += 2
                continue
            }
            fields.append(w)
            i += 1
        }
        if k == "confirmed" {
            guard !negated else { throw fail("'expect no confirmed' is not a step: expect confirmed N|none [receivers=R] [refused=F]") }
            guard after == 0 else { throw fail("expect confirmed takes 'within', not 'after'") }
            return .expectConfirmed(try confirmedPattern(fields, fail: fail), within: within)
        }
        if negated {
            guard let span else { throw fail("'expect no ...' needs 'for DURATION'") }
            if let kind = EventPattern.Kind(rawValue: k) {
                guard fields.isEmpty else { throw fail("'expect no \(k)' takes no fields") }
                return .expectNoEvent(kind, duration: span)
            }
            guard let kind = PacketKind(rawValue: k) else { throw fail("unknown packet type '\(k)'") }
            return .expectNoPacket(try pattern(kind, fields, fail: fail), duration: span)
        }
        guard span == nil else { throw fail("'for' belongs to 'expect no'") }
        guard after <= within else { throw fail("'after' is later than 'within'") }
        if let kind = EventPattern.Kind(rawValue: k) {
            return .expectEvent(try event(kind, fields, fail: fail), after: after, within: within)
        }
        guard let kind = PacketKind(rawValue: k) else {
            throw fail("unknown packet type or event '\(k)' (packets: SPM ODATA RDATA NAK NCF SPMR ACK; events: deliver loss end)")
        }
        return .expectPacket(try pattern(kind, fields, fail: fail), after: after, within: within)
    }

    /// `confirmed N|none [receivers=R] [refused=F]`: N relative, -1 the sqn
    /// before the first.
    static func confirmedPattern(_ fields: [String], fail: (String) -> ScenarioError) throws(ScenarioError)
        -> ConfirmedPattern
    {
        guard let first = fields.first else { throw fail("expect confirmed N|none [receivers=R] [refused=F]") }
        var p = ConfirmedPattern(sequence: nil, receivers: nil, refused: nil,
                                 text: (["confirmed"] + fields).joined(separator: " "))
        if first != "none" { p.sequence = try relative(first, "confirmed \(first)", fail) }
        for f in fields.dropFirst() {
            let (key, value) = split(f)
            switch key {
            case "receivers": p.receivers = Int(try num(value, f, fail))
            case "refused": p.refused = Int(try num(value, f, fail))
            default: throw fail("unknown field '\(f)' for expect confirmed: receivers=R, refused=F")
            }
        }
        if p.sequence == nil && (p.receivers ?? 0) != 0 { throw fail("confirmed none goes with receivers=0") }
        return p
    }

    static func pattern(_ kind: PacketKind, _ fields: [String], fail: (String) -> ScenarioError) throws(ScenarioError)
        -> PacketPattern
    {
        var p = PacketPattern(kind: kind, text: ([kind.rawValue] + fields).joined(separator: " "))
        for f in fields {
            let (key, value) = split(f)
            switch key {
            case "sqn": p.sequence = try num(value, f, fail)
            case "trail": p.trail = try num(value, f, fail)
            case "lead": p.lead = try num(value, f, fail)
            case "len": p.length = Int(try num(value, f, fail))
            case "list": p.list = value == "none" ? [] : try list(value, f, fail)
            case "frag":
                guard let parts = value?.split(separator: ",", omittingEmptySubsequences: false), parts.count == 3 else {
                    throw fail("frag=FIRST,OFFSET,LENGTH (a part may be *)")
                }
                var v: [UInt32?] = []
                for part in parts {
                    if part == "*" { v.append(nil); continue }
                    guard let n = number(String(part)) else { throw fail("'\(f)': '\(part)' is not a number or *") }
                    v.append(n)
                }
                p.fragment = (v[0], v[1], v[2])
            case "fin": p.fin = .present
            case "!fin": p.fin = .absent
            case "rst": p.rst = .present
            case "!rst": p.rst = .absent
            case "syn": p.syn = .present
            case "!syn": p.syn = .absent
            case "join":
                p.join = .present
                if value != nil { p.joinValue = try num(value, f, fail) }
            case "!join": p.join = .absent
            case "to":
                guard value == "group" || value == "unicast" else { throw fail("to=group or to=unicast") }
                p.multicast = value == "group"
            case "nla": p.nla = Int(try num(value, f, fail))
            case "parity":
                switch value {
                case nil: p.parity = .present
                case "*": p.parity = .any
                default:
                    p.parity = .present
                    p.parityNumber = Int(try num(value, f, fail))
                }
            case "!parity": p.parity = .absent
            case "group": p.group = try num(value, f, fail)
            case "count": p.count = Int(try num(value, f, fail))
            case "varlen": p.variableLength = .present
            case "!varlen": p.variableLength = .absent
            case "prm":
                p.prm = .present
                if value != nil { p.prmSize = try num(value, f, fail) }
            case "!prm": p.prm = .absent
            case "pro": p.proactive = .present
            case "!pro": p.proactive = .absent
            case "ond": p.onDemand = .present
            case "!ond": p.onDemand = .absent
            case "acker":
                p.ccData = .present
                if value != "*" {
                    let a = try acker(value, f, fail)
                    guard a != .iut else { throw fail("acker=iut: an IUT source names a simulated peer or none") }
                    p.acker = a
                }
            case "!acker": p.ccData = .absent
            case "rxmax": p.rxMax = try relative(value, f, fail)
            case "bitmap": p.bitmap = try num(value, f, fail)
            case "feedback": p.feedback = .present
            case "!feedback": p.feedback = .absent
            case "ts":
                p.feedback = .present
                p.timestamp = try timestampRange(value, f, fail)
            case "loss":
                p.feedback = .present
                p.lossRate = try lossRate(value, f, fail)
            case "confirm": p.confirm = .present
            case "!confirm": p.confirm = .absent
            case "confirmed":
                p.confirm = .present
                p.confirmed = try relative(value, f, fail)
            case "id":
                guard value == "any" else {
                    throw fail("'\(f)': a receiver's id is its own random number: id=any (the runner checks one per session)")
                }
                p.confirm = .present
            case "cjoin", "!cjoin", "bye", "!bye", "lost", "!lost":
                p.confirm = .present
                let presence: Presence = key.hasPrefix("!") ? .absent : .present
                switch key.drop(while: { $0 == "!" }) {
                case "cjoin": p.confirmJoin = presence
                case "bye": p.bye = presence
                default: p.confirmLost = presence
                }
            default: throw fail("unknown field '\(f)' for \(kind.rawValue)")
            }
        }
        if p.confirm != .any && kind != .ACK {
            throw fail("confirm, confirmed, id, cjoin, bye and lost are an ACK's (OPT_CONFIRM)")
        }
        if p.parityNumber != nil && p.group == nil { throw fail("parity=J needs group=G") }
        if p.count != nil && (p.group == nil || p.parity != .present) { throw fail("count=C goes with parity and group=G") }
        if p.parityNumber != nil && !(kind == .ODATA || kind == .RDATA) { throw fail("parity=J is for ODATA and RDATA") }
        if p.ccData != .any && !(kind == .ODATA || kind == .RDATA) { throw fail("acker is for ODATA and RDATA") }
        if (p.rxMax != nil || p.bitmap != nil) && kind != .ACK { throw fail("rxmax and bitmap are an ACK's") }
        if p.feedback != .any && !(kind == .NAK || kind == .ACK) { throw fail("feedback, ts and loss are for NAK and ACK") }
        return p
    }

    static func injection(_ kind: PacketKind, _ fields: [String], fail: (String) -> ScenarioError) throws(ScenarioError)
        -> Injection
    {
        var j = Injection(kind: kind, text: ([kind.rawValue] + fields).joined(separator: " "))
        for f in fields {
            let (key, value) = split(f)
            switch key {
            case "sqn": j.sequence = try num(value, f, fail)
            case "trail": j.trail = try num(value, f, fail)
            case "lead": j.lead = try num(value, f, fail)
            case "len":
                let n = Int(try num(value, f, fail))
                guard n <= 65000 else { throw fail("len is at most 65000") }
                j.length = n
            case "list": j.list = try list(value, f, fail)
            case "frag": j.fragment = try frag(value, f, fail)
            case "fin": j.fin = true
            case "syn": j.syn = true
            case "rst": j.rst = (noNAKs: value == "n", code: 0)
            case "join": j.join = try num(value, f, fail)
            case "peer": j.peer = Int(try num(value, f, fail))
            case "from": j.from = Int(try num(value, f, fail))
            case "who": j.who = Int(try num(value, f, fail))
            case "nla": j.nla = Int(try num(value, f, fail))
            case "to":
                guard value == "group" || value == "unicast" else { throw fail("to=group or to=unicast") }
                j.multicast = value == "group"
            case "damage":
                guard let v = value, let d = Injection.Damage(rawValue: v) else {
                    throw fail("damage=checksum|truncate|type|option|tsdu")
                }
                j.damage = d
            case "parity":
                j.parity = true
                if value != nil { j.parityNumber = Int(try num(value, f, fail)) }
            case "group": j.group = try num(value, f, fail)
            case "count": j.count = Int(try num(value, f, fail))
            case "lost": j.lost = true
            case "varlen": j.variableLength = true
            case "!varlen": j.variableLength = false
            case "tgsize": j.currentGroupSize = try num(value, f, fail)
            case "prm":
                j.prm = true
                if value != nil { j.prmSize = try num(value, f, fail) }
            case "!prm": j.prm = false
            case "acker": j.acker = try acker(value, f, fail)
            case "ts": j.timestamp = try num(value, f, fail)
            case "feedback": j.feedback = true
            case "!feedback": j.feedback = false
            case "loss": j.lossRate = try lossRate(value, f, fail)
            case "rxmax": j.rxMax = try relative(value, f, fail)
            case "bitmap": j.bitmap = try num(value, f, fail)
            case "confirmed": j.confirmed = try relative(value, f, fail)
            case "id": j.receiverID = try num(value, f, fail)
            case "cjoin": j.confirmJoin = true
            case "bye": j.bye = true
            default: throw fail("unknown field '\(f)' for inject \(kind.rawValue)")
            }
        }
        guard j.list.count <= 62 else { throw fail("a NAK list holds at most 62 entries") }
        if j.parityNumber != nil {
            guard j.kind == .ODATA || j.kind == .RDATA else { throw fail("parity=J is for ODATA and RDATA") }
            guard j.group != nil else { throw fail("parity=J needs group=G") }
        }
        if j.count != nil && (j.group == nil || !j.parity) { throw fail("count=C goes with parity and group=G") }
        if j.lost && !(j.kind == .ODATA || j.kind == .RDATA || j.kind == .ACK) {
            throw fail("lost is for ODATA and RDATA (not delivered), and ACK (OPT_CONFIRM's LOST bit)")
        }
        if (j.confirmed != nil || j.receiverID != nil || j.confirmJoin || j.bye) && j.kind != .ACK {
            throw fail("confirmed, id, cjoin and bye are an ACK's (OPT_CONFIRM)")
        }
        if j.kind == .ACK && j.confirmed == nil && (j.receiverID != nil || j.confirmJoin || j.bye || j.lost) {
            throw fail("id, cjoin, bye and lost on an ACK are OPT_CONFIRM's: give confirmed= too")
        }
        if j.acker != nil && !(j.kind == .ODATA || j.kind == .RDATA) { throw fail("acker is for ODATA and RDATA") }
        if j.feedback != nil && !(j.kind == .NAK || j.kind == .ACK) { throw fail("feedback is for NAK and ACK") }
        if j.lossRate != nil && !(j.kind == .NAK || j.kind == .ACK) { throw fail("loss is for NAK and ACK") }
        if j.timestamp != nil && !(j.kind == .ODATA || j.kind == .RDATA || j.kind == .NAK || j.kind == .ACK) {
            throw fail("ts is for ODATA, RDATA (with acker), NAK and ACK")
        }
        if j.timestamp != nil && (j.kind == .ODATA || j.kind == .RDATA) && j.acker == nil {
            throw fail("ts on \(j.kind.rawValue) is OPT_PGMCC_DATA's: give acker= too")
        }
        if (j.rxMax != nil || j.bitmap != nil) && j.kind != .ACK { throw fail("rxmax and bitmap are an ACK's") }
        if j.kind == .ACK && j.rxMax == nil && j.confirmed == nil { throw fail("inject ACK needs rxmax= (or confirmed=)") }
        return j
    }

    static func event(_ kind: EventPattern.Kind, _ fields: [String], fail: (String) -> ScenarioError) throws(ScenarioError)
        -> EventPattern
    {
        var e = EventPattern(kind: kind, text: ([kind.rawValue] + fields).joined(separator: " "))
        for f in fields {
            let (key, value) = split(f)
            switch (kind, key) {
            case (.deliver, "sqn"), (.loss, "first"): e.sequence = try num(value, f, fail)
            case (.deliver, "len"): e.length = Int(try num(value, f, fail))
            case (.loss, "count"): e.count = try num(value, f, fail)
            case (_, "peer"): e.peer = Int(try num(value, f, fail))
            case (.end, _):
                guard value == nil, let r = SessionEndReason(name: key) else {
                    throw fail("end takes fin, rst or expired")
                }
                e.reason = r
            default: throw fail("unknown field '\(f)' for \(kind.rawValue)")
            }
        }
        if kind == .loss && (e.sequence == nil || e.count == nil) { throw fail("loss needs first= and count=") }
        if kind == .end && e.reason == nil { throw fail("end needs fin, rst or expired") }
        return e
    }

    // MARK: Values

    static func split(_ field: String) -> (String, String?) {
        guard let eq = field.firstIndex(of: "=") else { return (field, nil) }
        return (String(field[..<eq]), String(field[field.index(after: eq)...]))
    }

    static func num(_ value: String?, _ field: String, _ fail: (String) -> ScenarioError) throws(ScenarioError) -> UInt32 {
        guard let value, let n = number(value) else { throw fail("'\(field)' needs a number") }
        return n
    }

    static func list(_ value: String?, _ field: String, _ fail: (String) -> ScenarioError) throws(ScenarioError)
        -> [UInt32]
    {
        guard let value else { throw fail("'\(field)' needs numbers separated by commas") }
        var out: [UInt32] = []
        for part in value.split(separator: ",") {
            guard let n = number(String(part)) else { throw fail("'\(field)': '\(part)' is not a number") }
            out.append(n)
        }
        return out
    }

    static func frag(_ value: String?, _ field: String, _ fail: (String) -> ScenarioError) throws(ScenarioError)
        -> (first: UInt32, offset: UInt32, length: UInt32)
    {
        let parts = try list(value, field, fail)
        guard parts.count == 3 else { throw fail("frag=FIRST,OFFSET,LENGTH") }
        return (parts[0], parts[1], parts[2])
    }

    /// A sequence number relative to the session's first: a number, or -N
    /// for N before it (-1: nothing confirmed yet).
    static func relative(_ value: String?, _ field: String, _ fail: (String) -> ScenarioError) throws(ScenarioError)
        -> UInt32
    {
        guard let value else { throw fail("'\(field)' needs a number") }
        if value.hasPrefix("-") {
            guard let n = number(String(value.dropFirst())) else { throw fail("'\(field)' needs a number") }
            return 0 &- n
        }
        return try num(value, field, fail)
    }

    /// A decimal or 0x-hexadecimal 32-bit number.
    static func number(_ text: String) -> UInt32? {
        if text.hasPrefix("0x") { return UInt32(text.dropFirst(2), radix: 16) }
        return UInt32(text)
    }

    /// A duration in microseconds: 500us, 20ms, 2s.
    static func duration(_ text: String) -> Int64? {
        for (suffix, scale) in [("us", Int64(1)), ("ms", 1000), ("s", 1_000_000)] where text.hasSuffix(suffix) {
            guard let n = Int64(text.dropLast(suffix.count)), n >= 0, n <= 3_600_000_000 else { return nil }
            return n * scale
        }
        return nil
    }

    /// An option value: a number, or a duration in the option's unit.
    static func optionValue(_ text: String, milliseconds: Bool) -> UInt32? {
        if let n = number(text) { return n }
        guard let us = duration(text) else { return nil }
        let v = milliseconds ? us / 1000 : us
        return UInt32(exactly: v)
    }
}

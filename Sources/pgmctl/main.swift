import ArgumentParser
import PGMNetlink
import PGMCLISupport
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// pgmctl: the PGM module's control plane from the command line, over the
/// generic-netlink family `pgm`.
@main
struct PGMCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pgmctl",
        abstract: "Show and set the PGM module's netns-wide defaults; list sockets and sessions; counters and events; "
            + "the multicast policy and the network element.",
        discussion: """
            Talks to pgm.ko over generic netlink (family "pgm") in the caller's network namespace. \
            Everything but `set`, `profile NAME`, \
            `policy default|max-groups|rate-cap|add|del|map|unmap|flush`, `ne on|off` and `monitor` \
            is open to any user; those need CAP_NET_ADMIN over the namespace. \
            Exit status: 0 on success, 1 when the kernel refuses or the module is not loaded, 64 on \
            a usage error. See pgmctl(8).
            """,
        version: pgmVersion,
        subcommands: [Show.self, SetCommand.self, Profile.self, Sockets.self, Peers.self, Receivers.self, Stats.self,
                      PolicyCommand.self, NECommand.self, Monitor.self]
    )
}

/// Opens the family, turning "not registered" into a sentence.
func control() throws -> PGMControl {
    do {
        return try PGMControl()
    } catch .familyNotFound {
        throw Failure("the pgm module is not loaded (no generic netlink family \"pgm\"); load it with `modprobe pgm`")
    } catch {
        throw Failure("netlink: \(error)")
    }
}

/// What the kernel's refusal means to a user: its extack text, the
/// attribute at fault and the range its policy accepts.
func explain(_ error: NetlinkError, request: NetlinkRequest? = nil, set: String? = nil) -> Failure {
    guard case .refused(let errno, let report) = error else {
        if case .familyNotFound = error {
            return Failure("the pgm module is not loaded (no generic netlink family \"pgm\"); load it with `modprobe pgm`")
        }
        return Failure("netlink: \(error)")
    }
    if errno == .notPermitted {
        return Failure("permission denied: \(set ?? "this") needs CAP_NET_ADMIN in the network namespace (run as root)")
    }
    var text = "kernel refused the request: \(report.message ?? String(describing: errno))"
    if let off = report.offset, let request, let type = attributeType(at: Int(off), in: request) {
        text += " [\(attributeName(type, command: request.command))]"
    }
    if let lo = report.policyMinimum, let hi = report.policyMaximum {
        text += " (accepted: \(lo)-\(hi))"
    }
    text += " (\(errno))"
    return Failure(text)
}

/// The spec's name of attribute `type` in a request with `command`: the
/// attributes of its own set.
func attributeName(_ type: UInt16, command: UInt8) -> String {
    let name: String? = switch PGMCommand(rawValue: command) {
    case .policySet: PGMPolicyAttribute(rawValue: type)?.description
    case .policyRuleAdd, .policyRuleDel: PGMPolicyRuleAttribute(rawValue: type)?.description
    case .policyMapAdd, .policyMapDel: PGMPolicyMapAttribute(rawValue: type)?.description
    case .neSet: PGMNeAttribute(rawValue: type)?.description
    default: PGMDefaultsAttribute(rawValue: type)?.description
    }
    return name ?? "attribute \(type)"
}

/// The type of the attribute at byte `offset` of the encoded request.
func attributeType(at offset: Int, in request: NetlinkRequest) -> UInt16? {
    var at = 20
    for a in request.attributes {
        if at == offset { return a.type }
        at += 4 + (a.payload.count + 3) & ~3
    }
    return nil
}

/// Options every listing command has.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print JSON (one object, or one per line where noted).")
    var json = false
}

// MARK: - show, set

struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the netns-wide defaults new sockets take.")

    @OptionGroup var output: OutputOptions

    func run() throws {
        let ctl = try control()
        let d: PGMDefaults
        do { d = try ctl.defaults() } catch { throw explain(error) }
        let keys = PGMDefaultsAttribute.allCases.filter { d.values[$0] != nil }
        if output.json {
            print(JSON.object(keys.map { ($0.description, .uint(UInt64(d.values[$0] ?? 0))) }).text)
            return
        }
        let width = keys.map(\.description.count).max() ?? 0
        for k in keys {
            let v = String(d.values[k] ?? 0)
            print(k.description.leftAligned(width) + "  " + v.leftAligned(10) + "  " + k.doc)
        }
    }
}

/// A key as the user may spell it: txw-sqns, TXW_SQNS or PGM_TXW_SQNS.
func defaultsKey(_ s: String) -> PGMDefaultsAttribute? {
    var k = s.lowercased().replacingAll("_", with: "-")
    if k.hasPrefix("pgm-") { k.removeFirst(4) }
    return PGMDefaultsAttribute.allCases.first { $0.description == k && $0.accepted != nil }
}

/// Keys close to an unknown one: a shared prefix or a small edit distance.
func suggestions(for s: String) -> [String] {
    let k = s.lowercased().replacingAll("_", with: "-")
    let names = PGMDefaultsAttribute.allCases.filter { $0.accepted != nil }.map(\.description)
    let scored = names.map { ($0, editDistance(k, $0)) }
        .filter { $0.1 <= max(2, k.count / 3) || $0.0.contains(k) || k.contains($0.0) }
        .sorted { $0.1 < $1.1 }
    return scored.prefix(3).map(\.0)
}

func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    var row = Array(0...b.count)
    for i in 1...max(1, a.count) where !a.isEmpty {
        var prev = row[0]
        row[0] = i
        for j in 1...max(1, b.count) where !b.isEmpty {
            let cur = row[j]
            row[j] = min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] == b[j - 1] ? 0 : 1))
            prev = cur
        }
    }
    return a.isEmpty ? b.count : row[b.count]
}

struct SetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Set netns-wide defaults: KEY VALUE pairs, all or none.",
        discussion: """
            Keys are those `pgmctl show` lists (txw-sqns, or TXW_SQNS, or PGM_TXW_SQNS). A value is \
            a number in the key's unit (microseconds for most times, milliseconds for txw-secs-ms, \
            bytes per second for txw-max-rte, bytes for sizes), or a time or rate with a unit as tc \
            writes them: nak-bo-ivl 50ms, spm-ambient-ivl 2s, txw-max-rte 100M (bytes/s) or 100mbit \
            (bits/s), rx-mem 64Mi. The kernel checks every value with the ranges setsockopt uses \
            and stores all of them or none. Sockets created afterwards take the new values; open \
            sockets keep theirs. Needs CAP_NET_ADMIN in the network namespace.
            """)

    /// The keys `set` takes, for completion and help.
    static let keys = PGMDefaultsAttribute.allCases.filter { $0.accepted != nil }.map(\.description)

    // .allUnrecognized: a value such as -1 is a value (refused as out of
    // range), not an unknown option.
    @Argument(parsing: .allUnrecognized, help: ArgumentHelp("Pairs of a key and a value.", valueName: "KEY VALUE"),
              completion: .list(SetCommand.keys))
    var arguments: [String] = []

    /// The keys and values, without a `--` (it is captured with them).
    var pairs: [String] { arguments.filter { $0 != "--" } }

    /// For tests of the kernel's checks: TYPE:KIND:VALUE sent as is (KIND u16, u32 or u64).
    @Option(name: .customLong("raw"), help: .hidden)
    var raw: [String] = []

    func validate() throws {
        guard !pairs.isEmpty || !raw.isEmpty else { throw ValidationError("give at least one KEY VALUE pair") }
        guard pairs.count % 2 == 0 else {
            throw ValidationError("'\(pairs[pairs.count - 1])' has no value: give KEY VALUE pairs")
        }
        for i in stride(from: 0, to: pairs.count, by: 2) {
            let key = pairs[i]
            guard defaultsKey(key) != nil else {
                let s = suggestions(for: key)
                throw ValidationError("unknown key '\(key)'" +
                    (s.isEmpty ? "; `pgmctl show` lists the keys" : "; did you mean \(s.map { "'\($0)'" }.joined(separator: ", "))?"))
            }
            do throws(OptionValueError) { _ = try value(pairs[i + 1], key: key) } catch {
                throw ValidationError(error.description)
            }
        }
        for r in raw where rawAttribute(r) == nil {
            throw ValidationError("--raw wants TYPE:u16|u32|u64:VALUE; got '\(r)'")
        }
    }

    /// `text` as the value of `key`, in the key's unit: a bare number is in
    /// that unit, a time or rate with a unit is converted to it. Values past
    /// a u32 (a negative one too) are refused here with the key's range; the
    /// kernel checks the rest.
    func value(_ text: String, key: String) throws(OptionValueError) -> UInt32 {
        guard let k = defaultsKey(key) else { throw OptionValueError(option: key, error: .notANumber(text: text, unit: .count(""))) }
        let unit = QuantityUnit.spec(k.unit)
        let v: Int64
        do { v = try Quantity.parse(text, bareUnit: unit).whole(in: unit) } catch .tooLarge {
            v = .max
        } catch {
            throw OptionValueError(option: key, error: error)
        }
        guard let u = UInt32(exactly: v) else {
            let r = k.accepted.map { "\($0.range.lowerBound)-\($0.range.upperBound)" + (unit.name.isEmpty ? "" : " \(unit.name)")
                + ($0.zeroMeansOff ? " (0: off)" : "") } ?? "0-\(UInt32.max)"
            throw OptionValueError(option: key, error: .outOfRange(text: text, accepted: r))
        }
        return u
    }

    func rawAttribute(_ s: String) -> NetlinkAttribute? {
        let p = s.split(separator: ":").map(String.init)
        guard p.count == 3, let t = UInt16(p[0]) else { return nil }
        switch p[1] {
        case "u16": return UInt16(p[2]).map { .u16(t, $0) }
        case "u32": return UInt32(p[2]).map { .u32(t, $0) }
        case "u64": return UInt64(p[2]).map { .u64(t, $0) }
        default: return nil
        }
    }

    func run() throws {
        var attrs: [NetlinkAttribute] = []
        for i in stride(from: 0, to: pairs.count, by: 2) {
            if let k = defaultsKey(pairs[i]), let v = try? value(pairs[i + 1], key: pairs[i]) { attrs.append(.u32(k.rawValue, v)) }
        }
        attrs += raw.compactMap(rawAttribute)
        let ctl = try control()
        let request = ctl.request(.defaultsSet, attributes: attrs)
        do {
            _ = try ctl.send(request)
        } catch {
            throw explain(error, request: request, set: "setting defaults")
        }
    }
}

// MARK: - profile

struct Profile: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the tunables' profiles and which one the netns's defaults match; or set one as the defaults.",
        discussion: """
            A profile (kernel/pgm.yaml, pgm(7) "Profiles") is a set of values for some tunables: \
            lan for a low-latency LAN (RTT well under 1 ms), wan for the built-in defaults. Each \
            gives every tunable that any profile changes, so setting one undoes another. Without \
            NAME, lists the profiles, each tunable's value and unit, the netns's current values and \
            the profile they match, if any. With NAME, makes its values the netns's defaults, in one \
            request, all or none, as `set` does: sockets created afterwards take them. Setting \
            needs CAP_NET_ADMIN in the network namespace.
            """)

    @Argument(help: ArgumentHelp("The profile to set as the netns's defaults: \(TunableProfile.names.joined(separator: ", ")).",
                                 valueName: "name"),
              completion: .list(TunableProfile.names))
    var name: String?

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if let name {
            do throws(UnknownProfileError) { _ = try TunableProfile.named(name) } catch {
                throw ValidationError(error.description)
            }
        }
    }

    func run() throws {
        guard let name else { return list() }
        let profile = try TunableProfile.named(name)
        let ctl = try control()
        let request = ctl.request(.defaultsSet, attributes: profile.attributes)
        do {
            _ = try ctl.send(request)
        } catch {
            throw explain(error, request: request, set: "setting a profile")
        }
    }

    /// The table of profiles, with the netns's current values when the
    /// module answers (the profiles themselves come from the spec).
    func list() {
        var current: PGMDefaults?
        var why: String?
        do {
            let ctl = try control()
            do { current = try ctl.defaults() } catch { why = explain(error).description }
        } catch {
            why = "\(error)"
        }
        let keys = TunableProfile.all.first?.settings.compactMap(\.attribute) ?? []
        let matching = current.map(TunableProfile.matching) ?? []
        if output.json {
            var o: [(String, JSON)] = [("profiles", .array(TunableProfile.all.map { p in
                .object([("name", .string(p.name)), ("doc", .string(p.doc)),
                         ("values", .array(p.settings.compactMap { s in
                             s.attribute.map { a in
                                 .object([("key", .string(a.description)), ("value", .uint(UInt64(s.value))),
                                          ("unit", .string(a.unit))])
                             }
                         }))])
            }))]
            if let current {
                o.append(("current", .object(keys.map { k in
                    (k.description, current.values[k].map { .uint(UInt64($0)) } ?? .null)
                })))
                o.append(("matches", matching.first.map { .string($0.name) } ?? .null))
            } else {
                o += [("current", .null), ("matches", .null), ("error", .string(why ?? ""))]
            }
            print(JSON.object(o).text)
            return
        }
        var header = ["key", "unit"] + TunableProfile.names
        if current != nil { header.append("current") }
        let rows: [[String]] = keys.map { k in
            var r = [k.description, k.unit] + TunableProfile.all.map { $0.value(of: k).map { String($0) } ?? "-" }
            if let current { r.append(current.values[k].map { String($0) } ?? "-") }
            return r
        }
        for l in tableLines(header, rows, separator: "  ") { print(l) }
        print("")
        let nameWidth = TunableProfile.names.map(\.count).max() ?? 0
        for p in TunableProfile.all { print(p.name.leftAligned(nameWidth) + "  " + p.doc) }
        print("")
        if current != nil {
            print("the netns's defaults match "
                + (matching.isEmpty ? "no profile" : "profile " + matching.map(\.name).joined(separator: ", ")))
        } else {
            print("the netns's defaults: not known (\(why ?? "no answer"))")
        }
    }
}

// MARK: - sockets, peers

/// A session's FEC for the peers table: "k=16 proactive+ondemand, 497 rebuilt, 45 parity NAKs".
func fecText(_ f: PGMPeerInfo.PeerFEC, _ p: PGMPeerInfo) -> String {
    let offer = [f.proactive ? "proactive" : nil, f.onDemand ? "ondemand" : nil].compactMap { $0 }.joined(separator: "+")
    return "k=\(f.groupSize)\(offer.isEmpty ? "" : " " + offer), \(p.groupsRebuilt) rebuilt, \(p.parityNAKsSent) parity NAKs"
}

/// A session's PGMCC for the peers table: "pgmcc loss 0.76%, 40 ACKs"; nil
/// when the receiver takes no part or the source does not run PGMCC.
func pgmccText(_ p: PGMPeerInfo) -> String? {
    guard let l = p.pgmccLossRate else { return nil }
    return "pgmcc loss \(percentText(l)), \(p.acksSent) ACKs"
}

/// A PGMCC source's state for the sockets table: "pgmcc acker 10.0.0.2 W
/// 3.50 rtt 2.10 ms loss 0.76%"; "pgmcc electing W 1.00" while it has no
/// acker; the RTT "-" before a sample.
func pgmccText(_ c: SourcePGMCC) -> String {
    let w = "W \(fixed(c.windowPackets, 2))"
    guard let a = c.acker else { return "pgmcc electing \(w)" }
    return "pgmcc acker \(a) \(w) rtt \(millisecondsText(c.rttMicroseconds)) loss \(percentText(c.lossRate))"
}

/// A confirming source's state for the sockets table: "confirm receivers
/// 3 confirmed 1234"; "confirmed -" while no receiver is live.
func confirmText(_ c: SourceConfirm) -> String {
    "confirm receivers \(c.receivers) confirmed \(c.confirmed.map { String($0.rawValue) } ?? "-")"
}

/// A RECEIVER ID as the monitor prints it: eight hex digits, "0x0000abcd".
func receiverIDText(_ id: UInt32) -> String {
    let h = String(id, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 8 - h.count)) + h
}

/// Microseconds as milliseconds with two decimals: "2.10 ms"; "-" for 0
/// (no sample).
func millisecondsText(_ us: UInt32) -> String {
    us == 0 ? "-" : "\(fixed(Double(us) / 1000, 2)) ms"
}

/// A PGMCC loss rate (0 to 65535 for 0 to 1) in percent: "0.76%".
func percentText(_ rate: UInt32) -> String {
    "\(fixed(Double(rate) * 100 / 65536, 2))%"
}

/// The peers table's last column: FEC and PGMCC, or "-".
func peerExtras(_ p: PGMPeerInfo) -> String {
    let parts = [p.fec.map { fecText($0, p) }, pgmccText(p)].compactMap { $0 }
    return parts.isEmpty ? "-" : parts.joined(separator: "; ")
}

/// An address and port: "239.1.1.1:7500", "[ff15::1]:7500"; "*" for no address.
func endpoint(_ addr: IPAddress?, _ port: UInt16?) -> String {
    switch (addr, port) {
    case (let a?, let p?): a.text(port: p)
    case (let a?, nil): a.description
    case (nil, let p?): "*:\(p)"
    case (nil, nil): "*"
    }
}

struct Sockets: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the netns's PGM sockets, with windows, queues, counters and owning process (like ss -ip).",
        discussion: """
            Filters combine: `--role receiver --group 239.1.2.3 --port 7500` lists the receivers of that \
            group and port. The process is the one that created the socket (pid/command, as netstat -p; \
            the command from /proc), in pgmctl's pid namespace. A source running PGMCC (PGM_PGMCC) \
            shows its acker, its window W in packets, the smoothed RTT to the acker and the acker's \
            loss rate ("pgmcc acker 10.0.0.2 W 3.50 rtt 2.10 ms loss 0.76%"), or "pgmcc electing" \
            while it has no acker; --json gives them as pgmcc_acker (null while none), pgmcc_window \
            (W in 1/65536 packets), pgmcc_rtt_us and pgmcc_loss_rate (0-65535). A source with \
            confirmed delivery (PGM_CONFIRM) shows its live confirming receivers and CONFIRMED, the \
            sequence number through which every one of them has everything ("confirm receivers 3 \
            confirmed 1234", "confirmed -" while none is live); --json gives them as \
            confirm_receivers and confirmed_sqn (null while none is live). A source the netns's \
            multicast policy limits (a rule's rate-cap, or its share of the policy's rate-cap) shows \
            the rate the policy allows it ("policy-rate 100000B/s"; --json: policy_rate); it sends \
            at the smaller of that and its own rate limit.
            """)

    @Option(parsing: .unconditional, help: ArgumentHelp("Only sockets of this role: source, receiver or none.", valueName: "role"))
    var role: RoleFilter?

    @Option(parsing: .unconditional, help: ArgumentHelp("Only sockets of this multicast group (IPv4 or IPv6).", valueName: "address"))
    var group: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Only sockets of this data-destination port.", valueName: "port"))
    var port: UInt16?

    @OptionGroup var output: OutputOptions

    enum RoleFilter: String, ExpressibleByArgument, CaseIterable {
        case source, receiver, none
    }

    func validate() throws {
        if let g = group {
            guard let a = try? IPAddress(g) else { throw ValidationError("--group: '\(g)' is not an IPv4 or IPv6 address") }
            guard a.isMulticast else { throw ValidationError("--group: \(g) is not a multicast address") }
        }
        if port == 0 { throw ValidationError("--port must be 1-65535") }
    }

    func matches(_ s: PGMSocketInfo) -> Bool {
        if let r = role, s.role.description != r.rawValue { return false }
        if let g = group.flatMap({ try? IPAddress($0) }), s.group != g { return false }
        if let p = port, s.port != p { return false }
        return true
    }

    func run() throws {
        let ctl = try control()
        var list: [PGMSocketInfo]
        do { list = try ctl.sockets() } catch { throw explain(error) }
        list = list.filter(matches)
        if output.json {
            print(JSON.array(list.map(socketJSON)).text)
            return
        }
        let header = ["Inode", "UID", "Role", "State", "Local", "Group", "TSI", "Recv-Q", "Err-Q", "Process"]
        let rows = list.map { s in
            [String(s.inode), String(s.uid), s.role.description, s.state.description,
             s.address.map(\.description) ?? "*", endpoint(s.group, s.port), s.tsi?.description ?? "-",
             String(s.receiveQueue), String(s.errorQueue), process(s.pid)]
        }
        // Each column as wide as its widest cell: a full TSI is never cut.
        let lines = tableLines(header, rows)
        print(lines[0])
        for (s, row) in zip(list, lines.dropFirst()) {
            print(row)
            var detail = "\t rmem \(s.rmemAlloc)/\(s.rcvbuf) wmem \(s.wmemAlloc)/\(s.sndbuf)"
            if let t = s.txwTrail, let l = s.txwLead, let n = s.txwSize {
                // An empty window (nothing sent yet) has its trail one past its lead.
                let window = s.transmitWindowEmpty == true ? "-" : "\(t)..\(l)"
                detail += " txw \(window)/\(n) held \(s.txwBytes ?? 0)B rate \(s.rateLimit ?? 0)B/s"
            }
            if let p = s.policyRate { detail += " policy-rate \(p)B/s" }
            if let c = s.pgmcc { detail += " " + pgmccText(c) }
            if let c = s.confirm { detail += " " + confirmText(c) }
            if let p = s.peers { detail += " peers \(p)" }
            let counters = s.sourceStatistics?.namedCounters ?? s.receiverStatistics?.namedCounters ?? []
            if !counters.isEmpty { detail += "\n\t " + counters.map { "\($0.0) \($0.1)" }.joined(separator: " ") }
            print(detail)
        }
    }
}

/// The command of a process, from /proc/PID/comm; nil when it is gone.
func command(of pid: UInt32) -> String? {
    let fd = open("/proc/\(pid)/comm", O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var buf = [UInt8](repeating: 0, count: 64)
    let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
    guard n > 0 else { return nil }
    var s = String(decoding: buf[0..<n], as: UTF8.self)
    while s.last == "\n" { s.removeLast() }
    return s
}

/// The owner as netstat -p shows it: pid/command (pid alone when the
/// process is gone, - when it is not in our pid namespace).
func process(_ pid: UInt32?) -> String {
    guard let pid else { return "-" }
    return command(of: pid).map { "\(pid)/\($0)" } ?? String(pid)
}

func socketJSON(_ s: PGMSocketInfo) -> JSON {
    var o: [(String, JSON)] = [
        ("inode", .uint(UInt64(s.inode))), ("uid", .uint(UInt64(s.uid))), ("role", .string(s.role.description)),
        ("state", .string(s.state.description)), ("family", .uint(UInt64(s.family.version))),
        ("gsi", .string(s.gsi.description)),
    ]
    if let t = s.tsi { o.append(("tsi", .string(t.description))) }
    if let a = s.address { o.append(("address", .string(a.description))) }
    if let g = s.group { o.append(("group", .string(g.description))) }
    if let p = s.port { o.append(("port", .uint(UInt64(p)))) }
    if let p = s.sourcePort { o.append(("source_port", .uint(UInt64(p)))) }
    if let v = s.txwTrail { o.append(("txw_trail", .uint(UInt64(v)))) }
    if let v = s.txwLead { o.append(("txw_lead", .uint(UInt64(v)))) }
    if let v = s.txwSize { o.append(("txw_size", .uint(UInt64(v)))) }
    if let v = s.txwBytes { o.append(("txw_bytes", .uint(v))) }
    if let v = s.rateLimit { o.append(("rate_limit", .uint(UInt64(v)))) }
    if let v = s.policyRate { o.append(("policy_rate", .uint(UInt64(v)))) }
    if let c = s.pgmcc {
        o += [("pgmcc_acker", c.acker.map { .string($0.description) } ?? .null),
              ("pgmcc_window", .uint(UInt64(c.window))), ("pgmcc_rtt_us", .uint(UInt64(c.rttMicroseconds))),
              ("pgmcc_loss_rate", .uint(UInt64(c.lossRate)))]
    }
    if let c = s.confirm {
        o += [("confirm_receivers", .uint(UInt64(c.receivers))),
              ("confirmed_sqn", c.confirmed.map { .uint(UInt64($0.rawValue)) } ?? .null)]
    }
    o += [("rmem_alloc", .uint(UInt64(s.rmemAlloc))), ("rcvbuf", .uint(UInt64(s.rcvbuf))),
          ("wmem_alloc", .uint(UInt64(s.wmemAlloc))), ("sndbuf", .uint(UInt64(s.sndbuf))),
          ("receive_queue", .uint(UInt64(s.receiveQueue))), ("error_queue", .uint(UInt64(s.errorQueue)))]
    if let p = s.peers { o.append(("peers", .uint(UInt64(p)))) }
    if let e = s.transmitWindowEmpty { o.append(("txw_empty", .bool(e))) }
    if let p = s.pid {
        o.append(("pid", .uint(UInt64(p))))
        o.append(("command", command(of: p).map { .string($0) } ?? .null))
    }
    let key = { (n: String) in n.replacingAll("-", with: "_") }
    if let d = s.sourceStatistics {
        o.append(("source_stats", .object(d.namedCounters.map { (key($0.name), .uint($0.value)) })))
    }
    if let d = s.receiverStatistics {
        o.append(("receiver_stats", .object(d.namedCounters.map { (key($0.name), .uint($0.value)) })))
    }
    return .object(o)
}

/// A session of `pgmctl peers --json`.
func peerJSON(_ p: PGMPeerInfo) -> JSON {
    var o: [(String, JSON)] = [
        ("socket_inode", .uint(UInt64(p.socketInode))), ("tsi", .string(p.tsi.description)),
        ("family", .uint(UInt64(p.family.version))), ("source", .string(p.source.description)),
        ("group", .string(p.group.description)), ("port", .uint(UInt64(p.port))),
    ]
    if let n = p.nla { o.append(("nla", .string(n.description))) }
    o += [("next_sqn", .uint(UInt64(p.nextSequence.rawValue))), ("lead_sqn", .uint(UInt64(p.leadSequence.rawValue))),
          ("rxw_sqns", .uint(UInt64(p.windowSize))),
          ("end", p.end.map { .string($0.description) } ?? .null),
          ("idle_ms", .uint(UInt64(p.idleMilliseconds))), ("losses", .uint(p.losses)),
          ("naks_sent", .uint(p.naksSent))]
    if let f = p.fec {
        o += [("fec_k", .uint(UInt64(f.groupSize))), ("fec_proactive", .bool(f.proactive)),
              ("fec_ondemand", .bool(f.onDemand)), ("groups_rebuilt", .uint(p.groupsRebuilt)),
              ("parity_naks_sent", .uint(p.parityNAKsSent))]
    }
    if let l = p.pgmccLossRate {
        o += [("pgmcc_loss_rate", .uint(UInt64(l))), ("acks_sent", .uint(p.acksSent))]
    }
    return .object(o)
}

struct Peers: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the sessions receivers follow: windows, NAKs and losses per source.")

    @Option(parsing: .unconditional, help: ArgumentHelp("Only the peers of the receiver socket with this inode.", valueName: "inode"))
    var socket: UInt32?

    @OptionGroup var output: OutputOptions

    func run() throws {
        let ctl = try control()
        let list: [PGMPeerInfo]
        do { list = try ctl.peers(socket: socket) } catch { throw explain(error) }
        if output.json {
            print(JSON.array(list.map(peerJSON)).text)
            return
        }
        // IPv6 addresses widen their columns past the IPv4 widths.
        let sourceWidth = list.reduce(16) { max($0, $1.source.description.count + 1) }
        let groupWidth = list.reduce(22) { max($0, endpoint($1.group, $1.port).count + 1) }
        print(["Inode".leftAligned(8), "TSI".leftAligned(28), "Source".leftAligned(sourceWidth), "Group".leftAligned(groupWidth),
               "Window".leftAligned(24), "NAKs".leftAligned(8), "Lost".leftAligned(8), "Idle".leftAligned(8), "End".leftAligned(8),
               "FEC, PGMCC"].joined(separator: " "))
        for p in list {
            print([String(p.socketInode).leftAligned(8), p.tsi.description.leftAligned(28), p.source.description.leftAligned(sourceWidth),
                   endpoint(p.group, p.port).leftAligned(groupWidth),
                   "\(p.nextSequence)..\(p.leadSequence)/\(p.windowSize)".leftAligned(24),
                   String(p.naksSent).leftAligned(8), String(p.losses).leftAligned(8), "\(p.idleMilliseconds)ms".leftAligned(8),
                   (p.end?.description ?? "-").leftAligned(8),
                   peerExtras(p)].joined(separator: " "))
        }
    }
}

/// A receiver of `pgmctl receivers --json`.
func confirmReceiverJSON(_ r: PGMConfirmReceiverInfo) -> JSON {
    .object([("socket_inode", .uint(UInt64(r.socketInode))), ("address", .string(r.address.description)),
             ("receiver_id", .uint(UInt64(r.receiverID))), ("confirmed_sqn", .uint(UInt64(r.confirmed.rawValue))),
             ("idle_ms", .uint(UInt64(r.idleMilliseconds)))])
}

struct Receivers: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the live confirming receivers of sources with confirmed delivery: how far each has everything.")

    @Option(parsing: .unconditional, help: ArgumentHelp("Only the receivers of the source socket with this inode.", valueName: "inode"))
    var socket: UInt32?

    @OptionGroup var output: OutputOptions

    func run() throws {
        let ctl = try control()
        let list: [PGMConfirmReceiverInfo]
        do { list = try ctl.confirmReceivers(socket: socket) } catch { throw explain(error) }
        if output.json {
            print(JSON.array(list.map(confirmReceiverJSON)).text)
            return
        }
        let addressWidth = list.reduce(16) { max($0, $1.address.description.count + 1) }
        print(["Inode".leftAligned(8), "Receiver".leftAligned(addressWidth), "Id".leftAligned(11),
               "Confirmed".leftAligned(11), "Idle"].joined(separator: " "))
        for r in list {
            print([String(r.socketInode).leftAligned(8), r.address.description.leftAligned(addressWidth),
                   String(r.receiverID).leftAligned(11), String(r.confirmed.rawValue).leftAligned(11),
                   "\(r.idleMilliseconds)ms"].joined(separator: " "))
        }
    }
}

// MARK: - stats

struct Stats: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the netns's PGM counters; with --watch, again every interval with per-second rates.")

    @OptionGroup var output: OutputOptions

    @Flag(help: "Print the counters every --interval seconds, with rates per second.")
    var watch = false

    @Option(parsing: .unconditional, help: ArgumentHelp("Seconds between reports with --watch.", valueName: "seconds"))
    var interval: Double = 1

    @Option(parsing: .unconditional, help: ArgumentHelp("Stop after this many reports with --watch.", valueName: "n"))
    var count: Int?

    func validate() throws {
        guard interval > 0 && interval <= 3600 else {
            throw ValidationError("--interval must be more than 0 and at most 3600 seconds; got \(interval)")
        }
        if let c = count, c < 1 { throw ValidationError("--count must be at least 1; got \(c)") }
    }

    func run() async throws {
        let ctl = try control()
        var last: ([UInt64], Double)?
        var reports = 0
        while true {
            let counters: [(name: String, value: UInt64)]
            do { counters = try ctl.statistics().namedCounters } catch { throw explain(error) }
            let t = now()
            // Gauges have no rate.
            let gauges: Set<String> = ["sockets", "rx-sessions", "rx-mem"]
            func rate(_ i: Int) -> Double? {
                guard let (p, t0) = last, t > t0, !gauges.contains(counters[i].name) else { return nil }
                return Double(counters[i].value &- p[i]) / (t - t0)
            }
            if output.json {
                var o: [(String, JSON)] = counters.map { ($0.name.replacingAll("-", with: "_"), .uint($0.value)) }
                if watch {
                    o += counters.indices.compactMap { i in
                        rate(i).map { (counters[i].name.replacingAll("-", with: "_") + "_per_s", .double($0)) }
                    }
                }
                print(JSON.object(o).text)
            } else {
                if watch && reports > 0 { print("") }
                for (i, c) in counters.enumerated() {
                    var line = c.name.leftAligned(20) + String(c.value).leftAligned(14)
                    if let r = rate(i) { line += fixed(r, 1) + "/s" }
                    print(line)
                }
            }
            flushOutput()
            reports += 1
            guard watch, count.map({ reports < $0 }) ?? true else { return }
            last = (counters.map(\.value), t)
            try await Task.sleep(for: .milliseconds(Int64(interval * 1000)))
        }
    }
}

// MARK: - policy

// The netns's multicast policy (issue #22, docs/governance.md): rules that
// allow or deny a source's connect() or a receiver's join by owner and
// group, first match deciding, and a default action.
// Their actions and roles are arguments by their names (the spec's); the
// numbers are the kernel's only.  (ArgumentParser prints the default of a
// CaseIterable & RawRepresentable option as its raw value: no option of
// these types has a default.)

struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Show and change the netns's multicast policy: which owners' sockets may send to or join which groups.",
        discussion: """
            The policy is a list of rules, a default action, a limit on the groups in use and a cap \
            on all sources' rate, one per network namespace. When a source connects or a receiver \
            joins a group, the first rule that matches the socket's owner (uid, and a gid it is in), \
            its role and the group decides; when none matches, the default action does. A refused \
            connect() or join fails with EACCES, is counted in policy-denied and sent to `pgmctl \
            monitor` as a policy-denied event; one past max-groups fails with ENOBUFS, counted in \
            policy-group-limit. A change applies to live sockets too: a source it denies ends its \
            session (OPT_RST) and fails with EACCES, a receiver leaves the group (policy-revoked). \
            A rule's rate-cap limits the sources it allows, the policy's rate-cap all sources but \
            those of exempt rules together, shared fairly. A logical group is an address \
            applications use that stands for a physical group or for unicast receivers (map, \
            unmap). While a netns has a policy, a receiver \
            takes only the packets of groups it joined (or bound to); the others are counted in \
            in-policy. No rule, the default allow, no max-groups, no rate-cap and no logical group \
            is no policy at all. Showing it is open to any user; default, max-groups, rate-cap, \
            add, del, map, unmap and flush need CAP_NET_ADMIN in the network namespace. See \
            pgmctl(8).
            """,
        subcommands: [PolicyShow.self, PolicyDefault.self, PolicyMaxGroups.self, PolicyRateCap.self, PolicyAdd.self,
                      PolicyDel.self, PolicyMap.self, PolicyUnmap.self, PolicyFlush.self],
        defaultSubcommand: PolicyShow.self
    )
}

extension PolicyAction: ExpressibleByArgument {
    public init?(argument: String) { self.init(name: argument) }
    public static var allValueStrings: [String] { allCases.map(\.description) }
    public static var allValueDescriptions: [String: String] { [:] }
    public static var defaultCompletionKind: CompletionKind { .list(allValueStrings) }
}

extension PolicyRole: ExpressibleByArgument {
    public init?(argument: String) { self.init(name: argument) }
    public static var allValueStrings: [String] { allCases.map(\.description) }
    public static var allValueDescriptions: [String: String] { [:] }
    public static var defaultCompletionKind: CompletionKind { .list(allValueStrings) }
}

struct PolicyShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show the default action, max-groups, rate-cap, the rules in order with their hits, the "
            + "logical groups, and the policy's counters.",
        discussion: """
            max-groups is shown with the distinct groups in use now, rate-cap in bytes/s (none: 0). \
            Columns: the rule's id (what `del` takes), its index (0 decides first), role, action, \
            the owners' uids (a uid or a range; any), the gid they must be in (any), the groups \
            (address/prefix length; any: every group of both families), the rule's rate cap \
            (bytes/s; none), whether its sources are exempt from the policy's rate-cap, and the \
            decisions it made. Uids and gids are given in pgmctl's user namespace. The counters \
            are the netns's: policy-allowed (connect() and joins allowed), policy-denied \
            (connect() and joins refused, EACCES), \
            policy-group-limit (refused past max-groups, ENOBUFS), policy-revoked (sources ended \
            and groups left by a policy change) and in-policy (packets a receiver did not take: \
            their group is not one it joined). Then the logical groups: each one's address, what it \
            stands for (physical or unicast) and the physical group or the receivers.
            """)

    @OptionGroup var output: OutputOptions

    func run() throws {
        let ctl = try control()
        let policy: PGMPolicy, rules: [PGMPolicyRule], maps: [PGMPolicyMap], stats: NetnsStatistics
        do {
            policy = try ctl.policy()
            rules = try ctl.policyRules()
            maps = try ctl.policyMaps()
            stats = try ctl.statistics()
        } catch {
            throw explain(error)
        }
        if output.json {
            print(policyJSON(policy, rules: rules, maps: maps, statistics: stats).text)
        } else {
            for l in policyLines(policy, rules: rules, maps: maps, statistics: stats) { print(l) }
        }
    }
}

/// `pgmctl policy show`: the settings and counters, the rules' table, then
/// the logical groups' table.
func policyLines(_ p: PGMPolicy, rules: [PGMPolicyRule], maps: [PGMPolicyMap] = [],
                 statistics s: NetnsStatistics) -> [String] {
    let inUse = "\(p.groupsInUse) group\(p.groupsInUse == 1 ? "" : "s") in use"
    let settings: [(String, String)] = [
        ("default action", p.defaultAction.description),
        ("rules", "\(p.ruleCount) (at most \(PGMFamily.policyRulesMax))"),
        ("logical groups", "\(p.mapCount) (at most \(PGMFamily.policyMapsMax))"),
        ("max-groups", (p.maxGroups == 0 ? "none" : "\(p.maxGroups) (at most \(PGMFamily.policyMaxGroupsMax))")
            + ", \(inUse)"),
        ("rate-cap", rateText(p.rateCap)),
        ("policy-allowed", String(s.policyAllowed)),
        ("policy-denied", String(s.policyDenied)),
        ("policy-group-limit", String(s.policyGroupLimit)),
        ("policy-revoked", String(s.policyRevoked)),
        ("in-policy", String(s.inPolicy)),
    ]
    let width = settings.map(\.0.count).max() ?? 0
    var out = settings.map { $0.0.leftAligned(width) + "  " + $0.1 }
    out.append("")
    let rows = rules.map { r in
        [String(r.id), String(r.index), r.role.description, r.action.description, uidsText(r.uids),
         r.gid.map { String($0) } ?? "any", r.cgroup.map { String($0) } ?? "any", r.groups?.description ?? "any",
         rateText(r.rateCap ?? 0), r.exempt ? "yes" : "no", String(r.hits)]
    }
    out += tableLines(["Id", "Index", "Role", "Action", "UIDs", "GID", "Cgroup", "Groups", "Rate-cap", "Exempt", "Hits"],
                      rows, separator: "  ")
    out.append("")
    out += tableLines(["Logical", "Target", "Addresses"], maps.map { [$0.logical.description] + mapTargetCells($0.target) },
                      separator: "  ")
    return out
}

/// A logical group's target in `policy show`'s table: its kind and its
/// addresses, the receivers joined by commas as `policy map --unicast`
/// takes them.
func mapTargetCells(_ t: PGMPolicyMap.Target) -> [String] {
    switch t {
    case .physical(let g): ["physical", g.description]
    case .unicast(let list): ["unicast", list.map(\.description).joined(separator: ",")]
    }
}

/// A rate cap as `policy show` prints it: "12500000B/s", or "none" for 0.
func rateText(_ bytesPerSecond: UInt32) -> String {
    bytesPerSecond == 0 ? "none" : "\(bytesPerSecond)B/s"
}

/// A rule's owners: "1000", "1000-1999", "any".
func uidsText(_ uids: ClosedRange<UInt32>?) -> String {
    guard let u = uids else { return "any" }
    return u.lowerBound == u.upperBound ? String(u.lowerBound) : "\(u.lowerBound)-\(u.upperBound)"
}

/// A rule of `pgmctl policy show --json`: every key, null for a part that
/// matches anything.
func policyRuleJSON(_ r: PGMPolicyRule) -> JSON {
    func n(_ v: UInt32?) -> JSON { v.map { .uint(UInt64($0)) } ?? .null }
    return .object([
        ("id", .uint(UInt64(r.id))), ("index", .uint(UInt64(r.index))), ("role", .string(r.role.description)),
        ("action", .string(r.action.description)), ("uid_min", n(r.uids?.lowerBound)), ("uid_max", n(r.uids?.upperBound)),
        ("gid", n(r.gid)), ("cgroup", r.cgroup.map { .uint($0) } ?? .null),
        ("family", r.groups.map { .uint(UInt64($0.address.family.version)) } ?? .null),
        ("group", r.groups.map { .string($0.address.description) } ?? .null),
        ("prefix_len", n(r.groups.map { UInt32($0.prefixLength) })), ("rate_cap", n(r.rateCap)),
        ("exempt", .bool(r.exempt)), ("hits", .uint(r.hits)),
    ])
}

/// A logical group of `pgmctl policy show --json`: every key, null for the
/// target it does not have.
func policyMapJSON(_ m: PGMPolicyMap) -> JSON {
    var physical = JSON.null, unicast = JSON.null
    switch m.target {
    case .physical(let g): physical = .string(g.description)
    case .unicast(let list): unicast = .array(list.map { .string($0.description) })
    }
    return .object([
        ("logical", .string(m.logical.description)), ("family", .uint(UInt64(m.logical.family.version))),
        ("physical", physical), ("unicast", unicast),
    ])
}

/// `pgmctl policy show --json`.
func policyJSON(_ p: PGMPolicy, rules: [PGMPolicyRule], maps: [PGMPolicyMap] = [],
                statistics s: NetnsStatistics) -> JSON {
    .object([
        ("default_action", .string(p.defaultAction.description)), ("rule_count", .uint(UInt64(p.ruleCount))),
        ("rules_max", .uint(UInt64(PGMFamily.policyRulesMax))), ("map_count", .uint(UInt64(p.mapCount))),
        ("maps_max", .uint(UInt64(PGMFamily.policyMapsMax))), ("max_groups", .uint(UInt64(p.maxGroups))),
        ("max_groups_max", .uint(UInt64(PGMFamily.policyMaxGroupsMax))), ("groups", .uint(UInt64(p.groupsInUse))),
        ("rate_cap", .uint(UInt64(p.rateCap))), ("policy_allowed", .uint(s.policyAllowed)),
        ("policy_denied", .uint(s.policyDenied)),
        ("policy_group_limit", .uint(s.policyGroupLimit)), ("policy_revoked", .uint(s.policyRevoked)),
        ("in_policy", .uint(s.inPolicy)), ("rules", .array(rules.map(policyRuleJSON))),
        ("maps", .array(maps.map(policyMapJSON))),
    ])
}

struct PolicyDefault: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "default",
        abstract: "Set what happens to a socket no rule matches: allow, or deny (only what a rule allows).",
        discussion: "Needs CAP_NET_ADMIN in the network namespace.")

    @Argument(help: ArgumentHelp("The action for sockets no rule matches.", valueName: "action"))
    var action: PolicyAction

    func run() throws {
        let ctl = try control()
        do { try ctl.setPolicy(defaultAction: action) } catch {
            throw explain(error, set: "setting the policy's default action")
        }
    }
}

struct PolicyMaxGroups: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "max-groups",
        abstract: "Set the most distinct groups the netns's sockets may use at once; 0 for no limit.",
        discussion: """
            A group is in use while a source is connected to it or a receiver has joined it. A \
            connect() or join of a group not in use past the limit fails with ENOBUFS, counted in \
            policy-group-limit and sent to `pgmctl monitor` as a policy-denied event; a group in \
            use is always allowed. A limit below the groups in use ends nothing: it refuses new \
            groups. At most 4096. Needs CAP_NET_ADMIN in the network namespace.
            """)

    @Argument(help: ArgumentHelp("The limit, 0 (none) to 4096.", valueName: "n"))
    var count: UInt32

    func run() throws {
        let ctl = try control()
        do { try ctl.setPolicy(maxGroups: count) } catch {
            throw explain(error, request: ctl.request(.policySet, attributes: PGMPolicy.setAttributes(maxGroups: count)),
                          set: "setting the policy's max-groups")
        }
    }
}

/// A rate as `policy rate-cap` and `policy add --rate-cap` take it: bytes/s
/// (a bare number) or with a unit (100M, 1.5G bytes/s; 800mbit bits/s), 0
/// for no cap, at most a u32.
func parseRateCap(_ text: String, option: String) throws(ValidationError) -> UInt32 {
    do {
        return UInt32(try Quantity.whole(text, option: option, unit: .bytesPerSecond, range: 0...Int64(UInt32.max),
                                         note: "0: no cap"))
    } catch {
        throw ValidationError(error.description)
    }
}

struct PolicyRateCap: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rate-cap",
        abstract: "Set the bytes/s all sources of the netns may send together, shared fairly; 0 for no cap.",
        discussion: """
            The cap is divided among the netns's sources max-min fairly, every 100 ms: a source \
            that sends less than its share keeps what it uses and the others share the rest. The \
            sources an exempt rule allows stay out of it. A source sends at the smallest of its \
            own limit (PGM_TXW_MAX_RTE), its rule's rate-cap and its share; `pgmctl sockets` shows \
            the policy's part as policy-rate, and the source's error queue gets a PGM_RATE_CHANGE \
            record when it moves by more than 1/16. A bare number is bytes/s; 100M, 1.5G (bytes/s) \
            and 800mbit (bits/s) are taken as tc writes them. Needs CAP_NET_ADMIN in the network \
            namespace.
            """)

    @Argument(help: ArgumentHelp("The cap: bytes/s, or a rate with a unit; 0 for none.", valueName: "rate"))
    var rateText: String

    /// The cap, bytes/s.
    var rate: UInt32 { get throws(ValidationError) { try parseRateCap(rateText, option: "rate-cap") } }

    func validate() throws { _ = try rate }

    func run() throws {
        let rate = try self.rate
        let ctl = try control()
        do { try ctl.setPolicy(rateCap: rate) } catch {
            throw explain(error, request: ctl.request(.policySet, attributes: PGMPolicy.setAttributes(rateCap: rate)),
                          set: "setting the policy's rate-cap")
        }
    }
}

struct PolicyAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a rule; prints its id and index.",
        discussion: """
            A rule matches a socket when every part it has matches: --role, the owner's uid (--uid), \
            a group the owner is in (--gid), the cgroup v2 the socket was made in or under \
            (--cgroup), the group asked for (--group). A part not given matches \
            anything. Uids and gids are taken in pgmctl's user namespace and must map into it. An \
            allow rule may cap the rate of the sources it allows (--rate-cap) and keep them out of \
            the policy's rate-cap (--exempt). A rule applies to later connect() and joins, and to \
            live ones: the sessions a deny rule denies end. At most 256 rules a netns. Needs \
            CAP_NET_ADMIN in the network namespace.
            """)

    @Option(parsing: .unconditional, help: ArgumentHelp("What the rule does.", valueName: "action"))
    var action: PolicyAction

    @Option(parsing: .unconditional,
            help: ArgumentHelp("Which sockets: sources (their connect()), receivers (their joins) or any (without it).",
                               valueName: "role"))
    var role: PolicyRole?

    @Option(parsing: .unconditional,
            help: ArgumentHelp("The owners it matches: a uid, a range of uids N-M, or a user name.", valueName: "uid"))
    var uid: String?

    @Option(parsing: .unconditional,
            help: ArgumentHelp("A group the owner must be in (primary or supplementary): a gid or a group name.",
                               valueName: "gid"))
    var gid: String?

    @Option(parsing: .unconditional,
            help: ArgumentHelp("A cgroup v2 the socket's creator must be in or under: its directory "
                + "(/sys/fs/cgroup/trading) or its id.", valueName: "path|id"))
    var cgroup: String?

    @Option(parsing: .unconditional,
            help: ArgumentHelp("The multicast groups it is about: an address and prefix length (239.192.0.0/16, "
                + "ff15::/16) or one address; every group of both families without it.", valueName: "address[/len]"))
    var group: String?

    @Option(parsing: .unconditional,
            help: ArgumentHelp("Where to insert it, from 0 (decides first); at the end without it.", valueName: "index"))
    var index: UInt32?

    @Option(name: .customLong("rate-cap"), parsing: .unconditional,
            help: ArgumentHelp("The most each source it allows may send: bytes/s, or a rate with a unit (100M, "
                + "1.5G bytes/s; 800mbit bits/s); 0 for none.", valueName: "rate"))
    var rateCapText: String?

    @Flag(help: "The sources it allows stay out of the policy's rate-cap (real-time senders).")
    var exempt = false

    @OptionGroup var output: OutputOptions

    func validate() throws { _ = try rule() }

    /// The rule the options describe.
    func rule() throws(ValidationError) -> PGMPolicyRule {
        let cap = try rateCapText.map { (t) throws(ValidationError) in try parseRateCap(t, option: "--rate-cap") }
        if cap != nil || exempt {
            let what = cap != nil ? "--rate-cap" : "--exempt"
            if action == .deny {
                throw ValidationError("\(what) is about the sources a rule allows: a deny rule has none")
            }
            if role == .receiver {
                throw ValidationError("\(what) is about the sources a rule allows: a receiver rule has none")
            }
        }
        return PGMPolicyRule(action: action, role: role ?? .any, uids: try uid.map(parseUIDs), gid: try gid.map(parseGID),
                             cgroup: try cgroup.map(parseCgroup), groups: try group.map(parseGroups),
                             rateCap: cap, exempt: exempt)
    }

    func run() throws {
        let rule = try self.rule()
        let ctl = try control()
        let added: (id: UInt32, index: UInt32)
        do { added = try ctl.addPolicyRule(rule, at: index) } catch {
            throw explain(error, request: ctl.request(.policyRuleAdd, attributes: rule.addAttributes(at: index)),
                          set: "adding a policy rule")
        }
        print(policyAddedText(id: added.id, index: added.index, json: output.json))
    }
}

/// What `pgmctl policy add` prints: the id and the index the kernel gave.
func policyAddedText(id: UInt32, index: UInt32, json: Bool) -> String {
    json ? JSON.object([("id", .uint(UInt64(id))), ("index", .uint(UInt64(index)))]).text
        : "added rule \(id) at index \(index)"
}

/// A uid or gid written as a decimal number; nil for other text, an error
/// for digits past 32 bits.
func decimalID(_ text: some StringProtocol, option: String) throws(ValidationError) -> UInt32? {
    guard !text.isEmpty, text.allSatisfy({ ("0"..."9").contains($0) }) else { return nil }
    guard let v = UInt32(text) else { throw ValidationError("\(option): \(text) is past the largest id, \(UInt32.max)") }
    return v
}

/// --uid: "1000", "1000-1999" or a user name (getpwnam_r).
func parseUIDs(_ text: String) throws(ValidationError) -> ClosedRange<UInt32> {
    if let u = try decimalID(text, option: "--uid") { return u...u }
    let parts = text.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
    if parts.count == 2, let lo = try decimalID(parts[0], option: "--uid"), let hi = try decimalID(parts[1], option: "--uid") {
        guard lo <= hi else { throw ValidationError("--uid: \(text) is a reversed range: write it \(hi)-\(lo)") }
        return lo...hi
    }
    guard let u = accountID(user: text) else {
        throw ValidationError("--uid: '\(text)' is not a uid, a range of uids N-M or a user name this system knows")
    }
    return u...u
}

/// --gid: "100" or a group name (getgrnam_r).
func parseGID(_ text: String) throws(ValidationError) -> UInt32 {
    if let g = try decimalID(text, option: "--gid") { return g }
    guard let g = accountID(group: text) else {
        throw ValidationError("--gid: '\(text)' is not a gid or a group name this system knows")
    }
    return g
}

/// --cgroup: a cgroup v2's id, given as is or as its directory (a cgroup
/// v2's id is the inode number of its directory in the cgroup2 file system).
func parseCgroup(_ text: String) throws(ValidationError) -> UInt64 {
    if let id = UInt64(text), id != 0 { return id }
    var st = stat()
    guard stat(text, &st) == 0 else {
        throw ValidationError("--cgroup: '\(text)' is neither a cgroup id nor a directory: \(String(cString: strerror(errno)))")
    }
    // Only a cgroup v2 directory has cgroup.controllers.
    guard (st.st_mode & S_IFMT) == S_IFDIR, access(text + "/cgroup.controllers", F_OK) == 0 else {
        throw ValidationError("--cgroup: \(text) is not a cgroup v2 directory (mount -t cgroup2)")
    }
    return UInt64(st.st_ino)
}

/// --group: a range that holds multicast groups.
func parseGroups(_ text: String) throws(ValidationError) -> GroupRange {
    let r: GroupRange
    do { r = try GroupRange(text) } catch { throw ValidationError("--group: \(error)") }
    guard r.holdsGroups else {
        throw ValidationError("--group: \(r) holds no multicast group (224.0.0.0/4, ff00::/8): the rule would match nothing")
    }
    return r
}

/// The uid of a user name, or the gid of a group name, from the system's
/// databases (the reentrant calls: tests run in parallel); nil when unknown.
func accountID(user: String) -> UInt32? {
    var entry = passwd()
    return withEntry { buf, size, found in getpwnam_r(user, &entry, buf, size, found) }.map { _ in entry.pw_uid }
}

/// The gid of a group name; nil when unknown.
func accountID(group: String) -> UInt32? {
    var entry = Glibc.group()
    return withEntry { buf, size, found in getgrnam_r(group, &entry, buf, size, found) }.map { _ in entry.gr_gid }
}

/// Runs a get*nam_r call with a buffer that grows while it says ERANGE (up
/// to 1 MiB); its result pointer, nil when there is no such entry.
private func withEntry<E>(_ call: (UnsafeMutablePointer<CChar>, Int, UnsafeMutablePointer<UnsafeMutablePointer<E>?>) -> Int32)
    -> UnsafeMutablePointer<E>? {
    var size = 1024
    while size <= 1 << 20 {
        var buf = [CChar](repeating: 0, count: size)
        var found: UnsafeMutablePointer<E>?
        let rc = buf.withUnsafeMutableBufferPointer { b -> Int32 in
            guard let base = b.baseAddress else { return ENOMEM }
            return call(base, b.count, &found)
        }
        if rc == ERANGE {
            size *= 2
            continue
        }
        return rc == 0 ? found : nil
    }
    return nil
}

struct PolicyDel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "del",
        abstract: "Delete the rule with this id.",
        discussion: "`pgmctl policy show` lists the ids. Needs CAP_NET_ADMIN in the network namespace.")

    @Argument(help: ArgumentHelp("The rule's id.", valueName: "id"))
    var id: UInt32

    func run() throws {
        let ctl = try control()
        do { try ctl.deletePolicyRule(id: id) } catch {
            throw explain(error, request: ctl.request(.policyRuleDel, attributes: [.u32(PGMPolicyRuleAttribute.id.rawValue, id)]),
                          set: "deleting a policy rule")
        }
    }
}

/// An address `policy map` and `policy unmap` take; `what` names the
/// argument or option in the refusal.
func parseMapAddress(_ text: some StringProtocol, _ what: String) throws(ValidationError) -> IPAddress {
    guard let a = try? IPAddress(text) else { throw ValidationError("\(what): '\(text)' is not an IPv4 or IPv6 address") }
    return a
}

/// The logical group `policy map` and `policy unmap` take: a multicast address.
func parseLogicalGroup(_ text: String) throws(ValidationError) -> IPAddress {
    let a = try parseMapAddress(text, "<logical>")
    guard a.isMulticast else { throw ValidationError("<logical>: \(PGMPolicyMapError.logicalNotMulticast(a))") }
    return a
}

struct PolicyMap: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "map",
        abstract: "Map a logical group to a physical group or to unicast receivers; replaces its mapping.",
        discussion: """
            A logical group is a multicast address applications use. Mapped to a physical group \
            (--physical), a source's connect() to it sends to the physical group, and a \
            receiver's bind() and joins are made to the physical group; the rules are about the \
            logical one. Mapped to unicast receivers (--unicast, 1 to 64 addresses), a source \
            sends every downstream packet to each receiver, without multicast; a receiver bound to \
            the unspecified address on the port takes the session at its own address. A mapping \
            applies to later connect(), bind() and joins; a source keeps what it took at \
            connect(). All addresses are of the logical group's family. At most 64 logical \
            groups a netns. Needs CAP_NET_ADMIN in the network namespace.
            """)

    @Argument(help: ArgumentHelp("The logical group: a multicast address.", valueName: "logical"))
    var logical: String

    @Option(parsing: .unconditional,
            help: ArgumentHelp("The multicast group it stands for.", valueName: "group"))
    var physical: String?

    @Option(parsing: .singleValue,
            help: ArgumentHelp("Unicast receivers it stands for: addresses separated by commas (repeatable); 1 to 64.",
                               valueName: "address[,address...]"))
    var unicast: [String] = []

    func validate() throws { _ = try mapping() }

    /// The mapping the arguments describe.
    func mapping() throws(ValidationError) -> PGMPolicyMap {
        let l = try parseLogicalGroup(logical)
        let target: PGMPolicyMap.Target
        switch (physical, unicast.isEmpty) {
        case (let p?, true): target = .physical(try parseMapAddress(p, "--physical"))
        case (nil, false):
            var list: [IPAddress] = []
            for text in unicast {
                for part in text.split(separator: ",", omittingEmptySubsequences: false) {
                    let a = try parseMapAddress(part, "--unicast")
                    guard !list.contains(a) else { throw ValidationError("--unicast: \(a) is given twice") }
                    list.append(a)
                }
            }
            target = .unicast(list)
        default:
            throw ValidationError("give --physical or --unicast: a logical group stands for one physical group "
                + "or for unicast receivers")
        }
        do { return try PGMPolicyMap(logical: l, target: target) } catch {
            let what = switch error {
            case .logicalNotMulticast: "<logical>"
            case .physicalNotMulticast: "--physical"
            case .mixedFamilies: physical == nil ? "--unicast" : "--physical"
            case .noReceivers, .tooManyReceivers, .receiverNotUnicast: "--unicast"
            }
            throw ValidationError("\(what): \(error)")
        }
    }

    func run() throws {
        let map = try mapping()
        let ctl = try control()
        do { try ctl.setPolicyMap(map) } catch {
            throw explain(error, request: ctl.request(.policyMapAdd, attributes: map.addAttributes),
                          set: "mapping a logical group")
        }
    }
}

struct PolicyUnmap: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unmap",
        abstract: "Delete the mapping of a logical group.",
        discussion: """
            Later connect(), bind() and joins use the address as it is; sources keep what they \
            took at connect(). `pgmctl policy show` lists the logical groups. Needs CAP_NET_ADMIN \
            in the network namespace.
            """)

    @Argument(help: ArgumentHelp("The logical group: a multicast address.", valueName: "logical"))
    var logical: String

    func validate() throws { _ = try parseLogicalGroup(logical) }

    func run() throws {
        let l = try parseLogicalGroup(logical)
        let ctl = try control()
        do { try ctl.deletePolicyMap(logical: l) } catch {
            throw explain(error, request: ctl.request(.policyMapDel, attributes: PGMPolicyMap.deleteAttributes(logical: l)),
                          set: "deleting a logical group")
        }
    }
}

struct PolicyFlush: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flush",
        abstract: "Delete every rule and logical group, set the default action to allow and max-groups and "
            + "rate-cap to 0: no policy.",
        discussion: """
            The default becomes allow and the limits go first, then the rules go from the last to \
            the first, so that no socket is refused or revoked on the way that the policy allowed, \
            then the logical groups. Needs CAP_NET_ADMIN in the network namespace.
            """)

    func run() throws {
        let ctl = try control()
        var deleted = 0, unmapped = 0
        do {
            try ctl.setPolicy(defaultAction: .allow, maxGroups: 0, rateCap: 0)
            for r in try ctl.policyRules().reversed() {
                do {
                    try ctl.deletePolicyRule(id: r.id)
                    deleted += 1
                } catch .refused(let e, _) where e == .noSuchFileOrDirectory {
                    // Deleted by someone else meanwhile.
                }
            }
            for m in try ctl.policyMaps() {
                do {
                    try ctl.deletePolicyMap(logical: m.logical)
                    unmapped += 1
                } catch .refused(let e, _) where e == .noSuchFileOrDirectory {
                    // Deleted by someone else meanwhile.
                }
            }
        } catch {
            throw explain(error, set: "flushing the policy")
        }
        print(policyFlushedText(rules: deleted, maps: unmapped))
    }
}

/// What `pgmctl policy flush` prints: how many rules and logical groups it deleted.
func policyFlushedText(rules: Int, maps: Int) -> String {
    "deleted \(rules) rule\(rules == 1 ? "" : "s") and \(maps) logical group\(maps == 1 ? "" : "s"); "
        + "the default action is allow, no max-groups, no rate-cap"
}

// MARK: - ne

// The netns's PGM network element (RFC 3208 section 7, kernel/ne.c): router
// assist for the PGM packets a forwarding netns routes.

struct NECommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ne",
        abstract: "Show the netns's PGM network element (RFC 3208 router assist) and turn it on or off.",
        discussion: """
            In a network namespace that forwards multicast (ipmr), the network element works on the \
            IPv4 PGM packets it routes: it keeps each session's source path state from its SPMs and \
            makes their path NLA the address of the interface each copy leaves by; it answers a NAK \
            at once with an NCF on the interface the NAK came in on, forwards the first NAK of a \
            sequence number upstream, repeated until an NCF confirms it, and drops its duplicates; \
            it lets RDATA out only on the interfaces that asked for it. Off by default. Showing it \
            is open to any user; on and off need CAP_NET_ADMIN in the network namespace. Its limits \
            and timers are the ne-* tunables of `pgmctl show`. See pgmctl(8).
            """,
        subcommands: [NEShow.self, NEOn.self, NEOff.self, NESessions.self],
        defaultSubcommand: NEShow.self
    )
}

/// What a network element request's refusal means: a module older than the
/// network element (genetlink's EOPNOTSUPP, without a message, for a
/// command it does not know), or `explain`'s sentence.
func explainNE(_ error: NetlinkError, set: String? = nil) -> Failure {
    if case .refused(let e, let report) = error, e == .notSupported, report.message == nil {
        return Failure("the loaded pgm module has no network element (it is older than ne-get); load a newer one")
    }
    return explain(error, request: nil, set: set)
}

struct NEShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show whether the network element is on, the sessions and repair states it holds, its memory and "
            + "its counters.",
        discussion: """
            The limits beside the sessions and repair states are the netns's ne-tsis and ne-states. \
            Each counter is printed with what it counts; they are kept while the network element \
            is off.
            """)

    @OptionGroup var output: OutputOptions

    func run() throws {
        let ctl = try control()
        let ne: PGMNetworkElement
        do { ne = try ctl.networkElement() } catch { throw explainNE(error) }
        // The limits are only shown: a module that does not give them is no error.
        let defaults = try? ctl.defaults()
        if output.json {
            print(neJSON(ne).text)
        } else {
            for l in neLines(ne, defaults: defaults) { print(l) }
        }
    }
}

/// `pgmctl ne show`: the state, then each counter with what it counts (the
/// spec's doc), all aligned as one list.
func neLines(_ ne: PGMNetworkElement, defaults: PGMDefaults? = nil) -> [String] {
    func limit(_ key: PGMDefaultsAttribute) -> String {
        defaults?.values[key].map { " (at most \($0), \(key))" } ?? ""
    }
    let settings: [(String, String)] = [
        ("network element", ne.enabled ? "on" : "off"),
        ("sessions", "\(ne.sessions)" + limit(.neTsis)),
        ("repair states", "\(ne.repairStates)" + limit(.neStates)),
        ("memory", "\(ne.memory) bytes"),
    ]
    let counters = ne.namedCounters
    let width = (settings.map(\.0.count) + counters.map(\.name.count)).max() ?? 0
    let valueWidth = counters.map { String($0.value).count }.max() ?? 0
    let docs = Dictionary(PGMNeAttribute.allCases.map { ($0.description, $0.doc) }, uniquingKeysWith: { a, _ in a })
    return settings.map { $0.0.leftAligned(width) + "  " + $0.1 } + [""]
        + counters.map { c in
            c.name.leftAligned(width) + "  " + String(c.value).leftAligned(valueWidth) + "  " + (docs[c.name] ?? "")
        }
}

/// `pgmctl ne show --json`: enabled, tsis, states, mem and every counter,
/// by the spec's names with underscores.
func neJSON(_ ne: PGMNetworkElement) -> JSON {
    var o: [(String, JSON)] = [
        ("enabled", .bool(ne.enabled)), ("tsis", .uint(UInt64(ne.sessions))),
        ("states", .uint(UInt64(ne.repairStates))), ("mem", .uint(ne.memory)),
    ]
    o += ne.namedCounters.map { ($0.name.replacingAll("-", with: "_"), .uint($0.value)) }
    return .object(o)
}

struct NEOn: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "on",
        abstract: "Turn the network element on.",
        discussion: """
            It works on the PGM packets multicast routing forwards from then on: it follows a \
            session from its next SPM. Its memory is charged to the caller's memory cgroup. Needs \
            CAP_NET_ADMIN in the network namespace.
            """)

    func run() throws {
        let ctl = try control()
        do { try ctl.setNetworkElement(enabled: true) } catch {
            throw explainNE(error, set: "turning the network element on")
        }
    }
}

struct NEOff: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "off",
        abstract: "Turn the network element off; it forgets every session and repair state.",
        discussion: """
            PGM packets are then forwarded as any other multicast. The counters stay. Needs \
            CAP_NET_ADMIN in the network namespace.
            """)

    func run() throws {
        let ctl = try control()
        do { try ctl.setNetworkElement(enabled: false) } catch {
            throw explainNE(error, set: "turning the network element off")
        }
    }
}

struct NESessions: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessions",
        abstract: "List the sessions the network element follows, from their SPMs.",
        discussion: """
            Columns: the TSI, the group, the source's address, the data-destination port, the \
            upstream NE (the SPMs' path NLA, where NAKs go), the interface toward the source, the \
            session's repair states, the transmission group size of its on-demand parity (- for \
            none) and the time since its last SPM.
            """)

    @OptionGroup var output: OutputOptions

    func run() throws {
        let ctl = try control()
        let list: [PGMNetworkElementSession]
        do { list = try ctl.networkElementSessions() } catch { throw explainNE(error) }
        if output.json {
            print(JSON.array(list.map { neSessionJSON($0) }).text)
        } else {
            for l in neSessionLines(list) { print(l) }
        }
    }
}

/// The name of the interface with this index in pgmctl's network namespace
/// (if_indextoname(3)); nil when there is none.
func interfaceName(_ index: UInt32) -> String? {
    var buf = [CChar](repeating: 0, count: Int(IF_NAMESIZE))
    let name = buf.withUnsafeMutableBufferPointer { b -> String? in
        guard let base = b.baseAddress, if_indextoname(index, base) != nil else { return nil }
        return String(cString: base)
    }
    return name
}

/// `pgmctl ne sessions`: one row a session; the interface by its name, by
/// its index when it has none (gone).
func neSessionLines(_ list: [PGMNetworkElementSession],
                    interface: (UInt32) -> String? = interfaceName) -> [String] {
    let rows = list.map { s in
        [s.tsi.description, s.group.description, s.source.description, String(s.port), s.upstream.description,
         interface(s.interfaceIndex) ?? String(s.interfaceIndex), String(s.repairStates),
         s.transmissionGroupSize == 0 ? "-" : String(s.transmissionGroupSize), "\(s.idleMilliseconds)ms"]
    }
    return tableLines(["TSI", "Group", "Source", "Port", "Upstream", "Interface", "States", "TG-size", "Idle"], rows,
                      separator: "  ")
}

/// A session of `pgmctl ne sessions --json`: every attribute, and the
/// interface's name (null when there is none).
func neSessionJSON(_ s: PGMNetworkElementSession, interface: (UInt32) -> String? = interfaceName) -> JSON {
    .object([
        ("tsi", .string(s.tsi.description)), ("group", .string(s.group.description)),
        ("source", .string(s.source.description)), ("port", .uint(UInt64(s.port))),
        ("upstream", .string(s.upstream.description)), ("ifindex", .uint(UInt64(s.interfaceIndex))),
        ("interface", interface(s.interfaceIndex).map { .string($0) } ?? .null),
        ("spm_sqn", .uint(UInt64(s.spmSequence.rawValue))), ("trail", .uint(UInt64(s.trail.rawValue))),
        ("lead", .uint(UInt64(s.lead.rawValue))), ("states", .uint(UInt64(s.repairStates))),
        ("tg_size", .uint(UInt64(s.transmissionGroupSize))), ("idle_ms", .uint(UInt64(s.idleMilliseconds))),
    ])
}

// MARK: - monitor

struct Monitor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the module's events as they happen: session start and end, loss, NAK storms, rate limiting, "
            + "PGMCC acker changes, confirming receivers joining, leaving and refused, policy refusals and revocations.",
        discussion: """
            Needs CAP_NET_ADMIN in the network namespace: the events are every user's sessions, live. \
            acker-change: a source running PGMCC chose a new acker (printed with the RTT and loss rate \
            of the feedback that chose it), or ended its acker's term after timeouts in a row (no acker: \
            an election is called). receiver-join, receiver-leave, receiver-refused: a source with \
            confirmed delivery (PGM_CONFIRM) added a confirming receiver, removed one (reason bye: it \
            closed; expired: silent for PGM_CONFIRM_EXPIRY; lost: it lost data) or refused one past \
            PGM_CONFIRM_MAX or confirm-receivers-netns (at most one such event a second), each with the \
            receiver's address, its RECEIVER ID and how far it had everything (--json: receiver, \
            receiver_id, confirmed, and reason for a leave). policy-allowed: the netns's multicast \
            policy allowed a source's connect() or a receiver's join, with the group, the owner's \
            uid and the rule, or the default action (--json: uid, rule_id). policy-denied: the netns's multicast \
            policy refused a source's connect() or a receiver's join (see `pgmctl policy`), with the \
            group, the owner's uid and the rule that refused, or the default action (EACCES), or \
            max-groups (ENOBUFS) (--json: uid, rule_id, null for the default or max-groups, and \
            error). policy-revoked: a policy change ended a live source's session (OPT_RST; its \
            sends fail with EACCES) or made a receiver leave a group, with the same parts.
            """)

    @Flag(help: "Print each event as a JSON object on its own line.")
    var json = false

    @Option(parsing: .unconditional, help: ArgumentHelp("Stop after this many events.", valueName: "n"))
    var count: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("Stop after this many seconds.", valueName: "seconds"))
    var timeout: Double?

    func validate() throws {
        if let c = count, c < 1 { throw ValidationError("--count must be at least 1; got \(c)") }
        if let t = timeout, !(t > 0 && t <= 86400) {
            throw ValidationError("--timeout must be more than 0 and at most 86400 seconds; got \(t)")
        }
    }

    func run() async throws {
        let ctl = try control()
        let stream: PGMEventStream
        do {
            stream = try ctl.events()
        } catch .system(.notPermitted, _) {
            // The group is GENL_MCAST_CAP_NET_ADMIN: events show other users' sessions live.
            throw Failure("permission denied: monitor needs CAP_NET_ADMIN in the network namespace "
                + "to join the events group (run as root)")
        } catch {
            throw explain(error)
        }
        if json { print(JSON.object([("event", .string("ready"))]).text) } else { print("monitoring events of the pgm module") }
        // Joined: every session that starts from now on is announced.  Those
        // already running are read from the dumps and printed as existing
        // session-starts, so that each session-end follows a session-start
        // (a session that starts between the join and the dumps is in both:
        // its announcement is then not printed again).
        var existing: [PGMEvent] = []
        do {
            existing = PGMEvent.existingSessions(sockets: try ctl.sockets(), peers: try ctl.peers())
        } catch {
            throw explain(error)
        }
        let json = self.json, count = self.count, timeout = self.timeout
        var seen = 0
        var announced = Set<SessionKey>()
        for e in existing {
            print(json ? eventJSON(e).text : eventLine(e))
            announced.insert(SessionKey(e))
            seen += 1
            if let c = count, seen >= c { flushOutput(); return }
        }
        flushOutput()
        try await withThrowingTaskGroup(of: Void.self) { [seen, announced] group in
            group.addTask {
                var seen = seen, announced = announced
                for try await e in stream {
                    switch e.kind {
                    case .sessionStartNtf:
                        // Already printed from the dump.
                        if announced.remove(SessionKey(e)) != nil { continue }
                    case .sessionEndNtf:
                        announced.remove(SessionKey(e))
                    default: break
                    }
                    print(json ? eventJSON(e).text : eventLine(e))
                    flushOutput()
                    seen += 1
                    if let c = count, seen >= c { return }
                }
            }
            if let t = timeout {
                group.addTask { try await Task.sleep(for: .milliseconds(Int64(t * 1000))) }
            }
            try await group.next()
            group.cancelAll()
        }
    }
}

/// A session as one socket sees it: the socket, its role and the TSI.
struct SessionKey: Hashable, Sendable {
    var inode: UInt32
    var role: UInt32
    var tsi: TSI?

    init(_ e: PGMEvent) {
        inode = e.socketInode
        role = e.role.rawValue
        tsi = e.tsi
    }
}

func eventName(_ k: PGMCommand) -> String {
    var s = k.description
    if s.hasSuffix("-ntf") { s.removeLast(4) }
    return s
}

func eventLine(_ e: PGMEvent) -> String {
    var s = "\(eventName(e.kind).leftAligned(13)) \(e.role.description.leftAligned(8)) inode \(e.socketInode)"
    if let t = e.tsi { s += " tsi \(t)" }
    if let a = e.source { s += " source \(a.description)" }
    if e.group != nil || e.port != nil { s += " group \(endpoint(e.group, e.port))" }
    switch e.kind {
    case .sessionStartNtf:
        if let f = e.firstSequence { s += " first \(f)" }
        if e.existing { s += " (running when monitor started)" }
    case .sessionEndNtf:
        if let r = e.reason { s += " reason \(r)" }
        if let l = e.lastSequence { s += " last \(l)" }
    case .lossNtf: s += " first \(e.firstSequence ?? 0) count \(e.count ?? 0)"
    case .nakStormNtf: s += " naks \(e.rate ?? 0) within a second, threshold \(e.threshold ?? 0)"
    case .rateLimitedNtf: s += " limit \(e.rateLimit ?? 0)B/s waits \(e.rateLimited ?? 0)"
    case .ackerChangeNtf:
        if let a = e.acker {
            s += " acker \(a) rtt \(millisecondsText(e.rttMicroseconds ?? 0)) loss \(percentText(e.lossRate ?? 0))"
        } else {
            s += " no acker: its term ended after timeouts, an election is called"
        }
    case .receiverJoinNtf, .receiverLeaveNtf, .receiverRefusedNtf:
        s += " receiver \(e.receiver?.description ?? "-")"
        if let id = e.receiverID { s += " id \(receiverIDText(id))" }
        if let c = e.confirmedSequence { s += " confirmed \(c)" }
        if let r = e.leaveReason { s += " reason \(r)" }
    case .neSessionNtf:
        s += " upstream \(e.upstream?.description ?? "-")"
        if let i = e.interfaceIndex { s += " via \(interfaceName(i) ?? "ifindex \(i)")" }
    case .neSessionEndNtf:
        if let r = e.reason { s += " reason \(r)" }
    case .policyAllowedNtf:
        if let u = e.uid { s += " uid \(u)" }
        s += e.ruleID.map { " by rule \($0)" } ?? " by the default action"
    case .policyDeniedNtf, .policyRevokedNtf:
        if let u = e.uid { s += " uid \(u)" }
        if let r = e.ruleID {
            s += " by rule \(r)"
        } else {
            s += e.error == .noBufferSpace ? " by max-groups" : " by the default action"
        }
        if let err = e.error { s += " (\(errnoName(err)))" }
    default: break
    }
    return s
}

func eventJSON(_ e: PGMEvent) -> JSON {
    var o: [(String, JSON)] = [("event", .string(eventName(e.kind))), ("role", .string(e.role.description)),
                               ("inode", .uint(UInt64(e.socketInode)))]
    if let t = e.tsi { o.append(("tsi", .string(t.description))) }
    if let f = e.family { o.append(("family", .uint(UInt64(f.version)))) }
    if let a = e.source { o.append(("source", .string(a.description))) }
    if let g = e.group { o.append(("group", .string(g.description))) }
    if let p = e.port { o.append(("port", .uint(UInt64(p)))) }
    if let v = e.firstSequence { o.append(("first", .uint(UInt64(v.rawValue)))) }
    if let v = e.count { o.append(("count", .uint(UInt64(v)))) }
    if let v = e.lastSequence { o.append(("last", .uint(UInt64(v.rawValue)))) }
    if let v = e.reason { o.append(("reason", .string(v.description))) }
    if let v = e.leaveReason { o.append(("reason", .string(v.description))) }
    if let v = e.rate { o.append(("rate", .uint(UInt64(v)))) }
    if let v = e.threshold { o.append(("threshold", .uint(UInt64(v)))) }
    if let v = e.rateLimit { o.append(("rate_limit", .uint(UInt64(v)))) }
    if let v = e.rateLimited { o.append(("rate_limited", .uint(v))) }
    if e.kind == .ackerChangeNtf { o.append(("acker", e.acker.map { .string($0.description) } ?? .null)) }
    if let v = e.rttMicroseconds { o.append(("rtt_us", .uint(UInt64(v)))) }
    if let v = e.lossRate { o.append(("loss_rate", .uint(UInt64(v)))) }
    if let v = e.receiver { o.append(("receiver", .string(v.description))) }
    if let v = e.receiverID { o.append(("receiver_id", .uint(UInt64(v)))) }
    if let v = e.confirmedSequence { o.append(("confirmed", .uint(UInt64(v.rawValue)))) }
    if let v = e.uid { o.append(("uid", .uint(UInt64(v)))) }
    if e.kind == .policyAllowedNtf || e.kind == .policyDeniedNtf || e.kind == .policyRevokedNtf {
        o.append(("rule_id", e.ruleID.map { .uint(UInt64($0)) } ?? .null))
    }
    if let v = e.error { o.append(("error", .string(errnoName(v)))) }
    if let v = e.upstream { o.append(("upstream", .string(v.description))) }
    if let v = e.interfaceIndex { o.append(("ifindex", .uint(UInt64(v)))) }
    if e.existing { o.append(("existing", .bool(true))) }
    return .object(o)
}

/// The symbol of an errno the policy's events carry: "EACCES", "ENOBUFS";
/// "errno N" for another.
func errnoName(_ e: Errno) -> String {
    switch e {
    case .permissionDenied: "EACCES"
    case .noBufferSpace: "ENOBUFS"
    default: "errno \(e.rawValue)"
    }
}

extension String {
    /// Every `a` replaced with `b` (without Foundation).
    func replacingAll(_ a: Character, with b: Character) -> String {
        String(map { $0 == a ? b : $0 })
    }
}

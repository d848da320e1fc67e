import ArgumentParser
import PGMCLISupport
import PGMNetlink
import Testing

@testable import pgmctl

/// `pgmctl policy`: its arguments (group ranges, uid ranges, names, rates,
/// logical groups, what is refused before anything reaches the kernel) and
/// what it prints for the policy, its rules and logical groups, flush, the
/// policy-denied and policy-revoked events and a source's policy rate, with
/// no kernel.
/// One receiver more than a logical group may have: 10.0.0.1 to 10.0.0.65.
let sixtyFiveReceivers = (1...65).map { "10.0.0.\($0)" }.joined(separator: ",")

@Suite("pgmctl policy")
struct PolicyCommandTests {
    func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
    func u32(_ type: UInt16, _ v: UInt32) -> [UInt8] { [8, 0, UInt8(type), 0] + le(v) }

    /// The text ArgumentParser prints for a command line `policy add` (or
    /// another subcommand) refuses; nil when it is accepted.
    func refusal<C: ParsableCommand>(_ arguments: [String], of _: C.Type = PolicyAdd.self) -> String? {
        do {
            _ = try C.parse(arguments)
            return nil
        } catch {
            return C.message(for: error)
        }
    }

    @Test func addParsesEveryPart() throws {
        let add = try PolicyAdd.parse(["--action", "deny", "--role", "source", "--uid", "1000-1999", "--gid", "50",
                                       "--group", "239.0.0.0/8", "--index", "0", "--json"])
        let rule = try add.rule()
        #expect(rule == PGMPolicyRule(action: .deny, role: .source, uids: 1000...1999, gid: 50,
                                      groups: try GroupRange("239.0.0.0/8")))
        #expect(add.index == 0 && add.output.json)
        // The least rule: an action, any role, anyone, every group, at the end.
        let least = try PolicyAdd.parse(["--action", "allow"])
        #expect(try least.rule() == PGMPolicyRule(action: .allow) && least.index == nil)
        #expect(try least.rule().addAttributes(at: least.index) == [.u32(PGMPolicyRuleAttribute.action.rawValue, 0)])
    }

    /// --rate-cap takes bytes/s or a rate with a unit, as `set` does; 0 is
    /// no cap; --exempt is a flag.
    @Test(arguments: [
        ("100000", UInt32(100_000)), ("10M", 10_000_000), ("1.5G", 1_500_000_000), ("800mbit", 100_000_000),
        ("4294967295", UInt32.max),
    ])
    func addTakesRateCaps(_ text: String, _ want: UInt32) throws {
        let add = try PolicyAdd.parse(["--action", "allow", "--role", "source", "--rate-cap", text])
        #expect(try add.rule().rateCap == want && !add.exempt)
    }

    @Test func addRateCapZeroAndExempt() throws {
        let none = try PolicyAdd.parse(["--action", "allow", "--rate-cap", "0"])
        #expect(try none.rule() == PGMPolicyRule(action: .allow))
        let exempt = try PolicyAdd.parse(["--action", "allow", "--group", "239.2.0.0/16", "--rate-cap", "100000", "--exempt"])
        #expect(try exempt.rule() == PGMPolicyRule(action: .allow, groups: try GroupRange("239.2.0.0/16"),
                                                   rateCap: 100_000, exempt: true))
        typealias R = PGMPolicyRuleAttribute
        #expect(try exempt.rule().addAttributes().suffix(2) == [.u32(R.rateCap.rawValue, 100_000), .u32(R.exempt.rawValue, 1)])
    }

    @Test(arguments: [
        ("1000", 1000...1000), ("1000-1999", 1000...1999), ("0-0", 0...0), ("0", 0...0),
        ("4294967294", 4_294_967_294...4_294_967_294), ("root", 0...0),
    ])
    func uids(_ text: String, _ want: ClosedRange<UInt32>) throws {
        #expect(try parseUIDs(text) == want)
    }

    @Test func gidsAndNames() throws {
        #expect(try parseGID("100") == 100)
        #expect(try parseGID("root") == 0)
        #expect(accountID(user: "root") == 0 && accountID(group: "root") == 0)
        #expect(accountID(user: "pgm-no-such-user") == nil && accountID(group: "pgm-no-such-group") == nil)
    }

    @Test func groupsTakeEitherFamily() throws {
        #expect(try parseGroups("239.0.0.0/8").description == "239.0.0.0/8")
        #expect(try parseGroups("239.1.2.3").description == "239.1.2.3/32")
        #expect(try parseGroups("ff15::/16").description == "ff15::/16")
        #expect(try parseGroups("0.0.0.0/0").description == "0.0.0.0/0")
    }

    /// Refused with a usage error that says what is wrong: a prefix longer
    /// than the address, a range holding no group, a reversed uid range,
    /// names the system does not know, ids past 32 bits, unknown actions and
    /// roles, and no action at all.
    @Test(arguments: [
        (["--action", "deny", "--group", "239.0.0.0/33"], "prefix length 33 is longer than an IPv4 address's 32 bits"),
        (["--action", "deny", "--group", "ff15::/129"], "prefix length 129 is longer than an IPv6 address's 128 bits"),
        (["--action", "deny", "--group", "239.0.0.0/x"], "'x' is not a prefix length"),
        (["--action", "deny", "--group", "10.0.0.0/8"], "10.0.0.0/8 holds no multicast group"),
        (["--action", "deny", "--group", "239.0.0/8"], "is not a group range"),
        (["--action", "deny", "--uid", "1999-1000"], "--uid: 1999-1000 is a reversed range: write it 1000-1999"),
        (["--action", "deny", "--uid", "pgm-no-such-user"], "--uid: 'pgm-no-such-user' is not a uid"),
        (["--action", "deny", "--uid", "1000-"], "--uid: '1000-' is not a uid"),
        (["--action", "deny", "--uid", "4294967296"], "--uid: 4294967296 is past the largest id, 4294967295"),
        (["--action", "deny", "--uid", "1-4294967296"], "--uid: 4294967296 is past the largest id"),
        (["--action", "deny", "--gid", "pgm-no-such-group"], "--gid: 'pgm-no-such-group' is not a gid or a group name"),
        (["--action", "maybe"], "The value 'maybe' is invalid for '--action <action>'"),
        (["--action", "deny", "--role", "sender"], "The value 'sender' is invalid for '--role <role>'"),
        (["--role", "source"], "Missing expected argument '--action <action>'"),
        (["--action", "deny", "--index", "-1"], "The value '-1' is invalid for '--index <index>'"),
        (["--action", "allow", "--rate-cap", "4294967296"], "--rate-cap must be 0-4294967295 bytes/s (0: no cap); got 4294967296"),
        (["--action", "allow", "--rate-cap", "5G"], "--rate-cap must be 0-4294967295 bytes/s (0: no cap); got 5G"),
        (["--action", "allow", "--rate-cap", "fast"], "--rate-cap wants a rate such as 500k"),
        (["--action", "allow", "--rate-cap", "10ms"], "--rate-cap: unknown unit 'ms' in '10ms'"),
        (["--action", "allow", "--rate-cap", "1.5"], "--rate-cap: '1.5' is not a whole number of bytes/s"),
        (["--action", "deny", "--rate-cap", "1M"], "--rate-cap is about the sources a rule allows: a deny rule has none"),
        (["--action", "deny", "--exempt"], "--exempt is about the sources a rule allows: a deny rule has none"),
        (["--action", "allow", "--role", "receiver", "--exempt"],
         "--exempt is about the sources a rule allows: a receiver rule has none"),
    ])
    func addRefuses(_ arguments: [String], _ says: String) {
        let text = refusal(arguments)
        #expect(text?.contains(says) == true, "\(arguments): \(text ?? "accepted")")
    }

    /// The group: `policy` alone and `policy --json` show; each subcommand by name.
    @Test func subcommands() throws {
        #expect(try PGMCtl.parseAsRoot(["policy"]) is PolicyShow)
        let json = try #require(try PGMCtl.parseAsRoot(["policy", "--json"]) as? PolicyShow)
        #expect(json.output.json)
        let d = try #require(try PGMCtl.parseAsRoot(["policy", "default", "deny"]) as? PolicyDefault)
        #expect(d.action == .deny)
        #expect(throws: (any Error).self) { try PGMCtl.parseAsRoot(["policy", "default", "block"]) }
        let del = try #require(try PGMCtl.parseAsRoot(["policy", "del", "7"]) as? PolicyDel)
        #expect(del.id == 7)
        #expect(throws: (any Error).self) { try PGMCtl.parseAsRoot(["policy", "del", "seven"]) }
        #expect(try PGMCtl.parseAsRoot(["policy", "flush"]) is PolicyFlush)
        let map = try #require(try PGMCtl.parseAsRoot(["policy", "map", "239.1.0.1", "--physical", "239.2.0.1"]) as? PolicyMap)
        #expect(map.logical == "239.1.0.1" && map.physical == "239.2.0.1" && map.unicast.isEmpty)
        let unmap = try #require(try PGMCtl.parseAsRoot(["policy", "unmap", "ff15::1"]) as? PolicyUnmap)
        #expect(unmap.logical == "ff15::1")
        #expect(throws: (any Error).self) { try PGMCtl.parseAsRoot(["policy", "unmap"]) }
        #expect(throws: (any Error).self) { try PGMCtl.parseAsRoot(["policy", "unmap", "10.0.0.1"]) }
        #expect(try PGMCtl.parseAsRoot(["policy", "add", "--action", "allow", "--uid", "root"]) is PolicyAdd)
        let mg = try #require(try PGMCtl.parseAsRoot(["policy", "max-groups", "4096"]) as? PolicyMaxGroups)
        #expect(mg.count == 4096)
        #expect((try PGMCtl.parseAsRoot(["policy", "max-groups", "0"]) as? PolicyMaxGroups)?.count == 0)
        #expect(throws: (any Error).self) { try PGMCtl.parseAsRoot(["policy", "max-groups", "many"]) }
        #expect(throws: (any Error).self) { try PGMCtl.parseAsRoot(["policy", "max-groups", "4294967296"]) }
        let rc = try #require(try PGMCtl.parseAsRoot(["policy", "rate-cap", "100mbit"]) as? PolicyRateCap)
        #expect(try rc.rate == 12_500_000)
        #expect((try (PGMCtl.parseAsRoot(["policy", "rate-cap", "0"]) as? PolicyRateCap)?.rate) == 0)
        #expect((try (PGMCtl.parseAsRoot(["policy", "rate-cap", "1.5G"]) as? PolicyRateCap)?.rate) == 1_500_000_000)
    }

    /// `policy map LOGICAL --physical GROUP`, and `--unicast` with addresses
    /// separated by commas, repeatable, in their order; either family.
    @Test func mapParses() throws {
        let phys = try PolicyMap.parse(["239.1.0.1", "--physical", "239.2.0.1"])
        #expect(try phys.mapping() == PGMPolicyMap(logical: try IPAddress("239.1.0.1"), physical: try IPAddress("239.2.0.1")))
        let uni = try PolicyMap.parse(["239.11.0.1", "--unicast", "10.98.0.1,10.98.0.2", "--unicast", "192.0.2.7"])
        #expect(try uni.mapping().target == .unicast([try IPAddress("10.98.0.1"), try IPAddress("10.98.0.2"),
                                                      try IPAddress("192.0.2.7")]))
        let six = try PolicyMap.parse(["ff15::1", "--unicast", "fd00::1", "--unicast", "fd00::2"])
        #expect(try six.mapping() == PGMPolicyMap(logical: try IPAddress("ff15::1"),
                                                  unicast: [try IPAddress("fd00::1"), try IPAddress("fd00::2")]))
        let many = (1...64).map { "10.0.0.\($0)" }.joined(separator: ",")
        #expect(try PolicyMap.parse(["239.1.0.1", "--unicast", many]).mapping().target
                == .unicast((1...64).map { .v4(IPv4Address(10, 0, 0, UInt8($0))) }))
        typealias M = PGMPolicyMapAttribute
        #expect(try phys.mapping().addAttributes == [.ipAddress(v4: M.logical.rawValue, v6: M.logical6.rawValue,
                                                                try IPAddress("239.1.0.1")),
                                                     .ipAddress(v4: M.physical.rawValue, v6: M.physical6.rawValue,
                                                                try IPAddress("239.2.0.1"))])
    }

    /// What `policy map` and `policy unmap` refuse before the kernel is
    /// asked, with the words of the kernel's refusals where it has one.
    @Test(arguments: [
        (["239.1.0.1"], "give --physical or --unicast: a logical group stands for one physical group or for unicast receivers"),
        (["239.1.0.1", "--physical", "239.2.0.1", "--unicast", "10.0.0.1"], "give --physical or --unicast"),
        (["10.1.0.1", "--physical", "239.2.0.1"],
         "<logical>: the logical group must be multicast (224.0.0.0/4, ff00::/8): 10.1.0.1 is not"),
        (["239.1.0", "--physical", "239.2.0.1"], "<logical>: '239.1.0' is not an IPv4 or IPv6 address"),
        (["239.1.0.1", "--physical", "10.2.0.1"],
         "--physical: the physical group must be multicast (224.0.0.0/4, ff00::/8): 10.2.0.1 is not"),
        (["239.1.0.1", "--physical", "ff15::1"],
         "--physical: a logical group maps to addresses of its family: ff15::1 is IPv6, the logical group 239.1.0.1 IPv4"),
        (["239.1.0.1", "--unicast", "10.0.0.1,239.0.0.1"],
         "--unicast: a unicast receiver must be a unicast address: 239.0.0.1 is multicast"),
        (["239.1.0.1", "--unicast", "0.0.0.0"],
         "--unicast: a unicast receiver must be a unicast address: 0.0.0.0 is the unspecified address"),
        (["239.1.0.1", "--unicast", "10.0.0.1", "--unicast", "fd00::1"],
         "--unicast: a logical group maps to addresses of its family: fd00::1 is IPv6, the logical group 239.1.0.1 IPv4"),
        (["239.1.0.1", "--unicast", "10.0.0.1,,10.0.0.2"], "--unicast: '' is not an IPv4 or IPv6 address"),
        (["239.1.0.1", "--unicast", "10.0.0.1", "--unicast", "10.0.0.1"], "--unicast: 10.0.0.1 is given twice"),
        (["239.1.0.1", "--unicast", sixtyFiveReceivers],
         "--unicast: a logical group maps to 1 to 64 unicast receivers; 65 given"),
        (["--physical", "239.2.0.1"], "Missing expected argument '<logical>'"),
    ] as [([String], String)])
    func mapRefuses(_ arguments: [String], _ says: String) {
        let text = refusal(arguments, of: PolicyMap.self)
        #expect(text?.contains(says) == true, "\(arguments): \(text ?? "accepted")")
    }

    @Test(arguments: [
        ("10.0.0.1", "<logical>: the logical group must be multicast (224.0.0.0/4, ff00::/8): 10.0.0.1 is not"),
        ("ff15::zz", "<logical>: 'ff15::zz' is not an IPv4 or IPv6 address"),
    ])
    func unmapRefuses(_ logical: String, _ says: String) {
        let text = refusal([logical], of: PolicyUnmap.self)
        #expect(text?.contains(says) == true, "\(logical): \(text ?? "accepted")")
    }

    /// The kernel's refusals of policy-map-add and policy-map-del: its
    /// message, and the attribute at fault named from the policy-map set.
    @Test func mapRefusalsNameTheirAttribute() throws {
        #expect(attributeName(5, command: PGMCommand.policyMapAdd.rawValue) == "unicast")
        #expect(attributeName(2, command: PGMCommand.policyMapDel.rawValue) == "logical6")
        let map = try PGMPolicyMap(logical: try IPAddress("239.1.0.1"), unicast: [try IPAddress("10.0.0.1")])
        let request = NetlinkRequest(family: 0x1A, command: PGMCommand.policyMapAdd.rawValue, attributes: map.addAttributes)
        // logical (20), unicast (28).
        let report = KernelReport(message: "a unicast receiver must be a unicast address", offset: 28)
        #expect(explain(.refused(.invalidArgument, report), request: request).description
            .hasPrefix("kernel refused the request: a unicast receiver must be a unicast address [unicast] ("))
        #expect(explain(.refused(.noSuchFileOrDirectory, KernelReport(message: "no such logical group"))).description
            .hasPrefix("kernel refused the request: no such logical group ("))
        #expect(explain(.refused(.notPermitted, KernelReport()), set: "mapping a logical group").description
            == "permission denied: mapping a logical group needs CAP_NET_ADMIN in the network namespace (run as root)")
    }

    /// What `policy flush` prints: the rules and the logical groups it deleted.
    @Test func flushText() {
        #expect(policyFlushedText(rules: 2, maps: 0)
                == "deleted 2 rules and 0 logical groups; the default action is allow, no max-groups, no rate-cap")
        #expect(policyFlushedText(rules: 1, maps: 1)
                == "deleted 1 rule and 1 logical group; the default action is allow, no max-groups, no rate-cap")
    }

    /// `policy rate-cap` refuses what is not a rate of bytes/s that fits 32
    /// bits, with the words of `--rate-cap`'s refusals.
    @Test(arguments: [
        ("5G", "rate-cap must be 0-4294967295 bytes/s (0: no cap); got 5G"),
        ("fast", "rate-cap wants a rate such as 500k"),
        ("2s", "rate-cap: unknown unit 's' in '2s'"),
    ])
    func rateCapRefuses(_ text: String, _ says: String) {
        do {
            _ = try PolicyRateCap.parse([text])
            Issue.record("\(text) accepted")
        } catch {
            let m = PolicyRateCap.message(for: error)
            #expect(m.contains(says), "\(text): \(m)")
        }
    }

    func rules() throws -> [PGMPolicyRule] {
        var a = PGMPolicyRule(action: .deny, role: .source, uids: 1000...1999, groups: try GroupRange("239.1.0.0/16"))
        a.id = 3
        a.hits = 4
        var b = PGMPolicyRule(action: .allow, role: .receiver, gid: 50, cgroup: 4242, groups: try GroupRange("ff15::/16"))
        b.id = 12
        b.index = 1
        var c = PGMPolicyRule(action: .deny, uids: 0...0)
        c.id = 13
        c.index = 2
        var d = PGMPolicyRule(action: .allow, role: .source, groups: try GroupRange("239.2.0.0/16"), rateCap: 100_000,
                              exempt: true)
        d.id = 14
        d.index = 3
        return [a, b, c, d]
    }

    func maps() throws -> [PGMPolicyMap] {
        [try PGMPolicyMap(logical: try IPAddress("239.10.0.1"), physical: try IPAddress("239.10.0.99")),
         try PGMPolicyMap(logical: try IPAddress("239.11.0.1"),
                          unicast: [try IPAddress("10.98.0.1"), try IPAddress("10.98.0.2")]),
         try PGMPolicyMap(logical: try IPAddress("ff15::1"), unicast: [try IPAddress("fd00::1")])]
    }

    /// --cgroup takes an id as is, or a cgroup v2 directory; anything else
    /// says what it wants.
    @Test func cgroupOption() throws {
        #expect(try parseCgroup("4242") == 4242)
        #expect(throws: ValidationError.self) { try parseCgroup("/nonexistent/pgm") }
        #expect(throws: ValidationError.self) { try parseCgroup("/tmp") }  // a directory, not a cgroup's
        #expect(throws: ValidationError.self) { try parseCgroup("0") }
    }

    @Test func showText() throws {
        var stats = NetnsStatistics()
        stats.policyDenied = 5
        stats.inPolicy = 12
        stats.policyGroupLimit = 2
        stats.policyRevoked = 1
        let lines = policyLines(PGMPolicy(defaultAction: .deny, ruleCount: 4, maxGroups: 16, groupsInUse: 1,
                                          rateCap: 12_500_000, mapCount: 3), rules: try rules(), maps: try maps(),
                                statistics: stats)
        #expect(lines == [
            "default action      deny",
            "rules               4 (at most 256)",
            "logical groups      3 (at most 64)",
            "max-groups          16 (at most 4096), 1 group in use",
            "rate-cap            12500000B/s",
            "policy-allowed      0",
            "policy-denied       5",
            "policy-group-limit  2",
            "policy-revoked      1",
            "in-policy           12",
            "",
            "Id  Index  Role      Action  UIDs       GID  Cgroup  Groups        Rate-cap   Exempt  Hits",
            "3   0      source    deny    1000-1999  any  any     239.1.0.0/16  none       no      4",
            "12  1      receiver  allow   any        50   4242    ff15::/16     none       no      0",
            "13  2      any       deny    0          any  any     any           none       no      0",
            "14  3      source    allow   any        any  any     239.2.0.0/16  100000B/s  yes     0",
            "",
            "Logical     Target    Addresses",
            "239.10.0.1  physical  239.10.0.99",
            "239.11.0.1  unicast   10.98.0.1,10.98.0.2",
            "ff15::1     unicast   fd00::1",
        ])
        let empty = policyLines(PGMPolicy(defaultAction: .allow, ruleCount: 0, groupsInUse: 3), rules: [],
                                statistics: NetnsStatistics())
        #expect(empty.first == "default action      allow" && empty[2] == "logical groups      0 (at most 64)")
        #expect(empty[3] == "max-groups          none, 3 groups in use" && empty[4] == "rate-cap            none")
        #expect(empty.suffix(3) == ["Id  Index  Role  Action  UIDs  GID  Cgroup  Groups  Rate-cap  Exempt  Hits", "",
                                    "Logical  Target  Addresses"])
    }

    /// Every key of a rule in --json, null for a part that matches anything.
    @Test func showJSON() throws {
        var stats = NetnsStatistics()
        stats.policyDenied = 5
        stats.policyRevoked = 2
        let t = policyJSON(PGMPolicy(defaultAction: .deny, ruleCount: 4, maxGroups: 1, groupsInUse: 1, rateCap: 250_000,
                                     mapCount: 3), rules: try rules(), maps: try maps(), statistics: stats).text
        #expect(t.hasPrefix(#"{"default_action":"deny","rule_count":4,"rules_max":256,"map_count":3,"maps_max":64,"#
            + #""max_groups":1,"max_groups_max":4096,"#
            + #""groups":1,"rate_cap":250000,"policy_allowed":0,"policy_denied":5,"policy_group_limit":0,"policy_revoked":2,"in_policy":0,"#
            + #""rules":["#))
        #expect(t.contains(#"{"id":3,"index":0,"role":"source","action":"deny","uid_min":1000,"uid_max":1999,"gid":null,"#
            + #""cgroup":null,"family":4,"group":"239.1.0.0","prefix_len":16,"rate_cap":null,"exempt":false,"hits":4}"#))
        #expect(t.contains(#"{"id":12,"index":1,"role":"receiver","action":"allow","uid_min":null,"uid_max":null,"gid":50,"#
            + #""cgroup":4242,"family":6,"group":"ff15::","prefix_len":16,"rate_cap":null,"exempt":false,"hits":0}"#))
        #expect(t.contains(#""uid_min":0,"uid_max":0,"gid":null,"cgroup":null,"family":null,"group":null,"prefix_len":null,"#
            + #""rate_cap":null,"exempt":false,"hits":0}"#))
        #expect(t.contains(#"{"id":14,"index":3,"role":"source","action":"allow","uid_min":null,"uid_max":null,"gid":null,"#
            + #""cgroup":null,"family":4,"group":"239.2.0.0","prefix_len":16,"rate_cap":100000,"exempt":true,"hits":0}],"maps":["#))
        #expect(t.hasSuffix(#""maps":[{"logical":"239.10.0.1","family":4,"physical":"239.10.0.99","unicast":null},"#
            + #"{"logical":"239.11.0.1","family":4,"physical":null,"unicast":["10.98.0.1","10.98.0.2"]},"#
            + #"{"logical":"ff15::1","family":6,"physical":null,"unicast":["fd00::1"]}]}"#))
        let none = policyJSON(PGMPolicy(defaultAction: .allow, ruleCount: 0), rules: [], statistics: NetnsStatistics()).text
        #expect(none.contains(#""map_count":0,"maps_max":64,"#) && none.hasSuffix(#""rules":[],"maps":[]}"#))
        #expect(policyAddedText(id: 14, index: 3, json: true) == #"{"id":14,"index":3}"#)
        #expect(policyAddedText(id: 14, index: 3, json: false) == "added rule 14 at index 3")
    }

    /// policy-denied in `pgmctl monitor`: the group, the owner's uid and the
    /// rule, or the default action (rule_id null).
    @Test func policyDeniedEvents() throws {
        typealias E = PGMEventAttribute
        let base = u32(E.socketInode.rawValue, 31) + u32(E.role.rawValue, PGMRole.receiver.rawValue)
            + [8, 0, UInt8(E.group.rawValue), 0, 239, 1, 2, 3] + u32(E.uid.rawValue, 1000)
        let byRule = try #require(PGMEvent(command: PGMCommand.policyDeniedNtf.rawValue,
                                           attributes: try NetlinkAttributes(parsing: base + u32(E.ruleId.rawValue, 9))))
        #expect(eventLine(byRule) == "policy-denied receiver inode 31 group 239.1.2.3 uid 1000 by rule 9")
        #expect(eventJSON(byRule).text == #"{"event":"policy-denied","role":"receiver","inode":31,"family":4,"#
            + #""group":"239.1.2.3","uid":1000,"rule_id":9}"#)
        let byDefault = try #require(PGMEvent(command: PGMCommand.policyDeniedNtf.rawValue,
                                              attributes: try NetlinkAttributes(parsing: base)))
        #expect(eventLine(byDefault) == "policy-denied receiver inode 31 group 239.1.2.3 uid 1000 by the default action")
        #expect(eventJSON(byDefault).text.hasSuffix(#""uid":1000,"rule_id":null}"#))
    }

    /// The errno of a refusal: EACCES by a rule or the default, ENOBUFS by
    /// max-groups (no rule); `error` in --json.
    @Test func policyDeniedErrors() throws {
        typealias E = PGMEventAttribute
        let base = u32(E.socketInode.rawValue, 33) + u32(E.role.rawValue, PGMRole.source.rawValue)
            + [8, 0, UInt8(E.group.rawValue), 0, 239, 1, 2, 4] + u32(E.uid.rawValue, 0)
        func event(_ extra: [UInt8]) throws -> PGMEvent? {
            PGMEvent(command: PGMCommand.policyDeniedNtf.rawValue,
                     attributes: try NetlinkAttributes(parsing: base + extra))
        }
        let limit = try #require(try event(u32(E.error.rawValue, 105)))
        #expect(eventLine(limit) == "policy-denied source   inode 33 group 239.1.2.4 uid 0 by max-groups (ENOBUFS)")
        #expect(eventJSON(limit).text.hasSuffix(#""uid":0,"rule_id":null,"error":"ENOBUFS"}"#))
        let byRule = try #require(try event(u32(E.ruleId.rawValue, 9) + u32(E.error.rawValue, 13)))
        #expect(eventLine(byRule).hasSuffix("uid 0 by rule 9 (EACCES)"))
        #expect(eventJSON(byRule).text.hasSuffix(#""rule_id":9,"error":"EACCES"}"#))
        let byDefault = try #require(try event(u32(E.error.rawValue, 13)))
        #expect(eventLine(byDefault).hasSuffix("uid 0 by the default action (EACCES)"))
        let other = try #require(try event(u32(E.error.rawValue, 5)))
        #expect(eventLine(other).hasSuffix("by the default action (errno 5)"))
    }

    /// policy-revoked in `pgmctl monitor`: a live source ended, or a
    /// receiver made to leave, by a rule or the default action.
    @Test func policyRevokedEvents() throws {
        typealias E = PGMEventAttribute
        let src = try #require(PGMEvent(command: PGMCommand.policyRevokedNtf.rawValue, attributes: try NetlinkAttributes(
            parsing: u32(E.socketInode.rawValue, 40) + u32(E.role.rawValue, PGMRole.source.rawValue)
                + [8, 0, UInt8(E.group.rawValue), 0, 239, 193, 0, 1] + u32(E.uid.rawValue, 65534)
                + u32(E.ruleId.rawValue, 6) + u32(E.error.rawValue, 13))))
        #expect(eventLine(src) == "policy-revoked source   inode 40 group 239.193.0.1 uid 65534 by rule 6 (EACCES)")
        #expect(eventJSON(src).text == #"{"event":"policy-revoked","role":"source","inode":40,"family":4,"#
            + #""group":"239.193.0.1","uid":65534,"rule_id":6,"error":"EACCES"}"#)
        let rcv = try #require(PGMEvent(command: PGMCommand.policyRevokedNtf.rawValue, attributes: try NetlinkAttributes(
            parsing: u32(E.socketInode.rawValue, 41) + u32(E.role.rawValue, PGMRole.receiver.rawValue)
                + [8, 0, UInt8(E.group.rawValue), 0, 239, 193, 0, 2] + u32(E.uid.rawValue, 1000)
                + u32(E.error.rawValue, 13))))
        #expect(eventLine(rcv) == "policy-revoked receiver inode 41 group 239.193.0.2 uid 1000 by the default action (EACCES)")
        #expect(eventJSON(rcv).text.hasSuffix(#""uid":1000,"rule_id":null,"error":"EACCES"}"#))
    }

    /// `pgmctl sockets --json`: a source the policy limits has policy_rate;
    /// one it does not, none.
    @Test func socketsShowThePolicyRate() throws {
        typealias S = PGMSocketAttribute
        let base = u32(S.inode.rawValue, 5) + u32(S.role.rawValue, PGMRole.source.rawValue) + u32(S.rateLimit.rawValue, 0)
        let capped = socketJSON(try PGMSocketInfo(try NetlinkAttributes(parsing: base + u32(S.policyRate.rawValue, 100_000))))
        #expect(capped.text.contains(#""rate_limit":0,"policy_rate":100000,"#))
        let free = socketJSON(try PGMSocketInfo(try NetlinkAttributes(parsing: base)))
        #expect(!free.text.contains("policy_rate"))
    }
}

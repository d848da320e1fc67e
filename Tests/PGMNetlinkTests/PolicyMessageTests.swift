import PGMNetlink
import Testing

/// The policy operations of the `pgm` family (issue #22, docs/governance.md)
/// against bytes written out by hand, with no kernel: the requests
/// policy-set, policy-rule-add, policy-rule-del, policy-map-add and
/// policy-map-del, the replies of policy-get and the policy-rule-get and
/// policy-map-get dumps, the policy-denied and policy-revoked events, and a
/// source's policy rate in the socket dump.
@Suite("pgm family policy messages")
struct PolicyMessageTests {
    typealias R = PGMPolicyRuleAttribute

    func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
    func u32(_ type: UInt16, _ v: UInt32) -> [UInt8] { [8, 0, UInt8(type), 0] + le(v) }
    func u64(_ type: UInt16, _ v: UInt64) -> [UInt8] { [12, 0, UInt8(type), 0] + le(v) }
    func binary(_ type: UInt16, _ payload: [UInt8]) -> [UInt8] { [UInt8(4 + payload.count), 0, UInt8(type), 0] + payload }
    func header(type: UInt16, flags: UInt16, seq: UInt32, payload: [UInt8]) -> [UInt8] {
        le(UInt32(16 + payload.count)) + le(type) + le(flags) + le(seq) + le(UInt32(0)) + payload
    }
    let ff15: [UInt8] = [0xFF, 0x15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    let ff151: [UInt8] = [0xFF, 0x15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]

    /// policy-rule-add: index, role, action, the uid range, gid, the group
    /// (a u32 in network order) and its prefix length, in that order.
    @Test func encodesRuleAdd() throws {
        let rule = PGMPolicyRule(action: .deny, role: .source, uids: 1000...1999, gid: 50,
                                 groups: try GroupRange("239.1.0.0/16"))
        let r = NetlinkRequest(family: 0x1A, command: PGMCommand.policyRuleAdd.rawValue, version: PGMFamily.version,
                               attributes: rule.addAttributes(at: 2))
        let golden: [UInt8] = [
            0x54, 0x00, 0x00, 0x00,  // nlmsg_len 84
            0x1A, 0x00, 0x05, 0x00,  // the family, NLM_F_REQUEST | NLM_F_ACK
            0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // seq 1, port 0
            0x12, 0x01, 0x00, 0x00,  // cmd policy-rule-add (18), version 1
            0x08, 0x00, 0x03, 0x00, 0x02, 0x00, 0x00, 0x00,  // index 2
            0x08, 0x00, 0x04, 0x00, 0x01, 0x00, 0x00, 0x00,  // role source
            0x08, 0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x00,  // action deny
            0x08, 0x00, 0x06, 0x00, 0xE8, 0x03, 0x00, 0x00,  // uid-min 1000
            0x08, 0x00, 0x07, 0x00, 0xCF, 0x07, 0x00, 0x00,  // uid-max 1999
            0x08, 0x00, 0x08, 0x00, 0x32, 0x00, 0x00, 0x00,  // gid 50
            0x08, 0x00, 0x09, 0x00, 239, 1, 0, 0,  // group 239.1.0.0, network order
            0x08, 0x00, 0x0B, 0x00, 0x10, 0x00, 0x00, 0x00,  // prefix-len 16
        ]
        #expect(r.encoded(sequence: 1, portID: 0) == golden)
    }

    /// The least rule is its action: any role (no attribute), anyone, every
    /// group, at the end (no index).  An IPv6 range goes as group6.
    @Test func encodesRuleAddParts() throws {
        #expect(PGMPolicyRule(action: .allow).addAttributes() == [.u32(R.action.rawValue, 0)])
        let v6 = PGMPolicyRule(action: .deny, role: .receiver, groups: try GroupRange("ff15::/16")).addAttributes()
        #expect(v6 == [.u32(R.role.rawValue, 2), .u32(R.action.rawValue, 1),
                       NetlinkAttribute(type: R.group6.rawValue, payload: ff15), .u32(R.prefixLen.rawValue, 16)])
        let one = PGMPolicyRule(action: .deny, uids: 0...0).addAttributes(at: 0)
        #expect(one == [.u32(R.index.rawValue, 0), .u32(R.action.rawValue, 1), .u32(R.uidMin.rawValue, 0),
                        .u32(R.uidMax.rawValue, 0)])
    }

    /// A rule's rate cap and exemption come last, after the group: the cap
    /// as a u32 of bytes/s, exempt as 1.  No cap (nil or 0) and not exempt
    /// are left out, as the kernel takes their absence.
    @Test func encodesRuleRateCapAndExempt() throws {
        let rule = PGMPolicyRule(action: .allow, role: .source, groups: try GroupRange("239.2.0.0/16"),
                                 rateCap: 100_000, exempt: true)
        let r = NetlinkRequest(family: 0x1A, command: PGMCommand.policyRuleAdd.rawValue, version: PGMFamily.version,
                               attributes: rule.addAttributes())
        #expect(Array(r.encoded(sequence: 1, portID: 0).dropFirst(20)) == [
            0x08, 0x00, 0x04, 0x00, 0x01, 0x00, 0x00, 0x00,  // role source
            0x08, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00,  // action allow
            0x08, 0x00, 0x09, 0x00, 239, 2, 0, 0,  // group 239.2.0.0
            0x08, 0x00, 0x0B, 0x00, 0x10, 0x00, 0x00, 0x00,  // prefix-len 16
            0x08, 0x00, 0x0D, 0x00, 0xA0, 0x86, 0x01, 0x00,  // rate-cap 100000
            0x08, 0x00, 0x0E, 0x00, 0x01, 0x00, 0x00, 0x00,  // exempt 1
        ])
        #expect(PGMPolicyRule(action: .allow, rateCap: 0).rateCap == nil)
        #expect(PGMPolicyRule(action: .allow, rateCap: 0).addAttributes() == [.u32(R.action.rawValue, 0)])
        #expect(PGMPolicyRule(action: .allow, exempt: true).addAttributes()
                == [.u32(R.action.rawValue, 0), .u32(R.exempt.rawValue, 1)])
        #expect(PGMPolicyRule(action: .deny, rateCap: 1).addAttributes()
                == [.u32(R.action.rawValue, 1), .u32(R.rateCap.rawValue, 1)])
    }

    /// policy-set and policy-rule-del: one u32 each.
    @Test func encodesSetAndDelete() {
        let set = NetlinkRequest(family: 0x1A, command: PGMCommand.policySet.rawValue,
                                 attributes: [.u32(PGMPolicyAttribute.defaultAction.rawValue, PolicyAction.deny.rawValue)])
        #expect(set.encoded(sequence: 3, portID: 0) == [
            0x1C, 0, 0, 0, 0x1A, 0, 0x05, 0, 3, 0, 0, 0, 0, 0, 0, 0,
            0x11, 0x01, 0x00, 0x00,  // cmd policy-set (17)
            0x08, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00,  // default-action deny
        ])
        #expect(PGMPolicy.setAttributes(defaultAction: .deny) == set.attributes)
        let del = NetlinkRequest(family: 0x1A, command: PGMCommand.policyRuleDel.rawValue,
                                 attributes: [.u32(R.id.rawValue, 7)])
        #expect(Array(del.encoded(sequence: 3, portID: 0).suffix(12)) == [
            0x13, 0x01, 0x00, 0x00,  // cmd policy-rule-del (19)
            0x08, 0x00, 0x02, 0x00, 0x07, 0x00, 0x00, 0x00,  // id 7
        ])
    }

    /// policy-set with max-groups and rate-cap: each a u32, only those
    /// given, in the order default-action, max-groups, rate-cap; 0 is sent
    /// (it takes the limit away), nil is not (it keeps it).
    @Test func encodesSetLimits() {
        typealias P = PGMPolicyAttribute
        let set = NetlinkRequest(family: 0x1A, command: PGMCommand.policySet.rawValue,
                                 attributes: PGMPolicy.setAttributes(maxGroups: 1, rateCap: 1_500_000_000))
        #expect(set.encoded(sequence: 3, portID: 0) == [
            0x24, 0, 0, 0, 0x1A, 0, 0x05, 0, 3, 0, 0, 0, 0, 0, 0, 0,
            0x11, 0x01, 0x00, 0x00,  // cmd policy-set (17)
            0x08, 0x00, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00,  // max-groups 1
            0x08, 0x00, 0x05, 0x00, 0x00, 0x2F, 0x68, 0x59,  // rate-cap 1500000000
        ])
        #expect(PGMPolicy.setAttributes(defaultAction: .allow, maxGroups: 0, rateCap: 0)
                == [.u32(P.defaultAction.rawValue, 0), .u32(P.maxGroups.rawValue, 0), .u32(P.rateCap.rawValue, 0)])
        #expect(PGMPolicy.setAttributes(rateCap: 0) == [.u32(P.rateCap.rawValue, 0)])
        #expect(PGMPolicy.setAttributes().isEmpty)
        #expect(PGMFamily.policyMaxGroupsMax == 4096 && P.maxGroups.accepted?.range == 0...4096)
    }

    /// policy-get's reply: the default action and the count of rules; an
    /// action this client does not know is a malformed reply, not "allow".
    @Test func decodesPolicy() throws {
        typealias P = PGMPolicyAttribute
        let m = try NetlinkMessage.parse(header(type: 0x1A, flags: 0, seq: 4, payload: [PGMCommand.policyGet.rawValue, 1, 0, 0]
            + u32(P.defaultAction.rawValue, 1) + u32(P.rules.rawValue, 3)))
        guard case .generic(_, 4, PGMCommand.policyGet.rawValue, let a) = m.first else {
            Issue.record("no policy-get reply in \(m)")
            return
        }
        // From a module older than max-groups and rate-cap: neither.
        #expect(try PGMPolicy(a) == PGMPolicy(defaultAction: .deny, ruleCount: 3))
        #expect(try PGMPolicy(a).mapCount == 0)
        let limits = try PGMPolicy(try NetlinkAttributes(parsing: u32(P.defaultAction.rawValue, 0)
            + u32(P.rules.rawValue, 0) + u32(P.maxGroups.rawValue, 4096) + u32(P.groups.rawValue, 17)
            + u32(P.rateCap.rawValue, 12_500_000)))
        #expect(limits == PGMPolicy(defaultAction: .allow, ruleCount: 0, maxGroups: 4096, groupsInUse: 17,
                                    rateCap: 12_500_000))
        let maps = try PGMPolicy(try NetlinkAttributes(parsing: u32(P.defaultAction.rawValue, 0)
            + u32(P.rules.rawValue, 0) + u32(P.maxGroups.rawValue, 0) + u32(P.groups.rawValue, 2)
            + u32(P.rateCap.rawValue, 0) + u32(P.maps.rawValue, 64)))
        #expect(maps == PGMPolicy(defaultAction: .allow, ruleCount: 0, groupsInUse: 2, mapCount: 64))
        #expect(throws: NetlinkError.self) {
            try PGMPolicy(try NetlinkAttributes(parsing: u32(P.defaultAction.rawValue, 2)))
        }
        #expect(PGMFamily.policyRulesMax == 256)
    }

    /// A dump message: id, index, role, action, the uid range, gid, the
    /// group and prefix length, hits after a pad; IPv6 as group6; a rule
    /// without parts matches anything.
    @Test func decodesRules() throws {
        let v4 = u32(R.id.rawValue, 9) + u32(R.index.rawValue, 0) + u32(R.role.rawValue, 1) + u32(R.action.rawValue, 1)
            + u32(R.uidMin.rawValue, 1000) + u32(R.uidMax.rawValue, 1999) + u32(R.gid.rawValue, 50)
            + [8, 0, UInt8(R.group.rawValue), 0, 239, 1, 0, 0] + u32(R.prefixLen.rawValue, 16)
            + u64(R.hits.rawValue, 1 << 33)
        let m = try NetlinkMessage.parse(header(type: 0x1A, flags: 2, seq: 5, payload: [PGMCommand.policyRuleGet.rawValue, 1, 0, 0] + v4)
            + header(type: 3, flags: 2, seq: 5, payload: [0, 0, 0, 0]))
        guard case .generic(_, 5, PGMCommand.policyRuleGet.rawValue, let a) = m.first else {
            Issue.record("no rule in \(m)")
            return
        }
        let r = try PGMPolicyRule(a)
        var want = PGMPolicyRule(action: .deny, role: .source, uids: 1000...1999, gid: 50, groups: try GroupRange("239.1.0.0/16"))
        want.id = 9
        want.hits = 1 << 33
        #expect(r == want)
        #expect(r.addAttributes() == want.addAttributes())

        let v6 = try PGMPolicyRule(try NetlinkAttributes(parsing: u32(R.id.rawValue, 10) + u32(R.index.rawValue, 1)
            + u32(R.role.rawValue, 2) + u32(R.action.rawValue, 0) + binary(R.group6.rawValue, ff15)
            + u32(R.prefixLen.rawValue, 16)))
        #expect(v6.groups == (try GroupRange("ff15::/16")) && v6.role == .receiver && v6.action == .allow)
        #expect(v6.index == 1 && v6.uids == nil && v6.gid == nil && v6.hits == 0)

        let bare = try PGMPolicyRule(try NetlinkAttributes(parsing: u32(R.id.rawValue, 11) + u32(R.index.rawValue, 2)
            + u32(R.action.rawValue, 1)))
        #expect(bare.role == .any && bare.uids == nil && bare.gid == nil && bare.groups == nil)
        #expect(bare.rateCap == nil && !bare.exempt)
    }

    /// A dump message with a rate cap and exempt (after hits, as the kernel
    /// puts them); exempt 0, as every rule of the kernel's dump carries it,
    /// and a cap of 0 are none.
    @Test func decodesRuleRateCapAndExempt() throws {
        let head = u32(R.id.rawValue, 4) + u32(R.index.rawValue, 0) + u32(R.role.rawValue, 1) + u32(R.action.rawValue, 0)
            + u64(R.hits.rawValue, 2)
        let capped = try PGMPolicyRule(try NetlinkAttributes(parsing: head + u32(R.rateCap.rawValue, 100_000)
            + u32(R.exempt.rawValue, 1)))
        #expect(capped.rateCap == 100_000 && capped.exempt && capped.hits == 2)
        var want = PGMPolicyRule(action: .allow, role: .source, rateCap: 100_000, exempt: true)
        want.id = 4
        want.hits = 2
        #expect(capped == want)
        let plain = try PGMPolicyRule(try NetlinkAttributes(parsing: head + u32(R.exempt.rawValue, 0)))
        #expect(plain.rateCap == nil && !plain.exempt)
        let zero = try PGMPolicyRule(try NetlinkAttributes(parsing: head + u32(R.rateCap.rawValue, 0)))
        #expect(zero.rateCap == nil)
    }

    /// A rule's cgroup: a u64 both ways (its absence, any cgroup).
    @Test func ruleCgroupBothWays() throws {
        let rule = PGMPolicyRule(action: .deny, role: .source, cgroup: 0x1_0000_0042)
        #expect(rule.addAttributes() == [.u32(R.role.rawValue, 1), .u32(R.action.rawValue, 1),
                                         .u64(R.cgroup.rawValue, 0x1_0000_0042)])
        let head = u32(R.id.rawValue, 5) + u32(R.index.rawValue, 0) + u32(R.action.rawValue, 1)
        let got = try PGMPolicyRule(try NetlinkAttributes(parsing: head + u64(R.cgroup.rawValue, 0x1_0000_0042)))
        #expect(got.cgroup == 0x1_0000_0042)
        #expect(try PGMPolicyRule(try NetlinkAttributes(parsing: head)).cgroup == nil)
    }

    /// What the client cannot take as a rule is a malformed reply, never a
    /// trap: no id, an unknown action or role, uid-min above uid-max or
    /// alone, a prefix longer than the address.
    @Test(arguments: [
        ("no id", [UInt8]()),
        ("unknown action", [8, 0, 5, 0, 7, 0, 0, 0]),
        ("unknown role", [8, 0, 4, 0, 3, 0, 0, 0, 8, 0, 5, 0, 0, 0, 0, 0]),
        ("reversed uids", [8, 0, 5, 0, 0, 0, 0, 0, 8, 0, 6, 0, 0xCF, 7, 0, 0, 8, 0, 7, 0, 0xE8, 3, 0, 0]),
        ("uid-min alone", [8, 0, 5, 0, 0, 0, 0, 0, 8, 0, 6, 0, 0xCF, 7, 0, 0]),
        ("prefix 33", [8, 0, 5, 0, 0, 0, 0, 0, 8, 0, 9, 0, 239, 0, 0, 0, 8, 0, 11, 0, 33, 0, 0, 0]),
    ])
    func refusesBadRules(_ what: String, _ body: [UInt8]) throws {
        let head = what == "no id" ? [] : u32(R.id.rawValue, 1) + u32(R.index.rawValue, 0)
        let a = try NetlinkAttributes(parsing: head + body)
        #expect(throws: NetlinkError.self, "\(what)") { try PGMPolicyRule(a) }
    }

    /// policy-denied: the socket, its role, the group, the owner's uid and
    /// the rule; without rule-id the default action refused.
    @Test func decodesPolicyDeniedEvent() throws {
        typealias E = PGMEventAttribute
        let base = u32(E.socketInode.rawValue, 31) + u32(E.role.rawValue, PGMRole.receiver.rawValue)
            + [8, 0, UInt8(E.group.rawValue), 0, 239, 1, 2, 3] + u32(E.uid.rawValue, 1000)
        let m = try NetlinkMessage.parse(header(type: 0x1A, flags: 0, seq: 0,
                                                payload: [PGMCommand.policyDeniedNtf.rawValue, 1, 0, 0] + base
                                                    + u32(E.ruleId.rawValue, 9)))
        guard case .generic(_, _, let cmd, let a) = m.first, let e = PGMEvent(command: cmd, attributes: a) else {
            Issue.record("no event in \(m)")
            return
        }
        #expect(e.kind == .policyDeniedNtf && e.socketInode == 31 && e.role == .receiver)
        #expect(e.group.map(\.description) == "239.1.2.3" && e.family == .v4 && e.uid == 1000 && e.ruleID == 9)
        #expect(e.tsi == nil && e.port == nil)
        let byDefault = try #require(PGMEvent(command: PGMCommand.policyDeniedNtf.rawValue, attributes: try NetlinkAttributes(
            parsing: u32(E.socketInode.rawValue, 32) + u32(E.role.rawValue, PGMRole.source.rawValue)
                + binary(E.group6.rawValue, ff15) + u32(E.uid.rawValue, 0))))
        #expect(byDefault.role == .source && byDefault.family == .v6 && byDefault.uid == 0 && byDefault.ruleID == nil)
        // From a module older than the error attribute: none.
        #expect(e.error == nil && byDefault.error == nil)
        #expect(PGMEvent.kinds.contains(.policyDeniedNtf))
    }

    /// The errno a refused socket got: EACCES from a rule or the default,
    /// ENOBUFS past max-groups (no rule-id then), as an `Errno`.
    @Test func decodesPolicyDeniedError() throws {
        typealias E = PGMEventAttribute
        let base = u32(E.socketInode.rawValue, 33) + u32(E.role.rawValue, PGMRole.source.rawValue)
            + [8, 0, UInt8(E.group.rawValue), 0, 239, 1, 2, 4] + u32(E.uid.rawValue, 0)
        let limit = try #require(PGMEvent(command: PGMCommand.policyDeniedNtf.rawValue, attributes: try NetlinkAttributes(
            parsing: base + u32(E.error.rawValue, 105))))
        #expect(limit.error == .noBufferSpace && limit.ruleID == nil)
        let denied = try #require(PGMEvent(command: PGMCommand.policyDeniedNtf.rawValue, attributes: try NetlinkAttributes(
            parsing: base + u32(E.ruleId.rawValue, 2) + u32(E.error.rawValue, 13))))
        #expect(denied.error == .permissionDenied && denied.ruleID == 2)
    }

    /// policy-revoked: a policy change ended a live source or made a
    /// receiver leave a group; the same attributes as policy-denied.
    @Test func decodesPolicyRevokedEvent() throws {
        typealias E = PGMEventAttribute
        let m = try NetlinkMessage.parse(header(type: 0x1A, flags: 0, seq: 0, payload: [PGMCommand.policyRevokedNtf.rawValue, 1, 0, 0]
            + u32(E.socketInode.rawValue, 40) + u32(E.role.rawValue, PGMRole.source.rawValue)
            + [8, 0, UInt8(E.group.rawValue), 0, 239, 193, 0, 1] + u32(E.uid.rawValue, 65534)
            + u32(E.ruleId.rawValue, 6) + u32(E.error.rawValue, 13)))
        guard case .generic(_, _, let cmd, let a) = m.first, let e = PGMEvent(command: cmd, attributes: a) else {
            Issue.record("no event in \(m)")
            return
        }
        #expect(e.kind == .policyRevokedNtf && e.socketInode == 40 && e.role == .source && e.uid == 65534)
        #expect(e.group.map(\.description) == "239.193.0.1" && e.ruleID == 6 && e.error == .permissionDenied)
        let receiver = try #require(PGMEvent(command: PGMCommand.policyRevokedNtf.rawValue, attributes: try NetlinkAttributes(
            parsing: u32(E.socketInode.rawValue, 41) + u32(E.role.rawValue, PGMRole.receiver.rawValue)
                + binary(E.group6.rawValue, ff15) + u32(E.uid.rawValue, 1000) + u32(E.error.rawValue, 13))))
        #expect(receiver.role == .receiver && receiver.family == .v6 && receiver.ruleID == nil)
        #expect(PGMEvent.kinds.contains(.policyRevokedNtf))
    }

    typealias M = PGMPolicyMapAttribute

    func v4(_ text: String) throws -> IPAddress { try IPAddress(text) }

    /// policy-map-add to a physical group: logical, then physical, each a
    /// u32 in network order; policy-map-del: the logical group alone.
    @Test func encodesMapPhysicalAndDelete() throws {
        let map = try PGMPolicyMap(logical: try v4("239.1.0.1"), physical: try v4("239.2.0.1"))
        let r = NetlinkRequest(family: 0x1A, command: PGMCommand.policyMapAdd.rawValue, version: PGMFamily.version,
                               attributes: map.addAttributes)
        #expect(r.encoded(sequence: 1, portID: 0) == [
            0x24, 0x00, 0x00, 0x00,  // nlmsg_len 36
            0x1A, 0x00, 0x05, 0x00,  // the family, NLM_F_REQUEST | NLM_F_ACK
            0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // seq 1, port 0
            0x15, 0x01, 0x00, 0x00,  // cmd policy-map-add (21), version 1
            0x08, 0x00, 0x01, 0x00, 239, 1, 0, 1,  // logical 239.1.0.1
            0x08, 0x00, 0x03, 0x00, 239, 2, 0, 1,  // physical 239.2.0.1
        ])
        let del = NetlinkRequest(family: 0x1A, command: PGMCommand.policyMapDel.rawValue,
                                 attributes: PGMPolicyMap.deleteAttributes(logical: try v4("239.1.0.1")))
        #expect(Array(del.encoded(sequence: 3, portID: 0).suffix(12)) == [
            0x16, 0x01, 0x00, 0x00,  // cmd policy-map-del (22)
            0x08, 0x00, 0x01, 0x00, 239, 1, 0, 1,  // logical 239.1.0.1
        ])
        #expect(PGMPolicyMap.deleteAttributes(logical: .v6(IPv6Address(high: 0xFF15 << 48, low: 1)))
                == [NetlinkAttribute(type: M.logical6.rawValue, payload: ff151)])
    }

    /// Unicast receivers go packed into one attribute, in their order: 4
    /// bytes each (unicast) or 16 (unicast6, after logical6).
    @Test func encodesMapUnicast() throws {
        let map = try PGMPolicyMap(logical: try v4("239.11.0.1"), unicast: [try v4("10.98.0.1"), try v4("10.98.0.2")])
        let r = NetlinkRequest(family: 0x1A, command: PGMCommand.policyMapAdd.rawValue, attributes: map.addAttributes)
        #expect(Array(r.encoded(sequence: 1, portID: 0).dropFirst(20)) == [
            0x08, 0x00, 0x01, 0x00, 239, 11, 0, 1,  // logical 239.11.0.1
            0x0C, 0x00, 0x05, 0x00, 10, 98, 0, 1, 10, 98, 0, 2,  // unicast 10.98.0.1 10.98.0.2
        ])
        let fd1: [UInt8] = [0xFD] + [UInt8](repeating: 0, count: 14) + [1], fd2 = Array(fd1.dropLast()) + [2]
        let six = try PGMPolicyMap(logical: try IPAddress("ff15::1"), unicast: [try IPAddress("fd00::1"), try IPAddress("fd00::2")])
        #expect(six.addAttributes == [NetlinkAttribute(type: M.logical6.rawValue, payload: ff151),
                                      NetlinkAttribute(type: M.unicast6.rawValue, payload: fd1 + fd2)])
        let phys6 = try PGMPolicyMap(logical: try IPAddress("ff15::1"), physical: try IPAddress("ff15::2"))
        #expect(phys6.addAttributes.last == NetlinkAttribute(type: M.physical6.rawValue, payload: Array(ff151.dropLast()) + [2]))
        // policy-fanout-max receivers are taken, in one attribute of 64 * 16 bytes.
        let many = (1...64).map { IPAddress.v6(IPv6Address(high: 0xFD00 << 48, low: UInt64($0))) }
        let full = try PGMPolicyMap(logical: try IPAddress("ff15::1"), unicast: many)
        #expect(full.addAttributes.last?.payload.count == 1024 && PGMFamily.policyFanoutMax == 64)
    }

    /// A dump's messages: a physical group, IPv4 receivers, IPv6 receivers.
    @Test func decodesMaps() throws {
        let m = try NetlinkMessage.parse(header(type: 0x1A, flags: 2, seq: 6, payload: [PGMCommand.policyMapGet.rawValue, 1, 0, 0]
            + [8, 0, UInt8(M.logical.rawValue), 0, 239, 10, 0, 1] + [8, 0, UInt8(M.physical.rawValue), 0, 239, 10, 0, 99])
            + header(type: 0x1A, flags: 2, seq: 6, payload: [PGMCommand.policyMapGet.rawValue, 1, 0, 0]
                + [8, 0, UInt8(M.logical.rawValue), 0, 239, 11, 0, 1]
                + binary(M.unicast.rawValue, [10, 98, 0, 1, 10, 98, 0, 2, 192, 0, 2, 7]))
            + header(type: 3, flags: 2, seq: 6, payload: [0, 0, 0, 0]))
        let maps = try m.compactMap { msg -> PGMPolicyMap? in
            guard case .generic(_, 6, PGMCommand.policyMapGet.rawValue, let a) = msg else { return nil }
            return try PGMPolicyMap(a)
        }
        #expect(maps == [try PGMPolicyMap(logical: try v4("239.10.0.1"), physical: try v4("239.10.0.99")),
                         try PGMPolicyMap(logical: try v4("239.11.0.1"),
                                          unicast: [try v4("10.98.0.1"), try v4("10.98.0.2"), try v4("192.0.2.7")])])
        let fd1: [UInt8] = [0xFD] + [UInt8](repeating: 0, count: 14) + [1]
        let six = try PGMPolicyMap(try NetlinkAttributes(parsing: binary(M.logical6.rawValue, ff15)
            + binary(M.unicast6.rawValue, fd1)))
        let fd00 = try IPAddress("fd00::1")
        #expect(six.logical == .v6(IPv6Address(high: 0xFF15 << 48, low: 0)) && six.target == .unicast([fd00]))
        // What the client builds, it reads back.
        #expect(try PGMPolicyMap(try NetlinkAttributes(parsing: six.addAttributes.flatMap { a in
            binary(a.type, a.payload) + [UInt8](repeating: 0, count: (4 - a.payload.count % 4) % 4)
        })) == six)
    }

    /// What the client cannot take as a logical group is a malformed reply:
    /// no logical group, neither or both targets, a target of the other
    /// family only, receivers not a whole number of addresses or none, and
    /// what the kernel would never have taken.
    @Test(arguments: [
        ("no logical", [8, 0, 3, 0, 239, 2, 0, 1]),
        ("no target", [8, 0, 1, 0, 239, 1, 0, 1]),
        ("both targets", [8, 0, 1, 0, 239, 1, 0, 1, 8, 0, 3, 0, 239, 2, 0, 1, 8, 0, 5, 0, 10, 0, 0, 1]),
        ("physical6 of a logical", [8, 0, 1, 0, 239, 1, 0, 1, 20, 0, 4, 0, 0xFF, 0x15] + [UInt8](repeating: 0, count: 14)),
        ("6 bytes of receivers", [8, 0, 1, 0, 239, 1, 0, 1, 10, 0, 5, 0, 10, 0, 0, 1, 10, 0, 0, 0]),
        ("no receivers", [8, 0, 1, 0, 239, 1, 0, 1, 4, 0, 5, 0]),
        ("a unicast logical", [8, 0, 1, 0, 10, 1, 0, 1, 8, 0, 3, 0, 239, 2, 0, 1]),
        ("a unicast physical", [8, 0, 1, 0, 239, 1, 0, 1, 8, 0, 3, 0, 10, 2, 0, 1]),
        ("a multicast receiver", [8, 0, 1, 0, 239, 1, 0, 1, 8, 0, 5, 0, 239, 2, 0, 1]),
    ])
    func refusesBadMaps(_ what: String, _ body: [UInt8]) throws {
        let a = try NetlinkAttributes(parsing: body)
        #expect(throws: NetlinkError.self, "\(what)") { try PGMPolicyMap(a) }
    }

    /// What policy-map-add would refuse (EINVAL) is refused before it is
    /// asked, with a typed error that says what is wrong.
    @Test(arguments: [
        ("10.1.0.1", PGMPolicyMap.Target.physical(.v4(IPv4Address(239, 2, 0, 1))),
         PGMPolicyMapError.logicalNotMulticast(.v4(IPv4Address(10, 1, 0, 1))),
         "the logical group must be multicast (224.0.0.0/4, ff00::/8): 10.1.0.1 is not"),
        ("239.1.0.1", .physical(.v4(IPv4Address(10, 2, 0, 1))), .physicalNotMulticast(.v4(IPv4Address(10, 2, 0, 1))),
         "the physical group must be multicast (224.0.0.0/4, ff00::/8): 10.2.0.1 is not"),
        ("239.1.0.1", .physical(.v6(IPv6Address(high: 0xFF15 << 48, low: 1))),
         .mixedFamilies(logical: .v4(IPv4Address(239, 1, 0, 1)), other: .v6(IPv6Address(high: 0xFF15 << 48, low: 1))),
         "a logical group maps to addresses of its family: ff15::1 is IPv6, the logical group 239.1.0.1 IPv4"),
        ("ff15::1", .unicast([.v6(IPv6Address(high: 0xFD00 << 48, low: 1)), .v4(IPv4Address(10, 0, 0, 1))]),
         .mixedFamilies(logical: .v6(IPv6Address(high: 0xFF15 << 48, low: 1)), other: .v4(IPv4Address(10, 0, 0, 1))),
         "a logical group maps to addresses of its family: 10.0.0.1 is IPv4, the logical group ff15::1 IPv6"),
        ("239.1.0.1", .unicast([]), .noReceivers, "a logical group maps to 1 to 64 unicast receivers; none given"),
        ("239.1.0.1", .unicast((1...65).map { .v4(IPv4Address(10, 0, 0, $0)) }), .tooManyReceivers(65),
         "a logical group maps to 1 to 64 unicast receivers; 65 given"),
        ("239.1.0.1", .unicast([.v4(IPv4Address(10, 0, 0, 1)), .v4(IPv4Address(239, 0, 0, 1))]),
         .receiverNotUnicast(.v4(IPv4Address(239, 0, 0, 1))),
         "a unicast receiver must be a unicast address: 239.0.0.1 is multicast"),
        ("239.1.0.1", .unicast([.v4(.any)]), .receiverNotUnicast(.v4(.any)),
         "a unicast receiver must be a unicast address: 0.0.0.0 is the unspecified address"),
        ("ff15::1", .unicast([.v6(.any)]), .receiverNotUnicast(.v6(.any)),
         "a unicast receiver must be a unicast address: :: is the unspecified address"),
    ])
    func refusesMapsTheKernelWould(_ logical: String, _ target: PGMPolicyMap.Target, _ error: PGMPolicyMapError,
                                   _ says: String) throws {
        let l = try IPAddress(logical)
        #expect(throws: error) { try PGMPolicyMap(logical: l, target: target) }
        #expect(error.description == says)
    }

    /// 64 receivers are taken, and the least mapping: one receiver.
    @Test func takesMapsAtTheirLimits() throws {
        let l = try v4("239.1.0.1")
        let many = (1...64).map { IPAddress.v4(IPv4Address(10, 0, 0, UInt8($0))) }
        #expect(try PGMPolicyMap(logical: l, unicast: many).target == .unicast(many))
        #expect(try PGMPolicyMap(logical: l, unicast: [try v4("10.98.0.1")]).logical == l)
        #expect(try PGMPolicyMap(logical: l, physical: l).target == .physical(l))
        #expect(PGMFamily.policyMapsMax == 64)
    }

    /// sock-get: a source the policy limits carries policy-rate; others
    /// (and a source it does not limit) have none.
    @Test func decodesSocketPolicyRate() throws {
        typealias S = PGMSocketAttribute
        let base = u32(S.inode.rawValue, 5) + u32(S.role.rawValue, PGMRole.source.rawValue)
            + u32(S.rateLimit.rawValue, 0)
        #expect(try PGMSocketInfo(try NetlinkAttributes(parsing: base)).policyRate == nil)
        let capped = try PGMSocketInfo(try NetlinkAttributes(parsing: base + u32(S.policyRate.rawValue, 100_000)))
        #expect(capped.policyRate == 100_000 && capped.rateLimit == 0)
    }
}

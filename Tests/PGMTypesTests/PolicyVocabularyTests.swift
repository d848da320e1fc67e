import PGMTypes
import Testing

/// Governance's words: the spec's names and numbers of actions and roles,
/// and group ranges as users write them.
@Suite struct PolicyVocabularyTests {
    @Test func actionsAndRolesAreTheSpecs() {
        #expect(PolicyAction.allCases.map(\.description) == ["allow", "deny"])
        #expect(PolicyAction.allCases.map(\.rawValue) == [0, 1])
        #expect(PolicyRole.allCases.map(\.description) == ["any", "source", "receiver"])
        #expect(PolicyRole.allCases.map(\.rawValue) == [0, 1, 2])
        #expect(PolicyAction(name: "deny") == .deny && PolicyAction(name: "Deny") == nil)
        #expect(PolicyRole(name: "receiver") == .receiver && PolicyRole(name: "sources") == nil)
    }

    @Test(arguments: [
        ("239.0.0.0/8", "239.0.0.0/8"), ("239.1.2.3/8", "239.0.0.0/8"), ("239.1.2.3", "239.1.2.3/32"),
        ("224.0.0.0/4", "224.0.0.0/4"), ("0.0.0.0/0", "0.0.0.0/0"), ("ff15::/16", "ff15::/16"),
        ("ff15::99:2", "ff15::99:2/128"), ("FF3E::8000:1/96", "ff3e::/96"), ("::/0", "::/0"),
    ])
    func parsesRanges(_ text: String, _ shown: String) throws {
        let r = try GroupRange(text)
        #expect(r.description == shown)
        #expect(try GroupRange(shown) == r)
    }

    @Test(arguments: [
        ("239.0.0.0/33", "prefix length 33 is longer than an IPv4 address's 32 bits"),
        ("ff15::/129", "prefix length 129 is longer than an IPv6 address's 128 bits"),
        ("239.0.0.0/", "'' is not a prefix length"), ("239.0.0.0/-1", "'-1' is not a prefix length"),
        ("239.0.0.0/8/8", "'8/8' is not a prefix length"), ("239.0.0.0/+8", "'+8' is not a prefix length"),
        ("239.0.0/8", "is not a group range"), ("/8", "is not a group range"), ("", "is not a group range"),
    ])
    func refusesBadRanges(_ text: String, _ says: String) {
        do {
            _ = try GroupRange(text)
            Issue.record("'\(text)' was taken")
        } catch {
            #expect(error.kind == .groupRange)
            #expect(error.description.contains(says), "\(error)")
        }
    }

    /// A range holds groups when it overlaps 224.0.0.0/4 or ff00::/8: a
    /// wider range that holds them too, or one inside them.
    @Test func rangesThatHoldGroups() throws {
        for t in ["239.0.0.0/8", "224.0.0.0/3", "0.0.0.0/0", "239.1.1.1", "ff15::/16", "::/0", "fe00::/7"] {
            #expect(try GroupRange(t).holdsGroups, "\(t)")
        }
        for t in ["10.0.0.0/8", "240.0.0.0/4", "192.168.1.1", "fe80::/10", "2001:db8::/32"] {
            #expect(try !GroupRange(t).holdsGroups, "\(t)")
        }
        #expect(try GroupRange("239.0.0.0/8").overlaps(GroupRange("239.1.0.0/16")))
        #expect(try !GroupRange("239.0.0.0/8").overlaps(GroupRange("238.0.0.0/8")))
        #expect(try !GroupRange("0.0.0.0/0").overlaps(GroupRange("::/0")))
    }
}

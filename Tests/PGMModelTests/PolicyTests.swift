import PGMModel
import PGMTypes
import Testing

/// The pure parts of multicast governance (docs/governance.md, issue #22).
@Suite("Policy: rules and fair shares")
struct PolicyTests {
    func range(_ text: String, _ prefix: Int) throws -> GroupRange {
        try #require(GroupRange(IPAddress(text), prefixLength: prefix))
    }

    func group(_ text: String) throws -> IPAddress { try IPAddress(text) }

    @Test func aRangeHoldsItsPrefixAndNoOtherFamily() throws {
        let r = try range("239.1.2.3", 16)
        #expect(r.description == "239.1.0.0/16")
        #expect(r.contains(try group("239.1.200.7")))
        #expect(!r.contains(try group("239.2.0.1")))
        #expect(!r.contains(try group("ff3e::8000:1")))
        let odd = try range("239.1.2.3", 13)  // 239.0.0.0-239.7.255.255
        #expect(odd.contains(try group("239.7.255.255")))
        #expect(!odd.contains(try group("239.8.0.0")))
        let v6 = try range("ff3e::8000:1", 96)
        #expect(v6.contains(try group("ff3e::1")))
        #expect(!v6.contains(try group("ff3e::1:0:0:1")))
        #expect(try range("0.0.0.0", 0).contains(try group("224.0.0.1")))
        #expect(GroupRange(try group("239.1.1.1"), prefixLength: 33) == nil)
        #expect(GroupRange(try group("ff3e::1"), prefixLength: -1) == nil)
    }

    @Test func noRuleKeepsTodaysBehaviour() throws {
        let request = PolicyRequest(uid: 1000, role: .source, group: try group("239.1.1.1"))
        #expect(Policy().decide(request) == (.allow, nil))
        #expect(Policy(defaultAction: .deny).decide(request) == (.deny, nil))
    }

    @Test func theFirstMatchingRuleDecides() throws {
        let all = try range("239.0.0.0", 8)
        let policy = Policy(rules: [
            PolicyRule(id: 1, role: .source, uids: 1000...1999, groups: try range("239.1.0.0", 16), action: .deny),
            PolicyRule(id: 2, role: .any, gid: 50, groups: all, action: .allow),
            PolicyRule(id: 3, groups: all, action: .deny),
        ])
        func decide(_ uid: UInt32, _ gids: Set<UInt32>, _ role: PolicyRole, _ g: String) throws -> (PolicyAction, UInt32?) {
            let d = policy.decide(PolicyRequest(uid: uid, gids: gids, role: role, group: try group(g)))
            return (d.action, d.rule)
        }
        // Rule 1 is about sources of 1000-1999 in 239.1/16 only.
        #expect(try decide(1500, [50], .source, "239.1.0.9") == (.deny, 1))
        #expect(try decide(1500, [50], .receiver, "239.1.0.9") == (.allow, 2))
        #expect(try decide(2000, [50], .source, "239.1.0.9") == (.allow, 2))
        // Rule 2 needs group 50; rule 3 takes the rest of 239/8.
        #expect(try decide(2000, [51], .source, "239.1.0.9") == (.deny, 3))
        // Outside every range: the default.
        #expect(try decide(2000, [], .source, "224.1.1.1") == (.allow, nil))
    }

    /// A cgroup rule matches a socket made in that cgroup or under it (its
    /// ancestry holds the id), as the kernel walks a socket's cgroup up.
    @Test func aCgroupRuleMatchesTheCgroupAndWhatIsUnderIt() throws {
        let policy = Policy(rules: [PolicyRule(id: 1, role: .source, cgroup: 42, action: .deny)])
        func decide(_ ancestry: Set<UInt64>) throws -> PolicyAction {
            policy.decide(PolicyRequest(uid: 5, cgroups: ancestry, role: .source, group: try group("239.1.1.1"))).action
        }
        #expect(try decide([42, 1]) == .deny)
        #expect(try decide([77, 42, 1]) == .deny)
        #expect(try decide([77, 1]) == .allow)
        #expect(try decide([]) == .allow)
    }

    /// A rule without a group range is about every group, IPv4 and IPv6;
    /// one with a range never matches the other family.
    @Test func aRuleWithoutGroupsMatchesBothFamilies() throws {
        let policy = Policy(rules: [
            PolicyRule(id: 1, role: .source, groups: try range("ff15::", 16), action: .allow),
            PolicyRule(id: 2, uids: 0...0, action: .allow),
        ], defaultAction: .deny)
        func decide(_ uid: UInt32, _ g: String) throws -> (PolicyAction, UInt32?) {
            let d = policy.decide(PolicyRequest(uid: uid, role: .source, group: try group(g)))
            return (d.action, d.rule)
        }
        #expect(try decide(7, "ff15::1") == (.allow, 1))
        #expect(try decide(7, "239.1.1.1") == (.deny, nil))
        #expect(try decide(0, "239.1.1.1") == (.allow, 2))
        #expect(try decide(0, "ff3e::1") == (.allow, 2))
    }

    @Test func sharesWithinCapacityAreTheDemands() {
        #expect(maxMinFairShares(demands: [100, 200, 300], capacity: 1000) == [100, 200, 300])
        #expect(maxMinFairShares(demands: [], capacity: 1000) == [])
    }

    @Test func aLightSourceKeepsItsRateAndTheRestIsSplit() {
        // 1000 among three: the light one keeps 100, the others 450 each.
        #expect(maxMinFairShares(demands: [5000, 100, 5000], capacity: 1000) == [450, 100, 450])
        // Two light ones, then the heavy one takes what is left.
        #expect(maxMinFairShares(demands: [100, 5000, 200], capacity: 1000) == [100, 700, 200])
        // Everyone heavy: equal shares; the rounding's byte to the last served.
        #expect(maxMinFairShares(demands: [900, 900, 900], capacity: 1000) == [333, 333, 334])
    }

    /// The max-min properties, over seeded random demands.
    @Test func sharesAreMaxMinFair() {
        var rng = SeededRandom(seed: 0x22)
        for _ in 0..<500 {
            let n = Int(rng.next() % 12) + 1
            let demands = (0..<n).map { _ in rng.next() % 10_000 }
            let capacity = rng.next() % 40_000
            let shares = maxMinFairShares(demands: demands, capacity: capacity)
            let total = shares.reduce(0, +)
            #expect(total <= capacity)
            #expect(zip(shares, demands).allSatisfy { $0 <= $1 })
            if demands.reduce(0, +) <= capacity {
                #expect(shares == demands)
                continue
            }
            // All of it is given out.
            #expect(total == capacity)
            // Everyone short of its demand has at least any other's share
            // (within the rounding's one byte/s): nobody can gain without
            // taking from someone who has less.
            let most = shares.max() ?? 0
            for (s, d) in zip(shares, demands) where s < d {
                #expect(s + 1 >= most)
            }
        }
    }
}

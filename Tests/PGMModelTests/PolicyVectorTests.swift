import Foundation
import PGMModel
import PGMTypes
import Testing

/// policy-vectors.json: rules, a default and requests with the decision
/// each must get and the rule that makes it.  The same file is run against
/// the kernel by Tests/kernel/policy_test.py (as each case's user, with
/// real connect() and joins), so the model and pgm.ko decide alike.
struct PolicyVectors: Decodable {
    struct Rule: Decodable {
        var role: String?
        var uids: [UInt32]?
        var gid: UInt32?
        var group: String?
        var action: String
    }

    struct Case: Decodable, CustomTestStringConvertible {
        var uid: UInt32
        var gids: [UInt32]
        var role: String
        var group: String
        var action: String
        var rule: Int?

        var testDescription: String { "uid \(uid) gids \(gids) \(role) \(group)" }
    }

    var `default`: String
    var rules: [Rule]
    var cases: [Case]

    static let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("policy-vectors.json")

    static func load() throws -> PolicyVectors {
        try JSONDecoder().decode(PolicyVectors.self, from: Data(contentsOf: file))
    }

    /// The model's policy of the file: rule ids are their indexes plus one.
    func policy() throws -> Policy {
        let rules = try rules.enumerated().map { i, r in
            guard let action = PolicyAction(name: r.action), let role = PolicyRole(name: r.role ?? "any")
            else { throw VectorError.bad("rule \(i)") }
            let uids = try r.uids.map { u throws(VectorError) -> ClosedRange<UInt32> in
                guard u.count == 2, u[0] <= u[1] else { throw VectorError.bad("rule \(i) uids") }
                return u[0]...u[1]
            }
            return PolicyRule(id: UInt32(i + 1), role: role, uids: uids, gid: r.gid,
                              groups: try r.group.map { try GroupRange($0) }, action: action)
        }
        guard let d = PolicyAction(name: self.default) else { throw VectorError.bad("default") }
        return Policy(rules: rules, defaultAction: d)
    }
}

enum VectorError: Error { case bad(String) }

@Suite("Policy vectors shared with the kernel")
struct PolicyVectorTests {
    static let vectors = (try? PolicyVectors.load())

    @Test func theFileLoads() throws {
        let v = try #require(Self.vectors)
        #expect(v.cases.count >= 10)
        #expect(Set(v.cases.map(\.action)) == ["allow", "deny"])
    }

    @Test(arguments: vectors?.cases ?? [])
    func theModelDecidesAsTheVectorSays(_ c: PolicyVectors.Case) throws {
        let policy = try #require(Self.vectors).policy()
        // The primary group is the uid (as policy_test.py makes its users).
        let request = PolicyRequest(uid: c.uid, gids: Set(c.gids + [c.uid]),
                                    role: try #require(PolicyRole(name: c.role)), group: try IPAddress(c.group))
        let decision = policy.decide(request)
        #expect(decision.action == PolicyAction(name: c.action))
        #expect(decision.rule == c.rule.map { UInt32($0 + 1) })
    }
}

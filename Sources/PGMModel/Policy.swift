import PGMTypes

// Multicast governance (issue #22, docs/governance.md): the parts of a
// netns's policy that are pure logic - which rule decides for a socket,
// and how an aggregate rate cap is divided among sources - written here
// first, so that the kernel's policy.c follows an executable reference
// and its test runs the same vectors.  Governance is not RFC 3208: the
// simulation does not use it.  Its words (PolicyAction, PolicyRole,
// GroupRange) are PGMTypes', shared with the netlink client.

/// One rule of a netns's policy.
public struct PolicyRule: Hashable, Sendable {
    /// The kernel's stable id (reported with a refusal).
    public var id: UInt32
    public var role: PolicyRole
    /// The owners it matches (the socket's uid); nil for anyone.
    public var uids: ClosedRange<UInt32>?
    /// A group the owner must be in (primary or supplementary); nil for any.
    public var gid: UInt32?
    /// A cgroup v2 (its id) the socket must have been created in, or
    /// under; nil for any.
    public var cgroup: UInt64?
    /// The groups it is about; nil for every group of both families.
    public var groups: GroupRange?
    public var action: PolicyAction

    public init(id: UInt32, role: PolicyRole = .any, uids: ClosedRange<UInt32>? = nil, gid: UInt32? = nil,
                cgroup: UInt64? = nil, groups: GroupRange? = nil, action: PolicyAction) {
        self.id = id
        self.role = role
        self.uids = uids
        self.gid = gid
        self.cgroup = cgroup
        self.groups = groups
        self.action = action
    }

    /// Whether the rule is about `request`.
    public func matches(_ request: PolicyRequest) -> Bool {
        if role != .any && role != request.role { return false }
        if let uids, !uids.contains(request.uid) { return false }
        if let gid, !request.gids.contains(gid) { return false }
        if let cgroup, !request.cgroups.contains(cgroup) { return false }
        return groups?.contains(request.group) ?? true
    }
}

/// A socket asking to use a group: its owner, what it does, the group.
public struct PolicyRequest: Hashable, Sendable {
    public var uid: UInt32
    /// The owner's primary and supplementary groups.
    public var gids: Set<UInt32>
    /// The socket's cgroup and its ancestors, by id (cgroup v2).
    public var cgroups: Set<UInt64>
    /// `.source` (connect) or `.receiver` (a join).
    public var role: PolicyRole
    public var group: IPAddress

    public init(uid: UInt32, gids: Set<UInt32> = [], cgroups: Set<UInt64> = [], role: PolicyRole,
                group: IPAddress) {
        self.uid = uid
        self.gids = gids
        self.cgroups = cgroups
        self.role = role
        self.group = group
    }
}

/// A netns's rules and what happens when none matches.
public struct Policy: Hashable, Sendable {
    /// In order: the first rule that matches decides.
    public var rules: [PolicyRule]
    /// When no rule matches; allow keeps today's behaviour.
    public var defaultAction: PolicyAction

    public init(rules: [PolicyRule] = [], defaultAction: PolicyAction = .allow) {
        self.rules = rules
        self.defaultAction = defaultAction
    }

    /// The decision for `request` and the rule that made it (nil: the default).
    public func decide(_ request: PolicyRequest) -> (action: PolicyAction, rule: UInt32?) {
        for r in rules where r.matches(request) { return (r.action, r.id) }
        return (defaultAction, nil)
    }
}

/// Max-min fair shares of `capacity` (bytes/s) among sources that each
/// want `demands[i]`: a source that wants less than an equal share gets
/// what it wants, and what it leaves is divided among the others, the
/// same way, until everyone is served or the capacity is spent
/// (water-filling).  Shares are whole bytes/s: what rounding leaves goes
/// to the sources served last (the largest demands), so when the demands
/// exceed the capacity all of it is given out and the shares of the
/// sources short of their demands differ by one at most.  O(n log n).
public func maxMinFairShares(demands: [UInt64], capacity: UInt64) -> [UInt64] {
    var shares = [UInt64](repeating: 0, count: demands.count)
    var left = capacity
    var waiting = UInt64(demands.count)
    for i in demands.indices.sorted(by: { demands[$0] < demands[$1] }) {
        let share = min(demands[i], left / waiting)
        shares[i] = share
        left -= share
        waiting -= 1
    }
    return shares
}

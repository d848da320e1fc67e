@_exported import PGMTypes
import CPGM
import Dispatch
import Synchronization
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// The netns-wide defaults: a value for each tunable the kernel reported.
public struct PGMDefaults: Sendable, Equatable {
    /// Values by attribute.
    public var values: [PGMDefaultsAttribute: UInt32]

    /// Decodes a defaults-get reply.
    public init(_ a: NetlinkAttributes) {
        var v: [PGMDefaultsAttribute: UInt32] = [:]
        for attr in PGMDefaultsAttribute.allCases {
            if let x = a.u32(attr.rawValue) { v[attr] = x }
        }
        values = v
    }
}

extension NamedCounters {
    /// The counters of a reply's attributes of set `A`, matched by their
    /// names in kernel/pgm.yaml; absent ones are 0.
    init<A: CaseIterable & RawRepresentable & CustomStringConvertible>(_ a: NetlinkAttributes, _: A.Type)
    where A.RawValue == UInt16 {
        self.init()
        for attr in A.allCases {
            guard let v = a.u64(attr.rawValue), let c = Self.counters.first(where: { $0.name == attr.description })
            else { continue }
            self[keyPath: c.keyPath] = v
        }
    }
}

/// One socket of a sock-get dump.
public struct PGMSocketInfo: Sendable, Equatable {
    /// The socket's inode.
    public var inode: UInt32
    /// The owner's uid.
    public var uid: UInt32
    /// Source, receiver or neither.
    public var role: PGMRole
    /// The session's state.
    public var state: PGMSockState
    /// The socket's GSI.
    public var gsi: GSI
    /// A source's TSI.
    public var tsi: TSI?
    /// The socket's address family: which of the kernel's address
    /// attributes it has (addr or addr6, group or group6).  IPv4 for a
    /// module older than its `family` attribute.
    public var family: IPFamily
    /// Local address: a source's NLA, a receiver's bound address (the
    /// unspecified one when it bound none), or what a socket of neither role
    /// bound.  Of the socket's family.
    public var address: IPAddress?
    /// The group, of the socket's family.
    public var group: IPAddress?
    /// Data-destination port.
    public var port: UInt16?
    /// A source's data-source port.
    public var sourcePort: UInt16?
    /// A source's transmit window: trail, lead, capacity in sqns and bytes held.
    public var txwTrail: UInt32?, txwLead: UInt32?, txwSize: UInt32?, txwBytes: UInt64?
    /// A source's rate limit (bytes/s, 0 = none).
    public var rateLimit: UInt32?
    /// The rate the netns's multicast policy allows a source, bytes/s: its
    /// rule's rate-cap, or its share of the policy's rate-cap; nil when the
    /// policy does not limit it (and on any other socket).  The source
    /// sends at the smaller of this and its own limit.
    public var policyRate: UInt32?
    /// Queue sizes: receive and send memory, their limits, APDUs and error records queued.
    public var rmemAlloc: UInt32, rcvbuf: UInt32, wmemAlloc: UInt32, sndbuf: UInt32
    /// APDUs waiting to be read.
    public var receiveQueue: UInt32
    /// Loss and session-end records waiting on the error queue.
    public var errorQueue: UInt32
    /// A receiver's number of sessions.
    public var peers: UInt32?
    /// A source's counters.
    public var sourceStatistics: SourceStatistics?
    /// A receiver's counters.
    public var receiverStatistics: ReceiverStatistics?
    /// The process that created the socket (its thread group id), in the
    /// reader's pid namespace; nil when it is not visible there.
    public var pid: UInt32?
    /// A PGMCC source (`PGM_PGMCC`): its acker, of the socket's family; nil
    /// while there is none (an election is called) and on other sockets.
    public var pgmccAcker: IPAddress?
    /// A PGMCC source's window W, in 1/65536 packets (65536 at least); nil
    /// on any other socket: whether the socket runs PGMCC as a source.
    public var pgmccWindow: UInt32?
    /// A PGMCC source's smoothed RTT to its acker, microseconds (0 before
    /// a sample); nil on any other socket.
    public var pgmccRttMicroseconds: UInt32?
    /// A PGMCC source's acker's loss rate, 0 to 65535 as its feedback
    /// carries it; nil on any other socket.
    public var pgmccLossRate: UInt32?

    /// A source with confirmed delivery (`PGM_CONFIRM`): its live
    /// confirming receivers; nil on any other socket: whether the socket
    /// is a source that confirms.
    public var confirmReceivers: UInt32?
    /// A source with confirmed delivery: every live receiver has every
    /// sequence number up to this one (its CONFIRMED); nil while none is
    /// live and on any other socket.
    public var confirmedSequence: SequenceNumber?

    /// A PGMCC source's state from the attributes beside the counters (W,
    /// acker, RTT, loss rate; no tokens); nil on any other socket.
    public var pgmcc: SourcePGMCC? {
        guard let w = pgmccWindow else { return nil }
        return SourcePGMCC(acker: pgmccAcker, window: w, rttMicroseconds: pgmccRttMicroseconds ?? 0,
                           lossRate: pgmccLossRate ?? 0)
    }

    /// A confirming source's receivers and CONFIRMED, from the attributes
    /// beside the counters; nil on any other socket.
    public var confirm: SourceConfirm? {
        guard let n = confirmReceivers else { return nil }
        return SourceConfirm(receivers: Int(n), confirmed: confirmedSequence)
    }

    /// Whether a source's transmit window holds nothing: before the first
    /// send its trail is one past its lead (RFC 3208 section 3.3); nil
    /// for a socket without one.
    public var transmitWindowEmpty: Bool? {
        guard let t = txwTrail, let l = txwLead else { return nil }
        return SequenceNumber(l) < SequenceNumber(t)
    }

    /// Decodes one message of a socket dump.
    public init(_ a: NetlinkAttributes) throws(NetlinkError) {
        typealias A = PGMSocketAttribute
        guard let inode = a.u32(A.inode.rawValue) else { throw .malformedReply("socket without an inode") }
        self.inode = inode
        uid = a.u32(A.uid.rawValue) ?? 0
        role = a.u32(A.role.rawValue).flatMap(PGMRole.init(rawValue:)) ?? .none
        state = a.u32(A.state.rawValue).flatMap(PGMSockState.init(rawValue:)) ?? .idle
        gsi = a.bytes(A.gsi.rawValue).flatMap(GSI.init(bytes:)) ?? GSI(rawValue: 0)
        tsi = a.bytes(A.tsi.rawValue).flatMap(TSI.init(bytes:))
        address = a.ipAddress(v4: A.addr.rawValue, v6: A.addr6.rawValue)
        group = a.ipAddress(v4: A.group.rawValue, v6: A.group6.rawValue)
        if let f = a.u32(A.family.rawValue) {
            guard let family = IPFamily(socketFamily: f) else {
                throw .malformedReply("socket \(inode) of address family \(f), neither AF_INET nor AF_INET6")
            }
            self.family = family
        } else {
            family = address?.family ?? group?.family ?? .v4
        }
        port = a.u16(A.port.rawValue)
        sourcePort = a.u16(A.sport.rawValue)
        txwTrail = a.u32(A.txwTrail.rawValue)
        txwLead = a.u32(A.txwLead.rawValue)
        txwSize = a.u32(A.txwSize.rawValue)
        txwBytes = a.u64(A.txwBytes.rawValue)
        rateLimit = a.u32(A.rateLimit.rawValue)
        policyRate = a.u32(A.policyRate.rawValue)
        rmemAlloc = a.u32(A.rmemAlloc.rawValue) ?? 0
        rcvbuf = a.u32(A.rcvbuf.rawValue) ?? 0
        wmemAlloc = a.u32(A.wmemAlloc.rawValue) ?? 0
        sndbuf = a.u32(A.sndbuf.rawValue) ?? 0
        receiveQueue = a.u32(A.rcvQueue.rawValue) ?? 0
        errorQueue = a.u32(A.errQueue.rawValue) ?? 0
        peers = a.u32(A.peers.rawValue)
        pid = a.u32(A.pid.rawValue)
        pgmccAcker = a.ipAddress(v4: A.pgmccAcker.rawValue, v6: A.pgmccAcker6.rawValue)
        pgmccWindow = a.u32(A.pgmccWindow.rawValue)
        pgmccRttMicroseconds = a.u32(A.pgmccRttUs.rawValue)
        pgmccLossRate = a.u32(A.pgmccLossRate.rawValue)
        confirmReceivers = a.u32(A.confirmReceivers.rawValue)
        confirmedSequence = a.u32(A.confirmedSqn.rawValue).map(SequenceNumber.init(rawValue:))
        if let s = a.nested(A.sourceStats.rawValue) {
            var st = SourceStatistics(s, PGMSourceStatsAttribute.self)
            // The window's edges, the PGMCC state and confirmed delivery's
            // travel beside the nest.
            st.transmitWindowTrail = txwTrail ?? 0
            st.transmitWindowLead = txwLead ?? 0
            st.pgmcc = pgmcc
            st.confirm = confirm
            sourceStatistics = st
        }
        if let s = a.nested(A.receiverStats.rawValue) {
            var st = ReceiverStatistics(s, PGMReceiverStatsAttribute.self)
            st.peers = peers ?? 0
            receiverStatistics = st
        }
    }
}

/// One live confirming receiver of a source with confirmed delivery
/// (confirm-receiver-get dump; docs/confirmed-delivery.md).
public struct PGMConfirmReceiverInfo: Sendable, Equatable {
    /// The source socket's inode.
    public var socketInode: UInt32
    /// The IP source address of its ACKs, of the source socket's family.
    public var address: IPAddress
    /// The RECEIVER ID of its OPT_CONFIRM: random per receiving socket and session.
    public var receiverID: UInt32
    /// It has every sequence number up to this one.
    public var confirmed: SequenceNumber
    /// Milliseconds since its last ACK.
    public var idleMilliseconds: UInt32

    /// Decodes one message of a confirm-receiver dump.
    public init(_ a: NetlinkAttributes) throws(NetlinkError) {
        typealias A = PGMConfirmReceiverAttribute
        guard let ino = a.u32(A.socketInode.rawValue),
              let address = a.ipAddress(v4: A.address.rawValue, v6: A.address6.rawValue),
              let id = a.u32(A.receiverId.rawValue), let confirmed = a.u32(A.confirmedSqn.rawValue)
        else { throw .malformedReply("confirming receiver without socket inode, address, id or CONFIRMED") }
        socketInode = ino
        self.address = address
        receiverID = id
        self.confirmed = SequenceNumber(confirmed)
        idleMilliseconds = a.u32(A.idleMs.rawValue) ?? 0
    }
}

/// A netns's multicast policy as a whole (policy-get; docs/governance.md):
/// what happens to a socket no rule matches, how many rules there are
/// (``PGMControl/policyRules()`` lists them), the limit on the groups in use,
/// the cap on all sources' rate and how many logical groups it maps
/// (``PGMControl/policyMaps()`` lists them).
public struct PGMPolicy: Sendable, Equatable {
    /// When no rule matches; allow (today's behaviour) unless set.
    public var defaultAction: PolicyAction
    /// The rules the policy holds, at most ``PGMFamily/policyRulesMax``.
    public var ruleCount: UInt32
    /// Distinct groups the netns's sockets may use at once (sources
    /// connected, receivers joined), at most
    /// ``PGMFamily/policyMaxGroupsMax``; 0 for no limit.  A connect() or
    /// join of one more fails with `ENOBUFS`.
    public var maxGroups: UInt32
    /// Distinct groups in use now (counted also without a limit).
    public var groupsInUse: UInt32
    /// Bytes/s all sources of the netns may send together (but those an
    /// exempt rule allows), shared max-min fairly; 0 for no cap.
    public var rateCap: UInt32
    /// The logical groups the policy maps, at most
    /// ``PGMFamily/policyMapsMax`` (``PGMControl/policyMaps()`` lists
    /// them); 0 from a module older than logical groups.
    public var mapCount: UInt32

    /// A policy from its parts.
    public init(defaultAction: PolicyAction, ruleCount: UInt32, maxGroups: UInt32 = 0, groupsInUse: UInt32 = 0,
                rateCap: UInt32 = 0, mapCount: UInt32 = 0) {
        self.defaultAction = defaultAction
        self.ruleCount = ruleCount
        self.maxGroups = maxGroups
        self.groupsInUse = groupsInUse
        self.rateCap = rateCap
        self.mapCount = mapCount
    }

    /// The attributes of policy-set for the settings given; those left nil
    /// keep their values.
    public static func setAttributes(defaultAction: PolicyAction? = nil, maxGroups: UInt32? = nil,
                                     rateCap: UInt32? = nil) -> [NetlinkAttribute] {
        typealias A = PGMPolicyAttribute
        var out: [NetlinkAttribute] = []
        if let defaultAction { out.append(.u32(A.defaultAction.rawValue, defaultAction.rawValue)) }
        if let maxGroups { out.append(.u32(A.maxGroups.rawValue, maxGroups)) }
        if let rateCap { out.append(.u32(A.rateCap.rawValue, rateCap)) }
        return out
    }

    /// Decodes a policy-get reply.
    public init(_ a: NetlinkAttributes) throws(NetlinkError) {
        typealias A = PGMPolicyAttribute
        guard let raw = a.u32(A.defaultAction.rawValue), let action = PolicyAction(rawValue: raw) else {
            throw .malformedReply("policy without a known default action")
        }
        defaultAction = action
        ruleCount = a.u32(A.rules.rawValue) ?? 0
        // A module older than max-groups and rate-cap has neither.
        maxGroups = a.u32(A.maxGroups.rawValue) ?? 0
        groupsInUse = a.u32(A.groups.rawValue) ?? 0
        rateCap = a.u32(A.rateCap.rawValue) ?? 0
        // Nor one older than logical groups, maps.
        mapCount = a.u32(A.maps.rawValue) ?? 0
    }
}

/// One rule of a netns's multicast policy: what policy-rule-add takes (the
/// match and the action) and what the policy-rule-get dump gives back
/// (with its id, place and hits).  The first rule that matches a source's
/// connect() or a receiver's join decides; a part left nil matches anything.
public struct PGMPolicyRule: Sendable, Equatable {
    /// The kernel's id, stable while the rule lives (0 in a rule not yet added).
    public var id: UInt32
    /// Its place in the list, from 0.
    public var index: UInt32
    /// The sockets it is about.
    public var role: PolicyRole
    /// What it does with the sockets it matches.
    public var action: PolicyAction
    /// The owners it matches (the socket's uid, in the reader's user
    /// namespace); nil for anyone.
    public var uids: ClosedRange<UInt32>?
    /// A group the owner must be in (primary or supplementary); nil for any.
    public var gid: UInt32?
    /// A cgroup v2 (its id: the inode number of its directory) the
    /// socket's creator must have been in, or under; nil for any.
    public var cgroup: UInt64?
    /// The groups it is about; nil for every group of both families.
    public var groups: GroupRange?
    /// The decisions it has made.
    public var hits: UInt64
    /// The most a source it allows may send, bytes/s; nil for no cap (0
    /// is no cap too, and is sent as none).
    public var rateCap: UInt32?
    /// The sources it allows stay out of the policy's rate-cap (real-time
    /// senders keep their own rate; a rule's own ``rateCap`` still holds).
    public var exempt: Bool

    /// A rule to add: its match, its action, and for the sources it
    /// allows, a rate cap and whether they are exempt from the policy's.
    public init(action: PolicyAction, role: PolicyRole = .any, uids: ClosedRange<UInt32>? = nil, gid: UInt32? = nil,
                cgroup: UInt64? = nil, groups: GroupRange? = nil, rateCap: UInt32? = nil, exempt: Bool = false) {
        id = 0
        index = 0
        self.role = role
        self.action = action
        self.uids = uids
        self.gid = gid
        self.cgroup = cgroup
        self.groups = groups
        hits = 0
        self.rateCap = rateCap == 0 ? nil : rateCap
        self.exempt = exempt
    }

    /// Decodes one message of a policy-rule dump.
    public init(_ a: NetlinkAttributes) throws(NetlinkError) {
        typealias A = PGMPolicyRuleAttribute
        guard let id = a.u32(A.id.rawValue), let index = a.u32(A.index.rawValue) else {
            throw .malformedReply("policy rule without an id or index")
        }
        self.id = id
        self.index = index
        let role = a.u32(A.role.rawValue) ?? PolicyRole.any.rawValue
        guard let r = PolicyRole(rawValue: role) else { throw .malformedReply("policy rule \(id) of unknown role \(role)") }
        self.role = r
        guard let raw = a.u32(A.action.rawValue), let action = PolicyAction(rawValue: raw) else {
            throw .malformedReply("policy rule \(id) without a known action")
        }
        self.action = action
        switch (a.u32(A.uidMin.rawValue), a.u32(A.uidMax.rawValue)) {
        case (nil, nil): uids = nil
        case (let lo?, let hi?) where lo <= hi: uids = lo...hi
        default: throw .malformedReply("policy rule \(id): uid-min and uid-max not a range")
        }
        gid = a.u32(A.gid.rawValue)
        cgroup = a.u64(A.cgroup.rawValue)
        if let address = a.ipAddress(v4: A.group.rawValue, v6: A.group6.rawValue) {
            let bits = address.bytes.count * 8
            let prefix = a.u32(A.prefixLen.rawValue).map(Int.init) ?? bits
            guard let g = GroupRange(address, prefixLength: prefix) else {
                throw .malformedReply("policy rule \(id): prefix length \(prefix) for \(address)")
            }
            groups = g
        } else {
            groups = nil
        }
        hits = a.u64(A.hits.rawValue) ?? 0
        rateCap = a.u32(A.rateCap.rawValue).flatMap { $0 == 0 ? nil : $0 }
        exempt = (a.u32(A.exempt.rawValue) ?? 0) != 0
    }

    /// The attributes of policy-rule-add for this rule (its match, action,
    /// rate cap and exemption; not its id, index or hits), inserted at
    /// `index` (at the end when nil).  A part left nil is left out: it
    /// matches anything; so are no rate cap and not exempt.
    public func addAttributes(at index: UInt32? = nil) -> [NetlinkAttribute] {
        typealias A = PGMPolicyRuleAttribute
        var out: [NetlinkAttribute] = []
        if let index { out.append(.u32(A.index.rawValue, index)) }
        if role != .any { out.append(.u32(A.role.rawValue, role.rawValue)) }
        out.append(.u32(A.action.rawValue, action.rawValue))
        if let uids {
            out += [.u32(A.uidMin.rawValue, uids.lowerBound), .u32(A.uidMax.rawValue, uids.upperBound)]
        }
        if let gid { out.append(.u32(A.gid.rawValue, gid)) }
        if let cgroup { out.append(.u64(A.cgroup.rawValue, cgroup)) }
        if let groups {
            out += [.ipAddress(v4: A.group.rawValue, v6: A.group6.rawValue, groups.address),
                    .u32(A.prefixLen.rawValue, UInt32(groups.prefixLength))]
        }
        if let rateCap, rateCap != 0 { out.append(.u32(A.rateCap.rawValue, rateCap)) }
        if exempt { out.append(.u32(A.exempt.rawValue, 1)) }
        return out
    }
}

/// Why a logical group cannot map as asked: what the kernel's
/// policy-map-add would refuse with EINVAL, found before it is asked.
public enum PGMPolicyMapError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The logical group is not a multicast address (224.0.0.0/4, ff00::/8).
    case logicalNotMulticast(IPAddress)
    /// The physical group is not a multicast address.
    case physicalNotMulticast(IPAddress)
    /// A physical group or a receiver of the other family than the logical group's.
    case mixedFamilies(logical: IPAddress, other: IPAddress)
    /// No unicast receiver.
    case noReceivers
    /// More unicast receivers than ``PGMFamily/policyFanoutMax``: how many.
    case tooManyReceivers(Int)
    /// A unicast receiver that is multicast or the unspecified address.
    case receiverNotUnicast(IPAddress)

    public var description: String {
        switch self {
        case .logicalNotMulticast(let a):
            "the logical group must be multicast (224.0.0.0/4, ff00::/8): \(a) is not"
        case .physicalNotMulticast(let a):
            "the physical group must be multicast (224.0.0.0/4, ff00::/8): \(a) is not"
        case .mixedFamilies(let l, let o):
            "a logical group maps to addresses of its family: \(o) is \(o.family), the logical group \(l) \(l.family)"
        case .noReceivers:
            "a logical group maps to 1 to \(PGMFamily.policyFanoutMax) unicast receivers; none given"
        case .tooManyReceivers(let n):
            "a logical group maps to 1 to \(PGMFamily.policyFanoutMax) unicast receivers; \(n) given"
        case .receiverNotUnicast(let a):
            "a unicast receiver must be a unicast address: \(a) is \(a.isMulticast ? "multicast" : "the unspecified address")"
        }
    }
}

/// A logical group of a netns's multicast policy (docs/governance.md): the
/// address applications use, and what it stands for.  What
/// policy-map-add takes and the policy-map-get dump gives back.  Every
/// value is one the kernel takes: the initializers refuse the rest.
public struct PGMPolicyMap: Sendable, Equatable {
    /// What a logical group stands for.
    public enum Target: Sendable, Equatable {
        /// A physical group: a source's connect() to the logical group sends
        /// there, a receiver's bind() and joins are made to it.
        case physical(IPAddress)
        /// Unicast receivers, 1 to ``PGMFamily/policyFanoutMax``: a source
        /// sends each downstream packet to each, in this order.
        case unicast([IPAddress])
    }

    /// The logical group, a multicast address.
    public let logical: IPAddress
    /// What it stands for, of its family.
    public let target: Target

    /// A mapping the kernel would take: a multicast logical group and a
    /// multicast physical group, or 1 to ``PGMFamily/policyFanoutMax``
    /// unicast receivers (neither multicast nor unspecified), all of the
    /// logical group's family.
    public init(logical: IPAddress, target: Target) throws(PGMPolicyMapError) {
        guard logical.isMulticast else { throw .logicalNotMulticast(logical) }
        switch target {
        case .physical(let p):
            guard p.family == logical.family else { throw .mixedFamilies(logical: logical, other: p) }
            guard p.isMulticast else { throw .physicalNotMulticast(p) }
        case .unicast(let list):
            guard !list.isEmpty else { throw .noReceivers }
            guard list.count <= Int(PGMFamily.policyFanoutMax) else { throw .tooManyReceivers(list.count) }
            for a in list {
                guard a.family == logical.family else { throw .mixedFamilies(logical: logical, other: a) }
                guard !a.isMulticast, a.bytes.contains(where: { $0 != 0 }) else { throw .receiverNotUnicast(a) }
            }
        }
        self.logical = logical
        self.target = target
    }

    /// A logical group mapped to a physical group.
    public init(logical: IPAddress, physical: IPAddress) throws(PGMPolicyMapError) {
        try self.init(logical: logical, target: .physical(physical))
    }

    /// A logical group fanned out to unicast receivers.
    public init(logical: IPAddress, unicast: [IPAddress]) throws(PGMPolicyMapError) {
        try self.init(logical: logical, target: .unicast(unicast))
    }

    /// Decodes one message of a policy-map dump: logical or logical6, and
    /// physical or physical6, or unicast or unicast6 (the addresses packed,
    /// 4 or 16 bytes each), of its family.
    public init(_ a: NetlinkAttributes) throws(NetlinkError) {
        typealias A = PGMPolicyMapAttribute
        guard let logical = a.ipAddress(v4: A.logical.rawValue, v6: A.logical6.rawValue) else {
            throw .malformedReply("logical group without its address")
        }
        let physical = logical.family == .v4 ? a.ipv4(A.physical.rawValue).map(IPAddress.v4)
            : a.ipv6(A.physical6.rawValue).map(IPAddress.v6)
        let packed = a.bytes(logical.family == .v4 ? A.unicast.rawValue : A.unicast6.rawValue)
        let target: Target
        switch (physical, packed) {
        case (let p?, nil): target = .physical(p)
        case (nil, let b?):
            let size = logical.family == .v4 ? 4 : 16
            guard b.count % size == 0 else {
                throw .malformedReply("logical group \(logical): unicast receivers of \(b.count) bytes, not \(size) each")
            }
            target = .unicast(stride(from: 0, to: b.count, by: size).compactMap { i in
                Self.address(Array(b[i..<(i + size)]))
            })
        default:
            throw .malformedReply("logical group \(logical) without one physical group or unicast receivers of its family")
        }
        do { try self.init(logical: logical, target: target) } catch {
            throw .malformedReply("logical group \(logical): \(error)")
        }
    }

    /// An address from its 4 or 16 octets in network order.
    static func address(_ b: [UInt8]) -> IPAddress? {
        if b.count == 4 { return .v4(IPv4Address(b[0], b[1], b[2], b[3])) }
        return IPv6Address(bytes: b).map(IPAddress.v6)
    }

    /// The attributes of policy-map-add: the logical group, then the
    /// physical group or the receivers packed into one attribute.
    public var addAttributes: [NetlinkAttribute] {
        typealias A = PGMPolicyMapAttribute
        var out = Self.deleteAttributes(logical: logical)
        switch target {
        case .physical(let p): out.append(.ipAddress(v4: A.physical.rawValue, v6: A.physical6.rawValue, p))
        case .unicast(let list):
            out.append(NetlinkAttribute(type: logical.family == .v4 ? A.unicast.rawValue : A.unicast6.rawValue,
                                        payload: list.flatMap(\.bytes)))
        }
        return out
    }

    /// The attributes of policy-map-del: the logical group.
    public static func deleteAttributes(logical: IPAddress) -> [NetlinkAttribute] {
        typealias A = PGMPolicyMapAttribute
        return [.ipAddress(v4: A.logical.rawValue, v6: A.logical6.rawValue, logical)]
    }
}

/// The netns's PGM network element (ne-get; RFC 3208 section 7): router
/// assist in a netns that forwards multicast, off by default.  On, it keeps
/// source path state from the SPMs it forwards, answers NAKs with NCFs,
/// forwards the first NAK of a sequence number upstream and eliminates its
/// duplicates, and lets RDATA out only on the interfaces that asked for it.
/// Whether it is on, what it holds now, and its counters (64-bit, by their
/// names in kernel/pgm.yaml; they are kept while it is off).
public struct PGMNetworkElement: NamedCounters, Hashable {
    /// It works on the netns's forwarded PGM packets; off by default
    /// (``PGMControl/setNetworkElement(enabled:)``).
    public var enabled = false
    /// Sessions (TSI and group) it follows now, at most the netns's
    /// `ne-tsis` (``PGMControl/networkElementSessions()`` lists them).
    public var sessions: UInt32 = 0
    /// Repair states (one a NAKed sequence number) it holds now, at most
    /// the netns's `ne-states`.
    public var repairStates: UInt32 = 0
    /// Bytes its sessions and repair states take now.
    public var memory: UInt64 = 0

    /// SPMs taken as source path state (section 7.1).
    public var spms: UInt64 = 0
    /// SPMs not taken: from an interface not toward their source, a path
    /// NLA that is ours or not unicast, another source's TSI, out of
    /// sequence or too far ahead.
    public var spmsRefused: UInt64 = 0
    /// Sessions whose upstream NE changed.
    public var pathChanges: UInt64 = 0
    /// NAKs for sessions followed.
    public var naks: UInt64 = 0
    /// NAKs sent upstream (7.3).
    public var naksForwarded: UInt64 = 0
    /// NAKs not forwarded, duplicates of a pending or outstanding one (7.4).
    public var naksEliminated: UInt64 = 0
    /// Sequence numbers refused in NAKs: outside the window the source's
    /// SPMs advertise, or a NAK naming another source.
    public var naksRefused: UInt64 = 0
    /// NAKs repeated upstream for want of an NCF (7.3).
    public var nakRepeats: UInt64 = 0
    /// Forwarded NAKs given up after `ne-nak-rpt-ivl` without an NCF.
    public var naksUnconfirmed: UInt64 = 0
    /// NCFs multicast on the interface a NAK came in on (7.2).
    public var ncfsSent: UInt64 = 0
    /// NAKs not answered with an NCF, one having gone there for that
    /// sequence number less than 10 ms before.
    public var ncfsLimited: UInt64 = 0
    /// NCFs from upstream that confirmed a NAK it forwarded.
    public var ncfsConfirmed: UInt64 = 0
    /// Sequence numbers of NCFs from upstream that made repair state before
    /// any NAK (7.5).
    public var ncfsAnticipated: UInt64 = 0
    /// NCFs not from the interface toward their source, or of sessions not
    /// followed.
    public var ncfsRefused: UInt64 = 0
    /// RDATA copies let out on an interface that asked (7.8).
    public var rdataForwarded: UInt64 = 0
    /// RDATA copies kept off interfaces that did not ask.
    public var rdataConstrained: UInt64 = 0
    /// RDATA of followed sessions with no repair state, dropped (7.8).
    public var rdataUnrepaired: UInt64 = 0
    /// Repair states not made: past `ne-states` or `ne-tsi-states`, or out
    /// of memory.
    public var statesRefused: UInt64 = 0
    /// Sessions not followed: past `ne-tsis`, or out of memory.
    public var tsisRefused: UInt64 = 0
    /// Repair states dropped after `ne-nak-rdata-ivl` without RDATA.
    public var statesExpired: UInt64 = 0
    /// NNAKs for sessions followed (9.5.3.2).
    public var nnaks: UInt64 = 0
    /// Packets it could not read, or RDATA with a bad checksum.
    public var malformed: UInt64 = 0
    /// IP fragments of PGM packets, forwarded as they are.
    public var fragments: UInt64 = 0

    /// Off, holding nothing, every counter 0.
    public init() {}

    /// The 64-bit counters by their names in kernel/pgm.yaml, in the spec's
    /// order (not `mem`, which is ``memory``: a gauge).
    public static let counters: [(name: String, keyPath: any WritableKeyPath<PGMNetworkElement, UInt64> & Sendable)] = [
        ("spms", \.spms), ("spms-refused", \.spmsRefused), ("path-changes", \.pathChanges), ("naks", \.naks),
        ("naks-forwarded", \.naksForwarded), ("naks-eliminated", \.naksEliminated), ("naks-refused", \.naksRefused),
        ("nak-repeats", \.nakRepeats), ("naks-unconfirmed", \.naksUnconfirmed), ("ncfs-sent", \.ncfsSent),
        ("ncfs-limited", \.ncfsLimited), ("ncfs-confirmed", \.ncfsConfirmed), ("ncfs-anticipated", \.ncfsAnticipated),
        ("ncfs-refused", \.ncfsRefused), ("rdata-forwarded", \.rdataForwarded),
        ("rdata-constrained", \.rdataConstrained), ("rdata-unrepaired", \.rdataUnrepaired),
        ("states-refused", \.statesRefused), ("tsis-refused", \.tsisRefused), ("states-expired", \.statesExpired),
        ("nnaks", \.nnaks), ("malformed", \.malformed), ("fragments", \.fragments),
    ]

    /// The attributes of ne-set: enabled, 1 or 0.
    public static func setAttributes(enabled: Bool) -> [NetlinkAttribute] {
        [.u32(PGMNeAttribute.enabled.rawValue, enabled ? 1 : 0)]
    }

    /// Decodes an ne-get reply; one without `enabled` is malformed, an
    /// absent count or counter is 0.
    public init(_ a: NetlinkAttributes) throws(NetlinkError) {
        typealias A = PGMNeAttribute
        guard let on = a.u32(A.enabled.rawValue) else { throw .malformedReply("network element without enabled") }
        self.init(a, A.self)
        enabled = on != 0
        sessions = a.u32(A.tsis.rawValue) ?? 0
        repairStates = a.u32(A.states.rawValue) ?? 0
        memory = a.u64(A.mem.rawValue) ?? 0
    }
}

/// A session the netns's network element follows (ne-session-get dump): its
/// source path state, from the source's SPMs (RFC 3208 section 7.1).  The
/// network element works on IPv4 only.
public struct PGMNetworkElementSession: Sendable, Hashable {
    /// The session.
    public var tsi: TSI
    /// The group.
    public var group: IPv4Address
    /// The source's address (its SPMs' IP source).
    public var source: IPv4Address
    /// The data-destination port.
    public var port: UInt16
    /// The upstream NE, the path NLA of the source's SPMs: where NAKs go.
    public var upstream: IPv4Address
    /// The interface toward the source, where its SPMs come in.
    public var interfaceIndex: UInt32
    /// The last SPM's sequence number.
    public var spmSequence: SequenceNumber
    /// The source's transmit window as its last SPM advertised it.
    public var trail: SequenceNumber, lead: SequenceNumber
    /// Repair states of the session.
    public var repairStates: UInt32
    /// The transmission group size of its on-demand parity; 0 for none.
    public var transmissionGroupSize: UInt32
    /// Milliseconds since its last SPM taken.
    public var idleMilliseconds: UInt32

    /// A session from its parts.
    public init(tsi: TSI, group: IPv4Address, source: IPv4Address, port: UInt16, upstream: IPv4Address,
                interfaceIndex: UInt32, spmSequence: SequenceNumber = 0, trail: SequenceNumber = 0,
                lead: SequenceNumber = 0, repairStates: UInt32 = 0, transmissionGroupSize: UInt32 = 0,
                idleMilliseconds: UInt32 = 0) {
        self.tsi = tsi
        self.group = group
        self.source = source
        self.port = port
        self.upstream = upstream
        self.interfaceIndex = interfaceIndex
        self.spmSequence = spmSequence
        self.trail = trail
        self.lead = lead
        self.repairStates = repairStates
        self.transmissionGroupSize = transmissionGroupSize
        self.idleMilliseconds = idleMilliseconds
    }

    /// Decodes one message of an ne-session dump: one without a TSI of 8
    /// bytes, a group or a source is malformed; another absent part is 0.
    public init(_ a: NetlinkAttributes) throws(NetlinkError) {
        typealias A = PGMNeSessionAttribute
        guard let tsi = a.bytes(A.tsi.rawValue).flatMap(TSI.init(bytes:)),
              let group = a.ipv4(A.group.rawValue), let source = a.ipv4(A.source.rawValue)
        else { throw .malformedReply("network element session without a TSI, group or source") }
        self.init(tsi: tsi, group: group, source: source, port: a.u16(A.port.rawValue) ?? 0,
                  upstream: a.ipv4(A.upstream.rawValue) ?? .any, interfaceIndex: a.u32(A.ifindex.rawValue) ?? 0,
                  spmSequence: SequenceNumber(a.u32(A.spmSqn.rawValue) ?? 0),
                  trail: SequenceNumber(a.u32(A.trail.rawValue) ?? 0), lead: SequenceNumber(a.u32(A.lead.rawValue) ?? 0),
                  repairStates: a.u32(A.states.rawValue) ?? 0,
                  transmissionGroupSize: a.u32(A.tgSize.rawValue) ?? 0,
                  idleMilliseconds: a.u32(A.idleMs.rawValue) ?? 0)
    }
}

/// One session a receiver follows (peer-get dump).
public struct PGMPeerInfo: Sendable, Equatable {
    /// The receiver socket's inode.
    public var socketInode: UInt32
    /// The session.
    public var tsi: TSI
    /// IP source, group and path NLA, of the receiver socket's family.
    public var source: IPAddress, group: IPAddress, nla: IPAddress?
    /// Data-destination port.
    public var port: UInt16
    /// Next sqn to deliver and highest known.
    public var nextSequence: SequenceNumber, leadSequence: SequenceNumber
    /// Receive window capacity, sqns.
    public var windowSize: UInt32
    /// How the source said it ends, if it has.
    public var end: SessionEndReason?
    /// Milliseconds since the source was last heard.
    public var idleMilliseconds: UInt32
    /// Sqns lost, NAKs sent.
    public var losses: UInt64, naksSent: UInt64
    /// The FEC the source's SPMs offer (OPT_PARITY_PRM), nil before any does.
    public var fec: PeerFEC?
    /// Groups of this session rebuilt from parity, parity NAKs sent to its source.
    public var groupsRebuilt: UInt64, parityNAKsSent: UInt64
    /// PGMCC (a receiver with `PGM_PGMCC`): the loss rate for the session,
    /// 0 to 65535 as the feedback carries it; nil until the source's data
    /// carries OPT_PGMCC_DATA (or without `PGM_PGMCC`).
    public var pgmccLossRate: UInt32?
    /// PGMCC ACKs sent to the session's source.
    public var acksSent: UInt64

    /// What a session's source says of its FEC (RFC 3208 section 11.4).
    public struct PeerFEC: Sendable, Equatable {
        /// The transmission group size, k.
        public var groupSize: UInt32
        /// It sends proactive parity.
        public var proactive: Bool
        /// It answers parity NAKs.
        public var onDemand: Bool
    }

    /// The session's address family (its receiver socket's).
    public var family: IPFamily { source.family }

    /// Decodes one message of a peer dump.
    public init(_ a: NetlinkAttributes) throws(NetlinkError) {
        typealias A = PGMPeerAttribute
        guard let ino = a.u32(A.socketInode.rawValue),
              let tsi = a.bytes(A.tsi.rawValue).flatMap(TSI.init(bytes:)) else {
            throw .malformedReply("peer without socket inode or TSI")
        }
        socketInode = ino
        self.tsi = tsi
        source = a.ipAddress(v4: A.source.rawValue, v6: A.source6.rawValue) ?? .v4(.any)
        group = a.ipAddress(v4: A.group.rawValue, v6: A.group6.rawValue) ?? .v4(.any)
        nla = a.ipAddress(v4: A.nla.rawValue, v6: A.nla6.rawValue)
        port = a.u16(A.port.rawValue) ?? 0
        nextSequence = SequenceNumber(a.u32(A.nextSqn.rawValue) ?? 0)
        leadSequence = SequenceNumber(a.u32(A.leadSqn.rawValue) ?? 0)
        windowSize = a.u32(A.rxwSqns.rawValue) ?? 0
        end = a.u32(A.end.rawValue).map(SessionEndReason.init(rawValue:))
        idleMilliseconds = a.u32(A.idleMs.rawValue) ?? 0
        losses = a.u64(A.losses.rawValue) ?? 0
        naksSent = a.u64(A.naksSent.rawValue) ?? 0
        fec = a.u32(A.fecK.rawValue).map {
            PeerFEC(groupSize: $0, proactive: a.u32(A.fecProactive.rawValue) == 1,
                    onDemand: a.u32(A.fecOndemand.rawValue) == 1)
        }
        groupsRebuilt = a.u64(A.groupsRebuilt.rawValue) ?? 0
        parityNAKsSent = a.u64(A.parityNaksSent.rawValue) ?? 0
        pgmccLossRate = a.u32(A.pgmccLossRate.rawValue)
        acksSent = a.u64(A.acksSent.rawValue) ?? 0
    }
}

/// One message of the events group.
public struct PGMEvent: Sendable, Equatable {
    /// Which event (one of the `…Ntf` commands).
    public var kind: PGMCommand
    /// The socket the event is about.
    public var socketInode: UInt32
    /// Whether that socket is a source or a receiver.
    public var role: PGMRole
    /// The session.
    public var tsi: TSI?
    /// The session's IP source, when the event carries it.
    public var source: IPAddress?
    /// The group.
    public var group: IPAddress?
    /// Data-destination port.
    public var port: UInt16?
    /// session-start: first sqn; loss: first sqn lost.
    public var firstSequence: SequenceNumber?
    /// loss: how many sqns.
    public var count: UInt32?
    /// session-end: the last sqn.
    public var lastSequence: SequenceNumber?
    /// session-end: why.
    public var reason: SessionEndReason?
    /// nak-storm: NAKs received in the second when the threshold was passed, and the threshold.
    public var rate: UInt32?, threshold: UInt32?
    /// rate-limited: the limit (bytes/s) and how many sends waited so far.
    public var rateLimit: UInt32?, rateLimited: UInt64?
    /// acker-change: the PGMCC source's new acker, of the socket's family;
    /// nil when the acker's term ended after `PGM_PGMCC_TIMEOUTS` timeouts
    /// in a row without a new one (an election is called).
    public var acker: IPAddress?
    /// acker-change with an acker: the RTT of the feedback that chose it,
    /// microseconds, and the loss rate it carried, 0 to 65535.
    public var rttMicroseconds: UInt32?, lossRate: UInt32?
    /// receiver-join, receiver-leave, receiver-refused: the confirming
    /// receiver's address (its ACK's IP source), of the socket's family.
    public var receiver: IPAddress?
    /// receiver-join, -leave, -refused: the RECEIVER ID of its OPT_CONFIRM
    /// (random per receiver socket and session).
    public var receiverID: UInt32?
    /// receiver-join, -leave, -refused: how far that receiver had
    /// everything (its CONFIRMED).
    public var confirmedSequence: SequenceNumber?
    /// receiver-leave: why it left (bye, expired, lost).  Its `reason`
    /// attribute is this, not a ``SessionEndReason``: ``reason`` is nil.
    public var leaveReason: ConfirmLeaveReason?
    /// policy-denied, policy-revoked: the owner of the socket, in the user
    /// namespace that owns the netns.
    public var uid: UInt32?
    /// policy-denied, policy-revoked: the id of the rule that refused; nil
    /// when the policy's default action did, or max-groups.
    public var ruleID: UInt32?
    /// policy-denied, policy-revoked: the errno the socket got:
    /// `.permissionDenied` (EACCES: a rule or the default action) or
    /// `.noBufferSpace` (ENOBUFS: the netns used max-groups groups
    /// already).  Nil from a module older than the attribute.
    public var error: Errno?
    /// ne-session: the session's upstream network element, where NAKs go.
    public var upstream: IPAddress?
    /// ne-session: the interface toward the session's source.
    public var interfaceIndex: UInt32?
    /// The address family of the socket the event is about, from its
    /// addresses (every event carries the group); nil without any.
    public var family: IPFamily? { (group ?? source)?.family }
    /// A session-start made from a dump, not heard on the group: the
    /// session was already running when the listener joined.
    public var existing = false

    /// An event from its parts (the others nil).
    public init(kind: PGMCommand, socketInode: UInt32, role: PGMRole, tsi: TSI?, source: IPAddress? = nil,
                group: IPAddress? = nil, port: UInt16? = nil, existing: Bool = false) {
        self.kind = kind
        self.socketInode = socketInode
        self.role = role
        self.tsi = tsi
        self.source = source
        self.group = group
        self.port = port
        self.existing = existing
    }

    /// The sessions running now, as session-start events marked
    /// ``existing``: each active or closing source socket's session and
    /// each session a receiver follows.  A listener that joins the events
    /// group and then reads these knows every session a later session-end
    /// can name, also those that started before it joined.
    public static func existingSessions(sockets: [PGMSocketInfo], peers: [PGMPeerInfo]) -> [PGMEvent] {
        var out: [PGMEvent] = []
        for s in sockets where s.role == .source && (s.state == .active || s.state == .closing) {
            out.append(PGMEvent(kind: .sessionStartNtf, socketInode: s.inode, role: .source, tsi: s.tsi,
                                source: s.address, group: s.group, port: s.port, existing: true))
        }
        for p in peers {
            out.append(PGMEvent(kind: .sessionStartNtf, socketInode: p.socketInode, role: .receiver, tsi: p.tsi,
                                source: p.source, group: p.group, port: p.port, existing: true))
        }
        return out
    }

    /// Decodes an event; nil for a command that is not an event.
    public init?(command: UInt8, attributes a: NetlinkAttributes) {
        guard let kind = PGMCommand(rawValue: command),
              Self.kinds.contains(kind)
        else { return nil }
        typealias A = PGMEventAttribute
        self.kind = kind
        socketInode = a.u32(A.socketInode.rawValue) ?? 0
        role = a.u32(A.role.rawValue).flatMap(PGMRole.init(rawValue:)) ?? .none
        tsi = a.bytes(A.tsi.rawValue).flatMap(TSI.init(bytes:))
        source = a.ipAddress(v4: A.source.rawValue, v6: A.source6.rawValue)
        group = a.ipAddress(v4: A.group.rawValue, v6: A.group6.rawValue)
        port = a.u16(A.port.rawValue)
        firstSequence = a.u32(A.firstSqn.rawValue).map(SequenceNumber.init(rawValue:))
        count = a.u32(A.count.rawValue)
        lastSequence = a.u32(A.lastSqn.rawValue).map(SequenceNumber.init(rawValue:))
        if kind == .receiverLeaveNtf {
            leaveReason = a.u32(A.reason.rawValue).map(ConfirmLeaveReason.init(rawValue:))
        } else {
            reason = a.u32(A.reason.rawValue).map(SessionEndReason.init(rawValue:))
        }
        rate = a.u32(A.rate.rawValue)
        threshold = a.u32(A.threshold.rawValue)
        rateLimit = a.u32(A.rateLimit.rawValue)
        rateLimited = a.u64(A.rateLimited.rawValue)
        acker = a.ipAddress(v4: A.acker.rawValue, v6: A.acker6.rawValue)
        rttMicroseconds = a.u32(A.rttUs.rawValue)
        lossRate = a.u32(A.lossRate.rawValue)
        receiver = a.ipAddress(v4: A.receiver.rawValue, v6: A.receiver6.rawValue)
        receiverID = a.u32(A.receiverId.rawValue)
        confirmedSequence = a.u32(A.confirmedSqn.rawValue).map(SequenceNumber.init(rawValue:))
        uid = a.u32(A.uid.rawValue)
        ruleID = a.u32(A.ruleId.rawValue)
        error = a.u32(A.error.rawValue).map { Errno(rawValue: Int32(bitPattern: $0)) }
        upstream = a.ipv4(A.upstream.rawValue).map(IPAddress.v4)
        interfaceIndex = a.u32(A.ifindex.rawValue)
    }

    /// The commands that are events, in the spec's order.
    public static let kinds: [PGMCommand] = [
        .sessionStartNtf, .sessionEndNtf, .lossNtf, .nakStormNtf, .rateLimitedNtf, .ackerChangeNtf,
        .receiverJoinNtf, .receiverLeaveNtf, .receiverRefusedNtf, .policyDeniedNtf, .policyAllowedNtf,
        .policyRevokedNtf, .neSessionNtf, .neSessionEndNtf,
    ]
}

/// A client of the `pgm` generic-netlink family: the module's control plane.
///
/// Every call is one request on one socket; a dump reads every page the
/// kernel sends until NLMSG_DONE.  Errors are ``NetlinkError``:
/// ``NetlinkError/familyNotFound(_:)`` when pgm.ko is not loaded,
/// ``NetlinkError/refused(_:_:)`` with the kernel's extack text when a
/// request is refused (`EPERM` without CAP_NET_ADMIN for a set).
public final class PGMControl {
    let socket: GenericNetlinkSocket
    /// The resolved family.
    public let family: GenericNetlinkSocket.Family

    /// Opens a socket and resolves the family.
    public init() throws(NetlinkError) {
        socket = try GenericNetlinkSocket()
        family = try socket.resolve(family: PGMFamily.name)
    }

    /// A request to this family.
    public func request(_ command: PGMCommand, dump: Bool = false, attributes: [NetlinkAttribute] = []) -> NetlinkRequest {
        NetlinkRequest(family: family.id, command: command.rawValue, version: PGMFamily.version, dump: dump,
                       attributes: attributes)
    }

    /// Sends a request as it is (also a malformed one, for tests) and returns the replies.
    public func send(_ request: NetlinkRequest) throws(NetlinkError) -> [NetlinkAttributes] {
        try socket.transact(request)
    }

    /// The netns-wide defaults.
    public func defaults() throws(NetlinkError) -> PGMDefaults {
        guard let a = try socket.transact(request(.defaultsGet)).first else { throw .malformedReply("no defaults") }
        return PGMDefaults(a)
    }

    /// Sets some defaults, all or none (needs CAP_NET_ADMIN over the netns).
    public func setDefaults(_ values: [(PGMDefaultsAttribute, UInt32)]) throws(NetlinkError) {
        _ = try socket.transact(request(.defaultsSet, attributes: values.map { .u32($0.0.rawValue, $0.1) }))
    }

    /// The netns counters.
    public func statistics() throws(NetlinkError) -> NetnsStatistics {
        guard let a = try socket.transact(request(.statsGet)).first else { throw .malformedReply("no stats") }
        return NetnsStatistics(a, PGMStatsAttribute.self)
    }

    /// Every PGM socket of the netns.
    public func sockets() throws(NetlinkError) -> [PGMSocketInfo] {
        var out: [PGMSocketInfo] = []
        for a in try socket.transact(request(.sockGet, dump: true)) { out.append(try PGMSocketInfo(a)) }
        return out
    }

    /// The sessions receivers follow; of one socket with `socket`.
    public func peers(socket inode: UInt32? = nil) throws(NetlinkError) -> [PGMPeerInfo] {
        let attrs: [NetlinkAttribute] = inode.map { [.u32(PGMPeerAttribute.socketInode.rawValue, $0)] } ?? []
        var out: [PGMPeerInfo] = []
        for a in try socket.transact(request(.peerGet, dump: true, attributes: attrs)) { out.append(try PGMPeerInfo(a)) }
        return out
    }

    /// The live confirming receivers of sources with confirmed delivery;
    /// of one source socket with `socket` (`.kernel` ENOENT, with the
    /// kernel's message, when it is not a source).
    public func confirmReceivers(socket inode: UInt32? = nil) throws(NetlinkError) -> [PGMConfirmReceiverInfo] {
        let attrs: [NetlinkAttribute] = inode.map { [.u32(PGMConfirmReceiverAttribute.socketInode.rawValue, $0)] } ?? []
        var out: [PGMConfirmReceiverInfo] = []
        for a in try socket.transact(request(.confirmReceiverGet, dump: true, attributes: attrs)) {
            out.append(try PGMConfirmReceiverInfo(a))
        }
        return out
    }

    /// The netns's multicast policy: its default action, how many rules it
    /// has, max-groups, the groups in use and rate-cap.
    public func policy() throws(NetlinkError) -> PGMPolicy {
        guard let a = try socket.transact(request(.policyGet)).first else { throw .malformedReply("no policy") }
        return try PGMPolicy(a)
    }

    /// Sets the policy's settings given, keeping the others (needs
    /// CAP_NET_ADMIN over the netns): what it does with a socket no rule
    /// matches, the most distinct groups in use (0: no limit; `.refused`
    /// past ``PGMFamily/policyMaxGroupsMax``, a lower limit revokes nothing)
    /// and the bytes/s of all non-exempt sources together (0: no cap).  At
    /// least one must be given (`.refused` EINVAL otherwise).  A change of
    /// the default ends the live sessions it denies (policy-revoked).
    public func setPolicy(defaultAction: PolicyAction? = nil, maxGroups: UInt32? = nil,
                          rateCap: UInt32? = nil) throws(NetlinkError) {
        _ = try socket.transact(request(.policySet, attributes: PGMPolicy.setAttributes(
            defaultAction: defaultAction, maxGroups: maxGroups, rateCap: rateCap)))
    }

    /// Adds a rule (its match and action; its id, index and hits are
    /// ignored) at `index`, at the end when nil or past the end (needs
    /// CAP_NET_ADMIN over the netns; `.refused` ENOSPC past
    /// ``PGMFamily/policyRulesMax`` rules, EINVAL with the kernel's message
    /// for a uid or gid that does not map into the requester's user
    /// namespace).  Returns the id the kernel gave it and its index.
    public func addPolicyRule(_ rule: PGMPolicyRule, at index: UInt32? = nil) throws(NetlinkError) -> (id: UInt32, index: UInt32) {
        typealias A = PGMPolicyRuleAttribute
        guard let a = try socket.transact(request(.policyRuleAdd, attributes: rule.addAttributes(at: index))).first,
              let id = a.u32(A.id.rawValue), let at = a.u32(A.index.rawValue)
        else { throw .malformedReply("policy-rule-add without the rule's id and index") }
        return (id, at)
    }

    /// Deletes the rule with this id (needs CAP_NET_ADMIN over the netns;
    /// `.refused` ENOENT when there is none).
    public func deletePolicyRule(id: UInt32) throws(NetlinkError) {
        _ = try socket.transact(request(.policyRuleDel, attributes: [.u32(PGMPolicyRuleAttribute.id.rawValue, id)]))
    }

    /// The netns's policy rules, in order: the first that matches decides.
    public func policyRules() throws(NetlinkError) -> [PGMPolicyRule] {
        var out: [PGMPolicyRule] = []
        for a in try socket.transact(request(.policyRuleGet, dump: true)) { out.append(try PGMPolicyRule(a)) }
        return out
    }

    /// Maps a logical group, replacing its mapping if it had one (needs
    /// CAP_NET_ADMIN over the netns; `.refused` ENOSPC, with the kernel's
    /// message, past ``PGMFamily/policyMapsMax`` logical groups).  It
    /// applies to later connect(), bind() and joins: a source keeps the
    /// group or the receivers it took at connect().
    public func setPolicyMap(_ map: PGMPolicyMap) throws(NetlinkError) {
        _ = try socket.transact(request(.policyMapAdd, attributes: map.addAttributes))
    }

    /// Deletes the mapping of a logical group (needs CAP_NET_ADMIN over the
    /// netns; `.refused` ENOENT when there is none, EINVAL when `logical`
    /// is not multicast).
    public func deletePolicyMap(logical: IPAddress) throws(NetlinkError) {
        _ = try socket.transact(request(.policyMapDel, attributes: PGMPolicyMap.deleteAttributes(logical: logical)))
    }

    /// The netns's logical groups, in the kernel's order (a replaced one
    /// keeps its place; the last takes a deleted one's).  None from a
    /// module older than logical groups (that does not know policy-map-get).
    public func policyMaps() throws(NetlinkError) -> [PGMPolicyMap] {
        let replies: [NetlinkAttributes]
        do { replies = try socket.transact(request(.policyMapGet, dump: true)) } catch .refused(let e, _) where e == .notSupported {
            return []
        }
        var out: [PGMPolicyMap] = []
        for a in replies { out.append(try PGMPolicyMap(a)) }
        return out
    }

    /// The netns's network element (RFC 3208 section 7): on or off, the
    /// sessions and repair states it holds, their memory and its counters
    /// (`.refused` EOPNOTSUPP from a module older than the network element).
    public func networkElement() throws(NetlinkError) -> PGMNetworkElement {
        guard let a = try socket.transact(request(.neGet)).first else { throw .malformedReply("no network element") }
        return try PGMNetworkElement(a)
    }

    /// Turns the netns's network element on or off (needs CAP_NET_ADMIN
    /// over the netns: `.refused` EPERM otherwise).  Off forgets every
    /// session and repair state; its counters stay.  Asking for the state
    /// it is in changes nothing.
    public func setNetworkElement(enabled: Bool) throws(NetlinkError) {
        _ = try socket.transact(request(.neSet, attributes: PGMNetworkElement.setAttributes(enabled: enabled)))
    }

    /// The sessions the netns's network element follows, in the kernel's
    /// order (by their last SPM); none while it is off.
    public func networkElementSessions() throws(NetlinkError) -> [PGMNetworkElementSession] {
        var out: [PGMNetworkElementSession] = []
        for a in try socket.transact(request(.neSessionGet, dump: true)) { out.append(try PGMNetworkElementSession(a)) }
        return out
    }

    /// The events group as an `AsyncSequence` on a socket of its own.
    ///
    /// Joining the group needs CAP_NET_ADMIN over the network namespace:
    /// without it this throws `NetlinkError.system(.notPermitted, "NETLINK_ADD_MEMBERSHIP")`.
    public func events() throws(NetlinkError) -> PGMEventStream {
        guard let group = family.groups[PGMFamily.Group.events] else {
            throw .malformedReply("family \(family.name) has no group \(PGMFamily.Group.events)")
        }
        let s = try GenericNetlinkSocket()
        try s.join(group: group)
        return PGMEventStream(socket: s, family: family.id)
    }
}

/// The events group's messages as an `AsyncSequence` of ``PGMEvent``.
///
/// The socket is read on a thread of its own (a serial dispatch queue) that
/// waits in poll(2) on it and an eventfd; cancelling the iterating task
/// writes the eventfd and the sequence ends with nil.  When the kernel had
/// to drop events because the socket's queue was full, the sequence throws
/// `NetlinkError.system(.noBufferSpace, …)`.
public struct PGMEventStream: AsyncSequence, Sendable {
    /// The sequence's elements.
    public typealias Element = PGMEvent
    /// The sequence's errors.
    public typealias Failure = NetlinkError

    let pump: EventPump

    init(socket: GenericNetlinkSocket, family: UInt16) {
        pump = EventPump(socket: socket, family: family)
    }

    /// The iterator; there should be one per stream.
    public func makeAsyncIterator() -> Iterator { Iterator(pump: pump) }

    /// Waits for events on the stream's thread.
    public struct Iterator: AsyncIteratorProtocol {
        let pump: EventPump

        /// The next event; nil once the task is cancelled.
        public mutating func next(isolation actor: isolated (any Actor)? = #isolation) async throws(NetlinkError) -> PGMEvent? {
            if Task.isCancelled || pump.finished { return nil }
            let pump = self.pump
            let r: Result<PGMEvent?, NetlinkError> = await withTaskCancellationHandler {
                await withCheckedContinuation { (c: CheckedContinuation<Result<PGMEvent?, NetlinkError>, Never>) in
                    pump.queue.async {
                        do throws(NetlinkError) { c.resume(returning: .success(try pump.next())) } catch {
                            c.resume(returning: .failure(error))
                        }
                    }
                }
            } onCancel: {
                pump.cancel()
            }
            return try r.get()
        }

        /// The next event; nil once the task is cancelled.
        public mutating func next() async throws(NetlinkError) -> PGMEvent? {
            try await next(isolation: nil)
        }
    }
}

/// The socket of a ``PGMEventStream``, the events read but not yet
/// returned, and the eventfd that ends a wait.  Only touched on `queue`
/// except for `cancel()`.
final class EventPump: @unchecked Sendable {
    let socket: GenericNetlinkSocket
    let family: UInt16
    let wakeFD: Int32
    let queue = DispatchQueue(label: "pgm.netlink.events")
    private var pending: [PGMEvent] = []
    private let done = Atomic<Bool>(false)

    init(socket: GenericNetlinkSocket, family: UInt16) {
        self.socket = socket
        self.family = family
        self.wakeFD = cpgm_eventfd()
    }

    deinit {
        if wakeFD >= 0 { _ = Glibc.close(wakeFD) }
    }

    var finished: Bool { done.load(ordering: .acquiring) }

    func cancel() {
        done.store(true, ordering: .releasing)
        var one: UInt64 = 1
        if wakeFD >= 0 { _ = Glibc.write(wakeFD, &one, 8) }
    }

    /// The next event, waiting for one; nil when cancelled.
    func next() throws(NetlinkError) -> PGMEvent? {
        while pending.isEmpty {
            if finished { return nil }
            var fds = [
                pollfd(fd: socket.fileDescriptor, events: Int16(POLLIN), revents: 0),
                pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0),
            ]
            let rc = fds.withUnsafeMutableBufferPointer { b -> Result<Int32, NetlinkError> in
                guard let base = b.baseAddress else { return .failure(.system(.invalidArgument, "poll")) }
                return systemCall("poll") { Glibc.poll(base, 2, -1) }
            }
            if case .failure(let e) = rc {
                if case .system(.interrupted, _) = e { continue }
                throw e
            }
            if finished { return nil }
            guard fds[0].revents != 0 else { continue }
            for m in try socket.receive() {
                if case .generic(let fam, _, let cmd, let attrs) = m, fam == family,
                   let e = PGMEvent(command: cmd, attributes: attrs) {
                    pending.append(e)
                }
            }
        }
        return pending.removeFirst()
    }
}

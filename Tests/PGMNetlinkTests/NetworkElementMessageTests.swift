import PGMNetlink
import Testing

/// The network element's operations of the `pgm` family (RFC 3208 section
/// 7, kernel/ne.c) against bytes written out by hand, with no kernel: the
/// ne-get, ne-set and ne-session-get requests, ne-get's reply and the
/// ne-session-get dump.
@Suite("pgm family network element messages")
struct NetworkElementMessageTests {
    typealias N = PGMNeAttribute
    typealias S = PGMNeSessionAttribute

    func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
    func u16(_ type: UInt16, _ v: UInt16) -> [UInt8] { [6, 0, UInt8(type), 0] + le(v) + [0, 0] }
    func u32(_ type: UInt16, _ v: UInt32) -> [UInt8] { [8, 0, UInt8(type), 0] + le(v) }
    func u64(_ type: UInt16, _ v: UInt64) -> [UInt8] { [12, 0, UInt8(type), 0] + le(v) }
    func binary(_ type: UInt16, _ payload: [UInt8]) -> [UInt8] {
        let n = 4 + payload.count
        return [UInt8(n), 0, UInt8(type), 0] + payload + [UInt8](repeating: 0, count: (4 - n % 4) % 4)
    }
    func header(type: UInt16, flags: UInt16, seq: UInt32, payload: [UInt8]) -> [UInt8] {
        le(UInt32(16 + payload.count)) + le(type) + le(flags) + le(seq) + le(UInt32(0)) + payload
    }

    /// ne-set: one u32, enabled (2), 1 or 0; ne-get: no attribute;
    /// ne-session-get: a dump (NLM_F_DUMP), no attribute.
    @Test func encodesRequests() {
        let on = NetlinkRequest(family: 0x1A, command: PGMCommand.neSet.rawValue, version: PGMFamily.version,
                                attributes: PGMNetworkElement.setAttributes(enabled: true))
        #expect(on.encoded(sequence: 3, portID: 0) == [
            0x1C, 0x00, 0x00, 0x00,  // nlmsg_len 28
            0x1A, 0x00, 0x05, 0x00,  // the family, NLM_F_REQUEST | NLM_F_ACK
            0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // seq 3, port 0
            0x1C, 0x01, 0x00, 0x00,  // cmd ne-set (28), version 1
            0x08, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00,  // enabled 1
        ])
        #expect(PGMNetworkElement.setAttributes(enabled: false) == [.u32(N.enabled.rawValue, 0)])
        #expect(N.enabled.accepted?.range == 0...1)
        let get = NetlinkRequest(family: 0x1A, command: PGMCommand.neGet.rawValue)
        #expect(get.encoded(sequence: 4, portID: 0) == [
            0x14, 0x00, 0x00, 0x00, 0x1A, 0x00, 0x05, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x1B, 0x01, 0x00, 0x00,  // cmd ne-get (27)
        ])
        let dump = NetlinkRequest(family: 0x1A, command: PGMCommand.neSessionGet.rawValue, dump: true)
        #expect(dump.encoded(sequence: 5, portID: 0) == [
            0x14, 0x00, 0x00, 0x00, 0x1A, 0x00, 0x05, 0x03, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x1D, 0x01, 0x00, 0x00,  // cmd ne-session-get (29)
        ])
    }

    /// ne-get's reply as the kernel builds it: enabled, tsis, states, mem,
    /// then the counters from spms to fragments (here each its attribute's
    /// number times 1000, a pad among them); every one lands in its own
    /// property.
    @Test func decodesNetworkElement() throws {
        var attrs = u32(N.enabled.rawValue, 1) + u32(N.tsis.rawValue, 3) + u32(N.states.rawValue, 17)
            + u64(N.mem.rawValue, 4096)
        for a in N.allCases where a.rawValue >= N.spms.rawValue {
            if a == .naks { attrs += [4, 0, UInt8(N.pad.rawValue), 0] }
            attrs += u64(a.rawValue, UInt64(a.rawValue) * 1000)
        }
        let m = try NetlinkMessage.parse(header(type: 0x1A, flags: 0, seq: 6, payload: [PGMCommand.neGet.rawValue, 1, 0, 0]
            + attrs))
        guard case .generic(_, 6, PGMCommand.neGet.rawValue, let a) = m.first else {
            Issue.record("no ne-get reply in \(m)")
            return
        }
        let ne = try PGMNetworkElement(a)
        #expect(ne.enabled && ne.sessions == 3 && ne.repairStates == 17 && ne.memory == 4096)
        #expect(ne.spms == 6000 && ne.spmsRefused == 7000 && ne.pathChanges == 8000 && ne.naks == 9000)
        #expect(ne.naksForwarded == 10000 && ne.naksEliminated == 11000 && ne.naksRefused == 12000)
        #expect(ne.nakRepeats == 13000 && ne.naksUnconfirmed == 14000 && ne.ncfsSent == 15000)
        #expect(ne.ncfsLimited == 16000 && ne.ncfsConfirmed == 17000 && ne.ncfsAnticipated == 18000)
        #expect(ne.ncfsRefused == 19000 && ne.rdataForwarded == 20000 && ne.rdataConstrained == 21000)
        #expect(ne.rdataUnrepaired == 22000 && ne.statesRefused == 23000 && ne.tsisRefused == 24000)
        #expect(ne.statesExpired == 25000 && ne.nnaks == 26000 && ne.malformed == 27000 && ne.fragments == 28000)
        #expect(ne.namedCounters.map(\.value) == (6...28).map { UInt64($0) * 1000 })
    }

    /// Off and fresh: enabled 0, nothing held; an absent count or counter
    /// is 0 (a module that sends fewer); no enabled is a malformed reply.
    @Test func decodesOffAndRefusesWithoutEnabled() throws {
        let off = try PGMNetworkElement(try NetlinkAttributes(parsing: u32(N.enabled.rawValue, 0)))
        #expect(off == PGMNetworkElement())
        #expect(!off.enabled && off.namedCounters.allSatisfy { $0.value == 0 })
        #expect(throws: NetlinkError.self) {
            try PGMNetworkElement(try NetlinkAttributes(parsing: u32(N.tsis.rawValue, 1) + u64(N.spms.rawValue, 2)))
        }
        // enabled as a u64 is not the u32 the spec gives it.
        #expect(throws: NetlinkError.self) {
            try PGMNetworkElement(try NetlinkAttributes(parsing: u64(N.enabled.rawValue, 1)))
        }
    }

    /// Every u64 of the ne set but mem is a named counter, in the spec's
    /// order, each its own field: a counter the kernel adds is never dropped
    /// unseen.
    @Test func everyCounterIsAField() {
        let names = N.allCases.filter { $0.kind == .u64 && $0 != .mem }.map(\.description)
        #expect(PGMNetworkElement.counters.map(\.name) == names)
        var ne = PGMNetworkElement()
        for (i, c) in PGMNetworkElement.counters.enumerated() { ne[keyPath: c.keyPath] = UInt64(i + 1) }
        #expect(ne.namedCounters.map(\.value) == (1...UInt64(names.count)).map { $0 })
        #expect(ne.memory == 0 && ne.sessions == 0 && ne.repairStates == 0)
    }

    /// A dump of two sessions as the kernel writes them: the TSI (GSI, then
    /// the source port in network order), group, source and upstream as u32
    /// in network order, the port in host order, then the u32s.
    @Test func decodesSessions() throws {
        func session(_ tsi: [UInt8], group: [UInt8], source: [UInt8], port: UInt16, upstream: [UInt8], ifindex: UInt32,
                     spm: UInt32, trail: UInt32, lead: UInt32, states: UInt32, k: UInt32, idle: UInt32) -> [UInt8] {
            header(type: 0x1A, flags: 2, seq: 7, payload: [PGMCommand.neSessionGet.rawValue, 1, 0, 0]
                + binary(S.tsi.rawValue, tsi) + binary(S.group.rawValue, group) + binary(S.source.rawValue, source)
                + u16(S.port.rawValue, port) + binary(S.upstream.rawValue, upstream) + u32(S.ifindex.rawValue, ifindex)
                + u32(S.spmSqn.rawValue, spm) + u32(S.trail.rawValue, trail) + u32(S.lead.rawValue, lead)
                + u32(S.states.rawValue, states) + u32(S.tgSize.rawValue, k) + u32(S.idleMs.rawValue, idle))
        }
        let bytes = session([1, 2, 3, 4, 5, 6, 0x1F, 0x40], group: [239, 192, 0, 1], source: [10, 0, 1, 2], port: 7500,
                            upstream: [10, 0, 1, 1], ifindex: 3, spm: 41, trail: 100, lead: 180, states: 2, k: 0,
                            idle: 250)
            + session([9, 8, 7, 6, 5, 4, 0xFF, 0xFF], group: [232, 1, 2, 3], source: [192, 0, 2, 7], port: 65535,
                      upstream: [192, 0, 2, 254], ifindex: 12, spm: 0xFFFF_FFFF, trail: 0xFFFF_FFF0, lead: 5,
                      states: 0, k: 16, idle: 0)
            + header(type: 3, flags: 2, seq: 7, payload: [0, 0, 0, 0])
        let list = try NetlinkMessage.parse(bytes).compactMap { m -> PGMNetworkElementSession? in
            guard case .generic(_, 7, PGMCommand.neSessionGet.rawValue, let a) = m else { return nil }
            return try PGMNetworkElementSession(a)
        }
        #expect(list == [
            PGMNetworkElementSession(tsi: try TSI("1.2.3.4.5.6.8000"), group: IPv4Address(239, 192, 0, 1),
                                     source: IPv4Address(10, 0, 1, 2), port: 7500, upstream: IPv4Address(10, 0, 1, 1),
                                     interfaceIndex: 3, spmSequence: 41, trail: 100, lead: 180, repairStates: 2,
                                     transmissionGroupSize: 0, idleMilliseconds: 250),
            PGMNetworkElementSession(tsi: try TSI("9.8.7.6.5.4.65535"), group: IPv4Address(232, 1, 2, 3),
                                     source: IPv4Address(192, 0, 2, 7), port: 65535,
                                     upstream: IPv4Address(192, 0, 2, 254), interfaceIndex: 12,
                                     spmSequence: SequenceNumber(0xFFFF_FFFF), trail: SequenceNumber(0xFFFF_FFF0),
                                     lead: 5, repairStates: 0, transmissionGroupSize: 16, idleMilliseconds: 0),
        ])
        #expect(list.first?.tsi.sourcePort == 8000 && list.first?.group.description == "239.192.0.1")
    }

    /// What the client cannot take as a session is a malformed reply, never
    /// a trap: no TSI, a TSI not of 8 bytes, no group, no source.  A session
    /// with only those has the rest 0.
    @Test(arguments: [
        ("no TSI", [S.group, S.source], 8),
        ("a TSI of 6 bytes", [S.tsi, S.group, S.source], 6),
        ("no group", [S.tsi, S.source], 8),
        ("no source", [S.tsi, S.group], 8),
    ] as [(String, [PGMNeSessionAttribute], Int)])
    func refusesBadSessions(_ what: String, _ present: [PGMNeSessionAttribute], _ tsiLength: Int) throws {
        var body: [UInt8] = []
        for p in present {
            body += p == .tsi ? binary(p.rawValue, Array([1, 2, 3, 4, 5, 6, 0x1F, 0x40].prefix(tsiLength)))
                : binary(p.rawValue, [239, 1, 1, 1])
        }
        let a = try NetlinkAttributes(parsing: body)
        #expect(throws: NetlinkError.self, "\(what)") { try PGMNetworkElementSession(a) }
    }

    @Test func sessionWithTheLeast() throws {
        let s = try PGMNetworkElementSession(try NetlinkAttributes(parsing: binary(S.tsi.rawValue, [1, 2, 3, 4, 5, 6, 0, 1])
            + binary(S.group.rawValue, [239, 1, 1, 1]) + binary(S.source.rawValue, [10, 0, 0, 1])))
        #expect(s == PGMNetworkElementSession(tsi: try TSI("1.2.3.4.5.6.1"), group: IPv4Address(239, 1, 1, 1),
                                              source: IPv4Address(10, 0, 0, 1), port: 0, upstream: .any,
                                              interfaceIndex: 0))
    }

    /// The NE's events as the kernel sends them (pgm_nl_ne_event): ne-session
    /// with the upstream NE and the interface, ne-session-end with the
    /// reason; both are events (PGMEvent.kinds), neither has a socket.
    @Test func decodesEvents() throws {
        typealias E = PGMEventAttribute
        let common = binary(E.tsi.rawValue, [1, 2, 3, 4, 5, 6, 0x1F, 0x40]) + binary(E.source.rawValue, [10, 1, 0, 1])
            + binary(E.group.rawValue, [239, 192, 0, 1]) + u16(E.port.rawValue, 7701)
        let start = try #require(PGMEvent(command: PGMCommand.neSessionNtf.rawValue, attributes: try NetlinkAttributes(
            parsing: common + binary(E.upstream.rawValue, [10, 1, 0, 1]) + u32(E.ifindex.rawValue, 2))))
        let tsi = try TSI("1.2.3.4.5.6.8000")
        #expect(start.kind == .neSessionNtf && start.tsi == tsi && start.port == 7701)
        #expect(start.upstream == .v4(IPv4Address(10, 1, 0, 1)) && start.interfaceIndex == 2)
        #expect(start.source == .v4(IPv4Address(10, 1, 0, 1)) && start.group == .v4(IPv4Address(239, 192, 0, 1)))
        let end = try #require(PGMEvent(command: PGMCommand.neSessionEndNtf.rawValue, attributes: try NetlinkAttributes(
            parsing: common + u32(E.reason.rawValue, 1))))
        #expect(end.kind == .neSessionEndNtf && end.reason == SessionEndReason(rawValue: 1) && end.upstream == nil)
        #expect(PGMEvent.kinds.contains(.neSessionNtf) && PGMEvent.kinds.contains(.neSessionEndNtf))
    }
}

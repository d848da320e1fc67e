import PGMNetlink
import Testing

/// IPv6 sockets, sessions and events (issue #20 step 4): the kernel sends
/// their addresses as 16-byte attributes (addr6, group6, source6, nla6)
/// beside the IPv4 ones, and a socket's family; crafted payloads here, as
/// netlink.c lays them out, decoded into `IPAddress`.
@Suite("IPv6 addresses in the pgm family's messages")
struct IPv6Tests {
    let group: [UInt8] = [0xFF, 0x15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x99, 0, 0x01]  // ff15::99:1
    let local: [UInt8] = [0xFD, 0x00, 0, 0x99, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01]  // fd00:99::1

    func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
    func u32(_ type: UInt16, _ v: UInt32) -> [UInt8] { [8, 0, UInt8(type), 0] + le(v) }
    func binary(_ type: UInt16, _ payload: [UInt8]) -> [UInt8] {
        let n = 4 + payload.count
        return [UInt8(n), 0, UInt8(type), 0] + payload + [UInt8](repeating: 0, count: (4 - n % 4) % 4)
    }
    var tsi: [UInt8] { [1, 2, 3, 4, 5, 6, 0x1F, 0x40] }

    /// An IPv6 receiver bound to its group: family 10, addr6 and group6.
    @Test func decodesIPv6Receiver() throws {
        typealias A = PGMSocketAttribute
        let attrs = u32(A.inode.rawValue, 11) + u32(A.family.rawValue, 10) + u32(A.role.rawValue, PGMRole.receiver.rawValue)
            + binary(A.addr6.rawValue, group) + binary(A.group6.rawValue, group) + [6, 0, UInt8(A.port.rawValue), 0, 0x4C, 0x1D, 0, 0]
        let s = try PGMSocketInfo(try NetlinkAttributes(parsing: attrs))
        #expect(s.family == .v6)
        let g6 = try IPv6Address("ff15::99:1")
        #expect(s.group == .v6(g6))
        #expect(s.address?.description == "ff15::99:1")
        #expect(s.port == 7500 && s.role == .receiver)
    }

    /// An IPv6 source: its NLA as addr6, its group as group6; an IPv4
    /// attribute of the same name is not taken for it.
    @Test func decodesIPv6Source() throws {
        typealias A = PGMSocketAttribute
        let attrs = u32(A.inode.rawValue, 12) + u32(A.family.rawValue, 10) + binary(A.tsi.rawValue, tsi)
            + binary(A.addr6.rawValue, local) + binary(A.group6.rawValue, group)
        let s = try PGMSocketInfo(try NetlinkAttributes(parsing: attrs))
        #expect(s.family == .v6 && s.family.version == 6)
        let l6 = try IPv6Address("fd00:99::1")
        #expect(s.address == .v6(l6))
        #expect(s.group.map(\.description) == "ff15::99:1")
        #expect(s.tsi?.description == "1.2.3.4.5.6.8000")
    }

    /// An IPv4 socket is unchanged: family 2 and u32 addresses; a module
    /// without the family attribute is taken for IPv4; an IPv6 socket with
    /// no address yet still has its family.
    @Test func familyOfEachSocket() throws {
        typealias A = PGMSocketAttribute
        let v4 = try PGMSocketInfo(try NetlinkAttributes(parsing: u32(A.inode.rawValue, 1) + u32(A.family.rawValue, 2)
            + [8, 0, UInt8(A.group.rawValue), 0, 239, 192, 0, 1]))
        let g4 = try IPv4Address("239.192.0.1")
        #expect(v4.family == .v4 && v4.group == .v4(g4) && v4.address == nil)
        let old = try PGMSocketInfo(try NetlinkAttributes(parsing: u32(A.inode.rawValue, 2)))
        #expect(old.family == .v4)
        let idle6 = try PGMSocketInfo(try NetlinkAttributes(parsing: u32(A.inode.rawValue, 3) + u32(A.family.rawValue, 10)))
        #expect(idle6.family == .v6 && idle6.address == nil && idle6.group == nil)
        let inferred = try PGMSocketInfo(try NetlinkAttributes(parsing: u32(A.inode.rawValue, 4) + binary(A.group6.rawValue, group)))
        #expect(inferred.family == .v6)
    }

    /// A family that is neither AF_INET nor AF_INET6 is a malformed reply.
    @Test func unknownFamilyIsMalformed() throws {
        typealias A = PGMSocketAttribute
        let a = try NetlinkAttributes(parsing: u32(A.inode.rawValue, 5) + u32(A.family.rawValue, 17))
        #expect(throws: NetlinkError.self) { try PGMSocketInfo(a) }
    }

    /// An address attribute of the wrong length is no address (the policy's
    /// exact-len 16 would refuse it in a request; a reply is not trusted).
    @Test func wrongLengthIsNoAddress() throws {
        let a = try NetlinkAttributes(parsing: binary(28, Array(local.prefix(15))) + binary(29, local + [0]))
        #expect(a.ipv6(28) == nil && a.ipv6(29) == nil)
        #expect(a.ipAddress(v4: 8, v6: 28) == nil)
        let b = try NetlinkAttributes(parsing: binary(28, local) + [8, 0, 8, 0, 10, 0, 0, 1])
        let l6 = try IPv6Address("fd00:99::1"), a4 = try IPv4Address("10.0.0.1")
        #expect(b.ipAddress(v4: 8, v6: 28) == .v6(l6))
        #expect(b.ipAddress(v4: 8, v6: 29) == .v4(a4))
    }

    /// A session of an IPv6 receiver: source6, group6 and, after an SPM, nla6.
    @Test func decodesIPv6Peer() throws {
        typealias P = PGMPeerAttribute
        var attrs = u32(P.socketInode.rawValue, 9) + binary(P.tsi.rawValue, tsi)
            + binary(P.source6.rawValue, local) + binary(P.group6.rawValue, group) + [6, 0, UInt8(P.port.rawValue), 0, 0x4C, 0x1D, 0, 0]
        let before = try PGMPeerInfo(try NetlinkAttributes(parsing: attrs))
        #expect(before.family == .v6 && before.nla == nil)
        #expect(before.source.description == "fd00:99::1" && before.group.description == "ff15::99:1")
        attrs += binary(P.nla6.rawValue, local)
        let after = try PGMPeerInfo(try NetlinkAttributes(parsing: attrs))
        let l6 = try IPv6Address("fd00:99::1")
        #expect(after.nla == .v6(l6))
        #expect(after.group.text(port: after.port) == "[ff15::99:1]:7500")
    }

    /// Events of an IPv6 socket carry source6 and group6; existing sessions
    /// made from the dumps keep the IPv6 addresses.
    @Test func decodesIPv6EventsAndExistingSessions() throws {
        typealias E = PGMEventAttribute
        let attrs = u32(E.socketInode.rawValue, 77) + u32(E.role.rawValue, PGMRole.receiver.rawValue)
            + binary(E.tsi.rawValue, tsi) + binary(E.source6.rawValue, local) + binary(E.group6.rawValue, group)
            + u32(E.firstSqn.rawValue, 1000) + u32(E.count.rawValue, 3)
        let e = try #require(PGMEvent(command: PGMCommand.lossNtf.rawValue, attributes: try NetlinkAttributes(parsing: attrs)))
        #expect(e.family == .v6)
        #expect(e.source?.description == "fd00:99::1" && e.group?.description == "ff15::99:1")
        #expect(e.count == 3)

        typealias A = PGMSocketAttribute
        let src = try PGMSocketInfo(try NetlinkAttributes(parsing: u32(A.inode.rawValue, 12) + u32(A.family.rawValue, 10)
            + u32(A.role.rawValue, PGMRole.source.rawValue) + u32(A.state.rawValue, PGMSockState.active.rawValue)
            + binary(A.tsi.rawValue, tsi) + binary(A.addr6.rawValue, local) + binary(A.group6.rawValue, group)))
        let existing = PGMEvent.existingSessions(sockets: [src], peers: [])
        #expect(existing.count == 1)
        #expect(existing.first?.source == src.address && existing.first?.group == src.group)
        #expect(existing.first?.family == .v6)
    }

    /// An IPv6 PGMCC source: its acker as pgmcc-acker6, and acker-change
    /// events with acker6; an IPv4 acker attribute is not taken for it.
    @Test func decodesIPv6PGMCC() throws {
        typealias A = PGMSocketAttribute
        let s = try PGMSocketInfo(try NetlinkAttributes(parsing: u32(A.inode.rawValue, 12) + u32(A.family.rawValue, 10)
            + u32(A.role.rawValue, PGMRole.source.rawValue) + binary(A.pgmccAcker6.rawValue, local)
            + u32(A.pgmccWindow.rawValue, 65536)))
        #expect(s.pgmccAcker == .v6(try IPv6Address("fd00:99::1")) && s.pgmcc?.acker == s.pgmccAcker)
        typealias E = PGMEventAttribute
        let e = try #require(PGMEvent(command: PGMCommand.ackerChangeNtf.rawValue, attributes: try NetlinkAttributes(
            parsing: u32(E.socketInode.rawValue, 12) + u32(E.role.rawValue, PGMRole.source.rawValue)
                + binary(E.group6.rawValue, group) + binary(E.acker6.rawValue, local) + u32(E.rttUs.rawValue, 1000)
                + u32(E.lossRate.rawValue, 0))))
        #expect(e.family == .v6 && e.acker?.description == "fd00:99::1" && e.rttMicroseconds == 1000)
    }

    /// Confirmed delivery on IPv6: a receiver-join's receiver as receiver6;
    /// an IPv4 receiver attribute is not taken for it.
    @Test func decodesIPv6ConfirmReceiver() throws {
        typealias E = PGMEventAttribute
        let e = try #require(PGMEvent(command: PGMCommand.receiverJoinNtf.rawValue, attributes: try NetlinkAttributes(
            parsing: u32(E.socketInode.rawValue, 12) + u32(E.role.rawValue, PGMRole.source.rawValue)
                + binary(E.group6.rawValue, group) + binary(E.receiver6.rawValue, local)
                + u32(E.receiverId.rawValue, 5) + u32(E.confirmedSqn.rawValue, 0))))
        #expect(e.family == .v6 && e.receiver?.description == "fd00:99::1" && e.receiverID == 5)
        #expect(e.confirmedSequence == SequenceNumber(0))
    }

    /// The generated numbers: the IPv6 attributes come after every older
    /// one of their set (the ABI keeps existing numbers).
    @Test func attributeNumbersAppended() {
        #expect(PGMSocketAttribute.pid.rawValue == 26)
        #expect([PGMSocketAttribute.family, .addr6, .group6].map(\.rawValue) == [27, 28, 29])
        #expect([PGMPeerAttribute.source6, .group6, .nla6].map(\.rawValue) == [20, 21, 22])
        #expect([PGMEventAttribute.source6, .group6].map(\.rawValue) == [16, 17])
    }

    /// Families and endpoint text.
    @Test func familiesAndEndpoints() throws {
        #expect(IPFamily(socketFamily: 2) == .v4 && IPFamily(socketFamily: 10) == .v6)
        #expect(IPFamily(socketFamily: 0) == nil && IPFamily.v6.socketFamily == 10)
        #expect(IPFamily.v4.description == "IPv4")
        let v4 = try IPAddress("239.1.1.1"), v6 = try IPAddress("ff15::1")
        #expect(v4.text(port: 7500) == "239.1.1.1:7500" && v4.family == .v4)
        #expect(v6.text(port: 7500) == "[ff15::1]:7500" && v6.family == .v6)
    }
}

import PGMCLISupport
import PGMNetlink
import Testing

@testable import pgmctl

/// What pgmctl prints for IPv4 and IPv6 sockets, sessions and events:
/// the same JSON keys for either family with "family" 4 or 6, and
/// "[group]:port" for an IPv6 group in text.
@Suite("pgmctl output")
struct OutputTests {
    func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
    func u32(_ type: UInt16, _ v: UInt32) -> [UInt8] { [8, 0, UInt8(type), 0] + le(v) }
    func u16(_ type: UInt16, _ v: UInt16) -> [UInt8] { [6, 0, UInt8(type), 0] + le(v) + [0, 0] }
    func binary(_ type: UInt16, _ payload: [UInt8]) -> [UInt8] {
        let n = 4 + payload.count
        return [UInt8(n), 0, UInt8(type), 0] + payload + [UInt8](repeating: 0, count: (4 - n % 4) % 4)
    }
    let tsi: [UInt8] = [1, 2, 3, 4, 5, 6, 0x1F, 0x40]
    let group6: [UInt8] = [0xFF, 0x15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x99, 0, 0x02]  // ff15::99:2
    let local6: [UInt8] = [0xFD, 0x00, 0, 0x99, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01]  // fd00:99::1

    @Test func endpoints() throws {
        #expect(endpoint(nil, nil) == "*")
        #expect(endpoint(nil, 7500) == "*:7500")
        #expect(endpoint(try IPAddress("239.192.0.1"), 7500) == "239.192.0.1:7500")
        #expect(endpoint(try IPAddress("ff15::99:2"), 7620) == "[ff15::99:2]:7620")
        #expect(endpoint(try IPAddress("ff15::99:2"), nil) == "ff15::99:2")
    }

    @Test func socketJSONOfEachFamily() throws {
        typealias A = PGMSocketAttribute
        let v6 = try PGMSocketInfo(try NetlinkAttributes(parsing: u32(A.inode.rawValue, 12) + u32(A.family.rawValue, 10)
            + u32(A.role.rawValue, PGMRole.source.rawValue) + binary(A.tsi.rawValue, tsi)
            + binary(A.addr6.rawValue, local6) + binary(A.group6.rawValue, group6) + u16(A.port.rawValue, 7620)))
        let t6 = socketJSON(v6).text
        #expect(t6.contains(#""family":6"#))
        #expect(t6.contains(#""address":"fd00:99::1""#) && t6.contains(#""group":"ff15::99:2""#))
        #expect(t6.contains(#""port":7620"#))
        let v4 = try PGMSocketInfo(try NetlinkAttributes(parsing: u32(A.inode.rawValue, 13) + u32(A.family.rawValue, 2)
            + [8, 0, UInt8(A.group.rawValue), 0, 239, 192, 0, 1]))
        let t4 = socketJSON(v4).text
        #expect(t4.contains(#""family":4"#) && t4.contains(#""group":"239.192.0.1""#) && !t4.contains("address"))
    }

    @Test func peerJSONOfAnIPv6Session() throws {
        typealias P = PGMPeerAttribute
        let p = try PGMPeerInfo(try NetlinkAttributes(parsing: u32(P.socketInode.rawValue, 9) + binary(P.tsi.rawValue, tsi)
            + binary(P.source6.rawValue, local6) + binary(P.group6.rawValue, group6) + u16(P.port.rawValue, 7620)
            + binary(P.nla6.rawValue, local6)))
        let t = peerJSON(p).text
        #expect(t.contains(#""family":6,"source":"fd00:99::1","group":"ff15::99:2","port":7620"#))
        #expect(t.contains(#""nla":"fd00:99::1""#))
    }

    @Test func eventsOfAnIPv6Socket() throws {
        typealias E = PGMEventAttribute
        let a = try NetlinkAttributes(parsing: u32(E.socketInode.rawValue, 77) + u32(E.role.rawValue, PGMRole.receiver.rawValue)
            + binary(E.tsi.rawValue, tsi) + binary(E.source6.rawValue, local6) + binary(E.group6.rawValue, group6)
            + u16(E.port.rawValue, 7620) + u32(E.firstSqn.rawValue, 5))
        let e = try #require(PGMEvent(command: PGMCommand.sessionStartNtf.rawValue, attributes: a))
        #expect(eventJSON(e).text.contains(#""family":6,"source":"fd00:99::1","group":"ff15::99:2","port":7620"#))
        #expect(eventLine(e).contains("source fd00:99::1 group [ff15::99:2]:7620 first 5"))
    }
}

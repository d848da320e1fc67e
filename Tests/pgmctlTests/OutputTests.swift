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

    /// A PGMCC source in `pgmctl sockets`: acker, W in packets, RTT and the
    /// acker's loss rate; "electing" without an acker; JSON with every
    /// attribute (pgmcc_acker null while none) and PGMCC's counters; a
    /// source without PGMCC has none of them.
    @Test func pgmccSourceInSockets() throws {
        typealias A = PGMSocketAttribute
        let base = u32(A.inode.rawValue, 21) + u32(A.family.rawValue, 2) + u32(A.role.rawValue, PGMRole.source.rawValue)
        let cc = SourcePGMCC(acker: .v4(try IPv4Address("10.0.0.2")), window: 229_376, rttMicroseconds: 2100,
                             lossRate: 498)
        #expect(pgmccText(cc) == "pgmcc acker 10.0.0.2 W 3.50 rtt 2.10 ms loss 0.76%")
        #expect(pgmccText(SourcePGMCC(acker: nil, window: 65536, rttMicroseconds: 0, lossRate: 0))
                == "pgmcc electing W 1.00")
        #expect(pgmccText(SourcePGMCC(acker: .v6(try IPv6Address("fd00:99::2")), window: 98304, rttMicroseconds: 0,
                                      lossRate: 0)) == "pgmcc acker fd00:99::2 W 1.50 rtt - loss 0.00%")

        let stats = [12, 0, UInt8(PGMSourceStatsAttribute.acksReceived.rawValue), 0] + [40, 0, 0, 0, 0, 0, 0, 0]
        let s = try PGMSocketInfo(try NetlinkAttributes(parsing: base + [8, 0, UInt8(A.pgmccAcker.rawValue), 0, 10, 0, 0, 2]
            + u32(A.pgmccWindow.rawValue, 229_376) + u32(A.pgmccRttUs.rawValue, 2100)
            + u32(A.pgmccLossRate.rawValue, 498) + [UInt8(4 + stats.count), 0, UInt8(A.sourceStats.rawValue), 0x80] + stats))
        let t = socketJSON(s).text
        #expect(t.contains(#""pgmcc_acker":"10.0.0.2","pgmcc_window":229376,"pgmcc_rtt_us":2100,"pgmcc_loss_rate":498"#))
        #expect(t.contains(#""acks_received":40,"acks_no_feedback":0,"#) && t.contains(#""window_limited":0,"confirm_acks":0,"#))
        #expect(t.contains(#""flow_limited":0}"#))
        let electing = try PGMSocketInfo(try NetlinkAttributes(parsing: base + u32(A.pgmccWindow.rawValue, 65536)
            + u32(A.pgmccRttUs.rawValue, 0) + u32(A.pgmccLossRate.rawValue, 0)))
        #expect(socketJSON(electing).text.contains(#""pgmcc_acker":null,"pgmcc_window":65536,"#))
        let plain = try PGMSocketInfo(try NetlinkAttributes(parsing: base))
        #expect(!socketJSON(plain).text.contains("pgmcc"))
    }

    /// acker-change in `pgmctl monitor`: the new acker with the RTT and
    /// loss rate of its feedback, or the end of a term (acker null).
    @Test func ackerChangeEvents() throws {
        typealias E = PGMEventAttribute
        let base = u32(E.socketInode.rawValue, 21) + u32(E.role.rawValue, PGMRole.source.rawValue)
            + binary(E.tsi.rawValue, tsi) + [8, 0, UInt8(E.group.rawValue), 0, 239, 192, 0, 1] + u16(E.port.rawValue, 7500)
        let chosen = try #require(PGMEvent(command: PGMCommand.ackerChangeNtf.rawValue, attributes: try NetlinkAttributes(
            parsing: base + [8, 0, UInt8(E.acker.rawValue), 0, 10, 0, 0, 2] + u32(E.rttUs.rawValue, 3000)
                + u32(E.lossRate.rawValue, 655))))
        #expect(eventLine(chosen) == "acker-change  source   inode 21 tsi 1.2.3.4.5.6.8000 group 239.192.0.1:7500"
                + " acker 10.0.0.2 rtt 3.00 ms loss 1.00%")
        #expect(eventJSON(chosen).text.hasSuffix(#""port":7500,"acker":"10.0.0.2","rtt_us":3000,"loss_rate":655}"#))
        #expect(eventJSON(chosen).text.hasPrefix(#"{"event":"acker-change","role":"source","inode":21,"#))
        let ended = try #require(PGMEvent(command: PGMCommand.ackerChangeNtf.rawValue,
                                          attributes: try NetlinkAttributes(parsing: base)))
        #expect(eventLine(ended).hasSuffix("group 239.192.0.1:7500 no acker: its term ended after timeouts, an election is called"))
        #expect(eventJSON(ended).text.hasSuffix(#""port":7500,"acker":null}"#))
    }

    /// A confirming source in `pgmctl sockets`: its live receivers and
    /// CONFIRMED, "-" (JSON null) while none is live, and confirmed
    /// delivery's counters with the others; a source without it has none.
    @Test func confirmingSourceInSockets() throws {
        typealias A = PGMSocketAttribute
        let base = u32(A.inode.rawValue, 22) + u32(A.family.rawValue, 2) + u32(A.role.rawValue, PGMRole.source.rawValue)
        #expect(confirmText(SourceConfirm(receivers: 3, confirmed: SequenceNumber(1234))) == "confirm receivers 3 confirmed 1234")
        #expect(confirmText(SourceConfirm(receivers: 0, confirmed: nil)) == "confirm receivers 0 confirmed -")
        let stats = [12, 0, UInt8(PGMSourceStatsAttribute.confirmJoins.rawValue), 0] + le(UInt64(4))
        let s = try PGMSocketInfo(try NetlinkAttributes(parsing: base + u32(A.confirmReceivers.rawValue, 3)
            + u32(A.confirmedSqn.rawValue, 1234) + [UInt8(4 + stats.count), 0, UInt8(A.sourceStats.rawValue), 0x80] + stats))
        let t = socketJSON(s).text
        #expect(t.contains(#""confirm_receivers":3,"confirmed_sqn":1234,"rmem_alloc""#))
        #expect(t.contains(#""confirm_acks":0,"confirm_joins":4,"#) && t.contains(#""flow_limited":0}"#))
        let idle = try PGMSocketInfo(try NetlinkAttributes(parsing: base + u32(A.confirmReceivers.rawValue, 0)))
        #expect(socketJSON(idle).text.contains(#""confirm_receivers":0,"confirmed_sqn":null,"#))
        let plain = try PGMSocketInfo(try NetlinkAttributes(parsing: base))
        #expect(!socketJSON(plain).text.contains("confirm_receivers") && !socketJSON(plain).text.contains("confirmed_sqn"))
    }

    /// receiver-join, -leave (with its reason) and -refused in `pgmctl
    /// monitor`: the receiver, its id and CONFIRMED, in text and JSON.
    @Test func confirmReceiverEvents() throws {
        typealias E = PGMEventAttribute
        let base = u32(E.socketInode.rawValue, 22) + u32(E.role.rawValue, PGMRole.source.rawValue)
            + binary(E.tsi.rawValue, tsi) + [8, 0, UInt8(E.group.rawValue), 0, 239, 192, 0, 1] + u16(E.port.rawValue, 7500)
        let who = [8, 0, UInt8(E.receiver.rawValue), 0, 10, 0, 0, 3] + u32(E.receiverId.rawValue, 0xABCD)
            + u32(E.confirmedSqn.rawValue, 99)
        let head = "inode 22 tsi 1.2.3.4.5.6.8000 group 239.192.0.1:7500 receiver 10.0.0.3 id 0x0000abcd confirmed 99"
        let join = try #require(PGMEvent(command: PGMCommand.receiverJoinNtf.rawValue,
                                         attributes: try NetlinkAttributes(parsing: base + who)))
        #expect(eventLine(join) == "receiver-join source   " + head)
        #expect(eventJSON(join).text.hasPrefix(#"{"event":"receiver-join","role":"source","inode":22,"#))
        #expect(eventJSON(join).text.hasSuffix(#""port":7500,"receiver":"10.0.0.3","receiver_id":43981,"confirmed":99}"#))
        let leave = try #require(PGMEvent(command: PGMCommand.receiverLeaveNtf.rawValue, attributes: try NetlinkAttributes(
            parsing: base + who + u32(E.reason.rawValue, 2))))
        #expect(eventLine(leave) == "receiver-leave source   " + head + " reason expired")
        #expect(eventJSON(leave).text.contains(#""port":7500,"reason":"expired","receiver":"10.0.0.3","#))
        let refused = try #require(PGMEvent(command: PGMCommand.receiverRefusedNtf.rawValue,
                                            attributes: try NetlinkAttributes(parsing: base + who)))
        #expect(eventLine(refused) == "receiver-refused source   " + head)
        #expect(!eventJSON(refused).text.contains("reason"))
        // IPv6: receiver6.
        let v6 = try #require(PGMEvent(command: PGMCommand.receiverLeaveNtf.rawValue, attributes: try NetlinkAttributes(
            parsing: u32(E.socketInode.rawValue, 23) + u32(E.role.rawValue, PGMRole.source.rawValue)
                + binary(E.group6.rawValue, group6) + binary(E.receiver6.rawValue, local6)
                + u32(E.receiverId.rawValue, 1) + u32(E.confirmedSqn.rawValue, 7) + u32(E.reason.rawValue, 1))))
        #expect(eventLine(v6).hasSuffix("group ff15::99:2 receiver fd00:99::1 id 0x00000001 confirmed 7 reason bye"))
        #expect(eventJSON(v6).text.contains(#""family":6,"#) && eventJSON(v6).text.contains(#""receiver":"fd00:99::1","#))
    }

    /// The netns bound on confirming receivers is one of `pgmctl set`'s keys,
    /// however spelled; a count without suffixes.
    @Test func confirmReceiversNetnsIsAKey() throws {
        #expect(defaultsKey("confirm-receivers-netns") == .confirmReceiversNetns)
        #expect(defaultsKey("CONFIRM_RECEIVERS_NETNS") == .confirmReceiversNetns)
        #expect(SetCommand.keys.contains("confirm-receivers-netns"))
        let set = try SetCommand.parse(["confirm-receivers-netns", "1000"])
        #expect(try set.value("1000", key: "confirm-receivers-netns") == 1000)
        #expect(throws: OptionValueError.self) { try set.value("-1", key: "confirm-receivers-netns") }
    }

    /// A refusal names the attribute at fault by the set of the request's
    /// own command: a policy rule's prefix-len, not the defaults' attribute 11.
    @Test func refusedAttributeNamedFromItsSet() throws {
        #expect(attributeName(1, command: PGMCommand.defaultsSet.rawValue) == "txw-sqns")
        #expect(attributeName(1, command: PGMCommand.policySet.rawValue) == "default-action")
        #expect(attributeName(11, command: PGMCommand.policyRuleAdd.rawValue) == "prefix-len")
        #expect(attributeName(2, command: PGMCommand.policyRuleDel.rawValue) == "id")
        #expect(attributeName(99, command: PGMCommand.policyRuleAdd.rawValue) == "attribute 99")
        let rule = PGMPolicyRule(action: .deny, groups: try GroupRange("239.0.0.0/8"))
        let request = NetlinkRequest(family: 0x1A, command: PGMCommand.policyRuleAdd.rawValue,
                                     attributes: rule.addAttributes())
        // action (20), group (28), prefix-len (36).
        let report = KernelReport(message: "prefix-len is longer than the group's address", offset: 36)
        #expect(explain(.refused(.invalidArgument, report), request: request).description
            .hasPrefix("kernel refused the request: prefix-len is longer than the group's address [prefix-len] ("))
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

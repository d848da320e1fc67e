import PGMNetlink
import Testing

/// Requests and replies of the `pgm` family against bytes written out by
/// hand from the netlink and genetlink layouts (little-endian host), with
/// no kernel: what the encoder must produce and what the decoder must read.
@Suite("pgm family messages against golden bytes")
struct GoldenTests {
    /// defaults-set: nlmsghdr, genlmsghdr, two u32 attributes.
    @Test func encodesDefaultsSet() {
        let r = NetlinkRequest(family: 0x1A, command: PGMCommand.defaultsSet.rawValue, version: PGMFamily.version,
                               attributes: [.u32(PGMDefaultsAttribute.txwSqns.rawValue, 4096),
                                            .u32(PGMDefaultsAttribute.nakStormRate.rawValue, 0)])
        let golden: [UInt8] = [
            0x24, 0x00, 0x00, 0x00,  // nlmsg_len 36
            0x1A, 0x00,  // nlmsg_type: the family id
            0x05, 0x00,  // NLM_F_REQUEST | NLM_F_ACK
            0x04, 0x03, 0x02, 0x01,  // seq
            0x00, 0x00, 0x00, 0x00,  // port id
            0x02, 0x01, 0x00, 0x00,  // cmd defaults-set, version 1
            0x08, 0x00, 0x01, 0x00, 0x00, 0x10, 0x00, 0x00,  // txw-sqns (1) = 4096
            0x08, 0x00, 0x32, 0x00, 0x00, 0x00, 0x00, 0x00,  // nak-storm-rate (50) = 0
        ]
        #expect(r.encoded(sequence: 0x0102_0304, portID: 0) == golden)
    }

    /// peer-get dump with a socket filter; a u16 attribute is padded to four bytes.
    @Test func encodesPeerDumpAndPadding() {
        let r = NetlinkRequest(family: 0x1A, command: PGMCommand.peerGet.rawValue, dump: true,
                               attributes: [.u32(PGMPeerAttribute.socketInode.rawValue, 0x1234),
                                            .u16(7, 0xBEEF)])
        let golden: [UInt8] = [
            0x24, 0x00, 0x00, 0x00, 0x1A, 0x00, 0x05, 0x03, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x05, 0x01, 0x00, 0x00,  // cmd peer-get
            0x08, 0x00, 0x02, 0x00, 0x34, 0x12, 0x00, 0x00,  // socket-inode
            0x06, 0x00, 0x07, 0x00, 0xEF, 0xBE, 0x00, 0x00,  // u16 and two bytes of padding
        ]
        #expect(r.encoded(sequence: 9, portID: 0) == golden)
    }

    /// An NLMSG_ERROR with a capped request and extack TLVs: message, offset, policy range.
    @Test func decodesRefusalWithExtack() throws {
        let text = Array("integer out of range".utf8) + [0]  // 21 bytes, padded to 24
        var bytes: [UInt8] = []
        let tlvMsg: [UInt8] = [UInt8(4 + text.count), 0x00, 0x01, 0x00] + text + [0, 0, 0]
        let tlvOffs: [UInt8] = [0x08, 0x00, 0x02, 0x00, 0x14, 0x00, 0x00, 0x00]
        let policy: [UInt8] = [0x08, 0x00, 0x01, 0x00, 0x03, 0x00, 0x00, 0x00,  // type NL_ATTR_TYPE_U32
                               0x0C, 0x00, 0x04, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0,  // min 1
                               0x0C, 0x00, 0x05, 0x00, 0x00, 0x00, 0x10, 0, 0, 0, 0, 0]  // max 1048576
        let tlvPolicy: [UInt8] = [UInt8(4 + policy.count), 0x00, 0x04, 0x80] + policy
        let body: [UInt8] = [0xDE, 0xFF, 0xFF, 0xFF]  // -34 ERANGE
            + [0x24, 0, 0, 0, 0x1A, 0, 0x05, 0, 0x07, 0, 0, 0, 0, 0, 0, 0]  // the request's header
            + tlvMsg + tlvOffs + tlvPolicy
        let len = 16 + body.count
        bytes = [UInt8(len & 0xFF), UInt8(len >> 8), 0, 0, 0x02, 0x00, 0x00, 0x03, 0x07, 0, 0, 0, 0, 0, 0, 0] + body
        let msgs = try NetlinkMessage.parse(bytes)
        #expect(msgs == [.error(sequence: 7, code: -34,
                                report: KernelReport(message: "integer out of range", offset: 20,
                                                     policyMinimum: 1, policyMaximum: 1_048_576))])
    }

    /// A socket-dump message: addresses in network order, nested counters after a pad.
    @Test func decodesSocket() throws {
        typealias A = PGMSocketAttribute
        var attrs: [UInt8] = []
        func u32(_ t: A, _ v: UInt32) { attrs += [8, 0, UInt8(t.rawValue), 0] + le(v) }
        u32(.inode, 4242)
        u32(.role, PGMRole.source.rawValue)
        u32(.state, PGMSockState.active.rawValue)
        attrs += [12, 0, UInt8(A.tsi.rawValue), 0, 1, 2, 3, 4, 5, 6, 0x1F, 0x40]  // GSI 1.2.3.4.5.6, port 8000
        attrs += [8, 0, UInt8(A.group.rawValue), 0, 239, 192, 0, 1]
        attrs += [6, 0, UInt8(A.port.rawValue), 0, 0x4C, 0x1D, 0, 0]  // 7500
        let odata: [UInt8] = [12, 0, UInt8(PGMSourceStatsAttribute.odataSent.rawValue), 0] + le(UInt64(25))
        attrs += [UInt8(4 + odata.count), 0, UInt8(A.sourceStats.rawValue), 0x80] + odata
        let msg = header(type: 0x1A, flags: 2, seq: 5, payload: [PGMCommand.sockGet.rawValue, 1, 0, 0] + attrs)
        let parsed = try NetlinkMessage.parse(msg + header(type: 3, flags: 2, seq: 5, payload: [0, 0, 0, 0]))
        #expect(parsed.count == 2)
        guard case .generic(0x1A, 5, PGMCommand.sockGet.rawValue, let a) = parsed[0] else {
            Issue.record("not a sock-get message: \(parsed)")
            return
        }
        let s = try PGMSocketInfo(a)
        #expect(s.inode == 4242 && s.role == .source && s.state == .active)
        #expect(s.tsi?.description == "1.2.3.4.5.6.8000")
        #expect(s.group.map(\.description) == "239.192.0.1" && s.port == 7500)
        #expect(s.sourceStatistics?.odataSent == 25)
        #expect(s.pid == nil && s.transmitWindowEmpty == nil)
        #expect(parsed[1] == .done(sequence: 5, code: 0, report: KernelReport()))
    }

    /// The owner's pid, and a transmit window before the first send (trail one past lead).
    @Test func decodesOwnerAndEmptyWindow() throws {
        typealias A = PGMSocketAttribute
        var attrs: [UInt8] = []
        func u32(_ t: A, _ v: UInt32) { attrs += [8, 0, UInt8(t.rawValue), 0] + le(v) }
        u32(.inode, 7)
        u32(.role, PGMRole.source.rawValue)
        u32(.txwTrail, 1000)
        u32(.txwLead, 999)
        u32(.pid, 31337)
        var s = try PGMSocketInfo(try NetlinkAttributes(parsing: attrs))
        #expect(s.pid == 31337)
        #expect(s.transmitWindowEmpty == true)
        s.txwLead = 1000
        #expect(s.transmitWindowEmpty == false)
        // Across the wrap of the sequence numbers.
        s.txwTrail = 0
        s.txwLead = UInt32.max
        #expect(s.transmitWindowEmpty == true)
    }

    /// Sessions running when a monitor joins become existing session-starts:
    /// active and closing sources, and every receiver's peer.
    @Test func existingSessionsFromDumps() throws {
        typealias A = PGMSocketAttribute
        func socket(_ inode: UInt32, _ role: PGMRole, _ state: PGMSockState) throws -> PGMSocketInfo {
            var attrs: [UInt8] = []
            for (t, v) in [(A.inode, inode), (A.role, role.rawValue), (A.state, state.rawValue)] {
                attrs += [8, 0, UInt8(t.rawValue), 0] + le(v)
            }
            attrs += [12, 0, UInt8(A.tsi.rawValue), 0, 1, 2, 3, 4, 5, 6, 0x1F, 0x40]
            return try PGMSocketInfo(try NetlinkAttributes(parsing: attrs))
        }
        typealias P = PGMPeerAttribute
        var peer: [UInt8] = [8, 0, UInt8(P.socketInode.rawValue), 0] + le(UInt32(9))
        peer += [12, 0, UInt8(P.tsi.rawValue), 0, 6, 5, 4, 3, 2, 1, 0x1F, 0x41]
        let events = PGMEvent.existingSessions(
            sockets: [try socket(1, .source, .active), try socket(2, .source, .closing),
                      try socket(3, .receiver, .active), try socket(4, .none, .idle)],
            peers: [try PGMPeerInfo(try NetlinkAttributes(parsing: peer))])
        #expect(events.map(\.socketInode) == [1, 2, 9])
        #expect(events.allSatisfy { $0.kind == .sessionStartNtf && $0.existing })
        #expect(events.map(\.role) == [.source, .source, .receiver])
        #expect(events.last?.tsi?.description == "6.5.4.3.2.1.8001")
    }

    /// A confirming receiver of the confirm-receiver dump: its address (a u32
    /// in network order), RECEIVER ID, CONFIRMED and idle time; one without
    /// an address or CONFIRMED is a malformed reply.
    @Test func decodesConfirmReceiver() throws {
        typealias C = PGMConfirmReceiverAttribute
        var r: [UInt8] = [8, 0, UInt8(C.socketInode.rawValue), 0] + le(UInt32(7))
        r += [8, 0, UInt8(C.receiverId.rawValue), 0] + le(UInt32(0xDEAD_BEEF))
        #expect(throws: NetlinkError.self) { try PGMConfirmReceiverInfo(try NetlinkAttributes(parsing: r)) }
        r += [8, 0, UInt8(C.address.rawValue), 0, 10, 96, 3, 2]
        r += [8, 0, UInt8(C.confirmedSqn.rawValue), 0] + le(UInt32(4_294_967_295))
        r += [8, 0, UInt8(C.idleMs.rawValue), 0] + le(UInt32(120))
        let c = try PGMConfirmReceiverInfo(try NetlinkAttributes(parsing: r))
        #expect(c.socketInode == 7 && c.address.description == "10.96.3.2" && c.receiverID == 0xDEAD_BEEF)
        #expect(c.confirmed == SequenceNumber(4_294_967_295) && c.idleMilliseconds == 120)
    }

    /// A peer whose source offers FEC (RFC 3208 section 11.4) carries its
    /// group size, offer and counters; one without has no FEC.
    @Test func decodesPeerFEC() throws {
        typealias P = PGMPeerAttribute
        var peer: [UInt8] = [8, 0, UInt8(P.socketInode.rawValue), 0] + le(UInt32(9))
        peer += [12, 0, UInt8(P.tsi.rawValue), 0, 6, 5, 4, 3, 2, 1, 0x1F, 0x41]
        let plain = try PGMPeerInfo(try NetlinkAttributes(parsing: peer))
        #expect(plain.fec == nil && plain.groupsRebuilt == 0 && plain.parityNAKsSent == 0)
        for (t, v) in [(P.fecK, UInt32(16)), (P.fecProactive, 0), (P.fecOndemand, 1)] {
            peer += [8, 0, UInt8(t.rawValue), 0] + le(v)
        }
        for (t, v) in [(P.groupsRebuilt, UInt64(497)), (P.parityNaksSent, 45)] {
            peer += [12, 0, UInt8(t.rawValue), 0] + le(UInt32(truncatingIfNeeded: v)) + le(UInt32(v >> 32))
        }
        let p = try PGMPeerInfo(try NetlinkAttributes(parsing: peer))
        #expect(p.fec?.groupSize == 16 && p.fec?.proactive == false && p.fec?.onDemand == true)
        #expect(p.groupsRebuilt == 497 && p.parityNAKsSent == 45)
    }

    /// A PGMCC source's dump: the acker (a u32 in network order), W, the
    /// RTT and the loss rate beside the counters, which gain PGMCC's; the
    /// state is copied into the statistics as the window's edges are.
    /// While it elects, no acker; a source without PGMCC, no state at all.
    @Test func decodesPGMCCSource() throws {
        typealias A = PGMSocketAttribute
        typealias S = PGMSourceStatsAttribute
        func u32(_ t: A, _ v: UInt32) -> [UInt8] { [8, 0, UInt8(t.rawValue), 0] + le(v) }
        let base = u32(.inode, 5) + u32(.role, PGMRole.source.rawValue)
        let plain = try PGMSocketInfo(try NetlinkAttributes(parsing: base))
        #expect(plain.pgmccWindow == nil && plain.pgmccAcker == nil && plain.pgmcc == nil)
        let electing = try PGMSocketInfo(try NetlinkAttributes(
            parsing: base + u32(.pgmccWindow, 65536) + u32(.pgmccRttUs, 0) + u32(.pgmccLossRate, 0)))
        #expect(electing.pgmccWindow == 65536 && electing.pgmccAcker == nil && electing.pgmccRttMicroseconds == 0)
        #expect(electing.pgmcc == SourcePGMCC(acker: nil, window: 65536, rttMicroseconds: 0, lossRate: 0))
        var attrs = base + [8, 0, UInt8(A.pgmccAcker.rawValue), 0, 10, 0, 0, 2]
        attrs += u32(.pgmccWindow, 229_376) + u32(.pgmccRttUs, 2100) + u32(.pgmccLossRate, 498)
        var nest: [UInt8] = []
        for (t, v) in [(S.acksReceived, UInt64(40)), (.ackerChanges, 1), (.congestionEvents, 2), (.windowLimited, 9)] {
            nest += [12, 0, UInt8(t.rawValue), 0] + le(v)
        }
        attrs += le(UInt16(4 + nest.count)) + [UInt8(A.sourceStats.rawValue), 0x80] + nest
        let s = try PGMSocketInfo(try NetlinkAttributes(parsing: attrs))
        #expect(s.pgmccAcker.map(\.description) == "10.0.0.2")
        #expect(s.pgmccWindow == 229_376 && s.pgmccRttMicroseconds == 2100 && s.pgmccLossRate == 498)
        let cc = try #require(s.pgmcc)
        #expect(cc.windowPackets == 3.5 && cc.tokens == nil)
        let st = try #require(s.sourceStatistics)
        #expect(st.acksReceived == 40 && st.ackerChanges == 1 && st.congestionEvents == 2 && st.windowLimited == 9)
        #expect(st.feedbackNaks == 0 && st.ccTimeouts == 0)
        #expect(st.pgmcc == cc)
    }

    /// acker-change: a new acker with the RTT and loss rate of the feedback
    /// that chose it; the end of a term after timeouts carries no acker.
    @Test func decodesAckerChangeEvent() throws {
        typealias A = PGMEventAttribute
        var attrs: [UInt8] = []
        func u32(_ t: A, _ v: UInt32) { attrs += [8, 0, UInt8(t.rawValue), 0] + le(v) }
        u32(.socketInode, 12)
        u32(.role, PGMRole.source.rawValue)
        attrs += [12, 0, UInt8(A.tsi.rawValue), 0, 1, 2, 3, 4, 5, 6, 0x1F, 0x40]
        attrs += [8, 0, UInt8(A.group.rawValue), 0, 239, 192, 0, 1]
        attrs += [6, 0, UInt8(A.port.rawValue), 0, 0x4C, 0x1D, 0, 0]
        let ended = try #require(PGMEvent(command: PGMCommand.ackerChangeNtf.rawValue,
                                          attributes: try NetlinkAttributes(parsing: attrs)))
        #expect(ended.kind == .ackerChangeNtf && ended.role == .source && ended.socketInode == 12)
        #expect(ended.acker == nil && ended.rttMicroseconds == nil && ended.lossRate == nil)
        attrs += [8, 0, UInt8(A.acker.rawValue), 0, 10, 0, 0, 2]
        u32(.rttUs, 3000)
        u32(.lossRate, 655)
        let m = try NetlinkMessage.parse(header(type: 0x1A, flags: 0, seq: 0,
                                                payload: [PGMCommand.ackerChangeNtf.rawValue, 1, 0, 0] + attrs))
        guard case .generic(_, _, let cmd, let a) = m.first, let e = PGMEvent(command: cmd, attributes: a) else {
            Issue.record("no event in \(m)")
            return
        }
        #expect(e.kind == .ackerChangeNtf && e.tsi?.description == "1.2.3.4.5.6.8000")
        #expect(e.acker.map(\.description) == "10.0.0.2" && e.rttMicroseconds == 3000 && e.lossRate == 655)
        #expect(e.group.map(\.description) == "239.192.0.1" && e.port == 7500 && e.family == .v4)
    }

    /// A confirming source's dump: its live receivers and CONFIRMED beside
    /// the counters, which gain confirmed delivery's; both copied into the
    /// statistics' view.  While none is live, no confirmed-sqn; a source
    /// without PGM_CONFIRM, neither attribute and no view.
    @Test func decodesConfirmingSource() throws {
        typealias A = PGMSocketAttribute
        typealias S = PGMSourceStatsAttribute
        func u32(_ t: A, _ v: UInt32) -> [UInt8] { [8, 0, UInt8(t.rawValue), 0] + le(v) }
        let base = u32(.inode, 6) + u32(.role, PGMRole.source.rawValue)
        let plain = try PGMSocketInfo(try NetlinkAttributes(parsing: base))
        #expect(plain.confirmReceivers == nil && plain.confirmedSequence == nil && plain.confirm == nil)
        let idle = try PGMSocketInfo(try NetlinkAttributes(parsing: base + u32(.confirmReceivers, 0)))
        #expect(idle.confirm == SourceConfirm(receivers: 0, confirmed: nil))
        var attrs = base + u32(.confirmReceivers, 3) + u32(.confirmedSqn, 4_294_967_290)
        var nest: [UInt8] = []
        for (t, v) in [(S.confirmAcks, UInt64(120)), (.confirmJoins, 4), (.confirmLeaves, 1), (.confirmRefused, 2),
                       (.flowLimited, 7)] {
            nest += [12, 0, UInt8(t.rawValue), 0] + le(v)
        }
        attrs += le(UInt16(4 + nest.count)) + [UInt8(A.sourceStats.rawValue), 0x80] + nest
        let s = try PGMSocketInfo(try NetlinkAttributes(parsing: attrs))
        #expect(s.confirmReceivers == 3 && s.confirmedSequence == SequenceNumber(4_294_967_290))
        let st = try #require(s.sourceStatistics)
        #expect(st.confirmAcks == 120 && st.confirmJoins == 4 && st.confirmLeaves == 1 && st.confirmRefused == 2)
        #expect(st.flowLimited == 7 && st.confirmExpired == 0 && st.confirmBehind == 0)
        #expect(st.confirm == SourceConfirm(receivers: 3, confirmed: SequenceNumber(4_294_967_290)))
        #expect(st.pgmcc == nil)
    }

    /// receiver-join, receiver-leave (with its reason, not a session end's)
    /// and receiver-refused: the receiver's address, its id and CONFIRMED.
    @Test func decodesConfirmReceiverEvents() throws {
        typealias A = PGMEventAttribute
        var base: [UInt8] = []
        func u32(_ t: A, _ v: UInt32) -> [UInt8] { [8, 0, UInt8(t.rawValue), 0] + le(v) }
        base += u32(.socketInode, 14) + u32(.role, PGMRole.source.rawValue)
        base += [12, 0, UInt8(A.tsi.rawValue), 0, 1, 2, 3, 4, 5, 6, 0x1F, 0x40]
        base += [8, 0, UInt8(A.group.rawValue), 0, 239, 192, 0, 1]
        base += [6, 0, UInt8(A.port.rawValue), 0, 0x4C, 0x1D, 0, 0]
        let who = [8, 0, UInt8(A.receiver.rawValue), 0, 10, 0, 0, 3] + u32(.receiverId, 0xDEAD_BEEF)
            + u32(.confirmedSqn, 99)
        let m = try NetlinkMessage.parse(header(type: 0x1A, flags: 0, seq: 0,
                                                payload: [PGMCommand.receiverJoinNtf.rawValue, 1, 0, 0] + base + who))
        guard case .generic(_, _, let cmd, let a) = m.first, let join = PGMEvent(command: cmd, attributes: a) else {
            Issue.record("no event in \(m)")
            return
        }
        #expect(join.kind == .receiverJoinNtf && join.role == .source && join.socketInode == 14)
        #expect(join.receiver.map(\.description) == "10.0.0.3" && join.receiverID == 0xDEAD_BEEF)
        #expect(join.confirmedSequence == SequenceNumber(99) && join.leaveReason == nil && join.reason == nil)
        #expect(join.group.map(\.description) == "239.192.0.1" && join.port == 7500 && join.family == .v4)

        for (raw, want) in [(UInt32(1), ConfirmLeaveReason.bye), (2, .expired), (3, .lost), (9, .other(9))] {
            let leave = try #require(PGMEvent(command: PGMCommand.receiverLeaveNtf.rawValue,
                                              attributes: try NetlinkAttributes(parsing: base + who + u32(.reason, raw))))
            #expect(leave.kind == .receiverLeaveNtf && leave.leaveReason == want && leave.reason == nil)
            #expect(leave.receiverID == 0xDEAD_BEEF && leave.confirmedSequence == SequenceNumber(99))
        }
        // A session end's reason stays a SessionEndReason.
        let end = try #require(PGMEvent(command: PGMCommand.sessionEndNtf.rawValue,
                                        attributes: try NetlinkAttributes(parsing: base + u32(.reason, 2))))
        #expect(end.reason == .reset && end.leaveReason == nil)

        let refused = try #require(PGMEvent(command: PGMCommand.receiverRefusedNtf.rawValue,
                                            attributes: try NetlinkAttributes(parsing: base + who)))
        #expect(refused.kind == .receiverRefusedNtf && refused.receiver == join.receiver && refused.leaveReason == nil)
        // Every event of the spec, in its order.
        #expect(PGMEvent.kinds == PGMCommand.allCases.filter { $0.description.hasSuffix("-ntf") })
    }

    /// The netns bound on confirming receivers is a default like the others:
    /// decoded from defaults-get, settable (a count, 1 to 16777216).
    @Test func confirmReceiversNetnsDefault() throws {
        typealias D = PGMDefaultsAttribute
        let d = PGMDefaults(try NetlinkAttributes(parsing: [8, 0, UInt8(D.confirmReceiversNetns.rawValue), 0] + le(UInt32(65536))
            + [8, 0, UInt8(D.txwSqns.rawValue), 0] + le(UInt32(1000))))
        #expect(d.values[.confirmReceiversNetns] == 65536 && d.values[.txwSqns] == 1000)
        #expect(D.confirmReceiversNetns.description == "confirm-receivers-netns")
        #expect(D.confirmReceiversNetns.accepted?.range == 1...16_777_216)
        #expect(D.confirmReceiversNetns.unit == "count")
        #expect(PGMFamily.confirmReceiversNetnsDefault == 65536)
    }

    /// A loss event from the multicast group.
    @Test func decodesLossEvent() throws {
        typealias A = PGMEventAttribute
        var attrs: [UInt8] = []
        func u32(_ t: A, _ v: UInt32) { attrs += [8, 0, UInt8(t.rawValue), 0] + le(v) }
        u32(.socketInode, 77)
        u32(.role, PGMRole.receiver.rawValue)
        u32(.firstSqn, 1000)
        u32(.count, 3)
        attrs += [8, 0, UInt8(A.source.rawValue), 0, 10, 0, 0, 1]
        let m = try NetlinkMessage.parse(header(type: 0x1A, flags: 0, seq: 0,
                                                payload: [PGMCommand.lossNtf.rawValue, 1, 0, 0] + attrs))
        guard case .generic(_, _, let cmd, let a) = m.first, let e = PGMEvent(command: cmd, attributes: a) else {
            Issue.record("no event in \(m)")
            return
        }
        #expect(e.kind == .lossNtf && e.socketInode == 77 && e.role == .receiver)
        #expect(e.firstSequence == 1000 && e.count == 3 && e.source.map(\.description) == "10.0.0.1")
        #expect(PGMEvent(command: PGMCommand.defaultsGet.rawValue, attributes: a) == nil)
    }

    /// NLM_F_DUMP_INTR (0x10) on any message of a page flags the dump as
    /// inconsistent; pages without it do not.
    @Test func flagsAnInterruptedDump() throws {
        let page = header(type: 0x1A, flags: 2, seq: 9, payload: [PGMCommand.peerGet.rawValue, 1, 0, 0])
        var interrupted = false
        _ = try NetlinkMessage.parse(page + page, dumpInterrupted: &interrupted)
        #expect(!interrupted)
        let flagged = header(type: 0x1A, flags: 0x12, seq: 9, payload: [PGMCommand.peerGet.rawValue, 1, 0, 0])
        let done = header(type: 3, flags: 0x12, seq: 9, payload: [0, 0, 0, 0])
        let m = try NetlinkMessage.parse(page + flagged + done, dumpInterrupted: &interrupted)
        #expect(interrupted)
        #expect(m.count == 3)
        #expect(NetlinkError.dumpInterrupted(attempts: 5).description.contains("5 times"))
    }

    /// A dump that fails reports its errno and message in NLMSG_DONE.
    @Test func decodesFailedDump() throws {
        let text = Array("no PGM socket with that inode in this netns".utf8) + [0]
        let pad = [UInt8](repeating: 0, count: (4 - text.count % 4) % 4)
        let body: [UInt8] = [0xFE, 0xFF, 0xFF, 0xFF] + [UInt8(4 + text.count), 0, 1, 0] + text + pad
        let m = try NetlinkMessage.parse(header(type: 3, flags: 0x202, seq: 3, payload: body))
        #expect(m == [.done(sequence: 3, code: -2, report: KernelReport(message: "no PGM socket with that inode in this netns"))])
    }

    /// An attribute whose length runs past its message is an error, not a crash.
    @Test func truncatedAttributeIsMalformed() {
        let bad = header(type: 0x1A, flags: 0, seq: 1, payload: [1, 1, 0, 0, 40, 0, 1, 0, 0, 0, 0, 0])
        #expect(throws: NetlinkError.self) { try NetlinkMessage.parse(bad) }
        #expect(throws: NetlinkError.self) { try NetlinkMessage.parse([0x40, 0, 0, 0, 0x1A, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]) }
    }

    /// The generated constants follow the spec: attribute numbers are the socket option numbers.
    @Test func defaultsAttributesAreOptionNumbers() {
        #expect(PGMDefaultsAttribute.txwSqns.rawValue == 1)
        #expect(PGMDefaultsAttribute.txwBytes.rawValue == 10)
        #expect(PGMDefaultsAttribute.rxwSqns.rawValue == 20)
        #expect(PGMDefaultsAttribute.nakDataRetries.rawValue == 27)
        #expect(PGMDefaultsAttribute.txwSecsMs.accepted?.zeroMeansOff == true)
        #expect(PGMDefaultsAttribute.maxTpdu.accepted?.range == 576...65535)
        #expect(PGMFamily.name == "pgm" && PGMFamily.Group.events == "events")
    }

    func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }

    func header(type: UInt16, flags: UInt16, seq: UInt32, payload: [UInt8]) -> [UInt8] {
        le(UInt32(16 + payload.count)) + le(type) + le(flags) + le(seq) + le(UInt32(0)) + payload
    }
}

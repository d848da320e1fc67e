import CPGM
import SystemPackage
import Testing
@testable import PGM

#if canImport(Glibc)
import Glibc
#endif

/// The library on IPv6 against ``MockKernel``: the family it opens, the
/// `sockaddr_in6` it binds and connects (scope id included), the
/// `ipv6_mreq` it joins with, its `SOL_IPV6` options, the
/// `sockaddr_pgm6` it reads, and the combinations it refuses before
/// opening anything.
@Suite("PGM library over IPv6 through a mock kernel")
struct IPv6LibraryTests {
    func int32(_ b: [UInt8]?) -> Int32? {
        guard let b, b.count == 4 else { return nil }
        return b.withUnsafeBytes { $0.loadUnaligned(as: Int32.self) }
    }

    func sin6(_ b: [UInt8]?) -> sockaddr_in6? {
        guard let b, b.count == MemoryLayout<sockaddr_in6>.size else { return nil }
        return b.withUnsafeBytes { $0.loadUnaligned(as: sockaddr_in6.self) }
    }

    func bytes(_ a: in6_addr) -> [UInt8] { withUnsafeBytes(of: a) { Array($0) } }

    let ipv6 = Int32(IPPROTO_IPV6)

    @Test func receiverOpensIPv6BindsAndJoins() throws {
        let k = MockKernel()
        let group = try PGMEndpoint("[ff15::1]:7500")
        let r = try PGMReceiver(group: group, interface: .name("eth0"), options: ReceiverOptions(), syscalls: k.syscalls)
        #expect(k.domain == AF_INET6)
        #expect(r.socket.family == .ipv6)
        let b = try #require(sin6(k.address("bind")))
        #expect(b.sin6_family == sa_family_t(AF_INET6))
        #expect(UInt16(bigEndian: b.sin6_port) == 7500)
        #expect(bytes(b.sin6_addr) == [0xFF, 0x15] + [UInt8](repeating: 0, count: 13) + [1])
        #expect(b.sin6_scope_id == 0, "a global-scope group has no scope id")
        let m = try #require(k.option(SOL_PGM, PGM_JOIN_GROUP))
        #expect(m.count == MemoryLayout<ipv6_mreq>.size)
        let mreq = m.withUnsafeBytes { $0.loadUnaligned(as: ipv6_mreq.self) }
        #expect(bytes(mreq.ipv6mr_multiaddr) == bytes(b.sin6_addr))
        #expect(mreq.ipv6mr_interface == 7)
        #expect(k.option(SOL_PGM, PGM_RECVSQN) == [1, 0, 0, 0])
        try r.close()
    }

    @Test func linkScopedGroupTakesItsZoneAsScopeID() throws {
        let k = MockKernel()
        let r = try PGMReceiver(group: PGMEndpoint("[ff02::114%dummy6]:7500"), interface: nil, options: ReceiverOptions(),
                                syscalls: k.syscalls)
        #expect(try #require(sin6(k.address("bind"))).sin6_scope_id == 9)
        let mreq = try #require(k.option(SOL_PGM, PGM_JOIN_GROUP)).withUnsafeBytes { $0.loadUnaligned(as: ipv6_mreq.self) }
        #expect(mreq.ipv6mr_interface == 9, "the zone is the interface joined on")
        try r.close()
        // By index, and an --interface that agrees with the zone.
        let k2 = MockKernel()
        try PGMReceiver(group: PGMEndpoint("[ff02::114%9]:7500"), interface: .name("dummy6"), options: ReceiverOptions(),
                        syscalls: k2.syscalls).close()
        #expect(try #require(sin6(k2.address("bind"))).sin6_scope_id == 9)
        // No zone: the interface gives the scope id.
        let k3 = MockKernel()
        try PGMReceiver(group: PGMEndpoint("[ff02::114]:7500"), interface: .index(7), options: ReceiverOptions(),
                        syscalls: k3.syscalls).close()
        #expect(try #require(sin6(k3.address("bind"))).sin6_scope_id == 7)
    }

    @Test func sourceSetsIPv6OptionsThenConnects() throws {
        let k = MockKernel()
        var o = SourceOptions()
        o.interface = .name("eth0")
        o.multicastTTL = 5
        o.multicastLoop = true
        o.txwMaxRte = 1_000_000
        let src = try PGMSource(group: PGMEndpoint("[ff15::1]:7500"), options: o, syscalls: k.syscalls)
        #expect(k.domain == AF_INET6 && src.socket.family == .ipv6)
        #expect(int32(k.option(ipv6, IPV6_MULTICAST_IF)) == 7)
        #expect(int32(k.option(ipv6, IPV6_MULTICAST_HOPS)) == 5)
        #expect(int32(k.option(ipv6, IPV6_MULTICAST_LOOP)) == 1)
        #expect(k.option(Int32(IPPROTO_IP), IP_MULTICAST_IF) == nil && k.option(Int32(IPPROTO_IP), IP_MULTICAST_TTL) == nil)
        #expect(!k.calls.contains("bind"), "an IPv6 source picks its interface by index, not by binding an address")
        #expect(k.calls.last == "connect")
        let c = try #require(sin6(k.address("connect")))
        #expect(c.sin6_family == sa_family_t(AF_INET6) && UInt16(bigEndian: c.sin6_port) == 7500 && c.sin6_scope_id == 0)
        try src.send(contentsOf: [1, 2, 3])
        #expect(k.sent == [[1, 2, 3]])
        try src.close()
    }

    @Test func linkScopedSourceConnectsWithScopeID() throws {
        let k = MockKernel()
        try PGMSource(group: PGMEndpoint("[ff02::1%eth0]:7500"), options: SourceOptions(), syscalls: k.syscalls).close()
        #expect(try #require(sin6(k.address("connect"))).sin6_scope_id == 7)
        #expect(int32(k.option(ipv6, IPV6_MULTICAST_IF)) == 7)
    }

    @Test func ipv4KeepsItsCalls() throws {
        let k = MockKernel()
        var o = SourceOptions()
        o.interface = .name("eth0")  // IPv4 by name: IP_MULTICAST_IF with ip_mreqn's index
        o.multicastTTL = 3
        try PGMSource(group: PGMEndpoint("239.192.0.1:7500"), options: o, syscalls: k.syscalls).close()
        #expect(k.domain == AF_INET)
        let m = try #require(k.option(Int32(IPPROTO_IP), IP_MULTICAST_IF))
        #expect(m.count == MemoryLayout<ip_mreqn>.size)
        #expect(m.withUnsafeBytes { $0.loadUnaligned(as: ip_mreqn.self) }.imr_ifindex == 7)
        #expect(int32(k.option(Int32(IPPROTO_IP), IP_MULTICAST_TTL)) == 3)
        #expect(k.address("connect")?.count == MemoryLayout<sockaddr_in>.size)
        let r = MockKernel()
        try PGMReceiver(group: PGMEndpoint("239.192.0.1:7500"), interface: .index(9), options: ReceiverOptions(),
                        syscalls: r.syscalls).close()
        let j = try #require(r.option(SOL_PGM, PGM_JOIN_GROUP)).withUnsafeBytes { $0.loadUnaligned(as: ip_mreqn.self) }
        #expect(UInt32(bigEndian: j.imr_multiaddr.s_addr) == 0xEFC0_0001 && j.imr_ifindex == 9 && j.imr_address.s_addr == 0)
    }

    @Test func wrongCombinationsAreRefusedBeforeOpening() throws {
        let k = MockKernel()
        let g6 = try PGMEndpoint("[ff15::1]:7500")
        var o = SourceOptions()
        o.interface = .address(IPv4Address(10, 0, 0, 1))
        #expect(throws: PGMSetupError.interfaceFamily(interface: .address(IPv4Address(10, 0, 0, 1)), group: g6)) {
            try PGMSource(group: g6, options: o, syscalls: k.syscalls).close()
        }
        #expect(throws: PGMSetupError.noSuchInterface("nosuch0")) {
            try PGMReceiver(group: g6, interface: .name("nosuch0"), options: ReceiverOptions(), syscalls: k.syscalls).close()
        }
        let ll = try PGMEndpoint("[ff02::1]:7500")
        #expect(throws: PGMSetupError.interfaceRequired(ll)) {
            try PGMReceiver(group: ll, interface: nil, options: ReceiverOptions(), syscalls: k.syscalls).close()
        }
        #expect(throws: PGMSetupError.interfaceRequired(ll)) {
            try PGMSource(group: ll, options: SourceOptions(), syscalls: k.syscalls).close()
        }
        #expect(throws: PGMSetupError.conflictingInterfaces(zone: .name("eth0"), interface: .name("dummy6"))) {
            try PGMReceiver(group: PGMEndpoint("[ff02::1%eth0]:7500"), interface: .name("dummy6"),
                            options: ReceiverOptions(), syscalls: k.syscalls).close()
        }
        let u = try PGMEndpoint("[2001:db8::1]:7500")
        #expect(throws: PGMSetupError.notMulticast(u)) {
            try PGMReceiver(group: u, interface: nil, options: ReceiverOptions(), syscalls: k.syscalls).close()
        }
        #expect(!k.calls.contains("socket"), "nothing was opened")
        // A system call's failure is wrapped, the socket closed.
        k.fail("connect", with: ENETUNREACH)
        #expect(throws: PGMSetupError.system(Errno(rawValue: ENETUNREACH))) {
            try PGMSource(group: g6, options: SourceOptions(), syscalls: k.syscalls).close()
        }
        #expect(k.calls.last == "close")
    }

    /// An IPv6 PGMCC source's acker is all sixteen octets of cc_acker.
    @Test func pgmccAckerOfAnIPv6Source() throws {
        let k = MockKernel()
        let s = try PGMSocket(family: .ipv6, syscalls: k.syscalls)
        var st = pgm_source_stats()
        st.cc_window = 65536
        withUnsafeMutableBytes(of: &st.cc_acker) { b in
            for (i, v) in [UInt8](arrayLiteral: 0xFD, 0x00, 0, 0x99, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02).enumerated() {
                b[i] = v
            }
        }
        k.setOption(SOL_PGM, PGM_SOURCE_STATS, st)
        let cc = try #require(try s.sourceStatistics().pgmcc)
        #expect(cc.acker == .v6(try IPv6Address("fd00:99::2")))
        try s.close()
    }

    @Test func socketCallsCheckTheFamily() throws {
        let k = MockKernel()
        let s = try PGMSocket(family: .ipv6, syscalls: k.syscalls)
        #expect(throws: Errno.addressFamilyNotSupported) { try s.connect(to: IPv4Endpoint("239.192.0.1:7500")) }
        #expect(throws: Errno.addressFamilyNotSupported) { try s.join(group: IPv4Address(239, 192, 0, 1)) }
        #expect(throws: Errno.addressFamilyNotSupported) {
            try s.setMulticastInterface(.address(IPv4Address(10, 0, 0, 1)))
        }
        #expect(throws: Errno.operationNotSupportedByDevice) {
            try s.bind(to: PGMEndpoint("[fe80::1%nosuch0]:7500"))
        }
        try s.bind(to: PGMEndpoint("[fe80::1%eth0]:7500"))
        #expect(try #require(sin6(k.address("bind"))).sin6_scope_id == 7)
        try s.join(group: .v6(IPv6Address("ff15::1")), interface: .index(9))
        try s.leave(group: .v6(IPv6Address("ff15::1")), interface: nil)
        let m = try #require(k.option(SOL_PGM, PGM_LEAVE_GROUP)).withUnsafeBytes { $0.loadUnaligned(as: ipv6_mreq.self) }
        #expect(m.ipv6mr_interface == 0)
        try s.close()
        let v4 = try PGMSocket(syscalls: k.syscalls)
        #expect(throws: Errno.addressFamilyNotSupported) { try v4.bind(to: PGMEndpoint("[ff15::1]:7500")) }
        try v4.close()
    }

    @Test func receiveReportsTheIPv6Source() throws {
        let k = MockKernel()
        let r = try PGMReceiver(group: PGMEndpoint("[ff15::1]:7500"), interface: nil, options: ReceiverOptions(), syscalls: k.syscalls)
        let from = try IPv6Address("2001:db8::5")
        k.deliver6([1, 2, 3], port: 41000, from: from.bytes, sqn: 5)
        k.deliver6([4], port: 41000, from: try IPv6Address("fe80::5").bytes, scope: 9)
        let m = try r.receive(mode: .nonBlocking)
        #expect(m.bytes == [1, 2, 3])
        #expect(m.source == PGMEndpoint(from, port: 41000))
        #expect(m.source.description == "[2001:db8::5]:41000")
        #expect(m.transportSessionID.description == "1.2.3.4.5.6.41000")
        #expect(m.sequenceNumber == 5)
        guard case .message(let ll) = try r.nextEvent(timeout: .zero) else { Issue.record("no message"); return }
        #expect(ll.source.description == "[fe80::5%9]:41000", "a link-local source's scope id is its zone")
        // IPv4 names still read as before through the same buffer.
        k.deliver([9], port: 40001)
        #expect(try r.receive(mode: .nonBlocking).source.description == "10.99.0.1:40001")
        try r.close()
    }

    @Test func decodesShortNamesWithoutATSI() {
        var name = sockaddr_pgm6()
        name.sin6.sin6_family = sa_family_t(AF_INET6)
        name.sin6.sin6_port = UInt16(7).bigEndian
        let (e, tsi) = PGMSocket.decodeName(name, length: MemoryLayout<sockaddr_in6>.size)
        #expect(e.description == "[::]:7" && tsi == nil)
        #expect(MemoryLayout<sockaddr_pgm6>.size == MemoryLayout<sockaddr_in6>.size + MemoryLayout<pgm_tsi>.size)
    }

    @Test func setupErrorsSayWhatToDo() throws {
        let g = try PGMEndpoint("[ff02::1]:7500")
        #expect(PGMSetupError.interfaceRequired(g).description.contains("[ff02::1%eth0]:7500"))
        #expect(PGMSetupError.interfaceFamily(interface: .address(IPv4Address(10, 0, 0, 1)), group: g).description
            .contains("name the interface"))
        #expect(PGMSetupError.interfaceFamily(interface: .address(IPv4Address(10, 0, 0, 1)), group: g).errno
            == .addressFamilyNotSupported)
        #expect(PGMSetupError.system(.permissionDenied).errno == .permissionDenied)
    }
}

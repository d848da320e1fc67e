import PGMCLISupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The one formatter of failed system calls: the errno's text and, for the
/// errnos a first-time user meets, the cause and the fix.
@Suite("System errors")
struct SystemErrorTests {
    @Test func moduleMissing() {
        for doing in [Doing.openingSocket, .sending(group: "239.192.0.1:7500", interface: nil),
                      .receiving(group: "239.192.0.1:7500", interface: nil)] {
            #expect(errnoCause(ESOCKTNOSUPPORT, doing: doing) == pgmModuleHint)
            #expect(errnoCause(EPROTONOSUPPORT, doing: doing) == pgmModuleHint)
        }
        #expect(systemErrorMessage("socket(AF_INET, SOCK_RDM, IPPROTO_PGM)", errno: ESOCKTNOSUPPORT, doing: .openingSocket)
            == "socket(AF_INET, SOCK_RDM, IPPROTO_PGM): Socket type not supported (is pgm.ko loaded? "
            + "`modprobe pgm` loads it with the udp_tunnel module it needs)")
    }

    /// pgm-recv --interface 192.0.2.99: the join fails with ENODEV; a source
    /// binding to that address gets EADDRNOTAVAIL. Both name the address.
    @Test func interfaceWithoutThatAddress() {
        let want = "no local interface has the address 192.0.2.99; `ip -4 address` lists them"
        #expect(errnoCause(ENODEV, doing: .receiving(group: "239.192.0.1:7500", interface: "192.0.2.99")) == want)
        #expect(errnoCause(EADDRNOTAVAIL, doing: .receiving(group: "239.192.0.1:7500", interface: "192.0.2.99")) == want)
        #expect(errnoCause(EADDRNOTAVAIL, doing: .sending(group: "239.192.0.1:7500", interface: "192.0.2.99")) == want)
        #expect(errnoCause(ENODEV, doing: .sending(group: "239.192.0.1:7500", interface: "192.0.2.99")) == want)
        #expect(systemErrorMessage("receiving on 239.192.0.1:7500", errno: ENODEV,
                                   doing: .receiving(group: "239.192.0.1:7500", interface: "192.0.2.99"))
            == "receiving on 239.192.0.1:7500: No such device (\(want))")
    }

    /// No multicast route: a source's connect fails with ENETUNREACH, a
    /// receiver's join without --interface with ENODEV. Both say how to fix it.
    @Test func noMulticastRoute() {
        let source = errnoCause(ENETUNREACH, doing: .sending(group: "239.192.0.1:7500", interface: nil))
        #expect(source == "no route to 239.192.0.1:7500: give --interface ADDRESS or "
            + "add a route for 224.0.0.0/4 (ip route add 224.0.0.0/4 dev IFACE)")
        let bound = errnoCause(ENETUNREACH, doing: .sending(group: "239.192.0.1:7500", interface: "10.0.0.1"))
        #expect(bound == "no route to 239.192.0.1:7500: add a route for 224.0.0.0/4 (ip route add 224.0.0.0/4 dev IFACE)")
        let receiver = errnoCause(ENODEV, doing: .receiving(group: "239.192.0.1:7500", interface: nil))
        #expect(receiver?.contains("give --interface ADDRESS or add a route for 224.0.0.0/4") == true)
        #expect(systemErrorMessage("starting a session to 239.192.0.1:7500", errno: ENETUNREACH,
                                   doing: .sending(group: "239.192.0.1:7500", interface: nil))
            .hasPrefix("starting a session to 239.192.0.1:7500: Network is unreachable (no route to 239.192.0.1:7500: "))
    }

    /// An IPv6 group ("[ff15::1]:7500" as the tools print it): IPv6's route
    /// and an interface by name.
    @Test func ipv6Hints() {
        let source = errnoCause(ENETUNREACH, doing: .sending(group: "[ff15::1]:7500", interface: nil))
        #expect(source == "no route to [ff15::1]:7500: give --interface NAME or "
            + "add a route for ff00::/8 (ip -6 route add ff00::/8 dev IFACE)")
        let receiver = errnoCause(ENODEV, doing: .receiving(group: "[ff15::1]:7500", interface: nil))
        #expect(receiver?.contains("give --interface NAME or add a route for ff00::/8") == true)
        #expect(errnoCause(ENODEV, doing: .receiving(group: "[ff15::1]:7500", interface: "eth0"))
            == "eth0 is not an interface that can take [ff15::1]:7500; `ip -6 address` lists them")
    }

    @Test func privilege() {
        let port = errnoCause(EACCES, doing: .receiving(group: "239.192.0.1:80", interface: nil))
        #expect(port?.contains("CAP_NET_BIND_SERVICE") == true && port?.contains("multicast policy") == true)
        // Above the privileged ports, only pgm.ko's multicast policy says EACCES.
        let policy = errnoCause(EACCES, doing: .sending(group: "[ff15::1]:7500", interface: "eth0"))
        #expect(policy == "the network namespace's multicast policy denies this user the group "
            + "(`pgmctl policy show` lists its rules)")
        #expect(errnoCause(EACCES, doing: .receiving(group: "239.192.0.1:7500", interface: nil)) == policy)
        #expect(errnoCause(EACCES, doing: .receiving(group: "239.192.0.1", interface: nil))?
            .contains("CAP_NET_BIND_SERVICE") == true)
        #expect(errnoCause(EPERM, doing: .capturing)?.contains("CAP_NET_RAW") == true)
        #expect(errnoCause(EACCES, doing: .capturing)?.contains("CAP_NET_RAW") == true)
    }

    /// ENOBUFS from a connect() or join: pgm.ko's max-groups, or for an
    /// IPv4 join the IP layer's limit on a socket's memberships.
    @Test func groupLimit() {
        let source = errnoCause(ENOBUFS, doing: .sending(group: "239.192.0.2:7500", interface: nil))
        #expect(source == "the network namespace's multicast policy may allow no more groups in use "
            + "(its max-groups; `pgmctl policy show`)")
        #expect(errnoCause(ENOBUFS, doing: .receiving(group: "[ff15::2]:7500", interface: "eth0")) == source)
        let join = errnoCause(ENOBUFS, doing: .receiving(group: "239.192.0.2:7500", interface: nil))
        #expect(join?.hasPrefix(source ?? "-") == true && join?.contains("net.ipv4.igmp_max_memberships") == true)
        #expect(errnoCause(ENOBUFS, doing: .other) == nil)
    }

    /// An errno without a known cause there is its text alone, the same in
    /// every tool.
    @Test func noCause() {
        #expect(errnoCause(ENODEV, doing: .other) == nil)
        #expect(errnoCause(ENETUNREACH, doing: .receiving(group: "239.192.0.1:7500", interface: nil)) == nil)
        #expect(errnoCause(ESOCKTNOSUPPORT, doing: .capturing) == nil)
        #expect(errnoCause(EMSGSIZE, doing: .sending(group: "239.192.0.1:7500", interface: nil)) == nil)
        #expect(systemErrorMessage("poll", errno: EINVAL) == "poll: Invalid argument")
        #expect(errnoText(ENODEV) == "No such device")
    }
}

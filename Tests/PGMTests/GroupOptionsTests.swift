import PGM
import PGMCLISupport
import PGMToolSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `--interface` by name or address, and OpenPGM/ZeroMQ network strings
/// (`eth0;239.192.0.1`) as the group of pgm-send, pgm-recv and pgm-perf.
@Suite("Group options")
struct GroupOptionsTests {
    @Test func interfaceSpecs() throws {
        #expect(InterfaceSpec("10.0.0.1") == .address(IPv4Address(10, 0, 0, 1)))
        #expect(InterfaceSpec("eth0") == .name("eth0"))
        #expect(InterfaceSpec("10.1") == nil)  // digits and dots: an address, and not a valid one
        #expect(InterfaceSpec("") == nil)
        #expect(InterfaceSpec("a/b") == nil)
        #expect(InterfaceSpec("sixteen-bytes-xx") == nil)
        #expect(try InterfaceSpec("lo")?.address() == IPv4Address(127, 0, 0, 1))
        #expect(throws: InterfaceError.noSuchInterface("nosuch0")) { try InterfaceSpec("nosuch0")?.address() }
    }

    @Test func errorsNameTheCause() {
        #expect(InterfaceError.noSuchInterface("eth9").description
            == "--interface eth9: No such device (no interface is named eth9 in this network namespace; `ip link` lists them)")
        #expect(InterfaceError.noIPv4Address("dummy0").description
            == "--interface dummy0: Cannot assign requested address (dummy0 has no IPv4 address; "
            + "give it one (ip address add ADDRESS/LEN dev dummy0) or name another interface)")
    }

    @Test func networkStrings() throws {
        var o = try GroupOptions.parse(["--group", "lo;239.192.0.9"])
        #expect(o.endpoint.description == "239.192.0.9:7500")
        #expect(try o.interfaceAddress() == IPv4Address(127, 0, 0, 1))
        o = try GroupOptions.parse(["--group", "127.0.0.1;239.192.0.9", "--port", "7600"])
        #expect(o.endpoint.description == "239.192.0.9:7600")
        #expect(try o.interfaceAddress() == IPv4Address(127, 0, 0, 1))
        o = try GroupOptions.parse(["--group", ";239.192.0.9"])
        #expect(o.endpoint.description == "239.192.0.9:7500")
        #expect(try o.interfaceAddress() == nil)
        o = try GroupOptions.parse(["--interface", "lo"])
        #expect(try o.interfaceAddress() == IPv4Address(127, 0, 0, 1))
        o = try GroupOptions.parse(["--group", "nosuch0;239.192.0.9"])
        #expect(throws: Failure.self) { try o.interfaceAddress() }
        #expect(throws: (any Error).self) { try GroupOptions.parse(["--group", "lo;239.192.0.9", "--interface", "lo"]) }
        #expect(throws: (any Error).self) { try GroupOptions.parse(["--group", "lo;239.192.0.9;239.192.0.10"]) }
        #expect(throws: (any Error).self) { try GroupOptions.parse(["--group", "lo;10.0.0.1"]) }
    }

    @Test func ipv6Groups() throws {
        var o = try GroupOptions.parse(["--group", "ff15::1"])
        #expect(o.endpoint.description == "[ff15::1]:7500")
        #expect(try o.pgmInterface() == nil)
        o = try GroupOptions.parse(["--group", "ff15::1", "--interface", "eth0", "--port", "7600"])
        #expect(o.endpoint.description == "[ff15::1]:7600")
        #expect(try o.pgmInterface() == .name("eth0"), "IPv6 takes the name as it is, to the library's index")
        o = try GroupOptions.parse(["--group", "dummy6;ff15::1"])
        #expect(try o.pgmInterface() == .name("dummy6"))
        o = try GroupOptions.parse(["--group", "ff02::1%eth0"])
        #expect(o.endpoint.description == "[ff02::1%eth0]:7500" && o.endpoint.zone == .name("eth0"))
        // IPv4 keeps resolving a name to the interface's address.
        o = try GroupOptions.parse(["--group", "239.192.0.9", "--interface", "lo"])
        #expect(try o.pgmInterface() == .address(IPv4Address(127, 0, 0, 1)))
        #expect(o.endpoint.description == "239.192.0.9:7500")
        // Wrong combinations, refused when the command line is read.
        #expect(throws: (any Error).self) { try GroupOptions.parse(["--group", "ff15::1", "--interface", "10.0.0.1"]) }
        #expect(throws: (any Error).self) { try GroupOptions.parse(["--group", "10.0.0.1;ff15::1"]) }
        #expect(throws: (any Error).self) { try GroupOptions.parse(["--group", "ff02::1"]) }  // link-scoped, no interface
        #expect(throws: (any Error).self) { try GroupOptions.parse(["--group", "2001:db8::1"]) }  // not a group
        #expect(throws: (any Error).self) { try GroupOptions.parse(["--group", "239.192.0.1%eth0"]) }
        _ = try GroupOptions.parse(["--group", "ff02::1", "--interface", "lo"])
    }
}

import PGMTypes
import Testing

/// PGMEndpoint: either family, as docs/ipv6.md writes them.
@Suite struct EndpointTests {
    @Test(arguments: [
        ("239.1.1.1:7500", "239.1.1.1:7500"), ("[ff15::1]:7500", "[ff15::1]:7500"),
        ("[fe80::1%eth0]:7500", "[fe80::1%eth0]:7500"), ("[ff02::1%3]:1", "[ff02::1%3]:1"),
        ("[FF15:0::0:1]:65535", "[ff15::1]:65535"), ("[::]:7500", "[::]:7500"),
        ("[fe80::1%eth0.100]:7500", "[fe80::1%eth0.100]:7500"),
    ])
    func roundTrips(_ text: String, _ canonical: String) throws {
        let e = try PGMEndpoint(text)
        #expect(e.description == canonical)
        #expect(try PGMEndpoint(canonical) == e)
    }

    @Test func parts() throws {
        let v4 = try PGMEndpoint("239.1.1.1:7500")
        #expect(v4.address == .v4(IPv4Address(239, 1, 1, 1)) && v4.port == 7500 && v4.zone == nil && !v4.isIPv6)
        #expect(v4.ipv4 == IPv4Endpoint(IPv4Address(239, 1, 1, 1), port: 7500))
        #expect(PGMEndpoint(IPv4Endpoint(address: 0xEF01_0101, port: 7500)) == v4)
        let ll = try PGMEndpoint("[fe80::1%eth0]:7500")
        #expect(ll.address == .v6(try IPv6Address("fe80::1")) && ll.zone == .name("eth0") && ll.isIPv6 && ll.ipv4 == nil)
        #expect(ll.host == "fe80::1%eth0")
        #expect(try PGMEndpoint("[ff02::1%3]:7500").zone == .index(3))
        // No zone on IPv4.
        #expect(PGMEndpoint(.v4(IPv4Address(1, 2, 3, 4)), port: 1, zone: .index(2)).zone == nil)
    }

    @Test(arguments: [
        "", "239.1.1.1", "239.1.1.1:", "239.1.1.1:0", "239.1.1.1:65536", "239.1.1.1:+1", "ff15::1:7500",
        "[ff15::1]", "[ff15::1]7500", "[ff15::1:7500", "[ff15::1]:", "[ff15::1%]:7500", "[ff15::1%0]:7500",
        "[ff15::1%a b]:7500", "[ff15::1%sixteen-bytes-xx]:7500", "[ff15::g]:7500", "[239.1.1.1]:7500",
        "239.1.1.1%eth0:7500",
    ])
    func refusesBadEndpoints(_ text: String) {
        let e = #expect(throws: VocabularyParseError.self) { try PGMEndpoint(text) }
        #expect(e?.kind == .endpoint)
        #expect(e?.description.contains("[ff15::1]:7500") == true, "the message shows the form")
    }

    @Test func zones() {
        #expect(IPv6Zone("eth0") == .name("eth0"))
        #expect(IPv6Zone("12") == .index(12))
        #expect(IPv6Zone("0") == nil)
        #expect(IPv6Zone("99999999999") == nil)
        #expect(IPv6Zone("") == nil)
        #expect(IPv6Zone("a/b") == nil)
    }

    @Test func addressesWithZones() throws {
        let (a, z) = try IPAddress.parseWithZone("fe80::1%lo")
        #expect(a == .v6(try IPv6Address("fe80::1")) && z == .name("lo"))
        let (b, y) = try IPAddress.parseWithZone("239.1.1.1")
        #expect(b == .v4(IPv4Address(239, 1, 1, 1)) && y == nil)
        #expect(throws: VocabularyParseError.self) { try IPAddress.parseWithZone("239.1.1.1%eth0") }
        #expect(throws: VocabularyParseError.self) { try IPAddress.parseWithZone("ff15::1%") }
    }
}

import PGMTypes
import Testing

@Suite struct IPv6Tests {
    @Test(arguments: [
        ("ff15::1", "ff15::1"), ("FF15:0:0:0:0:0:0:1", "ff15::1"), ("::", "::"), ("::1", "::1"),
        ("fe80::", "fe80::"), ("2001:db8::10.0.0.1", "2001:db8::a00:1"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"), ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"),
        ("2001:0db8:0000:0000:0000:ff00:0042:8329", "2001:db8::ff00:42:8329"),
    ])
    func parsesAndPrintsRFC5952(_ text: String, _ canonical: String) throws {
        let a = try IPv6Address(text)
        #expect(a.description == canonical)
        #expect(try IPv6Address(canonical) == a)
        #expect(IPv6Address(bytes: a.bytes) == a)
    }

    @Test(arguments: ["", ":", ":::", "1::2::3", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1:2:3:4::5:6:7:8",
                      "12345::", "g::1", "1:2:3:4:5:6:7:", "::1.2.3", "fe80::1%eth0", " ::1"])
    func refusesBadAddresses(_ text: String) {
        #expect(throws: VocabularyParseError.self) { try IPv6Address(text) }
    }

    @Test func scopesAndGroups() throws {
        #expect(try IPv6Address("ff15::1").isMulticast)
        #expect(try !IPv6Address("ff15::1").needsScope)
        #expect(try IPv6Address("ff02::1").needsScope)
        #expect(try IPv6Address("ff01::1").needsScope)
        #expect(try IPv6Address("fe80::1").needsScope)
        #expect(try IPv6Address("febf::1").needsScope)
        #expect(try !IPv6Address("fec0::1").needsScope)
        #expect(try !IPv6Address("2001:db8::1").isMulticast)
        #expect(try IPv6Address("::1") < IPv6Address("::2"))
    }

    @Test func eitherFamily() throws {
        #expect(try IPAddress("239.192.0.1") == .v4(IPv4Address(239, 192, 0, 1)))
        #expect(try IPAddress("ff15::1") == .v6(IPv6Address(high: 0xFF15 << 48, low: 1)))
        #expect(try IPAddress("ff15::1").isMulticast)
        #expect(try IPAddress("ff15::1").bytes.count == 16)
        let e = #expect(throws: VocabularyParseError.self) { try IPAddress("239.1") }
        #expect(e?.kind == .ipAddress)
    }
}

import PGMTypes
import Testing

@Suite struct IPv4Tests {
    @Test func parsesAndPrintsAnAddress() throws {
        let a = try IPv4Address("239.192.0.1")
        #expect(a.rawValue == 0xEFC0_0001)
        #expect(a == IPv4Address(239, 192, 0, 1))
        #expect(a.description == "239.192.0.1")
        #expect(a.bytes == [239, 192, 0, 1])
        #expect(a.isMulticast)
        #expect(try !IPv4Address("10.0.0.1").isMulticast)
        #expect(try IPv4Address("0.0.0.0") == .any)
        #expect(try IPv4Address("255.255.255.255").rawValue == .max)
    }

    @Test(arguments: ["", "1.2.3", "1.2.3.4.5", "1.2.3.256", "1..3.4", "a.b.c.d", "+1.2.3.4", " 1.2.3.4", "1.2.3.0004", "١.2.3.4"])
    func refusesBadAddresses(_ text: String) {
        #expect(throws: VocabularyParseError.self) { try IPv4Address(text) }
    }

    @Test func parsesAndPrintsAnEndpoint() throws {
        let e = try IPv4Endpoint("239.192.0.1:7500")
        #expect(e == IPv4Endpoint(address: 0xEFC0_0001, port: 7500))
        #expect(e.address == IPv4Address(239, 192, 0, 1))
        #expect(e.port == 7500)
        #expect(e.description == "239.192.0.1:7500")
        #expect(try IPv4Endpoint(e.description) == e)
        #expect(try IPv4Endpoint("1.2.3.4:65535").port == 65535)
    }

    @Test(arguments: [
        ("239.192.0.1", "the port is missing"),
        ("239.192.0.1:", "port '' is not a number from 1 to 65535"),
        ("239.192.0.1:0", "port '0' is not a number from 1 to 65535"),
        ("239.192.0.1:65536", "port '65536' is not a number from 1 to 65535"),
        ("239.192.0.1:+75", "port '+75' is not a number from 1 to 65535"),
        ("239.192.0.1:75:1", "it has more than one ':'"),
        ("239.192.0:7500", "it has 3 dot-separated parts, not 4"),
        ("239.192.0.300:7500", "'300' is not a number from 0 to 255"),
        (":7500", "it has 1 dot-separated parts, not 4"),
    ])
    func refusesBadEndpointsSayingWhy(_ text: String, _ problem: String) {
        #expect {
            try IPv4Endpoint(text)
        } throws: { error in
            guard let e = error as? VocabularyParseError else { return false }
            return e.kind == .ipv4Endpoint && e.text == text && e.problem == problem
                && e.description == "'\(text)' is not an IPv4 endpoint: \(problem) (want a.b.c.d:port, e.g. 239.192.0.1:7500)"
        }
    }
}

@Suite struct SessionTests {
    let tsi = TSI(gsi: GSI(2, 0, 0x5E, 16, 32, 48), sourcePort: 40000)

    @Test func printsAsOpenPGMDoes() {
        #expect(tsi.gsi.description == "2.0.94.16.32.48")
        #expect(tsi.gsi.colonHex == "02:00:5e:10:20:30")
        #expect(tsi.description == "2.0.94.16.32.48.40000")
        #expect(tsi.gsi.rawValue == 0x0200_5E10_2030)
        #expect(tsi.bytes == [2, 0, 0x5E, 16, 32, 48, 0x9C, 0x40])
    }

    @Test func roundTrips() throws {
        #expect(try TSI(tsi.description) == tsi)
        #expect(try TSI("\(tsi.gsi.colonHex).\(tsi.sourcePort)") == tsi)
        #expect(TSI(bytes: tsi.bytes) == tsi)
        #expect(GSI(bytes: tsi.gsi.bytes) == tsi.gsi)
        #expect(try GSI(tsi.gsi.description) == tsi.gsi)
        #expect(try GSI(tsi.gsi.colonHex) == tsi.gsi)
        for port: UInt16 in [0, 1, 0x8000, .max] {
            let t = TSI(gsi: GSI(rawValue: 0xFFFF_FFFF_FFFF_FFFF), sourcePort: port)
            #expect(t.gsi.rawValue == 0xFFFF_FFFF_FFFF)
            #expect(try TSI(t.description) == t)
            #expect(TSI(bytes: t.bytes) == t)
        }
    }

    @Test(arguments: ["", "40000", "2.0.94.16.32.40000", "2.0.94.16.32.48.49.40000", "2.0.94.16.32.48.65536",
                      "2.0.94.16.32.48.", "2.0.94.16.32.256.1", "02:00:5e:10:20:3g.1", "02:00:5e:10:20:300.1"])
    func refusesBadTSIs(_ text: String) {
        #expect(throws: VocabularyParseError.self) { try TSI(text) }
    }

    @Test func wantsExactLengths() {
        #expect(GSI(bytes: [1, 2, 3, 4, 5]) == nil)
        #expect(TSI(bytes: [UInt8](repeating: 0, count: 9)) == nil)
    }
}

@Suite struct SequenceNumberTests {
    @Test func comparesAcrossTheWrap() {
        let last = SequenceNumber(.max)
        let first = last + 1
        #expect(first.rawValue == 0)
        #expect(last < first)
        #expect(!(first < last))
        #expect(last.distance(to: first) == 1)
        #expect(first.distance(to: last) == -1)
        #expect(first - 1 == last)
    }

    @Test func ordersWithinHalfTheSpace() {
        for base: UInt32 in [0, 1, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFF0] {
            let a = SequenceNumber(base)
            let justInside = a + 0x7FFF_FFFF
            #expect(a < justInside)
            #expect(a.distance(to: justInside) == Int32.max)
            #expect(justInside.distance(to: a) == -Int32.max)
            // Beyond 2^31 ahead is behind.
            let beyond = a + 0x8000_0001
            #expect(beyond < a)
            #expect(a.distance(to: beyond) == -0x7FFF_FFFF)
        }
    }

    @Test func advances() {
        var s = SequenceNumber(0xFFFF_FFFE)
        s += 3
        #expect(s == SequenceNumber(1))
        #expect(s.advanced(by: 0xFFFF_FFFF) == SequenceNumber(0))
        #expect(s.description == "1")
    }
}

@Suite struct SessionEndReasonTests {
    @Test func namesAndNumbers() {
        #expect(SessionEndReason.known.map(\.description) == ["fin", "rst", "expired"])
        #expect(SessionEndReason.known.map(\.rawValue) == [1, 2, 3])
        for r in SessionEndReason.known {
            #expect(SessionEndReason(rawValue: r.rawValue) == r)
            #expect(SessionEndReason(name: r.description) == r)
        }
        #expect(SessionEndReason(rawValue: 9) == .other(9))
        #expect(SessionEndReason.other(9).description == "reason 9")
        #expect(SessionEndReason(name: "reason 9") == nil)
    }
}

@Suite struct StatisticsTests {
    @Test func countersAreDistinctFields() {
        func check<S: NamedCounters & Equatable>(_: S.Type) {
            var s = S()
            for (i, c) in S.counters.enumerated() { s[keyPath: c.keyPath] = UInt64(i + 1) }
            #expect(s.namedCounters.map(\.value) == (1...UInt64(S.counters.count)).map { $0 })
            #expect(Set(S.counters.map(\.name)).count == S.counters.count)
            #expect(s != S())
        }
        check(SourceStatistics.self)
        check(ReceiverStatistics.self)
        check(NetnsStatistics.self)
    }
}

@Suite struct ConfirmLeaveReasonTests {
    @Test func namesAndNumbers() {
        #expect(ConfirmLeaveReason.known.map(\.description) == ["bye", "expired", "lost"])
        #expect(ConfirmLeaveReason.known.map(\.rawValue) == [1, 2, 3])
        for r in ConfirmLeaveReason.known { #expect(ConfirmLeaveReason(rawValue: r.rawValue) == r) }
        #expect(ConfirmLeaveReason(rawValue: 0) == .other(0))
        #expect(ConfirmLeaveReason.other(7).description == "reason 7" && ConfirmLeaveReason.other(7).rawValue == 7)
    }
}

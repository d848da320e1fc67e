import PGMWire
import PropertyBased
import Testing

@Suite("Properties")
struct PropertyTests {
    @Test func decodeInvertsEncode() async {
        await propertyCheck(count: 2000, input: Gen.uint64()) { seed in
            var r = RandomPackets(seed: seed)
            let p = r.packet()
            let bytes = try p.encoded()
            #expect(bytes.count == p.encodedLength)
            let decoded = try PGMPacket.decode(bytes)
            #expect(decoded == p)
            #expect(try decoded.encoded() == bytes)
            #expect(Array(decoded.options) == Array(p.options))
        }
    }

    @Test(arguments: PGMPacketType.allCases)
    func decodeInvertsEncodeForEachType(_ type: PGMPacketType) async {
        await propertyCheck(count: 300, input: Gen.uint64()) { seed in
            var r = RandomPackets(seed: seed)
            var p = r.packet()
            while p.type != type { p.body = r.body() }
            let bytes = try p.encoded()
            #expect(try PGMPacket.decode(bytes) == p)
        }
    }

    @Test func optionListsRoundTrip() async {
        await propertyCheck(count: 1000, input: Gen.uint64()) { seed in
            var r = RandomPackets(seed: seed)
            let list = (0..<r.int(1...16)).map { _ in r.option() }
            let options = try PGMOptions(list)
            #expect(Array(options) == list)
            #expect(options.count == list.count)
            #expect(options.encodedLength == 4 + list.reduce(0) { $0 + $1.encodedLength })
        }
    }

    /// Any octets: decoding returns or throws, never traps.
    @Test func randomBytesNeverTrap() async {
        await propertyCheck(count: 5000, input: Gen.uint8().array(of: 0...300)) { bytes in
            _ = try? PGMPacket.decode(bytes)
            _ = try? PGMPacket.decode(bytes, verifyChecksum: false)
            _ = try? PGMFraming.decodeIPv4(bytes, verifyChecksums: false)
            _ = try? PGMFraming.decodeIPv6(bytes, verifyChecksums: false)
        }
    }

    /// Random octets behind a plausible header (so the type-specific and
    /// option parsers are reached), including a random option area.
    @Test func randomBodiesNeverTrap() async {
        await propertyCheck(count: 5000, input: Gen.uint64()) { seed in
            var r = RandomPackets(seed: seed)
            let types: [UInt8] = [0, 1, 2, 4, 5, 8, 9, 10, 12, 13]
            var bytes: [UInt8] = [r.u8(), r.u8(), r.u8(), r.u8(), types[r.int(0...9)], r.bool() ? 0x01 : r.u8() & 0xC3]
            bytes += (0..<10).map { _ in r.u8() }
            var rest = r.bytes(0...120)
            if r.bool(), rest.count >= 4 {
                rest[0] = 0
                rest[1] = 4
                rest[2] = 0
                rest[3] = UInt8(r.int(0...rest.count))
            }
            bytes += rest
            checkCanonical(bytes)
        }
    }

    /// Valid packets with random octets changed, removed or added: decoding
    /// never traps, and whatever decodes re-encodes to the same octets.
    @Test func mutatedPacketsNeverTrapAndStayCanonical() async {
        await propertyCheck(count: 5000, input: Gen.uint64()) { seed in
            var r = RandomPackets(seed: seed)
            guard var bytes = try? r.packet().encoded() else { return }
            for _ in 0..<r.int(1...4) {
                switch r.int(0...3) {
                case 0, 1:
                    let i = r.int(0...(bytes.count - 1))
                    bytes[i] ^= UInt8(1) << UInt8(r.int(0...7))
                case 2:
                    bytes.removeLast(min(bytes.count, r.int(1...8)))
                default:
                    bytes.insert(r.u8(), at: r.int(0...bytes.count))
                }
                if bytes.isEmpty { break }
            }
            checkCanonical(bytes)
        }
    }

    /// The checksum field of a decodable packet is what the encoder writes.
    @Test func checksumsAgree() async {
        await propertyCheck(count: 1000, input: Gen.uint64()) { seed in
            var r = RandomPackets(seed: seed)
            var bytes = try r.packet().encoded()
            let field = Array(bytes[6...7])
            fixChecksum(&bytes)
            #expect(Array(bytes[6...7]) == field)
        }
    }
}

/// Decodes `bytes` with and without checksum verification; when it decodes
/// without, encoding must give back the input (checksum field aside).
func checkCanonical(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
    _ = try? PGMPacket.decode(bytes)
    guard let p = try? PGMPacket.decode(bytes, verifyChecksum: false) else { return }
    guard let again = try? p.encoded(checksum: false) else {
        Issue.record("decoded packet does not encode: \(p)", sourceLocation: sourceLocation)
        return
    }
    var expected = bytes
    expected[6] = 0
    expected[7] = 0
    #expect(again == expected, sourceLocation: sourceLocation)
    // The typed options, written again, are the decoded option octets.
    let typed = Array(p.options)
    #expect(typed.count == p.options.count, sourceLocation: sourceLocation)
    #expect((try? PGMOptions(typed)) == p.options, sourceLocation: sourceLocation)
}

import PGMWire
import Testing

// Hand-built octets for every packet type, laid out field by field from the
// RFC 3208 figures. Checksums (after /*ck*/) were computed independently of
// this codec (one's complement sum of the 16-bit words, complemented).
//
// Common header (section 8): Source Port, Destination Port, Type, Options,
// Checksum, GSI (6 octets), TSDU Length. Downstream packets carry the
// data-source port 0x1234 first; upstream ones (NAK, NNAK, SPMR, POLR, ACK)
// carry the data-destination port 0x1F90 first (section 8.3).

/// A vector: its octets and the value they stand for.
struct PacketVector: CustomTestStringConvertible, Sendable {
    let name: String
    let bytes: [UInt8]
    let packet: @Sendable () throws -> PGMPacket
    var testDescription: String { name }
}

let packetVectors: [PacketVector] = [
    PacketVector(
        name: "SPM, IPv4 path (8.1)",
        bytes: [
            0x12, 0x34, 0x1F, 0x90,  // SPM_SPORT, SPM_DPORT
            0x00, 0x00, /*ck*/ 0x03, 0x09,  // SPM_TYPE 0x00, no options, checksum
            0x01, 0x02, 0x03, 0x04, 0x05, 0x06,  // SPM_GSI
            0x00, 0x00,  // TSDU length 0
            0x00, 0x00, 0x00, 0x10,  // SPM_SQN 16
            0x00, 0x00, 0x00, 0x05,  // SPM_TRAIL 5
            0x00, 0x00, 0x00, 0x0F,  // SPM_LEAD 15
            0x00, 0x01, 0x00, 0x00,  // NLA AFI 1 (IPv4), reserved
            0xC0, 0x00, 0x02, 0x01,  // SPM_PATH 192.0.2.1
        ],
        packet: {
            try T.packet(.spm(PGMSPM(sequence: 16, trailingEdge: 5, leadingEdge: 15, path: T.source)))
        }),
    PacketVector(
        name: "SPM, IPv6 path, no window information (8.1)",
        bytes: [
            0x12, 0x34, 0x1F, 0x90,
            0x00, 0x00, /*ck*/ 0x17, 0x62,
            0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
            0x00, 0x00,
            0x00, 0x00, 0x00, 0x11,  // SPM_SQN 17
            0x00, 0x00, 0x00, 0x00,  // SPM_TRAIL 0
            0x80, 0x00, 0x00, 0x00,  // SPM_LEAD 0x80000000: no window information
            0x00, 0x02, 0x00, 0x00,  // NLA AFI 2 (IPv6), reserved
            0x20, 0x01, 0x0D, 0xB8, 0x00, 0x00, 0x00, 0x00,  // SPM_PATH 2001:db8::1
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
        ],
        packet: {
            try T.packet(.spm(PGMSPM(sequence: 17, trailingEdge: 0, leadingEdge: 0x8000_0000, path: T.source6)))
        }),
    PacketVector(
        name: "POLL (14.7.1)",
        bytes: [
            0x12, 0x34, 0x1F, 0x90,  // POLL_SPORT, POLL_DPORT
            0x01, 0x00, /*ck*/ 0xDB, 0xE8,  // POLL_TYPE 0x01
            0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
            0x00, 0x00,
            0x00, 0x00, 0x00, 0x07,  // POLL_SQN 7
            0x00, 0x01, 0x00, 0x01,  // POLL_ROUND 1, POLL_S_TYPE 1 (PGM_POLL_DLR)
            0x00, 0x01, 0x00, 0x00,  // NLA AFI 1, reserved
            0xC0, 0x00, 0x02, 0xFE,  // POLL_PATH 192.0.2.254
            0x00, 0x01, 0x86, 0xA0,  // POLL_BO_IVL 100000 us
            0xDE, 0xAD, 0xBE, 0xEF,  // POLL_RAND
            0x00, 0x00, 0x00, 0xFF,  // POLL_MASK
        ],
        packet: {
            try T.packet(.poll(PGMPoll(
                sequence: 7, round: 1, subtype: PGMPoll.dlr, path: T.router,
                backoffInterval: 100_000, randomString: 0xDEAD_BEEF, matchingMask: 0xFF)))
        }),
    PacketVector(
        name: "POLR (14.7.2)",
        bytes: [
            0x1F, 0x90, 0x12, 0x34,  // POLR_SPORT (data-destination), POLR_DPORT (data-source)
            0x02, 0x00, /*ck*/ 0xC3, 0x27,  // POLR_TYPE 0x02
            0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
            0x00, 0x00,
            0x00, 0x00, 0x00, 0x07,  // POLR_SQN 7
            0x00, 0x01, 0x00, 0x00,  // POLR_ROUND 1, reserved
        ],
        packet: { try T.packet(.polr(PGMPolr(sequence: 7, round: 1))) }),
    PacketVector(
        name: "ODATA with 3 octets of data (8.2)",
        bytes: [
            0x12, 0x34, 0x1F, 0x90,  // OD_SPORT, OD_DPORT
            0x04, 0x00, /*ck*/ 0x37, 0x93,  // OD_TYPE 0x04
            0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
            0x00, 0x03,  // TSDU length 3
            0x00, 0x00, 0x00, 0x20,  // OD_SQN 32
            0x00, 0x00, 0x00, 0x10,  // OD_TRAIL 16
            0x68, 0x69, 0x21,  // "hi!" (odd length: checksum pads with zero)
        ],
        packet: {
            try T.packet(.odata(PGMData(sequence: 32, trailingEdge: 16, payload: [0x68, 0x69, 0x21])))
        }),
    PacketVector(
        name: "RDATA (8.2)",
        bytes: [
            0x12, 0x34, 0x1F, 0x90,  // RD_SPORT, RD_DPORT
            0x05, 0x00, /*ck*/ 0x15, 0x42,  // RD_TYPE 0x05
            0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
            0x00, 0x02,  // TSDU length 2
            0x00, 0x00, 0x00, 0x1F,  // RD_SQN 31
            0x00, 0x00, 0x00, 0x11,  // RD_TRAIL 17
            0xAA, 0xBB,
        ],
        packet: {
            try T.packet(.rdata(PGMData(sequence: 31, trailingEdge: 17, payload: [0xAA, 0xBB])))
        }),
    PacketVector(
        name: "NAK (8.3)",
        bytes: [
            0x1F, 0x90, 0x12, 0x34,  // NAK_SPORT (data-destination), NAK_DPORT (data-source)
            0x08, 0x00, /*ck*/ 0x0A, 0x08,  // NAK_TYPE 0x08
            0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
            0x00, 0x00,
            0x00, 0x00, 0x00, 0x1F,  // NAK_SQN 31
            0x00, 0x01, 0x00, 0x00,  // NLA AFI 1, reserved
            0xC0, 0x00, 0x02, 0x01,  // NAK_SRC 192.0.2.1
            0x00, 0x01, 0x00, 0x00,  // NLA AFI 1, reserved
            0xEF, 0x01, 0x02, 0x03,  // NAK_GRP 239.1.2.3
        ],
        packet: { try T.packet(.nak(PGMNak(sequence: 31, source: T.source, group: T.group))) }),
    PacketVector(
        name: "NNAK (8.3)",
        bytes: [
            0x1F, 0x90, 0x12, 0x34,  // NNAK_SPORT, NNAK_DPORT
            0x09, 0x00, /*ck*/ 0x09, 0x07,  // NNAK_TYPE 0x09
            0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
            0x00, 0x00,
            0x00, 0x00, 0x00, 0x20,  // NNAK_SQN 32
            0x00, 0x01, 0x00, 0x00,
            0xC0, 0x00, 0x02, 0x01,  // NNAK_SRC
            0x00, 0x01, 0x00, 0x00,
            0xEF, 0x01, 0x02, 0x03,  // NNAK_GRP
        ],
        packet: { try T.packet(.nnak(PGMNak(sequence: 32, source: T.source, group: T.group))) }),
    PacketVector(
        name: "NCF, IPv6 source and group (8.3)",
        bytes: [
            0x12, 0x34, 0x1F, 0x90,  // NCF_SPORT (data-source), NCF_DPORT
            0x0A, 0x00, /*ck*/ 0x8E, 0x3F,  // NCF_TYPE 0x0A
            0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
            0x00, 0x00,
            0x00, 0x00, 0x00, 0x1F,  // NCF_SQN 31
            0x00, 0x02, 0x00, 0x00,  // NLA AFI 2, reserved
            0x20, 0x01, 0x0D, 0xB8, 0x00, 0x00, 0x00, 0x00,  // NCF_SRC 2001:db8::1
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
            0x00, 0x02, 0x00, 0x00,  // NLA AFI 2, reserved
            0xFF, 0x0E, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // NCF_GRP ff0e::1:3
            0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x03,
        ],
        packet: { try T.packet(.ncf(PGMNak(sequence: 31, source: T.source6, group: T.group6))) }),
    PacketVector(
        name: "SPMR (13.6)",
        bytes: [
            0x1F, 0x90, 0x12, 0x34,  // SPMR_SPORT (data-destination), SPMR_DPORT (data-source)
            0x0C, 0x00, /*ck*/ 0xB9, 0x2F,  // SPMR_TYPE 0x0C
            0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
            0x00, 0x00,
        ],
        packet: { try T.packet(.spmr) }),
    PacketVector(
        name: "ACK (PGMCC draft 2.1.2, 2.1.3)",
        bytes: [
            0x1F, 0x90, 0x12, 0x34,  // upstream ports
            0x0D, 0x00, /*ck*/ 0x38, 0x00,  // ACK type 0x0D
            0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
            0x00, 0x00,
            0x00, 0x00, 0x00, 0x30,  // RX_MAX 48
            0x7F, 0xFF, 0xFF, 0xFF,  // ACK_BITMAP: RX_MAX (LSB) and 30 before it; RX_MAX-31 lost
        ],
        packet: { try T.packet(.ack(PGMAck(rxMax: 48, bitmap: 0x7FFF_FFFF))) }),
]

@Suite("Packet vectors (RFC 3208 section 8, Appendices C and D, PGMCC ACK)")
struct PacketVectorTests {
    @Test(arguments: packetVectors)
    func decodes(_ v: PacketVector) throws {
        let decoded = try PGMPacket.decode(v.bytes)
        #expect(decoded == (try v.packet()))
    }

    @Test(arguments: packetVectors)
    func encodes(_ v: PacketVector) throws {
        #expect(try v.packet().encoded() == v.bytes)
    }

    @Test func everyPacketTypeHasAVector() throws {
        let types = Set(try packetVectors.map { try $0.packet().type })
        #expect(types == Set(PGMPacketType.allCases))
    }

    @Test func tsiAndPorts() throws {
        let nak = try PGMPacket.decode(packetVectors[6].bytes)
        #expect(nak.tsi == TSI(gsi: T.gsi, sourcePort: 0x1234))
        #expect(nak.dataDestinationPort == 0x1F90)
        let spm = try PGMPacket.decode(packetVectors[0].bytes)
        #expect(spm.tsi == nak.tsi)
        #expect(spm.tsi.description == "1.2.3.4.5.6.4660")
    }

    @Test func spmWindowInformation() throws {
        guard case .spm(let s) = try PGMPacket.decode(packetVectors[1].bytes).body else {
            Issue.record("not an SPM")
            return
        }
        #expect(s.hasNoWindowInformation)
        #expect(s.path.description == "2001:db8::1")
    }

    @Test func decodesFromEveryBufferKind() throws {
        let v = packetVectors[4]
        let expected = try v.packet()
        #expect(try PGMPacket.decode(v.bytes[...]) == expected)
        let fromRaw = try v.bytes.withUnsafeBytes { p in try PGMPacket.decode(p) }
        #expect(fromRaw == expected)
        #expect(try PGMPacket.decode(ContiguousArray(v.bytes)) == expected)
        // A slice that does not start at index 0.
        let padded = [0xEE, 0xEE] + v.bytes + [0xEE]
        #expect(try PGMPacket.decode(padded[2..<(2 + v.bytes.count)]) == expected)
        #expect(try v.bytes.withUnsafeBytes { p in try PGMPacket.validate(p) } == .odata)
    }

    @Test func encodesIntoCallerBuffer() throws {
        let v = packetVectors[0]
        var buffer = [UInt8](repeating: 0xEE, count: 64)
        let n = try buffer.withUnsafeMutableBytes { b in try v.packet().encode(into: b) }
        #expect(n == v.bytes.count)
        #expect(Array(buffer[0..<n]) == v.bytes)
        #expect(buffer[n] == 0xEE)
        var small = [UInt8](repeating: 0, count: 8)
        let spmr = try T.packet(.spmr)
        let error = small.withUnsafeMutableBytes { b in
            wireError { () throws(PGMWireError) in try spmr.encode(into: b) }
        }
        #expect(error == .bufferTooSmall(needed: 16, available: 8))
    }

    @Test func encodingWithoutChecksumLeavesZero() throws {
        let bytes = try T.packet(.spmr).encoded(checksum: false)
        #expect(bytes[6] == 0 && bytes[7] == 0)
        #expect(try PGMPacket.decode(bytes) == (try T.packet(.spmr)))
    }
}

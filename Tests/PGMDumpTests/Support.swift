import PGMDump
import PGMWire

/// Packets, datagrams and capture files the tests build.
enum S {
    static let gsi = GSI(2, 0, 94, 16, 32, 48)
    static let tsiText = "2.0.94.16.32.48.40000"
    static let sourcePort: UInt16 = 40000
    static let dport: UInt16 = 7500
    static let sender = IPv4Address(10, 0, 0, 1)
    static let group = IPv4Address(239, 192, 0, 1)
    static let receiver = IPv4Address(10, 0, 0, 9)
    /// 12:00:00.123456789 UTC on 1 January 1970.
    static let noon = CaptureTimestamp(seconds: 43_200, nanoseconds: 123_456_789)

    static func packet(_ body: PGMBody, _ options: [PGMOption] = [], flags: PGMHeaderFlags = []) throws -> PGMPacket {
        let up = body.type.isUpstream
        return PGMPacket(
            sourcePort: up ? dport : sourcePort, destinationPort: up ? sourcePort : dport, gsi: gsi, body: body,
            options: try PGMOptions(options), flags: flags)
    }

    /// One packet of every type, with the line pgm-dump prints for it.
    static func everyType() throws -> [(PGMPacket, String)] {
        let tsi = "tsi \(tsiText) dport 7500"
        let s4 = PGMNLA.ipv4(sender), g4 = PGMNLA.ipv4(group), r4 = PGMNLA.ipv4(receiver)
        return [
            (try packet(.spm(PGMSPM(sequence: 5, trailingEdge: 1, leadingEdge: 17, path: s4)),
                        [.init(.parityParameters(proactive: true, onDemand: false, groupSize: 8))],
                        flags: [.networkSignificant]),
             "SPM \(tsi) sqn 5 trail 1 lead 17 path 10.0.0.1 flags netsig [PARITY_PRM proactive tgs 8]"),
            (try packet(.poll(PGMPoll(sequence: 2, round: 1, subtype: PGMPoll.general, path: s4,
                                      backoffInterval: 100_000, randomString: 0x1234_5678, matchingMask: 0xFF))),
             "POLL \(tsi) sqn 2 round 1 subtype general path 10.0.0.1 bo_ivl 100000 rand 0x12345678 mask 0x000000ff"),
            (try packet(.polr(PGMPolr(sequence: 2, round: 1))), "POLR \(tsi) sqn 2 round 1"),
            (try packet(.odata(PGMData(sequence: 17, trailingEdge: 3, payload: [UInt8](repeating: 0x61, count: 1000))),
                        [.init(.fragment(firstSequence: 17, offset: 0, length: 3000)), .init(.syn)]),
             "ODATA \(tsi) sqn 17 trail 3 len 1000 [FRAGMENT first 17 off 0 len 3000] [SYN]"),
            (try packet(.rdata(PGMData(sequence: 18, trailingEdge: 3, payload: [1, 2, 3, 4]))),
             "RDATA \(tsi) sqn 18 trail 3 len 4"),
            (try packet(.nak(PGMNak(sequence: 18, source: s4, group: g4)), [.init(.nakList([19, 20]))]),
             "NAK \(tsi) sqn 18 src 10.0.0.1 grp 239.192.0.1 [NAK_LIST 19,20]"),
            (try packet(.nnak(PGMNak(sequence: 21, source: s4, group: g4))),
             "NNAK \(tsi) sqn 21 src 10.0.0.1 grp 239.192.0.1"),
            (try packet(.ncf(PGMNak(sequence: 18, source: s4, group: g4)),
                        [.init(.nakBackoffInterval(interval: 50_000, pollSequence: 0), extensibility: .discard)]),
             "NCF \(tsi) sqn 18 src 10.0.0.1 grp 239.192.0.1 [NAK_BO_IVL ivl 50000 sqn 0 opx discard]"),
            (try packet(.spmr), "SPMR \(tsi)"),
            (try packet(.ack(PGMAck(rxMax: 17, bitmap: 3)),
                        [.init(.pgmccFeedback(timestamp: 99, lossRate: 0, receiver: r4))]),
             "ACK \(tsi) rx_max 17 bitmap 0x00000003 [PGMCC_FEEDBACK tstamp 99 loss 0 rcvr 10.0.0.9]"),
        ]
    }

    /// The packet in a native IPv4 datagram, downstream from the sender to
    /// the group or upstream from the receiver to the sender.
    static func native(_ p: PGMPacket, identification: UInt16 = 0) throws -> [UInt8] {
        try PGMFraming.nativeIPv4Datagram(p, header: header(p, identification: identification))
    }

    static func udp(_ p: PGMPacket, sport: UInt16 = 3056, dport: UInt16 = 3055) throws -> [UInt8] {
        try PGMFraming.udpIPv4Datagram(p, header: header(p), udp: PGMUDPHeader(sourcePort: sport, destinationPort: dport))
    }

    static func header(_ p: PGMPacket, identification: UInt16 = 0) -> PGMIPv4Header {
        p.type.isUpstream
            ? PGMIPv4Header(source: receiver, destination: sender, identification: identification)
            : PGMIPv4Header(source: sender, destination: group, identification: identification)
    }

    /// `datagram` with its IPv4 fragment field set and the header checksum redone.
    static func fragment(_ datagram: [UInt8], offsetUnits: UInt16, more: Bool) -> [UInt8] {
        var d = datagram
        let field = offsetUnits | (more ? 0x2000 : 0)
        d[6] = UInt8(field >> 8)
        d[7] = UInt8(field & 0xFF)
        d[10] = 0
        d[11] = 0
        let ihl = Int(d[0] & 0x0F) * 4
        var sum: UInt32 = 0
        for i in stride(from: 0, to: ihl, by: 2) { sum += UInt32(d[i]) << 8 | UInt32(d[i + 1]) }
        while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
        let c = ~UInt16(sum)
        d[10] = UInt8(c >> 8)
        d[11] = UInt8(c & 0xFF)
        return d
    }
}

/// Integer bytes in either order.
struct Endian {
    var big: Bool
    func u16(_ v: UInt16) -> [UInt8] { big ? [UInt8(v >> 8), UInt8(v & 0xFF)] : [UInt8(v & 0xFF), UInt8(v >> 8)] }
    func u32(_ v: UInt32) -> [UInt8] {
        let le = (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * UInt32($0))) }
        return big ? le.reversed() : le
    }
}

/// A classic pcap file.
func pcapFile(
    _ frames: [(data: [UInt8], original: Int?)], big: Bool = false, nano: Bool = false, linkType: UInt32 = 101,
    start: CaptureTimestamp = S.noon
) -> [UInt8] {
    let e = Endian(big: big)
    var out = e.u32(nano ? 0xA1B2_3C4D : 0xA1B2_C3D4) + e.u16(2) + e.u16(4) + e.u32(0) + e.u32(0)
        + e.u32(65535) + e.u32(linkType)
    for (i, f) in frames.enumerated() {
        let fraction = nano ? start.nanoseconds : start.nanoseconds / 1000
        out += e.u32(UInt32(start.seconds) + UInt32(i)) + e.u32(fraction)
            + e.u32(UInt32(f.data.count)) + e.u32(UInt32(f.original ?? f.data.count)) + f.data
    }
    return out
}

func pcapFile(_ datagrams: [[UInt8]], big: Bool = false, nano: Bool = false, linkType: UInt32 = 101) -> [UInt8] {
    pcapFile(datagrams.map { (data: $0, original: nil) }, big: big, nano: nano, linkType: linkType)
}

/// pcapng blocks.
struct PcapNG {
    var e: Endian

    func block(_ type: UInt32, _ body: [UInt8]) -> [UInt8] {
        let padded = body + [UInt8](repeating: 0, count: (4 - body.count % 4) % 4)
        let length = UInt32(12 + padded.count)
        return e.u32(type) + e.u32(length) + padded + e.u32(length)
    }

    func shb() -> [UInt8] {
        block(0x0A0D_0D0A, e.u32(0x1A2B_3C4D) + e.u16(1) + e.u16(0) + [UInt8](repeating: 0xFF, count: 8))
    }

    /// An IDB with an optional if_tsresol.
    func idb(linkType: UInt16, snapLength: UInt32 = 0, tsresol: UInt8? = nil) -> [UInt8] {
        var body = e.u16(linkType) + e.u16(0) + e.u32(snapLength)
        if let r = tsresol {
            body += e.u16(9) + e.u16(1) + [r, 0, 0, 0] + e.u16(0) + e.u16(0)
        }
        return block(1, body)
    }

    func epb(interface: UInt32 = 0, units: UInt64, _ data: [UInt8], original: Int? = nil) -> [UInt8] {
        let padded = data + [UInt8](repeating: 0, count: (4 - data.count % 4) % 4)
        return block(6, e.u32(interface) + e.u32(UInt32(units >> 32)) + e.u32(UInt32(units & 0xFFFF_FFFF))
            + e.u32(UInt32(data.count)) + e.u32(UInt32(original ?? data.count)) + padded)
    }

    func spb(_ data: [UInt8]) -> [UInt8] {
        block(3, e.u32(UInt32(data.count)) + data)
    }
}

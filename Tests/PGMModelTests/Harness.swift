import PGMModel
import PGMTypes
import PGMWire
import Testing

/// Shared fixtures: one source configuration, packet builders, and drivers
/// that step a state machine and collect what it sent.
enum Fixture {
    static let gsi = GSI(1, 2, 3, 4, 5, 6)
    static let sourceAddress = PGMNLA.ipv4(IPv4Address(10, 0, 0, 1))
    static let pathAddress = PGMNLA.ipv4(IPv4Address(10, 0, 0, 254))
    static let otherPath = PGMNLA.ipv4(IPv4Address(10, 9, 9, 9))
    static let group = PGMNLA.ipv4(IPv4Address(239, 1, 2, 3))
    static let receiverAddress = PGMNLA.ipv4(IPv4Address(10, 1, 0, 1))
    static let sport: UInt16 = 7500
    static let dport: UInt16 = 7501
    static let tsi = TSI(gsi: gsi, sourcePort: sport)
    static let ms: Int64 = 1000

    static func t(_ ms: Int64) -> VirtualTime { VirtualTime(microseconds: ms * 1000) }

    static func sourceConfiguration(initial: UInt32 = 0) -> SourceConfiguration {
        SourceConfiguration(gsi: gsi, sourcePort: sport, destinationPort: dport, group: group,
                            address: sourceAddress, initialSequence: initial)
    }

    static func odata(_ sqn: UInt32, trail: UInt32 = 0, _ payload: [UInt8] = [1, 2, 3],
                      options: [PGMOption] = [], rdata: Bool = false) -> PGMPacket {
        let d = PGMData(sequence: sqn, trailingEdge: trail, payload: payload)
        return PGMPacket(sourcePort: sport, destinationPort: dport, gsi: gsi, body: rdata ? .rdata(d) : .odata(d),
                         options: (try? PGMOptions(options)) ?? PGMOptions())
    }

    static func spm(_ sqn: UInt32, trail: UInt32 = 0, lead: UInt32, path: PGMNLA = pathAddress,
                    options: [PGMOption] = []) -> PGMPacket {
        PGMPacket(sourcePort: sport, destinationPort: dport, gsi: gsi,
                  body: .spm(PGMSPM(sequence: sqn, trailingEdge: trail, leadingEdge: lead, path: path)),
                  options: (try? PGMOptions(options)) ?? PGMOptions())
    }

    static func ncf(_ sqn: UInt32, list: [UInt32] = []) -> PGMPacket {
        PGMPacket(sourcePort: sport, destinationPort: dport, gsi: gsi,
                  body: .ncf(PGMNak(sequence: sqn, source: sourceAddress, group: group)),
                  options: list.isEmpty ? PGMOptions() : ((try? PGMOptions([PGMOption(.nakList(list))])) ?? PGMOptions()))
    }

    static func nak(_ sqn: UInt32, list: [UInt32] = []) -> PGMPacket {
        PGMPacket(sourcePort: dport, destinationPort: sport, gsi: gsi,
                  body: .nak(PGMNak(sequence: sqn, source: sourceAddress, group: group)),
                  options: list.isEmpty ? PGMOptions() : ((try? PGMOptions([PGMOption(.nakList(list))])) ?? PGMOptions()))
    }

    static let spmr = PGMPacket(sourcePort: dport, destinationPort: sport, gsi: gsi, body: .spmr)

    /// The sequence numbers a NAK or NCF names, header first.
    static func sequences(_ p: PGMPacket) -> [UInt32] {
        var s: [UInt32] = []
        switch p.body {
        case .nak(let n), .ncf(let n), .nnak(let n): s.append(n.sequence)
        case .odata(let d), .rdata(let d): s.append(d.sequence)
        default: break
        }
        if case .nakList(let l)? = p.options.first(type: PGMOptionType.nakList)?.kind { s += l }
        return s
    }

    /// Every packet must survive the codec unchanged.
    static func checkWire(_ p: PGMPacket, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            let bytes = try p.encoded()
            let back = try PGMPacket.decode(bytes)
            #expect(back == p, sourceLocation: sourceLocation)
        } catch {
            Issue.record("codec refused \(p.type): \(error)", sourceLocation: sourceLocation)
        }
    }
}

/// Drives a receiver and records what it did.
struct ReceiverDriver {
    var receiver: Receiver
    var now = VirtualTime.zero
    var sent: [(VirtualTime, Transmission)] = []
    var events: [(VirtualTime, ReceiverEvent)] = []
    var out = Outbox<ReceiverEvent>()

    init(parameters: Parameters = Parameters(), pgmcc: PGMCCReceiverParameters? = nil,
         confirm: ConfirmReceiverParameters? = nil, seed: UInt64 = 1) {
        receiver = Receiver(address: Fixture.receiverAddress, group: Fixture.group, port: Fixture.dport,
                            parameters: parameters, pgmcc: pgmcc, confirm: confirm, random: SeededRandom(seed: seed))
    }

    mutating func collect() {
        for p in out.packets { Fixture.checkWire(p.packet); sent.append((now, p)) }
        for e in out.events { events.append((now, e)) }
        out.removeAll()
    }

    mutating func receive(_ p: PGMPacket, from: PGMNLA = Fixture.sourceAddress) {
        receiver.receive(p, from: from, at: now, into: &out)
        collect()
    }

    /// Runs timers until `t`.
    mutating func run(until t: VirtualTime) {
        while let d = receiver.nextDeadline, d <= t {
            now = max(now, d)
            receiver.advance(to: now, into: &out)
            collect()
        }
        now = t
    }

    /// The application closes the socket.
    mutating func close() {
        receiver.close(at: now, into: &out)
        collect()
    }

    var naks: [(VirtualTime, PGMPacket, Destination)] {
        sent.compactMap { $0.1.packet.type == .nak ? ($0.0, $0.1.packet, $0.1.destination) : nil }
    }

    var nakedSequences: [UInt32] { naks.flatMap { Fixture.sequences($0.1) } }

    var delivered: [[UInt8]] {
        events.compactMap { if case .data(_, _, let a) = $0.1 { return Array(a) } else { return nil } }
    }

    var losses: [(UInt32, UInt32)] {
        events.compactMap { if case .loss(_, let f, let c) = $0.1 { return (f.rawValue, c) } else { return nil } }
    }

    var ends: [SessionEnd] {
        events.compactMap { if case .sessionEnded(_, let r) = $0.1 { return r } else { return nil } }
    }
}

/// Drives a source and records what it sent.
struct SourceDriver {
    var source: Source
    var now = VirtualTime.zero
    var sent: [(VirtualTime, PGMPacket)] = []
    var events: [(VirtualTime, SourceEvent)] = []
    var out = Outbox<SourceEvent>()

    init(parameters: Parameters = Parameters(), initial: UInt32 = 0, fec: FECParameters? = nil,
         pgmcc: PGMCCSourceParameters? = nil, confirm: ConfirmSourceParameters? = nil) throws {
        source = try Source(Fixture.sourceConfiguration(initial: initial), parameters: parameters, fec: fec,
                            pgmcc: pgmcc, confirm: confirm)
    }

    mutating func collect() {
        for p in out.packets {
            Fixture.checkWire(p.packet)
            #expect(p.destination == .group(linkLocal: false))
            sent.append((now, p.packet))
        }
        for e in out.events { events.append((now, e)) }
        out.removeAll()
    }

    mutating func send(_ apdu: [UInt8]) throws {
        try source.send(apdu, at: now, into: &out)
        collect()
    }

    /// From `sender`; by default the receiver its PGMCC feedback names, if
    /// any, as a receiver sends it.
    mutating func receive(_ p: PGMPacket, from sender: PGMNLA? = nil) {
        var who = Fixture.receiverAddress
        if case .pgmccFeedback(_, _, let r)? = p.options.first(type: PGMOptionType.pgmccFeedback)?.kind { who = r }
        source.receive(p, from: sender ?? who, at: now, into: &out)
        collect()
    }

    mutating func run(until t: VirtualTime) {
        while let d = source.nextDeadline, d <= t {
            now = max(now, d)
            source.advance(to: now, into: &out)
            collect()
        }
        now = t
    }

    func packets(_ type: PGMPacketType) -> [(VirtualTime, PGMPacket)] { sent.filter { $0.1.type == type } }
}

extension Parameters {
    /// Defaults with the given overrides by table name.
    static func with(_ values: [String: UInt32]) throws -> Parameters {
        var p = Parameters()
        for (k, v) in values { try p.set(k, to: v) }
        return p
    }
}

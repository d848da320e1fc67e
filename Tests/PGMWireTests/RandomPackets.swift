import PGMTypes
import PGMWire

/// Random values of every packet and option type.
struct RandomPackets {
    var rng: SeededRandom  // the property checker's seed: failures reproduce

    init(seed: UInt64) { rng = SeededRandom(seed: seed) }

    mutating func u8() -> UInt8 { UInt8.random(in: .min ... .max, using: &rng) }
    mutating func u16() -> UInt16 { UInt16.random(in: .min ... .max, using: &rng) }
    mutating func u32() -> UInt32 {
        // Edge values a third of the time.
        if Int.random(in: 0..<3, using: &rng) == 0 {
            return [0, 1, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF].randomElement(using: &rng) ?? 0
        }
        return UInt32.random(in: .min ... .max, using: &rng)
    }
    mutating func bool() -> Bool { Bool.random(using: &rng) }
    mutating func int(_ r: ClosedRange<Int>) -> Int { Int.random(in: r, using: &rng) }
    mutating func bytes(_ r: ClosedRange<Int>) -> [UInt8] { (0..<int(r)).map { _ in u8() } }

    mutating func nla() -> PGMNLA {
        if bool() { return .ipv4(IPv4Address(rawValue: u32())) }
        return .ipv6(PGMIPv6Address(high: rng.next(), low: rng.next()))
    }

    mutating func option() -> PGMOption {
        let kind: PGMOption.Kind
        switch int(0...21) {
        case 0: kind = .fragment(firstSequence: u32(), offset: u32(), length: u32())
        case 1: kind = .nakList((0..<int(1...62)).map { _ in u32() })
        case 2: kind = .join(minimumSequence: u32())
        case 3: kind = .nakBackoffInterval(interval: u32(), pollSequence: u32())
        case 4: kind = .nakBackoffRange(maximum: u32(), minimum: u32())
        case 5: kind = .redirect(nla())
        case 6:
            let p = bool()
            kind = .parityParameters(proactive: p, onDemand: !p || bool(), groupSize: u32())
        case 7: kind = .parityGroup(max(1, u32()))
        case 8: kind = .currentGroupSize(u32())
        case 9: kind = .neighborUnreachable
        case 10: kind = .pathNLA(nla())
        case 11: kind = .syn
        case 12: kind = .fin
        case 13: kind = .reset(noNAKs: bool(), errorCode: u8() & 0x3F)
        case 14:
            kind = .congestionReport(PGMCongestionReport(
                flags: PGMCongestionReportFlags(rawValue: u8() & 0x07), referenceSequence: u32(),
                neWorstLink: u16(), neWorstPath: u16(), receiverWorstPath: u16(), worstReceiver: nla()))
        case 15: kind = .congestionReportRequest(PGMCongestionReportFlags(rawValue: u8() & 0x07))
        case 16: kind = .pgmccData(timestamp: u32(), acker: nla())
        case 17: kind = .pgmccFeedback(timestamp: u32(), lossRate: u16(), receiver: nla())
        case 18: kind = .invalidated(specific: u8() & 0x7F, value: bytes(0...40))
        case 19: kind = .encoded(type: UInt8(int(1...127)), parity: bytes(1...40))
        case 20: kind = .confirm(confirmed: u32(), receiverID: u32(), join: bool(), bye: bool(), lost: bool())
        default:
            var type: UInt8 = 0
            while type == 0 || PGMOptionType.known.contains(type) { type = UInt8(int(1...126)) }
            kind = .unknown(type: type, specific: u8() & 0x7F, value: bytes(0...40))
        }
        return PGMOption(kind, extensibility: PGMOptionExtensibility(rawValue: u8() & 3) ?? .ignore)
    }

    mutating func body() -> PGMBody {
        switch int(0...9) {
        case 0: return .spm(PGMSPM(sequence: u32(), trailingEdge: u32(), leadingEdge: u32(), path: nla()))
        case 1:
            return .poll(PGMPoll(
                sequence: u32(), round: u16(), subtype: u16(), path: nla(),
                backoffInterval: u32(), randomString: u32(), matchingMask: u32()))
        case 2: return .polr(PGMPolr(sequence: u32(), round: u16()))
        case 3: return .odata(PGMData(sequence: u32(), trailingEdge: u32(), payload: bytes(0...100)))
        case 4: return .rdata(PGMData(sequence: u32(), trailingEdge: u32(), payload: bytes(0...100)))
        case 5: return .nak(PGMNak(sequence: u32(), source: nla(), group: nla()))
        case 6: return .nnak(PGMNak(sequence: u32(), source: nla(), group: nla()))
        case 7: return .ncf(PGMNak(sequence: u32(), source: nla(), group: nla()))
        case 8: return .spmr
        default: return .ack(PGMAck(rxMax: u32(), bitmap: u32()))
        }
    }

    mutating func packet() -> PGMPacket {
        let b = body()
        let options = (0..<(bool() ? 0 : int(1...16))).map { _ in option() }
        return PGMPacket(
            sourcePort: u16(), destinationPort: u16(),
            gsi: GSI(rawValue: rng.next()), body: b,
            options: (try? PGMOptions(options)) ?? PGMOptions(),
            flags: flags())
    }

    /// Any defined header flags; OPT_VAR_PKTLEN only with OPT_PARITY.
    mutating func flags() -> PGMHeaderFlags {
        var f = PGMHeaderFlags(rawValue: u8() & PGMHeaderFlags.defined.rawValue)
        if f.contains(.variableLengthParity) { f.insert(.parity) }
        return f
    }
}

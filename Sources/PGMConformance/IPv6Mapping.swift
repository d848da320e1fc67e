import PGMWire

/// How the scenarios, written with the IPv4 addresses of `Network`, run over
/// IPv6 (the kernel backend's `--family 6`): every address is carried
/// through this one bijection on the way out (injected packets, the IUT's
/// socket) and back (what the IUT sent), so that the engine and the
/// scenarios see IPv4 only.
///
/// - Unicast: the scenario subnet 10.77.0.0/24 is fd77::/120, 10.77.0.N
///   being fd77::N (the IUT fd77::1, simulated peer n fd77::(n+1)).
/// - Multicast: an IPv4 group a.b.c.d (224.0.0.0/4) is ff15::a.b.c.d, the
///   IPv4 address in the low 32 bits of a transient site-scoped group:
///   239.77.0.1 is ff15::ef4d:1.
///
/// Any other address has no image: translating it is an error, never a
/// guess.
public enum IPv6Mapping {
    /// fd77::/120's upper 64 bits.
    public static let unicastPrefix: UInt64 = 0xFD77_0000_0000_0000
    /// ff15::/96's upper 64 bits (the low 64 hold the IPv4 group).
    public static let multicastPrefix: UInt64 = 0xFF15_0000_0000_0000
    /// The scenario subnet, 10.77.0.0/24: `Network`'s IUT and peers.
    static let subnet = Network(port: 0).iut.rawValue & 0xFFFF_FF00

    /// The IPv6 image of an IPv4 address, nil outside the scenario subnet
    /// and 224.0.0.0/4; 0.0.0.0 (PGMCC's "no acker") is ::.
    public static func ipv6(_ a: IPv4Address) -> IPv6Address? {
        if a.rawValue == 0 { return IPv6Address(high: 0, low: 0) }
        if a.rawValue & 0xFFFF_FF00 == subnet {
            return IPv6Address(high: unicastPrefix, low: UInt64(a.rawValue & 0xFF))
        }
        if a.rawValue >> 28 == 0xE {
            return IPv6Address(high: multicastPrefix, low: UInt64(a.rawValue))
        }
        return nil
    }

    /// The IPv4 address whose image `a` is, nil for any other address.
    public static func ipv4(_ a: IPv6Address) -> IPv4Address? {
        if a.high == 0 && a.low == 0 { return IPv4Address(rawValue: 0) }
        if a.high == unicastPrefix && a.low <= 0xFF {
            return IPv4Address(rawValue: subnet | UInt32(a.low))
        }
        if a.high == multicastPrefix && a.low >> 28 == 0xE {
            return IPv4Address(rawValue: UInt32(a.low))
        }
        return nil
    }

    /// An NLA of AFI 1 as its AFI 2 image. One of AFI 2 is refused: the
    /// engine writes IPv4 only.
    public static func nlaToIPv6(_ nla: PGMNLA) throws(BackendError) -> PGMNLA {
        guard case .ipv4(let a) = nla else { throw BackendError("an NLA of AFI 2 (\(nla)) among the scenario's IPv4 ones") }
        guard let v6 = ipv6(a) else { throw BackendError("\(a) has no IPv6 image (10.77.0.0/24 and 224.0.0.0/4 have)") }
        return .ipv6(v6)
    }

    /// An NLA of AFI 2 as the AFI 1 NLA it is the image of. One of AFI 1 is
    /// refused: a socket of AF_INET6 sends AFI 2 only (docs/ipv6.md).
    public static func nlaToIPv4(_ nla: PGMNLA) throws(BackendError) -> PGMNLA {
        guard case .ipv6(let a) = nla else { throw BackendError("an NLA of AFI 1 (\(nla)) over IPv6") }
        guard let v4 = ipv4(a) else { throw BackendError("\(a) is not the image of a scenario address") }
        return .ipv4(v4)
    }

    /// `packet` with every NLA (SPM path, NAK/NNAK/NCF source and group,
    /// POLL path, and the options that carry one: OPT_REDIRECT, OPT_PATH_NLA,
    /// OPT_CR, OPT_PGMCC_DATA, OPT_PGMCC_FEEDBACK) replaced by `map`'s
    /// answer. Options without an address keep their octets.
    public static func mapNLAs(
        _ packet: PGMPacket, _ map: (PGMNLA) throws(BackendError) -> PGMNLA
    ) throws(BackendError) -> PGMPacket {
        var p = packet
        switch p.body {
        case .spm(var s):
            s.path = try map(s.path)
            p.body = .spm(s)
        case .poll(var q):
            q.path = try map(q.path)
            p.body = .poll(q)
        case .nak(var n):
            n.source = try map(n.source)
            n.group = try map(n.group)
            p.body = .nak(n)
        case .nnak(var n):
            n.source = try map(n.source)
            n.group = try map(n.group)
            p.body = .nnak(n)
        case .ncf(var n):
            n.source = try map(n.source)
            n.group = try map(n.group)
            p.body = .ncf(n)
        case .polr, .odata, .rdata, .spmr, .ack:
            break
        }
        var changed = false
        var options: [PGMOption] = []
        for o in packet.options {
            var kind = o.kind
            switch o.kind {
            case .redirect(let a): kind = .redirect(try map(a))
            case .pathNLA(let a): kind = .pathNLA(try map(a))
            case .congestionReport(var r):
                r.worstReceiver = try map(r.worstReceiver)
                kind = .congestionReport(r)
            case .pgmccData(let t, let a): kind = .pgmccData(timestamp: t, acker: try map(a))
            case .pgmccFeedback(let t, let l, let a): kind = .pgmccFeedback(timestamp: t, lossRate: l, receiver: try map(a))
            default: break
            }
            if kind != o.kind { changed = true }
            options.append(PGMOption(kind, extensibility: o.extensibility))
        }
        if changed {
            do { p.options = try PGMOptions(options) } catch { throw BackendError("re-encoding the options: \(error)") }
        }
        return p
    }

    /// A packet the IUT sent over IPv6, as it would have been over IPv4.
    public static func toIPv4(_ packet: PGMPacket) throws(BackendError) -> PGMPacket {
        try mapNLAs(packet, nlaToIPv4)
    }

    /// A packet of the engine's (IPv4 NLAs) as sent over IPv6.
    public static func toIPv6(_ packet: PGMPacket) throws(BackendError) -> PGMPacket {
        try mapNLAs(packet, nlaToIPv6)
    }

    /// The packet types whose type-specific part holds an NLA (SPM, POLL,
    /// NAK, NNAK, NCF), by their wire number.
    static let nlaTypes: Set<UInt8> = [0x00, 0x01, 0x08, 0x09, 0x0A]

    /// The octets of an injection (`ConformanceBackend.inject`) for the
    /// IPv6 pass, `map` being `nlaToIPv6` (or `nlaToIPv4` for the way back,
    /// which the host tests take).
    ///
    /// A packet the codec decodes is re-encoded with its NLAs mapped, its
    /// checksum recomputed. A scenario's damaged packets keep their damage:
    /// one that decodes but for its checksum (`damage=checksum`) is
    /// re-encoded with the checksum off by the same bits, so it is still
    /// dropped for its checksum and not for an NLA of the wrong family; a
    /// zero checksum ("none") stays zero. One that does not decode at all
    /// (truncated, an unknown type, options or TSDU length past the end) is
    /// sent as it is when no NLA can be in it: its type has none, or it ends
    /// before the type-specific part's first NLA. Otherwise it is refused,
    /// so that a scenario never tests the IUT with an NLA of the wrong family
    /// unawares.
    public static func translate(
        _ bytes: [UInt8], _ map: (PGMNLA) throws(BackendError) -> PGMNLA
    ) throws(BackendError) -> [UInt8] {
        let field = bytes.count >= 8 ? UInt16(bytes[6]) << 8 | UInt16(bytes[7]) : 0
        let packet: PGMPacket
        var damage: UInt16 = 0
        if let p = try? PGMPacket.decode(bytes) {
            packet = p
        } else if let p = try? PGMPacket.decode(bytes, verifyChecksum: false) {
            packet = p
            if field != 0 {
                var zeroed = bytes
                zeroed[6] = 0
                zeroed[7] = 0
                damage = field ^ PGMChecksum.compute(zeroed)
            }
        } else {
            // SPM: 16 + 12 octets before its path NLA; NAK, NNAK, NCF: 16 + 4
            // (POLL's comes later still).
            let firstNLA = bytes.count > 4 && bytes[4] == 0x00 ? 28 : 20
            guard bytes.count <= 4 || !nlaTypes.contains(bytes[4]) || bytes.count <= firstNLA else {
                throw BackendError("a damaged packet of type \(bytes[4]) whose NLAs cannot be translated")
            }
            return bytes
        }
        let mapped = try mapNLAs(packet, map)
        var out: [UInt8]
        do { out = try mapped.encoded(checksum: field != 0) } catch { throw BackendError("re-encoding: \(error)") }
        if damage != 0 {
            out[6] ^= UInt8(damage >> 8)
            out[7] ^= UInt8(damage & 0xFF)
            // Zero would read as "no checksum": still wrong, never absent.
            if out[6] == 0 && out[7] == 0 { out[7] = 1 }
        }
        return out
    }
}

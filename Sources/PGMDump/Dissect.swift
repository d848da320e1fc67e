import PGMWire

/// An IPv4 fragment that `pgm-dump` shows as such (it does not reassemble).
public struct IPv4Fragment: Hashable, Sendable {
    public var identification: UInt16
    /// Fragment offset in octets.
    public var offset: Int
    /// The More Fragments flag.
    public var more: Bool
    /// Octets of IP payload in this fragment.
    public var length: Int

    public init(identification: UInt16, offset: Int, more: Bool, length: Int) {
        self.identification = identification
        self.offset = offset
        self.more = more
        self.length = length
    }
}

/// Why a PGM packet was not decoded.
public enum DumpProblem: Error, Hashable, Sendable {
    /// The codec refused the datagram or the packet.
    case wire(PGMWireError)
    /// The capture holds fewer octets than the frame had.
    case truncatedCapture(captured: Int, original: Int)
    /// An IPv4 fragment.
    case fragment(IPv4Fragment)

    public var text: String {
        switch self {
        case .wire(let e): return WireErrorText.text(e)
        case .truncatedCapture(let c, let o): return "truncated capture: \(c) of \(o) octets"
        case .fragment(let f):
            return "IPv4 fragment id \(f.identification) offset \(f.offset) len \(f.length)"
                + (f.more ? " more" : " last") + ", not reassembled"
        }
    }
}

/// The PGM common header fields read without validation, so that filters
/// can apply to packets the codec refuses.
public struct PGMHeaderPeek: Hashable, Sendable {
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    /// The low nibble of the Type octet.
    public var typeNibble: UInt8
    public var gsi: GSI

    /// Reads the first 16 octets of `bytes`; nil when there are fewer.
    public init?(_ bytes: ArraySlice<UInt8>) {
        guard bytes.count >= 16 else { return nil }
        let b = bytes.startIndex
        sourcePort = UInt16(bytes[b]) << 8 | UInt16(bytes[b + 1])
        destinationPort = UInt16(bytes[b + 2]) << 8 | UInt16(bytes[b + 3])
        typeNibble = bytes[b + 4] & 0x0F
        gsi = GSI(bytes[b + 8], bytes[b + 9], bytes[b + 10], bytes[b + 11], bytes[b + 12], bytes[b + 13])
    }

    public var type: PGMPacketType? { PGMPacketType(rawValue: typeNibble) }
}

/// One PGM packet as found in a capture: decoded, or with the reason it was
/// not.
public struct DumpPacket: Sendable {
    /// The frame's number in the capture.
    public var number: Int
    public var timestamp: CaptureTimestamp?
    /// Nil when the capture ends before the IPv4 addresses.
    public var source: IPv4Address?
    public var destination: IPv4Address?
    /// True for UDP encapsulation, false for IP protocol 113.
    public var isUDP: Bool
    /// The UDP ports, when known (not for non-first fragments).
    public var udp: PGMUDPHeader?
    /// The IPv4 Total Length field, or nil when not captured.
    public var ipLength: Int?
    /// The decoded packet or the problem.
    public var result: Result<PGMPacket, DumpProblem>
    /// The common header as found, when at least 16 octets of it were captured.
    public var peek: PGMHeaderPeek?

    public init(
        number: Int, timestamp: CaptureTimestamp?, source: IPv4Address?, destination: IPv4Address?,
        isUDP: Bool, udp: PGMUDPHeader?, ipLength: Int?, result: Result<PGMPacket, DumpProblem>, peek: PGMHeaderPeek?
    ) {
        self.number = number
        self.timestamp = timestamp
        self.source = source
        self.destination = destination
        self.isUDP = isUDP
        self.udp = udp
        self.ipLength = ipLength
        self.result = result
        self.peek = peek
    }

    public var packet: PGMPacket? {
        if case .success(let p) = result { return p }
        return nil
    }

    public var problem: DumpProblem? {
        if case .failure(let p) = result { return p }
        return nil
    }
}

/// Finds the PGM packets in captured frames: link layer, IPv4, then native
/// PGM (protocol 113) or UDP to or from one of `udpPorts`.
public struct Dissector: Sendable {
    public var udpPorts: Set<UInt16>
    /// First fragments of UDP datagrams to or from an encapsulation port, so
    /// that their later fragments are recognised (most recent last).
    private var udpFragmentKeys: [FragmentKey] = []
    private static let fragmentMemory = 256

    private struct FragmentKey: Hashable, Sendable {
        var source: UInt32
        var destination: UInt32
        var identification: UInt16
    }

    public init(udpPorts: Set<UInt16> = [3055, 3056]) {
        self.udpPorts = udpPorts
    }

    public enum Outcome: Sendable {
        /// A PGM packet, decoded or not.
        case pgm(DumpPacket)
        /// Not IPv4, or IPv4 that is neither PGM nor UDP-encapsulated PGM.
        case notPGM
        /// A link type this tool does not read.
        case unsupportedLinkType(UInt32)
    }

    private enum Link {
        case ipv4(ArraySlice<UInt8>)
        case other
        case short
        case unsupported
    }

    private static func be16(_ d: ArraySlice<UInt8>, _ o: Int) -> UInt16 {
        UInt16(d[d.startIndex + o]) << 8 | UInt16(d[d.startIndex + o + 1])
    }

    private static func network(_ record: CaptureRecord) -> Link {
        let d = record.data
        switch record.linkType {
        case LinkType.null:
            guard d.count >= 4 else { return .short }
            let b = d.startIndex
            // AF_INET is 2 everywhere; the family is in the capturing host's order.
            let le = UInt32(d[b]) | UInt32(d[b + 1]) << 8 | UInt32(d[b + 2]) << 16 | UInt32(d[b + 3]) << 24
            return le == 2 || le.byteSwapped == 2 ? .ipv4(d.dropFirst(4)) : .other
        case LinkType.ethernet:
            var o = 12
            guard d.count >= o + 2 else { return .short }
            var etherType = be16(d, o)
            // 802.1Q, 802.1ad and the older QinQ tag types, any depth.
            while etherType == 0x8100 || etherType == 0x88A8 || etherType == 0x9100 {
                o += 4
                guard d.count >= o + 2 else { return .short }
                etherType = be16(d, o)
            }
            return etherType == 0x0800 ? .ipv4(d.dropFirst(o + 2)) : .other
        case LinkType.raw:
            guard let first = d.first else { return .short }
            return first >> 4 == 4 ? .ipv4(d) : .other
        case LinkType.ipv4:
            return .ipv4(d)
        case LinkType.linuxSLL:
            guard d.count >= 16 else { return .short }
            return be16(d, 14) == 0x0800 ? .ipv4(d.dropFirst(16)) : .other
        case LinkType.linuxSLL2:
            guard d.count >= 20 else { return .short }
            return be16(d, 0) == 0x0800 ? .ipv4(d.dropFirst(20)) : .other
        default:
            return .unsupported
        }
    }

    /// Dissects one frame. `transportChecksumPending` is for live capture of
    /// packets whose transport checksum the kernel leaves to the device
    /// (TP_STATUS_CSUMNOTREADY): the UDP checksum, or for native PGM the PGM
    /// checksum, is then not verified.
    public mutating func dissect(_ record: CaptureRecord, transportChecksumPending: Bool = false) -> Outcome {
        let ip: ArraySlice<UInt8>
        switch Self.network(record) {
        case .ipv4(let d): ip = d
        case .other: return .notPGM
        case .unsupported: return .unsupportedLinkType(record.linkType)
        case .short:
            // A frame cut before its network-layer type cannot be told apart
            // from other traffic; only a capture cut short is reported.
            guard record.isTruncated else { return .notPGM }
            return .pgm(DumpPacket(
                number: record.number, timestamp: record.timestamp, source: nil, destination: nil, isUDP: false,
                udp: nil, ipLength: nil,
                result: .failure(.truncatedCapture(captured: record.data.count, original: record.originalLength)),
                peek: nil))
        }
        guard ip.count >= 20, ip[ip.startIndex] >> 4 == 4 else { return .notPGM }
        let b = ip.startIndex
        func be32(_ o: Int) -> UInt32 { UInt32(Self.be16(ip, o)) << 16 | UInt32(Self.be16(ip, o + 2)) }
        let headerLength = Int(ip[b] & 0x0F) * 4
        let total = Int(Self.be16(ip, 2))
        let identification = Self.be16(ip, 4)
        let fragmentField = Self.be16(ip, 6)
        let fragmentOffset = Int(fragmentField & 0x1FFF) * 8
        let more = fragmentField & 0x2000 != 0
        let proto = ip[b + 9]
        let source = IPv4Address(rawValue: be32(12))
        let destination = IPv4Address(rawValue: be32(16))
        let key = FragmentKey(source: source.rawValue, destination: destination.rawValue, identification: identification)
        let transport = headerLength >= 20 ? ip.dropFirst(headerLength) : ip[ip.endIndex...]

        var udp: PGMUDPHeader?
        let isUDP: Bool
        switch proto {
        case PGMFraming.ipProtocol:
            isUDP = false
        case PGMFraming.udpProtocol:
            isUDP = true
            if fragmentOffset == 0 {
                guard transport.count >= 4 else { return .notPGM }
                let ports = PGMUDPHeader(sourcePort: Self.be16(transport, 0), destinationPort: Self.be16(transport, 2))
                guard udpPorts.contains(ports.sourcePort) || udpPorts.contains(ports.destinationPort) else { return .notPGM }
                udp = ports
                if more { remember(key) }
            } else {
                guard udpFragmentKeys.contains(key) else { return .notPGM }
            }
        default:
            return .notPGM
        }

        let pgmStart = isUDP ? transport.dropFirst(8) : transport
        var peek = fragmentOffset == 0 ? PGMHeaderPeek(pgmStart) : nil
        let result: Result<PGMPacket, DumpProblem>
        if fragmentOffset != 0 || more {
            let length = max(0, min(total, ip.count) - headerLength)
            result = .failure(.fragment(IPv4Fragment(
                identification: identification, offset: fragmentOffset, more: more, length: length)))
        } else if record.isTruncated {
            result = .failure(.truncatedCapture(captured: record.data.count, original: record.originalLength))
        } else {
            result = Self.decode(ip, isUDP: isUDP, checksumPending: transportChecksumPending)
            if case .success = result { peek = nil }
        }
        return .pgm(DumpPacket(
            number: record.number, timestamp: record.timestamp, source: source, destination: destination,
            isUDP: isUDP, udp: udp, ipLength: total, result: result, peek: peek))
    }

    private static func decode(_ ip: ArraySlice<UInt8>, isUDP: Bool, checksumPending: Bool) -> Result<PGMPacket, DumpProblem> {
        do throws(PGMWireError) {
            let (header, payload) = try PGMFraming.parseIPv4(ip)
            if isUDP {
                let (_, pgm) = try PGMFraming.parseUDP(
                    payload, source: header.source, destination: header.destination, verifyChecksum: !checksumPending)
                return .success(try PGMPacket.decode(pgm))
            }
            return .success(try PGMPacket.decode(payload, verifyChecksum: !checksumPending))
        } catch {
            return .failure(.wire(error))
        }
    }

    private mutating func remember(_ key: FragmentKey) {
        if let i = udpFragmentKeys.firstIndex(of: key) { udpFragmentKeys.remove(at: i) }
        udpFragmentKeys.append(key)
        if udpFragmentKeys.count > Self.fragmentMemory { udpFragmentKeys.removeFirst() }
    }
}

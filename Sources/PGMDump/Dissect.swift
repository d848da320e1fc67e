import PGMWire

/// An IPv4 or IPv6 fragment that `pgm-dump` shows as such (it does not
/// reassemble).
public struct IPFragment: Hashable, Sendable {
    /// IPv4's 16-bit or IPv6's 32-bit Identification.
    public var identification: UInt32
    /// Fragment offset in octets.
    public var offset: Int
    /// The More Fragments flag.
    public var more: Bool
    /// Octets of IP payload in this fragment (for IPv6, after the Fragment
    /// header).
    public var length: Int
    /// True for an IPv6 Fragment header, false for IPv4.
    public var isIPv6: Bool

    public init(identification: UInt32, offset: Int, more: Bool, length: Int, isIPv6: Bool = false) {
        self.identification = identification
        self.offset = offset
        self.more = more
        self.length = length
        self.isIPv6 = isIPv6
    }
}

/// Why a PGM packet was not decoded.
public enum DumpProblem: Error, Hashable, Sendable {
    /// The codec refused the datagram or the packet.
    case wire(PGMWireError)
    /// The capture holds fewer octets than the frame had.
    case truncatedCapture(captured: Int, original: Int)
    /// An IPv4 or IPv6 fragment.
    case fragment(IPFragment)

    public var text: String {
        switch self {
        case .wire(let e): return WireErrorText.text(e)
        case .truncatedCapture(let c, let o): return "truncated capture: \(c) of \(o) octets"
        case .fragment(let f):
            return "IPv\(f.isIPv6 ? 6 : 4) fragment id \(f.identification) offset \(f.offset) len \(f.length)"
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
    /// The IP source and destination, IPv4 or IPv6 (an NLA is RFC 3208's
    /// name for a network-layer address of either family); nil when the
    /// capture ends before them.
    public var source: PGMNLA?
    public var destination: PGMNLA?
    /// True for UDP encapsulation, false for IP protocol 113.
    public var isUDP: Bool
    /// The UDP ports, when known (not for non-first fragments).
    public var udp: PGMUDPHeader?
    /// The IP datagram's declared size (IPv4 Total Length, IPv6 40 plus
    /// Payload Length), or nil when not captured.
    public var ipLength: Int?
    /// The decoded packet or the problem.
    public var result: Result<PGMPacket, DumpProblem>
    /// The common header as found, when at least 16 octets of it were captured.
    public var peek: PGMHeaderPeek?

    public init(
        number: Int, timestamp: CaptureTimestamp?, source: PGMNLA?, destination: PGMNLA?,
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

/// Finds the PGM packets in captured frames: link layer, IPv4 or IPv6, then
/// native PGM (protocol or Next Header 113) or UDP to or from one of
/// `udpPorts`.
public struct Dissector: Sendable {
    public var udpPorts: Set<UInt16>
    /// First fragments of UDP datagrams to or from an encapsulation port, so
    /// that their later fragments are recognised (most recent last).
    private var udpFragmentKeys: [FragmentKey] = []
    private static let fragmentMemory = 256

    private struct FragmentKey: Hashable, Sendable {
        var source: PGMNLA
        var destination: PGMNLA
        var identification: UInt32
    }

    public init(udpPorts: Set<UInt16> = [3055, 3056]) {
        self.udpPorts = udpPorts
    }

    public enum Outcome: Sendable {
        /// A PGM packet, decoded or not.
        case pgm(DumpPacket)
        /// Not IP, or IP that is neither PGM nor UDP-encapsulated PGM.
        case notPGM
        /// A link type this tool does not read.
        case unsupportedLinkType(UInt32)
    }

    private enum Link {
        /// An IP datagram; `version` is what the link layer says it is (4 or
        /// 6), nil when only the version nibble tells.
        case ip(ArraySlice<UInt8>, version: UInt8?)
        case other
        case short
        case unsupported
    }

    private static func be16(_ d: ArraySlice<UInt8>, _ o: Int) -> UInt16 {
        UInt16(d[d.startIndex + o]) << 8 | UInt16(d[d.startIndex + o + 1])
    }

    /// The IP version an EtherType names.
    private static func version(etherType: UInt16) -> UInt8? {
        switch etherType {
        case 0x0800: return 4
        case 0x86DD: return 6
        default: return nil
        }
    }

    private static func ip(_ d: ArraySlice<UInt8>, etherType: UInt16) -> Link {
        guard let v = version(etherType: etherType) else { return .other }
        return .ip(d, version: v)
    }

    private static func network(_ record: CaptureRecord) -> Link {
        let d = record.data
        switch record.linkType {
        case LinkType.null:
            guard d.count >= 4 else { return .short }
            let b = d.startIndex
            // AF_INET is 2 everywhere, AF_INET6 10 (Linux), 24 (NetBSD,
            // OpenBSD), 28 (FreeBSD) or 30 (Darwin); the family is in the
            // capturing host's order.
            let le = UInt32(d[b]) | UInt32(d[b + 1]) << 8 | UInt32(d[b + 2]) << 16 | UInt32(d[b + 3]) << 24
            let family = le < 0x1_0000 ? le : le.byteSwapped
            switch family {
            case 2: return .ip(d.dropFirst(4), version: 4)
            case 10, 24, 28, 30: return .ip(d.dropFirst(4), version: 6)
            default: return .other
            }
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
            return ip(d.dropFirst(o + 2), etherType: etherType)
        case LinkType.raw:
            guard !d.isEmpty else { return .short }
            return .ip(d, version: nil)
        case LinkType.ipv4:
            return .ip(d, version: 4)
        case LinkType.ipv6:
            return .ip(d, version: 6)
        case LinkType.linuxSLL:
            guard d.count >= 16 else { return .short }
            return ip(d.dropFirst(16), etherType: be16(d, 14))
        case LinkType.linuxSLL2:
            guard d.count >= 20 else { return .short }
            return ip(d.dropFirst(20), etherType: be16(d, 0))
        default:
            return .unsupported
        }
    }

    /// What the dissector reads of an IPv4 or IPv6 header, without the
    /// codec's validation, so that a packet it refuses is still placed.
    private struct IPView {
        var source: PGMNLA
        var destination: PGMNLA
        /// IPv4 Protocol or the IPv6 upper-layer Next Header.
        var proto: UInt8
        /// The upper-layer octets captured (for a fragment, its data).
        var transport: ArraySlice<UInt8>
        /// The declared datagram size.
        var totalLength: Int
        /// Identification, offset, More Fragments and length; offset 0
        /// without More Fragments for a whole datagram.
        var fragment: IPFragment
    }

    private static func ipv4View(_ ip: ArraySlice<UInt8>) -> IPView? {
        guard ip.count >= 20 else { return nil }
        let b = ip.startIndex
        func be32(_ o: Int) -> UInt32 { UInt32(Self.be16(ip, o)) << 16 | UInt32(Self.be16(ip, o + 2)) }
        let headerLength = Int(ip[b] & 0x0F) * 4
        let total = Int(Self.be16(ip, 2))
        let fragmentField = Self.be16(ip, 6)
        return IPView(
            source: .ipv4(IPv4Address(rawValue: be32(12))), destination: .ipv4(IPv4Address(rawValue: be32(16))),
            proto: ip[b + 9], transport: headerLength >= 20 ? ip.dropFirst(headerLength) : ip[ip.endIndex...],
            totalLength: total,
            fragment: IPFragment(
                identification: UInt32(Self.be16(ip, 4)), offset: Int(fragmentField & 0x1FFF) * 8,
                more: fragmentField & 0x2000 != 0, length: max(0, min(total, ip.count) - headerLength)))
    }

    /// An IPv6 datagram whose extension headers cannot be walked (too many,
    /// cut short) has no known upper layer: nil, as for other traffic.
    private static func ipv6View(_ ip: ArraySlice<UInt8>) -> IPView? {
        guard let layout = try? PGMFraming.ipv6Layout(ip, captured: true) else { return nil }
        let base = ip.startIndex
        let transport = ip[(base + layout.payload.lowerBound)..<(base + layout.payload.upperBound)]
        let f = layout.fragment
        return IPView(
            source: .ipv6(layout.header.source), destination: .ipv6(layout.header.destination),
            proto: layout.header.nextHeader, transport: transport, totalLength: layout.totalLength,
            fragment: IPFragment(
                identification: f?.identification ?? 0, offset: f?.offset ?? 0, more: f?.more ?? false,
                length: transport.count, isIPv6: true))
    }

    /// Dissects one frame. `transportChecksumPending` is for live capture of
    /// packets whose transport checksum the kernel leaves to the device
    /// (TP_STATUS_CSUMNOTREADY): the UDP checksum, or for native PGM the PGM
    /// checksum, is then not verified.
    public mutating func dissect(_ record: CaptureRecord, transportChecksumPending: Bool = false) -> Outcome {
        let ip: ArraySlice<UInt8>
        let linkVersion: UInt8?
        switch Self.network(record) {
        case .ip(let d, let v):
            ip = d
            linkVersion = v
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
        guard let first = ip.first else { return .notPGM }
        let version = first >> 4
        guard linkVersion == nil || linkVersion == version else { return .notPGM }
        let view: IPView?
        switch version {
        case 4: view = Self.ipv4View(ip)
        case 6: view = Self.ipv6View(ip)
        default: view = nil
        }
        guard let view else { return .notPGM }
        let fragment = view.fragment
        let key = FragmentKey(source: view.source, destination: view.destination, identification: fragment.identification)
        let transport = view.transport

        var udp: PGMUDPHeader?
        let isUDP: Bool
        switch view.proto {
        case PGMFraming.ipProtocol:
            isUDP = false
        case PGMFraming.udpProtocol:
            isUDP = true
            if fragment.offset == 0 {
                guard transport.count >= 4 else { return .notPGM }
                let ports = PGMUDPHeader(sourcePort: Self.be16(transport, 0), destinationPort: Self.be16(transport, 2))
                guard udpPorts.contains(ports.sourcePort) || udpPorts.contains(ports.destinationPort) else { return .notPGM }
                udp = ports
                if fragment.more { remember(key) }
            } else {
                guard udpFragmentKeys.contains(key) else { return .notPGM }
            }
        default:
            return .notPGM
        }

        let pgmStart = isUDP ? transport.dropFirst(8) : transport
        var peek = fragment.offset == 0 ? PGMHeaderPeek(pgmStart) : nil
        let result: Result<PGMPacket, DumpProblem>
        if fragment.offset != 0 || fragment.more {
            result = .failure(.fragment(fragment))
        } else if record.isTruncated {
            result = .failure(.truncatedCapture(captured: record.data.count, original: record.originalLength))
        } else {
            result = Self.decode(ip, version: version, checksumPending: transportChecksumPending)
            if case .success = result { peek = nil }
        }
        return .pgm(DumpPacket(
            number: record.number, timestamp: record.timestamp, source: view.source, destination: view.destination,
            isUDP: isUDP, udp: udp, ipLength: view.totalLength, result: result, peek: peek))
    }

    /// The strict decode: IP header, UDP header when there is one, PGM packet.
    private static func decode(_ ip: ArraySlice<UInt8>, version: UInt8, checksumPending: Bool) -> Result<PGMPacket, DumpProblem> {
        do throws(PGMWireError) {
            let verifyUDP = !checksumPending
            let decoded: (udp: PGMUDPHeader?, packet: PGMPacket)
            if version == 6 {
                let (header, payload) = try PGMFraming.parseIPv6(ip)
                decoded = try PGMFraming.decodeTransport(
                    header.nextHeader, payload, verifyPGM: header.nextHeader == PGMFraming.udpProtocol || !checksumPending
                ) { (d: ArraySlice<UInt8>) throws(PGMWireError) in
                    try PGMFraming.parseUDP(d, source: header.source, destination: header.destination, verifyChecksum: verifyUDP)
                }
            } else {
                let (header, payload) = try PGMFraming.parseIPv4(ip)
                decoded = try PGMFraming.decodeTransport(
                    header.protocolNumber, payload,
                    verifyPGM: header.protocolNumber == PGMFraming.udpProtocol || !checksumPending
                ) { (d: ArraySlice<UInt8>) throws(PGMWireError) in
                    try PGMFraming.parseUDP(d, source: header.source, destination: header.destination, verifyChecksum: verifyUDP)
                }
            }
            return .success(decoded.packet)
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

import PGMWire

/// Which packets `pgm-dump` shows: by type, TSI and data-destination port.
///
/// A packet the codec refused is judged by its common header as captured
/// (`PGMHeaderPeek`); when not even that was captured (later fragments, a
/// capture cut inside the header) it is shown whatever the filter says.
public struct DumpFilter: Hashable, Sendable {
    /// Nil: every type.
    public var types: Set<PGMPacketType>?
    public var tsi: TSI?
    /// The data-destination port.
    public var port: UInt16?

    public init(types: Set<PGMPacketType>? = nil, tsi: TSI? = nil, port: UInt16? = nil) {
        self.types = types
        self.tsi = tsi
        self.port = port
    }

    public var isEmpty: Bool { types == nil && tsi == nil && port == nil }

    public func matches(_ p: DumpPacket) -> Bool {
        if let packet = p.packet {
            return matches(type: packet.type, tsi: packet.tsi, port: packet.dataDestinationPort)
        }
        guard let peek = p.peek else { return true }
        guard let type = peek.type else {
            // Not a packet type at all: it cannot be one of the types asked
            // for, and which port is the data-source port is unknown.
            if types != nil { return false }
            if let t = tsi, t.gsi != peek.gsi || (t.sourcePort != peek.sourcePort && t.sourcePort != peek.destinationPort) {
                return false
            }
            if let port, port != peek.sourcePort && port != peek.destinationPort { return false }
            return true
        }
        let upstream = type.isUpstream
        return matches(
            type: type,
            tsi: TSI(gsi: peek.gsi, sourcePort: upstream ? peek.destinationPort : peek.sourcePort),
            port: upstream ? peek.sourcePort : peek.destinationPort)
    }

    func matches(type: PGMPacketType, tsi packetTSI: TSI, port packetPort: UInt16) -> Bool {
        if let types, !types.contains(type) { return false }
        if let tsi, tsi != packetTSI { return false }
        if let port, port != packetPort { return false }
        return true
    }

    /// Parses a comma-separated list of packet type names, any case.
    public static func parseTypes(_ text: String) -> Result<Set<PGMPacketType>, FilterSyntaxError> {
        var set: Set<PGMPacketType> = []
        for name in text.split(separator: ",", omittingEmptySubsequences: false) {
            let upper = name.trimmingSpaces.uppercased()
            guard let type = PGMPacketType.allCases.first(where: { $0.description == upper }) else {
                let known = PGMPacketType.allCases.map(\.description).joined(separator: ", ")
                return .failure(FilterSyntaxError("unknown packet type '\(name)'; known types: \(known)"))
            }
            set.insert(type)
        }
        return .success(set)
    }

    /// Parses a TSI as ``TSI`` does: the GSI's six octets in dotted
    /// decimal, as OpenPGM, `pgm-info` and `pgm-dump` print it
    /// ("2.0.94.16.32.48.40000"), or in colon-separated hex, as Wireshark
    /// shows GSIs ("02:00:5e:10:20:30.40000"), then a dot and the
    /// data-source port.
    public static func parseTSI(_ text: String) -> Result<TSI, FilterSyntaxError> {
        do {
            return .success(try TSI(text))
        } catch {
            return .failure(FilterSyntaxError("--tsi wants GSI.PORT: \(error)"))
        }
    }
}

/// A filter argument that does not parse.
public struct FilterSyntaxError: Error, Hashable, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ d: String) { description = d }
}

extension Substring {
    var trimmingSpaces: Substring {
        var s = self
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return s
    }
}

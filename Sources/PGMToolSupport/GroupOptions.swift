import ArgumentParser
import PGM

/// `--group` and `--port`, as pgm-send and pgm-recv take them: a multicast
/// group and a data-destination port, checked before anything is opened.
public struct GroupOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Multicast group.", valueName: "address"))
    public var group = "239.192.0.1"

    @Option(parsing: .unconditional, help: "Data-destination port (1-65535).")
    public var port = 7500

    public init() {}

    public mutating func validate() throws {
        guard (try? IPv4Address(group))?.isMulticast == true else {
            throw ValidationError("--group wants an IPv4 multicast address (224.0.0.0/4); got '\(group)'")
        }
        guard (1...65535).contains(port) else { throw ValidationError("--port must be 1-65535; got \(port)") }
    }

    /// The group and port, once validated.
    public var endpoint: IPv4Endpoint { IPv4Endpoint((try? IPv4Address(group)) ?? .any, port: UInt16(clamping: port)) }
}

/// `--udp` and `--udp-ports`: PGM in UDP (pgm(7) `PGM_UDP_ENCAP`).
public struct UDPOptions: ParsableArguments {
    @Flag(help: "Use PGM in UDP (OpenPGM's encapsulation, ZeroMQ's epgm://) on the namespace's default ports.")
    public var udp = false

    @Option(help: ArgumentHelp("UDP ports, unicast then multicast; one port means both, as epgm:// does (implies --udp).",
                               valueName: "port[,port]"))
    public var udpPorts: String?

    public init() {}

    public mutating func validate() throws {
        if let p = udpPorts, Self.parse(p) == nil {
            throw ValidationError("--udp-ports wants one or two ports 1-65535 separated by a comma; got '\(p)'")
        }
    }

    static func parse(_ s: String) -> UDPEncapsulation? {
        let ports = s.split(separator: ",", omittingEmptySubsequences: false).map { UInt16($0) }
        guard (1...2).contains(ports.count), ports.allSatisfy({ ($0 ?? 0) != 0 }) else { return nil }
        return UDPEncapsulation(udpEncapUcastPort: ports[0], udpEncapMcastPort: ports.count == 2 ? ports[1] : ports[0])
    }

    /// The encapsulation asked for; nil for native PGM.
    public var encapsulation: UDPEncapsulation? {
        if let p = udpPorts { return Self.parse(p) }
        return udp ? UDPEncapsulation() : nil
    }
}

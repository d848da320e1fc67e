import ArgumentParser
import PGM

/// `--group` and `--port`, as pgm-send and pgm-recv take them: a multicast
/// group and a data-destination port, checked before anything is opened.
public struct GroupOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Multicast group.", valueName: "address"))
    public var group = "239.192.0.1"

    @Option(help: "Data-destination port (1-65535).")
    public var port: UInt16 = 7500

    public init() {}

    public mutating func validate() throws {
        guard IPv4Address(group)?.isMulticast == true else {
            throw ValidationError("--group wants an IPv4 multicast address (224.0.0.0/4); got '\(group)'")
        }
        guard port != 0 else { throw ValidationError("--port must be 1-65535") }
    }

    /// The group and port, once validated.
    public var endpoint: IPv4Endpoint { IPv4Endpoint(IPv4Address(group) ?? .any, port: port) }
}

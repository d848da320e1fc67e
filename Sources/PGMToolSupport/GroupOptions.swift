import ArgumentParser
import PGM
import PGMCLISupport

#if canImport(Glibc)
import Glibc
#endif

/// `--group`, `--port` and `--interface`, as pgm-send, pgm-recv and
/// pgm-perf take them: a multicast group, a data-destination port and the
/// interface to use, checked before anything is opened.
///
/// The group is IPv4 (239.192.0.1) or IPv6 (ff15::1, with a zone for a
/// link-scoped one: ff02::1%eth0). It may be an OpenPGM/ZeroMQ network
/// string, the interface and the group separated by a semicolon:
/// `eth0;239.192.0.1`, `192.168.1.5;239.192.0.1`, `eth0;ff15::1`, or
/// `;239.192.0.1` for the default interface. With an IPv4 group an
/// interface is an IPv4 address of this host or an interface name, which
/// stands for the interface's (first) IPv4 address; with an IPv6 group it
/// is an interface name (IPv6 names interfaces by index, not by address).
public struct GroupOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Multicast group, IPv4 (239.192.0.1) or IPv6 (ff15::1, ff02::1%eth0), "
            + "or a network string INTERFACE;GROUP (eth0;239.192.0.1, eth0;ff15::1, ;239.192.0.1).",
        valueName: "address"))
    public var group = "239.192.0.1"

    @Option(parsing: .unconditional, help: "Data-destination port (1-65535).")
    public var port = 7500

    @Option(help: ArgumentHelp(
        "The interface to send from or join on: its name (eth0), or with an IPv4 group an IPv4 address of it "
            + "(default: the route's, or an IPv6 group's %zone).",
        valueName: "name|address"))
    public var interface: String?

    public init() {}

    public mutating func validate() throws {
        guard let (i, g) = Self.split(group) else {
            throw ValidationError("--group takes one group, or INTERFACE;GROUP; got '\(group)'")
        }
        guard let (address, zone) = try? IPAddress.parseWithZone(g), address.isMulticast else {
            throw ValidationError(
                "--group wants a multicast address, IPv4 (224.0.0.0/4) or IPv6 (ff00::/8, ff02::1%eth0); got '\(group)'")
        }
        if let i, interface != nil {
            throw ValidationError("--group '\(group)' names the interface '\(i)' and --interface another: give it once")
        }
        let chosen = interface ?? i
        if let i = chosen {
            switch (InterfaceSpec(i), address) {
            case (nil, _):
                throw ValidationError("--interface wants an IPv4 address of this host or an interface name; got '\(i)'")
            case (.address?, .v6):
                throw ValidationError(
                    "--interface \(i) is an IPv4 address; with the IPv6 group \(address) name the interface (eth0)")
            default:
                break
            }
        }
        if case .v6(let a) = address, a.needsScope, zone == nil, chosen == nil {
            throw ValidationError(
                "--group \(address) is link-scoped: name its interface, as \(address)%eth0 or with --interface")
        }
        guard (1...65535).contains(port) else { throw ValidationError("--port must be 1-65535; got \(port)") }
    }

    /// The group's address and zone, nil before validation.
    var groupAddress: IPAddress? { try? IPAddress.parseWithZone(Self.split(group)?.1 ?? group).0 }

    /// A network string's interface (nil when none) and group.
    static func split(_ s: String) -> (String?, String)? {
        let parts = s.split(separator: ";", omittingEmptySubsequences: false).map(String.init)
        switch parts.count {
        case 1: return (nil, parts[0])
        case 2: return (parts[0].isEmpty ? nil : parts[0], parts[1])
        default: return nil
        }
    }

    /// The group, its zone and the port, once validated.
    public var endpoint: PGMEndpoint {
        let parsed = try? IPAddress.parseWithZone(Self.split(group)?.1 ?? group)
        return PGMEndpoint(parsed?.0 ?? .v4(.any), port: UInt16(clamping: port), zone: parsed?.1)
    }

    /// The interface as given, by --interface or in the network string.
    public var interfaceText: String? { interface ?? Self.split(group)?.0 }

    /// The interface for the library, nil for the routing table's choice
    /// (or the IPv6 group's zone): with an IPv4 group an address (a name
    /// stands for the interface's first IPv4 address, as ``interfaceAddress()``
    /// finds it), with an IPv6 group the name.
    ///
    /// - Throws: a ``Failure`` naming the cause, as ``interfaceAddress()``.
    public func pgmInterface() throws(Failure) -> PGMInterface? {
        guard case .v6? = groupAddress else { return try interfaceAddress().map { .address($0) } }
        guard let text = interfaceText else { return nil }
        return .name(text)
    }

    /// The interface's IPv4 address, nil for the routing table's choice.
    ///
    /// - Throws: a ``Failure`` naming the cause: no interface of that name,
    ///   or one without an IPv4 address.
    public func interfaceAddress() throws(Failure) -> IPv4Address? {
        guard let text = interfaceText, let spec = InterfaceSpec(text) else { return nil }
        do {
            return try spec.address()
        } catch {
            throw Failure(error.description)
        }
    }
}

/// An interface as a user names it: an IPv4 address of it, or its name.
public enum InterfaceSpec: Sendable, Equatable {
    case address(IPv4Address)
    case name(String)

    /// `s` as an address when it looks like one (digits and dots), else as
    /// an interface name (1-15 bytes, no '/', ':' or white space, as
    /// Linux's dev_valid_name); nil when it is neither.
    public init?(_ s: String) {
        if !s.isEmpty, s.allSatisfy({ $0 == "." || $0.isASCII && $0.isNumber }) {
            guard let a = try? IPv4Address(s) else { return nil }
            self = .address(a)
            return
        }
        guard (1..<Int(IFNAMSIZ)).contains(s.utf8.count), s != ".", s != "..",
              !s.contains(where: { $0 == "/" || $0 == ":" || $0.isWhitespace })
        else { return nil }
        self = .name(s)
    }

    /// The address to use: the given one, or the named interface's first
    /// IPv4 address (getifaddrs(3)).
    public func address() throws(InterfaceError) -> IPv4Address {
        switch self {
        case .address(let a):
            return a
        case .name(let n):
            guard if_nametoindex(n) != 0 else { throw .noSuchInterface(n) }
            guard let a = Self.ipv4Addresses()[n]?.first else { throw .noIPv4Address(n) }
            return a
        }
    }

    /// Every interface's IPv4 addresses, in getifaddrs(3)'s order.
    static func ipv4Addresses() -> [String: [IPv4Address]] {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0 else { return [:] }
        defer { freeifaddrs(list) }
        var found: [String: [IPv4Address]] = [:]
        var p = list
        while let e = p {
            defer { p = e.pointee.ifa_next }
            guard let sa = e.pointee.ifa_addr, sa.pointee.sa_family == sa_family_t(AF_INET),
                  let name = e.pointee.ifa_name
            else { continue }
            let raw = UnsafeRawPointer(sa).loadUnaligned(as: sockaddr_in.self).sin_addr.s_addr
            found[String(cString: name), default: []].append(IPv4Address(rawValue: UInt32(bigEndian: raw)))
        }
        return found
    }
}

/// Why an interface name has no address to use.
public enum InterfaceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No interface has this name (in this network namespace).
    case noSuchInterface(String)
    /// The interface has no IPv4 address.
    case noIPv4Address(String)

    public var description: String {
        switch self {
        case .noSuchInterface(let n):
            systemErrorMessage("--interface \(n)", errno: ENODEV, doing: .resolvingInterface(n))
        case .noIPv4Address(let n):
            systemErrorMessage("--interface \(n)", errno: EADDRNOTAVAIL, doing: .resolvingInterface(n))
        }
    }
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

/// `--profile NAME`: a profile of the tunables (pgm(7) "Profiles", from
/// kernel/pgm.yaml) set on the tool's socket before it connects or binds;
/// the tool's own options (`--rate`, `--join-max`) override its values.
public struct ProfileOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Set this profile's tunables on the socket (\(TunableProfile.names.joined(separator: ", ")); pgm(7) Profiles) "
            + "instead of the namespace's defaults; lan: low-latency LAN.", valueName: "name"),
            completion: .list(TunableProfile.names))
    public var profile: String?

    public init() {}

    public func validate() throws {
        do throws(UnknownProfileError) { _ = try selected } catch {
            throw ValidationError("--profile: \(error.description)")
        }
    }

    /// The profile asked for; nil without --profile.
    public var selected: TunableProfile? {
        get throws(UnknownProfileError) {
            guard let profile else { return nil }
            return try TunableProfile.named(profile)
        }
    }
}

/// `--fec n=N,k=K[,proactive=H][,ondemand]`: a source's FEC (`PGM_FEC`,
/// RFC 3208 Appendix A), as pgm-send and `pgm-perf send` take it: one
/// syntax, one help text and one message for a spec refused.
public struct FECOptions: ParsableArguments {
    @Option(name: .customLong("fec"), parsing: .unconditional, help: ArgumentHelp(
        "FEC (PGM_FEC, RFC 3208 Appendix A): RS(n, k) over groups of k packets (a power of two, 2-128; n from k+1 to 255), "
            + "proactive parity packets after each group (at most n-k and k), ondemand: parity for parity NAKs. "
            + "Example: n=32,k=16,proactive=2,ondemand. Not for OpenPGM 5.3 receivers.",
        valueName: "n=N,k=K[,proactive=H][,ondemand]"))
    public var text: String?

    public init() {}

    public func validate() throws {
        do throws(FECSettings.ParseError) { _ = try settings } catch { throw ValidationError("--fec: \(error)") }
    }

    /// --fec, nil without it.
    public var settings: FECSettings? {
        get throws(FECSettings.ParseError) { try text.map { t throws(FECSettings.ParseError) in try FECSettings(parsing: t) } }
    }

    /// --fec once validate() has checked it.
    public var checked: FECSettings? { (try? settings) ?? nil }
}

/// `--parity-naks`: a receiver asks for parity (`PGM_FEC_NAK`), as pgm-recv
/// and `pgm-perf recv` take it.
public struct ParityNAKOptions: ParsableArguments {
    @Flag(name: .customLong("parity-naks"), help: ArgumentHelp(
        "Ask sources that offer on-demand parity (FEC) for parity instead of the lost packets (PGM_FEC_NAK). "
            + "Without it, the namespace's default (pgmctl's fec-nak), off as built: an OpenPGM 5.3 source aborts on a parity NAK."))
    public var on = false

    public init() {}

    /// Sets `PGM_FEC_NAK` in `options` when asked for (the library leaves the
    /// socket's default otherwise).
    public func apply(to options: inout ReceiverOptions) {
        if on { options.parityNAKs = true }
    }
}

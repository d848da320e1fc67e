import CPGM
import PGM
import PGMConformance
import PGMWire
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// pgm.ko as the implementation under test. The IUT socket lives in the
/// namespace this process runs in; the simulated peers inject raw IP
/// protocol 113 packets and capture what the IUT sends from another
/// namespace (`peerNamespace`) joined to ours by a veth pair. Both are made
/// by Tests/kernel/conformance.sh; addresses are those of `Network`.
///
/// Over IPv6 (`family` .ipv6) the IUT socket is of AF_INET6 and the peers'
/// raw sockets too; every address, in the socket calls, the IP headers and
/// the packets' NLAs, is the image of the scenario's IPv4 one under
/// `IPv6Mapping` (fd77::1 for 10.77.0.1, ff15::ef4d:1 for 239.77.0.1), and
/// what the IUT sends is mapped back before the engine sees it.
///
/// Times are CLOCK_REALTIME, the clock of the capture socket's kernel
/// timestamps (SO_TIMESTAMPNS), so a packet's time is when the peer's side
/// of the link got it, however late this process reads it.
final class KernelBackend: ConformanceBackend {
    let name: String
    /// The VM is emulated (QEMU TCG) and shared: a window's end gets
    /// 100 ms plus half the window; a start, 5 ms (one jiffy at HZ=250 is 4 ms).
    let tolerance = Tolerance(early: 5000, late: 100_000, lateFraction: 0.5)

    /// Holds the IUT socket; dropping the box closes it (a PGMSocket that
    /// goes out of scope is closed).
    final class Box {
        let socket: PGMSocket
        init(_ socket: consuming PGMSocket) { self.socket = socket }
    }

    var box: Box?
    var role = Scenario.Role.source
    var tsi: TSI?
    var network = Network(port: 0)
    var origin: Int64 = 0
    var queued: [[UInt8]] = []
    let capture: Int32
    /// A raw socket per simulated peer, bound to its address.
    var raw: [Int: Int32] = [:]
    let family: PGMSocket.Family
    /// IPv6: the index of the IUT's interface, which its socket joins on
    /// and sends from (IPv4 names it by its address).
    let iutIndex: UInt32

    init(name: String, peerNamespace: String, interface: String, family: PGMSocket.Family = .ipv4,
         iutInterface: String) throws(BackendError) {
        self.name = name
        self.family = family
        if family == .ipv6 {
            iutIndex = if_nametoindex(iutInterface)
            guard iutIndex != 0 else { throw BackendError("no interface \(iutInterface) in the IUT's namespace") }
        } else {
            iutIndex = 0
        }
        let home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)
        let there = open("/run/netns/\(peerNamespace)", O_RDONLY | O_CLOEXEC)
        guard home >= 0, there >= 0 else { throw BackendError("cannot open network namespace \(peerNamespace)") }
        defer {
            Glibc.close(home)
            Glibc.close(there)
        }
        guard cpgm_setns_net(there) == 0 else { throw BackendError("setns(\(peerNamespace)): \(Errno(rawValue: errno))") }
        // Everything below runs in the peer's namespace until setns(home).
        let ifindex = Int32(if_nametoindex(interface))
        var fd: Int32 = -1
        var failure: String?
        if ifindex == 0 {
            failure = "no interface \(interface) in \(peerNamespace)"
        } else {
            fd = cpgm_packet_open(ifindex)
            if fd < 0 { failure = "packet socket: \(Errno(rawValue: -fd))" }
        }
        let probe = Network(port: 0)
        for n in 1...Network.peers where failure == nil {
            let s = socket(family.domain, Int32(SOCK_RAW.rawValue), 113)
            guard s >= 0 else {
                failure = "raw socket: \(Errno(rawValue: errno))"
                break
            }
            if family == .ipv6 {
                if let why = Self.setUpIPv6(s, address: probe.peer(n), ifindex: ifindex) {
                    Glibc.close(s)
                    failure = why
                    break
                }
                raw[n] = s
                continue
            }
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_addr.s_addr = probe.peer(n).rawValue.bigEndian
            let bound = withUnsafePointer(to: &sin) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            var ifaddr = in_addr(s_addr: probe.peer(n).rawValue.bigEndian)
            var off: UInt8 = 0
            guard bound == 0,
                  setsockopt(s, Int32(IPPROTO_IP), IP_MULTICAST_IF, &ifaddr, socklen_t(MemoryLayout<in_addr>.size)) == 0,
                  setsockopt(s, Int32(IPPROTO_IP), IP_MULTICAST_LOOP, &off, 1) == 0
            else {
                failure = "raw socket for \(probe.peer(n)): \(Errno(rawValue: errno))"
                break
            }
            raw[n] = s
        }
        // Without the way back the run cannot go on: the caller exits.
        guard cpgm_setns_net(home) == 0 else {
            throw BackendError("cannot return to the IUT namespace: \(Errno(rawValue: errno))")
        }
        if let failure { throw BackendError(failure) }
        capture = fd
    }

    /// Binds a peer's raw IPv6 socket to the image of its address and sends
    /// its multicast from `ifindex`, not looped back; nil or what failed.
    static func setUpIPv6(_ s: Int32, address: IPv4Address, ifindex: Int32) -> String? {
        guard let a = IPv6Mapping.ipv6(address), var sin6 = PGMEndpoint(.v6(a), port: 0).sockaddrIn6()
        else { return "\(address) has no IPv6 image" }
        let bound = withUnsafePointer(to: &sin6) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(s, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
            }
        }
        var index = ifindex
        var off: Int32 = 0
        let size = socklen_t(MemoryLayout<Int32>.size)
        guard bound == 0,
              setsockopt(s, Int32(IPPROTO_IPV6), IPV6_MULTICAST_IF, &index, size) == 0,
              setsockopt(s, Int32(IPPROTO_IPV6), IPV6_MULTICAST_LOOP, &off, size) == 0
        else {
            return "raw socket for \(a): \(Errno(rawValue: errno))"
        }
        return nil
    }

    static func realtime() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000
    }

    var now: Int64 { Self.realtime() - origin }
    var sourceTSI: TSI? { tsi }

    /// pgm.ko's PGMCC has the draft's constants (PGM_PGMCC_LOSS_WEIGHT,
    /// PGM_PGMCC_ELECTION_US, PGM_PGMCC_SSTHRESH): a scenario that sets
    /// others is not run rather than failed.
    func unsupported(_ scenario: Scenario) -> String? {
        guard let cc = scenario.pgmcc else { return nil }
        if let w = cc.lossWeight, w != UInt32(PGM_PGMCC_LOSS_WEIGHT) {
            return "pgm.ko's loss weight is PGM_PGMCC_LOSS_WEIGHT (\(PGM_PGMCC_LOSS_WEIGHT)), not settable"
        }
        if let e = cc.electionBackOff, e != Int64(PGM_PGMCC_ELECTION_US) {
            return "pgm.ko's election back-off is PGM_PGMCC_ELECTION_US (\(PGM_PGMCC_ELECTION_US) us), not settable"
        }
        if let t = cc.slowStartThreshold, t != UInt32(PGM_PGMCC_SSTHRESH) {
            return "pgm.ko's slow-start threshold is PGM_PGMCC_SSTHRESH (\(PGM_PGMCC_SSTHRESH) packets), not settable"
        }
        return nil
    }

    func start(_ scenario: Scenario, network: Network) throws(BackendError) {
        // A receiver scenario's `fec` line says what the simulated source
        // offers: nothing to set on the kernel socket; a source scenario's
        // is applied with PGM_FEC below.
        self.network = network
        role = scenario.role
        tsi = nil
        queued = []
        // Forget what earlier scenarios left on the wire.
        var buf = [UInt8](repeating: 0, count: 256)
        var info = cpgm_packet_info()
        while cpgm_packet_recv_nowait(capture, &buf, buf.count, &info) >= 0 {}
        origin = Self.realtime()
        do {
            let s = try PGMSocket(family: family)
            if scenario.pgmcc != nil {
                do { try s.setPGMCC(true) } catch { throw BackendError("kernel: set PGMCC: \(error)") }
            }
            // Confirmed delivery (docs/confirmed-delivery.md): the `confirm` line.
            if let c = scenario.confirm {
                do {
                    switch scenario.role {
                    case .receiver:
                        try s.setConfirmedDelivery(interval: .microseconds(c.interval ?? Int64(PGM_CONFIRM_IVL_MS) * 1000))
                    case .source:
                        try s.setConfirmedDelivery(
                            expiry: .microseconds(c.expiry ?? Int64(PGM_CONFIRM_EXPIRY_MS) * 1000),
                            maximumReceivers: c.maximum ?? Int(PGM_CONFIRM_MAX_DEFAULT), flowControl: c.flow)
                    }
                } catch {
                    throw BackendError("kernel: PGM_CONFIRM \(c): \(error)")
                }
            }
            for (name, value) in scenario.options {
                if name == "FEC_NAK" {  // PGM_FEC_NAK, a flag, not a tunable
                    do { try s.setParityNAKs(value != 0) } catch { throw BackendError("kernel: set FEC_NAK: \(error)") }
                    continue
                }
                guard let t = Tunable.allCases.first(where: { $0.name == name }) else {
                    throw BackendError("kernel: no socket option \(name)")
                }
                do { try s.set(t, to: value) } catch { throw BackendError("kernel: set \(name) \(value): \(error)") }
            }
            // IPv4 names the IUT's interface by its address, IPv6 by index.
            let groupAddress: IPAddress
            let iut: PGMInterface
            switch family {
            case .ipv4:
                groupAddress = .v4(network.group)
                iut = .address(network.iut)
            case .ipv6:
                guard let g = IPv6Mapping.ipv6(network.group) else { throw BackendError("\(network.group) has no IPv6 image") }
                groupAddress = .v6(g)
                iut = .index(iutIndex)
            }
            let group = PGMEndpoint(groupAddress, port: network.port)
            switch scenario.role {
            case .source:
                if let f = scenario.fec {
                    do {
                        try s.setFEC(try FECSettings(n: f.n, k: f.k, proactive: f.proactive, onDemand: f.onDemand))
                    } catch {
                        throw BackendError("kernel: PGM_FEC \(f): \(error)")
                    }
                }
                try s.setMulticastInterface(iut)
                try s.connect(to: group)
                tsi = try s.transportSessionID()
            case .receiver:
                try s.bind(to: group)
                try s.join(group: groupAddress, interface: iut)
            }
            box = Box(s)
        } catch let e as BackendError {
            throw e
        } catch {
            throw BackendError("kernel: \(error)")
        }
    }

    func send(_ apdu: [UInt8]) throws(BackendError) {
        queued.append(apdu)
        try flush()
    }

    /// Sends what the application queued while the rate limit allows.
    func flush() throws(BackendError) {
        guard let box else { return }
        while let apdu = queued.first {
            do {
                try box.socket.send(contentsOf: apdu, mode: .nonBlocking)
                queued.removeFirst()
            } catch .resourceTemporarilyUnavailable {
                return
            } catch {
                throw BackendError("send: \(error)")
            }
        }
    }

    /// PGM_CONFIRMED of the source IUT.
    func confirmed() throws(BackendError) -> ConfirmedView {
        guard let box else { throw BackendError("kernel: no socket") }
        do {
            let c = try box.socket.confirmed()
            return ConfirmedView(sequence: c.sequenceNumber?.rawValue, receivers: c.receivers, refused: Int(c.refused))
        } catch {
            throw BackendError("kernel: PGM_CONFIRMED: \(error)")
        }
    }

    func close(reset: Bool) throws(BackendError) {
        if reset, let box {
            do { try box.socket.setLinger(.zero) } catch { throw BackendError("SO_LINGER: \(error)") }
        }
        box = nil
    }

    func inject(_ bytes: [UInt8], from peer: Int, multicast: Bool) throws(BackendError) {
        guard let fd = raw[peer] else { throw BackendError("no simulated peer \(peer)") }
        if family == .ipv6 {
            try injectIPv6(bytes, fd: fd, multicast: multicast)
            return
        }
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_addr.s_addr = (multicast ? network.group : network.iut).rawValue.bigEndian
        let n = bytes.withUnsafeBytes { b in
            withUnsafePointer(to: &sin) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, b.baseAddress, b.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        guard n == bytes.count else { throw BackendError("inject: sendto: \(Errno(rawValue: errno))") }
    }

    /// `bytes` with its NLAs mapped to IPv6 (`IPv6Mapping.translate`), sent
    /// to the image of the group or of the IUT's address.
    func injectIPv6(_ bytes: [UInt8], fd: Int32, multicast: Bool) throws(BackendError) {
        let packet = try IPv6Mapping.translate(bytes, IPv6Mapping.nlaToIPv6)
        let to = multicast ? network.group : network.iut
        guard let a = IPv6Mapping.ipv6(to), var sin6 = PGMEndpoint(.v6(a), port: 0).sockaddrIn6()
        else { throw BackendError("\(to) has no IPv6 image") }
        let n = packet.withUnsafeBytes { b in
            withUnsafePointer(to: &sin6) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, b.baseAddress, b.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        }
        guard n == packet.count else { throw BackendError("inject: sendto \(a): \(Errno(rawValue: errno))") }
    }

    func poll(until deadline: Int64) throws(BackendError) -> [Observation] {
        var out: [Observation] = []
        while true {
            try flush()
            try readCapture(into: &out)
            try readSocket(into: &out)
            let left = deadline - now
            if !out.isEmpty || left <= 0 { return out }
            var fds = [pollfd(fd: capture, events: Int16(POLLIN), revents: 0)]
            if let box { fds.append(pollfd(fd: box.socket.fileDescriptor.rawValue, events: Int16(POLLIN | POLLERR), revents: 0)) }
            // Short naps: the error queue and a blocked send are polled too.
            _ = Glibc.poll(&fds, nfds_t(fds.count), Int32(min(max(left / 1000, 1), 5)))
        }
    }

    func readCapture(into out: inout [Observation]) throws(BackendError) {
        var buf = [UInt8](repeating: 0, count: 70_000)
        var info = cpgm_packet_info()
        while true {
            let n = cpgm_packet_recv_nowait(capture, &buf, buf.count, &info)
            guard n >= 0 else { return }
            if info.outgoing != 0 { continue }  // our own injections
            if family == .ipv6 {
                if let seen = try seenIPv6(buf[0..<Int(n)], info) { out.append(.packet(seen)) }
                continue
            }
            guard let (header, payload) = try? PGMFraming.parseIPv4(buf[0..<Int(n)]),
                  header.protocolNumber == PGMFraming.ipProtocol,
                  let packet = try? PGMPacket.decode(payload)
            else { continue }
            let t = info.sec != 0 ? (info.sec * 1_000_000 + info.nsec / 1000) - origin : now
            let multicast = header.destination.rawValue >> 28 == 0xE
            out.append(.packet(Seen(time: t, packet: packet, multicast: multicast,
                                    destination: multicast ? nil : header.destination)))
        }
    }

    /// A captured IPv6 datagram as the engine sees it: a PGM packet (next
    /// header 113) with its NLAs and unicast destination mapped back to
    /// IPv4; nil for anything else. An address of this scenario's session
    /// that is no image of a scenario address fails the scenario.
    func seenIPv6(_ frame: ArraySlice<UInt8>, _ info: cpgm_packet_info) throws(BackendError) -> Seen? {
        guard let (header, payload) = try? PGMFraming.parseIPv6(frame),
              header.nextHeader == PGMFraming.ipProtocol,
              let packet = try? PGMPacket.decode(payload)
        else { return nil }
        let multicast = header.destination.isMulticast
        let mapped: PGMPacket
        var destination: IPv4Address?
        do throws(BackendError) {
            mapped = try IPv6Mapping.toIPv4(packet)
            if !multicast {
                guard let d = IPv6Mapping.ipv4(header.destination) else {
                    throw BackendError("sent to \(header.destination), no image of a scenario address")
                }
                destination = d
            }
        } catch {
            // Another session's leftovers are not this scenario's business.
            guard packet.dataDestinationPort == network.port else { return nil }
            throw BackendError("the IUT's \(packet.type) from \(header.source): \(error.message)")
        }
        let t = info.sec != 0 ? (info.sec * 1_000_000 + info.nsec / 1000) - origin : now
        return Seen(time: t, packet: mapped, multicast: multicast, destination: destination)
    }

    func readSocket(into out: inout [Observation]) throws(BackendError) {
        guard role == .receiver, let box else { return }
        while true {
            do {
                let m = try box.socket.receive(maximumLength: 70_000, mode: .nonBlocking)
                out.append(.event(time: now, .deliver(tsi: m.transportSessionID, sequence: nil, bytes: m.bytes)))
            } catch .resourceTemporarilyUnavailable {
                break
            } catch .connectionReset {
                // Loss: its records come before the data that follows.
                try readErrors(into: &out)
            } catch {
                throw BackendError("recvmsg: \(error)")
            }
        }
        try readErrors(into: &out)
    }

    func readErrors(into out: inout [Observation]) throws(BackendError) {
        guard let box else { return }
        while true {
            let e: Event?
            do { e = try box.socket.readErrorQueue() } catch .resourceTemporarilyUnavailable { return } catch {
                throw BackendError("error queue: \(error)")
            }
            guard let e else { return }
            switch e {
            case .loss(let l):
                out.append(.event(time: now, .loss(tsi: l.transportSessionID, first: l.firstSequenceNumber.rawValue,
                                                    count: l.count)))
            case .sessionEnded(let s):
                out.append(.event(time: now, .end(tsi: s.transportSessionID, reason: s.reason)))
            case .message, .rateChanged:
                break
            }
        }
    }

    func stop() {
        box = nil
        queued = []
    }
}

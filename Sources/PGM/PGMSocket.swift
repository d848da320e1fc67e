import CPGM
import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A PGM socket: `socket(AF_INET, SOCK_RDM, IPPROTO_PGM)`, or
/// `AF_INET6` for IPv6 (v6-only: pgm(7)).
///
/// The type owns its descriptor: ``close()`` closes it and reports the
/// kernel's answer; a socket that goes out of scope unclosed is closed then,
/// its error ignored (a source's session still ends with OPT_FIN). Every call
/// either succeeds or throws the `Errno` the kernel returned. A source
/// ``connect(to:)``s to a group and port and ``send(_:mode:)``s APDUs; a
/// receiver ``bind(to:)``s, ``join(group:interface:)``s and receives whole
/// APDUs with ``receive(maximumLength:mode:)`` or, with loss and session-end
/// reports interleaved, ``nextEvent(maximumLength:timeout:)`` and
/// ``events(maximumLength:)``. ``PGMSource`` and ``PGMReceiver`` wrap the
/// common set-ups.
public struct PGMSocket: ~Copyable {
    /// The underlying descriptor.
    public let fileDescriptor: FileDescriptor
    let sys: Syscalls
    /// The socket's address family: the family of every address it binds,
    /// connects and joins.
    public let family: Family
    /// False for a view of a descriptor owned elsewhere, and once
    /// ``close()`` has closed it: then going out of scope closes nothing.
    var owned = true

    /// Opens a new PGM socket of `family` (IPv4 unless told).
    ///
    /// - Throws: `Errno.socketTypeNotSupported` when the kernel has no PGM
    ///   (pgm.ko is not loaded and cannot be autoloaded: no protocol of type
    ///   SOCK_RDM exists), `Errno.protocolNotSupported` or
    ///   `Errno.addressFamilyNotSupported` for IPv6 from a module without it
    ///   or a kernel without IPv6, or any other errno socket(2) returns.
    public init(family: Family = .ipv4) throws(Errno) {
        try self.init(family: family, syscalls: .system)
    }

    init(family: Family = .ipv4, syscalls: Syscalls) throws(Errno) {
        let fd = try syscalls.socket(family.domain, Int32(SOCK_RDM.rawValue), IPPROTO_PGM).get()
        self.fileDescriptor = FileDescriptor(rawValue: fd)
        self.sys = syscalls
        self.family = family
    }

    var fd: Int32 { fileDescriptor.rawValue }

    /// Closes the socket. A connected source ends its session with OPT_FIN,
    /// or OPT_RST after ``setLinger(_:)`` with a zero time.
    public consuming func close() throws(Errno) {
        owned = false
        _ = try sys.close(fd).get()
    }

    deinit {
        if owned { _ = sys.close(fd) }
    }

    /// Binds to a local IPv4 address and port: a receiver binds the group (or
    /// `0.0.0.0`) and the data-destination port; a source may bind a local
    /// unicast address with port 0 to choose its interface.
    public func bind(to endpoint: IPv4Endpoint) throws(Errno) {
        try bind(to: PGMEndpoint(endpoint))
    }

    /// Connects to a group and port: a source's session starts here.
    public func connect(to endpoint: IPv4Endpoint) throws(Errno) {
        try connect(to: PGMEndpoint(endpoint))
    }

    /// Binds to a local address and port of the socket's family: a receiver
    /// binds the group (or `0.0.0.0`, `::`) and the data-destination port;
    /// a source may bind a local unicast address with port 0 to choose its
    /// interface. An IPv6 endpoint's zone becomes `sin6_scope_id`.
    ///
    /// - Throws: `Errno.addressFamilyNotSupported` for an endpoint of the
    ///   other family, `Errno.operationNotSupportedByDevice` (ENODEV) for a
    ///   zone that names no interface, or the kernel's errno.
    public func bind(to endpoint: PGMEndpoint) throws(Errno) {
        try withSockaddr(endpoint) { (a, len) in sys.bind(fd, a, len) }
    }

    /// Connects to a group and port of the socket's family: a source's
    /// session starts here. An IPv6 group's zone becomes `sin6_scope_id`
    /// (the interface a link-scoped group is sent on).
    ///
    /// - Throws: as `bind(to:)` with a `PGMEndpoint`.
    public func connect(to endpoint: PGMEndpoint) throws(Errno) {
        try withSockaddr(endpoint) { (a, len) in sys.connect(fd, a, len) }
    }

    /// `call` with the endpoint as a `sockaddr_in` or `sockaddr_in6`.
    private func withSockaddr(
        _ endpoint: PGMEndpoint, _ call: (UnsafePointer<sockaddr>, socklen_t) -> Result<Int32, Errno>
    ) throws(Errno) {
        guard Family(endpoint.address) == family else { throw .addressFamilyNotSupported }
        switch endpoint.address {
        case .v4(let a):
            var sin = IPv4Endpoint(a, port: endpoint.port).sockaddrIn
            _ = try withUnsafePointer(to: &sin) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { call($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }.get()
        case .v6:
            let scope = try endpoint.zone.map { z throws(Errno) in try sys.index(of: PGMInterface(z)).get() } ?? 0
            guard var sin6 = endpoint.sockaddrIn6(scopeID: scope) else { throw .addressFamilyNotSupported }
            _ = try withUnsafePointer(to: &sin6) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { call($0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }.get()
        }
    }

    // MARK: Options

    /// Sets a tunable (a `SOL_PGM` integer option) to a value in its unit
    /// (see ``Tunable/unit``).
    public func set(_ option: Tunable, to value: UInt32) throws(Errno) {
        try setRaw(level: SOL_PGM, name: option.rawValue, value: value)
    }

    /// Sets a time tunable from a `Duration`, converted to the option's unit
    /// (microseconds, or milliseconds for ``Tunable/txwSecsMs``).
    ///
    /// - Throws: `Errno.invalidArgument` when the option is not a time, the
    ///   duration is negative or does not fit the option's 32 bits, or the
    ///   kernel refuses the value.
    public func set(_ option: Tunable, to duration: Duration) throws(Errno) {
        guard let v = option.unit.value(of: duration) else { throw .invalidArgument }
        try set(option, to: v)
    }

    /// Reads a tunable, in its unit.
    public func get(_ option: Tunable) throws(Errno) -> UInt32 {
        try getRaw(level: SOL_PGM, name: option.rawValue, as: UInt32.self)
    }

    /// Reads a time tunable as a `Duration`; `Errno.invalidArgument` for an
    /// option that is not a time.
    public func getDuration(_ option: Tunable) throws(Errno) -> Duration {
        guard option.unit.duration(of: 0) != nil else { throw .invalidArgument }
        return option.unit.duration(of: try get(option)) ?? .zero
    }

    /// Sets the Global Source ID a source's TSI will carry; before
    /// ``connect(to:)``.
    ///
    /// - Throws: `Errno.notPermitted` without CAP_NET_RAW in the socket's
    ///   network namespace (a chosen GSI could be another source's; see
    ///   ``SystemPackage/Errno/pgmPrivilegeHint``), `Errno.isConnected`
    ///   once connected.
    public func setGlobalSourceID(_ gsi: GSI) throws(Errno) {
        var g = pgm_gsi()
        g.gsi = gsi.tuple
        try setRaw(level: SOL_PGM, name: PGM_GSI, value: g)
    }

    /// A source's FEC (`PGM_FEC`); nil turns it off (the default). Before
    /// ``connect(to:)``: `Errno.isConnected` after.
    public func setFEC(_ fec: FECSettings?) throws(Errno) {
        try setRaw(level: SOL_PGM, name: PGM_FEC, value: fec?.raw ?? pgm_fec())
    }

    /// The socket's FEC settings (`PGM_FEC`); nil without FEC.
    public func fec() throws(Errno) -> FECSettings? {
        FECSettings(try getRaw(level: SOL_PGM, name: PGM_FEC, as: pgm_fec.self))
    }

    /// Whether unrecoverable loss resets the session (`PGM_ABORT_ON_LOSS`)
    /// instead of being reported and skipped.
    public func setAbortOnLoss(_ on: Bool) throws(Errno) {
        try setRaw(level: SOL_PGM, name: PGM_ABORT_ON_LOSS, value: Int32(on ? 1 : 0))
    }

    /// Whether receives report each APDU's sequence number
    /// (`PGM_RECVSQN`: a control message with the sequence number of the
    /// APDU's first packet), as ``Received/sequenceNumber`` and
    /// ``Message/sequenceNumber``. ``PGMReceiver`` turns it on.
    public func setReceiveSequenceNumbers(_ on: Bool) throws(Errno) {
        try setRaw(level: SOL_PGM, name: PGM_RECVSQN, value: Int32(on ? 1 : 0))
    }

    /// Whether a receiver sends parity NAKs (RFC 3208 section 11.5) to a
    /// source that offers on-demand parity (`PGM_FEC_NAK`, on by default);
    /// off, its losses are NAKed selectively (proactive parity is still used).
    public func setParityNAKs(_ on: Bool) throws(Errno) {
        try setRaw(level: SOL_PGM, name: PGM_FEC_NAK, value: Int32(on ? 1 : 0))
    }

    /// Runs PGMCC congestion control (`PGM_PGMCC`,
    /// draft-ietf-rmt-bb-pgmcc-03), on either side of a session.
    ///
    /// A receiver measures its loss rate, ACKs as the acker when a source's
    /// data names it, answers elections and adds feedback to its NAKs.
    ///
    /// A source puts OPT_PGMCC_DATA on its data, elects as acker the
    /// receiver with the lowest throughput by the feedback it hears, and is
    /// clocked by the acker's ACKs: a token window that opens with them
    /// (slow start up to `PGM_PGMCC_SSTHRESH` packets) and halves on a loss
    /// they show. Without a token a blocking send waits and a non-blocking
    /// one fails with `.resourceTemporarilyUnavailable`; `PGM_TXW_MAX_RTE`
    /// still caps the rate. No ACK within the timeout sets the window back
    /// to one packet, and `PGM_PGMCC_TIMEOUTS` of them in a row end the
    /// acker's term. ``SourceStatistics/pgmcc`` shows the state. Not with
    /// FEC: ``connect(to:)`` fails with `.notSupported` when both are set.
    ///
    /// Before `bind` or `connect` only (`.isConnected` after).
    public func setPGMCC(_ on: Bool) throws(Errno) {
        try setRaw(level: SOL_PGM, name: PGM_PGMCC, value: Int32(on ? 1 : 0))
    }

    /// A receiver confirms its progress to each session's source
    /// (`PGM_CONFIRM`, docs/confirmed-delivery.md): a JOIN, then an ACK
    /// with OPT_CONFIRM every `interval` (jittered by a quarter) while it
    /// gets data and every fifth while idle, and BYE on close. Sources
    /// without confirmed delivery ignore them. `interval` is 10 ms to 60 s
    /// (`.invalidArgument` otherwise). Before `bind` only (`.isConnected`
    /// after).
    public func setConfirmedDelivery(interval: Duration) throws(Errno) {
        let (s, atto) = interval.components
        let ms = s * 1000 + atto / 1_000_000_000_000_000
        guard ms >= Int64(PGM_CONFIRM_IVL_MIN_MS), ms <= Int64(PGM_CONFIRM_IVL_MAX_MS) else {
            throw .invalidArgument
        }
        try setRaw(level: SOL_PGM, name: PGM_CONFIRM, value: Int32(ms))
    }

    /// A source keeps the set of receivers that confirm (`PGM_CONFIRM`,
    /// docs/confirmed-delivery.md) and tells how far every live one has
    /// everything (``confirmed()``, ``waitUntilDelivered(through:receivers:timeout:)``).
    ///
    /// - Parameters:
    ///   - expiry: a receiver silent this long leaves (100 ms to 600 s).
    ///   - maximumReceivers: receivers kept at most (1 to 65,536); more are
    ///     refused and counted (``ConfirmedState/refused``).
    ///   - flowControl: the transmit window never moves past what the
    ///     slowest live receiver confirmed (`PGM_CONFIRM_FLOW`): a blocking
    ///     send waits, a non-blocking one fails with
    ///     `.resourceTemporarilyUnavailable`, so a live receiver never loses
    ///     data to the window.
    ///
    /// Before `connect` only (`.isConnected` after).
    public func setConfirmedDelivery(expiry: Duration = .milliseconds(Int(PGM_CONFIRM_EXPIRY_MS)),
                                     maximumReceivers: Int = Int(PGM_CONFIRM_MAX_DEFAULT),
                                     flowControl: Bool = false) throws(Errno) {
        let (s, atto) = expiry.components
        let ms = s * 1000 + atto / 1_000_000_000_000_000
        guard ms >= Int64(PGM_CONFIRM_EXPIRY_MIN_MS), ms <= Int64(PGM_CONFIRM_EXPIRY_MAX_MS),
              maximumReceivers >= 1, maximumReceivers <= Int(PGM_CONFIRM_MAX_MAX)
        else { throw .invalidArgument }
        try setRaw(level: SOL_PGM, name: PGM_CONFIRM_EXPIRY, value: Int32(ms))
        try setRaw(level: SOL_PGM, name: PGM_CONFIRM_MAX, value: Int32(maximumReceivers))
        try setRaw(level: SOL_PGM, name: PGM_CONFIRM_FLOW, value: Int32(flowControl ? 1 : 0))
        try setRaw(level: SOL_PGM, name: PGM_CONFIRM, value: Int32(1))
    }

    /// How far every live confirming receiver has everything
    /// (`PGM_CONFIRMED`); reading it clears `POLLPRI` until that moves again.
    /// `.invalidArgument` on a source without confirmed delivery,
    /// `.notConnected` on a socket that is not a source.
    public func confirmed() throws(Errno) -> ConfirmedState {
        ConfirmedState(try getRaw(level: SOL_PGM, name: PGM_CONFIRMED, as: pgm_confirmed.self, counters: true))
    }

    /// The last sequence number a source gave to data (`PGM_TXW_LEAD`): what
    /// ``confirmed()`` is compared with to know that everything sent so far
    /// was delivered. The first sequence number - 1 before any.
    public func lastSequenceNumber() throws(Errno) -> SequenceNumber {
        SequenceNumber(try getRaw(level: SOL_PGM, name: PGM_TXW_LEAD, as: UInt32.self))
    }

    /// Sends and receives PGM in UDP (`PGM_UDP_ENCAP`, OpenPGM's scheme),
    /// on the given ports or the namespace's defaults (3055 and 3056 unless
    /// changed with pgmctl).  Before `bind` or `connect` only: `.isConnected`
    /// after.
    public func setUDPEncapsulation(_ e: UDPEncapsulation) throws(Errno) {
        try setRaw(level: SOL_PGM, name: PGM_UDP_ENCAP, value: Int32(1))
        if let p = e.udpEncapUcastPort { try setRaw(level: SOL_PGM, name: PGM_UDP_ENCAP_UCAST_PORT, value: UInt32(p)) }
        if let p = e.udpEncapMcastPort { try setRaw(level: SOL_PGM, name: PGM_UDP_ENCAP_MCAST_PORT, value: UInt32(p)) }
    }

    /// Joins a multicast group (`PGM_JOIN_GROUP`), on the interface that has
    /// `interface` as an address, or the routing table's choice when nil.
    public func join(group: IPv4Address, interface: IPv4Address? = nil) throws(Errno) {
        try join(group: .v4(group), interface: interface.map { .address($0) })
    }

    /// Leaves a group joined with `join(group:interface:)`.
    public func leave(group: IPv4Address, interface: IPv4Address? = nil) throws(Errno) {
        try leave(group: .v4(group), interface: interface.map { .address($0) })
    }

    /// Joins a multicast group of the socket's family (`PGM_JOIN_GROUP`:
    /// `struct ip_mreqn` on IPv4, `struct ipv6_mreq` on IPv6) on
    /// `interface`, or the routing table's choice when nil.
    ///
    /// - Throws: `Errno.addressFamilyNotSupported` for a group of the other
    ///   family or an IPv4 interface address with an IPv6 group,
    ///   `Errno.operationNotSupportedByDevice` (ENODEV) for a name no
    ///   interface has, or the kernel's errno.
    public func join(group: IPAddress, interface: PGMInterface?) throws(Errno) {
        try membership(PGM_JOIN_GROUP, group, interface)
    }

    /// Leaves a group joined with `join(group:interface:)`.
    public func leave(group: IPAddress, interface: PGMInterface?) throws(Errno) {
        try membership(PGM_LEAVE_GROUP, group, interface)
    }

    private func membership(_ name: Int32, _ group: IPAddress, _ interface: PGMInterface?) throws(Errno) {
        guard Family(group) == family else { throw .addressFamilyNotSupported }
        switch group {
        case .v4(let g):
            var m = ip_mreqn()
            m.imr_multiaddr.s_addr = g.rawValue.bigEndian
            switch interface {
            case .address(let a): m.imr_address.s_addr = a.rawValue.bigEndian
            case .some(let i): m.imr_ifindex = Int32(bitPattern: try sys.index(of: i).get())
            case nil: break
            }
            try setRaw(level: SOL_PGM, name: name, value: m)
        case .v6(let g):
            var m = ipv6_mreq()
            m.ipv6mr_multiaddr = g.in6
            m.ipv6mr_interface = try interface.map { i throws(Errno) in try sys.index(of: i).get() } ?? 0
            try setRaw(level: SOL_PGM, name: name, value: m)
        }
    }

    /// The interface multicast is sent from (`IP_MULTICAST_IF`), by one of
    /// its addresses.
    public func setMulticastInterface(_ address: IPv4Address) throws(Errno) {
        try setMulticastInterface(.address(address))
    }

    /// The interface multicast is sent from: `IP_MULTICAST_IF` on IPv4 (an
    /// address, or a name or index as `struct ip_mreqn`'s index),
    /// `IPV6_MULTICAST_IF` on IPv6 (an index; a name is looked up).
    ///
    /// - Throws: `Errno.addressFamilyNotSupported` for an IPv4 address on
    ///   an IPv6 socket, `Errno.operationNotSupportedByDevice` (ENODEV) for
    ///   a name no interface has, or the kernel's errno.
    public func setMulticastInterface(_ interface: PGMInterface) throws(Errno) {
        switch (family, interface) {
        case (.ipv4, .address(let address)):
            var a = in_addr()
            a.s_addr = address.rawValue.bigEndian
            try setRaw(level: Int32(IPPROTO_IP), name: IP_MULTICAST_IF, value: a)
        case (.ipv4, _):
            var m = ip_mreqn()
            m.imr_ifindex = Int32(bitPattern: try sys.index(of: interface).get())
            try setRaw(level: Int32(IPPROTO_IP), name: IP_MULTICAST_IF, value: m)
        case (.ipv6, _):
            let i = try sys.index(of: interface).get()
            try setRaw(level: Int32(IPPROTO_IPV6), name: IPV6_MULTICAST_IF, value: Int32(bitPattern: i))
        }
    }

    /// The hop limit of multicast packets: `IP_MULTICAST_TTL` on IPv4,
    /// `IPV6_MULTICAST_HOPS` on IPv6.
    public func setMulticastTTL(_ ttl: UInt8) throws(Errno) {
        switch family {
        case .ipv4: try setRaw(level: Int32(IPPROTO_IP), name: IP_MULTICAST_TTL, value: Int32(ttl))
        case .ipv6: try setRaw(level: Int32(IPPROTO_IPV6), name: IPV6_MULTICAST_HOPS, value: Int32(ttl))
        }
    }

    /// Whether this host's own receivers get a copy of what it sends
    /// (`IP_MULTICAST_LOOP`, `IPV6_MULTICAST_LOOP` on IPv6).
    public func setMulticastLoop(_ on: Bool) throws(Errno) {
        switch family {
        case .ipv4: try setRaw(level: Int32(IPPROTO_IP), name: IP_MULTICAST_LOOP, value: Int32(on ? 1 : 0))
        case .ipv6: try setRaw(level: Int32(IPPROTO_IPV6), name: IPV6_MULTICAST_LOOP, value: Int32(on ? 1 : 0))
        }
    }

    /// The receive buffer (`SO_RCVBUF`), in bytes; the kernel doubles it.
    public func setReceiveBufferSize(_ bytes: Int32) throws(Errno) {
        try setRaw(level: SOL_SOCKET, name: SO_RCVBUF, value: bytes)
    }

    /// `SO_LINGER` for a source's ``close()``: nil turns it off (close sends
    /// OPT_FIN), a time keeps the session up that long to repair NAKs first,
    /// and zero makes close send OPT_RST. Whole seconds; a fraction is
    /// rounded up.
    public func setLinger(_ time: Duration?) throws(Errno) {
        var l = linger()
        if let time {
            guard time >= .zero else { throw .invalidArgument }
            let (s, atto) = time.components
            guard s < Int64(Int32.max) else { throw .invalidArgument }
            l.l_onoff = 1
            l.l_linger = Int32(s) + (atto > 0 ? 1 : 0)
        }
        try setRaw(level: SOL_SOCKET, name: SO_LINGER, value: l)
    }

    /// The session's transport session identifier; `Errno.notConnected`
    /// before ``connect(to:)``.
    public func transportSessionID() throws(Errno) -> TSI {
        TSI(try getRaw(level: SOL_PGM, name: PGM_TSI, as: pgm_tsi.self))
    }

    /// The socket's Global Source ID.
    public func globalSourceID() throws(Errno) -> GSI {
        GSI(try getRaw(level: SOL_PGM, name: PGM_GSI, as: pgm_gsi.self).gsi)
    }

    /// The counters of the socket's source session (zero on a receiver),
    /// with its PGMCC state and, on a source with confirmed delivery, its
    /// receivers and CONFIRMED (``SourceStatistics/confirm``).
    public func sourceStatistics() throws(Errno) -> SourceStatistics {
        let raw = try getRaw(level: SOL_PGM, name: PGM_SOURCE_STATS, as: pgm_source_stats.self, counters: true)
        return SourceStatistics(raw, family: family, confirming: runsConfirmedDelivery)
    }

    /// Whether the socket is a source with confirmed delivery: `PGM_CONFIRM`
    /// set and `PGM_TXW_LEAD` answered (only a source has a lead). Not
    /// `PGM_CONFIRMED`, whose reading would clear `POLLPRI` under a waiter.
    /// False when a module without confirmed delivery knows neither option.
    var runsConfirmedDelivery: Bool {
        guard let on = try? getRaw(level: SOL_PGM, name: PGM_CONFIRM, as: Int32.self), on != 0 else { return false }
        return (try? lastSequenceNumber()) != nil
    }

    /// The counters of the socket's receiving sessions, summed (zero on a
    /// source).
    public func receiverStatistics() throws(Errno) -> ReceiverStatistics {
        ReceiverStatistics(
            try getRaw(level: SOL_PGM, name: PGM_RECEIVER_STATS, as: pgm_receiver_stats.self, counters: true))
    }

    /// The input counters of the socket's network namespace.
    public func netnsStatistics() throws(Errno) -> NetnsStatistics {
        NetnsStatistics(try getRaw(level: SOL_PGM, name: PGM_NETNS_STATS, as: pgm_netns_stats.self, counters: true))
    }

    /// Sets an option from a raw value of type `T`. Prefer the typed calls.
    public func setRaw<T>(level: Int32, name: Int32, value: T) throws(Errno) {
        var v = value
        let rc = withUnsafeBytes(of: &v) {
            sys.setsockopt(fd, level, name, $0.baseAddress, socklen_t($0.count))
        }
        _ = try rc.get()
    }

    /// Reads an option as a raw value of type `T`; a reply of another size is
    /// `Errno.invalidArgument`, except that with `counters` (a statistics
    /// struct, which grows only at its end) a shorter reply from an older
    /// module leaves the counters it does not know zero.
    public func getRaw<T: BitwiseCopyable>(level: Int32, name: Int32, as: T.Type,
                                          counters: Bool = false) throws(Errno) -> T {
        var buffer = [UInt8](repeating: 0, count: MemoryLayout<T>.size)
        var len = socklen_t(buffer.count)
        let rc = buffer.withUnsafeMutableBytes {
            sys.getsockopt(fd, level, name, $0.baseAddress, &len)
        }
        _ = try rc.get()
        guard Int(len) == MemoryLayout<T>.size || (counters && len > 0 && Int(len) < MemoryLayout<T>.size)
        else { throw Errno.invalidArgument }
        return buffer.withUnsafeBytes { $0.loadUnaligned(as: T.self) }
    }

    // MARK: Sending

    /// Sends one APDU: the bytes of `apdu`, delivered to each receiver whole
    /// by one receive call.
    ///
    /// - Parameter mode: ``IOMode/blocking`` waits for the rate limit (up to
    ///   `SO_SNDTIMEO`); ``IOMode/nonBlocking`` fails with
    ///   `Errno.resourceTemporarilyUnavailable` when it has no room.
    /// - Throws: `Errno.messageTooLong` above ``PGMSocket/maximumAPDU`` bytes,
    ///   `Errno.notConnected` on a socket that is not a connected source.
    public func send(_ apdu: UnsafeRawBufferPointer, mode: IOMode = .blocking) throws(Errno) {
        // send(2), not sendmsg(2): one buffer needs no msghdr or iovec for
        // the kernel to copy in and check (docs/performance.md).
        let n = try Result.retryingOnInterrupt { sys.send(fd, apdu.baseAddress, apdu.count, mode.flags) }.get()
        guard n == apdu.count else { throw .ioError }
    }

    /// Sends the bytes of a collection as one APDU (see ``send(_:mode:)``).
    public func send<Bytes: Sequence<UInt8>>(contentsOf bytes: Bytes, mode: IOMode = .blocking) throws(Errno) {
        let done: Result<Void, Errno>? = bytes.withContiguousStorageIfAvailable { buf in
            do throws(Errno) { try send(UnsafeRawBufferPointer(buf), mode: mode) } catch { return .failure(error) }
            return .success(())
        }
        if let done { return try done.get() }
        let array = Array(bytes)
        let r: Result<Void, Errno> = array.withUnsafeBytes { raw in
            do throws(Errno) { try send(raw, mode: mode) } catch { return .failure(error) }
            return .success(())
        }
        try r.get()
    }

    /// The largest APDU a send accepts (`PGM_APDU_MAX`, 1 MiB).
    public static let maximumAPDU = Int(PGM_APDU_MAX)

    // MARK: Receiving

    /// Receives one APDU into `buffer`.
    ///
    /// An APDU longer than the buffer fills it and is reported with
    /// ``Received/isTruncated`` and its real ``Received/length``; the rest of
    /// it is gone. After unrecoverable loss the kernel fails one receive with
    /// `Errno.connectionReset` and queues a record (see ``readErrorQueue()``).
    ///
    /// - Parameter mode: ``IOMode/nonBlocking`` fails with
    ///   `Errno.resourceTemporarilyUnavailable` when nothing waits.
    public func receive(into buffer: UnsafeMutableRawBufferPointer, mode: IOMode = .blocking) throws(Errno) -> Received {
        // Room for either family's name; sa_family says which it is.
        var name = sockaddr_pgm6()
        var iov = iovec(iov_base: buffer.baseAddress, iov_len: buffer.count)
        // Room for one PGM_RECVSQN control message (a __u32).
        var control = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        var flagsOut: Int32 = 0
        var nameLen: socklen_t = 0
        var sequence: SequenceNumber?
        let n: Int = try withUnsafeMutablePointer(to: &name) { namep in
            withUnsafeMutablePointer(to: &iov) { iovp in
                withUnsafeMutableBytes(of: &control) { cbuf in
                    var m = msghdr()
                    m.msg_name = UnsafeMutableRawPointer(namep)
                    m.msg_namelen = socklen_t(MemoryLayout<sockaddr_pgm6>.size)
                    m.msg_iov = iovp
                    m.msg_iovlen = 1
                    m.msg_control = cbuf.baseAddress
                    m.msg_controllen = cbuf.count
                    let n = Result.retryingOnInterrupt { sys.recvmsg(fd, &m, mode.flags | Int32(MSG_TRUNC)) }
                    flagsOut = m.msg_flags
                    nameLen = m.msg_namelen
                    if case .success = n { sequence = Self.parseSequenceNumber(&m) }
                    return n
                }
            }
        }.get()
        let truncated = n > buffer.count || flagsOut & Int32(MSG_TRUNC) != 0
        let (source, tsi) = Self.decodeName(name, length: Int(nameLen))
        return Received(
            count: min(n, buffer.count), length: n, isTruncated: truncated,
            transportSessionID: tsi, source: source, sequenceNumber: sequence)
    }

    /// The source and TSI of a received APDU's `msg_name`: a `struct
    /// sockaddr_pgm6` on IPv6, a `struct sockaddr_pgm` on IPv4 (its
    /// `sa_family` says which); the TSI is nil when the name is a plain
    /// `sockaddr_in` or `sockaddr_in6`.
    static func decodeName(_ name: sockaddr_pgm6, length: Int) -> (PGMEndpoint, TSI?) {
        if name.sin6.sin6_family == sa_family_t(AF_INET6) {
            let tsi = length >= MemoryLayout<sockaddr_pgm6>.size ? TSI(name.tsi) : nil
            return (PGMEndpoint(name.sin6), tsi)
        }
        let v4 = withUnsafeBytes(of: name) { $0.loadUnaligned(as: sockaddr_pgm.self) }
        let tsi = length >= MemoryLayout<sockaddr_pgm>.size ? TSI(v4.tsi) : nil
        return (PGMEndpoint(IPv4Endpoint(v4.sin)), tsi)
    }

    /// The `SOL_PGM`/`PGM_RECVSQN` control message of a received APDU.
    static func parseSequenceNumber(_ m: inout msghdr) -> SequenceNumber? {
        guard m.msg_control != nil, m.msg_controllen > 0 else { return nil }
        var c = cpgm_cmsg_firsthdr(&m)
        while let cm = c {
            if cm.pointee.cmsg_level == SOL_PGM, cm.pointee.cmsg_type == PGM_RECVSQN,
               Int(cm.pointee.cmsg_len) >= Int(cpgm_cmsg_len(4)) {
                return SequenceNumber(UnsafeRawPointer(cpgm_cmsg_data(cm)).loadUnaligned(as: UInt32.self))
            }
            c = cpgm_cmsg_nxthdr(&m, cm)
        }
        return nil
    }

    /// Receives one APDU as a ``Message`` (see ``receive(into:mode:)``).
    ///
    /// - Parameter maximumLength: the longest APDU expected; a longer one is
    ///   cut to this length and marked ``Message/isTruncated``.
    public func receive(maximumLength: Int = 65536, mode: IOMode = .blocking) throws(Errno) -> Message {
        guard maximumLength > 0 else { throw .invalidArgument }
        var r: Received?
        var failure: Errno?
        let bytes = [UInt8](unsafeUninitializedCapacity: maximumLength) { buf, count in
            do throws(Errno) {
                let got = try receive(into: UnsafeMutableRawBufferPointer(buf), mode: mode)
                r = got
                count = got.count
            } catch {
                failure = error
                count = 0
            }
        }
        if let failure { throw failure }
        // The kernel always names the session (struct sockaddr_pgm); a reply
        // without it is not from pgm.ko.
        guard let r, let tsi = r.transportSessionID else { throw .badMessage }
        return Message(
            transportSessionID: tsi, source: r.source, bytes: bytes, isTruncated: r.isTruncated,
            sequenceNumber: r.sequenceNumber)
    }

    /// Reads one record from the socket's error queue without waiting: a
    /// receiver's unrecoverable loss or end of a session, a source's rate
    /// change. Nil when the queue is empty.
    public func readErrorQueue() throws(Errno) -> Event? {
        while true {
            var event: Event?
            var skip = false
            // On the stack: the queue is looked at often and is mostly empty.
            let n: Result<Int, Errno> = withUnsafeTemporaryAllocation(byteCount: 64, alignment: 8) { dbuf in
                withUnsafeTemporaryAllocation(byteCount: 256, alignment: 8) { cbuf in
                    var iov = iovec(iov_base: dbuf.baseAddress, iov_len: dbuf.count)
                    return withUnsafeMutablePointer(to: &iov) { iovp in
                        var m = msghdr()
                        m.msg_iov = iovp
                        m.msg_iovlen = 1
                        m.msg_control = cbuf.baseAddress
                        m.msg_controllen = cbuf.count
                        let r = Result.retryingOnInterrupt {
                            sys.recvmsg(fd, &m, Int32(MSG_ERRQUEUE | MSG_DONTWAIT))
                        }
                        guard case .success(let n) = r else { return r }
                        event = Self.parseErrorRecord(&m, data: UnsafeRawBufferPointer(rebasing: dbuf[..<n]))
                        skip = event == nil
                        return r
                    }
                }
            }
            if case .failure(let e) = n {
                if e == .resourceTemporarilyUnavailable { return nil }
                throw e
            }
            if skip { continue }  // a record of another level or type
            return event
        }
    }

    static func parseErrorRecord(_ m: inout msghdr, data: UnsafeRawBufferPointer) -> Event? {
        var c = cpgm_cmsg_firsthdr(&m)
        while let cm = c {
            if cm.pointee.cmsg_level == SOL_PGM {
                switch cm.pointee.cmsg_type {
                case PGM_LOSS where data.count >= MemoryLayout<pgm_loss>.size:
                    let l = data.loadUnaligned(as: pgm_loss.self)
                    return .loss(
                        Loss(transportSessionID: TSI(l.tsi), firstSequenceNumber: SequenceNumber(l.first_sqn),
                             count: l.count))
                case PGM_SESSION_END where data.count >= MemoryLayout<pgm_session_end>.size:
                    let e = data.loadUnaligned(as: pgm_session_end.self)
                    return .sessionEnded(
                        SessionEnd(transportSessionID: TSI(e.tsi),
                                   reason: SessionEndReason(rawValue: e.reason),
                                   lastSequenceNumber: SequenceNumber(e.last_sqn)))
                case PGM_RATE_CHANGE where data.count >= MemoryLayout<pgm_rate_change>.size:
                    let r = data.loadUnaligned(as: pgm_rate_change.self)
                    return .rateChanged(RateChange(oldRate: r.old_rate, newRate: r.new_rate, policyRate: r.policy_rate))
                default:
                    break
                }
            }
            c = cpgm_cmsg_nxthdr(&m, cm)
        }
        return nil
    }

    /// The next thing that happens on a receiving socket: an APDU, an
    /// unrecoverable loss, or the end of a session.
    ///
    /// APDUs already queued come first: the kernel queues a session's end
    /// after its last APDU, and reports a loss by failing the next receive
    /// with `ECONNRESET`, at which point the loss record is returned before
    /// the data after it. Other records wait until no APDU does.
    ///
    /// - Parameter timeout: how long to wait; nil waits for ever, `.zero`
    ///   does not wait.
    /// - Returns: nil when the timeout passed with nothing to report.
    /// - Throws: `Errno.connectionReset` when the kernel fails receives
    ///   without a record to explain it (a session reset by
    ///   `PGM_ABORT_ON_LOSS`), or any other errno.
    public func nextEvent(maximumLength: Int = 65536, timeout: Duration? = nil) throws(Errno) -> Event? {
        let clock = ContinuousClock()
        let deadline = timeout.map { clock.now.advanced(by: $0) }
        var resets = 0
        // The error queue is read when poll(2) says POLLERR (a record there
        // raises it), not after every empty receive: a reader that keeps up
        // makes no system call for an error queue that is empty.
        var errors = false
        while true {
            do {
                return .message(try receive(maximumLength: maximumLength, mode: .nonBlocking))
            } catch .resourceTemporarilyUnavailable {
                if errors, let e = try readErrorQueue() { return e }
            } catch .connectionReset {
                // A loss fails one receive; its record explains it, and may
                // have been read already. Twice in a row without a record
                // means the session was aborted (PGM_ABORT_ON_LOSS).
                if let e = try readErrorQueue() { return e }
                resets += 1
                if resets > 1 { throw .connectionReset }
                continue
            }
            resets = 0
            var wait: Int32 = -1
            if let deadline {
                let left = clock.now.duration(to: deadline)
                if left <= .zero {
                    guard !errors else { return nil }
                    wait = 0  // one look at POLLERR before giving up
                } else {
                    let (s, atto) = left.components
                    wait = Int32(clamping: s * 1000 + (atto + 999_999_999_999_999) / 1_000_000_000_000_000)
                }
            }
            var p = pollfd(fd: fd, events: Int16(POLLIN | POLLERR), revents: 0)
            if case .failure(let e) = sys.poll(&p, 1, wait), e != .interrupted { throw e }
            errors = p.revents & Int16(POLLERR) != 0
            if p.revents == 0, wait == 0 { return nil }
        }
    }

    /// The socket's events as an asynchronous sequence: APDUs, losses and
    /// session ends, read by a dedicated thread that waits in poll(2).
    ///
    /// The sequence reads the socket's descriptor and does not own it: keep
    /// the socket open while iterating. Cancelling the iterating task ends
    /// the sequence (the next element is nil) and wakes the waiting thread.
    public func events(maximumLength: Int = 65536) -> PGMEvents {
        PGMEvents(fd: fd, family: family, syscalls: sys, maximumLength: maximumLength)
    }
}

/// Whether a send or receive may wait.
public enum IOMode: Sendable, Hashable {
    /// Wait: for data to receive, or for the rate limit to allow a send.
    case blocking
    /// Do not wait: fail with `Errno.resourceTemporarilyUnavailable` instead
    /// (`MSG_DONTWAIT`).
    case nonBlocking

    var flags: Int32 { self == .blocking ? 0 : Int32(MSG_DONTWAIT) }
}

/// What ``PGMSocket/receive(into:mode:)`` put in the caller's buffer.
public struct Received: Sendable, Hashable {
    /// Bytes written to the buffer.
    public var count: Int
    /// The APDU's real length; more than ``count`` when truncated.
    public var length: Int
    /// The APDU did not fit the buffer; its tail is gone.
    public var isTruncated: Bool
    /// The session the APDU came from; nil only if the kernel returned a
    /// plain `sockaddr_in` or `sockaddr_in6`.
    public var transportSessionID: TSI?
    /// The source's IP address and data-source port (on IPv6, with the
    /// interface index of a link-local source as its zone).
    public var source: PGMEndpoint
    /// The sequence number of the APDU's first packet; nil unless
    /// ``PGMSocket/setReceiveSequenceNumbers(_:)`` turned them on.
    public var sequenceNumber: SequenceNumber? = nil
}

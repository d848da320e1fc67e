import CPGM
import SystemPackage

/// How a ``PGMSource`` is set up. Every field left nil keeps the namespace's
/// default (pgm(7), `PGM_DEFAULT_*`). The tunables are the fields of
/// ``SourceTunables``, named after their options (`options.txwMaxRte` sets
/// `PGM_TXW_MAX_RTE`); times are `Duration`s.
@dynamicMemberLookup
public struct SourceOptions: Sendable, Hashable {
    /// The source's tunables (`SOL_PGM` options), also reached as fields of the options.
    public var tunables = SourceTunables()
    /// The Global Source ID (`PGM_GSI`); nil keeps the host's and namespace's
    /// default. Choosing one needs CAP_NET_RAW (`Errno.notPermitted` otherwise).
    public var globalSourceID: GSI?
    /// Send from this interface. IPv4: by address, `bind()` to it and
    /// `IP_MULTICAST_IF`; by name or index, `IP_MULTICAST_IF` with the
    /// index. IPv6: by name or index only, `IPV6_MULTICAST_IF` (and the
    /// scope id of a link-scoped group).
    public var interface: PGMInterface?
    /// `IP_MULTICAST_TTL`, or `IPV6_MULTICAST_HOPS` on IPv6.
    public var multicastTTL: UInt8?
    /// `IP_MULTICAST_LOOP` (`IPV6_MULTICAST_LOOP`): whether receivers on
    /// this host get a copy.
    public var multicastLoop: Bool?
    /// PGM in UDP instead of IP protocol 113; nil: native.
    public var udpEncapsulation: UDPEncapsulation?
    /// FEC (`PGM_FEC`); nil: none, the default.
    public var fec: FECSettings?
    /// Run PGMCC congestion control (`PGM_PGMCC`): the acker's ACKs clock
    /// the sends, within the rate limit (``PGMSocket/setPGMCC(_:)``). Off
    /// when nil. Not with ``fec``: `Errno.notSupported` from connect().
    public var pgmcc: Bool?
    /// Confirmed delivery (`PGM_CONFIRM`, docs/confirmed-delivery.md): keep
    /// the receivers that confirm and tell how far all of them have
    /// everything (``PGMSource/confirmed()``,
    /// ``PGMSource/waitUntilDelivered(through:receivers:timeout:)``). Off
    /// when nil.
    public var confirmedDelivery: ConfirmedDeliverySettings?

    /// Options with every field nil: the defaults.
    public init() {}

    /// A tunable, as `options.txwSqns`.
    public subscript<T>(dynamicMember field: WritableKeyPath<SourceTunables, T>) -> T {
        get { tunables[keyPath: field] }
        set { tunables[keyPath: field] = newValue }
    }
}

/// UDP encapsulation of a socket (`PGM_UDP_ENCAP`): its unicast and
/// multicast UDP ports, nil for the namespace's default.  ZeroMQ's
/// `epgm://` and OpenPGM programs use one port for both.
///
/// Ports below net.ipv4.ip_unprivileged_port_start need CAP_NET_BIND_SERVICE
/// (`Errno.permissionDenied` otherwise), as a receiver's port does.
public struct UDPEncapsulation: Sendable, Hashable {
    /// `PGM_UDP_ENCAP_UCAST_PORT`: NAKs and unicast SPMRs, and every packet's source port.
    public var udpEncapUcastPort: UInt16?
    /// `PGM_UDP_ENCAP_MCAST_PORT`: packets to the group.
    public var udpEncapMcastPort: UInt16?

    public init(udpEncapUcastPort: UInt16? = nil, udpEncapMcastPort: UInt16? = nil) {
        self.udpEncapUcastPort = udpEncapUcastPort
        self.udpEncapMcastPort = udpEncapMcastPort
    }
}

/// How a ``PGMReceiver`` is set up. Every field left nil keeps the
/// namespace's default (pgm(7), `PGM_DEFAULT_*`). The tunables are the
/// fields of ``ReceiverTunables``, named after their options.
@dynamicMemberLookup
public struct ReceiverOptions: Sendable, Hashable {
    /// The receiver's tunables (`SOL_PGM` options), also reached as fields of
    /// the options (`options.nakBoIvl` sets `PGM_NAK_BO_IVL`); times are `Duration`s.
    public var tunables = ReceiverTunables()
    /// Unrecoverable loss resets the session (`PGM_ABORT_ON_LOSS`).
    public var abortOnLoss: Bool?
    /// Ask sources that offer on-demand parity for parity (`PGM_FEC_NAK`;
    /// nil: the netns's `fec-nak`, off as built: an OpenPGM 5.3 source
    /// aborts on a parity NAK).
    public var parityNAKs: Bool?
    /// Take part in PGMCC congestion control (`PGM_PGMCC`): ACK as the acker
    /// when a source names this receiver, feedback on NAKs. Off when nil.
    public var pgmcc: Bool?
    /// Confirm progress to each session's source every this long
    /// (`PGM_CONFIRM`; ``ConfirmedDeliverySettings/defaultInterval``, 200 ms,
    /// is the kernel's default), 10 ms to 60 s: a JOIN, then ACKs with
    /// OPT_CONFIRM, and BYE on close (``PGMSocket/setConfirmedDelivery(interval:)``).
    /// Sources without confirmed delivery ignore them. Off when nil.
    public var confirmInterval: Duration?
    /// `SO_RCVBUF`, bytes.
    public var receiveBufferSize: Int32?
    /// Receive through an mmap ring of this geometry (`PGM_RX_RING`)
    /// instead of recvmsg(2); nil: recvmsg. Not with ``abortOnLoss``
    /// (`Errno.notSupported`): a ring reports loss as a record. Either
    /// family: an IPv6 socket's records carry the IPv6 source and its zone.
    public var ring: RingOptions?
    /// PGM in UDP instead of IP protocol 113; nil: native.
    public var udpEncapsulation: UDPEncapsulation?

    /// Options with every field nil: the defaults.
    public init() {}

    /// A tunable, as `options.nakBoIvl`.
    public subscript<T>(dynamicMember field: WritableKeyPath<ReceiverTunables, T>) -> T {
        get { tunables[keyPath: field] }
        set { tunables[keyPath: field] = newValue }
    }
}

/// A PGM source: a socket connected to a group and port, sending APDUs.
///
/// ```swift
/// let source = try PGMSource(group: PGMEndpoint("239.192.0.1:7500"))
/// try source.send(contentsOf: Array("hello".utf8))
/// try source.close()
/// ```
///
/// The socket is of the group's family: `[ff15::1]:7500` opens an IPv6
/// one, `[ff02::1%eth0]:7500` one that sends on eth0.
public struct PGMSource: ~Copyable {
    /// The socket, for calls this type does not wrap.
    public let socket: PGMSocket

    /// Opens a socket, applies `options` and starts a session to `group`.
    ///
    /// - Throws: the `Errno` of the first call that failed; the socket is
    ///   closed then.
    public init(group: IPv4Endpoint, options: SourceOptions = SourceOptions()) throws(Errno) {
        try self.init(group: group, options: options, syscalls: .system)
    }

    init(group: IPv4Endpoint, options o: SourceOptions, syscalls: Syscalls) throws(Errno) {
        do throws(PGMSetupError) { try self.init(group: PGMEndpoint(group), options: o, syscalls: syscalls) } catch {
            throw error.errno
        }
    }

    /// Opens a socket of the group's family, applies `options` and starts a
    /// session to `group`.
    ///
    /// - Throws: ``PGMSetupError/system(_:)`` with the `Errno` of the first
    ///   call that failed (the socket is closed then), or, before anything
    ///   is opened, an interface the group cannot use
    ///   (``PGMSetupError/interfaceFamily(interface:group:)``,
    ///   ``PGMSetupError/noSuchInterface(_:)``,
    ///   ``PGMSetupError/interfaceRequired(_:)``,
    ///   ``PGMSetupError/conflictingInterfaces(zone:interface:)``).
    public init(group: PGMEndpoint, options: SourceOptions = SourceOptions()) throws(PGMSetupError) {
        try self.init(group: group, options: options, syscalls: .system)
    }

    init(group: PGMEndpoint, options o: SourceOptions, syscalls: Syscalls) throws(PGMSetupError) {
        let place = try Placement(group: group, interface: o.interface, syscalls: syscalls)
        let s: PGMSocket
        do { s = try PGMSocket(family: PGMSocket.Family(group.address), syscalls: syscalls) } catch {
            throw .system(error)
        }
        do throws(Errno) {
            try o.tunables.apply(to: s)
            if let v = o.globalSourceID { try s.setGlobalSourceID(v) }
            if let v = o.multicastTTL { try s.setMulticastTTL(v) }
            if let v = o.multicastLoop { try s.setMulticastLoop(v) }
            if let v = o.udpEncapsulation { try s.setUDPEncapsulation(v) }
            if let v = o.fec { try s.setFEC(v) }
            if let v = o.pgmcc { try s.setPGMCC(v) }
            if let c = o.confirmedDelivery {
                try s.setConfirmedDelivery(expiry: c.expiry, maximumReceivers: c.maximumReceivers,
                                           flowControl: c.flowControl)
            }
            if let v = place.interface {
                if case .address(let a) = v { try s.bind(to: IPv4Endpoint(a, port: 0)) }
                try s.setMulticastInterface(v)
            }
            try s.connect(to: place.group)
        } catch {
            try? s.close()
            throw .system(error)
        }
        socket = s
    }

    /// Sends one APDU (see ``PGMSocket/send(_:mode:)``).
    public func send(_ apdu: UnsafeRawBufferPointer, mode: IOMode = .blocking) throws(Errno) {
        try socket.send(apdu, mode: mode)
    }

    /// Sends the bytes of a collection as one APDU.
    public func send<Bytes: Sequence<UInt8>>(contentsOf bytes: Bytes, mode: IOMode = .blocking) throws(Errno) {
        try socket.send(contentsOf: bytes, mode: mode)
    }

    /// The session's TSI.
    public func transportSessionID() throws(Errno) -> TSI {
        try socket.transportSessionID()
    }

    /// The session's counters.
    public func statistics() throws(Errno) -> SourceStatistics {
        try socket.sourceStatistics()
    }

    /// Sends one APDU and returns the sequence number of its last packet
    /// (``PGMSocket/lastSequenceNumber()`` read after the send): what to
    /// wait for with ``waitUntilDelivered(through:receivers:timeout:)``.
    /// An APDU in several packets ends at the last one's number. Sends from
    /// other threads between the two calls would move it on: with several
    /// senders, wait for the highest.
    @discardableResult
    public func sendReturningSequenceNumber(_ apdu: UnsafeRawBufferPointer, mode: IOMode = .blocking)
        throws(Errno) -> SequenceNumber
    {
        try socket.send(apdu, mode: mode)
        return try socket.lastSequenceNumber()
    }

    /// Sends the bytes of a collection as one APDU and returns the sequence
    /// number of its last packet (see ``sendReturningSequenceNumber(_:mode:)``).
    @discardableResult
    public func sendReturningSequenceNumber<Bytes: Sequence<UInt8>>(contentsOf bytes: Bytes, mode: IOMode = .blocking)
        throws(Errno) -> SequenceNumber
    {
        try socket.send(contentsOf: bytes, mode: mode)
        return try socket.lastSequenceNumber()
    }

    /// The last sequence number given to data (see
    /// ``PGMSocket/lastSequenceNumber()``).
    public func lastSequenceNumber() throws(Errno) -> SequenceNumber {
        try socket.lastSequenceNumber()
    }

    /// How far every live confirming receiver has everything (see
    /// ``PGMSocket/confirmed()``); `.invalidArgument` without
    /// ``SourceOptions/confirmedDelivery``.
    public func confirmed() throws(Errno) -> ConfirmedState {
        try socket.confirmed()
    }

    /// Waits until at least `receivers` live confirming receivers all have
    /// every sequence number through `sequence` (see
    /// ``PGMSocket/waitUntilDelivered(through:receivers:timeout:)``).
    public func waitUntilDelivered(through sequence: SequenceNumber, receivers: Int = 1, timeout: Duration)
        async throws(Errno) -> Bool
    {
        try await socket.waitUntilDelivered(through: sequence, receivers: receivers, timeout: timeout)
    }

    /// The latest move of the rate the netns's multicast policy lets this
    /// source send at (its rule's rate cap, or its share of the policy's
    /// rate cap), read from the error queue without waiting; nil when none
    /// waits.  The kernel keeps one at most (a newer one replaces it and
    /// keeps its old rate) and poll(2) reports `POLLERR` on the socket
    /// while it waits: a source that paces what it produces can look when
    /// `POLLERR` says so, or now and then, instead of blocking in send().
    /// A source the policy revokes fails its sends with
    /// `Errno.permissionDenied` instead.
    public func rateChange() throws(Errno) -> RateChange? {
        var latest: RateChange?
        while let e = try socket.readErrorQueue() {
            if case .rateChanged(let r) = e { latest = r }
        }
        return latest
    }

    /// Ends the session: OPT_FIN, after `linger` of repairs in the kernel
    /// when given (`SO_LINGER`); a zero linger resets it (OPT_RST).
    public consuming func close(linger: Duration? = nil) throws(Errno) {
        let s = socket
        if let linger {
            do throws(Errno) { try s.setLinger(linger) } catch {
                try? s.close()
                throw error
            }
        }
        try s.close()
    }
}

/// A PGM receiver: a socket bound to a group and port and joined to the
/// group, delivering every source's APDUs on that port in order per session.
/// The socket is of the group's family (`[ff15::1]:7500`: IPv6).
///
/// ```swift
/// let receiver = try PGMReceiver(group: PGMEndpoint("239.192.0.1:7500"))
/// for try await event in receiver.events() {
///     if case .message(let m) = event { print(m.transportSessionID, m.bytes.count) }
/// }
/// ```
///
/// With ``ReceiverOptions/ring`` the kernel puts APDUs, losses and session
/// ends into a ring mapped into this process: ``receive(maximumLength:mode:)``,
/// ``nextEvent(maximumLength:timeout:)`` and ``events(maximumLength:)`` work
/// the same, and ``withNextEvent(timeout:_:)`` and
/// ``consumeAvailable(limit:_:)`` lend each APDU without copying it.
public struct PGMReceiver: ~Copyable {
    /// The socket, for calls this type does not wrap.
    public let socket: PGMSocket
    let ring: ReceiveRing?

    /// Opens a socket, applies `options`, binds `group` and joins it on the
    /// interface with address `interface` (the routing table's choice when
    /// nil).
    ///
    /// - Throws: `Errno.invalidArgument` when `group` is not a multicast
    ///   address, or the `Errno` of the first call that failed; the socket
    ///   is closed then.
    public init(group: IPv4Endpoint, interface: IPv4Address? = nil, options: ReceiverOptions = ReceiverOptions()) throws(Errno) {
        try self.init(group: group, interface: interface, options: options, syscalls: .system)
    }

    init(group: IPv4Endpoint, interface: IPv4Address?, options o: ReceiverOptions, syscalls: Syscalls) throws(Errno) {
        do throws(PGMSetupError) {
            try self.init(group: PGMEndpoint(group), interface: interface.map { .address($0) }, options: o,
                          syscalls: syscalls)
        } catch {
            throw error.errno
        }
    }

    /// Opens a socket of the group's family, applies `options`, binds
    /// `group` and joins it on `interface` (IPv4: by address, name or
    /// index; IPv6: by name or index, or the group's zone), the routing
    /// table's choice when nil.
    ///
    /// - Throws: before anything is opened, ``PGMSetupError/notMulticast(_:)``
    ///   or an interface the group cannot use (as ``PGMSource``'s); then
    ///   ``PGMSetupError/system(_:)`` with the `Errno` of the first call
    ///   that failed (the socket is closed then).
    public init(group: PGMEndpoint, interface: PGMInterface? = nil, options: ReceiverOptions = ReceiverOptions())
        throws(PGMSetupError)
    {
        try self.init(group: group, interface: interface, options: options, syscalls: .system)
    }

    init(group: PGMEndpoint, interface: PGMInterface?, options o: ReceiverOptions, syscalls: Syscalls)
        throws(PGMSetupError)
    {
        guard group.address.isMulticast else { throw .notMulticast(group) }
        let place = try Placement(group: group, interface: interface, syscalls: syscalls)
        let s: PGMSocket
        do { s = try PGMSocket(family: PGMSocket.Family(group.address), syscalls: syscalls) } catch {
            throw .system(error)
        }
        var ring: ReceiveRing?
        do throws(Errno) {
            try o.tunables.apply(to: s)
            if let v = o.abortOnLoss { try s.setAbortOnLoss(v) }
            if let v = o.parityNAKs { try s.setParityNAKs(v) }
            if let v = o.pgmcc { try s.setPGMCC(v) }
            if let v = o.confirmInterval { try s.setConfirmedDelivery(interval: v) }
            if let v = o.receiveBufferSize { try s.setReceiveBufferSize(v) }
            try s.setReceiveSequenceNumbers(true)
            if let r = o.ring { ring = try ReceiveRing(fd: s.fd, family: s.family, syscalls: syscalls, options: r) }
            if let v = o.udpEncapsulation { try s.setUDPEncapsulation(v) }
            try s.bind(to: place.group)
            try s.join(group: group.address, interface: place.interface)
        } catch {
            ring?.unmap()
            try? s.close()
            throw .system(error)
        }
        socket = s
        self.ring = ring
    }

    /// Whether the receiver reads through an mmap ring.
    public var usesRing: Bool { ring != nil }

    /// Receives one APDU (see ``PGMSocket/receive(maximumLength:mode:)``).
    public func receive(maximumLength: Int = 65536, mode: IOMode = .blocking) throws(Errno) -> Message {
        if let ring { return try ring.receive(maximumLength: maximumLength, mode: mode) }
        return try socket.receive(maximumLength: maximumLength, mode: mode)
    }

    /// The next APDU, loss or session end; nil after `timeout` (see
    /// ``PGMSocket/nextEvent(maximumLength:timeout:)``).
    public func nextEvent(maximumLength: Int = 65536, timeout: Duration? = nil) throws(Errno) -> Event? {
        if let ring { return try ring.nextEvent(maximumLength: maximumLength, timeout: timeout) }
        return try socket.nextEvent(maximumLength: maximumLength, timeout: timeout)
    }

    /// Lends the next APDU, loss or session end to `body` without copying
    /// the APDU, waiting up to `timeout` (nil: for ever); nil when nothing
    /// came. In ring mode the view points into the ring, which gets the
    /// record back when `body` returns; in recvmsg mode into a buffer of
    /// `maximumLength` bytes that lives as long.
    public func withNextEvent<R>(
        maximumLength: Int = 65536, timeout: Duration? = nil, _ body: (EventView) -> R
    ) throws(Errno) -> R? {
        if let ring {
            let clock = ContinuousClock()
            let deadline = timeout.map { clock.now.advanced(by: $0) }
            while true {
                if let r = try ring.withNextEvent(maximumLength: maximumLength, body) { return r }
                guard try ring.wait(until: deadline, clock: clock) else { return nil }
            }
        }
        guard let e = try socket.nextEvent(maximumLength: maximumLength, timeout: timeout) else { return nil }
        return Self.lend(e, body)
    }

    /// Lends every event available now, up to `limit`, to `body` without
    /// waiting; how many. In ring mode they are given back to the kernel
    /// together at the end: one release for the batch, no system call.
    public func consumeAvailable(
        limit: Int = .max, maximumLength: Int = 65536, _ body: (EventView) -> Void
    ) throws(Errno) -> Int {
        if let ring { return try ring.consumeAvailable(limit: limit, maximumLength: maximumLength, body) }
        var n = 0
        while n < limit, let e = try socket.nextEvent(maximumLength: maximumLength, timeout: .zero) {
            Self.lend(e, body)
            n += 1
        }
        return n
    }

    @discardableResult
    private static func lend<R>(_ e: Event, _ body: (EventView) -> R) -> R {
        switch e {
        case .message(let m):
            return m.bytes.withUnsafeBytes { b in
                body(.message(MessageView(
                    transportSessionID: m.transportSessionID, source: m.source, bytes: b,
                    sequenceNumber: m.sequenceNumber, isTruncated: m.isTruncated)))
            }
        case .loss(let l): return body(.loss(l))
        case .sessionEnded(let s): return body(.sessionEnded(s))
        case .rateChanged(let r): return body(.rateChanged(r))
        }
    }

    /// The events as an asynchronous sequence (see
    /// ``PGMSocket/events(maximumLength:)``); keep the receiver open while
    /// iterating. In ring mode the messages are copied out of the ring.
    public func events(maximumLength: Int = 65536) -> PGMEvents {
        PGMEvents(fd: socket.fd, family: socket.family, syscalls: socket.sys, maximumLength: maximumLength, ring: ring)
    }

    /// Busy-polls the ring for up to `duration` (at most
    /// ``RingOptions/maximumSpin``) without a system call: true as soon as
    /// it holds something to read, false when the time ran out or without
    /// a ring. For an application that waits in its own poll(2) or epoll
    /// loop: spin first, and sleep only when this says false.
    public func spinForRecords(upTo duration: Duration) -> Bool {
        guard let ring else { return false }
        return ring.spin(for: min(max(duration, .zero), RingOptions.maximumSpin))
    }

    /// The ring's counters; `Errno.invalidArgument` without a ring.
    public func ringStatistics() throws(Errno) -> RingStatistics {
        guard let ring else { throw .invalidArgument }
        return try ring.statistics()
    }

    /// The counters of the receiver's sessions, summed.
    public func statistics() throws(Errno) -> ReceiverStatistics {
        try socket.receiverStatistics()
    }

    /// Closes the socket, after unmapping its ring.
    public consuming func close() throws(Errno) {
        ring?.unmap()
        try socket.close()
    }
}

/// Where a source sends or a receiver joins, checked and resolved before a
/// socket is opened: the group with the scope id it is bound or connected
/// with (an IPv6 zone, as an index), and the interface as the socket
/// options take it (an IPv4 address, or an index).
struct Placement {
    var group: PGMEndpoint
    var interface: PGMInterface?

    init(group g: PGMEndpoint, interface: PGMInterface?, syscalls: Syscalls) throws(PGMSetupError) {
        func index(_ i: PGMInterface) throws(PGMSetupError) -> UInt32 {
            switch syscalls.index(of: i) {
            case .success(let n): return n
            case .failure(let e):
                if case .name(let n) = i { throw .noSuchInterface(n) }
                throw .system(e)
            }
        }
        switch g.address {
        case .v4:
            group = PGMEndpoint(g.address, port: g.port)
            switch interface {
            case .address, nil: self.interface = interface
            case .some(let i): self.interface = .index(try index(i))
            }
        case .v6(let a):
            if case .address(let v4) = interface { throw .interfaceFamily(interface: .address(v4), group: g) }
            let given = try interface.map { i throws(PGMSetupError) in try index(i) }
            let zone = try g.zone.map { z throws(PGMSetupError) in try index(PGMInterface(z)) }
            if let zone, let given, zone != given, let z = g.zone, let i = interface {
                throw .conflictingInterfaces(zone: z, interface: i)
            }
            let chosen = given ?? zone
            if a.needsScope && chosen == nil { throw .interfaceRequired(g) }
            group = PGMEndpoint(g.address, port: g.port, zone: a.needsScope ? chosen.map { .index($0) } : nil)
            self.interface = chosen.map { .index($0) }
        }
    }
}

/// A source's FEC (`PGM_FEC`, RFC 3208 Appendix A): RS(n, k) over
/// transmission groups of k sequence numbers, `proactive` parity packets
/// after each group's last ODATA, and parity for parity NAKs when
/// `onDemand`. Not for sessions with OpenPGM 5.3 receivers (pgm(7)).
public struct FECSettings: Hashable, Sendable, CustomStringConvertible {
    /// Why FEC settings were refused: what the kernel refuses with EINVAL
    /// (PGMTypes' one check, which the model shares).
    public typealias Error = FECShapeError

    /// Packets in an FEC block: k originals and n - k parity packets.
    public let n: Int
    /// Original packets in a transmission group.
    public let k: Int
    /// Parity packets sent with each group.
    public let proactive: Int
    /// Whether parity NAKs are answered with parity.
    public let onDemand: Bool

    public init(n: Int, k: Int, proactive: Int = 0, onDemand: Bool = false) throws(Error) {
        try FECShapeError.check(n: n, k: k, proactive: proactive, onDemand: onDemand)
        self.n = n
        self.k = k
        self.proactive = proactive
        self.onDemand = onDemand
    }

    /// The settings of a `struct pgm_fec`; nil when it is all zero (no FEC)
    /// or not valid.
    init?(_ f: pgm_fec) {
        guard f.k != 0 else { return nil }
        guard let s = try? FECSettings(n: Int(f.n), k: Int(f.k), proactive: Int(f.proactive),
                                       onDemand: f.flags & UInt8(PGM_FEC_ONDEMAND) != 0)
        else { return nil }
        self = s
    }

    var raw: pgm_fec {
        var f = pgm_fec()
        f.n = UInt8(n)
        f.k = UInt8(k)
        f.proactive = UInt8(proactive)
        f.flags = onDemand ? UInt8(PGM_FEC_ONDEMAND) : 0
        return f
    }

    public var description: String { "n=\(n),k=\(k),proactive=\(proactive)\(onDemand ? ",ondemand" : "")" }

    /// Settings from text as pgm-send's `--fec` takes them:
    /// `n=32,k=16,proactive=2,ondemand` (proactive defaults to 0).
    public init(parsing text: String) throws(ParseError) {
        var n: Int?, k: Int?, proactive = 0, onDemand = false
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(parts[0])
            if parts.count == 1 {
                guard key == "ondemand" else { throw .syntax(String(item)) }
                onDemand = true
                continue
            }
            guard let v = Int(parts[1]), v >= 0 else { throw .syntax(String(item)) }
            switch key {
            case "n": n = v
            case "k": k = v
            case "proactive": proactive = v
            default: throw .syntax(String(item))
            }
        }
        guard let n, let k else { throw .syntax("n= and k= are needed") }
        do { self = try FECSettings(n: n, k: k, proactive: proactive, onDemand: onDemand) } catch {
            throw .invalid(error)
        }
    }

    /// Why text was not FEC settings.
    public enum ParseError: Swift.Error, Hashable, Sendable, CustomStringConvertible {
        /// Not `n=N,k=K[,proactive=H][,ondemand]`: the part that was not.
        case syntax(String)
        /// Well formed, but settings the kernel refuses.
        case invalid(Error)

        public var description: String {
            switch self {
            case .syntax(let part): "'\(part)': expected n=N,k=K[,proactive=H][,ondemand]"
            case .invalid(let e): e.description
            }
        }
    }
}

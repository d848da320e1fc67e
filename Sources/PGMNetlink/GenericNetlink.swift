import CMnl
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// Why a netlink request failed.
public enum NetlinkError: Error, Equatable, CustomStringConvertible {
    /// The generic-netlink family is not registered: for `pgm`, the module is not loaded.
    case familyNotFound(String)
    /// A system call or the kernel returned this errno.
    case system(Errno, String)
    /// The kernel refused a request: its errno, and what its extended ACK said.
    case refused(Errno, KernelReport)
    /// The reply did not carry what the request asks for.
    case malformedReply(String)
    /// A dump was interrupted (NLM_F_DUMP_INTR) on every try: sockets or
    /// sessions kept coming and going while it was read.
    case dumpInterrupted(attempts: Int)

    public var description: String {
        switch self {
        case .familyNotFound(let name): "generic netlink family '\(name)' not found"
        case .system(let e, let what): "\(what): \(e)"
        case .refused(let e, let report):
            if let m = report.message { "\(m) (\(e))" } else { "\(e)" }
        case .malformedReply(let why): "malformed netlink reply: \(why)"
        case .dumpInterrupted(let n):
            "the dump was inconsistent \(n) times in a row (sockets or sessions changed while it was read)"
        }
    }
}

/// A generic-netlink socket (NETLINK_GENERIC) on libmnl, with extended
/// ACKs on: a refused request comes back with the kernel's message.
public final class GenericNetlinkSocket {
    private let nl: OpaquePointer
    private let portID: UInt32
    private var sequence: UInt32

    /// Opens and binds a socket.
    public init() throws(NetlinkError) {
        let nl = try systemCall("mnl_socket_open") { mnl_socket_open(NETLINK_GENERIC) }.get()
        if case .failure(let e) = systemCall("mnl_socket_bind", { mnl_socket_bind(nl, 0, pid_t(MNL_SOCKET_AUTOPID)) }) {
            mnl_socket_close(nl)
            throw e
        }
        var one: Int32 = 1
        // Best effort: kernels without them still answer, with less to say.
        _ = mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, socklen_t(MemoryLayout<Int32>.size))
        _ = mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, socklen_t(MemoryLayout<Int32>.size))
        self.nl = nl
        self.portID = mnl_socket_get_portid(nl)
        self.sequence = UInt32(truncatingIfNeeded: time(nil))
    }

    deinit { mnl_socket_close(nl) }

    /// The socket's descriptor, for poll(2).
    public var fileDescriptor: Int32 { mnl_socket_get_fd(nl) }

    /// A resolved family: its id, version and multicast groups.
    public struct Family: Equatable, Sendable {
        /// The family's name.
        public var name: String
        /// The id requests carry in nlmsg_type.
        public var id: UInt16
        /// The family's version.
        public var version: UInt32
        /// Multicast group ids by name.
        public var groups: [String: UInt32] = [:]
    }

    /// Looks up a generic-netlink family by name (CTRL_CMD_GETFAMILY).
    public func resolve(family name: String) throws(NetlinkError) -> Family {
        let request = NetlinkRequest(
            family: UInt16(GENL_ID_CTRL), command: UInt8(CTRL_CMD_GETFAMILY),
            attributes: [NetlinkAttribute(type: UInt16(CTRL_ATTR_FAMILY_NAME), payload: Array(name.utf8) + [0])])
        let replies: [NetlinkAttributes]
        do {
            replies = try transact(request)
        } catch .refused(let e, _) {
            if e == .noSuchFileOrDirectory { throw .familyNotFound(name) }
            throw .system(e, "CTRL_CMD_GETFAMILY \(name)")
        }
        guard let a = replies.first, let id = a.u16(UInt16(CTRL_ATTR_FAMILY_ID)) else {
            throw .malformedReply("no CTRL_ATTR_FAMILY_ID")
        }
        var family = Family(name: name, id: id, version: a.u32(UInt16(CTRL_ATTR_VERSION)) ?? 0)
        if let groups = a.nested(UInt16(CTRL_ATTR_MCAST_GROUPS)) {
            for (_, payload) in groups.payloads {
                guard let g = try? NetlinkAttributes(parsing: payload),
                      let gname = g.string(UInt16(CTRL_ATTR_MCAST_GRP_NAME)),
                      let gid = g.u32(UInt16(CTRL_ATTR_MCAST_GRP_ID)) else { continue }
                family.groups[gname] = gid
            }
        }
        return family
    }

    /// Sends a request and collects its replies: one message for a do, all
    /// of them for a dump (reading on until NLMSG_DONE, as many recv()s as
    /// the kernel needs to page them).  Throws ``NetlinkError/refused(_:_:)``
    /// when the kernel says no.
    ///
    /// A dump the kernel flags as interrupted (NLM_F_DUMP_INTR: sockets or
    /// sessions came or went between its pages) is read again, up to
    /// ``dumpAttempts`` times, then fails with
    /// ``NetlinkError/dumpInterrupted(attempts:)``.
    public func transact(_ request: NetlinkRequest) throws(NetlinkError) -> [NetlinkAttributes] {
        var attempt = 1
        while true {
            let (out, interrupted) = try transactOnce(request)
            if !interrupted || !request.dump { return out }
            if attempt >= Self.dumpAttempts { throw .dumpInterrupted(attempts: attempt) }
            attempt += 1
        }
    }

    /// How many times ``transact(_:)`` reads a dump that keeps changing.
    public static let dumpAttempts = 5

    private func transactOnce(_ request: NetlinkRequest) throws(NetlinkError) -> ([NetlinkAttributes], Bool) {
        sequence &+= 1
        let seq = sequence
        let bytes = request.encoded(sequence: seq, portID: 0)
        _ = try bytes.withUnsafeBytes { b in systemCall("sendto") { mnl_socket_sendto(nl, b.baseAddress, b.count) } }.get()

        var out: [NetlinkAttributes] = []
        var interrupted = false
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = try receive(into: &buffer)
            var flagged = false
            let messages = try NetlinkMessage.parse(Array(buffer.prefix(n)), dumpInterrupted: &flagged)
            for m in messages where m.sequence == seq {
                if flagged { interrupted = true }
                switch m {
                case .generic(_, _, _, let attrs):
                    out.append(attrs)
                case .error(_, let code, let report), .done(_, let code, let report):
                    if code < 0 { throw .refused(Errno(rawValue: -code), report) }
                    if case .error = m, request.dump { continue }  // an ACK before the DONE
                    return (out, interrupted)
                }
            }
        }
    }

    /// Joins a multicast group: its messages arrive with ``receive()``.
    public func join(group: UInt32) throws(NetlinkError) {
        var g = group
        _ = try systemCall("NETLINK_ADD_MEMBERSHIP") {
            mnl_socket_setsockopt(nl, NETLINK_ADD_MEMBERSHIP, &g, socklen_t(MemoryLayout<UInt32>.size))
        }.get()
    }

    /// Reads what one recv() returns (waiting unless the socket is non-blocking).
    public func receive() throws(NetlinkError) -> [NetlinkMessage] {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let n = try receive(into: &buffer)
        return try NetlinkMessage.parse(Array(buffer.prefix(n)))
    }

    /// One recv() into `buffer`: the count of bytes read.
    private func receive(into buffer: inout [UInt8]) throws(NetlinkError) -> Int {
        try buffer.withUnsafeMutableBytes { b in systemCall("recvfrom") { mnl_socket_recvfrom(nl, b.baseAddress, b.count) } }
            .get()
    }
}

/// Runs a C call that returns a negative value and sets `errno` when it
/// fails: its value, or ``NetlinkError/system(_:_:)`` with that errno, read
/// at once on this thread, and the call's name.
func systemCall<I: FixedWidthInteger>(_ name: String, _ call: () -> I) -> Result<I, NetlinkError> {
    let value = call()
    return value < 0 ? .failure(.system(Errno(rawValue: errno), name)) : .success(value)
}

/// Runs a C call that returns nil and sets `errno` when it fails: its
/// value, or ``NetlinkError/system(_:_:)`` with that errno and the call's name.
func systemCall<P>(_ name: String, _ call: () -> P?) -> Result<P, NetlinkError> {
    guard let value = call() else { return .failure(.system(Errno(rawValue: errno), name)) }
    return .success(value)
}

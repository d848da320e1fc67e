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
    /// The reply did not carry what the request asks for.
    case malformedReply(String)

    public var description: String {
        switch self {
        case .familyNotFound(let name): "generic netlink family '\(name)' not found"
        case .system(let e, let what): "\(what): \(e)"
        case .malformedReply(let why): "malformed netlink reply: \(why)"
        }
    }
}

/// A generic-netlink socket (NETLINK_GENERIC) on libmnl.
public final class GenericNetlinkSocket {
    private let nl: OpaquePointer
    private let portID: UInt32
    private var sequence: UInt32

    public init() throws(NetlinkError) {
        guard let nl = mnl_socket_open(NETLINK_GENERIC) else {
            throw .system(Errno(rawValue: errno), "mnl_socket_open")
        }
        guard mnl_socket_bind(nl, 0, pid_t(MNL_SOCKET_AUTOPID)) == 0 else {
            let e = Errno(rawValue: errno)
            mnl_socket_close(nl)
            throw .system(e, "mnl_socket_bind")
        }
        self.nl = nl
        self.portID = mnl_socket_get_portid(nl)
        self.sequence = UInt32(truncatingIfNeeded: time(nil))
    }

    deinit { mnl_socket_close(nl) }

    /// A resolved family: its id and version.
    public struct Family: Equatable, Sendable {
        public var name: String
        public var id: UInt16
        public var version: UInt32
    }

    /// Looks up a generic-netlink family by name (CTRL_CMD_GETFAMILY).
    public func resolve(family name: String) throws(NetlinkError) -> Family {
        var buffer = [UInt8](repeating: 0, count: 8192)  // MNL_SOCKET_BUFFER_SIZE
        sequence &+= 1
        let seq = sequence
        let sent: Int = buffer.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress else { return -1 }
            let nlh = mnl_nlmsg_put_header(base)!
            nlh.pointee.nlmsg_type = UInt16(GENL_ID_CTRL)
            nlh.pointee.nlmsg_flags = UInt16(NLM_F_REQUEST | NLM_F_ACK)
            nlh.pointee.nlmsg_seq = seq
            let genl = mnl_nlmsg_put_extra_header(nlh, MemoryLayout<genlmsghdr>.size)!
                .assumingMemoryBound(to: genlmsghdr.self)
            genl.pointee.cmd = UInt8(CTRL_CMD_GETFAMILY)
            genl.pointee.version = 1
            mnl_attr_put_strz(nlh, UInt16(CTRL_ATTR_FAMILY_NAME), name)
            return mnl_socket_sendto(nl, nlh, Int(nlh.pointee.nlmsg_len))
        }
        guard sent >= 0 else { throw .system(Errno(rawValue: errno), "sendto") }

        var result = ParseState()
        while true {
            let n = buffer.withUnsafeMutableBytes { mnl_socket_recvfrom(nl, $0.baseAddress, $0.count) }
            guard n >= 0 else { throw .system(Errno(rawValue: errno), "recvfrom") }
            let rc = buffer.withUnsafeBytes { raw in
                withUnsafeMutablePointer(to: &result) { state in
                    mnl_cb_run(raw.baseAddress, n, seq, portID, familyCallback, state)
                }
            }
            if rc == MNL_CB_ERROR {
                let e = Errno(rawValue: errno)
                if e == .noSuchFileOrDirectory { throw .familyNotFound(name) }
                throw .system(e, "CTRL_CMD_GETFAMILY \(name)")
            }
            if rc == MNL_CB_STOP { break }
        }
        guard let id = result.id else { throw .malformedReply("no CTRL_ATTR_FAMILY_ID") }
        return Family(name: name, id: id, version: result.version ?? 0)
    }
}

private struct ParseState {
    var id: UInt16?
    var version: UInt32?
}

private let familyCallback: mnl_cb_t = { nlh, data in
    guard let nlh, let data else { return MNL_CB_ERROR }
    let state = data.assumingMemoryBound(to: ParseState.self)
    var attr = mnl_nlmsg_get_payload_offset(nlh, MemoryLayout<genlmsghdr>.size)
        .map { $0.assumingMemoryBound(to: nlattr.self) }
    let tail = mnl_nlmsg_get_payload_tail(nlh)
    while let a = attr, mnl_attr_ok(a, Int32(Int(bitPattern: tail) - Int(bitPattern: UnsafeRawPointer(a)))) {
        switch Int32(mnl_attr_get_type(a)) {
        case Int32(CTRL_ATTR_FAMILY_ID):
            if mnl_attr_validate(a, MNL_TYPE_U16) >= 0 { state.pointee.id = mnl_attr_get_u16(a) }
        case Int32(CTRL_ATTR_VERSION):
            if mnl_attr_validate(a, MNL_TYPE_U32) >= 0 { state.pointee.version = mnl_attr_get_u32(a) }
        default:
            break
        }
        attr = mnl_attr_next(a)
    }
    return MNL_CB_OK
}

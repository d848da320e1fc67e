import CMnl

/// One netlink attribute of a request: its type and its payload, already in
/// the byte order the kernel expects (native for integers).
public struct NetlinkAttribute: Sendable, Equatable {
    /// The attribute type (without NLA_F_NESTED).
    public var type: UInt16
    /// The payload, without header or padding.
    public var payload: [UInt8]

    /// An attribute with this payload.
    public init(type: UInt16, payload: [UInt8]) {
        self.type = type
        self.payload = payload
    }

    /// A u16 attribute.
    public static func u16(_ type: UInt16, _ value: UInt16) -> Self { .init(type: type, payload: bytes(of: value)) }
    /// A u32 attribute.
    public static func u32(_ type: UInt16, _ value: UInt32) -> Self { .init(type: type, payload: bytes(of: value)) }
    /// A u64 attribute.
    public static func u64(_ type: UInt16, _ value: UInt64) -> Self { .init(type: type, payload: bytes(of: value)) }
    /// An address the kernel takes as one of two attributes, by its
    /// family: `v4` a u32 in network byte order, `v6` its 16 bytes (what
    /// ``NetlinkAttributes/ipAddress(v4:v6:)`` reads).
    public static func ipAddress(v4: UInt16, v6: UInt16, _ address: IPAddress) -> Self {
        switch address {
        case .v4(let a): .init(type: v4, payload: a.bytes)
        case .v6(let a): .init(type: v6, payload: a.bytes)
        }
    }

    static func bytes<T: FixedWidthInteger>(of value: T) -> [UInt8] {
        withUnsafeBytes(of: value) { Array($0) }
    }
}

/// A generic-netlink request: the family, command and attributes.
public struct NetlinkRequest: Sendable, Equatable {
    /// The family id (from ``GenericNetlinkSocket/resolve(family:)``).
    public var family: UInt16
    /// The command.
    public var command: UInt8
    /// The family version.
    public var version: UInt8
    /// NLM_F_DUMP for a dump; NLM_F_REQUEST and NLM_F_ACK are always set.
    public var dump: Bool
    /// The attributes, in order.
    public var attributes: [NetlinkAttribute]

    /// A request; `dump` asks for every object (NLM_F_DUMP).
    public init(family: UInt16, command: UInt8, version: UInt8 = 1, dump: Bool = false,
                attributes: [NetlinkAttribute] = []) {
        self.family = family
        self.command = command
        self.version = version
        self.dump = dump
        self.attributes = attributes
    }

    /// The request as bytes on the wire, built with libmnl.
    public func encoded(sequence: UInt32, portID: UInt32) -> [UInt8] {
        let size = 16 + 4 + attributes.reduce(0) { $0 + 4 + ($1.payload.count + 3) & ~3 }
        var buffer = [UInt8](repeating: 0, count: size)
        let length: Int = buffer.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress, let nlh = mnl_nlmsg_put_header(base) else { return 0 }
            nlh.pointee.nlmsg_type = family
            var flags = Int32(NLM_F_REQUEST | NLM_F_ACK)
            if dump { flags |= Int32(NLM_F_DUMP) }
            nlh.pointee.nlmsg_flags = UInt16(flags)
            nlh.pointee.nlmsg_seq = sequence
            nlh.pointee.nlmsg_pid = portID
            if let genl = mnl_nlmsg_put_extra_header(nlh, MemoryLayout<genlmsghdr>.size)?
                .assumingMemoryBound(to: genlmsghdr.self) {
                genl.pointee.cmd = command
                genl.pointee.version = version
            }
            for a in attributes {
                a.payload.withUnsafeBytes { p in
                    mnl_attr_put(nlh, a.type, p.count, p.baseAddress)
                }
            }
            return Int(nlh.pointee.nlmsg_len)
        }
        return Array(buffer.prefix(length))
    }
}

/// The attributes of a message, by type (the last one of a type wins).
public struct NetlinkAttributes: Sendable, Equatable {
    /// Payloads by attribute type (NLA_F_NESTED and NLA_F_NET_BYTEORDER cleared).
    public var payloads: [UInt16: [UInt8]]

    /// Attributes from their payloads.
    public init(_ payloads: [UInt16: [UInt8]] = [:]) { self.payloads = payloads }

    /// Parses a run of attributes; throws on a length that leaves the run.
    public init<C: Collection<UInt8>>(parsing bytes: C) throws(NetlinkError) where C.Index == Int {
        var out: [UInt16: [UInt8]] = [:]
        var i = bytes.startIndex
        while bytes.endIndex - i >= 4 {
            let len = Int(Self.le16(bytes, i))
            let type = Self.le16(bytes, i + 2) & 0x3FFF
            guard len >= 4, i + len <= bytes.endIndex else {
                throw .malformedReply("attribute of length \(len) at offset \(i - bytes.startIndex)")
            }
            out[type] = Array(bytes[(i + 4)..<(i + len)])
            i += (len + 3) & ~3
        }
        payloads = out
    }

    static func le16<C: Collection<UInt8>>(_ b: C, _ i: Int) -> UInt16 where C.Index == Int {
        UInt16(b[i]) | UInt16(b[i + 1]) << 8
    }

    /// Whether an attribute of this type is present.
    public func has(_ type: UInt16) -> Bool { payloads[type] != nil }

    /// A u16 attribute; nil when absent or not two bytes.
    public func u16(_ type: UInt16) -> UInt16? { integer(type) }
    /// A u32 attribute; nil when absent or not four bytes.
    public func u32(_ type: UInt16) -> UInt32? { integer(type) }
    /// A u64 attribute; nil when absent or not eight bytes.
    public func u64(_ type: UInt16) -> UInt64? { integer(type) }
    /// An IPv4 address: a u32 in network byte order.
    public func ipv4(_ type: UInt16) -> IPv4Address? {
        integer(type).map { (v: UInt32) in IPv4Address(rawValue: UInt32(bigEndian: v)) }
    }
    /// An IPv6 address: 16 bytes in network order; nil when absent or of
    /// another length.
    public func ipv6(_ type: UInt16) -> IPv6Address? {
        payloads[type].flatMap(IPv6Address.init(bytes:))
    }
    /// An address the kernel sends as one of two attributes, by the
    /// socket's family: `v6` (16 bytes) when present, else `v4` (a u32 in
    /// network byte order); nil when neither is.
    public func ipAddress(v4: UInt16, v6: UInt16) -> IPAddress? {
        if let a = ipv6(v6) { return .v6(a) }
        return ipv4(v4).map(IPAddress.v4)
    }
    /// The payload.
    public func bytes(_ type: UInt16) -> [UInt8]? { payloads[type] }
    /// A NUL-terminated string.
    public func string(_ type: UInt16) -> String? {
        guard let p = payloads[type] else { return nil }
        return String(decoding: p.prefix { $0 != 0 }, as: UTF8.self)
    }
    /// Nested attributes; nil when absent or malformed.
    public func nested(_ type: UInt16) -> NetlinkAttributes? {
        guard let p = payloads[type] else { return nil }
        return try? NetlinkAttributes(parsing: p)
    }

    func integer<T: FixedWidthInteger>(_ type: UInt16) -> T? {
        guard let p = payloads[type], p.count == MemoryLayout<T>.size else { return nil }
        var v = T.zero
        for (k, b) in p.enumerated() { v |= T(b) << (8 * k) }
        return T(littleEndian: v)
    }
}

/// What the kernel said about a request besides its errno (extended ACK).
public struct KernelReport: Sendable, Equatable {
    /// The extack message (NLMSGERR_ATTR_MSG).
    public var message: String?
    /// The offset of the attribute at fault in the request (NLMSGERR_ATTR_OFFS).
    public var offset: UInt32?
    /// The smallest value the attribute's policy accepts (NL_POLICY_TYPE_ATTR_MIN_VALUE_U).
    public var policyMinimum: UInt64?
    /// The largest value the attribute's policy accepts (NL_POLICY_TYPE_ATTR_MAX_VALUE_U).
    public var policyMaximum: UInt64?
    /// The type of an attribute the request lacks (NLMSGERR_ATTR_MISS_TYPE).
    public var missingType: UInt32?

    /// A report; all parts optional.
    public init(message: String? = nil, offset: UInt32? = nil, policyMinimum: UInt64? = nil,
                policyMaximum: UInt64? = nil, missingType: UInt32? = nil) {
        self.message = message
        self.offset = offset
        self.policyMinimum = policyMinimum
        self.policyMaximum = policyMaximum
        self.missingType = missingType
    }

    init(tlvs: NetlinkAttributes) {
        message = tlvs.string(1)  // NLMSGERR_ATTR_MSG
        offset = tlvs.u32(2)  // NLMSGERR_ATTR_OFFS
        if let policy = tlvs.nested(4) {  // NLMSGERR_ATTR_POLICY
            policyMinimum = policy.u64(4)  // NL_POLICY_TYPE_ATTR_MIN_VALUE_U
            policyMaximum = policy.u64(5)  // NL_POLICY_TYPE_ATTR_MAX_VALUE_U
        }
        missingType = tlvs.u32(5)  // NLMSGERR_ATTR_MISS_TYPE
    }
}

/// One message of a reply.
public enum NetlinkMessage: Sendable, Equatable {
    /// A generic-netlink message: its family (nlmsg_type), command and attributes.
    case generic(family: UInt16, sequence: UInt32, command: UInt8, attributes: NetlinkAttributes)
    /// NLMSG_ERROR: 0 is an acknowledgement, otherwise a negative errno.
    case error(sequence: UInt32, code: Int32, report: KernelReport)
    /// NLMSG_DONE, the end of a dump, with the dump's status.
    case done(sequence: UInt32, code: Int32, report: KernelReport)

    /// The sequence number the message answers.
    public var sequence: UInt32 {
        switch self {
        case .generic(_, let s, _, _), .error(let s, _, _), .done(let s, _, _): s
        }
    }

    /// Parses what one recv() returned: one or more messages.
    public static func parse(_ bytes: [UInt8]) throws(NetlinkError) -> [NetlinkMessage] {
        var interrupted = false
        return try parse(bytes, dumpInterrupted: &interrupted)
    }

    /// Parses what one recv() returned, and sets `dumpInterrupted` when a
    /// message carries NLM_F_DUMP_INTR: the objects a dump walks changed
    /// between its pages, so it may have skipped or repeated some.
    public static func parse(_ bytes: [UInt8], dumpInterrupted: inout Bool) throws(NetlinkError) -> [NetlinkMessage] {
        var out: [NetlinkMessage] = []
        var i = 0
        while bytes.count - i >= 16 {
            let len = Int(le32(bytes, i))
            let type = UInt16(le32(bytes, i + 4) & 0xFFFF)
            let flags = UInt16(le32(bytes, i + 4) >> 16)
            let seq = le32(bytes, i + 8)
            guard len >= 16, i + len <= bytes.count else {
                throw .malformedReply("message of length \(len) at offset \(i)")
            }
            let body = bytes[(i + 16)..<(i + len)]
            if flags & UInt16(NLM_F_DUMP_INTR) != 0 { dumpInterrupted = true }
            switch Int32(type) {
            case Int32(NLMSG_ERROR), Int32(NLMSG_DONE):
                guard body.count >= 4 else { throw .malformedReply("short NLMSG_ERROR/NLMSG_DONE") }
                let code = Int32(bitPattern: le32(bytes, body.startIndex))
                var tlvStart = body.startIndex + 4
                if Int32(type) == Int32(NLMSG_ERROR) {
                    // The request comes back: its header only when capped.
                    guard body.count >= 20 else { throw .malformedReply("short NLMSG_ERROR") }
                    let capped = flags & UInt16(NLM_F_CAPPED) != 0
                    let origLen = capped ? 16 : Int(le32(bytes, tlvStart))
                    tlvStart += (origLen + 3) & ~3
                }
                var report = KernelReport()
                if flags & UInt16(NLM_F_ACK_TLVS) != 0, tlvStart <= body.endIndex {
                    report = KernelReport(tlvs: try NetlinkAttributes(parsing: bytes[tlvStart..<body.endIndex]))
                }
                out.append(Int32(type) == Int32(NLMSG_ERROR)
                           ? .error(sequence: seq, code: code, report: report)
                           : .done(sequence: seq, code: code, report: report))
            case Int32(NLMSG_NOOP), Int32(NLMSG_OVERRUN):
                break
            default:
                guard body.count >= 4 else { throw .malformedReply("message without a genetlink header") }
                let attrs = try NetlinkAttributes(parsing: bytes[(body.startIndex + 4)..<body.endIndex])
                out.append(.generic(family: type, sequence: seq, command: body[body.startIndex], attributes: attrs))
            }
            i += (len + 3) & ~3
        }
        return out
    }

    static func le32(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
    }
}

import CPGM
import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A PGM socket: `socket(AF_INET, SOCK_RDM, IPPROTO_PGM)`.
///
/// The type owns its descriptor; call ``close()`` when done. Every call
/// either succeeds or throws the `Errno` the kernel returned.
public struct PGMSocket: ~Copyable {
    /// The underlying descriptor.
    public let fileDescriptor: FileDescriptor

    /// Opens a new PGM socket.
    ///
    /// - Throws: `Errno.socketTypeNotSupported` when the kernel has no PGM
    ///   (pgm.ko is not loaded and cannot be autoloaded: no protocol of type
    ///   SOCK_RDM exists), or any other errno socket(2) returns.
    public init() throws(Errno) {
        let fd = socket(AF_INET, Int32(SOCK_RDM.rawValue), IPPROTO_PGM)
        guard fd >= 0 else { throw Errno(rawValue: errno) }
        self.fileDescriptor = FileDescriptor(rawValue: fd)
    }

    /// Closes the socket.
    public consuming func close() throws(Errno) {
        do {
            try fileDescriptor.close()
        } catch let e as Errno {
            throw e
        } catch {
            throw Errno.ioError
        }
    }

    /// Binds to a local IPv4 address and port (a receiver binds the group).
    public func bind(to endpoint: IPv4Endpoint) throws(Errno) {
        var sin = endpoint.sockaddr
        let rc = withUnsafePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.bind(fileDescriptor.rawValue, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard rc == 0 else { throw Errno(rawValue: errno) }
    }

    /// Connects to a group and port: a source's session starts here.
    public func connect(to endpoint: IPv4Endpoint) throws(Errno) {
        var sin = endpoint.sockaddr
        let rc = withUnsafePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fileDescriptor.rawValue, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard rc == 0 else { throw Errno(rawValue: errno) }
    }

    /// Sets a tunable (a `SOL_PGM` integer option).
    public func set(_ option: Tunable, to value: UInt32) throws(Errno) {
        try setRaw(level: SOL_PGM, name: option.rawValue, value: value)
    }

    /// Reads a tunable.
    public func get(_ option: Tunable) throws(Errno) -> UInt32 {
        try getRaw(level: SOL_PGM, name: option.rawValue, as: UInt32.self)
    }

    /// The session's transport session identifier; `Errno.notConnected`
    /// before ``connect(to:)``.
    public func transportSessionID() throws(Errno) -> TransportSessionID {
        let t = try getRaw(level: SOL_PGM, name: PGM_TSI, as: pgm_tsi.self)
        return TransportSessionID(
            gsi: GlobalSourceID(t.gsi), sourcePort: UInt16(bigEndian: t.sport))
    }

    /// The socket's Global Source ID.
    public func globalSourceID() throws(Errno) -> GlobalSourceID {
        GlobalSourceID(try getRaw(level: SOL_PGM, name: PGM_GSI, as: pgm_gsi.self).gsi)
    }

    /// The input counters of the socket's network namespace.
    public func netnsStatistics() throws(Errno) -> NetnsStatistics {
        NetnsStatistics(try getRaw(level: SOL_PGM, name: PGM_NETNS_STATS, as: pgm_netns_stats.self))
    }

    /// Sets an option from a raw value of type `T`. Prefer the typed calls.
    public func setRaw<T>(level: Int32, name: Int32, value: T) throws(Errno) {
        var v = value
        let rc = withUnsafeBytes(of: &v) {
            setsockopt(fileDescriptor.rawValue, level, name, $0.baseAddress, socklen_t($0.count))
        }
        guard rc == 0 else { throw Errno(rawValue: errno) }
    }

    /// Reads an option as a raw value of type `T`; a reply of another size is
    /// `Errno.invalidArgument`.
    public func getRaw<T: BitwiseCopyable>(level: Int32, name: Int32, as: T.Type) throws(Errno) -> T {
        var buffer = [UInt8](repeating: 0, count: MemoryLayout<T>.size)
        var len = socklen_t(buffer.count)
        let rc = buffer.withUnsafeMutableBytes {
            getsockopt(fileDescriptor.rawValue, level, name, $0.baseAddress, &len)
        }
        guard rc == 0 else { throw Errno(rawValue: errno) }
        guard Int(len) == MemoryLayout<T>.size else { throw Errno.invalidArgument }
        return buffer.withUnsafeBytes { $0.loadUnaligned(as: T.self) }
    }
}

/// The integer tunables of a PGM socket (`SOL_PGM` options), in pgm(7)'s names.
public enum Tunable: Int32, CaseIterable, Sendable {
    case txwSqns = 1
    case txwSecsMs = 2
    case txwMaxRte = 3
    case spmAmbientIvl = 4
    case ihbMin = 5
    case ihbMax = 6
    case rdataLingerIvl = 7
    case maxTpdu = 8
    case txwBytes = 10
    case rxwSqns = 20
    case peerExpiry = 21
    case spmrExpiry = 22
    case nakBoIvl = 23
    case nakRptIvl = 24
    case nakRdataIvl = 25
    case nakNcfRetries = 26
    case nakDataRetries = 27

    /// The option's name in the uapi header without its `PGM_` prefix.
    public var name: String {
        switch self {
        case .txwSqns: "TXW_SQNS"
        case .txwSecsMs: "TXW_SECS_MS"
        case .txwMaxRte: "TXW_MAX_RTE"
        case .spmAmbientIvl: "SPM_AMBIENT_IVL"
        case .ihbMin: "IHB_MIN"
        case .ihbMax: "IHB_MAX"
        case .rdataLingerIvl: "RDATA_LINGER_IVL"
        case .maxTpdu: "MAX_TPDU"
        case .txwBytes: "TXW_BYTES"
        case .rxwSqns: "RXW_SQNS"
        case .peerExpiry: "PEER_EXPIRY"
        case .spmrExpiry: "SPMR_EXPIRY"
        case .nakBoIvl: "NAK_BO_IVL"
        case .nakRptIvl: "NAK_RPT_IVL"
        case .nakRdataIvl: "NAK_RDATA_IVL"
        case .nakNcfRetries: "NAK_NCF_RETRIES"
        case .nakDataRetries: "NAK_DATA_RETRIES"
        }
    }
}

/// A Global Source ID: six bytes naming a source host (RFC 3208 section 3.1).
public struct GlobalSourceID: Hashable, Sendable, CustomStringConvertible {
    public var bytes: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8)

    public init(_ bytes: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8)) { self.bytes = bytes }

    public static func == (a: Self, b: Self) -> Bool { a.array == b.array }
    public func hash(into h: inout Hasher) { h.combine(array) }

    /// The bytes in order.
    public var array: [UInt8] { [bytes.0, bytes.1, bytes.2, bytes.3, bytes.4, bytes.5] }

    /// Dotted decimal, as OpenPGM prints GSIs: "2.0.94.16.32.48".
    public var description: String { array.map(String.init).joined(separator: ".") }
}

/// A transport session identifier: GSI and data-source port.
public struct TransportSessionID: Hashable, Sendable, CustomStringConvertible {
    public var gsi: GlobalSourceID
    public var sourcePort: UInt16

    public init(gsi: GlobalSourceID, sourcePort: UInt16) {
        self.gsi = gsi
        self.sourcePort = sourcePort
    }

    /// "GSI.port", as OpenPGM prints TSIs.
    public var description: String { "\(gsi).\(sourcePort)" }
}

/// An IPv4 address and port.
public struct IPv4Endpoint: Hashable, Sendable, CustomStringConvertible {
    /// Address in host byte order.
    public var address: UInt32
    public var port: UInt16

    public init(address: UInt32, port: UInt16) {
        self.address = address
        self.port = port
    }

    /// Parses dotted-quad text; nil when it is not one.
    public init?(_ text: String, port: UInt16) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var a: UInt32 = 0
        for p in parts {
            guard p.count <= 3, let b = UInt8(p) else { return nil }
            a = a << 8 | UInt32(b)
        }
        self.init(address: a, port: port)
    }

    var sockaddr: sockaddr_in {
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = port.bigEndian
        sin.sin_addr.s_addr = address.bigEndian
        return sin
    }

    public var description: String {
        "\(address >> 24).\(address >> 16 & 0xFF).\(address >> 8 & 0xFF).\(address & 0xFF):\(port)"
    }
}

/// Input counters of a network namespace (struct pgm_netns_stats).
public struct NetnsStatistics: Hashable, Sendable {
    public var inPackets: UInt64
    public var inBytes: UInt64
    public var inTruncated: UInt64
    public var inBadChecksum: UInt64
    public var inBadType: UInt64
    public var inMalformed: UInt64
    public var inNoSocket: UInt64
    public var inDelivered: UInt64
    public var sockets: UInt64

    init(_ s: pgm_netns_stats) {
        inPackets = s.in_packets
        inBytes = s.in_bytes
        inTruncated = s.in_truncated
        inBadChecksum = s.in_bad_checksum
        inBadType = s.in_bad_type
        inMalformed = s.in_malformed
        inNoSocket = s.in_no_socket
        inDelivered = s.in_delivered
        sockets = s.sockets
    }
}

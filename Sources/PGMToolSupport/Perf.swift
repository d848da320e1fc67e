#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CPGM

/// What pgm-perf's sender and receiver agree on: the header at the front of
/// every message, the end-of-phase record, the size list, percentiles and
/// the clocks.
///
/// A run is a sweep of *phases*: for each message size, one PGM phase (its
/// own transport session) and one phase per baseline (UDP, OpenPGM). Every
/// message starts with a ``PerfHeader``; each phase ends with a message of
/// kind ``PerfHeader/Kind/end`` whose body is a ``PerfEndRecord``.
public struct PerfHeader: Sendable, Hashable {
    /// What a message is.
    public enum Kind: UInt8, Sendable {
        /// A measured message: the rest of it is padding.
        case data = 0
        /// The end of a phase: a ``PerfEndRecord`` follows the header.
        case end = 1
    }

    /// The transport a phase runs over.
    public enum Transport: UInt8, Sendable, CustomStringConvertible {
        /// PGM over the pgm.ko socket.
        case pgm = 0
        /// Plain UDP multicast, the baseline.
        case udp = 1
        /// OpenPGM (libpgm) in UDP encapsulation, sent and received by
        /// pgm-perf's helper, opgm-perf.
        case openpgm = 2

        /// "pgm", "udp" or "openpgm".
        public var description: String {
            switch self {
            case .pgm: "pgm"
            case .udp: "udp"
            case .openpgm: "openpgm"
            }
        }
    }

    /// "PGPF", little-endian, at offset 0 of every pgm-perf message.
    public static let magic: UInt32 = 0x4650_4750
    /// Bytes of the encoded header: the smallest message pgm-perf sends.
    public static let size = 24

    /// What the message is.
    public var kind: Kind
    /// The phase's transport.
    public var transport: Transport
    /// The phase's position in the sweep, from 0.
    public var phase: UInt8
    /// How many phases the sweep has.
    public var phases: UInt8
    /// The message's number within its phase, from 0 (for an end record,
    /// the number of data messages sent).
    public var index: UInt64
    /// `CLOCK_MONOTONIC` in nanoseconds just before the message was sent.
    public var stamp: UInt64

    /// A header from its fields.
    public init(kind: Kind, transport: Transport, phase: UInt8, phases: UInt8, index: UInt64, stamp: UInt64) {
        self.kind = kind
        self.transport = transport
        self.phase = phase
        self.phases = phases
        self.index = index
        self.stamp = stamp
    }

    /// Writes the header at the start of `buffer`, which must hold
    /// ``size`` bytes; returns false (writing nothing) when it does not.
    @discardableResult
    public func encode(into buffer: UnsafeMutableRawBufferPointer) -> Bool {
        guard buffer.count >= Self.size else { return false }
        buffer.storeBytes(of: Self.magic.littleEndian, toByteOffset: 0, as: UInt32.self)
        buffer.storeBytes(of: kind.rawValue, toByteOffset: 4, as: UInt8.self)
        buffer.storeBytes(of: transport.rawValue, toByteOffset: 5, as: UInt8.self)
        buffer.storeBytes(of: phase, toByteOffset: 6, as: UInt8.self)
        buffer.storeBytes(of: phases, toByteOffset: 7, as: UInt8.self)
        buffer.storeBytes(of: index.littleEndian, toByteOffset: 8, as: UInt64.self)
        buffer.storeBytes(of: stamp.littleEndian, toByteOffset: 16, as: UInt64.self)
        return true
    }

    /// Reads a header; nil when the bytes are too short, lack the magic or
    /// name an unknown kind or transport, or a phase outside the sweep.
    public init?(decoding buffer: UnsafeRawBufferPointer) {
        guard buffer.count >= Self.size,
            UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: 0, as: UInt32.self)) == Self.magic,
            let kind = Kind(rawValue: buffer[4]), let transport = Transport(rawValue: buffer[5]),
            buffer[6] < buffer[7]
        else { return nil }
        self.init(
            kind: kind, transport: transport, phase: buffer[6], phases: buffer[7],
            index: UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
            stamp: UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: 16, as: UInt64.self)))
    }
}

/// What the sender knows about a phase when it ends it: sent after the
/// ``PerfHeader`` of the phase's end message, so that the receiver's table
/// can show both sides.
public struct PerfEndRecord: Sendable, Hashable {
    /// Bytes of the encoded record.
    public static let size = 48

    /// Data messages sent.
    public var sent: UInt64
    /// Bytes of each data message.
    public var messageSize: UInt64
    /// Nanoseconds from the first send to the return of the last.
    public var sendNanoseconds: UInt64
    /// The sender's CPU time (user and system) over the phase, nanoseconds.
    public var cpuNanoseconds: UInt64
    /// NAKs the source had received when it sent this record (PGM only).
    public var naksReceived: UInt64
    /// RDATA the source had sent when it sent this record (PGM only).
    public var rdataSent: UInt64

    /// A record from its fields.
    public init(sent: UInt64, messageSize: UInt64, sendNanoseconds: UInt64, cpuNanoseconds: UInt64,
                naksReceived: UInt64, rdataSent: UInt64) {
        self.sent = sent
        self.messageSize = messageSize
        self.sendNanoseconds = sendNanoseconds
        self.cpuNanoseconds = cpuNanoseconds
        self.naksReceived = naksReceived
        self.rdataSent = rdataSent
    }

    private var fields: [UInt64] { [sent, messageSize, sendNanoseconds, cpuNanoseconds, naksReceived, rdataSent] }

    /// Writes the record at `offset` of `buffer`; false when it does not fit.
    @discardableResult
    public func encode(into buffer: UnsafeMutableRawBufferPointer, at offset: Int = PerfHeader.size) -> Bool {
        guard offset >= 0, buffer.count - offset >= Self.size else { return false }
        for (i, v) in fields.enumerated() {
            buffer.storeBytes(of: v.littleEndian, toByteOffset: offset + 8 * i, as: UInt64.self)
        }
        return true
    }

    /// Reads a record at `offset`; nil when the buffer is too short.
    public init?(decoding buffer: UnsafeRawBufferPointer, at offset: Int = PerfHeader.size) {
        guard offset >= 0, buffer.count - offset >= Self.size else { return nil }
        func f(_ i: Int) -> UInt64 {
            UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: offset + 8 * i, as: UInt64.self))
        }
        self.init(sent: f(0), messageSize: f(1), sendNanoseconds: f(2), cpuNanoseconds: f(3),
                  naksReceived: f(4), rdataSent: f(5))
    }
}

/// Why a `--sizes` list was refused.
public enum SizeListError: Error, Equatable, CustomStringConvertible {
    /// The list has no sizes.
    case empty
    /// An entry is not a decimal number.
    case notANumber(String)
    /// A size outside the allowed range.
    case outOfRange(Int, ClosedRange<Int>)
    /// More sizes than a sweep may have.
    case tooMany(Int, max: Int)
    /// A size given twice.
    case duplicate(Int)

    /// The message pgm-perf prints.
    public var description: String {
        switch self {
        case .empty: "--sizes wants a comma-separated list of sizes in bytes, e.g. 64,1400,8192"
        case .notANumber(let s): "--sizes: '\(s)' is not a size in bytes"
        case .outOfRange(let v, let r): "--sizes: \(v) is outside \(r.lowerBound)-\(r.upperBound) bytes"
        case .tooMany(let n, let max): "--sizes: \(n) sizes, at most \(max) allowed"
        case .duplicate(let v): "--sizes: \(v) is given twice"
        }
    }
}

/// Parses a comma-separated list of message sizes ("64,512,1400"), each in
/// `range`, at most `maximumCount` of them, in the order given.
public func parseSizeList(_ text: String, range: ClosedRange<Int>, maximumCount: Int) throws(SizeListError) -> [Int] {
    let parts = text.split(separator: ",", omittingEmptySubsequences: false)
    guard !text.isEmpty else { throw .empty }
    var sizes: [Int] = []
    for p in parts {
        let t = p.trimmingSpaces
        guard !t.isEmpty, t.allSatisfy({ $0.isASCII && $0.isNumber }), let v = Int(t) else {
            throw .notANumber(String(p))
        }
        guard range.contains(v) else { throw .outOfRange(v, range) }
        guard !sizes.contains(v) else { throw .duplicate(v) }
        sizes.append(v)
    }
    guard sizes.count <= maximumCount else { throw .tooMany(sizes.count, max: maximumCount) }
    return sizes
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var s = self
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return s
    }
}

/// Percentiles of a set of samples by the nearest-rank method: the `p`th
/// percentile is the smallest sample with at least `p`% of the samples at
/// or below it.
public struct Percentiles: Sendable, Hashable {
    /// The median.
    public var p50: UInt64
    /// The 99th percentile.
    public var p99: UInt64
    /// The largest sample.
    public var max: UInt64

    /// Percentiles computed elsewhere (pgm-perf's OpenPGM helper reports its own).
    public init(p50: UInt64, p99: UInt64, max: UInt64) {
        self.p50 = p50
        self.p99 = p99
        self.max = max
    }

    /// The percentiles of `samples`; nil when there are none.
    public init?(_ samples: [UInt64]) {
        guard !samples.isEmpty else { return nil }
        let s = samples.sorted()
        func rank(_ p: Int) -> UInt64 {
            // ceil(p/100 * n), 1-based
            let r = (p * s.count + 99) / 100
            return s[Swift.max(0, Swift.min(s.count, r) - 1)]
        }
        p50 = rank(50)
        p99 = rank(99)
        max = s[s.count - 1]
    }
}

/// `CLOCK_MONOTONIC` in nanoseconds: the clock pgm-perf stamps messages
/// with. Network namespaces of one host share it, so a receiver in another
/// namespace can subtract a stamp from its own reading.
/// CLOCK_MONOTONIC at a phase's start or end, with the instruction-count
/// mark (Sources/CPGM/include/cpgm_insn.h) beside it: under `make
/// perf-insn`'s QEMU plugin each call records the guest's instructions so
/// far; elsewhere the mark is a no-op.
public func phaseMark() -> UInt64 {
    cpgm_insn_mark()
    return monotonicNanoseconds()
}

public func monotonicNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}

/// The whole machine's busy CPU time so far in nanoseconds: user, system,
/// irq and softirq jiffies of /proc/stat's "cpu" line (softirq is where a
/// kernel protocol does most of its work, in no process's time); nil when
/// /proc/stat cannot be read.
public func systemCPUNanoseconds() -> UInt64? {
    guard let f = fopen("/proc/stat", "r") else { return nil }
    defer { fclose(f) }
    var line = [CChar](repeating: 0, count: 512)
    guard fgets(&line, Int32(line.count), f) != nil else { return nil }
    let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    let fields = text.split(separator: " ").dropFirst().compactMap { UInt64($0.filter { $0.isNumber }) }
    guard text.hasPrefix("cpu "), fields.count >= 7 else { return nil }
    let hz = sysconf(Int32(_SC_CLK_TCK))
    guard hz > 0 else { return nil }
    // user nice system idle iowait irq softirq
    let busy = fields[0] &+ fields[2] &+ fields[5] &+ fields[6]
    return busy &* (1_000_000_000 / UInt64(hz))
}

/// The process's CPU time so far, user and system, in nanoseconds
/// (getrusage(2), `RUSAGE_SELF`).
public func processCPUNanoseconds() -> UInt64 {
    var ru = rusage()
    guard getrusage(RUSAGE_SELF.rawValue, &ru) == 0 else { return 0 }
    func ns(_ t: timeval) -> UInt64 { UInt64(t.tv_sec) &* 1_000_000_000 &+ UInt64(t.tv_usec) &* 1000 }
    return ns(ru.ru_utime) &+ ns(ru.ru_stime)
}

/// Bytes a UDP datagram of `payload` bytes puts on a link with the given
/// MTU, headers included (UDP once, IP once per fragment): what the UDP
/// baseline's pacing counts, as `PGM_TXW_MAX_RTE` counts IP headers. Over
/// IPv6 a datagram that does not fit one frame goes in fragments each with
/// the 40-byte header and an 8-byte fragment header.
public func udpWireBytes(payload: Int, mtu: Int = 1500, ipv6: Bool = false) -> Int {
    let datagram = payload + 8
    guard ipv6 else {
        let perFragment = (mtu - 20) / 8 * 8
        let fragments = max(1, (datagram + perFragment - 1) / perFragment)
        return datagram + 20 * fragments
    }
    if datagram + 40 <= mtu { return datagram + 40 }
    let perFragment = (mtu - 48) / 8 * 8
    let fragments = (datagram + perFragment - 1) / perFragment
    return datagram + 48 * fragments
}

/// The largest UDP payload: 65535 less the UDP header and, over IPv4, the
/// 20-byte IP header (IPv6's payload length does not count its header).
public func maximumUDPPayload(ipv6: Bool) -> Int { ipv6 ? 65527 : 65507 }

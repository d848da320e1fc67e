import PGM

/// The bytes pgm-send makes up when it reads no input: APDU `index` of a
/// stream seeded with `seed`, `size` bytes of xorshift64 output. Anyone can
/// regenerate a stream from its seed, size and count.
public func patternAPDU(seed: UInt64, index: UInt64, size: Int) -> [UInt8] {
    var s = (seed ^ (index &* 0x9E37_79B9_7F4A_7C15)) | 1
    var out = [UInt8](repeating: 0, count: size)
    var i = 0
    while i < size {
        s ^= s << 13
        s ^= s >> 7
        s ^= s << 17
        var v = s
        for _ in 0..<8 where i < size {
            out[i] = UInt8(truncatingIfNeeded: v)
            v >>= 8
            i += 1
        }
    }
    return out
}

/// A JSON value, just enough for the tools' one-line reports.
public enum JSON: Sendable {
    /// A string.
    case string(String)
    /// An integer.
    case int(Int64)
    /// An unsigned integer.
    case uint(UInt64)
    /// A number printed with up to three decimals.
    case double(Double)
    /// true or false.
    case bool(Bool)
    /// null.
    case null
    /// An array.
    case array([JSON])
    /// An object; keys keep their order.
    case object([(String, JSON)])

    /// Compact JSON text.
    public var text: String {
        switch self {
        case .string(let s): Self.quote(s)
        case .int(let v): String(v)
        case .uint(let v): String(v)
        case .double(let v): v.isFinite ? fixed(v, 3) : "null"
        case .bool(let b): b ? "true" : "false"
        case .null: "null"
        case .array(let a): "[" + a.map(\.text).joined(separator: ",") + "]"
        case .object(let o): "{" + o.map { Self.quote($0.0) + ":" + $0.1.text }.joined(separator: ",") + "}"
        }
    }

    static func quote(_ s: String) -> String {
        var r = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": r += "\\\""
            case "\\": r += "\\\\"
            case "\n": r += "\\n"
            case "\t": r += "\\t"
            case "\r": r += "\\r"
            default:
                if u.value < 0x20 {
                    let h = String(u.value, radix: 16)
                    r += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else {
                    r.unicodeScalars.append(u)
                }
            }
        }
        return r + "\""
    }
}

/// `v` with `decimals` digits after the point, without Foundation.
public func fixed(_ v: Double, _ decimals: Int) -> String {
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let neg = v < 0
    let n = (abs(v) * scale).rounded()
    guard n < 9.0e18 else { return String(v) }
    let i = UInt64(n)
    let whole = i / UInt64(scale)
    var frac = String(i % UInt64(scale))
    frac = String(repeating: "0", count: max(0, decimals - frac.count)) + frac
    return (neg && i != 0 ? "-" : "") + String(whole) + (decimals > 0 ? "." + frac : "")
}

/// A source's counters as a JSON object, in the header's names.
public func json(_ s: SourceStatistics) -> JSON {
    .object([
        ("data_bytes_sent", .uint(s.dataBytesSent)), ("odata_sent", .uint(s.odataSent)),
        ("rdata_sent", .uint(s.rdataSent)), ("rdata_bytes_sent", .uint(s.rdataBytesSent)),
        ("spm_sent", .uint(s.spmSent)), ("ncf_sent", .uint(s.ncfSent)),
        ("naks_received", .uint(s.naksReceived)), ("naks_ignored", .uint(s.naksIgnored)),
        ("spmr_received", .uint(s.spmrReceived)), ("rate_limited", .uint(s.rateLimited)),
        ("malformed", .uint(s.malformed)), ("txw_trail", .uint(UInt64(s.transmitWindowTrail))),
        ("txw_lead", .uint(UInt64(s.transmitWindowLead))),
        ("rdata_deferred", .uint(s.rdataDeferred)), ("rdata_unsent", .uint(s.rdataUnsent)),
        ("naks_pending", .uint(s.naksPending)), ("nak_lists_ignored", .uint(s.nakListsIgnored)),
        ("ncf_dropped", .uint(s.ncfDropped)), ("spm_deferred", .uint(s.spmDeferred)),
        ("rdata_queued", .uint(s.rdataQueued)), ("txw_mem", .uint(s.transmitWindowMemory)),
    ])
}

/// A receiver's counters as a JSON object, in the header's names.
public func json(_ s: ReceiverStatistics) -> JSON {
    .object([
        ("data_bytes_received", .uint(s.dataBytesReceived)), ("apdus_delivered", .uint(s.apdusDelivered)),
        ("odata_received", .uint(s.odataReceived)), ("rdata_received", .uint(s.rdataReceived)),
        ("duplicates", .uint(s.duplicates)), ("naks_sent", .uint(s.naksSent)),
        ("ncfs_received", .uint(s.ncfsReceived)), ("spms_received", .uint(s.spmsReceived)),
        ("spmrs_sent", .uint(s.spmrsSent)), ("losses", .uint(s.losses)),
        ("malformed", .uint(s.malformed)), ("outside_window", .uint(s.outsideWindow)),
        ("peers", .uint(UInt64(s.peers))), ("sessions_refused", .uint(s.sessionsRefused)),
        ("mem_refused", .uint(s.memoryRefused)), ("wrong_source", .uint(s.wrongSource)),
        ("naks_deferred", .uint(s.naksDeferred)), ("mem", .uint(s.memory)),
    ])
}

/// A run-time failure: printed as "Error: ..." with exit status 1, no usage.
public struct Failure: Error, CustomStringConvertible {
    /// The message.
    public let description: String
    /// A failure with that message.
    public init(_ d: String) { description = d }
}

/// Monotonic seconds since an arbitrary start.
public func now() -> Double {
    let d = ContinuousClock.now - start
    let (s, a) = d.components
    return Double(s) + Double(a) / 1e18
}

private let start = ContinuousClock.now

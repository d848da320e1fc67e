/// A JSON value, just enough for the tools' one-line reports (JSON lines:
/// one compact object per line, keys in the order given).
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
        var r = ""
        quote(s, into: &r)
        return r
    }

    /// Appends `s` to `out` as a JSON string: quoted, with `"`, `\` and
    /// control characters escaped.
    public static func quote(_ s: String, into out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if u.value < 0x20 {
                    let h = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
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

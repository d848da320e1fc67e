import CSHA256

/// SHA-256 (FIPS 180-4), incremental: what pgm-send and pgm-recv print so
/// that a sent and a delivered stream can be compared. The compression runs
/// in C (Sources/CSHA256), fast in debug builds too.
public struct SHA256: Sendable {
    private var ctx = csha256()

    /// A hash of nothing yet.
    public init() { csha256_init(&ctx) }

    /// Adds bytes to the hashed stream.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        csha256_update(&ctx, base, bytes.count)
    }

    /// Adds bytes to the hashed stream.
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The digest of everything added; the hash itself is unchanged.
    public func finalize() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var c = ctx
        out.withUnsafeMutableBufferPointer { p in
            if let base = p.baseAddress { csha256_final(&c, base) }
        }
        return out
    }

    /// The digest as 64 lower-case hex digits.
    public func hexDigest() -> String {
        let hex = Array("0123456789abcdef")
        return String(finalize().flatMap { [hex[Int($0 >> 4)], hex[Int($0 & 0xF)]] })
    }
}

@_exported import struct Crypto.SHA256
import Crypto

/// SHA-256 (FIPS 180-4) as pgm-send and pgm-recv use it: swift-crypto's
/// incremental hash (BoringSSL's assembly, fast in debug builds too), fed
/// APDU by APDU, printed as hex so that a sent and a delivered stream can be
/// compared.
extension SHA256 {
    /// Adds bytes to the hashed stream.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        update(bufferPointer: bytes)
    }

    /// Adds bytes to the hashed stream.
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update(bufferPointer: $0) }
    }

    /// The digest of everything added so far as 64 lower-case hex digits;
    /// the hash itself is unchanged and can go on.
    public func hexDigest() -> String {
        let hex = Array("0123456789abcdef")
        return String(finalize().flatMap { [hex[Int($0 >> 4)], hex[Int($0 & 0xF)]] })
    }
}

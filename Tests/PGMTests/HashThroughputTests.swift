import PGMCLISupport
import PGMToolSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// How fast the tools' hashing path runs in the build under test (issue #16
/// wants the debug build measured): 100 MB through SHA-256 the way pgm-recv
/// feeds it (one `[UInt8]` per APDU, 1 KiB and 64 KiB APDUs) and the way
/// pgm-send does without --input (made-up 1 KiB APDUs, each hashed). Off
/// unless PGM_BENCH=1, since it takes seconds and measures the machine; one
/// test at a time:
///
///     PGM_BENCH=1 swift test --skip-build --filter HashThroughput
@Suite("Hash throughput", .serialized, .enabled(if: getenv("PGM_BENCH") != nil))
struct HashThroughputTests {
    static let total = 100_000_000

    /// Seconds taken by `body`.
    func seconds(_ body: () -> Void) -> Double {
        let d = ContinuousClock().measure(body)
        let (s, a) = d.components
        return Double(s) + Double(a) / 1e18
    }

    func report(_ what: String, _ s: Double, _ digest: String) {
        print("hash-throughput \(what): \(fixed(Double(Self.total) / s / 1e6, 1)) MB/s (\(fixed(s, 3)) s) sha256 \(digest)")
    }

    @Test(arguments: [1024, 65536])
    func receiverPath(apduSize: Int) {
        let apdu = patternAPDU(seed: 1, index: 0, size: apduSize)
        var h = SHA256()
        let s = seconds {
            var left = Self.total
            while left > 0 {
                let n = min(left, apduSize)
                h.update(n == apduSize ? apdu : Array(apdu[..<n]))
                left -= n
            }
        }
        report("recv \(apduSize) B APDUs", s, h.hexDigest())
    }

    @Test func senderPath() {
        var h = SHA256()
        let s = seconds {
            var left = Self.total
            var index: UInt64 = 0
            while left > 0 {
                let apdu = patternAPDU(seed: 1, index: index, size: min(left, 1024))
                apdu.withUnsafeBytes { h.update($0) }
                left -= apdu.count
                index += 1
            }
        }
        report("send 1024 B made-up APDUs", s, h.hexDigest())
    }

    /// The made-up APDUs alone, to tell their cost from the hash's.
    @Test func patternOnly() {
        var sink: UInt8 = 0
        let s = seconds {
            var left = Self.total
            var index: UInt64 = 0
            while left > 0 {
                let apdu = patternAPDU(seed: 1, index: index, size: min(left, 1024))
                sink ^= apdu[0]
                left -= apdu.count
                index += 1
            }
        }
        report("made-up 1024 B APDUs, no hash", s, String(sink))
    }
}

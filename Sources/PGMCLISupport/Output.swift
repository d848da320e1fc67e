#if canImport(Glibc)
import Glibc
#endif

/// A run-time failure: ArgumentParser prints it as "Error: ..." and exits
/// with status 1, without the usage.
public struct Failure: Error, CustomStringConvertible {
    /// The message.
    public let description: String
    /// A failure with that message.
    public init(_ d: String) { description = d }
}

/// Writes a line to standard error, unbuffered, after flushing standard
/// output, so that the two streams interleave in the order things happened.
public func printError(_ s: String) {
    fflush(nil)
    var bytes = Array((s + "\n").utf8)[...]
    while !bytes.isEmpty {
        let n = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        guard n > 0 else { return }
        bytes = bytes.dropFirst(n)
    }
}

/// Flushes standard output, so that lines reach a pipe as they happen.
public func flushOutput() { fflush(nil) }

/// Monotonic seconds since an arbitrary start.
public func now() -> Double {
    let d = ContinuousClock.now - start
    let (s, a) = d.components
    return Double(s) + Double(a) / 1e18
}

private let start = ContinuousClock.now

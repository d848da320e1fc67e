import ArgumentParser
import PGM
import PGMCLISupport
import PGMToolSupport
import SystemPackage

/// Measures PGM over pgm.ko against plain UDP multicast: a sender (`send`)
/// sweeps message sizes, a receiver (`recv`), typically in another network
/// namespace, measures what arrives and prints the table.
@main
struct PGMPerf: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pgm-perf",
        abstract: "Measure PGM throughput, latency, repair and CPU cost over a sweep of message sizes.",
        discussion: """
            Run 'pgm-perf recv' first, then 'pgm-perf send' with the same --group and --port, \
            typically in another network namespace of the same host (ip netns exec). For each \
            size in --sizes the sender runs one PGM session and, with --baseline udp, the same \
            workload over plain UDP multicast. Every message carries the sender's CLOCK_MONOTONIC, \
            so one-way latency is only meaningful when both run on one host (namespaces share \
            the clock). The receiver prints the table: messages/s, MB/s, latency p50/p99/max, \
            CPU per message on both sides, NAKs, repairs, losses, and the PGM/UDP ratios. \
            Progress goes to standard error once a second.
            """,
        version: pgmVersion,
        subcommands: [Send.self, Recv.self]
    )
}

/// The baseline a sweep is compared with.
enum Baseline: String, ExpressibleByArgument, CaseIterable {
    /// No baseline: PGM only.
    case none
    /// Plain UDP multicast, the same messages at the same rate.
    case udp
}

/// A failure while running: printed as "Error: ..." with exit status 1, in
/// the words every tool uses (PGMCLISupport's `systemErrorMessage`).
enum PerfError: Error, CustomStringConvertible {
    /// socket(AF_INET, SOCK_RDM, IPPROTO_PGM) found no PGM in the kernel.
    case noPGM
    /// A call that failed, with what it was doing.
    case failed(String, Errno, Doing = .other)

    var description: String {
        switch self {
        case .noPGM:
            systemErrorMessage("socket(AF_INET, SOCK_RDM, IPPROTO_PGM)",
                               errno: Errno.socketTypeNotSupported.rawValue, doing: .openingSocket)
        case .failed(let what, let e, let doing): systemErrorMessage(what, errno: e.rawValue, doing: doing)
        }
    }

    /// `e` while doing `what`, naming a missing module as such.
    static func wrap(_ what: String, _ e: Errno, doing: Doing) -> PerfError {
        e == .socketTypeNotSupported ? .noPGM : .failed(what, e, doing)
    }
}

/// `a / b`, nil when either is missing or `b` is zero.
func ratio(_ a: Double?, _ b: Double?) -> Double? {
    guard let a, let b, b > 0 else { return nil }
    return a / b
}

/// A number as JSON, null when absent.
func jnum(_ v: Double?) -> JSON { v.map { .double($0) } ?? .null }

/// A number for the table, "-" when absent.
func cell(_ v: Double?, _ decimals: Int) -> String { v.map { fixed($0, decimals) } ?? "-" }

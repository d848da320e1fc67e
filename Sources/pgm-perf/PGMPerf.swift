import ArgumentParser
import PGM
import PGMCLISupport
import PGMToolSupport
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

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
            size in --sizes the sender runs one PGM session and, with --baseline udp, openpgm \
            or both (udp,openpgm), the same workload over plain UDP multicast and over OpenPGM \
            (libpgm in UDP encapsulation, through the opgm-perf helper; 'pgm-perf recv --openpgm' \
            runs its receiving half). Every message carries the sender's CLOCK_MONOTONIC, \
            so one-way latency is only meaningful when both run on one host (namespaces share \
            the clock). The receiver prints the table: messages/s, MB/s, latency p50/p99/max, \
            CPU per message on both sides and of the whole machine (/proc/stat), NAKs, repairs, \
            losses, and the PGM/UDP and PGM/OpenPGM ratios. \
            Progress goes to standard error once a second.
            """,
        version: pgmVersion,
        subcommands: [Send.self, Recv.self]
    )
}

/// A baseline a sweep is compared with.
enum Baseline: String, CaseIterable, Sendable {
    /// Plain UDP multicast, the same messages at the same rate.
    case udp
    /// OpenPGM (libpgm) in UDP encapsulation, through the opgm-perf helper:
    /// the same messages at the same rate limit.
    case openpgm

    /// A --baseline list: "none", or baselines separated by commas ("udp,openpgm").
    static func parseList(_ text: String) throws(ValidationError) -> [Baseline] {
        if text == "none" { return [] }
        var list: [Baseline] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let b = Baseline(rawValue: String(part)) else {
                throw ValidationError(
                    "--baseline: '\(part)' is not a baseline; give none, or udp, openpgm or both separated by a comma")
            }
            guard !list.contains(b) else { throw ValidationError("--baseline: \(b.rawValue) is given twice") }
            list.append(b)
        }
        return list
    }
}

/// Where opgm-perf, the OpenPGM helper, is: --openpgm-helper, else next to
/// this executable, else build/perf/opgm-perf of the source tree this
/// executable was built in (.build/<config>/pgm-perf), else the PATH's.
func openPGMHelperPath(_ given: String?) -> String {
    if let given { return given }
    var buf = [CChar](repeating: 0, count: 4096)
    let n = readlink("/proc/self/exe", &buf, buf.count - 1)
    if n > 0 {
        let exe = String(decoding: buf.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var dir = exe
        if let slash = dir.lastIndex(of: "/") { dir = String(dir[..<slash]) }
        for candidate in [dir + "/opgm-perf", dir + "/../../build/perf/opgm-perf"] where access(candidate, X_OK) == 0 {
            return candidate
        }
    }
    return "opgm-perf"
}

/// The UDP port OpenPGM's encapsulation uses: the next one after the data
/// port (which the UDP baseline's socket is bound to), or the one before.
func openPGMUDPPort(_ port: UInt16) -> UInt16 { port == .max ? port - 1 : port + 1 }

/// A failure while running: printed as "Error: ..." with exit status 1, in
/// the words every tool uses (PGMCLISupport's `systemErrorMessage`).
enum PerfError: Error, CustomStringConvertible {
    /// socket(AF_INET or AF_INET6, SOCK_RDM, IPPROTO_PGM) found no PGM in the kernel.
    case noPGM(PGMSocket.Family)
    /// A call that failed, with what it was doing.
    case failed(String, Errno, Doing = .other)
    /// opgm-perf exited with this status, or without its results.
    case helperFailed(String, Int32)
    /// A group and interface the library refused before opening a socket,
    /// with what it was doing.
    case refused(String, PGMSetupError)

    var description: String {
        switch self {
        case .noPGM(let family):
            systemErrorMessage("socket(\(family), SOCK_RDM, IPPROTO_PGM)",
                               errno: Errno.socketTypeNotSupported.rawValue, doing: .openingSocket)
        case .failed(let what, let e, let doing): systemErrorMessage(what, errno: e.rawValue, doing: doing)
        case .helperFailed(let path, let status):
            "\(path) (the OpenPGM baseline) exited with status \(status)"
                + (status == 0 ? " without its results" : "; its messages are above")
        case .refused(let what, let e): "\(what): \(e)"
        }
    }

    /// `e` while doing `what` on a socket of `family`, naming a missing
    /// module as such.
    static func wrap(_ what: String, _ e: Errno, family: PGMSocket.Family, doing: Doing) -> PerfError {
        e == .socketTypeNotSupported ? .noPGM(family) : .failed(what, e, doing)
    }

    /// A PGMSource's or PGMReceiver's setup error while doing `what`.
    static func setup(_ what: String, _ e: PGMSetupError, family: PGMSocket.Family, doing: Doing) -> PerfError {
        if case .system(let errno) = e { return wrap(what, errno, family: family, doing: doing) }
        return .refused(what, e)
    }
}

/// Why the OpenPGM phases (`option`) are refused with an IPv6 group.
func openPGMIPv4Only(_ option: String, _ target: GroupOptions) -> String {
    "\(option) is IPv4 only: opgm-perf (the OpenPGM baseline) is not run over IPv6 yet, and --group "
        + "\(target.endpoint.host) is IPv6; drop \(option), or measure OpenPGM with an IPv4 group"
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

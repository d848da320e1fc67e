import ArgumentParser
import PGMConformance
import PGMCLISupport

#if canImport(Glibc)
import Glibc
#endif

/// Runs RFC 3208 conformance scenarios against the model or pgm.ko.
@main
struct PGMConform: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pgm-conform",
        abstract: "Run RFC 3208 conformance scenarios against the Swift model or the kernel module.",
        discussion: """
            Each PATH is a scenario file (.pgm) or a directory of them; the language is \
            described in Tests/conformance/README.md. Prints "ok" or "not ok" per scenario \
            (with the packets and events seen when it failed) and a closing \
            "conformance-BACKEND: N passed, N failed" (", N skipped" when the \
            backend cannot run some scenarios at all: a capability it does not have \
            yet, such as PGMCC constants the kernel fixes; each is "ok ... # SKIP not supported"). The kernel backend runs inside the \
            VM, in the namespace of the socket under test, with the simulated peers in \
            --peer-netns (Tests/kernel/conformance.sh sets both up). With --family 6 it \
            runs the same scenarios over IPv6: an AF_INET6 socket, the scenarios' IPv4 \
            addresses mapped onto IPv6 ones (10.77.0.N is fd77::N, a group a.b.c.d is \
            ff15::a.b.c.d), in the packets' NLAs too, and back in what the IUT sends; \
            its name is then kernel-RELEASE/ipv6. Exit status 1 when a scenario failed.
            """,
        version: pgmVersion
    )

    enum BackendKind: String, ExpressibleByArgument, CaseIterable {
        case model, kernel
    }

    @Option(help: "The implementation under test.")
    var backend: BackendKind = .model

    @Option(name: .customLong("json"), help: ArgumentHelp("Write the results as JSON to this file.", valueName: "file"))
    var jsonPath: String?

    @Option(name: .customLong("only"), help: ArgumentHelp("Run only the scenario with this name (repeatable).", valueName: "name"))
    var only: [String] = []

    @Option(help: ArgumentHelp("Kernel backend: the peers' network namespace.", valueName: "name"))
    var peerNetns = "pgm-peer"

    @Option(help: ArgumentHelp("Kernel backend: the peers' end of the veth pair.", valueName: "name"))
    var peerInterface = "veth-peer"

    @Option(help: ArgumentHelp("Kernel backend: the IUT's end of the veth pair (IPv6 names it by index).", valueName: "name"))
    var iutInterface = "veth-iut"

    @Option(help: ArgumentHelp("Kernel backend: the address family, 4 or 6.", valueName: "4|6"))
    var family = 4

    @Option(help: ArgumentHelp("The model's random seed (NAK back-offs).", valueName: "n"))
    var seed: UInt64 = 1

    @Flag(name: [.short, .long], help: "Print every scenario's trace, not only failed ones'.")
    var verbose = false

    @Argument(help: ArgumentHelp("Scenario files or directories.", valueName: "path"))
    var paths: [String]

    func validate() throws {
        guard !paths.isEmpty else { throw ValidationError("give one or more scenario files or directories") }
        guard family == 4 || family == 6 else { throw ValidationError("--family \(family): 4 or 6") }
        guard family == 4 || backend == .kernel else { throw ValidationError("--family 6 needs --backend kernel (the model is IPv4 only)") }
    }

    func run() throws {
        var files: [String] = []
        for p in paths {
            let list = try scenarioFiles(p)
            guard !list.isEmpty else { throw ValidationError("\(p): no .pgm files") }
            files += list
        }
        var scenarios: [Scenario] = []
        var seen = Set<String>()
        for f in files {
            guard let text = readText(f) else { throw ValidationError("\(f): cannot read") }
            let s = try ScenarioParser.parse(text, file: f)
            guard seen.insert(s.name).inserted else { throw ValidationError("\(f): a second scenario named \(s.name)") }
            scenarios.append(s)
        }
        for name in only where !seen.contains(name) { throw ValidationError("--only \(name): no such scenario") }

        let b: any ConformanceBackend
        switch backend {
        case .model:
            b = ModelBackend(seed: seed)
        case .kernel:
            var u = utsname()
            uname(&u)
            let release = withUnsafeBytes(of: &u.release) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
            do {
                b = try KernelBackend(
                    name: "kernel-\(release)" + (family == 6 ? "/ipv6" : ""), peerNamespace: peerNetns,
                    interface: peerInterface, family: family == 6 ? .ipv6 : .ipv4, iutInterface: iutInterface)
            } catch {
                throw ValidationError("kernel backend: \(error)")
            }
        }

        var passed = 0, failed = 0, skipped = 0
        var results: [JSON] = []
        // Ports by position in the full list, so that --only does not renumber.
        for (i, s) in scenarios.enumerated() where only.isEmpty || only.contains(s.name) {
            let network = Network(port: UInt16(7100 + i))
            let outcome = Runner(s, backend: b, network: network).run()
            let rfc = citation(s.sections)
            if let why = outcome.unsupported {
                skipped += 1
                print("ok - \(s.name) (\(rfc)) # SKIP not supported: \(why)")
            } else if outcome.passed {
                passed += 1
                print("ok - \(s.name) (\(rfc))")
            } else {
                failed += 1
                print("not ok - \(s.name) (\(rfc)): \(outcome.failure ?? "")")
            }
            if verbose || (!outcome.passed && outcome.unsupported == nil) {
                for line in outcome.trace { print("    " + line) }
            }
            results.append(json(s, outcome))
        }
        if let jsonPath {
            let text = JSON.object([
                ("backend", .string(b.name)), ("family", .int(Int64(family))), ("scenarios", .array(results)),
            ]).text + "\n"
            guard writeText(text, to: jsonPath) else { throw ValidationError("\(jsonPath): cannot write") }
        }
        print("conformance-\(b.name): \(passed) passed, \(failed) failed" + (skipped > 0 ? ", \(skipped) skipped" : ""))
        if failed > 0 { throw ExitCode(1) }
    }

    func json(_ s: Scenario, _ o: Outcome) -> JSON {
        let result: String = o.unsupported != nil ? "unsupported" : o.passed ? "pass" : "fail"
        let unsupported: JSON = o.unsupported.map { JSON.string($0) } ?? .null
        return .object([
            ("name", .string(s.name)), ("rfc", .string(s.sections.joined(separator: " "))),
            ("title", .string(s.title)), ("passed", .bool(o.passed)),
            ("result", .string(result)), ("unsupported", unsupported),
            ("failure", o.failure.map { .string($0) } ?? .null), ("elapsed_us", .int(o.elapsed)),
        ])
    }
}

/// "RFC 3208 6.3; draft-ietf-rmt-bb-pgmcc-03 2.2; docs/confirmed-delivery.md
/// S8": a scenario's `rfc` line, whose `pgmcc-N` sections are the PGMCC
/// draft's and `confirm-R3`, `confirm-S8` the rules of confirmed delivery.
func citation(_ sections: [String]) -> String {
    let rfc = sections.filter { !$0.hasPrefix("pgmcc-") && !$0.hasPrefix("confirm-") }
    let draft = sections.filter { $0.hasPrefix("pgmcc-") }.map { String($0.dropFirst(6)) }
    let confirm = sections.filter { $0.hasPrefix("confirm-") }.map { String($0.dropFirst(8)) }
    var parts: [String] = []
    if !rfc.isEmpty { parts.append("RFC 3208 " + rfc.joined(separator: " ")) }
    if !draft.isEmpty { parts.append("draft-ietf-rmt-bb-pgmcc-03 " + draft.joined(separator: " ")) }
    if !confirm.isEmpty { parts.append("docs/confirmed-delivery.md " + confirm.joined(separator: " ")) }
    return parts.joined(separator: "; ")
}

/// The .pgm files of a directory, sorted, or the file itself.
func scenarioFiles(_ path: String) throws -> [String] {
    var st = stat()
    guard stat(path, &st) == 0 else { throw ValidationError("\(path): no such file or directory") }
    guard st.st_mode & S_IFMT == S_IFDIR else { return [path] }
    guard let dir = opendir(path) else { throw ValidationError("\(path): cannot open") }
    defer { closedir(dir) }
    var names: [String] = []
    while let e = readdir(dir) {
        let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
        if name.hasSuffix(".pgm") { names.append(name) }
    }
    return names.sorted().map { path.hasSuffix("/") ? path + $0 : path + "/" + $0 }
}

func readText(_ path: String) -> String? {
    guard let f = fopen(path, "r") else { return nil }
    defer { fclose(f) }
    var bytes: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&buf, 1, buf.count, f)
        if n == 0 { break }
        bytes += buf[0..<n]
    }
    return String(decoding: bytes, as: UTF8.self)
}

func writeText(_ text: String, to path: String) -> Bool {
    guard let f = fopen(path, "w") else { return false }
    defer { fclose(f) }
    let bytes = Array(text.utf8)
    return fwrite(bytes, 1, bytes.count, f) == bytes.count
}

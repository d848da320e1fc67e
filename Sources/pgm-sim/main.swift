import ArgumentParser
import Foundation
import PGMCLISupport
import PGMModel
import PGMWire

/// Runs the reference model over a simulated lossy network and prints how
/// well repair works.
@main
struct PGMSim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pgm-sim",
        abstract: "Simulate one PGM source and N receivers over lossy links with the reference model.",
        version: pgmVersion
    )

    @Option(name: .shortAndLong, parsing: .unconditional, help: "Number of receivers.")
    var receivers = 10

    @Option(name: .shortAndLong, parsing: .unconditional, help: "Number of APDUs the source sends.")
    var messages = 1000

    @Option(name: .shortAndLong, parsing: .unconditional,
            help: "APDU size in bytes (at least 4; larger than a TPDU means fragments).")
    var size = 1000

    @Option(name: .customLong("interval"), parsing: .unconditional, help: ArgumentHelp(
        "Time between APDUs (500us, 2ms; a bare number is microseconds); 0 queues them all at once and the rate paces them.",
        valueName: "time"))
    var intervalText = "0"

    @Option(parsing: .unconditional, help: "Loss probability on each source-to-receiver link (0...1).")
    var loss = 0.01

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Mean loss burst length in packets; above 1 uses a Gilbert-Elliott model.",
        valueName: "packets"))
    var burst = 1.0

    @Option(parsing: .unconditional, help: "Loss probability on each receiver-to-source link (NAK, SPMR).")
    var upstreamLoss = 0.0

    @Option(name: .customLong("delay"), parsing: .unconditional, help: ArgumentHelp(
        "One-way link delay (a bare number is microseconds).", valueName: "time"))
    var delayText = "1ms"

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Extra random delay per packet and receiver, 0 to this (reorders; a bare number is microseconds).", valueName: "time"))
    var jitterText = "0"

    @Option(parsing: .unconditional, help: "Probability a packet is duplicated.")
    var duplicate = 0.0

    @Option(parsing: .unconditional, help: "Probability a packet is held back by --reorder-delay.")
    var reorder = 0.0

    @Option(name: .customLong("reorder-delay"), parsing: .unconditional, help: ArgumentHelp(
        "Hold-back of a reordered packet (a bare number is microseconds).", valueName: "time"))
    var reorderDelayText = "2ms"

    @Option(name: .customLong("rate"), parsing: .unconditional, help: ArgumentHelp(
        "Rate limit in bytes/s counting IP headers (TXW_MAX_RTE); 0 = none. 500k, 100M (bytes/s) or 100mbit (bits/s).",
        valueName: "rate"))
    var rateText: String?

    @Option(name: .customLong("param"), help: ArgumentHelp(
        "Set a parameter of the model's table, e.g. NAK_BO_IVL=50000 (repeatable; see pgm-sim(1)).",
        valueName: "NAME=VALUE"))
    var params: [String] = []

    @Option(parsing: .unconditional, help: "Seed of every random choice; the same seed gives the same run.")
    var seed: UInt64 = 1

    @Option(name: .customLong("time-limit"), parsing: .unconditional, help: ArgumentHelp(
        "Stop the virtual clock here even if receivers have not finished (a bare number is seconds).",
        valueName: "time"))
    var timeLimitText = "600s"

    /// A time in microseconds, 0 to 10^12 (a bare number is microseconds).
    static func micros(_ text: String, _ option: String) throws(OptionValueError) -> Int64 {
        try Quantity.whole(text, option: option, unit: .microseconds, range: 0...1_000_000_000_000)
    }

    // The values once validate() has checked them.
    var interval: Int64 { (try? Self.micros(intervalText, "--interval")) ?? 0 }
    var delay: Int64 { (try? Self.micros(delayText, "--delay")) ?? 0 }
    var jitter: Int64 { (try? Self.micros(jitterText, "--jitter")) ?? 0 }
    var reorderDelay: Int64 { (try? Self.micros(reorderDelayText, "--reorder-delay")) ?? 0 }
    var rate: UInt32? {
        get throws(OptionValueError) {
            guard let rateText else { return nil }
            return UInt32(try Quantity.whole(rateText, option: "--rate", unit: .bytesPerSecond,
                                             range: 0...Int64(UInt32.max), note: "0: no limit"))
        }
    }
    var timeLimit: Double {
        get throws(OptionValueError) {
            try Quantity.seconds(timeLimitText, option: "--time-limit", range: 0...10_000_000, aboveLower: true)
        }
    }

    @Option(name: .customLong("fec-k"), parsing: .unconditional, help: ArgumentHelp(
        "FEC (RFC 3208 Appendix A): transmission group size k, a power of two 2 to 128; FEC is off without it.",
        valueName: "k"))
    var fecK: Int?

    @Option(name: .customLong("fec-n"), parsing: .unconditional, help: ArgumentHelp(
        "FEC block size n, k + 1 to 255 (default 2k, at most 255).", valueName: "n"))
    var fecN: Int?

    @Option(name: .customLong("fec-proactive"), parsing: .unconditional, help: ArgumentHelp(
        "Proactive parity packets per group, at most n - k and k (default 0).", valueName: "h"))
    var fecProactive = 0

    @Flag(name: .customLong("fec-ondemand"), help: "Offer on-demand parity: parity NAKs are answered with parity.")
    var fecOnDemand = false

    @Flag(name: .customLong("no-parity-naks"),
          help: "Receivers NAK selectively even when the source offers on-demand parity.")
    var noParityNAKs = false

    @Flag(name: .customLong("fec-compare"), help: ArgumentHelp(
        "Compare selective repair, on-demand parity, proactive parity and both at each of --compare-receivers, "
            + "with --loss, as a table of repair packets and NAKs per lost sequence (k from --fec-k, default 16)."))
    var fecCompare = false

    @Option(name: .customLong("compare-receivers"), parsing: .unconditional, help: ArgumentHelp(
        "Receiver counts for --fec-compare, comma-separated.", valueName: "list"))
    var compareReceivers = "100,1000"

    /// The FEC settings of the options, or nil without --fec-k.
    func fecParameters(k: Int? = nil, proactive: Int? = nil, onDemand: Bool? = nil) throws -> FECParameters? {
        guard let k = k ?? fecK else { return nil }
        let n = fecN ?? min(2 * k, 255)
        do {
            return try FECParameters(n: n, k: k, proactive: proactive ?? fecProactive, onDemand: onDemand ?? fecOnDemand)
        } catch {
            throw ValidationError("--fec: \(error)")
        }
    }

    @Flag(help: ArgumentHelp(
        "PGMCC congestion control (draft-ietf-rmt-bb-pgmcc-03): the source clocks ODATA by a window of the "
            + "acker's ACKs; every receiver measures its loss and answers as acker when named."))
    var pgmcc = false

    @Flag(help: "Compare every delivered byte with what was sent.")
    var verify = false

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Flag(help: "No progress line on stderr.")
    var quiet = false

    func validate() throws {
        guard receivers >= 0 else { throw ValidationError("--receivers must not be negative") }
        guard messages >= 0 else { throw ValidationError("--messages must not be negative") }
        guard size >= 4, size <= Source.maximumAPDU else {
            throw ValidationError("--size must be between 4 and \(Source.maximumAPDU)")
        }
        for (name, p) in [("--loss", loss), ("--upstream-loss", upstreamLoss), ("--duplicate", duplicate),
                          ("--reorder", reorder)] where !(0...1).contains(p) {
            throw ValidationError("\(name) must be between 0 and 1, got \(p)")
        }
        guard burst >= 1 else { throw ValidationError("--burst must be at least 1") }
        guard loss < 1 || burst == 1 else { throw ValidationError("--burst needs --loss below 1") }
        do throws(OptionValueError) {
            for (name, v) in [("--interval", intervalText), ("--delay", delayText), ("--jitter", jitterText),
                              ("--reorder-delay", reorderDelayText)] {
                _ = try Self.micros(v, name)
            }
            _ = try timeLimit
            _ = try rate
        } catch {
            throw ValidationError(error.description)
        }
        _ = try parameters()
        if fecK == nil && (fecN != nil || fecProactive != 0 || fecOnDemand) {
            throw ValidationError("--fec-n, --fec-proactive and --fec-ondemand need --fec-k")
        }
        if !fecCompare { _ = try fecParameters() }
        guard !compareReceiverCounts.isEmpty, compareReceiverCounts.allSatisfy({ $0 >= 1 }) else {
            throw ValidationError("--compare-receivers wants positive counts separated by commas, got '\(compareReceivers)'")
        }
    }

    var compareReceiverCounts: [Int] {
        let parts = compareReceivers.split(separator: ",")
        let counts = parts.compactMap { Int($0) }
        return counts.count == parts.count ? counts : []
    }

    func parameters() throws -> Parameters {
        var p = Parameters()
        if let rate = try rate { try set(&p, "TXW_MAX_RTE", rate) }
        for assignment in params {
            let parts = assignment.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else {
                throw ValidationError("--param wants NAME=VALUE with an unsigned 32-bit value, got '\(assignment)'")
            }
            // A value in the parameter's unit, or a time or rate with a unit
            // (NAK_BO_IVL=50ms, TXW_MAX_RTE=100mbit), as pgmctl set takes it.
            let name = String(parts[0]).uppercased()
            guard let d = Parameters.table.first(where: { $0.name == name }) else {
                try set(&p, name, 0)  // refused as unknown, with the list of names
                continue
            }
            let unit = QuantityUnit.spec(d.unit.rawValue)
            let value: Int64
            do { value = try Quantity.whole(String(parts[1]), option: "--param \(name)", unit: unit, range: 0...Int64(UInt32.max)) } catch {
                throw ValidationError(error.description)
            }
            try set(&p, name, UInt32(value))
        }
        do { try p.validate() } catch { throw ValidationError("\(error)") }
        return p
    }

    func set(_ p: inout Parameters, _ name: String, _ value: UInt32) throws {
        do { try p.set(name, to: value) } catch {
            let names = Parameters.table.map(\.name).joined(separator: ", ")
            throw ValidationError("\(error) (parameters: \(names))")
        }
    }

    func lossModel() -> LossModel {
        if loss == 0 { return .none }
        if burst == 1 { return .bernoulli(loss) }
        // Bad state loses everything, good state nothing; mean burst = 1/r,
        // stationary bad share = p/(p+r) = loss.
        let r = 1 / burst
        let p = loss * r / (1 - loss)
        return .gilbertElliott(goodToBad: min(p, 1), badToGood: r, goodLoss: 0, badLoss: 1)
    }

    func configuration() throws -> SimulationConfiguration {
        var c = SimulationConfiguration()
        c.receivers = receivers
        c.messages = messages
        c.messageSize = size
        c.messageInterval = interval
        c.parameters = try parameters()
        c.seed = seed
        c.downstream = LinkModel(loss: lossModel(), delay: delay, jitter: jitter, duplicate: duplicate,
                                 reorder: reorder, reorderDelay: reorderDelay)
        c.upstream = LinkModel(loss: upstreamLoss > 0 ? .bernoulli(upstreamLoss) : .none, delay: delay,
                               jitter: jitter, duplicate: duplicate, reorder: reorder, reorderDelay: reorderDelay)
        c.verifyContent = verify
        c.timeLimit = VirtualTime(microseconds: Int64((try timeLimit) * 1_000_000))
        c.fec = try fecParameters()
        c.pgmcc = pgmcc ? PGMCCSourceParameters() : nil
        c.parityNAKs = !noParityNAKs
        return c
    }

    func run() throws {
        if fecCompare { return try compare() }
        let c = try configuration()
        var sim: Simulation
        do { sim = try Simulation(c) } catch { throw ValidationError("\(error)") }
        let clock = ContinuousClock()
        let started = clock.now
        let showProgress = !quiet
        let report = sim.run { p in
            guard showProgress else { return }
            let elapsed = Self.seconds(clock.now - started)
            let pct = p.expectedAPDUs == 0 ? 100 : 100 * Double(p.deliveredAPDUs) / Double(p.expectedAPDUs)
            let line = String(format: "\rpgm-sim: t=%.3fs  %d events (%.0f/s)  delivered %.1f%%   ",
                              Double(p.now.rawValue) / 1e6, p.events, Double(p.events) / max(elapsed, 1e-9), pct)
            FileHandle.standardError.write(Data(line.utf8))
        }
        let wall = Self.seconds(clock.now - started)
        if showProgress && report.events >= 1 << 20 { FileHandle.standardError.write(Data("\n".utf8)) }
        let eventsPerSecond = Double(report.events) / max(wall, 1e-9)

        if json {
            struct Output: Encodable {
                var report: SimulationReport
                var lossModel: String
                var wallSeconds: Double
                var eventsPerSecond: Double
                var receptionsPerSecond: Double
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let data = try encoder.encode(Output(report: report, lossModel: lossModel().description,
                                                 wallSeconds: wall, eventsPerSecond: eventsPerSecond,
                                                 receptionsPerSecond: Double(report.receptions) / max(wall, 1e-9)))
            print(String(decoding: data, as: UTF8.self))
        } else {
            let r = report
            print("receivers \(r.receivers), messages \(r.messages) of \(size) bytes (\(r.tpdus) TPDUs), "
                + "loss \(lossModel()), seed \(r.seed)")
            print(String(format: "delivered           %.3f%% (%d of %d APDUs), %d receivers finished",
                         r.deliveredPercent, r.deliveredAPDUs, r.expectedAPDUs, r.receiversFinished))
            print("lost sequences      \(r.lostSequences) (\(r.lossInstances) link losses), "
                + "\(r.unrecoverableSequences) reported unrecoverable")
            print(String(format: "per lost sequence   %.2f NAKs at source, %.2f NCFs, %.2f RDATA",
                         r.naksPerLostSequence, r.ncfsPerLostSequence, r.rdataPerLostSequence))
            if let fec = c.fec {
                print(String(format: "FEC %@  %d proactive and %d on-demand parity packets, %d parity NAKs, "
                                + "%d groups rebuilt; %.2f repair packets per lost sequence",
                             fec.description, r.paritySentProactive, r.paritySentOnDemand, r.parityNaksSent,
                             r.groupsRebuilt, r.repairPacketsPerLostSequence))
            }
            if c.pgmcc != nil {
                print(String(format: "PGMCC               %d ACKs, %d acker changes, %d halvings, %d timeouts, "
                                + "%d waits for a token, window %.2f packets at the end",
                             r.acksSent, r.ackerChanges, r.congestionEvents, r.pgmccTimeouts, r.windowLimited,
                             r.finalWindow))
            }
            print("NAKs sent           \(r.naksSent) by receivers, \(r.naksAtSource) reached the source; "
                + "SPMs \(r.spms), SPMRs \(r.spmrs)")
            print(String(format: "recovery latency    p50 %.1f ms, p99 %.1f ms, max %.1f ms (%d repairs)",
                         Double(r.latencyP50us) / 1000, Double(r.latencyP99us) / 1000,
                         Double(r.latencyMaxus) / 1000, r.latencySamples))
            let ratio = r.payloadBytes == 0 ? 0 : 100 * Double(r.overheadBytes) / Double(r.payloadBytes)
            print(String(format: "overhead bytes      %d (%.1f%% of %d payload bytes)", r.overheadBytes, ratio,
                         r.payloadBytes))
            print("consistency         \(r.duplicatesOrReordered) duplicate/reordered, \(r.unreportedGaps) "
                + "unreported gaps, \(r.corrupt) corrupt")
            print(String(format: "virtual time        %.3f s; %d events in %.2f s wall, %.0f events/s",
                         Double(r.endTimeus) / 1e6, r.events, wall, eventsPerSecond))
            print(String(format: "receptions          %d packets handed to receivers, %.0f/s",
                         r.receptions, Double(r.receptions) / max(wall, 1e-9)))
        }
        if !report.isConsistent { throw ExitCode(2) }
    }

    /// --fec-compare: the same traffic and losses with each way of repairing.
    func compare() throws {
        let k = fecK ?? 16
        let h = fecProactive > 0 ? fecProactive : max(1, k / 8)
        let modes: [(String, FECParameters?)] = [
            ("selective", nil),
            ("on-demand", try fecParameters(k: k, proactive: 0, onDemand: true)),
            ("proactive", try fecParameters(k: k, proactive: h, onDemand: false)),
            ("proactive+on-demand", try fecParameters(k: k, proactive: h, onDemand: true)),
        ]
        var base = try configuration()
        // Whole groups: a last partial group is repaired selectively (RFC 3208 section 11.1).
        base.messages = (messages + k - 1) / k * k
        print("pgm-sim --fec-compare: \(base.messages) messages of \(size) bytes, loss \(lossModel()) per link, "
            + "seed \(seed); FEC k=\(k) n=\(fecN ?? min(2 * k, 255)), proactive h=\(h)")
        print("per lost sequence: NAKs the receivers sent, NAKs that reached the source, repair packets "
            + "(RDATA + parity, proactive included)")
        let header = ["mode", "receivers", "lost sqns", "NAKs sent", "NAKs at src", "repairs", "RDATA",
                      "parity", "delivered", "overhead", "repair ms"]
        let widths = [20, 9, 9, 9, 11, 7, 6, 6, 9, 8, 9]
        func row(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in i == 0 ? c.leftAligned(widths[i]) : c.rightAligned(widths[i]) }
                .joined(separator: "  ")
        }
        print(row(header))
        var consistent = true
        for n in compareReceiverCounts {
            for (name, fec) in modes {
                var c = base
                c.receivers = n
                c.fec = fec
                c.parityNAKs = !noParityNAKs
                var sim: Simulation
                do { sim = try Simulation(c) } catch { throw ValidationError("\(error)") }
                let r = sim.run()
                consistent = consistent && r.isConsistent
                let lost = Double(max(r.lostSequences, 1))
                let overhead = r.payloadBytes == 0 ? 0 : 100 * Double(r.overheadBytes) / Double(r.payloadBytes)
                print(row([
                    name, "\(n)", "\(r.lostSequences)",
                    String(format: "%.2f", r.receiverNaksPerLostSequence),
                    String(format: "%.2f", r.naksPerLostSequence),
                    String(format: "%.2f", r.repairPacketsPerLostSequence),
                    String(format: "%.2f", r.rdataPerLostSequence),
                    String(format: "%.2f", Double(r.paritySentProactive + r.paritySentOnDemand) / lost),
                    String(format: "%.2f%%", r.deliveredPercent),
                    String(format: "%.1f%%", overhead),
                    String(format: "%.1f", Double(r.meanRepairus) / 1000),
                ]))
            }
        }
        if !consistent { throw ExitCode(2) }
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}

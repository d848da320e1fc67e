import ArgumentParser
import Foundation
import PGMModel
import PGMWire

/// Runs the reference model over a simulated lossy network and prints how
/// well repair works.
@main
struct PGMSim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pgm-sim",
        abstract: "Simulate one PGM source and N receivers over lossy links with the reference model."
    )

    @Option(name: .shortAndLong, parsing: .unconditional, help: "Number of receivers.")
    var receivers = 10

    @Option(name: .shortAndLong, parsing: .unconditional, help: "Number of APDUs the source sends.")
    var messages = 1000

    @Option(name: .shortAndLong, parsing: .unconditional,
            help: "APDU size in bytes (at least 4; larger than a TPDU means fragments).")
    var size = 1000

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Microseconds between APDUs; 0 queues them all at once and the rate paces them.",
        valueName: "us"))
    var interval: Int64 = 0

    @Option(parsing: .unconditional, help: "Loss probability on each source-to-receiver link (0...1).")
    var loss = 0.01

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Mean loss burst length in packets; above 1 uses a Gilbert-Elliott model.",
        valueName: "packets"))
    var burst = 1.0

    @Option(parsing: .unconditional, help: "Loss probability on each receiver-to-source link (NAK, SPMR).")
    var upstreamLoss = 0.0

    @Option(parsing: .unconditional, help: ArgumentHelp("One-way link delay.", valueName: "us"))
    var delay: Int64 = 1000

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Extra random delay per packet and receiver, 0 to this (reorders).", valueName: "us"))
    var jitter: Int64 = 0

    @Option(parsing: .unconditional, help: "Probability a packet is duplicated.")
    var duplicate = 0.0

    @Option(parsing: .unconditional, help: "Probability a packet is held back by --reorder-delay.")
    var reorder = 0.0

    @Option(parsing: .unconditional, help: ArgumentHelp("Hold-back of a reordered packet.", valueName: "us"))
    var reorderDelay: Int64 = 2000

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Rate limit in bytes/s counting IP headers (TXW_MAX_RTE); 0 = none.",
        valueName: "bytes/s"))
    var rate: UInt32?

    @Option(name: .customLong("param"), help: ArgumentHelp(
        "Set a parameter of the model's table, e.g. NAK_BO_IVL=50000 (repeatable; see pgm-sim(1)).",
        valueName: "NAME=VALUE"))
    var params: [String] = []

    @Option(parsing: .unconditional, help: "Seed of every random choice; the same seed gives the same run.")
    var seed: UInt64 = 1

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Stop the virtual clock here even if receivers have not finished.",
        valueName: "seconds"))
    var timeLimit = 600.0

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
        for (name, v) in [("--interval", interval), ("--delay", delay), ("--jitter", jitter),
                          ("--reorder-delay", reorderDelay)] where v < 0 {
            throw ValidationError("\(name) must not be negative")
        }
        guard timeLimit > 0, timeLimit < 1e7 else { throw ValidationError("--time-limit must be 0...10^7 seconds") }
        _ = try parameters()
    }

    func parameters() throws -> Parameters {
        var p = Parameters()
        if let rate { try set(&p, "TXW_MAX_RTE", rate) }
        for assignment in params {
            let parts = assignment.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let value = UInt32(parts[1]) else {
                throw ValidationError("--param wants NAME=VALUE with an unsigned 32-bit value, got '\(assignment)'")
            }
            try set(&p, String(parts[0]).uppercased(), value)
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

    func run() throws {
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
        c.timeLimit = VirtualTime(microseconds: Int64(timeLimit * 1_000_000))

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

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}

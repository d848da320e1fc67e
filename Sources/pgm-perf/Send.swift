import ArgumentParser
import CPGM
import PGM
import PGMCLISupport
import PGMToolSupport
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// The sending half: one PGM session per size, and the baselines (UDP, OpenPGM).
struct Send: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send the sweep: for each size, a PGM session (and a UDP and an OpenPGM phase with --baseline).",
        discussion: """
            Each phase sends --count messages of one size (or for --duration seconds), \
            each stamped with CLOCK_MONOTONIC, then an end record with the sender's own \
            figures. PGM phases are rate-limited by the kernel (--rate, PGM_TXW_MAX_RTE); \
            the UDP baseline is paced in user space to the same rate, IP and UDP headers \
            counted. An OpenPGM phase runs opgm-perf (--openpgm-helper), libpgm in UDP \
            encapsulation on the next port after --port, with libpgm's rate limit \
            (PGM_TXW_MAX_RTE) set to the same rate; it stays up one second after its last \
            message for repairs. It sends APDUs of up to 22400 bytes (the 16 packets \
            libpgm 5.3's pgm_send_skbv() takes): larger sizes get no OpenPGM phase. A PGM session stays open, repairing, until the next size's session has \
            sent and then until no NAK has come for a second (10 s at most); the last one is closed \
            after --linger seconds, the same way. With --fec every PGM session \
            sends parity (PGM_FEC) and the table adds the parity sent proactively and on \
            demand and the parity NAKs received; the baselines send none. Prints the sender's table \
            (or --json) on standard output.
            """
    )

    @OptionGroup var target: GroupOptions

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Message sizes in bytes, comma-separated, each \(PerfHeader.size)-\(PGMSocket.maximumAPDU) (\(maximumUDPPayload(ipv6: false)) with udp, "
            + "\(maximumUDPPayload(ipv6: true)) over IPv6; openpgm phases only up to \(Send.maxOpenPGM)).",
        valueName: "list"))
    var sizes = "64,512,1400,8192,65000"

    @Option(parsing: .unconditional, help: "Messages per phase (default 1000, or no limit with --duration).")
    var count: Int?

    @Option(name: .customLong("duration"), parsing: .unconditional, help: ArgumentHelp(
        "Stop each phase after this long (0.01-86400 s): 500ms, 10s, 1m; a bare number is seconds.", valueName: "time"))
    var durationText: String?

    @Option(name: .customLong("rate"), parsing: .unconditional, help: ArgumentHelp(
        "Rate limit in bytes/s, IP headers included, for PGM and the baselines, 0-4294967295; 0 for none (default: the kernel's PGM_TXW_MAX_RTE). "
            + "Suffixes k, M, G multiply bytes/s by 1000, 10^6, 10^9 (100M); kbit, mbit, gbit are bits/s as tc writes them.",
        valueName: "rate"))
    var rateText: String?

    @OptionGroup var fec: FECOptions

    @Option(name: .customLong("baseline"), help: ArgumentHelp(
        "Baselines run in the same sweep, after each size's PGM phase: none, udp, openpgm, or udp,openpgm (openpgm: IPv4 groups only).",
        valueName: "list"))
    var baselineText = "none"

    /// --fec once validate() has checked it; nil without it.
    var fecSettings: FECSettings? { fec.checked }

    /// --baseline once validate() has checked it.
    var baselines: [Baseline] { (try? Baseline.parseList(baselineText)) ?? [] }

    @Option(name: .customLong("openpgm-helper"), help: ArgumentHelp(
        "opgm-perf, OpenPGM's half of --baseline openpgm (default: next to pgm-perf, else build/perf/opgm-perf of its source tree, else the PATH's).",
        valueName: "path"))
    var openPGMHelper: String?

    @Option(name: .customLong("gap"), parsing: .unconditional, help: ArgumentHelp(
        "Pause between phases, so that repairs and stragglers arrive (0-60 s; a bare number is seconds).", valueName: "time"))
    var gapText = "500ms"

    @Option(name: .customLong("linger"), parsing: .unconditional, help: ArgumentHelp(
        "Keep the last PGM session up this long for repairs before closing it (0-3600 s; a bare number is seconds).",
        valueName: "time"))
    var lingerText = "2s"

    /// The times and the rate, in seconds and bytes/s; checked by validate().
    var duration: Double? {
        get throws(OptionValueError) {
            guard let durationText else { return nil }
            return try Quantity.seconds(durationText, option: "--duration", range: 0.01...86400)
        }
    }
    /// --duration once validate() has checked it.
    var durationSeconds: Double? { (try? duration) ?? nil }
    var gap: Double { get throws(OptionValueError) { try Quantity.seconds(gapText, option: "--gap", range: 0...60) } }
    var linger: Double { get throws(OptionValueError) { try Quantity.seconds(lingerText, option: "--linger", range: 0...3600) } }
    var rate: UInt32? {
        get throws(OptionValueError) {
            guard let rateText else { return nil }
            return UInt32(try Quantity.whole(rateText, option: "--rate", unit: .bytesPerSecond,
                                             range: 0...Int64(UInt32.max), note: "0: no limit"))
        }
    }

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "IP_MULTICAST_TTL (IPV6_MULTICAST_HOPS with an IPv6 group), 0-255 (0: this host only).", valueName: "hops"))
    var ttl: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "PGM messages per sendmmsg(2) call (1-64; 1: one send per message).", valueName: "n"))
    var sendBatch = 1

    @OptionGroup var profile: ProfileOptions

    @Flag(help: "Print the sender's table as one JSON object.")
    var json = false

    @Flag(help: "No progress lines on standard error.")
    var quiet = false

    /// The largest APDU opgm-perf sends: 16 packets of 1400 bytes, what
    /// libpgm 5.3's pgm_send_skbv() takes in one call.
    static let maxOpenPGM = 22400

    /// At most this many sizes: each is one or two phases, numbered in a byte.
    static let maxSizes = 64

    func parsedSizes() throws(SizeListError) -> [Int] {
        try parseSizeList(sizes, range: PerfHeader.size...PGMSocket.maximumAPDU, maximumCount: Self.maxSizes)
    }

    func validate() throws {
        let list: [Int]
        do { list = try parsedSizes() } catch { throw ValidationError(error.description) }
        let chosen = try Baseline.parseList(baselineText)
        let ipv6 = target.endpoint.isIPv6
        let maxUDP = maximumUDPPayload(ipv6: ipv6)
        if chosen.contains(.udp), let big = list.first(where: { $0 > maxUDP }) {
            throw ValidationError(
                "--sizes: \(big) bytes does not fit a UDP datagram (at most \(maxUDP)\(ipv6 ? " over IPv6" : "")); "
                    + "drop it or use --baseline none")
        }
        if chosen.contains(.openpgm) && ipv6 { throw ValidationError(openPGMIPv4Only("--baseline openpgm", target)) }
        if chosen.contains(.openpgm), !list.contains(where: { $0 <= Self.maxOpenPGM }) {
            throw ValidationError(
                "--sizes: no size is an APDU opgm-perf sends (at most \(Self.maxOpenPGM) bytes, the 16 packets "
                    + "libpgm 5.3's pgm_send_skbv() takes); add one or drop --baseline openpgm")
        }
        if let c = count, c < 1 { throw ValidationError("--count must be at least 1; got \(c)") }
        if let t = ttl, !(0...255).contains(t) { throw ValidationError("--ttl must be 0-255 hops; got \(t)") }
        do throws(OptionValueError) {
            _ = try rate
            _ = try duration
            _ = try gap
            _ = try linger
        } catch {
            throw ValidationError(error.description)
        }
        guard (1...64).contains(sendBatch) else { throw ValidationError("--send-batch must be 1-64; got \(sendBatch)") }
    }

    /// What one phase did, as the sender saw it.
    struct SizeResult {
        var size: Int
        var transport: PerfHeader.Transport
        var sent: UInt64 = 0
        var nanoseconds: UInt64 = 0
        var cpuNanoseconds: UInt64 = 0
        var tsi: String?
        var statistics: SourceStatistics?
        /// CLOCK_MONOTONIC when the phase began and ended (to set beside a
        /// profile or a capture: `perf record -k CLOCK_MONOTONIC`).
        var startNanoseconds: UInt64 = 0
        var endNanoseconds: UInt64 = 0

        var seconds: Double { Double(nanoseconds) / 1e9 }
        var messagesPerSecond: Double? { nanoseconds > 0 ? Double(sent) / seconds : nil }
        var megabytesPerSecond: Double? { messagesPerSecond.map { $0 * Double(size) / 1e6 } }
        var cpuPerMessage: Double? { sent > 0 ? Double(cpuNanoseconds) / Double(sent) / 1000 : nil }
    }

    func run() throws {
        let list = try parsedSizes()
        // PGM, UDP, and OpenPGM up to the largest APDU opgm-perf sends.
        let openPGM = baselines.contains(.openpgm)
        let phases = UInt8(list.reduce(0) {
            $0 + 1 + (baselines.contains(.udp) ? 1 : 0) + (openPGM && $1 <= Self.maxOpenPGM ? 1 : 0)
        })
        let group = target.endpoint
        let interface = try target.pgmInterface()
        var options = SourceOptions()
        if let p = try profile.selected { options.apply(profile: p) }
        if let r = try rate { options.txwMaxRte = r }
        let gap = try self.gap, linger = try self.linger
        options.interface = interface
        options.multicastTTL = ttl.map { UInt8(clamping: $0) }
        options.fec = fec.checked

        let largest = list.max() ?? PerfHeader.size
        // One slot per message of a batch; the first is also the end record's.
        let slot = max(largest, PerfHeader.size + PerfEndRecord.size)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: slot * sendBatch, alignment: 8)
        defer { buffer.deallocate() }
        buffer.initializeMemory(as: UInt8.self, repeating: 0xA5)

        var udp: UDPMulticast?
        if baselines.contains(.udp) {
            do {
                udp = try UDPMulticast.sender(group: group, interface: interface, ttl: options.multicastTTL)
            } catch {
                throw PerfError.failed("UDP socket to \(group)", error,
                                       .sending(group: group.description, interface: interface?.description))
            }
        }
        defer { udp?.close() }

        var results: [SizeResult] = []
        var previous: PGMSource?
        var previousIndex = 0
        var previousNAKs: (count: UInt64, at: UInt64) = (0, 0)
        var udpRate: UInt32 = 0
        var phase: UInt8 = 0
        for size in list {
            // PGM: a session of its own.
            let source: PGMSource
            do {
                source = try PGMSource(group: group, options: options)
            } catch {
                throw PerfError.setup("starting a PGM session to \(group)", error, family: .init(group.address),
                                      doing: .sending(group: group.description, interface: interface?.description))
            }
            if phase == 0 {
                do { udpRate = try source.socket.get(.txwMaxRte) } catch {
                    throw PerfError.failed("reading PGM_TXW_MAX_RTE", error)
                }
            }
            var r = SizeResult(size: size, transport: .pgm)
            r.tsi = (try? source.transportSessionID())?.description
            r.startNanoseconds = phaseMark()
            let (sent, ns, cpu) = try sendPhase(
                transport: .pgm, phase: phase, phases: phases, size: size, buffer: buffer, pace: 0, via: source)
            r.endNanoseconds = phaseMark()
            r.sent = sent
            r.nanoseconds = ns
            r.cpuNanoseconds = cpu
            let st: SourceStatistics
            do { st = try source.statistics() } catch { throw PerfError.failed("PGM_SOURCE_STATS", error) }
            let end = PerfEndRecord(sent: sent, messageSize: UInt64(size), sendNanoseconds: ns, cpuNanoseconds: cpu,
                                    naksReceived: st.naksReceived, rdataSent: st.rdataSent)
            let endBytes = encodeEnd(.pgm, phase: phase, phases: phases, end, into: buffer)
            do { try source.send(endBytes) } catch { throw PerfError.failed("sending the end of phase \(phase + 1)", error) }
            // The previous session had this whole phase to finish its repairs,
            // and stays until its receivers have stopped NAKing.
            if let p = previous.take() {
                waitForRepairs(p, since: previousNAKs)
                results[previousIndex].statistics = try? p.statistics()
                do { try p.close() } catch { throw PerfError.failed("closing a PGM session", error) }
            }
            previousNAKs = (st.naksReceived, monotonicNanoseconds())
            previous = consume source
            previousIndex = results.count
            results.append(r)
            phase += 1
            sleep(seconds: gap)

            // UDP: the same messages, paced to the PGM rate.
            if let udp {
                var u = SizeResult(size: size, transport: .udp)
                u.startNanoseconds = phaseMark()
                let (sent, ns, cpu) = try sendPhase(
                    transport: .udp, phase: phase, phases: phases, size: size, buffer: buffer, pace: udpRate,
                    via: udp)
                u.endNanoseconds = phaseMark()
                u.sent = sent
                u.nanoseconds = ns
                u.cpuNanoseconds = cpu
                let end = PerfEndRecord(sent: sent, messageSize: UInt64(size), sendNanoseconds: ns,
                                        cpuNanoseconds: cpu, naksReceived: 0, rdataSent: 0)
                // Unreliable: three copies of the end record.
                for copy in 0..<3 {
                    let endBytes = encodeEnd(.udp, phase: phase, phases: phases, end, into: buffer)
                    do { try udp.send(endBytes) } catch { throw PerfError.failed("sending the end of phase \(phase + 1)", error) }
                    if copy < 2 { sleep(seconds: 0.01) }
                }
                results.append(u)
                phase += 1
                sleep(seconds: gap)
            }

            // OpenPGM: the same messages through libpgm, at the same rate limit.
            if openPGM && size <= Self.maxOpenPGM {
                results.append(try openPGMPhase(size: size, phase: phase, phases: phases, group: group,
                                                interface: interface, rate: udpRate))
                phase += 1
                sleep(seconds: gap)
            }
        }
        if let p = previous.take() {
            if linger > 0 { sleep(seconds: linger) }
            waitForRepairs(p, since: previousNAKs)
            results[previousIndex].statistics = try? p.statistics()
            do {
                // SO_LINGER: OPT_FIN repeated, repairs still answered, for one more second.
                try p.close(linger: .seconds(1))
            } catch {
                throw PerfError.failed("closing a PGM session", error)
            }
        }
        report(results, group: group, rate: udpRate)
    }

    /// One OpenPGM phase: opgm-perf sends it (and its end record) and stays
    /// a second for repairs; what it reports.
    func openPGMPhase(size: Int, phase: UInt8, phases: UInt8, group: PGMEndpoint, interface: PGMInterface?,
                      rate: UInt32) throws(PerfError) -> SizeResult {
        var args = ["send", group.address.description, String(group.port), interface?.description ?? "",
                    String(openPGMUDPPort(group.port)), String(size), String(phase), String(phases),
                    "--rate", String(min(rate, UInt32(Int32.max))), "--linger", "1"]
        if let c = count {
            args += ["--count", String(c)]
        } else if durationText != nil {
            args += ["--count", "1000000000000"]
        }
        if let d = durationSeconds { args += ["--duration", String(d)] }
        let path = openPGMHelperPath(openPGMHelper)
        if !quiet { printError("pgm-perf send: phase \(phase + 1)/\(phases) openpgm \(size) B: \(path)") }
        let helper: OpenPGMHelper
        do { helper = try OpenPGMHelper.spawn(path, args) } catch {
            throw PerfError.failed("starting \(path)", error)
        }
        var r = SizeResult(size: size, transport: .openpgm)
        r.startNanoseconds = monotonicNanoseconds()
        var reported = false
        while true {
            let line: String?
            do { line = try helper.readLine(wait: true) } catch {
                helper.terminate()
                helper.wait()
                throw PerfError.failed("reading \(path)'s output", error)
            }
            guard let line else { break }
            let w = line.split(separator: " ")
            if w.count == 6, w[0] == "sent", let n = UInt64(w[1]), let ns = UInt64(w[3]), let cpu = UInt64(w[5]) {
                r.sent = n
                r.nanoseconds = ns
                r.cpuNanoseconds = cpu
                reported = true
            }
        }
        let status = helper.wait()
        guard status == 0, reported else { throw PerfError.helperFailed(path, status) }
        r.endNanoseconds = monotonicNanoseconds()
        return r
    }

    /// Writes an end message (header and record) into `buffer`; its bytes.
    func encodeEnd(_ t: PerfHeader.Transport, phase: UInt8, phases: UInt8, _ end: PerfEndRecord,
                   into buffer: UnsafeMutableRawBufferPointer) -> UnsafeRawBufferPointer {
        PerfHeader(kind: .end, transport: t, phase: phase, phases: phases, index: end.sent,
                   stamp: monotonicNanoseconds()).encode(into: buffer)
        end.encode(into: buffer)
        return UnsafeRawBufferPointer(rebasing: buffer[..<(PerfHeader.size + PerfEndRecord.size)])
    }

    /// Waits until `session` has had no NAK for a second (ten seconds at
    /// most), from its NAK count `since` when its phase ended: a receiver
    /// still missing data NAKs again within NAK_RPT_IVL or NAK_RDATA_IVL
    /// (200 ms by default), so a second without one means its repairs are
    /// over.  Closing before that (at 5% loss a repair can take three rounds,
    /// 0.7 s and more) would end the session under a receiver still
    /// repairing, and it would rightly report the sqn lost.
    func waitForRepairs(_ session: borrowing PGMSource, since: (count: UInt64, at: UInt64)) {
        let quiet: UInt64 = 1_000_000_000, limit: UInt64 = 10_000_000_000
        let start = monotonicNanoseconds()
        var (count, lastChange) = since
        while true {
            let now = monotonicNanoseconds()
            // Unreadable statistics: the session is gone, nothing to wait for.
            guard let n = try? session.statistics().naksReceived else { return }
            if n != count { (count, lastChange) = (n, now) }
            if now &- lastChange >= quiet || now &- start >= limit { return }
            sleep(seconds: 0.05)
        }
    }

    /// Sends one phase's data messages; the count sent, the nanoseconds the
    /// sends took and the CPU time used.
    ///
    /// - Parameter pace: bytes/s on the wire to pace to in user space (the
    ///   UDP baseline); 0 for none (PGM: the kernel paces).
    func sendPhase(
        transport: PerfHeader.Transport, phase: UInt8, phases: UInt8, size: Int,
        buffer: UnsafeMutableRawBufferPointer, pace: UInt32,
        via sink: borrowing some MessageSink & ~Copyable
    ) throws(PerfError) -> (UInt64, UInt64, UInt64) {
        let limit = count.map { UInt64(clamping: $0) } ?? (durationText == nil ? 1000 : UInt64.max)
        if transport == .pgm && sendBatch > 1 {
            return try sendBatched(phase: phase, phases: phases, size: size, buffer: buffer, limit: limit, via: sink)
        }
        let message = UnsafeRawBufferPointer(rebasing: buffer[..<size])
        let wire = Double(udpWireBytes(payload: size, ipv6: target.endpoint.isIPv6))
        let cpu0 = processCPUNanoseconds()
        let t0 = monotonicNanoseconds()
        let deadline = durationSeconds.map { t0 &+ UInt64($0 * 1e9) }
        var nextTick = t0 &+ 1_000_000_000
        var sent: UInt64 = 0
        while sent < limit {
            var now = monotonicNanoseconds()
            if let deadline, now >= deadline { break }
            if pace > 0 {
                let due = t0 &+ UInt64(Double(sent) * wire * 1e9 / Double(pace))
                if due > now {
                    sleep(untilMonotonic: due)
                    now = monotonicNanoseconds()
                }
            }
            PerfHeader(kind: .data, transport: transport, phase: phase, phases: phases, index: sent, stamp: now)
                .encode(into: buffer)
            do { try sink.sendMessage(message) } catch {
                throw PerfError.failed("\(transport) send of message \(sent + 1) (\(size) bytes)", error)
            }
            sent += 1
            if now >= nextTick {
                let s = Double(now - t0) / 1e9
                if !quiet {
                    printError("pgm-perf send: phase \(phase + 1)/\(phases) \(transport) \(size) B: \(sent) sent, "
                        + "\(fixed(Double(sent) / s, 0)) msg/s")
                }
                while nextTick <= now { nextTick &+= 1_000_000_000 }
            }
        }
        let t1 = monotonicNanoseconds()
        return (sent, t1 - t0, processCPUNanoseconds() &- cpu0)
    }

    /// Prints the sender's table or JSON.
    /// A PGM phase with --send-batch: each sendmmsg(2) call carries up to
    /// that many messages, each stamped when the batch is built.
    func sendBatched(
        phase: UInt8, phases: UInt8, size: Int, buffer: UnsafeMutableRawBufferPointer, limit: UInt64,
        via sink: borrowing some MessageSink & ~Copyable
    ) throws(PerfError) -> (UInt64, UInt64, UInt64) {
        let slot = buffer.count / sendBatch
        let cpu0 = processCPUNanoseconds()
        let t0 = monotonicNanoseconds()
        let deadline = durationSeconds.map { t0 &+ UInt64($0 * 1e9) }
        var nextTick = t0 &+ 1_000_000_000
        var sent: UInt64 = 0
        while sent < limit {
            let now = monotonicNanoseconds()
            if let deadline, now >= deadline { break }
            let k = Int(min(UInt64(sendBatch), limit - sent))
            for j in 0..<k {
                PerfHeader(kind: .data, transport: .pgm, phase: phase, phases: phases, index: sent + UInt64(j), stamp: now)
                    .encode(into: UnsafeMutableRawBufferPointer(rebasing: buffer[(j * slot)..<(j * slot + size)]))
            }
            var done = 0
            while done < k {
                let n: Int
                do {
                    n = try sink.sendMessages(UnsafeRawPointer(buffer.baseAddress! + done * slot), stride: slot,
                                              size: size, count: k - done)
                } catch {
                    throw PerfError.failed("pgm sendmmsg of message \(sent + UInt64(done) + 1) (\(size) bytes)", error)
                }
                done += n
            }
            sent += UInt64(k)
            if now >= nextTick {
                let s = Double(now - t0) / 1e9
                if !quiet {
                    printError("pgm-perf send: phase \(phase + 1)/\(phases) pgm \(size) B: \(sent) sent, "
                        + "\(fixed(Double(sent) / s, 0)) msg/s (batches of \(sendBatch))")
                }
                while nextTick <= now { nextTick &+= 1_000_000_000 }
            }
        }
        let t1 = monotonicNanoseconds()
        return (sent, t1 - t0, processCPUNanoseconds() &- cpu0)
    }

    func report(_ results: [SizeResult], group: PGMEndpoint, rate: UInt32) {
        let bySize = Dictionary(grouping: results, by: \.size)
        let sizesInOrder = results.filter { $0.transport == .pgm }.map(\.size)
        if json {
            func side(_ r: SizeResult) -> JSON {
                var o: [(String, JSON)] = [
                    ("sent", .uint(r.sent)), ("seconds", .double(r.seconds)),
                    ("msgs_per_s", jnum(r.messagesPerSecond)), ("mb_per_s", jnum(r.megabytesPerSecond)),
                    ("cpu_us_per_msg", jnum(r.cpuPerMessage)),
                    ("start_ns", .uint(r.startNanoseconds)), ("end_ns", .uint(r.endNanoseconds)),
                ]
                if let tsi = r.tsi { o.append(("tsi", .string(tsi))) }
                if let st = r.statistics { o.append(("statistics", PGMToolSupport.json(st))) }
                if let st = r.statistics, fecSettings != nil {
                    o.append(("parity_sent_proactive", .uint(st.paritySentProactive)))
                    o.append(("parity_sent_ondemand", .uint(st.paritySentOnDemand)))
                    o.append(("parity_naks_received", .uint(st.parityNaksReceived)))
                }
                return .object(o)
            }
            let rows: [JSON] = sizesInOrder.map { size in
                let p = bySize[size]?.first { $0.transport == .pgm }
                let u = bySize[size]?.first { $0.transport == .udp }
                var o: [(String, JSON)] = [("size", .int(Int64(size))), ("pgm", p.map(side) ?? .null)]
                if baselines.contains(.udp) {
                    o.append(("udp", u.map(side) ?? .null))
                    o.append(("ratio", .object([
                        ("msgs_per_s", jnum(ratio(p?.messagesPerSecond, u?.messagesPerSecond))),
                        ("cpu_per_msg", jnum(ratio(p?.cpuPerMessage, u?.cpuPerMessage))),
                    ])))
                }
                if baselines.contains(.openpgm) {
                    let q = bySize[size]?.first { $0.transport == .openpgm }
                    o.append(("openpgm", q.map(side) ?? .null))
                    o.append(("ratio_openpgm", .object([
                        ("msgs_per_s", jnum(ratio(p?.messagesPerSecond, q?.messagesPerSecond))),
                        ("cpu_per_msg", jnum(ratio(p?.cpuPerMessage, q?.cpuPerMessage))),
                    ])))
                }
                return .object(o)
            }
            var top: [(String, JSON)] = [
                ("role", .string("send")), ("group", .string(group.description)),
                ("rate", .uint(UInt64(rate))), ("baseline", .string(baselines.isEmpty ? "none" : baselines.map(\.rawValue).joined(separator: ","))),
                ("send_batch", .uint(UInt64(sendBatch))),
            ]
            if let f = fecSettings { top.append(("fec", .string(f.description))) }
            top.append(("results", .array(rows)))
            print(JSON.object(top).text)
            return
        }
        print("pgm-perf send: \(results.count) phases to \(group), rate \(rate == 0 ? "unlimited" : "\(rate) bytes/s")"
            + (fecSettings.map { ", FEC \($0)" } ?? ""))
        // With --fec: the parity sent proactively and on demand, and the parity NAKs received.
        let fecColumns = fecSettings == nil ? "" : "parity pro".rightAligned(11) + "parity od".rightAligned(10) + "pnaks rcvd".rightAligned(11)
        func fecCells(_ st: SourceStatistics?) -> String {
            guard fecSettings != nil else { return "" }
            func c(_ k: KeyPath<SourceStatistics, UInt64>) -> String { st.map { String($0[keyPath: k]) } ?? "-" }
            return c(\.paritySentProactive).rightAligned(11) + c(\.paritySentOnDemand).rightAligned(10)
                + c(\.parityNaksReceived).rightAligned(11)
        }
        print("size".rightAligned(7) + "  proto  " + "sent".rightAligned(9) + "seconds".rightAligned(9)
            + "msgs/s".rightAligned(11) + "MB/s".rightAligned(9)
            + "cpu us/msg".rightAligned(11) + "naks rcvd".rightAligned(10) + "rdata".rightAligned(8) + fecColumns)
        for r in results {
            print(String(r.size).rightAligned(7) + "  " + r.transport.description.leftAligned(7) + String(r.sent).rightAligned(9)
                + fixed(r.seconds, 2).rightAligned(9) + cell(r.messagesPerSecond, 0).rightAligned(11)
                + cell(r.megabytesPerSecond, 3).rightAligned(9) + cell(r.cpuPerMessage, 2).rightAligned(11)
                + (r.statistics.map { String($0.naksReceived) } ?? "-").rightAligned(10)
                + (r.statistics.map { String($0.rdataSent) } ?? "-").rightAligned(8) + fecCells(r.statistics))
        }
        for b in baselines {
            let t: PerfHeader.Transport = b == .udp ? .udp : .openpgm
            print(b == .udp ? "PGM/UDP (send side)" : "PGM/OpenPGM (send side)")
            print("size".rightAligned(7) + "msgs/s".rightAligned(9) + "cpu/msg".rightAligned(9))
            for size in sizesInOrder {
                let p = bySize[size]?.first { $0.transport == .pgm }
                let u = bySize[size]?.first { $0.transport == t }
                print(String(size).rightAligned(7) + cell(ratio(p?.messagesPerSecond, u?.messagesPerSecond), 2).rightAligned(9)
                    + cell(ratio(p?.cpuPerMessage, u?.cpuPerMessage), 2).rightAligned(9))
            }
        }
    }
}

/// Where a phase's messages go: a PGM session or the UDP baseline's socket.
protocol MessageSink: ~Copyable {
    /// Sends one message, waiting for the rate limit if there is one.
    func sendMessage(_ bytes: UnsafeRawBufferPointer) throws(Errno)
    /// Sends `count` messages of `size` bytes, `stride` apart, in as few
    /// calls as it can; how many went.
    func sendMessages(_ base: UnsafeRawPointer, stride: Int, size: Int, count: Int) throws(Errno) -> Int
}

extension MessageSink where Self: ~Copyable {
    func sendMessages(_ base: UnsafeRawPointer, stride: Int, size: Int, count: Int) throws(Errno) -> Int {
        for i in 0..<count { try sendMessage(UnsafeRawBufferPointer(start: base + i * stride, count: size)) }
        return count
    }
}

extension PGMSource: MessageSink {
    func sendMessage(_ bytes: UnsafeRawBufferPointer) throws(Errno) { try send(bytes) }

    /// One sendmmsg(2) call (each message its own APDU).
    func sendMessages(_ base: UnsafeRawPointer, stride: Int, size: Int, count: Int) throws(Errno) -> Int {
        let lens = [UInt32](repeating: UInt32(size), count: count)
        while true {
            let n = cpgm_sendmmsg(socket.fileDescriptor.rawValue, base, stride, lens, UInt32(count), 0)
            if n > 0 { return Int(n) }
            let e = Errno(rawValue: errno)
            if n < 0 && e != .interrupted { throw e }
        }
    }
}

extension UDPMulticast: MessageSink {
    func sendMessage(_ bytes: UnsafeRawBufferPointer) throws(Errno) { try send(bytes) }
}

import ArgumentParser
import PGM
import PGMCLISupport
import PGMToolSupport
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// Sends a stream of APDUs to a multicast group as a PGM source and prints
/// what it sent: APDUs, bytes, their SHA-256 and the session's counters;
/// with --confirm, how long after the last send the receivers had it all.
@main
struct PGMSend: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pgm-send",
        abstract: "Send APDUs to a multicast group as a PGM source and print a summary.",
        discussion: """
            Without --input, sends --count APDUs of --size bytes made up from --seed. \
            With --input FILE (or - for standard input), sends the file in APDUs of --size \
            bytes, the last one shorter, up to --count APDUs. The summary's SHA-256 covers \
            every byte sent, in order: pgm-recv prints the same digest for a session it \
            received whole. With --confirm N the source runs confirmed delivery and, before \
            closing, waits until N receivers (pgm-recv --confirm) have confirmed every APDU; \
            exit status 1 when they have not within --confirm-timeout.
            """,
        version: pgmVersion
    )

    @OptionGroup var target: GroupOptions

    @Option(parsing: .unconditional, help: "APDUs to send (default 1000 without --input, all of the input with it).")
    var count: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("Bytes per APDU (1-1048576).", valueName: "bytes"))
    var size = 1024

    @Option(help: ArgumentHelp("Send this file's bytes; - for standard input.", valueName: "file"))
    var input: String?

    @Option(name: .customLong("rate"), parsing: .unconditional, help: ArgumentHelp(
        "Rate limit in bytes/s, IP headers included, 0-4294967295; 0 for none (default: the kernel's). "
            + "Suffixes k, M, G multiply bytes/s by 1000, 10^6, 10^9 (100M); kbit, mbit, gbit are bits/s as tc writes them (100mbit = 12.5M).",
        valueName: "rate"))
    var rateText: String?

    @Option(name: .customLong("linger"), parsing: .unconditional, help: ArgumentHelp(
        "Keep the session up this long after the last APDU to repair NAKs, then close it (OPT_FIN, repeated for one more second); "
            + "0-3600 s. A time: 500ms, 2s, 1m; a bare number is seconds.",
        valueName: "time"))
    var lingerText = "2s"

    @Option(name: .customLong("late-join"), parsing: .unconditional, help: ArgumentHelp(
        "Offer receivers that join late this share of the transmit window to repair (PGM_LATE_JOIN), 0-100 %; "
            + "the default, 0, offers none: they start with the newest data.", valueName: "percent"))
    var lateJoin: Int?

    /// --rate in bytes/s, nil for the kernel's.
    var rate: UInt32? {
        get throws(OptionValueError) {
            guard let rateText else { return nil }
            return UInt32(try Quantity.whole(rateText, option: "--rate", unit: .bytesPerSecond,
                                             range: 0...Int64(UInt32.max), note: "0: no limit"))
        }
    }

    /// --linger in seconds.
    var linger: Double {
        get throws(OptionValueError) { try Quantity.seconds(lingerText, option: "--linger", range: 0...3600) }
    }

    @OptionGroup var fec: FECOptions

    @Flag(help: ArgumentHelp(
        "Run PGMCC congestion control (PGM_PGMCC, draft-ietf-rmt-bb-pgmcc-03): the source elects as acker the "
            + "receiver with the lowest throughput by their feedback, and the acker's ACKs clock the sends (a window "
            + "that opens with them and halves on a loss they show). --rate (PGM_TXW_MAX_RTE) still caps the rate. "
            + "Receivers take part with pgm-recv --pgmcc; with none, about one APDU leaves per timeout (3 s). "
            + "Not with --fec."))
    var pgmcc = false

    @Option(name: .customLong("confirm"), parsing: .unconditional, help: ArgumentHelp(
        "Run confirmed delivery (PGM_CONFIRM): keep the receivers that confirm what they have (pgm-recv --confirm), "
            + "and before closing wait until this many of them have every APDU sent, up to --confirm-timeout; print "
            + "how long that took after the last send and how many receivers confirmed. Not confirmed in time: "
            + "exit status 1. 1-65536.", valueName: "receivers"))
    var confirm: Int?

    @Flag(name: .customLong("confirm-flow"), help: ArgumentHelp(
        "With --confirm: flow control to the slowest live receiver (PGM_CONFIRM_FLOW): the transmit window does not "
            + "move past what it confirmed, so a slow receiver slows the source down instead of losing data; one that "
            + "goes silent holds it until it expires (--confirm-expiry)."))
    var confirmFlow = false

    @Option(name: .customLong("confirm-expiry"), parsing: .unconditional, help: ArgumentHelp(
        "With --confirm: a receiver silent this long leaves (PGM_CONFIRM_EXPIRY), 100ms-600s in whole milliseconds; "
            + "a bare number is seconds. Default: the kernel's, 3s.", valueName: "time"))
    var confirmExpiryText: String?

    @Option(name: .customLong("confirm-timeout"), parsing: .unconditional, help: ArgumentHelp(
        "With --confirm: how long to wait after the last send for the receivers to confirm everything, up to 86400 s; "
            + "500ms, 30s, 2m; a bare number is seconds. Default: 10s.", valueName: "time"))
    var confirmTimeoutText: String?

    /// --confirm-expiry, nil for the kernel's.
    var confirmExpiry: Duration? {
        get throws(OptionValueError) {
            guard let confirmExpiryText else { return nil }
            do {
                let lo = Int64(ConfirmedDeliverySettings.expiries.lowerBound / .milliseconds(1))
                let hi = Int64(ConfirmedDeliverySettings.expiries.upperBound / .milliseconds(1))
                let ms = try Quantity.parse(confirmExpiryText, bareUnit: .seconds).whole(in: .milliseconds, range: lo...hi)
                return .milliseconds(ms)
            } catch {
                throw OptionValueError(option: "--confirm-expiry", error: error)
            }
        }
    }

    /// --confirm-timeout in seconds, 10 without one.
    var confirmTimeout: Double {
        get throws(OptionValueError) {
            guard let confirmTimeoutText else { return 10 }
            return try Quantity.seconds(confirmTimeoutText, option: "--confirm-timeout", range: 0...86400, aboveLower: true)
        }
    }

    @Option(parsing: .unconditional, help: "Seed of the made-up APDUs (0-18446744073709551615).")
    var seed: UInt64 = 1

    @Option(parsing: .unconditional, help: ArgumentHelp("IP_MULTICAST_TTL (IPV6_MULTICAST_HOPS for an IPv6 group), 0-255 (0: this host only).", valueName: "hops"))
    var ttl: Int?

    @OptionGroup var udp: UDPOptions

    @OptionGroup var profile: ProfileOptions

    @Flag(help: "Print the summary as one JSON object.")
    var json = false

    func validate() throws {
        guard (1...PGMSocket.maximumAPDU).contains(size) else {
            throw ValidationError("--size must be 1-\(PGMSocket.maximumAPDU) bytes; got \(size)")
        }
        do throws(OptionValueError) {
            _ = try linger
            _ = try rate
            _ = try confirmExpiry
            _ = try confirmTimeout
        } catch {
            throw ValidationError(error.description)
        }
        if let c = count, c < 1 { throw ValidationError("--count must be at least 1; got \(c)") }
        if let t = ttl, !(0...255).contains(t) { throw ValidationError("--ttl must be 0-255 hops; got \(t)") }
        if let p = lateJoin, !(0...100).contains(p) {
            throw ValidationError("--late-join must be 0-100 percent of the window; got \(p)")
        }
        if pgmcc && fec.text != nil {
            throw ValidationError("--pgmcc and --fec do not go together: the kernel does not run PGMCC with FEC")
        }
        if let n = confirm, !ConfirmedDeliverySettings.maximumReceiversRange.contains(n) {
            throw ValidationError("--confirm must be 1-\(ConfirmedDeliverySettings.maximumReceiversRange.upperBound) "
                + "receivers; got \(n)")
        }
        if confirm == nil {
            for (given, name) in [(confirmFlow, "--confirm-flow"), (confirmExpiryText != nil, "--confirm-expiry"),
                                  (confirmTimeoutText != nil, "--confirm-timeout")] where given {
                throw ValidationError("\(name) goes with --confirm N: the source runs confirmed delivery only then")
            }
        }
    }

    func run() async throws {
        var file: FileDescriptor?
        if let input {
            do {
                file = input == "-" ? .standardInput : try FileDescriptor.open(input, .readOnly)
            } catch {
                throw Failure("\(input): \(error)")
            }
        }
        var options = SourceOptions()
        if let p = try profile.selected { options.apply(profile: p) }
        if let r = try rate { options.txwMaxRte = r }
        if let share = lateJoin { options.lateJoin = UInt32(share) }
        let linger = try self.linger
        options.udpEncapsulation = udp.encapsulation
        options.fec = fec.checked
        if pgmcc { options.pgmcc = true }
        if let n = confirm {
            var c = ConfirmedDeliverySettings(flowControl: confirmFlow)
            if let e = try confirmExpiry { c.expiry = e }
            // Room for the receivers waited for, however many that is.
            c.maximumReceivers = max(c.maximumReceivers, n)
            options.confirmedDelivery = c
        }
        let confirmTimeout = try self.confirmTimeout
        options.multicastTTL = ttl.map { UInt8(clamping: $0) }
        let interface = try target.pgmInterface()
        options.interface = interface
        let endpoint = target.endpoint
        let doing = Doing.sending(group: endpoint.description, interface: interface?.description)
        let source: PGMSource
        do {
            source = try PGMSource(group: endpoint, options: options)
        } catch .system(.socketTypeNotSupported) {
            throw Failure(systemErrorMessage("socket(\(PGMSocket.Family(endpoint.address)), SOCK_RDM, IPPROTO_PGM)",
                                             errno: Errno.socketTypeNotSupported.rawValue, doing: .openingSocket))
        } catch .system(let e) {
            throw Failure(systemErrorMessage("starting a session to \(endpoint)", errno: e.rawValue, doing: doing))
        } catch {
            throw Failure("starting a session to \(endpoint): \(error)")
        }
        let tsi = try source.transportSessionID()

        var hash = SHA256()
        var apdus: UInt64 = 0
        var bytes: UInt64 = 0
        let t0 = now()
        var lastSend = t0
        let limit = count.map { UInt64(clamping: $0) } ?? (file == nil ? 1000 : UInt64.max)
        var buffer = [UInt8](repeating: 0, count: size)
        while apdus < limit {
            let apdu: ArraySlice<UInt8>
            if let file {
                let n = try readFull(file, into: &buffer)
                if n == 0 { break }
                apdu = buffer[..<n]
            } else {
                apdu = patternAPDU(seed: seed, index: apdus, size: size)[...]
            }
            do {
                try source.send(contentsOf: apdu)
            } catch {
                throw Failure(systemErrorMessage("send of APDU \(apdus + 1) (\(apdu.count) bytes)", errno: error.rawValue, doing: doing))
            }
            lastSend = now()
            apdu.withUnsafeBytes { hash.update($0) }
            apdus += 1
            bytes += UInt64(apdu.count)
        }
        let sendSeconds = now() - t0
        if let file, input != "-" { try? file.close() }
        var confirmation: Confirmation?
        if let n = confirm {
            // Everything sent: up to the lead now. The wait polls on a
            // thread of its own; this task just awaits it.
            do {
                let last = try source.lastSequenceNumber()
                let done = try await source.waitUntilDelivered(through: last, receivers: n,
                                                               timeout: .milliseconds(Int64(confirmTimeout * 1000)))
                confirmation = Confirmation(wanted: n, delivered: done, last: last, seconds: now() - lastSend,
                                            state: try source.confirmed())
            } catch {
                throw Failure(systemErrorMessage("waiting for the receivers to confirm", errno: error.rawValue, doing: doing))
            }
        }
        if linger > 0 { sleepSeconds(linger) }
        let st = try source.statistics()
        // SO_LINGER: the kernel repeats the OPT_FIN SPM on heartbeats (and
        // still repairs) for one more second before the session goes.
        do {
            try source.close(linger: .seconds(1))
        } catch {
            throw Failure(systemErrorMessage("closing the session", errno: error.rawValue, doing: doing))
        }

        let digest = hash.hexDigest()
        if json {
            print(JSON.object([
                ("group", .string(endpoint.description)), ("tsi", .string(tsi.description)),
                ("apdus", .uint(apdus)), ("bytes", .uint(bytes)), ("sha256", .string(digest)),
                ("seconds", .double(sendSeconds)),
            ] + (confirmation.map { [("confirm", $0.json)] } ?? []) + [("statistics", PGMToolSupport.json(st))]).text)
        } else {
            let rate = sendSeconds > 0 ? Double(bytes) / sendSeconds / 1e6 : 0
            print("pgm-send: \(apdus) APDUs, \(bytes) bytes to \(endpoint) in \(fixed(sendSeconds, 2)) s (\(fixed(rate, 2)) MB/s)")
            print("  tsi     \(tsi)")
            print("  sha256  \(digest)")
            print("  odata \(st.odataSent)  rdata \(st.rdataSent)  spm \(st.spmSent)  ncf \(st.ncfSent)"
                + "  naks received \(st.naksReceived)  ignored \(st.naksIgnored)  rate-limited sends \(st.rateLimited)")
            if let cc = st.pgmcc { print("  " + pgmccSummary(st, cc)) }
            if let c = confirmation { print("  " + c.summary + "  joins \(st.confirmJoins)  leaves \(st.confirmLeaves)"
                + "  expired \(st.confirmExpired)  lost \(st.confirmLost)  flow-limited sends \(st.flowLimited)") }
        }
        if let c = confirmation, !c.delivered {
            flushOutput()
            throw Failure("not confirmed: \(c.wanted) receiver(s) did not confirm every APDU (through sqn \(c.last)) "
                + "within the \(confirmTimeoutText ?? "10s") --confirm-timeout; \(c.state)")
        }
    }

    /// Reads until the buffer is full or the input ends; the count read.
    private func readFull(_ fd: FileDescriptor, into buffer: inout [UInt8]) throws -> Int {
        var got = 0
        while got < buffer.count {
            let n: Int
            do {
                n = try buffer.withUnsafeMutableBytes {
                    try fd.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[got...]))
                }
            } catch {
                throw Failure("reading \(input ?? "-"): \(error)")
            }
            if n == 0 { break }
            got += n
        }
        return got
    }
}

/// What --confirm found: whether `wanted` receivers confirmed everything
/// through `last`, how long after the last send that took (or the wait
/// gave up), and the source's view then.
struct Confirmation {
    var wanted: Int
    var delivered: Bool
    var last: SequenceNumber
    var seconds: Double
    var state: ConfirmedState

    /// The text summary's line.
    var summary: String {
        let refused = state.refused == 0 ? "" : ", \(state.refused) refused"
        guard delivered else {
            return "confirm NOT confirmed by \(wanted) receiver(s) through sqn \(last) after \(fixed(seconds, 3)) s"
                + " (\(state.receivers) live\(refused), confirmed through \(state.sequenceNumber.map { String($0.rawValue) } ?? "-"))"
        }
        return "confirm \(state.receivers) receiver(s) confirmed everything through sqn \(last) "
            + "\(fixed(seconds, 3)) s after the last send (\(wanted) waited for\(refused))"
    }

    /// The JSON summary's "confirm" object.
    var json: JSON {
        .object([
            ("receivers_wanted", .uint(UInt64(wanted))), ("delivered", .bool(delivered)),
            ("last_sqn", .uint(UInt64(last.rawValue))), ("seconds_after_last_send", .double(seconds)),
            ("receivers", .uint(UInt64(state.receivers))),
            ("confirmed_sqn", state.sequenceNumber.map { .uint(UInt64($0.rawValue)) } ?? .null),
            ("refused", .uint(state.refused)),
        ])
    }
}

/// The PGMCC line of the text summary: the acker, the window now, and
/// what clocked the source.
func pgmccSummary(_ st: SourceStatistics, _ cc: SourcePGMCC) -> String {
    "pgmcc   acker \(cc.acker?.description ?? "none") W \(fixed(cc.windowPackets, 2))  acks \(st.acksReceived)"
        + "  acker changes \(st.ackerChanges)  congestion events \(st.congestionEvents)  timeouts \(st.ccTimeouts)"
        + "  window-limited sends \(st.windowLimited)"
}

/// Sleeps, resuming after signals.
func sleepSeconds(_ s: Double) {
    var ts = timespec(tv_sec: Int(s), tv_nsec: Int((s - s.rounded(.down)) * 1e9))
    var rem = timespec()
    while nanosleep(&ts, &rem) != 0 && errno == EINTR { ts = rem }
}

import ArgumentParser
import PGM
import PGMCLISupport
import PGMToolSupport
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// Receives PGM sessions on a group and port, prints loss and session ends
/// as they come, and at the end each session's totals and the SHA-256 of
/// the bytes it delivered.
@main
struct PGMRecv: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pgm-recv",
        abstract: "Receive PGM sessions on a group and port; print events, per-session totals and SHA-256.",
        discussion: """
            Stops after --count APDUs, when --sessions sessions have ended, or after --timeout \
            seconds, whichever comes first; at least one of them is required. Unrecoverable \
            loss and session ends are printed as they arrive. Exit status 0 when the count \
            or the sessions were reached (or only --timeout was given and something arrived), \
            2 when the timeout came first, 3 when nothing at all arrived within the timeout, \
            1 on an error. With --zmq the messages ZeroMQ framed inside the APDUs \
            are counted and hashed instead of the APDUs (ZeroMQ's PUB on pgm:// or, with \
            --udp-ports PORT, epgm://).
            """,
        version: pgmVersion
    )

    @OptionGroup var target: GroupOptions

    @Option(parsing: .unconditional, help: "Stop after this many APDUs, over all sessions.")
    var count: Int?

    @Option(parsing: .unconditional, help: "Stop when this many sessions have ended (OPT_FIN, OPT_RST or expiry).")
    var sessions: Int?

    @Option(name: .customLong("timeout"), parsing: .unconditional, help: ArgumentHelp(
        "Stop after this long (up to 86400 s): 500ms, 30s, 2m; a bare number is seconds.", valueName: "time"))
    var timeoutText: String?

    /// --timeout in seconds, nil without one.
    var timeout: Double? {
        get throws(OptionValueError) {
            guard let timeoutText else { return nil }
            return try Quantity.seconds(timeoutText, option: "--timeout", range: 0...86400, aboveLower: true)
        }
    }

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Longest APDU expected (1-\(PGMSocket.maximumAPDU)); longer ones are cut and counted as truncated. "
            + "The default is the largest APDU a PGM socket delivers (PGM_APDU_MAX), so nothing is cut.", valueName: "bytes"))
    var maxSize = PGMSocket.maximumAPDU

    @Option(name: .customLong("join-max"), parsing: .unconditional, help: ArgumentHelp(
        "Repair at most this many sequence numbers before the first one heard of a new session, when its source "
            + "offers them (PGM_JOIN_MAX); 0 starts every session at the newest data. Default: as far as offered.",
        valueName: "sqns"))
    var joinMax: Int?

    @OptionGroup var parityNAKs: ParityNAKOptions

    @Flag(help: ArgumentHelp(
        "Take part in PGMCC congestion control (PGM_PGMCC): ACK as the acker when a source running PGMCC names this "
            + "receiver, answer its elections, add feedback to NAKs."))
    var pgmcc = false

    @Option(name: .customLong("confirm"), defaultAsFlag: "200ms", parsing: .next, help: ArgumentHelp(
        "Confirm what this receiver has to each session's source (PGM_CONFIRM): a JOIN, then an ACK every interval "
            + "while data comes (every fifth while idle), and BYE on close, so that a source running confirmed delivery "
            + "(pgm-send --confirm) knows it has everything. --confirm alone: every 200ms; --confirm=INTERVAL: "
            + "10ms-60s in whole milliseconds, a bare number is seconds. Sources without confirmed delivery ignore the ACKs.",
        valueName: "interval"))
    var confirmText: String? = nil

    /// --confirm's interval, nil without --confirm.
    var confirmInterval: Duration? {
        get throws(OptionValueError) {
            guard let confirmText else { return nil }
            do {
                let lo = Int64(ConfirmedDeliverySettings.intervals.lowerBound / .milliseconds(1))
                let hi = Int64(ConfirmedDeliverySettings.intervals.upperBound / .milliseconds(1))
                return .milliseconds(try Quantity.parse(confirmText, bareUnit: .seconds).whole(in: .milliseconds, range: lo...hi))
            } catch {
                throw OptionValueError(option: "--confirm", error: error)
            }
        }
    }

    @Flag(help: "Print a progress line on standard error every second.")
    var progress = false

    @Flag(help: "Print events and the summary as JSON lines.")
    var json = false

    @OptionGroup var udp: UDPOptions

    @OptionGroup var profile: ProfileOptions

    @Flag(help: "Decode ZeroMQ's framing (pgm://, epgm://): count and hash the messages inside the APDUs.")
    var zmq = false

    func validate() throws {
        guard count != nil || timeoutText != nil || sessions != nil else {
            throw ValidationError("give --count, --sessions or --timeout: pgm-recv needs to know when to stop")
        }
        if let c = count, c < 1 { throw ValidationError("--count must be at least 1; got \(c)") }
        if let s = sessions, s < 1 { throw ValidationError("--sessions must be at least 1; got \(s)") }
        do throws(OptionValueError) {
            _ = try timeout
            _ = try confirmInterval
        } catch {
            throw ValidationError(error.description)
        }
        if let j = joinMax, !(0...Int(Tunable.joinMax.range.upperBound)).contains(j) {
            throw ValidationError("--join-max must be 0-\(Tunable.joinMax.range.upperBound) sequence numbers; got \(j)")
        }
        guard (1...PGMSocket.maximumAPDU).contains(maxSize) else {
            throw ValidationError("--max-size must be 1-\(PGMSocket.maximumAPDU) bytes; got \(maxSize)")
        }
    }

    /// What one session delivered.
    struct Session {
        var source: PGMEndpoint
        var messages: UInt64 = 0
        var bytes: UInt64 = 0
        var truncated: UInt64 = 0
        var lost: UInt64 = 0
        var end: SessionEndReason?
        var hash = SHA256()
        var zmq = ZMQDecoder()
        var framingErrors: UInt64 = 0
    }

    func run() throws {
        let endpoint = target.endpoint
        let timeout = try self.timeout
        let interface = try target.pgmInterface()
        let chosen = try profile.selected
        let confirmInterval = try self.confirmInterval
        let receiver: PGMReceiver
        do {
            var options = ReceiverOptions()
            if let p = chosen { options.apply(profile: p) }
            options.udpEncapsulation = udp.encapsulation
            if let j = joinMax { options.joinMax = UInt32(j) }
            parityNAKs.apply(to: &options)
            if pgmcc { options.pgmcc = true }
            options.confirmInterval = confirmInterval
            receiver = try PGMReceiver(group: endpoint, interface: interface, options: options)
        } catch .system(.socketTypeNotSupported) {
            throw Failure(systemErrorMessage("socket(\(PGMSocket.Family(endpoint.address)), SOCK_RDM, IPPROTO_PGM)",
                                             errno: Errno.socketTypeNotSupported.rawValue, doing: .openingSocket))
        } catch .system(let e) {
            throw Failure(systemErrorMessage("receiving on \(endpoint)", errno: e.rawValue,
                                             doing: .receiving(group: endpoint.description, interface: interface?.description)))
        } catch {
            throw Failure("receiving on \(endpoint): \(error)")
        }
        if json {
            print(JSON.object([("event", .string("ready")), ("group", .string(endpoint.description))]).text)
        } else {
            print("pgm-recv: receiving on \(endpoint)")
        }
        flushOutput()

        var order: [TSI] = []
        var table: [TSI: Session] = [:]
        var total: UInt64 = 0
        var totalBytes: UInt64 = 0
        var ended = 0
        let t0 = now()
        var nextTick = t0 + 1
        var timedOut = false
        var heard = false  // any APDU, loss or session end
        while true {
            if let c = count, total >= UInt64(clamping: c) { break }
            if let s = sessions, ended >= s { break }
            let t = now()
            if let limit = timeout, t - t0 >= limit {
                timedOut = true
                break
            }
            if progress && t >= nextTick {
                let line = json
                    ? JSON.object([("event", .string("progress")), ("seconds", .double(t - t0)),
                                   ("messages", .uint(total)), ("bytes", .uint(totalBytes))]).text
                    : "progress \(fixed(t - t0, 1)) s: \(total) messages, \(totalBytes) bytes"
                printError(line)
                nextTick += 1
            }
            var wait = 3600.0
            if progress { wait = min(wait, max(0, nextTick - t)) }
            if let limit = timeout { wait = min(wait, max(0, t0 + limit - t)) }
            let event: Event?
            do {
                event = try receiver.nextEvent(maximumLength: maxSize, timeout: .milliseconds(Int64(wait * 1000)))
            } catch {
                throw Failure(systemErrorMessage("receive", errno: error.rawValue))
            }
            guard let event else { continue }
            heard = true
            switch event {
            case .message(let m):
                let id = m.transportSessionID
                if table[id] == nil {
                    order.append(id)
                    table[id] = Session(source: m.source)
                }
                if m.isTruncated { table[id]?.truncated += 1 }
                var bodies: [[UInt8]] = [m.bytes]
                if zmq, var s = table[id] {
                    do {
                        bodies = try s.zmq.feed(m.bytes).map(\.body)
                    } catch {
                        bodies = []
                        s.framingErrors += 1
                        s.zmq = ZMQDecoder()
                        printError("pgm-recv: \(id): bad ZeroMQ framing (\(error)); waiting for the next message start")
                    }
                    table[id] = s
                }
                for b in bodies {
                    table[id]?.messages += 1
                    table[id]?.bytes += UInt64(b.count)
                    table[id]?.hash.update(b)
                    total += 1
                    totalBytes += UInt64(b.count)
                }
            case .loss(let l):
                table[l.transportSessionID]?.lost += UInt64(l.count)
                if json {
                    print(JSON.object([
                        ("event", .string("loss")), ("tsi", .string(l.transportSessionID.description)),
                        ("first", .uint(UInt64(l.firstSequenceNumber.rawValue))), ("count", .uint(UInt64(l.count))),
                    ]).text)
                } else {
                    print("loss    \(l.transportSessionID) first sqn \(l.firstSequenceNumber), \(l.count) lost")
                }
                flushOutput()
            case .sessionEnded(let e):
                table[e.transportSessionID]?.end = e.reason
                ended += 1
                if json {
                    print(JSON.object([
                        ("event", .string("end")), ("tsi", .string(e.transportSessionID.description)),
                        ("reason", .string(e.reason.description)), ("last", .uint(UInt64(e.lastSequenceNumber.rawValue))),
                    ]).text)
                } else {
                    print("end     \(e.transportSessionID) \(e.reason), last sqn \(e.lastSequenceNumber)")
                }
                flushOutput()
            case .rateChanged:
                break  // a source's only
            }
        }
        let seconds = now() - t0
        let st = try receiver.statistics()
        try receiver.close()

        if json {
            let list: [JSON] = order.compactMap { id in
                table[id].map { s in
                    .object([
                        ("tsi", .string(id.description)), ("source", .string(s.source.description)),
                        ("messages", .uint(s.messages)), ("bytes", .uint(s.bytes)),
                        ("truncated", .uint(s.truncated)), ("lost", .uint(s.lost)),
                        ("framing_errors", .uint(s.framingErrors)),
                        ("end", s.end.map { .string($0.description) } ?? .null),
                        ("sha256", .string(s.hash.hexDigest())),
                    ])
                }
            }
            print(JSON.object([
                ("event", .string("summary")), ("messages", .uint(total)), ("bytes", .uint(totalBytes)),
                ("seconds", .double(seconds)), ("timed_out", .bool(timedOut)), ("sessions", .array(list)),
                ("statistics", PGMToolSupport.json(st)),
            ]).text)
        } else {
            print("pgm-recv: \(total) messages, \(totalBytes) bytes from \(order.count) session(s) in \(fixed(seconds, 2)) s"
                + (timedOut ? " (timeout)" : ""))
            for id in order {
                guard let s = table[id] else { continue }
                print("  session \(id) from \(s.source.host): \(s.messages) messages, \(s.bytes) bytes, "
                    + "\(s.lost) sqns lost, \(s.truncated) truncated, ended: \(s.end?.description ?? "no")"
                    + (zmq ? ", \(s.framingErrors) framing errors" : ""))
                print("    sha256 \(s.hash.hexDigest())")
            }
            print("  odata \(st.odataReceived)  rdata \(st.rdataReceived)  naks sent \(st.naksSent)  ncfs \(st.ncfsReceived)"
                + "  duplicates \(st.duplicates)  losses \(st.losses)  spms \(st.spmsReceived)")
            if confirmInterval != nil {
                print("  confirm ACKs sent \(st.confirmAcksSent)  not sent for want of NAK credit \(st.confirmAcksWithoutCredit)")
            }
        }
        flushOutput()
        if timedOut && !heard {
            let limit = timeout.map { $0 == $0.rounded() ? String(Int64($0)) : String($0) } ?? "?"
            printError("pgm-recv: nothing arrived on \(endpoint) within the \(limit) s timeout: no APDU, loss or session end")
            throw ExitCode(3)
        }
        if timedOut && (count != nil || sessions != nil) { throw ExitCode(2) }
    }
}

import ArgumentParser
import CPGM
import PGM
import PGMCLISupport
import PGMToolSupport
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// The receiving half: a PGM receiver and a UDP socket on the same group
/// and port (and with --openpgm, opgm-perf's OpenPGM receiver on the next
/// port), measuring every phase a sender runs, and the table.
struct Recv: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Receive a sweep from 'pgm-perf send' and print the table.",
        discussion: """
            Listens on the group and port with a PGM receiver and a UDP socket (for the \
            baseline) and, with --openpgm, an OpenPGM receiver (opgm-perf, libpgm in UDP \
            encapsulation on the next port), prints 'ready' on standard error, and measures each \
            phase the sender runs: messages delivered, throughput from the first message's send \
            stamp to the last arrival, one-way latency percentiles, receiver CPU per message, the \
            whole machine's CPU per message (user, system, irq and softirq time in /proc/stat \
            from a phase's first message to its end: all processes and the kernel's protocol \
            work; meaningful when nothing else runs), and from the \
            receiver's counters (PGM_RECEIVER_STATS) the NAKs sent, RDATA received and \
            sequence numbers lost; when FEC is in use (--parity-naks, or parity heard from a \
            sender's --fec), also the parity received, the groups rebuilt from it and the parity NAKs \
            sent. Stops when every phase has ended (exit 0) or at --timeout \
            (exit 2, with what it has).
            """
    )

    @OptionGroup var target: GroupOptions

    @Option(name: .customLong("timeout"), parsing: .unconditional, help: ArgumentHelp(
        "Give up after this long (0.1-86400 s): 30s, 5m; a bare number is seconds.", valueName: "time"))
    var timeoutText = "300s"

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "SO_RCVBUF of both sockets, in bytes (1024-1073741824; the kernel doubles it).", valueName: "bytes"))
    var receiveBuffer: Int32?

    @Option(help: ArgumentHelp(
        "How the PGM receiver reads: recvmsg (one call per APDU), recvmmsg (up to 64 per call, APDUs up to 64 KiB) or ring (the mmap ring, PGM_RX_RING, without a call or a copy per APDU).",
        valueName: "mode"))
    var recvMode: RecvMode = .recvmsg

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Bytes of the ring with --recv-mode ring: a power of two, 4096-67108864.", valueName: "bytes"))
    var ringSize = 4 << 20

    @Option(name: .customLong("ring-wake"), parsing: .unconditional, help: ArgumentHelp(
        "With --recv-mode ring: wake a waiting reader at most this long after a record arrives (PGM_RX_RING_WAKE, 0-100000 us: 50us, 1ms; a bare number is microseconds), one wake-up for the records of many packets; 0 wakes it for every packet.",
        valueName: "time"))
    var ringWakeText = "0"

    /// --ring-wake in microseconds; checked by validate().
    var ringWake: Int64 {
        get throws(OptionValueError) {
            try Quantity.whole(ringWakeText, option: "--ring-wake", unit: .microseconds,
                               range: 0...Int64(PGM_RING_WAKE_USECS_MAX))
        }
    }

    @Option(name: .customLong("ring-spin"), parsing: .unconditional, help: ArgumentHelp(
        "With --recv-mode ring: before sleeping in poll(), watch the ring for this long without a system call (busy-polling, 0-1000000 us: 50us, 1ms; a bare number is microseconds); a reader spinning when a record comes needs no wake-up. 0 sleeps at once.",
        valueName: "time"))
    var ringSpinText = "0"

    /// --ring-spin in microseconds; checked by validate().
    var ringSpin: Int64 {
        get throws(OptionValueError) {
            try Quantity.whole(ringSpinText, option: "--ring-spin", unit: .microseconds, range: 0...1_000_000)
        }
    }

    @Option(name: .customLong("hold"), parsing: .unconditional, help: ArgumentHelp(
        "Stop reading for this long at the first message of each phase (0-60 s; a bare number is seconds), so that the phase queues up in the kernel and is then read as fast as the receiver can: msgs/s measures the receiver from the end of the pause.",
        valueName: "time"))
    var holdText = "0s"

    /// --timeout and --hold in seconds; checked by validate().
    var timeout: Double {
        get throws(OptionValueError) { try Quantity.seconds(timeoutText, option: "--timeout", range: 0.1...86400) }
    }
    var hold: Double { get throws(OptionValueError) { try Quantity.seconds(holdText, option: "--hold", range: 0...60) } }
    /// --hold once validate() has checked it.
    var holdSeconds: Double { (try? hold) ?? 0 }

    @OptionGroup var profile: ProfileOptions

    @OptionGroup var parityNAKs: ParityNAKOptions

    @Flag(help: "Print the table as one JSON object.")
    var json = false

    @Flag(help: "Also receive a sender's --baseline openpgm phases, with opgm-perf (libpgm) on the next port after --port (IPv4 groups only).")
    var openpgm = false

    @Option(name: .customLong("openpgm-helper"), help: ArgumentHelp(
        "opgm-perf, OpenPGM's half of --openpgm (default: next to pgm-perf, else build/perf/opgm-perf of its source tree, else the PATH's).",
        valueName: "path"))
    var openPGMHelper: String?

    /// How APDUs are read.
    enum RecvMode: String, ExpressibleByArgument, CaseIterable {
        /// recvmsg(2), one APDU per call.
        case recvmsg
        /// recvmmsg(2), up to 64 APDUs per call.
        case recvmmsg
        /// The mmap receive ring.
        case ring
    }

    /// recvmmsg's batch and its buffer per APDU.
    static let batch = 64
    static let batchStride = 65536

    @Flag(help: "No progress lines on standard error.")
    var quiet = false

    func validate() throws {
        if openpgm && target.endpoint.isIPv6 { throw ValidationError(openPGMIPv4Only("--openpgm", target)) }
        do throws(OptionValueError) {
            _ = try timeout
            _ = try hold
            _ = try ringWake
            _ = try ringSpin
        } catch {
            throw ValidationError(error.description)
        }
        if ringWakeText != "0", (try? ringWake) != 0, recvMode != .ring {
            throw ValidationError("--ring-wake applies to --recv-mode ring only")
        }
        if (try? ringSpin) ?? 0 != 0, recvMode != .ring {
            throw ValidationError("--ring-spin applies to --recv-mode ring only")
        }
        if let b = receiveBuffer, !(1024...1 << 30).contains(b) {
            throw ValidationError("--receive-buffer must be 1024-1073741824 bytes; got \(b)")
        }
        guard ringSize >= Int(RingOptions.minimumSize), ringSize <= Int(RingOptions.maximumSize),
              ringSize & (ringSize - 1) == 0
        else {
            throw ValidationError("--ring-size must be a power of two, 4096-67108864; got \(ringSize)")
        }
    }

    /// One phase as the receiver saw it.
    struct Phase {
        var transport: PerfHeader.Transport
        var size: Int?
        var delivered: UInt64 = 0
        var bytes: UInt64 = 0
        var wrongSize: UInt64 = 0
        var outOfOrder: UInt64 = 0
        var skipped: UInt64 = 0
        var nextIndex: UInt64 = 0
        var latencies: [UInt64] = []
        var firstStamp: UInt64 = .max
        var lastArrival: UInt64 = 0
        var drainStart: UInt64?
        var cpuStart: UInt64?
        var cpuEnd: UInt64?
        /// The whole machine's busy CPU time (/proc/stat) at the phase's
        /// first message and at its end.
        var guestCPUStart: UInt64?
        var guestCPUEnd: UInt64?
        /// Latency percentiles reported by opgm-perf (OpenPGM phases).
        var reportedLatency: Percentiles?
        var statsStart: ReceiverStatistics?
        var statsEnd: ReceiverStatistics?
        var tsi: TSI?
        var end: PerfEndRecord?
        var closed = false
        var sessionEnd: SessionEndReason?

        init(transport: PerfHeader.Transport) { self.transport = transport }

        var seconds: Double? {
            let from = drainStart ?? firstStamp
            guard delivered > 0, lastArrival > from else { return nil }
            return Double(lastArrival - from) / 1e9
        }
        var messagesPerSecond: Double? { seconds.map { Double(delivered) / $0 } }
        var megabytesPerSecond: Double? { seconds.map { Double(bytes) / $0 / 1e6 } }
        var latency: Percentiles? { reportedLatency ?? Percentiles(latencies) }
        /// The machine's CPU time per delivered message, microseconds.
        var guestCPUPerMessage: Double? {
            guard let a = guestCPUStart, let b = guestCPUEnd, delivered > 0 else { return nil }
            return Double(b &- a) / Double(delivered) / 1000
        }
        var receiverCPUPerMessage: Double? {
            guard let a = cpuStart, let b = cpuEnd, delivered > 0 else { return nil }
            return Double(b &- a) / Double(delivered) / 1000
        }
        var senderCPUPerMessage: Double? {
            guard let e = end, e.sent > 0 else { return nil }
            return Double(e.cpuNanoseconds) / Double(e.sent) / 1000
        }
        var lostMessages: UInt64? { end.map { $0.sent > delivered ? $0.sent - delivered : 0 } }
        func counter(_ k: KeyPath<ReceiverStatistics, UInt64>) -> UInt64? {
            guard transport == .pgm, let a = statsStart, let b = statsEnd else { return nil }
            return b[keyPath: k] &- a[keyPath: k]
        }
        var complete: Bool { end.map { delivered == $0.sent && wrongSize == 0 && outOfOrder == 0 } ?? false }
        /// Mean repair time of the phase in microseconds (the kernel's
        /// repairs and repair_us_total): a gap found to its data filled.
        var repairMean: Double? {
            guard let n = counter(\.repairs), n > 0, let us = counter(\.repairMicrosecondsTotal) else { return nil }
            return Double(us) / Double(n)
        }
    }

    /// Everything heard so far.
    struct State {
        var phases: [UInt8: Phase] = [:]
        var phaseCount: UInt8?
        var foreign: UInt64 = 0
        var lossRecords: UInt64 = 0
        var pgmStatsMark: ReceiverStatistics?
        var current: UInt8?

        var done: Bool {
            guard let n = phaseCount else { return false }
            return (0..<n).allSatisfy { phases[$0]?.closed == true }
        }
    }

    func run() throws {
        let group = target.endpoint
        let interface = try target.pgmInterface()
        var options = ReceiverOptions()
        if let p = try profile.selected { options.apply(profile: p) }
        options.receiveBufferSize = receiveBuffer
        parityNAKs.apply(to: &options)
        if recvMode == .ring {
            options.ring = RingOptions(size: UInt32(clamping: ringSize),
                                       wakeUpDelay: .microseconds((try? ringWake) ?? 0),
                                       spin: .microseconds((try? ringSpin) ?? 0))
        }
        let receiver: PGMReceiver
        do {
            receiver = try PGMReceiver(group: group, interface: interface, options: options)
        } catch {
            throw PerfError.setup("PGM receiver on \(group)", error, family: .init(group.address),
                                  doing: .receiving(group: group.description, interface: interface?.description))
        }
        let udp: UDPMulticast
        do {
            udp = try UDPMulticast.receiver(group: group, interface: interface, receiveBuffer: receiveBuffer)
        } catch {
            throw PerfError.failed("UDP receiver on \(group)", error,
                                   .receiving(group: group.description, interface: interface?.description))
        }
        defer { udp.close() }
        let pgmBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: PGMSocket.maximumAPDU, alignment: 8)
        defer { pgmBuffer.deallocate() }
        let udpBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 8)
        defer { udpBuffer.deallocate() }
        let batch = recvMode == .recvmmsg ? MmsgBatch() : nil
        defer { batch?.deallocate() }

        var state = State()
        do { state.pgmStatsMark = try receiver.statistics() } catch {
            throw PerfError.failed("PGM_RECEIVER_STATS", error)
        }
        var helper: OpenPGMHelper?
        if openpgm {
            let path = openPGMHelperPath(openPGMHelper)
            var args = ["recv", group.address.description, String(group.port), interface?.description ?? "",
                        String(openPGMUDPPort(group.port)), "--timeout", String(try timeout + 5)]
            if let b = receiveBuffer { args += ["--rcvbuf", String(b)] }
            do { helper = try OpenPGMHelper.spawn(path, args) } catch {
                throw PerfError.failed("starting \(path)", error)
            }
            // Its first line once its socket is up.
            let first: String?
            do { first = try helper?.readLine(wait: true) } catch {
                throw PerfError.failed("reading \(path)'s output", error)
            }
            guard first == "ready" else {
                let status = helper?.wait() ?? 0
                throw PerfError.helperFailed(path, status)
            }
        }
        defer {
            helper?.terminate()
            helper?.wait()
        }
        printError("pgm-perf recv: ready on \(group) (PGM and UDP\(openpgm ? ", OpenPGM on port \(openPGMUDPPort(group.port))" : ""))")

        let t0 = monotonicNanoseconds()
        let deadline = t0 &+ UInt64((try timeout) * 1e9)
        var nextTick = t0 &+ 1_000_000_000
        var timedOut = false
        let spin = Duration.microseconds(recvMode == .ring ? (try? ringSpin) ?? 0 : 0)
        while !state.done {
            let now = monotonicNanoseconds()
            if now >= deadline {
                timedOut = true
                break
            }
            if now >= nextTick {
                if !quiet { printError(progressLine(state, seconds: Double(now - t0) / 1e9)) }
                while nextTick <= now { nextTick &+= 1_000_000_000 }
            }
            let wait = min(deadline - now, nextTick > now ? nextTick - now : 0, 1_000_000_000)
            // --ring-spin: records that come while we watch need no poll().
            if spin > .zero, receiver.spinForRecords(upTo: min(spin, .nanoseconds(Int64(clamping: wait)))) {
                try drainRing(receiver, &state)
                continue
            }
            var fds = [
                pollfd(fd: receiver.socket.fileDescriptor.rawValue, events: Int16(POLLIN | POLLERR), revents: 0),
                pollfd(fd: udp.fd, events: Int16(POLLIN), revents: 0),
            ]
            if let helper, !helper.atEnd { fds.append(pollfd(fd: helper.output, events: Int16(POLLIN), revents: 0)) }
            let rc = fds.withUnsafeMutableBufferPointer { b in
                Glibc.poll(b.baseAddress, nfds_t(b.count), Int32((wait + 999_999) / 1_000_000))
            }
            if rc < 0 && errno != EINTR { throw PerfError.failed("poll", Errno(rawValue: errno)) }
            // Only what poll() says is ready (all after EINTR): a phase of
            // one protocol costs no empty read of the others' sockets, and
            // the PGM error queue is read only when it holds something.
            let all = rc < 0
            if all || fds[0].revents != 0 {
                let errors = all || fds[0].revents & Int16(POLLERR) != 0
                switch recvMode {
                case .recvmsg: try drainPGM(receiver, into: pgmBuffer, errors: errors, &state)
                case .recvmmsg: if let batch { try drainPGMBatched(receiver, batch, errors: errors, &state) }
                case .ring: try drainRing(receiver, &state)
                }
            }
            if all || fds[1].revents != 0 { try drainUDP(udp, into: udpBuffer, &state) }
            if let helper, all || helper.atEnd || (fds.count > 2 && fds[2].revents != 0) { try drainOpenPGM(helper, &state) }
        }
        let ringCounters = receiver.usesRing ? try? receiver.ringStatistics() : nil
        do { try receiver.close() } catch { throw PerfError.failed("closing the PGM receiver", error) }
        report(state, group: group, timedOut: timedOut, ring: ringCounters)
        if timedOut { throw ExitCode(2) }
    }

    func progressLine(_ s: State, seconds: Double) -> String {
        var line = "pgm-perf recv: \(fixed(seconds, 1)) s"
        if let c = s.current, let p = s.phases[c] {
            line += ": phase \(c + 1)/\(s.phaseCount ?? 0) \(p.transport) \(p.size.map { "\($0) B" } ?? "")"
                + ": \(p.delivered) delivered"
        } else {
            line += ": waiting for the sender"
        }
        return line
    }

    /// Reads every APDU and error-queue record waiting on the PGM socket.
    func drainPGM(_ r: borrowing PGMReceiver, into buffer: UnsafeMutableRawBufferPointer, errors: Bool,
                  _ state: inout State) throws(PerfError) {
        var resets = 0
        var reset = false  // a loss: its record is on the error queue
        while true {
            do {
                let got = try r.socket.receive(into: buffer, mode: .nonBlocking)
                let t = monotonicNanoseconds()
                resets = 0
                handle(UnsafeRawBufferPointer(rebasing: buffer[..<got.count]), length: got.length, at: t,
                       transport: .pgm, tsi: got.transportSessionID, statistics: { try? r.statistics() }, &state)
            } catch .resourceTemporarilyUnavailable {
                break
            } catch .connectionReset {
                // A loss: its record waits on the error queue.
                resets += 1
                reset = true
                if resets > 1 { break }
                continue
            } catch {
                throw .failed("PGM receive", error)
            }
        }
        if errors || reset { try drainErrorQueue(r, &state) }
    }

    /// Loss and session-end records from the error queue.
    func drainErrorQueue(_ r: borrowing PGMReceiver, _ state: inout State) throws(PerfError) {
        while true {
            let e: Event?
            do { e = try r.socket.readErrorQueue() } catch { throw .failed("PGM error queue", error) }
            guard let e else { break }
            switch e {
            case .loss:
                state.lossRecords += 1
            case .sessionEnded(let end):
                sessionEnded(end, statistics: { try? r.statistics() }, &state)
            case .message, .rateChanged:
                break
            }
        }
    }

    /// A session that ended before its end record: the phase is over.
    func sessionEnded(_ end: SessionEnd, statistics: () -> ReceiverStatistics?, _ state: inout State) {
        for (k, p) in state.phases where p.tsi == end.transportSessionID && !p.closed {
            state.phases[k]?.sessionEnd = end.reason
            state.phases[k]?.closed = true
            state.phases[k]?.cpuEnd = processCPUNanoseconds()
            state.phases[k]?.guestCPUEnd = systemCPUNanoseconds()
            state.phases[k]?.statsEnd = statistics()
        }
    }

    /// recvmmsg's buffers: 64 APDUs of up to 64 KiB, their names and lengths.
    /// A name is a `struct sockaddr_pgm6`, which holds either family's
    /// (`struct sockaddr_pgm` on an IPv4 socket); its `sa_family` says which.
    final class MmsgBatch {
        let buffers = UnsafeMutableRawBufferPointer.allocate(byteCount: Recv.batch * Recv.batchStride, alignment: 8)
        var lengths = [UInt32](repeating: 0, count: Recv.batch)
        var names = [sockaddr_pgm6](repeating: sockaddr_pgm6(), count: Recv.batch)
        var nameLengths = [UInt32](repeating: 0, count: Recv.batch)
        var flags = [Int32](repeating: 0, count: Recv.batch)

        /// The TSI in the `i`th name; nil when the kernel gave none (a name
        /// shorter than its family's `sockaddr_pgm`).
        func transportSessionID(_ i: Int) -> TSI? { Recv.transportSessionID(names[i], length: Int(nameLengths[i])) }

        func deallocate() { buffers.deallocate() }
    }

    /// Reads the PGM socket with recvmmsg(2), 64 APDUs at a time.
    func drainPGMBatched(_ r: borrowing PGMReceiver, _ b: MmsgBatch, errors: Bool,
                         _ state: inout State) throws(PerfError) {
        let fd = r.socket.fileDescriptor.rawValue
        var resets = 0
        var reset = false  // a loss: its record is on the error queue
        while true {
            let got = b.lengths.withUnsafeMutableBufferPointer { lens in
                b.names.withUnsafeMutableBufferPointer { names in
                    b.nameLengths.withUnsafeMutableBufferPointer { nameLens in
                        b.flags.withUnsafeMutableBufferPointer { flags in
                            cpgm_recvmmsg(fd, b.buffers.baseAddress, Recv.batchStride, lens.baseAddress,
                                          names.baseAddress, MemoryLayout<sockaddr_pgm6>.size, nameLens.baseAddress,
                                          flags.baseAddress, UInt32(Recv.batch), Int32(MSG_DONTWAIT))
                        }
                    }
                }
            }
            if got < 0 {
                let e = Errno(rawValue: errno)
                if e == .resourceTemporarilyUnavailable { break }
                if e == .connectionReset {
                    resets += 1
                    reset = true
                    if resets > 1 { break }
                    continue
                }
                throw .failed("PGM recvmmsg", e)
            }
            resets = 0
            for i in 0..<Int(got) {
                // Stamped one by one, as recvmsg's are: the same cost in every mode.
                let t = monotonicNanoseconds()
                let n = Int(b.lengths[i])
                let start = i * Recv.batchStride
                handle(UnsafeRawBufferPointer(rebasing: b.buffers[start..<(start + min(n, Recv.batchStride))]),
                       length: n, at: t, transport: .pgm, tsi: b.transportSessionID(i),
                       statistics: { try? r.statistics() }, &state)
            }
        }
        if errors || reset { try drainErrorQueue(r, &state) }
    }

    /// The TSI of a received APDU's name: a `struct sockaddr_pgm6` on an
    /// IPv6 socket, a `struct sockaddr_pgm` on an IPv4 one (`sa_family`
    /// says which); nil when the name is too short to hold one.
    static func transportSessionID(_ name: sockaddr_pgm6, length: Int) -> TSI? {
        if name.sin6.sin6_family == sa_family_t(AF_INET6) {
            return length >= MemoryLayout<sockaddr_pgm6>.size ? TSI(name.tsi) : nil
        }
        let v4 = withUnsafeBytes(of: name) { $0.loadUnaligned(as: sockaddr_pgm.self) }
        return length >= MemoryLayout<sockaddr_pgm>.size ? TSI(v4.tsi) : nil
    }

    /// Reads the mmap ring: every record there, lent without a copy, given
    /// back in one release.
    func drainRing(_ r: borrowing PGMReceiver, _ state: inout State) throws(PerfError) {
        while true {
            let n: Int
            do {
                n = try r.consumeAvailable(limit: 4096) { v in
                    switch v {
                    case .message(let m):
                        let t = monotonicNanoseconds()
                        handle(m.bytes, length: m.bytes.count, at: t, transport: .pgm, tsi: m.transportSessionID,
                               statistics: { try? r.statistics() }, &state)
                    case .loss:
                        state.lossRecords += 1
                    case .sessionEnded(let end):
                        sessionEnded(end, statistics: { try? r.statistics() }, &state)
                    case .rateChanged:
                        break  // a source's only
                    }
                }
            } catch {
                throw .failed("PGM ring", error)
            }
            if n == 0 { break }
        }
    }

    /// Reads every datagram waiting on the UDP socket.
    func drainUDP(_ u: UDPMulticast, into buffer: UnsafeMutableRawBufferPointer, _ state: inout State) throws(PerfError) {
        while true {
            let n: Int?
            do { n = try u.receive(into: buffer) } catch { throw .failed("UDP receive", error) }
            guard let n else { return }
            let t = monotonicNanoseconds()
            handle(UnsafeRawBufferPointer(rebasing: buffer[..<min(n, buffer.count)]), length: n, at: t,
                   transport: .udp, tsi: nil, statistics: { nil }, &state)
        }
    }

    /// UDP phases before `phase` whose end records were all lost: over.
    func closeUDPPhases(before phase: UInt8, cpu: UInt64?, guestCPU: UInt64?, _ state: inout State) {
        for (k, q) in state.phases where k < phase && q.transport == .udp && !q.closed {
            state.phases[k]?.closed = true
            state.phases[k]?.cpuEnd = cpu
            state.phases[k]?.guestCPUEnd = guestCPU
        }
    }

    /// Reads opgm-perf's lines: each is an OpenPGM phase, over.
    func drainOpenPGM(_ helper: OpenPGMHelper, _ state: inout State) throws(PerfError) {
        while true {
            let line: String?
            do { line = try helper.readLine(wait: false) } catch { throw .failed("reading opgm-perf's output", error) }
            guard let line else { return }
            guard let d = openPGMPhaseLine(line), let k = d["phase"].flatMap({ UInt8(exactly: $0) }) else { continue }
            func v(_ name: String) -> UInt64 { d[name] ?? 0 }
            var p = Phase(transport: .openpgm)
            p.size = Int(clamping: v("size"))
            p.delivered = v("delivered")
            p.bytes = v("bytes")
            p.firstStamp = v("delivered") > 0 ? v("first_stamp") : .max
            p.lastArrival = v("last_arrival")
            if p.delivered > 0 { p.reportedLatency = Percentiles(p50: v("p50"), p99: v("p99"), max: v("max")) }
            p.cpuStart = 0
            p.cpuEnd = v("cpu_ns")
            if let g = d["guest_cpu_ns"] {
                p.guestCPUStart = 0
                p.guestCPUEnd = g
            }
            // No "sent": the phase ended without its end record (libpgm gave it up), sent unknown.
            p.end = d["sent"].map {
                PerfEndRecord(sent: $0, messageSize: v("size"), sendNanoseconds: 0,
                              cpuNanoseconds: v("sender_cpu_ns"), naksReceived: 0, rdataSent: 0)
            }
            p.closed = true
            closeUDPPhases(before: k, cpu: processCPUNanoseconds(), guestCPU: systemCPUNanoseconds(), &state)
            state.phases[k] = p
            state.current = k
        }
    }

    /// Accounts one message to its phase.
    func handle(_ bytes: UnsafeRawBufferPointer, length: Int, at t: UInt64, transport: PerfHeader.Transport,
                tsi: TSI?, statistics: () -> ReceiverStatistics?, _ state: inout State) {
        guard let h = PerfHeader(decoding: bytes), h.transport == transport,
            state.phaseCount == nil || state.phaseCount == h.phases
        else {
            state.foreign += 1
            return
        }
        state.phaseCount = h.phases
        // Taken out of the dictionary while it changes: a copy left there
        // would make every append copy the latency array (quadratic).
        var p = state.phases.removeValue(forKey: h.phase) ?? Phase(transport: transport)
        defer { state.phases[h.phase] = p }
        guard !p.closed else { return }  // a repeated UDP end record, or late stragglers
        if p.cpuStart == nil {
            p.cpuStart = processCPUNanoseconds()
            p.guestCPUStart = systemCPUNanoseconds()
            p.tsi = tsi
            if transport == .pgm { p.statsStart = state.pgmStatsMark }
            // A UDP phase whose end records were all lost ends when a later phase starts.
            closeUDPPhases(before: h.phase, cpu: p.cpuStart, guestCPU: p.guestCPUStart, &state)
            state.current = h.phase
            if holdSeconds > 0 && h.kind == .data {
                // Let the phase queue up, then measure how fast it drains.
                sleep(seconds: holdSeconds)
                p.drainStart = monotonicNanoseconds()
            }
        }
        switch h.kind {
        case .data:
            if p.size == nil { p.size = length }
            if p.size != length { p.wrongSize += 1 }
            p.delivered += 1
            p.bytes += UInt64(length)
            p.latencies.append(t > h.stamp ? t - h.stamp : 0)
            p.firstStamp = min(p.firstStamp, h.stamp)
            p.lastArrival = max(p.lastArrival, t)
            if h.index < p.nextIndex {
                p.outOfOrder += 1
            } else {
                p.skipped += h.index - p.nextIndex
                p.nextIndex = h.index + 1
            }
        case .end:
            guard let e = PerfEndRecord(decoding: bytes) else {
                state.foreign += 1
                return
            }
            p.end = e
            if p.size == nil { p.size = Int(clamping: e.messageSize) }
            p.closed = true
            p.cpuEnd = processCPUNanoseconds()
            p.guestCPUEnd = systemCPUNanoseconds()
            if transport == .pgm {
                let st = statistics()
                p.statsEnd = st
                if let st { state.pgmStatsMark = st }
            }
        }
    }

    /// One size's phases: PGM and its baselines.
    struct Row {
        var pgm: Phase?
        var udp: Phase?
        var openpgm: Phase?

        var size: Int? { pgm?.size ?? udp?.size ?? openpgm?.size }
        var phases: [Phase] { [pgm, udp, openpgm].compactMap { $0 } }
        func baseline(_ t: PerfHeader.Transport) -> Phase? { t == .udp ? udp : t == .openpgm ? openpgm : nil }
    }

    /// Prints the table or the JSON object.
    func report(_ state: State, group: PGMEndpoint, timedOut: Bool, ring: RingStatistics?) {
        let order = state.phases.keys.sorted()
        // Each PGM phase with the baseline phases after it (the same size).
        var rows: [Row] = []
        for k in order {
            guard let p = state.phases[k] else { continue }
            if p.transport != .pgm, let last = rows.last, last.baseline(p.transport) == nil, last.pgm != nil,
               last.size == p.size {
                if p.transport == .udp { rows[rows.count - 1].udp = p } else { rows[rows.count - 1].openpgm = p }
            } else {
                switch p.transport {
                case .pgm: rows.append(Row(pgm: p))
                case .udp: rows.append(Row(udp: p))
                case .openpgm: rows.append(Row(openpgm: p))
                }
            }
        }
        // The sweep ended and PGM delivered all it sent, in order (UDP may lose; that is measured).
        let complete = !timedOut && state.done
            && state.phases.values.allSatisfy { $0.transport != .pgm || $0.complete }
        func lat(_ p: Phase?, _ k: KeyPath<Percentiles, UInt64>) -> Double? { p?.latency.map { Double($0[keyPath: k]) } }
        // FEC's counters, when it was in use: asked for (--parity-naks) or parity heard.
        let fecCounters: [(String, String, KeyPath<ReceiverStatistics, UInt64>)] = [
            ("parity_received", "parity", \.parityReceived), ("groups_rebuilt", "rebuilt", \.groupsRebuilt),
            ("parity_naks_sent", "pnaks", \.parityNaksSent),
        ]
        let fec = parityNAKs.on || state.phases.values.contains { p in fecCounters.contains { (p.counter($0.2) ?? 0) > 0 } }
        let fecHeader = fec ? fecCounters.map { $0.1.rightAligned(8) }.joined() : ""
        func fecCells(_ p: Phase) -> String {
            guard fec else { return "" }
            return fecCounters.map { c -> String in
                let v: String = p.transport == .pgm ? p.counter(c.2).map { String($0) } ?? "-" : "-"
                return v.rightAligned(8)
            }.joined()
        }
        if json {
            func side(_ p: Phase) -> JSON {
                var o: [(String, JSON)] = [
                    ("sent", p.end.map { .uint($0.sent) } ?? .null), ("delivered", .uint(p.delivered)),
                    ("lost_messages", p.lostMessages.map { .uint($0) } ?? .null),
                    ("out_of_order", .uint(p.outOfOrder)), ("wrong_size", .uint(p.wrongSize)),
                    ("complete", .bool(p.complete)),
                    ("seconds", jnum(p.seconds)), ("msgs_per_s", jnum(p.messagesPerSecond)),
                    ("mb_per_s", jnum(p.megabytesPerSecond)),
                    ("latency_us", p.latency.map { l in
                        .object([("p50", .double(Double(l.p50) / 1000)), ("p99", .double(Double(l.p99) / 1000)),
                                 ("max", .double(Double(l.max) / 1000))])
                    } ?? .null),
                    ("cpu_us_per_msg", .object([("receiver", jnum(p.receiverCPUPerMessage)),
                                                ("sender", jnum(p.senderCPUPerMessage)),
                                                ("guest", jnum(p.guestCPUPerMessage))])),
                ]
                if p.transport == .pgm {
                    o.append(("tsi", p.tsi.map { .string($0.description) } ?? .null))
                    o.append(("naks_sent", p.counter(\.naksSent).map { .uint($0) } ?? .null))
                    o.append(("rdata_received", p.counter(\.rdataReceived).map { .uint($0) } ?? .null))
                    o.append(("lost_sqns", p.counter(\.losses).map { .uint($0) } ?? .null))
                    o.append(("duplicates", p.counter(\.duplicates).map { .uint($0) } ?? .null))
                    o.append(("repairs", p.counter(\.repairs).map { .uint($0) } ?? .null))
                    o.append(("repair_us_mean", jnum(p.repairMean)))
                    o.append(("repair_us_max_so_far", p.statsEnd.map { .uint($0.repairMicrosecondsMax) } ?? .null))
                    o.append(("sender_naks_received", p.end.map { .uint($0.naksReceived) } ?? .null))
                    o.append(("sender_rdata_sent", p.end.map { .uint($0.rdataSent) } ?? .null))
                    o.append(("session_end", p.sessionEnd.map { .string($0.description) } ?? .null))
                    if fec { for (name, _, k) in fecCounters { o.append((name, p.counter(k).map { .uint($0) } ?? .null)) } }
                }
                return .object(o)
            }
            func ratios(_ p: Phase, _ u: Phase) -> JSON {
                .object([
                    ("msgs_per_s", jnum(ratio(p.messagesPerSecond, u.messagesPerSecond))),
                    ("mb_per_s", jnum(ratio(p.megabytesPerSecond, u.megabytesPerSecond))),
                    ("latency_p50", jnum(ratio(lat(p, \.p50), lat(u, \.p50)))),
                    ("latency_p99", jnum(ratio(lat(p, \.p99), lat(u, \.p99)))),
                    ("receiver_cpu_per_msg", jnum(ratio(p.receiverCPUPerMessage, u.receiverCPUPerMessage))),
                    ("sender_cpu_per_msg", jnum(ratio(p.senderCPUPerMessage, u.senderCPUPerMessage))),
                    ("guest_cpu_per_msg", jnum(ratio(p.guestCPUPerMessage, u.guestCPUPerMessage))),
                ])
            }
            let list: [JSON] = rows.map { r in
                var o: [(String, JSON)] = [
                    ("size", r.size.map { .int(Int64($0)) } ?? .null),
                    ("pgm", r.pgm.map(side) ?? .null), ("udp", r.udp.map(side) ?? .null),
                ]
                if openpgm || r.openpgm != nil { o.append(("openpgm", r.openpgm.map(side) ?? .null)) }
                if let p = r.pgm, let u = r.udp { o.append(("ratio", ratios(p, u))) }
                if let p = r.pgm, let q = r.openpgm { o.append(("ratio_openpgm", ratios(p, q))) }
                return .object(o)
            }
            var top: [(String, JSON)] = [
                ("role", .string("recv")), ("group", .string(group.description)),
                ("recv_mode", .string(recvMode.rawValue)),
            ]
            if fec { top.append(("parity_naks", .bool(parityNAKs.on))) }
            top += [
                ("phases", state.phaseCount.map { .uint(UInt64($0)) } ?? .null),
                ("phases_heard", .uint(UInt64(state.phases.count))), ("timed_out", .bool(timedOut)),
                ("complete", .bool(complete)), ("foreign_messages", .uint(state.foreign)),
                ("loss_records", .uint(state.lossRecords)), ("results", .array(list)),
            ]
            if let ring {
                // The whole run's: how many batches of records woke the reader.
                top.append(("ring", .object([
                    ("records", .uint(ring.records)), ("wakeups", .uint(ring.wakeups)),
                    ("unwoken", .uint(ring.unwoken)), ("full", .uint(ring.full)),
                ])))
            }
            print(JSON.object(top).text)
            return
        }
        print("pgm-perf recv: \(state.phases.count) of \(state.phaseCount.map(String.init) ?? "?") phases from \(group)"
            + " (PGM read with \(recvMode.rawValue))" + (timedOut ? " (timeout)" : ""))
        print("size".rightAligned(7) + "  proto  " + "delivered/sent".rightAligned(16) + "msgs/s".rightAligned(11)
            + "MB/s".rightAligned(9)
            + "p50 us".rightAligned(9) + "p99 us".rightAligned(9) + "max us".rightAligned(9) + "cpu rx/tx us/msg".rightAligned(18)
            + "guest us/msg".rightAligned(13)
            + "naks".rightAligned(7) + "rdata".rightAligned(7) + "lost".rightAligned(6) + "repair ms".rightAligned(10)
            + fecHeader)
        for r in rows {
            for p in r.phases {
                let l = p.latency
                let pgm = p.transport == .pgm
                let lost = pgm ? p.counter(\.losses).map(String.init) ?? "-" : p.lostMessages.map(String.init) ?? "-"
                print((p.size.map(String.init) ?? "?").rightAligned(7) + "  " + p.transport.description.leftAligned(7)
                    + "\(p.delivered)/\(p.end.map { String($0.sent) } ?? "?")".rightAligned(16)
                    + cell(p.messagesPerSecond, 0).rightAligned(11) + cell(p.megabytesPerSecond, 3).rightAligned(9)
                    + cell(l.map { Double($0.p50) / 1000 }, 0).rightAligned(9) + cell(l.map { Double($0.p99) / 1000 }, 0).rightAligned(9)
                    + cell(l.map { Double($0.max) / 1000 }, 0).rightAligned(9)
                    + (cell(p.receiverCPUPerMessage, 1) + "/" + cell(p.senderCPUPerMessage, 1)).rightAligned(18)
                    + cell(p.guestCPUPerMessage, 1).rightAligned(13)
                    + (pgm ? p.counter(\.naksSent).map(String.init) ?? "-" : "-").rightAligned(7)
                    + (pgm ? p.counter(\.rdataReceived).map(String.init) ?? "-" : "-").rightAligned(7)
                    + lost.rightAligned(6)
                    + (pgm ? cell(p.repairMean.map { $0 / 1000 }, 1) : "-").rightAligned(10)
                    + fecCells(p))
            }
        }
        print("  (lost: PGM sequence numbers declared unrecoverable; UDP and OpenPGM messages sent but not delivered;")
        print("   guest: the whole machine's user+system+irq+softirq CPU (/proc/stat) over the phase, per message;")
        print("   repair ms: mean time from a gap found to its data, the kernel's repairs and repair_us_total" + (fec ? ";" : ")"))
        if fec { print("   FEC: parity packets received, transmission groups rebuilt from parity, parity NAKs sent)") }
        for (t, name) in [(PerfHeader.Transport.udp, "PGM/UDP"), (.openpgm, "PGM/OpenPGM")]
        where rows.contains(where: { $0.pgm != nil && $0.baseline(t) != nil }) {
            print("\(name) ratios (throughput >1: PGM faster; latency and CPU >1: PGM costlier)")
            print("size".rightAligned(7) + "msgs/s".rightAligned(9) + "MB/s".rightAligned(9) + "p50".rightAligned(9)
                + "p99".rightAligned(9) + "cpu rx".rightAligned(9) + "cpu tx".rightAligned(9) + "guest".rightAligned(9))
            for r in rows {
                guard let p = r.pgm, let u = r.baseline(t) else { continue }
                print((p.size.map(String.init) ?? "?").rightAligned(7)
                    + cell(ratio(p.messagesPerSecond, u.messagesPerSecond), 2).rightAligned(9)
                    + cell(ratio(p.megabytesPerSecond, u.megabytesPerSecond), 2).rightAligned(9)
                    + cell(ratio(lat(p, \.p50), lat(u, \.p50)), 2).rightAligned(9)
                    + cell(ratio(lat(p, \.p99), lat(u, \.p99)), 2).rightAligned(9)
                    + cell(ratio(p.receiverCPUPerMessage, u.receiverCPUPerMessage), 2).rightAligned(9)
                    + cell(ratio(p.senderCPUPerMessage, u.senderCPUPerMessage), 2).rightAligned(9)
                    + cell(ratio(p.guestCPUPerMessage, u.guestCPUPerMessage), 2).rightAligned(9))
            }
        }
    }
}

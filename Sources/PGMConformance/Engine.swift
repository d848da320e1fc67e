import PGMFEC
import PGMModel
import PGMWire

/// The addresses of a conformance run: the IUT, simulated peers and the group.
/// The kernel backend builds exactly this network in the VM (two namespaces
/// and a veth pair); the model backend uses the same numbers.
public struct Network: Sendable {
    public var iut = IPv4Address(10, 77, 0, 1)
    public var group = IPv4Address(239, 77, 0, 1)
    /// The data-destination port of this scenario.
    public var port: UInt16

    public init(port: UInt16) { self.port = port }

    /// Simulated peer `n` (1-based): 10.77.0.(n+1).
    public func peer(_ n: Int) -> IPv4Address { IPv4Address(10, 77, 0, UInt8(truncatingIfNeeded: 1 + n)) }
    /// The TSI of simulated source `n`.
    public func peerTSI(_ n: Int) -> TSI {
        TSI(gsi: GSI(0x50, 0x47, 0x4D, 0x43, 0x00, UInt8(truncatingIfNeeded: n)),
               sourcePort: 4000 &+ UInt16(truncatingIfNeeded: n))
    }
    /// How many simulated peers a run provides.
    public static let peers = 3
}

/// A packet seen on the wire, sent by the IUT.
public struct Seen: Sendable {
    /// Microseconds since the scenario started.
    public var time: Int64
    public var packet: PGMPacket
    /// Sent to the group rather than unicast.
    public var multicast: Bool
    /// The unicast address it went to (nil: the group).
    public var destination: IPv4Address?

    public init(time: Int64, packet: PGMPacket, multicast: Bool, destination: IPv4Address? = nil) {
        self.time = time
        self.packet = packet
        self.multicast = multicast
        self.destination = destination
    }
}

/// What the IUT's application was given.
public enum AppEvent: Sendable, CustomStringConvertible {
    /// An APDU; `sequence` when the backend knows it.
    case deliver(tsi: TSI, sequence: UInt32?, bytes: [UInt8])
    case loss(tsi: TSI, first: UInt32, count: UInt32)
    case end(tsi: TSI, reason: SessionEndReason)

    public var description: String {
        switch self {
        case .deliver(_, let s, let b): "deliver \(s.map { "sqn=\($0) " } ?? "")len=\(b.count)"
        case .loss(_, let f, let c): "loss first=\(f) count=\(c)"
        case .end(_, let r): "end \(r.rawValue)"
        }
    }
}

/// A confirming source's CONFIRMED as its application reads it
/// (docs/confirmed-delivery.md S7): absolute, nil while it has no receivers.
public struct ConfirmedView: Sendable, Equatable, CustomStringConvertible {
    public var sequence: UInt32?
    public var receivers: Int
    /// Receivers refused at the maximum since the start.
    public var refused: Int

    public init(sequence: UInt32?, receivers: Int, refused: Int) {
        self.sequence = sequence
        self.receivers = receivers
        self.refused = refused
    }

    public var description: String {
        "confirmed \(sequence.map(String.init) ?? "none") receivers=\(receivers) refused=\(refused)"
    }
}

/// What a backend reports.
public enum Observation: Sendable {
    case packet(Seen)
    case event(time: Int64, AppEvent)
}

/// How far a backend's timing may stray from a scenario's windows.
public struct Tolerance: Sendable {
    /// A packet may come this much before an `after` bound.
    public var early: Int64
    /// A packet or event may come this much after a `within` bound, plus
    /// `lateFraction` of the window.
    public var late: Int64
    public var lateFraction: Double

    public static let exact = Tolerance(early: 0, late: 0, lateFraction: 0)

    public init(early: Int64, late: Int64, lateFraction: Double) {
        self.early = early
        self.late = late
        self.lateFraction = lateFraction
    }

    func upper(_ within: Int64) -> Int64 { within + late + Int64(Double(within) * lateFraction) }
}

/// Why a backend could not do what a step asked.
public struct BackendError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// An implementation under test: the model, or pgm.ko in the VM.
public protocol ConformanceBackend: AnyObject {
    /// "model", "kernel-6.1", ...
    var name: String { get }
    var tolerance: Tolerance { get }
    /// Microseconds since `start`.
    var now: Int64 { get }
    /// Creates the IUT in the scenario's role with its options.
    func start(_ scenario: Scenario, network: Network) throws(BackendError)
    /// The IUT source's TSI, after `start`.
    var sourceTSI: TSI? { get }
    /// The application sends an APDU (source role).
    func send(_ apdu: [UInt8]) throws(BackendError)
    /// The application closes the socket.
    func close(reset: Bool) throws(BackendError)
    /// Simulated peer `peer` sends `bytes` (a PGM packet, possibly damaged)
    /// to the group or to the IUT.
    func inject(_ bytes: [UInt8], from peer: Int, multicast: Bool) throws(BackendError)
    /// Runs until the IUT does something or `deadline`; returns what it did.
    func poll(until deadline: Int64) throws(BackendError) -> [Observation]
    /// Ends the scenario: the IUT is closed and forgotten.
    func stop()
    /// Why the IUT cannot run `scenario` at all (a capability it does not
    /// have yet, such as PGMCC), or nil. Such a scenario is not run: its
    /// result is "not supported", counted apart from passes and failures.
    func unsupported(_ scenario: Scenario) -> String?
    /// A confirming source IUT's CONFIRMED and receivers now (`expect
    /// confirmed`). A backend whose `poll` can return before its deadline
    /// should when this changes, so that every value is seen.
    func confirmed() throws(BackendError) -> ConfirmedView
}

extension ConformanceBackend {
    public func unsupported(_ scenario: Scenario) -> String? { nil }
    public func confirmed() throws(BackendError) -> ConfirmedView {
        throw BackendError("\(name) cannot read a source's CONFIRMED")
    }
}

/// The octets of the APDU whose first TPDU has sequence number `first`.
/// Deliveries are checked against it, so a delivered APDU's content tells
/// which sqn it started at.
public func apduBytes(first: UInt32, length: Int) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: length)
    let seed = first &* 2_654_435_761
    for i in 0..<length {
        out[i] = UInt8(truncatingIfNeeded: (seed >> 24) &+ UInt32(truncatingIfNeeded: i) &* 7 &+ UInt32(truncatingIfNeeded: i >> 8))
    }
    return out
}

/// The result of one scenario on one backend.
public struct Outcome: Sendable {
    public var passed: Bool
    /// The scenario was not run: why the backend cannot (`passed` is false).
    public var unsupported: String?
    /// What went wrong, with the step's line.
    public var failure: String?
    /// The packets and events seen, for a failure report.
    public var trace: [String]
    /// Wall-clock or virtual microseconds the scenario took.
    public var elapsed: Int64
}

/// Runs a scenario's steps against a backend and judges what it sees.
public final class Runner {
    let scenario: Scenario
    let backend: any ConformanceBackend
    let network: Network

    var packets: [Seen] = []
    var consumed: [Bool] = []
    var events: [(time: Int64, event: AppEvent)] = []
    var nextEvent = 0
    /// Timing reference: the previous step's time.
    var ref: Int64 = 0
    /// Packets before the last action are not matched any more: those
    /// recorded before it, and those the wire saw before it.
    var actionIndex = 0
    var actionTime: Int64 = 0
    /// The last step was a `send`.
    var sending = false
    var dataBase: UInt32?
    var spmBase: UInt32?
    var spmCounter: [Int: UInt32] = [:]
    var lead: [Int: UInt32] = [:]
    var trace: [String] = []
    /// The data packets each simulated source sent (injected or lost), by
    /// absolute sqn: what parity it injects is computed from.
    var sentData: [Int: [UInt32: FECOriginal]] = [:]
    /// RS(255, k) of the scenario's `fec` line: a parity packet depends on
    /// its number and k only.
    var fecCode: ReedSolomon?
    /// The RECEIVER ID of a receiver IUT's ACKs, by session: one per
    /// session (docs/confirmed-delivery.md R6); the first to differ fails
    /// the scenario.
    var receiverIDs: [TSI: UInt32] = [:]
    var idFailure: String?
    /// The last CONFIRMED an `expect confirmed` saw, for the trace.
    var lastConfirmed: ConfirmedView?

    public init(_ scenario: Scenario, backend: any ConformanceBackend, network: Network) {
        self.scenario = scenario
        self.backend = backend
        self.network = network
        if scenario.role == .receiver { dataBase = scenario.base }
    }

    struct Failure: Error {
        var message: String
    }

    /// Runs the scenario to its end or first failure.
    public func run() -> Outcome {
        if let why = backend.unsupported(scenario) {
            return Outcome(passed: false, unsupported: why, failure: nil, trace: [], elapsed: 0)
        }
        var failure: String?
        // RS(255, k) and its tables are built before the clock starts: on a
        // slow guest their first use delayed the first parity injection by
        // tens of ms, past a short NAK_BO_IVL.
        if let c = code() { _ = try? c.parity(c.k, of: [[UInt8]](repeating: [0], count: c.k)) }
        do throws(Failure) {
            do { try backend.start(scenario, network: network) } catch { throw Failure(message: "start: \(error.message)") }
            // What the IUT does as it starts belongs before the first step.
            try pump(until: backend.now)
            ref = backend.now
            for step in scenario.steps {
                do throws(Failure) {
                    try perform(step.action)
                } catch {
                    throw Failure(message: "line \(step.line): \(error.message)")
                }
            }
            // Events still on their way count: an extra delivery fails.
            try pump(until: backend.now + backend.tolerance.late)
            if let idFailure { throw Failure(message: idFailure) }
            if nextEvent < events.count {
                throw Failure(message: "end: the application got an event no step expects: \(describe(events[nextEvent].event))")
            }
        } catch {
            failure = error.message
        }
        let elapsed = backend.now
        backend.stop()
        return Outcome(passed: failure == nil, unsupported: nil, failure: failure, trace: trace, elapsed: elapsed)
    }

    func perform(_ action: Step.Action) throws(Failure) {
        // Consecutive sends are one action: what the IUT sends from the
        // first on answers them (on a real clock an earlier send's packets,
        // a group's parity say, precede the last send).
        let continuesSends = sending
        sending = false
        switch action {
        case .send(let size, let count):
            if continuesSends { try pump(until: backend.now) } else { try markAction() }
            sending = true
            for i in 0..<count {
                let bytes = apduBytes(first: UInt32(truncatingIfNeeded: i), length: size)
                try backendCall { () throws(BackendError) in try backend.send(bytes) }
            }
            ref = backend.now
        case .close(let reset):
            try markAction()
            try backendCall { () throws(BackendError) in try backend.close(reset: reset) }
            ref = backend.now
        case .inject(let j):
            // Built before the action starts (after what the IUT sent so far
            // is recorded, for the numbering): on a slow guest building a
            // parity packet took tens of ms, and what the IUT did meanwhile
            // (a NAK whose back-off ended) was taken as its answer to it.
            try pump(until: backend.now)
            let built = try build(j)
            try markAction()
            guard let (bytes, multicast) = built else {
                trace.append("\(stamp(backend.now))  lost    \(j.text)")
                ref = backend.now
                return
            }
            trace.append("\(stamp(backend.now))  inject  \(j.text)")
            try backendCall { () throws(BackendError) in try backend.inject(bytes, from: j.from ?? j.peer, multicast: multicast) }
            ref = backend.now
        case .wait(let d):
            try markAction()
            try pump(until: backend.now + d)
            ref = backend.now
        case .expectPacket(let p, let after, let within):
            let upper = ref + backend.tolerance.upper(within)
            while true {
                if let i = firstMatch(p) {
                    let seen = packets[i]
                    let delta = seen.time - ref
                    if after > 0 && delta < after - backend.tolerance.early {
                        throw Failure(message: "\(p) came \(us(delta)) after the previous step, earlier than \(us(after))")
                    }
                    consumed[i] = true
                    ref = max(ref, seen.time)
                    return
                }
                if backend.now >= upper {
                    throw Failure(message: "no \(p) within \(us(within)) (waited \(us(upper - ref)))")
                }
                try pump(until: upper, once: true)
            }
        case .expectNoPacket(let p, let d):
            let end = ref + d
            try pump(until: end)
            for i in actionIndex..<packets.count
            where !consumed[i] && packets[i].time >= actionTime && packets[i].time <= end && matches(packets[i], p) {
                throw Failure(message: "\(p) came \(us(packets[i].time - ref)) after the previous step; none was expected for \(us(d))")
            }
            ref = end
        case .expectEvent(let e, let after, let within):
            let upper = ref + backend.tolerance.upper(within)
            while nextEvent >= events.count {
                if backend.now >= upper {
                    throw Failure(message: "no \(e) within \(us(within)) (waited \(us(upper - ref)))")
                }
                try pump(until: upper, once: true)
            }
            let (time, event) = events[nextEvent]
            nextEvent += 1
            if let why = mismatch(event, e) {
                throw Failure(message: "expected \(e), the application got \(describe(event)): \(why)")
            }
            if after > 0 && time - ref < after - backend.tolerance.early {
                throw Failure(message: "\(e) came \(us(time - ref)) after the previous step, earlier than \(us(after))")
            }
            ref = max(ref, time)
        case .expectConfirmed(let want, let within):
            let upper = ref + backend.tolerance.upper(within)
            while true {
                let have: ConfirmedView
                do { have = try backend.confirmed() } catch { throw Failure(message: error.message) }
                if have != lastConfirmed {
                    lastConfirmed = have
                    trace.append("\(stamp(backend.now))  app      \(describe(have))")
                }
                if matches(have, want) {
                    ref = max(ref, backend.now)
                    return
                }
                if backend.now >= upper {
                    throw Failure(message: "\(want) not seen within \(us(within)) (waited \(us(upper - ref))): the source has \(describe(have))")
                }
                let seen: [Observation]
                do { seen = try backend.poll(until: upper) } catch { throw Failure(message: error.message) }
                for o in seen { record(o) }
                if let idFailure { throw Failure(message: idFailure) }
            }
        case .expectNoEvent(let kind, let d):
            let end = ref + d
            try pump(until: end)
            for (time, event) in events[nextEvent...] where time <= end && self.kind(event) == kind {
                throw Failure(message: "the application got \(describe(event)) \(us(time - ref)) after the previous step; no \(kind.rawValue) was expected for \(us(d))")
            }
            ref = end
        }
    }

    func backendCall(_ body: () throws(BackendError) -> Void) throws(Failure) {
        do { try body() } catch { throw Failure(message: error.message) }
    }

    func markAction() throws(Failure) {
        try pump(until: backend.now)
        actionIndex = packets.count
        actionTime = backend.now
    }

    /// Lets time pass, recording what the IUT does.
    func pump(until t: Int64, once: Bool = false) throws(Failure) {
        repeat {
            let seen: [Observation]
            do { seen = try backend.poll(until: t) } catch { throw Failure(message: error.message) }
            for o in seen { record(o) }
            if let idFailure { throw Failure(message: idFailure) }
            if once && !seen.isEmpty { return }
        } while backend.now < t
    }

    func record(_ o: Observation) {
        switch o {
        case .packet(let s):
            // Only this scenario's session: the IUT's packets for our port.
            guard s.packet.dataDestinationPort == network.port else { return }
            if scenario.role == .source {
                if let tsi = backend.sourceTSI, s.packet.tsi != tsi { return }
                if case .spm(let spm) = s.packet.body {
                    if spmBase == nil { spmBase = spm.sequence }
                    if dataBase == nil { dataBase = spm.trailingEdge }
                }
                if case .odata(let d) = s.packet.body, dataBase == nil { dataBase = d.sequence }
            } else if case .ack = s.packet.body,
                      case .confirm(_, let id, _, _, _)? = s.packet.options.first(type: PGMOptionType.confirm)?.kind {
                // R6: one RECEIVER ID per session, in all its ACKs.
                let tsi = s.packet.tsi
                if let was = receiverIDs[tsi], was != id, idFailure == nil {
                    idFailure = "the receiver's ACKs for session \(tsi) changed RECEIVER ID from \(was) to \(id) at \(us(s.time))"
                }
                if receiverIDs[tsi] == nil { receiverIDs[tsi] = id }
            }
            packets.append(s)
            consumed.append(false)
            trace.append("\(stamp(s.time))  \(s.multicast ? "group  " : "unicast")  \(describe(s.packet))")
        case .event(let time, let e):
            events.append((time, e))
            trace.append("\(stamp(time))  app      \(describe(e))")
        }
    }

    /// "  123.456 ms": a time in a trace line.
    func stamp(_ t: Int64) -> String {
        let text = millis(t) + " ms"
        return String(repeating: " ", count: max(0, 13 - text.count)) + text
    }
    /// Microseconds as milliseconds with three decimals.
    func millis(_ t: Int64) -> String {
        let sign = t < 0 ? "-" : ""
        let a = t.magnitude
        let frac = String(a % 1000)
        return sign + "\(a / 1000)." + String(repeating: "0", count: 3 - frac.count) + frac
    }
    func us(_ t: Int64) -> String {
        if t % 1000 == 0 { return "\(t / 1000)ms" }
        return millis(t) + "ms"
    }

    // MARK: Matching

    func rel(_ v: UInt32) -> UInt32 { v &- (dataBase ?? 0) }

    func firstMatch(_ p: PacketPattern) -> Int? {
        for i in actionIndex..<packets.count where !consumed[i] && packets[i].time >= actionTime && matches(packets[i], p) {
            return i
        }
        return nil
    }

    // MARK: FEC

    /// The first sqn of transmission group `index` (absolute): group 0 holds
    /// the session's first sqn. Nil without a `fec` line or a first sqn.
    func groupStart(_ index: UInt32) -> UInt32? {
        guard let fec = scenario.fec, let base = dataBase else { return nil }
        let k = UInt32(fec.k)
        return (base & ~(k - 1)) &+ index &* k
    }

    /// The absolute sqn a pattern or injection names: with `group`, a place
    /// in the group (data, selective NAK), a parity packet's number, or a
    /// parity NAK's count; else relative to the session's first sqn.
    func absoluteSequence(group: UInt32?, sequence: UInt32?, parityNumber: Int?, count: Int?) -> UInt32? {
        guard let group else { return sequence.map { ($0 &+ (dataBase ?? 0)) } }
        guard let fec = scenario.fec, let start = groupStart(group) else { return nil }
        if let j = parityNumber { return start | UInt32(j % fec.k) }
        if let c = count { return start | UInt32(max(c, 1) - 1) }
        return sequence.map { start &+ $0 }
    }

    /// The timestamp a simulated receiver echoes (draft section 2.5.1):
    /// that of the IUT's ODATA with sqn `sqn` (absolute), else of its
    /// newest ODATA carrying OPT_PGMCC_DATA; 0 when none did.
    func echo(for sqn: UInt32?) -> UInt32 {
        var newest: UInt32?
        for s in packets.reversed() {
            guard case .odata(let d) = s.packet.body,
                  case .pgmccData(let ts, _)? = s.packet.options.first(type: PGMOptionType.pgmccData)?.kind
            else { continue }
            if d.sequence == sqn { return ts }
            if newest == nil { newest = ts }
        }
        return newest ?? 0
    }

    func code() -> ReedSolomon? {
        if fecCode == nil, let fec = scenario.fec { fecCode = try? ReedSolomon(n: 255, k: fec.k) }
        return fecCode
    }

    /// The parity packet `number` of group `index` should be: computed from
    /// the originals the IUT source sent (its ODATA, else RDATA), or, for a
    /// receiver IUT, those simulated source `peer` sent.
    func expectedParity(group index: UInt32, number: Int, peer: Int = 1) -> ParityContent? {
        guard let fec = scenario.fec, let start = groupStart(index), let code = code() else { return nil }
        var originals: [FECOriginal] = []
        for i in 0..<UInt32(fec.k) {
            let sqn = start &+ i
            switch scenario.role {
            case .source:
                var found: FECOriginal?
                for kind in [PGMPacketType.odata, .rdata] where found == nil {
                    for s in packets where s.packet.type == kind && !s.packet.flags.contains(.parity) {
                        if case .odata(let d) = s.packet.body, d.sequence == sqn {
                            found = FECOriginal(payload: d.payload, fragment: s.packet.options.fragment)
                        } else if case .rdata(let d) = s.packet.body, d.sequence == sqn {
                            found = FECOriginal(payload: d.payload, fragment: s.packet.options.fragment)
                        }
                        if found != nil { break }
                    }
                }
                guard let found else { return nil }
                originals.append(found)
            case .receiver:
                originals.append(sentData[peer]?[sqn]
                    ?? FECOriginal(payload: apduBytes(first: sqn, length: 100)[...], fragment: nil))
            }
        }
        return try? ParityContent(number: number, of: originals, code: code)
    }

    func matches(_ s: Seen, _ p: PacketPattern) -> Bool {
        let pkt = s.packet
        guard pkt.type == p.kind.wireType else { return false }
        if let m = p.multicast, m != s.multicast { return false }
        let o = pkt.options
        switch p.parity {
        case .any: break
        case .present: if !pkt.flags.contains(.parity) { return false }
        case .absent: if pkt.flags.contains(.parity) { return false }
        }
        switch p.variableLength {
        case .any: break
        case .present: if !pkt.flags.contains(.variableLengthParity) { return false }
        case .absent: if pkt.flags.contains(.variableLengthParity) { return false }
        }
        var expected: UInt32?
        if p.group != nil {
            guard let v = absoluteSequence(group: p.group, sequence: p.sequence, parityNumber: p.parityNumber,
                                           count: p.count)
            else { return false }
            expected = v
        }
        switch pkt.body {
        case .spm(let spm):
            if let v = p.sequence, spm.sequence &- (spmBase ?? 0) != v { return false }
            if let v = p.trail, rel(spm.trailingEdge) != v { return false }
            if let v = p.lead, rel(spm.leadingEdge) != v { return false }
            let prm = o.first(type: PGMOptionType.parityParameters)
            var (pro, ond, size): (Bool, Bool, UInt32?) = (false, false, nil)
            if case .parityParameters(let a, let b, let c)? = prm?.kind { (pro, ond, size) = (a, b, c) }
            func check(_ presence: Presence, _ value: Bool) -> Bool {
                presence == .any || (presence == .present) == value
            }
            guard check(p.prm, prm != nil), check(p.proactive, pro), check(p.onDemand, ond) else { return false }
            if let v = p.prmSize, size != v { return false }
        case .odata(let d), .rdata(let d):
            if let v = expected {
                if d.sequence != v { return false }
            } else if let v = p.sequence, rel(d.sequence) != v {
                return false
            }
            if let v = p.trail, rel(d.trailingEdge) != v { return false }
            if let v = p.length, d.payload.count != v { return false }
            if let j = p.parityNumber, let g = p.group, let fec = scenario.fec {
                var m: UInt32 = 0
                if case .parityGroup(let v)? = o.first(type: PGMOptionType.parityGroup)?.kind { m = v }
                guard Int(m) == j / fec.k else { return false }
                guard let want = expectedParity(group: g, number: j) else { return false }
                guard want.payload.elementsEqual(d.payload),
                      want.variableLength == pkt.flags.contains(.variableLengthParity),
                      want.encodedFragment == o.encodedFragment
                else { return false }
            }
        case .nak(let n), .ncf(let n):
            if let v = expected {
                if n.sequence != v { return false }
            } else if let v = p.sequence, rel(n.sequence) != v {
                return false
            }
            if let v = p.nla, s.destination != network.peer(v) { return false }
        case .ack(let a):
            if let v = p.rxMax, rel(a.rxMax) != v { return false }
            if let v = p.bitmap, a.bitmap != v { return false }
            if let v = p.nla, s.destination != network.peer(v) { return false }
            if p.confirm != .any {
                let c = o.first(type: PGMOptionType.confirm)
                if (c != nil) != (p.confirm == .present) { return false }
                if case .confirm(let confirmed, _, let join, let bye, let lost)? = c?.kind {
                    if let v = p.confirmed, rel(confirmed) != v { return false }
                    func check(_ presence: Presence, _ value: Bool) -> Bool {
                        presence == .any || (presence == .present) == value
                    }
                    guard check(p.confirmJoin, join), check(p.bye, bye), check(p.confirmLost, lost) else { return false }
                }
            }
        default:
            break
        }
        if p.ccData != .any || p.acker != nil {
            let cc = o.first(type: PGMOptionType.pgmccData)
            if (cc != nil) != (p.ccData != .absent) { return false }
            if let want = p.acker, case .pgmccData(_, let nla)? = cc?.kind {
                let name: IPv4Address = switch want {
                case .none: IPv4Address(0, 0, 0, 0)
                case .iut: network.iut
                case .peer(let n): network.peer(n)
                }
                if nla != .ipv4(name) { return false }
            }
        }
        if p.feedback != .any {
            let fb = o.first(type: PGMOptionType.pgmccFeedback)
            if (fb != nil) != (p.feedback == .present) { return false }
            if case .pgmccFeedback(let ts, let loss, let who)? = fb?.kind {
                if let r = p.timestamp, !r.contains(ts) { return false }
                if let l = p.lossRate, loss != l { return false }
                if who != .ipv4(network.iut) { return false }
            }
        }
        if let want = p.list {
            var have: [UInt32] = []
            if case .nakList(let l)? = o.first(type: PGMOptionType.nakList)?.kind { have = l.map(rel) }
            if have != want { return false }
        }
        if let f = p.fragment {
            guard let g = o.fragment else { return false }
            if let v = f.first, rel(g.firstSequence) != v { return false }
            if let v = f.offset, g.offset != v { return false }
            if let v = f.length, g.length != v { return false }
        }
        func check(_ presence: Presence, _ type: UInt8) -> Bool {
            switch presence {
            case .any: true
            case .present: o.contains(type: type)
            case .absent: !o.contains(type: type)
            }
        }
        guard check(p.fin, PGMOptionType.fin), check(p.rst, PGMOptionType.reset), check(p.syn, PGMOptionType.syn),
              check(p.join, PGMOptionType.join)
        else { return false }
        if let j = p.joinValue, o.joinMinimumSequence.map(rel) != j { return false }
        return true
    }

    /// `expect confirmed`: the CONFIRMED (relative) and the receivers.
    func matches(_ v: ConfirmedView, _ p: ConfirmedPattern) -> Bool {
        if v.sequence.map(rel) != p.sequence { return false }
        if let r = p.receivers, v.receivers != r { return false }
        if let r = p.refused, v.refused != r { return false }
        return true
    }

    func describe(_ v: ConfirmedView) -> String {
        "confirmed \(v.sequence.map { String(Int32(bitPattern: rel($0))) } ?? "none") receivers=\(v.receivers) refused=\(v.refused)"
    }

    func kind(_ e: AppEvent) -> EventPattern.Kind {
        switch e {
        case .deliver: .deliver
        case .loss: .loss
        case .end: .end
        }
    }

    func mismatch(_ e: AppEvent, _ p: EventPattern) -> String? {
        guard kind(e) == p.kind else { return "another kind of event" }
        let tsi = network.peerTSI(p.peer)
        switch e {
        case .deliver(let t, let sqn, let bytes):
            if t != tsi { return "from session \(t), not peer \(p.peer)'s" }
            if let l = p.length, bytes.count != l { return "length \(bytes.count)" }
            if let s = p.sequence {
                if bytes != apduBytes(first: scenario.base &+ s, length: bytes.count) {
                    return "its content is not the APDU that starts at sqn \(s)"
                }
                if let sqn, rel(sqn) != s { return "sqn \(rel(sqn))" }
            }
        case .loss(let t, let first, let count):
            if t != tsi { return "from session \(t), not peer \(p.peer)'s" }
            if let f = p.sequence, rel(first) != f { return "first=\(rel(first))" }
            if let c = p.count, count != c { return "count=\(count)" }
        case .end(let t, let reason):
            if t != tsi { return "from session \(t), not peer \(p.peer)'s" }
            if let r = p.reason, r != reason { return "reason \(reason)" }
        }
        return nil
    }

    func describe(_ e: AppEvent) -> String {
        switch e {
        case .deliver(_, _, let b):
            // Name the APDU by its content when it is one of the simulated source's.
            for s in UInt32(0)..<4096 where b == apduBytes(first: scenario.base &+ s, length: b.count) {
                return "deliver sqn=\(s) len=\(b.count)"
            }
            return "deliver len=\(b.count) (unknown content)"
        case .loss(_, let f, let c): return "loss first=\(rel(f)) count=\(c)"
        case .end(_, let r): return "end \(r.rawValue)"
        }
    }

    func describe(_ p: PGMPacket) -> String {
        var s = "\(p.type)"
        switch p.body {
        case .spm(let spm):
            s += " sqn=\(spm.sequence &- (spmBase ?? 0)) trail=\(rel(spm.trailingEdge)) lead=\(rel(spm.leadingEdge))"
        case .odata(let d), .rdata(let d):
            s += " sqn=\(rel(d.sequence)) trail=\(rel(d.trailingEdge)) len=\(d.payload.count)"
        case .nak(let n), .ncf(let n):
            s += " sqn=\(rel(n.sequence))"
        case .ack(let a):
            s += " rxmax=\(Int32(bitPattern: rel(a.rxMax))) bitmap=0x" + String(a.bitmap, radix: 16)
        default: break
        }
        if p.flags.contains(.parity) {
            s += " parity"
            if let fec = scenario.fec, let base = dataBase {
                let k = UInt32(fec.k)
                var sqn: UInt32?
                switch p.body {
                case .odata(let d), .rdata(let d): sqn = d.sequence
                case .nak(let n), .ncf(let n): sqn = n.sequence
                default: break
                }
                if let sqn {
                    let index = ((sqn & ~(k - 1)) &- (base & ~(k - 1))) / k
                    if p.type == .nak || p.type == .ncf {
                        s += " group=\(index) count=\(sqn & (k - 1) + 1)"
                    } else {
                        var m: UInt32 = 0
                        if case .parityGroup(let v)? = p.options.first(type: PGMOptionType.parityGroup)?.kind { m = v }
                        s += " group=\(index) number=\(m * k + (sqn & (k - 1)))"
                    }
                }
            }
        }
        if p.flags.contains(.variableLengthParity) { s += " varlen" }
        for o in p.options {
            switch o.kind {
            case .parityParameters(let pro, let ond, let size):
                s += " prm=\(size)" + (pro ? " pro" : "") + (ond ? " ond" : "")
            case .encoded(let type, _): s += " encoded\(type)"
            case .parityGroup(let m): s += " pgrp=\(m)"
            case .currentGroupSize(let n): s += " tgsize=\(n)"
            case .nakList(let l): s += " list=" + l.map { String(rel($0)) }.joined(separator: ",")
            case .fragment(let f, let off, let len): s += " frag=\(rel(f)),\(off),\(len)"
            case .join(let j): s += " join=\(rel(j))"
            case .fin: s += " fin"
            case .syn: s += " syn"
            case .reset(let n, _): s += n ? " rst=n" : " rst"
            case .pgmccData(let ts, let acker): s += " acker=\(name(acker)) ts=\(ts)"
            case .pgmccFeedback(let ts, let loss, let who): s += " feedback ts=\(ts) loss=\(loss) from=\(name(who))"
            case .confirm(let c, let id, let join, let bye, let lost):
                s += " confirmed=\(Int32(bitPattern: rel(c))) id=\(id)" + (join ? " cjoin" : "") + (bye ? " bye" : "")
                    + (lost ? " lost" : "")
            default: s += " opt\(o.kind.type)"
            }
        }
        return s
    }

    /// An NLA in a trace: none, iut, a simulated peer's number, or itself.
    func name(_ nla: PGMNLA) -> String {
        if nla == .ipv4(IPv4Address(0, 0, 0, 0)) { return "none" }
        if nla == .ipv4(network.iut) { return "iut" }
        for n in 1...Network.peers where nla == .ipv4(network.peer(n)) { return "\(n)" }
        return "\(nla)"
    }

    // MARK: Building injected packets

    /// The packet an injection sends and whether to the group; nil for a
    /// data packet the scenario declares `lost` (recorded as sent by the
    /// simulated source, for the parity of its group, and not sent).
    func build(_ j: Injection) throws(Failure) -> ([UInt8], Bool)? {
        var ackerPeer: Int?
        if case .peer(let n)? = j.acker { ackerPeer = n }
        for (name, n) in [("peer", j.peer), ("from", j.from), ("who", j.who), ("nla", j.nla), ("acker", ackerPeer)] {
            if let n, !(1...Network.peers).contains(n) {
                throw Failure(message: "\(name)=\(n): peers are 1 to \(Network.peers)")
            }
        }
        let base = dataBase ?? 0
        func abs(_ v: UInt32?) -> UInt32? { v.map { base &+ $0 } }
        // The packet's sqn (data, NAK, NCF), absolute.
        var sqn: UInt32? = abs(j.sequence)
        if let g = j.group {
            guard let fec = scenario.fec else { throw Failure(message: "group= needs a fec line") }
            guard dataBase != nil else { throw Failure(message: "no packet from the source yet to number groups from") }
            if let c = j.count, !(1...fec.k).contains(c) { throw Failure(message: "count=\(c): 1 to k = \(fec.k)") }
            if j.parity && j.parityNumber == nil && j.count == nil && (j.kind == .NAK || j.kind == .NCF) {
                throw Failure(message: "a parity \(j.kind.rawValue) for group=\(g) needs count=")
            }
            if let n = j.sequence, j.parityNumber == nil, j.count == nil, n >= UInt32(fec.k) {
                throw Failure(message: "sqn=\(n) with group=: a place in the group, 0 to \(fec.k - 1)")
            }
            sqn = absoluteSequence(group: g, sequence: j.sequence, parityNumber: j.parityNumber, count: j.count)
        }
        var options: [PGMOption] = []
        var flags: PGMHeaderFlags = j.parity ? .parity : []
        var parityPayload: [UInt8]?
        if j.kind == .SPM, j.prm ?? (scenario.fec != nil) {
            guard let fec = scenario.fec else { throw Failure(message: "prm needs a fec line") }
            options.append(PGMOption(.parityParameters(proactive: fec.proactive > 0, onDemand: fec.onDemand,
                                                       groupSize: j.prmSize ?? UInt32(fec.k))))
        }
        if let number = j.parityNumber, let g = j.group, let fec = scenario.fec {
            guard number <= 254 - fec.k, var content = expectedParity(group: g, number: number, peer: j.peer) else {
                throw Failure(message: "parity=\(number): no such parity packet of k = \(fec.k)")
            }
            if let l = j.length {
                // A parity packet of another length: cut, or padded with zeros.
                content.payload = Array((content.payload + [UInt8](repeating: 0, count: max(0, l - content.payload.count))).prefix(l))
            }
            if let v = j.variableLength { content.variableLength = v }
            flags = content.flags
            parityPayload = content.payload
            if let f = content.encodedFragment { options.append(PGMParity.encodedFragment(f)) }
            if number >= fec.k { options.append(PGMOption(.parityGroup(UInt32(number / fec.k)))) }
            if let start = groupStart(g) {
                let last = start | UInt32(fec.k - 1)
                let l = lead[j.peer] ?? base &- 1
                if Int32(bitPattern: last &- l) > 0 { lead[j.peer] = last }
            }
        } else if j.variableLength == true {
            flags.insert(.variableLengthParity)
        }
        if let n = j.currentGroupSize { options.append(PGMOption(.currentGroupSize(n))) }
        if let f = j.fragment {
            options.append(PGMOption(.fragment(firstSequence: base &+ f.first, offset: f.offset, length: f.length)))
        }
        if !j.list.isEmpty {
            // A parity request's list names further groups by index, each
            // asked for the same count.
            let list: [UInt32]
            if j.group != nil, j.parity, let c = j.count {
                list = j.list.compactMap { g in absoluteSequence(group: g, sequence: nil, parityNumber: nil, count: c) }
            } else {
                list = j.list.map { base &+ $0 }
            }
            options.append(PGMOption(.nakList(list)))
        }
        if let v = j.join { options.append(PGMOption(.join(minimumSequence: base &+ v))) }
        if let a = j.acker {
            // OPT_PGMCC_DATA (draft section 2.1.1): the source's timestamp, in ms.
            guard scenario.role == .receiver else { throw Failure(message: "acker= is on a simulated source's data") }
            let name: IPv4Address = switch a {
            case .none: IPv4Address(0, 0, 0, 0)
            case .iut: network.iut
            case .peer(let n): network.peer(n)
            }
            let ts = j.timestamp ?? UInt32(truncatingIfNeeded: backend.now / 1000)
            options.append(PGMOption(.pgmccData(timestamp: ts, acker: .ipv4(name))))
        }
        if j.feedback ?? (j.kind == .ACK && j.confirmed == nil) {
            // OPT_PGMCC_FEEDBACK (section 2.1.2): a simulated receiver's echo and loss rate.
            guard scenario.role == .source else { throw Failure(message: "feedback is a simulated receiver's, to an IUT source") }
            let ts = j.timestamp ?? echo(for: j.kind == .ACK ? abs(j.rxMax) : sqn)
            options.append(PGMOption(.pgmccFeedback(timestamp: ts, lossRate: j.lossRate ?? 0,
                                                    receiver: .ipv4(network.peer(j.who ?? j.from ?? j.peer)))))
        }
        if let c = j.confirmed {
            // OPT_CONFIRM (docs/confirmed-delivery.md): a simulated receiver's.
            guard scenario.role == .source else { throw Failure(message: "OPT_CONFIRM is a simulated receiver's, to an IUT source") }
            options.append(PGMOption(.confirm(confirmed: base &+ c, receiverID: j.receiverID ?? 1, join: j.confirmJoin,
                                              bye: j.bye, lost: j.lost)))
        }
        if j.syn { options.append(PGMOption(.syn)) }
        if j.fin { options.append(PGMOption(.fin)) }
        if let r = j.rst { options.append(PGMOption(.reset(noNAKs: r.noNAKs, errorCode: r.code))) }
        let opts: PGMOptions
        do { opts = try PGMOptions(options) } catch { throw Failure(message: "options: \(error)") }

        let packet: PGMPacket
        var multicast: Bool
        switch scenario.role {
        case .receiver:
            // The simulated peer is a source (or a network element, or
            // another receiver for SPMR).
            let tsi = network.peerTSI(j.peer)
            let path = PGMNLA.ipv4(network.peer(j.nla ?? j.peer))
            multicast = j.multicast ?? true
            switch j.kind {
            case .SPM:
                let spmSqn = j.sequence ?? spmCounter[j.peer, default: 0]
                spmCounter[j.peer] = spmSqn &+ 1
                let trail = abs(j.trail) ?? base
                let lead = abs(j.lead) ?? lead[j.peer] ?? base &- 1
                let spm = PGMSPM(sequence: base &+ spmSqn, trailingEdge: trail, leadingEdge: lead, path: path)
                packet = PGMPacket(sourcePort: tsi.sourcePort, destinationPort: network.port, gsi: tsi.gsi,
                                   body: .spm(spm), options: opts)
            case .ODATA, .RDATA:
                guard let sqn else { throw Failure(message: "inject \(j.kind.rawValue) needs sqn=") }
                let payload: [UInt8]
                if let p = parityPayload {
                    payload = p
                } else if let f = j.fragment {
                    let whole = apduBytes(first: base &+ f.first, length: Int(f.length))
                    let start = min(Int(f.offset), whole.count)
                    let end = min(start + (j.length ?? (whole.count - start)), whole.count)
                    payload = Array(whole[start..<end])
                } else {
                    payload = apduBytes(first: sqn, length: j.length ?? 100)
                }
                if parityPayload == nil {
                    sentData[j.peer, default: [:]][sqn] = FECOriginal(payload: payload[...], fragment: opts.fragment)
                }
                let d = PGMData(sequence: sqn, trailingEdge: abs(j.trail) ?? base, payload: payload)
                let l = lead[j.peer] ?? base &- 1
                if Int32(bitPattern: sqn &- l) > 0 && parityPayload == nil { lead[j.peer] = sqn }
                if j.lost { return nil }
                packet = PGMPacket(sourcePort: tsi.sourcePort, destinationPort: network.port, gsi: tsi.gsi,
                                   body: j.kind == .ODATA ? .odata(d) : .rdata(d), options: opts, flags: flags)
            case .NCF:
                guard let sqn else { throw Failure(message: "inject NCF needs sqn=") }
                let n = PGMNak(sequence: sqn, source: path, group: .ipv4(network.group))
                packet = PGMPacket(sourcePort: tsi.sourcePort, destinationPort: network.port, gsi: tsi.gsi,
                                   body: .ncf(n), options: opts, flags: flags)
            case .SPMR:
                packet = PGMPacket(sourcePort: network.port, destinationPort: tsi.sourcePort, gsi: tsi.gsi,
                                   body: .spmr, options: opts)
            case .NAK:
                guard let sqn else { throw Failure(message: "inject NAK needs sqn=") }
                let n = PGMNak(sequence: sqn, source: path, group: .ipv4(network.group))
                packet = PGMPacket(sourcePort: network.port, destinationPort: tsi.sourcePort, gsi: tsi.gsi,
                                   body: .nak(n), options: opts, flags: flags)
            case .ACK:
                throw Failure(message: "an ACK goes to a source: this scenario's IUT is a receiver")
            }
        case .source:
            // The simulated peer is a receiver talking to the IUT source.
            guard let tsi = backend.sourceTSI else { throw Failure(message: "the source has no TSI yet") }
            multicast = j.multicast ?? false
            switch j.kind {
            case .NAK, .NCF:
                guard let sqn else { throw Failure(message: "inject \(j.kind.rawValue) needs sqn=") }
                guard dataBase != nil else { throw Failure(message: "no packet from the source yet to number from") }
                let n = PGMNak(sequence: sqn, source: .ipv4(network.iut), group: .ipv4(network.group))
                if j.kind == .NAK {
                    packet = PGMPacket(sourcePort: network.port, destinationPort: tsi.sourcePort, gsi: tsi.gsi,
                                       body: .nak(n), options: opts, flags: flags)
                } else {
                    multicast = j.multicast ?? true
                    packet = PGMPacket(sourcePort: tsi.sourcePort, destinationPort: network.port, gsi: tsi.gsi,
                                       body: .ncf(n), options: opts, flags: flags)
                }
            case .SPMR:
                packet = PGMPacket(sourcePort: network.port, destinationPort: tsi.sourcePort, gsi: tsi.gsi,
                                   body: .spmr, options: opts)
            case .ACK:
                guard let rx = abs(j.rxMax ?? j.confirmed) else { throw Failure(message: "inject ACK needs rxmax=") }
                guard dataBase != nil else { throw Failure(message: "no packet from the source yet to number from") }
                packet = PGMPacket(sourcePort: network.port, destinationPort: tsi.sourcePort, gsi: tsi.gsi,
                                   body: .ack(PGMAck(rxMax: rx, bitmap: j.bitmap ?? 0xFFFF_FFFF)), options: opts)
            case .SPM, .ODATA, .RDATA:
                throw Failure(message: "a receiver does not send \(j.kind.rawValue) to a source")
            }
        }
        var bytes: [UInt8]
        do { bytes = try packet.withComputedNetworkSignificance.encoded() } catch {
            throw Failure(message: "encoding \(j.text): \(error)")
        }
        if let d = j.damage { damage(&bytes, d) }
        return (bytes, multicast)
    }

    /// Breaks an encoded packet the way `d` says; every damage but the
    /// checksum keeps the checksum right, so the packet reaches the parser.
    func damage(_ bytes: inout [UInt8], _ d: Injection.Damage) {
        func reseal() {
            bytes[6] = 0
            bytes[7] = 0
            let c = PGMChecksum.compute(bytes)
            bytes[6] = UInt8(c >> 8)
            bytes[7] = UInt8(c & 0xFF)
        }
        switch d {
        case .checksum:
            bytes[7] ^= 0x5A
            if bytes[6] == 0 && bytes[7] == 0 { bytes[7] = 1 }
        case .truncate:
            bytes = Array(bytes.prefix(12))
        case .type:
            bytes[4] = 0x0B  // no such packet type (RFC 3208 section 8)
            reseal()
        case .option:
            // Options-present bit set, and OPT_LENGTH's total runs past the end.
            bytes[5] |= 0x01
            let th = 16 + 8  // ODATA/RDATA: common header + data fields
            if bytes.count >= th + 4 && bytes[th] == 0x00 {
                bytes[th + 2] = 0xFF
                bytes[th + 3] = 0xF0
            } else if bytes.count >= th + 4 {
                bytes.insert(contentsOf: [0x00, 0x04, 0xFF, 0xF0], at: th)
            }
            reseal()
        case .tsdu:
            let len = (Int(bytes[14]) << 8 | Int(bytes[15])) + 64
            bytes[14] = UInt8(truncatingIfNeeded: len >> 8)
            bytes[15] = UInt8(truncatingIfNeeded: len)
            reseal()
        }
    }
}

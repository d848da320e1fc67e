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
    var dataBase: UInt32?
    var spmBase: UInt32?
    var spmCounter: [Int: UInt32] = [:]
    var lead: [Int: UInt32] = [:]
    var trace: [String] = []

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
        var failure: String?
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
            if nextEvent < events.count {
                throw Failure(message: "end: the application got an event no step expects: \(describe(events[nextEvent].event))")
            }
        } catch {
            failure = error.message
        }
        let elapsed = backend.now
        backend.stop()
        return Outcome(passed: failure == nil, failure: failure, trace: trace, elapsed: elapsed)
    }

    func perform(_ action: Step.Action) throws(Failure) {
        switch action {
        case .send(let size, let count):
            try markAction()
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
            try markAction()
            let (bytes, multicast) = try build(j)
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

    func matches(_ s: Seen, _ p: PacketPattern) -> Bool {
        let pkt = s.packet
        guard pkt.type == p.kind.wireType else { return false }
        if let m = p.multicast, m != s.multicast { return false }
        let o = pkt.options
        switch pkt.body {
        case .spm(let spm):
            if let v = p.sequence, spm.sequence &- (spmBase ?? 0) != v { return false }
            if let v = p.trail, rel(spm.trailingEdge) != v { return false }
            if let v = p.lead, rel(spm.leadingEdge) != v { return false }
        case .odata(let d), .rdata(let d):
            if let v = p.sequence, rel(d.sequence) != v { return false }
            if let v = p.trail, rel(d.trailingEdge) != v { return false }
            if let v = p.length, d.payload.count != v { return false }
        case .nak(let n), .ncf(let n):
            if let v = p.sequence, rel(n.sequence) != v { return false }
            if let v = p.nla, s.destination != network.peer(v) { return false }
        default:
            break
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
        default: break
        }
        for o in p.options {
            switch o.kind {
            case .nakList(let l): s += " list=" + l.map { String(rel($0)) }.joined(separator: ",")
            case .fragment(let f, let off, let len): s += " frag=\(rel(f)),\(off),\(len)"
            case .join(let j): s += " join=\(rel(j))"
            case .fin: s += " fin"
            case .syn: s += " syn"
            case .reset(let n, _): s += n ? " rst=n" : " rst"
            default: s += " opt\(o.kind.type)"
            }
        }
        return s
    }

    // MARK: Building injected packets

    func build(_ j: Injection) throws(Failure) -> ([UInt8], Bool) {
        for (name, n) in [("peer", j.peer), ("from", j.from), ("nla", j.nla)] {
            if let n, !(1...Network.peers).contains(n) {
                throw Failure(message: "\(name)=\(n): peers are 1 to \(Network.peers)")
            }
        }
        let base = dataBase ?? 0
        func abs(_ v: UInt32?) -> UInt32? { v.map { base &+ $0 } }
        var options: [PGMOption] = []
        if let f = j.fragment {
            options.append(PGMOption(.fragment(firstSequence: base &+ f.first, offset: f.offset, length: f.length)))
        }
        if !j.list.isEmpty { options.append(PGMOption(.nakList(j.list.map { base &+ $0 }))) }
        if let v = j.join { options.append(PGMOption(.join(minimumSequence: base &+ v))) }
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
                let sqn = j.sequence ?? spmCounter[j.peer, default: 0]
                spmCounter[j.peer] = sqn &+ 1
                let trail = abs(j.trail) ?? base
                let lead = abs(j.lead) ?? lead[j.peer] ?? base &- 1
                let spm = PGMSPM(sequence: base &+ sqn, trailingEdge: trail, leadingEdge: lead, path: path)
                packet = PGMPacket(sourcePort: tsi.sourcePort, destinationPort: network.port, gsi: tsi.gsi,
                                   body: .spm(spm), options: opts)
            case .ODATA, .RDATA:
                guard let sqn = j.sequence else { throw Failure(message: "inject \(j.kind.rawValue) needs sqn=") }
                let payload: [UInt8]
                if let f = j.fragment {
                    let whole = apduBytes(first: base &+ f.first, length: Int(f.length))
                    let start = min(Int(f.offset), whole.count)
                    let end = min(start + (j.length ?? (whole.count - start)), whole.count)
                    payload = Array(whole[start..<end])
                } else {
                    payload = apduBytes(first: base &+ sqn, length: j.length ?? 100)
                }
                let d = PGMData(sequence: base &+ sqn, trailingEdge: abs(j.trail) ?? base, payload: payload)
                let l = lead[j.peer] ?? base &- 1
                if Int32(bitPattern: (base &+ sqn) &- l) > 0 { lead[j.peer] = base &+ sqn }
                packet = PGMPacket(sourcePort: tsi.sourcePort, destinationPort: network.port, gsi: tsi.gsi,
                                   body: j.kind == .ODATA ? .odata(d) : .rdata(d), options: opts)
            case .NCF:
                guard let sqn = j.sequence else { throw Failure(message: "inject NCF needs sqn=") }
                let n = PGMNak(sequence: base &+ sqn, source: path, group: .ipv4(network.group))
                packet = PGMPacket(sourcePort: tsi.sourcePort, destinationPort: network.port, gsi: tsi.gsi,
                                   body: .ncf(n), options: opts)
            case .SPMR:
                packet = PGMPacket(sourcePort: network.port, destinationPort: tsi.sourcePort, gsi: tsi.gsi,
                                   body: .spmr, options: opts)
            case .NAK:
                guard let sqn = j.sequence else { throw Failure(message: "inject NAK needs sqn=") }
                let n = PGMNak(sequence: base &+ sqn, source: path, group: .ipv4(network.group))
                packet = PGMPacket(sourcePort: network.port, destinationPort: tsi.sourcePort, gsi: tsi.gsi,
                                   body: .nak(n), options: opts)
            }
        case .source:
            // The simulated peer is a receiver talking to the IUT source.
            guard let tsi = backend.sourceTSI else { throw Failure(message: "the source has no TSI yet") }
            multicast = j.multicast ?? false
            switch j.kind {
            case .NAK, .NCF:
                guard let sqn = j.sequence else { throw Failure(message: "inject \(j.kind.rawValue) needs sqn=") }
                guard dataBase != nil else { throw Failure(message: "no packet from the source yet to number from") }
                let n = PGMNak(sequence: base &+ sqn, source: .ipv4(network.iut), group: .ipv4(network.group))
                if j.kind == .NAK {
                    packet = PGMPacket(sourcePort: network.port, destinationPort: tsi.sourcePort, gsi: tsi.gsi,
                                       body: .nak(n), options: opts)
                } else {
                    multicast = j.multicast ?? true
                    packet = PGMPacket(sourcePort: tsi.sourcePort, destinationPort: network.port, gsi: tsi.gsi,
                                       body: .ncf(n), options: opts)
                }
            case .SPMR:
                packet = PGMPacket(sourcePort: network.port, destinationPort: tsi.sourcePort, gsi: tsi.gsi,
                                   body: .spmr, options: opts)
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

import HeapModule
import PGMTypes
import PGMWire

/// How a link drops packets.
public enum LossModel: Hashable, Sendable, CustomStringConvertible {
    case none
    /// Each packet lost independently with this probability.
    case bernoulli(Double)
    /// Gilbert–Elliott bursts: a two-state Markov chain stepped once per
    /// packet, with its own loss probability in each state.
    case gilbertElliott(goodToBad: Double, badToGood: Double, goodLoss: Double, badLoss: Double)

    /// The long-run loss rate.
    public var meanLoss: Double {
        switch self {
        case .none: return 0
        case .bernoulli(let p): return p
        case .gilbertElliott(let gb, let bg, let gl, let bl):
            let bad = gb + bg > 0 ? gb / (gb + bg) : 0
            return (1 - bad) * gl + bad * bl
        }
    }

    public var description: String {
        switch self {
        case .none: return "none"
        case .bernoulli(let p): return "bernoulli(\(p))"
        case .gilbertElliott(let gb, let bg, let gl, let bl): return "gilbert-elliott(\(gb),\(bg),\(gl),\(bl))"
        }
    }

    /// Steps the chain (`bad` is the link's state) and draws one packet's fate.
    @inline(__always)
    func drop(_ bad: inout Bool, _ rng: inout SeededRandom) -> Bool {
        switch self {
        case .none:
            return false
        case .bernoulli(let p):
            return rng.chance(p)
        case .gilbertElliott(let gb, let bg, let gl, let bl):
            if bad { if rng.chance(bg) { bad = false } } else if rng.chance(gb) { bad = true }
            return rng.chance(bad ? bl : gl)
        }
    }
}

/// One direction of every source–receiver link (all receivers' links share
/// the model; each has its own loss state).
public struct LinkModel: Hashable, Sendable {
    public var loss: LossModel
    /// One-way delay, microseconds.
    public var delay: Int64
    /// Extra delay uniform on 0...jitter per packet and receiver (reorders).
    public var jitter: Int64
    /// Probability a packet is delivered twice.
    public var duplicate: Double
    /// Probability a packet is held back by `reorderDelay`.
    public var reorder: Double
    public var reorderDelay: Int64

    public init(loss: LossModel = .none, delay: Int64 = 1000, jitter: Int64 = 0, duplicate: Double = 0,
                reorder: Double = 0, reorderDelay: Int64 = 2000) {
        self.loss = loss
        self.delay = delay
        self.jitter = jitter
        self.duplicate = duplicate
        self.reorder = reorder
        self.reorderDelay = reorderDelay
    }
}

/// A whole run: one source, N receivers, the links between them.
public struct SimulationConfiguration: Hashable, Sendable {
    public var receivers = 1
    public var messages = 1000
    public var messageSize = 1000
    /// Microseconds between application sends; 0 sends everything at once
    /// and lets TXW_MAX_RTE pace it.
    public var messageInterval: Int64 = 0
    public var parameters = Parameters()
    public var seed: UInt64 = 1
    /// Source to receivers: ODATA, RDATA, SPM, NCF.
    public var downstream = LinkModel()
    /// Receivers to source: NAK, SPMR.
    public var upstream = LinkModel()
    /// Compare every delivered byte with what was sent (else length, id and
    /// last byte).
    public var verifyContent = false
    /// The run stops here even if receivers have not finished.
    public var timeLimit = VirtualTime(microseconds: 600_000_000)
    /// The source's FEC (RFC 3208 Appendix A); nil: none.
    public var fec: FECParameters?
    /// PGMCC (draft-ietf-rmt-bb-pgmcc-03) at the source and every receiver;
    /// nil: off.
    public var pgmcc: PGMCCSourceParameters?
    /// Whether receivers send parity NAKs to a source offering on-demand parity.
    public var parityNAKs = true

    public init() {}
}

/// The figures of a run.
public struct SimulationReport: Hashable, Sendable, Codable {
    public var receivers = 0
    public var messages = 0
    public var tpdus = 0
    public var seed: UInt64 = 0
    public var expectedAPDUs = 0
    public var deliveredAPDUs = 0
    public var deliveredPercent = 0.0
    /// Sequence numbers whose ODATA was lost on at least one link.
    public var lostSequences = 0
    /// ODATA losses counted per link.
    public var lossInstances = 0
    /// Sequence numbers reported lost to applications, summed over receivers.
    public var unrecoverableSequences = 0
    public var naksSent = 0
    public var naksAtSource = 0
    public var ncfs = 0
    public var rdata = 0
    public var spms = 0
    public var spmrs = 0
    public var naksPerLostSequence = 0.0
    public var ncfsPerLostSequence = 0.0
    public var rdataPerLostSequence = 0.0
    /// FEC: parity packets the source sent, proactive and on demand.
    public var paritySentProactive = 0
    public var paritySentOnDemand = 0
    /// FEC: parity NAKs receivers sent (in `naksSent` too), groups they rebuilt.
    public var parityNaksSent = 0
    public var groupsRebuilt = 0
    /// RDATA and parity packets (proactive and on demand) per lost sequence.
    public var repairPacketsPerLostSequence = 0.0
    /// NAKs the receivers sent per lost sequence (before any upstream loss).
    public var receiverNaksPerLostSequence = 0.0
    /// Sequence numbers receivers found missing and then got (RDATA, late
    /// ODATA, or rebuilt from parity), and the mean time from the packet
    /// that showed the gap to the data, as `ModelReceiverStatistics` counts.
    public var receiverRepairs = 0
    public var meanRepairus: Int64 = 0
    /// From the scheduled ODATA arrival to the first RDATA arrival, per repaired loss.
    public var latencySamples = 0
    public var latencyP50us: Int64 = 0
    public var latencyP99us: Int64 = 0
    public var latencyMaxus: Int64 = 0
    public var payloadBytes = 0
    /// Everything on the wire (IP headers included) except the first copy of the payload.
    public var overheadBytes = 0
    public var bytesByType: [String: Int] = [:]
    public var receiversFinished = 0
    // PGMCC: what the source's window did, and the receivers' ACKs.
    public var acksSent = 0
    public var ackerChanges = 0
    public var congestionEvents = 0
    public var pgmccTimeouts = 0
    /// ODATA held back for want of a window token, counted once per wait.
    public var windowLimited = 0
    /// W at the end, packets.
    public var finalWindow = 0.0
    public var duplicatesOrReordered = 0
    public var unreportedGaps = 0
    public var corrupt = 0
    /// Queue events processed (a multicast fan-out is one event).
    public var events = 0
    /// Packets handed to receivers (a fan-out to N receivers counts N).
    public var receptions = 0
    public var endTimeus: Int64 = 0

    /// True when no receiver saw a duplicate, reordering, corruption or an
    /// unreported gap.
    public var isConsistent: Bool { duplicatesOrReordered == 0 && unreportedGaps == 0 && corrupt == 0 }
}

/// Progress of a long run.
public struct SimulationProgress: Sendable {
    public var now: VirtualTime
    public var events: Int
    public var deliveredAPDUs: Int
    public var expectedAPDUs: Int
}

/// A simulation event, ordered by time then by insertion.
struct SimEvent: Comparable {
    enum Kind: UInt8 { case sourceTimer, receiverTimer, fanOut, toReceiver, toSource, linkLocalFanOut, appSend }
    var time: Int64
    var order: UInt64
    var kind: Kind
    var target: Int32
    var packet: Int32

    static func < (a: SimEvent, b: SimEvent) -> Bool {
        a.time < b.time || (a.time == b.time && a.order < b.order)
    }

    /// Events are equal when they are the same event: `order` is unique.
    static func == (a: SimEvent, b: SimEvent) -> Bool { a.order == b.order }
}

/// The events to come, earliest first; events due at the same time come in
/// the order they were pushed, so a run is the same on every heap.
struct EventQueue {
    private var heap = Heap<SimEvent>()
    private var counter: UInt64 = 0

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }

    mutating func push(_ time: VirtualTime, _ kind: SimEvent.Kind, target: Int32 = 0, packet: Int32 = -1) {
        counter += 1
        heap.insert(SimEvent(time: time.rawValue, order: counter, kind: kind, target: target, packet: packet))
    }

    mutating func pop() -> SimEvent? { heap.popMin() }
}

/// A seeded, reproducible run of one `Source` and N `Receiver`s over lossy
/// links, on the virtual clock. Multicast from the source is one queued
/// event that reaches every receiver when it fires (receivers whose link adds
/// jitter, reordering or a duplicate get their own event), so the queue
/// holds O(packets in flight + receivers), not O(packets × receivers).
public struct Simulation {
    public let configuration: SimulationConfiguration
    public private(set) var source: Source
    public private(set) var receivers: [Receiver]
    public private(set) var now = VirtualTime.zero
    public private(set) var report = SimulationReport()

    var queue = EventQueue()
    var rng: SeededRandom
    var scheduled: [VirtualTime]
    var sourceScheduled = VirtualTime.never
    var downBad: [Bool]
    var upBad: [Bool]
    // Packets in flight.
    var packets: [PGMPacket] = []
    var packetSenders: [Int32] = []  // -1 the source, else a receiver index
    var references: [Int32] = []
    var free: [Int32] = []
    // Outboxes, reused.
    var sourceOut = Outbox<SourceEvent>()
    var receiverOut = Outbox<ReceiverEvent>()
    // What was sent and what each receiver did with it.
    let sourceAddress: PGMNLA
    let groupAddress: PGMNLA
    var receiverAddresses: [PGMNLA]
    var messageFirst: [Int64] = []  // sqn offset of each message's first TPDU
    var nextMessage: [Int32]
    var lossLow: [Int64]
    var lossHigh: [Int64]
    var ended: [Bool]
    var endedCount = 0
    var sent = 0
    var closed = false
    var totalTPDUs = 0
    var lostBits: [UInt64]
    var lostAny: [Bool]
    var arrival: [Int64]
    var latencies: [Int32] = []
    var bytesByType = [Int](repeating: 0, count: 16)

    public init(_ configuration: SimulationConfiguration) throws(SourceError) {
        self.configuration = configuration
        let n = max(0, configuration.receivers)
        rng = SeededRandom(seed: configuration.seed, stream: 0)
        let sourceAddress = PGMNLA.ipv4(IPv4Address(10, 0, 0, 1))
        let groupAddress = PGMNLA.ipv4(IPv4Address(239, 1, 2, 3))
        self.sourceAddress = sourceAddress
        self.groupAddress = groupAddress
        let sourceConfig = SourceConfiguration(gsi: GSI(rawValue: 0x0A00_0001_0001 ^ configuration.seed),
                                               sourcePort: 7500, destinationPort: 7501, group: groupAddress,
                                               address: sourceAddress, initialSequence: 0)
        source = try Source(sourceConfig, parameters: configuration.parameters, fec: configuration.fec,
                            pgmcc: configuration.pgmcc)
        let receiverAddresses = (0..<n).map { i in
            PGMNLA.ipv4(IPv4Address(rawValue: 0x0A01_0000 &+ UInt32(i)))
        }
        self.receiverAddresses = receiverAddresses
        receivers = (0..<n).map { i in
            Receiver(address: receiverAddresses[i], group: groupAddress, port: 7501,
                     parameters: configuration.parameters, parityNAKs: configuration.parityNAKs,
                     pgmcc: configuration.pgmcc.map { _ in PGMCCReceiverParameters() },
                     random: SeededRandom(seed: configuration.seed, stream: UInt64(i) + 1))
        }
        scheduled = Array(repeating: .never, count: n)
        downBad = Array(repeating: false, count: n)
        upBad = Array(repeating: false, count: n)
        nextMessage = Array(repeating: 0, count: n)
        lossLow = Array(repeating: .max, count: n)
        lossHigh = Array(repeating: .min, count: n)
        ended = Array(repeating: false, count: n)
        // Every message has the same size, so the TPDU count is known now.
        var total = 0
        let pgmccBytes = configuration.pgmcc == nil ? 0 : Source.pgmccDataLength(source: sourceAddress)
        for i in 0..<configuration.messages {
            messageFirst.append(Int64(total))
            total += Source.fragmentSizes(apduSize: configuration.messageSize, syn: i == 0,
                                          parameters: configuration.parameters, fec: configuration.fec != nil,
                                          pgmccBytes: pgmccBytes).count
        }
        messageFirst.append(Int64(total))
        totalTPDUs = total
        lostBits = Array(repeating: 0, count: (n * total + 63) / 64)
        lostAny = Array(repeating: false, count: total)
        arrival = Array(repeating: 0, count: total)
        report.receivers = n
        report.messages = configuration.messages
        report.tpdus = total
        report.seed = configuration.seed
        report.expectedAPDUs = n * configuration.messages
        if configuration.messageInterval <= 0 {
            queue.push(.zero, .appSend, target: -1)
        } else {
            queue.push(.zero, .appSend, target: 0)
        }
        scheduleSource()
    }

    /// The bytes of message `i`.
    public static func message(_ i: Int, size: Int) -> [UInt8] {
        var m = [UInt8](repeating: 0, count: max(size, 4))
        let id = UInt32(truncatingIfNeeded: i)
        m[0] = UInt8(id >> 24)
        m[1] = UInt8(id >> 16 & 0xFF)
        m[2] = UInt8(id >> 8 & 0xFF)
        m[3] = UInt8(id & 0xFF)
        var k = 4
        while k < m.count {
            m[k] = UInt8(truncatingIfNeeded: id &* 31 &+ UInt32(k))
            k += 1
        }
        return m
    }

    /// Runs until every receiver ended its session, nothing is left to do or
    /// the time limit; `progress` is called every 2^20 events.
    public mutating func run(progress: ((SimulationProgress) -> Void)? = nil) -> SimulationReport {
        var events = 0
        while let e = queue.pop() {
            if e.time > configuration.timeLimit.rawValue { break }
            now = VirtualTime(rawValue: e.time)
            events += 1
            if events & 0xFFFFF == 0, let progress {
                progress(SimulationProgress(now: now, events: events, deliveredAPDUs: report.deliveredAPDUs,
                                            expectedAPDUs: report.expectedAPDUs))
            }
            dispatch(e)
            if closed && endedCount == receivers.count { break }
        }
        report.events = events
        return finish()
    }

    mutating func dispatch(_ e: SimEvent) {
        switch e.kind {
        case .appSend:
            appSend(e.target)
        case .sourceTimer:
            guard sourceScheduled == now else { return }
            sourceScheduled = .never
            source.advance(to: now, into: &sourceOut)
            drainSource()
        case .receiverTimer:
            let r = Int(e.target)
            guard scheduled[r] == now else { return }
            scheduled[r] = .never
            receivers[r].advance(to: now, into: &receiverOut)
            drainReceiver(r)
        case .fanOut:
            fanOut(e.packet)
        case .toReceiver:
            deliver(packets[Int(e.packet)], to: Int(e.target))
            release(e.packet)
        case .toSource:
            let from = packetSenders[Int(e.packet)]
            source.receive(packets[Int(e.packet)], from: receiverAddresses[Int(from)], at: now, into: &sourceOut)
            release(e.packet)
            drainSource()
        case .linkLocalFanOut:
            let p = packets[Int(e.packet)]
            for r in 0..<receivers.count where r != Int(e.target) {
                report.receptions += 1
                receivers[r].receive(p, from: receiverAddresses[Int(e.target)], at: now, into: &receiverOut)
                drainReceiver(r)
            }
            release(e.packet)
        }
    }

    mutating func appSend(_ target: Int32) {
        let size = configuration.messageSize
        if target < 0 {
            for i in 0..<configuration.messages { sendMessage(i, size) }
            source.close(at: now, into: &sourceOut)
            closed = true
        } else {
            let i = Int(target)
            if i < configuration.messages {
                sendMessage(i, size)
                queue.push(now + configuration.messageInterval, .appSend, target: target + 1)
            } else {
                source.close(at: now, into: &sourceOut)
                closed = true
            }
        }
        drainSource()
    }

    mutating func sendMessage(_ i: Int, _ size: Int) {
        let m = Self.message(i, size: size)
        // Sizes were checked when the TPDU count was computed.
        _ = try? source.send(m, at: now, into: &sourceOut)
        sent += 1
    }

    // MARK: Packets

    mutating func store(_ p: PGMPacket, sender: Int32, references r: Int32) -> Int32 {
        if let i = free.popLast() {
            packets[Int(i)] = p
            packetSenders[Int(i)] = sender
            references[Int(i)] = r
            return i
        }
        packets.append(p)
        packetSenders.append(sender)
        references.append(r)
        return Int32(packets.count - 1)
    }

    mutating func retain(_ i: Int32) { references[Int(i)] += 1 }

    mutating func release(_ i: Int32) {
        references[Int(i)] -= 1
        if references[Int(i)] == 0 {
            packets[Int(i)] = Self.placeholder
            free.append(i)
        }
    }

    static let placeholder = PGMPacket(sourcePort: 0, destinationPort: 0, gsi: GSI(rawValue: 0), body: .spmr)

    mutating func count(_ p: PGMPacket) {
        let bytes = ipv4HeaderLength + p.encodedLength
        bytesByType[Int(p.type.rawValue & 0x0F)] += bytes
    }

    // MARK: Source side

    mutating func scheduleSource() {
        if let d = source.nextDeadline, d < sourceScheduled {
            sourceScheduled = max(d, now)
            queue.push(sourceScheduled, .sourceTimer)
        }
    }

    mutating func drainSource() {
        for t in sourceOut.packets {
            count(t.packet)
            let i = store(t.packet, sender: -1, references: 1)
            queue.push(now + configuration.downstream.delay, .fanOut, packet: i)
        }
        sourceOut.removeAll()
        scheduleSource()
    }

    /// A multicast packet from the source reaches every receiver's link.
    mutating func fanOut(_ index: Int32) {
        let p = packets[Int(index)]
        let link = configuration.downstream
        var sqnOffset = -1
        var isRDATA = false
        // Parity packets are no sequence's ODATA or RDATA: their losses and
        // arrivals are not the data's.
        switch p.body {
        case .odata(let d) where !p.flags.contains(.parity):
            sqnOffset = Int(d.sequence)
            if sqnOffset < totalTPDUs { arrival[sqnOffset] = now.rawValue }
        case .rdata(let d) where !p.flags.contains(.parity):
            sqnOffset = Int(d.sequence)
            isRDATA = true
        default:
            break
        }
        let isODATA = sqnOffset >= 0 && !isRDATA && sqnOffset < totalTPDUs
        let plain = link.jitter == 0 && link.reorder == 0 && link.duplicate == 0
        for r in 0..<receivers.count {
            if link.loss.drop(&downBad[r], &rng) {
                if isODATA {
                    let bit = r * totalTPDUs + sqnOffset
                    lostBits[bit >> 6] |= 1 << UInt64(bit & 63)
                    lostAny[sqnOffset] = true
                    report.lossInstances += 1
                }
                continue
            }
            if plain {
                deliver(p, to: r, sqnOffset: isRDATA ? sqnOffset : -1)
                continue
            }
            var extra: Int64 = link.jitter > 0 ? Int64(rng.below(UInt64(link.jitter) + 1)) : 0
            if rng.chance(link.reorder) { extra += link.reorderDelay }
            if extra == 0 {
                deliver(p, to: r, sqnOffset: isRDATA ? sqnOffset : -1)
            } else {
                retain(index)
                queue.push(now + extra, .toReceiver, target: Int32(r), packet: index)
            }
            if rng.chance(link.duplicate) {
                retain(index)
                queue.push(now + (extra + 1), .toReceiver, target: Int32(r), packet: index)
            }
        }
        release(index)
    }

    // MARK: Receiver side

    mutating func deliver(_ p: PGMPacket, to r: Int) {
        var sqnOffset = -1
        if case .rdata(let d) = p.body, !p.flags.contains(.parity) { sqnOffset = Int(d.sequence) }
        deliver(p, to: r, sqnOffset: sqnOffset)
    }

    @inline(__always)
    mutating func deliver(_ p: PGMPacket, to r: Int, sqnOffset: Int) {
        if sqnOffset >= 0 && sqnOffset < totalTPDUs {
            let bit = r * totalTPDUs + sqnOffset
            if lostBits[bit >> 6] & (1 << UInt64(bit & 63)) != 0 {
                lostBits[bit >> 6] &= ~(1 << UInt64(bit & 63))
                latencies.append(Int32(clamping: now.rawValue - arrival[sqnOffset]))
            }
        }
        report.receptions += 1
        receivers[r].receive(p, from: sourceAddress, at: now, into: &receiverOut)
        drainReceiver(r)
    }

    mutating func drainReceiver(_ r: Int) {
        if !receiverOut.packets.isEmpty || !receiverOut.events.isEmpty {
            for t in receiverOut.packets { send(t, from: r) }
            for e in receiverOut.events { check(e, r) }
            receiverOut.removeAll()
        }
        if let d = receivers[r].nextDeadline, d < scheduled[r] {
            scheduled[r] = max(d, now)
            queue.push(scheduled[r], .receiverTimer, target: Int32(r))
        }
    }

    mutating func send(_ t: Transmission, from r: Int) {
        count(t.packet)
        switch t.destination {
        case .group(let linkLocal):
            guard linkLocal else { return }
            let i = store(t.packet, sender: Int32(r), references: 1)
            queue.push(now + configuration.downstream.delay, .linkLocalFanOut, target: Int32(r), packet: i)
        case .unicast:
            let link = configuration.upstream
            if link.loss.drop(&upBad[r], &rng) { return }
            var extra: Int64 = link.jitter > 0 ? Int64(rng.below(UInt64(link.jitter) + 1)) : 0
            if rng.chance(link.reorder) { extra += link.reorderDelay }
            let i = store(t.packet, sender: Int32(r), references: 1)
            queue.push(now + (link.delay + extra), .toSource, packet: i)
            if rng.chance(link.duplicate) {
                retain(i)
                queue.push(now + (link.delay + extra + 1), .toSource, packet: i)
            }
        }
    }

    /// Checks an application event against what the source sent.
    mutating func check(_ e: ReceiverEvent, _ r: Int) {
        switch e {
        case .data(_, let sequence, let apdu):
            let size = max(configuration.messageSize, 4)
            guard apdu.count == size else { report.corrupt += 1; return }
            let s = apdu.startIndex
            let id = Int(UInt32(apdu[s]) << 24 | UInt32(apdu[s + 1]) << 16 | UInt32(apdu[s + 2]) << 8 | UInt32(apdu[s + 3]))
            guard id < configuration.messages, messageFirst[id] == Int64(sequence.rawValue) else {
                report.corrupt += 1
                return
            }
            if configuration.verifyContent {
                if !apdu.elementsEqual(Self.message(id, size: size)) { report.corrupt += 1 }
            } else if apdu[apdu.endIndex - 1] != UInt8(truncatingIfNeeded: UInt32(id) &* 31 &+ UInt32(size - 1))
                        && size > 4 {
                report.corrupt += 1
            }
            let expected = Int(nextMessage[r])
            if id < expected {
                report.duplicatesOrReordered += 1
                return
            }
            checkSkipped(r, upTo: id)
            nextMessage[r] = Int32(id + 1)
            report.deliveredAPDUs += 1
        case .loss(_, let first, let count):
            report.unrecoverableSequences += Int(count)
            lossLow[r] = min(lossLow[r], Int64(first.rawValue))
            lossHigh[r] = max(lossHigh[r], Int64(first.rawValue) + Int64(count) - 1)
        case .sessionEnded(_, let reason):
            if reason == .finished { checkSkipped(r, upTo: configuration.messages) }
            if !ended[r] {
                ended[r] = true
                endedCount += 1
                if reason == .finished { report.receiversFinished += 1 }
            }
        }
    }

    /// Every message skipped before `id` must touch a reported loss.
    mutating func checkSkipped(_ r: Int, upTo id: Int) {
        var k = Int(nextMessage[r])
        while k < id {
            let lo = messageFirst[k]
            let hi = messageFirst[k + 1] - 1
            if hi < lossLow[r] || lo > lossHigh[r] { report.unreportedGaps += 1 }
            k += 1
        }
        nextMessage[r] = Int32(max(Int(nextMessage[r]), id))
        lossLow[r] = .max
        lossHigh[r] = .min
    }

    // MARK: Results

    mutating func finish() -> SimulationReport {
        var rep = report
        rep.endTimeus = now.rawValue
        rep.deliveredPercent = rep.expectedAPDUs == 0 ? 100 : 100 * Double(rep.deliveredAPDUs) / Double(rep.expectedAPDUs)
        rep.lostSequences = lostAny.reduce(0) { $0 + ($1 ? 1 : 0) }
        let s = source.statistics
        rep.naksAtSource = s.naksReceived
        rep.ncfs = s.ncfsSent
        rep.rdata = s.rdataSent
        rep.spms = s.spmsSent
        rep.naksSent = receivers.reduce(0) { $0 + $1.statistics.naksSent }
        rep.spmrs = receivers.reduce(0) { $0 + $1.statistics.spmrsSent }
        let lost = Double(max(rep.lostSequences, 1))
        rep.naksPerLostSequence = Double(s.naksReceived) / lost
        rep.ncfsPerLostSequence = Double(s.ncfsSent) / lost
        rep.rdataPerLostSequence = Double(s.rdataSent) / lost
        rep.paritySentProactive = s.paritySentProactive
        rep.paritySentOnDemand = s.paritySentOnDemand
        rep.parityNaksSent = receivers.reduce(0) { $0 + $1.statistics.parityNaksSent }
        rep.groupsRebuilt = receivers.reduce(0) { $0 + $1.statistics.groupsRebuilt }
        rep.repairPacketsPerLostSequence = Double(s.rdataSent + s.paritySentProactive + s.paritySentOnDemand) / lost
        rep.receiverNaksPerLostSequence = Double(rep.naksSent) / lost
        rep.receiverRepairs = receivers.reduce(0) { $0 + $1.statistics.repairs }
        rep.acksSent = receivers.reduce(0) { $0 + $1.statistics.acksSent }
        if let cc = source.pgmccState {
            rep.ackerChanges = cc.statistics.ackerChanges
            rep.congestionEvents = cc.statistics.congestionEvents
            rep.pgmccTimeouts = cc.statistics.timeouts
            rep.windowLimited = cc.statistics.windowLimited
            rep.finalWindow = Double(cc.window) / Double(PGMCCSourceState.one)
        }
        let repairTime = receivers.reduce(Int64(0)) { $0 + $1.statistics.repairMicrosecondsTotal }
        rep.meanRepairus = rep.receiverRepairs == 0 ? 0 : repairTime / Int64(rep.receiverRepairs)
        latencies.sort()
        rep.latencySamples = latencies.count
        if let last = latencies.last {
            rep.latencyMaxus = Int64(last)
            rep.latencyP50us = Int64(latencies[(latencies.count - 1) / 2])
            rep.latencyP99us = Int64(latencies[min(latencies.count - 1, latencies.count * 99 / 100)])
        }
        rep.payloadBytes = sent * configuration.messageSize
        var total = 0
        for t in PGMPacketType.allCases {
            let b = bytesByType[Int(t.rawValue)]
            if b > 0 { rep.bytesByType[t.description] = b }
            total += b
        }
        rep.overheadBytes = total - rep.payloadBytes
        return rep
    }
}

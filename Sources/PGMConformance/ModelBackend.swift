import PGMModel
import PGMTypes
import PGMWire

/// The executable reference model (PGMModel) as the implementation under
/// test, on a virtual clock: a scenario runs in microseconds of real time
/// and its timing is exact.
///
/// Injected octets go through the same codec a receiver's input path uses
/// (PGMWire, checksum verified): a damaged packet is counted and dropped
/// there, as the kernel's validator drops it.
public final class ModelBackend: ConformanceBackend {
    public let name = "model"
    public let tolerance = Tolerance.exact
    public private(set) var now: Int64 = 0
    /// Injected packets the codec refused.
    public private(set) var malformed = 0

    var source: Source?
    var receiver: Receiver?
    var sourceOut = Outbox<SourceEvent>()
    var receiverOut = Outbox<ReceiverEvent>()
    var pending: [Observation] = []
    var network = Network(port: 0)
    let seed: UInt64

    /// `seed` drives the receiver's random back-offs.
    public init(seed: UInt64 = 1) { self.seed = seed }

    public var sourceTSI: TSI? { source?.configuration.tsi }

    public func start(_ scenario: Scenario, network: Network) throws(BackendError) {
        self.network = network
        now = 0
        malformed = 0
        pending = []
        var parameters = Parameters()
        var parityNAKs = false
        for (name, value) in scenario.options {
            // FEC_NAK: the receiver's PGM_FEC_NAK, a socket flag, not a tunable.
            if name == "FEC_NAK" { parityNAKs = value != 0; continue }
            do { try parameters.set(name, to: value) } catch { throw BackendError("model: set \(name) \(value): \(error)") }
        }
        do { try parameters.validate() } catch { throw BackendError("model: \(error)") }
        switch scenario.role {
        case .source:
            // A first sequence number just short of the wrap: every scenario
            // exercises serial-number arithmetic (RFC 3208 section 8).
            let config = SourceConfiguration(
                gsi: GSI(0x4D, 0x4F, 0x44, 0x45, 0x4C, 0x01), sourcePort: 5001,
                destinationPort: network.port, group: .ipv4(network.group), address: .ipv4(network.iut),
                initialSequence: 0xFFFF_FFFA)
            var cc: PGMCCSourceParameters?
            if let p = scenario.pgmcc {
                cc = PGMCCSourceParameters()
                if let v = p.slowStartThreshold { cc?.slowStartThreshold = v }
            }
            var confirm: ConfirmSourceParameters?
            if let c = scenario.confirm {
                let d = ConfirmSourceParameters()
                confirm = ConfirmSourceParameters(expiry: c.expiry ?? d.expiry, maximum: c.maximum ?? d.maximum,
                                                  flow: c.flow)
            }
            do {
                source = try Source(config, parameters: parameters, fec: scenario.fec, pgmcc: cc, confirm: confirm,
                                    start: .zero)
            } catch {
                throw BackendError("model: \(error)")
            }
            receiver = nil
        case .receiver:
            var cc: PGMCCReceiverParameters?
            if let p = scenario.pgmcc {
                let d = PGMCCReceiverParameters()
                cc = PGMCCReceiverParameters(lossWeight: p.lossWeight ?? d.lossWeight,
                                             electionBackOff: p.electionBackOff ?? d.electionBackOff)
            }
            let confirm = scenario.confirm.map { c in
                c.interval.map { ConfirmReceiverParameters(interval: $0) } ?? ConfirmReceiverParameters()
            }
            receiver = Receiver(address: .ipv4(network.iut), group: .ipv4(network.group), port: network.port,
                                parameters: parameters, parityNAKs: parityNAKs, pgmcc: cc, confirm: confirm,
                                random: SeededRandom(seed: seed))
            source = nil
        }
        // Whatever the IUT does at its start (the first SPM).
        advanceTimers()
    }

    public func send(_ apdu: [UInt8]) throws(BackendError) {
        guard source != nil else { throw BackendError("send: the IUT is not a source") }
        do { try source?.send(apdu, at: VirtualTime(microseconds: now), into: &sourceOut) } catch {
            throw BackendError("send: \(error)")
        }
        drain()
    }

    public func close(reset: Bool) throws(BackendError) {
        let t = VirtualTime(microseconds: now)
        if source != nil {
            if reset {
                do { try source?.abort(at: t, into: &sourceOut) } catch { throw BackendError("close: \(error)") }
            } else {
                source?.close(at: t, into: &sourceOut)
            }
            drain()
        } else {
            // A confirming receiver says BYE (docs/confirmed-delivery.md R5).
            receiver?.close(at: t, into: &receiverOut)
            drain()
            receiver = nil
        }
    }

    public func inject(_ bytes: [UInt8], from peer: Int, multicast: Bool) throws(BackendError) {
        let packet: PGMPacket
        do { packet = try PGMPacket.decode(bytes) } catch {
            malformed += 1
            return
        }
        let t = VirtualTime(microseconds: now)
        let from = PGMNLA.ipv4(network.peer(peer))
        source?.receive(packet, from: from, at: t, into: &sourceOut)
        receiver?.receive(packet, from: from, at: t, into: &receiverOut)
        drain()
    }

    public func poll(until deadline: Int64) throws(BackendError) -> [Observation] {
        while pending.isEmpty {
            let next = source?.nextDeadline ?? receiver?.nextDeadline
            guard let next, next.rawValue <= deadline else {
                now = max(now, deadline)
                return []
            }
            now = max(now, next.rawValue)
            let before = source?.confirmed
            advanceTimers()
            // A change of CONFIRMED is seen by `expect confirmed` when it
            // happens, even when no packet goes with it.
            if source?.confirmed != before { break }
        }
        defer { pending = [] }
        return pending
    }

    public func confirmed() throws(BackendError) -> ConfirmedView {
        guard let source else { throw BackendError("model: the IUT is not a source") }
        let c = source.confirmed
        return ConfirmedView(sequence: c.sqn?.rawValue, receivers: c.receivers, refused: Int(c.refused))
    }

    public func stop() {
        source = nil
        receiver = nil
        pending = []
    }

    func advanceTimers() {
        let t = VirtualTime(microseconds: now)
        source?.advance(to: t, into: &sourceOut)
        receiver?.advance(to: t, into: &receiverOut)
        drain()
    }

    /// Moves what the model put in its outboxes into observations.
    func drain() {
        for tx in sourceOut.packets + receiverOut.packets {
            var to: IPv4Address?
            var multicast = false
            switch tx.destination {
            case .group: multicast = true
            case .unicast(let nla): if case .ipv4(let a) = nla { to = a }
            }
            pending.append(.packet(Seen(time: now, packet: tx.packet, multicast: multicast, destination: to)))
        }
        for e in receiverOut.events {
            switch e {
            case .data(let tsi, let sequence, let apdu):
                pending.append(.event(time: now, .deliver(tsi: tsi, sequence: sequence.rawValue, bytes: Array(apdu))))
            case .loss(let tsi, let first, let count):
                pending.append(.event(time: now, .loss(tsi: tsi, first: first.rawValue, count: count)))
            case .sessionEnded(let tsi, let reason):
                pending.append(.event(time: now, .end(tsi: tsi, reason: reason.reason)))
            }
        }
        sourceOut.removeAll()
        receiverOut.removeAll()
    }
}

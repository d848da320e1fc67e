import PGMWire

// Confirmed delivery, the source's part (docs/confirmed-delivery.md, "The
// rules, exactly", S1-S8): the set of live confirming receivers, keyed by
// the address their ACKs come from and their RECEIVER ID; the least
// CONFIRMED among them; optionally, a transmit window whose trail waits for
// the slowest of them.

/// What a source confirming delivery uses (the kernel's `PGM_CONFIRM`,
/// `PGM_CONFIRM_EXPIRY`, `PGM_CONFIRM_MAX`, `PGM_CONFIRM_FLOW`).
public struct ConfirmSourceParameters: Hashable, Sendable {
    /// A receiver not heard for this long is removed (S5), µs.
    public var expiry: Int64
    /// At most this many receivers; a new one past it is refused (S4).
    public var maximum: Int
    /// Flow control (S8): the trail does not pass CONFIRMED + 1 while a
    /// receiver is live.
    public var flow: Bool

    public init(expiry: Int64 = 3_000_000, maximum: Int = 1024, flow: Bool = false) {
        self.expiry = max(1, expiry)
        self.maximum = max(1, maximum)
        self.flow = flow
    }
}

/// Why a confirming receiver was removed.
public enum ConfirmLeaveReason: String, Hashable, Sendable {
    /// Its BYE (S3).
    case bye
    /// Its BYE with LOST (S3), or the trail passed its CONFIRMED + 1 (S6):
    /// it cannot have everything.
    case lost
    /// Not heard for the expiry (S5).
    case expired
}

/// The source's CONFIRMED as its application reads it (S7; the kernel's
/// `getsockopt(PGM_CONFIRMED)`).
public struct ConfirmedState: Hashable, Sendable, CustomStringConvertible {
    /// The least CONFIRMED of the live receivers; nil while there are none.
    public var sqn: SequenceNumber?
    /// Live receivers.
    public var receivers: Int
    /// Receivers refused at the maximum, since the start.
    public var refused: UInt64

    public init(sqn: SequenceNumber?, receivers: Int, refused: UInt64) {
        self.sqn = sqn
        self.receivers = receivers
        self.refused = refused
    }

    public var description: String {
        "confirmed \(sqn.map { "\($0.rawValue)" } ?? "none") receivers=\(receivers) refused=\(refused)"
    }
}

/// A live confirming receiver, as a source knows it.
public struct ConfirmReceiver: Hashable, Sendable {
    /// The IP source address of its ACKs.
    public var address: PGMNLA
    /// Its RECEIVER ID.
    public var id: UInt32
    /// The highest CONFIRMED it sent (clamped to the lead).
    public var confirmed: SequenceNumber
    /// When its last ACK came.
    public var lastHeard: VirtualTime
}

/// The receivers of a confirming source, in the order they joined (with
/// removals filling their slot from the end), and an index by key.
struct ConfirmSourceState: Sendable {
    struct Key: Hashable, Sendable {
        var address: PGMNLA
        var id: UInt32
    }

    var receivers: [ConfirmReceiver] = []
    var index: [Key: Int] = [:]
    /// When the last `receiverRefused` event went (one a second at most).
    var lastRefusedEvent: VirtualTime?
    /// ODATA waits for CONFIRMED to move (S8): counted once per wait.
    var flowBlocked = false

    /// S7: the least CONFIRMED, in sequence-number order.
    var minimum: SequenceNumber? {
        var m: SequenceNumber?
        for r in receivers where m.map({ r.confirmed < $0 }) ?? true { m = r.confirmed }
        return m
    }

    mutating func add(_ r: ConfirmReceiver) {
        index[Key(address: r.address, id: r.id)] = receivers.count
        receivers.append(r)
    }

    mutating func remove(at i: Int) {
        let r = receivers[i]
        index[Key(address: r.address, id: r.id)] = nil
        let last = receivers.count - 1
        if i != last {
            receivers.swapAt(i, last)
            let moved = receivers[i]
            index[Key(address: moved.address, id: moved.id)] = i
        }
        receivers.removeLast()
    }
}

extension Source {
    /// S7: the least CONFIRMED of the live receivers, how many there are,
    /// and how many were refused. Nothing while the source does not confirm.
    public var confirmed: ConfirmedState {
        ConfirmedState(sqn: confirmState?.minimum, receivers: confirmState?.receivers.count ?? 0,
                       refused: UInt64(statistics.confirmRefused))
    }

    /// The live confirming receivers.
    public var confirmReceivers: [ConfirmReceiver] { confirmState?.receivers ?? [] }

    /// S8: the furthest the trail may go now, CONFIRMED + 1, when flow
    /// control holds it (a receiver is live); nil when nothing holds it.
    var confirmFlowLimit: SequenceNumber? {
        guard let p = confirm, p.flow, let m = confirmState?.minimum else { return nil }
        return m.advanced(by: 1)
    }

    /// S8: whether the trail may move by one now.
    var confirmMayDropTrail: Bool { confirmFlowLimit.map { trail < $0 } ?? true }

    /// S5: when the first receiver expires.
    var confirmDeadline: VirtualTime? {
        guard let p = confirm, let st = confirmState else { return nil }
        var d: VirtualTime?
        for r in st.receivers { d = earliest(d, r.lastHeard + p.expiry) }
        return d
    }

    /// An ACK with OPT_CONFIRM from `sender` (S1-S4). Nothing is sent in
    /// answer; the caller pumps, for flow control (S8) may let ODATA go.
    mutating func onConfirmACK(_ options: PGMOptions, sender: PGMNLA, now: VirtualTime,
                               out: inout Outbox<SourceEvent>) {
        guard let p = confirm, var st = confirmState,
              case .confirm(let raw, let id, _, let bye, let lost)? = options.first(type: PGMOptionType.confirm)?.kind
        else { return }
        statistics.confirmAcks += 1
        // S2: never beyond what was sent.
        var claimed = SequenceNumber(raw)
        if claimed > lead {
            claimed = lead
            statistics.confirmFuture += 1
        }
        let key = ConfirmSourceState.Key(address: sender, id: id)
        if let i = st.index[key] {
            // S3: a receiver it knows.
            if bye {
                st.remove(at: i)
                if lost { statistics.confirmLost += 1 } else { statistics.confirmLeaves += 1 }
                out.events.append(.receiverLeft(address: sender, id: id, reason: lost ? .lost : .bye))
            } else {
                if claimed < st.receivers[i].confirmed {
                    statistics.confirmStale += 1
                } else {
                    st.receivers[i].confirmed = claimed
                }
                st.receivers[i].lastHeard = now
            }
        } else if bye {
            // S4: a BYE from a receiver it does not know.
            statistics.confirmStale += 1
        } else if claimed < trail.advanced(by: UInt32.max) {
            // S4: it can no longer get what follows its CONFIRMED.
            statistics.confirmBehind += 1
        } else if st.receivers.count >= p.maximum {
            // S4: the bound; said, at most once a second.
            statistics.confirmRefused += 1
            if st.lastRefusedEvent.map({ now >= $0 + Int64(1_000_000) }) ?? true {
                st.lastRefusedEvent = now
                out.events.append(.receiverRefused(address: sender, id: id))
            }
        } else {
            // S4: JOIN or not, it joins.
            st.add(ConfirmReceiver(address: sender, id: id, confirmed: claimed, lastHeard: now))
            statistics.confirmJoins += 1
            out.events.append(.receiverJoined(address: sender, id: id, confirmed: claimed))
        }
        confirmState = st
    }

    /// S5: receivers not heard for the expiry are removed.
    mutating func confirmExpire(now: VirtualTime, out: inout Outbox<SourceEvent>) {
        guard let p = confirm else { return }
        confirmRemove(reason: .expired, out: &out) { $0.lastHeard + p.expiry <= now }
    }

    /// S6: the trail moved: a receiver whose CONFIRMED + 1 it passed can no
    /// longer be repaired, and is removed.
    mutating func confirmTrailMoved(out: inout Outbox<SourceEvent>) {
        let trail = self.trail
        confirmRemove(reason: .lost, out: &out) { $0.confirmed.advanced(by: 1) < trail }
    }

    /// Removes the receivers `gone` says are, each counted by `reason`
    /// (expired or lost) and announced.
    mutating func confirmRemove(reason: ConfirmLeaveReason, out: inout Outbox<SourceEvent>,
                                _ gone: (ConfirmReceiver) -> Bool) {
        guard var st = confirmState, !st.receivers.isEmpty else { return }
        var i = 0
        while i < st.receivers.count {
            let r = st.receivers[i]
            guard gone(r) else {
                i += 1
                continue
            }
            st.remove(at: i)
            if reason == .expired { statistics.confirmExpired += 1 } else { statistics.confirmLost += 1 }
            out.events.append(.receiverLeft(address: r.address, id: r.id, reason: reason))
        }
        confirmState = st
    }

    /// S8: whether ODATA that moves the trail to `newTrail` may go; held
    /// back, counted once per wait.
    mutating func confirmMaySend(newTrail: SequenceNumber) -> Bool {
        guard let limit = confirmFlowLimit, newTrail > limit else { return true }
        if confirmState?.flowBlocked == false {
            confirmState?.flowBlocked = true
            statistics.flowLimited += 1
        }
        return false
    }

    /// An ODATA left: a wait, if any, is over.
    mutating func confirmSent() {
        if confirmState?.flowBlocked == true { confirmState?.flowBlocked = false }
    }
}

import PGMFEC
import PGMWire

// The receiver's FEC (RFC 3208 section 11.5, docs/fec.md's plan): parity
// packets are kept per transmission group beside the window, a group is
// rebuilt as soon as it holds k distinct packets and the rebuilt originals
// enter their slots as if received; with on-demand parity offered, a whole
// group's losses are asked for with one parity NAK.

/// What a session's SPMs said of FEC (OPT_PARITY_PRM) and the groups in its
/// window.
struct PeerFEC: Sendable {
    var groups: TransmissionGroups
    var proactive: Bool
    var onDemand: Bool
    /// RS(255, k): a parity packet depends on its number and k only, so the
    /// source's n need not be known.
    var code: ReedSolomon
    /// Groups with originals or parity held, by TG_SQN.
    var state: [UInt32: FECGroupState] = [:]
}

/// One transmission group at a receiver.
struct FECGroupState: Sendable {
    /// The originals received, by place, kept until the group's last packet
    /// leaves the window (those delivered are needed to rebuild the others).
    var originals: [Int: FECOriginal] = [:]
    /// Parity packets held, by number.
    var parity: [Int: ParityContent] = [:]
    /// Every original is there (received or rebuilt): parity is not needed.
    var complete = false
    /// Its parity did not rebuild it exactly: no parity is taken for it any
    /// more, and its losses are NAKed selectively.
    var failed = false
    /// Its parity NAKs ran out of retries: its losses are NAKed selectively.
    var selectiveOnly = false

    /// Whether `p` fits the group: the same length, OPT_VAR_PKTLEN and
    /// encoded options as the parity held, a length every original held
    /// fits (equal to it without OPT_VAR_PKTLEN, padded to it with), and an
    /// encoded OPT_FRAGMENT when an original has OPT_FRAGMENT.
    func fits(_ p: ParityContent) -> Bool {
        if p.variableLength && p.payload.count < PGMParity.trailerLength { return false }
        if let f = p.encodedFragment, f.count != PGMParity.fragmentEncodedLength { return false }
        if let other = parity.values.first {
            guard other.variableLength == p.variableLength, other.payload.count == p.payload.count,
                  (other.encodedFragment == nil) == (p.encodedFragment == nil)
            else { return false }
        }
        return originals.values.allSatisfy { fits($0, p) }
    }

    /// Whether original `o` fits parity `p`.
    func fits(_ o: FECOriginal, _ p: ParityContent) -> Bool {
        if o.fragmentFields != nil && p.encodedFragment == nil { return false }
        return p.variableLength ? o.payload.count <= p.paddedLength : o.payload.count == p.paddedLength
    }
}

extension Peer {
    /// A session takes a group size at most once per this many microseconds
    /// (the kernel's `PGM_FEC_K_HOLD_MS`).
    static let fecGroupSizeHold: Int64 = 1_000_000

    /// OPT_PARITY_PRM in an in-sequence SPM (section 11.5): the group size
    /// and what the source offers. A group size that is not a power of two
    /// from 2 to 128 is ignored; a new one forgets the groups held, and is
    /// taken only `fecGroupSizeHold` after the last (section 11.8.1 names
    /// no bound; this one keeps an SPM from making the receiver re-sort its
    /// window more than once a second).
    mutating func learnFEC(proactive: Bool, onDemand: Bool, groupSize: UInt32, now: VirtualTime,
                           ctx: inout ReceiverContext) {
        guard let groups = TransmissionGroups(k: groupSize) else { return }
        if var f = fec, f.groups == groups {
            f.proactive = proactive
            f.onDemand = onDemand
            fec = f
            return
        }
        // Taking a size sorts the window's held data into its groups: once
        // per hold at most, whatever the SPMs say.  A change sooner turns
        // FEC off, so that no parity is decoded with a size the source no
        // longer uses, until an SPM after the hold.
        if let t = fecGroupSizeTaken, now - t < Peer.fecGroupSizeHold {
            ctx.statistics.fecGroupSizeRefused += 1
            fec = nil
            return
        }
        fecGroupSizeTaken = now
        let code: ReedSolomon
        if let c = ctx.codes[groupSize] {
            code = c
        } else {
            guard let c = try? ReedSolomon(n: 255, k: Int(groupSize)) else { return }
            ctx.codes[groupSize] = c
            code = c
        }
        var f = PeerFEC(groups: groups, proactive: proactive, onDemand: onDemand, code: code)
        // What the window holds already belongs to its groups; the group of
        // `next` lost what it delivered before, and is repaired selectively.
        if started {
            let first = groups.start(of: next.rawValue)
            if SequenceNumber(first) < next { f.state[first, default: FECGroupState()].selectiveOnly = true }
            for o in slots.indices {
                slots[o].viaParity = false
                guard slots[o].state == .received else { continue }
                let sqn = next.rawValue &+ UInt32(o)
                let fragment = slots[o].fragmented
                    ? (firstSequence: slots[o].fragmentFirst, offset: slots[o].fragmentOffset, length: slots[o].fragmentLength)
                    : nil
                f.state[groups.start(of: sqn), default: FECGroupState()].originals[groups.index(of: sqn)] =
                    FECOriginal(payload: slots[o].payload, fragment: fragment)
            }
            for (g, group) in f.state where group.originals.count == Int(groups.k) {
                var done = FECGroupState()
                done.complete = true
                f.state[g] = done
            }
        }
        fec = f
    }

    /// Forgets the groups wholly behind the window.
    mutating func pruneGroups() {
        guard var f = fec, !f.state.isEmpty else { return }
        let groups = f.groups
        f.state = f.state.filter { SequenceNumber(groups.last(of: $0.key)) >= next }
        fec = f
    }

    /// The offsets of the missing slots of `group` in the window.
    func missingOffsets(of group: UInt32, _ groups: TransmissionGroups) -> [Int] {
        var out: [Int] = []
        var s = max(SequenceNumber(group), next)
        let last = min(SequenceNumber(groups.last(of: group)), lead)
        while s <= last {
            let o = Int(next.distance(to: s))
            if slots[o].state == .missing { out.append(o) }
            s = s.advanced(by: 1)
        }
        return out
    }

    /// A parity packet, ODATA (proactive) or RDATA (on demand): kept with its
    /// group if it fits, and the group rebuilt when it holds k packets. It
    /// also shows the source sent the whole group (section 11.5, loss
    /// detection "upon receipt of any parity packet").
    mutating func onParity(_ d: PGMData, flags: PGMHeaderFlags, options: PGMOptions, now: VirtualTime,
                           ctx: inout ReceiverContext, out: inout Outbox<ReceiverEvent>) {
        guard started, !ended, let f = fec else {
            ctx.statistics.parityUnused += 1
            return
        }
        lastHeard = now
        let groups = f.groups
        var parityGroup: UInt32? = nil
        if !options.isEmpty {
            if case .parityGroup(let m)? = options.first(type: PGMOptionType.parityGroup)?.kind { parityGroup = m }
            // Groups are never shortened here: another size is not this session's.
            if case .currentGroupSize(let size)? = options.first(type: PGMOptionType.currentGroupSize)?.kind,
               size != groups.k {
                ctx.statistics.parityDropped += 1
                return
            }
        }
        let number = groups.parityNumber(sequence: d.sequence, parityGroup: parityGroup)
        guard number <= groups.highestParityNumber else {
            ctx.statistics.parityDropped += 1
            return
        }
        advertise(trail: SequenceNumber(d.trailingEdge), now: now, ctx: &ctx, out: &out)
        let g = groups.start(of: d.sequence)
        let last = SequenceNumber(groups.last(of: g))
        guard last >= next else {
            ctx.statistics.parityUnused += 1
            return
        }
        // As for data: nothing beyond RXW_SQNS moves the window.
        if last > lead && Int64(next.distance(to: last)) >= Int64(ctx.parameters.rxwSqns) {
            ctx.statistics.outsideWindow += 1
            return
        }
        let content = ParityContent(payload: Array(d.payload), variableLength: flags.contains(.variableLengthParity),
                                    encodedFragment: options.isEmpty ? nil : options.encodedFragment)
        var group = f.state[g] ?? FECGroupState()
        if group.complete || group.failed || group.parity[number] != nil {
            ctx.statistics.parityUnused += 1
            return
        }
        guard group.fits(content) else {
            ctx.statistics.parityDropped += 1
            return
        }
        if last > lead && extend(to: last, now: now, ctx: &ctx, out: &out) {
            let o = Int(next.distance(to: last))
            if slots[o].state == .missing { openNakState(offset: o, deadline: slotDeadline(o), now: now, ctx: &ctx) }
        }
        group.parity[number] = content
        fec?.state[g] = group
        rebuild(g, now: now, ctx: &ctx, out: &out)
    }

    /// Keeps an original received for its group, which it may complete or
    /// let rebuild. Parity held that it contradicts is dropped: the data is
    /// the source's.
    mutating func keep(_ sqn: UInt32, _ original: FECOriginal, now: VirtualTime, ctx: inout ReceiverContext,
                       out: inout Outbox<ReceiverEvent>) {
        guard let f = fec else { return }
        let g = f.groups.start(of: sqn)
        var group = f.state[g] ?? FECGroupState()
        if group.complete { return }
        group.originals[f.groups.index(of: sqn)] = original
        if let p = group.parity.values.first, !group.fits(original, p) {
            ctx.statistics.parityDropped += group.parity.count
            group.parity = [:]
        }
        if group.originals.count == Int(f.groups.k) {
            group = FECGroupState()
            group.complete = true
        }
        fec?.state[g] = group
        rebuild(g, now: now, ctx: &ctx, out: &out)
    }

    /// Rebuilds `group` if it holds k distinct packets, parity among them;
    /// the rebuilt originals fill their slots as received data does. A group
    /// that does not rebuild exactly loses its parity and is NAKed
    /// selectively from now on.
    mutating func rebuild(_ g: UInt32, now: VirtualTime, ctx: inout ReceiverContext, out: inout Outbox<ReceiverEvent>) {
        guard let f = fec, var group = f.state[g], !group.complete, !group.failed, !group.parity.isEmpty,
              group.originals.count + group.parity.count >= Int(f.groups.k)
        else { return }
        guard let rebuilt = ParityContent.rebuild(originals: group.originals, parity: group.parity, code: f.code) else {
            ctx.statistics.parityDropped += group.parity.count
            group.parity = [:]
            group.failed = true
            fec?.state[g] = group
            var retry: VirtualTime? = nil
            fallBackToSelective(g, retry: &retry, now: now, ctx: &ctx)
            return
        }
        ctx.statistics.groupsRebuilt += 1
        let held = group.originals
        var done = FECGroupState()
        done.complete = true
        fec?.state[g] = done
        for (i, o) in rebuilt.enumerated() where held[i] == nil {
            let s = SequenceNumber(g &+ UInt32(i))
            guard s >= next, s <= lead else { continue }
            let offset = Int(next.distance(to: s))
            guard slots[offset].state == .missing else { continue }
            fill(offset, payload: o.payload, fragment: o.fragmentFields, fin: false, now: now, ctx: &ctx)
        }
        deliver(now: now, ctx: &ctx, out: &out)
    }

    /// The group to ask parity for instead of `sqn` itself, if any: with
    /// on-demand parity offered and parity NAKs on, a group wholly in the
    /// window (not the session's leading partial group, not one the trail
    /// passed, all of it sent as far as we know) whose parity has not failed
    /// it nor run out of retries.
    func parityNAKGroup(_ sqn: UInt32, ctx: ReceiverContext) -> UInt32? {
        guard ctx.parityNAKs, let f = fec, f.onDemand else { return nil }
        let g = f.groups.start(of: sqn)
        let first = SequenceNumber(g)
        guard first >= windowStart, first >= trail, SequenceNumber(f.groups.last(of: g)) <= lead else { return nil }
        if let group = f.state[g], group.failed || group.selectiveOnly || group.complete { return nil }
        return g
    }

    /// Whether the NAK for missing `sqn` waits for its group to end (section
    /// 11.5: "loss detection occurs at transmission group boundaries"): with
    /// parity to come (proactive, or on demand with parity NAKs on), while
    /// the group is not whole as far as we know and the source is not idle
    /// inside it (an SPM with SPM_LEAD equal to RXW_LEAD, when "receivers MAY
    /// resort to selective NAKs"). The leading partial group does not wait.
    func waitsForGroupEnd(_ sqn: UInt32, ctx: ReceiverContext) -> Bool {
        guard let f = fec, f.proactive || (f.onDemand && ctx.parityNAKs) else { return false }
        let g = f.groups.start(of: sqn)
        guard SequenceNumber(g) >= windowStart, SequenceNumber(f.groups.last(of: g)) > lead else { return false }
        if let group = f.state[g], group.failed || group.selectiveOnly { return false }
        return spmLead != lead
    }

    /// The parity packets `group` needs: k less the distinct packets held
    /// (its missing originals less the parity held).
    func parityNeeded(_ group: UInt32) -> Int {
        guard let f = fec else { return 0 }
        let g = f.state[group]
        return Int(f.groups.k) - (g?.originals.count ?? 0) - (g?.parity.count ?? 0)
    }

    /// Queues a parity NAK for `group` (section 11.5): one NAK for all its
    /// missing packets, whose NAK state it carries from now on.
    mutating func requestParity(group g: UInt32, now: VirtualTime, ctx: inout ReceiverContext) {
        guard let groups = fec?.groups else { return }
        let missing = missingOffsets(of: g, groups)
        let count = parityNeeded(g)
        guard count >= 1, count <= Int(groups.k) else {
            // Cannot happen while every original received is kept; never
            // leave a loss without NAK state.
            var retry: VirtualTime? = nil
            fallBackToSelective(g, retry: &retry, now: now, ctx: &ctx)
            return
        }
        let deadline = now + ctx.parameters.nakRptIvl
        for o in missing {
            slots[o].viaParity = true
            setPhase(o, .waitNCF, deadline)
        }
        ctx.parityNAKList.append((g, count))
    }

    /// Sends the parity NAKs gathered: NAK_TG_SQN | NAK_PKT_CNT with
    /// OPT_PARITY, unicast to the path NLA (sections 11.3.1, 11.5).
    mutating func sendParityNAKs(now: VirtualTime, ctx: inout ReceiverContext, out: inout Outbox<ReceiverEvent>) {
        guard let path, let groups = fec?.groups, !ctx.parityNAKList.isEmpty else { return }
        let options = feedbackOption(now: now, ctx: ctx).flatMap { try? PGMOptions([$0]) } ?? PGMOptions()
        for (g, count) in ctx.parityNAKList {
            let nak = PGMNak(sequence: groups.parityRequest(group: g, count: min(count, Int(groups.k))),
                             source: source, group: ctx.group)
            let packet = PGMPacket(sourcePort: port, destinationPort: tsi.sourcePort, gsi: tsi.gsi,
                                   body: .nak(nak), options: options, flags: .parity)
            out.packets.append(Transmission(packet: packet, destination: .unicast(path)))
            ctx.statistics.naksSent += 1
            ctx.statistics.parityNaksSent += 1
            ctx.statistics.parityRequested += count
        }
    }

    /// The group of `sqn` gave up on parity NAKs: each missing packet is
    /// NAKed selectively from a fresh back-off, with fresh retries, so it is
    /// still repaired, or reported lost sqn by sqn.
    mutating func fallBackToSelective(_ sqn: UInt32, retry: inout VirtualTime?, now: VirtualTime,
                                      ctx: inout ReceiverContext) {
        guard let groups = fec?.groups else { return }
        let g = groups.start(of: sqn)
        fec?.state[g, default: FECGroupState()].selectiveOnly = true
        for o in missingOffsets(of: g, groups) {
            slots[o].viaParity = false
            slots[o].ncfRetries = 0
            slots[o].dataRetries = 0
            retryBackOff(o, &retry, now: now, ctx: &ctx)
        }
    }

    /// A parity NCF, or another receiver's parity NAK (sections 11.3.2,
    /// 11.5): it confirms the group's parity request when it asks for at
    /// least the parity the group needs.
    mutating func onParityConfirmation(first: UInt32, options: PGMOptions, isNCF: Bool, now: VirtualTime,
                                       ctx: inout ReceiverContext) {
        guard started, !ended, fec != nil else { return }
        confirmParity(first, isNCF: isNCF, now: now, ctx: &ctx)
        if !options.isEmpty, case .nakList(let list)? = options.first(type: PGMOptionType.nakList)?.kind {
            for s in list { confirmParity(s, isNCF: isNCF, now: now, ctx: &ctx) }
        }
    }

    mutating func confirmParity(_ raw: UInt32, isNCF: Bool, now: VirtualTime, ctx: inout ReceiverContext) {
        guard let f = fec else { return }
        let (g, count) = f.groups.parityRequest(raw)
        if let group = f.state[g], group.failed || group.selectiveOnly || group.complete { return }
        let missing = missingOffsets(of: g, f.groups)
        let needed = parityNeeded(g)
        guard !missing.isEmpty, needed >= 1, count >= needed else { return }
        for o in missing {
            slots[o].viaParity = true
            confirmSlot(o, isNCF: isNCF, now: now, ctx: &ctx)
        }
    }
}

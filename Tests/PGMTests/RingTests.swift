import CPGM
import Foundation
import SystemPackage
import Testing
@testable import PGM

#if canImport(Glibc)
import Glibc
#endif

/// Ring mode of ``PGMReceiver`` against ``MockKernel``, which plays the
/// kernel's side of the ring protocol in memory it "maps".
@Suite("Receive ring through a mock kernel")
struct RingTests {
    let group = IPv4Endpoint(address: 0xEFC0_0001, port: 7500)

    func ringReceiver(_ k: MockKernel, size: UInt32 = 4096) throws -> PGMReceiver {
        var o = ReceiverOptions()
        o.ring = RingOptions(size: size)
        return try PGMReceiver(group: group, interface: nil, options: o, syscalls: k.syscalls)
    }

    @Test func ringIsSetAndMappedBeforeBind() throws {
        let k = MockKernel()
        let r = try ringReceiver(k)
        let uses = r.usesRing
        #expect(uses)
        let calls = k.calls
        let set = calls.firstIndex(of: "mmap") ?? -1
        let bind = calls.firstIndex(of: "bind") ?? -1
        #expect(set >= 0 && bind > set)
        #expect(k.ringSize == 4096)
        try r.close()
        #expect(k.ringUnmapped)
    }

    @Test func messagesLossesAndEndsComeInRingOrder() throws {
        let k = MockKernel()
        let r = try ringReceiver(k)
        #expect(k.ringPublish(type: PGM_REC_DATA, payload: Array("hello".utf8), sqn: 7))
        var loss = pgm_loss()
        loss.first_sqn = 8
        loss.count = 2
        #expect(k.ringPublish(type: PGM_REC_LOSS, payload: withUnsafeBytes(of: loss) { Array($0) }))
        #expect(k.ringPublish(type: PGM_REC_DATA, payload: [1, 2, 3], sqn: 10))
        var end = pgm_session_end()
        end.reason = UInt32(PGM_END_FIN.rawValue)
        end.last_sqn = 10
        #expect(k.ringPublish(type: PGM_REC_END, payload: withUnsafeBytes(of: end) { Array($0) }))

        let e1 = try r.nextEvent(timeout: .zero)
        guard case .message(let m1) = e1 else { Issue.record("not a message: \(String(describing: e1))"); return }
        #expect(m1.bytes == Array("hello".utf8))
        #expect(m1.sequenceNumber == 7)
        #expect(m1.source == PGMEndpoint(IPv4Endpoint(address: 0x0A63_0001, port: 40000)))
        #expect(m1.transportSessionID.description.hasPrefix("1.2.3.4.5.6"))
        let e2 = try r.nextEvent(timeout: .zero)
        #expect(e2 == .loss(Loss(
            transportSessionID: TSI(loss.tsi), firstSequenceNumber: 8, count: 2)))
        guard case .message(let m2) = try r.nextEvent(timeout: .zero) else { Issue.record("no message"); return }
        #expect(m2.bytes == [1, 2, 3])
        guard case .sessionEnded(let e) = try r.nextEvent(timeout: .zero) else { Issue.record("no end"); return }
        #expect(e.reason == .finished)
        let none = try r.nextEvent(timeout: .zero)
        #expect(none == nil)
        // Everything read was given back.
        if let c = k.ringCtrl { #expect(cpgm_ring_consumer(c) == cpgm_ring_producer(c)) }
        try r.close()
    }

    @Test func aViewPointsIntoTheRingAndIsReleasedAfterTheClosure() throws {
        let k = MockKernel()
        let r = try ringReceiver(k)
        k.ringPublish(type: PGM_REC_DATA, payload: [9, 8, 7], sqn: 3)
        guard let base = k.ringBase, let ctrl = k.ringCtrl else { Issue.record("no ring"); return }
        let inside: Bool? = try r.withNextEvent(timeout: .zero) { v in
            guard case .message(let m) = v, let p = m.bytes.baseAddress else { return false }
            // Not yet released while lent.
            #expect(cpgm_ring_consumer(ctrl) == 0)
            #expect(Array(m.bytes) == [9, 8, 7])
            #expect(m.sequenceNumber == 3)
            return p >= UnsafeRawPointer(base) && p < UnsafeRawPointer(base + 4096 + 4096)
        }
        #expect(inside == true)
        #expect(cpgm_ring_consumer(ctrl) == cpgm_ring_producer(ctrl))
        try r.close()
    }

    @Test func recordsWrapAroundThePadding() throws {
        let k = MockKernel()
        let r = try ringReceiver(k)
        var seen: [[UInt8]] = []
        for round in 0..<20 {
            // 1000-byte payloads: four fit, so the ring wraps again and again.
            for i in 0..<3 {
                #expect(k.ringPublish(type: PGM_REC_DATA, payload: [UInt8](repeating: UInt8(round * 3 + i), count: 1000)))
            }
            let n = try r.consumeAvailable { v in
                if case .message(let m) = v { seen.append(Array(m.bytes)) }
            }
            #expect(n == 3)
        }
        #expect(seen.count == 60)
        #expect(seen.enumerated().allSatisfy { i, b in b.count == 1000 && b.allSatisfy { $0 == UInt8(i) } })
        try r.close()
    }

    @Test func receiveFailsOnceAtALossLikeRecvmsg() throws {
        let k = MockKernel()
        let r = try ringReceiver(k)
        var loss = pgm_loss()
        loss.first_sqn = 1
        loss.count = 1
        k.ringPublish(type: PGM_REC_LOSS, payload: withUnsafeBytes(of: loss) { Array($0) })
        k.ringPublish(type: PGM_REC_DATA, payload: [42])
        #expect(throws: Errno.connectionReset) { try r.receive(mode: .nonBlocking) }
        // The loss is then an event, before the data after it.
        guard case .loss(let l) = try r.nextEvent(timeout: .zero) else { Issue.record("no loss"); return }
        #expect(l.firstSequenceNumber == 1)
        let m42 = try r.receive(mode: .nonBlocking)
        #expect(m42.bytes == [42])
        #expect(throws: Errno.resourceTemporarilyUnavailable) { try r.receive(mode: .nonBlocking) }
        try r.close()
    }

    @Test func aSpilledAPDUIsReadWithRecvmsgInItsPlace() throws {
        let k = MockKernel()
        let r = try ringReceiver(k)
        let big = [UInt8](repeating: 5, count: 3000)
        k.deliver(big)
        k.ringPublish(type: PGM_REC_SPILL, payload: [], dataLen: 3000)
        k.ringPublish(type: PGM_REC_DATA, payload: [1])
        guard case .message(let m) = try r.nextEvent(timeout: .zero) else { Issue.record("no message"); return }
        #expect(m.bytes == big)
        let m1 = try r.receive(mode: .nonBlocking)
        #expect(m1.bytes == [1])
        try r.close()
    }

    @Test func aCorruptRecordIsBadMessageNotACrash() throws {
        let k = MockKernel()
        let r = try ringReceiver(k)
        k.ringPublish(type: PGM_REC_DATA, payload: [1, 2, 3])
        // The application scribbles over the record: length beyond the ring.
        k.ringBase.map { ($0 + MockKernel.ringDataOffset).storeBytes(of: UInt32(1 << 20), as: UInt32.self) }
        #expect(throws: Errno.badMessage) { try r.nextEvent(timeout: .zero) }
        try r.close()
    }

    @Test func releasingPollsWhenTheKernelAsks() throws {
        let k = MockKernel()
        let r = try ringReceiver(k)
        k.ringPublish(type: PGM_REC_DATA, payload: [1])
        k.ringCtrl?.pointee.flags = UInt32(PGM_RING_F_WAKEUP)
        let before = k.calls.filter { $0 == "poll" }.count
        _ = try r.nextEvent(timeout: .zero)
        #expect(k.calls.filter { $0 == "poll" }.count == before + 1)
        try r.close()
    }

    @Test func wakeUpCoalescingIsSetWithTheRing() throws {
        let k = MockKernel()
        var o = ReceiverOptions()
        o.ring = RingOptions(size: 4096, wakeUpDelay: .microseconds(250), wakeUpBytes: 1024)
        let r = try PGMReceiver(group: group, interface: nil, options: o, syscalls: k.syscalls)
        let set = k.option(SOL_PGM, PGM_RX_RING_WAKE)
        #expect(set == [250, 0, 0, 0, 0, 4, 0, 0])
        try r.close()
        // Without a delay nothing is set: the kernel's default, a wake-up per packet.
        let k2 = MockKernel()
        try ringReceiver(k2).close()
        #expect(k2.option(SOL_PGM, PGM_RX_RING_WAKE) == nil)
    }

    @Test func anOutOfRangeWakeUpDelayIsRefused() throws {
        var o = ReceiverOptions()
        for bad in [RingOptions(size: 4096, wakeUpDelay: .milliseconds(101)),
                    RingOptions(size: 4096, wakeUpDelay: .microseconds(-1)),
                    RingOptions(size: 4096, wakeUpDelay: .microseconds(10), wakeUpBytes: 8192)] {
            let k = MockKernel()
            o.ring = bad
            #expect(throws: Errno.invalidArgument) {
                try PGMReceiver(group: group, interface: nil, options: o, syscalls: k.syscalls).close()
            }
            #expect(k.ringUnmapped || !k.calls.contains("mmap"))
        }
    }

    /// RingOptions.spin: the waits watch the producer index first, and
    /// sleep in poll(2) only when nothing came meanwhile.
    @Test func spinningFindsRecordsWithoutPoll() throws {
        let k = MockKernel()
        var o = ReceiverOptions()
        o.ring = RingOptions(size: 4096, spin: RingOptions.maximumSpin)
        let r = try PGMReceiver(group: group, interface: nil, options: o, syscalls: k.syscalls)
        let polls = { k.calls.filter { $0 == "poll" }.count }
        let dry = r.spinForRecords(upTo: .milliseconds(2))
        #expect(!dry)
        k.ringPublish(type: PGM_REC_DATA, payload: [1], sqn: 1)
        let found = r.spinForRecords(upTo: .seconds(1))
        #expect(found)
        let before = polls()
        guard case .message(let m1) = try r.nextEvent(timeout: .seconds(5)) else { Issue.record("no message"); return }
        #expect(m1.bytes == [1])
        // Published while the reader spins (the publisher waits until it
        // is past the ring's first look): found by the spin, no poll().
        // An OS thread, not a task: the reader spins on one of the few
        // threads of the concurrency pool, which a busy test run may not
        // give a task for longer than the spin lasts.
        let published = Thread {
            usleep(20_000)
            k.ringPublish(type: PGM_REC_DATA, payload: [2], sqn: 2)
        }
        published.start()
        guard case .message(let m2) = try r.nextEvent(timeout: .seconds(5)) else { Issue.record("no message"); return }
        #expect(m2.bytes == [2])
        #expect(polls() == before)
        try r.close()
        // Without a ring nothing spins.
        let k2 = MockKernel()
        let plain = try PGMReceiver(group: group, interface: nil, options: ReceiverOptions(), syscalls: k2.syscalls)
        let none = plain.spinForRecords(upTo: .seconds(1))
        #expect(!none)
        try plain.close()
    }

    @Test func anOutOfRangeSpinIsRefused() throws {
        var o = ReceiverOptions()
        for bad in [RingOptions(size: 4096, spin: .milliseconds(1001)), RingOptions(size: 4096, spin: .microseconds(-1))] {
            let k = MockKernel()
            o.ring = bad
            #expect(throws: Errno.invalidArgument) {
                try PGMReceiver(group: group, interface: nil, options: o, syscalls: k.syscalls).close()
            }
            #expect(k.ringUnmapped || !k.calls.contains("mmap"))
        }
    }

    @Test func setupFailureUnmapsAndCloses() throws {
        let k = MockKernel()
        k.fail("bind", with: EADDRINUSE)
        #expect(throws: Errno.addressInUse) { try ringReceiver(k).close() }
        #expect(k.ringUnmapped)
        #expect(k.calls.last == "close")
        let k2 = MockKernel()
        k2.fail("mmap", with: ENOMEM)
        #expect(throws: Errno.noMemory) { try ringReceiver(k2).close() }
    }

    @Test func asyncEventsReadTheRing() async throws {
        let k = MockKernel()
        let r = try ringReceiver(k)
        k.ringPublish(type: PGM_REC_DATA, payload: [4, 5])
        var it = r.events().makeAsyncIterator()
        guard case .message(let m) = try await it.next() else { Issue.record("no message"); return }
        #expect(m.bytes == [4, 5])
        try r.close()
    }
}

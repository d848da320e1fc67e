import CPGM
import Synchronization
import SystemPackage
@testable import PGM

#if canImport(Glibc)
import Glibc
#endif

/// A test double for the library's system calls: records every option set,
/// answers getsockopt from a table, and hands out queued APDUs and
/// error-queue records, the way pgm.ko would.
final class MockKernel: Sendable {
    struct State {
        var options: [[Int32]: [UInt8]] = [:]  // [level, name] -> bytes
        var calls: [String] = []
        var sent: [[UInt8]] = []
        var data: [(name: [UInt8], bytes: [UInt8], sqn: UInt32)] = []  // name: sockaddr_pgm or sockaddr_pgm6
        var domain: Int32 = 0  // of the last socket opened
        var errors: [(type: Int32, record: [UInt8])] = []
        var resetPending = 0
        var failNext: [String: Int32] = [:]
        var ring: UInt = 0  // the mapping's address (0: none)
        var ringLength = 0
        var ringProducer: UInt32 = 0
        var unmapped = false
        var priority = false  // POLLPRI: PGM_CONFIRMED moved since it was read
    }
    static let ringDataOffset = 4096
    let state = Mutex(State())
    static let fd: Int32 = 42
    /// The interfaces if_nametoindex(3) knows.
    static let interfaces: [String: UInt32] = ["lo": 1, "eth0": 7, "dummy6": 9]

    deinit {
        free(UnsafeMutableRawPointer(bitPattern: state.withLock { $0.ring }))
    }

    var calls: [String] { state.withLock { $0.calls } }
    var sent: [[UInt8]] { state.withLock { $0.sent } }
    var domain: Int32 { state.withLock { $0.domain } }

    /// The address the socket was bound (`bind`) or connected (`connect`) to.
    func address(_ call: String) -> [UInt8]? { option(-1, call == "bind" ? 1 : 2) }

    func option(_ level: Int32, _ name: Int32) -> [UInt8]? {
        state.withLock { $0.options[[level, name]] }
    }

    func setOption<T: BitwiseCopyable>(_ level: Int32, _ name: Int32, _ value: T) {
        setOptionBytes(level, name, withUnsafeBytes(of: value) { Array($0) })
    }

    func setOptionBytes(_ level: Int32, _ name: Int32, _ bytes: [UInt8]) {
        state.withLock { $0.options[[level, name]] = bytes }
    }

    /// Queues an APDU from a session.
    func deliver(
        _ bytes: [UInt8], gsi: [UInt8] = [1, 2, 3, 4, 5, 6], port: UInt16 = 40000, from address: UInt32 = 0x0A63_0001,
        sqn: UInt32 = 0
    ) {
        var t = pgm_tsi()
        withUnsafeMutableBytes(of: &t.gsi) { for i in 0..<6 { $0[i] = gsi[i] } }
        t.sport = port.bigEndian
        var name = sockaddr_pgm()
        name.sin.sin_family = sa_family_t(AF_INET)
        name.sin.sin_port = port.bigEndian
        name.sin.sin_addr.s_addr = address.bigEndian
        name.tsi = t
        let raw = withUnsafeBytes(of: name) { Array($0) }
        state.withLock { $0.data.append((raw, bytes, sqn)) }
    }

    /// Queues an APDU from a session over IPv6, as a `struct sockaddr_pgm6`.
    func deliver6(
        _ bytes: [UInt8], gsi: [UInt8] = [1, 2, 3, 4, 5, 6], port: UInt16 = 40000, from address: [UInt8],
        scope: UInt32 = 0, sqn: UInt32 = 0
    ) {
        var name = sockaddr_pgm6()
        withUnsafeMutableBytes(of: &name.tsi.gsi) { for i in 0..<6 { $0[i] = gsi[i] } }
        name.tsi.sport = port.bigEndian
        name.sin6.sin6_family = sa_family_t(AF_INET6)
        name.sin6.sin6_port = port.bigEndian
        withUnsafeMutableBytes(of: &name.sin6.sin6_addr) { for i in 0..<16 { $0[i] = address[i] } }
        name.sin6.sin6_scope_id = scope
        let raw = withUnsafeBytes(of: name) { Array($0) }
        state.withLock { $0.data.append((raw, bytes, sqn)) }
    }

    /// Queues a loss record and makes the next receive fail with ECONNRESET.
    func lose(first: UInt32, count: UInt32, port: UInt16 = 40000) {
        var l = pgm_loss()
        l.tsi.sport = port.bigEndian
        l.first_sqn = first
        l.count = count
        let rec = withUnsafeBytes(of: l) { Array($0) }
        state.withLock {
            $0.errors.append((PGM_LOSS, rec))
            $0.resetPending += 1
        }
    }

    /// Queues a session-end record.
    func end(reason: UInt32, last: UInt32, port: UInt16 = 40000) {
        var e = pgm_session_end()
        e.tsi.sport = port.bigEndian
        e.reason = reason
        e.last_sqn = last
        let rec = withUnsafeBytes(of: e) { Array($0) }
        state.withLock { $0.errors.append((PGM_SESSION_END, rec)) }
    }

    /// Queues a source's rate-change record (`PGM_RATE_CHANGE`), as the
    /// netns's multicast policy makes pgm.ko queue one.
    func rateChange(old: UInt32, new: UInt32, policy: UInt32) {
        var r = pgm_rate_change()
        r.old_rate = old
        r.new_rate = new
        r.policy_rate = policy
        let rec = withUnsafeBytes(of: r) { Array($0) }
        state.withLock { $0.errors.append((PGM_RATE_CHANGE, rec)) }
    }

    /// A confirming source's CONFIRMED moves, as pgm.ko's does: the
    /// answer to getsockopt(PGM_CONFIRMED) changes and `POLLPRI` is raised
    /// until it is read. A nil `sqn`: no receiver is live.
    func confirm(sqn: UInt32?, receivers: UInt32, refused: UInt64 = 0) {
        var c = pgm_confirmed()
        c.sqn = sqn ?? 0
        c.receivers = receivers
        c.refused = refused
        c.flags = sqn == nil ? 0 : UInt32(PGM_CONFIRMED_VALID)
        setOption(SOL_PGM, PGM_CONFIRMED, c)
        state.withLock { $0.priority = true }
    }

    /// Whether `POLLPRI` is raised (CONFIRMED moved since last read).
    var priority: Bool { state.withLock { $0.priority } }

    /// The mapped ring: its control page and its records.
    var ringBase: UnsafeMutableRawPointer? {
        state.withLock { UnsafeMutableRawPointer(bitPattern: $0.ring) }
    }
    var ringCtrl: UnsafeMutablePointer<pgm_ring_ctrl>? {
        ringBase?.assumingMemoryBound(to: pgm_ring_ctrl.self)
    }
    var ringSize: UInt32 { state.withLock { UInt32($0.ringLength - Self.ringDataOffset) } }
    var ringUnmapped: Bool { state.withLock { $0.unmapped } }

    /// Publishes a record as pgm.ko would: padding first when it does not
    /// fit before the end; false when the ring has no room.
    @discardableResult
    func ringPublish(type: pgm_ring_rec_type, payload: [UInt8], sqn: UInt32 = 0, dataLen: UInt32? = nil,
                     port: UInt16 = 40000, from address: UInt32 = 0x0A63_0001) -> Bool {
        guard let base = ringBase, let ctrl = ringCtrl else { return false }
        let size = ringSize
        let data = base + Self.ringDataOffset
        let hdr = MemoryLayout<pgm_ring_rec>.size
        let len = UInt32((hdr + payload.count + 7) & ~7)
        var prod = state.withLock { $0.ringProducer }
        let cons = cpgm_ring_consumer(ctrl)
        let off = prod & (size - 1)
        let tail = size - off
        let need = len > tail ? tail + len : len
        guard size - (prod &- cons) >= need else { return false }
        if len > tail {
            var pad = pgm_ring_rec()
            pad.len = tail
            pad.type = UInt16(PGM_REC_PAD.rawValue)
            (data + Int(off)).storeBytes(of: pad, as: pgm_ring_rec.self)
            prod &+= tail
        }
        var rec = pgm_ring_rec()
        rec.len = len
        rec.type = UInt16(type.rawValue)
        rec.data_len = dataLen ?? UInt32(payload.count)
        rec.sqn = sqn
        withUnsafeMutableBytes(of: &rec.tsi.gsi) { for i in 0..<6 { $0[i] = UInt8(i + 1) } }
        rec.tsi.sport = port.bigEndian
        rec.saddr = address.bigEndian
        let at = data + Int(prod & (size - 1))
        at.storeBytes(of: rec, as: pgm_ring_rec.self)
        payload.withUnsafeBytes { (at + hdr).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        prod &+= len
        state.withLock { $0.ringProducer = prod }
        cpgm_ring_publish(ctrl, prod)
        return true
    }

    /// Makes the next call of that name fail with `err`.
    func fail(_ call: String, with err: Int32) {
        state.withLock { $0.failNext[call] = err }
    }

    private func enter(_ name: String) -> Int32? {
        state.withLock { s in
            s.calls.append(name)
            if let e = s.failNext.removeValue(forKey: name) { return e }
            return nil
        }
    }

    /// A failed call: the errno the kernel would have set.
    private func error<T>(_ e: Int32) -> Result<T, Errno> { .failure(Errno(rawValue: e)) }

    /// The failure `fail(_:with:)` asked of this call, if any.
    private func injected<T>(_ name: String) -> Result<T, Errno>? { enter(name).map { error($0) } }

    var syscalls: Syscalls {
        Syscalls(
            socket: { d, t, p in
                if let e = self.enter("socket") { return self.error(e) }
                self.state.withLock { $0.domain = d }
                return (d == AF_INET || d == AF_INET6) && t == Int32(SOCK_RDM.rawValue) && p == IPPROTO_PGM
                    ? .success(Self.fd) : self.error(EPROTONOSUPPORT)
            },
            bind: { _, a, len in
                if let e = self.enter("bind") { return self.error(e) }
                self.setOptionBytes(-1, 1, Array(UnsafeRawBufferPointer(start: a, count: Int(len))))
                return .success(0)
            },
            connect: { _, a, len in
                if let e = self.enter("connect") { return self.error(e) }
                self.setOptionBytes(-1, 2, Array(UnsafeRawBufferPointer(start: a, count: Int(len))))
                return .success(0)
            },
            setsockopt: { _, level, name, v, len in
                if let e = self.enter("setsockopt") { return self.error(e) }
                var bytes = v.map { Array(UnsafeRawBufferPointer(start: $0, count: Int(len))) } ?? []
                if level == SOL_PGM && name == PGM_RX_RING {
                    // The kernel's answer to a later getsockopt: the geometry.
                    var g = bytes.withUnsafeBytes { $0.loadUnaligned(as: pgm_rx_ring.self) }
                    g.data_offset = UInt32(Self.ringDataOffset)
                    g.mmap_len = g.data_offset + g.size
                    bytes = withUnsafeBytes(of: g) { Array($0) }
                }
                self.state.withLock { $0.options[[level, name]] = bytes }
                return .success(0)
            },
            getsockopt: { _, level, name, v, len in
                if let e = self.enter("getsockopt") { return self.error(e) }
                guard let bytes = self.option(level, name), let v else { return self.error(ENOPROTOOPT) }
                // Reading CONFIRMED clears POLLPRI until it moves again.
                if level == SOL_PGM && name == PGM_CONFIRMED { self.state.withLock { $0.priority = false } }
                let n = min(Int(len.pointee), bytes.count)
                bytes.withUnsafeBytes { v.copyMemory(from: $0.baseAddress!, byteCount: n) }
                len.pointee = socklen_t(n)
                return .success(0)
            },
            send: { _, b, n, flags in
                if let e = self.enter("send") { return self.error(e) }
                let bytes = Array(UnsafeRawBufferPointer(start: b, count: n))
                self.state.withLock { $0.sent.append(bytes) }
                return .success(bytes.count)
            },
            recvmsg: { _, m, flags in
                if let e = self.enter("recvmsg") { return self.error(e) }
                if flags & Int32(MSG_ERRQUEUE) != 0 {
                    guard let (type, rec) = self.state.withLock({ s in s.errors.isEmpty ? nil : s.errors.removeFirst() })
                    else { return self.error(EAGAIN) }
                    let iov = m.pointee.msg_iov.pointee
                    let n = min(rec.count, iov.iov_len)
                    rec.withUnsafeBytes { iov.iov_base.copyMemory(from: $0.baseAddress!, byteCount: n) }
                    // One cmsg: SOL_PGM/type, a sock_extended_err's worth of bytes.
                    let c = cpgm_cmsg_firsthdr(m)!
                    c.pointee.cmsg_level = SOL_PGM
                    c.pointee.cmsg_type = type
                    c.pointee.cmsg_len = cpgm_cmsg_len(16)
                    m.pointee.msg_controllen = cpgm_cmsg_space(16)
                    return .success(n)
                }
                if self.state.withLock({ s in
                    let r = s.resetPending > 0
                    if r { s.resetPending -= 1 }
                    return r
                }) {
                    return self.error(ECONNRESET)
                }
                guard let d = self.state.withLock({ s in s.data.isEmpty ? nil : s.data.removeFirst() })
                else { return self.error(EAGAIN) }
                let nameLen = min(d.name.count, Int(m.pointee.msg_namelen))
                d.name.withUnsafeBytes {
                    m.pointee.msg_name.copyMemory(from: $0.baseAddress!, byteCount: nameLen)
                }
                m.pointee.msg_namelen = socklen_t(nameLen)
                let iov = m.pointee.msg_iov.pointee
                let n = min(d.bytes.count, iov.iov_len)
                d.bytes.withUnsafeBytes { iov.iov_base.copyMemory(from: $0.baseAddress!, byteCount: n) }
                m.pointee.msg_flags = d.bytes.count > iov.iov_len ? Int32(MSG_TRUNC) : 0
                // PGM_RECVSQN on: one control message with the sequence number.
                let on = self.option(SOL_PGM, PGM_RECVSQN).map { $0.contains { $0 != 0 } } ?? false
                if on, m.pointee.msg_control != nil, m.pointee.msg_controllen >= cpgm_cmsg_space(4) {
                    let c = cpgm_cmsg_firsthdr(m)!
                    c.pointee.cmsg_level = SOL_PGM
                    c.pointee.cmsg_type = PGM_RECVSQN
                    c.pointee.cmsg_len = cpgm_cmsg_len(4)
                    withUnsafeBytes(of: d.sqn) { UnsafeMutableRawPointer(cpgm_cmsg_data(c)).copyMemory(from: $0.baseAddress!, byteCount: 4) }
                    m.pointee.msg_controllen = cpgm_cmsg_space(4)
                } else {
                    m.pointee.msg_controllen = 0
                }
                return .success(flags & Int32(MSG_TRUNC) != 0 ? d.bytes.count : n)
            },
            poll: { fds, n, timeout in
                _ = self.enter("poll")
                if fds[0].events & Int16(POLLPRI) != 0 {
                    // A waiter for CONFIRMED: POLLPRI when it moves, even
                    // during the wait (a test moves it from another task);
                    // the other descriptors (the waiter's eventfd) as the
                    // real poll would.
                    let clock = ContinuousClock()
                    let end = clock.now.advanced(by: .milliseconds(Int64(max(timeout, 0))))
                    while true {
                        if self.priority {
                            fds[0].revents = Int16(POLLPRI)
                            return .success(1)
                        }
                        let left = clock.now.duration(to: end)
                        let slice = timeout < 0 ? 5 : Int32(min(5, max(0, left.components.seconds * 1000
                            + left.components.attoseconds / 1_000_000_000_000_000)))
                        let r = n > 1 ? valueOrErrno { Glibc.poll(fds + 1, n - 1, slice) } : .success(0)
                        if n == 1 { usleep(UInt32(slice) * 1000) }
                        if case .success(0) = r, timeout < 0 || left > .zero { continue }
                        return r
                    }
                }
                // As datagram_poll(): POLLIN for data (or records in the
                // ring), POLLERR for records on the error queue.
                let ringReady = self.ringCtrl.map { cpgm_ring_producer($0) != cpgm_ring_consumer($0) } ?? false
                let (data, errors) = self.state.withLock { (!$0.data.isEmpty, !$0.errors.isEmpty) }
                let revents = (ringReady || data ? Int16(POLLIN) : 0) | (errors ? Int16(POLLERR) : 0)
                if revents != 0 {
                    fds[0].revents = revents
                    return .success(1)
                }
                // Nothing queued: wait on the other descriptors only (the
                // iterator's eventfd), as the real poll would.
                if n > 1 { return valueOrErrno { Glibc.poll(fds + 1, n - 1, timeout) } }
                if timeout > 0 { usleep(UInt32(timeout) * 1000) }
                return .success(0)
            },
            close: { _ in self.injected("close") ?? .success(0) },
            mapRing: { _, len in
                if let e = self.enter("mmap") { return self.error(e) }
                guard let p = aligned_alloc(4096, len) else { return self.error(ENOMEM) }
                memset(p, 0, len)
                self.state.withLock {
                    $0.ring = UInt(bitPattern: p)
                    $0.ringLength = len
                }
                return .success(p)
            },
            unmap: { p, _ in
                _ = self.enter("munmap")
                // Kept allocated: a test may still look at what was there.
                self.state.withLock { $0.unmapped = true }
                return .success(0)
            },
            interfaceIndex: { name in
                _ = self.enter("if_nametoindex")
                return Self.interfaces[name].map { .success($0) } ?? .failure(Errno(rawValue: ENODEV))
            }
        )
    }
}

import CPGM
import Glibc
import PGMCLISupport
import PGMDump
import PGMWire

/// Live capture on an AF_PACKET SOCK_DGRAM socket: the kernel hands over
/// IPv4 and IPv6 datagrams in both directions, which go through the same
/// dissector as file records of link type 101 (raw IP, either version).
struct LiveCapture {
    let interface: String
    let timeout: Double?
    let writeFile: String?
    var dissector: Dissector

    init(interface: String, timeout: Double?, writeFile: String?, dissector: Dissector) {
        self.interface = interface
        self.timeout = timeout
        self.writeFile = writeFile
        self.dissector = dissector
    }

    func run(output: inout Output) throws {
        var dissector = self.dissector
        let ifindex: Int32
        if interface == "any" {
            ifindex = 0
        } else {
            let index = if_nametoindex(interface)
            guard index != 0 else { throw Failure("no interface '\(interface)'") }
            ifindex = Int32(index)
        }
        let fd = cpgm_packet_open(ifindex)
        guard fd >= 0 else {
            throw Failure(systemErrorMessage("socket(AF_PACKET, SOCK_DGRAM, ETH_P_ALL) on \(interface)", errno: -fd,
                                             doing: .capturing))
        }
        defer { close(fd) }
        let loopbacks = Self.loopbackIndexes()

        // SIGINT and SIGTERM end the capture through a signalfd, so the
        // summary is printed and the pcap file is complete.
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        sigprocmask(SIG_BLOCK, &signals, nil)
        let sfd = signalfd(-1, &signals, Int32(SFD_CLOEXEC))
        guard sfd >= 0 else { throw Failure(systemErrorMessage("signalfd", errno: errno)) }
        defer { close(sfd) }

        var writer: PcapFile?
        if let writeFile {
            writer = try PcapFile(path: writeFile)
        }
        defer { writer?.close() }

        let deadline = timeout.map { Self.now() + $0 }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var number = 0
        printError("pgm-dump: capturing on \(interface)")
        loop: while !output.done {
            var wait: Int32 = -1
            if let deadline {
                let left = deadline - Self.now()
                if left <= 0 { break }
                wait = Int32(min(left * 1000, 86_400_000).rounded(.up))
            }
            var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0), pollfd(fd: sfd, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&fds, 2, wait)
            if ready < 0 {
                if errno == EINTR { continue }
                throw Failure(systemErrorMessage("poll", errno: errno))
            }
            if fds[1].revents != 0 { break loop }
            if fds[0].revents & Int16(POLLERR | POLLHUP | POLLNVAL) != 0 && fds[0].revents & Int16(POLLIN) == 0 {
                throw Failure("packet socket on \(interface) reported an error")
            }
            guard fds[0].revents & Int16(POLLIN) != 0 else { continue }
            var info = cpgm_packet_info()
            let n = buffer.withUnsafeMutableBytes { cpgm_packet_recv(fd, $0.baseAddress, $0.count, &info) }
            if n < 0 {
                if -n == Int(EINTR) || -n == Int(EAGAIN) { continue }
                throw Failure(systemErrorMessage("recvmsg on \(interface)", errno: Int32(-n)))
            }
            // On a loopback device every packet is seen leaving and arriving:
            // keep the arrival only.
            if info.outgoing != 0 && loopbacks.contains(info.ifindex) { continue }
            number += 1
            let timestamp = info.sec == 0 && info.nsec == 0
                ? Self.clockTimestamp()
                : CaptureTimestamp(seconds: info.sec, nanoseconds: UInt32(clamping: info.nsec))
            let record = CaptureRecord(
                number: number, offset: 0, timestamp: timestamp, linkType: LinkType.raw,
                originalLength: Int(info.length), data: buffer[0..<n])
            let outcome = dissector.dissect(record, transportChecksumPending: info.csum_not_ready != 0)
            if case .pgm = outcome, var w = writer {
                try w.write(record)
                writer = w
            }
            output.frame(outcome)
        }
        output.summary()
    }

    /// Interface indexes of loopback devices.
    static func loopbackIndexes() -> Set<Int32> {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0 else { return [] }
        defer { freeifaddrs(list) }
        var out: Set<Int32> = []
        var p = list
        while let entry = p {
            if entry.pointee.ifa_flags & UInt32(IFF_LOOPBACK) != 0, let name = entry.pointee.ifa_name {
                let index = if_nametoindex(name)
                if index != 0 { out.insert(Int32(index)) }
            }
            p = entry.pointee.ifa_next
        }
        return out
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func clockTimestamp() -> CaptureTimestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return CaptureTimestamp(seconds: Int64(ts.tv_sec), nanoseconds: UInt32(clamping: ts.tv_nsec))
    }
}

/// A pcap file being written (raw IPv4, nanosecond timestamps).
struct PcapFile {
    let path: String
    let stream: UnsafeMutablePointer<FILE>

    init(path: String) throws(Failure) {
        guard let f = fopen(path, "wb") else { throw Failure(systemErrorMessage(path, errno: errno)) }
        self.path = path
        stream = f
        try put(PcapWriter.fileHeader(linkType: LinkType.raw))
    }

    func put(_ bytes: [UInt8]) throws(Failure) {
        let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, stream) }
        guard written == bytes.count, fflush(stream) == 0 else {
            throw Failure(systemErrorMessage(path, errno: errno))
        }
    }

    mutating func write(_ record: CaptureRecord) throws(Failure) {
        try put(PcapWriter.record(
            record.data, timestamp: record.timestamp ?? LiveCapture.clockTimestamp(), originalLength: record.originalLength))
    }

    func close() {
        fclose(stream)
    }
}

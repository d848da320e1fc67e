import ArgumentParser
import Glibc
import PGMCLISupport
import PGMDump
import PGMWire

/// Prints PGM packets from a capture file or a live packet socket, one per
/// line or as JSON lines.
@main
struct PGMDumpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pgm-dump",
        abstract: "Print PGM packets from a pcap/pcapng file or a live interface.",
        discussion: """
            Native PGM (IP protocol 113) and UDP-encapsulated PGM, over IPv4 and IPv6, \
            are shown one packet per line; packets the codec refuses are shown with the \
            reason. Files may hold IPv6 frames (Ethernet, Linux cooked, raw IP, raw IPv6, \
            loopback); live capture sees both. The filters apply to IPv6 packets as \
            to IPv4 ones. A summary goes to standard error at the end.
            """,
        version: pgmVersion
    )

    @Option(name: [.customShort("r"), .customLong("read")], help: ArgumentHelp(
        "Read packets from a pcap or pcapng file ('-' for standard input).", valueName: "file"))
    var file: String?

    @Option(name: [.customShort("i"), .customLong("interface")], help: ArgumentHelp(
        "Capture live on this interface ('any' for all); needs CAP_NET_RAW.", valueName: "iface"))
    var interface: String?

    @Flag(help: "Print one JSON object per line.")
    var json = false

    @Option(name: .customLong("type"), help: ArgumentHelp(
        "Show only these packet types (comma-separated, any case: SPM,POLL,POLR,ODATA,RDATA,NAK,NNAK,NCF,SPMR,ACK).",
        valueName: "types"))
    var types: String?

    @Option(name: .customLong("tsi"), help: ArgumentHelp(
        "Show only this transport session: GSI.PORT, e.g. 2.0.94.16.32.48.40000.", valueName: "tsi"))
    var tsi: String?

    @Option(name: .customLong("port"), help: ArgumentHelp(
        "Show only packets for this data-destination port.", valueName: "dport"))
    var port: UInt16?

    @Option(name: .customLong("udp-port"), help: ArgumentHelp(
        "A UDP port carrying encapsulated PGM (repeatable; default 3055 and 3056).", valueName: "port"))
    var udpPorts: [UInt16] = []

    @Option(name: [.customShort("c"), .customLong("count")], help: ArgumentHelp(
        "Stop after showing this many packets.", valueName: "n"))
    var count: Int?

    @Option(name: .customLong("timeout"), parsing: .unconditional, help: ArgumentHelp(
        "Live capture: stop after this long (500ms, 30s, 5m; a bare number is seconds).", valueName: "time"))
    var timeoutText: String?

    /// --timeout in seconds, nil without one.
    var timeout: Double? {
        get throws(OptionValueError) {
            guard let timeoutText else { return nil }
            return try Quantity.seconds(timeoutText, option: "--timeout", range: 0...1e9, aboveLower: true)
        }
    }

    @Option(name: [.customShort("w"), .customLong("write")], help: ArgumentHelp(
        "Live capture: also write every PGM packet seen to this pcap file (raw IP, nanosecond times).",
        valueName: "file"))
    var writeFile: String?

    @Flag(help: "Print times in UTC instead of local time.")
    var utc = false

    @Flag(help: "Print times with nanoseconds instead of microseconds.")
    var nano = false

    func validate() throws {
        guard (file == nil) != (interface == nil) else {
            throw ValidationError("give exactly one of -r FILE and -i IFACE")
        }
        if file != nil {
            if timeoutText != nil { throw ValidationError("--timeout is for live capture (-i)") }
            if writeFile != nil { throw ValidationError("-w is for live capture (-i)") }
        }
        if let count, count < 1 { throw ValidationError("--count must be at least 1") }
        do throws(OptionValueError) { _ = try timeout } catch { throw ValidationError(error.description) }
        if udpPorts.contains(0) { throw ValidationError("--udp-port must be 1 to 65535") }
        _ = try makeFilter()
    }

    func makeFilter() throws(ValidationError) -> DumpFilter {
        var filter = DumpFilter(port: port)
        if let types {
            switch DumpFilter.parseTypes(types) {
            case .success(let set): filter.types = set
            case .failure(let e): throw ValidationError(e.description)
            }
        }
        if let tsi {
            switch DumpFilter.parseTSI(tsi) {
            case .success(let t): filter.tsi = t
            case .failure(let e): throw ValidationError(e.description)
            }
        }
        return filter
    }

    func run() throws {
        var output = Output(
            filter: try makeFilter(), formatter: DumpFormatter(utc: utc, nanoseconds: nano), json: json,
            limit: count, flushEachLine: interface != nil)
        let dissector = Dissector(udpPorts: udpPorts.isEmpty ? [3055, 3056] : Set(udpPorts))
        if let file {
            try readFile(file, dissector: dissector, output: &output)
        } else if let interface {
            try LiveCapture(interface: interface, timeout: try timeout, writeFile: writeFile, dissector: dissector)
                .run(output: &output)
        }
    }

    func readFile(_ path: String, dissector: Dissector, output: inout Output) throws {
        let bytes = try readWholeFile(path)
        var dissector = dissector
        var reader: CaptureReader
        do {
            reader = try CaptureReader(bytes: bytes)
        } catch {
            throw Failure("\(path): \(error)")
        }
        while !output.done {
            let record: CaptureRecord?
            do {
                record = try reader.next()
            } catch {
                output.summary()
                throw Failure("\(path): \(error)")
            }
            guard let record else { break }
            output.frame(dissector.dissect(record))
        }
        output.summary()
    }

    func readWholeFile(_ path: String) throws(Failure) -> [UInt8] {
        let fd = path == "-" ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure("\(path): \(String(cString: strerror(errno)))") }
        defer { if fd != STDIN_FILENO { close(fd) } }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure("\(path): \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return bytes
    }
}

/// Filtering, printing and counting.
struct Output {
    let filter: DumpFilter
    let formatter: DumpFormatter
    let json: Bool
    let limit: Int?
    let flushEachLine: Bool
    var frames = 0
    var seen = 0
    var shown = 0
    var undecodable = 0
    var unsupportedLinkTypes: Set<UInt32> = []

    init(filter: DumpFilter, formatter: DumpFormatter, json: Bool, limit: Int?, flushEachLine: Bool) {
        self.filter = filter
        self.formatter = formatter
        self.json = json
        self.limit = limit
        self.flushEachLine = flushEachLine
    }

    var done: Bool { limit.map { shown >= $0 } ?? false }

    mutating func frame(_ outcome: Dissector.Outcome) {
        frames += 1
        switch outcome {
        case .notPGM:
            break
        case .unsupportedLinkType(let t):
            if unsupportedLinkTypes.insert(t).inserted {
                printError("pgm-dump: frames with link type \(t) are not read (first: frame \(frames))")
            }
        case .pgm(let p):
            seen += 1
            if p.packet == nil { undecodable += 1 }
            guard filter.matches(p), !done else { return }
            shown += 1
            print(json ? formatter.json(p) : formatter.line(p))
            if flushEachLine { fflush(nil) }
        }
    }

    func summary() {
        fflush(nil)
        var s = "pgm-dump: \(seen) packets seen, \(shown) shown, \(undecodable) undecodable (\(frames) frames read"
        if !unsupportedLinkTypes.isEmpty {
            s += "; unread link types: " + unsupportedLinkTypes.sorted().map(String.init).joined(separator: ", ")
        }
        printError(s + ")")
    }
}

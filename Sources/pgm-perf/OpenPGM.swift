import PGMToolSupport
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// opgm-perf (Tests/perf/opgm-perf.c), the OpenPGM baseline's two halves,
/// running as a child with its standard output on a pipe: the lines it
/// prints are its results.
final class OpenPGMHelper {
    let pid: pid_t
    /// The read end of the child's standard output.
    let output: Int32
    private var pending: [UInt8] = []
    private var exited = false
    /// The child closed its output (it exited).
    private(set) var atEnd = false

    private init(pid: pid_t, output: Int32) {
        self.pid = pid
        self.output = output
    }

    /// Starts `path` (searched in the PATH when it has no slash) with
    /// `arguments`; its standard error stays ours.
    static func spawn(_ path: String, _ arguments: [String]) throws(Errno) -> OpenPGMHelper {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw Errno(rawValue: errno) }
        // Only the child's standard output keeps the write end (dup2 clears FD_CLOEXEC).
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for a in argv { free(a) } }
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, path, &actions, nil, argv, environ)
        _ = Glibc.close(fds[1])
        guard rc == 0 else {
            _ = Glibc.close(fds[0])
            throw Errno(rawValue: rc)
        }
        return OpenPGMHelper(pid: pid, output: fds[0])
    }

    /// The next line of output; nil at the end of it. With `wait` false,
    /// nil also when no whole line is waiting.
    func readLine(wait: Bool) throws(Errno) -> String? {
        while true {
            if let nl = pending.firstIndex(of: 10) {
                let line = String(decoding: pending[..<nl], as: UTF8.self)
                pending.removeSubrange(...nl)
                return line
            }
            if !wait {
                var p = pollfd(fd: output, events: Int16(POLLIN), revents: 0)
                let r = Glibc.poll(&p, 1, 0)
                if r < 0 && errno == EINTR { continue }
                if r <= 0 { return nil }
            }
            var buf = [UInt8](repeating: 0, count: 4096)
            let n = Glibc.read(output, &buf, buf.count)
            if n < 0 {
                if errno == EINTR { continue }
                throw Errno(rawValue: errno)
            }
            if n == 0 {
                atEnd = true
                return nil
            }
            pending += buf[..<n]
        }
    }

    /// Asks it to stop (SIGTERM).
    func terminate() { if !exited { _ = kill(pid, SIGTERM) } }

    /// Waits for it to exit and closes the pipe; its exit status (128 +
    /// the signal when killed).
    @discardableResult
    func wait() -> Int32 {
        defer { _ = Glibc.close(output) }
        guard !exited else { return 0 }
        exited = true
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        if status & 0x7f == 0 { return (status >> 8) & 0xff }
        return 128 + (status & 0x7f)
    }
}

/// One line of `opgm-perf recv`'s output: "phase P size S sent N ...",
/// its words as name-value pairs; nil for any other line.
func openPGMPhaseLine(_ line: String) -> [String: UInt64]? {
    let words = line.split(separator: " ")
    guard words.count >= 2, words.count % 2 == 0, words[0] == "phase" else { return nil }
    var d: [String: UInt64] = [:]
    for i in stride(from: 0, to: words.count, by: 2) {
        guard let v = UInt64(words[i + 1]) else { return nil }
        d[String(words[i])] = v
    }
    return d
}

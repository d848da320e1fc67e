import PGMNetlink
import SystemPackage
import Testing

#if canImport(Glibc)
import Glibc
#endif

private let inVM = getenv("PGM_VM") != nil

/// The typed client against pgm.ko's family (in the test VM, as root).
@Suite("PGMNetlink on pgm.ko", .serialized, .enabled(if: inVM, "needs pgm.ko (runs in the test VM)"))
struct KernelFamilyTests {
    /// The family resolves with its events group; defaults come back typed and a set round-trips.
    @Test func defaultsRoundTrip() throws {
        let ctl = try PGMControl()
        #expect(ctl.family.groups[PGMFamily.Group.events] != nil)
        let before = try ctl.defaults()
        #expect(before.values.count == PGMDefaultsAttribute.allCases.count)
        try ctl.setDefaults([(.nakBoIvl, 40000)])
        #expect(try ctl.defaults().values[.nakBoIvl] == 40000)
        try ctl.setDefaults([(.nakBoIvl, before.values[.nakBoIvl] ?? 50000)])
    }

    /// A refusal carries the kernel's extack message and the attribute's offset.
    @Test func refusalIsTyped() throws {
        let ctl = try PGMControl()
        do {
            try ctl.setDefaults([(.maxTpdu, 100)])
            Issue.record("max-tpdu 100 was accepted")
        } catch .refused(let e, let report) {
            #expect(e == Errno(rawValue: ERANGE))
            #expect(report.message == "integer out of range")
            #expect(report.offset == 20)
            #expect(report.policyMinimum == 576 && report.policyMaximum == 65535)
        }
    }

    /// A socket opened here is in the dump, and the counters count it.
    @Test func socketDumpAndStats() throws {
        let fd = socket(AF_INET, Int32(SOCK_RDM.rawValue), 113)
        #expect(fd >= 0)
        defer { close(fd) }
        var st = stat()
        #expect(fstat(fd, &st) == 0)
        let ctl = try PGMControl()
        let mine = try ctl.sockets().filter { UInt64($0.inode) == UInt64(st.st_ino) }
        #expect(mine.count == 1)
        #expect(mine.first?.role == PGMRole.none)
        #expect(try ctl.statistics().sockets >= 1)
    }

    /// The network element: on and off again through the typed client; off,
    /// it holds nothing and its dump is empty; its counters never go back.
    /// Left as it was found.
    @Test func networkElementOnAndOff() throws {
        let ctl = try PGMControl()
        let before = try ctl.networkElement()
        try ctl.setNetworkElement(enabled: true)
        #expect(try ctl.networkElement().enabled)
        _ = try ctl.networkElementSessions()
        try ctl.setNetworkElement(enabled: false)
        let after = try ctl.networkElement()
        #expect(!after.enabled && after.sessions == 0 && after.repairStates == 0 && after.memory == 0)
        #expect(try ctl.networkElementSessions().isEmpty)
        #expect(zip(after.namedCounters, before.namedCounters).allSatisfy { $0.value >= $1.value })
        if before.enabled { try ctl.setNetworkElement(enabled: true) }
    }

    /// The event stream ends when its task is cancelled.
    @Test func eventStreamCancels() async throws {
        let stream = try PGMControl().events()
        let task = Task { () async throws(NetlinkError) -> Int in
            var n = 0
            for try await _ in stream { n += 1 }
            return n
        }
        try await Task.sleep(for: .milliseconds(100))
        task.cancel()
        _ = try await task.value
    }
}

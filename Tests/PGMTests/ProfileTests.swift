import CPGM
import Foundation
import PGMToolSupport
import Testing
@testable import PGM

/// The profiles of the tunables (kernel/pgm.yaml, generated into PGMTypes'
/// ProfileTable.swift, keyed by option number): their values read as
/// `Tunable`s, their ranges, and how a socket takes one. PGMNetlinkTests read
/// the same table as attributes of the set `defaults`.
@Suite("Tunable profiles")
struct ProfileTests {
    /// Issue 17's low-latency LAN profile, written out.
    static let lan: [(Tunable, UInt32)] = [
        (.ihbMin, 1000), (.rdataLingerIvl, 2000), (.spmrExpiry, 10_000), (.nakBoIvl, 1000),
        (.nakRptIvl, 10_000), (.nakRdataIvl, 10_000), (.nakNcfRetries, 50), (.nakDataRetries, 50),
    ]

    func u32(_ b: [UInt8]?) -> UInt32? {
        guard let b, b.count == 4 else { return nil }
        return b.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
    }

    @Test func lanIsIssue17sValues() throws {
        let lan = try TunableProfile.named("lan")
        #expect(lan == .lan)
        #expect(lan.settings == Self.lan.map { TunableProfile.Setting($0.0, $0.1) })
        #expect(lan.settings.map(\.option) == Self.lan.map(\.0.rawValue))
        #expect(lan.settings.map(\.value) == Self.lan.map(\.1))
        #expect(TunableProfile.names == ["lan", "wan"])
    }

    /// wan is the built-in default of every tunable a profile changes.
    @Test func wanIsTheDefaults() throws {
        let wan = try TunableProfile.named("wan")
        #expect(wan.settings.map(\.option) == Self.lan.map(\.0.rawValue))
        for s in wan.settings { #expect(s.value == s.tunable?.defaultValue, "\(s.option)") }
        #expect(wan.value(of: .nakBoIvl) == UInt32(PGM_DEFAULT_NAK_BO_IVL))
        #expect(wan.value(of: .txwSqns) == nil)
    }

    /// Every profile gives the same tunables, in option order, each within
    /// setsockopt's range, with ihb-min at most ihb-max.
    @Test func everyValueIsAccepted() throws {
        let options = TunableProfile.all.first?.settings.map(\.option) ?? []
        #expect(options == options.sorted())
        for p in TunableProfile.all {
            #expect(p.settings.map(\.option) == options, "\(p.name)")
            for s in p.settings {
                let t = try #require(s.tunable, "\(p.name) option \(s.option)")
                #expect(t.range.contains(s.value) || (s.value == 0 && t.zeroMeansOff), "\(p.name) \(t)")
                #expect(t.role == .source || t.role == .receiver, "\(p.name) \(t)")
            }
            let ihbMin = p.value(of: .ihbMin) ?? Tunable.ihbMin.defaultValue
            let ihbMax = p.value(of: .ihbMax) ?? Tunable.ihbMax.defaultValue
            #expect(ihbMin <= ihbMax, "\(p.name)")
        }
    }

    /// The generated table is the spec's: every `profiles: {lan: N}` of
    /// kernel/pgm.yaml, read back from the file.
    @Test func tableIsTheSpecs() throws {
        let spec = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../kernel/pgm.yaml").standardizedFileURL
        let text = try String(contentsOf: spec, encoding: .utf8)
        var name: String?
        var found: [String: UInt32] = [:]
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("        name: ") { name = String(line.dropFirst(14)) }
            if line.hasPrefix("        profiles: {lan: "), let name {
                found[name] = UInt32(line.dropFirst(24).dropLast())
            }
        }
        let table = Dictionary(uniqueKeysWithValues: try TunableProfile.lan.settings.map {
            (try #require($0.tunable).name.lowercased().replacingOccurrences(of: "_", with: "-"), $0.value)
        })
        #expect(found == table)
    }

    @Test func unknownProfileListsTheKnownOnes() {
        #expect(throws: UnknownProfileError(name: "fast", known: ["lan", "wan"])) { try TunableProfile.named("fast") }
        #expect(UnknownProfileError(name: "fast", known: ["lan", "wan"]).description
            == "unknown profile 'fast'; the profiles are lan, wan")
        #expect(throws: UnknownProfileError.self) { try TunableProfile.named("LAN") }
    }

    @Test func optionsTakeTheirRolesValues() {
        var r = ReceiverOptions()
        r.apply(profile: .lan)
        #expect(r.nakBoIvl == .milliseconds(1) && r.nakRptIvl == .milliseconds(10) && r.nakNcfRetries == 50)
        #expect(r.spmrExpiry == .milliseconds(10) && r.nakDataRetries == 50 && r.nakRdataIvl == .milliseconds(10))
        #expect(r.rxwSqns == nil && r.joinMax == nil)
        var s = SourceOptions()
        s.apply(profile: .lan)
        #expect(s.ihbMin == .milliseconds(1) && s.rdataLingerIvl == .milliseconds(2))
        #expect(s.txwMaxRte == nil && s.ihbMax == nil)
        s.apply(profile: .wan)
        #expect(s.ihbMin == .milliseconds(50) && s.rdataLingerIvl == .milliseconds(20))
    }

    /// A receiver set up with lan sets its tunables before bind; a value set
    /// after the profile wins.
    @Test func receiverSetsTheProfileBeforeBind() throws {
        let k = MockKernel()
        var o = ReceiverOptions()
        o.apply(profile: .lan)
        o.nakNcfRetries = 7
        let r = try PGMReceiver(group: try IPv4Endpoint("239.192.0.1:7500"), interface: nil, options: o, syscalls: k.syscalls)
        #expect(u32(k.option(SOL_PGM, PGM_NAK_BO_IVL)) == 1000)
        #expect(u32(k.option(SOL_PGM, PGM_NAK_RPT_IVL)) == 10_000)
        #expect(u32(k.option(SOL_PGM, PGM_SPMR_EXPIRY)) == 10_000)
        #expect(u32(k.option(SOL_PGM, PGM_NAK_DATA_RETRIES)) == 50)
        #expect(u32(k.option(SOL_PGM, PGM_NAK_NCF_RETRIES)) == 7)
        #expect(k.option(SOL_PGM, PGM_IHB_MIN) == nil)  // a source's
        // The profile's six options (and PGM_RCV_SQNS) go before bind.
        let bind = try #require(k.calls.firstIndex(of: "bind"))
        #expect(k.calls[..<bind].filter { $0 == "setsockopt" }.count >= 7)
        try r.close()
    }

    @Test func sourceSetsTheProfileBeforeConnect() throws {
        let k = MockKernel()
        var o = SourceOptions()
        o.apply(profile: .lan)
        let src = try PGMSource(group: try IPv4Endpoint("239.192.0.1:7500"), options: o, syscalls: k.syscalls)
        #expect(u32(k.option(SOL_PGM, PGM_IHB_MIN)) == 1000)
        #expect(u32(k.option(SOL_PGM, PGM_RDATA_LINGER_IVL)) == 2000)
        #expect(k.option(SOL_PGM, PGM_NAK_BO_IVL) == nil)  // a receiver's
        #expect(k.calls.last == "connect")
        try src.close()
    }

    @Test func socketAppliesOneRole() throws {
        let k = MockKernel()
        let s = try PGMSocket(syscalls: k.syscalls)
        try s.apply(profile: .lan, role: .receiver)
        #expect(u32(k.option(SOL_PGM, PGM_NAK_BO_IVL)) == 1000)
        #expect(k.option(SOL_PGM, PGM_IHB_MIN) == nil)
        try s.apply(profile: .wan, role: .receiver)
        #expect(u32(k.option(SOL_PGM, PGM_NAK_BO_IVL)) == 50_000)
        try s.close()
    }

    /// The tools' --profile: a known name, and an unknown one refused with the list.
    @Test func toolsOption() throws {
        #expect(try ProfileOptions.parse(["--profile", "lan"]).selected == .lan)
        #expect(try ProfileOptions.parse([]).selected == nil)
        do {
            _ = try ProfileOptions.parse(["--profile", "fast"])
            Issue.record("--profile fast was accepted")
        } catch {
            #expect(ProfileOptions.message(for: error).contains("unknown profile 'fast'; the profiles are lan, wan"))
        }
    }
}

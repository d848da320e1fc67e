import ArgumentParser
import PGMCLISupport
import PGMNetlink
import Testing

#if canImport(Glibc)
import Glibc
#endif

@testable import pgmctl

/// `pgmctl ne`: its subcommands and what it prints for the network element
/// and its sessions (text and JSON), and its refusals, with no kernel.
@Suite("pgmctl ne")
struct NetworkElementCommandTests {
    /// `ne` alone and `ne --json` show; each subcommand by name; on and off
    /// take nothing.
    @Test func subcommands() throws {
        #expect(try PGMCtl.parseAsRoot(["ne"]) is NEShow)
        let json = try #require(try PGMCtl.parseAsRoot(["ne", "--json"]) as? NEShow)
        #expect(json.output.json)
        let show = try #require(try PGMCtl.parseAsRoot(["ne", "show"]) as? NEShow)
        #expect(!show.output.json)
        #expect(try PGMCtl.parseAsRoot(["ne", "on"]) is NEOn)
        #expect(try PGMCtl.parseAsRoot(["ne", "off"]) is NEOff)
        let sessions = try #require(try PGMCtl.parseAsRoot(["ne", "sessions", "--json"]) as? NESessions)
        #expect(sessions.output.json)
        #expect(try (PGMCtl.parseAsRoot(["ne", "sessions"]) as? NESessions)?.output.json == false)
        #expect(throws: (any Error).self) { try PGMCtl.parseAsRoot(["ne", "enable"]) }
        #expect(throws: (any Error).self) { try PGMCtl.parseAsRoot(["ne", "on", "1"]) }
        #expect(throws: (any Error).self) { try PGMCtl.parseAsRoot(["ne", "off", "--json"]) }
        #expect(PGMCtl.configuration.subcommands.contains { $0 == NECommand.self })
    }

    func element() -> PGMNetworkElement {
        var ne = PGMNetworkElement()
        ne.enabled = true
        ne.sessions = 3
        ne.repairStates = 17
        ne.memory = 4096
        ne.spms = 120
        ne.naksForwarded = 9
        ne.naksEliminated = 31
        ne.fragments = 1
        return ne
    }

    func defaults() -> PGMDefaults {
        PGMDefaults(NetlinkAttributes([PGMDefaultsAttribute.neTsis.rawValue: [0x00, 0x04, 0, 0],
                                       PGMDefaultsAttribute.neStates.rawValue: [0x00, 0x40, 0, 0]]))
    }

    /// The state, with the netns's limits when known, then every counter
    /// with what it counts, aligned as one list.
    @Test func showText() {
        let lines = neLines(element(), defaults: defaults())
        #expect(Array(lines.prefix(5)) == [
            "network element    on",
            "sessions           3 (at most 1024, ne-tsis)",
            "repair states      17 (at most 16384, ne-states)",
            "memory             4096 bytes",
            "",
        ])
        #expect(lines.count == 5 + PGMNetworkElement.counters.count)
        #expect(lines[5] == "spms               120  SPMs taken as source path state (section 7.1)")
        #expect(lines.contains("naks-forwarded     9    NAKs sent upstream (7.3)"))
        #expect(lines.contains(
            "naks-eliminated    31   NAKs not forwarded, duplicates of a pending or outstanding one (7.4)"))
        #expect(lines.last == "fragments          1    IP fragments of PGM packets, forwarded as they are")
        // Every counter is there, in the spec's order.
        #expect(lines.dropFirst(5).map { String($0.prefix { $0 != " " }) } == PGMNetworkElement.counters.map(\.name))
        let off = neLines(PGMNetworkElement())
        #expect(Array(off.prefix(4)) == [
            "network element    off",
            "sessions           0",
            "repair states      0",
            "memory             0 bytes",
        ])
        #expect(off[5].hasPrefix("spms               0  SPMs taken"))
    }

    /// One object: enabled, tsis, states, mem, then every counter by the
    /// spec's name with underscores.
    @Test func showJSON() {
        let t = neJSON(element()).text
        #expect(t.hasPrefix(#"{"enabled":true,"tsis":3,"states":17,"mem":4096,"spms":120,"spms_refused":0,"#
            + #""path_changes":0,"naks":0,"naks_forwarded":9,"naks_eliminated":31,"naks_refused":0,"#))
        #expect(t.hasSuffix(#""nnaks":0,"malformed":0,"fragments":1}"#))
        for c in PGMNetworkElement.counters {
            #expect(t.contains("\"\(c.name.replacingAll("-", with: "_"))\":"), "\(c.name)")
        }
        #expect(neJSON(PGMNetworkElement()).text.hasPrefix(#"{"enabled":false,"tsis":0,"states":0,"mem":0,"spms":0,"#))
    }

    func sessions() throws -> [PGMNetworkElementSession] {
        [PGMNetworkElementSession(tsi: try TSI("1.2.3.4.5.6.8000"), group: IPv4Address(239, 192, 0, 1),
                                  source: IPv4Address(10, 0, 1, 2), port: 7500, upstream: IPv4Address(10, 0, 1, 1),
                                  interfaceIndex: 3, spmSequence: 41, trail: 100, lead: 180, repairStates: 2,
                                  transmissionGroupSize: 0, idleMilliseconds: 250),
         PGMNetworkElementSession(tsi: try TSI("9.8.7.6.5.4.65535"), group: IPv4Address(232, 1, 2, 3),
                                  source: IPv4Address(192, 0, 2, 7), port: 7501,
                                  upstream: IPv4Address(192, 0, 2, 254), interfaceIndex: 12, spmSequence: 7,
                                  trail: 1, lead: 5, repairStates: 0, transmissionGroupSize: 16, idleMilliseconds: 0)]
    }

    /// The table: the interface by its name, by its index when it has none;
    /// no on-demand parity is "-".
    @Test func sessionsText() throws {
        let names: (UInt32) -> String? = { $0 == 3 ? "veth-up" : nil }
        #expect(neSessionLines(try sessions(), interface: names) == [
            "TSI                Group        Source     Port  Upstream     Interface  States  TG-size  Idle",
            "1.2.3.4.5.6.8000   239.192.0.1  10.0.1.2   7500  10.0.1.1     veth-up    2       -        250ms",
            "9.8.7.6.5.4.65535  232.1.2.3    192.0.2.7  7501  192.0.2.254  12         0       16       0ms",
        ])
        #expect(neSessionLines([], interface: names)
                == ["TSI  Group  Source  Port  Upstream  Interface  States  TG-size  Idle"])
    }

    /// An array of objects with every attribute; interface null when the
    /// index has no name.
    @Test func sessionsJSON() throws {
        let names: (UInt32) -> String? = { $0 == 3 ? "veth-up" : nil }
        let list = try sessions()
        #expect(JSON.array(list.map { neSessionJSON($0, interface: names) }).text == "["
            + #"{"tsi":"1.2.3.4.5.6.8000","group":"239.192.0.1","source":"10.0.1.2","port":7500,"#
            + #""upstream":"10.0.1.1","ifindex":3,"interface":"veth-up","spm_sqn":41,"trail":100,"lead":180,"#
            + #""states":2,"tg_size":0,"idle_ms":250},"#
            + #"{"tsi":"9.8.7.6.5.4.65535","group":"232.1.2.3","source":"192.0.2.7","port":7501,"#
            + #""upstream":"192.0.2.254","ifindex":12,"interface":null,"spm_sqn":7,"trail":1,"lead":5,"#
            + #""states":0,"tg_size":16,"idle_ms":0}]"#)
        #expect(JSON.array([]).text == "[]")
    }

    /// if_indextoname(3) in the test's own netns: lo by its index; no name
    /// for index 0.
    @Test func interfaceNames() {
        let lo = if_nametoindex("lo")
        if lo != 0 { #expect(interfaceName(lo) == "lo") }
        #expect(interfaceName(0) == nil)
    }

    /// EPERM names what was asked and the capability; a module without the
    /// network element says so; the kernel's EINVAL names ne-set's attribute.
    @Test func refusals() {
        #expect(explainNE(.refused(.notPermitted, KernelReport()), set: "turning the network element on").description
            == "permission denied: turning the network element on needs CAP_NET_ADMIN in the network namespace "
            + "(run as root)")
        #expect(explainNE(.refused(.notPermitted, KernelReport()), set: "turning the network element off").description
            .contains("needs CAP_NET_ADMIN in the network namespace"))
        #expect(explainNE(.refused(.notSupported, KernelReport())).description
            == "the loaded pgm module has no network element (it is older than ne-get); load a newer one")
        #expect(explainNE(.familyNotFound("pgm")).description.hasPrefix("the pgm module is not loaded"))
        // An EOPNOTSUPP the kernel explains is its own.
        #expect(explainNE(.refused(.notSupported, KernelReport(message: "no hooks here")), set: "turning it on")
            .description.hasPrefix("kernel refused the request: no hooks here ("))
        #expect(attributeName(PGMNeAttribute.enabled.rawValue, command: PGMCommand.neSet.rawValue) == "enabled")
        let request = NetlinkRequest(family: 0x1A, command: PGMCommand.neSet.rawValue,
                                     attributes: [.u32(PGMNeAttribute.enabled.rawValue, 2)])
        #expect(explain(.refused(.invalidArgument, KernelReport(message: "integer out of range", offset: 20,
                                                                policyMinimum: 0, policyMaximum: 1)),
                        request: request).description
            .hasPrefix("kernel refused the request: integer out of range [enabled] (accepted: 0-1) ("))
    }
}

import ArgumentParser
import PGM
import PGMCLISupport
import SystemPackage

/// Opens a PGM socket and prints what the kernel shows through it: the
/// tunables a new socket gets in this network namespace, and the namespace's
/// input counters.
@main
struct PGMInfo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pgm-info",
        abstract: "Open a PGM socket and print its defaults and the netns input counters.",
        version: pgmVersion
    )

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Option(name: .customLong("connect"), help: ArgumentHelp(
        "Also start a source session to this group and print its TSI (nothing is sent); "
            + "an IPv6 group ([ff15::1]:7500) makes the socket an IPv6 one.",
        valueName: "group:port"))
    var connectTo: String?

    func validate() throws {
        if let c = connectTo {
            do {
                _ = try PGMEndpoint(c)
            } catch {
                throw ValidationError("--connect wants a multicast group and port: \(error)")
            }
        }
    }

    func run() throws {
        let endpoint = connectTo.flatMap { try? PGMEndpoint($0) }
        let family = endpoint.map { PGMSocket.Family($0.address) } ?? .ipv4
        let socket: PGMSocket
        do {
            socket = try PGMSocket(family: family)
        } catch {
            throw Failure(systemErrorMessage("socket(\(family), SOCK_RDM, IPPROTO_PGM)", errno: error.rawValue,
                                             doing: .openingSocket))
        }
        var rows: [(String, String, UInt32, UInt32)] = []
        for t in Tunable.allCases {
            rows.append((t.name, t.unit.rawValue, try socket.get(t), t.defaultValue))
        }
        let s = try socket.netnsStatistics()
        let counters: [(String, UInt64)] = [
            ("in_packets", s.inPackets), ("in_bytes", s.inBytes), ("in_truncated", s.inTruncated),
            ("in_bad_checksum", s.inBadChecksum), ("in_bad_type", s.inBadType),
            ("in_malformed", s.inMalformed), ("in_no_socket", s.inNoSocket),
            ("in_delivered", s.inDelivered), ("sockets", s.sockets),
            ("rx_sessions_refused", s.receiverSessionsRefused), ("rx_mem_refused", s.receiverMemoryRefused),
            ("rx_wrong_source", s.receiverWrongSource), ("rx_sessions", s.receiverSessions),
            ("rx_mem", s.receiverMemory), ("policy_denied", s.policyDenied), ("in_policy", s.inPolicy),
            ("policy_group_limit", s.policyGroupLimit), ("policy_revoked", s.policyRevoked),
            ("policy_allowed", s.policyAllowed), ("rx_windows_shed", s.receiverWindowsShed),
            ("rx_source_refused", s.receiverSourceRefused),
        ]
        var session: (String, String)?
        if let ep = endpoint {
            do {
                try socket.connect(to: ep)
            } catch {
                throw Failure(systemErrorMessage("connect(\(ep))", errno: error.rawValue,
                                                 doing: .sending(group: ep.description, interface: nil)))
            }
            session = (ep.description, try socket.transportSessionID().description)
        }
        if json {
            let sess = session.map { ",\"session\":{\"group\":\"\($0.0)\",\"tsi\":\"\($0.1)\"}" } ?? ""
            let opts = rows.map { "\"\($0.0)\":\($0.2)" }.joined(separator: ",")
            let cnts = counters.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",")
            print("{\"options\":{\(opts)},\"netns\":{\(cnts)}\(sess)}")
        } else {
            print("socket(\(family), SOCK_RDM, IPPROTO_PGM) = fd \(socket.fileDescriptor.rawValue)")
            print("\nSOL_PGM option          value       unit     model default")
            for r in rows {
                let mark = r.2 == r.3 ? "" : "  (differs)"
                print(("PGM_" + r.0).leftAligned(22), String(r.2).leftAligned(11), r.1.leftAligned(8), String(r.3) + mark)
            }
            print("\nnetns PGM input counters")
            for c in counters { print(c.0.leftAligned(22), c.1) }
            if let (group, tsi) = session {
                print("\nsource session to \(group): TSI \(tsi)")
            }
        }
        try socket.close()
    }
}

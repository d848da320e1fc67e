import CPGM
import PGM
import SystemPackage
import Testing

#if canImport(Glibc)
import Glibc
#endif

private let inVM = getenv("PGM_VM") != nil

@Suite("PGM socket library")
struct SocketAPITests {
    /// The ABI: the option numbers and defaults of <linux/pgm.h> as released,
    /// written out here, against the header and Tunable (both generated from
    /// kernel/pgm.yaml). A tunable added to the spec adds to them.
    @Test func tunableNumbersAndDefaultsAreFrozen() {
        let frozen: [(Tunable, Int32, Int32, UInt32)] = [
            (.txwSqns, PGM_TXW_SQNS, 1, 8192), (.txwSecsMs, PGM_TXW_SECS_MS, 2, 0),
            (.txwMaxRte, PGM_TXW_MAX_RTE, 3, 12_500_000), (.spmAmbientIvl, PGM_SPM_AMBIENT_IVL, 4, 1_000_000),
            (.ihbMin, PGM_IHB_MIN, 5, 50_000), (.ihbMax, PGM_IHB_MAX, 6, 1_000_000),
            (.rdataLingerIvl, PGM_RDATA_LINGER_IVL, 7, 20_000), (.maxTpdu, PGM_MAX_TPDU, 8, 1500),
            (.txwBytes, PGM_TXW_BYTES, 10, 0), (.rxwSqns, PGM_RXW_SQNS, 20, 8192),
            (.peerExpiry, PGM_PEER_EXPIRY, 21, 10_000_000), (.spmrExpiry, PGM_SPMR_EXPIRY, 22, 250_000),
            (.nakBoIvl, PGM_NAK_BO_IVL, 23, 50_000), (.nakRptIvl, PGM_NAK_RPT_IVL, 24, 200_000),
            (.nakRdataIvl, PGM_NAK_RDATA_IVL, 25, 200_000), (.nakNcfRetries, PGM_NAK_NCF_RETRIES, 26, 10),
            (.nakDataRetries, PGM_NAK_DATA_RETRIES, 27, 10),
            (.udpEncapUcastPort, PGM_UDP_ENCAP_UCAST_PORT, 61, 3055),
            (.udpEncapMcastPort, PGM_UDP_ENCAP_MCAST_PORT, 62, 3056),
        ]
        for (t, header, number, value) in frozen {
            #expect(t.rawValue == number && header == number, "\(t)")
            #expect(t.defaultValue == value, "\(t)")
        }
        #expect((PGM_IVL_MIN, PGM_IVL_MAX, PGM_WINDOW_SQNS_MAX) == (1000, 600_000_000, 1 << 20))
    }

    @Test func tunableDefaultsAndRangesMatchHeader() {
        let defaults: [Tunable: UInt32] = [
            .txwSqns: UInt32(PGM_DEFAULT_TXW_SQNS), .txwMaxRte: UInt32(PGM_DEFAULT_TXW_MAX_RTE),
            .nakBoIvl: UInt32(PGM_DEFAULT_NAK_BO_IVL), .nakNcfRetries: UInt32(PGM_DEFAULT_NAK_NCF_RETRIES),
            .udpEncapUcastPort: UInt32(PGM_DEFAULT_UDP_ENCAP_UCAST_PORT),
        ]
        for (t, v) in defaults { #expect(t.defaultValue == v, "\(t)") }
        #expect(Tunable.nakBoIvl.range == UInt32(PGM_IVL_MIN)...UInt32(PGM_IVL_MAX))
        #expect(Tunable.txwSqns.range == UInt32(PGM_WINDOW_SQNS_MIN)...UInt32(PGM_WINDOW_SQNS_MAX))
        #expect(Tunable.txwSecsMs.zeroMeansOff && !Tunable.nakBoIvl.zeroMeansOff)
        #expect(Tunable.txwSqns.isFixedOnceConnected && !Tunable.txwMaxRte.isFixedOnceConnected)
        #expect(Tunable.nakBoIvl.role == .receiver && Tunable.udpEncapUcastPort.role == .both)
        for t in Tunable.allCases {
            #expect(t.range.contains(t.defaultValue) || (t.defaultValue == 0 && t.zeroMeansOff), "\(t)")
        }
    }

    @Test func endReasonsAreTheHeadersNumbers() {
        // PGMTypes has no C dependency; its numbers are the uapi's.
        #expect(SessionEndReason.finished.rawValue == PGM_END_FIN.rawValue)
        #expect(SessionEndReason.reset.rawValue == PGM_END_RST.rawValue)
        #expect(SessionEndReason.expired.rawValue == PGM_END_EXPIRED.rawValue)
        #expect(ConfirmLeaveReason.bye.rawValue == PGM_CONFIRM_LEFT_BYE.rawValue)
        #expect(ConfirmLeaveReason.expired.rawValue == PGM_CONFIRM_LEFT_EXPIRED.rawValue)
        #expect(ConfirmLeaveReason.lost.rawValue == PGM_CONFIRM_LEFT_LOST.rawValue)
    }

    @Test func headerStructSizesAreStable() {
        // ABI: these sizes are part of the user API.
        #expect(MemoryLayout<pgm_tsi>.size == 8)
        // Grown four times, at its end (the multicast policy's two
        // counters, then max-groups' and revocation's, then its allowed,
        // then the receivers' shed windows and per-address refusals).
        #expect(MemoryLayout<pgm_netns_stats>.size == 14 * 8 + 2 * 8 + 2 * 8 + 8 + 2 * 8)
        #expect(MemoryLayout<pgm_netns_stats>.offset(of: \pgm_netns_stats.rx_windows_shed)
                == 14 * 8 + 2 * 8 + 2 * 8 + 8)
        #expect(MemoryLayout<pgm_netns_stats>.offset(of: \pgm_netns_stats.policy_group_limit) == 14 * 8 + 2 * 8)
        #expect(MemoryLayout<pgm_netns_stats>.offset(of: \pgm_netns_stats.policy_denied) == 14 * 8)
        // Grown seven times, at its end (the limits' counters, the repairs',
        // FEC's, fec_k_refused, PGMCC's, confirmed delivery's, then shed
        // windows and per-address refusals): what older modules write
        // stays where it was.
        #expect(MemoryLayout<pgm_receiver_stats>.size
                == 12 * 8 + 8 + 5 * 8 + 3 * 8 + 5 * 8 + 8 + 3 * 8 + 2 * 8 + 2 * 8)
        #expect(MemoryLayout<pgm_receiver_stats>.offset(of: \pgm_receiver_stats.windows_shed)
                == 12 * 8 + 8 + 5 * 8 + 3 * 8 + 5 * 8 + 8 + 3 * 8 + 2 * 8)
        #expect(MemoryLayout<pgm_receiver_stats>.offset(of: \pgm_receiver_stats.confirm_acks_sent)
                == 12 * 8 + 8 + 5 * 8 + 3 * 8 + 5 * 8 + 8 + 3 * 8)
        #expect(MemoryLayout<pgm_receiver_stats>.offset(of: \pgm_receiver_stats.acks_sent)
                == 12 * 8 + 8 + 5 * 8 + 3 * 8 + 5 * 8 + 8)
        #expect(MemoryLayout<pgm_receiver_stats>.offset(of: \pgm_receiver_stats.fec_k_refused)
                == 12 * 8 + 8 + 5 * 8 + 3 * 8 + 5 * 8)
        #expect(MemoryLayout<pgm_receiver_stats>.offset(of: \pgm_receiver_stats.repairs) == 12 * 8 + 8 + 5 * 8)
        #expect(MemoryLayout<pgm_receiver_stats>.offset(of: \pgm_receiver_stats.parity_received)
                == 12 * 8 + 8 + 5 * 8 + 3 * 8)
        // Grown five times, at its end (the limits' counters, FEC's,
        // rate_wait_ns, PGMCC's counters and state, then confirmed
        // delivery's counters and state, padded to 8): old programs read it
        // short.
        #expect(MemoryLayout<pgm_source_stats>.size
                == 11 * 8 + 8 + 8 * 8 + 5 * 8 + 8 + 8 * 8 + 4 * 4 + 16 + 10 * 8 + 4 * 4)
        #expect(MemoryLayout<pgm_source_stats>.offset(of: \pgm_source_stats.confirm_acks)
                == 11 * 8 + 8 + 8 * 8 + 5 * 8 + 8 + 8 * 8 + 4 * 4 + 16)
        #expect(MemoryLayout<pgm_source_stats>.offset(of: \pgm_source_stats.confirm_receivers)
                == 11 * 8 + 8 + 8 * 8 + 5 * 8 + 8 + 8 * 8 + 4 * 4 + 16 + 10 * 8)
        #expect(MemoryLayout<pgm_source_stats>.offset(of: \pgm_source_stats.confirm_flags)
                == 11 * 8 + 8 + 8 * 8 + 5 * 8 + 8 + 8 * 8 + 4 * 4 + 16 + 10 * 8 + 2 * 4)
        #expect(MemoryLayout<pgm_confirmed>.size == 4 + 4 + 8 + 4 + 4)
        #expect(MemoryLayout<pgm_confirmed>.offset(of: \pgm_confirmed.refused) == 8)
        #expect(MemoryLayout<pgm_source_stats>.offset(of: \pgm_source_stats.acks_received)
                == 11 * 8 + 8 + 8 * 8 + 5 * 8 + 8)
        #expect(MemoryLayout<pgm_source_stats>.offset(of: \pgm_source_stats.cc_window)
                == 11 * 8 + 8 + 8 * 8 + 5 * 8 + 8 + 8 * 8)
        #expect(MemoryLayout<pgm_source_stats>.offset(of: \pgm_source_stats.cc_acker)
                == 11 * 8 + 8 + 8 * 8 + 5 * 8 + 8 + 8 * 8 + 4 * 4)
        #expect(MemoryLayout<pgm_source_stats>.offset(of: \pgm_source_stats.rate_wait_ns) == 11 * 8 + 8 + 8 * 8 + 5 * 8)
        #expect(MemoryLayout<pgm_source_stats>.offset(of: \pgm_source_stats.rdata_deferred) == 11 * 8 + 8)
        #expect(MemoryLayout<pgm_source_stats>.offset(of: \pgm_source_stats.parity_sent_proactive) == 11 * 8 + 8 + 8 * 8)
        #expect(MemoryLayout<pgm_fec>.size == 4)
    }

    /// Where the kernel has PGM this opens a real socket; elsewhere inet_create()
    /// finds no SOCK_RDM protocol at all and refuses with ESOCKTNOSUPPORT, which
    /// the library must surface as is. In the test VM (PGM_VM=1) the module
    /// must be there.
    @Test func openReportsKernelErrno() throws {
        do {
            let s = try PGMSocket()
            #expect(try s.get(.txwSqns) == UInt32(PGM_DEFAULT_TXW_SQNS))
            try s.close()
        } catch let e {
            #expect(!inVM, "pgm.ko is loaded in the VM, yet socket() failed: \(e)")
            #expect(e == .socketTypeNotSupported)
        }
    }

    /// Typed options against the module, in the VM only.
    @Test(.enabled(if: inVM, "needs pgm.ko (runs in the test VM)"))
    func typedOptionsRoundTrip() throws {
        let s = try PGMSocket()
        for t in Tunable.allCases {
            let v = try s.get(t)
            try s.set(t, to: v)
        }
        try s.set(.nakBoIvl, to: 75_000)
        #expect(try s.get(.nakBoIvl) == 75_000)
        #expect(throws: Errno.invalidArgument) { try s.set(.nakBoIvl, to: 1) }
        try s.connect(to: IPv4Endpoint("239.192.0.7:7500"))
        #expect(throws: Errno.socketIsConnected) { try s.set(.txwSqns, to: 100) }
        let st = try s.netnsStatistics()
        #expect(st.sockets >= 1)
        try s.close()
    }
}

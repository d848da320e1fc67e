// Do not edit directly, auto-generated from:
// 	kernel/pgm.yaml
// by scripts/ynl-gen (run it after changing the spec).

/// The named profiles of the tunables (kernel/pgm.yaml, the set `defaults`):
/// what the tools' `--profile NAME` sets on a socket and `pgmctl profile NAME`
/// as the netns's defaults. Each gives every tunable that any profile
/// changes: its value in the profile, or its default where the profile
/// names none.
extension TunableProfile {
    /// The tunables the profiles change, in option order: each one's `SOL_PGM`
    /// option number, which is also its attribute in the set `defaults`.
    static let options: [Int32] = [
        5,  // ihb-min (PGM_IHB_MIN)
        7,  // rdata-linger-ivl (PGM_RDATA_LINGER_IVL)
        22,  // spmr-expiry (PGM_SPMR_EXPIRY)
        23,  // nak-bo-ivl (PGM_NAK_BO_IVL)
        24,  // nak-rpt-ivl (PGM_NAK_RPT_IVL)
        25,  // nak-rdata-ivl (PGM_NAK_RDATA_IVL)
        26,  // nak-ncf-retries (PGM_NAK_NCF_RETRIES)
        27,  // nak-data-retries (PGM_NAK_DATA_RETRIES)
    ]

    /// `lan`: low-latency LAN (RTT well under 1 ms): NAK, NCF and RDATA waits, SPMR and first heartbeat in ms, more retries; more NAK/NCF traffic and loss declared sooner.
    public static let lan = TunableProfile(
        name: "lan", doc: "low-latency LAN (RTT well under 1 ms): NAK, NCF and RDATA waits, SPMR and first heartbeat in ms, more retries; more NAK/NCF traffic and loss declared sooner",
        values: [1_000, 2_000, 10_000, 1_000, 10_000, 10_000, 50, 50])

    /// `wan`: the built-in defaults, for routed networks with RTTs of tens of ms.
    public static let wan = TunableProfile(
        name: "wan", doc: "the built-in defaults, for routed networks with RTTs of tens of ms",
        values: [50_000, 20_000, 250_000, 50_000, 200_000, 200_000, 10, 10])

    /// Every profile, in the spec's order.
    public static let all: [TunableProfile] = [lan, wan]
}

/// The shape of a source's FEC (RFC 3208 Appendix A; the kernel's
/// `PGM_FEC`): RS(n, k) over transmission groups of k packets, `proactive`
/// parity packets per group, on-demand parity or not. Its one check, shared
/// by the socket library's `FECSettings` and the model's `FECParameters`:
/// what the kernel refuses with EINVAL.
public enum FECShapeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// k is not a power of two from 2 to 128.
    case groupSize(Int)
    /// n is not from k + 1 to 255.
    case blockSize(Int, k: Int)
    /// More proactive parity packets than n - k, or than k (beyond k a
    /// parity packet needs OPT_PARITY_GRP, which proactive parity never
    /// carries).
    case proactive(Int, n: Int, k: Int)
    /// Neither proactive nor on-demand parity: nothing to offer.
    case nothingOffered

    /// Throws unless n, k, proactive and onDemand make an FEC the kernel takes.
    public static func check(n: Int, k: Int, proactive: Int, onDemand: Bool) throws(FECShapeError) {
        guard (2...128).contains(k), k & (k - 1) == 0 else { throw .groupSize(k) }
        guard n > k, n <= 255 else { throw .blockSize(n, k: k) }
        guard proactive >= 0, proactive <= n - k, proactive <= k else { throw .proactive(proactive, n: n, k: k) }
        guard proactive > 0 || onDemand else { throw .nothingOffered }
    }

    public var description: String {
        switch self {
        case .groupSize(let k): "k = \(k): the transmission group size is a power of two from 2 to 128"
        case .blockSize(let n, let k): "n = \(n): the FEC block is k + 1 = \(k + 1) to 255 packets"
        case .proactive(let h, let n, let k):
            "proactive = \(h): at most n - k = \(n - k) and at most k = \(k) proactive parity packets per group"
        case .nothingOffered: "FEC needs proactive parity (proactive > 0), on-demand parity, or both"
        }
    }
}

import PGMFEC
import PGMTypes
import PGMWire

// FEC (RFC 3208 Appendix A, section 11) as docs/fec.md's plan has it: the
// source's settings, the arithmetic of transmission groups and parity
// numbers, and what a parity packet carries, built from and rebuilt into
// the group's original packets with PGMFEC's Reed-Solomon code.

/// Why FEC settings were refused (PGMTypes' one check, as the kernel's).
public typealias FECParametersError = FECShapeError

/// A source's FEC (section 11.4): RS(n, k) over transmission groups of k
/// packets, `proactive` parity packets sent after each group's last ODATA,
/// on-demand parity for parity NAKs when `onDemand`. The socket API the
/// kernel will have (`PGM_FEC`, docs/fec.md) takes the same four values;
/// they are no `Parameters` (those come from kernel/pgm.yaml).
public struct FECParameters: Hashable, Sendable, CustomStringConvertible {
    /// Packets in an FEC block: k originals and n - k parity packets.
    public let n: Int
    /// Original packets in a transmission group (OPT_PARITY_PRM's TGS).
    public let k: Int
    /// Parity packets sent proactively per group, numbers 0 to proactive - 1.
    public let proactive: Int
    /// Whether parity NAKs are answered with parity (PARITY_PRM_OND).
    public let onDemand: Bool

    public init(n: Int, k: Int, proactive: Int, onDemand: Bool) throws(FECParametersError) {
        try FECShapeError.check(n: n, k: k, proactive: proactive, onDemand: onDemand)
        self.n = n
        self.k = k
        self.proactive = proactive
        self.onDemand = onDemand
    }

    /// Parity packets a group can have: n - k, numbered 0 to n - k - 1.
    public var parityCount: Int { n - k }

    /// The transmission groups of these settings.
    public var groups: TransmissionGroups { TransmissionGroups(validated: k) }

    /// OPT_PARITY_PRM as every SPM carries it.
    public var option: PGMOption {
        PGMOption(.parityParameters(proactive: proactive > 0, onDemand: onDemand, groupSize: UInt32(k)))
    }

    public var description: String { "n=\(n) k=\(k) proactive=\(proactive)\(onDemand ? " ondemand" : "")" }
}

/// Transmission groups of k packets (section 11.2, "Data and parity packet
/// numbering"): the high-order bits of a sequence number name the group
/// (TG_SQN, `sqn & ~(k - 1)`), the low log2(k) bits the packet in it
/// (PKT_SQN). Groups start on multiples of k; the ISN need not be one, so a
/// session's first group may be partial.
public struct TransmissionGroups: Hashable, Sendable {
    /// k, a power of two from 2 to 128.
    public let k: UInt32

    /// Groups of `k` packets; nil unless k is a power of two from 2 to 128
    /// (what OPT_PARITY_PRM may advertise, section 11.8.1, with OpenPGM's
    /// bounds).
    public init?(k: UInt32) {
        guard (2...128).contains(k), k & (k - 1) == 0 else { return nil }
        self.k = k
    }

    init(validated k: Int) { self.k = UInt32(k) }

    var mask: UInt32 { k - 1 }

    /// TG_SQN: the first sequence number of `sqn`'s group.
    public func start(of sqn: UInt32) -> UInt32 { sqn & ~mask }
    /// PKT_SQN: `sqn`'s place in its group, 0 to k - 1.
    public func index(of sqn: UInt32) -> Int { Int(sqn & mask) }
    /// The last sequence number of the group starting at `group`.
    public func last(of group: UInt32) -> UInt32 { group | mask }

    /// The sequence number of a parity NAK or NCF asking for `count` (1 to
    /// k) parity packets of `group`: NAK_TG_SQN | NAK_PKT_CNT, the count
    /// 0-based (section 11.3.1).
    public func parityRequest(group: UInt32, count: Int) -> UInt32 {
        precondition((1...Int(k)).contains(count), "a parity NAK asks for 1 to k packets")
        return start(of: group) | UInt32(count - 1)
    }

    /// The group and the count (1 to k) of a parity NAK's or NCF's sequence
    /// number.
    public func parityRequest(_ sqn: UInt32) -> (group: UInt32, count: Int) {
        (start(of: sqn), index(of: sqn) + 1)
    }

    /// Where parity packet `number` (0-based: codeword k + number) of `group`
    /// goes on the wire: its sequence number TG_SQN | (number mod k) and,
    /// from number k on, OPT_PARITY_GRP's number / k (section 11.2).
    public func paritySequence(group: UInt32, number: Int) -> (sequence: UInt32, parityGroup: UInt32?) {
        let m = number / Int(k)
        return (start(of: group) | UInt32(number % Int(k)), m == 0 ? nil : UInt32(m))
    }

    /// The number of the parity packet with sequence number `sqn` and
    /// OPT_PARITY_GRP `parityGroup` (absent: 0).
    public func parityNumber(sequence sqn: UInt32, parityGroup: UInt32?) -> Int {
        Int(parityGroup ?? 0) * Int(k) + index(of: sqn)
    }

    /// The highest parity number any group can have: codeword 254 (RS over
    /// GF(2^8) has at most 255 packets in a block).
    public var highestParityNumber: Int { 254 - Int(k) }
}

/// One original packet of a group as FEC sees it: its TSDU and its
/// payload-specific option, OPT_FRAGMENT (section 11.2).
public struct FECOriginal: Hashable, Sendable {
    public var payload: ArraySlice<UInt8>
    public var fragment: PGMParity.RebuiltFragment

    public init(payload: ArraySlice<UInt8>, fragment: (firstSequence: UInt32, offset: UInt32, length: UInt32)?) {
        self.payload = payload
        if let f = fragment {
            self.fragment = .present(firstSequence: f.firstSequence, offset: f.offset, length: f.length)
        } else {
            self.fragment = .absent
        }
    }

    public init(payload: ArraySlice<UInt8>, fragment: PGMParity.RebuiltFragment) {
        self.payload = payload
        self.fragment = fragment
    }

    /// OPT_FRAGMENT's fields, if the packet has one.
    public var fragmentFields: (firstSequence: UInt32, offset: UInt32, length: UInt32)? {
        if case .present(let f, let o, let l) = fragment { return (f, o, l) }
        return nil
    }

    public static func == (a: FECOriginal, b: FECOriginal) -> Bool {
        a.fragment == b.fragment && a.payload.elementsEqual(b.payload)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(fragment)
        hasher.combine(payload.count)
        for b in payload { hasher.combine(b) }
    }
}

/// What a parity packet carries besides its number: the TSDU (with the
/// 2-byte length trailer when `variableLength`), OPT_VAR_PKTLEN, and the
/// octets of its encoded OPT_FRAGMENT when the group has fragments.
public struct ParityContent: Hashable, Sendable {
    public var payload: [UInt8]
    public var variableLength: Bool
    public var encodedFragment: [UInt8]?

    public init(payload: [UInt8], variableLength: Bool, encodedFragment: [UInt8]?) {
        self.payload = payload
        self.variableLength = variableLength
        self.encodedFragment = encodedFragment
    }

    /// The header flags of a parity packet with this content.
    public var flags: PGMHeaderFlags { variableLength ? [.parity, .variableLengthParity] : .parity }

    /// The padded length of the group's packets: the largest TSDU.
    public var paddedLength: Int { variableLength ? payload.count - PGMParity.trailerLength : payload.count }

    /// The content of parity packet `number` (0-based, codeword k + number)
    /// of the group whose k originals are `originals`, by `code` (section
    /// 11.2): padded and with their lengths appended when the TSDU lengths
    /// differ, and with OPT_FRAGMENT encoded when any original has one.
    public init(number: Int, of originals: [FECOriginal], code: ReedSolomon) throws(FECError) {
        guard originals.count == code.k else { throw .originalCount(originals.count, k: code.k) }
        let longest = originals.map(\.payload.count).max() ?? 0
        let variable = originals.contains { $0.payload.count != longest }
        let inputs = variable ? originals.map { PGMParity.padded($0.payload, to: longest) } : originals.map { Array($0.payload) }
        payload = try code.parity(code.k + number, of: inputs)
        variableLength = variable
        if originals.contains(where: { $0.fragmentFields != nil }) {
            encodedFragment = try code.parity(code.k + number, of: originals.map { PGMParity.fragmentInput($0.fragmentFields) })
        } else {
            encodedFragment = nil
        }
    }

    /// The originals of a group rebuilt from `originals` (by place, 0 to k -
    /// 1) and `parity` (by number), which together hold at least k distinct
    /// packets and agree in length and options. Nil when what comes out is
    /// not exact: a length trailer or a fragment option that no source
    /// writes, or a held parity packet that the rebuilt group would not
    /// have made (a corrupt packet, checked whenever more than k are held).
    public static func rebuild(originals: [Int: FECOriginal], parity: [Int: ParityContent],
                               code: ReedSolomon) -> [FECOriginal]? {
        let k = code.k
        guard let model = parity.values.first, originals.count + parity.count >= k,
              originals.keys.allSatisfy({ (0..<k).contains($0) }),
              parity.keys.allSatisfy({ (0..<(code.n - k)).contains($0) })
        else { return nil }
        let padded = model.paddedLength
        var packets: [Int: [UInt8]] = [:]
        var fragments: [Int: [UInt8]] = [:]
        for (i, o) in originals {
            if model.variableLength {
                guard o.payload.count <= padded else { return nil }
                packets[i] = PGMParity.padded(o.payload, to: padded)
            } else {
                guard o.payload.count == padded else { return nil }
                packets[i] = Array(o.payload)
            }
            fragments[i] = PGMParity.fragmentInput(o.fragmentFields)
        }
        for (j, p) in parity {
            guard p.variableLength == model.variableLength, p.payload.count == model.payload.count,
                  (p.encodedFragment == nil) == (model.encodedFragment == nil)
            else { return nil }
            packets[k + j] = p.payload
            if let f = p.encodedFragment {
                guard f.count == PGMParity.fragmentEncodedLength else { return nil }
                fragments[k + j] = f
            }
        }
        guard let data = try? code.reconstruct(packets) else { return nil }
        var rebuiltFragments: [[UInt8]]? = nil
        if model.encodedFragment != nil {
            guard let f = try? code.reconstruct(fragments) else { return nil }
            rebuiltFragments = f
        } else if originals.values.contains(where: { $0.fragmentFields != nil }) {
            // A group with a fragment has encoded fragments in its parity.
            return nil
        }
        var out: [FECOriginal] = []
        out.reserveCapacity(k)
        for i in 0..<k {
            if let o = originals[i] {
                out.append(o)
                continue
            }
            let payload: ArraySlice<UInt8>
            if model.variableLength {
                guard let p = PGMParity.unpadded(data[i]) else { return nil }
                payload = p
            } else {
                payload = data[i][...]
            }
            var fragment = PGMParity.RebuiltFragment.absent
            if let rebuiltFragments {
                guard let f = PGMParity.rebuiltFragment(rebuiltFragments[i]) else { return nil }
                fragment = f
            }
            out.append(FECOriginal(payload: payload, fragment: fragment))
        }
        // Every packet held must be what the rebuilt group makes.
        if originals.count + parity.count > k {
            for (j, p) in parity {
                guard let again = try? ParityContent(number: j, of: out, code: code), again == p else { return nil }
            }
        }
        return out
    }
}

// What a parity packet carries besides the header bits OPT_PARITY and
// OPT_VAR_PKTLEN (`PGMHeaderFlags`) and its numbering: the encoded length of
// packets of a group of variable-sized packets, and encoded payload-specific
// options (RFC 3208 section 11.2, "Variable TSDU length" and
// "Payload-specific options"). The Reed-Solomon code itself is PGMFEC's; this
// is the framing around its input and output.

/// The framing of FEC input and output (RFC 3208 section 11.2).
public enum PGMParity {
    /// Octets of the TSDU length appended to each padded packet of a group
    /// of variable-sized packets.
    public static let trailerLength = 2

    /// Octets of OPT_FRAGMENT that FEC encodes: the whole option but the
    /// first three octets of its common header (type, length, F and OPX), so
    /// the U octet and the three 32-bit fields.
    public static let fragmentEncodedLength = 13

    /// The FEC input of one packet of a group of variable-sized packets:
    /// its TSDU padded with zeros to `paddedLength` octets (the group's
    /// largest), then its length in network order.
    ///
    /// - Precondition: `payload.count` is at most `paddedLength` and 65535.
    public static func padded(_ payload: some Collection<UInt8>, to paddedLength: Int) -> [UInt8] {
        precondition(payload.count <= paddedLength && payload.count <= 0xFFFF, "payload longer than the group's padding")
        var out = [UInt8]()
        out.reserveCapacity(paddedLength + trailerLength)
        out.append(contentsOf: payload)
        out.append(contentsOf: repeatElement(0, count: paddedLength - payload.count))
        out.append(UInt8(truncatingIfNeeded: payload.count >> 8))
        out.append(UInt8(truncatingIfNeeded: payload.count))
        return out
    }

    /// The TSDU of a packet rebuilt from a group of variable-sized packets:
    /// `rebuilt` is the padded packet with its length at the end. The length
    /// is read in network order, as this implementation writes it; when that
    /// is not a length that fits the padding, in little-endian order, as
    /// OpenPGM 5.3 writes it (its host order on x86). Nil when neither fits:
    /// the packet was not rebuilt right.
    public static func unpadded(_ rebuilt: [UInt8]) -> ArraySlice<UInt8>? {
        guard rebuilt.count >= trailerLength else { return nil }
        let room = rebuilt.count - trailerLength
        let hi = Int(rebuilt[room]), lo = Int(rebuilt[room + 1])
        for length in [hi << 8 | lo, lo << 8 | hi] where length <= room {
            // The padding is zeros: anything else there was not the source's.
            guard rebuilt[length..<room].allSatisfy({ $0 == 0 }) else { continue }
            return rebuilt[0..<length]
        }
        return nil
    }

    /// The FEC input standing for one packet's OPT_FRAGMENT: the option's
    /// octets from the fourth on (U = 0 and the option-specific bits, then
    /// the first sequence number, offset and APDU length), or, for a packet
    /// without the option, the all-zero option with OP_ENCODED_NULL (U) set.
    public static func fragmentInput(_ fragment: (firstSequence: UInt32, offset: UInt32, length: UInt32)?) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: fragmentEncodedLength)
        guard let f = fragment else {
            out[0] = 0x80
            return out
        }
        for (i, v) in [f.firstSequence, f.offset, f.length].enumerated() {
            out[1 + 4 * i] = UInt8(truncatingIfNeeded: v >> 24)
            out[2 + 4 * i] = UInt8(truncatingIfNeeded: v >> 16)
            out[3 + 4 * i] = UInt8(truncatingIfNeeded: v >> 8)
            out[4 + 4 * i] = UInt8(truncatingIfNeeded: v)
        }
        return out
    }

    /// What rebuilding OPT_FRAGMENT gave for one packet.
    public enum RebuiltFragment: Hashable, Sendable {
        /// The packet had no OPT_FRAGMENT (OP_ENCODED_NULL came back set).
        case absent
        /// The packet's OPT_FRAGMENT.
        case present(firstSequence: UInt32, offset: UInt32, length: UInt32)
    }

    /// Reads what FEC rebuilt of an OPT_FRAGMENT (the inverse of
    /// `fragmentInput`). Nil when the octets are neither a null option (U
    /// set, all else zero) nor an option (U and the option-specific bits
    /// clear): the option was not rebuilt right.
    public static func rebuiltFragment(_ octets: [UInt8]) -> RebuiltFragment? {
        guard octets.count == fragmentEncodedLength else { return nil }
        switch octets[0] {
        case 0x80:
            return octets.dropFirst().allSatisfy { $0 == 0 } ? .absent : nil
        case 0x00:
            func u32(_ at: Int) -> UInt32 {
                UInt32(octets[at]) << 24 | UInt32(octets[at + 1]) << 16 | UInt32(octets[at + 2]) << 8 | UInt32(octets[at + 3])
            }
            return .present(firstSequence: u32(1), offset: u32(5), length: u32(9))
        default:
            return nil
        }
    }

    /// The encoded OPT_FRAGMENT of a parity packet, from the FEC output over
    /// the group's `fragmentInput`s: OP_ENCODED set, the type, length and
    /// OPX of the original option.
    public static func encodedFragment(_ parity: [UInt8]) -> PGMOption {
        PGMOption(.encoded(type: PGMOptionType.fragment, parity: parity))
    }
}

extension PGMOptions {
    /// The octets of an encoded OPT_FRAGMENT after its first three (the FEC
    /// output of a parity packet, `PGMParity.fragmentEncodedLength` of them
    /// when it is well formed), if the options hold one: the first, as
    /// section 11.2 says to decode "the 1st occurrence of a given option
    /// type".
    public var encodedFragment: [UInt8]? {
        for o in self {
            if case .encoded(let type, let parity) = o.kind, type == PGMOptionType.fragment {
                return parity
            }
        }
        return nil
    }
}

/// A packet's option extensions (RFC 3208 section 9), stored as their wire
/// octets.
///
/// The octets are everything after OPT_LENGTH, OPT_END bit included; OPT_LENGTH
/// itself is derived. A decoded packet's options share the input's storage
/// (decoding allocates nothing per option); iterating yields typed
/// `PGMOption` values, allocating only for OPT_NAK_LIST's list and the
/// byte strings of OPT_INVALID, encoded and unknown options.
///
/// Every value of this type holds options that passed the decoder's checks
/// or were written by the encoder, so iteration cannot fail.
public struct PGMOptions: Hashable, Sendable, Sequence {
    /// The option octets after OPT_LENGTH, exactly as on the wire.
    public let octets: ArraySlice<UInt8>
    /// The number of options (OPT_LENGTH not counted).
    public let count: Int

    /// No options.
    public init() {
        octets = []
        count = 0
    }

    /// The options in this order, the last one carrying OPT_END.
    ///
    /// Throws `.valueOutOfRange` for more than 16 options or an option that
    /// cannot be written (see `PGMOption.Kind`).
    public init(_ options: [PGMOption]) throws(PGMWireError) {
        guard options.count <= 16 else { throw .valueOutOfRange(.optionCount) }
        var length = 0
        for option in options {
            try option.checkEncodable()
            guard option.encodedLength <= 255 else { throw .valueOutOfRange(.optionLength) }
            length += option.encodedLength
        }
        var bytes = [UInt8](repeating: 0, count: length)
        bytes.withUnsafeMutableBytes { buffer in
            var w = ByteWriter(buffer)
            for (i, option) in options.enumerated() {
                option.write(into: &w, end: i == options.count - 1)
            }
        }
        octets = bytes[...]
        count = options.count
    }

    /// Options already validated by the decoder.
    init(validated octets: ArraySlice<UInt8>, count: Int) {
        self.octets = octets
        self.count = count
    }

    public var isEmpty: Bool { count == 0 }

    /// Octets on the wire, OPT_LENGTH included; 0 when there are no options.
    public var encodedLength: Int { count == 0 ? 0 : 4 + octets.count }

    /// The options as an array.
    public var all: [PGMOption] { Array(self) }

    public func makeIterator() -> Iterator { Iterator(octets: octets) }

    public struct Iterator: IteratorProtocol {
        let octets: ArraySlice<UInt8>
        var offset: Int

        init(octets: ArraySlice<UInt8>) {
            self.octets = octets
            offset = 0
        }

        public mutating func next() -> PGMOption? {
            let start = offset
            let result: (PGMOption, Int)? = octets.withUnsafeBytes { p in
                guard p.count - start >= 4 else { return nil }
                let length = Int(p[start + 1])
                guard length >= 4, p.count - start >= length else { return nil }
                return (PGMOption.materialize(p, at: start, length: length), length)
            }
            guard let (option, length) = result else { return nil }
            offset += length
            return option
        }
    }

    /// The first option of the given kind, found by type number (without the
    /// OPT_END bit); allocation-free until the matching option is built.
    public func first(type: UInt8) -> PGMOption? {
        octets.withUnsafeBytes { p -> PGMOption? in
            var o = 0
            while p.count - o >= 4 {
                let length = Int(p[o + 1])
                guard length >= 4, p.count - o >= length else { return nil }
                if p[o] & 0x7F == type && p[o + 2] & 0x04 == 0 {
                    return PGMOption.materialize(p, at: o, length: length)
                }
                o += length
            }
            return nil
        }
    }

    /// OPT_FRAGMENT's fields, if present.
    public var fragment: (firstSequence: UInt32, offset: UInt32, length: UInt32)? {
        if case .fragment(let f, let o, let l)? = first(type: PGMOptionType.fragment)?.kind { return (f, o, l) }
        return nil
    }

    /// OPT_JOIN's minimum sequence number, if present.
    public var joinMinimumSequence: UInt32? {
        if case .join(let s)? = first(type: PGMOptionType.join)?.kind { return s }
        return nil
    }

    /// True when an unencoded option of this type is present.
    public func contains(type: UInt8) -> Bool { first(type: type) != nil }

    /// The header's network-significant bit as RFC 3208 section 8 defines
    /// it for these options in a packet of `packetType`.
    public func networkSignificant(in packetType: PGMPacketType) -> Bool {
        contains { $0.isNetworkSignificant(in: packetType) }
    }

    public static func == (a: PGMOptions, b: PGMOptions) -> Bool {
        a.count == b.count && a.octets.elementsEqual(b.octets)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        for b in octets { hasher.combine(b) }
    }
}

// MARK: - Validating options on the wire

extension PGMOptions {
    /// Validates the options starting with OPT_LENGTH at `start` of `p` and
    /// returns the range of octets after OPT_LENGTH and the option count.
    static func scan(_ p: UnsafeRawBufferPointer, at start: Int) throws(PGMWireError) -> (Range<Int>, Int) {
        let available = p.count - start
        guard available >= 4 else { throw .truncated(.optLength, needed: 4, available: available) }
        guard p[start] == PGMOptionType.length else { throw .badOptLength(.notFirst(foundType: p[start])) }
        guard p[start + 1] == 4 else { throw .badOptLength(.wrongLength(p[start + 1])) }
        let total = Int(p.be16(start + 2))
        guard total >= 4 else { throw .badOptLength(.totalTooSmall(UInt16(total))) }
        guard total <= available else { throw .optionsOverrun(declared: total, available: available) }
        let end = start + total
        var pos = start + 4
        var index = 0
        while true {
            guard pos < end else { throw .missingOptEnd }
            guard index < 16 else { throw .tooManyOptions }
            guard end - pos >= 4 else { throw .optionsLengthMismatch(declared: total, actual: pos + 4 - start) }
            let typeOctet = p[pos]
            let type = typeOctet & 0x7F
            guard type != PGMOptionType.length else { throw .badOptLength(.repeated(index: index)) }
            let length = Int(p[pos + 1])
            guard length >= 4 else { throw .malformedOption(type: type, .wrongLength(length)) }
            guard end - pos >= length else {
                throw .optionsLengthMismatch(declared: total, actual: pos + length - start)
            }
            try PGMOption.validate(p, at: pos, length: length, type: type)
            pos += length
            index += 1
            if typeOctet & PGMOptionType.endBit != 0 {
                guard pos == end else { throw .optionsLengthMismatch(declared: total, actual: pos - start) }
                return ((start + 4)..<end, index)
            }
        }
    }
}

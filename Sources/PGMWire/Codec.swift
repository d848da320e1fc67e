// Decoding and encoding whole PGM packets (RFC 3208 section 8).
//
// Allocation: decoding from [UInt8] or ArraySlice<UInt8> allocates nothing;
// the payload and the option octets are slices sharing the input's storage.
// Decoding from an UnsafeRawBufferPointer or another collection copies the
// packet once into an array. Iterating options allocates only for
// OPT_NAK_LIST and byte-string options (see PGMOptions). Encoding into a
// caller's buffer allocates nothing; `encoded()` allocates the result.

/// Where the parts of a validated packet lie in its buffer.
struct PGMLayout {
    var sourcePort: UInt16
    var destinationPort: UInt16
    var flags: PGMHeaderFlags
    var gsi: GSI
    var body: PGMBody
    var options: Range<Int>
    var optionCount: Int
    var payload: Range<Int>
}

extension PGMPacket {
    /// Offset of the checksum field in the common header.
    static let checksumOffset = 6

    /// Validates the packet in `p` and locates its parts. Never traps and
    /// allocates nothing; the body's payload is left empty.
    static func parse(_ p: UnsafeRawBufferPointer, verifyChecksum: Bool) throws(PGMWireError) -> PGMLayout {
        let limit = p.count
        guard limit >= 16 else { throw .truncated(.header, needed: 16, available: limit) }
        let typeOctet = p[4]
        guard typeOctet >> 6 == 0 else { throw .unsupportedVersion(typeOctet >> 6) }
        guard typeOctet & 0x30 == 0 else { throw .reservedBitsSet(.typeReserved) }
        guard let type = PGMPacketType(rawValue: typeOctet & 0x0F) else { throw .unknownPacketType(typeOctet & 0x0F) }
        let optionsOctet = p[5]
        let definedBits = PGMHeaderFlags.defined.rawValue | PGMHeaderFlags.optionsPresentBit
        guard optionsOctet & ~definedBits == 0 else { throw .reservedBitsSet(.headerOptions) }
        let varPktlen = PGMHeaderFlags.variableLengthParity.rawValue, parity = PGMHeaderFlags.parity.rawValue
        guard optionsOctet & (varPktlen | parity) != varPktlen else { throw .variableLengthWithoutParity }

        if verifyChecksum {
            let field = p.be16(checksumOffset)
            if field == 0 {
                if type.isData { throw .checksumMissing(type) }
            } else {
                let expected = PGMChecksum.value(for: p, skipping: checksumOffset)
                guard field == expected else { throw .checksumMismatch(found: field, expected: expected) }
            }
        }

        let tsdu = Int(p.be16(14))
        var o = 16
        func need(_ n: Int) throws(PGMWireError) {
            guard limit - o >= n else {
                throw .truncated(.typeSpecific(type), needed: o - 16 + n, available: limit - 16)
            }
        }
        func nla(_ field: PGMNLAField) throws(PGMWireError) -> PGMNLA {
            let (value, length) = try readNLA(p, at: o, limit: limit, field: field)
            o += length
            return value
        }

        let body: PGMBody
        switch type {
        case .spm:
            try need(12)
            let sqn = p.be32(o), trail = p.be32(o + 4), lead = p.be32(o + 8)
            o += 12
            body = .spm(PGMSPM(sequence: sqn, trailingEdge: trail, leadingEdge: lead, path: try nla(.spmPath)))
        case .poll:
            try need(8)
            let sqn = p.be32(o), round = p.be16(o + 4), subtype = p.be16(o + 6)
            o += 8
            let path = try nla(.pollPath)
            try need(12)
            body = .poll(PGMPoll(
                sequence: sqn, round: round, subtype: subtype, path: path,
                backoffInterval: p.be32(o), randomString: p.be32(o + 4), matchingMask: p.be32(o + 8)))
            o += 12
        case .polr:
            try need(8)
            guard p.be16(o + 6) == 0 else { throw .reservedBitsSet(.polrReserved) }
            body = .polr(PGMPolr(sequence: p.be32(o), round: p.be16(o + 4)))
            o += 8
        case .odata, .rdata:
            try need(8)
            let data = PGMData(sequence: p.be32(o), trailingEdge: p.be32(o + 4))
            body = type == .odata ? .odata(data) : .rdata(data)
            o += 8
        case .nak, .nnak, .ncf:
            try need(4)
            let sqn = p.be32(o)
            o += 4
            let source = try nla(.nakSource)
            let group = try nla(.nakGroup)
            let nak = PGMNak(sequence: sqn, source: source, group: group)
            body = type == .nak ? .nak(nak) : type == .nnak ? .nnak(nak) : .ncf(nak)
        case .spmr:
            body = .spmr
        case .ack:
            try need(8)
            body = .ack(PGMAck(rxMax: p.be32(o), bitmap: p.be32(o + 4)))
            o += 8
        }

        var optionRange = o..<o
        var optionCount = 0
        if optionsOctet & PGMHeaderFlags.optionsPresentBit != 0 {
            (optionRange, optionCount) = try PGMOptions.scan(p, at: o)
            o = optionRange.upperBound
        }

        let remaining = limit - o
        if type.isData {
            guard tsdu == remaining else { throw .tsduLengthMismatch(declared: tsdu, actual: remaining) }
        } else if tsdu != 0 || remaining != 0 {
            if tsdu == remaining { throw .unexpectedPayload(type, length: remaining) }
            throw .tsduLengthMismatch(declared: tsdu, actual: remaining)
        }

        return PGMLayout(
            sourcePort: p.be16(0), destinationPort: p.be16(2),
            flags: PGMHeaderFlags(rawValue: optionsOctet & PGMHeaderFlags.defined.rawValue),
            gsi: GSI(rawValue: UInt64(p.be16(8)) << 32 | UInt64(p.be32(10))),
            body: body, options: optionRange, optionCount: optionCount, payload: o..<limit)
    }

    /// Builds the packet from a layout over `bytes`, whose indices start at
    /// `bytes.startIndex` where the layout's offsets start at 0.
    init(layout: PGMLayout, in bytes: ArraySlice<UInt8>) {
        let base = bytes.startIndex
        func slice(_ r: Range<Int>) -> ArraySlice<UInt8> { bytes[(base + r.lowerBound)..<(base + r.upperBound)] }
        var body = layout.body
        switch body {
        case .odata(var d):
            d.payload = slice(layout.payload)
            body = .odata(d)
        case .rdata(var d):
            d.payload = slice(layout.payload)
            body = .rdata(d)
        default:
            break
        }
        self.init(
            sourcePort: layout.sourcePort, destinationPort: layout.destinationPort, gsi: layout.gsi, body: body,
            options: PGMOptions(validated: slice(layout.options), count: layout.optionCount), flags: layout.flags)
    }

    /// Decodes one PGM packet: the whole of `bytes` (the IP payload in native
    /// framing, the UDP payload in UDP encapsulation).
    ///
    /// Allocates nothing: payload and options share `bytes`' storage.
    /// - Parameter verifyChecksum: check the checksum field (a zero field is
    ///   accepted as "no checksum" except on ODATA and RDATA).
    public static func decode(_ bytes: ArraySlice<UInt8>, verifyChecksum: Bool = true) throws(PGMWireError) -> PGMPacket {
        let result: Result<PGMLayout, PGMWireError> = bytes.withUnsafeBytes { p in
            Result { () throws(PGMWireError) in try parse(p, verifyChecksum: verifyChecksum) }
        }
        return PGMPacket(layout: try result.get(), in: bytes)
    }

    /// Decodes one PGM packet from an array; see `decode(_:verifyChecksum:)`.
    public static func decode(_ bytes: [UInt8], verifyChecksum: Bool = true) throws(PGMWireError) -> PGMPacket {
        try decode(bytes[...], verifyChecksum: verifyChecksum)
    }

    /// Decodes one PGM packet from raw memory, copying it once into an array
    /// after it validated.
    public static func decode(_ bytes: UnsafeRawBufferPointer, verifyChecksum: Bool = true) throws(PGMWireError) -> PGMPacket {
        let layout = try parse(bytes, verifyChecksum: verifyChecksum)
        return PGMPacket(layout: layout, in: Array(bytes)[...])
    }

    /// Decodes one PGM packet from any collection of octets, copying it once
    /// into an array.
    public static func decode(_ bytes: some Collection<UInt8>, verifyChecksum: Bool = true) throws(PGMWireError) -> PGMPacket {
        try decode(Array(bytes)[...], verifyChecksum: verifyChecksum)
    }

    /// Checks that `bytes` is a valid PGM packet without building it; never
    /// allocates. Returns its type.
    public static func validate(_ bytes: UnsafeRawBufferPointer, verifyChecksum: Bool = true) throws(PGMWireError) -> PGMPacketType {
        try parse(bytes, verifyChecksum: verifyChecksum).body.type
    }
}

// MARK: - Encoding

extension PGMPacket {
    /// Writes the packet at the start of `buffer` and returns its length.
    ///
    /// - Parameter checksum: compute the checksum (otherwise the field is
    ///   zero, which RFC 3208 forbids for ODATA and RDATA).
    /// - Throws: `.bufferTooSmall`, or `.valueOutOfRange` for header flags
    ///   outside `PGMHeaderFlags.defined` (or variable-length parity without
    ///   parity) or a payload over 65535 octets.
    @discardableResult
    public func encode(into buffer: UnsafeMutableRawBufferPointer, checksum: Bool = true) throws(PGMWireError) -> Int {
        guard PGMHeaderFlags.defined.isSuperset(of: flags),
              !flags.contains(.variableLengthParity) || flags.contains(.parity)
        else { throw .valueOutOfRange(.headerFlags) }
        let payload = self.payload
        guard payload.count <= 0xFFFF else { throw .valueOutOfRange(.tsduLength) }
        let length = encodedLength
        guard buffer.count >= length else { throw .bufferTooSmall(needed: length, available: buffer.count) }

        var w = ByteWriter(buffer)
        w.u16(sourcePort)
        w.u16(destinationPort)
        w.u8(type.rawValue)
        w.u8(flags.rawValue | (options.isEmpty ? 0 : PGMHeaderFlags.optionsPresentBit))
        w.u16(0)
        w.u16(UInt16(truncatingIfNeeded: gsi.rawValue >> 32))
        w.u32(UInt32(truncatingIfNeeded: gsi.rawValue))
        w.u16(UInt16(payload.count))
        switch body {
        case .spm(let s):
            w.u32(s.sequence)
            w.u32(s.trailingEdge)
            w.u32(s.leadingEdge)
            w.nla(s.path)
        case .poll(let poll):
            w.u32(poll.sequence)
            w.u16(poll.round)
            w.u16(poll.subtype)
            w.nla(poll.path)
            w.u32(poll.backoffInterval)
            w.u32(poll.randomString)
            w.u32(poll.matchingMask)
        case .polr(let r):
            w.u32(r.sequence)
            w.u16(r.round)
            w.u16(0)
        case .odata(let d), .rdata(let d):
            w.u32(d.sequence)
            w.u32(d.trailingEdge)
        case .nak(let n), .nnak(let n), .ncf(let n):
            w.u32(n.sequence)
            w.nla(n.source)
            w.nla(n.group)
        case .spmr:
            break
        case .ack(let a):
            w.u32(a.rxMax)
            w.u32(a.bitmap)
        }
        if !options.isEmpty {
            w.u8(PGMOptionType.length)
            w.u8(4)
            w.u16(UInt16(options.encodedLength))
            w.bytes(options.octets)
        }
        w.bytes(payload)
        if checksum {
            let value = PGMChecksum.value(for: UnsafeRawBufferPointer(rebasing: buffer[0..<length]), skipping: nil)
            buffer[PGMPacket.checksumOffset] = UInt8(value >> 8)
            buffer[PGMPacket.checksumOffset + 1] = UInt8(value & 0xFF)
        }
        return length
    }

    /// The packet's octets; see `encode(into:checksum:)`.
    public func encoded(checksum: Bool = true) throws(PGMWireError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: encodedLength)
        let result: Result<Int, PGMWireError> = bytes.withUnsafeMutableBytes { buffer in
            Result { () throws(PGMWireError) in try encode(into: buffer, checksum: checksum) }
        }
        _ = try result.get()
        return bytes
    }
}

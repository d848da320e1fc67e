import PGMToolSupport
import Testing

/// ZeroMQ's framing inside APDUs (pgm(7) COMPATIBILITY), as its publisher writes it.
@Suite struct ZMQFramingTests {
    /// Frames parts the way libzmq's v1 encoder does, as one stream.
    static func stream(_ parts: [([UInt8], Bool)]) -> (bytes: [UInt8], starts: [Int]) {
        var out: [UInt8] = []
        var starts: [Int] = []
        for (body, more) in parts {
            starts.append(out.count)
            let size = UInt64(body.count + 1)
            if size < 255 {
                out.append(UInt8(size))
            } else {
                out.append(0xff)
                for k in (0..<8).reversed() { out.append(UInt8(truncatingIfNeeded: size >> (8 * UInt64(k)))) }
            }
            out.append(more ? 1 : 0)
            out += body
        }
        return (out, starts)
    }

    /// Cuts a stream into APDUs of `chunk` bytes with the offset header.
    static func apdus(_ s: (bytes: [UInt8], starts: [Int]), chunk: Int) -> [[UInt8]] {
        stride(from: 0, to: s.bytes.count, by: chunk).map { at in
            let end = min(at + chunk, s.bytes.count)
            let off = s.starts.first { $0 >= at && $0 < end }.map { $0 - at } ?? 0xffff
            return [UInt8(off >> 8), UInt8(off & 0xff)] + s.bytes[at..<end]
        }
    }

    @Test func messagesAcrossAPDUsComeOutWhole() throws {
        let parts: [([UInt8], Bool)] = [(Array(repeating: 7, count: 300), false), ([1, 2, 3], true),
                                        ([], false), (Array(0..<255).map { UInt8($0) }, false)]
        var d = ZMQDecoder()
        var got: [ZMQDecoder.Part] = []
        for a in Self.apdus(Self.stream(parts), chunk: 100) { got += try d.feed(a) }
        #expect(got == parts.map { ZMQDecoder.Part(body: $0.0, more: $0.1) })
    }

    @Test func aLateJoinerStartsAtTheFirstMessageStart() throws {
        let parts: [([UInt8], Bool)] = [(Array(repeating: 1, count: 250), false), ([9, 9], false)]
        let a = Self.apdus(Self.stream(parts), chunk: 200)
        var d = ZMQDecoder()
        // The second APDU continues the first message (offset 52), then the second starts.
        #expect(try d.feed(a[1]) == [ZMQDecoder.Part(body: [9, 9], more: false)])
    }

    @Test func anAPDUWithoutAStartIsSkippedUntilSynchronised() throws {
        var d = ZMQDecoder()
        #expect(try d.feed([0xff, 0xff, 5, 0, 1, 2, 3, 4]) == [])
        #expect(try d.feed([0, 0, 2, 0, 42]) == [ZMQDecoder.Part(body: [42], more: false)])
    }

    @Test func badFramingIsATypedError() {
        var d = ZMQDecoder()
        #expect(throws: ZMQDecoder.DecodeError.shortAPDU) { try d.feed([0]) }
        #expect(throws: ZMQDecoder.DecodeError.offsetOutOfRange(9)) { try d.feed([0, 9, 1]) }
        var z = ZMQDecoder()
        #expect(throws: ZMQDecoder.DecodeError.zeroLength) { try z.feed([0, 0, 0]) }
        var l = ZMQDecoder(maximumLength: 10)
        #expect(throws: ZMQDecoder.DecodeError.tooLong(99)) { try l.feed([0, 0, 100, 0]) }
    }
}

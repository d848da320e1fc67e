/// ZeroMQ's framing of messages inside PGM APDUs (`pgm://`, `epgm://`;
/// libzmq's pgm_sender and pgm_receiver with its v1 encoder), decoded.
///
/// A publisher cuts a byte stream of messages into APDUs of at most one
/// packet.  Each APDU starts with a 2-byte big-endian offset of the first
/// message that begins in it (0xffff: none does).  In the stream a message
/// is a length (one byte below 255, else 0xff and 8 bytes big-endian) that
/// counts a flags byte (bit 0: more parts follow) and the body, the flags
/// byte, then the body.  One decoder per session: messages may span APDUs,
/// and decoding starts at the first APDU with a message start.
public struct ZMQDecoder: Sendable {
    /// Why an APDU could not be decoded.
    public enum DecodeError: Error, Equatable, Sendable {
        /// Shorter than the 2-byte offset.
        case shortAPDU
        /// The offset points past the APDU's end.
        case offsetOutOfRange(Int)
        /// A message length of 0 (it must count the flags byte).
        case zeroLength
        /// A message longer than the decoder accepts.
        case tooLong(UInt64)
    }

    /// One decoded message part.
    public struct Part: Equatable, Sendable {
        public var body: [UInt8]
        /// More parts of the same message follow.
        public var more: Bool

        public init(body: [UInt8], more: Bool) {
            self.body = body
            self.more = more
        }
    }

    private var pending: [UInt8] = []
    private var synced = false
    /// The longest part accepted.
    public let maximumLength: UInt64

    public init(maximumLength: UInt64 = 1 << 30) {
        self.maximumLength = maximumLength
    }

    /// Feeds one APDU; returns the parts it completed.
    public mutating func feed(_ apdu: some Collection<UInt8>) throws(DecodeError) -> [Part] {
        let bytes = Array(apdu)
        guard bytes.count >= 2 else { throw .shortAPDU }
        let offset = Int(bytes[0]) << 8 | Int(bytes[1])
        var body = bytes[2...]
        if !synced {
            if offset == 0xffff { return [] }
            guard offset <= body.count else { throw .offsetOutOfRange(offset) }
            body = body.dropFirst(offset)
            synced = true
        }
        pending.append(contentsOf: body)
        var parts: [Part] = []
        var at = 0
        while at < pending.count {
            var size: UInt64
            var header: Int
            if pending[at] < 0xff {
                size = UInt64(pending[at])
                header = 1
            } else {
                guard pending.count - at >= 9 else { break }
                size = 0
                for k in 1...8 { size = size << 8 | UInt64(pending[at + k]) }
                header = 9
            }
            guard size > 0 else { throw .zeroLength }
            guard size - 1 <= maximumLength else { throw .tooLong(size - 1) }
            guard UInt64(pending.count - at - header) >= size else { break }
            let flags = pending[at + header]
            let start = at + header + 1
            let end = start + Int(size - 1)
            parts.append(Part(body: Array(pending[start..<end]), more: flags & 1 != 0))
            at = end
        }
        pending.removeFirst(at)
        return parts
    }
}

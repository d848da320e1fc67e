/// A Global Source ID: six octets naming a source host (RFC 3208 section
/// 3.1), kept in the low 48 bits of `rawValue` with the first wire octet
/// most significant.
///
/// Printed in dotted decimal as OpenPGM prints GSIs ("2.0.94.16.32.48");
/// ``colonHex`` is the form Wireshark shows.
public struct GSI: Hashable, Sendable, CustomStringConvertible {
    /// The 48-bit value; the top 16 bits are always zero.
    public private(set) var rawValue: UInt64

    /// The GSI made of the low 48 bits of `rawValue`.
    public init(rawValue: UInt64) { self.rawValue = rawValue & 0xFFFF_FFFF_FFFF }

    /// The GSI made of six octets in wire order.
    public init(_ b0: UInt8, _ b1: UInt8, _ b2: UInt8, _ b3: UInt8, _ b4: UInt8, _ b5: UInt8) {
        rawValue = UInt64(b0) << 40 | UInt64(b1) << 32 | UInt64(b2) << 24
            | UInt64(b3) << 16 | UInt64(b4) << 8 | UInt64(b5)
    }

    /// The GSI made of exactly six octets in wire order; nil for any other
    /// count.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 6 else { return nil }
        rawValue = bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// Parses six octets in dotted decimal ("2.0.94.16.32.48") or in
    /// colon-separated hex ("02:00:5e:10:20:30").
    public init(_ text: some StringProtocol) throws(VocabularyParseError) {
        let hex = text.contains(":")
        let parts = text.split(separator: hex ? ":" : ".", omittingEmptySubsequences: false)
        guard parts.count == 6 else {
            throw VocabularyParseError(.gsi, text: text, problem: "it has \(parts.count) octets, not 6")
        }
        var v: UInt64 = 0
        for p in parts {
            let octet: UInt8?
            if hex {
                octet = (1...2).contains(p.utf8.count) && p.allSatisfy(\.isHexDigit) ? UInt8(p, radix: 16) : nil
            } else {
                octet = IPv4Address.octet(p)
            }
            guard let octet else {
                throw VocabularyParseError(
                    .gsi, text: text, problem: "'\(p)' is not an octet in \(hex ? "hex (00 to ff)" : "decimal (0 to 255)")")
            }
            v = v << 8 | UInt64(octet)
        }
        rawValue = v
    }

    /// The six octets in wire order.
    public var bytes: [UInt8] {
        (0..<6).map { UInt8(truncatingIfNeeded: rawValue >> (40 - 8 * UInt64($0))) }
    }

    /// Dotted decimal, as OpenPGM prints GSIs: "2.0.94.16.32.48".
    public var description: String { bytes.map(String.init).joined(separator: ".") }

    /// Colon-separated lower-case hex octets, as Wireshark prints GSIs:
    /// "02:00:5e:10:20:30".
    public var colonHex: String {
        bytes.map { b in (b < 16 ? "0" : "") + String(b, radix: 16) }.joined(separator: ":")
    }
}

/// A Transport Session Identifier: the GSI and the data-source port
/// (RFC 3208 section 3.1).
///
/// Printed as OpenPGM prints TSIs, "GSI.port": "2.0.94.16.32.48.40000".
public struct TSI: Hashable, Sendable, CustomStringConvertible {
    /// The source's Global Source ID.
    public var gsi: GSI
    /// The data-source port, host byte order.
    public var sourcePort: UInt16

    /// A TSI from its parts.
    public init(gsi: GSI, sourcePort: UInt16) {
        self.gsi = gsi
        self.sourcePort = sourcePort
    }

    /// The TSI of the eight octets of `struct pgm_tsi`: the GSI, then the
    /// port in network order; nil for any other count.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 8 else { return nil }
        let a = Array(bytes)
        guard let gsi = GSI(bytes: a[0..<6]) else { return nil }
        self.init(gsi: gsi, sourcePort: UInt16(a[6]) << 8 | UInt16(a[7]))
    }

    /// Parses "GSI.port", the GSI in either of the forms ``GSI`` parses:
    /// "2.0.94.16.32.48.40000" or "02:00:5e:10:20:30.40000".
    public init(_ text: some StringProtocol) throws(VocabularyParseError) {
        guard let lastDot = text.lastIndex(of: ".") else {
            throw VocabularyParseError(.tsi, text: text, problem: "there is no '.' before the port")
        }
        let portText = text[text.index(after: lastDot)...]
        guard portText.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let port = UInt16(portText) else {
            throw VocabularyParseError(.tsi, text: text, problem: "port '\(portText)' is not a number from 0 to 65535")
        }
        do {
            gsi = try GSI(text[..<lastDot])
        } catch {
            throw VocabularyParseError(.tsi, text: text, problem: "GSI " + error.problem)
        }
        sourcePort = port
    }

    /// The eight octets of `struct pgm_tsi`: the GSI, then the port in
    /// network order.
    public var bytes: [UInt8] { gsi.bytes + [UInt8(sourcePort >> 8), UInt8(truncatingIfNeeded: sourcePort)] }

    /// "GSI.port" with the GSI in dotted decimal.
    public var description: String { "\(gsi).\(sourcePort)" }
}

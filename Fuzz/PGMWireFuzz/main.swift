// libFuzzer target for the PGMWire codec. It is compiled together with
// Sources/PGMTypes/*.swift and Sources/PGMWire/*.swift into one module by
// scripts/fuzz-wire (not by Package.swift):
//
//   swiftc -sanitize=fuzzer,address -parse-as-library ... Sources/PGMTypes/*.swift Sources/PGMWire/*.swift Fuzz/PGMWireFuzz/main.swift
//
// Besides "no trap, no memory error", it checks the decoder's oracles and
// stops through oracleFailed (in the harness, never in the codec) when one fails:
// - allocation-free validation and full decoding agree;
// - a packet that decodes re-encodes to exactly the input octets (checksum
//   field aside): decoding is canonical and loses nothing;
// - the re-encoded packet, checksummed, decodes with verification to the
//   same value;
// - options iterate to as many values as the decoder counted, and the typed
//   options, encoded again, give back the same option octets.

#if canImport(Glibc)
import Glibc
#endif

/// A broken invariant: says which on stderr and aborts, so that libFuzzer
/// stops and saves the input as build/fuzz/crash-*.
func oracleFailed(_ why: String) -> Never {
    let line = Array("PGMWireFuzz: oracle failed: \(why)\n".utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    abort()
}

@_cdecl("LLVMFuzzerTestOneInput")
public func pgmWireFuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let raw = UnsafeRawBufferPointer(start: data, count: size)
    let bytes = Array(raw)

    _ = try? PGMPacket.decode(bytes)

    let validated = Result { () throws(PGMWireError) in try PGMPacket.validate(raw, verifyChecksum: false) }
    let decoded = Result { () throws(PGMWireError) in try PGMPacket.decode(bytes, verifyChecksum: false) }
    switch (validated, decoded) {
    case (.success(let type), .success(let packet)):
        guard type == packet.type else { oracleFailed("validate and decode disagree on the type") }
        checkRoundTrip(packet, bytes)
    case (.failure(let a), .failure(let b)):
        guard a == b else { oracleFailed("validate and decode throw different errors: \(a) vs \(b)") }
    default:
        oracleFailed("validate and decode disagree")
    }

    if let framed = try? PGMFraming.decodeIPv4(bytes, verifyChecksums: false) {
        _ = Array(framed.packet.options)
    }
    if let framed = try? PGMFraming.decodeIPv6(bytes, verifyChecksums: false) {
        _ = Array(framed.packet.options)
    }
    _ = try? PGMFraming.ipv6Layout(bytes[...], captured: true)
    return 0
}

private func checkRoundTrip(_ packet: PGMPacket, _ input: [UInt8]) {
    var count = 0
    for _ in packet.options { count += 1 }
    guard count == packet.options.count else { oracleFailed("options iterate to \(count), not \(packet.options.count)") }
    guard let rebuilt = try? PGMOptions(Array(packet.options)), rebuilt == packet.options else {
        oracleFailed("typed options do not re-encode to the decoded octets: \(Array(packet.options))")
    }
    guard let again = try? packet.encoded(checksum: false) else { oracleFailed("a decoded packet does not encode") }
    var expected = input
    expected[6] = 0
    expected[7] = 0
    guard again == expected else { oracleFailed("decoding is not canonical: \(input) re-encodes to \(again)") }
    guard let summed = try? packet.encoded(), let back = try? PGMPacket.decode(summed), back == packet else {
        oracleFailed("the checksummed re-encoding does not decode to the same packet")
    }
}

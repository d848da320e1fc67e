import PGMCLISupport
import Testing

/// Times, rates and sizes with unit suffixes, as every tool and pgmctl set
/// take them (PGMCLISupport's Quantity).
@Suite("Quantity")
struct QuantityTests {
    func whole(_ s: String, _ bare: QuantityUnit, in unit: QuantityUnit? = nil) throws -> Int64 {
        try Quantity.parse(s, bareUnit: bare).whole(in: unit ?? bare)
    }

    @Test func times() throws {
        #expect(try whole("20ms", .microseconds) == 20_000)
        #expect(try whole("2s", .microseconds) == 2_000_000)
        #expect(try whole("500us", .microseconds) == 500)
        #expect(try whole("500µs", .microseconds) == 500)
        #expect(try whole("1m", .microseconds) == 60_000_000)
        #expect(try whole("1.5s", .milliseconds) == 1500)
        #expect(try whole("250", .microseconds) == 250)  // a bare number keeps the unit
        #expect(try whole("250", .milliseconds, in: .microseconds) == 250_000)
        #expect(try Quantity.parse("20ms", bareUnit: .seconds).value(in: .seconds) == 0.02)
        #expect(try Quantity.parse("2", bareUnit: .seconds).value(in: .seconds) == 2)
        #expect(try Quantity.parse("0.5", bareUnit: .seconds).value(in: .seconds) == 0.5)
        #expect(try Quantity.parse("1h", bareUnit: .seconds).value(in: .seconds) == 3600)
    }

    @Test func rates() throws {
        #expect(try whole("100M", .bytesPerSecond) == 100_000_000)
        #expect(try whole("1G", .bytesPerSecond) == 1_000_000_000)
        #expect(try whole("500k", .bytesPerSecond) == 500_000)
        #expect(try whole("500K", .bytesPerSecond) == 500_000)
        #expect(try whole("2.5M", .bytesPerSecond) == 2_500_000)
        #expect(try whole("12500000", .bytesPerSecond) == 12_500_000)
        // tc's bit rates.
        #expect(try whole("100mbit", .bytesPerSecond) == 12_500_000)
        #expect(try whole("100Mbit", .bytesPerSecond) == 12_500_000)
        #expect(try whole("1gbit", .bytesPerSecond) == 125_000_000)
        #expect(try whole("800kbit", .bytesPerSecond) == 100_000)
        #expect(throws: QuantityError.notWhole(text: "1bit", unit: .bytesPerSecond)) { try whole("1bit", .bytesPerSecond) }
    }

    @Test func sizes() throws {
        #expect(try whole("64k", .bytes) == 64_000)
        #expect(try whole("64Ki", .bytes) == 65_536)
        #expect(try whole("1Mi", .bytes) == 1_048_576)
        #expect(try whole("32M", .bytes) == 32_000_000)
    }

    @Test func refusals() throws {
        #expect(throws: QuantityError.notANumber(text: "fast", unit: .seconds)) { try whole("fast", .seconds) }
        #expect(throws: QuantityError.notANumber(text: "", unit: .seconds)) { try whole("", .seconds) }
        #expect(throws: QuantityError.notANumber(text: "1.2.3", unit: .seconds)) { try whole("1.2.3", .seconds) }
        #expect(throws: QuantityError.unknownUnit(text: "5x", suffix: "x", dimension: .time)) { try whole("5x", .seconds) }
        #expect(throws: QuantityError.unknownUnit(text: "5mbit", suffix: "mbit", dimension: .time)) { try whole("5mbit", .seconds) }
        #expect(throws: QuantityError.unknownUnit(text: "1k", suffix: "k", dimension: .count)) {
            try whole("1k", .count("sequence numbers"))
        }
        #expect(throws: QuantityError.notWhole(text: "1.5us", unit: .microseconds)) { try whole("1.5us", .microseconds) }
        #expect(throws: QuantityError.notWhole(text: "1500us", unit: .milliseconds)) { try whole("1500us", .milliseconds) }
        #expect(throws: QuantityError.tooLarge(text: "99999999999999999999")) { try whole("99999999999999999999", .bytes) }
    }

    @Test func ranges() throws {
        let rate = try Quantity.parse("-1", bareUnit: .bytesPerSecond)
        #expect(throws: QuantityError.outOfRange(text: "-1", accepted: "0-4294967295 bytes/s (0: no limit)")) {
            try rate.whole(in: .bytesPerSecond, range: 0...4_294_967_295, note: "0: no limit")
        }
        let error = QuantityError.outOfRange(text: "-1", accepted: "0-4294967295 bytes/s (0: no limit)")
        #expect(error.message(for: "--rate") == "--rate must be 0-4294967295 bytes/s (0: no limit); got -1")
        #expect(throws: QuantityError.outOfRange(text: "5G", accepted: "0-4294967295 bytes/s")) {
            try Quantity.parse("5G", bareUnit: .bytesPerSecond).whole(in: .bytesPerSecond, range: 0...4_294_967_295)
        }
        #expect(throws: QuantityError.outOfRange(text: "2h", accepted: "0-3600 seconds")) {
            try Quantity.parse("2h", bareUnit: .seconds).value(in: .seconds, range: 0...3600)
        }
        #expect(throws: QuantityError.outOfRange(text: "0ms", accepted: "more than 0 and at most 86400 seconds")) {
            try Quantity.parse("0ms", bareUnit: .seconds).value(in: .seconds, range: 0...86400, aboveLower: true)
        }
        #expect(try Quantity.parse("1m", bareUnit: .seconds).value(in: .seconds, range: 0...3600) == 60)
        #expect(throws: QuantityError.outOfRange(text: "300", accepted: "0-255")) {
            try Quantity.parse("300", bareUnit: .count("")).whole(in: .count(""), range: 0...255)
        }
    }

    @Test func messages() {
        #expect(QuantityError.notANumber(text: "fast", unit: .seconds).message(for: "--linger")
            == "--linger wants a time such as 500us, 20ms, 2s or 1m (a bare number is in seconds); got 'fast'")
        #expect(QuantityError.unknownUnit(text: "5x", suffix: "x", dimension: .time).message(for: "--linger")
            == "--linger: unknown unit 'x' in '5x'; a time takes ns, us, ms, s, m, h")
        #expect(QuantityError.notWhole(text: "1.5us", unit: .microseconds).message(for: "nak-bo-ivl")
            == "nak-bo-ivl: '1.5us' is not a whole number of microseconds")
    }
}

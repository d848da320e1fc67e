import PGM
import PGMToolSupport
import Testing

@Suite("PGM_FEC settings (RFC 3208 Appendix A)")
struct FECSettingsTests {
    @Test("checked as the kernel checks PGM_FEC")
    func validation() throws {
        #expect(try FECSettings(n: 32, k: 16, proactive: 2, onDemand: true).description == "n=32,k=16,proactive=2,ondemand")
        #expect(throws: FECSettings.Error.groupSize(3)) { try FECSettings(n: 8, k: 3, proactive: 1) }
        #expect(throws: FECSettings.Error.groupSize(256)) { try FECSettings(n: 255, k: 256, proactive: 1) }
        #expect(throws: FECSettings.Error.blockSize(4, k: 4)) { try FECSettings(n: 4, k: 4, onDemand: true) }
        #expect(throws: FECSettings.Error.blockSize(256, k: 4)) { try FECSettings(n: 256, k: 4, onDemand: true) }
        #expect(throws: FECSettings.Error.proactive(3, n: 6, k: 4)) { try FECSettings(n: 6, k: 4, proactive: 3) }
        #expect(throws: FECSettings.Error.proactive(5, n: 12, k: 4)) { try FECSettings(n: 12, k: 4, proactive: 5) }
        #expect(throws: FECSettings.Error.nothingOffered) { try FECSettings(n: 8, k: 4) }
        _ = try FECSettings(n: 255, k: 128, proactive: 127, onDemand: true)
        _ = try FECSettings(n: 3, k: 2, proactive: 1)
    }

    @Test("pgm-send's --fec text", arguments: [
        ("n=32,k=16,proactive=2,ondemand", "n=32,k=16,proactive=2,ondemand"),
        ("k=4,n=8,ondemand", "n=8,k=4,proactive=0,ondemand"),
        ("n=8,k=4,proactive=1", "n=8,k=4,proactive=1"),
    ])
    func parsing(text: String, settings: String) throws {
        #expect(try FECSettings(parsing: text).description == settings)
    }

    @Test("--fec text refused: syntax, then the kernel's checks", arguments: [
        "", "n=8", "n=8,k=4,proactive=x", "n=8,k=4,ondemand=1", "n=8,k=4,foo", "n=-1,k=4,ondemand",
    ])
    func syntaxErrors(text: String) {
        #expect {
            try FECSettings(parsing: text)
        } throws: { e in
            if case .syntax = e as? FECSettings.ParseError { return true }
            return false
        }
    }

    @Test func invalidSettings() {
        #expect(throws: FECSettings.ParseError.invalid(.nothingOffered)) { try FECSettings(parsing: "n=8,k=4") }
        #expect(throws: FECSettings.ParseError.invalid(.groupSize(5))) { try FECSettings(parsing: "n=8,k=5,ondemand") }
    }
}

/// `--fec` and `--parity-naks` as pgm-send, pgm-recv and pgm-perf take them
/// (PGMToolSupport's FECOptions and ParityNAKOptions).
@Suite("--fec and --parity-naks options")
struct FECOptionsTests {
    @Test func fecParsed() throws {
        #expect(try FECOptions.parse([]).checked == nil)
        let o = try FECOptions.parse(["--fec", "n=32,k=16,proactive=2,ondemand"])
        #expect(o.checked == (try FECSettings(n: 32, k: 16, proactive: 2, onDemand: true)))
    }

    @Test("--fec refused in pgm-send's words", arguments: [
        ("n=8,k=4", "--fec: FEC needs proactive parity (proactive > 0), on-demand parity, or both"),
        ("n=8,k=4,x=1", "--fec: 'x=1': expected n=N,k=K[,proactive=H][,ondemand]"),
        ("n=8", "--fec: 'n= and k= are needed': expected n=N,k=K[,proactive=H][,ondemand]"),
    ])
    func fecRefused(text: String, message: String) {
        do {
            _ = try FECOptions.parse(["--fec", text])
            Issue.record("--fec \(text) parsed")
        } catch {
            #expect(FECOptions.message(for: error) == message)
        }
    }

    @Test func parityNAKs() throws {
        var options = ReceiverOptions()
        try ParityNAKOptions.parse([]).apply(to: &options)
        #expect(options.parityNAKs == nil)
        try ParityNAKOptions.parse(["--parity-naks"]).apply(to: &options)
        #expect(options.parityNAKs == true)
    }
}

import PGM
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

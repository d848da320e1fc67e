import PGM
import PGMCLISupport
import PGMToolSupport
import Testing

/// What pgm-send and pgm-recv compute: SHA-256 against FIPS 180-4 vectors,
/// made-up APDUs.
@Suite("Tool support")
struct ToolSupportTests {
    func sha(_ s: String) -> String {
        var h = SHA256()
        h.update(Array(s.utf8))
        return h.hexDigest()
    }

    @Test func sha256KnownAnswers() {
        #expect(sha("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(sha("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(sha("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        var h = SHA256()
        let a = [UInt8](repeating: 0x61, count: 1000)
        for _ in 0..<1000 { h.update(a) }  // one million 'a'
        #expect(h.hexDigest() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func sha256IsIndependentOfChunking() {
        let data = patternAPDU(seed: 3, index: 0, size: 1000)
        var one = SHA256()
        one.update(data)
        for cut in [1, 55, 56, 63, 64, 65, 999] {
            var two = SHA256()
            two.update(Array(data[..<cut]))
            two.update(Array(data[cut...]))
            #expect(two.hexDigest() == one.hexDigest(), "cut at \(cut)")
        }
    }

    /// pgm-send's summary: every counter in the header's names, and the
    /// PGMCC state as the header has it (cc_window 0 and cc_acker null
    /// without PGMCC).
    @Test func sourceStatisticsJSON() {
        var st = SourceStatistics()
        st.acksReceived = 40
        st.ackerChanges = 1
        st.windowLimited = 9
        let plain = json(st).text
        for c in SourceStatistics.counters {
            #expect(plain.contains("\"\(String(c.name.map { $0 == "-" ? "_" : $0 }))\":"), "\(c.name)")
        }
        #expect(plain.contains(#""acks_received":40,"#) && plain.contains(#""acker_changes":1,"#))
        #expect(plain.contains(#""window_limited":9,"#))
        #expect(plain.hasSuffix(#""cc_window":0,"cc_tokens":0,"cc_rtt_us":0,"cc_loss":0,"cc_acker":null}"#))
        st.pgmcc = SourcePGMCC(acker: .v4(IPv4Address(10, 0, 0, 2)), window: 229_376, tokens: -65536,
                               rttMicroseconds: 2100, lossRate: 498)
        #expect(json(st).text.hasSuffix(
            #""cc_window":229376,"cc_tokens":-65536,"cc_rtt_us":2100,"cc_loss":498,"cc_acker":"10.0.0.2"}"#))
    }

    @Test func patternIsDeterministic() {
        #expect(patternAPDU(seed: 1, index: 5, size: 33) == patternAPDU(seed: 1, index: 5, size: 33))
        #expect(patternAPDU(seed: 1, index: 5, size: 33) != patternAPDU(seed: 1, index: 6, size: 33))
        #expect(patternAPDU(seed: 1, index: 0, size: 0).isEmpty)
    }
}

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
        #expect(plain.contains(#""cc_window":0,"cc_tokens":0,"cc_rtt_us":0,"cc_loss":0,"cc_acker":null,"#))
        #expect(plain.hasSuffix(#""flow_limited":0,"confirm_receivers":0,"confirmed":null}"#))
        st.pgmcc = SourcePGMCC(acker: .v4(IPv4Address(10, 0, 0, 2)), window: 229_376, tokens: -65536,
                               rttMicroseconds: 2100, lossRate: 498)
        #expect(json(st).text.contains(
            #""cc_window":229376,"cc_tokens":-65536,"cc_rtt_us":2100,"cc_loss":498,"cc_acker":"10.0.0.2","#))
    }

    /// Confirmed delivery in pgm-send's summary: the counters, the live
    /// receivers and CONFIRMED (null while none is live); a receiver's two
    /// counters in pgm-recv's.
    @Test func confirmStatisticsJSON() {
        var st = SourceStatistics()
        st.confirmJoins = 2
        st.flowLimited = 5
        st.confirm = SourceConfirm(receivers: 2, confirmed: nil)
        #expect(json(st).text.contains(#""confirm_joins":2,"#))
        #expect(json(st).text.hasSuffix(#""flow_limited":5,"confirm_receivers":2,"confirmed":null}"#))
        st.confirm = SourceConfirm(receivers: 2, confirmed: SequenceNumber(4_294_967_295))
        #expect(json(st).text.hasSuffix(#""confirm_receivers":2,"confirmed":4294967295}"#))
        var rs = ReceiverStatistics()
        rs.confirmAcksSent = 7
        rs.confirmAcksWithoutCredit = 1
        let r = json(rs).text
        for c in ReceiverStatistics.counters {
            #expect(r.contains("\"\(String(c.name.map { $0 == "-" ? "_" : $0 }))\":"), "\(c.name)")
        }
        #expect(r.contains(#""confirm_acks_sent":7,"confirm_no_credit":1,"#))
        rs.windowsShed = 3
        rs.sourceRefused = 4
        #expect(json(rs).text.hasSuffix(#""windows_shed":3,"source_refused":4}"#))
    }

    @Test func patternIsDeterministic() {
        #expect(patternAPDU(seed: 1, index: 5, size: 33) == patternAPDU(seed: 1, index: 5, size: 33))
        #expect(patternAPDU(seed: 1, index: 5, size: 33) != patternAPDU(seed: 1, index: 6, size: 33))
        #expect(patternAPDU(seed: 1, index: 0, size: 0).isEmpty)
    }
}

import PGMCLISupport
import Testing

/// What every tool prints through PGMCLISupport: JSON lines and table cells.
@Suite("CLI support")
struct CLISupportTests {
    @Test func jsonText() {
        let j = JSON.object([("a", .string("q\"\\\n\u{1}")), ("b", .array([.uint(1), .int(-2), .null, .bool(true)])),
                             ("c", .double(1.5))])
        #expect(j.text == #"{"a":"q\"\\\n\u0001","b":[1,-2,null,true],"c":1.500}"#)
        #expect(fixed(0.04, 1) == "0.0" && fixed(2.25, 2) == "2.25" && fixed(-1.5, 0) == "-2")
    }

    @Test func tableCells() {
        #expect("ab".leftAligned(4) == "ab  " && "ab".rightAligned(4) == "  ab")
        #expect("abcdef".leftAligned(4) == "abcdef" && "abcdef".rightAligned(4) == "abcdef")
        #expect("".rightAligned(0) == "")
    }

    @Test func tableColumnsFitTheirWidestCell() {
        #expect(tableLines(["Id", "Group", "Hits"], [["12", "239.0.0.0/8", "3"], ["3", "any", "1234567"]])
                == ["Id Group       Hits", "12 239.0.0.0/8 3", "3  any         1234567"])
        #expect(tableLines(["a", "b"], [], separator: "  ") == ["a  b"])
    }
}

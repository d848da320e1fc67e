import PGMNetlink
import Testing

/// The counter types PGMTypes shares with the socket library name every
/// counter the family carries, so that a reply's counter is never dropped.
@Suite struct StatisticsTests {
    func names<A: CaseIterable & CustomStringConvertible>(_: A.Type) -> [String] {
        A.allCases.map(\.description).filter { $0 != "pad" }
    }

    @Test func everyAttributeIsACounter() {
        #expect(SourceStatistics.counters.map(\.name) == names(PGMSourceStatsAttribute.self))
        #expect(ReceiverStatistics.counters.map(\.name) == names(PGMReceiverStatsAttribute.self))
        #expect(NetnsStatistics.counters.map(\.name) == names(PGMStatsAttribute.self))
    }
}

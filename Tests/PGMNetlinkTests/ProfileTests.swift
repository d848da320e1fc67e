import PGMNetlink
import Testing

/// pgmctl's profiles: PGMTypes' `TunableProfile` (kernel/pgm.yaml, generated
/// into ProfileTable.swift) read as attributes of the set `defaults` (the
/// option numbers are the attributes'): the values, the one defaults-set
/// request a profile is, and which profile a netns's defaults match. The
/// profile type itself (names, an unknown name) is PGMTests' ProfileTests'.
@Suite("pgmctl profiles")
struct NetlinkProfileTests {
    static let lan: [(PGMDefaultsAttribute, UInt32)] = [
        (.ihbMin, 1000), (.rdataLingerIvl, 2000), (.spmrExpiry, 10_000), (.nakBoIvl, 1000),
        (.nakRptIvl, 10_000), (.nakRdataIvl, 10_000), (.nakNcfRetries, 50), (.nakDataRetries, 50),
    ]
    /// The built-in defaults of the same tunables (<linux/pgm.h>).
    static let wan: [(PGMDefaultsAttribute, UInt32)] = [
        (.ihbMin, 50_000), (.rdataLingerIvl, 20_000), (.spmrExpiry, 250_000), (.nakBoIvl, 50_000),
        (.nakRptIvl, 200_000), (.nakRdataIvl, 200_000), (.nakNcfRetries, 10), (.nakDataRetries, 10),
    ]

    @Test func tableIsTheSpecs() throws {
        #expect(TunableProfile.names == ["lan", "wan"])
        let lan = try TunableProfile.named("lan"), wan = try TunableProfile.named("wan")
        #expect(lan.settings == Self.lan.map { TunableProfile.Setting($0.0, $0.1) })
        #expect(wan.settings == Self.wan.map { TunableProfile.Setting($0.0, $0.1) })
        #expect(lan.settings.map(\.attribute) == Self.lan.map { Optional($0.0) })
        #expect(lan.value(of: .nakBoIvl) == 1000 && wan.value(of: .nakBoIvl) == 50_000 && lan.value(of: .txwSqns) == nil)
        for p in TunableProfile.all {
            for s in p.settings {
                let attribute = try #require(s.attribute, "\(p.name) option \(s.option)")
                let a = try #require(attribute.accepted)
                #expect(a.range.contains(s.value) || (s.value == 0 && a.zeroMeansOff), "\(p.name) \(attribute)")
            }
        }
    }

    /// One defaults-set request of eight u32 attributes, in option order.
    @Test func profileIsOneDefaultsSet() {
        let r = NetlinkRequest(family: 0x1A, command: PGMCommand.defaultsSet.rawValue, version: PGMFamily.version,
                               attributes: TunableProfile.lan.attributes)
        let bytes = r.encoded(sequence: 1, portID: 0)
        #expect(bytes.count == 20 + 8 * 8)
        var types: [UInt16] = [], values: [UInt32] = []
        for i in stride(from: 20, to: bytes.count, by: 8) {
            #expect(bytes[i] == 8 && bytes[i + 1] == 0)
            types.append(UInt16(bytes[i + 2]) | UInt16(bytes[i + 3]) << 8)
            values.append((0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[i + 4 + $1]) << (8 * $1) })
        }
        #expect(types == Self.lan.map(\.0.rawValue) && values == Self.lan.map(\.1))
    }

    func defaults(_ values: [(PGMDefaultsAttribute, UInt32)]) -> PGMDefaults {
        var d = PGMDefaults(NetlinkAttributes())
        for (a, v) in values { d.values[a] = v }
        return d
    }

    @Test func matchingDefaults() {
        let fresh = defaults(Self.wan + [(.txwSqns, 8192), (.nakStormRate, 1000)])
        #expect(TunableProfile.matching(fresh).map(\.name) == ["wan"])
        var d = defaults(Self.lan + [(.txwSqns, 4096)])  // other keys do not matter
        #expect(TunableProfile.matching(d).map(\.name) == ["lan"])
        d.values[.nakBoIvl] = 2000
        #expect(TunableProfile.matching(d).isEmpty)
        #expect(TunableProfile.matching(defaults([])).isEmpty)
    }
}

import PGMModel
import PGMWire
import Testing

@Suite("Simulated sessions end to end")
struct SimulationTests {
    static func configuration(seed: UInt64, loss: LossModel, receivers: Int = 4, messages: Int = 120,
                              size: Int = 1000) -> SimulationConfiguration {
        var c = SimulationConfiguration()
        c.seed = seed
        c.receivers = receivers
        c.messages = messages
        c.messageSize = size
        c.verifyContent = true
        c.parameters.txwMaxRte = 2_000_000
        c.downstream = LinkModel(loss: loss, delay: 2000, jitter: 300, duplicate: 0.01, reorder: 0.02)
        c.upstream = LinkModel(loss: loss, delay: 2000)
        return c
    }

    @Test("FEC (RFC 3208 Appendix A): with jitter, duplicates, reordering and bursts, every receiver delivers exactly the sent APDUs",
          arguments: [(2, 0, true), (2, 1, false), (8, 2, true), (16, 0, true)])
    func recoversWithFEC(k: Int, proactive: Int, onDemand: Bool) throws {
        for seed in UInt64(1)...3 {
            for loss in [LossModel.bernoulli(0.1),
                         .gilbertElliott(goodToBad: 0.05, badToGood: 0.33, goodLoss: 0, badLoss: 1)] {
                var c = Self.configuration(seed: seed, loss: loss, receivers: 6, size: seed % 2 == 1 ? 3000 : 700)
                c.fec = try FECParameters(n: min(2 * k, 255), k: k, proactive: proactive, onDemand: onDemand)
                var sim = try Simulation(c)
                let r = sim.run()
                #expect(r.isConsistent, "k \(k) seed \(seed) \(loss): \(r)")
                #expect(r.deliveredAPDUs == r.expectedAPDUs, "k \(k) seed \(seed) \(loss): \(r.deliveredAPDUs) of \(r.expectedAPDUs)")
                #expect(r.groupsRebuilt > 0, "k \(k) seed \(seed) \(loss)")
            }
        }
    }

    @Test("The same seed gives the same run; another seed another")
    func deterministic() throws {
        var a = try Simulation(Self.configuration(seed: 7, loss: .bernoulli(0.1)))
        var b = try Simulation(Self.configuration(seed: 7, loss: .bernoulli(0.1)))
        var c = try Simulation(Self.configuration(seed: 8, loss: .bernoulli(0.1)))
        let ra = a.run()
        #expect(ra == b.run())
        #expect(ra != c.run())
    }

    @Test("Loss up to 20% with adequate windows: every receiver delivers exactly the sent APDUs in order",
          arguments: [LossModel.bernoulli(0.01), .bernoulli(0.05), .bernoulli(0.2),
                      .gilbertElliott(goodToBad: 0.05, badToGood: 0.33, goodLoss: 0, badLoss: 1)])
    func recovers(loss: LossModel) throws {
        for seed in UInt64(1)...6 {
            // Fragmented APDUs on odd seeds.
            var sim = try Simulation(Self.configuration(seed: seed, loss: loss, size: seed % 2 == 1 ? 3000 : 700))
            let r = sim.run()
            #expect(r.isConsistent, "seed \(seed): \(r)")
            #expect(r.deliveredAPDUs == r.expectedAPDUs, "seed \(seed), \(loss): \(r.deliveredAPDUs) of \(r.expectedAPDUs)")
            #expect(r.unrecoverableSequences == 0, "seed \(seed)")
            #expect(r.receiversFinished == r.receivers, "seed \(seed)")
        }
    }

    @Test("Loss beyond recovery: every gap is reported, nothing delivered twice or out of order")
    func beyondRecovery() throws {
        for seed in UInt64(1)...6 {
            var c = Self.configuration(seed: seed, loss: .bernoulli(0.6), size: seed % 2 == 1 ? 2500 : 500)
            c.parameters.nakNcfRetries = 1
            c.parameters.nakDataRetries = 1
            var sim = try Simulation(c)
            let r = sim.run()
            #expect(r.isConsistent, "seed \(seed): \(r)")
            #expect(r.unrecoverableSequences > 0)
            #expect(r.deliveredAPDUs < r.expectedAPDUs)
            #expect(r.receiversFinished == r.receivers, "seed \(seed)")
        }
    }

    @Test("A transmit window too small for the repair delay turns loss into reported gaps")
    func smallWindow() throws {
        var c = Self.configuration(seed: 3, loss: .bernoulli(0.1))
        c.parameters.txwSqns = 8
        c.parameters.txwMaxRte = 0
        var sim = try Simulation(c)
        let r = sim.run()
        #expect(r.isConsistent)
        #expect(r.unrecoverableSequences > 0)
    }

    @Test("NAK suppression: with many receivers the source sees few NAKs per lost sequence")
    func suppression() throws {
        var c = SimulationConfiguration()
        c.receivers = 200
        c.messages = 200
        c.downstream = LinkModel(loss: .bernoulli(0.05), delay: 1000)
        c.upstream = LinkModel(delay: 1000)
        var sim = try Simulation(c)
        let r = sim.run()
        #expect(r.deliveredAPDUs == r.expectedAPDUs)
        #expect(r.naksPerLostSequence < 3, "\(r.naksPerLostSequence)")
        #expect(r.naksSent > r.naksAtSource || r.naksSent == r.naksAtSource)
        #expect(r.lossInstances > 2 * r.lostSequences)  // several receivers lost each
    }
}

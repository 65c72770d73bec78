import XCTest
@testable import Diffusion
@testable import Tensor

final class SamplerTests: XCTestCase {
    let schedule = CosineSchedule()

    func testScheduleEnds() {
        XCTAssertEqual(schedule.alphaBar(0), 1, accuracy: 1e-12)
        XCTAssertEqual(schedule.alphaBar(1), 0, accuracy: 1e-9)
        XCTAssertLessThan(schedule.alphaBar(0.6), schedule.alphaBar(0.5))
    }

    func testNoisedBatchKeepsContextAndTargetsV() {
        var rng = RNG(seed: 1)
        let x0 = Tensor.uniform([1, 3, 1, 2, 2], -1, 1, rng: &rng), eps = Tensor.randn(x0.shape, rng: &rng)
        let b = schedule.noised(x0, t: [0.5], mask: [1, 0, 0], noise: eps)
        let (a, s) = schedule.alphaSigma(0.5)
        XCTAssertEqual(Array(b.input.values[0..<4]), Array(x0.values[0..<4]))
        for j in 4..<12 {
            XCTAssertEqual(b.input.values[j], Float(a) * x0.values[j] + Float(s) * eps.values[j], accuracy: 1e-6)
            XCTAssertEqual(b.target.values[j], Float(a) * eps.values[j] - Float(s) * x0.values[j], accuracy: 1e-6)
        }
        XCTAssertEqual(b.lossMask.values, [0, 1, 1])
    }

    /// For data that is a single point x*, the ideal v̂ is known in closed form; both
    /// samplers must then land on x* from any noise, in any number of steps.
    func testPerfectDenoiserRecoversThePoint() {
        var rng = RNG(seed: 2)
        let target = Tensor.uniform([2, 5], -0.9, 0.9, rng: &rng)
        let ideal: (Tensor, Float) -> Tensor = { x, t in
            let (a, s) = self.schedule.alphaSigma(Double(t))
            let eps = (x - target * Float(a)) * Float(1 / max(s, 1e-12))
            return eps * Float(a) - target * Float(s)
        }
        for kind in SamplerKind.allCases {
            for steps in [1, 7, 50] {
                var r = RNG(seed: 3)
                let noise = Tensor.randn([2, 5], rng: &r)
                let out = Sampler(kind, steps: steps).run(from: noise, rng: &r, predict: ideal)
                for (o, x) in zip(out.values, target.values) { XCTAssertEqual(o, x, accuracy: 1e-4, "\(kind) \(steps)") }
            }
        }
    }

    /// Pinned values of a full loop on a fixed toy predictor (v̂ = 0.5·x_t − 0.1):
    /// any change to the samplers' arithmetic shows up here.
    func testPinnedToyLoop() {
        let toy: (Tensor, Float) -> Tensor = { x, _ in x * 0.5 - 0.1 }
        var r1 = RNG(seed: 4)
        let noise = Tensor.randn([4], rng: &r1)
        var r2 = RNG(seed: 5)
        let ddim = Sampler(.ddim, steps: 10).run(from: noise, rng: &r2, predict: toy).values
        var r3 = RNG(seed: 5)
        let ddpm = Sampler(.ddpm, steps: 10).run(from: noise, rng: &r3, predict: toy).values
        XCTAssertEqual(ddim, Self.pinnedDDIM)
        XCTAssertEqual(ddpm, Self.pinnedDDPM)
    }

    static let pinnedDDIM: [Float] = [0.65306866, 0.43961862, -0.07365204, 0.6221063]
    static let pinnedDDPM: [Float] = [0.3865822, -0.29291886, -0.6497278, 0.18045898]

    func testDDIMIsDeterministicAndDDPMDependsOnSeed() {
        let toy: (Tensor, Float) -> Tensor = { x, _ in x * 0.3 }
        var r = RNG(seed: 6)
        let noise = Tensor.randn([16], rng: &r)
        func run(_ kind: SamplerKind, seed: UInt64) -> [Float] {
            var rng = RNG(seed: seed)
            return Sampler(kind, steps: 20).run(from: noise, rng: &rng, predict: toy).values
        }
        XCTAssertEqual(run(.ddim, seed: 1), run(.ddim, seed: 2))
        XCTAssertEqual(run(.ddpm, seed: 1), run(.ddpm, seed: 1))
        XCTAssertNotEqual(run(.ddpm, seed: 1), run(.ddpm, seed: 2))
    }
}

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

    /// The shift divides the SNR by k² at every t and keeps the ends.
    func testShiftedScheduleDividesTheSNR() {
        let shifted = CosineSchedule(shift: 4)
        XCTAssertEqual(shifted.alphaBar(0), 1, accuracy: 1e-12)
        XCTAssertEqual(shifted.alphaBar(1), 0, accuracy: 1e-9)
        for t in [0.1, 0.5, 0.9] {
            let (a, b) = (schedule.alphaBar(t), shifted.alphaBar(t))
            XCTAssertEqual(b / (1 - b), a / (1 - a) / 16, accuracy: 1e-9 * a / (1 - a))
        }
    }

    func testFrameRampLevels() {
        let flat = FrameRamp(lag: 0)
        XCTAssertEqual(flat.levels(progress: 0.25, generated: 3), [0.75, 0.75, 0.75])
        let ramp = FrameRamp(lag: 0.5)  // 4 frames: span 2.5
        XCTAssertEqual(ramp.levels(progress: 0, generated: 4), [1, 1, 1, 1])
        XCTAssertEqual(ramp.levels(progress: 1, generated: 4), [0, 0, 0, 0])
        let mid = ramp.levels(progress: 0.4, generated: 4)  // 1 + k/2 − 1
        for (a, b) in zip(mid, [0, 0.5, 1, 1]) { XCTAssertEqual(a, b, accuracy: 1e-12) }
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
        let target = Tensor.uniform([2, 1, 5], -0.9, 0.9, rng: &rng)
        let ideal: (Tensor, [Float]) -> Tensor = { x, levels in
            let (a, s) = self.schedule.alphaSigma(Double(levels[0]))
            let eps = (x - target * Float(a)) * Float(1 / max(s, 1e-12))
            return eps * Float(a) - target * Float(s)
        }
        for kind in SamplerKind.allCases {
            for steps in [1, 7, 50] {
                var r = ClipNoise([RNG(seed: 3)])
                let noise = r.randn([2, 1, 5])
                let out = Sampler(kind, steps: steps).run(window: noise, context: 0, noise: &r, predict: ideal)
                for (o, x) in zip(out.values, target.values) { XCTAssertEqual(o, x, accuracy: 1e-4, "\(kind) \(steps)") }
            }
        }
    }

    /// The staggered chain lands on the point too, frame by frame: every frame of a window
    /// ends at x*, the context frames are never touched, and frames wait at t = 1 until
    /// their turn (the predictor sees each frame's own level).
    func testStaggeredChainRecoversThePoint() {
        var rng = RNG(seed: 7)
        let (b, frames, per) = (2, 5, 3)
        let target = Tensor.uniform([b, frames, per], -0.9, 0.9, rng: &rng)
        for (kind, shift) in [(SamplerKind.ddim, 1.0), (.ddpm, 1), (.ddim, 4), (.ddpm, 4)] {
            let schedule = CosineSchedule(shift: shift)
            for steps in [1, 9, 40] {
                let sampler = Sampler(kind, steps: steps, schedule: schedule, ramp: FrameRamp(lag: 0.3))
                var seen: [[Float]] = []
                let ideal: (Tensor, [Float]) -> Tensor = { x, levels in
                    seen.append(levels)
                    var v = [Float](repeating: 0, count: x.count)
                    for i in 0..<x.count {
                        let (a, s) = schedule.alphaSigma(Double(levels[(i / per) % frames]))
                        let eps = (x.values[i] - target.values[i] * Float(a)) / Float(max(s, 1e-12))
                        v[i] = eps * Float(a) - target.values[i] * Float(s)
                    }
                    return Tensor(shape: x.shape, values: v)
                }
                var r = ClipNoise([RNG(seed: 8)])
                let noise = r.randn(target.shape)
                let out = sampler.run(window: noise, context: 2, noise: &r, predict: ideal)
                for i in 0..<out.count {
                    let frame = (i / per) % frames
                    let expected = frame < 2 ? noise.values[i] : target.values[i]
                    XCTAssertEqual(out.values[i], expected, accuracy: 1e-4, "\(kind) \(steps) frame \(frame)")
                }
                XCTAssertEqual(seen.count, steps)
                XCTAssertEqual(seen.first, [0, 0, 1, 1, 1])
                if steps == 40 { XCTAssert(seen.contains { $0[2] == 0 && $0[4] > 0.5 }, "frame 2 finishes before frame 4") }
            }
        }
    }

    /// Pinned values of a staggered loop on a shifted schedule (v̂ = 0.5·x_t − 0.1): any
    /// change to the staggered step's arithmetic or the ramp shows up here.
    func testPinnedStaggeredToyLoop() {
        let toy: (Tensor, [Float]) -> Tensor = { x, _ in x * 0.5 - 0.1 }
        var r1 = RNG(seed: 11)
        let noise = Tensor.randn([1, 4, 1], rng: &r1)
        func run(_ kind: SamplerKind) -> [Float] {
            var rng = ClipNoise([RNG(seed: 12)])
            return Sampler(kind, steps: 8, schedule: CosineSchedule(shift: 4), ramp: FrameRamp(lag: 0.5))
                .run(window: noise, context: 1, noise: &rng, predict: toy).values
        }
        XCTAssertEqual(run(.ddim), Self.pinnedStaggeredDDIM)
        XCTAssertEqual(run(.ddpm), Self.pinnedStaggeredDDPM)
        XCTAssertEqual(run(.ddim)[0], noise.values[0], "the context frame is never touched")
    }

    static let pinnedStaggeredDDIM: [Float] = [-0.40102315, -0.06491059, 0.049560353, 0.042354196]
    static let pinnedStaggeredDDPM: [Float] = [-0.40102315, 0.032921135, 0.15334657, 0.058368787]

    /// Pinned values of a full loop on a fixed toy predictor (v̂ = 0.5·x_t − 0.1), one frame
    /// with no context: any change to the samplers' arithmetic shows up here.
    func testPinnedToyLoop() {
        let toy: (Tensor, [Float]) -> Tensor = { x, _ in x * 0.5 - 0.1 }
        var r1 = RNG(seed: 4)
        let noise = Tensor.randn([1, 1, 4], rng: &r1)
        var r2 = ClipNoise([RNG(seed: 5)])
        let ddim = Sampler(.ddim, steps: 10).run(window: noise, context: 0, noise: &r2, predict: toy).values
        var r3 = ClipNoise([RNG(seed: 5)])
        let ddpm = Sampler(.ddpm, steps: 10).run(window: noise, context: 0, noise: &r3, predict: toy).values
        XCTAssertEqual(ddim, Self.pinnedDDIM)
        XCTAssertEqual(ddpm, Self.pinnedDDPM)
    }

    static let pinnedDDIM: [Float] = [0.6530684, 0.43961862, -0.073652014, 0.6221063]
    static let pinnedDDPM: [Float] = [0.3865822, -0.29291886, -0.6497278, 0.18045898]

    func testDDIMIsDeterministicAndDDPMDependsOnSeed() {
        let toy: (Tensor, [Float]) -> Tensor = { x, _ in x * 0.3 }
        var r = RNG(seed: 6)
        let noise = Tensor.randn([1, 1, 16], rng: &r)
        func run(_ kind: SamplerKind, seed: UInt64) -> [Float] {
            var rng = ClipNoise([RNG(seed: seed)])
            return Sampler(kind, steps: 20).run(window: noise, context: 0, noise: &rng, predict: toy).values
        }
        XCTAssertEqual(run(.ddim, seed: 1), run(.ddim, seed: 2))
        XCTAssertEqual(run(.ddpm, seed: 1), run(.ddpm, seed: 1))
        XCTAssertNotEqual(run(.ddpm, seed: 1), run(.ddpm, seed: 2))
    }
}

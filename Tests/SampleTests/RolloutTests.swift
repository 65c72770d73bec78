import XCTest
import Foundation
@testable import Diffusion
@testable import Sample
@testable import Tensor

final class RolloutTests: XCTestCase {
    /// A tiny model with random weights, denoising its windows together (lag 0) or staggered.
    func makeSampler(seed: UInt64 = 1, lag: Double = 0, handoff: Double = 0) -> WindowSampler {
        var rng = RNG(seed: seed)
        var config = ModelConfig.tiny
        (config.frameLag, config.noiseShift) = (lag, lag > 0 ? 4 : 1)
        var model = Denoiser(config, rng: &rng)
        // Give the zero-initialized layers weights so the output depends on the input.
        model.visit("") { name, t in if name.hasPrefix("final") || name.contains("modulation") { t = .randn(t.shape, std: 0.05, rng: &rng) } }
        return WindowSampler(model: model, kind: .ddpm, steps: 3, handoff: handoff)
    }

    /// Every test below runs on both orders, and staggered with a handoff level.
    let variants: [(lag: Double, handoff: Double)] = [(0, 0), (0.5, 0), (0.5, 0.05)]

    func context(frames: Int, seed: UInt64) -> Tensor {
        var rng = RNG(seed: seed)
        let c = ModelConfig.tiny
        return .uniform([1, frames, 3, c.size, c.size], -1, 1, rng: &rng)
    }

    func testWindowKeepsContextFrames() {
        for v in variants {
            let s = makeSampler(lag: v.lag, handoff: v.handoff)
            let ctx = context(frames: 2, seed: 2)
            var rng = ClipNoise([RNG(seed: 3)])
            let w = s.window(context: ctx, noise: &rng)
            XCTAssertEqual(w.shape, [1, 4, 3, 16, 16])
            XCTAssertEqual(w.slice(axis: 1, 0..<2).values, ctx.values)
            XCTAssert(w.values.allSatisfy { $0 >= -1 && $0 <= 1 })
        }
    }

    /// With a handoff level the frames a staggered window has finished reach the model
    /// noised to it: same weights and seed, other frames; the context stays.
    func testHandoffHandsOnNoisedFrames() {
        // Same seed, same weights: the handoff does not change the parameters.
        let plain = WindowSampler(model: makeSampler(lag: 0.5).model, kind: .ddim, steps: 6)
        let noisy = WindowSampler(model: plain.model, kind: .ddim, steps: 6, handoff: 0.05)
        let ctx = context(frames: 1, seed: 9)
        var (r1, r2) = (ClipNoise([RNG(seed: 10)]), ClipNoise([RNG(seed: 10)]))
        let a = plain.window(context: ctx, noise: &r1), b = noisy.window(context: ctx, noise: &r2)
        XCTAssertEqual(b.slice(axis: 1, 0..<1).values, ctx.values)
        XCTAssertEqual(a.slice(axis: 1, 0..<2).values, b.slice(axis: 1, 0..<2).values,
                       "the first generated frame is made before any frame is handed on")
        XCTAssertNotEqual(a.slice(axis: 1, 2..<4).values, b.slice(axis: 1, 2..<4).values)
        // A context frame marked as the model's own is handed on noised too; without a
        // handoff the mark changes nothing.
        for (sampler, changes) in [(plain, false), (noisy, true)] {
            var (r3, r4) = (ClipNoise([RNG(seed: 11)]), ClipNoise([RNG(seed: 11)]))
            let given = sampler.window(context: ctx, generated: [false], noise: &r3)
            let own = sampler.window(context: ctx, generated: [true], noise: &r4)
            XCTAssertEqual(given.values != own.values, changes)
        }
    }

    func testRolloutLengthsAndStitching() {
        for v in variants {
            let s = makeSampler(lag: v.lag, handoff: v.handoff)
            let ctx = context(frames: 2, seed: 4)
            for strategy in StitchStrategy.allCases {
                let v = s.rollout(context: ctx, frames: 11, strategy: strategy, k: 2, noise: ClipNoise([RNG(seed: 5)]))
                XCTAssertEqual(v.shape, [1, 11, 3, 16, 16])
                XCTAssertEqual(v.slice(axis: 1, 0..<2).values, ctx.values, "the given context opens the video")
            }
            // Window 4, given 2: first window adds 2; last-frame adds 3 per window, last-k (2) adds 2.
            XCTAssertEqual(WindowSampler.windowCount(frames: 11, given: 2, window: 4, context: 1), 4)
            XCTAssertEqual(WindowSampler.windowCount(frames: 11, given: 2, window: 4, context: 2), 5)
            XCTAssertEqual(WindowSampler.windowCount(frames: 2, given: 2, window: 4, context: 1), 0)
        }
    }

    /// `lastK` sets how many frames a last-k window after the first takes, in place of the
    /// k a rollout is given: the video is the one a rollout with that k makes.
    func testLastKSetsTheStitchedContext() throws {
        let s = makeSampler(lag: 0.5, handoff: 0.05)
        var three = s
        three.lastK = 3
        let ctx = context(frames: 2, seed: 4)
        XCTAssertEqual(three.stitchedContext(.lastK, k: 2), 3)
        XCTAssertEqual(three.stitchedContext(.lastFrame, k: 2), 1)
        let a = three.rollout(context: ctx, frames: 9, strategy: .lastK, k: 2, noise: ClipNoise([RNG(seed: 5)]))
        let b = s.rollout(context: ctx, frames: 9, strategy: .lastK, k: 3, noise: ClipNoise([RNG(seed: 5)]))
        XCTAssertEqual(a.values, b.values)
        XCTAssertNotEqual(a.values, s.rollout(context: ctx, frames: 9, strategy: .lastK, k: 2, noise: ClipNoise([RNG(seed: 5)])).values)
        // It travels in sampling.json and is checked against the model's window.
        let settings = try JSONDecoder().decode(SamplingConfig.self, from: Data(#"{"lastK": 3}"#.utf8))
        XCTAssertEqual(settings, SamplingConfig(lastK: 3))
        XCTAssertEqual(WindowSampler(model: s.model, settings: settings).lastK, 3)
        XCTAssertNil(settings.validationError(for: s.model.config))
        XCTAssertNotNil(SamplingConfig(lastK: 4).validationError(for: s.model.config))
        XCTAssertNotNil(SamplingConfig(lastK: 0).validationError())
        XCTAssertEqual(try JSONDecoder().decode(SamplingConfig.self, from: Data("{}".utf8)).lastK, nil)
    }

    func testSameSeedSameVideoOtherSeedOther() {
        for v in variants {
            let s = makeSampler(lag: v.lag, handoff: v.handoff)
            let ctx = context(frames: 1, seed: 6)
            let a = s.rollout(context: ctx, frames: 7, strategy: .lastFrame, k: 1, noise: ClipNoise([RNG(seed: 7)])).values
            let b = s.rollout(context: ctx, frames: 7, strategy: .lastFrame, k: 1, noise: ClipNoise([RNG(seed: 7)])).values
            let c = s.rollout(context: ctx, frames: 7, strategy: .lastFrame, k: 1, noise: ClipNoise([RNG(seed: 8)])).values
            XCTAssertEqual(a, b)
            XCTAssertNotEqual(a, c)
        }
    }
    /// With nothing observed the planned rollout is `rollout` byte for byte; observed frames
    /// appear verbatim and cut the window that would run into them.
    func testObservedRolloutMatchesAndCutsWindows() {
        for v in variants {
            let s = makeSampler(lag: v.lag, handoff: v.handoff)
            let ctx = context(frames: 2, seed: 9)
            for strategy in StitchStrategy.allCases {
                let plain = s.rollout(context: ctx, frames: 13, strategy: strategy, k: 2, noise: ClipNoise([RNG(seed: 10)]))
                let plan = s.rollout(context: ctx, frames: 13, strategy: strategy, k: 2, noise: ClipNoise([RNG(seed: 10)]), observe: { _ in nil })
                XCTAssertEqual(plan.video.values, plain.values)
                let c = strategy.contextLength(k: 2)
                XCTAssertEqual(plan.windowStarts, WindowSampler.windowStarts(frames: 13, given: 2, window: 4, context: c))
            }
            XCTAssertEqual(WindowSampler.windowStarts(frames: 11, given: 2, window: 4, context: 1), [2, 4, 7, 10])
            let black = Tensor(shape: [1, 1, 3, 16, 16], values: [Float](repeating: -1, count: 3 * 256))
            let plan = s.rollout(context: ctx, frames: 12, strategy: .lastK, k: 2, noise: ClipNoise([RNG(seed: 11)]),
                                 observe: { (5..<8).contains($0) ? black : nil })
            XCTAssertEqual(plan.video.shape, [1, 12, 3, 16, 16])
            for f in 5..<8 { XCTAssertEqual(plan.video.slice(axis: 1, f..<(f + 1)).values, black.values) }
            // Window 0 makes 2–3, window 1 makes 4 and stops at the darkness; then 8–9, 10–11.
            XCTAssertEqual(plan.windowStarts, [2, 4, 8, 10])
        }
    }
}

final class LatentWindowTests: XCTestCase {
    /// A latent model's window: pixels in, pixels out, the context kept as given, and the
    /// same noise gives the same frames.
    func testLatentWindowKeepsTheContextPixels() {
        var rng = RNG(seed: 3)
        let codec = FrameAutoencoder(.tiny, rng: &rng)
        var config = ModelConfig.tiny
        (config.channels, config.size, config.patch, config.frameLag, config.noiseShift) = (4, 4, 1, 0.5, 4)
        var model = Denoiser(config, rng: &rng)
        model.visit("") { name, t in if name.hasPrefix("final") || name.contains("modulation") { t = .randn(t.shape, std: 0.05, rng: &rng) } }
        let sampler = WindowSampler(model: model, kind: .ddim, steps: 4, handoff: 0.1, codec: codec)
        XCTAssertEqual(sampler.frameSize, 16)
        let ctx = Tensor.uniform([2, 2, 3, 16, 16], -1, 1, rng: &rng)
        var (a, b) = (ClipNoise([RNG(seed: 1), RNG(seed: 2)]), ClipNoise([RNG(seed: 1), RNG(seed: 2)]))
        let w = sampler.window(context: ctx, noise: &a)
        XCTAssertEqual(w.shape, [2, 4, 3, 16, 16])
        XCTAssertEqual(w.slice(axis: 1, 0..<2).values, ctx.values)
        XCTAssert(w.values.allSatisfy { (-1...1).contains($0) })
        XCTAssertEqual(sampler.window(context: ctx, noise: &b).values, w.values)
        let video = sampler.rollout(context: ctx, frames: 9, strategy: .lastK, k: 2, noise: ClipNoise([RNG(seed: 1), RNG(seed: 2)]))
        XCTAssertEqual(video.shape, [2, 9, 3, 16, 16])
    }
}

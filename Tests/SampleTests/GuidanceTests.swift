import XCTest
import Foundation
@testable import Diffusion
@testable import Sample
@testable import Tensor
import World

final class GuidanceTests: XCTestCase {
    /// A tiny staggered model with random weights (the zero-initialized layers given weights
    /// so the output depends on the input).
    func makeModel(seed: UInt64 = 1) -> Denoiser {
        var rng = RNG(seed: seed)
        var config = ModelConfig.tiny
        (config.frameLag, config.noiseShift) = (0.5, 2)
        var model = Denoiser(config, rng: &rng)
        model.visit("") { name, t in if name.hasPrefix("final") || name.contains("modulation") { t = .randn(t.shape, std: 0.05, rng: &rng) } }
        return model
    }

    func context(_ b: Int, frames: Int, seed: UInt64) -> Tensor {
        var rng = RNG(seed: seed)
        return .uniform([b, frames, 3, 16, 16], -1, 1, rng: &rng)
    }

    func window(_ model: Denoiser, _ ctx: Tensor, guidance: HistoryGuidance?, steps: Int = 4, seed: UInt64 = 3) -> Tensor {
        let sampler = Sampler(.ddim, steps: steps, schedule: model.config.schedule, ramp: model.config.ramp)
        var noise = ClipNoise((0..<ctx.shape[0]).map { RNG(seed: seed + UInt64($0)) })
        return model.sampleWindow(context: ctx, sampler: sampler, guidance: guidance, noise: &noise)
    }

    /// ω = 1 is plain sampling, bit for bit, whatever the history level; sampling.json
    /// without the keys means ω = 1.
    func testWeightOneIsPlainSampling() throws {
        let model = makeModel()
        let ctx = context(2, frames: 2, seed: 5)
        let plain = window(model, ctx, guidance: nil)
        XCTAssertEqual(window(model, ctx, guidance: HistoryGuidance(weight: 1)).values, plain.values)
        XCTAssertEqual(window(model, ctx, guidance: HistoryGuidance(weight: 1, level: 0.5)).values, plain.values)
        XCTAssertNotEqual(window(model, ctx, guidance: HistoryGuidance(weight: 2)).values, plain.values)
        let settings = try JSONDecoder().decode(SamplingConfig.self, from: Data(#"{"steps": 4}"#.utf8))
        XCTAssertFalse(settings.isGuided)
        XCTAssertNil(WindowSampler(model: model, settings: settings).guidance)
        // Only what differs from plain sampling is written.
        let json = String(decoding: try JSONEncoder().encode(settings), as: UTF8.self)
        XCTAssertFalse(json.contains("guidance") || json.contains("historyLevel") || json.contains("seamProjection"))
        let guided = SamplingConfig(guidance: 2, historyLevel: 0.5, seamProjection: .palette)
        XCTAssertEqual(try JSONDecoder().decode(SamplingConfig.self, from: JSONEncoder().encode(guided)), guided)
        XCTAssertEqual(WindowSampler(model: model, settings: guided).guidance, HistoryGuidance(weight: 2, level: 0.5))
    }

    /// The one batched call gives what two calls of the denoiser give: with one step the
    /// window is x̂₀ = clip(α₁·x₁ − σ₁·v̂) of the start noise, so it can be rebuilt by hand
    /// from the two predictions combined as v̂ = v̂₀ + ω·(v̂_h − v̂₀).
    func testOneCallEqualsTwoCalls() {
        let model = makeModel()
        let m = model.config
        let (b, c, w, level) = (2, 2, Float(2.5), Float(0.7))
        let ctx = context(b, frames: c, seed: 7)
        let out = window(model, ctx, guidance: HistoryGuidance(weight: w, level: level), steps: 1, seed: 11)

        var noise = ClipNoise((0..<b).map { RNG(seed: 11 + UInt64($0)) })
        let shape = [b, m.frames, 3, 16, 16]
        let start = noise.randn(shape), history = noise.randn(shape)
        let per = 3 * 16 * 16
        var with = start.values, without = start.values
        let (ka, ks) = m.schedule.alphaSigma(Double(level))
        for i in 0..<b {
            for f in 0..<c {
                for j in 0..<per {
                    let (to, from) = ((i * m.frames + f) * per + j, (i * c + f) * per + j)
                    with[to] = ctx.values[from]
                    without[to] = Float(ka) * ctx.values[from] + Float(ks) * history.values[to]
                }
            }
        }
        var mask = [Float](repeating: 0, count: b * m.frames), t = [Float](repeating: 1, count: b * m.frames)
        for i in 0..<b { for f in 0..<c { (mask[i * m.frames + f], t[i * m.frames + f]) = (1, 0) } }
        var bareT = t
        for i in 0..<b { for f in 0..<c { bareT[i * m.frames + f] = level } }
        let vh = model(Tensor(shape: shape, values: with), mask: mask, t: t).values
        let v0 = model(Tensor(shape: shape, values: without), mask: mask, t: bareT).values
        let (a1, s1) = m.schedule.alphaSigma(1)
        for i in 0..<b {
            for f in c..<m.frames {
                for j in 0..<per {
                    let k = (i * m.frames + f) * per + j
                    let v = v0[k] + w * (vh[k] - v0[k])
                    let x0 = min(1, max(-1, start.values[k] * Float(a1) - v * Float(s1)))
                    XCTAssertEqual(out.values[k], x0, accuracy: 1e-5)
                }
            }
        }
        XCTAssertEqual(out.slice(axis: 1, 0..<c).values, ctx.values, "the context stays")
    }

    /// ω = 0 with the history dropped (level 1) samples from the prediction without history
    /// alone: the generated frames do not depend on the context at all.
    func testWeightZeroForgetsTheHistory() {
        let model = makeModel()
        let (a, b) = (context(1, frames: 2, seed: 21), context(1, frames: 2, seed: 22))
        let g = HistoryGuidance(weight: 0, level: 1)
        XCTAssertEqual(window(model, a, guidance: g).slice(axis: 1, 2..<4).values,
                       window(model, b, guidance: g).slice(axis: 1, 2..<4).values)
        XCTAssertNotEqual(window(model, a, guidance: nil).slice(axis: 1, 2..<4).values,
                          window(model, b, guidance: nil).slice(axis: 1, 2..<4).values)
    }

    func testSettingsAreChecked() {
        XCTAssertNotNil(SamplingConfig(guidance: -1).validationError())
        XCTAssertNotNil(SamplingConfig(historyLevel: 0).validationError())
        XCTAssertNotNil(SamplingConfig(historyLevel: 1.5).validationError())
        var flat = ModelConfig.tiny
        flat.frameLag = 0
        XCTAssertNotNil(SamplingConfig(guidance: 2).validationError(for: flat))
        XCTAssertNil(SamplingConfig(guidance: 2).validationError(for: makeModel().config))
    }
}

final class SeamProjectionTests: XCTestCase {
    /// Two balls apart, drawn by the rasterizer: planar [3, H, W] in [-1, 1].
    func cleanFrame() -> [Float] {
        let balls = [Ball(id: 0, position: Vec2(8.3, 9.1), velocity: Vec2(0, 0), radius: 3.2, color: 0),
                     Ball(id: 1, position: Vec2(22.6, 20.4), velocity: Vec2(0, 0), radius: 2.7, color: 5)]
        let frame = FrameState(t: 0, balls: balls, visible: [true, true], visibleFraction: [1, 1], dark: false)
        return Rasterizer.planar([frame], scene: Scene())
    }

    /// A clean frame passes the palette projection bit for bit, and the disc projection to
    /// the tracker's precision.
    func testCleanFrameIsKept() {
        let frame = cleanFrame()
        XCTAssert(SeamProjection.palette.project(frame, height: 32, width: 32) == frame)
        XCTAssert(SeamProjection.none.project(frame, height: 32, width: 32) == frame)
        let redrawn = SeamProjection.discs.project(frame, height: 32, width: 32)
        XCTAssertLessThan(zip(redrawn, frame).map { abs($0 - $1) }.max()!, 0.06)
    }

    /// A tint over a red ball is removed exactly where the ball covers at least half a pixel
    /// (each pixel back on the red line at its own coverage; fainter rim pixels may go to the
    /// tint's hue); a haze over the background is removed by drawing the discs again.
    func testTintIsRemoved() {
        let frame = cleanFrame()
        let n = 32 * 32
        let red = (0..<n).filter { frame[$0] > 0 && frame[2 * n + $0] == -1 }
        XCTAssertGreaterThan(red.count, 15)
        var tinted = frame
        for i in 0..<n where frame[i] > -1 && frame[2 * n + i] == -1 { tinted[n + i] += 0.15 }  // the red ball turns toward amber
        let projected = SeamProjection.palette.project(tinted, height: 32, width: 32)
        XCTAssertLessThan(red.map { abs(projected[n + $0] - frame[n + $0]) + abs(projected[$0] - frame[$0]) }.max()!, 1e-5)
        var hazy = frame
        for i in 0..<n where frame[i] == -1 && frame[n + i] == -1 && frame[2 * n + i] == -1 { hazy[n + i] = -0.85 }
        let discs = SeamProjection.discs.project(hazy, height: 32, width: 32)
        XCTAssertLessThan(zip(discs, frame).map { abs($0 - $1) }.max()!, 0.06)
    }

    /// Only the model's own frames are projected.
    func testOnlyGeneratedFramesAreProjected() {
        let frame = cleanFrame()
        var off = frame
        (off[0], off[1024], off[2048]) = (0.3, -0.8, -0.2)  // on no palette line
        let context = Tensor(shape: [1, 2, 3, 32, 32], values: off + off)
        let out = SeamProjection.palette.apply(context, generated: [false, true]).values
        XCTAssert(Array(out[0..<(3 * 1024)]) == off, "the simulator's frame passes as it is")
        XCTAssert(Array(out[(3 * 1024)...]) != off, "the model's frame is projected")
        XCTAssert(Array(out[(3 * 1024 + 1)..<(3 * 1024 + 1024)]) == Array(off[1..<1024]), "its clean pixels stay")
    }
}

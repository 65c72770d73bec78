import XCTest
@testable import Diffusion
@testable import Tensor

final class DenoiserTests: XCTestCase {
    func testReferenceParameterCountAndNames() {
        var rng = RNG(seed: 0)
        let model = Denoiser(.reference, rng: &rng)
        let names = model.namedParameters.map(\.name)
        XCTAssertEqual(Set(names).count, names.count, "parameter names are unique")
        XCTAssert(names.contains("blocks.0.spatial.qkv.weight"))
        XCTAssert(names.contains("blocks.3.temporal.proj.bias"))
        XCTAssert(names.contains("final.linear.weight"))
        // embed 49·128+128, pos 64·128+8·128, time 2·(128·128+128), 4 blocks of
        // 2·(qkv 128·384+384 + proj 128·128+128) + MLP (128·512+512+512·128+128) + adaLN 128·1152+1152,
        // final 128·256+256 + 128·48+48.
        XCTAssertEqual(model.parameterCount, 1_737_520)
    }

    /// A config lists the parameters its model holds, names, shapes and order, without
    /// building it: what a checkpoint's header is checked against before loading.
    func testConfigListsTheModelsParameters() {
        var joint = ModelConfig.tiny
        joint.attention = .joint
        var wide = ModelConfig.reference
        (wide.mlpRatio, wide.patch, wide.channels) = (2, 2, 8)
        for config in [ModelConfig.reference, .tiny, joint, wide] {
            var rng = RNG(seed: 0)
            assertSameShapes(config.parameterShapes, Denoiser(config, rng: &rng).parameterShapes, "\(config)")
            XCTAssertEqual(config.parameterCount, Denoiser(config, rng: &rng).parameterCount)
        }
        for config in [AutoencoderConfig(), .tiny] {
            var rng = RNG(seed: 0)
            assertSameShapes(config.parameterShapes, FrameAutoencoder(config, rng: &rng).parameterShapes, "\(config)")
        }
    }

    func testZeroInitPredictsZero() {
        var rng = RNG(seed: 1)
        let c = ModelConfig.tiny
        let model = Denoiser(c, rng: &rng)
        let x = Tensor.randn([2, c.frames, 3, c.size, c.size], rng: &rng)
        let v = model(x, mask: [Float](repeating: 0, count: 2 * c.frames), t: [0.3, 0.9])
        XCTAssertEqual(v.shape, x.shape)
        XCTAssertEqual(v.values.map(abs).max(), 0)
    }

    /// One level per frame, all equal, is one level per clip: same forward, to rounding.
    /// Different levels per frame change only what they should.
    func testPerFrameLevels() {
        var rng = RNG(seed: 3)
        let c = ModelConfig.tiny
        var model = Denoiser(c, rng: &rng)
        model.visit("") { _, t in t = Tensor.randn(t.shape, std: 0.2, rng: &rng) }
        let x = Tensor.randn([2, c.frames, 3, c.size, c.size], rng: &rng)
        let mask: [Float] = [1, 0, 0, 0, 1, 1, 0, 0]
        let perClip = model(x, mask: mask, t: [0.3, 0.8])
        let perFrame = model(x, mask: mask, t: [0.3, 0.3, 0.3, 0.3, 0.8, 0.8, 0.8, 0.8])
        for (a, b) in zip(perClip.values, perFrame.values) { XCTAssertEqual(a, b, accuracy: 1e-4 * max(1, abs(a))) }
        let staggered = model(x, mask: mask, t: [0, 0.2, 0.5, 0.9, 0, 0, 0.4, 1])
        XCTAssertGreaterThan(zip(perClip.values, staggered.values).map { abs($0 - $1) }.max()!, 1e-3)
    }

    /// The whole denoiser's gradient against finite differences, for a sample of
    /// parameters of every kind (zero-initialized layers are randomized first so that
    /// every path carries gradient).
    func testDenoiserGradients() {
        for (kind, perFrame) in [(AttentionKind.factorized, false), (.joint, false), (.factorized, true)] {
            var c = ModelConfig.tiny  // narrowed so that finite differences stay accurate
            c.width = 32
            c.depth = 1
            c.attention = kind
            var rng = RNG(seed: 2)
            var model = Denoiser(c, rng: &rng)
            model.visit("") { _, t in t = Tensor.randn(t.shape, std: 0.3, rng: &rng) }
            let x = Tensor.randn([2, c.frames, 3, c.size, c.size], rng: &rng)
            let mask: [Float] = [1, 0, 0, 0, 1, 1, 0, 0]
            let target = Tensor.randn(x.shape, rng: &rng)
            let lossMask = Tensor(shape: [2, c.frames], values: mask.map { 1 - $0 })
            func loss(_ m: Denoiser) -> Tensor {
                let t: [Float] = perFrame ? [0, 0.2, 0.5, 0.9, 0, 0, 0.4, 0.7] : [0.2, 0.7]
                return Tensor.maskedMSE(m(x, mask: mask, t: t), target, mask: lossMask)
            }
            let tape = Tape()
            var watched = model
            watched.visit("") { _, t in t = tape.watch(t) }
            let params = watched.namedParameters
            let grads = tape.gradients(of: loss(watched), wrt: params.map(\.value))
            let eps: Float = 1e-2
            for (p, (name, value)) in params.enumerated() {
                for i in Set([0, value.count / 2, value.count - 1]) {
                    func perturbed(_ delta: Float) -> Float {
                        var m = model
                        m.visit("") { n, t in if n == name { t.withUnsafeMutableBufferPointer { $0[i] += delta } } }
                        return loss(m).item
                    }
                    let numeric = (perturbed(eps) - perturbed(-eps)) / (2 * eps)
                    let analytic = grads[p].values[i]
                    XCTAssertEqual(analytic, numeric, accuracy: 1e-2 + 2e-2 * abs(numeric), "\(kind) per-frame \(perFrame) \(name)[\(i)]")
                }
            }
        }
    }
}

/// Fails at the first entry where two parameter listings differ (or at their lengths).
func assertSameShapes(_ listed: [ParameterShape], _ built: [ParameterShape], _ what: String,
                      file: StaticString = #filePath, line: UInt = #line) {
    for (i, (a, b)) in zip(listed, built).enumerated() where a.name != b.name || a.shape != b.shape {
        return XCTFail("\(what): entry \(i) is \(a.name) \(a.shape), the model's \(b.name) \(b.shape)", file: file, line: line)
    }
    XCTAssertEqual(listed.count, built.count, "\(what): parameter count", file: file, line: line)
}

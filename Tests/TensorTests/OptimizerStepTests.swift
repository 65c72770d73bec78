import XCTest
@testable import Tensor

/// The shared layers (Layers.swift) and the shared optimizer step (OptimizerStep.swift).
final class OptimizerStepTests: XCTestCase {
    struct NonFinite: Error {}

    /// A two-layer MLP [3 → 5 → 2] and a batch it regresses onto.
    func toy() -> (MLP, Tensor, Tensor) {
        var rng = RNG(seed: 3)
        let mlp = MLP(widths: [3, 5, 2], rng: &rng)
        return (mlp, Tensor.randn([4, 3], std: 1, rng: &rng), Tensor.randn([4, 2], std: 1, rng: &rng))
    }

    func squaredError(_ m: MLP, _ x: Tensor, _ y: Tensor) -> Tensor {
        let e = m(x) - y
        return (e * e).mean()
    }

    func testLayersNameTheirParametersAndDrawByTheirRule() {
        var rng = RNG(seed: 1)
        let numbered = MLP(widths: [3, 4, 2], rng: &rng)
        XCTAssertEqual(numbered.namedParameters.map(\.name), ["0.weight", "0.bias", "1.weight", "1.bias"])
        let named = MLP(widths: [3, 4, 3], names: ["fc1", "fc2"], rng: &rng)
        XCTAssertEqual(named.namedParameters.map(\.name), ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"])

        // A zero layer draws nothing; the others draw their weights and nothing for the bias.
        let before = rng
        let zero = Linear(6, 7, .zero, rng: &rng)
        XCTAssertEqual(rng, before)
        XCTAssertEqual(zero.weight.values.map(abs).max(), 0)
        var expected = rng
        let normal = Linear(6, 7, .normal(gain: 0.5), rng: &rng)
        XCTAssertEqual(normal.weight.values, Tensor.randn([6, 7], std: 0.5 / Float(6).squareRoot(), rng: &expected).values)
        let uniform = Linear(6, 7, rng: &rng)
        let limit = (6 / Float(13)).squareRoot()
        XCTAssertEqual(uniform.weight.values, Tensor.uniform([6, 7], -limit, limit, rng: &expected).values)
        XCTAssertEqual(rng, expected)
        XCTAssertEqual(normal.bias.values, [Float](repeating: 0, count: 7))

        var copy = numbered
        copy.parameters = numbered.parameters.map { $0 * 2 }
        XCTAssertEqual(copy.parameters.map(\.values), numbered.parameters.map { ($0 * 2).values })
    }

    /// The step is its parts in their order: gradients, norm, clip, AdamW, write-back, EMA.
    func testStepIsTheSequenceOfItsParts() throws {
        let (mlp, x, y) = toy()
        let decay = mlp.parameters.map { $0.rank == 2 }
        let settings = AdamSettings(weightDecay: 0.1)
        let update = OptimizerStep(learningRate: 0.01, step: 1, decay: decay, settings: settings, clip: 0.05)

        var model = mlp, adam = AdamW(like: mlp.parameters), ema = mlp.parameters
        let (loss, norm) = try update.run(&model, adam: &adam, ema: &ema, emaDecay: 0.9,
                                          loss: { self.squaredError($0, x, y) }, nonFinite: { _, _ in NonFinite() })

        let (value, grads) = valueAndGrad(mlp.parameters) { ps in
            var m = mlp
            m.parameters = ps
            return squaredError(m, x, y)
        }
        let expectedNorm = globalNorm(grads)
        XCTAssertGreaterThan(expectedNorm, 0.05, "the clip applies")
        var params = mlp.parameters, expectedAdam = AdamW(like: params), expectedEMA = mlp.parameters
        expectedAdam.update(&params, grads: clipped(grads, norm: expectedNorm, to: 0.05), lr: 0.01, step: 1, decay: decay,
                            settings)
        updateEMA(&expectedEMA, params, decay: 0.9)

        XCTAssertEqual(loss, value.item)
        XCTAssertEqual(norm, expectedNorm)
        XCTAssertEqual(model.parameters.map(\.values), params.map(\.values))
        XCTAssertEqual(adam.m.map(\.values), expectedAdam.m.map(\.values))
        XCTAssertEqual(adam.v.map(\.values), expectedAdam.v.map(\.values))
        XCTAssertEqual(ema.map(\.values), expectedEMA.map(\.values))
    }

    /// The hook's gradients and loss are the ones the step uses and reports.
    func testGradientHookReplacesGradientsAndLoss() throws {
        let (mlp, x, y) = toy()
        let update = OptimizerStep(learningRate: 0.01, step: 1, decay: mlp.parameters.map { _ in false },
                                   settings: AdamSettings(), clip: 1)
        var model = mlp, adam = AdamW(like: mlp.parameters)
        let (loss, norm) = try update.run(&model, adam: &adam, loss: { self.squaredError($0, x, y) },
                                          gradientHook: { grads, loss in
                                              grads = grads.map { $0 * 0 }
                                              loss = 42
                                          },
                                          nonFinite: { _, _ in NonFinite() })
        XCTAssertEqual(loss, 42)
        XCTAssertEqual(norm, 0)
        XCTAssertEqual(model.parameters.map(\.values), mlp.parameters.map(\.values))
    }

    /// A non-finite loss throws the caller's error and changes nothing.
    func testNonFiniteLossThrowsAndLeavesTheModel() {
        let (mlp, x, y) = toy()
        let update = OptimizerStep(learningRate: 0.01, step: 1, decay: mlp.parameters.map { _ in true },
                                   settings: AdamSettings(), clip: 1)
        var model = mlp, adam = AdamW(like: mlp.parameters), ema = mlp.parameters.map { $0 * 3 }
        var seen: (Float, Double)?
        XCTAssertThrowsError(try update.run(&model, adam: &adam, ema: &ema, emaDecay: 0.5,
                                            loss: { self.squaredError($0, x, y) * Float.nan },
                                            nonFinite: { seen = ($0, $1); return NonFinite() })) { error in
            XCTAssertTrue(error is NonFinite)
        }
        XCTAssertTrue(seen.map { $0.0.isNaN } ?? false)
        XCTAssertEqual(model.parameters.map(\.values), mlp.parameters.map(\.values))
        XCTAssertEqual(adam.m.map(\.values), AdamW(like: mlp.parameters).m.map(\.values))
        XCTAssertEqual(ema.map(\.values), mlp.parameters.map { ($0 * 3).values })
    }
}

import XCTest
import Tensor
import World
@testable import Dynamics

final class RolloutLossTests: XCTestCase {
    /// Transitions of a few clips with `steps` frames ahead, and a tiny network with large last
    /// layers (so that every path carries gradient).
    func setUp(steps: Int) throws -> (InteractionNetwork, [Transition], [WorldState]) {
        var c = DynamicsConfig.tiny
        c.model.relationHidden = 8
        c.model.effectWidth = 4
        c.model.objectHidden = 8
        var rng = RNG(seed: 7)
        var net = InteractionNetwork(c.model, rng: &rng)
        net.relation.layers[1].weight = Tensor.randn(net.relation.layers[1].weight.shape, std: 0.5, rng: &rng)
        net.object.layers[1].weight = Tensor.randn(net.object.layers[1].weight.shape, std: 0.5, rng: &rng)
        var data: [Transition] = []
        for (seed, n) in [(1, 1), (2, 3), (5, 2)] {
            var s = Scenario.id
            s.ballCount = n...n
            let ep = try s.episode(seed: UInt64(seed), frames: steps + 3)
            data += TrainingData.transitions(ep, source: .simulator, perception: Perception(), steps: steps)
        }
        var noise = RNG(seed: 8)
        return (net, data, TrainingData.noisyStates(data, c, rng: &noise))
    }

    /// Unrolled 3 steps: the gradient (through time along velocities and last changes, the
    /// geometric inputs held) against central differences with the same inputs held.
    func testGradientMatchesFiniteDifferences() throws {
        let (net, data, states) = try setUp(steps: 3)
        let (_, inputs) = net.rolloutLoss(states, truth: data, steps: 3)
        func loss(_ ps: [Tensor]) -> Tensor {
            var n = net
            n.parameters = ps
            return n.rolloutLoss(states, truth: data, steps: 3, frozen: inputs).loss
        }
        let params = net.parameters
        let (_, grads) = valueAndGrad(params) { loss($0) }
        let eps: Float = 1e-2
        var checked = 0
        for (k, p) in params.enumerated() {
            for i in stride(from: 0, to: p.count, by: max(1, p.count / 16)) {
                var plus = params, minus = params
                plus[k].withUnsafeMutableBufferPointer { $0[i] += eps }
                minus[k].withUnsafeMutableBufferPointer { $0[i] -= eps }
                let numeric = (Double(loss(plus).item) - Double(loss(minus).item)) / Double(2 * eps)
                XCTAssertEqual(Double(grads[k].values[i]), numeric, accuracy: 3e-3 + 3e-2 * abs(numeric),
                               "\(net.namedParameters[k].name)[\(i)]")
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 60)
    }

    /// One step unrolled is the one-step Δv loss twice (velocity and displacement agree).
    func testOneStepIsTwiceTheDeltaLoss() throws {
        let (net, data, _) = try setUp(steps: 1)
        var noise = RNG(seed: 3), again = RNG(seed: 3)
        let c = DynamicsConfig.tiny
        let (x, target, mask) = TrainingData.tensors(data, c, rng: &noise)
        let one = net.loss(x, target: target, mask: mask).item
        let unrolled = net.rolloutLoss(TrainingData.noisyStates(data, c, rng: &again), truth: data, steps: 1).loss.item
        XCTAssertEqual(unrolled, 2 * one, accuracy: 1e-4 * one)
    }
}

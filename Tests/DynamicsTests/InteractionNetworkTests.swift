import XCTest
import Tensor
import World
@testable import Dynamics

final class InteractionNetworkTests: XCTestCase {
    /// A small batch with padding: clips of 1, 3 and 2 balls from the simulator.
    func batch(_ c: DynamicsConfig) throws -> [Transition] {
        var out: [Transition] = []
        for (seed, n) in [(1, 1), (2, 3), (5, 2)] {
            var s = Scenario.id
            s.ballCount = n...n
            let ep = try s.episode(seed: UInt64(seed), frames: 4)
            out += TrainingData.transitions(ep, source: .simulator, perception: Perception())
        }
        return out
    }

    /// The loss's gradient with respect to every parameter against central differences.
    func testGradientOfLossMatchesFiniteDifferences() throws {
        var c = DynamicsConfig.tiny
        c.model.relationHidden = 8
        c.model.effectWidth = 4
        c.model.objectHidden = 8
        var rng = RNG(seed: 7)
        var net = InteractionNetwork(c.model, rng: &rng)
        // Larger last layers than the init, so that every path carries gradient.
        net.relation.layers[1].weight = Tensor.randn(net.relation.layers[1].weight.shape, std: 0.5, rng: &rng)
        net.object.layers[1].weight = Tensor.randn(net.object.layers[1].weight.shape, std: 0.5, rng: &rng)
        var noise = RNG(seed: 8)
        let (x, target, mask) = TrainingData.tensors(try batch(c), c, rng: &noise)
        XCTAssertEqual(x.balls, 3)
        XCTAssertEqual(mask.values.filter { $0 == 1 }.count, 2 * (1 + 3 + 2))
        let params = net.parameters
        // The squared error and the pseudo-Huber one (δ = 0.3 network units).
        for robust: Float in [0, 0.3] {
            let (_, grads) = valueAndGrad(params) { ps in
                var n = net
                n.parameters = ps
                return n.loss(x, target: target, weight: mask, robust: robust)
            }
            func loss(_ ps: [Tensor]) -> Double {
                var n = net
                n.parameters = ps
                return Double(n.loss(x, target: target, weight: mask, robust: robust).item)
            }
            let eps: Float = 1e-2
            var checked = 0
            for (k, p) in params.enumerated() {
                for i in stride(from: 0, to: p.count, by: max(1, p.count / 24)) {
                    var plus = params, minus = params
                    plus[k].withUnsafeMutableBufferPointer { $0[i] += eps }
                    minus[k].withUnsafeMutableBufferPointer { $0[i] -= eps }
                    let numeric = (loss(plus) - loss(minus)) / Double(2 * eps)
                    let analytic = Double(grads[k].values[i])
                    XCTAssertEqual(analytic, numeric, accuracy: 2e-3 + 2e-2 * abs(numeric),
                                   "\(net.namedParameters[k].name)[\(i)], robust \(robust)")
                    checked += 1
                }
            }
            XCTAssertGreaterThan(checked, 100)
        }
    }

    /// The pseudo-Huber loss weighs a small error as half its square and a large one as δ|e|.
    func testRobustLossIsSquareWhenSmallAndLinearWhenLarge() {
        var rng = RNG(seed: 2)
        var net = InteractionNetwork(DynamicsConfig.tiny.model, rng: &rng)
        // Zero last layers: the network predicts the free-flight constant, here 0, for every ball.
        net.relation.layers[net.relation.layers.count - 1].weight = .zeros(net.relation.layers.last!.weight.shape)
        net.object.layers[net.object.layers.count - 1].weight = .zeros(net.object.layers.last!.weight.shape)
        let s = WorldState(width: 32, height: 32, balls: [
            BallState(position: Vec2(8, 8), velocity: Vec2(0.5, 0), radius: 2, color: 0),
            BallState(position: Vec2(24, 20), velocity: Vec2(0, 0.5), radius: 2, color: 1),
        ])
        let x = InteractionBatch([s], net.config)
        let target = Tensor(shape: [2, 2], values: [0.01, 0, 30, 0])
        func loss(_ w: [Float]) -> Double {
            Double(net.loss(x, target: target, weight: Tensor(shape: [2], values: w), robust: 0.3).item)
        }
        // Mean over the two components of the one weighted ball.
        XCTAssertEqual(loss([1, 0]), 0.01 * 0.01 / 2 / 2, accuracy: 1e-8)
        XCTAssertEqual(loss([0, 1]), 0.3 * 30 / 2, accuracy: 0.3 * 0.3)
        XCTAssertEqual(Double(net.loss(x, target: target, weight: Tensor(shape: [2], values: [1, 0])).item), 0.01 * 0.01 / 2,
                       accuracy: 1e-9, "without δ, the squared error")
    }

    /// Padding does not change a clip's prediction: a clip alone and beside a bigger one agree.
    func testPaddingDoesNotChangePredictions() throws {
        let c = DynamicsConfig.tiny
        var rng = RNG(seed: 1)
        let net = InteractionNetwork(c.model, rng: &rng)
        let states = try batch(c).map(\.state)
        let alone = net(InteractionBatch([states[0]], c.model)).values
        let padded = net(InteractionBatch([states[0], states[2]], c.model)).values
        XCTAssertEqual(states[2].balls.count, 3)
        for k in 0..<2 { XCTAssertEqual(padded[k], alone[k], accuracy: 1e-6) }
    }

    /// Contact times of straight-line motion: head-on, oblique, receding, already touching.
    func testContactTimes() {
        func check(_ dp: Vec2, _ dv: Vec2, _ tau: Double, _ n: Vec2, line: UInt = #line) {
            let (t, normal) = InteractionBatch.contact(dp, dv, radii: 6, horizon: 2)
            XCTAssertEqual(t, tau, accuracy: 1e-12, line: line)
            XCTAssertEqual(normal.x, n.x, accuracy: 1e-12, line: line)
            XCTAssertEqual(normal.y, n.y, accuracy: 1e-12, line: line)
        }
        check(Vec2(10, 0), Vec2(-4, 0), 1, Vec2(1, 0))
        let t = (10 - 27.0.squareRoot()) / 8
        check(Vec2(10, 3), Vec2(-8, 0), t, Vec2(10 - 8 * t, 3) / 6)
        check(Vec2(10, 0), Vec2(4, 0), 2, Vec2(1, 0))
        check(Vec2(0, 10), Vec2(0, -1), 2, Vec2(0, 1))  // closes too slowly for the horizon
        check(Vec2(0, -5.5), Vec2(0, 0.1), 0, Vec2(0, -1))
        // A ball 0.5 px from the right wall moving right at 1 px/frame meets it in half a frame.
        let s = WorldState(width: 32, height: 32, balls: [BallState(position: Vec2(28.5, 16), velocity: Vec2(1, 0.5),
                                                                     radius: 3, color: 0)])
        let batch = InteractionBatch([s], InteractionConfig())
        let x = batch.objects.values
        XCTAssertEqual(Array(x[10..<14]), [2, 0.5, 2, 2])
        // Straight on, it would end 0.5 px past the wall: the overshoot, 1 in network units.
        XCTAssertEqual(Array(x[14..<18]), [0.5, 0, 0, 0])
        XCTAssertEqual(batch.wallBasis.values, [1, 0, 0, 0])
        XCTAssertEqual(batch.inContact, [true])
    }
    /// Gated, a ball that can reach neither a wall nor another ball within the frame changes
    /// velocity by the learned free-flight constant alone, and a pair too far apart to touch
    /// has no relation; near a wall or another ball the MLPs act.
    func testGateLeavesFreeFlightToTheLearnedConstant() {
        var c = DynamicsConfig.tiny.model
        XCTAssertTrue(c.gated)
        var rng = RNG(seed: 3)
        var net = InteractionNetwork(c, rng: &rng)
        net.freeFlight = Tensor(shape: [2], values: [0.01, 0.2])
        let far = WorldState(width: 32, height: 32, balls: [
            BallState(position: Vec2(10, 10), velocity: Vec2(0.5, -0.3), radius: 2, color: 0),
            BallState(position: Vec2(22, 20), velocity: Vec2(-0.4, 0.2), radius: 3, color: 1),
        ])
        var near = far
        near.balls[1].position = Vec2(15.5, 10.2)  // edge gap 0.5 px, closing at 0.9 px/frame
        let walled = WorldState(width: 32, height: 32, balls: [
            BallState(position: Vec2(16, 29.2), velocity: Vec2(0, 0.4), radius: 2, color: 0),
        ])
        let x = InteractionBatch([far, near, walled], c)
        XCTAssertEqual(x.inContact, [false, false, true, true, true, false])
        XCTAssertEqual(x.pairMask.values, [0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0])
        let dv = net(x).values
        XCTAssertEqual(Array(dv[0..<4]), [0.01, 0.2, 0.01, 0.2], "free flight is the constant, bit for bit")
        for row in 2..<5 { XCTAssertNotEqual(Array(dv[(2 * row)..<(2 * row + 2)]), [0.01, 0.2]) }
        XCTAssertTrue(net.namedParameters.contains { $0.name == "free.change" })
        // Ungated, every ball and pair goes through the MLPs and there is no constant.
        c.gated = false
        let open = InteractionBatch([far], c)
        XCTAssertEqual(open.pairMask.values, [0, 1, 1, 0])
        XCTAssertFalse(InteractionNetwork(c, rng: &rng).namedParameters.contains { $0.name == "free.change" })
    }
}

import Checkpoints
import Foundation
import XCTest
import Tensor
import World
@testable import Dynamics

final class InteractionNetworkTests: XCTestCase {
    /// Contact instants by hand, padded: a ball touching the floor, a touching pair beside a
    /// third ball, and a ball in free flight.
    var instants: [WorldState] {
        [
            WorldState(width: 32, height: 32, balls: [
                BallState(position: Vec2(12, 29), velocity: Vec2(0.4, 1.1), radius: 3, color: 0),
            ]),
            WorldState(width: 32, height: 32, balls: [
                BallState(position: Vec2(10, 10), velocity: Vec2(0.8, 0.3), radius: 3, color: 1),
                BallState(position: Vec2(15.6, 12), velocity: Vec2(-0.5, 0.1), radius: 2.95, color: 2),
                BallState(position: Vec2(25, 25), velocity: Vec2(0.2, -0.6), radius: 3.5, color: 5),
            ]),
            WorldState(width: 32, height: 32, balls: [
                BallState(position: Vec2(16, 16), velocity: Vec2(1, -1), radius: 2.5, color: 3),
            ]),
        ]
    }

    /// The config lists the network's parameters without building it, and a checkpoint whose
    /// config no longer matches its weights is refused naming the first tensor that differs.
    func testConfigListsTheNetworksParametersAndMismatchesAreNamed() throws {
        var deep = DynamicsConfig.tiny.model
        (deep.relationLayers, deep.objectLayers, deep.objectHidden) = (3, 2, 20)
        for config in [DynamicsConfig.tiny.model, DynamicsConfig.default.model, deep] {
            var rng = RNG(seed: 0)
            let built = InteractionNetwork(config, rng: &rng).parameterShapes
            let listed = InteractionNetwork.parameterShapes(config)
            XCTAssertEqual(listed.count, built.count)
            for (a, b) in zip(listed, built) where a.name != b.name || a.shape != b.shape {
                XCTFail("listed \(a.name) \(a.shape), built \(b.name) \(b.shape)")
                break
            }
        }
        let dir = NSTemporaryDirectory() + "vidgen-state-mismatch-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        var trainer = try DynamicsTrainer(config: DynamicsConfig.tiny, folder: dir)
        try trainer.save()
        var wrong = DynamicsConfig.tiny
        wrong.model.relationHidden = 4096
        try Data(wrong.encoded()).write(to: URL(fileURLWithPath: dir + "/config.json"))
        XCTAssertThrowsError(try StateModel.load(dir)) { e in
            XCTAssertEqual("\(e)", dir + "/model.safetensors: tensor 'relation.0.weight' has shape [4, 32], the config needs [4, 4096]")
        }
        XCTAssertThrowsError(try DynamicsTrainer<DynamicsConfig>.resume(folder: dir)) { e in
            XCTAssertEqual("\(e)", dir + "/train-state.safetensors: tensor 'param.relation.0.weight' has shape [4, 32], the config needs [4, 4096]")
        }
    }

    /// The loss's gradient with respect to every parameter against central differences, on
    /// contacts with a wall and between balls and on free flight.
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
        net.freeFlight = Tensor(shape: [2], values: [0.05, 0.1])
        let x = InteractionBatch(instants, c.model)
        XCTAssertEqual(x.balls, 3)
        XCTAssertEqual(x.inContact, [true, false, false, true, true, false, false, false, false])
        let target = Tensor.randn([9, 2], std: 1, rng: &rng)
        let mask = Tensor(shape: [9], values: [1, 0, 0, 1, 1, 1, 1, 0, 0])
        assertGradientsMatchFiniteDifferences(net) { $0.loss(x, target: target, weight: mask, robust: $1) }
    }

    /// The pseudo-Huber loss weighs a small error as half its square and a large one as δ|e|.
    func testRobustLossIsSquareWhenSmallAndLinearWhenLarge() {
        var rng = RNG(seed: 2)
        let net = InteractionNetwork(DynamicsConfig.tiny.model, rng: &rng)
        // Two balls in free flight: the network predicts the free-flight constant, here 0.
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

    /// Padding does not change an instant's impulses: alone and beside a bigger one they agree.
    func testPaddingDoesNotChangePredictions() throws {
        var rng = RNG(seed: 1)
        let net = InteractionNetwork(DynamicsConfig.tiny.model, rng: &rng)
        let alone = net.impulses(InteractionBatch([instants[0]], net.config)).values
        let padded = net.impulses(InteractionBatch([instants[0], instants[1]], net.config)).values
        XCTAssertNotEqual(alone[1], 0)
        for k in 0..<2 { XCTAssertEqual(padded[k], alone[k], accuracy: 1e-6) }
    }

    /// Contact geometry: when a ball reaches a wall under gravity and a pair meets, and what
    /// touches at an instant.
    func testContactTimesAndTouches() {
        // 0.5 px from the right wall at 1 px/frame: half a frame. 0.5 px above the floor at
        // 0.4 px/frame under g = 0.2: one frame (0.4 + 0.1 = 0.5).
        let right = WorldState(width: 32, height: 32, balls: [BallState(position: Vec2(28.5, 16), velocity: Vec2(1, 0),
                                                                         radius: 3, color: 0)])
        XCTAssertEqual(Contact.firstTime(right, gravity: Vec2(0, 0), within: 2), 0.5)
        let floor = WorldState(width: 32, height: 32, balls: [BallState(position: Vec2(16, 28.5), velocity: Vec2(0, 0.4),
                                                                         radius: 3, color: 0)])
        XCTAssertEqual(Contact.firstTime(floor, gravity: Vec2(0, 0.2), within: 2)!, 1, accuracy: 1e-12)
        XCTAssertNil(Contact.firstTime(floor, gravity: Vec2(0, 0.2), within: 0.9))
        // Head on at 4 px/frame, 4 px apart: one frame; moving apart, never.
        let pair = WorldState(width: 64, height: 32, balls: [
            BallState(position: Vec2(20, 16), velocity: Vec2(2, 0), radius: 3, color: 0),
            BallState(position: Vec2(30, 16), velocity: Vec2(-2, 0), radius: 3, color: 1),
        ])
        XCTAssertEqual(Contact.firstTime(pair, gravity: Vec2(0, 0.1), within: 2)!, 1, accuracy: 1e-12)
        var apart = pair
        apart.balls[0].velocity.x = -2
        apart.balls[1].velocity.x = 2
        XCTAssertNil(Contact.firstTime(apart, gravity: Vec2(0, 0), within: 2))
        // At the instant they touch: both sides of the pair; once they separate, nothing.
        let met = Contact.advance(pair, by: 1, gravity: Vec2(0, 0.1))
        XCTAssertEqual(Contact.touches(met), [Contact.Touch(ball: 0, other: 1), Contact.Touch(ball: 1, other: 0)])
        var bounced = met
        (bounced.balls[0].velocity.x, bounced.balls[1].velocity.x) = (-2, 2)
        XCTAssertEqual(Contact.touches(bounced), [])
        // The features at the instant: w_ij n_ij = −4 (network units −8), the closing speed.
        let x = InteractionBatch([met], InteractionConfig())
        XCTAssertEqual(x.pairMask.values, [0, 1, 1, 0])
        XCTAssertEqual(Array(x.pairBasis.values[2..<4]), [-8, 0], "w n from ball 0 towards ball 1")
        XCTAssertEqual(Array(x.relations.values[4..<8]), [-4, 0, 0.75, 0.75], "closing and tangential speed, radii")
        // A ball touching the floor and moving into it: w = 1.1 px/frame on the y axis.
        let wall = InteractionBatch([instants[0]], InteractionConfig())
        XCTAssertEqual(wall.wallBasis.values, [0, 2.2])
        XCTAssertEqual(wall.inContact, [true])
    }

    /// The features carry an elastic world's contacts, so its law is a set of constant
    /// factors: at the first contact instant of every simulator frame that holds one (and
    /// only one), each touching ball's impulse is −2 w_i per wall axis plus k w_ij n_ij per
    /// ball, k = 2 m_j / (m_i + m_j), to rounding; in free flight Δu = g. The network has only
    /// these constants to learn. Almost every frame is such an example, and almost no
    /// example hides a second contact.
    func testElasticLawIsConstantFactorsOfTheFeatures() throws {
        let c = InteractionConfig()
        var counts: [String: Int] = [:], frames = 0, examples = 0, wedged = 0
        for seed in 0..<40 {
            let ep = try Scenario.id.episode(seed: UInt64(seed), frames: 40)
            for (t, tr) in TrainingData.transitions(ep, source: .simulator, perception: Perception()).enumerated() {
                frames += 1
                guard let example = TrainingData.example(tr) else { continue }
                let (at, target) = example
                examples += 1
                // A ball wedged between a wall and another ball meets both within a sliver of
                // a frame: to positions at whole frames that is one instant, and the example
                // holds the sum of the impulses. The simulator tells them apart; they are rare.
                var sim = Simulator(scene: ep.scene, balls: ep.frames[t].balls)
                sim.step()
                let touches = Contact.touches(at).filter { $0.other == nil || $0.ball < $0.other! }
                guard sim.events.count <= touches.count else {
                    wedged += 1
                    continue
                }
                let x = InteractionBatch([at], c)
                let N = x.balls, wall = x.wallBasis.values, basis = x.pairBasis.values
                for (i, b) in at.balls.enumerated() {
                    guard x.inContact[i] else {
                        XCTAssertEqual((target[i] - Vec2(0, 0.1)).length, 0, accuracy: 1e-9)
                        counts["free", default: 0] += 1
                        continue
                    }
                    var j = Vec2(Double(wall[i * 2]), Double(wall[i * 2 + 1])) * (-2 * c.deltaScale)
                    for (k, o) in at.balls.enumerated() where k != i {
                        let r = (i * N + k) * 2
                        let factor = 2 * o.radius * o.radius / (b.radius * b.radius + o.radius * o.radius)
                        j += Vec2(Double(basis[r]), Double(basis[r + 1])) * (factor * c.deltaScale)
                    }
                    XCTAssertEqual((j - target[i]).length, 0, accuracy: 1e-5, "seed \(seed)")
                    counts[x.pairMask.values[(i * N)..<(i * N + N)].contains(1) ? "pair" : "wall", default: 0] += 1
                }
            }
        }
        XCTAssertGreaterThan(counts["wall"] ?? 0, 100)
        XCTAssertGreaterThan(counts["pair"] ?? 0, 50)
        XCTAssertGreaterThan(Double(examples), 0.95 * Double(frames))
        XCTAssertLessThan(Double(wedged), 0.01 * Double(examples))
    }

    /// A ball in no contact has no impulse and the law gives it the learned free-flight
    /// constant; a ball in contact gets the network's impulse.
    func testFreeFlightIsTheLearnedConstant() {
        var rng = RNG(seed: 3)
        var net = InteractionNetwork(DynamicsConfig.tiny.model, rng: &rng)
        net.freeFlight = Tensor(shape: [2], values: [0.01, 0.2])
        XCTAssertEqual(net.gravity, Vec2(Double(Float(0.01)), Double(Float(0.2))) * net.config.deltaScale)
        let x = InteractionBatch([instants[1]], net.config)
        let j = net.impulses(x).values, law = net(x).values
        XCTAssertEqual(Array(j[4..<6]), [0, 0], "the third ball touches nothing")
        XCTAssertEqual(Array(law[4..<6]), [0.01, 0.2], "free flight is the constant, bit for bit")
        XCTAssertNotEqual(Array(j[0..<2]), [0, 0])
        XCTAssertEqual(Array(law[0..<4]), Array(j[0..<4]))
        XCTAssertTrue(net.namedParameters.contains { $0.name == "free.change" })
    }
}

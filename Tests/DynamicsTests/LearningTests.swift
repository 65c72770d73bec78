import XCTest
import Tensor
import World
@testable import Dynamics

/// The tiny network learns the two pieces of the physics on a tiny budget, from simulator
/// transitions built for each: flight without gravity away from walls, and a wall bounce.
final class LearningTests: XCTestCase {
    /// One-ball transitions: a start drawn by `start`, simulated 4 frames without gravity.
    func transitions(_ count: Int, seed: UInt64, start: (inout RNG) -> Ball) -> [Transition] {
        var rng = RNG(seed: seed)
        let scene = Scene(gravity: Vec2(0, 0))
        return (0..<count).flatMap { _ in
            let ep = Episode(scenario: "test", seed: 0, scene: scene,
                             frames: Simulator.run(scene: scene, balls: [start(&rng)], frames: 4))
            return TrainingData.transitions(ep, source: .simulator, perception: Perception())
        }
    }

    func train(_ data: @escaping (Int) -> [Transition], steps: Int, objectLayers: Int = 1) -> StateModel {
        var c = DynamicsConfig.tiny
        c.model.objectLayers = objectLayers
        c.steps = steps
        c.positionNoise = 0
        c.velocityNoise = 0
        var t = try! DynamicsTrainer(config: c, folder: "/nonexistent")
        for s in 0..<steps {
            _ = try! t.trainStep(on: data(s))
        }
        return t.model
    }

    func randomVelocity(_ rng: inout RNG, speed: ClosedRange<Double>) -> Vec2 {
        let a = rng.uniform(0, 2 * Double.pi)
        return Vec2(Libm.cos(a), Libm.sin(a)) * rng.uniform(speed.lowerBound, speed.upperBound)
    }

    /// Far from walls and without gravity, a ball keeps its velocity: 20 frames end within 0.3 px.
    func testLearnsConstantVelocity() {
        let start: (inout RNG) -> Ball = { rng in
            Ball(id: 0, position: Vec2(rng.uniform(11, 21), rng.uniform(11, 21)),
                 velocity: self.randomVelocity(&rng, speed: 0.1...0.5), radius: rng.uniform(2.5, 4), color: 0)
        }
        let model = train({ self.transitions(32, seed: UInt64($0), start: start) }, steps: 300)
        var rng = RNG(seed: 999)
        for _ in 0..<10 {
            let b = start(&rng)
            let s = WorldState(width: 32, height: 32, balls: [BallState(position: b.position - b.velocity * 2,
                                                                         velocity: b.velocity, radius: b.radius, color: 0)])
            let end = model.rollout(from: s, frames: 20).last!.balls[0]
            XCTAssertLessThan((end.position - (b.position + b.velocity * 18)).length, 0.3)
        }
    }

    /// A ball flying at the right wall comes back: 7 frames on, its x velocity has turned and
    /// it is within 1 px of the simulator (0.4 px on average; untrained, several pixels).
    func testLearnsWallBounce() {
        // Training: near the wall, towards it or away; testing: up to 5 frames before it.
        func start(_ rng: inout RNG, towards: Bool) -> Ball {
            let r = rng.uniform(2.5, 4), vx = rng.uniform(0.5, 1.5)
            let sign: Double = towards || rng.uniform() < 0.5 ? 1 : -1
            return Ball(id: 0, position: Vec2(32 - r - rng.uniform(0, 5 * vx), rng.uniform(10, 22)),
                        velocity: Vec2(sign * vx, rng.uniform(-0.3, 0.3)), radius: r, color: 0)
        }
        let model = train({ self.transitions(64, seed: UInt64($0)) { start(&$0, towards: false) } }, steps: 3000,
                          objectLayers: 2)
        var rng = RNG(seed: 999)
        let scene = Scene(gravity: Vec2(0, 0))
        var errors: [Double] = []
        for _ in 0..<10 {
            let b = start(&rng, towards: true)
            let truth = Simulator.run(scene: scene, balls: [b], frames: 10)
            let ep = Episode(scenario: "test", seed: 0, scene: scene, frames: truth)
            let end = model.rollout(from: WorldState(episode: ep, frame: 2), frames: 7).last!.balls[0]
            let e = (end.position - truth[9].balls[0].position).length
            errors.append(e)
            XCTAssertLessThan(e, 1)
            XCTAssertLessThan(end.velocity.x, 0)
        }
        XCTAssertLessThan(errors.reduce(0, +) / Double(errors.count), 0.4)
    }
}

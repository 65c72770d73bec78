import XCTest
import Tensor
@testable import World

final class SimulatorTests: XCTestCase {
    /// Three balls from an `id` start, elastic, gravity on: energy is constant to 1e-9
    /// relative over 10,000 frames (it is rounding only, ~1e-14).
    func testEnergyConservedOverTenThousandFrames() throws {
        var worst = 0.0
        for seed: UInt64 in [1, 2, 3] {
            var rng = RNG(seed: seed)
            var (scene, balls) = Scenario.id.start(rng: &rng)
            while balls.count < 3 {  // force three balls
                (scene, balls) = Scenario.id.start(rng: &rng)
            }
            var sim = Simulator(scene: scene, balls: balls)
            let e0 = sim.energy
            var pairs = 0
            for _ in 0..<10_000 {
                sim.step()
                pairs += sim.events.filter { if case .pair = $0 { return true } else { return false } }.count
                worst = max(worst, abs(sim.energy - e0) / e0)
            }
            XCTAssertGreaterThan(pairs, 10, "the test should exercise ball–ball collisions")
            XCTAssertEqual(sim.overflows, 0)
        }
        print("energy: worst relative drift over 10,000 frames, 3 seeds × 3 balls: \(worst)")
        XCTAssertLessThan(worst, 1e-9)
    }

    /// Gravity off: every frame whose only events are ball–ball collisions keeps Σ m v.
    func testMomentumConservedAcrossBallCollisions() {
        var checked = 0
        var worst = 0.0
        for seed: UInt64 in 0..<20 {
            var rng = RNG(seed: seed)
            var (scene, balls) = try! Scenario.named("ood-count").start(rng: &rng)
            scene.gravity = Vec2(0, 0)
            var sim = Simulator(scene: scene, balls: balls)
            for _ in 0..<300 {
                let p0 = sim.momentum
                sim.step()
                let onlyPairs = sim.events.allSatisfy { if case .pair = $0 { return true } else { return false } }
                if !sim.events.isEmpty && onlyPairs {
                    let scale = sim.balls.reduce(0) { $0 + $1.mass * $1.velocity.length }
                    worst = max(worst, (sim.momentum - p0).length / scale)
                    checked += 1
                }
            }
        }
        print("momentum: \(checked) collision frames, worst relative change \(worst)")
        XCTAssertGreaterThan(checked, 50)
        XCTAssertLessThan(worst, 1e-12)
    }

    /// Fastest scenario speeds: no ball ever leaves the box or overlaps another.
    func testNoTunnellingOrOverlapAtOODFastSpeeds() throws {
        var maxSpeed = 0.0, worstWall = 0.0, worstOverlap = 0.0
        for name in ["ood-fast", "ood-count", "ood-gravity-double", "ood-size"] {
            let scenario = try Scenario.named(name)
            for seed: UInt64 in 0..<25 {
                let ep = try scenario.episode(seed: seed, frames: 400)
                for f in ep.frames {
                    for (i, b) in f.balls.enumerated() {
                        maxSpeed = max(maxSpeed, b.velocity.length)
                        worstWall = max(worstWall, b.radius - b.position.x, b.position.x - (32 - b.radius),
                                        b.radius - b.position.y, b.position.y - (32 - b.radius))
                        for c in f.balls[(i + 1)...] {
                            worstOverlap = max(worstOverlap, b.radius + c.radius - (b.position - c.position).length)
                        }
                    }
                }
            }
        }
        print("no tunnelling: max speed \(maxSpeed) px/frame, worst wall penetration \(worstWall), worst overlap \(worstOverlap)")
        XCTAssertGreaterThan(maxSpeed, 3)
        XCTAssertLessThan(worstWall, 1e-9)
        XCTAssertLessThan(worstOverlap, 1e-9)
    }

    /// A ball dropped from rest bounces at the analytic time and back to its height.
    func testFreeFallMatchesAnalyticParabola() {
        let scene = Scene(gravity: Vec2(0, 0.1))
        var sim = Simulator(scene: scene, balls: [Ball(id: 0, position: Vec2(16, 8), velocity: Vec2(0, 0), radius: 3, color: 0)])
        // Floor contact at y = 29: 21 px fall → t = sqrt(2·21/0.1) ≈ 20.494 frames; apex again at 2t.
        let tHit = (2 * 21 / 0.1).squareRoot()
        for _ in 0..<20 { sim.step() }
        XCTAssertEqual(sim.balls[0].position.y, 8 + 0.05 * 400, accuracy: 1e-12)
        sim.step()
        XCTAssertEqual(sim.events, [.wall(ball: 0, axis: 1)])
        let v = 0.1 * tHit, dt = 21 - tHit
        XCTAssertEqual(sim.balls[0].velocity.y, -v + 0.1 * dt, accuracy: 1e-12)
        XCTAssertEqual(sim.balls[0].position.y, 29 - v * dt + 0.05 * dt * dt, accuracy: 1e-12)
    }

    /// Head-on equal masses swap velocities; a heavy ball barely slows when hitting a light one.
    func testElasticPairCollision() {
        let scene = Scene(width: 64, height: 64, gravity: Vec2(0, 0))
        var sim = Simulator(scene: scene, balls: [
            Ball(id: 0, position: Vec2(20, 32), velocity: Vec2(1, 0), radius: 3, color: 0),
            Ball(id: 1, position: Vec2(40, 32), velocity: Vec2(-1, 0), radius: 3, color: 1),
        ])
        for _ in 0..<12 { sim.step() }
        XCTAssertEqual(sim.balls[0].velocity.x, -1, accuracy: 1e-12)
        XCTAssertEqual(sim.balls[1].velocity.x, 1, accuracy: 1e-12)
        // Contact at t = 7 (gap 14 closes at 2 px/frame); afterwards they separate symmetrically.
        XCTAssertEqual(sim.balls[0].position.x, 27 - 5, accuracy: 1e-12)
        XCTAssertEqual(sim.balls[1].position.x, 33 + 5, accuracy: 1e-12)
    }

    /// Same scenario and seed → identical states and identical JSON bytes; another seed differs.
    func testDeterministic() throws {
        for scenario in Scenario.all {
            let a = try scenario.episode(seed: 11, frames: 80)
            let b = try scenario.episode(seed: 11, frames: 80)
            XCTAssertEqual(a, b, scenario.name)
            XCTAssertEqual(try a.statesJSON(), try b.statesJSON(), scenario.name)
            XCTAssertNotEqual(a, try scenario.episode(seed: 12, frames: 80), scenario.name)
        }
    }

    /// With restitution < 1 and friction, a ball settles on the floor and stays put.
    func testBallComesToRest() {
        let scene = Scene(gravity: Vec2(0, 0.1), restitution: 0.3, friction: 0.5)
        var sim = Simulator(scene: scene, balls: [Ball(id: 0, position: Vec2(10, 10), velocity: Vec2(0.6, 0), radius: 3, color: 0)])
        for _ in 0..<80 { sim.step() }
        let b = sim.balls[0]
        XCTAssertTrue(b.resting)
        XCTAssertEqual(b.velocity, Vec2(0, 0))
        XCTAssertEqual(b.position.y, 29)
        let p = b.position
        for _ in 0..<50 { sim.step() }
        XCTAssertEqual(sim.balls[0].position, p)
    }
}

import XCTest
import Tensor
@testable import World

final class Simulator3DTests: XCTestCase {
    /// `n` balls of `box` at random, non-overlapping places (1 unit apart), with speeds in
    /// `speed` in random directions.
    static func randomBalls(_ n: Int, box: Box3D, speed: ClosedRange<Double> = 0.3...1.5, rng: inout RNG) -> [Ball3D] {
        let R = box.ballRadius
        var balls: [Ball3D] = []
        while balls.count < n {
            let p = Vec3(rng.uniform(R, box.width - R), rng.uniform(R, box.height - R), rng.uniform(R, box.depth - R))
            guard balls.allSatisfy({ ($0.position - p).length >= 2 * R + 1 }) else { continue }
            let d = Vec3(rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1))
            guard d.length > 0.1 else { continue }
            let v = d / d.length * rng.uniform(speed.lowerBound, speed.upperBound)
            balls.append(Ball3D(id: balls.count, position: p, velocity: v, color: balls.count))
        }
        return balls
    }

    /// The invariants at one instant: every ball inside the box, no two overlapping.
    static func worstViolation(_ sim: Simulator3D) -> (wall: Double, overlap: Double) {
        let R = sim.box.ballRadius
        var wall = -Double.infinity, overlap = -Double.infinity
        for (i, b) in sim.balls.enumerated() {
            for axis in 0..<3 {
                wall = max(wall, R - b.position[axis], b.position[axis] - (sim.box.extent(axis) - R))
            }
            for c in sim.balls[(i + 1)...] { overlap = max(overlap, 2 * R - (b.position - c.position).length) }
        }
        return (wall, overlap)
    }

    static func pairCount(_ events: [CollisionEvent3D]) -> Int {
        events.filter { if case .pair = $0 { return true } else { return false } }.count
    }

    /// Three balls, elastic, gravity on, 10,000 frames: the energy is constant to 1e-12
    /// relative, and at every event and every frame end each ball is inside the box and no
    /// two overlap (both to 1e-9).
    func testEnergyConservedAndNoOverlapOverTenThousandFrames() {
        var worstEnergy = 0.0, worstWall = -Double.infinity, worstOverlap = -Double.infinity
        var pairs = 0, walls = 0, checks = 0
        for seed: UInt64 in [1, 2, 3] {
            var rng = RNG(seed: seed)
            let box = Box3D()
            var sim = Simulator3D(box: box, balls: Simulator3DTests.randomBalls(3, box: box, rng: &rng))
            let e0 = sim.energy
            func check(_ s: Simulator3D) {
                let v = Simulator3DTests.worstViolation(s)
                worstWall = max(worstWall, v.wall)
                worstOverlap = max(worstOverlap, v.overlap)
                checks += 1
            }
            for _ in 0..<10_000 {
                sim.step(observingEvents: check)
                check(sim)
                pairs += Simulator3DTests.pairCount(sim.events)
                walls += sim.events.count - Simulator3DTests.pairCount(sim.events)
                worstEnergy = max(worstEnergy, abs(sim.energy - e0) / e0)
            }
            XCTAssertEqual(sim.overflows, 0)
        }
        print("3D energy: worst relative drift over 10,000 frames, 3 seeds × 3 balls: \(worstEnergy); "
              + "\(pairs) ball–ball and \(walls) wall events; worst wall penetration \(worstWall), "
              + "worst overlap \(worstOverlap) over \(checks) event and frame checks")
        XCTAssertGreaterThan(pairs, 100, "the test should exercise ball–ball collisions")
        XCTAssertLessThanOrEqual(worstEnergy, 1e-12)
        XCTAssertLessThanOrEqual(worstWall, 1e-9)
        XCTAssertLessThanOrEqual(worstOverlap, 1e-9)
    }

    /// Gravity off: Σ v is unchanged, to 1e-12 relative to Σ |v|, by each ball–ball collision,
    /// checked right after every one of them.
    func testMomentumConservedAcrossBallCollisions() {
        var checked = 0
        var worst = 0.0
        for seed: UInt64 in 0..<20 {
            var rng = RNG(seed: seed)
            let box = Box3D(gravity: Vec3(0, 0, 0))
            var sim = Simulator3D(box: box, balls: Simulator3DTests.randomBalls(5, box: box, speed: 0.5...2, rng: &rng))
            for _ in 0..<300 {
                // Between consecutive events only the event changes Σ v (free flight does not).
                var before = sim.momentum, seen = 0
                sim.step { s in
                    if case .pair = s.events[seen] {
                        let scale = s.balls.reduce(0) { $0 + $1.velocity.length }
                        worst = max(worst, (s.momentum - before).length / scale)
                        checked += 1
                    }
                    seen += 1
                    before = s.momentum
                }
            }
        }
        print("3D momentum: \(checked) ball–ball collisions, worst relative change \(worst)")
        XCTAssertGreaterThan(checked, 200)
        XCTAssertLessThanOrEqual(worst, 1e-12)
    }

    /// Fast balls (3–5 units per frame, more than a radius per frame) never leave the box or
    /// overlap, with gravity on.
    func testNoTunnellingAtHighSpeed() {
        var worstWall = -Double.infinity, worstOverlap = -Double.infinity, pairs = 0
        for seed: UInt64 in 0..<10 {
            var rng = RNG(seed: seed)
            let box = Box3D()
            var sim = Simulator3D(box: box, balls: Simulator3DTests.randomBalls(3, box: box, speed: 3...5, rng: &rng))
            for _ in 0..<1000 {
                sim.step { s in
                    let v = Simulator3DTests.worstViolation(s)
                    worstWall = max(worstWall, v.wall)
                    worstOverlap = max(worstOverlap, v.overlap)
                }
                pairs += Simulator3DTests.pairCount(sim.events)
            }
            XCTAssertEqual(sim.overflows, 0)
        }
        print("3D no tunnelling at 3–5 units/frame: \(pairs) collisions, worst wall penetration \(worstWall), worst overlap \(worstOverlap)")
        XCTAssertLessThanOrEqual(worstWall, 1e-9)
        XCTAssertLessThanOrEqual(worstOverlap, 1e-9)
    }

    /// A ball dropped from rest bounces off the floor at the analytic time.
    func testFreeFallMatchesAnalyticParabola() {
        let box = Box3D()
        var sim = Simulator3D(box: box, balls: [Ball3D(id: 0, position: Vec3(12, 5, 7), velocity: Vec3(0, 0, 0), color: 0)])
        // Floor contact at y = 21: a 16-unit fall, t = √(2·16/0.1) ≈ 17.89 frames.
        let tHit = (2 * 16 / 0.1).squareRoot()
        for _ in 0..<17 { sim.step() }
        XCTAssertEqual(sim.balls[0].position.y, 5 + 0.05 * 17 * 17, accuracy: 1e-12)
        sim.step()
        XCTAssertEqual(sim.events, [.wall(ball: 0, axis: 1)])
        let v = 0.1 * tHit, dt = 18 - tHit
        XCTAssertEqual(sim.balls[0].velocity.y, -v + 0.1 * dt, accuracy: 1e-12)
        XCTAssertEqual(sim.balls[0].position.y, 21 - v * dt + 0.05 * dt * dt, accuracy: 1e-12)
        XCTAssertEqual(sim.balls[0].position.x, 12)
        XCTAssertEqual(sim.balls[0].position.z, 7)
    }

    /// Head-on along the depth axis, equal masses swap velocities at the analytic instant;
    /// an oblique hit swaps only the components along the line of centres.
    func testElasticPairCollision() {
        let box = Box3D(width: 40, height: 40, depth: 40, gravity: Vec3(0, 0, 0))
        var sim = Simulator3D(box: box, balls: [
            Ball3D(id: 0, position: Vec3(20, 20, 8), velocity: Vec3(0, 0, 1), color: 0),
            Ball3D(id: 1, position: Vec3(20, 20, 28), velocity: Vec3(0, 0, -1), color: 1),
        ])
        // Gap 20 − 6 = 14 closes at 2 per frame: contact at t = 7, at z = 15 and 21.
        for _ in 0..<12 { sim.step() }
        XCTAssertEqual(sim.balls[0].velocity, Vec3(0, 0, -1))
        XCTAssertEqual(sim.balls[1].velocity, Vec3(0, 0, 1))
        XCTAssertEqual(sim.balls[0].position.z, 15 - 5, accuracy: 1e-12)
        XCTAssertEqual(sim.balls[1].position.z, 21 + 5, accuracy: 1e-12)

        // Ball 1 at rest; ball 0 hits it at t = 4.5 with the line of centres along (1, 1, 0)/√2.
        let n = Vec3(1, 1, 0) / 2.squareRoot()
        let c1 = Vec3(20, 20, 20)
        var oblique = Simulator3D(box: box, balls: [
            Ball3D(id: 0, position: c1 - 6 * n - Vec3(4.5, 0, 0), velocity: Vec3(1, 0, 0), color: 0),
            Ball3D(id: 1, position: c1, velocity: Vec3(0, 0, 0), color: 1),
        ])
        for _ in 0..<4 { oblique.step() }
        XCTAssertEqual(oblique.balls[1].velocity, Vec3(0, 0, 0))
        oblique.step()
        XCTAssertEqual(oblique.events, [.pair(a: 0, b: 1)])
        let u = Vec3(1, 0, 0).dot(n)
        XCTAssertEqual((oblique.balls[1].velocity - u * n).length, 0, accuracy: 1e-12)
        XCTAssertEqual((oblique.balls[0].velocity - (Vec3(1, 0, 0) - u * n)).length, 0, accuracy: 1e-12)
    }

    /// The pair time is the smaller root of |dp + dv t| = 2R, and nil when the pair opens.
    func testClosingTime() {
        XCTAssertEqual(Simulator3D.closingTime(dp: Vec3(0, 0, 10), dv: Vec3(0, 0, -2), radii: 6)!, 2, accuracy: 1e-15)
        XCTAssertNil(Simulator3D.closingTime(dp: Vec3(0, 0, 10), dv: Vec3(0, 0, 2), radii: 6))
        XCTAssertNil(Simulator3D.closingTime(dp: Vec3(0, 7, 10), dv: Vec3(0, 0, -2), radii: 6), "passes 7 apart")
        XCTAssertEqual(Simulator3D.closingTime(dp: Vec3(0, 0, 5), dv: Vec3(0, 0, -1), radii: 6), 0, "already touching")
        // Off-centre: |(3, 0, 10 − t)| = 6 at t = 10 − √27.
        XCTAssertEqual(Simulator3D.closingTime(dp: Vec3(3, 0, 10), dv: Vec3(0, 0, -1), radii: 6)!, 10 - 27.0.squareRoot(),
                       accuracy: 1e-12)
    }

    /// Same balls, same states bit for bit.
    func testDeterministic() {
        var rng = RNG(seed: 9)
        let box = Box3D()
        let balls = Simulator3DTests.randomBalls(3, box: box, rng: &rng)
        var a = Simulator3D(box: box, balls: balls), b = Simulator3D(box: box, balls: balls)
        for _ in 0..<500 {
            a.step()
            b.step()
        }
        XCTAssertEqual(a.balls, b.balls)
    }
}

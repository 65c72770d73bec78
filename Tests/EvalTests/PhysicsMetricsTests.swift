import XCTest
import Sample
import World
@testable import Eval

/// Every physics metric twice: on the simulator's own frames, where its value is known, and on
/// a clip broken by hand, where it must flag the break.
final class PhysicsMetricsTests: XCTestCase {
    let scorer = WindowQuality(scoring: WindowQualityConfig())

    func episodes(_ scenario: String, count: Int, frames: Int = 32) throws -> [Episode] {
        try (0..<count).map { try Scenario.named(scenario).episode(seed: 2_000_000 + UInt64($0), frames: frames) }
    }

    /// Window starts of a last-k 2 rollout of an 8-frame model from 2 context frames.
    func starts(_ frames: Int) -> [Int] { WindowSampler.windowStarts(frames: frames, given: 2, window: 8, context: 2) }

    func simulator(_ ep: Episode) -> ClipTrace {
        let observed = Set(ep.frames.filter(\.dark).map(\.t))
        return ClipTrace(simulator: ep, firstGenerated: 2, windowStarts: starts(ep.count), observed: observed, scorer: scorer)
    }

    /// `ep`'s frames with `edit` applied to the states of frames `from...`, drawn and traced
    /// against the untouched truth.
    func broken(_ ep: Episode, from: Int, edit: (inout [Ball], Int) -> Void) -> ClipTrace {
        var drawn = ep.frames
        for f in from..<ep.count {
            var balls = drawn[f].balls
            edit(&balls, f)
            drawn[f] = ep.scene.frameState(t: f, balls: balls)
        }
        return ClipTrace(frames: Rasterizer.planar(drawn, scene: ep.scene), truth: ep, firstGenerated: 2,
                         windowStarts: starts(ep.count), scorer: scorer)
    }

    // MARK: - The simulator scores as the physics

    func testSimulatorFramesScoreAsThePhysics() throws {
        for name in ["id", "ood-fast", "ood-count", "ood-gravity"] {
            let s = PhysicsSummary(try episodes(name, count: 12).map(simulator))
            print(String(format: "\(name): pos %.4f vel %.4f g %@ err %.4f (%d flights) energy %.4f seam %.4f/%.4f inside %.4f/%.4f",
                         s.positionError!, s.velocityError!, "\(s.impliedGravity ?? [])", s.gravityError ?? -1, s.flights,
                         s.energyDrift ?? -1, s.seamJump!, s.seamJumpPhysics!, s.insideJump!, s.insideJumpPhysics!))
            XCTAssertEqual(s.realism, 1, name)
            XCTAssertEqual(s.countWrong, 0, name)
            XCTAssertEqual(s.missRate, 0, name)
            XCTAssertLessThan(s.positionError!, 0.05, name)
            XCTAssertLessThan(s.velocityError!, 0.05, name)
            XCTAssertEqual(s.penetrationRate, 0, name)
            XCTAssertEqual(s.swapsPer100, 0, name)
            XCTAssertGreaterThan(s.flights, 10, name)
            XCTAssertLessThan(s.gravityError!, 0.02, name)
            // The estimator's floor: a window with a bounce has some intervals whose Δp is
            // not the velocity, and the median over a few intervals feels them.
            XCTAssertLessThan(s.energyDrift!, 0.03, name)
            XCTAssertEqual(s.seamJump!, s.seamJumpPhysics!, accuracy: 0.05, name)
            XCTAssertEqual(s.insideJump!, s.insideJumpPhysics!, accuracy: 0.05, name)
            if name != "ood-count" { XCTAssertEqual(s.countChangesPer100, 0, name) }
        }
        let id = PhysicsSummary(try episodes("id", count: 12).map(simulator))
        XCTAssertEqual(id.impliedGravity![1], 0.1, accuracy: 0.01)
        XCTAssertEqual(id.impliedGravity![0], 0, accuracy: 0.01)
    }

    func testSimulatorHiddenBallsAllComeBack() throws {
        for name in ["occluder", "key"] {
            let clips = try (0..<6).map {
                try Experiments.memoryClip(Scenario.named(name), seed: 2_000_000 + UInt64($0), frames: 64, context: 2)
            }
            let s = PhysicsSummary(clips.map(simulator))
            XCTAssertGreaterThanOrEqual(s.hidings, 6, name)
            XCTAssertEqual(s.permanence, 1, name)
            XCTAssertEqual(s.never, 0, name)
            XCTAssertEqual(s.stuck, 0, name)
            // The tracker's centroid of a ball just out from behind the bar: 0.1 px at worst.
            XCTAssertLessThan(s.returnError!, 0.15, name)
            XCTAssertEqual(s.realism, 1, name)
        }
    }

    func testSimulatorSpreadIsZero() throws {
        let ep = try episodes("id", count: 1)[0]
        let spread = ClipTrace.spread(Array(repeating: simulator(ep), count: 4))
        XCTAssertEqual(spread.count, 30)
        XCTAssert(spread.allSatisfy { $0 == 0 })
    }

    // MARK: - Broken clips are flagged

    func testTeleportingBallIsFlagged() throws {
        let ep = try episodes("id", count: 1)[0]
        let s = PhysicsSummary([broken(ep, from: 16) { balls, _ in
            balls[0].position.x = balls[0].position.x > 16 ? balls[0].radius + 1 : 31 - balls[0].radius
        }])
        XCTAssertLessThan(s.positionErrorByHorizon[0]!, 0.05, "before the jump")
        XCTAssertGreaterThan(s.positionErrorByHorizon.last!!, 2, "after it")
        XCTAssertGreaterThan(s.velocityErrorByHorizon[14]!, 2, "at the jump (frame 16, horizon 15)")
        // Frame 16 is no seam here; a seam laid on it shows the jump there.
        var seamed = broken(ep, from: 16) { balls, _ in balls[0].position.x += balls[0].position.x > 16 ? -6 : 6 }
        seamed.windowStarts = [2, 16]
        let t = PhysicsSummary([seamed])
        XCTAssertGreaterThan(t.seamJump!, t.seamJumpPhysics! + 2)
    }

    func testVanishedBallIsFlagged() throws {
        let ep = try episodes("id", count: 8).first { $0.frames[0].balls.count >= 2 }!
        let s = PhysicsSummary([broken(ep, from: 10) { balls, _ in balls[0].position = Vec2(-100, -100) }])
        XCTAssertGreaterThan(s.missRate, 0.2)
        XCTAssertGreaterThan(s.countWrong, 0.5)
        XCTAssertEqual(s.countChangesPer100, 100.0 / 30, accuracy: 1e-9, "one change in 30 generated frames")
        XCTAssertNil(s.energyDriftByWindow.last!, "no energy without every ball")
    }

    func testSwappedColoursAreFlagged() throws {
        let ep = try episodes("id", count: 16).first { ep in
            ep.frames[0].balls.count >= 2 && (ep.frames[20].balls[0].position - ep.frames[20].balls[1].position).length > 8
        }!
        let s = PhysicsSummary([broken(ep, from: 20) { balls, _ in
            (balls[0].color, balls[1].color) = (balls[1].color, balls[0].color)
        }])
        XCTAssertEqual(s.swapsPer100, 2 * 100.0 / 30, accuracy: 1e-9, "both balls change colour once")
        XCTAssertGreaterThan(s.positionErrorByHorizon[18]!, 4, "each colour is now where the other ball is (frame 20)")
    }

    func testWallPenetrationIsFlagged() throws {
        let ep = try episodes("id", count: 1)[0]
        let s = PhysicsSummary([broken(ep, from: 12) { balls, f in
            if f < 18 { balls[0].position = Vec2(balls[0].radius - 2, 16) }
        }])
        // The wall cuts the disc, so its centroid sits inside the true one: a lower bound.
        XCTAssertGreaterThan(s.penetrationRate, 0)
        XCTAssertGreaterThan(s.penetrationDepth!, 0.5)
        XCTAssertLessThanOrEqual(s.penetrationDepth!, 2)
    }

    func testWrongGravityIsFlagged() throws {
        let ep = try episodes("ood-gravity-zero", count: 8, frames: 40)
        for e in ep.prefix(4) {
            var heavy = e.scene
            heavy.gravity = Vec2(0, 0.3)
            var wrong = e
            wrong.frames = Simulator.run(scene: heavy, balls: e.frames[0].balls, frames: e.count)
            // Drawn under 0.3 px/frame², scored against the gravity-free truth.
            let trace = ClipTrace(frames: Rasterizer.planar(wrong), truth: e, firstGenerated: 2,
                                  windowStarts: starts(e.count), scorer: scorer)
            let s = PhysicsSummary([trace])
            XCTAssertEqual(s.impliedGravity![1], 0.3, accuracy: 0.05)
            XCTAssertGreaterThan(s.gravityError!, 0.2)
        }
    }

    func testFrozenBallsLoseEnergy() throws {
        let ep = try episodes("id", count: 1)[0]
        // Frozen where the balls move fastest, so that the kinetic energy lost is large.
        let kinetic = { (f: Int) in ep.frames[f].balls.reduce(0.0) { $0 + $1.mass * $1.velocity.lengthSquared } }
        let freeze = (6...12).max { kinetic($0) < kinetic($1) }!
        let s = PhysicsSummary([broken(ep, from: freeze) { balls, _ in
            for b in balls.indices { balls[b].position = ep.frames[freeze].balls[b].position }
        }])
        XCTAssertLessThan(s.energyDriftByWindow.last!!, -0.1)
        XCTAssertGreaterThan(s.energyDrift!, 0.1)
    }

    func testBallsThatDoNotComeBackAreFlagged() throws {
        let ep = try episodes("occluder", count: 1, frames: 48)[0]
        let truth = PhysicsSummary([simulator(ep)])
        XCTAssertGreaterThanOrEqual(truth.hidings, 1)
        // The last frame each ball is wholly in view before it first hides.
        let lastWhole = ep.frames[0].balls.indices.map { b -> Int? in
            guard let hidden = (2..<ep.count).first(where: { !ep.frames[$0].visible[b] }) else { return nil }
            return (0..<hidden).last { ep.frames[$0].visibleFraction[b] >= 0.9 }
        }
        // Gone: every ball that will hide is off-screen from then on.
        let gone = broken(ep, from: 2) { balls, f in
            for b in balls.indices { if let l = lastWhole[b], f > l { balls[b].position = Vec2(-100, -100) } }
        }
        var s = PhysicsSummary([gone])
        XCTAssertEqual(s.never, 1)
        XCTAssertEqual(s.permanence, 0)
        // Stuck: it stays where it was last wholly seen.
        let stuck = broken(ep, from: 2) { balls, f in
            for b in balls.indices { if let l = lastWhole[b], f > l { balls[b].position = ep.frames[l].balls[b].position } }
        }
        s = PhysicsSummary([stuck])
        XCTAssertEqual(s.stuck, 1)
        XCTAssertEqual(s.permanence, 0)
    }

    /// Only balls the given frames showed count as hidden: one behind the bar from the start
    /// is not scored until a context shows it. A hiding lasts until the ball is wholly in view
    /// again: a glimpse of its rim on the way back does not make a second one.
    func testHidingsAreOfShownBallsAndCountedOnce() throws {
        let scene = Scene(gravity: Vec2(0, 0), occluders: [Rect(x: 9, y: 0, width: 14, height: 32)])
        // Ball 0 starts in view and crosses the bar; ball 1 starts behind it and comes out.
        let balls = [Ball(id: 0, position: Vec2(4, 8), velocity: Vec2(0.5, 0), radius: 3, color: 0),
                     Ball(id: 1, position: Vec2(16, 24), velocity: Vec2(0.4, 0), radius: 3, color: 1)]
        var frames = Simulator.run(scene: scene, balls: balls, frames: 60)
        let ep = Episode(scenario: "test", seed: 0, scene: scene, frames: frames)
        var trace = simulator(ep)
        let hidings = trace.physics(PhysicsConfig()).hidings
        XCTAssertEqual(hidings.map(\.ball), [0], "ball 1 was never shown")
        XCTAssertEqual(hidings.first?.error ?? 1, 0, accuracy: 0.2, "the centroid of a disc beside the bar")
        // A sliver of ball 0 shows for one frame halfway through its hiding: still one
        // hiding, with one return.
        let back = try XCTUnwrap(hidings.first?.returnFrame)
        let hidden = (0..<back).filter { !frames[$0].visible[0] }
        XCTAssertGreaterThan(hidden.count, 8)
        let peek = hidden[hidden.count / 2]
        frames[peek].visible[0] = true
        frames[peek].visibleFraction[0] = 0.05
        trace.truth = Episode(scenario: "test", seed: 0, scene: scene, frames: frames)
        XCTAssertEqual(trace.physics(PhysicsConfig()).hidings.map(\.returnFrame), [back])
    }

    func testSpreadAcrossJitteredCopies() throws {
        let ep = try episodes("id", count: 16).first { $0.frames[0].balls.count == 1 }!
        let copies = (0..<4).map { k in
            broken(ep, from: 10) { balls, _ in for b in balls.indices { balls[b].position.y = 5 + 6 * Double(k) } }
        }
        let spread = ClipTrace.spread(copies)
        XCTAssertEqual(spread[0]!, 0, accuracy: 1e-12)
        // Heights 5, 11, 17, 23: standard deviation √45 ≈ 6.7 px.
        XCTAssertEqual(spread.last!!, 45.0.squareRoot(), accuracy: 0.1)
    }

    func testStrayPixelsBreakRealism() throws {
        let ep = try episodes("id", count: 1)[0]
        var frames = Rasterizer.planar(ep)
        let per = 3 * 32 * 32
        // A red pixel in the corner farthest from every ball.
        let corners = [Vec2(0.5, 0.5), Vec2(31.5, 0.5), Vec2(0.5, 31.5), Vec2(31.5, 31.5)]
        for f in 10..<20 {
            let c = corners.max { a, b in
                ep.frames[f].balls.map { ($0.position - a).length }.min()! < ep.frames[f].balls.map { ($0.position - b).length }.min()!
            }!
            frames[f * per + Int(c.y) * 32 + Int(c.x)] = 1
        }
        let s = PhysicsSummary([ClipTrace(frames: frames, truth: ep, firstGenerated: 2, windowStarts: starts(32),
                                          scorer: scorer)])
        XCTAssertEqual(s.realism, 20.0 / 30, accuracy: 1e-9)
    }
    /// `vidgen eval`'s path: the physics of one-window clips, carried in the JSON.
    func testWindowEvaluationCarriesPhysics() throws {
        var c = WindowQualityConfig()
        c.clips = 16
        let q = try WindowQuality(c)
        let sim = q.evaluate("simulator", batch: 5, physics: PhysicsConfig(), generator: q.simulator)
        let copy = q.evaluate("copy-last", batch: 5, physics: PhysicsConfig(), generator: q.copyLast)
        let p = try XCTUnwrap(sim.physics), stuck = try XCTUnwrap(copy.physics)
        XCTAssertEqual(p.clips, 16)
        XCTAssertEqual(p.frames, 16 * 6)
        XCTAssertEqual(p.realism, 1)
        XCTAssertLessThan(p.velocityError!, 0.05)
        XCTAssertGreaterThan(stuck.velocityError!, 0.3, "copy-last stops every ball")
        XCTAssertNil(q.evaluate("no physics", generator: q.simulator).physics)
        let decoded = try JSONDecoder().decode(WindowQualityResult.self, from: JSONEncoder().encode(sim))
        XCTAssertEqual(decoded.physics?.frames, p.frames)
        XCTAssertEqual(decoded.physics?.velocityError ?? 0, p.velocityError!, accuracy: 1e-12)
    }
}

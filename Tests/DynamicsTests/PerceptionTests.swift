import XCTest
import Tensor
import World
@testable import Dynamics

final class PerceptionTests: XCTestCase {
    /// Whether ball `i` is wholly in view and its drawn disc is over 1 px from every other ball's.
    func isClear(_ f: FrameState, _ i: Int) -> Bool {
        guard f.visibleFraction[i] == 1 else { return false }
        return f.balls.indices.allSatisfy { j in
            j == i || (f.balls[i].position - f.balls[j].position).length > f.balls[i].radius + f.balls[j].radius + 2
        }
    }

    /// Whether the simulator resolves an event for ball `i` between frames `t` and `t + 1`.
    func hasEvent(_ ep: Episode, _ t: Int, _ i: Int) -> Bool {
        var sim = Simulator(scene: ep.scene, balls: ep.frames[t].balls)
        sim.step()
        return sim.events.contains {
            switch $0 {
            case let .wall(b, _): return b == i
            case let .pair(a, b): return a == i || b == i
            case .rest: return false
            }
        }
    }

    /// An untrained state model whose learned free flight is `gravity`: what perception needs.
    func model(gravity: Vec2 = Vec2(0, 0.1)) -> StateModel {
        var rng = RNG(seed: 4)
        var net = InteractionNetwork(DynamicsConfig.tiny.model, rng: &rng)
        net.freeFlight = Tensor(shape: [2], values: [Float(gravity.x / net.config.deltaScale), Float(gravity.y / net.config.deltaScale)])
        return StateModel(network: net)
    }

    /// 200 `id` clips, a two-frame context ending at frame 1 + seed mod 20: every ball is found;
    /// those clear in both frames with no event between them are within 1e-5 px and 2e-5
    /// px/frame of the simulator (the tracker's centroid alone: 0.05 px and 0.1 px/frame),
    /// every ball within 2e-3 px, and the median ball — at walls and touching others
    /// included — within 2e-6 px.
    func testStateOnSimulatorFrames() throws {
        let model = model()
        var worstP = 0.0, worstV = 0.0, all: [Double] = [], checked = 0
        for seed in 0..<200 {
            let ep = try Scenario.id.episode(seed: UInt64(seed), frames: 24)
            let t = 1 + seed % 20
            let state = model.perceive(planar: Rasterizer.planar(Array(ep.frames[(t - 1)...t]), scene: ep.scene))
            let truth = WorldState(episode: ep, frame: t)
            XCTAssertEqual(state.balls.map(\.color), truth.balls.map(\.color), "seed \(seed)")
            for (s, b) in zip(state.balls, truth.balls) { all.append((s.position - b.position).length) }
            for (i, b) in ep.frames[t].balls.enumerated()
            where isClear(ep.frames[t], i) && isClear(ep.frames[t - 1], i) && !hasEvent(ep, t - 1, i) {
                guard let s = state.balls.first(where: { $0.color == b.color }) else { continue }
                worstP = max(worstP, (s.position - b.position).length)
                worstV = max(worstV, (s.velocity - b.velocity).length)
                XCTAssertEqual(s.radius, b.radius, accuracy: 1e-5)
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 250)
        XCTAssertLessThanOrEqual(worstP, 1e-5)
        XCTAssertLessThanOrEqual(worstV, 2e-5)
        XCTAssertLessThanOrEqual(all.max()!, 2e-3)
        XCTAssertLessThanOrEqual(all.sorted()[all.count / 2], 2e-6)
    }

    /// Three frames with no event among them give the exact velocity at the middle one and at
    /// the last; with events on both sides of a frame no velocity is read there; the g of a
    /// clip's tracks is the simulator's.
    func testFlightReadsVelocityOnlyFromFreeFlight() throws {
        var checked = 0, bounces = 0
        for seed in 0..<60 {
            let ep = try Scenario.id.episode(seed: UInt64(seed), frames: 24)
            let dets = Perception().detections(planar: Rasterizer.planar(ep), height: 32, width: 32)
            let tracks = ep.frames[0].balls.map { b in dets.map { $0[b.color]?.position } }
            let g = try XCTUnwrap(Flight.gravity(tracks))
            XCTAssertEqual((g - ep.scene.gravity).length, 0, accuracy: 1e-5)
            for (i, track) in tracks.enumerated() {
                for t in 2..<23 where (t - 2...t + 1).allSatisfy({ isClear(ep.frames[$0], i) }) {
                    let u = ep.frames[t].balls[i].velocity
                    let before = hasEvent(ep, t - 1, i), after = hasEvent(ep, t, i)
                    if !before && !after {
                        let v = try XCTUnwrap(Flight.velocity(track, at: t, gravity: g), "seed \(seed) ball \(i) frame \(t)")
                        XCTAssertEqual((v - u).length, 0, accuracy: 1e-5)
                        checked += 1
                    } else if before && after {
                        if Flight.velocity(track, at: t, gravity: g) == nil { bounces += 1 }
                    }
                    if !hasEvent(ep, t - 2, i) && !hasEvent(ep, t - 1, i) {
                        let v = try XCTUnwrap(Flight.velocityAtEnd(Array(track[0...t]), gravity: g))
                        XCTAssertEqual((v - u).length, 0, accuracy: 1e-5)
                    }
                }
            }
        }
        XCTAssertGreaterThan(checked, 1000)
        XCTAssertGreaterThan(bounces, 0)
    }

    /// With one frame the velocity is 0.
    func testOneFrameHasNoVelocity() throws {
        let ep = try Scenario.id.episode(seed: 3, frames: 4)
        let state = model().perceive(planar: Rasterizer.planar([ep.frames[2]], scene: ep.scene))
        XCTAssertEqual(state.balls.count, ep.frames[2].balls.count)
        XCTAssertTrue(state.balls.allSatisfy { $0.velocity == Vec2(0, 0) })
    }

    /// Tracked through the context, a ball reads its velocity from its positions (two frames:
    /// their difference plus g/2; four whose last three are one free flight: that parabola's),
    /// and a ball the last frame does not show is kept, stepped on from the frame before.
    func testPerceivingKeepsABallTheLastFrameHides() throws {
        let model = model()
        let g = model.law.gravity
        var scenario = Scenario.id
        scenario.ballCount = 2...2
        for seed in 0..<8 {
            let ep = try scenario.episode(seed: UInt64(seed), frames: 6)
            for c in [2, 4] {
                let frames = Rasterizer.planar(Array(ep.frames[0..<c]), scene: ep.scene)
                let dets = model.perception.detections(planar: frames, height: 32, width: 32)
                let state = model.perceive(planar: frames)
                XCTAssertEqual(state.balls.map(\.color), dets[c - 1].keys.sorted())
                for b in state.balls {
                    let track = dets.map { $0[b.color]?.position }
                    XCTAssertEqual(b.position, track[c - 1])
                    let read = c == 2 ? Flight.velocityOfLastFrame(track, gravity: g) : Flight.velocityAtEnd(track, gravity: g)
                    if let read { XCTAssertEqual(b.velocity, read, "seed \(seed), \(c) frames") }
                }
            }
            // Frame 3 drawn without ball 0: it is stepped on from the state at frame 2.
            var last = ep.frames[3]
            let hidden = last.balls[0].color
            last.balls.removeFirst()
            last.visibleFraction.removeFirst()
            last.visible.removeFirst()
            let per = 3 * 32 * 32
            let shown = Rasterizer.planar(Array(ep.frames[0..<3]), scene: ep.scene)
            let frames = shown + Rasterizer.planar([last], scene: ep.scene)
            XCTAssertEqual(frames.count, 4 * per)
            let state = model.perceive(planar: frames)
            XCTAssertNil(model.perception.detections(planar: frames, height: 32, width: 32)[3][hidden])
            let expected = model.step([model.perceive(planar: shown)])[0].balls.first { $0.color == hidden }
            let kept = try XCTUnwrap(state.balls.first { $0.color == hidden }, "seed \(seed)")
            XCTAssertEqual(kept.position, expected?.position)
            XCTAssertEqual(kept.velocity, expected?.velocity)
            XCTAssertEqual(state.balls.count, 2)
        }
    }

    /// The occluder is read from the frames to rounding, whatever passes behind it, and the
    /// state model draws it over its balls: a ball it keeps behind the bar is hidden in its
    /// frames as in the simulator's.
    func testOccluderIsPerceivedAndDrawn() throws {
        let model = model()
        for seed: UInt64 in 0..<20 {
            let ep = try Scenario.named("occluder").episode(seed: seed, frames: 48)
            let start = Int(seed) % 40
            let frames = Rasterizer.planar(Array(ep.frames[start..<(start + 4)]), scene: ep.scene)
            let bars = model.perception.occluders(planar: frames, height: 32, width: 32)
            XCTAssertEqual(bars.count, 1, "seed \(seed)")
            let (r, t) = (bars[0], ep.scene.occluders[0])
            for (a, b) in [(r.x, t.x), (r.maxX, t.maxX), (r.y, t.y), (r.maxY, t.maxY)] { XCTAssertEqual(a, b, accuracy: 1e-5) }
            let state = WorldState(episode: ep, frame: start)
            XCTAssertEqual(model.perceive(planar: frames).occluders, bars)
            // Balls are drawn in palette order, the simulator's in id order: compare where no two touch.
            guard ep.frames[start].balls.indices.allSatisfy({ isClear(ep.frames[start], $0) || ep.frames[start].visibleFraction[$0] < 1 })
            else { continue }
            let drawn = model.render([state]), truth = Rasterizer.planar([ep.frames[start]], scene: ep.scene)
            XCTAssertEqual(zip(drawn, truth).map { abs($0 - $1) }.max() ?? 1, 0, accuracy: 1e-6, "seed \(seed)")
        }
        XCTAssertEqual(model.perception.occluders(planar: Rasterizer.planar(try Scenario.id.episode(seed: 1, frames: 3)),
                                                  height: 32, width: 32), [])
    }
}

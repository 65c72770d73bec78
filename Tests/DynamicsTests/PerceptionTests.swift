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

    /// 200 `id` clips, a two-frame context ending at frame 1 + seed mod 20: every ball is found;
    /// those clear in both frames are within 1e-5 px and 2e-5 px/frame of the simulator (the
    /// tracker's centroid alone: 0.05 px and 0.1 px/frame), every ball within 2e-3 px.
    func testStateOnSimulatorFrames() throws {
        let perception = Perception()
        var worstP = 0.0, worstV = 0.0, worstAny = 0.0, checked = 0
        for seed in 0..<200 {
            let ep = try Scenario.id.episode(seed: UInt64(seed), frames: 24)
            let t = 1 + seed % 20
            let frames = Rasterizer.planar(Array(ep.frames[(t - 1)...t]), scene: ep.scene)
            let state = perception.state(planar: frames, height: 32, width: 32)
            let truth = WorldState(episode: ep, frame: t)
            XCTAssertEqual(state.balls.map(\.color), truth.balls.map(\.color), "seed \(seed)")
            for (s, b) in zip(state.balls, truth.balls) { worstAny = max(worstAny, (s.position - b.position).length) }
            for (i, b) in ep.frames[t].balls.enumerated() where isClear(ep.frames[t], i) && isClear(ep.frames[t - 1], i) {
                guard let s = state.balls.first(where: { $0.color == b.color }),
                      let v = truth.balls.first(where: { $0.color == b.color })?.velocity else { continue }
                worstP = max(worstP, (s.position - b.position).length)
                worstV = max(worstV, (s.velocity - v).length)
                XCTAssertEqual(s.radius, b.radius, accuracy: 1e-5)
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 250)
        XCTAssertLessThanOrEqual(worstP, 1e-5)
        XCTAssertLessThanOrEqual(worstV, 2e-5)
        XCTAssertLessThanOrEqual(worstAny, 2e-3)
    }

    /// With one frame the velocity is 0.
    func testOneFrameHasNoVelocity() throws {
        let ep = try Scenario.id.episode(seed: 3, frames: 4)
        let state = Perception().state(planar: Rasterizer.planar([ep.frames[2]], scene: ep.scene), height: 32, width: 32)
        XCTAssertEqual(state.balls.count, ep.frames[2].balls.count)
        XCTAssertTrue(state.balls.allSatisfy { $0.velocity == Vec2(0, 0) })
    }
    /// Tracked through the context, a ball the last frame does not show is kept, stepped on
    /// from the frame before; with every ball in view the state is Perception.state's.
    func testPerceivingKeepsABallTheLastFrameHides() throws {
        var rng = RNG(seed: 4)
        let model = StateModel(network: InteractionNetwork(DynamicsConfig.tiny.model, rng: &rng))
        var scenario = Scenario.id
        scenario.ballCount = 2...2
        for seed in 0..<8 {
            let ep = try scenario.episode(seed: UInt64(seed), frames: 6)
            for c in [2, 4] {
                let frames = Rasterizer.planar(Array(ep.frames[0..<c]), scene: ep.scene)
                XCTAssertEqual(model.perceive(planar: frames), model.perception.state(planar: frames, height: 32, width: 32),
                               "seed \(seed), \(c) frames")
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
            XCTAssertNil(model.perception.state(planar: frames, height: 32, width: 32).balls.first { $0.color == hidden })
            let expected = model.step([model.perceive(planar: shown)])[0].balls.first { $0.color == hidden }
            let kept = try XCTUnwrap(state.balls.first { $0.color == hidden }, "seed \(seed)")
            XCTAssertEqual(kept.position, expected?.position)
            XCTAssertEqual(kept.velocity, expected?.velocity)
            XCTAssertEqual(state.balls.count, 2)
        }
    }
}

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
}

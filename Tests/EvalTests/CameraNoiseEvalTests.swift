import XCTest
import Dynamics
import Tensor
import World
@testable import Eval

/// A state model's perception under camera noise: its scores say how many balls perception
/// missed in the contexts, in one line, and clean frames miss none.
final class CameraNoiseEvalTests: XCTestCase {
    func testMissedBallsInTheContextAreNamed() throws {
        let model = StateModel.handSet(DynamicsConfig.default.model, gravity: Scenario.id.gravity[0])
        let clean = try StateModelScores.measure(model, folder: "hand-set", scenario: "id", clips: 8, firstSeed: 0, context: 2,
                                                 horizon: 10)
        XCTAssertEqual(clean.score.missedInContext, 0)
        XCTAssertGreaterThan(clean.score.ballsInContext, 8)
        XCTAssertFalse(clean.table().contains("perception missed"))
        let noisy = try StateModelScores.measure(model, folder: "hand-set", scenario: "id", clips: 8, firstSeed: 0, context: 2,
                                                 horizon: 10, camera: CameraNoise(sigma: 0.5))
        XCTAssertGreaterThan(noisy.score.missedInContext, 0)
        let lines = noisy.table().split(separator: "\n").filter { $0.contains("perception missed") }
        XCTAssertEqual(lines.count, 1)
        XCTAssert(noisy.table().contains("camera of noise σ 0.5"))
        // Perception does better on clean frames than on noisy ones.
        XCTAssertLessThan(clean.score.positionError[9], noisy.score.positionError[9])
    }
}

/// The missed share by ball size and speed: each ball in view lands in one bin by its radius
/// and one by its speed, and the bins count what was missed of them.
final class MissBinTests: XCTestCase {
    func testBallsAreBinnedByRadiusAndSpeed() {
        func frame(_ missed: [Int]) -> FrameScore {
            FrameScore(frame: 0, visible: 3, partial: 0, found: 3 - missed.count, errors: [], misses: missed.count, extras: 0,
                       invalidBlobs: 0, strayPixels: 0, inView: [1, 2, 3], missed: missed,
                       inViewRadius: [2.7, 3.2, 3.8], inViewSpeed: [0.5, 1.5, 2.5])
        }
        let stats = QualityStats([frame([1]), frame([1, 3]), frame([])], missPenalty: 16)
        XCTAssertEqual(stats.missedBySize?.map(\.range), ["< 3 px", "3–3.5 px", "≥ 3.5 px"])
        XCTAssertEqual(stats.missedBySize?.map(\.balls), [3, 3, 3])
        XCTAssertEqual(stats.missedBySize?.map(\.missRate), [2.0 / 3, 0, 1.0 / 3])
        XCTAssertEqual(stats.missedBySpeed?.map(\.missRate), [2.0 / 3, 0, 1.0 / 3])
        XCTAssertEqual(stats.missRate, 3.0 / 9)
        XCTAssertNil(QualityStats([frame([])], frame: 1, missPenalty: 16).missedBySize, "per-frame rows carry no bins")
    }
}

/// Occlusion order read off frames alone: the simulator's depth clips put the larger (nearer)
/// disc on top in every overlap; a frame that draws the smaller one over it is judged wrong.
final class OcclusionOrderTests: XCTestCase {
    func testSimulatorDepthFramesAreAllRight() throws {
        var total = OcclusionOrder()
        for scenario in DepthScenario.all {
            for seed: UInt64 in 0..<40 {
                total = total + OcclusionOrder.judge(planar: Rasterizer.planar(try scenario.episode(seed: seed, frames: 32)),
                                                     height: 32, width: 32)
            }
        }
        XCTAssertGreaterThan(total.pairs, 20, "the depth clips overlap")
        XCTAssertEqual(total.right, total.pairs)
    }

    func testTheSmallerDiscOnTopIsWrong() {
        let scene = Scene(gravity: Vec2(0, 0))
        let large = Ball(id: 0, position: Vec2(13.3, 15.6), velocity: Vec2(0, 0), radius: 4.2, color: 0)
        let small = Ball(id: 1, position: Vec2(17.6, 16.4), velocity: Vec2(0, 0), radius: 3.0, color: 5)
        func judged(_ order: [Ball]) -> OcclusionOrder {
            OcclusionOrder.judge(planar: Rasterizer.planar([scene.frameState(t: 0, balls: order)], scene: scene), height: 32, width: 32)
        }
        XCTAssertEqual(judged([small, large]).right, 1, "the larger drawn last, on top")
        XCTAssertEqual(judged([small, large]).pairs, 1)
        XCTAssertEqual(judged([large, small]).pairs, 1)
        XCTAssertEqual(judged([large, small]).right, 0, "the smaller on top: no 3D scene draws that")
    }
}

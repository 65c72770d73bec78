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

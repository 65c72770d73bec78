import XCTest
@testable import Checkpoints
@testable import Tensor
@testable import Train
import World

/// Video models train on clips of the 3D box as on flat ones: the config's scenario names a
/// depth scenario, and the windows are its frames through the camera.
final class DepthClipsTests: XCTestCase {
    /// Each window of a depth config is the camera's view of the depth clip its stream draws,
    /// from the start it draws, and batches are deterministic per step.
    func testDepthWindowsAreTheCamerasFrames() throws {
        var c = TrainConfig.tiny
        c.scenario = "depth"
        c.model.size = 32
        let stream = try ClipStream(c)
        let batch = try stream.batch(step: 3)
        XCTAssertEqual(try stream.batch(step: 3).clips.values, batch.clips.values)
        let frames = c.model.frames, per = frames * 3 * 32 * 32
        for i in 0..<c.batchSize {
            var rng = RNG(seed: c.seed).split("data").split(3).split(i)
            let clip = try DepthScenario.depth.episode(seed: SceneSeeds.training(&rng), frames: c.simulationFrames)
            let start = rng.int(in: 0...(c.simulationFrames - frames))
            let expected = Rasterizer.planar(clip)[(start * 3 * 32 * 32)..<((start + frames) * 3 * 32 * 32)]
            XCTAssertEqual(Array(batch.clips.values[(i * per)..<((i + 1) * per)]), Array(expected), "clip \(i)")
        }
    }

    /// At another frame size the camera keeps its field of view: the focal length scales with
    /// the image, so the box fills it as before.
    func testResizedDepthScenarioKeepsTheView() throws {
        guard case let .depth(small) = try WorldScenario.named("depth").resized(to: 16),
              case let .depth(same) = try WorldScenario.named("depth").resized(to: 32) else { return XCTFail("not a depth scenario") }
        XCTAssertEqual(same, DepthScenario.depth)
        XCTAssertEqual(small.camera.imageWidth, 16)
        XCTAssertEqual(small.camera.focalLength, DepthScenario.depth.camera.focalLength / 2, accuracy: 1e-12)
        XCTAssertEqual(small.camera.fieldOfView, DepthScenario.depth.camera.fieldOfView, accuracy: 1e-9)
        var c = CodecConfig.tiny
        c.scenario = "depth"
        XCTAssertEqual(try c.frames(step: 0).shape, [c.batchSize, 3, c.model.frameSize, c.model.frameSize])
    }

    /// An unknown scenario is named with the valid ones, flat and 3D, before any step.
    func testUnknownScenarioListsBothWorlds() {
        var c = TrainConfig.tiny
        c.scenario = "cube"
        XCTAssertThrowsError(try ClipStream(c)) { error in
            XCTAssert("\(error)".contains("depth") && "\(error)".contains("id"), "\(error)")
        }
    }
}

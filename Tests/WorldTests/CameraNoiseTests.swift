import XCTest
import Tensor
@testable import World

final class CameraNoiseTests: XCTestCase {
    func testNoisyFramesAreDeterministicPerSeedAndCleanAtZero() throws {
        let episode = try Scenario.id.episode(seed: 5, frames: 6)
        let clean = Rasterizer.planar(episode)
        XCTAssertEqual(Rasterizer.planar(episode, camera: .none), clean)
        let camera = CameraNoise(sigma: 0.05)
        let a = Rasterizer.planar(episode, camera: camera), b = Rasterizer.planar(episode, camera: camera)
        XCTAssertEqual(a, b, "same seed, same noise")
        XCTAssertNotEqual(a, clean)
        XCTAssert(a.allSatisfy { $0 >= -1 && $0 <= 1 })
        let other = try Scenario.id.episode(seed: 6, frames: 6)
        let (H, W) = (episode.scene.height, episode.scene.width)
        XCTAssertNotEqual(camera.apply(planar: clean, height: H, width: W, seed: other.seed), a, "another seed, other noise")
        // A longer clip keeps its first frames' noise.
        let longer = try Scenario.id.episode(seed: 5, frames: 9)
        XCTAssertEqual(Array(Rasterizer.planar(longer, camera: camera).prefix(a.count)), a)
    }

    /// The noise has standard deviation σ in intensity units: on mid-grey, nothing is clipped.
    func testNoiseHasItsSigmaAndTheBlurIsBinomial() {
        let (H, W) = (32, 32)
        let grey = [Float](repeating: 0, count: 4 * 3 * H * W)  // 0 in [-1, 1] is intensity 0.5
        let noisy = CameraNoise(sigma: 0.05).apply(planar: grey, height: H, width: W, seed: 1)
        let intensity = noisy.map { Double($0 + 1) / 2 }
        let mean = intensity.reduce(0, +) / Double(intensity.count)
        let std = (intensity.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(intensity.count)).squareRoot()
        XCTAssertEqual(mean, 0.5, accuracy: 0.003)
        XCTAssertEqual(std, 0.05, accuracy: 0.002)
        var dot = [Float](repeating: 0, count: 5 * 5)
        dot[2 * 5 + 2] = 16
        let blurred = CameraNoise.blur(dot, height: 5, width: 5)
        XCTAssertEqual(Array(blurred[(1 * 5 + 1)...(1 * 5 + 3)]), [1, 2, 1])
        XCTAssertEqual(Array(blurred[(2 * 5 + 1)...(2 * 5 + 3)]), [2, 4, 2])
        XCTAssertEqual(blurred.reduce(0, +), 16, "the kernel sums to 1")
    }

    func testBadSigmaIsNamed() {
        XCTAssertNil(CameraNoise(sigma: 0.05).problem)
        XCTAssertNotNil(CameraNoise(sigma: -0.1).problem)
        XCTAssertNotNil(CameraNoise(sigma: .nan).problem)
    }
}

import XCTest
import Tensor
import World
@testable import Dynamics

/// The structured law with its constants set by hand is the simulator on `id`: the ceiling a
/// learned structured model is measured against.
final class HandSetLawTests: XCTestCase {
    func testHandSetStepIsTheSimulatorOnId() throws {
        let law = StateModel.handSet(DynamicsConfig.default.model, gravity: Scenario.id.gravity[0])
        let g = Scenario.id.gravity[0]
        var worst = 0.0, bounces = 0
        for seed: UInt64 in 0..<12 {
            let episode = try Scenario.id.episode(seed: seed, frames: 40)
            let states = law.rollout(from: WorldState(episode: episode, frame: 0), frames: 39)
            for (t, state) in states.enumerated() {
                let truth = WorldState(episode: episode, frame: t + 1), before = WorldState(episode: episode, frame: t)
                for (b, a) in zip(state.balls, truth.balls) { worst = max(worst, (b.position - a.position).length) }
                bounces += zip(truth.balls, before.balls).filter { ($0.velocity - $1.velocity - g).length > 0.01 }.count
            }
        }
        XCTAssertGreaterThan(bounces, 10, "the clips have bounces to get right")
        // Event times are roots found to the simulator's tolerance: 3e-5 px after 39 frames.
        XCTAssertLessThan(worst, 1e-4, "worst position error over 39 frames of 12 clips, px")
    }

    /// Out of `id`'s world (a gravity it was not set for) it is no longer the simulator.
    func testHandSetStepKnowsOnlyItsOwnGravity() throws {
        let law = StateModel.handSet(DynamicsConfig.default.model, gravity: Scenario.id.gravity[0])
        let episode = try Scenario.named("ood-gravity").episode(seed: 3, frames: 30)
        let states = law.rollout(from: WorldState(episode: episode, frame: 0), frames: 29)
        let truth = WorldState(episode: episode, frame: 29)
        let error = zip(states[28].balls, truth.balls).map { ($0.position - $1.position).length }.max() ?? 0
        XCTAssertGreaterThan(error, 0.5)
    }
}

/// Perception of frames seen through a noisy camera: a state model still makes its frames, however
/// much noise (it may lose balls, but it does not trap).
final class NoisyPerceptionTests: XCTestCase {
    func testNoisyContextsGiveFramesNotATrap() throws {
        let model = StateModel.handSet(DynamicsConfig.default.model, gravity: Scenario.id.gravity[0])
        for sigma in [0.02, 0.05, 0.3] {
            var found = 0, balls = 0
            for seed: UInt64 in 0..<6 {
                let episode = try Scenario.id.episode(seed: seed, frames: 4)
                let frames = Rasterizer.planar(episode, camera: CameraNoise(sigma: sigma))
                let state = model.perceive(planar: frames)
                found += state.balls.count
                balls += episode.frames[3].balls.count
                XCTAssertEqual(model.rollout(contextFrames: frames, frames: 5).count, 5 * 3 * 32 * 32)
            }
            print("σ \(sigma): perceived \(found) of \(balls) balls")
        }
    }
}

/// Under camera noise the refit still beats the tracker's centroid: it widens its tolerances
/// to the frame's noise level and fits the blurred edge's width.
final class NoisyDiscFitTests: XCTestCase {
    func testNoiseLevelIsReadFromTheBackground() throws {
        let episode = try Scenario.id.episode(seed: 1, frames: 1)
        for sigma in [0.0, 0.02, 0.05] {
            let frames = Rasterizer.planar(episode, camera: CameraNoise(sigma: sigma))
            let rgb = Perception.rgb(planar: frames, frame: 0, pixels: 32 * 32)
            let dets = Tracker().detect(planar: frames, frames: 1, height: 32, width: 32)[0]
            XCTAssertEqual(DiscFit.noiseLevel(rgb: rgb, height: 32, width: 32, detections: dets), sigma, accuracy: sigma * 0.2 + 1e-12)
        }
    }

    func testRefitBeatsTheCentroidUnderNoise() throws {
        let perception = Perception()
        var refit = 0.0, centroid = 0.0, radius = 0.0, n = 0.0
        for seed: UInt64 in 0..<16 {
            let episode = try Scenario.id.episode(seed: seed, frames: 1)
            let frames = Rasterizer.planar(episode, camera: CameraNoise(sigma: 0.02))
            let found = perception.detections(planar: frames, height: 32, width: 32)[0]
            let raw = perception.tracker.detect(planar: frames, frames: 1, height: 32, width: 32)[0]
            for (i, ball) in episode.frames[0].balls.enumerated() where episode.frames[0].visibleFraction[i] == 1 {
                guard let d = found[ball.color], let r = raw.first(where: { $0.color == ball.color }) else { continue }
                refit += (d.position - ball.position).length
                centroid += (r.position - ball.position).length
                radius += abs(d.radius - ball.radius)
                n += 1
            }
        }
        XCTAssertGreaterThan(n, 20)
        XCTAssertLessThan(refit / n, 0.7 * centroid / n, "mean refit error \(refit / n) px, centroid \(centroid / n) px")
        // The blur's inward shift of a curved edge is corrected: radii to about 0.01 px (0.09 without).
        XCTAssertLessThan(radius / n, 0.03, "mean radius error, px")
    }
}

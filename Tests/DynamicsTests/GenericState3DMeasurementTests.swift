import Checkpoints
import Foundation
import XCTest
import Tensor
import World
@testable import Dynamics

/// Where a generic 3D model's error comes from, on 64 `depth` clips of the validation range
/// from scene seed 1,100,000,000: its Δu for a lone ball mid-box, and its 3D position error by
/// horizon rolled out from the simulator's state at the last context frame (no perception), and
/// from the state perceived with the true g instead of its own. Runs only when asked:
/// VIDGEN_MEASURE_G3D=DIR names the checkpoint folder.
final class GenericState3DMeasurementTests: XCTestCase {
    func testWhereTheErrorComesFrom() throws {
        guard let folder = ProcessInfo.processInfo.environment["VIDGEN_MEASURE_G3D"] else {
            throw XCTSkip("set VIDGEN_MEASURE_G3D=DIR to measure a generic 3D checkpoint")
        }
        let scenario = DepthScenario.depth, model = try StateModel3D.load(folder, scenario: scenario)
        guard case .generic(let network) = model.law else { return XCTFail("\(folder) holds no generic 3D model") }
        let box = Vec3(scenario.box.width, scenario.box.height, scenario.box.depth)
        for u in [Vec3(0, 0, 0), Vec3(0.5, 0, 0), Vec3(0, -0.5, 0), Vec3(0, 0, 0.5), Vec3(1, 0.3, -0.4)] {
            let s = WorldState3D(extent: box, ballRadius: scenario.box.ballRadius,
                                 balls: [BallState3D(position: box / 2, velocity: u, color: 0)])
            let du = network.velocityChanges(s)[0]
            print(String(format: "lone ball mid-box at u (%.1f, %.1f, %.1f): Δu (%.5f, %.5f, %.5f)", u.x, u.y, u.z, du.x, du.y, du.z))
        }
        let trueG = StateModel3D(law: .handSet(gravity: scenario.box.gravity), scenario: scenario)
        var fromTruth: [[Double]] = [], perceivedWithTrueG: [[Double]] = []
        for seed in (0..<UInt64(64)).map({ 1_100_000_000 + $0 }) {
            let ep = try scenario.episode(seed: seed, frames: 38)
            func errors(from start: WorldState3D) -> [Double] {
                let states = model.rollout(from: start, frames: 30)
                return [1, 10, 30].map { h in
                    let e = WorldState3D(episode: ep, frame: 7 + h).balls.compactMap { b in
                        states[h - 1].balls.first { $0.color == b.color }.map { ($0.position - b.position).length }
                    }
                    return e.reduce(0, +) / Double(max(1, e.count))
                }
            }
            fromTruth.append(errors(from: WorldState3D(episode: ep, frame: 7)))
            var shown = ep
            shown.frames = Array(ep.frames[0..<8])
            if let start = trueG.perceive(planar: Rasterizer.planar(shown)) { perceivedWithTrueG.append(errors(from: start)) }
        }
        for (name, rows) in [("from the simulator's state", fromTruth), ("perceived with the true g", perceivedWithTrueG)] {
            let cells = [1, 10, 30].indices.map { k -> String in
                let v = rows.map { $0[k] }.sorted()
                return String(format: "%.3f (%.3f)", v.reduce(0, +) / Double(v.count), v[v.count / 2])
            }
            print("\(name), \(rows.count) clips: 3D error h1 / h10 / h30, mean (median), box units: " + cells.joined(separator: " / "))
        }
    }
}

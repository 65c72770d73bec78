// How well the state model predicts the simulator: from the state perceived in C context
// frames of a simulated clip, roll forward and compare with the simulator's positions.

import World

/// Errors of the state model against the simulator over held-out clips.
public struct DynamicsScore: Codable, Equatable, Sendable {
    /// Clips scored.
    public var clips: Int
    /// Mean position error (pixels) over balls and clips at horizon h = 1 … H (index h − 1).
    public var positionError: [Double]
    /// Mean over clips of |E_H − E_0| / E_0 for the model's roll-out and for the simulator's
    /// states in the model's velocity convention (the yardstick: not exactly 0 at bounces).
    public var energyDrift: Double
    public var simulatorEnergyDrift: Double
    /// Clips in which the perceived ball count differs from the simulator's, or the tracker
    /// finds a different count in the drawn roll-out than was perceived, at any frame.
    public var countChanges: Int
}

extension StateModel {
    /// Scores `seeds` clips of `scenario`: perceive frames 0 ..< context, roll `horizon`
    /// frames forward, compare with the simulator frame by frame (balls matched by colour).
    public func score(scenario: Scenario, seeds: [UInt64], context: Int = 2, horizon: Int = 30) throws -> DynamicsScore {
        var err = [Double](repeating: 0, count: horizon), n = [Double](repeating: 0, count: horizon)
        var drift = 0.0, simDrift = 0.0, changes = 0
        let H = config.height, W = config.width
        for seed in seeds {
            let ep = try scenario.episode(seed: seed, frames: context + horizon)
            let frames = Rasterizer.planar(ep)
            let start = perception.state(planar: Array(frames[0..<(context * 3 * H * W)]), height: H, width: W)
            let roll = rollout(from: start, frames: horizon)
            var changed = start.balls.count != ep.frames[0].balls.count
            for h in 1...horizon {
                let truth = ep.frames[context - 1 + h].balls
                for b in roll[h - 1].balls {
                    guard let t = truth.first(where: { $0.color == b.color }) else { continue }
                    err[h - 1] += (b.position - t.position).length
                    n[h - 1] += 1
                }
            }
            let drawn = perception.detections(planar: render(roll), height: H, width: W)
            if drawn.contains(where: { $0.count != start.balls.count }) { changed = true }
            if changed { changes += 1 }
            let g = ep.scene.gravity
            let e0 = start.energy(gravity: g)
            drift += e0 > 0 ? abs(roll[horizon - 1].energy(gravity: g) - e0) / e0 : 0
            let s0 = WorldState(episode: ep, frame: context - 1).energy(gravity: g)
            let s1 = WorldState(episode: ep, frame: context - 1 + horizon).energy(gravity: g)
            simDrift += s0 > 0 ? abs(s1 - s0) / s0 : 0
        }
        let k = Double(max(seeds.count, 1))
        return DynamicsScore(clips: seeds.count, positionError: zip(err, n).map { $1 > 0 ? $0 / $1 : 0 },
                             energyDrift: drift / k, simulatorEnergyDrift: simDrift / k, countChanges: changes)
    }
}

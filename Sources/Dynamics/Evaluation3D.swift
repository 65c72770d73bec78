// The structured state model in 3D scored against the simulator: 3D position error by horizon
// from the last context frame, in pixel-equivalents — box units scaled as the image scales
// them at the box's mid depth, f / (d + D/2) pixels per box unit (1 in `depth`, whose camera
// is framed so) — so the figure reads beside the flat models' pixel errors.

import Tensor
import World

/// Position errors of a 3D state model's roll-outs on a set of clips.
public struct HorizonErrors3D: Equatable, Sendable {
    /// Per horizon h = 1 … H: the mean over clips of the mean over their balls of
    /// |p_model − p_true|, pixel-equivalents.
    public var mean: [Double]
    /// Per horizon: the median over clips of the same per-clip mean.
    public var median: [Double]
    /// Clips scored, and clips whose context gave no state (`StateModel3D.perceive`: no fall
    /// and no wall bounce to read R from), which are not scored.
    public var clips: Int
    public var unperceived: Int
    /// Balls of scored clips missing from the perceived state (hidden in every context frame).
    public var missingBalls: Int
}

extension StateModel3D {
    /// Pixels per box unit at the box's mid depth: how the position error is reported.
    public var pixelsPerUnit: Double { camera.focalLength / camera.depth(perception.extent.z / 2) }

    /// The position error by horizon of roll-outs of `horizon` frames from the state perceived
    /// in the first `context` frames of the clips of `scenario` for `seeds`, against the
    /// simulator's states (`HorizonErrors3D`). Clips are scored in parallel; the result does
    /// not depend on how.
    public func positionErrors(scenario: DepthScenario, seeds: [UInt64], context: Int, horizon: Int) throws -> HorizonErrors3D {
        precondition(context >= 1 && horizon >= 1, "context and horizon must be ≥ 1")
        let episodes = try seeds.map { try scenario.episode(seed: $0, frames: context + horizon) }
        var perClip = [[Double]?](repeating: nil, count: seeds.count), missing = [Int](repeating: 0, count: seeds.count)
        let scale = pixelsPerUnit
        perClip.withUnsafeMutableBufferPointer { out in
            missing.withUnsafeMutableBufferPointer { lost in
                Parallel.forEach(seeds.count) { k in
                    let ep = episodes[k]
                    var shown = ep
                    shown.frames = Array(ep.frames[0..<context])
                    guard let start = perceive(planar: Rasterizer.planar(shown)) else { return }
                    let states = rollout(from: start, frames: horizon)
                    out[k] = (1...horizon).map { h in
                        let truth = WorldState3D(episode: ep, frame: context - 1 + h).balls
                        let errors = truth.compactMap { b in
                            states[h - 1].balls.first { $0.color == b.color }.map { ($0.position - b.position).length * scale }
                        }
                        return errors.isEmpty ? 0 : errors.reduce(0, +) / Double(errors.count)
                    }
                    let truth = WorldState3D(episode: ep, frame: context - 1).balls
                    lost[k] = truth.filter { b in !start.balls.contains { $0.color == b.color } }.count
                }
            }
        }
        let scored = perClip.compactMap { $0 }
        let mean = (0..<horizon).map { h in scored.isEmpty ? 0 : scored.reduce(0) { $0 + $1[h] } / Double(scored.count) }
        let median = (0..<horizon).map { h -> Double in
            let v = scored.map { $0[h] }.sorted()
            guard !v.isEmpty else { return 0 }
            return v.count % 2 == 1 ? v[v.count / 2] : (v[v.count / 2 - 1] + v[v.count / 2]) / 2
        }
        return HorizonErrors3D(mean: mean, median: median, clips: scored.count, unperceived: seeds.count - scored.count,
                               missingBalls: zip(perClip, missing).filter { $0.0 != nil }.reduce(0) { $0 + $1.1 })
    }
}

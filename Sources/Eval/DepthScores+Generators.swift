// The generators of depth clips the 2.5D scores compare, as columns, and the measurement of
// each over held-out clips.
//
//   simulator           the truth, rendered through the camera: every score's floor
//   copy-last           the last context frame repeated: no motion at all
//   constant velocity   each disc the covered-disc tracker found in the context moved on in the
//                       image by the difference of its last two sightings, its apparent radius
//                       held (no gravity, no bounce, no motion in depth), kept inside the image
//                       and drawn smaller discs first (a larger disc is a nearer ball)
//   a 3D state model    the state perceived in the context (StateModel3D), rolled forward and
//                       drawn through the camera
//   a video model       its windows stitched last-k (or last-frame) from the last context frames its window
//                       takes, as on flat clips

import Diffusion
import Dynamics
import Sample
import Tensor
import World

/// Makes a depth clip: planar [T, 3, H, W] in [-1, 1] for the `episode`'s T frames, whose
/// first `context` frames are the simulator's; nil when it makes none (a state model that
/// perceives no state). A reference generator may read the episode; a model reads only its
/// context frames.
public typealias DepthGenerator = @Sendable (_ episode: Episode3D, _ context: Int) -> [Float]?

/// A named generator: one column of the depth scores.
public struct DepthColumn: Sendable {
    public var name: String
    public var generate: DepthGenerator
    /// Whether clips may be generated side by side; a video model's sampling already spreads
    /// its matrix products over the cores.
    public var parallel: Bool

    public init(name: String, parallel: Bool = true, generate: @escaping DepthGenerator) {
        self.name = name
        self.parallel = parallel
        self.generate = generate
    }

    /// The simulator's own frames.
    public static let simulator = DepthColumn(name: "simulator") { episode, _ in Rasterizer.planar(episode) }

    /// The last context frame repeated.
    public static let copyLast = DepthColumn(name: "copy last frame") { episode, context in
        let all = Rasterizer.planar(episode), per = all.count / episode.count
        let last = all[((context - 1) * per)..<(context * per)]
        return Array(all[0..<(context * per)]) + (context..<episode.count).flatMap { _ in last }
    }

    /// Constant velocity in the image (see the file header).
    public static let constantVelocity = DepthColumn(name: "constant velocity") { episode, context in
        let camera = episode.camera, box = episode.box
        let all = Rasterizer.planar(episode), per = all.count / episode.count
        let given = Array(all[0..<(context * per)])
        let perception = Perception3D(camera: camera, extent: Vec3(box.width, box.height, box.depth))
        let found = perception.detections(planar: given)
        let scene = episode.imageScene
        // Per colour: its last sighting, its velocity from the sighting before, its radius.
        var discs: [(color: Int, at: Int, position: Vec2, velocity: Vec2, radius: Double)] = []
        for k in Set(found.flatMap(\.keys)).sorted() {
            let seen = found.indices.filter { found[$0][k] != nil }
            guard let last = seen.last, let d = found[last][k] else { continue }
            var v = Vec2(0, 0)
            if seen.count >= 2, let q = found[seen[seen.count - 2]][k] {
                v = (d.position - q.position) / Double(last - seen[seen.count - 2])
            }
            discs.append((k, last, d.position, v, d.radius))
        }
        let states = (context..<episode.count).map { t -> FrameState in
            let balls = discs.sorted { $0.radius != $1.radius ? $0.radius < $1.radius : $0.color < $1.color }
                .enumerated().map { id, disc -> Ball in
                    let p = disc.position + Double(t - disc.at) * disc.velocity, r = disc.radius
                    let held = Vec2(min(max(p.x, r), Double(scene.width) - r), min(max(p.y, r), Double(scene.height) - r))
                    return Ball(id: id, position: held, velocity: disc.velocity, radius: r, color: disc.color)
                }
            return scene.frameState(t: t, balls: balls)
        }
        return given + Rasterizer.planar(states, scene: scene)
    }

    /// A 3D state model's roll-out from its perceived state.
    public static func stateModel(_ model: StateModel3D, name: String) -> DepthColumn {
        DepthColumn(name: name) { episode, context in
            let all = Rasterizer.planar(episode), per = all.count / episode.count
            let given = Array(all[0..<(context * per)])
            return model.rollout(contextFrames: given, frames: episode.count - context).map { given + $0 }
        }
    }

    /// A video model's stitched roll-out: its first window takes the last `k` context frames
    /// (at most what its window leaves room for), and each window after it the last `k`
    /// frames made (last-k) or the last one (`stitch` last-frame). The noise of clip `seed` is
    /// `RNG(seed: noiseSeed).split("depth")` split by the scene seed, so a clip's video does
    /// not depend on the clips beside it.
    public static func videoModel(_ sampler: WindowSampler, name: String, k: Int, noiseSeed: UInt64,
                                  stitch: StitchStrategy = .lastK) -> DepthColumn {
        DepthColumn(name: name, parallel: false) { episode, context in
            let all = Rasterizer.planar(episode), per = all.count / episode.count
            let given = Array(all[0..<(context * per)])
            let c = max(1, min(k, context, sampler.model.config.frames - 1))
            let (h, w) = (episode.camera.imageHeight, episode.camera.imageWidth)
            let start = Tensor(shape: [1, c, 3, h, w], values: Array(given[((context - c) * per)...]))
            let video = sampler.rollout(context: start, frames: episode.count - context + c, strategy: stitch, k: c,
                                        noise: ClipNoise([RNG(seed: noiseSeed).split("depth").split(Int(truncatingIfNeeded: episode.seed))]))
            return given + video.values[(c * per)...]
        }
    }
}

extension DepthScores {
    /// Each column's scores on the clips of `scenario` for `seeds` (see the file header of
    /// DepthScores.swift). Clips are scored in parallel and summed in clip order, so the
    /// result does not depend on how.
    public static func measure(_ columns: [DepthColumn], scenario: DepthScenario, seeds: [UInt64],
                               config: DepthScoreConfig) throws -> [DepthScores] {
        let episodes = try seeds.map { try scenario.episode(seed: $0, frames: config.frames) }
        return columns.map { column in
            var perClip = [DepthScores?](repeating: nil, count: episodes.count)
            perClip.withUnsafeMutableBufferPointer { out in
                let one = { (k: Int) in
                    if let frames = column.generate(episodes[k], config.context) {
                        out[k] = score(frames, episode: episodes[k], config: config, name: column.name)
                    }
                }
                if column.parallel { Parallel.forEach(episodes.count, one) } else { (0..<episodes.count).forEach(one) }
            }
            var total = DepthScores(name: column.name, horizon: config.horizon)
            for s in perClip {
                if let s { total = total + s } else { total.noFrames += 1 }
            }
            return total
        }
    }

    /// The scores of `columns` as a text table, one row per generator.
    public static func table(_ scores: [DepthScores]) -> String {
        func at(_ v: HorizonMean, _ hs: [Int]) -> String {
            hs.filter { $0 <= v.count.count }
                .map { v.count[$0 - 1] == 0 ? "—" : String(format: "%.3f", v.mean[$0 - 1]) }.joined(separator: " / ")
        }
        let horizon = scores.first?.sizeError.sum.count ?? 0
        let hs = [1, 10, 30].filter { $0 <= horizon }
        let labels = hs.map { "h\($0)" }.joined(separator: "/")
        let header = ["generator", "pass-through right", "bounce right", "bounces not judged", "size error \(labels) px", "Δr still px",
                      "3D error \(labels) px-eq", "occlusion order", "real", "count right", "real / count right where discs overlap"]
        let rows = scores.map { s -> [String] in
            [s.name, s.passThrough.described, s.bounce.described, "\(s.glancing) glancing", at(s.sizeError, hs),
             s.stillSizeChangeMean.map { String(format: "%.3f", $0) } ?? "—", at(s.positionError3D, hs),
             s.occlusion.described, s.realShare.map { String(format: "%.1f%%", 100 * $0) } ?? "—",
             s.countRightShare.map { String(format: "%.1f%%", 100 * $0) } ?? "—", s.overlapDescribed]
        }
        let widths = header.indices.map { c in ([header[c]] + rows.map { $0[c] }).map(\.count).max()! }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { pad($1, widths[$0], left: $0 > 0) }.joined(separator: "  ")
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }
}

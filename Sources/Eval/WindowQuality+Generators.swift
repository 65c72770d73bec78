// The generators a model is compared with, and the model itself as a generator. Each makes
// the whole clip: one window, or a long video (WindowQualityConfig.long).
//
//   simulator           the truth, rendered: the tracker's floor (count 100%, error ≈ 0.02 px)
//   copy-last           the last context frame repeated: what a model that learned no motion does
//   constant-velocity   each ball moved on from the simulator's last context position by the
//                       difference of its last two context positions (no gravity, no bounces),
//                       held inside the frame (a ball that would cross a wall stops against
//                       it, so that it is drawn whole), drawn by the Rasterizer with the
//                       simulator's radii and colours
//
// Shapes as in WindowQuality.swift: context [B, K, 3, H, W] → window [B, T, 3, H, W].

import Diffusion
import Dynamics
import Sample
import Tensor
import World

extension WindowQuality {
    /// The simulator's own frames: an oracle that every metric must score as perfect.
    public var simulator: WindowGenerator {
        let clips = self.clips, shape = [config.clipFrames, 3, config.size, config.size]
        return { _, range in
            Tensor(shape: [range.count] + shape, values: range.flatMap { Rasterizer.planar(clips[$0]) })
        }
    }

    /// Repeats the last context frame over the rest of the clip.
    public var copyLast: WindowGenerator {
        let (t, s) = (config.clipFrames, config.size)
        return { context, _ in
            let (b, c) = (context.shape[0], context.shape[1])
            let per = 3 * s * s
            let x = context.values
            var out = [Float]()
            out.reserveCapacity(b * t * per)
            for i in 0..<b {
                out += x[(i * c * per)..<((i + 1) * c * per)]
                let last = x[((i * c + c - 1) * per)..<((i * c + c) * per)]
                for _ in c..<t { out += last }
            }
            return Tensor(shape: [b, t, 3, s, s], values: out)
        }
    }

    /// Extrapolates the simulator's last two context positions at constant velocity, stopping
    /// at the walls, and draws the result (with one context frame, velocity 0).
    public var constantVelocity: WindowGenerator {
        let clips = self.clips, (t, s) = (config.clipFrames, config.size)
        return { context, range in
            let c = context.shape[1]
            var out = [Float]()
            for (b, i) in range.enumerated() {
                let ep = clips[i]
                let last = ep.frames[c - 1]
                let prev = c >= 2 ? ep.frames[c - 2] : last
                let per = c * 3 * s * s
                out += context.values[(b * per)..<((b + 1) * per)]
                let states = (c..<t).map { f -> FrameState in
                    let k = Double(f - (c - 1))
                    let balls = zip(last.balls, prev.balls).map { now, before -> Ball in
                        var ball = now
                        ball.velocity = now.position - before.position
                        let p = now.position + k * ball.velocity
                        let r = ball.radius
                        ball.position = Vec2(min(max(p.x, r), Double(s) - r), min(max(p.y, r), Double(s) - r))
                        return ball
                    }
                    return ep.scene.frameState(t: ep.frames[f].t, balls: balls)
                }
                out += Rasterizer.planar(states, scene: ep.scene)
            }
            return Tensor(shape: [range.count, t, 3, s, s], values: out)
        }
    }

    /// A state model's clips: the state perceived in the context, rolled forward to the end of
    /// the clip (one window or the long video; no stitching, no noise) and drawn.
    public func stateModel(_ model: StateModel) -> WindowGenerator {
        let (t, s) = (config.clipFrames, config.size)
        return { context, range in
            let c = context.shape[1], per = c * 3 * s * s
            var out = [Float]()
            for b in 0..<range.count {
                let frames = Array(context.values[(b * per)..<((b + 1) * per)])
                out += frames + model.rollout(contextFrames: frames, frames: t - c)
            }
            return Tensor(shape: [range.count, t, 3, s, s], values: out)
        }
    }

    /// A denoiser's clips: one window, or with `config.long` a video stitched window after
    /// window. Clip i draws its noise from `rng.split(i)`, whatever batch it is in, so the
    /// scores do not depend on the batch size (beyond float round-off in sgemm).
    public func model(_ sampler: WindowSampler, rng: RNG) -> WindowGenerator {
        let config = self.config
        return { context, range in
            var noise = ClipNoise(root: rng, clips: range)
            guard let long = config.long else { return sampler.window(context: context, noise: &noise) }
            return sampler.rollout(context: context, frames: long.frames, strategy: long.stitch, k: long.lastK ?? config.context,
                                   noise: noise)
        }
    }
}

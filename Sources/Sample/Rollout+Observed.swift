// A rollout that also says where its windows start, and that can take some frames from the
// world instead of generating them.
//
// Observed frames stand for events the model cannot predict from pixels — the lights going
// out in the `key` scenario: the frame is given (black), not generated, and the next window
// takes its context from the video as it then stands. A window that would run into an
// observed frame stops just before it. With no observed frames this is `rollout` exactly
// (same windows, same noise streams, same bytes).
//
// Shapes as in Rollout.swift: B clips, T frames per window, frames [3, H, W] in [-1, 1].

import Diffusion
import Tensor

/// A long video and the frames at which its generated windows start.
public struct RolloutPlan {
    /// [B, F, 3, H, W].
    public var video: Tensor
    /// For each generated window, in order, the index of its first generated frame.
    public var windowStarts: [Int]
}

extension WindowSampler {
    /// A video of `frames` frames like `rollout`, where `observe(f)` may supply frame f
    /// ([B, 1, 3, H, W]) instead of the model. Window w draws its noise from `noise.split(w)`.
    public func rollout(
        context: Tensor, frames: Int, strategy: StitchStrategy, k: Int, noise: ClipNoise,
        observe: (Int) -> Tensor?, onWindow: (Int) -> Void = { _ in }
    ) -> RolloutPlan {
        let t = model.config.frames
        let c0 = context.shape[1]
        let ctxLen = stitchedContext(strategy, k: k)
        precondition(ctxLen >= 1 && ctxLen < t, "context \(ctxLen) must be in 1..<\(t)")
        precondition(c0 >= 1 && frames >= c0, "a rollout needs 1 ≤ context frames ≤ frames")
        var video = context
        var starts: [Int] = []
        var own = [Bool](repeating: false, count: c0)  // frame f came from the model
        while video.shape[1] < frames {
            let have = video.shape[1]
            if let given = observe(have) {
                video = Tensor.concatenate([video, given], axis: 1)
                own.append(false)
                continue
            }
            let w = starts.count
            let c = WindowSampler.contextFrames(forWindow: w, given: c0, have: have, window: t, stitched: ctxLen)
            var r = noise.split(w)
            let generated = Array(own[(have - c)..<have])
            var context = video.slice(axis: 1, (have - c)..<have)
            if seamProjection != .none && generated.contains(true) {
                context = seamProjection.apply(context, generated: generated)
            }
            let win = window(context: context, generated: generated, noise: &r)
            var need = min(t - c, frames - have)
            if let next = (have..<(have + need)).first(where: { observe($0) != nil }) { need = next - have }
            video = Tensor.concatenate([video, win.slice(axis: 1, c..<(c + need))], axis: 1)
            own += [Bool](repeating: true, count: need)
            starts.append(have)
            onWindow(starts.count)
        }
        return RolloutPlan(video: video, windowStarts: starts)
    }

    /// The first generated frame of each window of a rollout with no observed frames.
    public static func windowStarts(frames: Int, given c0: Int, window t: Int, context c: Int) -> [Int] {
        var have = c0, starts: [Int] = []
        while have < frames {
            let used = contextFrames(forWindow: starts.count, given: c0, have: have, window: t, stitched: c)
            starts.append(have)
            have += t - used
        }
        return starts
    }

    /// The context frames window `w` (0-based) takes when the video has `have` frames: the
    /// given frames for the first window (at most T − 1), the stitching's `c` after it, and
    /// never more than there are.
    static func contextFrames(forWindow w: Int, given c0: Int, have: Int, window t: Int, stitched c: Int) -> Int {
        min(w == 0 ? min(c0, t - 1) : c, have)
    }
}

// Sampling one window with a denoiser: context frames given, the rest generated.
//
// Shapes: B clips, T frames per window (the model's), K context frames; frames are
// [3, H, W] in [-1, 1]. At every denoising step the context frames of the model's input
// are replaced by the clean context. Staggered models (ModelConfig.frameLag > 0) finish
// their frames one after another, and each finished frame joins the context.
//
// History guidance (Song et al. 2025, "History-Guided Video Diffusion", eq. 6) predicts
// each step twice in one call of the denoiser on a batch of 2B: the first B clips with
// their history (the K given context frames), the other B with it re-noised to level k
// (k = 1: dropped), and steps with v̂ = v̂(x | no history) + ω·(v̂(x | history) − v̂(x | no history)).

import Diffusion
import Tensor

extension Denoiser {
    /// One window: `context` [B, K, 3, H, W] (0 < K < T) → [B, T, 3, H, W], whose first K
    /// frames are the context. `noise` (one stream per clip) supplies the initial noise,
    /// the handoff's and DDPM's.
    /// `generated[f]` says context frame f is the model's own (an earlier window's): it is
    /// handed on at the `handoff` level (SamplingConfig.handoff; 0 is off), like the frames
    /// this window finishes.
    /// With `guidance`, each step predicts with and without the history (see the file's
    /// legend); its noise for the history is one more draw per window, after the handoff's.
    public func sampleWindow(context: Tensor, generated: [Bool] = [], sampler: Sampler, handoff: Float = 0,
                             guidance: HistoryGuidance? = nil, noise: inout ClipNoise,
                             onStep: (Int) -> Void = { _ in }) -> Tensor {
        let m = config
        precondition(sampler.schedule == m.schedule && sampler.ramp == m.ramp,
                     "the sampler's schedule and ramp must be the model's")
        let (b, c) = (context.shape[0], context.shape[1])
        precondition(c >= 0 && c < m.frames, "context of \(c) frames does not fit a \(m.frames)-frame window")
        let shape = [b, m.frames, m.channels, m.size, m.size]
        let perFrame = m.channels * m.size * m.size
        var mask = [Float](repeating: 0, count: b * m.frames)
        for i in 0..<b { for f in 0..<c { mask[i * m.frames + f] = 1 } }
        let ctx = context.values
        func withContext(_ x: Tensor) -> Tensor {
            var y = x
            y.withUnsafeMutableBufferPointer { p in
                for i in 0..<b {
                    for j in 0..<(c * perFrame) { p[i * m.frames * perFrame + j] = ctx[i * c * perFrame + j] }
                }
            }
            return y
        }
        precondition(noise.count == b, "\(noise.count) noise streams for \(b) clips")
        let start = noise.randn(shape)
        // Staggered: a frame whose level has reached 0 is final and joins the context,
        // noised to the handoff level if there is one (one draw of noise per window). Lag 0
        // has no such frames, and hands no context on.
        let staggered = sampler.ramp.lag > 0
        let handoffNoise = staggered && handoff > 0 ? noise.randn(shape).values : []
        let (ha, hs) = handoff > 0 ? m.schedule.alphaSigma(Double(handoff)) : (1, 0)
        let (alpha, sigma) = (Float(ha), Float(hs))
        let guided = guidance.map { $0.weight != 1 } ?? false
        precondition(!guided || staggered, "history guidance needs a staggered model")
        let historyNoise = guided ? noise.randn(shape).values : []
        let (ka, ks) = m.schedule.alphaSigma(Double(guidance?.level ?? 1))
        let out = sampler.run(window: start, context: c, noise: &noise, predict: { x, levels in
            // Lag 0: the generated frames share one level, given per clip as in training.
            if !staggered { return self(withContext(x), mask: mask, t: [Float](repeating: levels[c], count: b)) }
            var frameMask = mask, t = [Float](repeating: 0, count: b * m.frames)
            var input = withContext(x)
            // A frame of the model's own — from the context or finished in this window.
            for i in 0..<b {
                for f in 0..<m.frames {
                    t[i * m.frames + f] = levels[f]
                    let own = f < c ? f < generated.count && generated[f] : levels[f] == 0
                    guard own else { continue }
                    frameMask[i * m.frames + f] = 1
                    guard handoff > 0 else { continue }
                    t[i * m.frames + f] = handoff
                    let base = (i * m.frames + f) * perFrame
                    input.withUnsafeMutableBufferPointer { p in
                        for j in base..<(base + perFrame) { p[j] = alpha * p[j] + sigma * handoffNoise[j] }
                    }
                }
            }
            guard guided, let guidance else { return self(input, mask: frameMask, t: t) }
            // The same clips without their history: the given context re-noised to level k.
            var bare = input, bareT = t
            let (a, s) = (Float(ka), Float(ks))
            bare.withUnsafeMutableBufferPointer { p in
                for i in 0..<b {
                    for f in 0..<c {
                        bareT[i * m.frames + f] = guidance.level
                        let base = (i * m.frames + f) * perFrame, from = (i * c + f) * perFrame
                        for j in 0..<perFrame { p[base + j] = a * ctx[from + j] + s * historyNoise[base + j] }
                    }
                }
            }
            let both = self(Tensor.concatenate([input, bare], axis: 0), mask: frameMask + frameMask, t: t + bareT)
            let n = both.count / 2
            let w = guidance.weight
            return both.withUnsafeBufferPointer { v in
                Tensor(shape: x.shape) { out in
                    for j in 0..<n { out[j] = v[n + j] + w * (v[j] - v[n + j]) }
                }
            }
        }, onStep: onStep)
        return withContext(out)
    }
}

/// History guidance's two settings (SamplingConfig.guidance, SamplingConfig.historyLevel).
public struct HistoryGuidance: Equatable, Sendable {
    /// ω: 1 is the prediction with history alone.
    public var weight: Float
    /// k: the level of the history in the prediction without it (1 drops it).
    public var level: Float

    public init(weight: Float, level: Float = 1) {
        self.weight = weight
        self.level = level
    }
}

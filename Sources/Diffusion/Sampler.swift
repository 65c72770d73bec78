// Samplers: DDIM (η = 0, deterministic given the initial noise) and DDPM (ancestral).
//
// A sampler sees only a prediction closure, (x_t of a window, its per-frame levels) → v̂,
// and walks each frame along a grid of times 1 = t_S > t_{S−1} > … > t_0 = 0.
// Legend (s = t_prev < t):
//   x̂₀ = α_t·x_t − σ_t·v̂, clipped to [−1, 1];  ε̂ = (x_t − α_t·x̂₀)/σ_t
//   DDIM  (Song et al. 2021, eq. 12, η = 0):  x_s = α_s·x̂₀ + σ_s·ε̂
//   DDPM  (Kingma et al. 2021, eq. 27–29, posterior q(x_s | x_t, x̂₀)):
//         α_{t|s} = α_t/α_s,  σ²_{t|s} = σ_t² − α²_{t|s}·σ_s²
//         μ = (α_{t|s}·σ_s²/σ_t²)·x_t + (α_s·σ²_{t|s}/σ_t²)·x̂₀,   var = σ²_{t|s}·σ_s²/σ_t²
//         x_s = μ + √var·z,  z ~ N(0, I)
// The last step (s = 0) returns x̂₀.
// The step is taken frame by frame, each frame from its own level t_k to its own s_k; a frame
// whose level does not change is left as it is. With lag λ = 0 (FrameRamp) every generated
// frame walks the grid together; staggered windows (λ > 0) finish their frames in turn.
// `steps` counts denoiser calls for the whole window: with g generated frames each frame
// moves during steps/(1 + (g − 1)λ) of them (50 steps, g = 6, λ = 0.5: about 14).

import Tensor

/// Which reverse process to run.
public enum SamplerKind: String, Codable, CaseIterable, Sendable {
    case ddim
    case ddpm
}

/// A reverse-diffusion sampler over `steps` uniform time steps.
public struct Sampler: Sendable {
    public var kind: SamplerKind
    public var steps: Int
    public var schedule: CosineSchedule
    /// The order of a window's frames (run(window:)); lag 0 moves them together.
    public var ramp: FrameRamp

    /// `schedule` and `ramp` must be the ones the model was trained with
    /// (ModelConfig.schedule, ModelConfig.ramp).
    public init(_ kind: SamplerKind, steps: Int, schedule: CosineSchedule = CosineSchedule(),
                ramp: FrameRamp = FrameRamp(lag: 0)) {
        precondition(steps >= 1, "a sampler needs at least one step, got \(steps)")
        self.kind = kind
        self.steps = steps
        self.schedule = schedule
        self.ramp = ramp
    }

    /// The levels of a window's `frames` frames at grid point i (0…steps): the first
    /// `context` frames at 0, the others on the ramp at progress i/steps.
    public func levels(_ i: Int, context: Int, frames: Int) -> [Float] {
        [Float](repeating: 0, count: context)
            + ramp.levels(progress: Double(i) / Double(steps), generated: frames - context).map { Float($0) }
    }

    /// One step of a window x [B, T, …] whose frame f moves from level t[f] to s[f]
    /// (T levels each). DDPM draws its noise for the whole window, then uses the moving frames'.
    public func step(window x: Tensor, t: [Float], tPrev s: [Float], v: Tensor, noise: inout ClipNoise) -> Tensor {
        let (b, frames) = (x.shape[0], x.shape[1])
        precondition(t.count == frames && s.count == frames, "a window of \(frames) frames needs \(frames) levels")
        let per = x.count / max(b * frames, 1)
        let z = kind == .ddpm ? noise.randn(x.shape) : nil
        let (xs, vs, zs) = (x.values, v.values, z?.values)
        var out = xs
        for f in 0..<frames where t[f] != s[f] {
            let (at, st) = schedule.alphaSigma(Double(t[f]))
            let (as_, ss) = schedule.alphaSigma(Double(s[f]))
            let (a, sg) = (Float(at), Float(st))
            // DDIM: x_s = α_s·x̂₀ + σ_s·ε̂;  DDPM: x_s = c_x·x_t + c_0·x̂₀ + std·z (see the legend).
            var cx: Float = 0, c0 = Float(as_), ce: Float = 0, std: Float = 0
            if s[f] > 0 {
                switch kind {
                case .ddim:
                    ce = st > 0 ? Float(ss / st) : 0
                case .ddpm:
                    let ats = at / as_
                    let s2ts = max(0, st * st - ats * ats * ss * ss)
                    cx = Float(ats * ss * ss / (st * st))
                    c0 = Float(as_ * s2ts / (st * st))
                    std = Float((s2ts * ss * ss / (st * st)).squareRoot())
                }
            }
            for i in 0..<b {
                let base = (i * frames + f) * per
                for j in base..<(base + per) {
                    let x0 = min(1, max(-1, xs[j] * a - vs[j] * sg))
                    if s[f] <= 0 { out[j] = x0; continue }
                    switch kind {
                    case .ddim: out[j] = x0 * c0 + (xs[j] - x0 * a) * ce
                    case .ddpm: out[j] = xs[j] * cx + x0 * c0 + zs![j] * std
                    }
                }
            }
        }
        return Tensor(shape: x.shape, values: out)
    }

    /// Runs the chain over a window from `start` [B, T, …] (its first `context` frames are
    /// context and stay at level 0). `predict(x_t, levels [T])` returns v̂; `onStep(i)` is
    /// told after each of the `steps` steps.
    public func run(
        window start: Tensor, context: Int, noise: inout ClipNoise,
        predict: (Tensor, [Float]) -> Tensor, onStep: (Int) -> Void = { _ in }
    ) -> Tensor {
        let frames = start.shape[1]
        precondition(context >= 0 && context < frames, "context of \(context) frames does not fit a \(frames)-frame window")
        var x = start
        var t = levels(0, context: context, frames: frames)
        for i in 0..<steps {
            let s = levels(i + 1, context: context, frames: frames)
            x = step(window: x, t: t, tPrev: s, v: predict(x, t), noise: &noise)
            t = s
            onStep(i + 1)
        }
        return x
    }
}

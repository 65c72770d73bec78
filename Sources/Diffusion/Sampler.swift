// Samplers: DDIM (η = 0, deterministic given the initial noise), DDPM (ancestral), and two
// multistep solvers of the probability-flow ODE that DDIM steps along: DPM-Solver++(2M), UniPC.
//
// A sampler sees only a prediction closure, (x_t of a window, its per-frame levels) → v̂,
// and walks each frame along a grid of times 1 = t_S > t_{S−1} > … > t_0 = 0.
// Legend (s = t_prev < t):
//   x̂₀ = α_t·x_t − σ_t·v̂, clipped to [−1, 1];  ε̂ = (x_t − α_t·x̂₀)/σ_t;  λ_t = log(α_t/σ_t)
//   DDIM  (Song et al. 2021, eq. 12, η = 0):  x_s = α_s·x̂₀ + σ_s·ε̂
//   DDPM  (Kingma et al. 2021, eq. 27–29, posterior q(x_s | x_t, x̂₀)):
//         α_{t|s} = α_t/α_s,  σ²_{t|s} = σ_t² − α²_{t|s}·σ_s²
//         μ = (α_{t|s}·σ_s²/σ_t²)·x_t + (α_s·σ²_{t|s}/σ_t²)·x̂₀,   var = σ²_{t|s}·σ_s²/σ_t²
//         x_s = μ + √var·z,  z ~ N(0, I)
//   The multistep solvers keep, per frame, x̂₀' made at the frame's previous level t' (UniPC
//   also x̂₀'' at t'', the one before). With h = λ_s − λ_t and r = (λ_t − λ_t')/h:
//   DPM-Solver++(2M)  (Lu et al. 2022, Algorithm 2, data prediction):
//         D = x̂₀ + (x̂₀ − x̂₀')/(2r)
//         x_s = (σ_s/σ_t)·x_t + α_s·(1 − e^{−h})·D          (DDIM with x̂₀ replaced by D)
//   UniPC  (Zhao et al. 2023, §3, data prediction, B(h) = e^h − 1, order 2):
//         UniP-2, the predictor, is the update of DPM-Solver++(2M), from x_t^c:
//           x̃_s = (σ_s/σ_t)·x_t^c + α_s·(1 − e^{−h})·(x̂₀ + ½·D₁),   D₁ = (x̂₀ − x̂₀')/r
//         UniC, the corrector of the step t' → t, is taken at the start of the next step with
//         that step's x̂₀ = x̂₀(x̃_t, t), so it costs no call. For it h = λ_t − λ_t',
//         r = (λ_t' − λ_t'')/h, D₁ = (x̂₀' − x̂₀'')/r, E = 1 − e^{−h}:
//           x_t^c = (σ_t/σ_t')·x_t'^c + α_t·E·(x̂₀' + ρ₁·D₁ + ρ₂·(x̂₀ − x̂₀'))
//                 = x̃_t + α_t·E·((ρ₁ − ½)·D₁ + ρ₂·(x̂₀ − x̂₀'))        (x̃_t came from x_t'^c)
//           [1 1; −r 1]·[ρ₁ ρ₂]ᵀ = [b₁ b₂]ᵀ,  b₁ = (h − E)/(h·E),  b₂ = (h² − 2h + 2E)/(h²·E)
//           (b_k = k!·hφ_{k+1}(h)/B(h) taken at −h; as h → 0 the ρ become Adams–Moulton's)
//         A frame's first correction has no D₁ and takes ρ₂ = ½. That ½, and UniP-2's, follow
//         the authors' code (wl-zhao/UniPC, uni_pc.py); the paper's b₁ = ½ + h/12 + … would
//         keep the order too. The window holds x̃, where v̂ is evaluated; x^c lives only
//         inside a step.
// A frame's first moving step has no history and is DDIM (DPM-Solver++ of order 1). The last
// step (s = 0) returns x̂₀, for every kind.
// The step is taken frame by frame, each frame from its own level t_k to its own s_k; a frame
// whose level does not change is left as it is, history and all. With lag 0 (FrameRamp)
// every generated frame walks the grid together; staggered windows (lag > 0) finish their
// frames in turn.
// `steps` counts denoiser calls for the whole window: with g generated frames each frame
// moves during steps/(1 + (g − 1)·lag) of them (50 steps, g = 6, lag 0.5: about 14).

import Tensor

/// Which reverse process to run.
public enum SamplerKind: String, Codable, CaseIterable, Sendable {
    /// DDIM with η = 0: deterministic given the initial noise.
    case ddim
    /// Ancestral DDPM: fresh noise at every step.
    case ddpm
    /// DPM-Solver++(2M): deterministic, second order in λ, from each frame's last two calls.
    case dpmpp2m
    /// UniPC (B(h) = e^h − 1): DPM-Solver++(2M) corrected with the next step's call.
    case unipc

    /// Whether a step reads the frame's earlier data predictions (SolverHistory).
    var isMultistep: Bool { self == .dpmpp2m || self == .unipc }
}

/// What a multistep solver remembers of a window between steps: for every clip and frame,
/// x̂₀ at the frame's last two moving steps, and per frame their λ. Each frame has its own,
/// since on a staggered ramp the frames move at different steps. DDIM and DDPM leave it empty.
public struct SolverHistory: Sendable {
    /// x̂₀' [B, T, …] (flat): x̂₀ at each frame's latest point; x̂₀'' at the one before.
    var x0 = [Float](), x0Before = [Float]()
    /// λ of those points, per frame [T].
    var lambda = [Double](), lambdaBefore = [Double]()
    /// Points per frame [T]: 0, 1 or 2.
    var points = [Int]()

    /// An empty history: each frame's next moving step is its first.
    public init() {}

    /// Sizes an empty history for a window of `count` numbers in `frames` frames.
    mutating func begin(count: Int, frames: Int) {
        if points.isEmpty {
            (x0, x0Before) = ([Float](repeating: 0, count: count), [Float](repeating: 0, count: count))
            (lambda, lambdaBefore) = ([Double](repeating: 0, count: frames), [Double](repeating: 0, count: frames))
            points = [Int](repeating: 0, count: frames)
        }
        precondition(x0.count == count && points.count == frames,
                     "a solver history of \(points.count) frames (\(x0.count) numbers) for a window of \(frames) (\(count)); start each chain with an empty one")
    }
}

/// A reverse-diffusion sampler over `steps` uniform time steps.
public struct Sampler: Sendable {
    /// The reverse process.
    public var kind: SamplerKind
    /// Denoiser calls for a whole window, one per step of the grid i/steps, i = 0…steps, for
    /// every kind (UniPC's corrector reuses the next step's call). On a staggered ramp each
    /// frame moves during only part of them (see the legend).
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
    /// (T levels each), given v̂ [B, T, …] at (x, t). DDPM draws its noise for the whole
    /// window, then uses the moving frames'. The multistep kinds read and extend `history`
    /// (one per chain, starting empty); DDIM and DDPM ignore it.
    public func step(window x: Tensor, t: [Float], tPrev s: [Float], v: Tensor, noise: inout ClipNoise,
                     history: inout SolverHistory) -> Tensor {
        precondition(t.count == x.shape[1] && s.count == x.shape[1], "a window of \(x.shape[1]) frames needs \(x.shape[1]) levels")
        switch kind {
        case .ddpm: return ancestral(window: x, t: t, tPrev: s, v: v, noise: &noise)
        case .ddim, .dpmpp2m, .unipc: return deterministic(window: x, t: t, tPrev: s, v: v, history: &history)
        }
    }

    /// A DDPM step (see step(window:…)).
    func ancestral(window x: Tensor, t: [Float], tPrev s: [Float], v: Tensor, noise: inout ClipNoise) -> Tensor {
        let (b, frames) = (x.shape[0], x.shape[1])
        let per = x.count / max(b * frames, 1)
        let (xs, vs, zs) = (x.values, v.values, noise.randn(x.shape).values)
        var out = xs
        for f in 0..<frames where t[f] != s[f] {
            let (at, st) = schedule.alphaSigma(Double(t[f]))
            let (as_, ss) = schedule.alphaSigma(Double(s[f]))
            let (a, sg) = (Float(at), Float(st))
            // x_s = c_x·x_t + c_0·x̂₀ + std·z (see the legend).
            var cx: Float = 0, c0 = Float(as_), std: Float = 0
            if s[f] > 0 {
                let ats = at / as_
                let s2ts = max(0, st * st - ats * ats * ss * ss)
                cx = Float(ats * ss * ss / (st * st))
                c0 = Float(as_ * s2ts / (st * st))
                std = Float((s2ts * ss * ss / (st * st)).squareRoot())
            }
            for i in 0..<b {
                let base = (i * frames + f) * per
                for j in base..<(base + per) {
                    let x0 = min(1, max(-1, xs[j] * a - vs[j] * sg))
                    out[j] = s[f] <= 0 ? x0 : xs[j] * cx + x0 * c0 + zs[j] * std
                }
            }
        }
        return Tensor(shape: x.shape, values: out)
    }

    /// A step of DDIM, DPM-Solver++(2M) or UniPC (see the legend). A frame's update reads
    /// only its own history, which the multistep kinds then extend by this step's x̂₀ and λ_t.
    func deterministic(window x: Tensor, t: [Float], tPrev s: [Float], v: Tensor,
                       history: inout SolverHistory) -> Tensor {
        let (b, frames) = (x.shape[0], x.shape[1])
        let per = x.count / max(b * frames, 1)
        let multistep = kind.isMultistep
        if multistep { history.begin(count: x.count, frames: frames) }
        let (xs, vs) = (x.values, v.values)
        var out = xs
        for f in 0..<frames where t[f] != s[f] {
            let (at, st) = schedule.alphaSigma(Double(t[f]))
            let (as_, ss) = schedule.alphaSigma(Double(s[f]))
            let (a, sg) = (Float(at), Float(st))
            // DDIM: x_s = α_s·x̂₀ + σ_s·ε̂ = c0·x̂₀ + ce·(x_t − α_t·x̂₀).
            let (c0, ce) = (Float(as_), s[f] > 0 && st > 0 ? Float(ss / st) : 0)
            let lambdaT = Libm.log(at / st), points = multistep ? history.points[f] : 0
            // UniC of the step t' → t: x_t^c = x̃_t + kNew·(x̂₀ − x̂₀') + kOld·(x̂₀' − x̂₀'').
            var kNew: Float = 0, kOld: Float = 0
            if kind == .unipc && points >= 1 && s[f] > 0 {
                let h = lambdaT - history.lambda[f]
                let e = 1 - Libm.exp(-h)
                if points == 1 {
                    kNew = Float(at * e * 0.5)
                } else {
                    let r = (history.lambda[f] - history.lambdaBefore[f]) / h
                    let (b1, b2) = Self.unicB(h)
                    let rho1 = (b1 - b2) / (1 + r), rho2 = b1 - rho1
                    kNew = Float(at * e * rho2)
                    kOld = Float(at * e * (rho1 - 0.5) / r)
                }
            }
            // DPM-Solver++(2M) and UniP-2: DDIM with x̂₀ replaced by D = x̂₀ + c·(x̂₀ − x̂₀'), c = 1/(2r).
            var c: Float = 0
            if points >= 1 && s[f] > 0 && ss > 0 {
                let h = Libm.log(as_ / ss) - lambdaT
                c = Float(h / (2 * (lambdaT - history.lambda[f])))
            }
            for i in 0..<b {
                let base = (i * frames + f) * per
                for j in base..<(base + per) {
                    let x0 = min(1, max(-1, xs[j] * a - vs[j] * sg))
                    if s[f] <= 0 {
                        out[j] = x0
                    } else if points == 0 {
                        out[j] = x0 * c0 + (xs[j] - x0 * a) * ce
                    } else {
                        let (x0p, x0pp) = (history.x0[j], history.x0Before[j])
                        let xt = xs[j] + kNew * (x0 - x0p) + kOld * (x0p - x0pp)
                        let d = x0 + c * (x0 - x0p)
                        out[j] = d * c0 + (xt - d * a) * ce
                    }
                    if multistep { (history.x0Before[j], history.x0[j]) = (history.x0[j], x0) }
                }
            }
            if multistep {
                (history.lambdaBefore[f], history.lambda[f]) = (history.lambda[f], lambdaT)
                history.points[f] = min(2, points + 1)
            }
        }
        return Tensor(shape: x.shape, values: out)
    }

    /// UniC's (b₁, b₂) for a step of h > 0 in λ (see the legend). Below h = 0.05 their series,
    /// since the closed forms cancel to about 1e-16/h³ there; the two agree to 1e-11 at 0.05.
    static func unicB(_ h: Double) -> (Double, Double) {
        if !h.isFinite { return (1, 1) }  // a step from α = 0
        if h < 0.05 {
            let h2 = h * h
            return (0.5 + h / 12 - h2 * h / 720, 1.0 / 3 + h / 12 + h2 / 360 - h2 * h / 720 - h2 * h2 / 15120)
        }
        let e = 1 - Libm.exp(-h)
        return ((h - e) / (h * e), (h * h - 2 * h + 2 * e) / (h * h * e))
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
        var history = SolverHistory()
        for i in 0..<steps {
            let s = levels(i + 1, context: context, frames: frames)
            x = step(window: x, t: t, tPrev: s, v: predict(x, t), noise: &noise, history: &history)
            t = s
            onStep(i + 1)
        }
        return x
    }
}

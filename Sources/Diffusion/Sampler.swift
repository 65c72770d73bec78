// Samplers: DDIM (η = 0, deterministic given the initial noise) and DDPM (ancestral).
//
// A sampler sees only a prediction closure (x_t, t) → v̂ and walks a grid of times
// 1 = t_S > t_{S−1} > … > t_0 = 0. Legend (s = t_prev < t):
//   x̂₀ = α_t·x_t − σ_t·v̂, clipped to [−1, 1];  ε̂ = (x_t − α_t·x̂₀)/σ_t
//   DDIM  (Song et al. 2021, eq. 12, η = 0):  x_s = α_s·x̂₀ + σ_s·ε̂
//   DDPM  (Kingma et al. 2021, eq. 27–29, posterior q(x_s | x_t, x̂₀)):
//         α_{t|s} = α_t/α_s,  σ²_{t|s} = σ_t² − α²_{t|s}·σ_s²
//         μ = (α_{t|s}·σ_s²/σ_t²)·x_t + (α_s·σ²_{t|s}/σ_t²)·x̂₀,   var = σ²_{t|s}·σ_s²/σ_t²
//         x_s = μ + √var·z,  z ~ N(0, I)
// The last step (s = 0) returns x̂₀.

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

    public init(_ kind: SamplerKind, steps: Int, schedule: CosineSchedule = CosineSchedule()) {
        precondition(steps >= 1, "a sampler needs at least one step, got \(steps)")
        self.kind = kind
        self.steps = steps
        self.schedule = schedule
    }

    /// The time grid, from 1 down to 0 (steps + 1 points).
    public var times: [Float] { (0...steps).reversed().map { Float($0) / Float(steps) } }

    /// One step from x_t at `t` to `tPrev`, given the prediction v̂. `rng` supplies DDPM's noise.
    public func step(_ x: Tensor, t: Float, tPrev: Float, v: Tensor, rng: inout RNG) -> Tensor {
        let (at, st) = schedule.alphaSigma(Double(t))
        let (aFloat, sFloat) = (Float(at), Float(st))
        let x0 = (x * aFloat - v * sFloat).map { min(1, max(-1, $0)) }
        if tPrev <= 0 { return x0 }
        let (as_, ss) = schedule.alphaSigma(Double(tPrev))
        switch kind {
        case .ddim:
            let eps = st > 0 ? (x - x0 * aFloat) * Float(1 / st) : v
            return x0 * Float(as_) + eps * Float(ss)
        case .ddpm:
            let ats = at / as_
            let s2ts = max(0, st * st - ats * ats * ss * ss)
            let meanX = Float(ats * ss * ss / (st * st)), meanX0 = Float(as_ * s2ts / (st * st))
            let std = Float((s2ts * ss * ss / (st * st)).squareRoot())
            let z = Tensor.randn(x.shape, rng: &rng)
            return x * meanX + x0 * meanX0 + z * std
        }
    }

    /// Runs the whole chain from `noise` (x at t = 1). `predict(x_t, t)` returns v̂;
    /// `onStep(i)` is told after each of the `steps` steps.
    public func run(
        from noise: Tensor, rng: inout RNG,
        predict: (Tensor, Float) -> Tensor, onStep: (Int) -> Void = { _ in }
    ) -> Tensor {
        let grid = times
        var x = noise
        for i in 0..<steps {
            x = step(x, t: grid[i], tPrev: grid[i + 1], v: predict(x, grid[i]), rng: &rng)
            onStep(i + 1)
        }
        return x
    }
}

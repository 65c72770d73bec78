// Noise schedule: the cosine schedule and the staggered per-frame levels. Arithmetic on
// noise levels only (no tensors); the training objective that applies it is Objective.swift.
//
// Legend (continuous time t ∈ [0, 1], t = 0 clean, t = 1 pure noise):
//   ᾱ(t) = f(t)/f(0),  f(t) = cos²(π/2 · (t + s)/(1 + s)),  s = 0.008   (Nichol & Dhariwal 2021, eq. 17)
//   shifted by k ≥ 1:  SNR_k(t) = SNR(t)/k², i.e. ᾱ_k = ᾱ/(ᾱ + k²(1 − ᾱ))  (Hoogeboom et al. 2023, §3.1)
//   α_t = √ᾱ(t),  σ_t = √(1 − ᾱ(t))                                       (variance preserving)
//   x_t = α_t·x₀ + σ_t·ε                                                  (forward process)
//   v   = α_t·ε − σ_t·x₀                                                  (Salimans & Ho 2022, §4)
//   x̂₀ = α_t·x_t − σ_t·v̂,   ε̂ = σ_t·x_t + α_t·v̂

import Tensor  // Libm

/// The cosine schedule, optionally shifted toward noise.
///
/// Why shift: a ball is a few dozen pixels of strong colour on black, so a matched filter
/// still finds it in x_t down to log-SNR ≈ −5, which the plain cosine schedule reaches only
/// at t ≈ 0.95. Below that the model learns to read the ball out of the noisy frame; only
/// above it must it forecast the ball from the context. Dividing the SNR by k² at every t
/// gives the forecasting regime a larger share of training draws and of sampler steps.
public struct CosineSchedule: Equatable, Sendable {
    public var offset: Double = 0.008
    /// k: SNR(t) is divided by k² (log-SNR lowered by 2 ln k); 1 is the plain cosine schedule.
    public var shift: Double = 1

    public init(shift: Double = 1) {
        self.shift = shift
    }

    /// ᾱ(t), clamped to [0, 1].
    public func alphaBar(_ t: Double) -> Double {
        func f(_ u: Double) -> Double {
            let c = Libm.cos((u + offset) / (1 + offset) * Double.pi / 2)
            return c * c
        }
        let plain = min(1, max(0, f(t) / f(0)))
        if shift == 1 { return plain }
        return plain / (plain + shift * shift * (1 - plain))
    }

    /// (α_t, σ_t).
    public func alphaSigma(_ t: Double) -> (alpha: Double, sigma: Double) {
        let ab = alphaBar(t)
        return (ab.squareRoot(), (1 - ab).squareRoot())
    }
}

/// Per-frame noise levels for staggered denoising (rolling / "pyramid" diffusion; Ruhe et
/// al. 2024, Chen et al. 2024 "diffusion forcing"). As the chain's progress p goes from 0
/// to 1, generated frame k (0-based, g generated frames) moves from t = 1 to t = 0 along
///   t_k(p) = clamp(1 + k·λ − p·(1 + (g − 1)·λ), 0, 1),
/// so frame k trails frame k − 1 by λ, each frame spends a share 1/(1 + (g − 1)λ) of the
/// chain moving, and a frame that has reached 0 is final: it becomes context for the
/// frames behind it. λ = 0 is the usual one level for the whole window.
public struct FrameRamp: Equatable, Sendable {
    /// λ, in units of t.
    public var lag: Double

    public init(lag: Double) {
        precondition(lag >= 0, "a frame lag must be ≥ 0, got \(lag)")
        self.lag = lag
    }

    /// t_k(p) for k = 0..<g.
    public func levels(progress p: Double, generated g: Int) -> [Double] {
        let span = 1 + Double(max(g - 1, 0)) * lag
        return (0..<g).map { k in min(1, max(0, 1 + Double(k) * lag - p * span)) }
    }
}

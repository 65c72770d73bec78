// Noise schedule and training objective.
//
// Legend (continuous time t ∈ [0, 1], t = 0 clean, t = 1 pure noise):
//   ᾱ(t) = f(t)/f(0),  f(t) = cos²(π/2 · (t + s)/(1 + s)),  s = 0.008   (Nichol & Dhariwal 2021, eq. 17)
//   shifted by k ≥ 1:  SNR_k(t) = SNR(t)/k², i.e. ᾱ_k = ᾱ/(ᾱ + k²(1 − ᾱ))  (Hoogeboom et al. 2023, §3.1)
//   α_t = √ᾱ(t),  σ_t = √(1 − ᾱ(t))                                       (variance preserving)
//   x_t = α_t·x₀ + σ_t·ε                                                  (forward process)
//   v   = α_t·ε − σ_t·x₀                                                  (Salimans & Ho 2022, §4)
//   x̂₀ = α_t·x_t − σ_t·v̂,   ε̂ = σ_t·x_t + α_t·v̂

import Tensor

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

/// One training example's noising: model input, v target and loss mask.
public struct NoisedBatch {
    /// Model input [B,T,C,H,W]: context frames clean (or at their own small level), the others x_t.
    public var input: Tensor
    /// v target [B,T,C,H,W].
    public var target: Tensor
    /// Loss weight per frame [B, T]: by default 1 on generated frames, 0 on context frames.
    public var lossMask: Tensor
}

extension CosineSchedule {
    /// Noises clean clips `x0` [B,T,C,H,W] at levels `t` ([B], one per clip, or [B·T], one
    /// per frame) with `noise` (same shape as x0), leaving the frames where `mask` [B·T] is 1
    /// clean (they are the context) unless they have a per-frame level above 0 (context
    /// noise, TrainConfig.contextNoise). The loss covers the frames that are not context, or
    /// those where `lossMask` [B·T] is 1 when it is given.
    public func noised(_ x0: Tensor, t: [Float], mask: [Float], noise: Tensor, lossMask: [Float]? = nil) -> NoisedBatch {
        precondition(x0.shape == noise.shape, "noise \(noise.shape) must match clips \(x0.shape)")
        let (b, frames) = (x0.shape[0], x0.shape[1])
        precondition(t.count == b || t.count == b * frames, "t needs B = \(b) or B·T = \(b * frames) levels, got \(t.count)")
        let perFrameLevels = t.count == b * frames && frames > 1
        let per = x0.count / max(b * frames, 1)
        var input = Tensor.zeros(x0.shape), target = Tensor.zeros(x0.shape)
        x0.withUnsafeBufferPointer { px in
            noise.withUnsafeBufferPointer { pe in
                input.withUnsafeMutableBufferPointer { pi in
                    target.withUnsafeMutableBufferPointer { pv in
                        for i in 0..<b {
                            for f in 0..<frames {
                                let level = t[perFrameLevels ? i * frames + f : i]
                                let (a, s) = alphaSigma(Double(level))
                                let (af, sf) = (Float(a), Float(s))
                                let base = (i * frames + f) * per
                                // A context frame stays clean unless it has a level of its own.
                                let context = mask[i * frames + f] != 0 && !(perFrameLevels && level > 0)
                                for j in base..<(base + per) {
                                    pi[j] = context ? px[j] : af * px[j] + sf * pe[j]
                                    pv[j] = af * pe[j] - sf * px[j]
                                }
                            }
                        }
                    }
                }
            }
        }
        let weights = Tensor(shape: [b, frames], values: lossMask ?? mask.map { 1 - $0 })
        return NoisedBatch(input: input, target: target, lossMask: weights)
    }
}

extension Denoiser {
    /// The v-prediction loss: masked MSE between v̂ and v on the non-context frames.
    public func loss(_ batch: NoisedBatch, mask: [Float], t: [Float]) -> Tensor {
        Tensor.maskedMSE(self(batch.input, mask: mask, t: t), batch.target, mask: batch.lossMask)
    }
}

// Noise schedule and training objective.
//
// Legend (continuous time t ∈ [0, 1], t = 0 clean, t = 1 pure noise):
//   ᾱ(t) = f(t)/f(0),  f(t) = cos²(π/2 · (t + s)/(1 + s)),  s = 0.008   (Nichol & Dhariwal 2021, eq. 17)
//   α_t = √ᾱ(t),  σ_t = √(1 − ᾱ(t))                                       (variance preserving)
//   x_t = α_t·x₀ + σ_t·ε                                                  (forward process)
//   v   = α_t·ε − σ_t·x₀                                                  (Salimans & Ho 2022, §4)
//   x̂₀ = α_t·x_t − σ_t·v̂,   ε̂ = σ_t·x_t + α_t·v̂

import Tensor

/// The cosine schedule.
public struct CosineSchedule: Sendable {
    public var offset: Double = 0.008

    public init() {}

    /// ᾱ(t), clamped to [0, 1].
    public func alphaBar(_ t: Double) -> Double {
        func f(_ u: Double) -> Double {
            let c = Libm.cos((u + offset) / (1 + offset) * Double.pi / 2)
            return c * c
        }
        return min(1, max(0, f(t) / f(0)))
    }

    /// (α_t, σ_t).
    public func alphaSigma(_ t: Double) -> (alpha: Double, sigma: Double) {
        let ab = alphaBar(t)
        return (ab.squareRoot(), (1 - ab).squareRoot())
    }
}

/// One training example's noising: model input, v target and loss mask.
public struct NoisedBatch {
    /// Model input [B,T,C,H,W]: context frames clean, the others x_t.
    public var input: Tensor
    /// v target [B,T,C,H,W].
    public var target: Tensor
    /// Loss weight per frame [B, T]: 1 on generated frames, 0 on context frames.
    public var lossMask: Tensor
}

extension CosineSchedule {
    /// Noises clean clips `x0` [B,T,C,H,W] at levels `t` [B] with `noise` (same shape),
    /// leaving the frames where `mask` [B·T] is 1 clean (they are the context).
    public func noised(_ x0: Tensor, t: [Float], mask: [Float], noise: Tensor) -> NoisedBatch {
        precondition(x0.shape == noise.shape, "noise \(noise.shape) must match clips \(x0.shape)")
        let (b, frames) = (x0.shape[0], x0.shape[1])
        let per = x0.count / max(b * frames, 1)
        var input = Tensor.zeros(x0.shape), target = Tensor.zeros(x0.shape)
        x0.withUnsafeBufferPointer { px in
            noise.withUnsafeBufferPointer { pe in
                input.withUnsafeMutableBufferPointer { pi in
                    target.withUnsafeMutableBufferPointer { pv in
                        for i in 0..<b {
                            let (a, s) = alphaSigma(Double(t[i]))
                            let (af, sf) = (Float(a), Float(s))
                            for f in 0..<frames {
                                let base = (i * frames + f) * per
                                let context = mask[i * frames + f] != 0
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
        let lossMask = Tensor(shape: [b, frames], values: mask.map { 1 - $0 })
        return NoisedBatch(input: input, target: target, lossMask: lossMask)
    }
}

extension Denoiser {
    /// The v-prediction loss: masked MSE between v̂ and v on the non-context frames.
    public func loss(_ batch: NoisedBatch, mask: [Float], t: [Float]) -> Tensor {
        Tensor.maskedMSE(self(batch.input, mask: mask, t: t), batch.target, mask: batch.lossMask)
    }
}

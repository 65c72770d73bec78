// The training objective: noising clean clips and the v-prediction loss (the schedule's
// legend is in Schedule.swift).

import Tensor

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

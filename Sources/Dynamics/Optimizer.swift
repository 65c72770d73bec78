// AdamW, gradient clipping and the learning-rate schedule of the dynamics trainer (the same
// rules as Train's, kept here because Dynamics sits below Train).

import Tensor

/// Learning rate at `step` (0-based): linear warm-up, then cosine decay to minLRFraction·peak.
func dynamicsLearningRate(step: Int, _ c: DynamicsConfig) -> Double {
    if step < c.warmupSteps { return c.learningRate * Double(step + 1) / Double(c.warmupSteps) }
    let span = max(1, c.steps - c.warmupSteps)
    let progress = min(1, Double(step - c.warmupSteps) / Double(span))
    return c.learningRate * (c.minLRFraction + (1 - c.minLRFraction) * 0.5 * (1 + Libm.cos(Double.pi * progress)))
}

/// AdamW (Loshchilov & Hutter 2019) moments, in the network's parameter order.
struct DynamicsAdamW {
    var m: [Tensor]
    var v: [Tensor]

    init(like params: [Tensor]) {
        m = params.map { Tensor.zeros($0.shape) }
        v = m
    }

    /// Scales `grads` down to global L2 norm `clip` when larger; returns the norm before.
    static func clip(_ grads: inout [Tensor], to clip: Double) -> Double {
        var total = 0.0
        for g in grads {
            g.withUnsafeBufferPointer { p in for x in p { total += Double(x) * Double(x) } }
        }
        let norm = total.squareRoot()
        if norm > clip {
            let s = Float(clip / norm)
            grads = grads.map { $0 * s }
        }
        return norm
    }

    /// One update of `params`; `step` is 1-based (bias correction), decay per parameter.
    mutating func update(_ params: inout [Tensor], grads: [Tensor], lr: Double, step: Int, decay: [Bool],
                         _ c: DynamicsConfig) {
        let b1 = Float(c.beta1), b2 = Float(c.beta2), eps = Float(c.epsilon)
        let bc1 = Float(1 - Libm.pow(c.beta1, Double(step))), bc2 = Float(1 - Libm.pow(c.beta2, Double(step)))
        let lrF = Float(lr), wd = Float(lr * c.weightDecay)
        for i in params.indices {
            let shrink: Float = decay[i] ? 1 - wd : 1
            grads[i].withUnsafeBufferPointer { g in
                m[i].withUnsafeMutableBufferPointer { m in
                    v[i].withUnsafeMutableBufferPointer { v in
                        params[i].withUnsafeMutableBufferPointer { p in
                            for j in 0..<p.count {
                                m[j] = b1 * m[j] + (1 - b1) * g[j]
                                v[j] = b2 * v[j] + (1 - b2) * g[j] * g[j]
                                p[j] = p[j] * shrink - lrF * (m[j] / bc1) / ((v[j] / bc2).squareRoot() + eps)
                            }
                        }
                    }
                }
            }
        }
    }
}

// AdamW, the EMA of the weights, gradient clipping and the learning-rate schedule.

import Tensor

/// Learning rate at `step` (0-based): linear warm-up to the peak, then cosine decay to
/// `minLRFraction`·peak at the last step.
public func learningRate(step: Int, _ c: TrainConfig) -> Double {
    if step < c.warmupSteps { return c.learningRate * Double(step + 1) / Double(c.warmupSteps) }
    let span = max(1, c.steps - c.warmupSteps)
    let progress = min(1, Double(step - c.warmupSteps) / Double(span))
    let cosine = 0.5 * (1 + Libm.cos(Double.pi * progress))
    return c.learningRate * (c.minLRFraction + (1 - c.minLRFraction) * cosine)
}

/// EMA decay at `step`: min(decay, (1 + s)/(10 + s)), so early averages are not
/// dominated by the random initialization.
public func emaDecay(step: Int, _ c: TrainConfig) -> Double {
    min(c.emaDecay, Double(1 + step) / Double(10 + step))
}

/// The global L2 norm of `grads`, summed in a fixed order in Double.
public func globalNorm(_ grads: [Tensor]) -> Double {
    var total = 0.0
    for g in grads {
        g.withUnsafeBufferPointer { p in
            var s: Float = 0
            for x in p { s += x * x }
            total += Double(s)
        }
    }
    return total.squareRoot()
}

/// AdamW state: first and second moments per parameter, in the model's parameter order.
public struct AdamW {
    public var m: [Tensor]
    public var v: [Tensor]

    public init(like params: [Tensor]) {
        m = params.map { Tensor.zeros($0.shape) }
        v = m
    }

    /// One update of `params` in place with `grads` already clipped. `step` is the
    /// 1-based count used for bias correction. `decay[i]` says whether weight decay
    /// applies to parameter i.
    public mutating func update(
        _ params: inout [Tensor], grads: [Tensor], lr: Double, step: Int, decay: [Bool], _ c: TrainConfig
    ) {
        let b1 = Float(c.beta1), b2 = Float(c.beta2), eps = Float(c.epsilon)
        let bc1 = Float(1 - Libm.pow(c.beta1, Double(step))), bc2 = Float(1 - Libm.pow(c.beta2, Double(step)))
        let lrF = Float(lr), wd = Float(lr * c.weightDecay)
        for i in params.indices {
            let n = params[i].count
            let shrink: Float = decay[i] ? 1 - wd : 1
            grads[i].withUnsafeBufferPointer { g in
                m[i].withUnsafeMutableBufferPointer { m in
                    v[i].withUnsafeMutableBufferPointer { v in
                        params[i].withUnsafeMutableBufferPointer { p in
                            let (g, m, v, p) = (g.baseAddress!, m.baseAddress!, v.baseAddress!, p.baseAddress!)
                            Parallel.forChunks(n) { r in
                                for j in r {
                                    m[j] = b1 * m[j] + (1 - b1) * g[j]
                                    v[j] = b2 * v[j] + (1 - b2) * g[j] * g[j]
                                    let update = (m[j] / bc1) / ((v[j] / bc2).squareRoot() + eps)
                                    p[j] = p[j] * shrink - lrF * update
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// ema ← decay·ema + (1 − decay)·params, elementwise.
public func updateEMA(_ ema: inout [Tensor], _ params: [Tensor], decay: Double) {
    let d = Float(decay)
    for i in ema.indices {
        let n = ema[i].count
        params[i].withUnsafeBufferPointer { p in
            ema[i].withUnsafeMutableBufferPointer { e in
                let (p, e) = (p.baseAddress!, e.baseAddress!)
                Parallel.forChunks(n) { r in for j in r { e[j] = d * e[j] + (1 - d) * p[j] } }
            }
        }
    }
}

// The optimizer shared by every trainer: AdamW (Loshchilov & Hutter 2019), the EMA of the
// weights, global-norm gradient clipping and the warm-up + cosine learning-rate schedule.

/// Linear warm-up over `warmup` steps to `peak`, then cosine decay to `floor`·peak at `steps`.
public func learningRate(step: Int, peak: Double, warmup: Int, steps: Int, floor: Double) -> Double {
    if step < warmup { return peak * Double(step + 1) / Double(warmup) }
    let span = max(1, steps - warmup)
    let progress = min(1, Double(step - warmup) / Double(span))
    let cosine = 0.5 * (1 + Libm.cos(Double.pi * progress))
    return peak * (floor + (1 - floor) * cosine)
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

/// `grads` scaled down to global L2 norm `clip` when their norm `norm` (globalNorm) is larger.
public func clipped(_ grads: [Tensor], norm: Double, to clip: Double) -> [Tensor] {
    guard norm > clip else { return grads }
    let scale = Float(clip / norm)
    return grads.map { $0 * scale }
}

/// AdamW's constants.
public struct AdamSettings: Equatable, Sendable {
    public var beta1 = 0.9
    public var beta2 = 0.99
    public var epsilon = 1e-8
    public var weightDecay = 0.0

    public init(beta1: Double = 0.9, beta2: Double = 0.99, epsilon: Double = 1e-8, weightDecay: Double = 0) {
        (self.beta1, self.beta2, self.epsilon, self.weightDecay) = (beta1, beta2, epsilon, weightDecay)
    }
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
        _ params: inout [Tensor], grads: [Tensor], lr: Double, step: Int, decay: [Bool], _ c: AdamSettings
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

// Fused neural-network ops with hand-written backward passes: softmax over the last
// axis, layer norm without affine, and masked mean-squared error. Each has a
// finite-difference test and a test against the same op composed from primitives.

extension Tensor {
    // MARK: - Softmax

    /// Softmax over the last axis.
    public func softmax() -> Tensor {
        let d = shape.last ?? 1, rows = count / max(d, 1)
        let px = ptr
        let y = withExtendedLifetime(self) {
            Tensor(shape: shape) { out in
                let po = out.baseAddress!
                Parallel.forChunks(rows, grain: max(1, Parallel.minParallelElements / max(d, 1))) { r in
                    for row in r { Tensor.softmaxRow(px + row * d, po + row * d, d) }
                }
            }
        }
        let yd = y.detached
        return Tape.record(y, [self]) { g, _ in
            // dx = y ∘ (g − Σ g∘y)
            let pg = g.ptr, py = yd.ptr
            let gx = withExtendedLifetime((g, yd)) {
                Tensor(shape: yd.shape) { out in
                    let po = out.baseAddress!
                    Parallel.forChunks(rows, grain: max(1, Parallel.minParallelElements / max(d, 1))) { r in
                        for row in r {
                            let o = row * d
                            var dot: Float = 0
                            for j in 0..<d { dot += pg[o + j] * py[o + j] }
                            for j in 0..<d { po[o + j] = py[o + j] * (pg[o + j] - dot) }
                        }
                    }
                }
            }
            return [gx]
        }
    }

    /// Numerically stable softmax of one row of `n` floats.
    @inline(__always)
    static func softmaxRow(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        var m = -Float.infinity
        for j in 0..<n { m = max(m, x[j]) }
        var s: Float = 0
        for j in 0..<n {
            let e = fexp(x[j] - m)
            y[j] = e
            s += e
        }
        let inv = 1 / s
        for j in 0..<n { y[j] *= inv }
    }

    // MARK: - Layer norm

    /// Layer norm over the last axis, no affine: (x − mean) / √(var + eps).
    /// Forward keeps mean and rstd (1/√(var + eps)) per row for backward.
    public func layerNorm(eps: Float = 1e-6) -> Tensor {
        let d = shape.last ?? 1, rows = count / max(d, 1)
        let px = ptr
        var mean = [Float](repeating: 0, count: rows), rstd = mean
        let y = withExtendedLifetime(self) {
            mean.withUnsafeMutableBufferPointer { pm in
                rstd.withUnsafeMutableBufferPointer { pr in
                    let pm = pm.baseAddress!, pr = pr.baseAddress!
                    return Tensor(shape: shape) { out in
                        let po = out.baseAddress!
                        Parallel.forChunks(rows, grain: max(1, Parallel.minParallelElements / max(d, 1))) { r in
                            for row in r {
                                let x = px + row * d, o = po + row * d
                                let mu = Tensor.rowSum(x, d) / Float(d)
                                var v: Float = 0
                                for j in 0..<d { let c = x[j] - mu; v += c * c }
                                let rs = 1 / (v / Float(d) + eps).squareRoot()
                                for j in 0..<d { o[j] = (x[j] - mu) * rs }
                                pm[row] = mu
                                pr[row] = rs
                            }
                        }
                    }
                }
            }
        }
        let x = detached
        return Tape.record(y, [self]) { g, _ in
            // x̂ = (x − mean)·rstd;  dx = rstd·(g − mean(g) − x̂·mean(g∘x̂))
            let pg = g.ptr, px = x.ptr
            let gx = withExtendedLifetime((g, x)) {
                Tensor(shape: x.shape) { out in
                    let po = out.baseAddress!
                    Parallel.forChunks(rows, grain: max(1, Parallel.minParallelElements / max(d, 1))) { r in
                        for row in r {
                            let o = row * d, mu = mean[row], rs = rstd[row]
                            var sg: Float = 0, sgx: Float = 0
                            for j in 0..<d {
                                sg += pg[o + j]
                                sgx += pg[o + j] * (px[o + j] - mu) * rs
                            }
                            sg /= Float(d)
                            sgx /= Float(d)
                            for j in 0..<d { po[o + j] = rs * (pg[o + j] - sg - (px[o + j] - mu) * rs * sgx) }
                        }
                    }
                }
            }
            return [gx]
        }
    }

    // MARK: - Masked mean-squared error

    /// Σ mask·(pred − target)² / (Σ mask · inner), a scalar. `mask` has the shape of a
    /// prefix of `pred`'s axes (e.g. [B, T] for pred [B, T, C, H, W]); each mask entry
    /// weights the block of `inner` elements below it.
    public static func maskedMSE(_ pred: Tensor, _ target: Tensor, mask: Tensor) -> Tensor {
        precondition(pred.shape == target.shape, "maskedMSE: pred \(pred.shape) and target \(target.shape) differ")
        precondition(pred.shape.starts(with: mask.shape),
                     "maskedMSE: mask \(mask.shape) is not a prefix of pred \(pred.shape)")
        let blocks = mask.count, inner = pred.count / max(blocks, 1)
        let pp = pred.ptr, pt = target.ptr, pm = mask.ptr
        var weight: Float = 0
        for i in 0..<blocks { weight += pm[i] }
        let denom = max(weight, 1e-12) * Float(inner)
        var partial = [Float](repeating: 0, count: blocks)
        withExtendedLifetime((pred, target, mask)) {
            partial.withUnsafeMutableBufferPointer { part in
                let part = part.baseAddress!
                Parallel.forChunks(blocks, grain: max(1, Parallel.minParallelElements / max(inner, 1))) { r in
                    for b in r where pm[b] != 0 {
                        var s: Float = 0
                        for j in 0..<inner { let e = pp[b * inner + j] - pt[b * inner + j]; s += e * e }
                        part[b] = pm[b] * s
                    }
                }
            }
        }
        let loss = Tensor(partial.reduce(0, +) / denom)
        let (p, t, m) = (pred.detached, target.detached, mask.detached)
        return Tape.record(loss, [pred, target, mask]) { g, needs in
            // d/dpred = 2·mask·(pred − target)/denom; d/dtarget is its negative.
            let scale = 2 * g.item / denom
            let dp = withExtendedLifetime((p, t, m)) {
                Tensor(shape: p.shape) { out in
                    let po = out.baseAddress!, pp = p.ptr, pt = t.ptr, pm = m.ptr
                    Parallel.forChunks(blocks, grain: max(1, Parallel.minParallelElements / max(inner, 1))) { r in
                        for b in r {
                            let w = scale * pm[b]
                            for j in 0..<inner { po[b * inner + j] = w * (pp[b * inner + j] - pt[b * inner + j]) }
                        }
                    }
                }
            }
            precondition(!needs[2], "maskedMSE is not differentiable with respect to the mask")
            return [needs[0] ? dp : nil, needs[1] ? -dp : nil, nil]
        }
    }
}

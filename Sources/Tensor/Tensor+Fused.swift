// Fused ops of the transformer block, each with a hand-written backward, a
// finite-difference test and a test against the composition it replaces:
//   linear            x·W + b                      (bias as sgemm's C, not a second pass)
//   modulatedNorm     LN(x)·(1 + scale) + shift     (adaLN)
//   gatedResidual     x + gate·y                    (adaLN-Zero's gated residual)
// Shapes: x [B, M, D] flattened from any [B, ..., D]; per-clip vectors [B, D].

extension Tensor {
    // MARK: - Linear

    /// x [..., K]·weight [K, N] + bias [N] → [..., N], as one sgemm with C preloaded with the bias.
    public static func linear(_ x: Tensor, _ weight: Tensor, _ bias: Tensor) -> Tensor {
        let k = x.shape.last ?? 0, n = weight.shape.last ?? 0
        precondition(weight.rank == 2 && weight.shape[0] == k && bias.shape == [n],
                     "linear: x \(x.shape), weight \(weight.shape), bias \(bias.shape) do not fit")
        let m = x.count / max(k, 1)
        let y = withExtendedLifetime((x, weight, bias)) {
            Tensor(shape: Array(x.shape.dropLast()) + [n]) { out in
                let po = out.baseAddress!, pb = bias.ptr
                Parallel.forChunks(m, grain: max(1, Parallel.minParallelElements / max(n, 1))) { rows in
                    for r in rows { (po + r * n).update(from: pb, count: n) }
                }
                gemm(false, false, m, n, k, x.ptr, weight.ptr, po, lda: k, ldb: n, ldc: n, beta: 1)
            }
        }
        let (dx, dw) = (x.detached, weight.detached)
        return Tape.record(y, [x, weight, bias]) { g, needs in
            let g2 = Tensor(shape: [m, n], storage: g.storage)
            let x2 = Tensor(shape: [m, k], storage: dx.storage)
            return [needs[0] ? Tensor(shape: dx.shape, storage: matmulKernel(g2, dw, false, true).storage) : nil,
                    needs[1] ? matmulKernel(x2, g2, true, false) : nil,
                    needs[2] ? g2.columnSums() : nil]
        }
    }

    /// Σ over rows of a [M, N] matrix → [N]; each column summed by one task in row order.
    func columnSums() -> Tensor {
        let (m, n) = (shape[0], shape[1])
        let p = ptr
        return withExtendedLifetime(self) {
            Tensor(shape: [n]) { out in
                let po = out.baseAddress!
                let blocks = (n + 63) / 64
                Parallel.forEach(blocks, minItems: m * n >= Parallel.minParallelElements ? 2 : Int.max) { blk in
                    let lo = blk * 64, hi = min(n, lo + 64)
                    for j in lo..<hi { po[j] = 0 }
                    for r in 0..<m {
                        let row = p + r * n
                        for j in lo..<hi { po[j] += row[j] }
                    }
                }
            }
        }
    }

    // MARK: - Modulated layer norm

    /// LN(x)·(1 + scale) + shift over the last axis, LN without affine (eps 1e-6).
    /// x [B, ..., D]; shift and scale hold B·D values ([B, D] or [B, 1, …, 1, D]).
    public static func modulatedNorm(_ x: Tensor, shift: Tensor, scale: Tensor) -> Tensor {
        let d = x.shape.last ?? 1, b = x.shape[0], rows = x.count / max(d, 1), per = rows / max(b, 1)
        precondition(shift.count == b * d && scale.count == b * d,
                     "modulatedNorm: x \(x.shape) needs shift/scale of B·D = \(b * d) values, got \(shift.shape), \(scale.shape)")
        let eps: Float = 1e-6
        var mean = [Float](repeating: 0, count: rows), rstd = mean
        let y = withExtendedLifetime((x, shift, scale)) {
            mean.withUnsafeMutableBufferPointer { pm in
                rstd.withUnsafeMutableBufferPointer { pr in
                    let (pm, pr, px, psh, psc) = (pm.baseAddress!, pr.baseAddress!, x.ptr, shift.ptr, scale.ptr)
                    return Tensor(shape: x.shape) { out in
                        let po = out.baseAddress!
                        Parallel.forChunks(rows, grain: max(1, Parallel.minParallelElements / max(d, 1))) { r in
                            for row in r {
                                let xr = px + row * d, o = po + row * d, bi = row / per
                                let mu = rowSum(xr, d) / Float(d)
                                var v: Float = 0
                                for j in 0..<d { let c = xr[j] - mu; v += c * c }
                                let rs = 1 / (v / Float(d) + eps).squareRoot()
                                let sh = psh + bi * d, sc = psc + bi * d
                                for j in 0..<d { o[j] = (xr[j] - mu) * rs * (1 + sc[j]) + sh[j] }
                                pm[row] = mu
                                pr[row] = rs
                            }
                        }
                    }
                }
            }
        }
        let (xd, scd) = (x.detached, scale.detached)
        let (shShape, scShape) = (shift.shape, scale.shape)
        return Tape.record(y, [x, shift, scale]) { g, needs in
            // x̂ = (x − μ)·rstd;  dshift = Σ_m g;  dscale = Σ_m g·x̂;  dx̂ = g·(1 + scale);
            // dx = rstd·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂))
            let gx = Tensor(shape: xd.shape) { _ in }
            let gsh = Tensor(shape: shShape) { _ in }, gsc = Tensor(shape: scShape) { _ in }
            withExtendedLifetime((g, xd, scd, gx, gsh, gsc)) {
                let (pg, px, psc, pgx, pgsh, pgsc) = (g.ptr, xd.ptr, scd.ptr, gx.ptr, gsh.ptr, gsc.ptr)
                Parallel.forChunks(rows, grain: max(1, Parallel.minParallelElements / max(d, 1))) { r in
                    for row in r {
                        let o = row * d, mu = mean[row], rs = rstd[row], sc = psc + (row / per) * d
                        var s1: Float = 0, s2: Float = 0
                        for j in 0..<d {
                            let dxh = pg[o + j] * (1 + sc[j])
                            s1 += dxh
                            s2 += dxh * (px[o + j] - mu) * rs
                        }
                        s1 /= Float(d)
                        s2 /= Float(d)
                        for j in 0..<d {
                            let xh = (px[o + j] - mu) * rs
                            pgx[o + j] = rs * (pg[o + j] * (1 + sc[j]) - s1 - xh * s2)
                        }
                    }
                }
                // Per-clip reductions over its rows, in row order, one task per clip.
                Parallel.forEach(b) { bi in
                    let sh = pgsh + bi * d, sc = pgsc + bi * d
                    for j in 0..<d { sh[j] = 0; sc[j] = 0 }
                    for row in (bi * per)..<((bi + 1) * per) {
                        let o = row * d, mu = mean[row], rs = rstd[row]
                        for j in 0..<d {
                            sh[j] += pg[o + j]
                            sc[j] += pg[o + j] * (px[o + j] - mu) * rs
                        }
                    }
                }
            }
            return [needs[0] ? gx : nil, needs[1] ? gsh : nil, needs[2] ? gsc : nil]
        }
    }

    // MARK: - Gated residual

    /// x + gate·y with x, y [B, ..., D] and gate holding B·D values.
    public static func gatedResidual(_ x: Tensor, gate: Tensor, _ y: Tensor) -> Tensor {
        precondition(x.shape == y.shape, "gatedResidual: x \(x.shape) and y \(y.shape) differ")
        let d = x.shape.last ?? 1, b = x.shape[0], rows = x.count / max(d, 1), per = rows / max(b, 1)
        precondition(gate.count == b * d, "gatedResidual: gate \(gate.shape) needs B·D = \(b * d) values")
        let out = withExtendedLifetime((x, gate, y)) {
            Tensor(shape: x.shape) { o in
                let (po, px, py, pgt) = (o.baseAddress!, x.ptr, y.ptr, gate.ptr)
                Parallel.forChunks(rows, grain: max(1, Parallel.minParallelElements / max(d, 1))) { r in
                    for row in r {
                        let gt = pgt + (row / per) * d, o = row * d
                        for j in 0..<d { po[o + j] = px[o + j] + gt[j] * py[o + j] }
                    }
                }
            }
        }
        let (gd, yd) = (gate.detached, y.detached)
        return Tape.record(out, [x, gate, y]) { g, needs in
            var gy: Tensor?, ggate: Tensor?
            withExtendedLifetime((g, gd, yd)) {
                let (pg, pgt, py) = (g.ptr, gd.ptr, yd.ptr)
                if needs[2] {
                    gy = Tensor(shape: yd.shape) { o in
                        let po = o.baseAddress!
                        Parallel.forChunks(rows, grain: max(1, Parallel.minParallelElements / max(d, 1))) { r in
                            for row in r {
                                let gt = pgt + (row / per) * d, o = row * d
                                for j in 0..<d { po[o + j] = pg[o + j] * gt[j] }
                            }
                        }
                    }
                }
                if needs[1] {
                    ggate = Tensor(shape: gd.shape) { o in
                        let po = o.baseAddress!
                        Parallel.forEach(b) { bi in
                            let s = po + bi * d
                            for j in 0..<d { s[j] = 0 }
                            for row in (bi * per)..<((bi + 1) * per) {
                                for j in 0..<d { s[j] += pg[row * d + j] * py[row * d + j] }
                            }
                        }
                    }
                }
            }
            return [needs[0] ? g : nil, ggate, gy]
        }
    }
}

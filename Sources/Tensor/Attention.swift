// Fused scaled-dot-product attention for many short sequences.
//
// Shapes (G groups = batch × heads, L sequence length, d head dim):
//   q, k, v  [G, L, d]     (any leading axes; they are flattened into G)
//   Pᵀ       [G, L, ldS]   softmax(q·kᵀ·scale) transposed: row j = key, column i = query;
//                          ldS = L rounded up to a multiple of 8. Kept for backward.
//   out      [G, L, d]     P·v
// Scores are kept transposed, sᵀ = k·qᵀ, so that a block of 8 queries is one SIMD vector
// and softmax (over keys, down a column) needs no horizontal reductions.
// Each group is one task; inside it every product is a register-blocked SIMD kernel
// (Attention+Kernels.swift) over data that stays in L1/L2. Groups are split over cores
// in fixed chunks and no reduction crosses groups, so results do not depend on threading.
// Attention+Reference.swift holds the same math as plain loops, for the tests.
//
// Backward (dO given):  dV = Pᵀ·dO;  dP = dO·vᵀ;  dS = P∘(dP − rowsum(dP∘P))·scale;
//                       dQ = dS·k;  dK = dSᵀ·q.
//
// Keeping P costs L·L floats of memory traffic per group; recomputing it from kept row
// statistics instead (one more L×L×d product and L·L more exps in backward) measured
// 8–10% slower on the shared 2-core machine, where cycles are scarcer than bandwidth.

extension Tensor {
    /// softmax(q·kᵀ·scale)·v over the last two axes; `scale` defaults to 1/√d.
    public static func attention(_ q: Tensor, _ k: Tensor, _ v: Tensor, scale: Float? = nil) -> Tensor {
        precondition(q.shape == k.shape && q.shape == v.shape && q.rank >= 2,
                     "attention: q \(q.shape), k \(k.shape), v \(v.shape) must share one shape [..., L, d]")
        let l = q.shape[q.rank - 2], d = q.shape[q.rank - 1], g = q.count / max(l * d, 1)
        let s = scale ?? 1 / Float(d).squareRoot()
        let lds = attentionScoreStride(l)
        // Padding lanes of Pᵀ (ragged L only) are computed on but never read; start them at 0.
        let probs = lds == l ? Tensor(shape: [g, l, lds]) { _ in } : Tensor.zeros([g, l, lds])
        let out = Tensor(shape: q.shape) { _ in }
        withExtendedLifetime((q, k, v, probs, out)) {
            let (pq, pk, pv, pp, po) = (q.ptr, k.ptr, v.ptr, probs.ptr, out.ptr)
            forEachGroup(g, scratch: d * l) { i, scratch in
                let o = i * l * d
                attentionForward(pq + o, pk + o, pv + o, ld: d, pp + i * l * lds, po + o, ldo: d,
                                 l, d, s, scratch: scratch)
            }
        }
        let (dq, dk, dv) = (q.detached, k.detached, v.detached)
        return Tape.record(out, [q, k, v]) { gOut, _ in
            let gq = Tensor(shape: dq.shape) { _ in }, gk = Tensor(shape: dq.shape) { _ in }
            let gv = Tensor(shape: dq.shape) { _ in }
            withExtendedLifetime((dq, dk, dv, probs, gOut, gq, gk, gv)) {
                let (pq, pk, pv, pp, pg) = (dq.ptr, dk.ptr, dv.ptr, probs.ptr, gOut.ptr)
                forEachGroup(g, scratch: d * l + l * lds) { i, scratch in
                    let o = i * l * d
                    attentionBackward(pq + o, pk + o, pv + o, ld: d, pp + i * l * lds, pg + o, ldo: d,
                                      gq.ptr + o, gk.ptr + o, gv.ptr + o, l, d, s, scratch: scratch)
                }
            }
            return [gq, gk, gv]
        }
    }

    /// Calls `body(i, scratch)` for each group `i` in `0..<g`, in fixed chunks over the
    /// cores (many chunks, so a core slowed by other work does not leave the other idle);
    /// `scratch` holds `scratch` floats, zeroed once per chunk.
    static func forEachGroup(_ g: Int, scratch: Int,
                                     _ body: (Int, UnsafeMutablePointer<Float>) -> Void) {
        Parallel.forChunks(g, grain: max(1, g / 32)) { range in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: max(scratch, 1)) { buffer in
                buffer.initialize(repeating: 0)
                for i in range { body(i, buffer.baseAddress!) }
            }
        }
    }

    /// Row stride of the transposed score buffers: L rounded up to whole vectors, so a
    /// block of 8 queries is always one full vector (lanes past L are padding).
    @inline(__always)
    static func attentionScoreStride(_ l: Int) -> Int { (l + 7) & ~7 }

    // Per-group kernels. Rows of q, k, v (and of dq, dk, dv) are `ld` floats apart, rows
    // of o (and of dO) `ldo` apart, so the kernels can also read heads straight out of a
    // packed [..., L, 3, H, d] projection; the public op passes ld = ldo = d.

    /// One group's forward: writes pt [L, ldS] (Pᵀ) and o [L, d]; `scratch` holds d·L floats.
    static func attentionForward(
        _ q: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ v: UnsafePointer<Float>, ld: Int,
        _ pt: UnsafeMutablePointer<Float>, _ o: UnsafeMutablePointer<Float>, ldo: Int,
        _ l: Int, _ d: Int, _ scale: Float, scratch qt: UnsafeMutablePointer<Float>
    ) {
        let lds = attentionScoreStride(l)
        AttentionKernels.transpose(q, ld, qt, l, d)                   // qᵀ [d, L]
        AttentionKernels.gemm(l, l, d, k, ld, 1, qt, l, pt, lds)      // sᵀ = k·qᵀ
        var b = 0
        while b < l {
            AttentionKernels.softmaxColumns(pt + b, l, lds, scale)    // Pᵀ, 8 queries at a time
            b += 8
        }
        AttentionKernels.gemm(l, d, l, pt, 1, lds, v, ld, o, ldo)     // O = P·v
    }

    /// One group's backward: writes dq, dk, dv [L, d] (overwritten, not accumulated);
    /// `scratch` holds d·L + L·ldS floats.
    static func attentionBackward(
        _ q: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ v: UnsafePointer<Float>, ld: Int,
        _ pt: UnsafePointer<Float>, _ dout: UnsafePointer<Float>, ldo: Int,
        _ dq: UnsafeMutablePointer<Float>, _ dk: UnsafeMutablePointer<Float>, _ dv: UnsafeMutablePointer<Float>,
        _ l: Int, _ d: Int, _ scale: Float, scratch: UnsafeMutablePointer<Float>
    ) {
        let lds = attentionScoreStride(l)
        let gt = scratch, dst = scratch + d * l                       // dOᵀ [d, L]; dPᵀ then dSᵀ [L, ldS]
        AttentionKernels.transpose(dout, ldo, gt, l, d)
        AttentionKernels.gemm(l, l, d, v, ld, 1, gt, l, dst, lds)     // dPᵀ = v·dOᵀ
        var b = 0
        while b < l {
            AttentionKernels.softmaxBackwardColumns(pt + b, dst + b, l, lds, scale)
            b += 8
        }
        AttentionKernels.gemm(l, d, l, dst, 1, lds, k, ld, dq, ld)    // dQ = dS·k
        AttentionKernels.gemm(l, d, l, dst, lds, 1, q, ld, dk, ld)    // dK = dSᵀ·q
        AttentionKernels.gemm(l, d, l, pt, lds, 1, dout, ldo, dv, ld) // dV = Pᵀ·dO
    }
}

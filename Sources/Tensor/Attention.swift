// Fused scaled-dot-product attention for many short sequences.
//
// Shapes (G groups = batch × heads, L sequence length, d head dim):
//   q, k, v  [G, L, d]   (any leading axes; they are flattened into G)
//   sᵀ       [L, L]      k·qᵀ = (q·kᵀ)ᵀ per group, in scratch: row j = key, column i = query
//   Pᵀ       [L, L]      softmax over keys of s·scale, i.e. down the columns of sᵀ
//   stats    [G, 2, L]   per query: m = max_j s_ij·scale and 1/Σ_j exp(s_ij·scale − m)
//   out      [G, L, d]   P·v
// Backward recomputes sᵀ and, from the kept stats, the very same P (bit for bit, through
// the same operations): that costs one more L×L×d product but reads 2·L floats per group
// instead of L·L, and at these sizes attention is bound by memory traffic more than by
// arithmetic. Scores are kept transposed so that a block of 8 queries is one SIMD vector
// and softmax needs no horizontal reductions.
// Each group is one task; inside it every product is a register-blocked SIMD kernel
// (Attention+Kernels.swift) over data that stays in L1/L2. Groups are split over cores
// in fixed chunks and no reduction crosses groups, so results do not depend on threading.
// Attention+Reference.swift holds the same math as plain loops, for the tests.
//
// Backward (dO given):  dV = Pᵀ·dO;  dP = dO·vᵀ;  dS = P∘(dP − rowsum(dP∘P))·scale;
//                       dQ = dS·k;  dK = dSᵀ·q.

extension Tensor {
    /// softmax(q·kᵀ·scale)·v over the last two axes; `scale` defaults to 1/√d.
    public static func attention(_ q: Tensor, _ k: Tensor, _ v: Tensor, scale: Float? = nil) -> Tensor {
        precondition(q.shape == k.shape && q.shape == v.shape && q.rank >= 2,
                     "attention: q \(q.shape), k \(k.shape), v \(v.shape) must share one shape [..., L, d]")
        let l = q.shape[q.rank - 2], d = q.shape[q.rank - 1], g = q.count / max(l * d, 1)
        let s = scale ?? 1 / Float(d).squareRoot()
        let stats = Tensor(shape: [g, 2, l]) { _ in }
        let out = Tensor(shape: q.shape) { _ in }
        withExtendedLifetime((q, k, v, stats, out)) {
            let (pq, pk, pv, ps, po) = (q.ptr, k.ptr, v.ptr, stats.ptr, out.ptr)
            forEachGroup(g, scratch: d * l + l * attentionScoreStride(l)) { i, scratch in
                let o = i * l * d
                attentionForward(pq + o, pk + o, pv + o, ps + i * 2 * l, po + o, l, d, s, scratch: scratch)
            }
        }
        let (dq, dk, dv) = (q.detached, k.detached, v.detached)
        return Tape.record(out, [q, k, v]) { gOut, _ in
            let gq = Tensor(shape: dq.shape) { _ in }, gk = Tensor(shape: dq.shape) { _ in }
            let gv = Tensor(shape: dq.shape) { _ in }
            withExtendedLifetime((dq, dk, dv, stats, gOut, gq, gk, gv)) {
                let (pq, pk, pv, ps, pg) = (dq.ptr, dk.ptr, dv.ptr, stats.ptr, gOut.ptr)
                forEachGroup(g, scratch: 2 * d * l + 2 * l * attentionScoreStride(l)) { i, scratch in
                    let o = i * l * d
                    attentionBackward(pq + o, pk + o, pv + o, ps + i * 2 * l, pg + o,
                                      gq.ptr + o, gk.ptr + o, gv.ptr + o, l, d, s, scratch: scratch)
                }
            }
            return [gq, gk, gv]
        }
    }

    /// Calls `body(i, scratch)` for each group `i` in `0..<g`, in fixed chunks over the
    /// cores; `scratch` holds `scratch` floats, allocated once per chunk.
    private static func forEachGroup(_ g: Int, scratch: Int,
                                     _ body: (Int, UnsafeMutablePointer<Float>) -> Void) {
        Parallel.forChunks(g, grain: max(1, g / (4 * Parallel.cores))) { range in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: max(scratch, 1)) { buffer in
                buffer.initialize(repeating: 0)  // score padding lanes stay finite
                for i in range { body(i, buffer.baseAddress!) }
            }
        }
    }

    /// Row stride of the transposed score buffers: L rounded up to whole vectors, so a
    /// block of 8 queries is always one full vector (lanes past L are padding).
    @inline(__always)
    static func attentionScoreStride(_ l: Int) -> Int { (l + 7) & ~7 }

    /// One group's forward: writes o [L, d] and stats [2, L] (m, then 1/Σ, per query);
    /// `scratch` holds d·L + L·ldS floats (ldS = `attentionScoreStride(L)`).
    static func attentionForward(
        _ q: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ v: UnsafePointer<Float>,
        _ stats: UnsafeMutablePointer<Float>, _ o: UnsafeMutablePointer<Float>, _ l: Int, _ d: Int, _ scale: Float,
        scratch: UnsafeMutablePointer<Float>
    ) {
        let lds = attentionScoreStride(l)
        let qt = scratch, pt = scratch + d * l       // qᵀ [d, L]; sᵀ then Pᵀ [L, ldS]
        AttentionKernels.transpose(q, qt, l, d)
        AttentionKernels.gemm(l, l, d, k, d, 1, qt, l, pt, lds)       // sᵀ = k·qᵀ
        var b = 0
        while b < l {
            let (m, inv) = AttentionKernels.softmaxColumns(pt + b, l, lds, scale)
            for t in 0..<min(8, l - b) {
                stats[b + t] = m[t]
                stats[l + b + t] = inv[t]
            }
            b += 8
        }
        AttentionKernels.gemm(l, d, l, pt, 1, lds, v, d, o, d)        // O = P·v
    }

    /// One group's backward: writes dq, dk, dv [L, d] (overwritten, not accumulated);
    /// `scratch` holds 2·d·L + 2·L·ldS floats.
    static func attentionBackward(
        _ q: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ v: UnsafePointer<Float>,
        _ stats: UnsafePointer<Float>, _ dout: UnsafePointer<Float>,
        _ dq: UnsafeMutablePointer<Float>, _ dk: UnsafeMutablePointer<Float>, _ dv: UnsafeMutablePointer<Float>,
        _ l: Int, _ d: Int, _ scale: Float, scratch: UnsafeMutablePointer<Float>
    ) {
        let lds = attentionScoreStride(l)
        let qt = scratch, gt = qt + d * l            // qᵀ, dOᵀ [d, L]
        let pt = gt + d * l, dst = pt + l * lds      // sᵀ then Pᵀ; dPᵀ then dSᵀ [L, ldS]
        AttentionKernels.transpose(q, qt, l, d)
        AttentionKernels.transpose(dout, gt, l, d)
        AttentionKernels.gemm(l, l, d, k, d, 1, qt, l, pt, lds)       // sᵀ = k·qᵀ
        AttentionKernels.gemm(l, l, d, v, d, 1, gt, l, dst, lds)      // dPᵀ = v·dOᵀ
        var b = 0
        while b < l {
            var m = Vec8(), inv = Vec8()
            for t in 0..<min(8, l - b) {
                m[t] = stats[b + t]
                inv[t] = stats[l + b + t]
            }
            AttentionKernels.probabilities(pt + b, l, lds, scale, m, inv)  // Pᵀ, as in forward
            AttentionKernels.softmaxBackwardColumns(pt + b, dst + b, l, lds, scale)
            b += 8
        }
        AttentionKernels.gemm(l, d, l, dst, 1, lds, k, d, dq, d)      // dQ = dS·k
        AttentionKernels.gemm(l, d, l, dst, lds, 1, q, d, dk, d)      // dK = dSᵀ·q
        AttentionKernels.gemm(l, d, l, pt, lds, 1, dout, d, dv, d)    // dV = Pᵀ·dO
    }
}

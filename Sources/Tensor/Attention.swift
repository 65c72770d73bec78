// Fused scaled-dot-product attention for many short sequences.
//
// Shapes (G groups = batch × heads, L sequence length, d head dim):
//   q, k, v  [G, L, d]   (any leading axes; they are flattened into G)
//   P        [G, L, L]   softmax(q·kᵀ·scale), kept for backward
//   out      [G, L, d]   P·v
// Every product is written as a sum of row updates (y[i,:] += a·x[j,:]) so the inner
// loops run over contiguous memory and vectorize; each group is one task, so results
// do not depend on threading.
//
// Backward (dO given):  dV = Pᵀ·dO;  dP = dO·vᵀ;  dS = P∘(dP − rowsum(dP∘P));
//                       dQ = scale·dS·k;  dK = scale·dSᵀ·q.

extension Tensor {
    /// softmax(q·kᵀ·scale)·v over the last two axes; `scale` defaults to 1/√d.
    public static func attention(_ q: Tensor, _ k: Tensor, _ v: Tensor, scale: Float? = nil) -> Tensor {
        precondition(q.shape == k.shape && q.shape == v.shape && q.rank >= 2,
                     "attention: q \(q.shape), k \(k.shape), v \(v.shape) must share one shape [..., L, d]")
        let l = q.shape[q.rank - 2], d = q.shape[q.rank - 1], g = q.count / max(l * d, 1)
        let s = scale ?? 1 / Float(d).squareRoot()
        let probs = Tensor(shape: [g, l, l]) { _ in }
        let out = Tensor(shape: q.shape) { _ in }
        withExtendedLifetime((q, k, v, probs, out)) {
            let (pq, pk, pv, pp, po) = (q.ptr, k.ptr, v.ptr, probs.ptr, out.ptr)
            Parallel.forEach(g) { i in
                attentionForward(pq + i * l * d, pk + i * l * d, pv + i * l * d,
                                 pp + i * l * l, po + i * l * d, l, d, s)
            }
        }
        let (dq, dk, dv) = (q.detached, k.detached, v.detached)
        return Tape.record(out, [q, k, v]) { gOut, _ in
            let gq = Tensor(shape: dq.shape) { _ in }, gk = Tensor(shape: dq.shape) { _ in }
            let gv = Tensor(shape: dq.shape) { _ in }
            withExtendedLifetime((dq, dk, dv, probs, gOut, gq, gk, gv)) {
                let (pq, pk, pv, pp, pg) = (dq.ptr, dk.ptr, dv.ptr, probs.ptr, gOut.ptr)
                Parallel.forEach(g) { i in
                    let o = i * l * d
                    attentionBackward(pq + o, pk + o, pv + o, pp + i * l * l, pg + o,
                                      gq.ptr + o, gk.ptr + o, gv.ptr + o, l, d, s)
                }
            }
            return [gq, gk, gv]
        }
    }

    /// One group's forward: fills p [L, L] and o [L, d].
    static func attentionForward(
        _ q: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ v: UnsafePointer<Float>,
        _ p: UnsafeMutablePointer<Float>, _ o: UnsafeMutablePointer<Float>, _ l: Int, _ d: Int, _ scale: Float
    ) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: d * l) { kt in
            let kt = kt.baseAddress!  // kᵀ [d, L]
            for j in 0..<l { for c in 0..<d { kt[c * l + j] = k[j * d + c] } }
            for i in 0..<l {
                let row = p + i * l
                row.update(repeating: 0, count: l)
                for c in 0..<d {
                    let a = q[i * d + c] * scale
                    let src = kt + c * l
                    for j in 0..<l { row[j] += a * src[j] }
                }
                softmaxRow(row, row, l)
                let out = o + i * d
                out.update(repeating: 0, count: d)
                for j in 0..<l {
                    let a = row[j]
                    let src = v + j * d
                    for c in 0..<d { out[c] += a * src[c] }
                }
            }
        }
    }

    /// One group's backward: writes dq, dk, dv [L, d] (overwritten, not accumulated).
    static func attentionBackward(
        _ q: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ v: UnsafePointer<Float>,
        _ p: UnsafePointer<Float>, _ dout: UnsafePointer<Float>,
        _ dq: UnsafeMutablePointer<Float>, _ dk: UnsafeMutablePointer<Float>, _ dv: UnsafeMutablePointer<Float>,
        _ l: Int, _ d: Int, _ scale: Float
    ) {
        dk.update(repeating: 0, count: l * d)
        dv.update(repeating: 0, count: l * d)
        withUnsafeTemporaryAllocation(of: Float.self, capacity: d * l + l) { scratch in
            let vt = scratch.baseAddress!  // vᵀ [d, L]
            let ds = vt + d * l            // one row of dP, then dS [L]
            for j in 0..<l { for c in 0..<d { vt[c * l + j] = v[j * d + c] } }
            for i in 0..<l {
                let prow = p + i * l, gi = dout + i * d
                // dP[i,:] = dO[i,:]·vᵀ
                ds.update(repeating: 0, count: l)
                for c in 0..<d {
                    let a = gi[c]
                    let src = vt + c * l
                    for j in 0..<l { ds[j] += a * src[j] }
                }
                var dot: Float = 0
                for j in 0..<l { dot += ds[j] * prow[j] }
                for j in 0..<l { ds[j] = prow[j] * (ds[j] - dot) * scale }
                // dQ[i,:] = Σ_j dS[i,j]·k[j,:];  dK[j,:] += dS[i,j]·q[i,:];  dV[j,:] += P[i,j]·dO[i,:]
                let qi = dq + i * d
                qi.update(repeating: 0, count: d)
                for j in 0..<l {
                    let a = ds[j], pij = prow[j]
                    let kj = k + j * d, dkj = dk + j * d, dvj = dv + j * d, qrow = q + i * d
                    for c in 0..<d {
                        qi[c] += a * kj[c]
                        dkj[c] += a * qrow[c]
                        dvj[c] += pij * gi[c]
                    }
                }
            }
        }
    }
}

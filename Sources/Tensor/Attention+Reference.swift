// Naive reference kernels for fused attention, kept beside the fast ones in
// Attention.swift: the same math as plain loops (row updates y[i,:] += a·x[j,:]), used by
// the tests to check the SIMD kernels on shapes the model never sees.

extension Tensor {
    /// One group's forward: fills p [L, L] and o [L, d].
    static func attentionForwardReference(
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
    static func attentionBackwardReference(
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

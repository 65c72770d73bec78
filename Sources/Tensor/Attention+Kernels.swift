// Register-blocked SIMD kernels for attention's small matrix products.
//
// Every product attention needs (per group, L ≤ a few hundred, d = head dim) has the form
//   C[M, N] = A[M, K] · B[K, N]
// where B has contiguous rows (row stride ldb) and A is read element by element through
// two strides (row stride ars, column stride acs), so Aᵀ costs nothing. C is overwritten.
// Tiles of C are kept in SIMD8 registers: 4 rows × 16 columns (8 accumulators) where
// N allows, 8 rows × 8 columns for short rows (L = 8), one-row tiles for leftover rows,
// and a scalar loop for leftover columns. Each C element is one dot product summed over
// K in increasing order, so results depend on the shapes alone.

typealias Vec8 = SIMD8<Float>

@inline(__always) func load8(_ p: UnsafePointer<Float>) -> Vec8 {
    UnsafeRawPointer(p).loadUnaligned(as: Vec8.self)
}

@inline(__always) func store8(_ v: Vec8, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vec8.self)
}

/// Lane-wise max, written so it inlines to vmaxps (the standard library's pointwiseMax
/// is not inlined and compiles to a scalar loop).
@inline(__always) func vmax(_ a: Vec8, _ b: Vec8) -> Vec8 { a.replacing(with: b, where: a .< b) }

enum AttentionKernels {
    // MARK: - Small matrix product

    /// C[m, n] = A[m, k]·B[k, n] with A[i, p] = a[i·ars + p·acs], B[p, j] = b[p·ldb + j],
    /// C[i, j] = c[i·ldc + j]. C is overwritten.
    static func gemm(
        _ m: Int, _ n: Int, _ k: Int,
        _ a: UnsafePointer<Float>, _ ars: Int, _ acs: Int,
        _ b: UnsafePointer<Float>, _ ldb: Int,
        _ c: UnsafeMutablePointer<Float>, _ ldc: Int
    ) {
        var j = 0
        while j + 16 <= n {
            var i = 0
            while i + 4 <= m {
                tile4x16(k, a + i * ars, ars, acs, b + j, ldb, c + i * ldc + j, ldc)
                i += 4
            }
            while i < m {
                tile1x16(k, a + i * ars, acs, b + j, ldb, c + i * ldc + j)
                i += 1
            }
            j += 16
        }
        while j + 8 <= n {
            var i = 0
            while i + 8 <= m {
                tile8x8(k, a + i * ars, ars, acs, b + j, ldb, c + i * ldc + j, ldc)
                i += 8
            }
            while i < m {
                tile1x8(k, a + i * ars, acs, b + j, ldb, c + i * ldc + j)
                i += 1
            }
            j += 8
        }
        while j < n {
            for i in 0..<m {
                var s: Float = 0
                for p in 0..<k { s += a[i * ars + p * acs] * b[p * ldb + j] }
                c[i * ldc + j] = s
            }
            j += 1
        }
    }

    @inline(__always)
    static func tile4x16(
        _ k: Int, _ a: UnsafePointer<Float>, _ ars: Int, _ acs: Int,
        _ b: UnsafePointer<Float>, _ ldb: Int, _ c: UnsafeMutablePointer<Float>, _ ldc: Int
    ) {
        var c00 = Vec8(), c01 = Vec8(), c10 = Vec8(), c11 = Vec8()
        var c20 = Vec8(), c21 = Vec8(), c30 = Vec8(), c31 = Vec8()
        var pa = a, pb = b
        let a1 = ars, a2 = 2 * ars, a3 = 3 * ars
        for _ in 0..<k {
            let b0 = load8(pb), b1 = load8(pb + 8)
            let x0 = Vec8(repeating: pa[0])
            c00 = c00.addingProduct(x0, b0); c01 = c01.addingProduct(x0, b1)
            let x1 = Vec8(repeating: pa[a1])
            c10 = c10.addingProduct(x1, b0); c11 = c11.addingProduct(x1, b1)
            let x2 = Vec8(repeating: pa[a2])
            c20 = c20.addingProduct(x2, b0); c21 = c21.addingProduct(x2, b1)
            let x3 = Vec8(repeating: pa[a3])
            c30 = c30.addingProduct(x3, b0); c31 = c31.addingProduct(x3, b1)
            pa += acs
            pb += ldb
        }
        store8(c00, c); store8(c01, c + 8)
        store8(c10, c + ldc); store8(c11, c + ldc + 8)
        store8(c20, c + 2 * ldc); store8(c21, c + 2 * ldc + 8)
        store8(c30, c + 3 * ldc); store8(c31, c + 3 * ldc + 8)
    }

    @inline(__always)
    static func tile1x16(
        _ k: Int, _ a: UnsafePointer<Float>, _ acs: Int,
        _ b: UnsafePointer<Float>, _ ldb: Int, _ c: UnsafeMutablePointer<Float>
    ) {
        var c0 = Vec8(), c1 = Vec8()
        var pa = a, pb = b
        for _ in 0..<k {
            let x = Vec8(repeating: pa[0])
            c0 = c0.addingProduct(x, load8(pb)); c1 = c1.addingProduct(x, load8(pb + 8))
            pa += acs
            pb += ldb
        }
        store8(c0, c); store8(c1, c + 8)
    }

    @inline(__always)
    static func tile8x8(
        _ k: Int, _ a: UnsafePointer<Float>, _ ars: Int, _ acs: Int,
        _ b: UnsafePointer<Float>, _ ldb: Int, _ c: UnsafeMutablePointer<Float>, _ ldc: Int
    ) {
        var c0 = Vec8(), c1 = Vec8(), c2 = Vec8(), c3 = Vec8()
        var c4 = Vec8(), c5 = Vec8(), c6 = Vec8(), c7 = Vec8()
        var pa = a, pb = b
        for _ in 0..<k {
            let y = load8(pb)
            c0 = c0.addingProduct(Vec8(repeating: pa[0]), y)
            c1 = c1.addingProduct(Vec8(repeating: pa[ars]), y)
            c2 = c2.addingProduct(Vec8(repeating: pa[2 * ars]), y)
            c3 = c3.addingProduct(Vec8(repeating: pa[3 * ars]), y)
            c4 = c4.addingProduct(Vec8(repeating: pa[4 * ars]), y)
            c5 = c5.addingProduct(Vec8(repeating: pa[5 * ars]), y)
            c6 = c6.addingProduct(Vec8(repeating: pa[6 * ars]), y)
            c7 = c7.addingProduct(Vec8(repeating: pa[7 * ars]), y)
            pa += acs
            pb += ldb
        }
        store8(c0, c); store8(c1, c + ldc); store8(c2, c + 2 * ldc); store8(c3, c + 3 * ldc)
        store8(c4, c + 4 * ldc); store8(c5, c + 5 * ldc); store8(c6, c + 6 * ldc); store8(c7, c + 7 * ldc)
    }

    @inline(__always)
    static func tile1x8(
        _ k: Int, _ a: UnsafePointer<Float>, _ acs: Int,
        _ b: UnsafePointer<Float>, _ ldb: Int, _ c: UnsafeMutablePointer<Float>
    ) {
        var c0 = Vec8()
        var pa = a, pb = b
        for _ in 0..<k {
            c0 = c0.addingProduct(Vec8(repeating: pa[0]), load8(pb))
            pa += acs
            pb += ldb
        }
        store8(c0, c)
    }

    // MARK: - Transpose

    /// t[d, l] = xᵀ for x [l, d] with row stride ldx (t row-major): 8×8 blocks through
    /// registers, the ragged edges element by element.
    static func transpose(_ x: UnsafePointer<Float>, _ ldx: Int, _ t: UnsafeMutablePointer<Float>, _ l: Int, _ d: Int) {
        let l8 = l & ~7, d8 = d & ~7
        var j = 0
        while j < l8 {
            var c = 0
            while c < d8 {
                transpose8x8(x + j * ldx + c, ldx, t + c * l + j, l)
                c += 8
            }
            for c in d8..<d { for jj in j..<j + 8 { t[c * l + jj] = x[jj * ldx + c] } }
            j += 8
        }
        for j in l8..<l { for c in 0..<d { t[c * l + j] = x[j * ldx + c] } }
    }

    /// The 8×8 block at x (row stride ldx) transposed into t (row stride ldt).
    @inline(__always)
    static func transpose8x8(_ x: UnsafePointer<Float>, _ ldx: Int, _ t: UnsafeMutablePointer<Float>, _ ldt: Int) {
        // Interleave pairs of rows, then pairs of pairs, then swap 128-bit halves
        // (the unpcklps / shufps / vperm2f128 sequence).
        @inline(__always) func lo(_ a: Vec8, _ b: Vec8) -> Vec8 { Vec8(a[0], b[0], a[1], b[1], a[4], b[4], a[5], b[5]) }
        @inline(__always) func hi(_ a: Vec8, _ b: Vec8) -> Vec8 { Vec8(a[2], b[2], a[3], b[3], a[6], b[6], a[7], b[7]) }
        @inline(__always) func lo2(_ a: Vec8, _ b: Vec8) -> Vec8 { Vec8(a[0], a[1], b[0], b[1], a[4], a[5], b[4], b[5]) }
        @inline(__always) func hi2(_ a: Vec8, _ b: Vec8) -> Vec8 { Vec8(a[2], a[3], b[2], b[3], a[6], a[7], b[6], b[7]) }
        let r0 = load8(x), r1 = load8(x + ldx), r2 = load8(x + 2 * ldx), r3 = load8(x + 3 * ldx)
        let r4 = load8(x + 4 * ldx), r5 = load8(x + 5 * ldx), r6 = load8(x + 6 * ldx), r7 = load8(x + 7 * ldx)
        let t0 = lo(r0, r1), t1 = hi(r0, r1), t2 = lo(r2, r3), t3 = hi(r2, r3)
        let t4 = lo(r4, r5), t5 = hi(r4, r5), t6 = lo(r6, r7), t7 = hi(r6, r7)
        let u0 = lo2(t0, t2), u1 = hi2(t0, t2), u2 = lo2(t1, t3), u3 = hi2(t1, t3)
        let u4 = lo2(t4, t6), u5 = hi2(t4, t6), u6 = lo2(t5, t7), u7 = hi2(t5, t7)
        store8(Vec8(lowHalf: u0.lowHalf, highHalf: u4.lowHalf), t)
        store8(Vec8(lowHalf: u1.lowHalf, highHalf: u5.lowHalf), t + ldt)
        store8(Vec8(lowHalf: u2.lowHalf, highHalf: u6.lowHalf), t + 2 * ldt)
        store8(Vec8(lowHalf: u3.lowHalf, highHalf: u7.lowHalf), t + 3 * ldt)
        store8(Vec8(lowHalf: u0.highHalf, highHalf: u4.highHalf), t + 4 * ldt)
        store8(Vec8(lowHalf: u1.highHalf, highHalf: u5.highHalf), t + 5 * ldt)
        store8(Vec8(lowHalf: u2.highHalf, highHalf: u6.highHalf), t + 6 * ldt)
        store8(Vec8(lowHalf: u3.highHalf, highHalf: u7.highHalf), t + 7 * ldt)
    }

    // MARK: - Softmax down columns
    //
    // Attention keeps scores transposed, sᵀ [L keys, L queries], so one query's softmax
    // runs down a column and 8 queries are the 8 lanes of one vector: no horizontal
    // reductions, and L = 8 is a single block of 8 vectors.

    /// In place over n rows x_j (stride ld) of one 8-query block:
    /// x_j ← exp(x_j·scale − m)/Σ with m = max_j x_j·scale, Σ = Σ_j exp(x_j·scale − m).
    static func softmaxColumns(_ x: UnsafeMutablePointer<Float>, _ n: Int, _ ld: Int, _ scale: Float) {
        let s = Vec8(repeating: scale)
        var m = Vec8(repeating: -.infinity)
        var r = x
        for _ in 0..<n {
            m = vmax(m, load8(r) * s)
            r += ld
        }
        var sum = Vec8()
        r = x
        for _ in 0..<n {
            let e = exp8(load8(r) * s - m)
            store8(e, r)
            sum += e
            r += ld
        }
        let inv = 1 / sum
        r = x
        for _ in 0..<n {
            store8(load8(r) * inv, r)
            r += ld
        }
    }

    /// Softmax backward down the columns of one 8-query block, in place:
    /// dp_j ← p_j∘(dp_j − Σ_j dp_j∘p_j)·scale.
    @inline(__always)
    static func softmaxBackwardColumns(
        _ p: UnsafePointer<Float>, _ dp: UnsafeMutablePointer<Float>, _ n: Int, _ ld: Int, _ scale: Float
    ) {
        var dot = Vec8()
        var (rp, rd) = (p, dp)
        for _ in 0..<n {
            dot = dot.addingProduct(load8(rd), load8(rp))
            rp += ld
            rd += ld
        }
        let s = Vec8(repeating: scale)
        (rp, rd) = (p, dp)
        for _ in 0..<n {
            store8(load8(rp) * (load8(rd) - dot) * s, rd)
            rp += ld
            rd += ld
        }
    }

    /// eˣ lane-wise for x ≤ 0 (all softmax needs): the Cephes expf polynomial (≈ 1 ulp).
    /// Arguments below −86 give 0 (e⁻⁸⁶ ≈ 4·10⁻³⁸, next to the row's 1); NaN passes
    /// through. `@_transparent` because the optimizer otherwise declines to inline it into
    /// the row loops (@inline(__always) is only a hint there), and a call per 8 lanes
    /// halves the speed of softmax.
    @_transparent
    static func exp8(_ x: Vec8) -> Vec8 {
        // n = round(x·log₂e) by adding 1.5·2²³: the low mantissa bits of t then hold n.
        let magic = Vec8(repeating: 12_582_912)
        let t = magic.addingProduct(x, Vec8(repeating: 1.442_695_04))
        let n = t - magic
        // r = x − n·ln 2 in two parts, |r| ≤ ln 2 / 2.
        var r = x.addingProduct(n, Vec8(repeating: -0.693_359_375))
        r = r.addingProduct(n, Vec8(repeating: 2.121_944_4e-4))
        var p = Vec8(repeating: 1.987_569_15e-4)
        p = Vec8(repeating: 1.398_199_95e-3).addingProduct(p, r)
        p = Vec8(repeating: 8.333_451_9e-3).addingProduct(p, r)
        p = Vec8(repeating: 4.166_579_59e-2).addingProduct(p, r)
        p = Vec8(repeating: 1.666_666_55e-1).addingProduct(p, r)
        p = Vec8(repeating: 5.000_000_1e-1).addingProduct(p, r)
        let y = (r + 1).addingProduct(p, r * r)
        // y·2ⁿ: add n to the exponent field (valid for n ≥ −125; lanes below are zeroed).
        let bits = unsafeBitCast(y, to: SIMD8<Int32>.self) &+ (unsafeBitCast(t, to: SIMD8<Int32>.self) &<< 23)
        var e = unsafeBitCast(bits, to: Vec8.self)
        e.replace(with: 0, where: x .< -86)
        e.replace(with: x, where: x .!= x)
        return e
    }
}

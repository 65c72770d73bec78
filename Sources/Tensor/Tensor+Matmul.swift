// Matrix products through OpenBLAS sgemm. Transposes are sgemm flags, never copies.
//
// Shapes (letters: G batch of matrices, M rows, K inner, N columns):
//   a [..., M, K] · b [K, N]          → [..., M, N]   one sgemm over all leading rows
//   a [G..., M, K] · b [G..., K, N]   → [G..., M, N]  one sgemm per matrix
// `transposeA`/`transposeB` read a as [..., K, M] / b as [..., N, K].

import CBLAS

extension Tensor {
    /// The matrix product op(a)·op(b); see the file header for shapes.
    public static func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
        precondition(a.rank >= 2 && b.rank >= 2, "matmul needs rank ≥ 2, got \(a.shape) and \(b.shape)")
        precondition(b.rank == 2 ? (!transposeA || a.rank == 2) : a.shape.dropLast(2) == b.shape.dropLast(2),
                     "matmul: b must be 2-D (and a too if transposed) or share a's batch axes; got \(a.shape) and \(b.shape)")
        let y = matmulKernel(a, b, transposeA, transposeB)
        let (da, db) = (a.detached, b.detached)
        return Tape.record(y, [a, b]) { g, needs in
            var ga: Tensor?, gb: Tensor?
            switch (transposeA, transposeB) {
            case (false, false):
                if needs[0] { ga = matmulKernel(g, db, false, true) }
                if needs[1] { gb = weightGrad(da, g, b: db) ?? matmulKernel(da, g, true, false) }
            case (false, true):
                if needs[0] { ga = matmulKernel(g, db, false, false) }
                if needs[1] { gb = weightGrad(g, da, b: db) ?? matmulKernel(g, da, true, false) }
            case (true, false):
                if needs[0] { ga = matmulKernel(db, g, false, true) }
                if needs[1] { gb = matmulKernel(da, g, false, false) }
            case (true, true):
                if needs[0] { ga = matmulKernel(db, g, true, true) }
                if needs[1] { gb = matmulKernel(g, da, true, true) }
            }
            return [ga, gb]
        }
    }

    /// For a 2-D `b` used against flattened leading rows: xᵀ·y over all rows, as one sgemm.
    private static func weightGrad(_ x: Tensor, _ y: Tensor, b: Tensor) -> Tensor? {
        guard b.rank == 2, x.rank > 2 || y.rank > 2 else { return nil }
        let x2 = Tensor(shape: [x.count / x.shape[x.rank - 1], x.shape[x.rank - 1]], storage: x.storage)
        let y2 = Tensor(shape: [y.count / y.shape[y.rank - 1], y.shape[y.rank - 1]], storage: y.storage)
        return matmulKernel(x2, y2, true, false)
    }

    /// op(a)·op(b) with no recording.
    static func matmulKernel(_ a: Tensor, _ b: Tensor, _ ta: Bool, _ tb: Bool) -> Tensor {
        let (ra, rb) = (a.rank, b.rank)
        let bRows = tb ? b.shape[rb - 1] : b.shape[rb - 2]  // K
        let n = tb ? b.shape[rb - 2] : b.shape[rb - 1]
        if rb == 2 && !ta {
            // Every leading row of a against one matrix: a single sgemm.
            let k = a.shape[ra - 1], m = a.count / max(k, 1)
            precondition(k == bRows, "matmul: inner extents differ, shapes \(a.shape) and \(b.shape)\(tb ? "ᵀ" : "")")
            let y = Tensor(shape: Array(a.shape.dropLast()) + [n]) { out in
                gemm(false, tb, m, n, k, a.ptr, b.ptr, out.baseAddress!, lda: k, ldb: tb ? k : n, ldc: n)
            }
            return withExtendedLifetime((a, b)) { y }
        }
        let m = ta ? a.shape[ra - 1] : a.shape[ra - 2]
        let k = ta ? a.shape[ra - 2] : a.shape[ra - 1]
        precondition(k == bRows, "matmul: inner extents differ, shapes \(a.shape)\(ta ? "ᵀ" : "") and \(b.shape)\(tb ? "ᵀ" : "")")
        let batchA = Array(a.shape.dropLast(2)), batchB = Array(b.shape.dropLast(2))
        precondition(batchA == batchB || batchB.isEmpty || batchA.isEmpty,
                     "matmul: batch axes differ, shapes \(a.shape) and \(b.shape)")
        let batch = batchA.isEmpty ? batchB : batchA
        let g = batch.reduce(1, *)
        let (sa, sb) = (batchA.isEmpty ? 0 : m * k, batchB.isEmpty ? 0 : k * n)
        let y = Tensor(shape: batch + [m, n]) { out in
            let po = out.baseAddress!
            for i in 0..<g {
                gemm(ta, tb, m, n, k, a.ptr + i * sa, b.ptr + i * sb, po + i * m * n,
                     lda: ta ? m : k, ldb: tb ? k : n, ldc: n)
            }
        }
        return withExtendedLifetime((a, b)) { y }
    }

    /// C[m,n] = op(A)·op(B) (+ beta·C), row-major, through cblas_sgemm.
    ///
    /// OpenBLAS runs single-threaded (BLASThreads); a large product is cut here into one
    /// block of C's rows (or, for few rows, columns) per core, each a single-threaded
    /// sgemm on Parallel's worker pool. Left to its own threads, OpenBLAS keeps a worker
    /// spinning in sched_yield between calls, which took 15% of a training step from the
    /// kernels running in between. Every element of C is still one dot product
    /// over the whole of K in OpenBLAS's own order, so the cut does not change a bit.
    @inline(__always)
    static func gemm(
        _ ta: Bool, _ tb: Bool, _ m: Int, _ n: Int, _ k: Int,
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
        lda: Int, ldb: Int, ldc: Int, beta: Float = 0
    ) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            if beta == 0 { for i in 0..<m { (c + i * ldc).update(repeating: 0, count: n) } }
            return
        }
        BLASThreads.ensureSingle()
        func call(_ m: Int, _ n: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>) {
            cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                        Int32(m), Int32(n), Int32(k), 1, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
        }
        let parts = Parallel.cores
        guard parts > 1, m * n * k >= BLASThreads.minParallelFlops else { return call(m, n, a, b, c) }
        if m >= 64 * parts {
            // Rows of C: A's rows (ta: A's columns) and C's rows move together.
            let size = (m + parts - 1) / parts
            Parallel.forEach(parts) { p in
                let lo = p * size, rows = min(m, lo + size) - lo
                if rows > 0 { call(rows, n, ta ? a + lo : a + lo * lda, b, c + lo * ldc) }
            }
        } else {
            // Columns of C: B's columns (tb: B's rows) and C's columns move together.
            let size = ((n + parts - 1) / parts + 15) / 16 * 16
            Parallel.forEach(parts) { p in
                let lo = p * size, cols = min(n, lo + size) - lo
                if cols > 0 { call(m, cols, a, tb ? b + lo * ldb : b + lo, c + lo) }
            }
        }
    }
}

/// OpenBLAS's own threading, switched off once for the process (see `Tensor.gemm`).
public enum BLASThreads {
    /// Products smaller than this many multiply-adds run as one call.
    static let minParallelFlops = 1 << 18

    private static let single: Void = { openblas_set_num_threads(1) }()

    /// Sets OpenBLAS to one thread, the first time only.
    @inline(__always)
    static func ensureSingle() { _ = single }

    /// Runs `body` with OpenBLAS's own threads on every core (the raw-sgemm ceiling of
    /// `vidgen bench`), then returns to one thread.
    public static func withOpenBLASThreads<R>(_ body: () -> R) -> R {
        ensureSingle()
        openblas_set_num_threads(Int32(Parallel.cores))
        defer { openblas_set_num_threads(1) }
        return body()
    }
}

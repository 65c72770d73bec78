// Timing helpers and the Tensor benchmark (`vidgen bench tensor`): raw sgemm against the
// Tensor matmul path at the model's shapes, and fused attention forward+backward.
// Speeds are reported as medians and compared as ratios within one run.

import CBLAS

/// One benchmark figure: median milliseconds and GFLOP/s (0 when FLOPs are not counted).
public struct BenchResult: Codable, Equatable, Sendable {
    public var name: String
    public var ms: Double
    public var gflops: Double

    public init(name: String, ms: Double, flops: Double) {
        self.name = name
        self.ms = ms
        gflops = flops > 0 && ms > 0 ? flops / (ms * 1e6) : 0
    }
}

/// Wall-clock timing.
public enum Stopwatch {
    /// Seconds since an arbitrary fixed point (monotonic).
    public static func now() -> Double {
        return Double(DispatchTimeShim.uptimeNanoseconds()) * 1e-9
    }

    /// Median milliseconds of `runs` calls after `warmup` calls.
    public static func medianMs(warmup: Int = 2, runs: Int = 10, _ body: () -> Void) -> Double {
        for _ in 0..<warmup { body() }
        var times = [Double]()
        for _ in 0..<max(1, runs) {
            let t0 = now()
            body()
            times.append((now() - t0) * 1e3)
        }
        return Statistics.median(times)
    }
}

enum DispatchTimeShim {
    static func uptimeNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// The Tensor benchmark: raw sgemm vs the Tensor matmul path, and fused attention.
public enum TensorBenchmark {
    /// The 1024³ raw sgemm figure: the ceiling every other figure is compared with.
    public static func sgemmPeak(runs: Int = 10) -> BenchResult {
        rawSgemm(1024, 1024, 1024, false, false, runs: runs)
    }

    /// Raw `cblas_sgemm` on preallocated buffers, C[m,n] = op(A)·op(B), with OpenBLAS's
    /// own threads on every core: what OpenBLAS alone does, not vidgen's split of it.
    public static func rawSgemm(_ m: Int, _ k: Int, _ n: Int, _ ta: Bool, _ tb: Bool, runs: Int) -> BenchResult {
        var rng = RNG(seed: 1)
        let a = Tensor.randn(ta ? [k, m] : [m, k], rng: &rng), b = Tensor.randn(tb ? [n, k] : [k, n], rng: &rng)
        let c = Tensor.zeros([m, n])
        let ms = withExtendedLifetime((a, b, c)) {
            BLASThreads.withOpenBLASThreads {
                Stopwatch.medianMs(runs: runs) {
                    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                                Int32(m), Int32(n), Int32(k), 1, a.ptr, Int32(ta ? m : k), b.ptr, Int32(tb ? k : n),
                                0, c.ptr, Int32(n))
                }
            }
        }
        return BenchResult(name: "sgemm_\(m)x\(k)x\(n)\(suffix(ta, tb))", ms: ms, flops: 2 * Double(m * k * n))
    }

    /// The Tensor path: `Tensor.matmul`, output allocated per call as in training.
    public static func tensorMatmul(_ m: Int, _ k: Int, _ n: Int, _ ta: Bool, _ tb: Bool, runs: Int) -> BenchResult {
        var rng = RNG(seed: 1)
        let a = Tensor.randn(ta ? [k, m] : [m, k], rng: &rng), b = Tensor.randn(tb ? [n, k] : [k, n], rng: &rng)
        let ms = Stopwatch.medianMs(runs: runs) {
            _ = Tensor.matmul(a, b, transposeA: ta, transposeB: tb)
        }
        return BenchResult(name: "matmul_\(m)x\(k)x\(n)\(suffix(ta, tb))", ms: ms, flops: 2 * Double(m * k * n))
    }

    private static func suffix(_ ta: Bool, _ tb: Bool) -> String {
        ta || tb ? "_" + (ta ? "t" : "n") + (tb ? "t" : "n") : ""
    }

    /// Fused attention forward + backward on [groups, L, d]; FLOPs 4·G·L²·d + 8·G·L²·d.
    public static func attention(name: String, groups: Int, length: Int, headDim: Int, runs: Int) -> BenchResult {
        var rng = RNG(seed: 2)
        let shape = [groups, length, headDim]
        let q = Tensor.randn(shape, rng: &rng), k = Tensor.randn(shape, rng: &rng), v = Tensor.randn(shape, rng: &rng)
        let g = Tensor.randn(shape, rng: &rng)
        let ms = Stopwatch.medianMs(runs: runs) {
            let tape = Tape()
            let (tq, tk, tv) = (tape.watch(q), tape.watch(k), tape.watch(v))
            let out = Tensor.attention(tq, tk, tv)
            _ = tape.gradients(of: (out * g).sum(), wrt: [tq, tk, tv])
        }
        let flops = 12 * Double(groups * length * length * headDim)
        return BenchResult(name: name, ms: ms, flops: flops)
    }

    /// The model's linear-layer products (forward, then both backward products).
    public static let modelShapes: [(m: Int, k: Int, n: Int)] = [(8192, 128, 384), (8192, 128, 512), (8192, 512, 128)]

    /// Every figure of `vidgen bench tensor`, in print order; `progress` sees each as it lands.
    public static func run(
        runs: Int = 10, skipPeak: Bool = false, progress: (BenchResult) -> Void = { _ in }
    ) -> (results: [BenchResult], peak: Double) {
        var results = [BenchResult]()
        func add(_ r: BenchResult) { results.append(r); progress(r) }
        let peak = skipPeak ? BenchResult(name: "", ms: 0, flops: 0) : sgemmPeak(runs: runs)
        if !skipPeak { add(peak) }
        for s in modelShapes {
            // forward C = A·B; backward dA = dC·Bᵀ (m, n, k), dB = Aᵀ·dC (k, m, n)
            for (m, k, n, ta, tb) in [(s.m, s.k, s.n, false, false), (s.m, s.n, s.k, false, true),
                                      (s.k, s.m, s.n, true, false)] {
                add(rawSgemm(m, k, n, ta, tb, runs: runs))
                add(tensorMatmul(m, k, n, ta, tb, runs: runs))
            }
        }
        add(attention(name: "attention_spatial", groups: 2048, length: 64, headDim: 32, runs: runs))
        add(attention(name: "attention_temporal", groups: 16384, length: 8, headDim: 32, runs: runs))
        return (results, peak.gflops)
    }
}

// Scalar math from the C library, named once for every kernel in the module.
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

@inline(__always) func fexp(_ x: Float) -> Float { expf(x) }
@inline(__always) func flog(_ x: Float) -> Float { logf(x) }
@inline(__always) func ftanh(_ x: Float) -> Float { tanhf(x) }
@inline(__always) func fcos(_ x: Float) -> Float { cosf(x) }
@inline(__always) func fsin(_ x: Float) -> Float { sinf(x) }

/// Double-precision C library math, for the modules above Tensor.
public enum Libm {
    @inline(__always) public static func exp(_ x: Double) -> Double { Glibc_exp(x) }
    @inline(__always) public static func log(_ x: Double) -> Double { Glibc_log(x) }
    @inline(__always) public static func cos(_ x: Double) -> Double { Glibc_cos(x) }
    @inline(__always) public static func sin(_ x: Double) -> Double { Glibc_sin(x) }
    @inline(__always) public static func pow(_ x: Double, _ y: Double) -> Double { Glibc_pow(x, y) }
}

@inline(__always) func Glibc_exp(_ x: Double) -> Double { exp(x) }
@inline(__always) func Glibc_log(_ x: Double) -> Double { log(x) }
@inline(__always) func Glibc_cos(_ x: Double) -> Double { cos(x) }
@inline(__always) func Glibc_sin(_ x: Double) -> Double { sin(x) }
@inline(__always) func Glibc_pow(_ x: Double, _ y: Double) -> Double { pow(x, y) }

/// Order statistics of plain numbers: one definition for scores and timings alike.
public enum Statistics {
    /// The q-quantile (0 ≤ q ≤ 1) of `sorted` (ascending, not empty), interpolating linearly
    /// between the two nearest ranks.
    public static func quantile(sorted xs: [Double], _ q: Double) -> Double {
        precondition(!xs.isEmpty, "the quantile of no numbers")
        let pos = q * Double(xs.count - 1)
        let i = Int(pos), f = pos - Double(i)
        return i + 1 < xs.count ? xs[i] * (1 - f) + xs[i + 1] * f : xs[i]
    }

    /// The median of `xs` (any order); 0 for none.
    public static func median(_ xs: [Double]) -> Double {
        xs.isEmpty ? 0 : quantile(sorted: xs.sorted(), 0.5)
    }
}

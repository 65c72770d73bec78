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

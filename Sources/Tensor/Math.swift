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

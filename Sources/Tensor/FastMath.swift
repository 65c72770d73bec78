// Vectorized exp and tanh for the elementwise kernels.
//
// The C library's tanhf costs ~20 ns per element and made GELU a quarter of a training
// step. These work on 8 lanes at once with a fixed polynomial, so a value's result
// never depends on which lane or chunk computes it (tails are padded into a full
// vector), keeping kernels bit-identical across partitions.
//
// exp(x) = 2ⁿ·e^r with n = round(x/ln 2), r = x − n·ln 2 (ln 2 split in two for
// exactness), e^r by its degree-6 Taylor polynomial on |r| ≤ ln2/2 (relative error
// < 2e-7); x is clamped to [−87, 88] so 2ⁿ stays a normal float.
// tanh(u) = 1 − 2/(e^{2u} + 1): absolute error ~1e-7, exact saturation at ±1.

typealias F8 = SIMD8<Float>

enum FastMath {
    @inline(__always)
    static func exp(_ x: F8) -> F8 {
        var xc = x
        xc.replace(with: -87, where: xc .< -87)
        xc.replace(with: 88, where: xc .> 88)
        // Adding 1.5·2²³ rounds x/ln2 to the nearest integer n and leaves n in the low
        // bits of the float's pattern (0x4B40_0000 + n).
        let shifted: F8 = xc * 1.442_695_04 + 12_582_912
        let n: F8 = shifted - 12_582_912
        var r: F8 = xc - n * 0.693_145_75          // ln 2, high part
        r = r - n * 1.428_606_8e-6                 // ln 2, low part
        var p = F8(repeating: 1.0 / 720)
        p = F8(repeating: 1.0 / 120).addingProduct(p, r)
        p = F8(repeating: 1.0 / 24).addingProduct(p, r)
        p = F8(repeating: 1.0 / 6).addingProduct(p, r)
        p = F8(repeating: 0.5).addingProduct(p, r)
        p = F8(repeating: 1).addingProduct(p, r)
        p = F8(repeating: 1).addingProduct(p, r)
        let ni = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- 0x4B40_0000
        let scale = unsafeBitCast((ni &+ 127) &<< 23, to: F8.self)
        return p * scale
    }

    @inline(__always)
    static func tanh(_ u: F8) -> F8 {
        1 - 2 / (exp(2 * u) + 1)
    }

    /// √(2/π)
    static let geluC: Float = 0.797_884_56

    /// GELU, tanh form: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
    @inline(__always)
    static func gelu(_ x: F8) -> F8 {
        let inner: F8 = geluC * (x + 0.044715 * x * x * x)
        let t: F8 = tanh(inner)
        return 0.5 * x * (1 + t)
    }

    /// d GELU / dx.
    @inline(__always)
    static func geluDerivative(_ x: F8) -> F8 {
        let x2: F8 = x * x
        let inner: F8 = geluC * (x + 0.044715 * x2 * x)
        let t: F8 = tanh(inner)
        let slope: F8 = geluC * (1 + 0.134145 * x2)  // d inner / dx
        let left: F8 = 0.5 * (1 + t)
        let right: F8 = 0.5 * x * (1 - t * t) * slope
        return left + right
    }

    /// Applies `f` to `n` floats from `src` into `dst`, 8 at a time; the tail goes
    /// through a padded vector so every element takes the same path.
    @inline(__always)
    static func apply(_ n: Int, _ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ f: (F8) -> F8) {
        var i = 0
        while i + 8 <= n {
            let v = UnsafeRawPointer(src + i).loadUnaligned(as: F8.self)
            UnsafeMutableRawPointer(dst + i).storeBytes(of: f(v), as: F8.self)
            i += 8
        }
        if i < n {
            var v = F8(repeating: 0)
            for j in 0..<(n - i) { v[j] = src[i + j] }
            let y = f(v)
            for j in 0..<(n - i) { dst[i + j] = y[j] }
        }
    }

    /// dst[i] = g[i]·f(x[i]), 8 at a time (padded tail).
    @inline(__always)
    static func applyScaled(
        _ n: Int, _ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>,
        _ f: (F8) -> F8
    ) {
        var i = 0
        while i + 8 <= n {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: F8.self)
            let gv = UnsafeRawPointer(g + i).loadUnaligned(as: F8.self)
            UnsafeMutableRawPointer(dst + i).storeBytes(of: gv * f(v), as: F8.self)
            i += 8
        }
        if i < n {
            var v = F8(repeating: 0), gv = F8(repeating: 0)
            for j in 0..<(n - i) { v[j] = x[i + j]; gv[j] = g[i + j] }
            let y = gv * f(v)
            for j in 0..<(n - i) { dst[i + j] = y[j] }
        }
    }
}

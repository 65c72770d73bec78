// Elementwise ops: binary arithmetic with broadcasting, scalar arithmetic, and the
// unary functions (exp, log, sqrt, tanh, GELU, SiLU). Each forward sits beside its
// backward. Broadcasting follows the usual right-aligned rule (an axis of extent 1, or
// a missing leading axis, repeats); the backward of a broadcast operand sums the
// gradient back to its shape.

// MARK: - Broadcasting

extension Tensor {
    /// The shape two operands broadcast to.
    static func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int] {
        let r = max(a.count, b.count)
        var out = [Int](repeating: 1, count: r)
        for i in 0..<r {
            let da = i < r - a.count ? 1 : a[i - (r - a.count)]
            let db = i < r - b.count ? 1 : b[i - (r - b.count)]
            precondition(da == db || da == 1 || db == 1, "cannot broadcast shapes \(a) and \(b)")
            out[i] = max(da, db)
        }
        return out
    }

    /// Element strides of `shape` seen through `out` (0 on broadcast axes).
    static func broadcastStrides(_ shape: [Int], to out: [Int]) -> [Int] {
        var strides = [Int](repeating: 0, count: out.count)
        var s = 1
        for i in stride(from: out.count - 1, through: 0, by: -1) {
            let j = i - (out.count - shape.count)
            if j >= 0 {
                strides[i] = shape[j] == 1 ? 0 : s
                s *= shape[j]
            }
        }
        return strides
    }

    /// `out[i] = f(a[i'], b[i''])` over the broadcast shape.
    @inline(__always)
    static func zipBroadcast(_ a: Tensor, _ b: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
        let shape = broadcastShape(a.shape, b.shape)
        let n = count(of: shape)
        let pa = a.ptr, pb = b.ptr
        return withExtendedLifetime((a, b)) {
            Tensor(shape: shape) { out in
                let po = out.baseAddress!
                if a.shape == b.shape {
                    Parallel.forChunks(n) { r in for i in r { po[i] = f(pa[i], pb[i]) } }
                } else if b.count == 1 {
                    let s = pb[0]
                    Parallel.forChunks(n) { r in for i in r { po[i] = f(pa[i], s) } }
                } else if a.count == 1 {
                    let s = pa[0]
                    Parallel.forChunks(n) { r in for i in r { po[i] = f(s, pb[i]) } }
                } else if a.count == n && shape.suffix(b.rank).elementsEqual(b.shape) {
                    let m = b.count  // b repeats over a's leading axes
                    Parallel.forChunks(n / m, grain: max(1, minRows(m))) { rows in
                        for row in rows {
                            let o = row * m
                            for j in 0..<m { po[o + j] = f(pa[o + j], pb[j]) }
                        }
                    }
                } else if b.count == n && shape.suffix(a.rank).elementsEqual(a.shape) {
                    let m = a.count
                    Parallel.forChunks(n / m, grain: max(1, minRows(m))) { rows in
                        for row in rows {
                            let o = row * m
                            for j in 0..<m { po[o + j] = f(pa[j], pb[o + j]) }
                        }
                    }
                } else {
                    general(shape, a, b, po, f)
                }
            }
        }
    }

    private static func minRows(_ rowLength: Int) -> Int {
        Parallel.minParallelElements / max(1, rowLength)
    }

    /// Any broadcast: the last axis is the inner loop, the rest are walked by index.
    @inline(__always)
    private static func general(
        _ shape: [Int], _ a: Tensor, _ b: Tensor, _ po: UnsafeMutablePointer<Float>,
        _ f: (Float, Float) -> Float
    ) {
        let r = shape.count
        let sa = broadcastStrides(a.shape, to: shape), sb = broadcastStrides(b.shape, to: shape)
        let inner = shape[r - 1], ia = sa[r - 1], ib = sb[r - 1]
        let rows = count(of: shape) / max(1, inner)
        let pa = a.ptr, pb = b.ptr
        Parallel.forChunks(rows, grain: max(1, minRows(inner))) { range in
            for row in range {
                var rem = row, oa = 0, ob = 0
                for ax in stride(from: r - 2, through: 0, by: -1) {
                    let idx = rem % shape[ax]
                    rem /= shape[ax]
                    oa += idx * sa[ax]
                    ob += idx * sb[ax]
                }
                let o = row * inner
                for j in 0..<inner { po[o + j] = f(pa[oa + j * ia], pb[ob + j * ib]) }
            }
        }
    }

    /// Sums `self` down to `target` (the inverse of broadcasting `target` up to `shape`).
    public func sum(toShape target: [Int]) -> Tensor {
        if shape == target { return self }
        let lead = rank - target.count
        precondition(lead >= 0, "cannot sum shape \(shape) to \(target)")
        var axes = Array(0..<lead)
        for (i, d) in target.enumerated() where d == 1 && shape[lead + i] != 1 { axes.append(lead + i) }
        return sum(axes: axes, keepDims: false).reshaped(target)
    }
}

// MARK: - Binary arithmetic

extension Tensor {
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        let y = zipBroadcast(a, b, +)
        let (sa, sb) = (a.shape, b.shape)
        return Tape.record(y, [a, b]) { g, needs in
            [needs[0] ? g.sum(toShape: sa) : nil, needs[1] ? g.sum(toShape: sb) : nil]
        }
    }

    public static func - (a: Tensor, b: Tensor) -> Tensor {
        let y = zipBroadcast(a, b, -)
        let (sa, sb) = (a.shape, b.shape)
        return Tape.record(y, [a, b]) { g, needs in
            [needs[0] ? g.sum(toShape: sa) : nil, needs[1] ? (-g).sum(toShape: sb) : nil]
        }
    }

    public static func * (a: Tensor, b: Tensor) -> Tensor {
        let y = zipBroadcast(a, b, *)
        let (da, db) = (a.detached, b.detached)
        return Tape.record(y, [a, b]) { g, needs in
            [needs[0] ? (g * db).sum(toShape: da.shape) : nil,
             needs[1] ? (g * da).sum(toShape: db.shape) : nil]
        }
    }

    public static func / (a: Tensor, b: Tensor) -> Tensor {
        let y = zipBroadcast(a, b, /)
        let (da, db) = (a.detached, b.detached)
        return Tape.record(y, [a, b]) { g, needs in
            [needs[0] ? (g / db).sum(toShape: da.shape) : nil,
             needs[1] ? zipBroadcast(g * da, db) { u, v in -u / (v * v) }.sum(toShape: db.shape) : nil]
        }
    }

    public static prefix func - (x: Tensor) -> Tensor { x * -1 }
}

// MARK: - Scalar arithmetic

extension Tensor {
    public static func + (x: Tensor, s: Float) -> Tensor {
        Tape.record(x.map { $0 + s }, [x]) { g, _ in [g] }
    }

    public static func - (x: Tensor, s: Float) -> Tensor { x + (-s) }
    public static func + (s: Float, x: Tensor) -> Tensor { x + s }

    public static func - (s: Float, x: Tensor) -> Tensor {
        Tape.record(x.map { s - $0 }, [x]) { g, _ in [g.map { -$0 }] }
    }

    public static func * (x: Tensor, s: Float) -> Tensor {
        Tape.record(x.map { $0 * s }, [x]) { g, _ in [g.map { $0 * s }] }
    }

    public static func * (s: Float, x: Tensor) -> Tensor { x * s }
    public static func / (x: Tensor, s: Float) -> Tensor { x * (1 / s) }
}

// MARK: - Unary functions

extension Tensor {
    /// `f` applied to every element; not recorded (a building block for ops).
    @inline(__always)
    public func map(_ f: (Float) -> Float) -> Tensor {
        let px = ptr, n = count
        return withExtendedLifetime(self) {
            Tensor(shape: shape) { out in
                let po = out.baseAddress!
                Parallel.forChunks(n) { r in for i in r { po[i] = f(px[i]) } }
            }
        }
    }

    /// A unary op whose derivative is written in terms of input `x` and output `y`.
    @inline(__always)
    func unary(_ f: (Float) -> Float, derivative: @escaping (_ x: Float, _ y: Float) -> Float) -> Tensor {
        let y = map(f)
        let (x, yd) = (detached, y.detached)
        return Tape.record(y, [self]) { g, _ in
            let n = g.count
            let pg = g.ptr, px = x.ptr, py = yd.ptr
            let gx = withExtendedLifetime((g, x, yd)) {
                Tensor(shape: x.shape) { out in
                    let po = out.baseAddress!
                    Parallel.forChunks(n) { r in for i in r { po[i] = pg[i] * derivative(px[i], py[i]) } }
                }
            }
            return [gx]
        }
    }

    public func exp() -> Tensor { unary({ fexp($0) }, derivative: { _, y in y }) }
    public func log() -> Tensor { unary({ flog($0) }, derivative: { x, _ in 1 / x }) }
    public func sqrt() -> Tensor { unary({ $0.squareRoot() }, derivative: { _, y in 0.5 / y }) }
    public func tanh() -> Tensor { unary({ ftanh($0) }, derivative: { _, y in 1 - y * y }) }

    /// x · sigmoid(x).
    public func silu() -> Tensor {
        unary({ $0 / (1 + fexp(-$0)) }, derivative: { x, _ in
            let s = 1 / (1 + fexp(-x))
            return s * (1 + x * (1 - s))
        })
    }

    /// GELU, tanh form: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), with the vectorized
    /// tanh of FastMath. Backward recomputes the derivative from x.
    public func gelu() -> Tensor {
        let n = count, px = ptr
        let y = withExtendedLifetime(self) {
            Tensor(shape: shape) { out in
                let po = out.baseAddress!
                Parallel.forChunks(n) { r in FastMath.apply(r.count, px + r.lowerBound, po + r.lowerBound, FastMath.gelu) }
            }
        }
        let x = detached
        return Tape.record(y, [self]) { g, _ in
            let pg = g.ptr, px = x.ptr
            let gx = withExtendedLifetime((g, x)) {
                Tensor(shape: x.shape) { out in
                    let po = out.baseAddress!
                    Parallel.forChunks(n) { r in
                        FastMath.applyScaled(r.count, px + r.lowerBound, pg + r.lowerBound, po + r.lowerBound,
                                             FastMath.geluDerivative)
                    }
                }
            }
            return [gx]
        }
    }
}

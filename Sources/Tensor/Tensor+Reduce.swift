// Reductions: sum and mean over axes. Each output element is summed by one thread in
// a fixed order (axis by axis, index by index), so results never depend on threading.

extension Tensor {
    /// Sum over `axes` (all axes when empty). With `keepDims` reduced axes stay as 1.
    public func sum(axes: [Int] = [], keepDims: Bool = false) -> Tensor {
        let ax = axes.isEmpty ? Array(0..<rank) : Array(Set(axes.map { axis($0) })).sorted()
        var y = detached
        for a in ax { y = y.sumKernel(axis: a) }  // keeps each reduced axis as 1
        var keptShape = shape
        for a in ax { keptShape[a] = 1 }
        let outShape = keepDims ? keptShape : shape.enumerated().filter { !ax.contains($0.offset) }.map(\.element)
        y = Tensor(shape: outShape, storage: y.storage)
        let inShape = shape
        return Tape.record(y, [self]) { g, _ in
            if g.count == 1 { return [Tensor(repeating: g.item, shape: inShape)] }  // a full sum
            return [Tensor.zipBroadcast(Tensor(shape: keptShape, storage: g.storage), Tensor.zeros(inShape)) { u, _ in u }]
        }
    }

    /// Mean over `axes` (all axes when empty).
    public func mean(axes: [Int] = [], keepDims: Bool = false) -> Tensor {
        let ax = axes.isEmpty ? Array(0..<rank) : Array(Set(axes.map { axis($0) }))
        let n = ax.reduce(1) { $0 * shape[$1] }
        return sum(axes: axes, keepDims: keepDims) * (1 / Float(max(n, 1)))
    }

    /// Sum over one axis, kept as extent 1. Viewed as [outer, r, inner].
    private func sumKernel(axis a: Int) -> Tensor {
        let outer = shape[..<a].reduce(1, *), r = shape[a], inner = shape[(a + 1)...].reduce(1, *)
        var outShape = shape
        outShape[a] = 1
        let px = ptr
        return withExtendedLifetime(self) {
            Tensor(shape: outShape) { out in
                let po = out.baseAddress!
                if inner == 1 {
                    // Rows summed in blocks of 8 lanes, lanes added in a fixed tree.
                    Parallel.forChunks(outer, grain: max(1, Parallel.minParallelElements / max(1, r))) { rows in
                        for o in rows { po[o] = Tensor.rowSum(px + o * r, r) }
                    }
                } else {
                    Parallel.forChunks(outer * inner, grain: Parallel.minParallelElements / max(1, r)) { range in
                        // Work item = one (outer, inner-block) pair; split by whole outer rows
                        // when possible so inner loops stay long.
                        var idx = range.lowerBound
                        while idx < range.upperBound {
                            let o = idx / inner, i0 = idx % inner
                            let i1 = min(inner, i0 + (range.upperBound - idx))
                            let dst = po + o * inner
                            for i in i0..<i1 { dst[i] = 0 }
                            for k in 0..<r {
                                let src = px + (o * r + k) * inner
                                for i in i0..<i1 { dst[i] += src[i] }
                            }
                            idx += i1 - i0
                        }
                    }
                }
            }
        }
    }

    /// Sum of `n` contiguous floats in a fixed order: 8 running lanes, then a fixed tree.
    @inline(__always)
    static func rowSum(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD8<Float>(repeating: 0)
        var i = 0
        while i + 8 <= n {
            acc += UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self)
            i += 8
        }
        var s = acc.sum()
        while i < n { s += p[i]; i += 1 }
        return s
    }
}

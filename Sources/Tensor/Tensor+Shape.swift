// Shape ops: reshape (free), permute (copies), slice and concatenate along an axis.

extension Tensor {
    /// The same elements under `newShape` (one extent may be -1: inferred). Free.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var shape = newShape
        if let i = shape.firstIndex(of: -1) {
            let known = shape.enumerated().reduce(1) { $1.offset == i ? $0 : $0 * $1.element }
            precondition(known > 0 && count % known == 0, "cannot reshape \(self.shape) to \(newShape)")
            shape[i] = count / known
        }
        precondition(Tensor.count(of: shape) == count, "cannot reshape \(self.shape) to \(newShape)")
        let old = self.shape
        let y = Tensor(shape: shape, storage: storage)
        return Tape.record(y, [self]) { g, _ in [g.reshaped(old)] }
    }

    /// Axes reordered: axis `i` of the result is axis `order[i]` of `self`. Copies.
    public func permuted(_ order: [Int]) -> Tensor {
        precondition(order.sorted() == Array(0..<rank), "permutation \(order) does not fit shape \(shape)")
        if order == Array(0..<rank) { return self }
        let y = permuteKernel(order)
        var inverse = [Int](repeating: 0, count: rank)
        for (i, o) in order.enumerated() { inverse[o] = i }
        return Tape.record(y, [self]) { g, _ in [g.permuteKernel(inverse)] }
    }

    private func permuteKernel(_ order: [Int]) -> Tensor {
        let outShape = order.map { shape[$0] }
        var inStrides = [Int](repeating: 1, count: rank)
        for i in stride(from: rank - 2, through: 0, by: -1) { inStrides[i] = inStrides[i + 1] * shape[i + 1] }
        let st = order.map { inStrides[$0] }  // input stride of each output axis
        let r = rank
        let inner = outShape[r - 1], innerStride = st[r - 1]
        let rows = count / max(1, inner)
        let px = ptr
        return withExtendedLifetime(self) {
            Tensor(shape: outShape) { out in
                let po = out.baseAddress!
                Parallel.forChunks(rows, grain: max(1, Parallel.minParallelElements / max(1, inner))) { range in
                    for row in range {
                        var rem = row, src = 0
                        for ax in stride(from: r - 2, through: 0, by: -1) {
                            src += (rem % outShape[ax]) * st[ax]
                            rem /= outShape[ax]
                        }
                        let o = row * inner
                        if innerStride == 1 {
                            (po + o).update(from: px + src, count: inner)
                        } else {
                            for j in 0..<inner { po[o + j] = px[src + j * innerStride] }
                        }
                    }
                }
            }
        }
    }

    /// Swaps the last two axes. Copies.
    public var transposedLast: Tensor {
        var order = Array(0..<rank)
        order.swapAt(rank - 1, rank - 2)
        return permuted(order)
    }

    /// Elements `range` along `axis`.
    public func slice(axis: Int, _ range: Range<Int>) -> Tensor {
        let a = self.axis(axis)
        precondition(range.lowerBound >= 0 && range.upperBound <= shape[a],
                     "slice \(range) out of bounds for axis \(axis) of shape \(shape)")
        let outer = shape[..<a].reduce(1, *), inner = shape[(a + 1)...].reduce(1, *)
        let len = range.count, full = shape[a], lo = range.lowerBound
        var outShape = shape
        outShape[a] = len
        let px = ptr
        let y = withExtendedLifetime(self) {
            Tensor(shape: outShape) { out in
                let po = out.baseAddress!
                for o in 0..<outer {
                    (po + o * len * inner).update(from: px + (o * full + lo) * inner, count: len * inner)
                }
            }
        }
        let inShape = shape
        return Tape.record(y, [self]) { g, _ in
            let pg = g.ptr
            let gx = withExtendedLifetime(g) {
                Tensor(shape: inShape) { out in
                    let po = out.baseAddress!
                    po.initialize(repeating: 0, count: out.count)
                    for o in 0..<outer {
                        (po + (o * full + lo) * inner).update(from: pg + o * len * inner, count: len * inner)
                    }
                }
            }
            return [gx]
        }
    }

    /// `parts` joined along `axis`; all other extents must agree.
    public static func concatenate(_ parts: [Tensor], axis: Int) -> Tensor {
        precondition(!parts.isEmpty, "concatenate needs at least one tensor")
        let a = parts[0].axis(axis)
        var outShape = parts[0].shape
        outShape[a] = 0
        for p in parts {
            var s = p.shape
            s[a] = outShape[a]
            precondition(s == outShape, "concatenate along \(axis): shapes \(parts[0].shape) and \(p.shape) disagree")
            outShape[a] += p.shape[a]
        }
        let outer = outShape[..<a].reduce(1, *), inner = outShape[(a + 1)...].reduce(1, *)
        let total = outShape[a]
        let y = Tensor(shape: outShape) { out in
            let po = out.baseAddress!
            var offset = 0
            for p in parts {
                let len = p.shape[a]
                p.withUnsafeBufferPointer { src in
                    for o in 0..<outer {
                        (po + (o * total + offset) * inner).update(from: src.baseAddress! + o * len * inner, count: len * inner)
                    }
                }
                offset += len
            }
        }
        let lengths = parts.map { $0.shape[a] }  // shapes only: the closure must not hold the tape
        return Tape.record(y, parts) { g, needs in
            var start = 0
            return lengths.indices.map { i in
                defer { start += lengths[i] }
                return needs[i] ? g.slice(axis: a, start..<(start + lengths[i])) : nil
            }
        }
    }
}

import XCTest
@testable import Tensor

/// A finite-difference check for every differentiable op (tolerances: see GradCheck).
final class GradientTests: XCTestCase {
    func testAddSubMulDivBroadcast() {
        let cases: [([Int], [Int])] = [([3, 5], [3, 5]), ([2, 3, 4], [4]), ([2, 3, 4], [3, 1]),
                                       ([4, 1, 3], [1, 2, 3]), ([5], [2, 3, 5]), ([3, 2], [])]
        for (k, (sa, sb)) in cases.enumerated() {
            let a = randn(sa, seed: UInt64(k)), b = randn(sb, seed: UInt64(k + 50)) + 3  // keep b away from 0
            gradCheck([a, b]) { $0[0] + $0[1] }
            gradCheck([a, b]) { $0[0] - $0[1] }
            gradCheck([a, b]) { $0[0] * $0[1] }
            gradCheck([a, b]) { $0[0] / $0[1] }
        }
    }

    func testScalarOps() {
        let x = randn([3, 7], seed: 1)
        gradCheck([x]) { $0[0] * 2.5 + 1 }
        gradCheck([x]) { 3 - $0[0] / 4 }
        gradCheck([x]) { -$0[0] }
    }

    func testUnary() {
        let x = randn([4, 6], seed: 2)
        let pos = x.map { abs($0) + 0.5 }
        gradCheck([pos]) { $0[0].exp() }
        gradCheck([pos]) { $0[0].log() }
        gradCheck([pos]) { $0[0].sqrt() }
        gradCheck([x]) { $0[0].tanh() }
        gradCheck([x]) { $0[0].gelu() }
        gradCheck([x]) { $0[0].silu() }
    }

    func testMatmul2DAllTransposes() {
        let a = randn([5, 3], seed: 3), b = randn([3, 4], seed: 4)
        gradCheck([a, b]) { Tensor.matmul($0[0], $0[1]) }
        gradCheck([a, randn([4, 3], seed: 5)]) { Tensor.matmul($0[0], $0[1], transposeB: true) }
        gradCheck([randn([3, 5], seed: 6), b]) { Tensor.matmul($0[0], $0[1], transposeA: true) }
        gradCheck([randn([3, 5], seed: 7), randn([4, 3], seed: 8)]) {
            Tensor.matmul($0[0], $0[1], transposeA: true, transposeB: true)
        }
    }

    func testMatmulLeadingRowsAndBatched() {
        gradCheck([randn([2, 3, 5], seed: 9), randn([5, 4], seed: 10)]) { Tensor.matmul($0[0], $0[1]) }
        gradCheck([randn([2, 3, 5], seed: 9), randn([4, 5], seed: 10)]) {
            Tensor.matmul($0[0], $0[1], transposeB: true)
        }
        gradCheck([randn([2, 3, 5], seed: 11), randn([2, 5, 2], seed: 12)]) { Tensor.matmul($0[0], $0[1]) }
        gradCheck([randn([2, 5, 3], seed: 13), randn([2, 2, 5], seed: 14)]) {
            Tensor.matmul($0[0], $0[1], transposeA: true, transposeB: true)
        }
    }

    func testSoftmaxAndLayerNorm() {
        let x = randn([3, 4, 7], seed: 15)
        gradCheck([x]) { $0[0].softmax() }
        gradCheck([x]) { $0[0].layerNorm() }
        gradCheck([randn([6, 33], seed: 16)]) { $0[0].layerNorm() }
    }

    func testShapeOps() {
        let x = randn([2, 3, 4], seed: 17)
        gradCheck([x]) { $0[0].reshaped([4, 6]) }
        gradCheck([x]) { $0[0].permuted([2, 0, 1]) }
        gradCheck([x]) { $0[0].permuted([1, 0, 2]) }
        gradCheck([x]) { $0[0].slice(axis: 1, 1..<3) }
        gradCheck([x]) { $0[0].slice(axis: -1, 0..<1) }
        gradCheck([x, randn([2, 5, 4], seed: 18)]) { Tensor.concatenate([$0[0], $0[1]], axis: 1) }
        gradCheck([x, randn([2, 3, 2], seed: 19)]) { Tensor.concatenate([$0[1], $0[0]], axis: 2) }
    }

    func testReductions() {
        let x = randn([3, 4, 5], seed: 20)
        gradCheck([x]) { $0[0].sum(axes: [1]) }
        gradCheck([x]) { $0[0].sum(axes: [0, 2], keepDims: true) }
        gradCheck([x]) { $0[0].mean(axes: [-1]) }
        gradCheck([x]) { $0[0].sum() }
        gradCheck([x]) { $0[0].mean() }
    }

    func testMaskedMSE() {
        let p = randn([3, 4, 5], seed: 21), t = randn([3, 4, 5], seed: 22)
        let mask = Tensor(shape: [3, 4], values: [1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 1, 0])
        gradCheck([p, t]) { Tensor.maskedMSE($0[0], $0[1], mask: mask) }
    }

    func testAttentionShortAndLong() {
        // Temporal (L = 8) and spatial (L = 64) problems at head dim 32.
        for (l, g) in [(8, 3), (64, 2)] {
            let q = randn([g, l, 32], seed: 23), k = randn([g, l, 32], seed: 24), v = randn([g, l, 32], seed: 25)
            gradCheck([q, k, v], maxElements: 300) { Tensor.attention($0[0], $0[1], $0[2]) }
        }
    }

    func testCheckCatchesAWrongBackward() {
        // x² with a backward that forgets the factor 2: the check must object.
        let wrong: ([Tensor]) -> Tensor = { xs in
            let x = xs[0].detached
            return Tape.record(x * x, [xs[0]]) { g, _ in [g * x] }
        }
        XCTAssertNotNil(gradMismatch([randn([5], seed: 27)], wrong))
        XCTAssertNil(gradMismatch([randn([5], seed: 27)]) { $0[0] * $0[0] })
    }

    func testGradientAccumulatesOverReuse() {
        // y = x·x + x: dy/dx = 2x + 1, the same tensor used three times.
        let x = randn([4], seed: 26)
        let (_, g) = valueAndGrad([x]) { xs in (xs[0] * xs[0] + xs[0]).sum() }
        assertClose(g[0], x * 2 + 1)
    }
}

/// The fused block ops: finite differences and agreement with their compositions.
final class FusedOpTests: XCTestCase {
    func testLinear() {
        let x = randn([2, 3, 5], seed: 30), w = randn([5, 4], seed: 31), b = randn([4], seed: 32)
        gradCheck([x, w, b]) { Tensor.linear($0[0], $0[1], $0[2]) }
        assertClose(Tensor.linear(x, w, b), Tensor.matmul(x, w) + b, tol: 1e-5)
    }

    func testModulatedNorm() {
        let x = randn([2, 3, 4, 6], seed: 33), sh = randn([2, 6], seed: 34), sc = randn([2, 6], seed: 35, std: 0.5)
        gradCheck([x, sh, sc]) { Tensor.modulatedNorm($0[0], shift: $0[1], scale: $0[2]) }
        let composed = x.layerNorm() * (sc.reshaped([2, 1, 1, 6]) + 1) + sh.reshaped([2, 1, 1, 6])
        assertClose(Tensor.modulatedNorm(x, shift: sh, scale: sc), composed, tol: 1e-5)
    }

    func testGatedResidual() {
        let x = randn([2, 5, 3], seed: 36), gate = randn([2, 3], seed: 37), y = randn([2, 5, 3], seed: 38)
        gradCheck([x, gate, y]) { Tensor.gatedResidual($0[0], gate: $0[1], $0[2]) }
        assertClose(Tensor.gatedResidual(x, gate: gate, y), x + gate.reshaped([2, 1, 3]) * y, tol: 1e-6)
    }

    func testNeighborhoodsAndConv() {
        let x = randn([2, 4, 5, 3], seed: 39)
        gradCheck([x]) { Tensor.neighborhoods($0[0], radius: 1) }
        gradCheck([randn([1, 3, 3, 2], seed: 40)]) { Tensor.neighborhoods($0[0], radius: 2) }
        let w = randn([27, 2], seed: 41, std: 0.3), b = randn([2], seed: 42)
        gradCheck([x, w, b]) { Tensor.conv2d($0[0], $0[1], $0[2], radius: 1) }
        // Against the convolution written out, zero padding included.
        let (xv, wv, bv) = (x.values, w.values, b.values)
        let direct = Tensor(shape: [2, 4, 5, 2]) { out in
            for n in 0..<2 { for i in 0..<4 { for j in 0..<5 { for o in 0..<2 {
                var acc = bv[o]
                for di in -1...1 { for dj in -1...1 { for c in 0..<3 {
                    let (ii, jj) = (i + di, j + dj)
                    guard ii >= 0, ii < 4, jj >= 0, jj < 5 else { continue }
                    acc += xv[((n * 4 + ii) * 5 + jj) * 3 + c] * wv[(((di + 1) * 3 + dj + 1) * 3 + c) * 2 + o]
                } } }
                out[((n * 4 + i) * 5 + j) * 2 + o] = acc
            } } } }
        }
        assertClose(Tensor.conv2d(x, w, b, radius: 1), direct, tol: 1e-5)
    }

    func testFastGELUMatchesLibm() {
        // The vectorized tanh against the C library's, over the range GELU sees.
        let x = Tensor(shape: [2001], values: (0...2000).map { Float($0 - 1000) / 100 })
        let reference = x.map { 0.5 * $0 * (1 + tanhf(0.797_884_56 * ($0 + 0.044715 * $0 * $0 * $0))) }
        assertClose(x.gelu(), reference, tol: 2e-6)
    }
}

/// Attention read from a packed projection against the same attention on copied heads.
final class PackedAttentionTests: XCTestCase {
    func composed(_ qkv: Tensor, heads: Int, _ axis: AttentionAxis) -> Tensor {
        let (b, t, n, d) = (qkv.shape[0], qkv.shape[1], qkv.shape[2], qkv.shape[3] / 3)
        let dh = d / heads
        let packed = qkv.reshaped([b, t, n, 3, heads, dh])
        let split: Tensor
        switch axis {
        case .space: split = packed.permuted([3, 0, 1, 4, 2, 5])
        case .time: split = packed.permuted([3, 0, 2, 4, 1, 5])
        case .spaceTime: split = packed.reshaped([b, t * n, 3, heads, dh]).permuted([2, 0, 3, 1, 4])
        }
        let inner = Array(split.shape.dropFirst())
        func part(_ i: Int) -> Tensor { split.slice(axis: 0, i..<(i + 1)).reshaped(inner) }
        let o = Tensor.attention(part(0), part(1), part(2))
        switch axis {
        case .space: return o.permuted([0, 1, 3, 2, 4]).reshaped([b, t, n, d])
        case .time: return o.permuted([0, 3, 1, 2, 4]).reshaped([b, t, n, d])
        case .spaceTime: return o.permuted([0, 2, 1, 3]).reshaped([b, t, n, d])
        }
    }

    func testMatchesComposedValuesAndGradients() {
        let qkv = randn([2, 3, 5, 3 * 8], seed: 40), r = randn([2, 3, 5, 8], seed: 41)
        for axis in AttentionAxis.allCases {
            let fused = valueAndGrad([qkv]) { (Tensor.attention(packed: $0[0], heads: 2, over: axis) * r).sum() }
            let reference = valueAndGrad([qkv]) { (self.composed($0[0], heads: 2, axis) * r).sum() }
            XCTAssertEqual(fused.value.item, reference.value.item, accuracy: 1e-4, "\(axis)")
            assertClose(fused.grads[0], reference.grads[0], tol: 1e-5)
        }
    }

    func testFiniteDifferences() {
        for axis in AttentionAxis.allCases {
            gradCheck([randn([1, 2, 3, 3 * 4], seed: 42)]) { Tensor.attention(packed: $0[0], heads: 2, over: axis) }
        }
    }
}

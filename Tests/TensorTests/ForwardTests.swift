import XCTest
@testable import Tensor

/// Forward values against hand-computed cases, and fused ops against their composition.
final class ForwardTests: XCTestCase {
    func testArithmeticAndBroadcast() {
        let a = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        let b = Tensor(shape: [3], values: [10, 20, 30])
        XCTAssertEqual((a + b).values, [11, 22, 33, 14, 25, 36])
        XCTAssertEqual((a * Tensor(shape: [2, 1], values: [2, 3])).values, [2, 4, 6, 12, 15, 18])
        XCTAssertEqual((a - 1).values, [0, 1, 2, 3, 4, 5])
        XCTAssertEqual((b / Tensor(10)).values, [1, 2, 3])
        XCTAssertEqual((Tensor(shape: [2, 1], values: [1, 2]) + Tensor(shape: [1, 2], values: [10, 20])).values,
                       [11, 21, 12, 22])
    }

    func testMatmulValues() {
        let a = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        let b = Tensor(shape: [3, 2], values: [7, 8, 9, 10, 11, 12])
        XCTAssertEqual(Tensor.matmul(a, b).values, [58, 64, 139, 154])
        XCTAssertEqual(Tensor.matmul(a, a, transposeB: true).values, [14, 32, 32, 77])
        XCTAssertEqual(Tensor.matmul(a, a, transposeA: true).values, [17, 22, 27, 22, 29, 36, 27, 36, 45])
    }

    func testReductionsAndShapes() {
        let x = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(x.sum(axes: [0]).values, [5, 7, 9])
        XCTAssertEqual(x.sum(axes: [1]).values, [6, 15])
        XCTAssertEqual(x.sum().item, 21)
        XCTAssertEqual(x.mean(axes: [1], keepDims: true).shape, [2, 1])
        XCTAssertEqual(x.mean(axes: [1]).values, [2, 5])
        XCTAssertEqual(x.permuted([1, 0]).values, [1, 4, 2, 5, 3, 6])
        XCTAssertEqual(x.slice(axis: 1, 1..<3).values, [2, 3, 5, 6])
        XCTAssertEqual(Tensor.concatenate([x, x.slice(axis: 1, 0..<1)], axis: 1).values, [1, 2, 3, 1, 4, 5, 6, 4])
        XCTAssertEqual(x.reshaped([3, -1]).shape, [3, 2])
    }

    func testUnaryValues() {
        let x = Tensor(shape: [3], values: [-1, 0, 2])
        assertClose(x.gelu(), Tensor(shape: [3], values: [-0.158808, 0, 1.954598]), tol: 1e-5)
        assertClose(x.silu(), Tensor(shape: [3], values: [-0.268941, 0, 1.761594]), tol: 1e-5)
        assertClose(x.softmax(), Tensor(shape: [3], values: [0.042010, 0.114195, 0.843795]), tol: 1e-5)
        let ln = Tensor(shape: [4], values: [1, 2, 3, 4]).layerNorm(eps: 0)
        assertClose(ln, Tensor(shape: [4], values: [-1.341641, -0.447214, 0.447214, 1.341641]), tol: 1e-5)
    }

    func testMaskedMSEValue() {
        let p = Tensor(shape: [2, 2], values: [1, 2, 3, 4]), t = Tensor.zeros([2, 2])
        // Only the second row counts: (9 + 16) / 2.
        XCTAssertEqual(Tensor.maskedMSE(p, t, mask: Tensor(shape: [2], values: [0, 1])).item, 12.5)
    }

    func testFusedOpsMatchComposition() {
        let x = randn([5, 9], seed: 1)
        let e = (x - x.mean(axes: [-1], keepDims: true))
        let composedLN = e / (e * e).mean(axes: [-1], keepDims: true).map { ($0 + 1e-6).squareRoot() }
        assertClose(x.layerNorm(), composedLN, tol: 1e-5)
        let ex = (x - 3).exp()
        assertClose(x.softmax(), ex / ex.sum(axes: [-1], keepDims: true), tol: 1e-6)
    }

    /// Fused attention against matmul + softmax + matmul, values and gradients.
    func testAttentionMatchesComposed() {
        for l in [8, 64] {
            let q = randn([3, l, 32], seed: 2), k = randn([3, l, 32], seed: 3), v = randn([3, l, 32], seed: 4)
            let r = randn([3, l, 32], seed: 5)
            let scale = 1 / Float(32).squareRoot()
            let fused = valueAndGrad([q, k, v]) { (Tensor.attention($0[0], $0[1], $0[2]) * r).sum() }
            let composed = valueAndGrad([q, k, v]) { xs in
                let p = (Tensor.matmul(xs[0], xs[1], transposeB: true) * scale).softmax()
                return (Tensor.matmul(p, xs[2]) * r).sum()
            }
            XCTAssertEqual(fused.value.item, composed.value.item, accuracy: 1e-3)
            for i in 0..<3 { assertClose(fused.grads[i], composed.grads[i], tol: 1e-4) }
        }
    }

    func testNoTapeWithoutWatch() {
        let x = randn([4, 4], seed: 6)
        let y = Tensor.matmul(x, x).gelu().sum()
        XCTAssertFalse(y.isTracked)
    }

    func testKernelsAreDeterministic() {
        // Large enough to run on several chunks in parallel.
        let x = randn([512, 300], seed: 7)
        let a = (x.layerNorm().gelu().softmax() * 3).sum(axes: [0]).values
        let b = (x.layerNorm().gelu().softmax() * 3).sum(axes: [0]).values
        XCTAssertEqual(a, b)
        XCTAssertEqual(x.sum().item, x.sum().item)
    }
}

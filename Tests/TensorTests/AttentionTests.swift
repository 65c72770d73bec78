import XCTest
@testable import Tensor

/// The SIMD attention kernels against the plain-loop reference (Attention+Reference.swift)
/// on shapes the model never uses, their determinism, and the vector exp they rely on.
final class AttentionTests: XCTestCase {
    /// Output and input gradients of attention for upstream gradient `dO`, through the
    /// public op and the tape.
    private func fused(_ q: Tensor, _ k: Tensor, _ v: Tensor, _ dO: Tensor, scale: Float?) -> [Tensor] {
        let tape = Tape()
        let (tq, tk, tv) = (tape.watch(q), tape.watch(k), tape.watch(v))
        let out = Tensor.attention(tq, tk, tv, scale: scale)
        return [out.detached] + tape.gradients(of: (out * dO).sum(), wrt: [tq, tk, tv])
    }

    /// The same four tensors from the reference kernels, group by group.
    private func reference(_ q: Tensor, _ k: Tensor, _ v: Tensor, _ dO: Tensor, scale: Float?) -> [Tensor] {
        let l = q.shape[q.rank - 2], d = q.shape[q.rank - 1], g = q.count / (l * d)
        let s = scale ?? 1 / Float(d).squareRoot()
        let p = Tensor.zeros([g, l, l])
        let (out, dq, dk, dv) = (Tensor.zeros(q.shape), Tensor.zeros(q.shape), Tensor.zeros(q.shape), Tensor.zeros(q.shape))
        withExtendedLifetime((q, k, v, dO, p, out, dq, dk, dv)) {
            for i in 0..<g {
                let o = i * l * d, po = i * l * l
                Tensor.attentionForwardReference(q.ptr + o, k.ptr + o, v.ptr + o, p.ptr + po, out.ptr + o, l, d, s)
                Tensor.attentionBackwardReference(q.ptr + o, k.ptr + o, v.ptr + o, p.ptr + po, dO.ptr + o,
                                                  dq.ptr + o, dk.ptr + o, dv.ptr + o, l, d, s)
            }
        }
        return [out, dq, dk, dv]
    }

    func testMatchesReferenceOnRaggedShapes() {
        // Lengths and head dims that are not multiples of 8, 16 or 4 exercise every
        // tile edge, the padded score lanes and the scalar transpose edges.
        let shapes = [(1, 1), (2, 3), (3, 5), (5, 8), (8, 32), (9, 16), (13, 7), (16, 24), (17, 40), (23, 33), (64, 32)]
        for (n, (l, d)) in shapes.enumerated() {
            let seed = UInt64(100 + 4 * n)
            let q = randn([2, l, d], seed: seed), k = randn([2, l, d], seed: seed + 1)
            let v = randn([2, l, d], seed: seed + 2), dO = randn([2, l, d], seed: seed + 3)
            let got = fused(q, k, v, dO, scale: nil), want = reference(q, k, v, dO, scale: nil)
            for (a, b) in zip(got, want) { assertClose(a, b, tol: 1e-5) }
        }
    }

    func testMatchesReferenceForOtherScales() {
        // A negative scale flips which score is the row max; zero makes softmax uniform;
        // a large one makes it nearly one-hot (exp arguments far below −86).
        for (n, scale) in [Float(-0.7), 0, 3].enumerated() {
            let seed = UInt64(200 + 4 * n)
            let q = randn([3, 12, 8], seed: seed), k = randn([3, 12, 8], seed: seed + 1)
            let v = randn([3, 12, 8], seed: seed + 2), dO = randn([3, 12, 8], seed: seed + 3)
            let got = fused(q, k, v, dO, scale: scale), want = reference(q, k, v, dO, scale: scale)
            for (a, b) in zip(got, want) { assertClose(a, b, tol: 1e-4) }
        }
    }

    func testLargeLogitsStayFinite() {
        let q = randn([2, 64, 32], seed: 300, std: 30), k = randn([2, 64, 32], seed: 301, std: 30)
        let v = randn([2, 64, 32], seed: 302), dO = randn([2, 64, 32], seed: 303)
        let got = fused(q, k, v, dO, scale: nil), want = reference(q, k, v, dO, scale: nil)
        for t in got { XCTAssertTrue(t.values.allSatisfy { $0.isFinite }) }
        // Scores of order 10³: products and softmax round differently, so a looser bound.
        for (a, b) in zip(got, want) { assertClose(a, b, tol: 1e-3) }
    }

    func testBitIdenticalAcrossRunsAndPartitions() {
        // Each group alone must give the same bits as inside a batch that is split over
        // the cores, and two runs must agree exactly.
        for (g, l) in [(37, 64), (301, 8)] {
            let q = randn([g, l, 32], seed: 400), k = randn([g, l, 32], seed: 401)
            let v = randn([g, l, 32], seed: 402), dO = randn([g, l, 32], seed: 403)
            let first = fused(q, k, v, dO, scale: nil), second = fused(q, k, v, dO, scale: nil)
            for (a, b) in zip(first, second) { XCTAssertEqual(a.values, b.values) }
            for i in [0, g / 2, g - 1] {
                let one = { (t: Tensor) in t.slice(axis: 0, i..<(i + 1)) }
                let alone = fused(one(q), one(k), one(v), one(dO), scale: nil)
                for (a, b) in zip(alone, first) { XCTAssertEqual(a.values, one(b).values, "group \(i) of \(g)") }
            }
        }
    }

    func testStridedKernelsMatchContiguous() {
        // The per-group kernels read q, k, v rows `ld` apart and o, dO rows `ldo` apart (as in
        // a packed [L, 3, H, d] projection); the results must be the contiguous ones, bit for bit.
        for (l, d) in [(8, 32), (13, 7), (64, 32)] {
            let q = randn([1, l, d], seed: 500), k = randn([1, l, d], seed: 501)
            let v = randn([1, l, d], seed: 502), dO = randn([1, l, d], seed: 503)
            let want = fused(q, k, v, dO, scale: nil)
            let ld = 3 * d + 2, ldo = d + 5, lds = Tensor.attentionScoreStride(l)
            var packed = [Float](repeating: .nan, count: l * ld), gOut = [Float](repeating: .nan, count: l * ldo)
            for j in 0..<l {
                for c in 0..<d {
                    packed[j * ld + c] = q.values[j * d + c]
                    packed[j * ld + d + c] = k.values[j * d + c]
                    packed[j * ld + 2 * d + c] = v.values[j * d + c]
                    gOut[j * ldo + c] = dO.values[j * d + c]
                }
            }
            var pt = [Float](repeating: 0, count: l * lds), o = [Float](repeating: .nan, count: l * ldo)
            var grads = [Float](repeating: .nan, count: l * ld)
            var scratch = [Float](repeating: 0, count: d * l + l * lds)
            let s = 1 / Float(d).squareRoot()
            packed.withUnsafeBufferPointer { x in
                let x = x.baseAddress!
                grads.withUnsafeMutableBufferPointer { gr in
                    let gr = gr.baseAddress!
                    Tensor.attentionForward(x, x + d, x + 2 * d, ld: ld, &pt, &o, ldo: ldo, l, d, s, scratch: &scratch)
                    Tensor.attentionBackward(x, x + d, x + 2 * d, ld: ld, pt, gOut, ldo: ldo,
                                             gr, gr + d, gr + 2 * d, l, d, s, scratch: &scratch)
                }
            }
            for j in 0..<l {
                for c in 0..<d {
                    XCTAssertEqual(o[j * ldo + c], want[0].values[j * d + c])
                    for t in 0..<3 { XCTAssertEqual(grads[j * ld + t * d + c], want[1 + t].values[j * d + c]) }
                }
            }
        }
    }

    func testVectorExpAgainstLibm() {
        var worst: Float = 0
        var x: Float = -86
        while x <= 0 {
            let e = AttentionKernels.exp8(Vec8(repeating: x))[0], want = expf(x)
            worst = max(worst, abs(e - want) / want)
            x += 0.0037
        }
        XCTAssertLessThan(worst, 3e-7)  // about 2.5 ulp
        let edge = AttentionKernels.exp8(Vec8(0, -0, -86.5, -1e30, -.infinity, .nan, -1e-30, -87.3))
        XCTAssertEqual(edge[0], 1)
        XCTAssertEqual(edge[1], 1)
        XCTAssertEqual(edge[2], 0)
        XCTAssertEqual(edge[3], 0)
        XCTAssertEqual(edge[4], 0)
        XCTAssertTrue(edge[5].isNaN)
        XCTAssertEqual(edge[6], 1)
        XCTAssertEqual(edge[7], 0)
    }
}

import XCTest
@testable import Tensor

/// Finite-difference gradient check.
///
/// The op under test is reduced to a scalar as Σ op(x)∘R with a fixed random R, so every
/// output element contributes. Each input element is perturbed by ±eps (central
/// difference, computed in Float); the analytic gradient must agree within
/// |analytic − numeric| ≤ atol + rtol·max(|analytic|, |numeric|). With eps = 1e-2 and
/// smooth ops the truncation error is O(eps²) and Float rounding ~1e-7·|loss|/eps,
/// so atol = rtol = 1e-2 leaves a wide margin while still catching a wrong formula
/// (which is off by O(1)).
func gradCheck(
    _ inputs: [Tensor], eps: Float = 1e-2, atol: Float = 1e-2, rtol: Float = 1e-2,
    maxElements: Int = 400, seed: UInt64 = 99,
    file: StaticString = #filePath, line: UInt = #line,
    _ f: @escaping ([Tensor]) -> Tensor
) {
    if let problem = gradMismatch(inputs, eps: eps, atol: atol, rtol: rtol, maxElements: maxElements, seed: seed, f) {
        XCTFail(problem, file: file, line: line)
    }
}

/// The first disagreement between analytic and numeric gradients, or nil.
func gradMismatch(
    _ inputs: [Tensor], eps: Float = 1e-2, atol: Float = 1e-2, rtol: Float = 1e-2,
    maxElements: Int = 400, seed: UInt64 = 99, _ f: @escaping ([Tensor]) -> Tensor
) -> String? {
    var rng = RNG(seed: seed)
    let probe = f(inputs)
    let r = Tensor.randn(probe.shape, rng: &rng)
    let loss: ([Tensor]) -> Tensor = { xs in (f(xs) * r).sum() }
    let (_, grads) = valueAndGrad(inputs, loss)
    for (n, x) in inputs.enumerated() {
        if grads[n].shape != x.shape { return "gradient shape \(grads[n].shape) of input \(n), expected \(x.shape)" }
        // Check every element of small inputs, an evenly spread subset of large ones.
        let step = max(1, x.count / maxElements)
        for i in stride(from: 0, to: x.count, by: step) {
            var plus = inputs, minus = inputs
            plus[n].withUnsafeMutableBufferPointer { $0[i] += eps }
            minus[n].withUnsafeMutableBufferPointer { $0[i] -= eps }
            let numeric = (loss(plus).item - loss(minus).item) / (2 * eps)
            let analytic = grads[n].values[i]
            let tol = atol + rtol * max(abs(analytic), abs(numeric))
            if !(abs(analytic - numeric) <= tol) {
                return "input \(n) element \(i): analytic \(analytic) vs numeric \(numeric)"
            }
        }
    }
    return nil
}

func randn(_ shape: [Int], seed: UInt64, std: Float = 1) -> Tensor {
    var rng = RNG(seed: seed)
    return Tensor.randn(shape, std: std, rng: &rng)
}

func assertClose(_ a: Tensor, _ b: Tensor, tol: Float = 1e-5, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.shape, b.shape, file: file, line: line)
    let worst = zip(a.values, b.values).map { abs($0 - $1) }.max() ?? 0
    XCTAssertLessThanOrEqual(worst, tol, "max |a − b| = \(worst)", file: file, line: line)
}

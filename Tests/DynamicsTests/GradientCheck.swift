import XCTest
import Tensor
@testable import Dynamics

/// Checks the gradient of `loss(model, δ)` with respect to every parameter of `model` against
/// central differences, for the squared error (δ = 0) and the pseudo-Huber one (δ = 0.3
/// network units): a sample of each parameter's entries, most of which must carry gradient.
func assertGradientsMatchFiniteDifferences<M: ParameterVisitable>(
    _ model: M, loss: (M, Float) -> Tensor, file: StaticString = #filePath, line: UInt = #line
) {
    let params = model.parameters, names = model.namedParameters.map(\.name)
    for robust: Float in [0, 0.3] {
        func lossAt(_ ps: [Tensor]) -> Tensor {
            var m = model
            m.parameters = ps
            return loss(m, robust)
        }
        let (_, grads) = valueAndGrad(params) { lossAt($0) }
        let eps: Float = 1e-2
        var checked = 0, nonzero = 0
        for (k, p) in params.enumerated() {
            for i in stride(from: 0, to: p.count, by: max(1, p.count / 24)) {
                var plus = params, minus = params
                plus[k].withUnsafeMutableBufferPointer { $0[i] += eps }
                minus[k].withUnsafeMutableBufferPointer { $0[i] -= eps }
                let numeric = (Double(lossAt(plus).item) - Double(lossAt(minus).item)) / Double(2 * eps)
                XCTAssertEqual(Double(grads[k].values[i]), numeric, accuracy: 2e-3 + 2e-2 * abs(numeric),
                               "\(names[k])[\(i)], robust \(robust)", file: file, line: line)
                checked += 1
                if abs(numeric) > 1e-4 { nonzero += 1 }
            }
        }
        XCTAssertGreaterThan(checked, 100, file: file, line: line)
        XCTAssertGreaterThan(nonzero, 50, "most sampled entries carry gradient", file: file, line: line)
    }
}

extension GraphNetwork {
    /// A small network of `config`'s kind for a gradient check: MLPs 8 wide with 4-wide
    /// effects, inputs of order 1 (distances in eighths, velocities as they are) so that central
    /// differences of 1e-2 see the loss's slope, and last layers larger than the init so that
    /// every path carries gradient.
    static func forGradientCheck(_ config: Config, rng: inout RNG) -> GraphNetwork {
        var c = config
        (c.relationHidden, c.effectWidth, c.objectHidden) = (8, 4, 8)
        (c.distanceScale, c.velocityScale) = (8, 1)
        var net = GraphNetwork(c, rng: &rng)
        net.relation.layers[1].weight = Tensor.randn(net.relation.layers[1].weight.shape, std: 0.5, rng: &rng)
        net.object.layers[1].weight = Tensor.randn(net.object.layers[1].weight.shape, std: 0.5, rng: &rng)
        return net
    }
}

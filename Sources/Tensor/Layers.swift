// The layers every model family is built from, and how a model lists its parameters.
//
// Every layer can list its parameters and rewrite them in place through
// `visit(_:_:)`, which is how a model is saved, loaded, watched on a tape and updated
// by the optimizer. Parameters have dotted names (`blocks.0.mlp.fc1.weight`): those names
// are the safetensors keys. Init rules are written where they are applied.

// MARK: - Parameter visiting

/// A parameter's dotted name and shape: what a config implies before any model is built,
/// and what a checkpoint's header is checked against.
public typealias ParameterShape = (name: String, shape: [Int])

/// Something that holds named parameters.
public protocol ParameterVisitable {
    /// Calls `f` with each parameter's dotted name (prefixed by `prefix`) in a fixed order.
    mutating func visit(_ prefix: String, _ f: (String, inout Tensor) -> Void)
}

extension ParameterVisitable {
    /// The parameters by dotted name, in visiting order.
    public var namedParameters: [(name: String, value: Tensor)] {
        var copy = self
        var out: [(String, Tensor)] = []
        copy.visit("") { name, t in out.append((name, t)) }
        return out
    }

    /// The parameters in visiting order; setting them requires the same count and shapes.
    public var parameters: [Tensor] {
        get { namedParameters.map(\.value) }
        set {
            var k = 0
            visit("") { name, t in
                precondition(k < newValue.count, "\(newValue.count) parameters given, the model has more")
                precondition(newValue[k].shape == t.shape, "\(name): shape \(newValue[k].shape), expected \(t.shape)")
                t = newValue[k]
                k += 1
            }
            precondition(k == newValue.count, "\(newValue.count) parameters given, the model has \(k)")
        }
    }

    /// Total number of parameter elements.
    public var parameterCount: Int { namedParameters.reduce(0) { $0 + $1.value.count } }

    /// The parameters' names and shapes, in visiting order.
    public var parameterShapes: [ParameterShape] { namedParameters.map { ($0.name, $0.value.shape) } }
}

/// The dotted name of `name` inside `prefix` (just `name` at the top level).
public func join(_ prefix: String, _ name: String) -> String { prefix.isEmpty ? name : prefix + "." + name }

// MARK: - Linear

/// How a Linear layer's weight starts; its bias always starts at zero.
public enum LinearInit: Equatable, Sendable {
    /// U(±√(6/(in+out))) (Glorot & Bengio 2010).
    case xavierUniform
    /// N(0, gain²/in) (LeCun normal, scaled by `gain`).
    case normal(gain: Float)
    /// All zeros, with no draw from the RNG: a layer that must start as a no-op
    /// (adaLN-Zero's modulation, an output layer).
    case zero
}

/// y = x·W + b over the last axis. weight [in, out], bias [out].
public struct Linear: ParameterVisitable {
    public var weight: Tensor
    public var bias: Tensor

    /// Weight drawn by `rule` (Xavier-uniform unless told), zero bias.
    public init(_ inputs: Int, _ outputs: Int, _ rule: LinearInit = .xavierUniform, rng: inout RNG) {
        switch rule {
        case .xavierUniform:
            let limit = (6 / Float(inputs + outputs)).squareRoot()
            weight = .uniform([inputs, outputs], -limit, limit, rng: &rng)
        case .normal(let gain):
            weight = .randn([inputs, outputs], std: gain / Float(inputs).squareRoot(), rng: &rng)
        case .zero:
            weight = .zeros([inputs, outputs])
        }
        bias = .zeros([outputs])
    }

    /// x [..., in] → [..., out]
    public func callAsFunction(_ x: Tensor) -> Tensor {
        Tensor.linear(x, weight, bias)
    }

    public mutating func visit(_ prefix: String, _ f: (String, inout Tensor) -> Void) {
        f(join(prefix, "weight"), &weight)
        f(join(prefix, "bias"), &bias)
    }

    /// What `visit` lists for a layer of these widths, without allocating it.
    public static func parameterShapes(_ inputs: Int, _ outputs: Int, prefix: String) -> [ParameterShape] {
        [(join(prefix, "weight"), [inputs, outputs]), (join(prefix, "bias"), [outputs])]
    }
}

// MARK: - MLP

/// Linear layers with GELU between them: widths[0] → widths[1] → … → widths.last.
public struct MLP: ParameterVisitable {
    public var layers: [Linear]
    /// Layer i's parameters are `names[i].weight` and `names[i].bias`.
    public let names: [String]

    /// Layer i is initialized by `rule(i)`, drawn in layer order, and named `names[i]`
    /// ("0", "1", … unless given).
    public init(widths: [Int], names: [String]? = nil, rng: inout RNG,
                rule: (_ layer: Int) -> LinearInit = { _ in .xavierUniform }) {
        precondition(widths.count >= 2, "an MLP needs an input and an output width, got \(widths)")
        let count = widths.count - 1
        precondition(names == nil || names!.count == count, "\(count) layers, \(names!.count) names")
        layers = (0..<count).map { i in Linear(widths[i], widths[i + 1], rule(i), rng: &rng) }
        self.names = names ?? (0..<count).map(String.init)
    }

    /// x [..., widths[0]] → [..., widths.last].
    public func callAsFunction(_ x: Tensor) -> Tensor {
        var h = x
        for (i, layer) in layers.enumerated() {
            h = layer(h)
            if i < layers.count - 1 { h = h.gelu() }
        }
        return h
    }

    public mutating func visit(_ prefix: String, _ f: (String, inout Tensor) -> Void) {
        for i in layers.indices { layers[i].visit(join(prefix, names[i]), f) }
    }

    /// What `visit` lists for an MLP of these widths and names, without allocating it.
    public static func parameterShapes(widths: [Int], names: [String]? = nil, prefix: String) -> [ParameterShape] {
        (0..<(widths.count - 1)).flatMap { i in
            Linear.parameterShapes(widths[i], widths[i + 1], prefix: join(prefix, names?[i] ?? String(i)))
        }
    }
}

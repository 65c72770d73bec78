// Layers: structs with explicit, dotted parameter names (the safetensors keys).
//
// Every layer can list its parameters and rewrite them in place through
// `visit(_:_:)`, which is how the model is saved, loaded, watched on a tape and updated
// by the optimizer. Init rules are written where they are applied.

import Tensor

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

    /// Total number of parameter elements.
    public var parameterCount: Int { namedParameters.reduce(0) { $0 + $1.value.count } }
}

func join(_ prefix: String, _ name: String) -> String { prefix.isEmpty ? name : prefix + "." + name }

// MARK: - Linear

/// y = x·W + b over the last axis. weight [in, out], bias [out].
public struct Linear: ParameterVisitable {
    public var weight: Tensor
    public var bias: Tensor

    /// Xavier-uniform weights (U(±√(6/(in+out)))) and zero bias — or all zeros for the
    /// adaLN-Zero modulation and the output layer, which must start as no-ops.
    public init(_ inputs: Int, _ outputs: Int, zero: Bool = false, rng: inout RNG) {
        let limit = (6 / Float(inputs + outputs)).squareRoot()
        weight = zero ? .zeros([inputs, outputs]) : .uniform([inputs, outputs], -limit, limit, rng: &rng)
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
}

// MARK: - Conv

/// A same-size K×K convolution (K = 2·radius + 1) on channel-last images [N, H, W, in] →
/// [N, H, W, out]. weight [K·K·in, out] (rows ordered as Tensor.neighborhoods lays them
/// out), bias [out]. Xavier-uniform over the window's fan-in, or all zeros.
public struct Conv: ParameterVisitable {
    public var weight: Tensor
    public var bias: Tensor
    public let radius: Int

    public init(_ inputs: Int, _ outputs: Int, radius: Int = 1, zero: Bool = false, rng: inout RNG) {
        let k = 2 * radius + 1
        let fanIn = k * k * inputs
        let limit = (6 / Float(fanIn + outputs)).squareRoot()
        weight = zero ? .zeros([fanIn, outputs]) : .uniform([fanIn, outputs], -limit, limit, rng: &rng)
        bias = .zeros([outputs])
        self.radius = radius
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { Tensor.conv2d(x, weight, bias, radius: radius) }

    public mutating func visit(_ prefix: String, _ f: (String, inout Tensor) -> Void) {
        f(join(prefix, "weight"), &weight)
        f(join(prefix, "bias"), &bias)
    }
}

// MARK: - MLP

/// fc2(GELU(fc1(x))), hidden width D·ratio.
public struct MLP: ParameterVisitable {
    public var fc1: Linear
    public var fc2: Linear

    public init(width: Int, hidden: Int, rng: inout RNG) {
        fc1 = Linear(width, hidden, rng: &rng)
        fc2 = Linear(hidden, width, rng: &rng)
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { fc2(fc1(x).gelu()) }

    public mutating func visit(_ prefix: String, _ f: (String, inout Tensor) -> Void) {
        fc1.visit(join(prefix, "fc1"), f)
        fc2.visit(join(prefix, "fc2"), f)
    }
}

// MARK: - Modulation

/// adaLN: layer norm (no affine) then per-clip shift and scale: LN(x)·(1 + scale) + shift.
/// x [B, ..., D]; shift, scale [B, D] apply to every token of their clip.
public func modulate(_ x: Tensor, shift: Tensor, scale: Tensor) -> Tensor {
    Tensor.modulatedNorm(x, shift: shift, scale: scale)
}

/// The sinusoidal embedding of noise levels t ∈ [0, 1]: [B] → [B, dim], with
/// frequencies 10000^(−i/half) applied to 1000·t (cos half first, then sin).
public func noiseLevelEmbedding(_ t: [Float], dim: Int) -> Tensor {
    let half = dim / 2
    var out = [Float](repeating: 0, count: t.count * dim)
    for (b, tb) in t.enumerated() {
        for i in 0..<half {
            let freq = Float(Libm.exp(-Libm.log(10000) * Double(i) / Double(half)))
            let a = 1000 * tb * freq
            out[b * dim + i] = Float(Libm.cos(Double(a)))
            out[b * dim + half + i] = Float(Libm.sin(Double(a)))
        }
    }
    return Tensor(shape: [t.count, dim], values: out)
}

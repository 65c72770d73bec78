// The diffusion models' own layers: convolution, the transformer's feed-forward, adaLN
// modulation and the noise-level embedding. Linear, MLP and parameter visiting, which every
// model family shares, are Tensor's (Tensor/Layers.swift). Init rules are written where
// they are applied.

import Tensor

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

    /// What `visit` lists for a convolution of these widths, without allocating it.
    public static func parameterShapes(_ inputs: Int, _ outputs: Int, radius: Int = 1, prefix: String) -> [ParameterShape] {
        let k = 2 * radius + 1
        return [(join(prefix, "weight"), [k * k * inputs, outputs]), (join(prefix, "bias"), [outputs])]
    }
}

// MARK: - MLP

extension MLP {
    /// The transformer block's feed-forward: fc1 (D → hidden), GELU, fc2 (hidden → D), both
    /// Xavier-uniform.
    public init(width: Int, hidden: Int, rng: inout RNG) {
        self.init(widths: Self.feedForward(width: width, hidden: hidden), names: Self.feedForwardNames, rng: &rng)
    }

    /// The feed-forward's widths and layer names.
    static func feedForward(width: Int, hidden: Int) -> [Int] { [width, hidden, width] }
    static let feedForwardNames = ["fc1", "fc2"]

    /// What `visit` lists for the feed-forward `init(width:hidden:rng:)` makes.
    public static func parameterShapes(width: Int, hidden: Int, prefix: String) -> [ParameterShape] {
        parameterShapes(widths: feedForward(width: width, hidden: hidden), names: feedForwardNames, prefix: prefix)
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

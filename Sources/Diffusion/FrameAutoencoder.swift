// A small frame autoencoder: the denoiser of a latent model works on its latents, and its
// decoder, trained on clean frames only, draws every frame the model makes.
//
// Shapes (N frames; H = W = frameSize; h = w = H/4; L latent channels):
//   encode  planar [N, 3, H, W] → channel-last [N, H, W, 3]
//           conv 3×3 → E₀, GELU, space-to-depth 2 → [N, H/2, W/2, 4E₀]
//           conv 3×3 → E₁, GELU, space-to-depth 2 → [N, h, w, 4E₁]
//           conv 3×3 → L, tanh → raw latents; then each channel's measured range is
//           mapped onto [−1, 1] (`LatentRange`) → planar [N, L, h, w]. A ball then spans
//           the latents' range the way it spans the pixels' (black −1, lit +1), so the
//           noise schedule tuned on pixels reads the same in latents, and the samplers'
//           clipping of x̂₀ to [−1, 1] holds for latents too
//   decode  undo the range map, then the mirror: conv 3×3 → 4E₁, GELU, depth-to-space 2; conv 3×3 → 4E₀, GELU,
//           depth-to-space 2 → [N, H, W, E₀]; conv 3×3 → E₀, GELU; conv 3×3 → 3 → planar
//           [N, 3, H, W] (a linear output; callers clip to [−1, 1])
// Each 3×3 convolution sees its neighbours, so neighbouring latent cells agree on the
// pixels between them: no seam along a 4×4 grid.

import Tensor

/// Where each latent channel lies: latents are stored as (raw − center)/halfRange, raw being
/// the tanh output. Measured on held-out frames once the codec is trained (`measured`);
/// until then the identity (center 0, half range 1).
public struct LatentRange: Equatable, Sendable {
    public var center: [Float]
    public var halfRange: [Float]

    public init(center: [Float], halfRange: [Float]) {
        precondition(center.count == halfRange.count && halfRange.allSatisfy { $0 > 0 }, "a latent range needs positive half ranges")
        (self.center, self.halfRange) = (center, halfRange)
    }

    public static func identity(channels: Int) -> LatentRange {
        LatentRange(center: [Float](repeating: 0, count: channels), halfRange: [Float](repeating: 1, count: channels))
    }

    public var isIdentity: Bool { center.allSatisfy { $0 == 0 } && halfRange.allSatisfy { $0 == 1 } }

    /// The range of raw latents [N, L, h, w]: per channel, the `tail` and 1 − `tail`
    /// quantiles (so a rare outlier does not set it), widened to at least 0.05 across.
    public static func measured(raw: Tensor, tail: Double = 0.001) -> LatentRange {
        let (n, l) = (raw.shape[0], raw.shape[1])
        let cells = raw.shape[2] * raw.shape[3]
        let v = raw.values
        var center = [Float](), half = [Float]()
        for c in 0..<l {
            var xs = [Float]()
            xs.reserveCapacity(n * cells)
            for i in 0..<n { xs += v[((i * l + c) * cells)..<((i * l + c + 1) * cells)] }
            xs.sort()
            let k = Int((Double(xs.count - 1) * tail).rounded())
            let (lo, hi) = (xs[k], xs[xs.count - 1 - k])
            center.append((lo + hi) / 2)
            half.append(max(0.025, (hi - lo) / 2))
        }
        return LatentRange(center: center, halfRange: half)
    }
}

/// Encoder and decoder of single frames.
public struct FrameAutoencoder: ParameterVisitable {
    public let config: AutoencoderConfig
    public var encoder: [Conv]
    public var decoder: [Conv]
    /// The map of raw latents onto [−1, 1]; not a trained parameter (`visit` skips it).
    public var range: LatentRange

    /// Xavier-uniform convolutions (Conv's rule), zero biases.
    public init(_ config: AutoencoderConfig, rng: inout RNG) {
        self.config = config
        let (e, d) = config.convolutions
        encoder = e.map { Conv($0.inputs, $0.outputs, rng: &rng) }
        decoder = d.map { Conv($0.inputs, $0.outputs, rng: &rng) }
        range = .identity(channels: config.latentChannels)
    }

    /// Planar frames [N, 3, H, W] in [−1, 1] → latents [N, L, h, w], in about [−1, 1].
    public func encode(_ frames: Tensor) -> Tensor {
        var x = encodeRaw(frames).permuted([0, 2, 3, 1])
        if !range.isIdentity {
            let l = config.latentChannels
            x = (x - Tensor(shape: [l], values: range.center)) * Tensor(shape: [l], values: range.halfRange.map { 1 / $0 })
        }
        return x.permuted([0, 3, 1, 2])
    }

    /// Frames → the raw tanh latents [N, L, h, w], before the range map.
    public func encodeRaw(_ frames: Tensor) -> Tensor {
        let c = config
        precondition(frames.rank == 4 && Array(frames.shape.dropFirst()) == [3, c.frameSize, c.frameSize],
                     "encode: frames \(frames.shape) must be [N, 3, \(c.frameSize), \(c.frameSize)]")
        var x = frames.permuted([0, 2, 3, 1])
        x = Self.spaceToDepth(encoder[0](x).gelu())
        x = Self.spaceToDepth(encoder[1](x).gelu())
        return encoder[2](x).tanh().permuted([0, 3, 1, 2])
    }

    /// Latents [N, L, h, w] → planar frames [N, 3, H, W] (not clipped).
    public func decode(_ latents: Tensor) -> Tensor {
        let c = config
        precondition(latents.rank == 4 && Array(latents.shape.dropFirst()) == [c.latentChannels, c.latentSize, c.latentSize],
                     "decode: latents \(latents.shape) must be [N, \(c.latentChannels), \(c.latentSize), \(c.latentSize)]")
        var x = latents.permuted([0, 2, 3, 1])
        if !range.isIdentity {
            let l = c.latentChannels
            x = x * Tensor(shape: [l], values: range.halfRange) + Tensor(shape: [l], values: range.center)
        }
        x = Self.depthToSpace(decoder[0](x).gelu())
        x = Self.depthToSpace(decoder[1](x).gelu())
        x = decoder[2](x).gelu()
        return decoder[3](x).permuted([0, 3, 1, 2])
    }

    /// [N, H, W, C] → [N, H/2, W/2, 4C]: each 2×2 block of pixels becomes one cell.
    static func spaceToDepth(_ x: Tensor) -> Tensor {
        let (n, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        return x.reshaped([n, h / 2, 2, w / 2, 2, c]).permuted([0, 1, 3, 2, 4, 5]).reshaped([n, h / 2, w / 2, 4 * c])
    }

    /// [N, h, w, 4C] → [N, 2h, 2w, C], the inverse of `spaceToDepth`.
    static func depthToSpace(_ x: Tensor) -> Tensor {
        let (n, h, w, c4) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        return x.reshaped([n, h, w, 2, 2, c4 / 4]).permuted([0, 1, 3, 2, 4, 5]).reshaped([n, 2 * h, 2 * w, c4 / 4])
    }

    public mutating func visit(_ prefix: String, _ f: (String, inout Tensor) -> Void) {
        for i in encoder.indices { encoder[i].visit(join(prefix, "encoder.\(i)"), f) }
        for i in decoder.indices { decoder[i].visit(join(prefix, "decoder.\(i)"), f) }
    }

    /// Names of the range's tensors in a codec file.
    public static let rangeCenterName = "latent.center", rangeHalfName = "latent.halfRange"

    /// What a codec file holds: the weights, and the range unless it is the identity.
    public var fileEntries: [SafeTensorsEntry] {
        var entries = namedParameters.map { $0.value.entry($0.name) }
        if !range.isIdentity {
            let l = config.latentChannels
            entries.append(Tensor(shape: [l], values: range.center).entry(Self.rangeCenterName))
            entries.append(Tensor(shape: [l], values: range.halfRange).entry(Self.rangeHalfName))
        }
        return entries
    }
}

extension AutoencoderConfig {
    /// The (inputs, outputs) of the encoder's and the decoder's 3×3 convolutions, in order
    /// (the shapes in the file header).
    var convolutions: (encoder: [(inputs: Int, outputs: Int)], decoder: [(inputs: Int, outputs: Int)]) {
        let (e0, e1, l) = (widths[0], widths[1], latentChannels)
        return ([(3, e0), (4 * e0, e1), (4 * e1, l)], [(l, 4 * e1), (e1, 4 * e0), (e0, e0), (e0, 3)])
    }

    /// The autoencoder's trained parameters by dotted name and shape, in
    /// `FrameAutoencoder.visit`'s order, without building it (the latent range is not one).
    public var parameterShapes: [ParameterShape] {
        let (e, d) = convolutions
        return e.enumerated().flatMap { Conv.parameterShapes($1.inputs, $1.outputs, prefix: "encoder.\($0)") }
            + d.enumerated().flatMap { Conv.parameterShapes($1.inputs, $1.outputs, prefix: "decoder.\($0)") }
    }
}

extension FrameAutoencoder {
    /// Encodes clips [B, T, 3, H, W] → [B, T, L, h, w].
    public func encodeClips(_ clips: Tensor) -> Tensor {
        let (b, t) = (clips.shape[0], clips.shape[1])
        let z = encode(clips.reshaped([b * t] + Array(clips.shape.dropFirst(2))))
        return z.reshaped([b, t] + Array(z.shape.dropFirst()))
    }

    /// Decodes clips [B, T, L, h, w] → [B, T, 3, H, W], clipped to [−1, 1].
    public func decodeClips(_ latents: Tensor) -> Tensor {
        let (b, t) = (latents.shape[0], latents.shape[1])
        let x = decode(latents.reshaped([b * t] + Array(latents.shape.dropFirst(2)))).map { min(1, max(-1, $0)) }
        return x.reshaped([b, t] + Array(x.shape.dropFirst()))
    }
}

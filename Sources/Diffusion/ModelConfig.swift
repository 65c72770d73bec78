// The configurations of Diffusion's two networks, the denoiser and the frame autoencoder:
// plain values with defaults, presets, and strict JSON.
//
// Shape letters used throughout Diffusion (and by Sample, Train and Eval, which add K):
//   B batch (clips), T frames per window, C colour channels (or latent channels), H×W
//   pixels, P patch side, N = (H/P)(W/P) tokens per frame, D width, NH heads, DH = D/NH
//   head dim; K context frames of a window, F frames of a long video. t is a noise level.

/// How a block attends: spatial-then-temporal (factorized) or over all tokens (joint).
public enum AttentionKind: String, Codable, CaseIterable, Sendable {
    case factorized
    case joint
}

/// The denoiser's shape. Saved beside the weights; a mismatch fails by key.
public struct ModelConfig: Codable, Equatable, Sendable {
    /// Frames per window (T).
    public var frames = 8
    /// Colour channels (C).
    public var channels = 3
    /// Frame height and width in pixels (H = W).
    public var size = 32
    /// Patch side in pixels (P).
    public var patch = 4
    /// Token width (D).
    public var width = 128
    /// Transformer blocks.
    public var depth = 4
    /// Attention heads (NH); width must divide by it.
    public var heads = 4
    /// MLP hidden width as a multiple of D.
    public var mlpRatio = 4
    /// Factorized (spatial, then temporal) or joint space-time attention.
    public var attention = AttentionKind.factorized
    /// The noise schedule's shift k (CosineSchedule.shift): the model is trained and sampled
    /// at SNR(t)/k²; 1 is the plain cosine schedule.
    public var noiseShift = 1.0
    /// Staggered denoising (FrameRamp): each generated frame trails the one before it by
    /// this fraction of the noise range, so earlier frames clear first and later ones are
    /// forecast from them. 0 denoises every frame of a window at one level.
    public var frameLag = 0.0
    public init() {}

    /// The noise schedule this model is trained and sampled with.
    public var schedule: CosineSchedule { CosineSchedule(shift: noiseShift) }

    /// The order in which this model's windows are denoised.
    public var ramp: FrameRamp { FrameRamp(lag: frameLag) }

    /// Tokens per frame (N).
    public var tokensPerFrame: Int { (size / patch) * (size / patch) }
    /// Values per patch the embedding sees: C·P·P values plus the context-mask channel.
    public var patchInputs: Int { channels * patch * patch + 1 }
    /// Values per patch the output layer makes: C·P·P.
    public var patchOutputs: Int { channels * patch * patch }
    /// Head dimension (DH).
    public var headDim: Int { width / heads }

    /// The reference model: 8 frames of 3×32×32, patch 4, width 128, depth 4, 4 heads, on
    /// the plain cosine schedule with every frame at one level: the speed benchmark's
    /// fixed workload. The training presets (TrainConfig) add their noise shift and frame lag.
    public static let reference = ModelConfig()

    /// A model small enough for tests to train in seconds.
    public static var tiny: ModelConfig {
        var c = ModelConfig()
        c.size = 16
        c.patch = 4
        c.width = 64
        c.depth = 2
        c.heads = 2
        c.mlpRatio = 2
        c.frames = 4
        return c
    }

    /// Problems a user can cause through a config file, as one readable line.
    public func validationError() -> String? {
        if frames < 2 { return "frames must be at least 2, got \(frames)" }
        if channels < 1 { return "channels must be at least 1, got \(channels)" }
        if patch < 1 || size < patch || size % patch != 0 { return "size \(size) must be a positive multiple of patch \(patch)" }
        if width < 1 || heads < 1 || width % heads != 0 { return "width \(width) must be a positive multiple of heads \(heads)" }
        if depth < 1 { return "depth must be at least 1, got \(depth)" }
        if !(frameLag >= 0 && frameLag <= 10) { return "frameLag must be in 0...10, got \(frameLag)" }
        if !(noiseShift >= 1 && noiseShift <= 1000) { return "noiseShift must be in 1...1000, got \(noiseShift)" }
        if mlpRatio < 1 { return "mlpRatio must be at least 1, got \(mlpRatio)" }
        if frames > 1024 || size > 1024 || width > 8192 || depth > 256 || heads > 256 || mlpRatio > 64 {
            return "config is far larger than vidgen supports (frames ≤ 1024, size ≤ 1024, width ≤ 8192, depth ≤ 256)"
        }
        return nil
    }

    /// FLOPs of one forward pass over `batch` clips (matmuls and attention); a training step
    /// is about 3× (forward, then the two products of each backward).
    public func forwardFlops(batch: Int) -> Double {
        let tokens = Double(batch * frames * tokensPerFrame), d = Double(width)
        let attnPerBlock = attention == .factorized ? 2.0 : 1.0
        var perBlock = 2 * tokens * d * (3 * d) * attnPerBlock       // qkv
        perBlock += 2 * tokens * d * d * attnPerBlock                // proj
        perBlock += 2 * 2 * tokens * d * d * Double(mlpRatio)        // MLP
        perBlock += 2 * tokens * d * 6 * d / Double(frames * tokensPerFrame)  // adaLN (per clip)
        // attention: 4·L·d per query (scores and P·v) over every token, per axis
        let n = Double(tokensPerFrame), t = Double(frames)
        perBlock += attention == .factorized ? 4 * tokens * d * (n + t) : 4 * tokens * d * n * t
        let embed = 2 * tokens * Double(patchInputs) * d + 2 * tokens * d * Double(patchOutputs)
        return Double(depth) * perBlock + embed
    }
}

/// The autoencoder's shape.
public struct AutoencoderConfig: Codable, Equatable, Sendable {
    /// Frame side in pixels (H = W); a multiple of 4.
    public var frameSize = 32
    /// Latent channels per cell (L).
    public var latentChannels = 8
    /// Feature widths of the two stages (E₀ at full size, E₁ at half size).
    public var widths = [32, 64]

    public init() {}

    /// Latent side (h = w = H/4).
    public var latentSize: Int { frameSize / 4 }

    /// A codec small enough for tests.
    public static var tiny: AutoencoderConfig {
        var c = AutoencoderConfig()
        (c.frameSize, c.latentChannels, c.widths) = (16, 4, [8, 16])
        return c
    }

    /// Problems a user can cause, as one readable line.
    public func validationError() -> String? {
        if frameSize < 4 || frameSize % 4 != 0 || frameSize > 1024 { return "frameSize must be a multiple of 4 in 4...1024, got \(frameSize)" }
        if !(1...256).contains(latentChannels) { return "latentChannels must be in 1...256, got \(latentChannels)" }
        if widths.count != 2 || widths.contains(where: { !(1...1024).contains($0) }) {
            return "widths must be two widths in 1...1024, got \(widths)"
        }
        return nil
    }
}

// What a training run of a config needs in memory, estimated from its shapes alone, so that
// a run that cannot fit is refused before the model is built or any step is taken.
//
// Shape letters as in Diffusion: B clips per step, T frames, N tokens per frame, D width,
// NH heads, P parameter elements (ModelConfig.parameterCount); 4 bytes a float.
//
//   model state   5·P      weights, gradients, AdamW's m and v, the EMA
//   activations   depth · ((32 + 4·mlpRatio) · B·T·N·D  +  attention maps)  +  B·T·N·(in + out)
//                          what the tape keeps for backward and the gradients it makes on
//                          the way back: per token and unit of width, 4·mlpRatio for the
//                          MLP's hidden layer (before and after GELU, and their gradients)
//                          and 32 for the rest of a block (norms, modulation, qkv, attention
//                          output, projection, residuals and their gradients). At mlpRatio 4
//                          that is 48; the forward+backward peaks of `vidgen bench
//                          attention-cost` come to about 30. The attention maps are the softmax
//                          probabilities attention keeps for backward, B·NH·(T·N·N' + N·T·T')
//                          factorized, B·NH·T·N·(T·N)' joint (' rounds up to a multiple of 8)
//   codec         one encode of the batch's B·T frames by a latent model's autoencoder,
//                 every intermediate counted: H·W·(30 + 12·E₀ + 3·E₁ + L) floats a frame
//   checkpoint    8·P      a save's copy of the train state (weights, EMA, m, v) and its
//                          encoded bytes; a save never overlaps a step, so the larger of
//                          this and the activations counts
//
// The estimate is meant to be above the peak (TrainTests checks it against the tensor
// memory BufferPool measures for a step), not to predict it: it is a refusal threshold.

import Checkpoints
import Diffusion
import Foundation
import Tensor

/// An upper estimate of the memory a training run of a config needs, in bytes, by part.
/// Figures are Doubles: the largest configs a config file may describe overflow an Int.
public struct TrainingMemory: Equatable, Sendable {
    /// Weights, gradients, AdamW's two moments and the EMA: 5 floats a parameter.
    public var modelState: Double
    /// What one step's tape keeps for backward and the gradients it makes, at `batchSize`.
    public var activations: Double
    /// One encode of the batch by a latent model's frame autoencoder (0 for a pixel model).
    public var codec: Double
    /// A checkpoint save's copies of the train state.
    public var checkpoint: Double
    /// Clips per step (B) the activations are for.
    public var batchSize: Int

    /// Floats kept per token and unit of width in one block of `config` (see the file header).
    public static func perTokenFloats(_ config: ModelConfig) -> Double { Double(32 + 4 * config.mlpRatio) }

    /// The estimate for training `config` in one process (a data-parallel rank holds the
    /// same model state and a share of the activations).
    public init(_ config: TrainConfig) {
        let m = config.model
        let p = Double(m.parameterCount)
        let (b, t, n, d, heads) = (Double(config.batchSize), Double(m.frames), Double(m.tokensPerFrame), Double(m.width),
                                   Double(m.heads))
        func up8(_ x: Double) -> Double { (x / 8).rounded(.up) * 8 }
        let maps = m.attention == .factorized ? b * heads * (t * n * up8(n) + n * t * up8(t)) : b * heads * t * n * up8(t * n)
        let perBlock = Self.perTokenFloats(m) * b * t * n * d + maps
        let io = b * t * n * Double(m.patchInputs + m.patchOutputs)
        batchSize = config.batchSize
        modelState = 4 * 5 * p
        activations = 4 * (Double(m.depth) * perBlock + io)
        if config.latent {
            let a = config.autoencoder
            let perFrame = Double(a.frameSize * a.frameSize * (30 + 12 * a.widths[0] + 3 * a.widths[1] + a.latentChannels))
            let weights = Double(a.parameterShapes.reduce(0) { $0 + $1.shape.reduce(1, *) })
            codec = 4 * (b * t * perFrame + weights)
        } else {
            codec = 0
        }
        checkpoint = 4 * 8 * p
    }

    /// The estimate: the model state, and the larger of a step's needs and a save's.
    public var total: Double { modelState + max(activations + codec, checkpoint) }

    /// Throws, naming both figures, unless `total` fits in `available` bytes (the machine's
    /// physical memory unless told).
    public func check(available: Int = TrainingMemory.physicalBytes) throws {
        guard total > Double(available) else { return }
        throw VidgenError("training this config needs about \(Self.text(total)) (model state \(Self.text(modelState)), "
                          + "a step at batch \(batchSize) \(Self.text(activations + codec)), a checkpoint's copies "
                          + "\(Self.text(checkpoint))), more than the \(Self.text(Double(available))) of physical memory "
                          + "this machine has; reduce model.width, model.depth or batchSize")
    }

    /// `bytes` in GiB, or in MiB below 1 GiB.
    static func text(_ bytes: Double) -> String {
        bytes >= Double(1 << 30) ? String(format: "%.1f GiB", bytes / Double(1 << 30)) : String(format: "%.0f MiB", bytes / Double(1 << 20))
    }

    /// The machine's physical memory, bytes.
    public static var physicalBytes: Int {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, size > 0 else { return Int.max }
        let (bytes, overflow) = pages.multipliedReportingOverflow(by: size)
        return overflow ? Int.max : bytes
    }
}

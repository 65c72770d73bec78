// Training configuration: plain values with presets; a JSON file overrides any field.

import Diffusion
import Foundation
import Tensor
import World

/// Everything that defines a training run. Saved as config.json beside the weights.
public struct TrainConfig: PresetConfig, Equatable, Sendable {
    /// The preset this config started from (informational).
    public var preset = "default"
    /// The reference architecture, trained on a schedule shifted toward noise (k = 4) with
    /// staggered frames (λ = 0.5): see MODEL.md in data/default for what each bought.
    public var model: ModelConfig = {
        var m = ModelConfig.reference
        m.noiseShift = 4
        m.frameLag = 0.5
        return m
    }()
    /// Clips per step (B).
    public var batchSize = 16
    /// Total optimizer steps of the run.
    public var steps = 20000
    /// Peak learning rate, reached after `warmupSteps` of linear warm-up, then cosine
    /// decay to `minLRFraction`·peak at the last step.
    public var learningRate = 1e-3
    public var warmupSteps = 200
    public var minLRFraction = 0.05
    /// AdamW (Loshchilov & Hutter 2019). Decay applies to matrices only, not to biases
    /// or position embeddings.
    public var beta1 = 0.9
    public var beta2 = 0.99
    public var epsilon = 1e-8
    public var weightDecay = 0.0
    /// Gradients are scaled down to this global L2 norm when larger.
    public var gradClip = 1.0
    /// EMA decay with warm-up: min(emaDecay, (1 + s)/(10 + s)) at step s.
    public var emaDecay = 0.995
    /// Context frames per clip, drawn uniformly from this range.
    public var contextMin = 1
    public var contextMax = 4
    /// Share of clips drawn with no context (unconditional generation).
    public var unconditionalShare = 0.0
    /// Noise levels t = u^noisePower, u ~ U(0, 1) (with staggered frames, the chain's
    /// progress 1 − u^noisePower): 1 is uniform, below 1 favours high noise (0.7 gives
    /// t > 0.5 a 62% share instead of 50%).
    public var noisePower = 1.0
    /// With staggered frames (model.frameLag > 0): also train on the frames still waiting
    /// at t = 1 — pure far-horizon forecasts, which the sampler discards but for each
    /// frame's first step, where x̂₀ enters x_s only with weight α_s (about 0.02 at 50 steps).
    public var lossOnWaitingFrames = false
    /// Context-noise augmentation, against exposure bias in stitched videos (0 is off).
    /// A stitched window's context is the model's own frames, handed on noised to the
    /// sampling handoff level; training shows the model that case. Each clip draws one level
    /// L uniformly from 0…contextNoise: the frames a staggered window has finished are always
    /// noised to L, and the given context frames are too in a `noisedContextShare` of the
    /// clips (the seam, where no frame is clean); in the others they stay clean (the
    /// simulator's frames of a first window). The model is told each frame's level.
    public var contextNoise = 0.0
    public var noisedContextShare = 0.5
    /// History guidance's training (Diffusion Forcing Transformer; Song et al. 2025,
    /// "History-Guided Video Diffusion", §4): in a `historyNoiseShare` of the clips each
    /// given context frame draws its own level uniformly from 0…1, so the model learns to
    /// read a history that is partly or wholly noise, and in a `noHistoryShare` every given
    /// context frame is at level 1: the no-history model that guidance steers away from
    /// (SamplingConfig.guidance). Both 0 is off; their sum is at most 1.
    public var historyNoiseShare = 0.0
    public var noHistoryShare = 0.0
    /// Error recycling (ErrorBank): in an `errorRecycleShare` of the clips each given context
    /// frame gets one of the model's own banked one-step errors, from a level ≤
    /// `errorRecycleMaxLevel`, scaled by s ~ U(0, `errorRecycleScale`); the targets stay the
    /// simulator's. 0 is off.
    public var errorRecycleShare = 0.0
    public var errorRecycleScale = 1.0
    public var errorRecycleMaxLevel = 0.5
    /// Ball-weighted loss: the loss on a cell of the model's grid (a latent cell, or a pixel)
    /// that a ball covers in the clean frame weighs 1 + `ballLossWeight`, the black
    /// background 1, so a small ball's few cells are not drowned by the background. 0 is off.
    public var ballLossWeight = 0.0
    /// A latent model: the denoiser works on the latents of a frame autoencoder of shape
    /// `autoencoder` (model.channels = its latent channels, model.size = its latent side),
    /// whose trained weights the run keeps in autoencoder.safetensors. Off: pixels.
    public var latent = false
    public var autoencoder = AutoencoderConfig()
    /// Frames simulated per clip; the training window starts uniformly inside them.
    public var simulationFrames = 48
    /// Scenario the clips come from: a flat one or a 3D one seen by its camera (WorldScenario).
    public var scenario = "id"
    /// A checkpoint every this many steps (and at the end).
    public var checkpointEvery = 200
    /// Seed of every random stream in the run (init, data, noise).
    public var seed: UInt64 = 0

    public init() {}

    // MARK: - Presets

    /// Names accepted by `--config`.
    public static let presetNames = ["tiny", "small", "default", "latent", "latent-tiny"]

    /// The shipped model's recipe.
    public static var `default`: TrainConfig { TrainConfig() }

    /// Half width, half depth: for quick experiments.
    public static var small: TrainConfig {
        var c = TrainConfig()
        c.preset = "small"
        c.model.width = 64
        c.model.depth = 2
        c.model.heads = 2
        c.batchSize = 8
        c.steps = 2000
        c.warmupSteps = 100
        c.checkpointEvery = 200
        return c
    }

    /// Trains in seconds; what the tests use.
    public static var tiny: TrainConfig {
        var c = TrainConfig()
        c.preset = "tiny"
        c.model = .tiny
        (c.model.noiseShift, c.model.frameLag) = (TrainConfig().model.noiseShift, TrainConfig().model.frameLag)
        c.contextMax = 2
        c.batchSize = 4
        c.steps = 300
        c.noisePower = 1
        c.warmupSteps = 20
        c.checkpointEvery = 50
        c.simulationFrames = 16
        return c
    }

    /// The default recipe on the latents of the default frame autoencoder (8 channels on
    /// an 8×8 grid, one token per cell: the same 64 tokens per frame as 4×4 pixel patches).
    public static var latentDefault: TrainConfig {
        var c = TrainConfig()
        c.preset = "latent"
        c.latent = true
        c.model.channels = c.autoencoder.latentChannels
        c.model.size = c.autoencoder.latentSize
        c.model.patch = 1
        return c
    }

    /// `tiny` on the latents of the tiny autoencoder.
    public static var latentTiny: TrainConfig {
        var c = TrainConfig.tiny
        c.preset = "latent-tiny"
        c.latent = true
        c.autoencoder = .tiny
        c.model.channels = c.autoencoder.latentChannels
        c.model.size = c.autoencoder.latentSize
        c.model.patch = 1
        return c
    }

    /// Frame side in pixels: the model's, or for a latent model the autoencoder's.
    public var frameSize: Int { latent ? autoencoder.frameSize : model.size }

    public static func preset(_ name: String) -> TrainConfig? {
        switch name {
        case "tiny": return .tiny
        case "small": return .small
        case "default": return .default
        case "latent": return .latentDefault
        case "latent-tiny": return .latentTiny
        default: return nil
        }
    }

    /// Problems a user can cause, as one readable line.
    public func validationError() -> String? {
        if let e = model.validationError() { return "model: " + e }
        if batchSize < 1 || batchSize > 4096 { return "batchSize must be in 1...4096, got \(batchSize)" }
        if steps < 1 { return "steps must be at least 1, got \(steps)" }
        if !(learningRate > 0 && learningRate < 1) { return "learningRate must be in (0, 1), got \(learningRate)" }
        if warmupSteps < 0 { return "warmupSteps must be ≥ 0, got \(warmupSteps)" }
        if !(0...1).contains(minLRFraction) { return "minLRFraction must be in [0, 1], got \(minLRFraction)" }
        if !(0..<1).contains(beta1) || !(0..<1).contains(beta2) { return "beta1 and beta2 must be in [0, 1)" }
        if !(epsilon > 0) || weightDecay < 0 || !(gradClip > 0) { return "epsilon and gradClip must be > 0, weightDecay ≥ 0" }
        if !(0..<1).contains(emaDecay) { return "emaDecay must be in [0, 1), got \(emaDecay)" }
        if contextMin < 1 || contextMax < contextMin || contextMax >= model.frames {
            return "context range \(contextMin)...\(contextMax) must lie in 1...\(model.frames - 1)"
        }
        if !(0...1).contains(unconditionalShare) { return "unconditionalShare must be in [0, 1]" }
        if !(contextNoise >= 0 && contextNoise <= 0.5) { return "contextNoise must be in 0...0.5, got \(contextNoise)" }
        if contextNoise > 0 && model.frameLag == 0 { return "contextNoise needs staggered frames (model.frameLag > 0)" }
        if !(0...1).contains(noisedContextShare) { return "noisedContextShare must be in [0, 1], got \(noisedContextShare)" }
        if !(0...1).contains(historyNoiseShare) || !(0...1).contains(noHistoryShare) || historyNoiseShare + noHistoryShare > 1 {
            return "historyNoiseShare and noHistoryShare must be in [0, 1] with a sum of at most 1, got \(historyNoiseShare) and \(noHistoryShare)"
        }
        if historyNoiseShare + noHistoryShare > 0 && model.frameLag == 0 {
            return "history noise needs staggered frames (model.frameLag > 0): it sets each frame's level"
        }
        if !(0...1).contains(errorRecycleShare) { return "errorRecycleShare must be in [0, 1], got \(errorRecycleShare)" }
        if !(errorRecycleScale >= 0 && errorRecycleScale <= 10) { return "errorRecycleScale must be in 0...10, got \(errorRecycleScale)" }
        if !(errorRecycleMaxLevel >= 0 && errorRecycleMaxLevel <= 1) {
            return "errorRecycleMaxLevel must be in [0, 1], got \(errorRecycleMaxLevel)"
        }
        if !(ballLossWeight >= 0 && ballLossWeight <= 100) { return "ballLossWeight must be in 0...100, got \(ballLossWeight)" }
        if !(noisePower > 0) { return "noisePower must be > 0, got \(noisePower)" }
        if simulationFrames < model.frames { return "simulationFrames must be ≥ model.frames (\(model.frames))" }
        if latent {
            if let e = autoencoder.validationError() { return "autoencoder: " + e }
            if model.channels != autoencoder.latentChannels || model.size != autoencoder.latentSize {
                return "a latent model needs model.channels = \(autoencoder.latentChannels) and model.size = \(autoencoder.latentSize) (the autoencoder's latents), got \(model.channels) and \(model.size)"
            }
        } else if model.channels != 3 {
            return "a pixel model needs model.channels = 3, got \(model.channels)"
        }
        if checkpointEvery < 1 { return "checkpointEvery must be at least 1, got \(checkpointEvery)" }
        return nil
    }
}

// MARK: - JSON

extension TrainConfig {
    /// The config with a new length and checkpoint interval: the two settings a resumed run
    /// may change (nil keeps the current one).
    public func replanned(steps: Int?, checkpointEvery: Int?) -> TrainConfig {
        var c = self
        if let steps { c.steps = steps }
        if let checkpointEvery { c.checkpointEvery = checkpointEvery }
        return c
    }

    /// Decodes a config from JSON (PresetConfig.decode). With `overridingPreset`, missing
    /// keys take the values of the preset named in the file; otherwise every key must be present.
    public static func decode(_ data: Data, file: String, overridingPreset: Bool) throws -> TrainConfig {
        try decode(data, file: file, requireAll: !overridingPreset)
    }

    /// The config as pretty, key-sorted JSON.
    public func encoded() -> Data {
        Data(try! PrettyJSON.bytes(self))
    }
}

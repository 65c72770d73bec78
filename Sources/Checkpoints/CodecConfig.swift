// How a frame autoencoder is trained: the config a codec folder saves as autoencoder.json
// beside its weights (CheckpointFolder.autoencoder reads it; Train's CodecTrainer trains it),
// and the frames it draws: frame i of step s comes from an episode of the scenario seeded from
// (seed, s, i), at a time drawn from the same stream, so a batch is a pure function of the
// seed and the step. Steps past the run's end are held-out frames, on which a trained codec's
// latent range is measured.

import Diffusion
import Tensor
import World

/// How a frame autoencoder is trained. Saved as autoencoder.json beside its weights.
public struct CodecConfig: PresetConfig, Equatable, Sendable {
    public var preset = "default"
    public var model = AutoencoderConfig()
    /// Frames per step.
    public var batchSize = 64
    public var steps = 3000
    public var learningRate = 2e-3
    public var warmupSteps = 100
    public var minLRFraction = 0.05
    /// Weight of a lit pixel's error against a background pixel's.
    public var litWeight = 4.0
    public var scenario = "id"
    /// Frames simulated per episode; a frame is drawn from anywhere in them.
    public var simulationFrames = 48
    public var seed: UInt64 = 0

    public init() {}

    public static let presetNames = ["tiny", "default"]

    public static var tiny: CodecConfig {
        var c = CodecConfig()
        (c.preset, c.model, c.batchSize, c.steps, c.warmupSteps, c.simulationFrames) = ("tiny", .tiny, 16, 200, 20, 16)
        return c
    }

    public static func preset(_ name: String) -> CodecConfig? {
        switch name {
        case "tiny": return .tiny
        case "default": return CodecConfig()
        default: return nil
        }
    }

    /// Problems a user can cause, as one readable line.
    public func validationError() -> String? {
        if let e = model.validationError() { return "model: " + e }
        if !(1...4096).contains(batchSize) { return "batchSize must be in 1...4096, got \(batchSize)" }
        if steps < 1 { return "steps must be at least 1, got \(steps)" }
        if !(learningRate > 0 && learningRate < 1) { return "learningRate must be in (0, 1), got \(learningRate)" }
        if !(litWeight >= 1 && litWeight <= 1000) { return "litWeight must be in 1...1000, got \(litWeight)" }
        if simulationFrames < 1 { return "simulationFrames must be at least 1, got \(simulationFrames)" }
        return nil
    }
}

// MARK: - Frames

extension CodecConfig {
    /// The frames of step `step`: planar [N, 3, H, W], N = batchSize.
    public func frames(step: Int) throws -> Tensor {
        let s = model.frameSize
        let scenario = try WorldScenario.named(self.scenario).resized(to: s)
        var values: [Float] = []
        values.reserveCapacity(batchSize * 3 * s * s)
        let stepRNG = RNG(seed: seed).split("codec-data").split(step)
        for i in 0..<batchSize {
            var rng = stepRNG.split(i)
            let episode = try scenario.clip(seed: SceneSeeds.training(&rng), frames: simulationFrames)
            let t = rng.int(in: 0...(simulationFrames - 1))
            values += episode.planar(t..<(t + 1))
        }
        return Tensor(shape: [batchSize, 3, s, s], values: values)
    }

    /// Frames of steps the run never reaches (a step past 1,000,000 beyond the last).
    public func heldOutFrames(_ k: Int) throws -> Tensor { try frames(step: steps + 1_000_000 + k) }

    /// `codec` with its latent range measured on 512 held-out frames.
    public func measuredRange(_ codec: FrameAutoencoder) throws -> FrameAutoencoder {
        var raw: [Float] = []
        var n = 0
        for k in 0..<max(1, 512 / batchSize) {
            let z = codec.encodeRaw(try heldOutFrames(k))
            raw += z.values
            n += z.shape[0]
        }
        var c = codec
        let l = codec.config
        c.range = .measured(raw: Tensor(shape: [n, l.latentChannels, l.latentSize, l.latentSize], values: raw))
        return c
    }
}

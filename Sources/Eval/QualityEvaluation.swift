// One `vidgen eval` measurement: the reference generators and each model, scored on the
// same held-out clips — one window per clip, or long stitched videos.

import Diffusion
import Dynamics
import Foundation
import Sample
import Tensor
import World

/// A model to score: its folder, weights (a latent model's with its autoencoder) and the
/// settings it is sampled with.
public struct EvaluatedModel {
    public var folder: String
    public var denoiser: Denoiser
    public var codec: FrameAutoencoder?
    public var sampling: SamplingConfig

    public init(folder: String, denoiser: Denoiser, codec: FrameAutoencoder? = nil, sampling: SamplingConfig) {
        self.folder = folder
        self.denoiser = denoiser
        self.codec = codec
        self.sampling = sampling
    }

    /// The model's sampler.
    public var sampler: WindowSampler { WindowSampler(model: denoiser, settings: sampling, codec: codec) }
}

/// A learned explicit-state model to score, and its folder.
public struct EvaluatedStateModel {
    public var folder: String
    public var model: StateModel

    public init(folder: String, model: StateModel) {
        self.folder = folder
        self.model = model
    }
}

extension WindowQualityReport {
    /// Scores the simulator, copy-last, constant velocity and every model on the clips of
    /// `config`. Clip i of a model draws its noise from `RNG(seed).split("eval").split(i)`.
    /// `progress(model, clipsDone, clipsTotal)` reports each model's work.
    public static func measure(
        _ config: WindowQualityConfig, models: [EvaluatedModel], stateModels: [EvaluatedStateModel] = [], seed: UInt64, batch: Int,
        progress: (Int, Int, Int) -> Void = { _, _, _ in }, clock: () -> Double = { 0 }
    ) throws -> WindowQualityReport {
        let quality = try WindowQuality(config)
        var physics = PhysicsConfig()
        physics.context = config.context
        let simulator = quality.evaluate("simulator", batch: batch, physics: physics, generator: quality.simulator)
        let copyLast = quality.evaluate("copy-last", batch: batch, physics: physics, generator: quality.copyLast)
        let constant = quality.evaluate("constant-velocity", batch: batch, physics: physics,
                                        generator: quality.constantVelocity)
        var scored: [ModelQuality] = []
        for (k, m) in models.enumerated() {
            let start = clock()
            let generator = quality.model(m.sampler,
                                          rng: RNG(seed: seed).split("eval"))
            let result = quality.evaluate("model", batch: batch, physics: physics, generator: generator) {
                progress(k, $0, $1)
            }
            scored.append(ModelQuality(checkpoint: CheckpointInfo(folder: m.folder), sampling: m.sampling, result: result,
                                       evalSeconds: clock() - start,
                                       meetsBar: config.long == nil ? result.meetsBar(against: constant) : result.meetsLongBar))
        }
        for (k, m) in stateModels.enumerated() {
            let start = clock()
            let result = quality.evaluate("state model", batch: batch, physics: physics, generator: quality.stateModel(m.model)) {
                progress(models.count + k, $0, $1)
            }
            scored.append(ModelQuality(checkpoint: CheckpointInfo(folder: m.folder), sampling: nil, result: result,
                                       evalSeconds: clock() - start,
                                       meetsBar: config.long == nil ? result.meetsBar(against: constant) : result.meetsLongBar))
        }
        return WindowQualityReport(config: config, seed: models.isEmpty ? nil : seed, batch: batch, simulator: simulator,
                                   copyLast: copyLast, constantVelocity: constant, models: scored)
    }
}

/// Long-video evaluations, one per stitching, as `vidgen eval --frames F` writes them.
public struct StitchedQualityReport: Codable, Equatable, Sendable {
    public var stitchings: [WindowQualityReport]
    /// State models' own scores, as in `WindowQualityReport.stateScores`.
    public var stateScores: [StateModelScores]?

    public init(stitchings: [WindowQualityReport]) { self.stitchings = stitchings }

    /// Pretty, key-sorted JSON.
    public func encoded() throws -> [UInt8] {
        try PrettyJSON.bytes(self)
    }
}

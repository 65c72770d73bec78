// A video model's checkpoint folder (the layout is CheckpointFolder's): config.json is a
// TrainConfig, model.safetensors the EMA weights, sampling.json how the model is meant to be
// sampled, and, for a latent model, autoencoder.safetensors its frame autoencoder
// (CodecCheckpoint.swift). config.json is read through `migrate` (Migration.swift).

import Diffusion
import Foundation
import Tensor
import World

/// A video model as sampling takes it from its folder: read with config.json parsed once.
public struct VideoCheckpoint {
    /// The denoiser with the EMA weights.
    public var model: Denoiser
    public var config: TrainConfig
    /// sampling.json's settings (their defaults where it leaves a key out, or has none).
    public var sampling: SamplingConfig
    /// A latent model's frame autoencoder; nil for a pixel model.
    public var codec: FrameAutoencoder?
}

extension CheckpointFolder {
    /// The video model of the folder with its sampling settings and, when latent, its
    /// autoencoder. The weights' headers are checked against the config before the model is
    /// built, so a config.json that does not match its weights is one line, however large a
    /// model it describes.
    public func videoCheckpoint() throws -> VideoCheckpoint {
        let saved = try savedTrainConfig()
        let model = try videoModel(saved.config)
        let sampling = try sampling(saved.config, handoff: saved.handoff)
        return VideoCheckpoint(model: model, config: saved.config, sampling: sampling, codec: try codec(for: saved.config))
    }

    /// The saved TrainConfig, as trained (older folders through `migrate`).
    public func trainConfig() throws -> TrainConfig {
        try savedTrainConfig().config
    }

    /// The sampling settings: sampling.json, where a key left out takes its default; without
    /// one, the defaults (with the handoff an older config.json kept).
    public func sampling() throws -> SamplingConfig {
        let saved = try savedTrainConfig()
        return try sampling(saved.config, handoff: saved.handoff)
    }

    /// The sampling model: the EMA weights and the config (`videoCheckpoint`'s checks).
    public func videoModel() throws -> (Denoiser, TrainConfig) {
        let config = try trainConfig()
        return (try videoModel(config), config)
    }

    /// Writes `settings` as sampling.json.
    public func writeSampling(_ settings: SamplingConfig) throws {
        try PrettyJSON.write(settings, to: file(Self.samplingFile))
    }

    // MARK: - The pieces

    /// config.json as a TrainConfig, and the handoff an older one kept; a folder whose model
    /// file is tagged another kind's is refused.
    func savedTrainConfig() throws -> (config: TrainConfig, handoff: Double?) {
        let (data, p, handoff) = try savedConfig(as: .video)
        try checkTag(.video)
        return (try TrainConfig.decode(data, file: p, overridingPreset: true), handoff)
    }

    /// sampling.json for a model of `config`; without one, the defaults with `handoff`.
    func sampling(_ config: TrainConfig, handoff: Double?) throws -> SamplingConfig {
        let p = file(Self.samplingFile)
        var settings = SamplingConfig()
        if let data = FileManager.default.contents(atPath: p) {
            guard let dict = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
                throw VidgenError("\(p): not a JSON object")
            }
            if let unknown = dict.keys.sorted().first(where: { !SamplingConfig.keys.contains($0) }) {
                throw VidgenError("\(p): unknown key '\(unknown)' (valid: \(SamplingConfig.keys.joined(separator: ", ")))")
            }
            do {
                settings = try JSONDecoder().decode(SamplingConfig.self, from: data)
            } catch let DecodingError.typeMismatch(_, context), let DecodingError.dataCorrupted(context) {
                throw VidgenError("\(p): bad value for '\(context.codingPath.map(\.stringValue).joined(separator: "."))'")
            } catch {
                throw VidgenError("\(p): \(error)")
            }
        } else if let handoff {
            settings.handoff = handoff
        }
        if let problem = settings.validationError(for: config.model) { throw VidgenError("\(p): \(problem)") }
        return settings
    }

    /// The denoiser of `config` with the EMA weights of model.safetensors, whose header (and a
    /// latent model's autoencoder file's) is checked first.
    func videoModel(_ config: TrainConfig) throws -> Denoiser {
        try checkShapes(Self.modelFile, like: config.model.parameterShapes)
        if config.latent { try checkCodecShapes(config.autoencoder) }
        var rng = RNG(seed: 0)
        var model = Denoiser(config.model, rng: &rng)
        try assign(&model, from: tensors(Self.modelFile), in: Self.modelFile)
        return model
    }

    /// Overwrites every parameter of `model` with the tensor `prefix + name` of `stored`
    /// (this folder's file `name`); a missing, extra or misshapen tensor is an error naming
    /// it. Tensors named in `ignoring` are left to the caller.
    func assign<Model: ParameterVisitable>(_ model: inout Model, from stored: SafeTensorsFile, in name: String,
                                           prefix: String = "", ignoring: Set<String> = []) throws {
        let like = model.parameterShapes
        let values = try tensors(stored, in: name, prefix: prefix, like: like, ignoring: ignoring)
        var i = 0
        model.visit("") { _, t in t = values[i]; i += 1 }
    }
}

// A video model's checkpoint folder (the layout is CheckpointFolder's): config.json is a
// TrainConfig, model.safetensors the EMA weights, train-state.safetensors the weights, EMA
// and AdamW moments under their StatePart prefixes, and, for a latent model,
// autoencoder.safetensors its frame autoencoder.

import Diffusion
import Foundation
import Tensor
import World

extension CheckpointFolder {
    /// The metadata `format` of a video model's files.
    static let videoFormat = "vidgen"

    /// The saved TrainConfig, with the keys older folders lack filled in as they were
    /// trained (fillingLegacyKeys, below).
    public func trainConfig() throws -> TrainConfig {
        let (data, p) = try configData()
        return try TrainConfig.decode(Self.fillingLegacyKeys(data, file: p), file: p, overridingPreset: true)
    }

    /// The sampling settings: sampling.json, where a key left out takes its default;
    /// without one, the defaults, with the handoff an older config.json kept under "model".
    public func sampling() throws -> SamplingConfig {
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
        } else if let data = FileManager.default.contents(atPath: file(Self.configFile)),
                  let dict = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
                  let handoff = (dict["model"] as? [String: Any])?["handoff"] as? Double {
            settings.handoff = handoff
        }
        let config = try trainConfig()
        if let problem = settings.validationError(for: config.model) { throw VidgenError("\(p): \(problem)") }
        return settings
    }

    /// Writes `settings` as sampling.json.
    public func writeSampling(_ settings: SamplingConfig) throws {
        try PrettyJSON.write(settings, to: file(Self.samplingFile))
    }

    /// The sampling model: the EMA weights and the config. The weights' header is checked
    /// against the config (and a latent model's autoencoder file against its shape) before
    /// the model is built, so a config.json that does not match its weights is one line,
    /// however large a model it describes.
    public func videoModel() throws -> (Denoiser, TrainConfig) {
        let config = try trainConfig()
        try checkShapes(Self.modelFile, like: config.model.parameterShapes)
        if config.latent { try checkCodecShapes(config.autoencoder) }
        var rng = RNG(seed: 0)
        var model = Denoiser(config.model, rng: &rng)
        try assign(&model, from: tensors(Self.modelFile), in: Self.modelFile)
        return (model, config)
    }

    /// A latent model's frame autoencoder; nil for a pixel model.
    public func codec(for config: TrainConfig) throws -> FrameAutoencoder? {
        config.latent ? try codecWeights(config.autoencoder) : nil
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

    /// A video model's save: config, train state (if given), then the EMA weights, with
    /// the frame autoencoder of a latent model first.
    func saveVideoModel(config: TrainConfig, ema: [(name: String, value: Tensor)], state: [SafeTensorsEntry]?,
                        step: Int, seconds: Double, codec: FrameAutoencoder?) throws {
        if let codec {
            try create()
            try SafeTensors.write(codec.fileEntries, metadata: ["format": "vidgen-codec"], to: file(Self.codecFile))
        }
        try save(config: Array(config.encoded()), state: state, model: ema.map { $0.value.entry($0.name) },
                 step: step, seconds: seconds, format: Self.videoFormat)
    }

    // MARK: - Older folders

    /// Keys added after checkpoints were first written, with the value that those older
    /// checkpoints were trained with. A saved config.json without them must not take a
    /// preset's newer value: the weights would be sampled on the wrong schedule.
    static let legacyKeys: [String: [String: Any]] = [
        "": ["lossOnWaitingFrames": true, "latent": false],
        "model": ["noiseShift": 1.0, "frameLag": 0.0],
    ]

    /// Options vidgen no longer has, with the value that meant "off" (nan: any value). A
    /// saved config.json may still hold them; it loads if they are off, and otherwise
    /// names the option. `model.handoff` is a sampling setting now (sampling.json), which
    /// sampling() reads from an old config.json.
    static let retiredKeys: [String: [String: Double]] = [
        "": ["contextSpecks": 0, "rolloutShare": 0, "rolloutSteps": .nan, "seamRolloutShare": 0, "seamRolloutSteps": .nan,
             "seamHandoff": .nan],
        "model": ["contextNoise": 0, "handoff": .nan, "stemChannels": 0, "headChannels": 0, "predictsChange": 0],
    ]

    /// `data` (a saved config.json) with every missing legacy key filled in and every
    /// retired key that is off dropped; unparseable data is returned as it is, for
    /// `decode` to report, and a retired option that is on is an error.
    public static func fillingLegacyKeys(_ data: Data, file: String = "config.json") throws -> Data {
        guard let read = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { return data }
        var dict = fillingIn(read, legacy: legacyKeys)
        for (section, keys) in retiredKeys {
            guard var sub = section.isEmpty ? dict : dict[section] as? [String: Any] else { continue }
            for (key, off) in keys {
                guard let value = sub.removeValue(forKey: key) else { continue }
                if !off.isNaN, (value as? Double) != off {
                    let name = section.isEmpty ? key : section + "." + key
                    throw VidgenError("\(file): sets '\(name)' to \(value), an option vidgen no longer has (see data/default/MODEL.md)")
                }
            }
            if section.isEmpty { dict = sub } else { dict[section] = sub }
        }
        return (try? JSONSerialization.data(withJSONObject: dict)) ?? data
    }
}

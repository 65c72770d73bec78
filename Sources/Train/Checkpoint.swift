// Checkpoint folders (DESIGN.md "Formats"):
//   model.safetensors        EMA weights by dotted name — what sampling loads
//   config.json              the resolved TrainConfig
//   train-state.safetensors  weights, EMA, AdamW moments, step — what --resume loads
//   sampling.json            optional: how the model is meant to be sampled (SamplingConfig)
//   autoencoder.safetensors  a latent model's frame autoencoder (TrainConfig.latent)
// Each file is written to a temporary name and renamed into place. train-state is
// written first and holds everything a resume needs, so a kill between the two writes
// leaves a consistent pair (the model file is then one checkpoint older).

import Diffusion
import Foundation
import Tensor
import World

public enum Checkpoint {
    public static let modelFile = "model.safetensors"
    public static let configFile = "config.json"
    public static let stateFile = "train-state.safetensors"
    public static let samplingFile = "sampling.json"

    /// The sampling settings of `dir`: its sampling.json, where a key left out takes its
    /// default; without one, the defaults, with the handoff an older config.json kept
    /// under "model".
    public static func loadSampling(_ dir: String) throws -> SamplingConfig {
        let path = (dir as NSString).appendingPathComponent(samplingFile)
        var settings = SamplingConfig()
        if let data = FileManager.default.contents(atPath: path) {
            guard let dict = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
                throw VidgenError("\(path): not a JSON object")
            }
            if let unknown = dict.keys.sorted().first(where: { !SamplingConfig.keys.contains($0) }) {
                throw VidgenError("\(path): unknown key '\(unknown)' (valid: \(SamplingConfig.keys.joined(separator: ", ")))")
            }
            do {
                settings = try JSONDecoder().decode(SamplingConfig.self, from: data)
            } catch let DecodingError.typeMismatch(_, context), let DecodingError.dataCorrupted(context) {
                throw VidgenError("\(path): bad value for '\(context.codingPath.map(\.stringValue).joined(separator: "."))'")
            } catch {
                throw VidgenError("\(path): \(error)")
            }
        } else {
            let configPath = (dir as NSString).appendingPathComponent(configFile)
            if let data = FileManager.default.contents(atPath: configPath),
               let dict = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
               let handoff = (dict["model"] as? [String: Any])?["handoff"] as? Double {
                settings.handoff = handoff
            }
        }
        let config = try loadConfig(dir)
        if let problem = settings.validationError(for: config.model) { throw VidgenError("\(path): \(problem)") }
        return settings
    }

    /// Writes `settings` as `dir`/sampling.json.
    public static func writeSampling(_ settings: SamplingConfig, to dir: String) throws {
        try PrettyJSON.write(settings, to: (dir as NSString).appendingPathComponent(samplingFile))
    }

    /// Loads the config saved in `dir`.
    public static func loadConfig(_ dir: String) throws -> TrainConfig {
        let path = (dir as NSString).appendingPathComponent(configFile)
        guard let data = FileManager.default.contents(atPath: path) else {
            var isDir: ObjCBool = false
            if !FileManager.default.fileExists(atPath: dir, isDirectory: &isDir) || !isDir.boolValue {
                throw VidgenError("checkpoint folder \(dir) does not exist")
            }
            throw VidgenError("\(path): missing (not a vidgen checkpoint folder?)")
        }
        return try TrainConfig.decode(TrainConfig.fillingLegacyKeys(data, file: path), file: path, overridingPreset: true)
    }

    /// The frame autoencoder of a latent model's folder `dir`; nil for a pixel model.
    public static func loadCodec(_ dir: String, config: TrainConfig) throws -> FrameAutoencoder? {
        config.latent ? try loadCodecWeights(dir, config: config.autoencoder) : nil
    }

    /// The sampling model of `dir`: its config and EMA weights.
    public static func loadModel(_ dir: String) throws -> (Denoiser, TrainConfig) {
        let config = try loadConfig(dir)
        let path = (dir as NSString).appendingPathComponent(modelFile)
        let file = try readSafeTensors(path)
        var rng = RNG(seed: 0)
        var model = Denoiser(config.model, rng: &rng)
        try assign(&model, from: file, prefix: "", path: path)
        return (model, config)
    }

    /// Overwrites every parameter of `model` with the tensor `prefix + name` of `file`;
    /// a missing, extra or misshapen tensor is an error naming it.
    /// Tensors named in `ignoring` are left to the caller.
    static func assign<Model: ParameterVisitable>(_ model: inout Model, from file: SafeTensorsFile, prefix: String, path: String,
                                                  ignoring: Set<String> = []) throws {
        var problem: String?
        var used = 0
        model.visit("") { name, t in
            guard problem == nil else { return }
            guard let e = file[prefix + name] else {
                problem = "\(path): missing tensor '\(prefix + name)' (the config does not match the weights)"
                return
            }
            guard e.shape == t.shape else {
                problem = "\(path): tensor '\(prefix + name)' has shape \(e.shape), the config needs \(t.shape)"
                return
            }
            t = Tensor(e)
            used += 1
        }
        if let problem { throw VidgenError(problem) }
        let expected = Set(model.namedParameters.map { prefix + $0.name }).union(ignoring)
        if let extra = file.entries.first(where: { $0.name.hasPrefix(prefix) && !expected.contains($0.name) }) {
            throw VidgenError("\(path): unexpected tensor '\(extra.name)' (the config does not match the weights)")
        }
    }

    static func readSafeTensors(_ path: String) throws -> SafeTensorsFile {
        guard FileManager.default.fileExists(atPath: path) else { throw VidgenError("\(path): missing") }
        do {
            return try SafeTensors.read(from: path)
        } catch {
            throw VidgenError("\(error)")
        }
    }

    /// Writes a folder: config, then train state (if given), then the EMA model.
    static func write(
        _ dir: String, config: TrainConfig, ema: [(name: String, value: Tensor)],
        state: [SafeTensorsEntry]?, metadata: [String: String], stateMetadata: [String: String] = [:],
        codec: FrameAutoencoder? = nil
    ) throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        if let codec {
            try SafeTensors.write(codec.fileEntries, metadata: ["format": "vidgen-codec"],
                                  to: (dir as NSString).appendingPathComponent(codecFile))
        }
        try AtomicFile.write(Array(config.encoded()), to: (dir as NSString).appendingPathComponent(configFile))
        if let state {
            try SafeTensors.write(state, metadata: metadata.merging(stateMetadata) { a, _ in a }, to: (dir as NSString).appendingPathComponent(stateFile))
        }
        try SafeTensors.write(ema.map { $0.value.entry($0.name) }, metadata: metadata,
                              to: (dir as NSString).appendingPathComponent(modelFile))
    }
}

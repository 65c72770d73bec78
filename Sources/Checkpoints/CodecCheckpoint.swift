// A frame autoencoder's files: a codec folder (`vidgen autoencoder`) holds autoencoder.json
// (a CodecConfig) and autoencoder.safetensors (the weights by dotted name and, unless it is
// the identity, the latent range); a latent video model keeps its autoencoder's
// autoencoder.safetensors beside its own files. An older codec folder is read through
// `migrate` (Migration.swift).

import Diffusion
import Foundation
import Tensor

extension CheckpointFolder {
    /// The trained codec of a codec folder (autoencoder.json + autoencoder.safetensors).
    /// `note` is told when an older folder's latent range has to be measured (`migrate`).
    public func autoencoder(note: (String) -> Void = { _ in }) throws -> (FrameAutoencoder, CodecConfig) {
        let p = file(Self.codecConfigFile)
        guard let data = FileManager.default.contents(atPath: p) else {
            throw VidgenError("\(p): missing (not a vidgen autoencoder folder?)")
        }
        // Strict, as every config: an unknown key or a bad value is one line naming it.
        let config = try CodecConfig.decode(data, file: p)
        var saved = SavedFolder(folder: self, kind: .codec)
        saved.codec = (try codecWeights(config.model), config)
        try Self.migrate(&saved, note: note)
        return (saved.codec!.model, config)
    }

    /// A latent video model's frame autoencoder; nil for a pixel model.
    public func codec(for config: TrainConfig) throws -> FrameAutoencoder? {
        config.latent ? try codecWeights(config.autoencoder) : nil
    }

    /// The codec in autoencoder.safetensors, for a codec of shape `config`: its weights,
    /// and its latent range (the identity in a file that has none). The file's header is
    /// checked against `config` before the codec is built.
    public func codecWeights(_ config: AutoencoderConfig) throws -> FrameAutoencoder {
        try checkCodecShapes(config)
        let p = file(Self.codecFile)
        let stored = try tensors(Self.codecFile)
        var rng = RNG(seed: 0)
        var codec = FrameAutoencoder(config, rng: &rng)
        let names = [FrameAutoencoder.rangeCenterName, FrameAutoencoder.rangeHalfName]
        try assign(&codec, from: stored, in: Self.codecFile, ignoring: Set(names))
        let range = names.map { stored[$0] }
        switch (range[0], range[1]) {
        case (nil, nil): break
        case let (center?, half?):
            let l = config.latentChannels
            let (c, h) = (Tensor(center), Tensor(half))
            guard c.shape == [l], h.shape == [l], h.values.allSatisfy({ $0 > 0 && $0.isFinite }), c.values.allSatisfy(\.isFinite) else {
                throw VidgenError("\(p): the latent range must be \(l) finite centers and \(l) positive half ranges")
            }
            codec.range = LatentRange(center: c.values, halfRange: h.values)
        default:
            throw VidgenError("\(p): the latent range needs both '\(names[0])' and '\(names[1])'")
        }
        return codec
    }

    /// Throws, naming the first tensor that differs, unless autoencoder.safetensors' header
    /// lists the parameters of a codec of shape `config` (and at most its latent range).
    func checkCodecShapes(_ config: AutoencoderConfig) throws {
        try checkShapes(Self.codecFile, like: config.parameterShapes,
                        ignoring: [FrameAutoencoder.rangeCenterName, FrameAutoencoder.rangeHalfName])
    }
}

// Training the frame autoencoder (FrameAutoencoder) that a latent model denoises in.
//
// Each step draws `batchSize` single frames: frame i of step s comes from an episode of the
// scenario seeded from (seed, s, i), at a time drawn from the same stream, so a batch is a
// pure function of the seed and the step. The loss is a weighted MSE on pixels: lit pixels
// (a ball or its rim) weigh `litWeight` times more than the black background, which would
// otherwise teach the decoder that drawing nothing is nearly right.
//
// A codec folder: autoencoder.safetensors (weights by dotted name, and the latent range) and
// autoencoder.json (the CodecConfig). Training takes minutes; it does not resume. Once
// trained, each latent channel's range is measured on held-out frames and stored, so a latent
// model sees latents spread over [−1, 1] (LatentRange).

import Diffusion
import Foundation
import Tensor
import World

/// How a frame autoencoder is trained. Saved as autoencoder.json beside its weights.
public struct CodecConfig: Codable, Equatable, Sendable {
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

/// A frame autoencoder in training.
public struct CodecTrainer {
    public let config: CodecConfig
    public private(set) var model: FrameAutoencoder
    var adam: AdamW
    public private(set) var step = 0
    let scenario: Scenario
    let root: RNG

    public init(_ config: CodecConfig) throws {
        if let problem = config.validationError() { throw VidgenError(problem) }
        self.config = config
        var rng = RNG(seed: config.seed).split("codec-init")
        model = FrameAutoencoder(config.model, rng: &rng)
        adam = AdamW(like: model.namedParameters.map(\.value))
        scenario = try Scenario.named(config.scenario).resized(to: config.model.frameSize)
        root = RNG(seed: config.seed).split("codec-data")
    }

    /// The frames of step `step`: planar [N, 3, H, W].
    public func batch(step: Int) throws -> Tensor {
        let s = config.model.frameSize
        var values: [Float] = []
        values.reserveCapacity(config.batchSize * 3 * s * s)
        let stepRNG = root.split(step)
        for i in 0..<config.batchSize {
            var rng = stepRNG.split(i)
            let episode = try scenario.episode(seed: SceneSeeds.training(&rng), frames: config.simulationFrames)
            let t = rng.int(in: 0...(config.simulationFrames - 1))
            values += Rasterizer.planar([episode.frames[t]], scene: episode.scene)
        }
        return Tensor(shape: [config.batchSize, 3, s, s], values: values)
    }

    /// The weighted reconstruction loss of `frames` (no tape: a plain evaluation).
    public func loss(_ frames: Tensor, model: FrameAutoencoder? = nil) -> Tensor {
        let m = model ?? self.model
        let weights = frames.map { $0 > -0.8 ? Float(config.litWeight) : 1 }
        let diff = m.decode(m.encode(frames)) - frames
        return (diff * diff * weights).mean()
    }

    /// One AdamW step; returns the batch's loss.
    public mutating func trainStep() throws -> Float {
        let frames = try batch(step: step)
        let lr = learningRate(step: step, peak: config.learningRate, warmup: config.warmupSteps, steps: config.steps,
                              floor: config.minLRFraction)
        let (trainer, number) = (self, step + 1)
        let update = OptimizerStep(learningRate: lr, step: number, decay: adam.m.map { _ in false }, settings: AdamSettings(), clip: 1)
        let (loss, _) = try update.run(&model, adam: &adam, loss: { trainer.loss(frames, model: $0) },
                                       nonFinite: { _, _ in VidgenError("non-finite loss at codec step \(number)") })
        step += 1
        return loss
    }

    /// Trains the rest of the run and saves it into the codec folder `dir` (`save`), which
    /// it locks (CheckpointFolder.lock) before the first step and holds until the save:
    /// a folder another process is writing is refused, naming its pid, before any step.
    /// A run that fails removes the lock file (and the folder) it created (FolderLock.abandon).
    /// `progress` is told each step's number and loss. Returns the saved codec.
    public mutating func train(into dir: String, progress: (_ step: Int, _ loss: Float) -> Void = { _, _ in }) throws
        -> FrameAutoencoder {
        let lock = try CheckpointFolder(dir).lock()
        do {
            while step < config.steps {
                let loss = try trainStep()
                progress(step, loss)
            }
            return try withExtendedLifetime(lock) { try save(to: dir) }
        } catch {
            lock.abandon()
            throw error
        }
    }

    /// Frames of steps the run never reaches (a step past 1,000,000 beyond the last).
    public func heldOutBatch(_ k: Int) throws -> Tensor { try batch(step: config.steps + 1_000_000 + k) }

    /// `codec` with its latent range measured on 512 held-out frames.
    public func withMeasuredRange(_ codec: FrameAutoencoder) throws -> FrameAutoencoder {
        var raw: [Float] = []
        var n = 0
        for k in 0..<max(1, 512 / config.batchSize) {
            let z = codec.encodeRaw(try heldOutBatch(k))
            raw += z.values
            n += z.shape[0]
        }
        var c = codec
        let l = codec.config
        c.range = .measured(raw: Tensor(shape: [n, l.latentChannels, l.latentSize, l.latentSize], values: raw))
        return c
    }

    /// Writes the codec folder `dir`: the trained model with its measured latent range, which
    /// it returns.
    @discardableResult
    public func save(to dir: String) throws -> FrameAutoencoder {
        let codec = try withMeasuredRange(model)
        let folder = CheckpointFolder(dir)
        try folder.create()
        try PrettyJSON.write(config, to: folder.file(CheckpointFolder.codecConfigFile))
        try SafeTensors.write(codec.fileEntries, metadata: ["step": String(step), "format": "vidgen-codec"],
                              to: folder.file(CheckpointFolder.codecFile))
        return codec
    }
}

extension CheckpointFolder {
    /// The trained codec of a codec folder (autoencoder.json + autoencoder.safetensors).
    public func autoencoder() throws -> (FrameAutoencoder, CodecConfig) {
        let p = file(Self.codecConfigFile)
        guard let data = FileManager.default.contents(atPath: p) else {
            throw VidgenError("\(p): missing (not a vidgen autoencoder folder?)")
        }
        let config: CodecConfig
        do { config = try JSONDecoder().decode(CodecConfig.self, from: data) } catch {
            throw VidgenError("\(p): not a codec config (\(error))")
        }
        if let problem = config.validationError() { throw VidgenError("\(p): \(problem)") }
        return (try codecWeights(config.model), config)
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

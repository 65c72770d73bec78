// Training the frame autoencoder (FrameAutoencoder) that a latent model denoises in, and
// `vidgen autoencoder`'s job.
//
// Each step draws `batchSize` single frames (CodecConfig.frames: a pure function of the seed
// and the step). The loss is a weighted MSE on pixels: lit pixels (a ball or its rim) weigh
// `litWeight` times more than the black background, which would otherwise teach the decoder
// that drawing nothing is nearly right.
//
// A codec folder: autoencoder.safetensors (weights by dotted name, and the latent range) and
// autoencoder.json (the CodecConfig). Training takes minutes; it does not resume. Once
// trained, each latent channel's range is measured on held-out frames and stored, so a latent
// model sees latents spread over [−1, 1] (LatentRange).

import Checkpoints
import Diffusion
import Tensor
import World

/// A frame autoencoder in training.
public struct CodecTrainer {
    public let config: CodecConfig
    public private(set) var model: FrameAutoencoder
    var adam: AdamW
    public private(set) var step = 0

    public init(_ config: CodecConfig) throws {
        if let problem = config.validationError() { throw VidgenError(problem) }
        self.config = config
        var rng = RNG(seed: config.seed).split("codec-init")
        model = FrameAutoencoder(config.model, rng: &rng)
        adam = AdamW(like: model.namedParameters.map(\.value))
        _ = try WorldScenario.named(config.scenario)
    }

    /// The frames of step `step`: planar [N, 3, H, W] (CodecConfig.frames).
    public func batch(step: Int) throws -> Tensor { try config.frames(step: step) }

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

    /// `codec` with its latent range measured on 512 held-out frames (CodecConfig.measuredRange).
    public func withMeasuredRange(_ codec: FrameAutoencoder) throws -> FrameAutoencoder {
        try config.measuredRange(codec)
    }

    /// Writes the codec folder `dir`: the trained model with its measured latent range, which
    /// it returns.
    @discardableResult
    public func save(to dir: String) throws -> FrameAutoencoder {
        let codec = try withMeasuredRange(model)
        let folder = CheckpointFolder(dir)
        try folder.create()
        try PrettyJSON.write(config, to: folder.file(CheckpointFolder.codecConfigFile))
        try SafeTensors.write(codec.fileEntries, metadata: ["step": String(step), "format": CheckpointKind.codec.format],
                              to: folder.file(CheckpointFolder.codecFile))
        return codec
    }
}

// MARK: - The job

extension CodecTrainer {
    /// What `vidgen autoencoder` does: a run of `config` trained into the codec folder `dir`
    /// (`train(into:)`; `progress` is told each step's number and loss). Returns the trainer at
    /// the end of the run, the saved codec (with its measured latent range) and the loss on a
    /// batch of held-out frames.
    public static func run(_ config: CodecConfig, into dir: String,
                           progress: (_ step: Int, _ loss: Float) -> Void = { _, _ in }) throws
        -> (trainer: CodecTrainer, saved: FrameAutoencoder, heldOutLoss: Float) {
        var trainer = try CodecTrainer(config)
        let saved = try trainer.train(into: dir, progress: progress)
        let heldOut = trainer.loss(try config.heldOutFrames(0)).item
        return (trainer, saved, heldOut)
    }
}

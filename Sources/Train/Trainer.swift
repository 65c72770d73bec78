// The training loop: lr(step) → batch → forward/backward → clip → AdamW → EMA → log →
// periodic checkpoint. Every random draw comes from streams split off the run's seed by
// name and step, so a resumed run repeats an uninterrupted one bit for bit.

import Diffusion
import Foundation
import Tensor

/// What one step reports.
public struct StepStats: Sendable {
    public var step: Int
    public var loss: Float
    public var learningRate: Double
    public var gradNorm: Double
}

/// A model in training: weights, EMA, optimizer state and step.
public struct Trainer {
    public private(set) var config: TrainConfig
    public private(set) var model: Denoiser
    public private(set) var ema: [Tensor]
    public private(set) var adam: AdamW
    /// A latent model's frame autoencoder (frozen): clips are encoded before noising.
    public let codec: FrameAutoencoder?
    /// Steps taken so far.
    public private(set) var step = 0
    /// Training wall time so far, seconds (informational; not part of any result).
    public var seconds = 0.0
    /// The data-parallel run this trainer is one rank of: it trains on its share of each
    /// batch and sums gradients with the other ranks. nil for a single process.
    public var parallel: DataParallel?
    private(set) var stream: ClipStream
    let names: [String]
    let decays: [Bool]
    var schedule: CosineSchedule { config.model.schedule }

    /// A fresh run: weights from the "init" stream of the config's seed. A latent config
    /// needs its trained `codec`.
    public init(_ config: TrainConfig, codec: FrameAutoencoder? = nil) throws {
        if let problem = config.validationError() { throw VidgenError(problem) }
        if config.latent {
            guard let codec else { throw VidgenError("a latent model trains on an autoencoder's latents: give one with --autoencoder DIR") }
            guard codec.config == config.autoencoder else {
                throw VidgenError("the autoencoder's shape differs from the config's 'autoencoder'")
            }
        }
        self.codec = config.latent ? codec : nil
        self.config = config
        var rng = RNG(seed: config.seed).split("init")
        model = Denoiser(config.model, rng: &rng)
        let params = model.namedParameters
        names = params.map(\.name)
        // Decay matrices only: not biases, not position embeddings.
        decays = params.map { $0.value.rank >= 2 && !$0.name.hasPrefix("pos.") }
        ema = params.map(\.value)
        adam = AdamW(like: params.map(\.value))
        stream = try ClipStream(config)
    }

    /// The EMA weights as a model (what sampling uses).
    public var emaModel: Denoiser {
        var m = model
        var i = 0
        m.visit("") { _, t in t = ema[i]; i += 1 }
        return m
    }

    // MARK: - Step

    /// One optimizer step.
    public mutating func trainStep() throws -> StepStats {
        let batch = try stream.batch(step: step, clips: parallel?.share(of: config.batchSize))
        return try trainStep(on: batch)
    }

    /// One optimizer step on `batch` (in a data-parallel run, this rank's share of it).
    /// `lap` is told when each phase ends (for `vidgen bench train`).
    public mutating func trainStep(on batch: ClipBatch, lap: (StepPhase) -> Void = { _ in }) throws -> StepStats {
        let lr = learningRate(step: step, config)
        let clean = codec.map { $0.encodeClips(batch.clips) } ?? batch.clips
        let noised = schedule.noised(clean, t: batch.t, mask: batch.mask, noise: batch.noise, lossMask: batch.lossMask)

        let (number, parallel) = (step + 1, self.parallel)
        let update = OptimizerStep(learningRate: lr, step: number, decay: decays, settings: config.adam, clip: config.gradClip)
        let (lossValue, norm) = try update.run(
            &model, adam: &adam, ema: &ema, emaDecay: emaDecay(step: step, config),
            loss: { $0.loss(noised, mask: batch.mask, t: batch.t) },
            gradientHook: { grads, loss in
                guard let parallel else { return }
                // The loss is a mean over the share's loss-weighted frames; the sum weighs each
                // rank's gradients by that count, so the result is the whole batch's mean.
                parallel.sum(&grads, loss: &loss, weight: noised.lossMask.withUnsafeBufferPointer { $0.reduce(0, +) })
            },
            nonFinite: { loss, _ in
                let message = "non-finite \(loss.isFinite ? "gradient norm" : "loss") at step \(number); the last checkpoint is kept"
                // Every rank holds the same sums, so every rank stops here.
                if parallel != nil { return CollectiveError(message) }
                return VidgenError(message)
            },
            lap: lap)
        step += 1
        return StepStats(step: step, loss: lossValue, learningRate: lr, gradNorm: norm)
    }

    // MARK: - Checkpoints

    /// Writes the checkpoint folder `dir` (CheckpointFolder; Checkpoint.swift).
    public func save(to dir: String) throws {
        let state = CheckpointFolder.stateEntries(names: names, [
            (.weights, model.namedParameters.map(\.value)), (.ema, ema), (.adamM, adam.m), (.adamV, adam.v),
        ])
        try CheckpointFolder(dir).saveVideoModel(config: config, ema: Array(zip(names, ema)), state: state,
                                                 step: step, seconds: seconds, codec: codec)
    }

    /// Writes a sampling-only copy of the run (EMA weights and config, no train state) to
    /// `dir`, for scoring snapshots of a run against training time. Like the model file of a
    /// checkpoint it holds no wall time, so equal runs leave equal bytes; the run's
    /// train-log.csv has the seconds.
    public func saveSnapshot(to dir: String) throws {
        try CheckpointFolder(dir).saveVideoModel(config: config, ema: Array(zip(names, ema)), state: nil,
                                                 step: step, seconds: seconds, codec: codec)
    }

    /// The run saved in `dir`, ready to continue; nil if `dir` holds no train state.
    public static func resume(from dir: String) throws -> Trainer? {
        let folder = CheckpointFolder(dir)
        guard folder.hasTrainState else { return nil }
        let config = try folder.trainConfig()
        var trainer = try Trainer(config, codec: try folder.codec(for: config))
        let like = trainer.model.namedParameters.map { (name: $0.name, shape: $0.value.shape) }
        let saved = try folder.trainState([.weights, .ema, .adamM, .adamV], like: like)
        let weights = saved.tensors[.weights]!
        var i = 0
        trainer.model.visit("") { _, t in t = weights[i]; i += 1 }
        (trainer.ema, trainer.adam.m, trainer.adam.v) = (saved.tensors[.ema]!, saved.tensors[.adamM]!, saved.tensors[.adamV]!)
        (trainer.step, trainer.seconds) = (saved.step, saved.seconds)
        return trainer
    }
}

extension Trainer {
    /// This fresh run started from the sampling weights of the checkpoint in `dir`
    /// (fine-tuning): they become its weights and its EMA; the optimizer, the schedule and
    /// the step count start anew. The checkpoint's model must have this config's shape.
    public func startingFrom(_ dir: String) throws -> Trainer {
        precondition(step == 0, "a run starts from a checkpoint's weights only at step 0")
        let (weights, saved) = try CheckpointFolder(dir).videoModel()
        guard saved.model == config.model else {
            throw VidgenError("\(dir): its model (config.json 'model') differs from this run's; --from needs the same shape and schedule")
        }
        guard saved.latent == config.latent, !config.latent || saved.autoencoder == config.autoencoder else {
            throw VidgenError("\(dir): a \(saved.latent ? "latent" : "pixel") model with another autoencoder shape than this run's")
        }
        var t = self
        t.model = weights
        t.ema = weights.namedParameters.map(\.value)
        return t
    }

    /// The same run on a new plan (TrainConfig.replanned): weights, EMA, moments, step and
    /// time kept, the learning-rate schedule re-planned from the current step.
    public func replanned(steps: Int?, checkpointEvery: Int?) throws -> Trainer {
        var t = self
        t.config = config.replanned(steps: steps, checkpointEvery: checkpointEvery)
        if let problem = t.config.validationError() { throw VidgenError(problem) }
        t.stream = try ClipStream(t.config)
        return t
    }
}

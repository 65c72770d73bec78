// The training loop: lr(step) → batch → forward/backward → clip → AdamW → EMA → log →
// periodic checkpoint. Every random draw comes from streams split off the run's seed by
// name and step, so a resumed run repeats an uninterrupted one bit for bit.

import Checkpoints
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
    /// The model's own one-step errors, when the config recycles them (TrainConfig.errorRecycleShare).
    public private(set) var bank: ErrorBank?
    let names: [String]
    let decays: [Bool]
    var schedule: CosineSchedule { config.model.schedule }

    /// A fresh run: weights from the "init" stream of the config's seed. A latent config
    /// needs its trained `codec`. A config whose run would need more memory than the
    /// machine has (TrainingMemory) is refused before anything is allocated.
    public init(_ config: TrainConfig, codec: FrameAutoencoder? = nil) throws {
        if let problem = config.validationError() { throw VidgenError(problem) }
        try TrainingMemory(config).check()
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
        if config.errorRecycleShare > 0 {
            bank = ErrorBank(frameSize: config.model.channels * config.model.size * config.model.size)
        }
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
        if bank != nil && parallel != nil {
            throw VidgenError("error recycling (errorRecycleShare) runs in one process: each rank's error bank would hold other errors")
        }
        let lr = learningRate(step: step, config)
        let clean = codec.map { $0.encodeClips(batch.clips) } ?? batch.clips
        let input = bank.map { recycled(clean, batch, bank: $0) } ?? clean
        // Only given context frames change, and the loss never covers them: the targets stay the clean clip's.
        let noised = schedule.noised(input, t: batch.t, mask: batch.mask, noise: batch.noise, lossMask: batch.lossMask)
        let weights = config.ballLossWeight > 0 ? ballWeighted(noised.lossMask, clips: batch.clips) : noised.lossMask

        let (number, parallel) = (step + 1, self.parallel)
        var prediction: Tensor?
        let update = OptimizerStep(learningRate: lr, step: number, decay: decays, settings: config.adam, clip: config.gradClip)
        let (lossValue, norm) = try update.run(
            &model, adam: &adam, ema: &ema, emaDecay: emaDecay(step: step, config),
            loss: { watched in
                let v = watched(noised.input, mask: batch.mask, t: batch.t)
                prediction = v
                return Tensor.maskedMSE(v, noised.target, mask: weights)
            },
            gradientHook: { grads, loss in
                guard let parallel else { return }
                // The loss is a mean over the share's loss-weighted frames; the sum weighs each
                // rank's gradients by that count, so the result is the whole batch's mean.
                parallel.sum(&grads, loss: &loss, weight: weights.withUnsafeBufferPointer { $0.reduce(0, +) })
            },
            nonFinite: { loss, _ in
                let message = "non-finite \(loss.isFinite ? "gradient norm" : "loss") at step \(number); the last checkpoint is kept"
                // Every rank holds the same sums, so every rank stops here.
                if parallel != nil { return CollectiveError(message) }
                return VidgenError(message)
            },
            lap: lap)
        if bank != nil, let prediction { deposit(prediction, noised, clean: clean, t: batch.t) }
        step += 1
        return StepStats(step: step, loss: lossValue, learningRate: lr, gradNorm: norm)
    }

    // MARK: - Checkpoints

    /// Writes the checkpoint folder `dir` (CheckpointFolder; the Checkpoints module reads it).
    public func save(to dir: String) throws {
        let state = CheckpointFolder.stateEntries(names: names, [
            (.weights, model.namedParameters.map(\.value)), (.ema, ema), (.adamM, adam.m), (.adamV, adam.v),
        ]) + (bank?.entries ?? [])
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
        let parts: [CheckpointFolder.StatePart] = [.weights, .ema, .adamM, .adamV]
        try folder.checkShapes(CheckpointFolder.stateFile, prefixes: parts.map(\.rawValue), like: config.model.parameterShapes)
        var trainer = try Trainer(config, codec: try folder.codec(for: config))
        let saved = try folder.trainState(parts, like: trainer.model.parameterShapes)
        let weights = saved.tensors[.weights]!
        var i = 0
        trainer.model.visit("") { _, t in t = weights[i]; i += 1 }
        (trainer.ema, trainer.adam.m, trainer.adam.v) = (saved.tensors[.ema]!, saved.tensors[.adamM]!, saved.tensors[.adamV]!)
        (trainer.step, trainer.seconds) = (saved.step, saved.seconds)
        if let bank = trainer.bank {
            trainer.bank = try bank.restored(from: folder.tensors(CheckpointFolder.stateFile),
                                             file: folder.file(CheckpointFolder.stateFile))
        }
        return trainer
    }
}

extension CheckpointFolder {
    /// A video model's save: config, train state (if given), then the EMA weights, with
    /// the frame autoencoder of a latent model first.
    func saveVideoModel(config: TrainConfig, ema: [(name: String, value: Tensor)], state: [SafeTensorsEntry]?,
                        step: Int, seconds: Double, codec: FrameAutoencoder?) throws {
        if let codec {
            try create()
            try SafeTensors.write(codec.fileEntries, metadata: ["format": CheckpointKind.codec.format], to: file(Self.codecFile))
        }
        try save(config: Array(config.encoded()), state: state, model: ema.map { $0.value.entry($0.name) },
                 step: step, seconds: seconds, format: CheckpointKind.video.format)
    }
}

extension Trainer {
    /// This fresh run started from the sampling weights of the checkpoint in `dir`
    /// (fine-tuning): they become its weights and its EMA; the optimizer, the schedule and
    /// the step count start anew. The checkpoint's model must have this config's shape.
    public func startingFrom(_ dir: String) throws -> Trainer {
        precondition(step == 0, "a run starts from a checkpoint's weights only at step 0")
        let (stored, saved) = try CheckpointFolder(dir).videoModel()
        var weights = stored
        var sameButLonger = saved.model
        sameButLonger.frames = config.model.frames
        if saved.model.frames < config.model.frames && sameButLonger == config.model {
            weights = weights.lengthened(to: config.model.frames)
        } else if saved.model != config.model {
            throw VidgenError("\(dir): its model (config.json 'model') differs from this run's; --from needs the same shape and schedule (or a longer window)")
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

// MARK: - Ball-weighted loss

extension Trainer {
    /// The per-frame loss weights `frameWeights` [B, T] spread over the model's grid
    /// [B, T, C, h, w]: a cell weighs 1 + ballLossWeight when a lit pixel of the clean frame
    /// (`clips` [B, T, 3, H, W]; any channel above −0.8, the background being −1) falls in it,
    /// else 1, times its frame's weight. A cell is H/h pixels on a side.
    func ballWeighted(_ frameWeights: Tensor, clips: Tensor) -> Tensor {
        let m = config.model
        let (b, frames, size) = (clips.shape[0], clips.shape[1], clips.shape[3])
        let (g, cell) = (m.size, size / m.size)
        let extra = Float(config.ballLossWeight)
        let (x, fw) = (clips.values, frameWeights.values)
        return Tensor(shape: [b, frames, m.channels, g, g]) { out in
            for j in out.indices { out[j] = 0 }
            for bt in 0..<(b * frames) where fw[bt] != 0 {
                for cy in 0..<g {
                    for cx in 0..<g {
                        var lit = false
                        for ch in 0..<3 where !lit {
                            for y in (cy * cell)..<((cy + 1) * cell) where !lit {
                                let row = ((bt * 3 + ch) * size + y) * size + cx * cell
                                for j in 0..<cell where x[row + j] > -0.8 { lit = true; break }
                            }
                        }
                        let w = fw[bt] * (lit ? 1 + extra : 1)
                        for c in 0..<m.channels { out[((bt * m.channels + c) * g + cy) * g + cx] = w }
                    }
                }
            }
        }
    }
}

// MARK: - Error recycling

extension Trainer {
    /// `clean` [B, T, C, H, W] with a banked error added to the given context frames of the
    /// clips this step recycles (ErrorBank's legend). Clip i's draws come from a stream of
    /// the step and its index in the whole batch.
    func recycled(_ clean: Tensor, _ batch: ClipBatch, bank: ErrorBank) -> Tensor {
        let (b, frames) = (clean.shape[0], clean.shape[1])
        let per = clean.count / max(b * frames, 1)
        let first = parallel?.share(of: config.batchSize).lowerBound ?? 0
        let root = RNG(seed: config.seed).split("error-recycling").split(step)
        var out = clean.values
        for i in 0..<b {
            var rng = root.split(first + i)
            guard rng.uniform() < config.errorRecycleShare else { continue }
            for f in 0..<batch.context[i] {
                let scale = Float(rng.uniform() * config.errorRecycleScale)
                guard let e = bank.draw(maxLevel: Float(config.errorRecycleMaxLevel), rng: &rng) else { continue }
                let base = (i * frames + f) * per
                for (j, v) in e.enumerated() { out[base + j] += scale * v }
            }
        }
        return Tensor(shape: clean.shape, values: out)
    }

    /// Banks the one-step error x̂₀ − x₀ of every frame the loss covers.
    mutating func deposit(_ prediction: Tensor, _ noised: NoisedBatch, clean: Tensor, t: [Float]) {
        let (b, frames) = (clean.shape[0], clean.shape[1])
        let per = clean.count / max(b * frames, 1)
        let (v, x, x0, weights) = (prediction.values, noised.input.values, clean.values, noised.lossMask.values)
        var error = [Float](repeating: 0, count: per)
        for k in 0..<(b * frames) where weights[k] > 0 {
            let level = t.count == b * frames ? t[k] : t[k / frames]
            let (a, s) = schedule.alphaSigma(Double(level))
            for j in 0..<per { error[j] = Float(a) * x[k * per + j] - Float(s) * v[k * per + j] - x0[k * per + j] }
            error.withUnsafeBufferPointer { bank!.deposit($0, level: level) }
        }
    }
}

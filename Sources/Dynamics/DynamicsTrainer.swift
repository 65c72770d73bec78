// The training loop of a state model, of either kind (the config's, StateTrainingConfig):
// lr(step) → batch(seed, step) → noise → forward/backward → clip →
// AdamW → log → checkpoint.
// Every random stream is split from the seed by name and step, so a resumed run is
// bit-identical to an uninterrupted one.

import Foundation
import Tensor
import World

/// What the trainer reports after each step.
public struct DynamicsProgress: Sendable {
    /// Steps done (1-based), of `steps`.
    public var step: Int
    public var steps: Int
    /// The step's loss (network units²) and learning rate.
    public var loss: Double
    public var learningRate: Double
    /// The gradient's global norm before clipping.
    public var gradNorm: Double
}

/// Trains the network of a state model's config and checkpoints it in a folder: the
/// structured state model's interaction network with a DynamicsConfig, the generic one's
/// graph network with a GenericStateConfig.
public struct DynamicsTrainer<Config: StateTrainingConfig> {
    public let config: Config
    /// The checkpoint folder.
    public let folder: String
    /// Steps done so far.
    public private(set) var step = 0
    public private(set) var network: Config.Network
    var optimizer: AdamW
    let perception = Perception()
    /// Training wall time so far, seconds (informational; saved with the train state, not
    /// part of any result). The caller's clock advances it (`train(clock:)`).
    public private(set) var seconds = 0.0
    /// train-log.csv rows of the steps since the last save.
    var pendingLog: [String] = []
    /// Every this many steps a row goes to train-log.csv (and the run's last step).
    static var logEvery: Int { 10 }
    /// The run's hold on `folder` when it was begun by `start`; released with the trainer.
    var lock: FolderLock?

    /// A fresh run of `config` that checkpoints into `folder`.
    public init(config: Config, folder: String) throws {
        if let problem = config.validationError() { throw VidgenError("config: \(problem)") }
        self.config = config
        self.folder = folder
        var rng = RNG(seed: config.seed).split("init")
        network = config.network(rng: &rng)
        optimizer = AdamW(like: network.parameters)
    }

    /// The run saved in `folder`, ready to continue where it stopped. `steps` and
    /// `checkpointEvery`, when given, replace the saved config's (a longer run changes the
    /// learning-rate schedule from the step it resumes at).
    public static func resume(folder: String, steps: Int? = nil, checkpointEvery: Int? = nil) throws -> DynamicsTrainer {
        let checkpoint = CheckpointFolder(folder)
        var config = try Config.saved(in: checkpoint)
        if let steps { config.steps = steps }
        if let checkpointEvery { config.checkpointEvery = checkpointEvery }
        let parts: [CheckpointFolder.StatePart] = [.weights, .adamM, .adamV]
        if let structured = config as? DynamicsConfig {
            // The structured network's shapes are checked against the file before it is built.
            try checkpoint.checkShapes(CheckpointFolder.stateFile, prefixes: parts.map(\.rawValue),
                                       like: InteractionNetwork.parameterShapes(structured.model))
        }
        var t = try DynamicsTrainer(config: config, folder: folder)
        let like = t.network.parameterShapes
        let saved = try checkpoint.trainState(parts, like: like)
        if saved.step > config.steps { throw VidgenError("\(folder) is at step \(saved.step), past --steps \(config.steps)") }
        (t.network.parameters, t.optimizer.m, t.optimizer.v) = (saved.tensors[.weights]!, saved.tensors[.adamM]!, saved.tensors[.adamV]!)
        (t.step, t.seconds) = (saved.step, saved.seconds)
        try checkpoint.keepLog(through: saved.step)
        return t
    }

    /// The run `vidgen train --model state` trains: with `resume` and a checkpoint in
    /// `folder`, that checkpoint, whose config `config` (if given) must be but for `steps`
    /// and `checkpointEvery`; otherwise a fresh run of `config` (the default preset if nil),
    /// refused if `folder` already holds a checkpoint. `steps` and `checkpointEvery`, when
    /// given, replace the config's. `folder` is locked first (CheckpointFolder.lock) and
    /// stays locked while the trainer lives: a folder another process is writing is
    /// refused, naming its pid, before anything is read or written.
    public static func start(_ config: Config?, folder: String, resume: Bool, steps: Int? = nil,
                             checkpointEvery: Int? = nil, note: (String) -> Void = { _ in }) throws -> DynamicsTrainer {
        let lock = try CheckpointFolder(folder).lock()
        do {
            var trainer = try begin(config, folder: folder, resume: resume, steps: steps, checkpointEvery: checkpointEvery,
                                    note: note)
            trainer.lock = lock
            return trainer
        } catch {
            lock.abandon()
            throw error
        }
    }

    /// `start`'s work once the folder is locked.
    private static func begin(_ config: Config?, folder: String, resume: Bool, steps: Int?, checkpointEvery: Int?,
                              note: (String) -> Void) throws -> DynamicsTrainer {
        let checkpoint = CheckpointFolder(folder)
        var trainer: DynamicsTrainer
        if resume && checkpoint.hasTrainState {
            if var mine = config {
                let saved = try Config.saved(in: checkpoint)
                (mine.steps, mine.checkpointEvery) = (saved.steps, saved.checkpointEvery)
                if mine != saved {
                    throw VidgenError("--config/--seed differ from the checkpoint's config in \(folder); drop them to resume")
                }
            }
            trainer = try Self.resume(folder: folder, steps: steps, checkpointEvery: checkpointEvery)
            note("resuming \(folder) at step \(trainer.step) of \(trainer.config.steps)")
        } else {
            if checkpoint.hasTrainState {
                throw VidgenError("\(folder) already holds a checkpoint; pass --resume to continue it or choose another --out")
            }
            if resume { note("no checkpoint in \(folder): starting from scratch") }
            var c = try config ?? Config.resolve(Config.defaultPreset)
            if let steps { c.steps = steps }
            if let checkpointEvery { c.checkpointEvery = checkpointEvery }
            if let problem = c.validationError() { throw VidgenError(problem) }
            trainer = try DynamicsTrainer(config: c, folder: folder)
        }
        return trainer
    }

    /// The model as trained so far.
    public var model: StateModel { config.stateModel(network) }

    // MARK: - Training

    /// Trains up to `steps` more steps (all that remain of the run when nil), checkpointing
    /// every `checkpointEvery` steps and at the last step of the run. `clock` (seconds) times
    /// the steps for the log; `shouldStop` ends the run early with a checkpoint.
    public mutating func train(steps: Int? = nil, clock: () -> Double = { 0 }, shouldStop: () -> Bool = { false },
                               progress: (DynamicsProgress) -> Void = { _ in }) throws {
        let end = min(config.steps, step + (steps ?? config.steps))
        while step < end {
            let t0 = clock()
            let report = try trainStep()
            seconds += clock() - t0
            if report.step % Self.logEvery == 0 || report.step == config.steps {
                pendingLog.append(String(format: "%d,%.6g,%.6g,%.6g,%.3f", report.step, report.loss, report.learningRate,
                                         report.gradNorm, seconds))
            }
            progress(report)
            if step % config.checkpointEvery == 0 || step == config.steps || shouldStop() { try save() }
            if shouldStop() { break }
        }
    }

    /// One optimizer step, on `transitions` (tests) or else on batch `step` of the run. A
    /// non-finite loss or gradient ends the run with an error, leaving the last checkpoint.
    mutating func trainStep(on transitions: [Transition]? = nil) throws -> DynamicsProgress {
        let lr = learningRate(step: step, peak: config.learningRate, warmup: config.warmupSteps, steps: config.steps,
                              floor: config.minLRFraction)
        var noise = RNG(seed: config.seed).split("noise").split(step)
        let data = transitions ?? TrainingData.batch(config, step: step, perception: perception)
        let config = self.config, number = step + 1  // a copy the loss closure can capture
        let examples = config.examples(data, rng: &noise)
        let update = OptimizerStep(learningRate: lr, step: number, decay: config.decays(network), settings: config.adam,
                                   clip: config.gradClip)
        let (loss, norm) = try update.run(
            &network, adam: &optimizer, loss: { config.loss(of: $0, on: examples) },
            nonFinite: { loss, _ in
                VidgenError("non-finite \(loss.isFinite ? "gradient norm" : "loss") at step \(number); the last checkpoint is kept")
            })
        step += 1
        return DynamicsProgress(step: step, steps: config.steps, loss: Double(loss), learningRate: lr, gradNorm: norm)
    }

    /// Writes the checkpoint folder (config, train state, model) and appends the log.
    public mutating func save() throws {
        let named = network.namedParameters
        let state = CheckpointFolder.stateEntries(names: named.map(\.name), [
            (.weights, named.map(\.value)), (.adamM, optimizer.m), (.adamV, optimizer.v),
        ])
        let checkpoint = CheckpointFolder(folder)
        try checkpoint.save(config: config.encoded(), state: state, model: named.map { $0.value.entry($0.name) },
                            step: step, seconds: seconds, format: Config.kind.format)
        try checkpoint.appendLog(pendingLog)
        pendingLog = []
    }
}

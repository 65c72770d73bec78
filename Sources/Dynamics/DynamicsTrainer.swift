// The training loop of a state model, of either kind (the config's, StateTrainingConfig):
// lr(step) → batch(seed, step) → noise → forward/backward → clip →
// AdamW → log → checkpoint.
// Every random stream is split from the seed by name and step, so a resumed run is
// bit-identical to an uninterrupted one.

import Foundation
import Tensor

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
    /// The run's hold on `folder` (CheckpointFolder.lock) when a job has given it one;
    /// released with the trainer.
    public var lock: FolderLock?

    /// A fresh run of `config` that checkpoints into `folder`.
    public init(config: Config, folder: String) throws {
        if let problem = config.validationError() { throw VidgenError("config: \(problem)") }
        self.config = config
        self.folder = folder
        var rng = RNG(seed: config.seed).split("init")
        network = config.network(rng: &rng)
        optimizer = AdamW(like: network.parameters)
    }

    /// The run saved in `folder`, whose saved config is `saved` (the checkpoint layer reads
    /// it: DynamicsTrainer.resume(folder:)), ready to continue where it stopped. `steps` and
    /// `checkpointEvery`, when given, replace the saved config's (a longer run changes the
    /// learning-rate schedule from the step it resumes at).
    public static func resume(_ saved: Config, folder: String, steps: Int? = nil, checkpointEvery: Int? = nil) throws
        -> DynamicsTrainer {
        let checkpoint = CheckpointFolder(folder)
        var config = saved
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
        let state = try checkpoint.trainState(parts, like: like)
        if state.step > config.steps { throw VidgenError("\(folder) is at step \(state.step), past --steps \(config.steps)") }
        (t.network.parameters, t.optimizer.m, t.optimizer.v) = (state.tensors[.weights]!, state.tensors[.adamM]!, state.tensors[.adamV]!)
        (t.step, t.seconds) = (state.step, state.seconds)
        try checkpoint.keepLog(through: state.step)
        return t
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
                pendingLog.append(CheckpointFolder.logRow(step: report.step, loss: report.loss, learningRate: report.learningRate,
                                                          gradNorm: report.gradNorm, seconds: seconds))
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

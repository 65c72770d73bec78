// Training a state model in 3D, of either kind (the config's, StateTrainingConfig3D): the
// recipe both share and its loop,
//
//   lr(step) → batch(seed, step) → noise → forward/backward → clip → AdamW → log,
//
// the flat models' (DynamicsTrainer) with the one optimizer step every trainer takes
// (OptimizerStep). StateConfig3D (presets `tiny` and `default`) trains the structured law's
// three constants, GenericStateConfig3D (`generic`, `generic-tiny`) the generic law's graph
// network. Every random stream is split from the seed by name and step, so a run is a
// function of its config. A finished run is saved in the checkpoint folder layout
// (CheckpointFolder): config.json, model.safetensors (the parameters by name) with its kind's
// format tag (StateModelKind.format3D), train-state.safetensors and train-log.csv; a run does
// not resume (it takes minutes at most).

import Tensor
import World

/// What a training run of a 3D state model is told, for either kind of law: the recipe both
/// share — clips of a depth scenario perceived through its camera (TrainingData3D.batch), noise
/// on their inputs, a pseudo-Huber loss, AdamW on a warm-up and cosine schedule, the seed — and
/// what each kind adds: the parameters it trains, what a batch of transitions becomes for
/// them, their loss and the law they make. The trainer (`StateTrainer3D`) is written once
/// against it.
public protocol StateTrainingConfig3D: Codable, StateRecipe {
    /// The parameters the run trains.
    associatedtype Network: ParameterVisitable
    /// What the parameters read of one step's examples.
    associatedtype Batch

    /// The kind of law it trains (its checkpoint folders carry the kind's format3D tag).
    static var kind: StateModelKind { get }
    /// Its presets' names, in the order messages list them, and the preset called `name`.
    static var presetNames: [String] { get }
    static func preset(_ name: String) -> Self?

    /// Depth scenario the clips come from.
    var scenario: String { get set }

    /// Problems a user can cause, as one readable line.
    func validationError() -> String?
    /// Freshly initialized parameters; every draw comes from `rng`.
    func network(rng: inout RNG) -> Network
    /// The examples `transitions` hold: inputs, targets [R, C] and row weights [R], input noise
    /// from `rng`.
    func examples(_ transitions: [Transition3D], rng: inout RNG) -> (batch: Batch, target: Tensor, weight: Tensor)
    /// The scalar loss of `network` on examples (a tape may be watching its parameters).
    func loss(of network: Network, on batch: Batch, target: Tensor, weight: Tensor) -> Tensor
    /// Per parameter of `network`, in visiting order: whether weight decay applies.
    func decays(_ network: Network) -> [Bool]
    /// The law `network` steps with.
    func law(_ network: Network) -> StateLaw3D
}

extension StateTrainingConfig3D {
    /// The recipe's problems a user can cause — everything but the law's own shape — as one
    /// readable line.
    public func recipeValidationError() -> String? {
        guard (try? DepthScenario.named(scenario)) != nil else {
            return "unknown depth scenario '\(scenario)'; valid: \(DepthScenario.names.joined(separator: ", "))"
        }
        return scheduleValidationError(minimumClipFrames: 8)
    }
}

/// Everything that defines a training run of the structured state model in 3D.
public struct StateConfig3D: StateTrainingConfig3D {
    /// The preset this config started from (informational).
    public var preset = "default"
    /// Depth scenario the clips come from (its camera and box are the model's).
    public var scenario = DepthScenario.depth.name
    /// Clips simulated per step; every example their transitions hold is in the batch.
    public var clipsPerStep = 8
    /// Frames per training clip.
    public var clipFrames = 32
    /// Standard deviation of the Gaussian noise on the input positions and velocities at a
    /// contact, box units and box units per frame (the flat recipe's).
    public var positionNoise = 0.003
    public var velocityNoise = 0.003
    /// δ of the pseudo-Huber loss, box units per frame (0: squared error).
    public var robustLoss = 0.005
    /// Optimizer steps; linear warm-up to the peak rate, cosine decay to minLRFraction·peak.
    /// Three constants need far fewer steps than the flat model's networks.
    public var steps = 1500
    public var learningRate = 1e-2
    public var warmupSteps = 50
    public var minLRFraction = 0.02
    /// AdamW (no weight decay on three constants).
    public var beta1 = 0.9
    public var beta2 = 0.999
    public var epsilon = 1e-8
    /// Gradients are scaled down to this global L2 norm when larger.
    public var gradClip = 1.0
    /// Seed of every random stream of the run (data, noise).
    public var seed: UInt64 = 0

    public init() {}

    /// The recipe to train a model with.
    public static var `default`: StateConfig3D { StateConfig3D() }

    /// Trains in a few seconds; what the tests use.
    public static var tiny: StateConfig3D {
        var c = StateConfig3D()
        c.preset = "tiny"
        c.clipsPerStep = 2
        c.clipFrames = 24
        c.steps = 60
        c.learningRate = 5e-2
        c.warmupSteps = 5
        return c
    }

    /// The presets' names, in the order messages list them.
    public static let presetNames = ["tiny", "default"]

    /// The preset called `name`; nil for another name.
    public static func preset(_ name: String) -> StateConfig3D? {
        switch name {
        case "tiny": return .tiny
        case "default": return .default
        default: return nil
        }
    }

    /// Problems a user can cause, as one readable line.
    public func validationError() -> String? { recipeValidationError() }
}

// MARK: - Training the three constants

extension StateConfig3D {
    public static var kind: StateModelKind { .structured }

    /// No weight decay on three constants.
    public var weightDecay: Double { 0 }

    /// The constants start at 0: no gravity, no bounce (no draw from `rng`).
    public func network(rng: inout RNG) -> LearnedLaw3D { LearnedLaw3D() }

    /// The examples with at most one contact instant (TrainingData3D.tensors).
    public func examples(_ transitions: [Transition3D], rng: inout RNG) -> (batch: LawBatch3D, target: Tensor, weight: Tensor) {
        TrainingData3D.tensors(transitions, self, rng: &rng)
    }

    public func loss(of law: LearnedLaw3D, on batch: LawBatch3D, target: Tensor, weight: Tensor) -> Tensor {
        law.loss(batch, target: target, weight: weight, robust: Float(robustLoss))
    }

    public func decays(_ law: LearnedLaw3D) -> [Bool] { law.parameters.map { _ in false } }

    public func law(_ law: LearnedLaw3D) -> StateLaw3D { .structured(law.law) }
}

/// Trains a state model in 3D: the structured law's three constants with a StateConfig3D, the
/// generic law's graph network with a GenericStateConfig3D.
public struct StateTrainer3D<Config: StateTrainingConfig3D> {
    public let config: Config
    /// Steps done so far.
    public private(set) var step = 0
    public private(set) var network: Config.Network
    var optimizer: AdamW
    /// Training wall time so far, seconds (informational: the caller's clock, `train(clock:)`).
    public private(set) var seconds = 0.0
    /// train-log.csv rows of the steps since the last save.
    var log: [String] = []

    /// A fresh run of `config`.
    public init(config: Config) throws {
        if let problem = config.validationError() { throw VidgenError("config: \(problem)") }
        self.config = config
        var rng = RNG(seed: config.seed).split("init")
        network = config.network(rng: &rng)
        optimizer = AdamW(like: network.parameters)
    }

    /// The law as trained so far.
    public var law: StateLaw3D { config.law(network) }

    /// The model as trained so far, for clips of the config's scenario.
    public var model: StateModel3D { StateModel3D(law: law, scenario: try! DepthScenario.named(config.scenario)) }

    /// Trains up to `steps` more steps (all that remain when nil), reporting each; every
    /// DynamicsTrainer.logEvery steps (and the run's last) a train-log.csv row for `save`.
    public mutating func train(steps: Int? = nil, clock: () -> Double = { 0 },
                               progress: (DynamicsProgress) -> Void = { _ in }) throws {
        let end = min(config.steps, step + (steps ?? config.steps))
        while step < end {
            let t0 = clock()
            let report = try trainStep()
            seconds += clock() - t0
            if report.step % DynamicsTrainer<DynamicsConfig>.logEvery == 0 || report.step == config.steps {
                log.append(CheckpointFolder.logRow(step: report.step, loss: report.loss, learningRate: report.learningRate,
                                                   gradNorm: report.gradNorm, seconds: seconds))
            }
            progress(report)
        }
    }

    /// Writes the run into checkpoint folder `folder`: config.json, model.safetensors (the
    /// parameters), train-state.safetensors (the parameters and AdamW's moments) and the rows
    /// of train-log.csv since the last save.
    public mutating func save(folder: String) throws {
        let named = network.namedParameters
        let state = CheckpointFolder.stateEntries(names: named.map(\.name), [
            (.weights, named.map(\.value)), (.adamM, optimizer.m), (.adamV, optimizer.v),
        ])
        let checkpoint = CheckpointFolder(folder)
        try checkpoint.save(config: try PrettyJSON.bytes(config), state: state, model: named.map { $0.value.entry($0.name) },
                            step: step, seconds: seconds, format: Config.kind.format3D)
        try checkpoint.appendLog(log)
        log = []
    }

    /// One optimizer step, on `transitions` (tests) or else on batch `step` of the run. A
    /// non-finite loss or gradient ends the run with an error.
    mutating func trainStep(on transitions: [Transition3D]? = nil) throws -> DynamicsProgress {
        let c = config
        let lr = learningRate(step: step, peak: c.learningRate, warmup: c.warmupSteps, steps: c.steps, floor: c.minLRFraction)
        var noise = RNG(seed: c.seed).split("noise").split(step)
        let examples = c.examples(transitions ?? TrainingData3D.batch(c, step: step), rng: &noise)
        let number = step + 1
        guard examples.weight.count > 0 else {  // no clip of the batch held an example: nothing to learn from
            step += 1
            return DynamicsProgress(step: step, steps: c.steps, loss: 0, learningRate: lr, gradNorm: 0)
        }
        let update = OptimizerStep(learningRate: lr, step: number, decay: c.decays(network),
                                   settings: c.adam, clip: c.gradClip)
        let (loss, norm) = try update.run(
            &network, adam: &optimizer,
            loss: { c.loss(of: $0, on: examples.batch, target: examples.target, weight: examples.weight) },
            nonFinite: { loss, _ in VidgenError("non-finite \(loss.isFinite ? "gradient norm" : "loss") at step \(number)") })
        step += 1
        return DynamicsProgress(step: step, steps: c.steps, loss: Double(loss), learningRate: lr, gradNorm: norm)
    }
}

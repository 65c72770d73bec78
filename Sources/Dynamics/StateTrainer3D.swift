// Training the structured state model in 3D: its recipe (StateConfig3D, with presets `tiny`
// and `default`) and its loop,
//
//   lr(step) → batch(seed, step) → noise → forward/backward → clip → AdamW → log,
//
// the flat model's (DynamicsTrainer) with the one optimizer step every trainer takes
// (OptimizerStep). Every random stream is split from the seed by name and step, so a run is a
// function of its config. A finished run is saved in the checkpoint folder layout
// (CheckpointFolder): config.json, model.safetensors (the three constants by name) with the
// format tag `vidgen-dynamics-3d`, train-state.safetensors and train-log.csv; a run does not
// resume (it takes well under a minute).

import Tensor
import World

/// Everything that defines a training run of the structured state model in 3D.
public struct StateConfig3D: Codable, Equatable, Sendable {
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
    public func validationError() -> String? {
        guard (try? DepthScenario.named(scenario)) != nil else {
            return "unknown depth scenario '\(scenario)'; valid: \(DepthScenario.names.joined(separator: ", "))"
        }
        if clipsPerStep < 1 || clipsPerStep > 1024 { return "clipsPerStep must be in 1...1024, got \(clipsPerStep)" }
        if clipFrames < 8 || clipFrames > 1024 { return "clipFrames must be in 8...1024, got \(clipFrames)" }
        if !(positionNoise >= 0) || !(velocityNoise >= 0) { return "positionNoise and velocityNoise must be ≥ 0" }
        if !(robustLoss >= 0 && robustLoss <= 100) { return "robustLoss must be in 0...100, got \(robustLoss)" }
        if steps < 1 { return "steps must be at least 1, got \(steps)" }
        if !(learningRate > 0 && learningRate < 1) { return "learningRate must be in (0, 1), got \(learningRate)" }
        if warmupSteps < 0 { return "warmupSteps must be ≥ 0, got \(warmupSteps)" }
        if !(0...1).contains(minLRFraction) { return "minLRFraction must be in [0, 1], got \(minLRFraction)" }
        if !(0..<1).contains(beta1) || !(0..<1).contains(beta2) { return "beta1 and beta2 must be in [0, 1)" }
        if !(epsilon > 0) || !(gradClip > 0) { return "epsilon and gradClip must be > 0" }
        return nil
    }
}

/// Trains the three constants of the structured state model in 3D.
public struct StateTrainer3D {
    public let config: StateConfig3D
    /// Steps done so far.
    public private(set) var step = 0
    public private(set) var law = LearnedLaw3D()
    var optimizer: AdamW
    /// Training wall time so far, seconds (informational: the caller's clock, `train(clock:)`).
    public private(set) var seconds = 0.0
    /// train-log.csv rows of the steps since the last save.
    var log: [String] = []

    /// A fresh run of `config`.
    public init(config: StateConfig3D) throws {
        if let problem = config.validationError() { throw VidgenError("config: \(problem)") }
        self.config = config
        optimizer = AdamW(like: law.parameters)
    }

    /// The model as trained so far, for clips of the config's scenario.
    public var model: StateModel3D { StateModel3D(law: law.law, scenario: try! DepthScenario.named(config.scenario)) }

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

    /// The `format` in the metadata of a 3D state model's checkpoint files.
    public static let format = "vidgen-dynamics-3d"

    /// Writes the run into checkpoint folder `folder`: config.json, model.safetensors (the
    /// constants), train-state.safetensors (the constants and AdamW's moments) and the rows of
    /// train-log.csv since the last save.
    public mutating func save(folder: String) throws {
        let named = law.namedParameters
        let state = CheckpointFolder.stateEntries(names: named.map(\.name), [
            (.weights, named.map(\.value)), (.adamM, optimizer.m), (.adamV, optimizer.v),
        ])
        let checkpoint = CheckpointFolder(folder)
        try checkpoint.save(config: try PrettyJSON.bytes(config), state: state, model: named.map { $0.value.entry($0.name) },
                            step: step, seconds: seconds, format: Self.format)
        try checkpoint.appendLog(log)
        log = []
    }

    /// One optimizer step, on `transitions` (tests) or else on batch `step` of the run. A
    /// non-finite loss or gradient ends the run with an error.
    mutating func trainStep(on transitions: [Transition3D]? = nil) throws -> DynamicsProgress {
        let c = config
        let lr = learningRate(step: step, peak: c.learningRate, warmup: c.warmupSteps, steps: c.steps, floor: c.minLRFraction)
        var noise = RNG(seed: c.seed).split("noise").split(step)
        let examples = TrainingData3D.tensors(transitions ?? TrainingData3D.batch(c, step: step), c, rng: &noise)
        let number = step + 1
        guard examples.weight.count > 0 else {  // no clip of the batch held an example: nothing to learn from
            step += 1
            return DynamicsProgress(step: step, steps: c.steps, loss: 0, learningRate: lr, gradNorm: 0)
        }
        let update = OptimizerStep(learningRate: lr, step: number, decay: [false, false, false],
                                   settings: AdamSettings(beta1: c.beta1, beta2: c.beta2, epsilon: c.epsilon, weightDecay: 0),
                                   clip: c.gradClip)
        let robust = Float(c.robustLoss)
        let (loss, norm) = try update.run(
            &law, adam: &optimizer,
            loss: { $0.loss(examples.batch, target: examples.target, weight: examples.weight, robust: robust) },
            nonFinite: { loss, _ in VidgenError("non-finite \(loss.isFinite ? "gradient norm" : "loss") at step \(number)") })
        step += 1
        return DynamicsProgress(step: step, steps: c.steps, loss: Double(loss), learningRate: lr, gradNorm: norm)
    }
}

// What a state model's training run is told, for either kind of law: the recipe both share —
// where the transitions come from (TrainingData.batch), the noise on their inputs, the loss,
// the optimizer's schedule, checkpoints, the seed — and what each kind's config adds: the
// network it builds, what a batch of transitions becomes for it, and its loss. The trainer
// (DynamicsTrainer.swift) is written once against this. The recipe (`StateRecipe`) is the 3D
// models' too (StateTrainingConfig3D).
//
// DynamicsConfig trains the structured state model, GenericStateConfig the generic one.

import Tensor
import World

/// The recipe every state model's training run follows, flat or in the 3D box: clips per step
/// and frames per clip, the noise on the inputs, the loss, the optimizer's schedule, the seed.
public protocol StateRecipe: Equatable, Sendable {
    /// The preset it started from (informational).
    var preset: String { get }
    /// Clips simulated per step and frames per clip.
    var clipsPerStep: Int { get }
    var clipFrames: Int { get }
    /// Standard deviations of the Gaussian noise on the input positions and velocities.
    var positionNoise: Double { get }
    var velocityNoise: Double { get }
    /// δ of the pseudo-Huber loss, in the world's units per frame (0: squared error).
    var robustLoss: Double { get }
    /// Optimizer steps of the run; linear warm-up to the peak rate, cosine decay to
    /// minLRFraction × peak; AdamW (decay where the kind says); global-norm clip.
    var steps: Int { get set }
    var learningRate: Double { get }
    var warmupSteps: Int { get }
    var minLRFraction: Double { get }
    var beta1: Double { get }
    var beta2: Double { get }
    var epsilon: Double { get }
    var weightDecay: Double { get }
    var gradClip: Double { get }
    /// Seed of every random stream of the run (init, data, noise).
    var seed: UInt64 { get set }
}

extension StateRecipe {
    /// The run's AdamW constants.
    public var adam: AdamSettings { AdamSettings(beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay) }

    /// The shared recipe's problems a user can cause, clips of at least `minimumClipFrames`
    /// frames, as one readable line.
    func scheduleValidationError(minimumClipFrames: Int) -> String? {
        if clipsPerStep < 1 || clipsPerStep > 1024 { return "clipsPerStep must be in 1...1024, got \(clipsPerStep)" }
        if clipFrames < minimumClipFrames || clipFrames > 1024 {
            return "clipFrames must be in \(minimumClipFrames)...1024, got \(clipFrames)"
        }
        if !(positionNoise >= 0) || !(velocityNoise >= 0) { return "positionNoise and velocityNoise must be ≥ 0" }
        if !(robustLoss >= 0 && robustLoss <= 100) { return "robustLoss must be in 0...100, got \(robustLoss)" }
        if steps < 1 { return "steps must be at least 1, got \(steps)" }
        if !(learningRate > 0 && learningRate < 1) { return "learningRate must be in (0, 1), got \(learningRate)" }
        if warmupSteps < 0 { return "warmupSteps must be ≥ 0, got \(warmupSteps)" }
        if !(0...1).contains(minLRFraction) { return "minLRFraction must be in [0, 1], got \(minLRFraction)" }
        if !(0..<1).contains(beta1) || !(0..<1).contains(beta2) { return "beta1 and beta2 must be in [0, 1)" }
        if !(epsilon > 0) || !(weightDecay >= 0) || !(gradClip > 0) { return "epsilon and gradClip must be > 0, weightDecay ≥ 0" }
        return nil
    }
}

/// A state model's training config: its recipe, and how its kind of law is built and trained.
public protocol StateTrainingConfig: PresetConfig, StateRecipe {
    /// The network the run trains.
    associatedtype Network: ParameterVisitable
    /// What one step's transitions become: the network's inputs, targets and loss weights.
    associatedtype Examples

    /// The kind of state model it trains (its checkpoint folders carry the kind's format tag).
    static var kind: StateModelKind { get }

    /// The scenario the clips come from and how their states are read.
    var scenario: String { get }
    var source: StateSource { get }
    /// A checkpoint every this many steps (and at the end).
    var checkpointEvery: Int { get set }
    /// The frame its network works in.
    var frame: any StateModelConfig { get }

    /// A freshly initialized network; every draw comes from `rng`.
    func network(rng: inout RNG) -> Network
    /// The network's inputs, targets and weights from `transitions`, input noise from `rng`.
    func examples(_ transitions: [Transition], rng: inout RNG) -> Examples
    /// The scalar loss of `network` on `examples` (a tape may be watching its parameters).
    func loss(of network: Network, on examples: Examples) -> Tensor
    /// Per parameter of `network`, in visiting order: whether weight decay applies.
    func decays(_ network: Network) -> [Bool]
    /// `network` as a state model.
    func stateModel(_ network: Network) -> StateModel
}

extension StateTrainingConfig {
    /// The config as pretty, key-sorted JSON with a final newline (config.json).
    public func encoded() -> [UInt8] {
        try! PrettyJSON.bytes(self)
    }

    /// The recipe's problems a user can cause — everything but the network's own shape — as
    /// one readable line.
    public func recipeValidationError() -> String? {
        guard let s = try? Scenario.named(scenario) else {
            return "unknown scenario '\(scenario)'; valid scenarios: \(Scenario.names.joined(separator: ", "))"
        }
        if s.hidesBalls {
            let shown = Scenario.all.filter { !$0.hidesBalls }.map(\.name).joined(separator: ", ")
            return "scenario '\(scenario)' hides balls; train on one that shows every ball (\(shown))"
        }
        if s.width != frame.width || s.height != frame.height {
            return "scenario '\(scenario)' is \(s.width)×\(s.height), the model \(frame.width)×\(frame.height)"
        }
        if let problem = scheduleValidationError(minimumClipFrames: 6) { return problem }
        if checkpointEvery < 1 { return "checkpointEvery must be at least 1, got \(checkpointEvery)" }
        return nil
    }
}

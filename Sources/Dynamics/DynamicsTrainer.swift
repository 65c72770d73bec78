// The training loop of the dynamics model:
// lr(step) → batch(seed, step) → noise → forward/backward (one step, or K unrolled) → clip →
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

/// Trains an interaction network and checkpoints it in a folder.
public struct DynamicsTrainer {
    public let config: DynamicsConfig
    /// The checkpoint folder.
    public let folder: String
    /// Steps done so far.
    public private(set) var step = 0
    public private(set) var network: InteractionNetwork
    var optimizer: DynamicsAdamW
    let perception = Perception()

    /// A fresh run of `config` that checkpoints into `folder`.
    public init(config: DynamicsConfig, folder: String) throws {
        if let problem = config.validationError() { throw DynamicsError("config: \(problem)") }
        self.config = config
        self.folder = folder
        var rng = RNG(seed: config.seed).split("init")
        network = InteractionNetwork(config.model, rng: &rng)
        optimizer = DynamicsAdamW(like: network.parameters)
    }

    /// The run saved in `folder`, ready to continue where it stopped.
    public static func resume(folder: String) throws -> DynamicsTrainer {
        var t = try DynamicsTrainer(config: DynamicsCheckpoint.loadConfig(folder), folder: folder)
        let file = DynamicsCheckpoint.path(folder, DynamicsCheckpoint.stateFile)
        let st = try DynamicsCheckpoint.read(file)
        guard let s = st.metadata["step"], let step = Int(s), step >= 0 else {
            throw DynamicsError("\(file): no step in its metadata (not a dynamics train state?)")
        }
        let like = t.network.namedParameters
        t.network.parameters = try DynamicsCheckpoint.tensors(st, prefix: "param.", like: like, file: file)
        t.optimizer.m = try DynamicsCheckpoint.tensors(st, prefix: "adam.m.", like: like, file: file)
        t.optimizer.v = try DynamicsCheckpoint.tensors(st, prefix: "adam.v.", like: like, file: file)
        t.step = step
        return t
    }

    /// The model as trained so far.
    public var model: StateModel { StateModel(network: network) }

    // MARK: - Training

    /// Trains up to `steps` more steps (all that remain of the run when nil), checkpointing
    /// every `checkpointEvery` steps and at the last step of the run.
    public mutating func train(steps: Int? = nil, progress: (DynamicsProgress) -> Void = { _ in }) throws {
        let end = min(config.steps, step + (steps ?? config.steps))
        while step < end {
            let report = trainStep()
            progress(report)
            if step % config.checkpointEvery == 0 || step == config.steps { try save() }
        }
    }

    /// One optimizer step, on `transitions` (tests) or else on batch `step` of the run.
    mutating func trainStep(on transitions: [Transition]? = nil) -> DynamicsProgress {
        let lr = dynamicsLearningRate(step: step, config)
        var noise = RNG(seed: config.seed).split("noise").split(step)
        let data = transitions ?? TrainingData.batch(config, step: step, perception: perception)
        let tape = Tape()
        var net = network
        net.parameters = network.parameters.map { tape.watch($0) }
        let loss: Tensor
        if config.rolloutSteps > 1 {
            loss = net.rolloutLoss(TrainingData.noisyStates(data, config, rng: &noise), truth: data,
                                   steps: config.rolloutSteps).loss
        } else {
            let (batch, target, mask) = TrainingData.tensors(data, config, rng: &noise)
            loss = net.loss(batch, target: target, mask: mask)
        }
        var grads = tape.gradients(of: loss, wrt: net.parameters)
        let norm = DynamicsAdamW.clip(&grads, to: config.gradClip)
        var params = network.parameters
        optimizer.update(&params, grads: grads, lr: lr, step: step + 1, decay: network.decays, config)
        network.parameters = params
        step += 1
        return DynamicsProgress(step: step, steps: config.steps, loss: Double(loss.item), learningRate: lr, gradNorm: norm)
    }

    /// Writes the checkpoint folder (model, config, train state).
    public func save() throws {
        let named = network.namedParameters
        var state: [SafeTensorsEntry] = []
        for (k, p) in named.enumerated() {
            state.append(p.value.entry("param." + p.name))
            state.append(optimizer.m[k].entry("adam.m." + p.name))
            state.append(optimizer.v[k].entry("adam.v." + p.name))
        }
        try DynamicsCheckpoint.write(folder, config: config, model: named, state: state, step: step)
    }
}

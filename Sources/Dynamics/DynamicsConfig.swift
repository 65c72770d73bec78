// The structured state model's configuration: the architecture (`InteractionConfig`, saved
// with the weights) and the training recipe, as plain values with presets `tiny` and
// `default`. A JSON file overrides any key of the preset it names; an unknown key is an error
// (PresetConfig).

import Foundation
import Tensor
import World

/// The interaction network's shape and the scales that bring its inputs and outputs to O(1).
public struct InteractionConfig: Codable, Equatable, Sendable, StateModelConfig {
    /// Frame size the model works in, pixels (the walls are the image borders).
    public var width = 32
    public var height = 32
    /// Hidden width and number of hidden layers of the relation MLP (per ordered ball pair).
    public var relationHidden = 128
    public var relationLayers = 2
    /// Width of a relation's effect, summed over senders.
    public var effectWidth = 64
    /// Hidden width and number of hidden layers of the object MLP (per ball).
    public var objectHidden = 128
    public var objectLayers = 2
    /// Inputs are divided by these: speeds and distances (px/frame, pixels), radii (pixels).
    public var velocityScale = 1.0
    public var radiusScale = 4.0
    /// Distances to the walls are capped at this, pixels.
    public var contactRange = 4.0
    /// The network's outputs times this are impulses and g, pixels per frame.
    public var deltaScale = 0.5

    public init() {}

    /// Problems a user can cause, as one readable line.
    public func validationError() -> String? {
        if width < 4 || height < 4 || width > 4096 || height > 4096 { return "width and height must be in 4...4096" }
        for (name, v) in [("relationHidden", relationHidden), ("effectWidth", effectWidth), ("objectHidden", objectHidden)]
        where v < 1 || v > 4096 { return "\(name) must be in 1...4096, got \(v)" }
        if relationLayers < 1 || relationLayers > 8 { return "relationLayers must be in 1...8, got \(relationLayers)" }
        if objectLayers < 1 || objectLayers > 8 { return "objectLayers must be in 1...8, got \(objectLayers)" }
        for (name, v) in [("velocityScale", velocityScale), ("radiusScale", radiusScale), ("deltaScale", deltaScale),
                          ("contactRange", contactRange)] where !(v > 0 && v.isFinite) {
            return "\(name) must be > 0, got \(v)"
        }
        return nil
    }
}

/// Where the training states come from.
public enum StateSource: String, Codable, Equatable, Sendable, CaseIterable {
    /// The tracker on rendered frames: the model learns from pixels, as the video model does.
    case tracker
    /// The simulator's states directly (the ablation).
    case simulator
}

/// Everything that defines a training run of the structured state model. Saved as config.json.
public struct DynamicsConfig: StateTrainingConfig {
    /// The preset this config started from (informational).
    public var preset = "default"
    public var model = InteractionConfig()
    /// Clips simulated per step; every example their transitions hold is in the batch
    /// (TrainingData.example).
    public var clipsPerStep = 8
    /// Frames per training clip (each gives up to frames − 1 transitions).
    public var clipFrames = 32
    /// Scenario the clips come from; its frame size must be the model's.
    public var scenario = "id"
    public var source = StateSource.tracker
    /// Standard deviation of the Gaussian noise added to the input positions and velocities
    /// at a contact (pixels, px/frame), so that the law holds near the states it is shown as
    /// graph-network simulators train (Sanchez-Gonzalez et al. 2020). Perception is exact to
    /// about 1e-5 px (DiscFit.swift), so the noise only stands for the model's own roll-out
    /// errors.
    public var positionNoise = 0.003
    public var velocityNoise = 0.003
    /// δ of the pseudo-Huber loss on the impulses and free flight's Δu, pixels per frame (0:
    /// squared error). See InteractionNetwork.loss: the squared error lets the few examples
    /// the features cannot resolve set the fit (data/state/MODEL.md).
    public var robustLoss = 0.005
    /// Optimizer steps of the run (40,000 train in about 10 minutes on the quiet two cores).
    public var steps = 40000
    /// Peak learning rate after linear warm-up, cosine decay to minLRFraction·peak.
    public var learningRate = 2e-3
    public var warmupSteps = 100
    public var minLRFraction = 0.02
    /// AdamW; decay applies to weight matrices only.
    public var beta1 = 0.9
    public var beta2 = 0.999
    public var epsilon = 1e-8
    public var weightDecay = 0.0
    /// Gradients are scaled down to this global L2 norm when larger.
    public var gradClip = 1.0
    /// A checkpoint every this many steps (and at the end).
    public var checkpointEvery = 1000
    /// Seed of every random stream of the run (init, data, noise).
    public var seed: UInt64 = 0

    public init() {}

    // MARK: - Presets

    /// Names a config file's "preset" key may take.
    public static let presetNames = ["tiny", "default"]

    /// The recipe of the shipped model.
    public static var `default`: DynamicsConfig { DynamicsConfig() }

    /// Trains in seconds; what the tests use.
    public static var tiny: DynamicsConfig {
        var c = DynamicsConfig()
        c.preset = "tiny"
        c.model.relationHidden = 32
        c.model.relationLayers = 1
        c.model.effectWidth = 16
        c.model.objectHidden = 32
        c.model.objectLayers = 1
        c.clipsPerStep = 2
        c.clipFrames = 16
        c.steps = 200
        c.warmupSteps = 10
        c.checkpointEvery = 50
        return c
    }

    public static func preset(_ name: String) -> DynamicsConfig? {
        switch name {
        case "tiny": return .tiny
        case "default": return .default
        default: return nil
        }
    }

    /// Problems a user can cause, as one readable line.
    public func validationError() -> String? {
        if let e = model.validationError() { return "model: " + e }
        return recipeValidationError()
    }
}

// MARK: - Training the interaction network

extension DynamicsConfig {
    public static var kind: StateModelKind { .structured }

    public var frame: any StateModelConfig { model }

    public func network(rng: inout RNG) -> InteractionNetwork { InteractionNetwork(model, rng: &rng) }

    /// The examples `transitions` hold, one contact instant each (TrainingData.example).
    public func examples(_ transitions: [Transition], rng: inout RNG) -> (batch: InteractionBatch, target: Tensor, weight: Tensor) {
        TrainingData.tensors(transitions, self, rng: &rng)
    }

    public func loss(of network: InteractionNetwork, on e: (batch: InteractionBatch, target: Tensor, weight: Tensor)) -> Tensor {
        network.loss(e.batch, target: e.target, weight: e.weight, robust: Float(robustLoss / model.deltaScale))
    }

    public func decays(_ network: InteractionNetwork) -> [Bool] { network.decays }

    public func stateModel(_ network: InteractionNetwork) -> StateModel { StateModel(network: network) }
}

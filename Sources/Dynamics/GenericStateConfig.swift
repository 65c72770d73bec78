// The generic state model's configuration: the graph network's architecture
// (`GraphNetworkConfig`, saved with the weights) and the training recipe, as plain values with
// presets `generic` and `generic-tiny`. A JSON file names one of them in its "preset" key and
// overrides any of its keys; an unknown key is an error (PresetConfig).

import Foundation
import Tensor
import World

/// The graph network's shape and the scales that bring its inputs and outputs to O(1).
public struct GraphNetworkConfig: GraphArchitecture, StateModelConfig {
    public typealias State = WorldState

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
    /// Inputs are divided by these: displacements, distances and distances to the walls
    /// (pixels), velocities (px/frame), radii (pixels). Small scales let the first layer cut
    /// sharply where a bounce starts, which a step of a whole frame must (MODEL.md).
    public var distanceScale = 1.0
    public var velocityScale = 0.5
    public var radiusScale = 4.0
    /// The network's outputs times this are Δu (pixels per frame) and δp (pixels).
    public var deltaScale = 1.0
    /// How the new position is formed from δp: the trapezoid's or the old velocity's (PositionStep).
    public var positionStep = PositionStep.trapezoid
    /// Whether the relation reads each pair in its own frame (GraphNetwork.swift).
    public var pairFrame = false
    /// Whether the relation also reads both balls' own inputs (GraphNetwork.swift).
    public var relationReadsBalls = false
    /// With it, the relation reads their positions and wall distances in units of this.
    public var ballDistanceScale = 8.0
    /// Steps per frame, trained through (GraphNetwork.swift).
    public var substeps = 4

    public init() {}

    /// Problems a user can cause, as one readable line.
    public func validationError() -> String? {
        if width < 4 || height < 4 || width > 4096 || height > 4096 { return "width and height must be in 4...4096" }
        return architectureValidationError()
    }
}

/// Everything that defines a training run of the generic state model. Saved as config.json.
public struct GenericStateConfig: StateTrainingConfig {
    /// The preset this config started from; a config file's "preset" key must name one of
    /// `presetNames` (it is how the file says it is a generic model's).
    public var preset = "generic"
    public var model = GraphNetworkConfig()
    /// Clips simulated per step; every transition t → t + 1 of their frames is in the batch.
    public var clipsPerStep = 8
    /// Frames per training clip (each gives up to frames − 1 transitions).
    public var clipFrames = 32
    /// Scenario the clips come from; its frame size must be the model's.
    public var scenario = "id"
    public var source = StateSource.tracker
    /// Standard deviation of the Gaussian noise added to every input position and velocity
    /// (pixels, px/frame); the target is the change from the noisy velocity to the true next
    /// one (TrainingData.graphTensors).
    public var positionNoise = 0.03
    public var velocityNoise = 0.01
    /// δ of the pseudo-Huber loss on Δu and δp, pixels per frame and pixels (0: squared
    /// error): a bounce the network cannot yet place to the frame then pulls on the fit like
    /// an absolute error, and free flight's small residuals like squares.
    public var robustLoss = 0.05
    /// Loss weight of a ball whose velocity changes by more than gravity within the frame or
    /// the next (a bounce or collision, or one about to be: TrainingData.nearEvents), every
    /// other ball's being 1. Such states are a few in a hundred, and they are where the map
    /// from one state to the next jumps; a weight above 1 spends more of the fit on them.
    public var eventWeight = 1.0
    /// Optimizer steps of the run.
    public var steps = 42000
    /// Peak learning rate after linear warm-up, cosine decay to minLRFraction·peak.
    public var learningRate = 3e-3
    public var warmupSteps = 200
    public var minLRFraction = 0.01
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

    /// Names a config file's "preset" key may take for a generic model.
    public static let presetNames = ["generic", "generic-tiny"]

    public static var defaultPreset: String { "generic" }

    /// The recipe of the shipped generic model.
    public static var generic: GenericStateConfig { GenericStateConfig() }

    /// Trains in seconds, one step per frame; what the tests use (GraphNetworkTests checks
    /// substeps on their own).
    public static var tiny: GenericStateConfig {
        var c = GenericStateConfig()
        c.preset = "generic-tiny"
        c.model = c.model.tiny
        c.model.substeps = 1
        c.clipsPerStep = 2
        c.clipFrames = 16
        c.steps = 200
        c.warmupSteps = 10
        c.checkpointEvery = 50
        return c
    }

    public static func preset(_ name: String) -> GenericStateConfig? {
        switch name {
        case "generic": return .generic
        case "generic-tiny": return .tiny
        default: return nil
        }
    }

    /// Problems a user can cause, as one readable line.
    public func validationError() -> String? {
        if let e = model.validationError() { return "model: " + e }
        if !(eventWeight >= 1 && eventWeight <= 1000) { return "eventWeight must be in 1...1000, got \(eventWeight)" }
        return recipeValidationError()
    }
}

// MARK: - Training the graph network

extension GenericStateConfig {
    public static var kind: StateModelKind { .generic }

    public var frame: any StateModelConfig { model }

    public func network(rng: inout RNG) -> GraphNetwork<GraphNetworkConfig> { GraphNetwork(model, rng: &rng) }

    /// Every transition, with noise on its inputs (TrainingData.graphTensors).
    public func examples(_ transitions: [Transition], rng: inout RNG) -> (batch: GraphBatch, target: Tensor, weight: Tensor) {
        TrainingData.graphTensors(transitions, self, rng: &rng)
    }

    public func loss(of network: GraphNetwork<GraphNetworkConfig>, on e: (batch: GraphBatch, target: Tensor, weight: Tensor)) -> Tensor {
        let robust = Float(robustLoss / model.deltaScale)
        return model.substeps > 1 ? network.frameLoss(e.batch, weight: e.weight, robust: robust)
            : network.loss(e.batch, target: e.target, weight: e.weight, robust: robust)
    }

    public func decays(_ network: GraphNetwork<GraphNetworkConfig>) -> [Bool] { network.decays }

    public func stateModel(_ network: GraphNetwork<GraphNetworkConfig>) -> StateModel { StateModel(network: network) }
}

// The generic state model in the 3D box: its training recipe, the flat generic model's
// (GenericStateConfig) on the structured 3D model's data — clips of a depth scenario rendered
// and read back through the camera (TrainingData3D.batch), every transition t → t + 1, noise on
// every input, pseudo-Huber loss on (Δu, δp) — with presets `generic` and `generic-tiny`.

import Tensor
import World

/// Everything that defines a training run of the generic state model in 3D. Saved as
/// config.json.
public struct GenericStateConfig3D: StateTrainingConfig3D {
    /// The preset this config started from (informational).
    public var preset = "generic"
    public var model = GraphNetworkConfig3D()
    /// Depth scenario the clips come from (its camera and box are the model's).
    public var scenario = DepthScenario.depth.name
    /// Clips simulated per step; every transition t → t + 1 of their frames is in the batch.
    public var clipsPerStep = 8
    /// Frames per training clip (each gives up to frames − 1 transitions).
    public var clipFrames = 32
    /// Standard deviation of the Gaussian noise added to every input position and velocity
    /// (box units, box units per frame); the target Δu runs from the noisy velocity to the
    /// true next one (TrainingData.graphExamples).
    public var positionNoise = 0.03
    public var velocityNoise = 0.01
    /// δ of the pseudo-Huber loss on Δu and δp, box units per frame and box units.
    public var robustLoss = 0.05
    /// Optimizer steps; linear warm-up to the peak rate, cosine decay to minLRFraction·peak.
    public var steps = 10000
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
    /// Seed of every random stream of the run (init, data, noise).
    public var seed: UInt64 = 0

    public init() {}

    // MARK: - Presets

    /// The presets' names, in the order messages list them.
    public static let presetNames = ["generic", "generic-tiny"]

    /// The recipe of the shipped generic 3D model.
    public static var generic: GenericStateConfig3D { GenericStateConfig3D() }

    /// Trains in seconds; what the tests use.
    public static var tiny: GenericStateConfig3D {
        var c = GenericStateConfig3D()
        c.preset = "generic-tiny"
        c.model = c.model.tiny
        c.clipsPerStep = 2
        c.clipFrames = 16
        c.steps = 60
        c.warmupSteps = 10
        return c
    }

    public static func preset(_ name: String) -> GenericStateConfig3D? {
        switch name {
        case "generic": return .generic
        case "generic-tiny": return .tiny
        default: return nil
        }
    }

    /// Problems a user can cause, as one readable line.
    public func validationError() -> String? {
        if let e = model.architectureValidationError() { return "model: " + e }
        return recipeValidationError()
    }
}

// MARK: - Training the graph network

extension GenericStateConfig3D {
    public static var kind: StateModelKind { .generic }

    public func network(rng: inout RNG) -> GraphNetwork<GraphNetworkConfig3D> { GraphNetwork(model, rng: &rng) }

    /// Every transition, with noise on its inputs (TrainingData3D.graphTensors).
    public func examples(_ transitions: [Transition3D], rng: inout RNG) -> (batch: GraphBatch, target: Tensor, weight: Tensor) {
        TrainingData3D.graphTensors(transitions, self, rng: &rng)
    }

    public func loss(of network: GraphNetwork<GraphNetworkConfig3D>, on batch: GraphBatch, target: Tensor,
                     weight: Tensor) -> Tensor {
        network.loss(batch, target: target, weight: weight, robust: Float(robustLoss / model.deltaScale))
    }

    public func decays(_ network: GraphNetwork<GraphNetworkConfig3D>) -> [Bool] { network.decays }

    public func law(_ network: GraphNetwork<GraphNetworkConfig3D>) -> StateLaw3D { .generic(network) }
}

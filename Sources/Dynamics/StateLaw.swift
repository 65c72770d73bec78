// The learned law a state model steps with, of one of two kinds that differ in how much they
// are given:
//
//   structured  the interaction network as the law of contact (InteractionNetwork.swift):
//               free flight under one learned g on the exact parabola, contact instants from
//               geometry (Contact.swift), the network's impulses at each. Given the form of
//               the physics, it learns its constants.
//   generic     a graph network over every ordered pair of balls (GraphNetwork.swift), one
//               step per frame or its config's substeps: it predicts each ball's change of
//               velocity, the position follows by the trapezoid rule. Given the state and
//               where the walls are, it learns the rest, gravity and bounces included.
//
// Everything around the law — perception, roll-out, drawing, scores — is the same for both
// (StateModel.swift); a checkpoint folder's format tag says which it holds
// (the Checkpoints module reads it: CheckpointKind).

import Foundation
import Tensor
import World

/// Which law a state model steps with.
public enum StateModelKind: String, CaseIterable, Sendable {
    case structured
    case generic

    /// The metadata `format` of the model's checkpoint files.
    public var format: String {
        switch self {
        case .structured: return "vidgen-dynamics"
        case .generic: return "vidgen-generic-state"
        }
    }

    /// The metadata `format` of the checkpoint files of the kind's model in the 3D box
    /// (StateModel3D).
    public var format3D: String {
        switch self {
        case .structured: return "vidgen-dynamics-3d"
        case .generic: return "vidgen-generic-state-3d"
        }
    }

    /// How messages name it: "structured state model", "generic state model".
    public var name: String { rawValue + " state model" }

    /// The config presets of every kind, in the order messages list them.
    public static var presetNames: [String] { DynamicsConfig.presetNames + GenericStateConfig.presetNames }

    /// The kind a `--config` value trains: a preset's, or a JSON file's by the preset its
    /// "preset" key names (a structured one when it names none).
    public static func of(config presetOrPath: String) throws -> StateModelKind {
        if DynamicsConfig.preset(presetOrPath) != nil { return .structured }
        if GenericStateConfig.preset(presetOrPath) != nil { return .generic }
        let data = try readConfigFile(presetOrPath, names: presetNames)
        guard let dict = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw VidgenError("\(presetOrPath): not a JSON object")
        }
        let name = dict["preset"] as? String ?? DynamicsConfig.defaultPreset
        if DynamicsConfig.presetNames.contains(name) { return .structured }
        if GenericStateConfig.presetNames.contains(name) { return .generic }
        throw VidgenError("\(presetOrPath): unknown preset '\(name)' (use \(presetNames.joined(separator: ", ")))")
    }
}

/// What every kind of law's architecture config says: the frame it works in, pixels (the
/// walls are the image borders).
public protocol StateModelConfig: Sendable {
    var width: Int { get }
    var height: Int { get }
}

/// A state model's learned law, with its parameters by dotted name.
public enum StateLaw: ParameterVisitable {
    case structured(InteractionNetwork)
    case generic(GraphNetwork<GraphNetworkConfig>)
    /// The structured law with its three constants set by hand (HandSetLaw.swift): an
    /// ablation with nothing learned, never a checkpoint.
    case handSet(HandSetLaw)

    /// The kind of law; the hand-set one is the structured kind, with nothing learned.
    public var kind: StateModelKind {
        switch self {
        case .structured, .handSet: return .structured
        case .generic: return .generic
        }
    }

    /// The law's architecture config.
    public var config: any StateModelConfig {
        switch self {
        case .structured(let n): return n.config
        case .generic(let n): return n.config
        case .handSet(let law): return law.config
        }
    }

    /// The acceleration of free flight perception reads parabolas with, pixels per frame²:
    /// the structured law's g; for the generic law, which has no g, its change of velocity for
    /// a lone ball at rest in the middle of the frame (GraphNetwork.restingChange).
    public var gravity: Vec2 {
        switch self {
        case .structured(let n): return n.gravity
        case .generic(let n): return n.restingChange
        case .handSet(let law): return law.gravity
        }
    }

    /// The network's parameters, named as in its checkpoint.
    public mutating func visit(_ prefix: String, _ f: (String, inout Tensor) -> Void) {
        switch self {
        case .structured(var n):
            n.visit(prefix, f)
            self = .structured(n)
        case .generic(var n):
            n.visit(prefix, f)
            self = .generic(n)
        case .handSet: break
        }
    }
}

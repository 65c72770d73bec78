// A state model's checkpoint folder (the layout is CheckpointFolder's): config.json is a
// DynamicsConfig, model.safetensors the network's parameters by dotted name,
// train-state.safetensors the parameters and AdamW moments under their StatePart
// prefixes, and train-log.csv a row every DynamicsTrainer.logEvery steps.

import Foundation
import Tensor
import World

extension CheckpointFolder {
    /// The metadata `format` of a state model's files.
    static let dynamicsFormat = "vidgen-dynamics"

    /// The saved DynamicsConfig. A folder written before the state held each ball's velocity
    /// at the frame's instant (its config has one of `retiredDynamicsKeys`) cannot be read:
    /// its network was trained on other inputs.
    public func dynamicsConfig() throws -> DynamicsConfig {
        let (data, p) = try configData(kind: "dynamics checkpoint")
        if let dict = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] {
            let model = dict["model"] as? [String: Any] ?? [:]
            if let key = Self.retiredDynamicsKeys.first(where: { dict[$0] != nil || model[$0] != nil }) {
                throw VidgenError("\(p): a state model from an older vidgen (velocity as a difference of positions; "
                                  + "it has '\(key)'); train a new one with vidgen train --model state --out DIR")
            }
        }
        return try DynamicsConfig.decode(data, file: p)
    }

    /// Config keys of state models whose velocity was a difference of positions.
    static let retiredDynamicsKeys = ["unknownChangeShare", "contactWeight", "gated", "contactMargin", "contactHorizon",
                                      "positionScale"]

    /// Whether config.json is a dynamics config (its "model" has the interaction network's
    /// keys), so that commands can take either kind of checkpoint folder.
    public var isStateModel: Bool {
        guard let data = FileManager.default.contents(atPath: file(Self.configFile)),
              let dict = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              let model = dict["model"] as? [String: Any] else { return false }
        return model["relationHidden"] != nil
    }

    /// model.safetensors' tensors, in the order and shapes of `like`.
    func stateModelWeights(like: [(name: String, value: Tensor)]) throws -> [Tensor] {
        try tensors(tensors(Self.modelFile), in: Self.modelFile, like: like.map { ($0.name, $0.value.shape) })
    }
}

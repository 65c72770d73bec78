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

    /// The saved DynamicsConfig. Keys a folder was written without take the value it was
    /// trained with (`dynamicsLegacyKeys`), not the preset's newer one.
    public func dynamicsConfig() throws -> DynamicsConfig {
        let (data, p) = try configData(kind: "dynamics checkpoint")
        return try DynamicsConfig.decode(Self.fillingDynamicsLegacyKeys(data), file: p)
    }

    /// Keys added after state models were first saved, with the value those older folders
    /// were trained with: no contact gate, the squared-error loss.
    static let dynamicsLegacyKeys: [String: [String: Any]] = ["": ["robustLoss": 0.0], "model": ["gated": false]]

    /// `data` with every missing legacy key filled in; data that is not a JSON object is
    /// returned as it is, for `decode` to report.
    static func fillingDynamicsLegacyKeys(_ data: Data) -> Data {
        guard let dict = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { return data }
        return (try? JSONSerialization.data(withJSONObject: fillingIn(dict, legacy: dynamicsLegacyKeys))) ?? data
    }

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

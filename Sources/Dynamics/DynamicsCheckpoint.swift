// A state model's checkpoint folder (the layout is CheckpointFolder's): config.json is a
// DynamicsConfig (structured) or a GenericStateConfig (generic), model.safetensors the
// network's parameters by dotted name, train-state.safetensors the parameters and AdamW
// moments under their StatePart prefixes, and train-log.csv a row every
// DynamicsTrainer.logEvery steps. The `format` in both safetensors files' metadata says which
// kind of state model the folder holds; this file is the one reader of it.

import Foundation
import Tensor
import World

extension CheckpointFolder {
    /// The metadata `format` of a structured state model's files.
    static let dynamicsFormat = "vidgen-dynamics"
    /// The metadata `format` of a generic state model's files.
    static let genericStateFormat = "vidgen-generic-state"

    /// The kind of state model the folder holds, told by the format of its model.safetensors;
    /// an error naming the folder or the file when it is missing or holds another kind of model.
    public func stateModelKind() throws -> StateModelKind {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue else {
            throw VidgenError("checkpoint folder \(path) does not exist")
        }
        let p = file(Self.modelFile)
        guard FileManager.default.fileExists(atPath: p) else { throw VidgenError("\(p): missing") }
        let format = metadata(Self.modelFile)?["format"] ?? "none"
        guard let kind = StateModelKind.allCases.first(where: { $0.format == format }) else {
            throw VidgenError("\(p): format '\(format)' is not a state model's ("
                              + StateModelKind.allCases.map(\.format).joined(separator: ", ") + ")")
        }
        return kind
    }

    /// The saved GenericStateConfig.
    public func genericStateConfig() throws -> GenericStateConfig {
        let (data, p) = try configData(kind: "generic state model checkpoint")
        return try GenericStateConfig.decode(data, file: p)
    }

    /// The saved DynamicsConfig, a structured state model's. A folder written before the
    /// state held each ball's velocity at the frame's instant (its config has one of
    /// `retiredDynamicsKeys`) cannot be read: its network was trained on other inputs.
    public func dynamicsConfig() throws -> DynamicsConfig {
        let (data, p) = try configData(kind: "structured state model checkpoint")
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

    /// Whether the folder holds a state model of either kind rather than a video model, so
    /// that commands can take any checkpoint folder: by the format of its model.safetensors,
    /// or, without a readable one, by config.json (a state model's "model" has
    /// "relationHidden"), so that the state model's loader can say what is missing.
    public var isStateModel: Bool {
        if let format = metadata(Self.modelFile)?["format"] { return StateModelKind.allCases.contains { $0.format == format } }
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

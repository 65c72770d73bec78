// A state model's checkpoint folder (the layout is CheckpointFolder's): config.json is a
// DynamicsConfig (structured) or a GenericStateConfig (generic), model.safetensors the
// network's parameters by dotted name, train-state.safetensors the parameters and AdamW
// moments under their StatePart prefixes, and train-log.csv a row every
// DynamicsTrainer.logEvery steps. The `format` in both safetensors files' metadata says which
// kind of state model the folder holds (CheckpointKind); config.json is read through
// `migrate` (Migration.swift).

import Dynamics
import Foundation
import Tensor

extension CheckpointFolder {
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
        guard case .state(let kind)? = CheckpointKind(format: format) else {
            throw VidgenError("\(p): format '\(format)' is not a state model's ("
                              + StateModelKind.allCases.map(\.format).joined(separator: ", ") + ")")
        }
        return kind
    }

    /// The saved config of a state model of `Config`'s kind (older folders through `migrate`).
    public func stateConfig<Config: StateTrainingConfig>(_: Config.Type) throws -> Config {
        let (data, p, _) = try savedConfig(as: .state(Config.kind), describing: Config.kind.name + " checkpoint")
        return try Config.decode(data, file: p)
    }

    /// model.safetensors' tensors, in the order and shapes of `like`.
    func stateModelWeights(like: [(name: String, value: Tensor)]) throws -> [Tensor] {
        try tensors(tensors(Self.modelFile), in: Self.modelFile, like: like.map { ($0.name, $0.value.shape) })
    }
}

extension StateModel {
    /// The model saved in checkpoint folder `folder` (its model.safetensors and config.json),
    /// of the kind its format tag names.
    public static func load(_ folder: String) throws -> StateModel {
        let checkpoint = CheckpointFolder(folder)
        var rng = RNG(seed: 0)
        switch try checkpoint.stateModelKind() {
        case .structured:
            let config = try checkpoint.stateConfig(DynamicsConfig.self).model
            // The weights' header is checked against the config before the network is built.
            try checkpoint.checkShapes(CheckpointFolder.modelFile, like: InteractionNetwork.parameterShapes(config))
            var network = InteractionNetwork(config, rng: &rng)
            network.parameters = try checkpoint.stateModelWeights(like: network.namedParameters)
            return StateModel(network: network)
        case .generic:
            var network = GraphNetwork(try checkpoint.stateConfig(GenericStateConfig.self).model, rng: &rng)
            network.parameters = try checkpoint.stateModelWeights(like: network.namedParameters)
            return StateModel(network: network)
        }
    }
}

extension DynamicsTrainer {
    /// The run saved in `folder`, ready to continue where it stopped: its saved config
    /// (`stateConfig`), then its train state (DynamicsTrainer.resume). `steps` and
    /// `checkpointEvery`, when given, replace the saved config's.
    public static func resume(folder: String, steps: Int? = nil, checkpointEvery: Int? = nil) throws -> DynamicsTrainer {
        try resume(CheckpointFolder(folder).stateConfig(Config.self), folder: folder, steps: steps,
                   checkpointEvery: checkpointEvery)
    }
}

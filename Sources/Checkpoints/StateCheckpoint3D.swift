// The checkpoint folder of a state model in 3D (StateTrainer3D.save writes it): config.json is
// a StateConfig3D (structured) or a GenericStateConfig3D (generic), model.safetensors the three
// constants or the graph network's parameters by name, tagged with the kind's format3D
// (`vidgen-dynamics-3d`, `vidgen-generic-state-3d`).

import Dynamics
import Foundation
import Tensor
import World

extension StateModel3D {
    /// The model saved in checkpoint folder `folder`, of the kind its format tag names, for
    /// clips of `scenario` (its camera and box; the law is the box's physics, whatever camera
    /// it was trained through).
    public static func load(_ folder: String, scenario: DepthScenario) throws -> StateModel3D {
        let checkpoint = CheckpointFolder(folder)
        let p = checkpoint.file(CheckpointFolder.modelFile)
        guard FileManager.default.fileExists(atPath: p) else { throw VidgenError("\(p): missing") }
        let format = checkpoint.metadata(CheckpointFolder.modelFile)?["format"] ?? "none"
        guard case .state3D(let kind)? = CheckpointKind(format: format) else {
            let found = CheckpointKind(format: format).map { ", a \($0.name)'s," } ?? ""
            throw VidgenError("\(p): format '\(format)'\(found) is not a 3D state model's ("
                              + StateModelKind.allCases.map(\.format3D).joined(separator: ", ") + ")")
        }
        func config<C: StateTrainingConfig3D>(_: C.Type) throws -> C {
            let file = checkpoint.file(CheckpointFolder.configFile)
            guard let data = FileManager.default.contents(atPath: file) else { throw VidgenError("\(file): missing") }
            guard let c = try? JSONDecoder().decode(C.self, from: data) else {
                throw VidgenError("\(file): not a \(CheckpointKind.state3D(kind).name)'s config")
            }
            if let problem = c.validationError() { throw VidgenError("\(file): \(problem)") }
            return c
        }
        func weights(like model: some ParameterVisitable) throws -> [Tensor] {
            try checkpoint.tensors(checkpoint.tensors(CheckpointFolder.modelFile), in: CheckpointFolder.modelFile,
                                   like: model.namedParameters.map { ($0.name, $0.value.shape) })
        }
        switch kind {
        case .structured:
            _ = try config(StateConfig3D.self)
            var law = LearnedLaw3D()
            law.parameters = try weights(like: law)
            return StateModel3D(law: law.law, scenario: scenario)
        case .generic:
            var rng = RNG(seed: 0)
            var network = GraphNetwork(try config(GenericStateConfig3D.self).model, rng: &rng)
            network.parameters = try weights(like: network)
            return StateModel3D(network: network, scenario: scenario)
        }
    }
}

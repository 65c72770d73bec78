// The checkpoint folder of the structured state model in 3D (StateTrainer3D.save writes it):
// config.json is a StateConfig3D, model.safetensors the three constants by name, tagged
// `vidgen-dynamics-3d`.

import Dynamics
import Foundation
import Tensor
import World

extension StateModel3D {
    /// The model saved in checkpoint folder `folder`, for clips of `scenario` (its camera
    /// and box; the law is the box's physics, whatever camera it was trained through).
    public static func load(_ folder: String, scenario: DepthScenario) throws -> StateModel3D {
        let checkpoint = CheckpointFolder(folder)
        let p = checkpoint.file(CheckpointFolder.modelFile)
        guard FileManager.default.fileExists(atPath: p) else { throw VidgenError("\(p): missing") }
        let format = checkpoint.metadata(CheckpointFolder.modelFile)?["format"] ?? "none"
        guard format == CheckpointKind.state3D.format else {
            throw VidgenError("\(p): format '\(format)' is not a \(CheckpointKind.state3D.name)'s (\(CheckpointKind.state3D.format))")
        }
        let config = checkpoint.file(CheckpointFolder.configFile)
        guard let data = FileManager.default.contents(atPath: config) else { throw VidgenError("\(config): missing") }
        do { _ = try JSONDecoder().decode(StateConfig3D.self, from: data) } catch {
            throw VidgenError("\(config): not a \(CheckpointKind.state3D.name)'s config")
        }
        var law = LearnedLaw3D()
        law.parameters = try checkpoint.tensors(checkpoint.tensors(CheckpointFolder.modelFile), in: CheckpointFolder.modelFile,
                                                like: law.namedParameters.map { ($0.name, $0.value.shape) })
        return StateModel3D(law: law.law, scenario: scenario)
    }
}

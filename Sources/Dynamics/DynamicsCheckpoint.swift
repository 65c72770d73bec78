// Checkpoint folders of the dynamics model:
//   model.safetensors        the network's parameters by dotted name
//   config.json              the resolved DynamicsConfig
//   train-state.safetensors  parameters, AdamW moments and the step — what a resume loads
// Every file is written to a temporary name and renamed into place; train-state goes first,
// so a kill between writes leaves a resumable folder whose model file is one save older.

import Foundation
import Tensor
import World

public enum DynamicsCheckpoint {
    public static let modelFile = "model.safetensors"
    public static let configFile = "config.json"
    public static let stateFile = "train-state.safetensors"

    static func path(_ folder: String, _ file: String) -> String { (folder as NSString).appendingPathComponent(file) }

    /// The config saved in `folder`.
    public static func loadConfig(_ folder: String) throws -> DynamicsConfig {
        let file = path(folder, configFile)
        guard let data = FileManager.default.contents(atPath: file) else {
            var isDir: ObjCBool = false
            if !FileManager.default.fileExists(atPath: folder, isDirectory: &isDir) || !isDir.boolValue {
                throw DynamicsError("checkpoint folder \(folder) does not exist")
            }
            throw DynamicsError("\(file): missing (not a dynamics checkpoint folder?)")
        }
        return try DynamicsConfig.decode(data, file: file)
    }

    /// The tensors of model.safetensors in `folder`, in the order and shapes of `like`.
    static func loadModel(_ folder: String, like: [(name: String, value: Tensor)]) throws -> [Tensor] {
        let file = path(folder, modelFile)
        return try tensors(read(file), prefix: "", like: like, file: file)
    }

    /// `like`'s tensors read from `file` under `prefix` + name; a missing, misshapen or extra
    /// tensor is an error naming it.
    static func tensors(_ st: SafeTensorsFile, prefix: String, like: [(name: String, value: Tensor)],
                        file: String) throws -> [Tensor] {
        let out = try like.map { name, t -> Tensor in
            guard let e = st[prefix + name] else {
                throw DynamicsError("\(file): missing tensor '\(prefix + name)' (the config does not match the weights)")
            }
            guard e.shape == t.shape else {
                throw DynamicsError("\(file): tensor '\(prefix + name)' has shape \(e.shape), the config needs \(t.shape)")
            }
            return Tensor(e)
        }
        return out
    }

    static func read(_ file: String) throws -> SafeTensorsFile {
        guard FileManager.default.fileExists(atPath: file) else { throw DynamicsError("\(file): missing") }
        do {
            return try SafeTensors.read(from: file)
        } catch {
            throw DynamicsError("\(error)")
        }
    }

    /// Writes a folder: config, train state, then the model.
    static func write(_ folder: String, config: DynamicsConfig, model: [(name: String, value: Tensor)],
                      state: [SafeTensorsEntry], step: Int) throws {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw DynamicsError("cannot create checkpoint folder \(folder): \(error.localizedDescription)")
        }
        let meta = ["step": String(step), "format": "vidgen-dynamics"]
        try AtomicFile.write(config.encoded(), to: path(folder, configFile))
        try SafeTensors.write(state, metadata: meta, to: path(folder, stateFile))
        try SafeTensors.write(model.map { $0.value.entry($0.name) }, metadata: meta, to: path(folder, modelFile))
    }
}

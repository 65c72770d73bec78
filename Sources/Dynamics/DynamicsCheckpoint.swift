// Checkpoint folders of the dynamics model:
//   model.safetensors        the network's parameters by dotted name
//   config.json              the resolved DynamicsConfig
//   train-state.safetensors  parameters, AdamW moments, the step and training seconds — what a resume loads
//   train-log.csv            step, loss, learning rate, gradient norm, training seconds
// Every file is written to a temporary name and renamed into place; train-state goes first,
// so a kill between writes leaves a resumable folder whose model file is one save older.

import Foundation
import Tensor
import World

public enum DynamicsCheckpoint {
    public static let modelFile = "model.safetensors"
    public static let configFile = "config.json"
    public static let stateFile = "train-state.safetensors"
    public static let logFile = "train-log.csv"
    static let logHeader = "step,loss,lr,grad_norm,seconds"

    static func path(_ folder: String, _ file: String) -> String { (folder as NSString).appendingPathComponent(file) }

    /// The config saved in `folder`.
    public static func loadConfig(_ folder: String) throws -> DynamicsConfig {
        let file = path(folder, configFile)
        guard let data = FileManager.default.contents(atPath: file) else {
            var isDir: ObjCBool = false
            if !FileManager.default.fileExists(atPath: folder, isDirectory: &isDir) || !isDir.boolValue {
                throw VidgenError("checkpoint folder \(folder) does not exist")
            }
            throw VidgenError("\(file): missing (not a dynamics checkpoint folder?)")
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
                throw VidgenError("\(file): missing tensor '\(prefix + name)' (the config does not match the weights)")
            }
            guard e.shape == t.shape else {
                throw VidgenError("\(file): tensor '\(prefix + name)' has shape \(e.shape), the config needs \(t.shape)")
            }
            return Tensor(e)
        }
        return out
    }

    static func read(_ file: String) throws -> SafeTensorsFile {
        guard FileManager.default.fileExists(atPath: file) else { throw VidgenError("\(file): missing") }
        do {
            return try SafeTensors.read(from: file)
        } catch {
            throw VidgenError("\(error)")
        }
    }

    /// Writes a folder: config, train state, then the model.
    static func write(_ folder: String, config: DynamicsConfig, model: [(name: String, value: Tensor)],
                      state: [SafeTensorsEntry], step: Int, seconds: Double) throws {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw VidgenError("cannot create checkpoint folder \(folder): \(error.localizedDescription)")
        }
        let meta = ["step": String(step), "format": "vidgen-dynamics"]
        try AtomicFile.write(config.encoded(), to: path(folder, configFile))
        try SafeTensors.write(state, metadata: meta.merging(["seconds": String(seconds)]) { a, _ in a },
                              to: path(folder, stateFile))
        try SafeTensors.write(model.map { $0.value.entry($0.name) }, metadata: meta, to: path(folder, modelFile))
    }

    // MARK: - The training log

    /// Appends `rows` to train-log.csv in `folder` (created with its header).
    static func appendLog(_ folder: String, rows: [String]) throws {
        guard !rows.isEmpty else { return }
        let file = path(folder, logFile)
        let old = FileManager.default.contents(atPath: file).map { String(decoding: $0, as: UTF8.self) } ?? logHeader + "\n"
        try AtomicFile.write(Array((old + rows.joined(separator: "\n") + "\n").utf8), to: file)
    }

    /// Drops the rows of train-log.csv past `step` (written after the checkpoint a resume loads).
    static func truncateLog(_ folder: String, after step: Int) throws {
        let file = path(folder, logFile)
        guard let data = FileManager.default.contents(atPath: file) else { return }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
        let kept = lines.filter { line in line.split(separator: ",").first.flatMap { Int($0) }.map { $0 <= step } ?? true }
        if kept.count != lines.count { try AtomicFile.write(Array((kept.joined(separator: "\n") + "\n").utf8), to: file) }
    }
}

extension DynamicsCheckpoint {
    /// Whether `folder`'s config.json is a dynamics config (its "model" has the interaction
    /// network's keys), so that commands can take either kind of checkpoint folder.
    public static func isStateModel(_ folder: String) -> Bool {
        guard let data = FileManager.default.contents(atPath: path(folder, configFile)),
              let dict = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              let model = dict["model"] as? [String: Any] else { return false }
        return model["relationHidden"] != nil
    }
}

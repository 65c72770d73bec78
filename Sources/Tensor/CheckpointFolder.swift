// Checkpoint folders, of either kind of model (docs/ARCHITECTURE.md, "Formats"):
//   model.safetensors        what sampling loads: weights by dotted name (a video model's EMA)
//   config.json              the resolved config (TrainConfig or DynamicsConfig)
//   train-state.safetensors  what a resume loads: weights, EMA, AdamW moments by `StatePart`
//                            prefix; `step` and `seconds` in its metadata
//   train-log.csv            step, loss, lr, grad_norm, seconds: one row per step
//   sampling.json            optional, a video model's: how it is meant to be sampled
//   autoencoder.safetensors  a latent video model's frame autoencoder
//   snapshots/step-N         sampling copies of a run (model, config, sampling)
//   .lock                    the pid of the run writing the folder, under its flock (CheckpointFolder+Lock)
// A codec folder (`vidgen autoencoder`) holds autoencoder.json and autoencoder.safetensors.
// Every file is written to a temporary name and renamed into place (AtomicFile). A save
// writes config, then train state, then model: train-state holds everything a resume needs,
// so a kill between two writes leaves a consistent folder whose model is one save older.
// What the files mean to each kind of model, and how older folders are read, is the
// Checkpoints module's; the trainers (Train, Dynamics) write them.

import Foundation

/// A checkpoint folder: its file names, reads with one-line errors, and ordered atomic saves.
public struct CheckpointFolder: Equatable, Sendable {
    public let path: String

    public init(_ path: String) { self.path = path }

    public static let modelFile = "model.safetensors"
    public static let configFile = "config.json"
    public static let stateFile = "train-state.safetensors"
    public static let logFile = "train-log.csv"
    public static let samplingFile = "sampling.json"
    public static let codecFile = "autoencoder.safetensors"
    public static let codecConfigFile = "autoencoder.json"
    public static let snapshotsFolder = "snapshots"
    /// The files a command's output must never overwrite.
    public static let files = [modelFile, configFile, stateFile, logFile, samplingFile, codecFile, lockFile]
    static let logHeader = "step,loss,lr,grad_norm,seconds\n"

    /// The tensors of train-state.safetensors, by name prefix.
    public enum StatePart: String, CaseIterable, Sendable {
        case weights = "param."
        case ema = "ema."
        case adamM = "adam.m."
        case adamV = "adam.v."

        public func key(_ name: String) -> String { rawValue + name }
    }

    /// The path of `name` in the folder.
    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    public func has(_ name: String) -> Bool { FileManager.default.fileExists(atPath: file(name)) }

    /// Whether the folder holds a train state to resume.
    public var hasTrainState: Bool { has(Self.stateFile) }

    /// Where a run's snapshot of `step` goes (`vidgen train --snapshot-every`).
    public func snapshot(step: Int) -> CheckpointFolder {
        CheckpointFolder(((path as NSString).appendingPathComponent(Self.snapshotsFolder) as NSString)
            .appendingPathComponent("step-\(step)"))
    }

    /// The run a snapshot folder (RUN/snapshots/step-N) belongs to; nil for any other folder.
    public var run: CheckpointFolder? {
        let parent = (path as NSString).deletingLastPathComponent
        guard (parent as NSString).lastPathComponent == Self.snapshotsFolder else { return nil }
        return CheckpointFolder((parent as NSString).deletingLastPathComponent)
    }

    // MARK: - Reading

    /// The bytes of config.json; `kind` names the folder in the error ("vidgen checkpoint").
    public func configData(kind: String = "vidgen checkpoint") throws -> (data: Data, path: String) {
        let p = file(Self.configFile)
        guard let data = FileManager.default.contents(atPath: p) else {
            var isDir: ObjCBool = false
            if !FileManager.default.fileExists(atPath: path, isDirectory: &isDir) || !isDir.boolValue {
                throw VidgenError("checkpoint folder \(path) does not exist")
            }
            throw VidgenError("\(p): missing (not a \(kind) folder?)")
        }
        return (data, p)
    }

    /// The safetensors file `name`, whole and checked.
    public func tensors(_ name: String) throws -> SafeTensorsFile {
        let p = file(name)
        guard FileManager.default.fileExists(atPath: p) else { throw VidgenError("\(p): missing") }
        do {
            return try SafeTensors.read(from: p)
        } catch {
            throw VidgenError("\(error)")
        }
    }

    /// The `__metadata__` of the safetensors file `name` (its header alone); nil if unreadable.
    public func metadata(_ name: String) -> [String: String]? {
        try? SafeTensors.readMetadata(from: file(name))
    }

    /// The tensors `prefix + name` of `stored` (read from this folder's `name`d file), in
    /// the order and shapes of `like`. A missing or misshapen tensor is an error naming it,
    /// and so is one under `prefix` that `like` does not have, unless it is in `ignoring`.
    public func tensors(_ stored: SafeTensorsFile, in name: String, prefix: String = "",
                        like: [(name: String, shape: [Int])], ignoring: Set<String> = []) throws -> [Tensor] {
        try check(stored.entries.map { .init(name: $0.name, shape: $0.shape) }, in: name, prefixes: [prefix],
                  like: like, ignoring: ignoring)
        return like.map { Tensor(stored[prefix + $0.name]!) }
    }

    /// Checks, from the header of the file `name` alone, that it holds for each of
    /// `prefixes` exactly the tensors `like` names, in their shapes (`tensors`' rule), so
    /// that a config which does not match the weights is refused before its model is
    /// allocated. The error names the first tensor of `like` that differs.
    public func checkShapes(_ name: String, prefixes: [String] = [""], like: [(name: String, shape: [Int])],
                            ignoring: Set<String> = []) throws {
        let p = file(name)
        guard FileManager.default.fileExists(atPath: p) else { throw VidgenError("\(p): missing") }
        let header: SafeTensorsHeader
        do { header = try SafeTensors.readHeader(from: p) } catch { throw VidgenError("\(error)") }
        try check(header.tensors, in: name, prefixes: prefixes, like: like, ignoring: ignoring)
    }

    /// Throws unless `stored` (the tensors of the file `name`) holds, under each prefix,
    /// the tensors of `like` in their shapes and nothing else but `ignoring`.
    func check(_ stored: [SafeTensorsHeader.Entry], in name: String, prefixes: [String],
               like: [(name: String, shape: [Int])], ignoring: Set<String>) throws {
        let p = file(name)
        var shapes: [String: [Int]] = [:]
        for e in stored { shapes[e.name] = e.shape }
        for prefix in prefixes {
            for (name, shape) in like {
                guard let found = shapes[prefix + name] else {
                    throw VidgenError("\(p): missing tensor '\(prefix + name)' of shape \(shape) (the config does not match the weights)")
                }
                guard found == shape else {
                    throw VidgenError("\(p): tensor '\(prefix + name)' has shape \(found), the config needs \(shape)")
                }
            }
            let expected = Set(like.map { prefix + $0.name }).union(ignoring)
            if let extra = stored.first(where: { $0.name.hasPrefix(prefix) && !expected.contains($0.name) }) {
                throw VidgenError("\(p): unexpected tensor '\(extra.name)' (the config does not match the weights)")
            }
        }
    }

    /// What train-state.safetensors holds: for each of `parts`, the tensors in the order
    /// and shapes of `like`, and the step and seconds of its metadata (the step must be there).
    public func trainState(_ parts: [StatePart], like: [(name: String, shape: [Int])]) throws
        -> (tensors: [StatePart: [Tensor]], step: Int, seconds: Double) {
        let stored = try tensors(Self.stateFile)
        guard let text = stored.metadata["step"], let step = Int(text), step >= 0 else {
            throw VidgenError("\(file(Self.stateFile)): no valid 'step' in the metadata")
        }
        var out: [StatePart: [Tensor]] = [:]
        for part in parts { out[part] = try tensors(stored, in: Self.stateFile, prefix: part.rawValue, like: like) }
        return (out, step, stored.metadata["seconds"].flatMap { Double($0) } ?? 0)
    }

    /// The entries of a train state: parameter i's tensor of each part, for every name in turn.
    public static func stateEntries(names: [String], _ parts: [(StatePart, [Tensor])]) -> [SafeTensorsEntry] {
        names.indices.flatMap { i in parts.map { part, values in values[i].entry(part.key(names[i])) } }
    }

    // MARK: - Writing

    /// Creates the folder (and its parents) if missing.
    public func create() throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw VidgenError("cannot create checkpoint folder \(path): \(error.localizedDescription)")
        }
    }

    /// A save: `config` (config.json bytes), then the train state (if given; `step` and
    /// `seconds` in its metadata), then the model, each file atomically. `format` names the
    /// kind of model in both files' metadata. The model file holds no wall time, so equal
    /// runs leave equal model bytes.
    public func save(config: [UInt8], state: [SafeTensorsEntry]?, model: [SafeTensorsEntry],
                     step: Int, seconds: Double, format: String) throws {
        try create()
        let meta = ["step": String(step), "format": format]
        try AtomicFile.write(config, to: file(Self.configFile))
        if let state {
            try SafeTensors.write(state, metadata: meta.merging(["seconds": String(seconds)]) { a, _ in a },
                                  to: file(Self.stateFile))
        }
        try SafeTensors.write(model, metadata: meta, to: file(Self.modelFile))
    }

    // MARK: - The training log

    /// One row of train-log.csv (`logHeader`'s columns), in the one format every trainer
    /// writes: six significant digits for the loss, learning rate and gradient norm, whatever
    /// their scale, and the seconds to the millisecond.
    public static func logRow(step: Int, loss: Double, learningRate: Double, gradNorm: Double, seconds: Double) -> String {
        String(format: "%d,%.6g,%.6g,%.6g,%.3f", step, loss, learningRate, gradNorm, seconds)
    }

    /// Rows (step, loss, seconds) of train-log.csv; none if it is missing or unreadable.
    public func logRows() -> [(step: Int, loss: Double, seconds: Double)] {
        guard let text = try? String(contentsOfFile: file(Self.logFile), encoding: .utf8) else { return [] }
        return text.split(separator: "\n").dropFirst().compactMap { line in
            let f = line.split(separator: ",")
            guard f.count >= 5, let s = Int(f[0]), let l = Double(f[1]), let t = Double(f[4]) else { return nil }
            return (s, l, t)
        }
    }

    /// Rewrites train-log.csv with its header and only the rows up to `step`: at the start of
    /// a run (step 0, a new log) or of a resume, whose saved state is at `step`.
    public func keepLog(through step: Int) throws {
        try create()
        let rows = (try? String(contentsOfFile: file(Self.logFile), encoding: .utf8))?.split(separator: "\n").dropFirst()
            .filter { line in Int(line.prefix { $0 != "," }).map { $0 <= step } ?? false } ?? []
        try AtomicFile.write(Array((Self.logHeader + rows.map { $0 + "\n" }.joined()).utf8), to: file(Self.logFile))
    }

    /// Appends `rows` (comma-separated, no newline) to train-log.csv, which `keepLog` began.
    public func appendLog(_ rows: [String]) throws {
        guard !rows.isEmpty else { return }
        let p = file(Self.logFile)
        let old = FileManager.default.contents(atPath: p).map { String(decoding: $0, as: UTF8.self) } ?? Self.logHeader
        try AtomicFile.write(Array((old + rows.map { $0 + "\n" }.joined()).utf8), to: p)
    }
}

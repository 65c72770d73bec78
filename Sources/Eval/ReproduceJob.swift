// `vidgen reproduce` as a job: load the video model, the state models and the learned
// generators of depth clips, run experiments 1–5 on them against the simulator, and build the
// report. The command parses options, calls
// `run` and prints; the tests call the same job.

import Diffusion
import Dynamics
import Foundation
import Sample
import Tensor
import Checkpoints
import World

/// One reproduce run: which models, which settings.
public struct ReproduceJob {
    /// The video model's checkpoint folder.
    public var checkpoint: String
    /// The learned state models' folders, at most one of each kind (the kind is the folder's
    /// format tag), in any order: the report's columns follow the ladder, generic before structured.
    public var stateCheckpoints: [String]
    /// Structured state models trained another way (e.g. `"source": "simulator"`), run beside
    /// the structured one in the ablation table.
    public var ablationCheckpoints: [String] = []
    /// The learned generators of depth clips (experiment 5), at most one per role; the role
    /// is read from the folder (`depthModel`).
    public var depthCheckpoints: [String] = []
    /// Why experiment 5 lacks a learned role, by role (e.g. "not shipped"); others read "not given".
    public var depthAbsence: [DepthRole: String] = [:]
    public var setup: ReproduceSetup
    /// Told (part, done, total) as the run goes: "experiment 1", …
    public var progress: (String, Int, Int) -> Void = { _, _, _ in }

    public init(checkpoint: String, stateCheckpoints: [String], setup: ReproduceSetup) {
        self.checkpoint = checkpoint
        self.stateCheckpoints = stateCheckpoints
        self.setup = setup
    }

    /// What a run made: the numbers and the pictures of the report.
    public struct Output {
        public var report: ReproduceReport
        public var pictures: ReportPictures
    }

    /// The experiments, set up: the video model and every state model loaded and checked
    /// against one another before any roll-out.
    public func experiments() throws -> Experiments {
        let folder = CheckpointFolder(checkpoint)
        let (model, config) = try folder.videoModel()
        var experiments = Experiments(model: model, codec: try folder.codec(for: config), sampling: try folder.sampling(),
                                      setup: setup)
        var seen: [StateModelKind: String] = [:]
        for dir in stateCheckpoints {
            guard CheckpointFolder(dir).isStateModel else {
                throw VidgenError("\(dir) is not a state model folder (its model.safetensors is not a state model's)")
            }
            let model = try StateModel.load(dir)
            if let other = seen[model.kind] {
                throw VidgenError("\(other) and \(dir) both hold a \(model.kind.name); the report has one column per kind")
            }
            seen[model.kind] = dir
            experiments.stateModels.append(StateGenerator(model: model, folder: dir))
        }
        experiments.depthModels = try depthCheckpoints.map { try Self.depthModel($0, setup: setup) }
        experiments.depthAbsence = depthAbsence
        do { try experiments.check() } catch { throw VidgenError("\(checkpoint): \(error)") }
        return experiments
    }

    /// The ablation table's variants of the structured state model loaded from
    /// `ablationCheckpoints`, each labelled by how it was trained.
    public func ablationModels() throws -> [(label: String, change: String, model: StateModel)] {
        try ablationCheckpoints.map { dir in
            let model = try StateModel.load(dir)
            guard model.kind == .structured else {
                throw VidgenError("\(dir) holds a \(model.kind.name); the ablations are structured state models")
            }
            let config = try CheckpointFolder(dir).stateConfig(DynamicsConfig.self)
            return config.source == .simulator
                ? ("trained on the simulator's states", "the same recipe, its training states the simulator's instead of "
                    + "those perceived in rendered frames (\(dir))", model)
                : (dir, "a structured state model trained from \(config.source.rawValue) states for \(config.steps) steps", model)
        }
    }

    /// Experiment 5's learned generator in checkpoint `folder`, its role told by the folder's
    /// format tag. This switch is the one place a learned generator of depth clips is loaded:
    /// a generic 3D state model (its own format tag) and a video model of depth clips (a video
    /// folder whose config names a depth scenario) are each a case of it, whose `DepthModel`
    /// gives the column of their role; a role with no case here keeps its row, marked absent.
    public static func depthModel(_ folder: String, setup: ReproduceSetup) throws -> DepthModel {
        let checkpoint = CheckpointFolder(folder)
        let kind = checkpoint.kind
        switch kind {
        case .state3D(.structured)?:
            return .stateModel(try StateModel3D.load(folder, scenario: .depth).law, role: .structuredStateModel, folder: folder)
        case .state3D(.generic)?:
            return .stateModel(try StateModel3D.load(folder, scenario: .depth).law, role: .genericStateModel, folder: folder)
        case .video?:
            let (model, config) = try checkpoint.videoModel()
            guard DepthScenario.names.contains(config.scenario) else {
                throw VidgenError("\(folder) holds a video model of \(config.scenario) clips; experiment 5 takes one trained on "
                                  + "depth clips (a config whose \"scenario\" is \(DepthScenario.names.joined(separator: " or ")))")
            }
            let camera = DepthScenario.depth.camera
            guard config.frameSize == camera.imageWidth, config.frameSize == camera.imageHeight else {
                throw VidgenError.input("\(folder): a video model of \(config.frameSize) × \(config.frameSize) frames; experiment 5's "
                                        + "frames are \(camera.imageWidth) × \(camera.imageHeight)")
            }
            let k = min(config.contextMax, config.model.frames - 1)
            return .videoModel(model, sampling: try checkpoint.sampling(), codec: try checkpoint.codec(for: config), k: k,
                               folder: folder, clips: setup.videoClips5, noiseSeed: setup.seed)
        default:
            throw VidgenError("\(folder) holds \(kind.map { "a \($0.name)" } ?? "no model vidgen reads"); "
                              + "experiment 5 takes a 3D state model or a video model of depth clips")
        }
    }

    /// Loads and checks every model, then runs experiments 1–5 and builds the report.
    public func run() throws -> Output {
        let experiments = try experiments(), ablations = try ablationModels()
        return try Self.run(experiments, checkpoint: checkpoint, ablations: ablations, progress: progress)
    }

    /// Runs experiments 1–5 of `experiments` (set up and checked; `checkpoint` is where its
    /// video model came from) and builds the report.
    /// With a structured state model, the ablation table sets beside it its law with the
    /// constants set by hand and each of `ablations`.
    public static func run(_ experiments: Experiments, checkpoint: String,
                           ablations: [(label: String, change: String, model: StateModel)] = [],
                           progress: @escaping (String, Int, Int) -> Void = { _, _, _ in }) throws -> Output {
        var experiments = experiments
        experiments.progress = progress
        // The ladder's order, from the least given structure to the most.
        let order = GeneratorID.alwaysInHeadline
        experiments.stateModels.sort { order.firstIndex(of: $0.id)! < order.firstIndex(of: $1.id)! }
        let setup = experiments.setup
        let start = Date()
        var timings = ReproduceTimings()
        func timed<T>(_ slot: WritableKeyPath<ReproduceTimings, Double>, _ work: () throws -> T) rethrows -> T {
            let t0 = Date()
            defer { timings[keyPath: slot] = Date().timeIntervalSince(t0) }
            return try work()
        }
        let e1 = try timed(\.experiment1) { try experiments.plausibleNotPhysical() }
        let e2 = try timed(\.experiment2) { try experiments.stochastic() }
        var points = 0
        progress("experiment 3", 0, setup.attention.grid.count)
        let e3 = timed(\.experiment3) {
            AttentionCost.run(setup.attention) { _ in
                points += 1
                progress("experiment 3", points, setup.attention.grid.count)
            }
        }
        let costs = try timed(\.experiment3State) {
            try experiments.stateModels.map {
                try Experiments.stateModelCost($0.model, frames: setup.stateCostFrames, runs: setup.stateCostRuns)
            }
        }
        let e4 = try timed(\.experiment4) { try experiments.windowsAndStitching() }
        var variants: [StateAblation] = []
        var handSet: [(label: String, model: StateModel)] = []
        if let structured = experiments.stateModels.first(where: { $0.model.kind == .structured }),
           case .structured(let network) = structured.model.law {
            let g = Scenario.id.gravity[0]
            handSet = [(ReproduceReport.handSetLabel, StateModel.handSet(network.config, gravity: g))]
            let all = [(ReproduceReport.handSetLabel,
                        "its law with g, the wall factor and the pair factor written in (id's: (\(g.x), \(g.y)) px/frame², −2, "
                            + "2m_j/(m_i+m_j)): nothing learned", handSet[0].model)] + ablations
            variants = try timed(\.ablations) {
                try all.enumerated().map { i, v in
                    progress("ablations", i, all.count)
                    defer { progress("ablations", i + 1, all.count) }
                    return try experiments.ablation(v.2, label: v.0, change: v.1)
                }
            }
        }
        progress("camera noise", 0, 1)
        let noisy = try timed(\.cameraNoise) { try experiments.cameraNoise(also: handSet) }
        progress("camera noise", 1, 1)
        let e5 = try timed(\.experiment5) { try experiments.depth() }
        timings.total = Date().timeIntervalSince(start)
        let runs = experiments.stateModels.indices.map { i in
            let s = experiments.stateModels[i]
            return StateModelRun(checkpoint: CheckpointInfo(folder: s.folder), law: s.model.law, experiment2: e2.state[i],
                                 experiment3: costs[i], experiment4: e4.state[i])
        }
        var pictures = ReportPictures()
        (pictures.experiment1, pictures.experiment2, pictures.experiment4) = (e1.pictures, e2.pictures, e4.pictures)
        pictures.experiment5 = e5.pictures
        var report = ReproduceReport(checkpoint: CheckpointInfo(folder: checkpoint), model: experiments.model.config, setup: setup,
                                     experiment1: e1.results, experiment2: e2.results, experiment3: e3,
                                     experiment4: e4.results, timings: timings, stateModels: runs, ablations: variants,
                                     experiment5: e5.results)
        report.cameraNoise = noisy
        report.sampling = experiments.sampling
        return Output(report: report, pictures: pictures)
    }
}

/// Writes a report folder whole: into a temporary sibling, then renamed over the target, so
/// the target is never half-written.
public enum ReportFolder {
    /// An existing folder is replaced only when it is empty or a previous report (it holds
    /// index.html and metrics.json).
    public static func isReplaceable(_ path: String) -> Bool {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return true }
        return names.isEmpty || names.contains("metrics.json") && names.contains("index.html")
    }

    public static func write(_ files: ReportFiles, to out: String) throws {
        let target = URL(fileURLWithPath: out).standardizedFileURL
        let parent = target.deletingLastPathComponent().path, name = target.lastPathComponent
        let pid = ProcessInfo.processInfo.processIdentifier
        let staging = parent + "/.\(name).partial-\(pid)", old = parent + "/.\(name).old-\(pid)"
        let fm = FileManager.default
        do {
            try fm.createDirectory(atPath: staging, withIntermediateDirectories: false)
            for (file, bytes) in files.files { try AtomicFile.write(bytes, to: staging + "/" + file) }
            if fm.fileExists(atPath: target.path) {
                try fm.moveItem(atPath: target.path, toPath: old)
                try fm.moveItem(atPath: staging, toPath: target.path)
                try fm.removeItem(atPath: old)
            } else {
                try fm.moveItem(atPath: staging, toPath: target.path)
            }
        } catch {
            try? fm.removeItem(atPath: staging)
            if fm.fileExists(atPath: old) && !fm.fileExists(atPath: target.path) { try? fm.moveItem(atPath: old, toPath: target.path) }
            throw VidgenError("cannot write the report folder \(out): \(error.localizedDescription)")
        }
    }
}

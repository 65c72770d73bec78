// The learned explicit-state models in experiments 1–4, beside the video model and the
// simulator. Each sees what the video model sees — the simulator's context frames — perceives
// a state in them, rolls it forward with its learned law (StateLaw.swift) and draws it. It
// has no windows and no noise: it makes the whole clip in one roll-out from one context. Its
// traces are scored on the windows the video model's last-k stitching would have (so
// per-window figures line up), and in `key` and `blackout` it is given the dark frames too,
// as the video model is; its state runs on behind them.

import Dynamics
import Sample
import Tensor
import World

/// A learned state model in a reproduce run: its column's key, name and folder.
public struct StateGenerator {
    public var model: StateModel
    /// Where it was loaded from.
    public var folder: String

    public init(model: StateModel, folder: String) {
        self.model = model
        self.folder = folder
    }

    /// Its key in metrics.json's headline rows: one per kind of law.
    public var id: GeneratorID { .stateModel(model.kind) }
    /// "generic state model", "structured state model".
    public var name: String { model.kind.name }
}

/// Experiment 3 for the state model: time of a roll-out against its length.
public struct StateCost: Codable, Equatable, Sendable {
    public struct Point: Codable, Equatable, Sendable {
        public var frames: Int
        /// Median wall time of one roll-out (perceive, step, draw), milliseconds.
        public var ms: Double
        public var msPerFrame: Double
    }

    public var points: [Point]
    /// Least-squares slope of log time on log frames (1: every frame costs the same).
    public var slope: Double
}

extension Experiments {
    /// Frames drawn, first generated frame and windows of the state model's roll-out of
    /// `truth` from its first `context` frames; dark frames are the observed ones.
    func stateRollout(_ model: StateModel, _ truth: Episode, context: Int, k: Int) -> (ClipTrace, [Float]) {
        let starts = WindowSampler.windowStarts(frames: truth.count, given: context, window: self.model.config.frames, context: k)
        return Self.stateRollout(model, truth, context: context, windowStarts: starts, scorer: scorer, camera: setup.camera)
    }

    /// The state model's roll-out of `truth` from its first `context` frames, its dark frames
    /// observed (given as the world shows them; the state runs on behind them), tracked and
    /// scored on windows `windowStarts`: the trace and the frames (planar [T, 3, H, W]).
    static func stateRollout(_ model: StateModel, _ truth: Episode, context: Int, windowStarts: [Int],
                             scorer: WindowQuality, camera: CameraNoise = .none) -> (ClipTrace, [Float]) {
        let planar = Rasterizer.planar(truth, camera: camera)
        let per = 3 * truth.scene.width * truth.scene.height
        let given = Array(planar[0..<(context * per)])
        var video = given + model.rollout(contextFrames: given, frames: truth.count - context)
        let observed = Set(truth.frames.filter(\.dark).map(\.t))
        for f in observed where f >= context {
            video.replaceSubrange((f * per)..<((f + 1) * per), with: planar[(f * per)..<((f + 1) * per)])
        }
        return (ClipTrace(frames: video, truth: truth, firstGenerated: context, windowStarts: windowStarts, observed: observed,
                          scorer: scorer), video)
    }

    /// Experiment 1 for the state model: the clips of `scenarios1`, each from the same context.
    func stateModelExperiment1(_ model: StateModel) throws -> (summaries: [String: PhysicsSummary], videos: [String: [UInt8]]) {
        var summaries: [String: PhysicsSummary] = [:], videos: [String: [UInt8]] = [:]
        for name in setup.scenarios1 {
            var traces: [ClipTrace] = []
            for i in 0..<setup.clips1 {
                let truth = try episode(name, i, frames: setup.frames1)
                let (trace, video) = stateRollout(model, truth, context: setup.context, k: setup.context)
                traces.append(trace)
                if i == 0 { videos[name] = bytes(video, frames: truth.count) }
            }
            summaries[name] = PhysicsSummary(traces, config: setup.physics)
        }
        return (summaries, videos)
    }

    /// Experiment 2 for the state model: the same `id` context rolled out once per seed (it
    /// takes no seed: there is nothing to draw), the spread over them, and the bytes of a
    /// second roll-out against the first.
    func stateModelExperiment2(_ generator: StateGenerator) throws -> SpreadResult {
        let model = generator.model
        let truth = try episode("id", 0, frames: setup.frames2)
        var traces: [ClipTrace] = [], videos: [[UInt8]] = []
        for _ in 0...setup.seeds2 {
            let (trace, video) = stateRollout(model, truth, context: setup.context, k: setup.context)
            traces.append(trace)
            videos.append(bytes(video, frames: truth.count))
        }
        let again = videos.removeLast()
        traces.removeLast()
        let simulator = (0..<setup.seeds2).map { _ in
            ClipTrace(simulator: truth, firstGenerated: setup.context, windowStarts: traces[0].windowStarts, scorer: scorer)
        }
        return SpreadResult(sampler: generator.name, spread: ClipTrace.spread(traces), simulatorSpread: ClipTrace.spread(simulator),
                            sameSeedIdentical: again == videos[0], distinctVideos: Set(videos).count)
    }

    /// Experiment 3 for the state model: median time of a roll-out of each length in
    /// `frames` from one `id` context (perception, stepping and drawing), and the fitted slope.
    public static func stateModelCost(_ model: StateModel, frames: [Int], runs: Int) throws -> StateCost {
        let size = model.config.width
        let truth = try Scenario.id.resized(to: size).episode(seed: SceneSeeds.test.lowerBound, frames: 2)
        let context = Rasterizer.planar(truth)
        let points = frames.map { t -> StateCost.Point in
            let ms = Stopwatch.medianMs(warmup: 1, runs: runs) { _ = model.rollout(contextFrames: context, frames: t) }
            return StateCost.Point(frames: t, ms: ms, msPerFrame: ms / Double(t))
        }
        let (slope, _) = AttentionCost.logLogFit(points.map { Double($0.frames) }, points.map(\.ms))
        return StateCost(points: points, slope: slope)
    }

    /// Experiment 4 for the state model: one roll-out per clip of `scenarios4` from the same
    /// `context4` frames, scored on last-k's windows at k = `context4`; the simulator beside it.
    func stateModelExperiment4(_ model: StateModel) throws -> (results: [ScenarioResult], videos: [String: [UInt8]]) {
        var results: [ScenarioResult] = [], videos: [String: [UInt8]] = [:]
        var physics = setup.physics
        physics.context = setup.context4
        for name in setup.scenarios4 {
            var traces: [ClipTrace] = [], simulator: [ClipTrace] = []
            for i in 0..<setup.clips4 {
                let truth = try longEpisode(name, i)
                let (trace, video) = stateRollout(model, truth, context: setup.context4, k: setup.context4)
                traces.append(trace)
                simulator.append(ClipTrace(simulator: truth, firstGenerated: trace.firstGenerated,
                                           windowStarts: trace.windowStarts, observed: trace.observed, scorer: scorer))
                if i == 0 { videos[name] = bytes(video, frames: truth.count) }
            }
            results.append(ScenarioResult(scenario: name, stitching: model.kind.name,
                                          model: PhysicsSummary(traces, config: physics),
                                          simulator: PhysicsSummary(simulator, config: physics)))
        }
        return (results, videos)
    }
}

/// A variant of the structured state model beside it in the report's ablation table: its
/// experiment-1 and experiment-4 numbers on the same clips.
public struct StateAblation: Codable, Equatable, Sendable {
    /// What it is ("constants set by hand").
    public var label: String
    /// What it changes, in words.
    public var change: String
    /// Experiment 1, per scenario.
    public var experiment1: [String: PhysicsSummary]
    /// Experiment 4, per scenario.
    public var experiment4: [ScenarioResult]
}

extension Experiments {
    /// `model`'s experiments 1 and 4, labelled.
    public func ablation(_ model: StateModel, label: String, change: String) throws -> StateAblation {
        StateAblation(label: label, change: change, experiment1: try stateModelExperiment1(model).summaries,
                      experiment4: try stateModelExperiment4(model).results)
    }

    /// Each state model's experiment 1 on `id` and experiment 4 with every frame it is given
    /// seen through a camera of noise σ, for each σ of `cameraSigmas`; then the same of each
    /// model of `also` (by its label), such as the structured law with its constants set by
    /// hand: what perception alone costs under noise, with a law that is the simulator's.
    public func cameraNoise(also: [(label: String, model: StateModel)] = []) throws -> [StateAblation] {
        var noisy = self
        noisy.setup.scenarios1 = ["id"]
        let models = stateModels.map { (label: $0.name, model: $0.model) } + also
        return try setup.cameraSigmas.flatMap { sigma in
            noisy.setup.camera = CameraNoise(sigma: sigma)
            return try models.map { s in
                try noisy.ablation(s.model, label: s.label, change: "σ = \(sigma)")
            }
        }
    }
}

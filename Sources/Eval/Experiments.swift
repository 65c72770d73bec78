// Experiments 1, 2 and 4 (docs/ARCHITECTURE.md, "The experiments") against the simulator,
// and experiment 3 from AttentionCost. Each clip's context comes from the simulator; the model
// rolls the video out window by window, and the same metrics are measured on the model's frames
// and on the simulator's frames of the same clip.
//
//   1  plausible, not physical   rollouts on id and four OOD scenarios: realism beside
//                                position, velocity, gravity, energy, wall, count and colour errors
//   2  stochastic                one context, many seeds, DDPM and DDIM: spread vs horizon; the
//                                same seed twice gives the same bytes
//   4  windows and stitching     long rollouts, last-frame vs last-k: seam jumps, error vs
//                                horizon, count and energy drift per window, object permanence
//
// Clip i of a scenario is its episode for scene seed `firstSeed + i` (held out from training,
// as in WindowQuality); rollouts draw their noise from `RNG(seed: seed)` split by experiment,
// scenario, strategy and clip, so a run is deterministic.

import Diffusion
import Dynamics
import Sample
import Tensor
import World

/// What `vidgen reproduce` runs: clip counts, lengths and sampling settings.
public struct ReproduceSetup: Codable, Equatable, Sendable {
    /// "quick" or "full".
    public var mode: String
    /// Denoising steps per window of experiment 2's DDIM and DDPM (experiments 1, 4 and 5
    /// sample with each video model's own sampling.json).
    public var steps: Int
    /// Seed of every rollout's noise.
    public var seed: UInt64 = 0
    /// Scene seed of clip 0: the first of the test range, which no design choice has seen
    /// (World's SceneSeeds).
    public var firstSeed: UInt64 = SceneSeeds.test.lowerBound
    /// Context frames from the simulator (experiments 1 and 2), stitched with last-k at this k.
    public var context = 2
    public var scenarios1 = ["id", "ood-fast", "ood-gravity", "ood-count", "ood-size"]
    public var clips1: Int
    public var frames1: Int
    public var seeds2 = 16
    public var frames2: Int
    /// Experiment 4's scenarios; `Experiments.keyFromTheDrop` is `key` from frame 0.
    public var scenarios4 = ["id", "occluder", "key", Experiments.keyFromTheDrop, "blackout"]
    public var clips4: Int
    public var frames4 = 128
    /// Context frames of experiment 4's first window (all strategies), and last-k's ks.
    public var context4 = 4
    public var ks4 = [2, 4]
    public var physics = PhysicsConfig()
    /// Blur and pixel noise on every frame a generator is given (World's CameraNoise).
    public var camera = CameraNoise.none
    /// The noise levels at which the state models' perception is measured beside the clean
    /// frames (experiments 1 on `id` and 4).
    public var cameraSigmas = [0.02, 0.05]
    public var attention: AttentionCostSetup
    /// Experiment 3 for the learned state model: roll-out lengths timed, and runs per length.
    public var stateCostFrames = [8, 16, 32, 64, 128, 256]
    public var stateCostRuns = 5
    /// Experiment 5's depth scenarios (none: experiment 5 is not run), its test clips per
    /// scenario, and its context, length and scoring thresholds.
    public var scenarios5 = DepthScenario.all.map(\.name)
    public var clips5 = 256
    /// The first of those clips a video model of depth clips is scored on: it samples every
    /// frame it makes, with its own sampling.json.
    public var videoClips5 = 16
    public var depth5 = DepthScoreConfig()

    /// 10 steps in experiment 2, 8 clips per scenario, two long rollouts per scenario and strategy, 256 depth
    /// clips per depth scenario: under ten minutes on the 2-core machine (docs/eval.md, "The report").
    public static var quick: ReproduceSetup {
        ReproduceSetup(mode: "quick", steps: 10, clips1: 8, frames1: 24, frames2: 16, clips4: 2, attention: .quick, clips5: 256)
    }

    /// 20 steps in experiment 2, 16 clips per scenario, 4 long rollouts per scenario and strategy, the full
    /// attention-cost run and 512 depth clips per depth scenario (docs/eval.md, "The report").
    public static var full: ReproduceSetup {
        ReproduceSetup(mode: "full", steps: 20, clips1: 16, frames1: 32, frames2: 32, clips4: 4, attention: .full, clips5: 512, videoClips5: 64)
    }

    /// The stitchings experiment 4 compares: last-frame, then last-k for each k.
    public var strategies4: [(name: String, strategy: StitchStrategy, k: Int)] {
        [("last-frame", .lastFrame, 1)] + ks4.map { ("last-k \($0)", .lastK, $0) }
    }
}

/// One scenario (and stitching) measured on the model and on the simulator.
public struct ScenarioResult: Codable, Equatable, Sendable {
    public var scenario: String
    /// The stitching, e.g. "last-k 2".
    public var stitching: String
    public var model: PhysicsSummary
    public var simulator: PhysicsSummary
    /// Each learned state model on the same clips (experiment 1), by its `GeneratorID`'s raw value.
    public var stateModels: [String: PhysicsSummary] = [:]
    /// The copy-last-seen baseline on the same clips (experiment 4, scenarios that hide
    /// balls): the last context frame held, every ball frozen where it was last seen.
    public var lastSeen: PhysicsSummary?

    public init(scenario: String, stitching: String, model: PhysicsSummary, simulator: PhysicsSummary,
                lastSeen: PhysicsSummary? = nil) {
        self.scenario = scenario
        self.stitching = stitching
        self.model = model
        self.simulator = simulator
        self.lastSeen = lastSeen
    }
}

/// Experiment 2's numbers for one sampler.
public struct SpreadResult: Codable, Equatable, Sendable {
    public var sampler: String
    /// Per horizon, mean over balls of the positional standard deviation across seeds, px.
    public var spread: [Double?]
    /// The simulator run as many times from the same start.
    public var simulatorSpread: [Double?]
    /// Seed 0 rolled out twice gave identical bytes.
    public var sameSeedIdentical: Bool
    /// Distinct videos among the seeds (bytes compared).
    public var distinctVideos: Int
}

/// Frames kept for the report's pictures: model videos beside the simulator's.
public struct ClipPictures: Sendable {
    public var title: String
    /// One label and one packed [T, H, W, 3] video per row; the simulator's is last.
    public var labels: [String]
    public var rows: [[UInt8]]
    public var frames: Int
    public var size: Int

    init(title: String, model: [[UInt8]], labels: [String] = ["model"], simulator: [UInt8], frames: Int, size: Int) {
        self.title = title
        self.labels = labels + ["simulator"]
        rows = model + [simulator]
        self.frames = frames
        self.size = size
    }

    /// The pictures with `row` (labelled `label`) before the simulator's.
    func adding(_ row: [UInt8]?, label: String) -> ClipPictures {
        guard let row else { return self }
        var p = self
        p.rows.insert(row, at: p.rows.count - 1)
        p.labels.insert(label, at: p.labels.count - 1)
        return p
    }
}

extension SamplingConfig {
    /// These settings with the stitching's k left to each experiment (no `lastK` of their own).
    var stitchedByTheReport: SamplingConfig {
        var s = self
        s.lastK = nil
        return s
    }
}

/// Runs the experiments with one denoiser.
public struct Experiments {
    public let model: Denoiser
    /// A latent model's frame autoencoder (nil for a pixel model).
    public let codec: FrameAutoencoder?
    /// How the video model samples every frame it makes in experiments 1 and 4: its
    /// sampling.json (solver, steps, handoff), each experiment setting the stitching's k.
    /// Experiment 2 samples with DDIM and DDPM at `setup.steps` and this handoff.
    public let sampling: SamplingConfig
    public internal(set) var setup: ReproduceSetup
    /// The learned explicit-state models measured beside the video model, in the order of
    /// the report's columns (none: video only).
    public var stateModels: [StateGenerator] = []
    /// The learned generators of depth clips (experiment 5), at most one per role.
    public var depthModels: [DepthModel] = []
    /// Why experiment 5 has no generator of a learned role, by role ("not shipped"); a role
    /// not named here reads "not given".
    public var depthAbsence: [DepthRole: String] = [:]
    let scorer: WindowQuality
    /// Told (experiment, done, total) after each rollout.
    public var progress: (String, Int, Int) -> Void = { _, _, _ in }

    public init(model: Denoiser, codec: FrameAutoencoder? = nil, sampling: SamplingConfig, setup: ReproduceSetup) {
        self.model = model
        self.codec = codec
        self.sampling = sampling.stitchedByTheReport
        self.setup = setup
        var q = WindowQualityConfig()
        q.size = codec?.config.frameSize ?? model.config.size
        q.window = model.config.frames
        scorer = WindowQuality(scoring: q)
    }

    /// Frame side in pixels.
    var size: Int { codec?.config.frameSize ?? model.config.size }

    /// Throws before any work if a scenario cannot be drawn at the model's size (the
    /// occluder's bar and the key's drop do not scale) or a context does not fit its window.
    public func check() throws {
        let t = model.config.frames
        for (name, c) in [("experiments 1 and 2", setup.context), ("experiment 4", setup.context4)] + setup.ks4.map({ ("last-k", $0) })
        where c >= t {
            throw VidgenError("\(c) context frames (\(name)) do not fit the model's \(t)-frame window")
        }
        for name in setup.scenarios5 { _ = try DepthScenario.named(name) }
        if !setup.scenarios5.isEmpty && !(4..<setup.depth5.frames).contains(setup.depth5.context) {
            throw VidgenError("experiment 5's context (\(setup.depth5.context)) must be at least 4 and below its \(setup.depth5.frames) frames")
        }
        var roles: [DepthRole: String] = [:]
        for d in depthModels {
            if let other = roles[d.role] { throw VidgenError("\(other) and \(d.folder) both hold a \(d.role.name); experiment 5 has one row per role") }
            roles[d.role] = d.folder
        }
        for s in stateModels where s.model.config.width != size || s.model.config.height != size {
            throw VidgenError("the \(s.name) is \(s.model.config.width)×\(s.model.config.height) px, "
                              + "the video model \(size)×\(size)")
        }
        for (name, long) in setup.scenarios1.map({ ($0, false) }) + setup.scenarios4.map({ ($0, true) }) {
            do {
                _ = long ? try longEpisode(name, 0) : try episode(name, 0, frames: setup.frames1)
            } catch {
                throw VidgenError("scenario '\(name)' cannot be drawn for a \(size)-px model (\(error))")
            }
        }
    }

    /// The held-out episode `i` of `scenario`, `frames` long, at the model's size.
    func episode(_ scenario: String, _ i: Int, frames: Int) throws -> Episode {
        try Scenario.named(scenario).resized(to: size).episode(seed: setup.firstSeed + UInt64(i), frames: frames)
    }

    /// Experiment 4's clip `i` of `scenario` (`Experiments.memoryClip`), `frames4` long;
    /// `keyFromTheDrop`'s is the `key` episode itself, from frame 0.
    func longEpisode(_ scenario: String, _ i: Int) throws -> Episode {
        let seed = setup.firstSeed + UInt64(i), world = try Self.scenario4(scenario).resized(to: size)
        if scenario == Self.keyFromTheDrop { return try world.episode(seed: seed, frames: setup.frames4) }
        return try Self.memoryClip(world, seed: seed, frames: setup.frames4, context: setup.context4)
    }

    /// The world of experiment-4 scenario `name`.
    static func scenario4(_ name: String) throws -> Scenario {
        try Scenario.named(name == keyFromTheDrop ? "key" : name)
    }

    /// Experiment 4's `key` from its first frame: the context sees the ball fall, so bringing
    /// it back means knowing where the drop ends (a floor of restitution 0.3 and friction that
    /// `id` never shows) — beside `key`, whose ball is already at rest in the context.
    public static let keyFromTheDrop = "key-drop"

    /// A clip of `scenario` for long roll-outs from its first `context` frames. Where it
    /// hides balls, what it tests is memory: a ball the context showed, hidden for longer
    /// than the context. So an `occluder` clip has every ball wholly in view in the context
    /// (a generator cannot keep a ball it was never shown, nor foresee what such a ball does
    /// to the others); a `key` clip starts `context` frames before the lights go out, the
    /// ball coming to rest within them (not with its drop onto a floor that `id` never shows:
    /// restitution 0.3, friction); a `blackout` clip starts `context` frames before the
    /// lights go out, the balls in flight. Other scenarios: the episode itself.
    public static func memoryClip(_ scenario: Scenario, seed: UInt64, frames: Int, context: Int) throws -> Episode {
        if scenario.occluder != nil {
            var s = scenario
            s.occluder?.shownFrames = context
            return try s.episode(seed: seed, frames: frames)
        }
        guard scenario.key != nil || scenario.blackout != nil else { return try scenario.episode(seed: seed, frames: frames) }
        let whole = try scenario.episode(seed: seed, frames: 2 * frames)
        guard let dark = whole.scene.darkness.first?.lowerBound, dark >= context, dark - context + frames <= whole.count else {
            throw VidgenError("\(scenario.name) clip of scene seed \(seed): its darkness does not fit \(frames) frames after "
                              + "\(context) context frames")
        }
        return whole.cut((dark - context)..<(dark - context + frames))
    }

    /// Rolls the model out over `truth` from its first `context` frames; dark frames are
    /// observed, not generated. Returns the trace and the video (planar [T, 3, H, W]).
    func rollout(_ truth: Episode, context: Int, strategy: StitchStrategy, k: Int, sampling: SamplingConfig,
                 rng: RNG) -> (ClipTrace, [Float]) {
        let planar = Rasterizer.planar(truth, camera: setup.camera)
        let per = 3 * size * size
        func frames(_ r: Range<Int>) -> Tensor {
            Tensor(shape: [1, r.count, 3, size, size], values: Array(planar[(r.lowerBound * per)..<(r.upperBound * per)]))
        }
        let ws = WindowSampler(model: model, settings: sampling, codec: codec)
        let plan = ws.rollout(context: frames(0..<context), frames: truth.count, strategy: strategy, k: k, noise: ClipNoise([rng]),
                              observe: { f in truth.frames[f].dark ? frames(f..<(f + 1)) : nil })
        let observed = Set(truth.frames.filter(\.dark).map(\.t))
        let video = plan.video.values
        return (ClipTrace(frames: video, truth: truth, firstGenerated: context, windowStarts: plan.windowStarts,
                          observed: observed, scorer: scorer), video)
    }

    func bytes(_ planar: [Float], frames t: Int) -> [UInt8] {
        Frames.bytes(planar: planar, frames: t, height: size, width: size)
    }

    // MARK: - Experiment 1

    /// Realism beside physics error on each of `scenarios1`, last-k stitching at `context`.
    public func plausibleNotPhysical() throws -> (results: [ScenarioResult], pictures: [ClipPictures]) {
        var results: [ScenarioResult] = [], pictures: [ClipPictures] = []
        let total = setup.scenarios1.count * setup.clips1
        var done = 0
        progress("experiment 1", 0, total)
        for name in setup.scenarios1 {
            var model: [ClipTrace] = [], simulator: [ClipTrace] = []
            for i in 0..<setup.clips1 {
                let truth = try episode(name, i, frames: setup.frames1)
                let rng = RNG(seed: setup.seed).split("experiment-1").split(name).split(i)
                let (trace, video) = rollout(truth, context: setup.context, strategy: .lastK, k: setup.context,
                                             sampling: sampling, rng: rng)
                model.append(trace)
                simulator.append(ClipTrace(simulator: truth, firstGenerated: trace.firstGenerated,
                                           windowStarts: trace.windowStarts, observed: trace.observed, scorer: scorer))
                if i == 0 {
                    pictures.append(ClipPictures(title: name, model: [bytes(video, frames: truth.count)], labels: ["video model"],
                                                 simulator: Rasterizer.bytes(truth), frames: truth.count, size: size))
                }
                done += 1
                progress("experiment 1", done, total)
            }
            results.append(ScenarioResult(scenario: name, stitching: "last-k \(setup.context)",
                                          model: PhysicsSummary(model, config: setup.physics),
                                          simulator: PhysicsSummary(simulator, config: setup.physics)))
        }
        for s in stateModels {
            let (summaries, videos) = try stateModelExperiment1(s.model)
            for i in results.indices { results[i].stateModels[s.id.rawValue] = summaries[results[i].scenario] }
            pictures = pictures.map { $0.adding(videos[$0.title], label: s.name) }
        }
        return (results, pictures)
    }

    // MARK: - Experiment 2

    /// Spread over `seeds2` seeds from one `id` context, for DDIM and DDPM, and the
    /// same-seed byte check.
    public func stochastic() throws -> (results: [SpreadResult], pictures: [ClipPictures], state: [SpreadResult]) {
        let truth = try episode("id", 0, frames: setup.frames2)
        var results: [SpreadResult] = [], pictures: [ClipPictures] = []
        let total = 2 * (setup.seeds2 + 1)
        var done = 0
        progress("experiment 2", 0, total)
        for kind in [SamplerKind.ddim, .ddpm] {
            var traces: [ClipTrace] = [], videos: [[UInt8]] = []
            let settings = SamplingConfig(sampler: kind, steps: setup.steps, handoff: sampling.handoff)
            func run(_ s: Int) -> [UInt8] {
                let rng = RNG(seed: UInt64(s)).split("experiment-2")
                let (trace, video) = rollout(truth, context: setup.context, strategy: .lastK, k: setup.context,
                                             sampling: settings, rng: rng)
                traces.append(trace)
                done += 1
                progress("experiment 2", done, total)
                return bytes(video, frames: truth.count)
            }
            for s in 0..<setup.seeds2 { videos.append(run(s)) }
            let again = run(0)
            traces.removeLast()
            let simulator = (0..<setup.seeds2).map { _ in
                ClipTrace(simulator: truth, firstGenerated: setup.context, windowStarts: traces[0].windowStarts, scorer: scorer)
            }
            results.append(SpreadResult(sampler: kind.rawValue, spread: ClipTrace.spread(traces),
                                        simulatorSpread: ClipTrace.spread(simulator), sameSeedIdentical: again == videos[0],
                                        distinctVideos: Set(videos).count))
            // Four seeds stacked: the futures one context allows.
            pictures.append(ClipPictures(title: "\(kind.rawValue), seeds 0–3", model: Array(videos.prefix(4)),
                                         labels: (0..<min(4, videos.count)).map { "seed \($0)" },
                                         simulator: Rasterizer.bytes(truth), frames: truth.count, size: size))
        }
        return (results, pictures, try stateModels.map { try stateModelExperiment2($0) })
    }

    // MARK: - Experiment 4

    /// Long rollouts on each of `scenarios4` with each stitching.
    /// Each row of a scenario that hides balls has the copy-last-seen baseline beside it;
    /// `state` holds each state model's rows, in the order of `stateModels`.
    public func windowsAndStitching() throws -> (results: [ScenarioResult], pictures: [ClipPictures], state: [[ScenarioResult]]) {
        var results: [ScenarioResult] = [], pictures: [ClipPictures] = []
        let strategies = setup.strategies4
        let total = setup.scenarios4.count * strategies.count * setup.clips4
        var done = 0
        progress("experiment 4", 0, total)
        for name in setup.scenarios4 {
            let truths = try (0..<setup.clips4).map { try longEpisode(name, $0) }
            let hides = try Self.scenario4(name).hidesBalls
            var videos: [[UInt8]] = []
            for (label, strategy, k) in strategies {
                var model: [ClipTrace] = [], simulator: [ClipTrace] = [], lastSeen: [ClipTrace] = []
                var physics = setup.physics
                physics.context = k
                for (i, truth) in truths.enumerated() {
                    let rng = RNG(seed: setup.seed).split("experiment-4").split(name).split(label).split(i)
                    let (trace, video) = rollout(truth, context: setup.context4, strategy: strategy, k: k,
                                                 sampling: sampling, rng: rng)
                    model.append(trace)
                    simulator.append(ClipTrace(simulator: truth, firstGenerated: trace.firstGenerated,
                                               windowStarts: trace.windowStarts, observed: trace.observed, scorer: scorer))
                    if hides { lastSeen.append(lastSeenTrace(truth, windowStarts: trace.windowStarts)) }
                    if i == 0 { videos.append(bytes(video, frames: truth.count)) }
                    done += 1
                    progress("experiment 4", done, total)
                }
                results.append(ScenarioResult(scenario: name, stitching: label,
                                              model: PhysicsSummary(model, config: physics),
                                              simulator: PhysicsSummary(simulator, config: physics),
                                              lastSeen: lastSeen.isEmpty ? nil : PhysicsSummary(lastSeen, config: physics)))
            }
            pictures.append(ClipPictures(title: name, model: videos, labels: strategies.map(\.name),
                                         simulator: Rasterizer.bytes(truths[0]), frames: setup.frames4, size: size))
        }
        var state: [[ScenarioResult]] = []
        for s in stateModels {
            let (rows, videos) = try stateModelExperiment4(s.model)
            state.append(rows)
            pictures = pictures.map { $0.adding(videos[$0.title], label: s.name) }
        }
        return (results, pictures, state)
    }

    /// The copy-last-seen baseline on `truth`: the last context frame held to the end (dark
    /// frames observed, as every generator is given them), so each ball stays frozen where the
    /// context last showed it. It needs no dynamics, only memory.
    func lastSeenTrace(_ truth: Episode, windowStarts: [Int]) -> ClipTrace {
        let planar = Rasterizer.planar(truth, camera: setup.camera)
        let per = 3 * size * size, c = setup.context4
        let last = planar[((c - 1) * per)..<(c * per)]
        var video = Array(planar[0..<(c * per)])
        for f in c..<truth.count { video += truth.frames[f].dark ? planar[(f * per)..<((f + 1) * per)] : last }
        return ClipTrace(frames: video, truth: truth, firstGenerated: c, windowStarts: windowStarts,
                         observed: Set(truth.frames.filter(\.dark).map(\.t)), scorer: scorer)
    }
}

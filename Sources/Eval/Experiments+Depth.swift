// Experiment 5, 2.5D not 3D: clips of the depth scenarios (the 3D box through the pinhole
// camera; `depth` in distribution, `depth-near` out of it) made by every generator of depth
// clips and scored by DepthScores against the simulator, on the same test clips.
//
//   rows   the simulator, copy-last and constant velocity (always), then the learned
//          generators the run has — a generic and a structured 3D state model, a video model
//          of depth clips — each loaded from its checkpoint folder (ReproduceJob.depthModel);
//          a learned role the run lacks keeps its row, which says why it is empty
//   sheet  per scenario, the first test clip in which two balls pass in front of each other
//          after the context: every generator's frames around the crossing, one row each

import Diffusion
import Dynamics
import Sample
import World

/// Who makes depth clips in experiment 5, in the order of its rows.
public enum DepthRole: String, Codable, CaseIterable, Sendable {
    case simulator, copyLast, constantVelocity, genericStateModel, structuredStateModel, videoModel

    /// The roles a checkpoint fills; the others are always in a run.
    public static let learned: [DepthRole] = [.genericStateModel, .structuredStateModel, .videoModel]

    /// Its row's name.
    public var name: String {
        switch self {
        case .simulator: "simulator"
        case .copyLast: "copy last frame"
        case .constantVelocity: "constant velocity"
        case .genericStateModel: "generic 3D state model"
        case .structuredStateModel: "structured 3D state model"
        case .videoModel: "video model of depth clips"
        }
    }

    /// Where its shipped checkpoint lives, relative to the repository (learned roles).
    public var shippedFolder: String? {
        switch self {
        case .genericStateModel: "data/generic-state3d"
        case .structuredStateModel: "data/state3d"
        case .videoModel: "data/depth"
        default: nil
        }
    }

    /// What it is given and what it learns, for the report.
    var givenAndLearned: String {
        switch self {
        case .simulator: "is given the world itself, Simulator3D's exact event-driven physics, and learns nothing"
        case .copyLast: "is given the last context frame and repeats it: no motion at all"
        case .constantVelocity:
            "is given the discs the covered-disc tracker finds in the context and moves each on in the image by its last "
                + "velocity there, its apparent radius held, drawing smaller discs first; it learns nothing"
        case .genericStateModel:
            "is given a 3D state perceived through the camera and draws it with the rasterizer; it learns every change "
                + "of velocity, with no event geometry"
        case .structuredStateModel:
            "is given a 3D state perceived through the camera (R read from the context's falls), the exact parabola of "
                + "free flight, contact instants from Simulator3D's event geometry and the perspective rasterizer, far to "
                + "near; it learns three constants: g, a wall factor and a pair factor"
        case .videoModel: "is given the context frames as pixels and learns everything else from pixels"
        }
    }

    /// It keeps a 3D world state (and draws it through the camera).
    var hasWorldState: Bool { [.simulator, .genericStateModel, .structuredStateModel].contains(self) }

    /// Its column in the headline: the video model's, a state model's of the same kind, the
    /// simulator's; nil for the baselines, which the headline names in its measure.
    var headlineID: GeneratorID? {
        switch self {
        case .simulator: .simulator
        case .genericStateModel: .stateModel(.generic)
        case .structuredStateModel: .stateModel(.structured)
        case .videoModel: .model
        case .copyLast, .constantVelocity: nil
        }
    }
}

/// A learned generator of depth clips, loaded from its checkpoint folder.
public struct DepthModel: Sendable {
    /// The mean 3D position error of a generator's own states by horizon 1 … `horizon`
    /// (px-equivalents) on the clips of `scenario` for `seeds`, rolled out from `context` frames.
    public typealias StateErrors = @Sendable (_ scenario: DepthScenario, _ seeds: [UInt64], _ context: Int, _ horizon: Int) throws
        -> [Double]

    public var role: DepthRole
    public var folder: String
    /// Its column on the clips of a scenario (whose camera and box it is given).
    public var column: @Sendable (DepthScenario) throws -> DepthColumn
    /// Its states' 3D error, for a generator with a 3D state of its own (a state model); nil
    /// for one that has only frames.
    public var stateErrors: StateErrors?
    /// The clips it is scored on when fewer than the run's (a video model samples every frame
    /// it makes): the first of the run's test clips.
    public var clips: Int?
    /// The frames a video model's first window generates (before any seam); nil for a
    /// generator without windows.
    public var window: Int?
    /// How a video model samples (its sampling.json); nil for a generator without a sampler.
    public var sampling: SamplingConfig?

    public init(role: DepthRole, folder: String, stateErrors: StateErrors? = nil, clips: Int? = nil, window: Int? = nil,
                sampling: SamplingConfig? = nil, column: @escaping @Sendable (DepthScenario) throws -> DepthColumn) {
        self.role = role
        self.folder = folder
        self.stateErrors = stateErrors
        self.clips = clips
        self.window = window
        self.sampling = sampling
        self.column = column
    }

    /// A video model of depth clips (`model`, with `codec` for a latent one) sampled as
    /// `sampling` says, stitched last-k from `k` context frames with the noise of `noiseSeed`
    /// (DepthColumn.videoModel), and scored on the first `clips` clips.
    public static func videoModel(_ model: Denoiser, sampling: SamplingConfig, codec: FrameAutoencoder? = nil, k: Int,
                                  folder: String, clips: Int, noiseSeed: UInt64) -> DepthModel {
        let settings = sampling.stitchedByTheReport
        // Read only: a roll-out does not change the sampler.
        nonisolated(unsafe) let sampler = WindowSampler(model: model, settings: settings, codec: codec)
        let frames = model.config.frames
        return DepthModel(role: .videoModel, folder: folder, clips: clips, window: frames - max(1, min(k, frames - 1)),
                          sampling: settings) { _ in
            .videoModel(sampler, name: DepthRole.videoModel.name, k: k, noiseSeed: noiseSeed)
        }
    }

    /// A 3D state model of `role` stepping by `law`: its roll-outs drawn through each
    /// scenario's camera, and its states' error.
    public static func stateModel(_ law: StateLaw3D, role: DepthRole, folder: String) -> DepthModel {
        DepthModel(role: role, folder: folder, stateErrors: { scenario, seeds, context, horizon in
            try StateModel3D(law: law, scenario: scenario).positionErrors(scenario: scenario, seeds: seeds, context: context,
                                                                          horizon: horizon).mean
        }) { scenario in
            .stateModel(StateModel3D(law: law, scenario: scenario), name: role.name)
        }
    }
}

/// One generator's experiment-5 numbers on one scenario.
public struct DepthRow: Codable, Equatable, Sendable {
    public var role: DepthRole
    /// Its checkpoint folder (a learned generator's).
    public var folder: String?
    /// Its scores; nil when the run had no such generator (`absent` says why).
    public var scores: DepthScores?
    public var absent: String?
    /// Mean 3D position error of its own states per horizon (px-equivalents): a 3D state
    /// model's, and the simulator's (0: its states are the truth).
    public var stateError: [Double]?
    /// The clips it was scored on when fewer than the run's (the first of them); nil for all.
    public var clips: Int?
    /// The frames its first window generated (a video model's); nil without windows.
    public var window: Int?
    /// How it sampled (a video model's sampling.json); nil without a sampler.
    public var sampling: SamplingConfig?
}

/// Experiment 5 on one depth scenario.
public struct DepthResult: Codable, Equatable, Sendable {
    public var scenario: String
    /// One row per role, in `DepthRole` order.
    public var rows: [DepthRow]
    /// The contact sheet's clip and its first and last frame; nil when no clip showed a pass.
    public var crossingSeed: UInt64?
    public var crossingFrames: [Int]?

    /// The row of `role`.
    public subscript(_ role: DepthRole) -> DepthRow? { rows.first { $0.role == role } }
}

extension Experiments {
    /// Experiment 5 on `setup.scenarios5`: every generator's depth scores on `clips5` test
    /// clips per scenario, and a contact sheet of two balls crossing per scenario.
    public func depth() throws -> (results: [DepthResult], pictures: [ClipPictures]) {
        let config = setup.depth5
        let seeds = (0..<UInt64(setup.clips5)).map { setup.firstSeed + $0 }
        let baselines: [(DepthRole, DepthColumn)] = [(.simulator, .simulator), (.copyLast, .copyLast),
                                                     (.constantVelocity, .constantVelocity)]
        let total = setup.scenarios5.count * (baselines.count + depthModels.count)
        var done = 0
        progress("experiment 5", 0, total)
        var results: [DepthResult] = [], pictures: [ClipPictures] = []
        for name in setup.scenarios5 {
            let scenario = try DepthScenario.named(name)
            let columns = try baselines.map { ($0.0, nil as DepthModel?, $0.1) }
                + depthModels.map { ($0.role, $0 as DepthModel?, try $0.column(scenario)) }
            var rows: [DepthRow] = []
            for role in DepthRole.allCases {
                guard let (_, model, column) = columns.first(where: { $0.0 == role }) else {
                    rows.append(DepthRow(role: role, absent: depthAbsence[role] ?? "not given"))
                    continue
                }
                let seeds = model?.clips.map { Array(seeds.prefix($0)) } ?? seeds
                let scores = try DepthScores.measure([column], scenario: scenario, seeds: seeds, config: config)[0]
                let stateError = role == .simulator ? [Double](repeating: 0, count: config.horizon)
                    : try model?.stateErrors?(scenario, seeds, config.context, config.horizon)
                rows.append(DepthRow(role: role, folder: model?.folder, scores: scores, stateError: stateError,
                                     clips: model?.clips.map { min($0, seeds.count) }, window: model?.window,
                                     sampling: model?.sampling))
                done += 1
                progress("experiment 5", done, total)
            }
            var result = DepthResult(scenario: name, rows: rows)
            if let (seed, episode, frames) = try crossing(scenario, seeds: seeds) {
                (result.crossingSeed, result.crossingFrames) = (seed, [frames.lowerBound, frames.upperBound])
                pictures.append(crossingPictures(name, episode: episode, frames: frames, columns: columns.map { ($0.0, $0.2) }))
            }
            results.append(result)
        }
        return (results, pictures)
    }

    /// The first clip of `seeds` with a pass after the context (two balls whose discs overlap
    /// while they do not touch), and the frames around it: from 3 before to 3 after, at most 16.
    func crossing(_ scenario: DepthScenario, seeds: [UInt64]) throws -> (UInt64, Episode3D, ClosedRange<Int>)? {
        let config = setup.depth5
        for seed in seeds {
            let episode = try scenario.episode(seed: seed, frames: config.frames)
            let (image, mostly) = DepthScores.simulatorImage(episode, config: config)
            let events = DepthScores.pairEvents(episode: episode, image: image, mostly: mostly, config: config)
            guard let pass = events.first(where: { !$0.touching && $0.t0 >= config.context && $0.t1 + 3 < episode.count })
            else { continue }
            let first = max(0, pass.t0 - 3), last = min(episode.count - 1, pass.t1 + 3, first + 15)
            return (seed, episode, first...last)
        }
        return nil
    }

    /// Each column's frames `frames` of `episode`, one row each, the simulator's last.
    func crossingPictures(_ name: String, episode: Episode3D, frames: ClosedRange<Int>,
                          columns: [(DepthRole, DepthColumn)]) -> ClipPictures {
        let (H, W) = (episode.camera.imageHeight, episode.camera.imageWidth)
        precondition(H == W, "experiment 5: contact sheets of square frames, got \(H)×\(W)")
        let per = 3 * H * W
        let blank = [Float](repeating: -1, count: frames.count * per)
        let shown = (frames.lowerBound * per)..<((frames.upperBound + 1) * per)
        let rows = columns.map { _, column -> [UInt8] in
            // A generator that made no clip (a state model that perceived no state) is a black row.
            let clip = column.generate(episode, setup.depth5.context).map { Array($0[shown]) }
            return Frames.bytes(planar: clip ?? blank, frames: frames.count, height: H, width: W)
        }
        let simulator = columns.firstIndex { $0.0 == .simulator }!
        let others = columns.indices.filter { $0 != simulator }
        return ClipPictures(title: "\(name)-crossing", model: others.map { rows[$0] }, labels: others.map { columns[$0].0.name },
                            simulator: rows[simulator], frames: frames.count, size: H)
    }
}

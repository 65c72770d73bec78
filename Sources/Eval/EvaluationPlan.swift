// What `vidgen eval` scores, as one value: the held-out clips and whether each is one window
// or a long stitched video. The command parses it; this file checks it against the models,
// lays out the runs (one per stitching), scores the state models' own roll-outs and encodes
// the metrics file.

import Checkpoints
import Diffusion
import Foundation
import Sample
import Tensor
import World

public struct EvaluationPlan: Sendable {
    public var scenario = "id"
    public var clips = 256
    public var firstSeed: UInt64 = WindowQualityConfig().firstSeed
    /// Context frames from the simulator (K).
    public var context = 2
    /// Long videos of this many frames, the context included (nil: one window per clip).
    public var frames: Int?
    /// With `frames`: the one stitching to score (nil: last-k and last-frame).
    public var stitch: StitchStrategy?
    /// The camera every context frame is seen through.
    public var camera = CameraNoise.none

    public init() {}

    /// Frames per clip of a state model's own scores without `frames`: 30 after a 2-frame
    /// context, and `memoryFrames` in a scenario that hides balls.
    public static func stateFrames(_ scenario: String) -> Int {
        (try? Scenario.named(scenario))?.hidesBalls == true ? memoryFrames : 32
    }

    /// Frames of a memory clip at least (a hiding lasts more than 12 frames, and an occluder
    /// clip that shows every ball in its context needs about 100 to hide one).
    public static let memoryFrames = 128

    /// One quality config per stitching (one in all without `frames`). The models must share
    /// one window and frame size, and the plan must fit them; otherwise one line says why
    /// (VidgenError.input).
    public func configs(models: [EvaluatedModel], stateModels: [EvaluatedStateModel]) throws -> [WindowQualityConfig] {
        let window = models.first?.denoiser.config.frames ?? ModelConfig.reference.frames
        let size = models.first?.sampler.frameSize ?? stateModels.first?.model.config.width ?? ModelConfig.reference.size
        if let other = stateModels.first(where: { $0.model.config.width != size || $0.model.config.height != size }) {
            throw VidgenError.input("\(other.folder) is a \(other.model.config.width)×\(other.model.config.height)-px state model, "
                              + "the other models \(size) px; evaluate them separately")
        }
        if let other = models.first(where: { $0.denoiser.config.frames != window || $0.sampler.frameSize != size }) {
            throw VidgenError.input("\(other.folder) has a \(other.denoiser.config.frames)-frame \(other.sampler.frameSize)-px window, "
                              + "\(models[0].folder) a \(window)-frame \(size)-px one; evaluate them separately")
        }
        let lastK = models.first?.sampling.lastK
        if let other = models.first(where: { $0.sampling.lastK != lastK }) {
            throw VidgenError.input("\(other.folder) stitches last-k windows with \(other.sampling.lastK.map(String.init) ?? "the context's") frames, "
                              + "\(models[0].folder) with \(lastK.map(String.init) ?? "the context's"); evaluate them separately or give --last-k")
        }
        if let lastK, lastK >= window { throw VidgenError.input("--last-k must be below the window of \(window) frames, got \(lastK)") }
        guard context < window else { throw VidgenError.input("--context must be below the window of \(window) frames, got \(context)") }
        if let frames, frames < window {
            throw VidgenError.input("--frames (\(frames)) must be at least the model's window of \(window) frames")
        }
        var q = WindowQualityConfig()
        q.scenario = scenario
        q.clips = clips
        q.firstSeed = firstSeed
        q.window = window
        q.context = context
        q.size = size
        q.missPenalty = Double(size) / 2
        q.camera = camera.isClean ? nil : camera
        let configs = frames.map { frames in
            (stitch.map { [$0] } ?? [.lastK, .lastFrame]).map { s in
                var long = q
                long.long = LongVideo(frames: frames, stitch: s, lastK: s == .lastK ? lastK : nil)
                return long
            }
        } ?? [q]
        // What WindowQuality would refuse, refused here with the plan's other problems.
        if let problem = configs.lazy.compactMap({ $0.validationError() }).first { throw VidgenError.input(problem) }
        return configs
    }

    /// The state models' own scores: roll-outs from frame 0 of `scenario` clips, errors by event
    /// (over `frames`, and at least `stateFrames(scenario)` in a scenario that hides balls).
    /// Clips the plan cannot draw are input the command cannot take (VidgenError.input).
    public func stateScores(_ stateModels: [EvaluatedStateModel]) throws -> [StateModelScores] {
        let least = Self.stateFrames(scenario)
        let total = (try? Scenario.named(scenario))?.hidesBalls == true ? max(frames ?? least, least) : frames ?? least
        return try VidgenError.input { try stateModels.map { m in
            try StateModelScores.measure(m.model, folder: m.folder, scenario: scenario, clips: clips, firstSeed: firstSeed,
                                         context: context, horizon: max(1, total - context), camera: camera)
        } }
    }

    /// The metrics file: the one report, or with `frames` every stitching's; the state
    /// models' own scores once.
    public func encoded(_ reports: [WindowQualityReport], stateScores: [StateModelScores]) throws -> [UInt8] {
        var reports = reports
        if !stateScores.isEmpty { reports[0].stateScores = stateScores }
        guard frames != nil else { return try reports[0].encoded() }
        var stitched = StitchedQualityReport(stitchings: reports)
        if !stateScores.isEmpty { (stitched.stateScores, stitched.stitchings[0].stateScores) = (stateScores, nil) }
        return try stitched.encoded()
    }
}

extension EvaluatedModel {
    /// The video model in checkpoint folder `dir`, sampled as its sampling.json says once
    /// `adjust` (the command line's overrides) has been applied.
    public static func load(_ dir: String, sampling adjust: (SamplingConfig) -> SamplingConfig = { $0 }) throws -> EvaluatedModel {
        let saved = try CheckpointFolder(dir).videoCheckpoint()
        let sampling = adjust(saved.sampling)
        if let problem = sampling.validationError(for: saved.model.config) { throw VidgenError("\(dir): \(problem)") }
        return EvaluatedModel(folder: dir, denoiser: saved.model, codec: saved.codec, sampling: sampling)
    }
}

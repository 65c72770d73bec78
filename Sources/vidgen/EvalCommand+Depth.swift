import ArgumentParser
import Checkpoints
import Dynamics
import Eval
import Foundation
import Sample
import Tensor
import World

/// What `vidgen eval --scenario depth` writes: the frame-level scores of every generator (the
/// simulator, the baselines and each checkpoint's roll-outs: DepthScores), and per checkpoint
/// the law it learned and its 3D position error by horizon (StateModel3D.positionErrors).
struct DepthEvaluation: Codable {
    struct Model: Codable {
        var checkpoint: String
        /// The kind of law: "structured" or "generic".
        var law: String
        /// The g perception reads with, box units per frame²: the structured law's learned g,
        /// the generic law's Δu for a ball at rest mid-box.
        var gravity: [Double]
        /// The structured law's wall and pair factors (none for the generic law).
        var wallFactor: Double?
        var pairFactor: Double?
        /// Clips scored, clips whose context gave no state, balls hidden through the context.
        var clipsScored: Int
        var unperceived: Int
        var missingBalls: Int
        /// Per horizon 1 … H, pixel-equivalents: mean and median over clips.
        var positionErrorMean: [Double]
        var positionErrorMedian: [Double]
    }

    var scenario: String
    var firstSceneSeed: UInt64
    var clips: Int
    var context: Int
    var horizon: Int
    /// The thresholds of the frame-level scores.
    var scoring: DepthScoreConfig
    /// Per generator, the frame-level scores (DepthScores: counts, and per horizon sums, counts and means).
    var frameScores: [DepthScores]
    var models: [Model]
}

extension Vidgen.EvalCmd {
    /// Context frames of a depth scenario's clips when --context is not given: enough falls
    /// to read the balls' radius from (Perception3D).
    static let depthContext = 8
    /// Frames scored after the context when --frames is not given.
    static let depthHorizon = 30

    /// The rules of `vidgen eval --scenario depth`: the baselines, and 3D state models of
    /// either kind and video models beside them; one stitching of a video model's windows
    /// (last-k unless --stitch says last-frame), no camera-noise option.
    func validateDepth() throws {
        if checkpoint.isEmpty && !baselinesOnly {
            throw ValidationError("--scenario \(scenario) scores the baselines (--baselines-only), and 3D state models and video models trained on depth clips: give each with --checkpoint")
        }
        if csv != nil || cameraNoise != 0 {
            throw ValidationError("--csv and --camera-noise are options of the flat scenarios, not of --scenario \(scenario)")
        }
        let context = self.context ?? Self.depthContext
        if context < 4 { throw ValidationError("--context must be at least 4 for --scenario \(scenario) (R is read from falls), got \(context)") }
        if let frames, frames <= context {
            throw ValidationError("--frames (\(frames)) must be more than --context (\(context)): it counts the context too")
        }
    }

    /// The column of the video model in `folder`: stitched last-k (or as --stitch says) from
    /// as many context frames as it trained with, sampled with its own settings and this
    /// command's overrides.
    func videoColumn(_ folder: String, scenario: DepthScenario) throws -> DepthColumn {
        let saved = try CheckpointFolder(folder).videoCheckpoint()
        guard DepthScenario.names.contains(saved.config.scenario) else {
            throw VidgenError.input("\(folder): a video model of \(saved.config.scenario) clips; --scenario \(scenario.name) scores one "
                                    + "trained on depth clips (a config whose \"scenario\" is \(DepthScenario.names.joined(separator: " or ")))")
        }
        let sampling = self.sampling.applied(to: saved.sampling)
        if let problem = sampling.validationError(for: saved.config.model) { throw VidgenError.input(problem) }
        let size = saved.config.frameSize
        guard size == scenario.camera.imageWidth, size == scenario.camera.imageHeight else {
            throw VidgenError.input("\(folder): a video model of \(size) × \(size) frames; \(scenario.name) frames are "
                                    + "\(scenario.camera.imageWidth) × \(scenario.camera.imageHeight): it scores a model trained on frames of that size")
        }
        let sampler = WindowSampler(model: saved.model, settings: sampling, codec: saved.codec)
        let k = min(saved.config.contextMax, saved.config.model.frames - 1)
        let strategy = stitch ?? .lastK, name = (folder as NSString).lastPathComponent
        return .videoModel(sampler, name: strategy == .lastK ? name : "\(name) (\(strategy.rawValue))", k: k, noiseSeed: seed,
                           stitch: strategy)
    }

    /// `vidgen eval --scenario depth`: the frame-level scores of the simulator, the baselines
    /// and each checkpoint, and each checkpoint's 3D position error by horizon, on clips
    /// --first-scene-seed + i.
    func runDepth() throws {
        let depth = try DepthScenario.named(scenario)
        let context = self.context ?? Self.depthContext
        let horizon = (frames ?? context + Self.depthHorizon) - context
        let videos = checkpoint.filter { CheckpointFolder($0).kind == .video }
        let states = checkpoint.filter { !videos.contains($0) }
        let models = try states.map { try StateModel3D.load($0, scenario: depth) }
        let seeds = (0..<UInt64(clips)).map { firstSceneSeed + $0 }
        var scoring = DepthScoreConfig()
        (scoring.context, scoring.frames) = (context, context + horizon)
        let columns = [DepthColumn.simulator, .copyLast, .constantVelocity]
            + zip(states, models).map { DepthColumn.stateModel($1, name: ($0 as NSString).lastPathComponent) }
            + (try videos.map { try videoColumn($0, scenario: depth) })
        let scores = try DepthScores.measure(columns, scenario: depth, seeds: seeds, config: scoring)
        print("\(clips) clips of \(scenario), \(context) context frames, \(horizon) generated. Pair events: right when the "
              + "generator draws the encounter and changes the pair's relative image velocity through it as the simulator does "
              + "(within \(scoring.velocityTolerance) px/frame); drawn: the encounters it drew.")
        print(DepthScores.table(scores) + "\n")
        var out = DepthEvaluation(scenario: scenario, firstSceneSeed: firstSceneSeed, clips: clips, context: context,
                                  horizon: horizon, scoring: scoring, frameScores: scores, models: [])
        for (folder, model) in zip(states, models) {
            let e = try model.positionErrors(scenario: depth, seeds: seeds, context: context, horizon: horizon)
            let g = model.gravity
            var constants: Law3D?
            if case .structured(let law) = model.law { constants = law }
            out.models.append(.init(checkpoint: folder, law: model.law.kind.rawValue, gravity: [g.x, g.y, g.z],
                                    wallFactor: constants?.wall, pairFactor: constants?.pair, clipsScored: e.clips, unperceived: e.unperceived,
                                    missingBalls: e.missingBalls, positionErrorMean: e.mean, positionErrorMedian: e.median))
            let shown = [1, 10, 30, horizon].filter { $0 <= horizon }.reduce(into: [Int]()) { if !$0.contains($1) { $0.append($1) } }
            print("\(folder) (\(model.law.kind.name)): \(e.clips) clips of \(scenario) (\(e.unperceived) without a state, \(e.missingBalls) balls hidden through the context); "
                  + "3D position error, px-equivalent, mean (median): "
                  + shown.map { String(format: "h%d %.3f (%.3f)", $0, e.mean[$0 - 1], e.median[$0 - 1]) }.joined(separator: ", "))
        }
        try AtomicFile.write(try PrettyJSON.bytes(out), to: self.out)
        print("wrote \(self.out)")
    }
}

import ArgumentParser
import Checkpoints
import Dynamics
import Eval
import Foundation
import Sample
import Tensor
import World

extension Vidgen {
    /// `vidgen eval`: checkpoints' windows or long videos scored against the simulator and two baselines.
    struct EvalCmd: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "eval",
            abstract: "Score a model's windows or long videos against the simulator on held-out clips, beside copy-last and constant-velocity baselines.",
            discussion: """
                The simulator gives the first --context frames of each clip, the model makes the rest: one window, \
                or with --frames F a video of F frames stitched window after window (last-k and last-frame, or \
                the one --stitch names; scores by window). The tracker scores every generated frame: real (every \
                ball a valid disc of its colour, nothing else drawn), ball count right, centroid error of the balls \
                matched by colour (with the miss rate), and realism; then the physics metrics of the clips \
                (velocity error, implied gravity, energy, wall penetration, count changes, colour swaps). Scene seeds start at --first-scene-seed, a \
                range training never draws. Repeat --checkpoint to score several snapshots of a run on the same \
                clips; --csv appends one row per checkpoint (step, minutes, loss, scores, baselines) for a \
                quality-vs-training-time curve.
                """)

        @Option(help: "Checkpoint folder of a video or a state model (told apart by its model.safetensors' format); repeat for several (default: the shipped video model, \(ShippedModel.relativePath)).")
        var checkpoint: [String] = []

        @Flag(help: "Score only the simulator and the baselines (no model needed).")
        var baselinesOnly = false

        @Option(help: "Scenario of the clips: \(Scenario.names.joined(separator: ", ")); or a depth scenario (\(DepthScenario.names.joined(separator: ", "))) to score the baselines, 3D state models and video models of depth clips on depth clips (pair events, apparent size, 3D position error, occlusion order, realism and count).")
        var scenario = "id"

        @Option(help: "Held-out clips to score.")
        var clips = 256

        @Option(help: "Scene seed of the first clip; clip i uses this + i.")
        var firstSceneSeed: UInt64 = WindowQualityConfig().firstSeed

        @Option(help: "Context frames from the simulator (default: 2; 8 for a depth scenario).")
        var context: Int?

        @Option(help: "Long videos: frames per video, the context included (default: one window per clip).")
        var frames: Int?

        @Option(help: "With --frames: how windows are stitched, \(StitchStrategy.allCases.map(\.rawValue).joined(separator: ", ")) (default: both; last-k for a depth scenario).")
        var stitch: StitchStrategy?

        @Option(help: "Camera noise: the context frames are blurred (3×3) and given Gaussian pixel noise of this σ (intensities in [0, 1]); 0: clean.")
        var cameraNoise = 0.0

        @OptionGroup var sampling: SamplingOptions

        @Option(help: "Clips per sampler call.")
        var batch = 32

        @Option(help: "Seed of the sampler's noise.")
        var seed: UInt64 = 0

        @Option(help: "Metrics JSON to write.")
        var out: String

        @Option(help: "Also append one row per checkpoint to this CSV (created with a header if missing).")
        var csv: String?

        func validate() throws {
            if !(1...100_000).contains(clips) { throw ValidationError("--clips must be between 1 and 100000, got \(clips)") }
            if !(1...4096).contains(batch) { throw ValidationError("--batch must be between 1 and 4096, got \(batch)") }
            if let context, context < 1 { throw ValidationError("--context must be at least 1, got \(context)") }
            if let frames, !(1...100_000).contains(frames) { throw ValidationError("--frames must be between 1 and 100000, got \(frames)") }
            if stitch != nil && frames == nil { throw ValidationError("--stitch needs --frames (long videos)") }
            if DepthScenario.names.contains(scenario) { try validateDepth() } else { try validateScenario(scenario) }
            if baselinesOnly && !checkpoint.isEmpty { throw ValidationError("--baselines-only takes no --checkpoint") }
            if baselinesOnly && csv != nil { throw ValidationError("--csv records models; it needs a checkpoint, not --baselines-only") }
            if UInt64.max - firstSceneSeed < UInt64(clips) { throw ValidationError("--first-scene-seed + --clips overflows 64 bits") }
            if let problem = CameraNoise(sigma: cameraNoise).problem { throw ValidationError("--camera-noise: \(problem)") }
            try OutputPath.check(out)
            try OutputPath.checkNotInside(out, checkpoints: checkpoint)
            if let csv {
                try OutputPath.check(csv)
                if csv == out { throw ValidationError("--csv and --out name the same file") }
            }
        }

        func run() throws {
            if DepthScenario.names.contains(scenario) { return try runDepth() }
            // Load every model first, so a bad checkpoint fails before any work.
            if let csv { try TrainingCurve.check(csv) }
            let all = baselinesOnly ? [] : (checkpoint.isEmpty ? [try ShippedModel.path()] : checkpoint)
            let stateModels = try all.filter { CheckpointFolder($0).isStateModel }.map {
                EvaluatedStateModel(folder: $0, model: try StateModel.load($0))
            }
            let models = try all.filter { !CheckpointFolder($0).isStateModel }.map {
                try EvaluatedModel.load($0, sampling: self.sampling.applied)
            }
            var plan = EvaluationPlan()
            (plan.scenario, plan.clips, plan.firstSeed) = (scenario, clips, firstSceneSeed)
            plan.camera = CameraNoise(sigma: cameraNoise)
            (plan.context, plan.frames, plan.stitch) = (context ?? 2, frames, stitch)
            var reports: [WindowQualityReport] = []
            for config in try plan.configs(models: models, stateModels: stateModels) {
                let what = config.long.map { " \($0.stitch.rawValue)" } ?? ""
                var bars: [Progress] = []
                let folders = models.map(\.folder) + stateModels.map(\.folder)
                let report = try WindowQualityReport.measure(config, models: models, stateModels: stateModels, seed: seed, batch: batch, progress: { k, done, total in
                    if bars.count <= k {
                        bars.append(Progress("eval \((folders[k] as NSString).lastPathComponent)\(what)", total: total, unit: "clips"))
                    }
                    bars[k].update(done)
                }, clock: Progress.now)
                print(report.table() + "\n")
                reports.append(report)
            }
            let stateScores = try plan.stateScores(stateModels)
            for s in stateScores { print(s.table()) }
            try AtomicFile.write(try plan.encoded(reports, stateScores: stateScores), to: out)
            if let csv {
                try TrainingCurve.append(reports.flatMap { r in r.models.map { TrainingCurve.row($0, in: r) } }, to: csv)
            }
            let rows = reports.reduce(0) { $0 + $1.models.count }
            print("wrote \(out)" + (csv.map { " and appended \(rows) row\(rows == 1 ? "" : "s") to \($0)" } ?? ""))
        }
    }
}

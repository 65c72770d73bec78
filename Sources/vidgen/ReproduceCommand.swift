import ArgumentParser
import Checkpoints
import Eval
import Foundation
import Tensor
import World

extension Vidgen {
    /// `vidgen reproduce`: every experiment with one model, one report folder.
    struct Reproduce: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run experiments 1–5 with a model against the simulator and write one report (index.html, report.md, metrics.json, figures).",
            discussion: """
                The folder is built beside OUT under a temporary name and moved into place when complete, so \
                OUT is never half-written; an existing OUT is replaced only if it holds a previous report. \
                --quick takes under ten minutes on a 2-core machine (fewer clips, 10 denoising steps); the full \
                run uses 20 steps and more clips and reports its time. Progress goes to stderr.
                """)

        @Flag(help: "Fewer clips and denoising steps: under ten minutes on 2 cores.")
        var quick = false

        @Option(help: "Checkpoint folder (default: the shipped model, \(ShippedModel.relativePath)).")
        var checkpoint: String?

        @Option(help: ArgumentHelp(
            "A learned state model measured beside the video model; repeat for both kinds (default: the shipped ones, "
                + "\(ShippedModel.genericStateRelativePath) and \(ShippedModel.stateRelativePath)).",
            valueName: "dir"))
        var stateCheckpoint: [String] = []

        @Option(help: ArgumentHelp(
            "A structured state model trained another way, beside the shipped one in the ablation table; repeatable "
                + "(default: \(ShippedModel.ablationRelativePath), trained on the simulator's states, when present).",
            valueName: "dir"))
        var ablationCheckpoint: [String] = []

        @Option(help: ArgumentHelp(
            "A learned generator of depth clips for experiment 5 (a 3D state model of either kind, or a video model trained on depth clips); repeatable, one per kind "
                + "(default: the shipped ones found among "
                + DepthRole.learned.compactMap(\.shippedFolder).joined(separator: ", ") + ").",
            valueName: "dir"))
        var depthCheckpoint: [String] = []

        @Flag(help: "Measure the video model alone, without the learned state models (2D or 3D).")
        var noStateModel = false

        @Option(help: "Camera noise on every frame a generator is given: a 3×3 blur and Gaussian pixel noise of this σ (intensities in [0, 1]); 0: clean. The state models are measured at σ 0.02 and 0.05 beside it either way.")
        var cameraNoise = 0.0

        @Option(help: "Report folder to write (created; a previous report there is replaced).")
        var out: String

        func validate() throws {
            if noStateModel && !(stateCheckpoint + ablationCheckpoint).isEmpty {
                throw ValidationError("--no-state-model takes no --state-checkpoint or --ablation-checkpoint")
            }
            if noStateModel, let state = depthCheckpoint.first(where: { CheckpointFolder($0).kind != .video }) {
                throw ValidationError("--no-state-model takes no 3D state model (\(state)); --depth-checkpoint may name a video model of depth clips")
            }
            if let problem = CameraNoise(sigma: cameraNoise).problem { throw ValidationError("--camera-noise: \(problem)") }
            try OutputPath.checkFolder(out)
            if FileManager.default.fileExists(atPath: out), !ReportFolder.isReplaceable(out) {
                throw ValidationError("\(out) exists and is not a vidgen report folder; choose a new --out")
            }
            let parent = URL(fileURLWithPath: out).standardizedFileURL.deletingLastPathComponent().path
            if access(parent, W_OK) != 0 { throw ValidationError("cannot write in \(parent) (for \(out))") }
        }

        func run() throws {
            var setup: ReproduceSetup = quick ? .quick : .full
            setup.camera = CameraNoise(sigma: cameraNoise)
            let states = noStateModel ? [] : stateCheckpoint.isEmpty ? try ShippedModel.statePaths() : stateCheckpoint
            var job = ReproduceJob(checkpoint: try checkpoint ?? ShippedModel.path(), stateCheckpoints: states, setup: setup)
            job.ablationCheckpoints = noStateModel ? [] : ablationCheckpoint.isEmpty ? ShippedModel.ablationPaths() : ablationCheckpoint
            if depthCheckpoint.isEmpty {
                // The shipped generators of depth clips; a role with none says so in its row.
                let shipped = ShippedModel.depthPaths()
                job.depthCheckpoints = DepthRole.learned.compactMap { role in
                    noStateModel && role != .videoModel ? nil : shipped[role]
                }
                for role in DepthRole.learned where shipped[role] == nil { job.depthAbsence[role] = "not shipped" }
                if noStateModel {
                    for role in DepthRole.learned where role != .videoModel { job.depthAbsence[role] = "not measured (--no-state-model)" }
                }
            } else {
                job.depthCheckpoints = depthCheckpoint
            }
            var bars: [String: Progress] = [:]
            // The job loads and checks every model before any work (and before any progress line).
            job.progress = { name, done, total in
                let unit = ["experiment 3": "points", "experiment 5": "columns"][name] ?? "rollouts"
                let bar = bars[name] ?? Progress(name, total: total, unit: unit, toStderr: true)
                bars[name] = bar
                bar.update(done)
            }
            let run = try job.run()
            let files = try run.report.files(pictures: run.pictures)
            try ReportFolder.write(files, to: out)
            print("Headline (\(setup.mode) run, \(String(format: "%.0f", run.report.timings.total)) s):")
            for line in run.report.headlineLines { print("  " + line) }
            let figures = files.files.filter { f in [".svg", ".png", ".gif"].contains { f.name.hasSuffix($0) } }.count
            print("wrote \(out)/index.html, report.md, metrics.json, headline.md and \(figures) figures")
        }
    }
}

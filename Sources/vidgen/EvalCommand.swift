import ArgumentParser
import Diffusion
import Eval
import Foundation
import Sample
import Tensor
import Train
import World

extension Vidgen {
    /// `vidgen eval`: in-window quality of checkpoints against the simulator and two baselines.
    struct EvalCmd: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "eval",
            abstract: "Score a model's windows against the simulator on held-out clips, beside copy-last and constant-velocity baselines.",
            discussion: """
                The simulator gives the first --context frames of each window, the model makes the rest; the \
                tracker scores every generated frame: ball count right, centroid error of the balls matched by \
                colour (with the miss rate), and per-frame realism; then the physics metrics of the windows \
                (velocity error, implied gravity, energy, wall penetration, count changes, colour swaps). Scene seeds start at --first-scene-seed, a \
                range training never draws. Repeat --checkpoint to score several snapshots of a run on the same \
                clips; --csv appends one row per checkpoint (step, minutes, loss, scores, baselines) for a \
                quality-vs-training-time curve.
                """)

        @Option(help: "Checkpoint folder; repeat for several (default: the shipped model, \(ShippedModel.relativePath)).")
        var checkpoint: [String] = []

        @Flag(help: "Score only the simulator and the baselines (no model needed).")
        var baselinesOnly = false

        @Option(help: "Scenario of the clips: \(Scenario.names.joined(separator: ", ")).")
        var scenario = "id"

        @Option(help: "Held-out clips to score.")
        var clips = 256

        @Option(help: "Scene seed of the first clip; clip i uses this + i.")
        var firstSceneSeed: UInt64 = WindowQualityConfig().firstSeed

        @Option(help: "Context frames from the simulator.")
        var context = 2

        @Option(help: "Reverse process: \(SamplerKind.allCases.map(\.rawValue).joined(separator: ", ")).")
        var sampler: SamplerKind = .ddim

        @Option(help: "Denoising steps per window.")
        var steps = 50

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
            if !(1...10_000).contains(steps) { throw ValidationError("--steps must be between 1 and 10000, got \(steps)") }
            if !(1...4096).contains(batch) { throw ValidationError("--batch must be between 1 and 4096, got \(batch)") }
            if context < 1 { throw ValidationError("--context must be at least 1, got \(context)") }
            if !Scenario.names.contains(scenario) {
                throw ValidationError("unknown scenario '\(scenario)'; valid: \(Scenario.names.joined(separator: ", "))")
            }
            if baselinesOnly && !checkpoint.isEmpty { throw ValidationError("--baselines-only takes no --checkpoint") }
            if baselinesOnly && csv != nil { throw ValidationError("--csv records models; it needs a checkpoint, not --baselines-only") }
            if UInt64.max - firstSceneSeed < UInt64(clips) { throw ValidationError("--first-scene-seed + --clips overflows 64 bits") }
            try OutputPath.check(out)
            try OutputPath.checkNotInside(out, checkpoints: checkpoint)
            if let csv {
                try OutputPath.check(csv)
                if csv == out { throw ValidationError("--csv and --out name the same file") }
            }
        }

        func run() throws {
            // Load every model first, so a bad checkpoint fails before any work.
            let dirs: [String], denoisers: [Denoiser]
            do {
                if let csv { try TrainingCurve.check(csv) }
                dirs = baselinesOnly ? [] : (checkpoint.isEmpty ? [try ShippedModel.path()] : checkpoint)
                denoisers = try dirs.map { try Checkpoint.loadModel($0).0 }
            } catch {
                throw fail("\(error)", code: 1)
            }
            let configs = denoisers.map(\.config)
            let model = configs.first ?? ModelConfig.reference
            if let other = zip(dirs, configs).first(where: { $0.1.frames != model.frames || $0.1.size != model.size }) {
                throw fail("\(other.0) has a \(other.1.frames)-frame \(other.1.size)-px window, \(dirs[0]) a "
                           + "\(model.frames)-frame \(model.size)-px one; evaluate them separately")
            }
            guard context < model.frames else {
                throw fail("--context must be below the window of \(model.frames) frames, got \(context)")
            }
            var q = WindowQualityConfig()
            q.scenario = scenario
            q.clips = clips
            q.firstSeed = firstSceneSeed
            q.window = model.frames
            q.context = context
            q.size = model.size
            q.missPenalty = Double(model.size) / 2
            let quality: WindowQuality
            do { quality = try WindowQuality(q) } catch { throw fail("\(error)") }

            var physics = PhysicsConfig()
            physics.context = context
            let simulator = quality.evaluate("simulator", batch: batch, physics: physics, generator: quality.simulator)
            let copyLast = quality.evaluate("copy-last", batch: batch, physics: physics, generator: quality.copyLast)
            let constant = quality.evaluate("constant-velocity", batch: batch, physics: physics,
                                            generator: quality.constantVelocity)

            var models: [ModelQuality] = []
            for (dir, denoiser) in zip(dirs, denoisers) {
                let info = CheckpointInfo(folder: dir)
                let progress = Progress("eval \((dir as NSString).lastPathComponent)", total: clips, unit: "clips")
                let start = Progress.now()
                let generator = WindowQuality.model(WindowSampler(model: denoiser, kind: sampler, steps: steps),
                                                    rng: RNG(seed: seed).split("eval"))
                let result = quality.evaluate("model", batch: batch, physics: physics, generator: generator) { done, _ in
                    progress.update(done)
                }
                models.append(ModelQuality(checkpoint: info, result: result, evalSeconds: Progress.now() - start,
                                           meetsBar: result.meetsBar(against: copyLast)))
            }

            let report = WindowQualityReport(
                config: q, sampler: dirs.isEmpty ? nil : sampler.rawValue, steps: dirs.isEmpty ? nil : steps,
                seed: dirs.isEmpty ? nil : seed, batch: batch, simulator: simulator, copyLast: copyLast,
                constantVelocity: constant, models: models)
            print(report.table())
            do {
                try AtomicFile.write(try report.encoded(), to: out)
                if let csv {
                    try TrainingCurve.append(models.map {
                        TrainingCurve.row($0.checkpoint, model: $0.result, copyLast: copyLast, constantVelocity: constant,
                                          config: q, sampler: sampler.rawValue, steps: steps)
                    }, to: csv)
                }
            } catch {
                throw fail("\(error)", code: 1)
            }
            print("wrote \(out)" + (csv.map { " and appended \(models.count) row\(models.count == 1 ? "" : "s") to \($0)" } ?? ""))
        }
    }
}

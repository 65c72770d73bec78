import ArgumentParser
import Checkpoints
import Diffusion
import Dynamics
import Eval
import Foundation
import Tensor
import Train
import World

extension Vidgen {
    /// `vidgen reproduce`: every experiment with one model, one report folder.
    struct Reproduce: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run experiments 1–4 with a model against the simulator and write one report (index.html, report.md, metrics.json, figures).",
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

        @Option(help: "Learned state model measured beside the video model (default: the shipped one, \(ShippedModel.stateRelativePath)).")
        var stateCheckpoint: String?

        @Flag(help: "Measure the video model alone, without the learned state model.")
        var noStateModel = false

        @Option(help: "Report folder to write (created; a previous report there is replaced).")
        var out: String

        /// An existing OUT is replaced only when it is empty or a previous report (it holds
        /// index.html and metrics.json).
        static func isReplaceable(_ path: String) -> Bool {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return true }
            return names.isEmpty || names.contains("metrics.json") && names.contains("index.html")
        }

        func validate() throws {
            if noStateModel && stateCheckpoint != nil { throw ValidationError("--no-state-model takes no --state-checkpoint") }
            try OutputPath.checkFolder(out)
            if FileManager.default.fileExists(atPath: out), !Reproduce.isReplaceable(out) {
                throw ValidationError("\(out) exists and is not a vidgen report folder; choose a new --out")
            }
            let parent = URL(fileURLWithPath: out).standardizedFileURL.deletingLastPathComponent().path
            if access(parent, W_OK) != 0 { throw ValidationError("cannot write in \(parent) (for \(out))") }
        }

        func run() throws {
            let dir: String, model: Denoiser, codec: FrameAutoencoder?, sampling: SamplingConfig
            do {
                dir = try checkpoint ?? ShippedModel.path()
                let folder = CheckpointFolder(dir)
                let (denoiser, config) = try folder.videoModel()
                (model, codec) = (denoiser, try folder.codec(for: config))
                sampling = try folder.sampling()
            } catch {
                throw fail("\(error)", code: 1)
            }
            var state: (dir: String, model: StateModel, config: InteractionConfig)?
            if !noStateModel {
                do {
                    let d = try stateCheckpoint ?? ShippedModel.statePath()
                    guard CheckpointFolder(d).isStateModel else {
                        throw VidgenError("\(d) is not a state model folder (its model.safetensors is not a state model's)")
                    }
                    let model = try StateModel.load(d)
                    guard case .structured(let network) = model.law else {
                        throw VidgenError("\(d) holds a \(model.kind.name); the report's state-model column is a structured state model's (or pass --no-state-model)")
                    }
                    state = (d, model, network.config)
                } catch {
                    throw fail("\(error)", code: 1)
                }
            }
            let setup: ReproduceSetup = quick ? .quick : .full
            let start = Progress.now()
            var timings = ReproduceTimings()
            var experiments = Experiments(model: model, codec: codec, handoff: sampling.handoff, setup: setup)
            experiments.stateModel = state?.model
            do { try experiments.check() } catch { throw fail("\(dir): \(error)") }
            var bars: [String: Progress] = [:]
            experiments.progress = { name, done, total in
                let bar = bars[name] ?? Progress(name, total: total, unit: "rollouts", toStderr: true)
                bars[name] = bar
                bar.update(done)
            }
            func timed<T>(_ slot: WritableKeyPath<ReproduceTimings, Double>, _ work: () throws -> T) throws -> T {
                let t0 = Progress.now()
                defer { timings[keyPath: slot] = Progress.now() - t0 }
                return try work()
            }
            var pictures = ReportPictures()
            let report: ReproduceReport
            do {
                let e1 = try timed(\.experiment1) { try experiments.plausibleNotPhysical() }
                let e2 = try timed(\.experiment2) { try experiments.stochastic() }
                let cost = Progress("experiment 3", total: setup.attention.grid.count, unit: "points", toStderr: true)
                var points = 0
                let e3 = try timed(\.experiment3) { AttentionCost.run(setup.attention) { _ in points += 1; cost.update(points) } }
                let stateCost = try timed(\.experiment3State) {
                    try state.map { try Experiments.stateModelCost($0.model, frames: setup.stateCostFrames, runs: setup.stateCostRuns) }
                }
                let e4 = try timed(\.experiment4) { try experiments.windowsAndStitching() }
                timings.total = Progress.now() - start
                (pictures.experiment1, pictures.experiment2, pictures.experiment4) = (e1.pictures, e2.pictures, e4.pictures)
                var run: StateModelRun?
                if let state, let spread = e2.state, let stateCost {
                    run = StateModelRun(checkpoint: CheckpointInfo(folder: state.dir), model: state.config,
                                        experiment2: spread, experiment3: stateCost, experiment4: e4.state)
                }
                report = ReproduceReport(checkpoint: CheckpointInfo(folder: dir), model: model.config, setup: setup,
                                         experiment1: e1.results, experiment2: e2.results, experiment3: e3,
                                         experiment4: e4.results, timings: timings, stateModel: run)
            } catch {
                throw fail("\(error)", code: 1)
            }
            do {
                let files = try report.files(pictures: pictures)
                try ReportFolder.write(files, to: out)
                print("Headline (\(setup.mode) run, \(String(format: "%.0f", timings.total)) s):")
                for line in report.headlineLines { print("  " + line) }
                let figures = files.files.filter { f in [".svg", ".png", ".gif"].contains { f.name.hasSuffix($0) } }.count
                print("wrote \(out)/index.html, report.md, metrics.json, headline.md and \(figures) figures")
            } catch {
                throw fail("\(error)", code: 1)
            }
        }
    }
}

/// Writes a report folder whole: into a temporary sibling, then renamed over the target.
enum ReportFolder {
    static func write(_ files: ReportFiles, to out: String) throws {
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

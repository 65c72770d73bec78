import ArgumentParser
import Diffusion
import Foundation
import Dynamics
import Train

/// Set by SIGINT; the training loop checkpoints and stops at the next step boundary.
nonisolated(unsafe) var interruptRequested: sig_atomic_t = 0

extension Vidgen {
    /// `vidgen train`: trains a denoiser into a checkpoint folder.
    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train a denoiser (or, with --model state, the learned explicit-state model) into a checkpoint folder.",
            discussion: "Checkpoints every config.checkpointEvery steps; Ctrl-C checkpoints and stops; --resume continues bit-identically.")

        @Option(help: "What to train: video (the denoiser) or state (perception + interaction network; configs \(DynamicsConfig.presetNames.joined(separator: ", ")) or a JSON file).")
        var model: ModelKind = .video

        @Option(help: "A preset (\(TrainConfig.presetNames.joined(separator: ", "))) or a JSON file overriding one.")
        var config: String?

        @Option(help: "Total optimizer steps of the run (default: the config's).")
        var steps: Int?

        @Option(help: "Seed of every random stream of the run.")
        var seed: UInt64?

        @Option(help: "Checkpoint every this many steps (default: the config's checkpointEvery).")
        var checkpointEvery: Int?

        @Option(help: "Also keep the EMA weights of every Nth step in OUT/snapshots/step-N, for a quality-vs-time curve (vidgen eval --csv).")
        var snapshotEvery: Int?

        @Option(help: "A latent config's trained frame autoencoder (a `vidgen autoencoder` folder); a resumed run keeps its own copy.")
        var autoencoder: String?

        @Option(help: "Checkpoint folder to write (created if missing).")
        var out: String

        @Flag(help: "Continue the checkpoint in --out (starts from scratch if there is none).")
        var resume = false

        func validate() throws {
            if let steps, !(1...10_000_000).contains(steps) {
                throw ValidationError("--steps must be between 1 and 10000000, got \(steps)")
            }
            if let checkpointEvery, !(1...10_000_000).contains(checkpointEvery) {
                throw ValidationError("--checkpoint-every must be between 1 and 10000000, got \(checkpointEvery)")
            }
            if let snapshotEvery, !(1...10_000_000).contains(snapshotEvery) {
                throw ValidationError("--snapshot-every must be between 1 and 10000000, got \(snapshotEvery)")
            }
            try OutputPath.checkFolder(out)
        }

        func run() throws {
            if model == .state { return try runState() }
            var c = try TrainConfig.resolve(config ?? "default")
            if let seed { c.seed = seed }
            if let checkpointEvery { c.checkpointEvery = checkpointEvery }
            if resume, let saved = try? Checkpoint.loadConfig(out), config != nil || seed != nil {
                var mine = c
                mine.steps = saved.steps
                mine.checkpointEvery = saved.checkpointEvery
                if mine != saved {
                    throw TrainError("--config/--seed differ from the checkpoint's config in \(out); drop them to resume")
                }
            }
            signal(SIGINT) { _ in interruptRequested = 1 }
            var progress: Progress?
            let observer = TrainingObserver(
                note: { text in if let progress { progress.note(text) } else { print(text) } },
                step: { stats, trainer in
                    if progress == nil {
                        progress = Progress("train", total: trainer.config.steps, done: stats.step - 1)
                    }
                    progress?.update(stats.step, extra: String(format: "loss %.4f  lr %.2e", stats.loss, stats.learningRate))
                },
                shouldStop: { interruptRequested != 0 })
            let codec = try autoencoder.map { dir -> FrameAutoencoder in
                let (codec, codecConfig) = try Checkpoint.loadCodecFolder(dir)
                guard codec.range.isIdentity else { return codec }
                // A folder that stores no latent range: measure it, as `vidgen autoencoder` does.
                print("\(dir) stores no latent range; measuring it on held-out frames for this run")
                return try CodecTrainer(codecConfig).withMeasuredRange(codec)
            }
            let trainer = try TrainingRun.run(c, into: out, resume: resume, steps: steps, checkpointEvery: checkpointEvery,
                                              snapshotEvery: snapshotEvery, codec: codec, observer: observer)
            print(String(format: "trained %d steps in %.0f s; checkpoint in %@", trainer.step, trainer.seconds, out as NSString))
        }
    }
}

import ArgumentParser
import Checkpoints
import Diffusion
import Dynamics
import Foundation
import Tensor
import Train
import World

/// Set by SIGINT; the training loop checkpoints and stops at the next step boundary.
nonisolated(unsafe) var interruptRequested: sig_atomic_t = 0

/// What rank 0 of a data-parallel run writes when mpirun ends it with SIGTERM (another rank
/// died, or mpirun itself was interrupted): formatted before training, written by the handler.
nonisolated(unsafe) var terminatedLine: (text: UnsafeMutablePointer<CChar>, count: Int)?

extension Vidgen {
    /// `vidgen train`: trains a denoiser into a checkpoint folder.
    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train a denoiser (or, with --model state, the learned explicit-state model) into a checkpoint folder.",
            discussion: """
                Checkpoints every config.checkpointEvery steps; Ctrl-C checkpoints and stops; --resume continues bit-identically.

                Started by Open MPI's mpirun with N > 1 ranks (mpirun -np N vidgen train ...), it trains data-parallel: the same \
                global batch, each rank a fixed share of its clips, gradients summed in a fixed order (equal N, equal bytes); \
                rank 0 writes every file. Each rank computes on the host's cores shared among its ranks, or on VIDGEN_THREADS threads. \
                Ctrl-C on mpirun ends every rank at the last checkpoint; --resume continues with any N.
                """)

        @Option(help: "What to train: video (the denoiser) or state (perception + a learned law: the structured state model's interaction network, configs \(DynamicsConfig.presetNames.joined(separator: ", ")), or the generic one's graph network, configs \(GenericStateConfig.presetNames.joined(separator: ", ")); or a JSON file naming one in its \"preset\").")
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

        @Option(help: "Start from the EMA weights of this checkpoint folder, with a fresh optimizer and schedule (fine-tuning; the config's model must match its). A latent run also takes its autoencoder unless --autoencoder is given.")
        var from: String?

        @Option(help: "With --model state: a depth scenario (\(DepthScenario.names.joined(separator: ", "))) trains a state model in the 3D box: configs \(StateConfig3D.presetNames.joined(separator: ", ")) the structured one, \(GenericStateConfig3D.presetNames.joined(separator: ", ")) the generic one (default: the flat model, on its config's scenario).")
        var scenario: String?

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
            if let scenario {
                if model != .state { throw ValidationError("--scenario is an option of --model state") }
                if !DepthScenario.names.contains(scenario) {
                    throw ValidationError("--scenario '\(scenario)': --model state takes a depth scenario (\(DepthScenario.names.joined(separator: ", "))); a flat state model trains on its config's scenario")
                }
            }
            try OutputPath.checkFolder(out)
        }

        func run() throws {
            if model == .state { return try runState() }
            let parallel = try DataParallel.launched()
            do {
                try train(parallel)
                parallel?.finish()
            } catch let error as CollectiveError {
                guard let parallel else { throw VidgenError("\(error)") }
                throw parallel.leave(after: error)
            } catch where parallel != nil {
                // This rank alone: it says so and exits; mpirun then ends the other ranks.
                fputs("error: rank \(parallel!.rank): \(error)\n", stderr)
                throw ExitCode(1)
            }
        }

        /// The settings every rank of a data-parallel run must share.
        func settings(_ c: TrainConfig) -> String {
            let flags: [String?] = [steps.map(String.init), checkpointEvery.map(String.init), snapshotEvery.map(String.init),
                                    autoencoder, from, out, String(resume)]
            return String(decoding: c.encoded(), as: UTF8.self) + flags.map { $0 ?? "-" }.joined(separator: "\u{0}")
        }

        func train(_ parallel: DataParallel?) throws {
            let writer = parallel?.isWriter ?? true
            func setUp() throws -> (TrainConfig, FrameAutoencoder?) {
                var c = try VidgenError.input { try TrainConfig.resolve(config ?? "default") }
                if let seed { c.seed = seed }
                if let checkpointEvery { c.checkpointEvery = checkpointEvery }
                if resume && (config != nil || seed != nil) { try TrainingRun.checkResumable(c, in: out) }
                let codec = try TrainingRun.codec(autoencoder: autoencoder, from: from, latent: c.latent) { note in
                    if writer { print(note) }
                }
                return (c, codec)
            }
            let (c, codec) = try parallel?.together(setUp) ?? setUp()
            try parallel?.agree(on: settings(c), """
                was started with other training settings than rank 0 (--config, --seed, --steps, --out or another flag \
                differs): start every rank with the same command
                """)
            signal(SIGINT) { _ in interruptRequested = 1 }
            if let parallel, parallel.isWriter {
                let line = "error: the run was ended by mpirun (a rank stopped, or mpirun was interrupted); the last checkpoint in \(out) is kept: continue with --resume\n"
                terminatedLine = (strdup(line), line.utf8.count)
                signal(SIGTERM) { _ in
                    if let line = terminatedLine { _ = write(STDERR_FILENO, line.text, line.count) }
                    _exit(1)
                }
            }
            var progress: Progress?
            let observer = TrainingObserver(
                note: { text in
                    guard writer else { return }
                    if let progress { progress.note(text) } else { print(text) }
                },
                step: { stats, trainer in
                    guard writer else { return }
                    if progress == nil {
                        progress = Progress("train", total: trainer.config.steps, done: stats.step - 1)
                        if let parallel { progress?.note("data-parallel over \(parallel.size) ranks, \(Parallel.cores) thread(s) each") }
                    }
                    progress?.update(stats.step, extra: String(format: "loss %.4f  lr %.2e", stats.loss, stats.learningRate))
                },
                shouldStop: { interruptRequested != 0 })
            // Once the run is over (done, or an error every rank has), being ended is no news.
            defer { signal(SIGTERM, SIG_DFL) }
            let trainer = try TrainingRun.run(c, into: out, resume: resume, steps: steps, checkpointEvery: checkpointEvery,
                                              snapshotEvery: snapshotEvery, codec: codec, from: from, observer: observer, parallel: parallel)
            if writer {
                print(String(format: "trained %d steps in %.0f s; checkpoint in %@", trainer.step, trainer.seconds, out as NSString))
            }
        }
    }
}

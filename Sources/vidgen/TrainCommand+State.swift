import ArgumentParser
import Dynamics
import Foundation
import Tensor

/// Which kind of model a command trains or reads.
enum ModelKind: String, ExpressibleByArgument, CaseIterable {
    /// The denoiser: a video model.
    case video
    /// The learned explicit-state model: perception, a learned law (the structured state
    /// model's interaction network or the generic one's graph network), the rasterizer.
    case state
}

extension Vidgen.Train {
    /// `vidgen train --model state`: a state model on tracker states of `id` clips, of the
    /// kind its config names (a structured or a generic preset) or, with --resume, of the kind
    /// the checkpoint in --out holds.
    func runState() throws {
        if snapshotEvery != nil || autoencoder != nil {
            throw fail("--snapshot-every and --autoencoder are options of video models, not of --model state")
        }
        let checkpoint = CheckpointFolder(out)
        let kind: StateModelKind
        do {
            if resume && checkpoint.hasTrainState {
                kind = try checkpoint.stateModelKind()
                if let config, try StateModelKind.of(config: config) != kind {
                    throw VidgenError("--config '\(config)' is not a \(kind.name)'s, and \(out) holds one; drop it to resume")
                }
            } else {
                kind = try StateModelKind.of(config: config ?? DynamicsConfig.defaultPreset)
            }
        } catch {
            throw fail("\(error)")
        }
        switch kind {
        case .structured: try runState(DynamicsConfig.self)
        case .generic: try runState(GenericStateConfig.self)
        }
    }

    /// Trains (or resumes) a state model of `Config`'s kind into --out.
    func runState<Config: StateTrainingConfig>(_: Config.Type) throws {
        let folder = out
        let hasCheckpoint = CheckpointFolder(folder).hasTrainState
        var trainer: DynamicsTrainer<Config>
        do {
            if resume && hasCheckpoint {
                if config != nil || seed != nil {
                    var mine = try Config.resolve(config ?? Config.defaultPreset)
                    if let seed { mine.seed = seed }
                    let saved = try Config.saved(in: CheckpointFolder(folder))
                    (mine.steps, mine.checkpointEvery) = (saved.steps, saved.checkpointEvery)
                    if mine != saved {
                        throw VidgenError("--config/--seed differ from the checkpoint's config in \(folder); drop them to resume")
                    }
                }
                trainer = try DynamicsTrainer<Config>.resume(folder: folder, steps: steps, checkpointEvery: checkpointEvery)
                print("resuming \(folder) at step \(trainer.step) of \(trainer.config.steps)")
            } else {
                if hasCheckpoint {
                    throw VidgenError("\(folder) already holds a checkpoint; pass --resume to continue it or choose another --out")
                }
                if resume { print("no checkpoint in \(folder): starting from scratch") }
                var c = try Config.resolve(config ?? Config.defaultPreset)
                if let seed { c.seed = seed }
                if let steps { c.steps = steps }
                if let checkpointEvery { c.checkpointEvery = checkpointEvery }
                if let problem = c.validationError() { throw VidgenError(problem) }
                trainer = try DynamicsTrainer(config: c, folder: folder)
            }
        } catch {
            throw fail("\(error)")
        }
        signal(SIGINT) { _ in interruptRequested = 1 }
        let progress = Progress("train \(Config.kind.rawValue) state", total: trainer.config.steps, done: trainer.step)
        do {
            try trainer.train(clock: Progress.now, shouldStop: { interruptRequested != 0 }) { p in
                progress.update(p.step, extra: String(format: "loss %.5f  lr %.2e", p.loss, p.learningRate))
            }
        } catch {
            throw fail("\(error)", code: 1)
        }
        print(String(format: "trained %d steps in %.0f s; checkpoint in %@", trainer.step, trainer.seconds, folder as NSString))
    }
}

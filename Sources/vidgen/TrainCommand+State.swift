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
        if resume && checkpoint.hasTrainState {
            // A folder another process is writing is refused for that first, before its kind
            // is read; the run takes the lock for good when it starts.
            do { _ = try checkpoint.lock() } catch { throw fail("\(error)", code: 1) }
        }
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
        var mine: Config?
        if config != nil || seed != nil {
            do { mine = try Config.resolve(config ?? Config.defaultPreset) } catch { throw fail("\(error)") }
            if let seed { mine?.seed = seed }
        }
        var trainer: DynamicsTrainer<Config>
        do {
            trainer = try DynamicsTrainer<Config>.start(mine, folder: folder, resume: resume, steps: steps,
                                                        checkpointEvery: checkpointEvery) { print($0) }
        } catch {
            throw fail("\(error)", code: 1)
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

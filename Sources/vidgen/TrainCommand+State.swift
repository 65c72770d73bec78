import ArgumentParser
import Dynamics
import Foundation
import Tensor

/// Which kind of model a command trains or reads.
enum ModelKind: String, ExpressibleByArgument, CaseIterable {
    /// The denoiser: a video model.
    case video
    /// The learned explicit-state model: perception, an interaction network, the rasterizer.
    case state
}

extension Vidgen.Train {
    /// `vidgen train --model state`: the interaction network on tracker states of `id` clips.
    func runState() throws {
        if snapshotEvery != nil || autoencoder != nil {
            throw fail("--snapshot-every and --autoencoder are options of video models, not of --model state")
        }
        let folder = out
        var mine: DynamicsConfig?
        if config != nil || seed != nil {
            do { mine = try DynamicsConfig.resolve(config ?? "default") } catch { throw fail("\(error)") }
            if let seed { mine?.seed = seed }
        }
        var trainer: DynamicsTrainer
        do {
            trainer = try DynamicsTrainer.start(mine, folder: folder, resume: resume, steps: steps,
                                                checkpointEvery: checkpointEvery) { print($0) }
        } catch {
            throw fail("\(error)", code: 1)
        }
        signal(SIGINT) { _ in interruptRequested = 1 }
        let progress = Progress("train state", total: trainer.config.steps, done: trainer.step)
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

import ArgumentParser
import Dynamics
import Foundation
import Tensor
import Train
import World

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
    /// kind its config names or, with --resume, of the kind the checkpoint in --out holds
    /// (StateTraining.run has the rules).
    func runState() throws {
        if snapshotEvery != nil || autoencoder != nil {
            throw VidgenError.input("--snapshot-every and --autoencoder are options of video models, not of --model state")
        }
        if let scenario { return try runState3D(scenario) }
        var progress: Progress?
        let observer = StateTraining.Observer(
            note: { print($0) },
            started: { kind, step, steps in
                signal(SIGINT) { _ in interruptRequested = 1 }
                progress = Progress("train \(kind.rawValue) state", total: steps, done: step)
            },
            step: { p in progress?.update(p.step, extra: String(format: "loss %.5f  lr %.2e", p.loss, p.learningRate)) },
            shouldStop: { interruptRequested != 0 },
            clock: Progress.now)
        let (step, seconds) = try StateTraining.run(config: config, seed: seed, steps: steps, checkpointEvery: checkpointEvery,
                                                    into: out, resume: resume, observer: observer)
        print(String(format: "trained %d steps in %.0f s; checkpoint in %@", step, seconds, out as NSString))
    }
}

extension Vidgen.Train {
    /// `vidgen train --model state --scenario depth`: a state model in the 3D box, structured or
    /// generic by its preset, trained in one go into --out (StateTraining.run3D).
    func runState3D(_ scenario: String) throws {
        if resume { throw VidgenError.input("--resume: a 3D state model trains in one go (minutes at most); start it again into a new --out") }
        if from != nil { throw VidgenError.input("--from is an option of video models, not of --model state") }
        if checkpointEvery != nil {
            throw VidgenError.input("--checkpoint-every: a 3D state model trains in one go and writes its folder at the end")
        }
        var progress: Progress?
        let run = try StateTraining.run3D(scenario: scenario, config: config, seed: seed, steps: steps, into: out, observer: .init(
            started: { _, step, steps in progress = Progress("train 3D state", total: steps, done: step) },
            step: { p in progress?.update(p.step, extra: String(format: "loss %.5f  lr %.2e", p.loss, p.learningRate)) },
            clock: Progress.now))
        let learned: String
        switch run.law {
        case .structured(let law):
            let g = law.gravity
            learned = String(format: "g (%.5f, %.5f, %.5f), wall factor %.4f, pair factor %.4f", g.x, g.y, g.z, law.wall, law.pair)
        case .generic:
            let box = try DepthScenario.named(scenario).box, g = run.law.gravity(in: Vec3(box.width, box.height, box.depth))
            learned = String(format: "Δu of a ball at rest mid-box (%.5f, %.5f, %.5f)", g.x, g.y, g.z)
        }
        print(String(format: "trained %d steps in %.0f s: %@; checkpoint in %@", run.step, run.seconds, learned, out as NSString))
    }
}

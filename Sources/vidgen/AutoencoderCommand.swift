import ArgumentParser
import Checkpoints
import Diffusion
import Eval
import Foundation
import Tensor
import Train

extension Vidgen {
    /// `vidgen autoencoder`: trains the frame autoencoder a latent model denoises in.
    struct AutoencoderCmd: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "autoencoder",
            abstract: "Train a frame autoencoder on simulator frames into a folder, for a latent model.",
            discussion: """
                Writes OUT/autoencoder.json and OUT/autoencoder.safetensors when done (minutes; it does not \
                resume). Then: vidgen train --config latent --autoencoder OUT --out RUN.
                """)

        @Option(help: "A preset (\(CodecConfig.presetNames.joined(separator: ", "))) or a JSON file naming one in its \"preset\" and overriding its keys.")
        var config = "default"

        @Option(help: "Optimizer steps (default: the preset's).")
        var steps: Int?

        @Option(help: "Seed of the run's random streams.")
        var seed: UInt64?

        @Option(help: "Folder to write (created if missing).")
        var out: String

        @Flag(help: "Do not train: score the autoencoder already in --out on held-out frames.")
        var scoreOnly = false

        func validate() throws {
            do { _ = try CodecConfig.resolve(config) } catch { throw ValidationError("\(error)") }
            if let steps, !(1...10_000_000).contains(steps) {
                throw ValidationError("--steps must be between 1 and 10000000, got \(steps)")
            }
            if !scoreOnly { try OutputPath.checkFolder(out) }
        }

        /// Scores `codec` on the frames of 64 held-out clips and prints one line.
        func report(_ codec: FrameAutoencoder) throws {
            let s = try WindowQuality.heldOutReconstruction(by: codec)
            print(String(format: "held-out frames decoded: %d frames, real %.1f%%, count right %.1f%%, centroid error %.3f px mean, "
                         + "%.2f stray pixels per frame", s.frames, 100 * s.real, 100 * s.countCorrect, s.meanError ?? .nan,
                         s.strayPixelsPerFrame))
        }

        func run() throws {
            if scoreOnly { return try report(try CheckpointFolder(out).autoencoder().0) }
            var c = try CodecConfig.resolve(config)
            if let steps { c.steps = steps }
            if let seed { c.seed = seed }
            let progress = Progress("autoencoder", total: c.steps)
            var recent: [Float] = []
            let (trainer, saved, heldOut) = try CodecTrainer.run(c, into: out) { step, loss in
                recent = Array((recent + [loss]).suffix(50))
                progress.update(step, extra: String(format: "loss %.5f", recent.reduce(0, +) / Float(recent.count)))
            }
            let ranges = zip(saved.range.center, saved.range.halfRange).map { String(format: "%.3f±%.3f", $0, $1) }
            print("latent range by channel (raw tanh values, mapped onto [-1, 1]): " + ranges.joined(separator: " "))
            print(String(format: "trained %d steps; loss on a held-out batch %.5f; wrote %@", trainer.step, heldOut, out as NSString))
            try report(trainer.model)
        }
    }
}

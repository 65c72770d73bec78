import ArgumentParser
import Tensor
import World

extension Vidgen {
    /// `vidgen data`: one simulator clip, of the flat world or the 3D box, as a GIF, optionally
    /// .npy frames and JSON states.
    struct DataCmd: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "data",
            abstract: "Simulate a scenario and write the clip (GIF; optionally .npy frames and JSON states).",
            discussion: """
                Scenarios: \(Scenario.names.joined(separator: ", ")); the 3D box seen through a pinhole camera: \
                \(DepthScenario.names.joined(separator: ", ")). See docs/scenarios.md.
                """
        )

        @Option(help: "Scenario name (\(WorldScenario.names.joined(separator: ", "))).")
        var scenario: String

        // Numbers are read as text so that bad values get one clear line (and "-5" is a value).
        @Option(parsing: .unconditional, help: "Seed, a non-negative integer.")
        var seed: String

        @Option(parsing: .unconditional, help: "Number of frames T (default: 64; 32 for the 3D scenarios).")
        var frames: String?

        @Option(help: "Output GIF path.")
        var out: String

        @Option(help: "Also write the frames as .npy (uint8, shape [T, H, W, 3]).")
        var npy: String?

        @Option(help: "Also write the simulator states as JSON.")
        var states: String?

        @Option(parsing: .unconditional, help: "Camera noise: every frame blurred (3×3) and given Gaussian pixel noise of this σ (intensities in [0, 1]), drawn from the seed; 0: the clean render.")
        var cameraNoise: String = "0"

        @Option(parsing: .unconditional, help: "GIF upscale factor, 1–16.")
        var scale: String = "8"

        @Option(parsing: .unconditional, help: "GIF frame delay in centiseconds, 1–1000.")
        var delay: String = "10"

        func run() throws {
            let scenario = try WorldScenario.named(self.scenario)
            guard let seed = UInt64(self.seed) else { throw VidgenError.input("--seed must be a non-negative integer, got '\(self.seed)'") }
            let T = try positive(frames ?? "\(scenario.defaultFrames)", "--frames", max: 100_000)
            let scale = try positive(self.scale, "--scale", max: 16)
            let delay = try positive(self.delay, "--delay", max: 1000)
            guard let sigma = Double(cameraNoise) else { throw VidgenError.input("--camera-noise must be a number, got '\(cameraNoise)'") }
            let camera = CameraNoise(sigma: sigma)
            if let problem = camera.problem { throw VidgenError.input("--camera-noise: \(problem)") }
            let outputs = [out] + [npy, states].compactMap { $0 }
            for path in outputs { try AtomicFile.checkFolder(of: path) }
            let clip = try scenario.clip(seed: seed, frames: T)
            let (H, W) = clip.size
            let bytes = camera.apply(bytes: clip.bytes, height: H, width: W, seed: seed)
            if let npy { try NPY.write(frames: bytes, shape: [T, H, W, 3], to: npy) }
            if let states { try AtomicFile.write(try clip.statesJSON(), to: states) }
            try GIF.write(frames: bytes, count: T, height: H, width: W, scale: scale, delay: delay, to: out)
            print("wrote \(outputs.joined(separator: ", ")): scenario \(scenario.name), seed \(seed), \(T) frames of \(W)×\(H)"
                  + (camera.isClean ? "" : ", camera noise σ \(cameraNoise)"))
        }

        func positive(_ text: String, _ flag: String, max: Int) throws -> Int {
            guard let n = Int(text), n > 0, n <= max else {
                throw VidgenError.input("\(flag) must be an integer from 1 to \(max), got '\(text)'")
            }
            return n
        }
    }
}

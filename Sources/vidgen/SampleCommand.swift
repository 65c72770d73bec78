import ArgumentParser
import Checkpoints
import Diffusion
import Eval
import Foundation
import Sample
import Tensor
import World

extension StitchStrategy: ExpressibleByArgument {}
extension SamplerKind: ExpressibleByArgument {}
extension SeamProjection: ExpressibleByArgument {}

extension Vidgen {
    /// `vidgen sample`: a video from a checkpoint, its context taken from the simulator.
    struct SampleCmd: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sample",
            abstract: "Generate a video: context frames from the simulator, the rest from the model.",
            discussion: """
                Without --scenario the context comes from an `id` scene drawn from --seed (for a video model \
                of depth clips, a scene of the depth scenario it trained on). With --scenario \
                and --scene-seed the ground truth is written beside the sample: a side-by-side GIF \
                (sample | simulator) and the simulator's states as JSON (OUT with .states.json).
                """)

        @Option(help: "Checkpoint folder of a video or a state model, told apart by its model.safetensors' format (default: the shipped video model, \(ShippedModel.relativePath)).")
        var checkpoint: String?

        @Option(help: "Seed of the sampler's noise (and of the scene without --scenario).")
        var seed: UInt64

        @Option(help: "Frames of the video (default: one window; a state model's, \(Self.stateFrames)). Longer videos stitch windows.")
        var frames: Int?

        @Option(help: "Context frames taken from the simulator, and per window for last-k.")
        var context: Int = 2

        @Option(help: "How windows are stitched: \(StitchStrategy.allCases.map(\.rawValue).joined(separator: ", ")).")
        var stitch: StitchStrategy = .lastK

        @OptionGroup var sampling: SamplingOptions

        @Option(help: "Scenario of the context scene: \(Scenario.names.joined(separator: ", ")); or a depth scenario (\(DepthScenario.names.joined(separator: ", "))) for a video model trained on depth clips.")
        var scenario: String?

        @Option(help: "Seed of the scenario's scene (with --scenario).")
        var sceneSeed: UInt64?

        @Option(help: "Animated GIF to write.")
        var out: String

        @Option(help: "Also write the frames as .npy (uint8 [T, H, W, 3]).")
        var npy: String?

        func validate() throws {
            if let frames, !(1...100_000).contains(frames) { throw ValidationError("--frames must be between 1 and 100000, got \(frames)") }
            if context < 1 { throw ValidationError("--context must be at least 1, got \(context)") }
            if let frames, frames < context { throw ValidationError("--frames (\(frames)) must be at least --context (\(context))") }
            if (scenario == nil) != (sceneSeed == nil) { throw ValidationError("--scenario and --scene-seed go together") }
            if let scenario { try validateScenario(scenario) }
            try OutputPath.check(out)
            if let npy { try OutputPath.check(npy) }
            if let npy, npy == out { throw ValidationError("--npy and --out name the same file") }
            let inputs = [checkpoint ?? ShippedModel.relativePath]
            try OutputPath.checkNotInside(out, checkpoints: inputs)
            if let npy { try OutputPath.checkNotInside(npy, checkpoints: inputs) }
        }

        func run() throws {
            let dir = try checkpoint ?? ShippedModel.path()
            let folder = CheckpointFolder(dir)
            if folder.isStateModel { return try runState(dir) }
            let saved = try folder.videoCheckpoint()
            let sampling = self.sampling.applied(to: saved.sampling)
            if let problem = sampling.validationError(for: saved.config.model) { throw ValidationError(problem) }
            let size = saved.config.frameSize
            let window = saved.config.model.frames
            guard context < window else {
                throw ValidationError("--context must be below the model's window of \(window) frames, got \(context)")
            }
            let total = frames ?? window
            let trained = saved.config.scenario
            let name = scenario ?? (DepthScenario.names.contains(trained) ? trained : "id")
            guard DepthScenario.names.contains(name) == DepthScenario.names.contains(trained) else {
                throw VidgenError.input("\(dir) holds a video model of \(trained) clips; --scenario \(name) is of "
                                        + (DepthScenario.names.contains(name) ? "the 3D box" : "the flat world") + ", which it did not train on")
            }
            let (clip, truth, ctx) = try scene(name, size: size, frames: total)

            let sampler = WindowSampler(model: saved.model, settings: sampling, codec: saved.codec)
            let windows = WindowSampler.windowCount(frames: total, given: context, window: window,
                                                    context: sampler.stitchedContext(stitch, k: context))
            let progress = Progress("sample", total: windows, unit: "windows")
            let video = sampler.rollout(context: ctx, frames: total, strategy: stitch, k: context,
                                        noise: ClipNoise([RNG(seed: seed).split("sample")])) { w, _ in progress.update(w) }
            try write(video: video.values, truth: truth, clip: clip, frames: total, size: size,
                      summary: "\(total) frames, \(windows) window\(windows == 1 ? "" : "s"), \(sampling.sampler.rawValue) \(sampling.steps) steps")
        }
    }
}

/// Where the shipped model lives: data/default in the repository.
enum ShippedModel {
    static let relativePath = "data/default"
    static let stateRelativePath = "data/state"
    static let genericStateRelativePath = "data/generic-state"
    /// The structured state model trained on the simulator's states: the ablation table's.
    static let ablationRelativePath = "data/state-simulator"

    /// The shipped ablation model's folder, when there is one.
    static func ablationPaths() -> [String] {
        Array(candidates(ablationRelativePath).filter { CheckpointFolder($0).isStateModel }.prefix(1))
    }


    /// The shipped generators of depth clips (experiment 5), by role: each role's folder
    /// (`DepthRole.shippedFolder`) where it holds a model.
    static func depthPaths() -> [DepthRole: String] {
        var out: [DepthRole: String] = [:]
        for role in DepthRole.learned {
            guard let relative = role.shippedFolder else { continue }
            out[role] = candidates(relative).first { CheckpointFolder($0).has(CheckpointFolder.modelFile) }
        }
        return out
    }

    /// The shipped state models' folders, generic then structured.
    static func statePaths() throws -> [String] { try [genericStateRelativePath, stateRelativePath].map(statePath) }

    static func statePath(_ relative: String) throws -> String {
        for c in candidates(relative) where CheckpointFolder(c).isStateModel { return c }
        throw VidgenError("no shipped state model found at \(relative); pass --state-checkpoint DIR or --no-state-model")
    }

    static func candidates(_ relative: String) -> [String] {
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        return [relative,
                exe.deletingLastPathComponent().appendingPathComponent("../../../\(relative)").standardized.path,
                exe.deletingLastPathComponent().appendingPathComponent("../../\(relative)").standardized.path]
    }

    /// The shipped model's folder: from the working directory, else beside the
    /// repository that holds this executable (.build/<config>/vidgen).
    static func path() throws -> String {
        for c in candidates(relativePath) where CheckpointFolder(c).has(CheckpointFolder.modelFile) { return c }
        throw VidgenError("no shipped model found at \(relativePath); pass --checkpoint DIR")
    }
}

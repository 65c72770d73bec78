// Options that several commands share, parsed and validated in one place.

import ArgumentParser
import Diffusion
import World

/// How a video model samples: overrides of a checkpoint's sampling.json (`vidgen sample`, `vidgen eval`).
struct SamplingOptions: ParsableArguments {
    @Option(help: "Reverse process: \(SamplerKind.allCases.map(\.rawValue).joined(separator: ", ")) (default: the checkpoint's sampling.json, else ddim).")
    var sampler: SamplerKind?

    @Option(help: "Denoising steps per window (default: the checkpoint's sampling.json, else 50).")
    var steps: Int?

    @Option(help: "Handoff level of the model's own frames (default: the checkpoint's sampling.json; 0 is off).")
    var handoff: Double?

    @Option(help: "Last-k: frames each window after the first takes from the video so far (default: the checkpoint's sampling.json, else --context).")
    var lastK: Int?

    func validate() throws {
        if let steps, !(1...10_000).contains(steps) { throw ValidationError("--steps must be between 1 and 10000, got \(steps)") }
        if let handoff, !(0...0.5).contains(handoff) { throw ValidationError("--handoff must be in 0...0.5, got \(handoff)") }
        if let lastK, lastK < 1 { throw ValidationError("--last-k must be at least 1, got \(lastK)") }
    }

    /// `sampling` with the options given on the command line in place of its own.
    func applied(to sampling: SamplingConfig) -> SamplingConfig {
        var s = sampling
        if let sampler { s.sampler = sampler }
        if let steps { s.steps = steps }
        if let handoff { s.handoff = handoff }
        if let lastK { s.lastK = lastK }
        return s
    }
}

/// Throws the command line's one-line error for a scenario name vidgen does not have.
func validateScenario(_ name: String) throws {
    guard Scenario.names.contains(name) else {
        throw ValidationError("unknown scenario '\(name)'; valid: \(Scenario.names.joined(separator: ", "))")
    }
}

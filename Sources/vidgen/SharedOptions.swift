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

    @Option(help: "History guidance weight ω: each step predicts with and without the history, v = v_without + ω·(v_with − v_without) (default: the checkpoint's sampling.json, else 1, plain sampling).")
    var guidance: Double?

    @Option(help: "Level the history is re-noised to for the prediction without it: 1 drops it, below 1 is fractional history guidance (default: the checkpoint's sampling.json, else 1).")
    var historyLevel: Double?

    @Option(help: "What the model's own frames go through before a stitched window reads them: \(SeamProjection.allCases.map(\.rawValue).joined(separator: ", ")) (default: the checkpoint's sampling.json, else none).")
    var seamProjection: SeamProjection?

    func validate() throws {
        if let steps, !(1...10_000).contains(steps) { throw ValidationError("--steps must be between 1 and 10000, got \(steps)") }
        if let handoff, !(0...0.5).contains(handoff) { throw ValidationError("--handoff must be in 0...0.5, got \(handoff)") }
        if let lastK, lastK < 1 { throw ValidationError("--last-k must be at least 1, got \(lastK)") }
        if let guidance, !(0...20).contains(guidance) { throw ValidationError("--guidance must be in 0...20, got \(guidance)") }
        if let historyLevel, !(historyLevel > 0 && historyLevel <= 1) {
            throw ValidationError("--history-level must be in (0, 1], got \(historyLevel)")
        }
    }

    /// `sampling` with the options given on the command line in place of its own.
    func applied(to sampling: SamplingConfig) -> SamplingConfig {
        var s = sampling
        if let sampler { s.sampler = sampler }
        if let steps { s.steps = steps }
        if let handoff { s.handoff = handoff }
        if let lastK { s.lastK = lastK }
        if let guidance { s.guidance = guidance }
        if let historyLevel { s.historyLevel = historyLevel }
        if let seamProjection { s.seamProjection = seamProjection }
        return s
    }
}

/// Throws the command line's one-line error for a scenario name that is neither a flat
/// scenario nor one of the 3D box's.
func validateScenario(_ name: String) throws {
    let flat = Scenario.names.joined(separator: ", ")
    guard WorldScenario.names.contains(name) else {
        throw ValidationError("unknown scenario '\(name)'; valid: \(flat); the 3D box: \(DepthScenario.names.joined(separator: ", "))")
    }
}

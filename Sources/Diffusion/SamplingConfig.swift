// How a model is sampled: the reverse process, its step count, the handoff level and the
// frames a stitched window takes.
//
// These settings change no weight, so they are kept apart from the architecture
// (ModelConfig) and the training recipe: a checkpoint folder holds them in sampling.json,
// and a flag on the command line overrides any of them.

/// The sampling settings a checkpoint is meant to be sampled with.
public struct SamplingConfig: Codable, Equatable, Sendable {
    /// Reverse process.
    public var sampler = SamplerKind.ddim
    /// Denoiser calls per window.
    public var steps = 50
    /// The handoff level (0 is off), for staggered models: each frame the model has made
    /// itself — a frame its window has finished, or a stitched window's context — is
    /// noised to this level before later frames read it, and the model is told so, as in
    /// training with context noise. The simulator's frames stay clean.
    public var handoff = 0.0
    /// Frames a last-k window after the first takes from the video so far (nil: as many as
    /// the simulator gave the first window).
    public var lastK: Int?

    public init(sampler: SamplerKind = .ddim, steps: Int = 50, handoff: Double = 0, lastK: Int? = nil) {
        self.sampler = sampler
        self.steps = steps
        self.handoff = handoff
        self.lastK = lastK
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case sampler, steps, handoff, lastK }

    /// Missing keys take their defaults.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        sampler = try c.decodeIfPresent(SamplerKind.self, forKey: .sampler) ?? .ddim
        steps = try c.decodeIfPresent(Int.self, forKey: .steps) ?? 50
        handoff = try c.decodeIfPresent(Double.self, forKey: .handoff) ?? 0
        lastK = try c.decodeIfPresent(Int.self, forKey: .lastK)
    }

    /// The keys a sampling.json may hold.
    public static var keys: [String] { CodingKeys.allCases.map(\.rawValue) }

    /// Problems a user can cause, as one readable line.
    public func validationError() -> String? {
        if !(1...10_000).contains(steps) { return "steps must be in 1...10000, got \(steps)" }
        if !(handoff >= 0 && handoff <= 0.5) { return "handoff must be in 0...0.5, got \(handoff)" }
        if let lastK, lastK < 1 { return "lastK must be at least 1, got \(lastK)" }
        return nil
    }

    /// A problem with these settings for `model`, as one readable line.
    public func validationError(for model: ModelConfig) -> String? {
        if let problem = validationError() { return problem }
        if handoff > 0 && model.frameLag == 0 { return "a handoff needs a staggered model (frameLag > 0)" }
        if let lastK, lastK >= model.frames { return "lastK must be below the model's window of \(model.frames) frames, got \(lastK)" }
        return nil
    }
}

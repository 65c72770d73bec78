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
    /// History guidance's weight ω (Song et al. 2025, "History-Guided Video Diffusion",
    /// eq. 6): each step predicts with the window's history and without it (the history
    /// re-noised to `historyLevel`), in one batched call, and takes
    /// v̂ = v̂_without + ω·(v̂_with − v̂_without). 1 is plain sampling (one prediction).
    public var guidance = 1.0
    /// The level the history is re-noised to for the prediction without it: 1 drops it
    /// (vanilla history guidance), below 1 keeps its coarse content (fractional history
    /// guidance, §4.2 of the same paper).
    public var historyLevel = 1.0
    /// What a stitched window's context goes through first (SeamProjection): the model's
    /// own frames projected onto clean ones before the next window reads them.
    public var seamProjection = SeamProjection.none

    public init(sampler: SamplerKind = .ddim, steps: Int = 50, handoff: Double = 0, lastK: Int? = nil,
                guidance: Double = 1, historyLevel: Double = 1, seamProjection: SeamProjection = .none) {
        self.sampler = sampler
        self.steps = steps
        self.handoff = handoff
        self.lastK = lastK
        self.guidance = guidance
        self.historyLevel = historyLevel
        self.seamProjection = seamProjection
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case sampler, steps, handoff, lastK, guidance, historyLevel, seamProjection
    }

    /// The solver, its steps and the handoff, in words: "unipc 15 steps, handoff 0.02".
    public var summary: String { "\(sampler.rawValue) \(steps) steps, handoff \(handoff)" }

    /// Missing keys take their defaults.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        sampler = try c.decodeIfPresent(SamplerKind.self, forKey: .sampler) ?? .ddim
        steps = try c.decodeIfPresent(Int.self, forKey: .steps) ?? 50
        handoff = try c.decodeIfPresent(Double.self, forKey: .handoff) ?? 0
        lastK = try c.decodeIfPresent(Int.self, forKey: .lastK)
        guidance = try c.decodeIfPresent(Double.self, forKey: .guidance) ?? 1
        historyLevel = try c.decodeIfPresent(Double.self, forKey: .historyLevel) ?? 1
        seamProjection = try c.decodeIfPresent(SeamProjection.self, forKey: .seamProjection) ?? .none
    }

    /// Only the settings that differ from plain sampling's are written, so a sampling.json
    /// stays as short as what it changes.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(sampler, forKey: .sampler)
        try c.encode(steps, forKey: .steps)
        try c.encode(handoff, forKey: .handoff)
        try c.encodeIfPresent(lastK, forKey: .lastK)
        if guidance != 1 { try c.encode(guidance, forKey: .guidance) }
        if historyLevel != 1 { try c.encode(historyLevel, forKey: .historyLevel) }
        if seamProjection != .none { try c.encode(seamProjection, forKey: .seamProjection) }
    }

    /// Whether a step makes two predictions (with and without the history).
    public var isGuided: Bool { guidance != 1 }

    /// The keys a sampling.json may hold.
    public static var keys: [String] { CodingKeys.allCases.map(\.rawValue) }

    /// Problems a user can cause, as one readable line.
    public func validationError() -> String? {
        if !(1...10_000).contains(steps) { return "steps must be in 1...10000, got \(steps)" }
        if !(handoff >= 0 && handoff <= 0.5) { return "handoff must be in 0...0.5, got \(handoff)" }
        if let lastK, lastK < 1 { return "lastK must be at least 1, got \(lastK)" }
        if !(guidance >= 0 && guidance <= 20) { return "guidance must be in 0...20, got \(guidance)" }
        if !(historyLevel > 0 && historyLevel <= 1) { return "historyLevel must be in (0, 1], got \(historyLevel)" }
        return nil
    }

    /// A problem with these settings for `model`, as one readable line.
    public func validationError(for model: ModelConfig) -> String? {
        if let problem = validationError() { return problem }
        if handoff > 0 && model.frameLag == 0 { return "a handoff needs a staggered model (frameLag > 0)" }
        if isGuided && model.frameLag == 0 { return "history guidance needs a staggered model (frameLag > 0): it gives the history its own level" }
        if let lastK, lastK >= model.frames { return "lastK must be below the model's window of \(model.frames) frames, got \(lastK)" }
        return nil
    }
}

/// How the model's own frames are cleaned before a stitched window reads them as context.
public enum SeamProjection: String, Codable, CaseIterable, Sendable {
    /// Handed on as they are.
    case none
    /// Each pixel projected onto the nearest line from black to a palette colour (the
    /// colours an anti-aliased disc on black can take): colour drift and faint tints are
    /// removed, coverage is kept.
    case palette
    /// The tracker's valid discs drawn again by the rasterizer: a clean frame of the balls
    /// the tracker finds, at their measured centres and radii.
    case discs
}

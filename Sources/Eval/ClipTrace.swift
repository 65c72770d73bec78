// A generated clip reduced to what the physics metrics read: per frame, the valid discs the
// tracker found and the realism score, beside the simulator's states of the same frames and
// the place of each stitched window.
//
// A simulator ball is identified by its colour (colours are distinct within a clip): its
// position in a generated frame is the valid disc of its colour nearest to where the
// simulator has it. Positions are only read where the simulator has the ball wholly in view
// (as in WindowQuality): a ball cut by a wall or the occluder has a biased centroid.
//
// Shapes: T frames, H = W = size; planar frames are [T, 3, H, W] in [-1, 1].

import World

/// One clip: generated (or simulator) frames, tracked, beside the simulator's truth.
public struct ClipTrace: Sendable {
    /// The simulator's states of the same T frames.
    public var truth: Episode
    /// Per frame, the valid discs found.
    public var discs: [[Detection]]
    /// Per frame, the realism and count score against the truth.
    public var scores: [FrameScore]
    /// Frames before this one were given (the context); from it on they are generated.
    public var firstGenerated: Int
    /// The first generated frame of each window, in order (the first is `firstGenerated`).
    public var windowStarts: [Int]
    /// Frames given by the world inside the rollout (darkness), not generated.
    public var observed: Set<Int>

    /// Tracks `frames` (planar [T, 3, H, W]) and scores every frame against `truth`.
    public init(frames: [Float], truth: Episode, firstGenerated: Int, windowStarts: [Int],
                observed: Set<Int> = [], scorer: WindowQuality) {
        let (t, h, w) = (truth.count, truth.scene.height, truth.scene.width)
        precondition(frames.count == t * 3 * h * w, "ClipTrace: \(frames.count) floats for [\(t), 3, \(h), \(w)]")
        precondition((0..<t).contains(firstGenerated), "ClipTrace: first generated frame \(firstGenerated) of \(t)")
        self.truth = truth
        self.firstGenerated = firstGenerated
        self.windowStarts = windowStarts
        self.observed = observed
        let per = 3 * h * w
        discs = scorer.tracker.detect(planar: frames, frames: t, height: h, width: w).map { $0.filter(\.isValid) }
        scores = (0..<t).map { f in
            scorer.score(frame: Array(frames[(f * per)..<((f + 1) * per)]), truth: truth.frames[f],
                         scene: truth.scene, index: f)
        }
    }

    /// The simulator's own frames of `truth`, as a generator that got every frame right.
    public init(simulator truth: Episode, firstGenerated: Int, windowStarts: [Int], observed: Set<Int> = [],
                scorer: WindowQuality) {
        self.init(frames: Rasterizer.planar(truth), truth: truth, firstGenerated: firstGenerated,
                  windowStarts: windowStarts, observed: observed, scorer: scorer)
    }

    /// T.
    public var count: Int { truth.count }
    /// Number of simulator balls.
    public var balls: Int { truth.frames.first?.balls.count ?? 0 }
    /// Horizon of frame `f`: 1 for the first generated frame.
    public func horizon(_ f: Int) -> Int { f - firstGenerated + 1 }

    /// Whether the simulator has ball `b` wholly in view at frame `f`.
    public func inView(_ b: Int, _ f: Int, wholeFraction: Double = 0.9) -> Bool {
        truth.frames[f].visibleFraction[b] >= wholeFraction
    }

    /// The simulator's position of ball `b` at frame `f`.
    public func truePosition(_ b: Int, _ f: Int) -> Vec2 { truth.frames[f].balls[b].position }

    /// The position of ball `b` in the generated frame `f`: the valid disc of its colour
    /// nearest to the simulator's position, or nil when there is none or the simulator does
    /// not have the ball wholly in view.
    public func position(_ b: Int, _ f: Int) -> Vec2? {
        guard inView(b, f) else { return nil }
        return disc(of: b, at: f)?.position
    }

    /// The valid disc of ball `b`'s colour nearest to its simulator position at frame `f`,
    /// whatever the simulator's visibility.
    public func disc(of b: Int, at f: Int) -> Detection? {
        let ball = truth.frames[f].balls[b]
        return discs[f].filter { $0.color == ball.color }
            .min { ($0.position - ball.position).length < ($1.position - ball.position).length }
    }

    /// The window that generated frame `f` (nil for given frames).
    public func window(of f: Int) -> Int? {
        guard f >= firstGenerated, !observed.contains(f) else { return nil }
        return windowStarts.lastIndex { $0 <= f }
    }
}

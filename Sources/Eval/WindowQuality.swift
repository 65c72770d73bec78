// In-window quality: on N held-out clips the simulator gives the first K
// frames of a T-frame window, a generator makes the other T − K, and every generated frame
// is scored against the simulator's states through the tracker.
//
// Held-out clips. Clip i is the scenario's episode for scene seed `firstSeed + i` (default
// 1_000_000_000 + i). Training never draws a seed of the reserved ranges (World's
// SceneSeeds), so the clips are held out by construction.
// Like a training window, the window starts mid-motion: the episode is simulated for
// `simulationFrames` frames and cut at a start drawn from the seed (stream "eval-window").
//
// Scores of one generated frame (only valid discs count as balls):
//   count     valid discs found == simulator balls wholly in view (≥ `wholeFraction` of the
//             drawn disc; a ball partly behind an occluder may be found or not, and a cut
//             disc over it is no flaw)
//   error     for each ball wholly in view, the distance from its simulator centre to the nearest
//             valid disc of its colour (colours are distinct within a clip). Such a ball
//             with no valid disc of its colour is a miss; valid discs left over are extras.
//             The mean/median error is over matched balls, so it is always reported with the
//             miss rate, and `penalizedError` counts every miss as `missPenalty` px — a model
//             cannot lower its error by dropping the balls it would place badly.
//   realism   every blob the tracker finds (of at least its `minArea`) is a valid disc, a
//             disc cut by an occluder's edge or (with the covered-disc tracker) a disc drawn
//             under another whose visible rim fits its circle — with `forgivesCrescents`, also
//             any blob against a larger disc of another colour — and no pixel away from them
//             (farther than radius + `strayMargin` from every blob, not within `strayMargin`
//             of an occluder) is brighter than `strayLevel` in any channel.
//
// Shapes: B clips, K context frames, T frames per window, H = W = size; a frame is [3, H, W]
// in [-1, 1] (planar, as the model sees it).

import Sample
import Tensor
import World

/// What `WindowQuality` measures on: clips, window, and the scoring thresholds.
public struct WindowQualityConfig: Codable, Equatable, Sendable {
    /// Scenario of the clips.
    public var scenario = "id"
    /// Number of held-out clips (N).
    public var clips = 256
    /// Scene seed of clip 0; clip i uses `firstSeed + i`.
    public var firstSeed: UInt64 = 1_000_000_000
    /// Frames per window (T), the model's.
    public var window = 8
    /// Long videos: each clip is `long.frames` frames, made window after window by
    /// stitching; nil scores one window per clip.
    public var long: LongVideo?
    /// Context frames taken from the simulator (K).
    public var context = 2
    /// The camera the context frames are seen through (nil: the clean render).
    public var camera: CameraNoise?
    /// Frame size, pixels (the scenario is resized to it).
    public var size = 32
    /// Frames simulated per clip; the window starts uniformly inside them (as in training).
    public var simulationFrames = 48
    /// A missed ball counts this many pixels in `penalizedError`: half the frame, about the
    /// error of a guess anywhere in it (two uniform points in a 32-px square are 16.7 px
    /// apart on average), so dropping a ball pays only where a blind guess would do better.
    public var missPenalty = 16.0
    /// A background pixel brighter than this (any channel, [0, 1]) is stray.
    public var strayLevel: Float = 0.15
    /// Pixels within a blob's radius + this of its centre belong to the blob.
    public var strayMargin = 1.5
    /// A ball with at least this share of its drawn disc in view counts as wholly in view
    /// (a ball against a wall has a sliver of its anti-aliased rim outside the image).
    public var wholeFraction = 0.9
    /// Forgive a blob that is no disc where it lies against a larger disc of another colour
    /// (within its radius + `strayMargin`): in the 3D box that is the crescent of a disc drawn
    /// under a nearer one, or the blend of the two colours along the nearer disc's edge, which
    /// can read as a third palette hue (DepthScores). Off for the flat world, whose discs are
    /// not drawn over one another.
    public var forgivesCrescents = false

    public init() {}

    /// Problems a user can cause, as one readable line.
    public func validationError() -> String? {
        if clips < 1 { return "clips must be at least 1, got \(clips)" }
        if context < 1 || context >= window { return "context \(context) must be in 1..<\(window) (the window)" }
        if simulationFrames < window { return "simulationFrames (\(simulationFrames)) must be ≥ the window (\(window))" }
        if UInt64.max - firstSeed < UInt64(clips) { return "firstSeed + clips overflows 64 bits" }
        if let problem = camera?.problem { return problem }
        if let long, long.frames < window { return "a long video of \(long.frames) frames is shorter than the window (\(window))" }
        if let long, long.frames > 100_000 { return "a long video of \(long.frames) frames is too long (at most 100000)" }
        return nil
    }

    /// Frames of each scored clip (F): the window, or the long video's length.
    public var clipFrames: Int { long?.frames ?? window }

    /// The first generated frame of each window of a clip.
    public var windowStarts: [Int] {
        guard let long else { return [context] }
        return WindowSampler.windowStarts(frames: long.frames, given: context, window: window,
                                          context: long.stitch.contextLength(k: long.lastK ?? context))
    }
}

/// A long, stitched video: its length and how each window takes its context from the
/// video so far (last-k takes the last `lastK` frames, by default K, the simulator's
/// context length).
public struct LongVideo: Codable, Equatable, Sendable {
    /// Frames per video (F), the simulator's context included.
    public var frames: Int
    public var stitch: StitchStrategy
    /// Last-k: frames each window after the first takes (the models' SamplingConfig.lastK;
    /// nil: K).
    public var lastK: Int?

    public init(frames: Int, stitch: StitchStrategy, lastK: Int? = nil) {
        self.frames = frames
        self.stitch = stitch
        self.lastK = lastK
    }
}

/// Makes windows: `context` [B, K, 3, H, W] → [B, T, 3, H, W] whose first K frames are the
/// context. `clips` are the indices of the batch's clips in `WindowQuality.clips`: reference
/// generators (the simulator, constant velocity) look up the truth there, and a model uses
/// them only to seed its noise.
public typealias WindowGenerator = (_ context: Tensor, _ clips: Range<Int>) -> Tensor

/// The held-out clips and the scoring of generated windows against them.
public struct WindowQuality: Sendable {
    public let config: WindowQualityConfig
    /// Per clip, the T simulator states of its window (frame t of the window is `frames[t]`).
    public let clips: [Episode]
    public let tracker: Tracker

    /// Draws the held-out clips of `config`.
    public init(_ config: WindowQualityConfig, tracker: Tracker = Tracker()) throws {
        if let problem = config.validationError() { throw VidgenError(problem) }
        self.config = config
        self.tracker = tracker
        let scenario = try Scenario.named(config.scenario).resized(to: config.size)
        // A long video starts where the window of the same clip starts, and runs on.
        let span = config.simulationFrames - config.window
        clips = try (0..<config.clips).map { i in
            let seed = config.firstSeed + UInt64(i)
            var rng = RNG(seed: seed).split("eval-window")
            let start = rng.int(in: 0...span)
            var ep = try scenario.episode(seed: seed, frames: max(config.simulationFrames, start + config.clipFrames))
            ep.frames = Array(ep.frames[start..<(start + config.clipFrames)])
            return ep
        }
    }

    /// A scorer with no clips of its own: `score(frame:truth:scene:index:)` for frames of
    /// `config.size` pixels drawn elsewhere (rollouts, experiments).
    public init(scoring config: WindowQualityConfig, tracker: Tracker = Tracker()) {
        self.config = config
        self.tracker = tracker
        clips = []
    }

    /// Floats in one planar frame [3, H, W].
    var frameCount: Int { 3 * config.size * config.size }

    /// The context frames of `clips` as [B, K, 3, H, W].
    public func context(_ range: Range<Int>) -> Tensor {
        let c = config.context
        var values: [Float] = []
        values.reserveCapacity(range.count * c * frameCount)
        let camera = config.camera ?? .none
        for i in range {
            let clean = Rasterizer.planar(Array(clips[i].frames[0..<c]), scene: clips[i].scene)
            values += camera.apply(planar: clean, height: config.size, width: config.size, seed: clips[i].seed)
        }
        return Tensor(shape: [range.count, c, 3, config.size, config.size], values: values)
    }

    // MARK: - Evaluation

    /// Runs `generator` over all clips, `batch` at a time, and scores frames K..<F of each;
    /// with `physics`, also the physics metrics of the clips (their windows as in
    /// `config.windowStarts`). The scores do not depend on `batch` (beyond float round-off).
    /// `onBatch(clipsDone, clipsTotal)` reports progress.
    public func evaluate(
        _ name: String, batch: Int = 32, physics: PhysicsConfig? = nil, generator: WindowGenerator,
        onBatch: (Int, Int) -> Void = { _, _ in }
    ) -> WindowQualityResult {
        precondition(batch >= 1, "batch must be at least 1")
        let (n, t, s) = (clips.count, config.clipFrames, config.size)
        let starts = config.windowStarts
        var scores: [[FrameScore]] = []
        var traces: [ClipTrace] = []
        var lo = 0
        while lo < n {
            let range = lo..<min(n, lo + batch)
            let out = generator(context(range), range)
            precondition(out.shape == [range.count, t, 3, s, s],
                         "generator returned \(out.shape), expected [\(range.count), \(t), 3, \(s), \(s)]")
            let values = out.values
            for (b, i) in range.enumerated() {
                if physics != nil {
                    let o = b * t * frameCount
                    traces.append(ClipTrace(frames: Array(values[o..<(o + t * frameCount)]), truth: clips[i],
                                            firstGenerated: config.context, windowStarts: starts, scorer: self))
                }
                scores.append((config.context..<t).map { f in
                    let o = (b * t + f) * frameCount
                    return score(frame: Array(values[o..<(o + frameCount)]), truth: clips[i].frames[f],
                                 scene: clips[i].scene, index: f)
                })
            }
            lo = range.upperBound
            onBatch(lo, n)
        }
        var result = WindowQualityResult(name: name, scores: scores, config: config)
        if let physics { result.physics = PhysicsSummary(traces, config: physics) }
        return result
    }

    /// Scores one planar frame [3, H, W] against the simulator's state of it; `index` is the
    /// frame's place in the window (0-based).
    public func score(frame: [Float], truth: FrameState, scene: Scene, index: Int) -> FrameScore {
        let (h, w) = (config.size, config.size)
        // Blobs below the tracker's minimum area are not blobs but pixels: an anti-aliased
        // rim where two balls touch blends into a third palette hue for a pixel or two. They
        // are judged by the stray-pixel test below, which forgives them beside a disc.
        let blobs = tracker.detect(planar: frame, frames: 1, height: h, width: w)[0]
            .filter { $0.area >= tracker.config.minArea }
        // A disc drawn under another whose visible rim the tracker fitted (with
        // `fitsCoveredDiscs`, Tracker+CoveredDisc) is a disc though its blob is a crescent.
        let valid = blobs.filter { $0.isValid || $0.arcFitted }
        // A ball partly hidden (behind an occluder) may show as a cut disc or not at all:
        // it is neither required nor an error, and a blob of its colour over it is no flaw.
        let partial = truth.balls.indices.filter { truth.visible[$0] && truth.visibleFraction[$0] < config.wholeFraction }
            .map { truth.balls[$0] }
        func overPartial(_ p: Vec2, color: Int?) -> Bool {
            partial.contains { ($0.color == color || color == nil) && ($0.position - p).length <= $0.radius + config.strayMargin }
        }
        var used = [Bool](repeating: false, count: valid.count)
        func nearest(_ ball: Ball) -> Int? {
            valid.indices.filter { valid[$0].color == ball.color && !used[$0] }
                .min { (valid[$0].position - ball.position).length < (valid[$1].position - ball.position).length }
        }
        var errors: [Double] = [], misses = 0, visible = 0, inView: [Int] = [], missed: [Int] = []
        var sizes: [Double] = [], speeds: [Double] = []
        for (b, ball) in truth.balls.enumerated() where truth.visibleFraction[b] >= config.wholeFraction {
            visible += 1
            inView.append(ball.id)
            sizes.append(ball.radius)
            speeds.append(ball.velocity.length)
            guard let best = nearest(ball) else {
                misses += 1
                missed.append(ball.id)
                continue
            }
            used[best] = true
            errors.append((valid[best].position - ball.position).length)
        }
        for ball in partial { if let best = nearest(ball) { used[best] = true } }
        // A blob cut by an occluder's edge is a disc passing behind it: plausible in a frame.
        func againstOccluder(_ d: Detection) -> Bool {
            scene.occluders.contains { r in
                let dx = max(r.x - d.position.x, 0, d.position.x - r.maxX)
                let dy = max(r.y - d.position.y, 0, d.position.y - r.maxY)
                return (dx * dx + dy * dy).squareRoot() <= d.radius + config.strayMargin
            }
        }
        // A crescent or a blend along the edge of a nearer disc (forgivesCrescents).
        func againstLargerDisc(_ d: Detection) -> Bool {
            config.forgivesCrescents && valid.contains {
                $0.color != d.color && $0.radius > d.radius && ($0.position - d.position).length <= $0.radius + config.strayMargin
            }
        }
        let invalid = blobs.filter {
            !$0.isValid && !$0.arcFitted && !overPartial($0.position, color: $0.color) && !againstOccluder($0) && !againstLargerDisc($0)
        }.count
        // Stray pixels: bright, away from every blob and partly hidden ball, and not within
        // `strayMargin` of an occluder (its grey edge, a sliver of a ball emerging from it).
        let m = config.strayMargin
        let occluders = scene.occluders.map { Rect(x: $0.x - m, y: $0.y - m, width: $0.width + 2 * m, height: $0.height + 2 * m) }
        var stray = 0
        let hw = h * w
        for y in 0..<h {
            for x in 0..<w {
                let i = y * w + x
                var level: Float = 0
                for c in 0..<3 {
                    let v = frame[c * hw + i]
                    level = max(level, v.isNaN ? 1 : (v + 1) / 2)
                }
                guard level > config.strayLevel else { continue }
                let p = Vec2(Double(x) + 0.5, Double(y) + 0.5)
                if blobs.contains(where: { ($0.position - p).length <= $0.radius + config.strayMargin }) { continue }
                if occluders.contains(where: { $0.contains(p) }) || overPartial(p, color: nil) { continue }
                stray += 1
            }
        }
        return FrameScore(frame: index, visible: visible, partial: partial.count, found: valid.count, errors: errors,
                          misses: misses, extras: used.filter { !$0 }.count, invalidBlobs: invalid, strayPixels: stray,
                          inView: inView, missed: missed, inViewRadius: sizes, inViewSpeed: speeds)
    }
}

// MARK: - Scores

/// The scores of one generated frame.
public struct FrameScore: Codable, Equatable, Sendable {
    /// Place in the window, 0-based (frame 3 of 8 is index 2).
    public var frame: Int
    /// Simulator balls wholly in view: each must be found.
    public var visible: Int
    /// Simulator balls partly in view (behind an occluder): each may be found or not.
    public var partial: Int
    /// Valid discs found.
    public var found: Int
    /// Centroid error of each matched ball, pixels.
    public var errors: [Double]
    /// Visible balls with no valid disc of their colour.
    public var misses: Int
    /// Valid discs matched to no ball (a wrong colour, or a second disc of a colour).
    public var extras: Int
    /// Blobs the tracker found that are not valid discs (other than cut discs over partly
    /// hidden balls).
    public var invalidBlobs: Int
    /// Bright pixels away from every blob.
    public var strayPixels: Int
    /// Ids of the balls wholly in view, and of those among them with no disc of their colour.
    public var inView: [Int] = []
    public var missed: [Int] = []
    /// The radius (px) and speed (px/frame) of each ball of `inView`, in its order.
    public var inViewRadius: [Double] = []
    public var inViewSpeed: [Double] = []
    /// Balls found in the frame before (a generated one) and in view here that are missed
    /// here; set across a clip's frames (`FrameScore.linking`), 0 for a clip's first frame.
    public var lost = 0
    /// Balls found in the frame before and in view here: the base of `lost`.
    public var atRisk = 0

    /// A ball missed while a disc matched to no ball is drawn: the ball, most likely, in
    /// another colour (a palette neighbour it drifted to).
    public var recoloured: Int { min(misses, extras) }

    public var countCorrect: Bool { found >= visible && found <= visible + partial }
    public var realistic: Bool { invalidBlobs == 0 && strayPixels == 0 }
    /// A real frame: every ball wholly in view is a valid disc of its colour, there is no
    /// other disc, no blob that is not a disc and no stray pixel.
    public var real: Bool { realistic && misses == 0 && extras == 0 }

    /// One clip's consecutive frames with `lost` and `atRisk` set from each frame's
    /// predecessor: a ball found at f − 1 and in view at f is at risk at f, and lost if
    /// missed there.
    public static func linking(_ clip: [FrameScore]) -> [FrameScore] {
        var out = clip
        for f in out.indices.dropFirst() where out[f].frame == out[f - 1].frame + 1 {
            let found = Set(out[f - 1].inView).subtracting(out[f - 1].missed)
            let risk = found.intersection(out[f].inView)
            out[f].atRisk = risk.count
            out[f].lost = risk.intersection(out[f].missed).count
        }
        return out
    }
}

/// Aggregates over a set of generated frames.
public struct QualityStats: Codable, Equatable, Sendable {
    /// 1-based frame number in the window, for per-horizon rows; nil for all frames together.
    public var frame: Int?
    /// Generated frames scored.
    public var frames: Int
    /// Simulator balls wholly in view, over those frames.
    public var balls: Int
    /// Share of frames whose valid-disc count equals the visible-ball count.
    public var countCorrect: Double
    /// Centroid error over matched balls, pixels (nil when no ball was matched).
    public var meanError: Double?
    public var medianError: Double?
    public var p90Error: Double?
    /// Share of those balls with no valid disc of their colour.
    public var missRate: Double
    /// Unmatched valid discs per frame.
    public var extrasPerFrame: Double
    /// Mean error over all balls wholly in view, each miss counting `missPenalty` pixels.
    public var penalizedError: Double?
    /// Share of frames in which every blob is a valid disc on a clean background.
    public var realism: Double
    /// Share of real frames (FrameScore.real): realism, and every ball drawn in its colour.
    public var real: Double
    /// Stray pixels per frame.
    public var strayPixelsPerFrame: Double
    /// Share of the balls wholly in view drawn in another colour (FrameScore.recoloured).
    public var recolouredRate: Double
    /// Per frame, the share of the balls found in the frame before that are missed: the
    /// rate at which balls in plain view vanish.
    public var lossRate: Double
    /// The missed share of the balls wholly in view by their radius and by their speed
    /// (`MissBin.radii`, `MissBin.speeds`); only over all frames together (`frame` nil).
    public var missedBySize: [MissBin]?
    public var missedBySpeed: [MissBin]?

    public init(_ scores: [FrameScore], frame: Int? = nil, missPenalty: Double) {
        self.frame = frame
        frames = scores.count
        let errors = scores.flatMap(\.errors).sorted()
        let misses = scores.reduce(0) { $0 + $1.misses }
        balls = scores.reduce(0) { $0 + $1.visible }
        let nf = Double(max(frames, 1))
        countCorrect = Double(scores.filter(\.countCorrect).count) / nf
        meanError = errors.isEmpty ? nil : errors.reduce(0, +) / Double(errors.count)
        medianError = errors.isEmpty ? nil : Statistics.quantile(sorted: errors, 0.5)
        p90Error = errors.isEmpty ? nil : Statistics.quantile(sorted: errors, 0.9)
        missRate = balls == 0 ? 0 : Double(misses) / Double(balls)
        extrasPerFrame = Double(scores.reduce(0) { $0 + $1.extras }) / nf
        penalizedError = balls == 0 ? nil : (errors.reduce(0, +) + Double(misses) * missPenalty) / Double(balls)
        realism = Double(scores.filter(\.realistic).count) / nf
        real = Double(scores.filter(\.real).count) / nf
        strayPixelsPerFrame = Double(scores.reduce(0) { $0 + $1.strayPixels }) / nf
        recolouredRate = balls == 0 ? 0 : Double(scores.reduce(0) { $0 + $1.recoloured }) / Double(balls)
        let risk = scores.reduce(0) { $0 + $1.atRisk }
        lossRate = risk == 0 ? 0 : Double(scores.reduce(0) { $0 + $1.lost }) / Double(risk)
        if frame == nil {
            missedBySize = MissBin.split(scores, by: \.inViewRadius, edges: MissBin.radii, unit: "px")
            missedBySpeed = MissBin.split(scores, by: \.inViewSpeed, edges: MissBin.speeds, unit: "px/frame")
        }
    }
}

/// The missed share of the balls wholly in view whose radius (or speed) is in one range.
public struct MissBin: Codable, Equatable, Sendable {
    /// The range, e.g. "3–3.5 px".
    public var range: String
    /// Ball-frames in view in it, and the share of them missed.
    public var balls: Int
    public var missRate: Double?

    /// Radius bins (px): the small balls a latent cell barely covers first.
    public static let radii = [3.0, 3.5]
    /// Speed bins (px/frame).
    public static let speeds = [1.0, 2.0]

    /// The balls of `scores` split at `edges` by `key`.
    static func split(_ scores: [FrameScore], by key: KeyPath<FrameScore, [Double]>, edges: [Double], unit: String) -> [MissBin] {
        var balls = [Int](repeating: 0, count: edges.count + 1), missed = balls
        for s in scores {
            let gone = Set(s.missed)
            for (id, v) in zip(s.inView, s[keyPath: key]) {
                let bin = edges.firstIndex { v < $0 } ?? edges.count
                balls[bin] += 1
                if gone.contains(id) { missed[bin] += 1 }
            }
        }
        func label(_ i: Int) -> String {
            let f = { (x: Double) in String(format: "%g", x) }
            if i == 0 { return "< \(f(edges[0])) \(unit)" }
            if i == edges.count { return "≥ \(f(edges[i - 1])) \(unit)" }
            return "\(f(edges[i - 1]))–\(f(edges[i])) \(unit)"
        }
        return balls.indices.map { i in
            MissBin(range: label(i), balls: balls[i], missRate: balls[i] == 0 ? nil : Double(missed[i]) / Double(balls[i]))
        }
    }
}

/// One generator's scores on the held-out clips.
public struct WindowQualityResult: Codable, Equatable, Sendable {
    public var name: String
    /// All generated frames together.
    public var all: QualityStats
    /// One row per generated frame of the clip (frames K+1 … F, 1-based).
    public var byFrame: [QualityStats]
    /// Long videos: one row per stitched window.
    public var byWindow: [WindowStats]?
    /// Per clip, per generated frame (not written to JSON).
    public var scores: [[FrameScore]]
    /// The physics metrics of the windows, when asked for.
    public var physics: PhysicsSummary?

    enum CodingKeys: String, CodingKey { case name, all, byFrame, byWindow, physics }

    public init(name: String, scores: [[FrameScore]], config: WindowQualityConfig) {
        self.name = name
        let scores = scores.map(FrameScore.linking)
        self.scores = scores
        let flat = scores.flatMap { $0 }
        all = QualityStats(flat, missPenalty: config.missPenalty)
        byFrame = (config.context..<config.clipFrames).map { f in
            QualityStats(flat.filter { $0.frame == f }, frame: f + 1, missPenalty: config.missPenalty)
        }
        if config.long != nil {
            let starts = config.windowStarts
            byWindow = starts.enumerated().map { w, first in
                let end = w + 1 < starts.count ? starts[w + 1] : config.clipFrames
                return WindowStats(window: w + 1, firstFrame: first + 1, lastFrame: end,
                                   stats: QualityStats(flat.filter { (first..<end).contains($0.frame) }, missPenalty: config.missPenalty))
            }
        }
    }

    /// The long-video bar: in every stitched window, ≥ 95% of the generated frames are real
    /// and the ball count is right in ≥ 98% of them.
    public var meetsLongBar: Bool {
        guard let byWindow, !byWindow.isEmpty else { return false }
        return byWindow.allSatisfy { $0.stats.real >= 0.95 && $0.stats.countCorrect >= 0.98 }
    }

    /// The stitched window with the fewest real frames (long videos).
    public var worstWindow: WindowStats? { byWindow?.min { $0.stats.real < $1.stats.real } }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        all = try c.decode(QualityStats.self, forKey: .all)
        byFrame = try c.decode([QualityStats].self, forKey: .byFrame)
        byWindow = try c.decodeIfPresent([WindowStats].self, forKey: .byWindow)
        physics = try c.decodeIfPresent(PhysicsSummary.self, forKey: .physics)
        scores = []
    }

    /// The in-window bar: count right on ≥ 98% of frames, and a mean centroid error no worse
    /// than `constantVelocity`'s on the same clips.
    public func meetsBar(against constantVelocity: WindowQualityResult) -> Bool {
        guard let e = all.meanError, let c = constantVelocity.all.meanError else { return false }
        return all.countCorrect >= 0.98 && e <= c
    }
}

/// The scores of one stitched window of a long video, over every clip.
public struct WindowStats: Codable, Equatable, Sendable {
    /// 1-based window number.
    public var window: Int
    /// Its generated frames, 1-based and inclusive.
    public var firstFrame: Int
    public var lastFrame: Int
    public var stats: QualityStats
}

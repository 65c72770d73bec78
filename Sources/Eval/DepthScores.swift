// The frame-level scores of the 2.5D experiment: a generator's frames of a depth clip judged
// against the simulator's Episode3D of the same clip. Any generator — the simulator, a
// baseline, a state model drawn through the camera, a video model — is scored from its frames
// alone; the simulator's states say only what should be there.
//
// A clip is T planar frames [T, 3, H, W] in [-1, 1]; the first `context` are the simulator's,
// the rest are generated (horizon h = 1 is the first generated frame). Every ball of a depth
// scene has its own palette colour (checked), so a colour names a ball. Discs are read by
// Perception3D's detections: the tracker with the covered-disc fit (a disc drawn over or
// under another takes the circle through its visible rim), refitted to the pixels. A ball is
// *mostly visible* when the simulator shows at least `wholeFraction` of its drawn disc.
//
//   pair events      For each pair of balls, an event is a maximal run of frames t0…t1 in
//                    which their apparent discs overlap (r_a + r_b − |c_a − c_b| ≥ `minOverlap`
//                    px in the simulator's image) or in whose step (t − 1, t] the two spheres
//                    collide.
//                    Touching or passing. The clip is Simulator3D's run from its frame 0
//                    (DepthScenario draws it so); it is replayed step by step — bit for bit
//                    the clip's states, checked — and a pair touches in an event when the
//                    replay resolves a collision of the two in one of the event's steps.
//                    Event-driven, so a contact between frames is never missed, and a pair
//                    that comes within any gap short of contact passes.
//                    What is measured. The pair's relative image velocity w = Δ(c_b − c_a)
//                    (a frame difference, px/frame) just before, over frames t0 − 2 → t0 − 1,
//                    and just after, over t1 + 1 → t1 + 2. Gravity pulls both balls alike, so
//                    it cancels in w up to perspective. An event is judged when it starts
//                    after the context (t0 ≥ context), its four frames are in the clip and
//                    both balls are mostly visible in them.
//                    Right. The generator shows the encounter — in some frame of the event
//                    it draws both discs, their rims no more than `meetingSlack` px farther
//                    apart than the simulator's there, or than touching where the
//                    simulator's overlap (a side-on contact is sampled a few pixels either
//                    side of it, apart) — and
//                    resolves it as the simulator does: its change of w through the event,
//                    w_after − w_before, is within `velocityTolerance` of the simulator's. A
//                    passing pair's w changes only by what walls, perspective and a third
//                    ball do to it, so the two discs must go on through each other (and off
//                    any wall the simulator's meet meanwhile); a touching pair's w changes by
//                    the bounce, which must be drawn. A generator that draws no encounter
//                    (balls frozen, or elsewhere) is wrong whatever it draws after, and so is
//                    one that loses a ball in one of the four frames.
//                    Glancing. What a bounce does is told from what walls and gravity do in
//                    the same frames by flying the two balls on alone from frame t0 − 1
//                    (Simulator3D with one ball each: walls and gravity, no contact); a
//                    touching pair whose w after the event is within `minBounce` of theirs
//                    (no bounce to see) is counted but not judged.
//   apparent size    |r_generated − r_simulator| per horizon over the mostly visible balls
//                    found; a ball not found is counted as missed beside it. Size change with
//                    no motion in depth: the mean |Δr| between consecutive generated frames of
//                    balls mostly visible and found in both whose simulator apparent radius
//                    changes by less than `stillRadius` px between them.
//   3D position      R is read from the context as a perceiver would (Perception3D.radius:
//                    from the falls under the box's g, else from wall bounces; the camera and
//                    g are given, R is not); each generated frame's discs are then balls at
//                    R·((u − cx)/r, (v − cy)/r, f/r) in camera coordinates, the pinhole's
//                    back-projection. The error |p − p_sim| of every mostly visible ball
//                    found, in pixel-equivalents (Evaluation3D: f / (d + D/2) pixels per box
//                    unit), averaged per clip, then over the clips at each horizon. A clip
//                    whose context gives no R is not scored here.
//   occlusion order  OcclusionOrder over the generated frames: the larger disc on top in
//                    every overlap.
//   real, count      WindowQuality's frame score against the simulator's image frame
//                    (Episode3D.imageFrame), with the covered-disc tracker. Real
//                    (`FrameScore.realistic`): every blob is a valid disc of a palette colour,
//                    or a disc drawn under another whose visible rim fits its circle, or lies
//                    against a larger disc of another colour (`forgivesCrescents`: the
//                    crescent of a covered disc, or the two colours' blend along the nearer
//                    disc's edge, a third palette hue a pixel or two wide), and no stray
//                    pixel is lit — the frame's own consistency, whatever the simulator's
//                    state. Count right: the discs found number the balls the simulator
//                    shows mostly visible, up to those it shows partly hidden.
//                    Both by horizon, and over the frames in which two of the
//                    simulator's discs overlap by `minOverlap` (where a nearer ball covers
//                    a farther one).

import Dynamics
import Tensor
import World

/// What the depth scores are measured on, and their thresholds.
public struct DepthScoreConfig: Codable, Equatable, Sendable {
    /// Frames from the simulator before the generated ones.
    public var context = 8
    /// Frames per clip, the context included.
    public var frames = 38
    /// A generated relative image velocity within this of the simulator's is right, px/frame.
    public var velocityTolerance = 0.3
    /// Discs overlapping by at least this many pixels (r_a + r_b − |c_a − c_b|) overlap in an
    /// event: OcclusionOrder's threshold, and the overlap every depth clip is drawn to show.
    public var minOverlap = OcclusionOrder.minOverlap
    /// A generated pair shows an encounter when in a frame of the event its discs' rims are
    /// within this many pixels of the simulator's gap (of touching, where those overlap).
    public var meetingSlack = 1.5
    /// A touching pair is judged when its relative image velocity after the event is at least
    /// this far from the two balls' flying on alone, px/frame (twice the tolerance: a bounce
    /// to be told from none).
    public var minBounce = 0.6
    /// A ball with at least this share of its drawn disc in view is mostly visible.
    public var wholeFraction = 0.9
    /// A ball whose simulator apparent radius changes by less than this between two frames
    /// (px) does not move in depth between them.
    public var stillRadius = 0.005

    public init() {}

    /// Generated frames per clip.
    public var horizon: Int { frames - context }
}

/// Events judged, those whose encounter the generator drew, and those judged right.
public struct EventCount: Codable, Equatable, Sendable {
    public var judged = 0
    public var shown = 0
    public var right = 0

    public init() {}

    /// The share right; nil when none was judged.
    public var share: Double? { judged == 0 ? nil : Double(right) / Double(judged) }

    /// "right/judged (share; drawn)", e.g. "26/27 (96%; 27 drawn)"; "—" when none was judged.
    public var described: String {
        share.map { String(format: "%d/%d (%.0f%%; %d drawn)", right, judged, 100 * $0, shown) } ?? "—"
    }

    static func + (a: EventCount, b: EventCount) -> EventCount {
        var s = a
        s.judged += b.judged
        s.shown += b.shown
        s.right += b.right
        return s
    }
}

/// A sum and a count per horizon, whose mean is the score.
public struct HorizonMean: Codable, Equatable, Sendable {
    public var sum: [Double]
    public var count: [Int]

    public init(horizon: Int) {
        sum = [Double](repeating: 0, count: horizon)
        count = [Int](repeating: 0, count: horizon)
    }

    /// Per horizon 1 … H, the mean (0 where nothing was measured).
    public var mean: [Double] { zip(sum, count).map { $1 == 0 ? 0 : $0 / Double($1) } }

    private enum CodingKeys: String, CodingKey { case sum, count, mean }

    /// Writes the mean beside the sums and counts it comes from (read back, it is recomputed).
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(sum, forKey: .sum)
        try c.encode(count, forKey: .count)
        try c.encode(mean, forKey: .mean)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        sum = try c.decode([Double].self, forKey: .sum)
        count = try c.decode([Int].self, forKey: .count)
    }

    mutating func add(_ value: Double, at h: Int) {
        sum[h] += value
        count[h] += 1
    }

    static func + (a: HorizonMean, b: HorizonMean) -> HorizonMean {
        var s = a
        for h in s.sum.indices {
            s.sum[h] += b.sum[h]
            s.count[h] += b.count[h]
        }
        return s
    }
}

/// One generator's scores over a set of depth clips (see the file header).
public struct DepthScores: Codable, Equatable, Sendable {
    /// The generator.
    public var name: String
    /// Clips scored, and clips the generator gave no frames for (a state model that
    /// perceived no state), which are not scored.
    public var clips = 0
    public var noFrames = 0
    /// Passing and touching pair events, judged and right; touching pairs not judged as their
    /// contact was glancing.
    public var passThrough = EventCount()
    public var bounce = EventCount()
    public var glancing = 0
    /// |r − r_sim| per horizon (px), over the mostly visible balls found; those not found.
    public var sizeError: HorizonMean
    public var sizeMissed: [Int]
    /// Mean |Δr| (px) between consecutive generated frames of balls not moving in depth.
    public var stillSizeChange = HorizonMean(horizon: 1)
    /// 3D position error per horizon (pixel-equivalents): the per-clip means summed over clips.
    public var positionError3D: HorizonMean
    /// Clips whose context gave no R (no 3D position error).
    public var noRadius = 0
    /// Overlaps with the larger disc on top.
    public var occlusion = OcclusionOrder()
    /// Generated frames, real ones and those with the count right.
    public var frames = 0
    public var realFrames = 0
    public var countRightFrames = 0
    /// The same per horizon: the share of generated frames there that are real, and that have
    /// the count right.
    public var realByHorizon: HorizonMean
    public var countRightByHorizon: HorizonMean
    /// The generated frames in which two of the simulator's discs overlap (by `minOverlap`),
    /// and of those the real ones and the ones with the count right: where a nearer ball covers
    /// a farther one.
    public var overlapFrames = 0
    public var overlapRealFrames = 0
    public var overlapCountRightFrames = 0

    /// The shares of generated frames that are real and that have the count right; nil with no frames.
    public var realShare: Double? { frames == 0 ? nil : Double(realFrames) / Double(frames) }
    public var countRightShare: Double? { frames == 0 ? nil : Double(countRightFrames) / Double(frames) }
    /// Mean |Δr| of balls not moving in depth (px); nil when none was measured.
    public var stillSizeChangeMean: Double? { stillSizeChange.count[0] == 0 ? nil : stillSizeChange.mean[0] }

    public init(name: String, horizon: Int) {
        self.name = name
        sizeError = HorizonMean(horizon: horizon)
        sizeMissed = [Int](repeating: 0, count: horizon)
        positionError3D = HorizonMean(horizon: horizon)
        realByHorizon = HorizonMean(horizon: horizon)
        countRightByHorizon = HorizonMean(horizon: horizon)
    }

    /// The shares of the generated frames in which the simulator's discs overlap that are
    /// real and that have the count right; nil with no such frame.
    public var overlapShares: (real: Double?, countRight: Double?) {
        overlapFrames == 0 ? (nil, nil)
            : (Double(overlapRealFrames) / Double(overlapFrames), Double(overlapCountRightFrames) / Double(overlapFrames))
    }

    /// "real% / count% of N frames" over the frames in which the simulator's discs overlap.
    public var overlapDescribed: String {
        let (real, count) = overlapShares
        guard let real, let count else { return "— (no overlap)" }
        return String(format: "%.1f%% / %.1f%% of %d frames", 100 * real, 100 * count, overlapFrames)
    }

    /// The shares of generated frames at horizons 1 … `n` that are real and that have the
    /// count right (a video model's first window); nil with no frames there.
    public func shares(upTo n: Int) -> (real: Double?, countRight: Double?) {
        func share(_ m: HorizonMean) -> Double? {
            let k = min(n, m.count.count), frames = m.count.prefix(k).reduce(0, +)
            return frames == 0 ? nil : m.sum.prefix(k).reduce(0, +) / Double(frames)
        }
        return (share(realByHorizon), share(countRightByHorizon))
    }

    /// Every count and sum added.
    static func + (a: DepthScores, b: DepthScores) -> DepthScores {
        var s = a
        s.clips += b.clips
        s.noFrames += b.noFrames
        s.passThrough = s.passThrough + b.passThrough
        s.bounce = s.bounce + b.bounce
        s.glancing += b.glancing
        s.sizeError = s.sizeError + b.sizeError
        s.sizeMissed = zip(s.sizeMissed, b.sizeMissed).map(+)
        s.stillSizeChange = s.stillSizeChange + b.stillSizeChange
        s.positionError3D = s.positionError3D + b.positionError3D
        s.noRadius += b.noRadius
        s.occlusion = s.occlusion + b.occlusion
        s.frames += b.frames
        s.realFrames += b.realFrames
        s.countRightFrames += b.countRightFrames
        s.realByHorizon = s.realByHorizon + b.realByHorizon
        s.countRightByHorizon = s.countRightByHorizon + b.countRightByHorizon
        s.overlapFrames += b.overlapFrames
        s.overlapRealFrames += b.overlapRealFrames
        s.overlapCountRightFrames += b.overlapCountRightFrames
        return s
    }
}

// MARK: - One clip

extension DepthScores {
    /// The scores of one clip: `frames` planar [T, 3, H, W] (T = `episode.count`), the first
    /// `config.context` the simulator's, against `episode`.
    public static func score(_ frames: [Float], episode: Episode3D, config: DepthScoreConfig, name: String = "") -> DepthScores {
        let camera = episode.camera, box = episode.box
        let (H, W, T, context) = (camera.imageHeight, camera.imageWidth, episode.count, config.context)
        precondition(frames.count == T * 3 * H * W, "depth scores: \(frames.count) floats are not [\(T),3,\(H),\(W)]")
        precondition(context >= 1 && context < T, "depth scores: context \(context) must be in 1..<\(T)")
        let colors = episode.frames[0].balls.map(\.color)
        precondition(Set(colors).count == colors.count, "depth scores: two balls of clip \(episode.seed) share a colour")
        var out = DepthScores(name: name, horizon: T - context)
        out.clips = 1

        let perception = Perception3D(camera: camera, extent: Vec3(box.width, box.height, box.depth))
        let found = perception.detections(planar: frames)
        let (image, mostly) = simulatorImage(episode, config: config)

        scoreEvents(found: found, image: image, mostly: mostly, episode: episode, config: config, into: &out)

        // Apparent size, and its change where the ball does not move in depth.
        for t in context..<T {
            for (b, ball) in image[t].enumerated() where mostly[t][b] {
                guard let d = found[t][ball.color] else { out.sizeMissed[t - context] += 1; continue }
                out.sizeError.add(abs(d.radius - ball.radius), at: t - context)
                guard t > context, mostly[t - 1][b], abs(image[t - 1][b].radius - ball.radius) < config.stillRadius,
                      let before = found[t - 1][ball.color] else { continue }
                out.stillSizeChange.add(abs(d.radius - before.radius), at: 0)
            }
        }

        // 3D position through depth from size, R read from the context.
        if let R = perception.radius(Array(found[0..<context]), gravity: box.gravity), R > 0 {
            let positions = perception.positions(found, radius: R)
            let scale = camera.focalLength / camera.depth(box.depth / 2)
            for t in context..<T {
                let errors = episode.frames[t].balls.enumerated().compactMap { b, ball -> Double? in
                    guard mostly[t][b], let p = positions[t][ball.color] else { return nil }
                    return (p - ball.position).length * scale
                }
                if !errors.isEmpty { out.positionError3D.add(errors.reduce(0, +) / Double(errors.count), at: t - context) }
            }
        } else {
            out.noRadius = 1
        }

        // Occlusion order, realism and count on the generated frames.
        let per = 3 * H * W
        out.occlusion = OcclusionOrder.judge(planar: Array(frames[(context * per)...]), height: H, width: W)
        precondition(H == W, "depth scores: WindowQuality scores square frames, got \(H)×\(W)")
        var quality = WindowQualityConfig()
        quality.size = W
        quality.wholeFraction = config.wholeFraction
        quality.forgivesCrescents = true
        var tracker = Tracker()
        tracker.config.fitsCoveredDiscs = true
        let scorer = WindowQuality(scoring: quality, tracker: tracker)
        for t in context..<T {
            let s = scorer.score(frame: Array(frames[(t * per)..<((t + 1) * per)]), truth: episode.imageFrame(t),
                                 scene: episode.imageScene, index: t)
            out.frames += 1
            if s.realistic { out.realFrames += 1 }
            if s.countCorrect { out.countRightFrames += 1 }
            out.realByHorizon.add(s.realistic ? 1 : 0, at: t - context)
            out.countRightByHorizon.add(s.countCorrect ? 1 : 0, at: t - context)
            if Self.overlapping(image[t], minOverlap: config.minOverlap) {
                out.overlapFrames += 1
                if s.realistic { out.overlapRealFrames += 1 }
                if s.countCorrect { out.overlapCountRightFrames += 1 }
            }
        }
        return out
    }

    /// How far two discs overlap, px: r_a + r_b − |c_a − c_b| (negative when apart).
    static func overlap(_ a: Ball, _ b: Ball) -> Double { a.radius + b.radius - (a.position - b.position).length }

    /// Whether two of `balls` (a frame of the simulator's image) overlap by `minOverlap` px.
    static func overlapping(_ balls: [Ball], minOverlap: Double) -> Bool {
        balls.indices.contains { i in balls[(i + 1)...].contains { overlap(balls[i], $0) >= minOverlap } }
    }

    /// A pair event (see the file header): balls `i` < `j` (id order) overlap in the
    /// simulator's image, or collide, in frames `t0`…`t1`.
    struct PairEvent: Equatable {
        var i: Int
        var j: Int
        var t0: Int
        var t1: Int
        /// The two spheres collide in one of the event's steps.
        var touching: Bool
        /// It starts after the context, and both balls are mostly visible two frames either
        /// side of it, in the clip.
        var judged: Bool
    }

    /// Per frame, per ball (id order): the simulator's image of it, and whether it is mostly visible.
    static func simulatorImage(_ episode: Episode3D, config: DepthScoreConfig) -> (image: [[Ball]], mostly: [[Bool]]) {
        (episode.frames.map { f in f.balls.map { episode.camera.imageBall($0, in: episode.box) } },
         episode.frames.map { f in f.visibleFraction.map { $0 >= config.wholeFraction } })
    }

    /// The pair events of `episode`, pair by pair (i < j) and in time order: `image` holds per
    /// frame the simulator's image of each ball (id order), `mostly` whether it is mostly visible.
    static func pairEvents(episode: Episode3D, image: [[Ball]], mostly: [[Bool]], config: DepthScoreConfig) -> [PairEvent] {
        let T = episode.count, n = episode.frames[0].balls.count
        // Collisions per step: touches[t] holds the pairs (i < j) that collide in (t − 1, t].
        var touches = [Set<[Int]>](repeating: [], count: T)
        var sim = Simulator3D(box: episode.box, balls: episode.frames[0].balls)
        for t in 1..<T {
            sim.step()
            precondition(sim.balls == episode.frames[t].balls,
                         "depth scores: clip \(episode.seed) is not Simulator3D's run from its frame 0 (frame \(t) differs)")
            for case let .pair(a, b) in sim.events { touches[t].insert([min(a, b), max(a, b)]) }
        }
        func overlaps(_ t: Int, _ i: Int, _ j: Int) -> Bool { overlap(image[t][i], image[t][j]) >= config.minOverlap }
        var events: [PairEvent] = []
        for i in 0..<n {
            for j in (i + 1)..<n {
                var t = 1
                while t < T {
                    guard overlaps(t, i, j) || touches[t].contains([i, j]) else { t += 1; continue }
                    let t0 = t
                    while t + 1 < T && (overlaps(t + 1, i, j) || touches[t + 1].contains([i, j])) { t += 1 }
                    let t1 = t
                    t += 1
                    let judged = t0 >= config.context && t0 >= 2 && t1 + 2 < T
                        && [t0 - 2, t0 - 1, t1 + 1, t1 + 2].allSatisfy { mostly[$0][i] && mostly[$0][j] }
                    events.append(PairEvent(i: i, j: j, t0: t0, t1: t1,
                                            touching: (t0...t1).contains { touches[$0].contains([i, j]) }, judged: judged))
                }
            }
        }
        return events
    }

    /// Pair events of the clip (see the file header), judged on `found` against the
    /// simulator's `image` (per frame, balls in id order).
    static func scoreEvents(found: [[Int: Detection]], image: [[Ball]], mostly: [[Bool]], episode: Episode3D,
                            config: DepthScoreConfig, into out: inout DepthScores) {
        /// The relative image velocity over frames t → t + 1 of balls i and j had each flown on
        /// alone in the box from frame `start` (walls and gravity, no contact).
        func flyingOn(_ i: Int, _ j: Int, from start: Int, to t: Int) -> Vec2 {
            let paths = [i, j].map { b -> [Vec2] in
                var alone = Simulator3D(box: episode.box, balls: [episode.frames[start].balls[b]])
                return (start...(t + 1)).map { f in
                    if f > start { alone.step() }
                    return episode.camera.imageBall(alone.balls[0], in: episode.box).position
                }
            }
            let k = t - start
            return (paths[1][k + 1] - paths[0][k + 1]) - (paths[1][k] - paths[0][k])
        }
        func relative(_ p: (Int) -> (Vec2, Vec2)?, from t: Int) -> Vec2? {
            guard let (a0, b0) = p(t), let (a1, b1) = p(t + 1) else { return nil }
            return (b1 - a1) - (b0 - a0)
        }
        for event in pairEvents(episode: episode, image: image, mostly: mostly, config: config) where event.judged {
            let (i, j, t0, t1, touching) = (event.i, event.j, event.t0, event.t1, event.touching)
            let truth: (Int) -> (Vec2, Vec2)? = { (image[$0][i].position, image[$0][j].position) }
            let (ka, kb) = (image[0][i].color, image[0][j].color)
            let generated: (Int) -> (Vec2, Vec2)? = { f in
                guard let a = found[f][ka], let b = found[f][kb] else { return nil }
                return (a.position, b.position)
            }
            let before = relative(truth, from: t0 - 2)!, after = relative(truth, from: t1 + 1)!
            if touching && (after - flyingOn(i, j, from: t0 - 1, to: t1 + 1)).length < config.minBounce {
                out.glancing += 1
                continue
            }
            // In some frame of the event both discs are drawn, their rims no farther
            // apart than the simulator's (or than touching, where its discs overlap)
            // by more than the slack.
            let shown = (t0...t1).contains { f in
                guard let a = found[f][ka], let b = found[f][kb] else { return false }
                let gap = (a.position - b.position).length - a.radius - b.radius
                let truthGap = (image[f][i].position - image[f][j].position).length - image[f][i].radius - image[f][j].radius
                return gap <= max(truthGap, 0) + config.meetingSlack
            }
            var right = false
            if shown, let wBefore = relative(generated, from: t0 - 2), let wAfter = relative(generated, from: t1 + 1) {
                right = ((wAfter - wBefore) - (after - before)).length <= config.velocityTolerance
            }
            var count = touching ? out.bounce : out.passThrough
            count.judged += 1
            if shown { count.shown += 1 }
            if right { count.right += 1 }
            if touching { out.bounce = count } else { out.passThrough = count }
        }
    }
}

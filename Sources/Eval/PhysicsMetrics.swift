// The physics metrics: what a generated clip gets wrong about the world, each measured the
// same way on the simulator's own frames (the explicit-state reference). Positions come from
// `ClipTrace.position` (the valid disc of a ball's colour, where the simulator has the ball
// wholly in view); Δ is a frame-to-frame difference, so Δp is a velocity (px/frame) and Δ²p
// an acceleration (px/frame²). Only generated frames are scored.
//
//   realism            share of generated frames in which every blob is a valid palette disc
//                      on a clean background (FrameScore.realistic)
//   position error(h)  |p − p_sim| at horizon h (1 = first generated frame), px
//   velocity error(h)  |Δp − Δp_sim| (Kang et al. 2024: centroid differences against the
//                      simulator's), px/frame
//   implied gravity    per ball, runs of frames whose Δ² stays below `eventAcceleration` on
//                      both axes (no bounce or collision) are fitted with parabolas
//                      x(t), y(t); g = 2 × the t² coefficients, length-weighted over a clip's
//                      runs of ≥ `minFlight` frames; error |g − g_sim|, px/frame²
//   energy drift(w)    E = Σ m (½|Δp|² + g·height above the floor it falls to) over all balls
//                      (m = r² and g from the simulator), on intervals where every ball is
//                      found and no two are touching in the simulator (touching rims pull the
//                      tracked centroids); the median over a window's intervals, relative to
//                      the simulator's energy at the first generated frame, minus 1
//   wall penetration   share of found balls whose disc (simulator radius) reaches more than
//                      `penetrationTolerance` px past a wall
//   count changes      Σ |n_f − n_{f−1}| of valid discs, per 100 generated frames; count wrong
//                      is the share of frames where n differs from the balls in view
//   colour swaps       per 100 generated frames: a disc of colour A where a disc of colour B
//                      was one frame before (within `maxStep` px), no A there before, and B
//                      gone from there
//   seam |Δ²p|         |Δ²p| centred on the last frame before each window after the first
//                      (old velocity in, new velocity out) against |Δ²p| centred inside a
//                      window; beside the same for the simulator's positions (the physics)
//   permanence         a ball the given frames showed wholly, hidden (not visible at all)
//                      for more frames than the context, that comes wholly back into view:
//                      found within `grace` frames of its return (reappeared), within
//                      `tolerance` px of the simulator (right),
//                      within `tolerance` of where it was last seen though the simulator has
//                      moved it at least 2 × `tolerance` (stuck), or not at all (never)
//   spread(h)          over clips from one context and different seeds: per ball, √(var x +
//                      var y) of its position at horizon h, px (simulator: 0)

import Tensor
import World

/// Thresholds of the physics metrics.
public struct PhysicsConfig: Codable, Equatable, Sendable {
    /// |Δ²p| above this (px/frame², either axis) marks a bounce or collision.
    public var eventAcceleration = 0.5
    /// Frames a flight must span to be fitted with a parabola.
    public var minFlight = 5
    /// A disc reaching this far past a wall (px) penetrates it.
    public var penetrationTolerance = 0.5
    /// Largest frame-to-frame move of a disc for colour-swap matching, px.
    public var maxStep = 4.0
    /// Frames after its return in which a hidden ball must be found.
    public var grace = 4
    /// A reappeared ball this close to the simulator (px) is back where it should be.
    public var tolerance = 3.0
    /// Context frames of the stitching: only hidings longer than this count for permanence.
    public var context = 2

    public init() {}
}

// MARK: - Per clip

/// The physics metrics of one clip, before averaging over clips.
public struct ClipPhysics: Sendable {
    /// Per horizon (index h − 1), position and velocity errors of every found ball.
    public var positionErrors: [[Double]]
    public var velocityErrors: [[Double]]
    /// Found / in-view ball-frames, for the miss rate.
    public var found = 0, inView = 0
    /// Generated frames, realistic ones, ones with the count wrong.
    public var frames = 0, realistic = 0, countWrong = 0
    /// Σ |n_f − n_{f−1}| over generated frames.
    public var countChanges = 0
    /// Per window, the mean over its frames of the valid discs beyond the balls in view (partly
    /// hidden ones optional), or short of the balls wholly in view (negative).
    public var countOffsetByWindow: [Double?]
    public var swaps = 0
    /// Found ball-frames, and those past a wall.
    public var ballFrames = 0, penetrating = 0
    public var penetrationDepth: [Double] = []
    /// Implied gravity (nil without a fitted flight), the simulator's, and flights fitted.
    public var gravity: Vec2?
    public var trueGravity: Vec2
    public var flights = 0
    /// Per window, E/E_sim − 1 (nil where no interval had every ball found).
    public var energyDrift: [Double?]
    /// |Δ²p| at seams and inside windows: generated frames, and the simulator's at the same frames.
    public var seam: [Double] = [], inside: [Double] = [], seamPhysics: [Double] = [], insidePhysics: [Double] = []
    /// Hidings scored for permanence and their outcomes.
    public var hidings: [Hiding] = []

    /// One hidden ball's return.
    public struct Hiding: Codable, Equatable, Sendable {
        public var ball: Int
        /// Frames hidden, and the frame at which it is wholly in view again.
        public var hiddenFrames: Int
        public var returnFrame: Int
        /// Distance to the simulator at the first frame it was found again (nil: never).
        public var error: Double?
        /// Found again within tolerance of where it was last seen, the simulator elsewhere.
        public var stuck: Bool
    }
}

extension ClipTrace {
    /// Computes every per-clip metric of `config`.
    public func physics(_ config: PhysicsConfig = PhysicsConfig()) -> ClipPhysics {
        let n = balls, horizons = max(count - firstGenerated, 0)
        var out = ClipPhysics(positionErrors: Array(repeating: [], count: horizons),
                              velocityErrors: Array(repeating: [], count: horizons),
                              countOffsetByWindow: [], gravity: nil, trueGravity: truth.scene.gravity,
                              energyDrift: [])
        let generated = (firstGenerated..<count).filter { !observed.contains($0) }
        // Positions, velocities, realism, counts, walls.
        for f in generated {
            let s = scores[f]
            out.frames += 1
            if s.realistic { out.realistic += 1 }
            if !s.countCorrect { out.countWrong += 1 }
            if f > 0 { out.countChanges += abs(discs[f].count - discs[f - 1].count) }
            for b in 0..<n where inView(b, f) {
                out.inView += 1
                guard let p = position(b, f) else { continue }
                out.found += 1
                out.positionErrors[horizon(f) - 1].append((p - truePosition(b, f)).length)
                if f > 0, let q = position(b, f - 1) {
                    let dv = (p - q) - (truePosition(b, f) - truePosition(b, f - 1))
                    out.velocityErrors[horizon(f) - 1].append(dv.length)
                }
                out.ballFrames += 1
                let depth = penetration(p, radius: truth.frames[f].balls[b].radius)
                if depth > config.penetrationTolerance {
                    out.penetrating += 1
                    out.penetrationDepth.append(depth)
                }
            }
            out.swaps += colourSwaps(at: f, maxStep: config.maxStep)
        }
        out.countOffsetByWindow = windowStarts.indices.map { w in
            let mine = generated.filter { window(of: $0) == w }
            guard !mine.isEmpty else { return nil }
            // Balls partly in view (behind the bar) may be found or not: no offset either way.
            let offsets = mine.map { f -> Double in
                let s = scores[f]
                return Double(s.found > s.visible + s.partial ? s.found - s.visible - s.partial : min(s.found - s.visible, 0))
            }
            return offsets.reduce(0, +) / Double(offsets.count)
        }
        (out.gravity, out.flights) = impliedGravity(config)
        out.energyDrift = energyDrift(generated: generated)
        (out.seam, out.seamPhysics, out.inside, out.insidePhysics) = seamAccelerations()
        out.hidings = hidings(config)
        return out
    }

    /// How far a disc of `radius` at `p` reaches past the nearest wall (0 if inside).
    func penetration(_ p: Vec2, radius r: Double) -> Double {
        let (w, h) = (Double(truth.scene.width), Double(truth.scene.height))
        return max(0, r - p.x, r - p.y, p.x + r - w, p.y + r - h)
    }

    /// Discs at `f` that took the place of a disc of another colour at `f − 1`.
    func colourSwaps(at f: Int, maxStep: Double) -> Int {
        guard f > 0 else { return 0 }
        let before = discs[f - 1], now = discs[f]
        func near(_ list: [Detection], _ p: Vec2, color: Int) -> Bool {
            list.contains { $0.color == color && ($0.position - p).length <= maxStep }
        }
        var swaps = 0
        for d in now where !near(before, d.position, color: d.color) {
            let replaced = before.filter { $0.color != d.color && ($0.position - d.position).length <= maxStep }
            if replaced.contains(where: { !near(now, $0.position, color: $0.color) }) { swaps += 1 }
        }
        return swaps
    }

    /// Parabola fits of each ball's free flights among the generated frames.
    func impliedGravity(_ config: PhysicsConfig) -> (Vec2?, Int) {
        var sum = Vec2(0, 0), weight = 0.0, flights = 0
        for b in 0..<balls {
            // A frame is free when the Δ² centred on it is small on both axes.
            var run: [Int] = []
            func close() {
                defer { run.removeAll() }
                guard let first = run.first, let last = run.last else { return }
                let frames = Array((first - 1)...(last + 1))
                guard frames.count >= config.minFlight else { return }
                let ts = frames.map { Double($0 - frames[0]) }
                let ps = frames.map { position(b, $0)! }
                let gx = 2 * quadraticCoefficient(ts, ps.map(\.x)), gy = 2 * quadraticCoefficient(ts, ps.map(\.y))
                sum += Double(frames.count) * Vec2(gx, gy)
                weight += Double(frames.count)
                flights += 1
            }
            for f in stride(from: max(firstGenerated + 1, 1), to: count - 1, by: 1) {
                guard !observed.contains(f - 1), !observed.contains(f + 1),
                      let a = position(b, f - 1), let p = position(b, f), let c = position(b, f + 1) else { close(); continue }
                let acc = a - 2 * p + c
                if abs(acc.x) <= config.eventAcceleration && abs(acc.y) <= config.eventAcceleration {
                    run.append(f)
                } else {
                    close()
                }
            }
            close()
        }
        return (weight > 0 ? sum / weight : nil, flights)
    }

    /// Energy per window relative to the simulator's at the first generated frame, minus 1.
    func energyDrift(generated: [Int]) -> [Double?] {
        let scene = truth.scene
        func potential(_ p: Vec2, radius r: Double) -> Double {
            var u = 0.0
            for axis in 0..<2 {
                let g = scene.gravity[axis], extent = Double(axis == 0 ? scene.width : scene.height)
                if g > 0 { u += g * (extent - r - p[axis]) }
                if g < 0 { u += -g * (p[axis] - r) }
            }
            return u
        }
        let start = truth.frames[firstGenerated].balls
        let reference = start.reduce(0.0) { $0 + $1.mass * (0.5 * $1.velocity.lengthSquared + potential($1.position, radius: $1.radius)) }
        guard reference > 0 else { return windowStarts.map { _ in nil } }
        var byWindow = [[Double]](repeating: [], count: windowStarts.count)
        for f in generated where f > 0 && !observed.contains(f - 1) && !touching(f) && !touching(f - 1) {
            guard let w = window(of: f) else { continue }
            var e = 0.0, complete = true
            for b in 0..<balls {
                guard let p = position(b, f), let q = position(b, f - 1) else { complete = false; break }
                let ball = truth.frames[f].balls[b]
                e += ball.mass * (0.5 * (p - q).lengthSquared + potential((p + q) / 2, radius: ball.radius))
            }
            if complete { byWindow[w].append(e) }
        }
        return byWindow.map { $0.isEmpty ? nil : Statistics.median($0) / reference - 1 }
    }

    /// Whether two simulator balls at frame `f` are within 1 px of touching: their rims blend,
    /// which pulls the tracked centroids together (a bias of the measurement, not the physics).
    func touching(_ f: Int) -> Bool {
        let balls = truth.frames[f].balls
        for i in balls.indices {
            for j in balls.indices where j > i {
                if (balls[i].position - balls[j].position).length < balls[i].radius + balls[j].radius + 1 { return true }
            }
        }
        return false
    }

    /// |Δ²p| centred on the frame before each seam and inside windows, for the generated
    /// positions and the simulator's.
    func seamAccelerations() -> (seam: [Double], seamPhysics: [Double], inside: [Double], insidePhysics: [Double]) {
        var seam: [Double] = [], seamPhysics: [Double] = [], inside: [Double] = [], insidePhysics: [Double] = []
        let seamCentres = Set(windowStarts.dropFirst().map { $0 - 1 })
        for f in stride(from: 1, to: count - 1, by: 1) {
            let atSeam = seamCentres.contains(f)
            let w = window(of: f - 1)
            let within = w != nil && window(of: f) == w && window(of: f + 1) == w
            guard atSeam || within else { continue }
            for b in 0..<balls {
                guard let a = position(b, f - 1), let p = position(b, f), let c = position(b, f + 1) else { continue }
                let acc = (a - 2 * p + c).length
                let physics = (truePosition(b, f - 1) - 2 * truePosition(b, f) + truePosition(b, f + 1)).length
                if atSeam {
                    seam.append(acc)
                    seamPhysics.append(physics)
                } else {
                    inside.append(acc)
                    insidePhysics.append(physics)
                }
            }
        }
        return (seam, seamPhysics, inside, insidePhysics)
    }

    /// Balls hidden for more than `config.context` frames during the generated part, and how
    /// each came back. Only balls the given frames show wholly count: a generator cannot keep
    /// what it was never shown. A hiding lasts until the ball is wholly in view again, so a
    /// glimpse of its rim on the way back does not start a second one.
    func hidings(_ config: PhysicsConfig) -> [ClipPhysics.Hiding] {
        var out: [ClipPhysics.Hiding] = []
        for b in 0..<balls where (0..<firstGenerated).contains(where: { inView(b, $0) }) {
            var f = max(firstGenerated, 1)
            while f < count {
                // A hiding starts where the ball was visible the frame before and is not now.
                guard !truth.frames[f].visible[b], truth.frames[f - 1].visible[b] else { f += 1; continue }
                let start = f
                while f < count && !truth.frames[f].visible[b] { f += 1 }
                guard let back = (f..<count).first(where: { inView(b, $0) }), f - start > config.context else { continue }
                let lastSeen = (firstGenerated..<start).reversed().lazy.compactMap { self.disc(of: b, at: $0)?.position }.first
                let window = back..<min(count, back + config.grace)
                let foundAt = window.first { position(b, $0) != nil }
                var error: Double?, stuck = false
                if let g = foundAt, let p = position(b, g) {
                    error = (p - truePosition(b, g)).length
                    if let seen = lastSeen {
                        stuck = (p - seen).length <= config.tolerance && (truePosition(b, g) - seen).length >= 2 * config.tolerance
                    }
                }
                out.append(.init(ball: b, hiddenFrames: f - start, returnFrame: back, error: error, stuck: stuck))
                f = back
            }
        }
        return out
    }
}

// MARK: - Across seeds

extension ClipTrace {
    /// Per horizon, the mean over balls of √(var x + var y) of the ball's position across
    /// `clips` — rollouts of one context under different seeds (nil where no ball was found
    /// in two of them).
    public static func spread(_ clips: [ClipTrace]) -> [Double?] {
        guard let first = clips.first else { return [] }
        return (first.firstGenerated..<first.count).map { f in
            var spreads: [Double] = []
            for b in 0..<first.balls {
                let ps = clips.compactMap { $0.position(b, f) }
                guard ps.count >= 2 else { continue }
                // Offsets from the first clip's position, so that identical positions give exactly 0.
                let ds = ps.map { $0 - ps[0] }
                let mean = ds.reduce(Vec2(0, 0), +) / Double(ds.count)
                let variance = max(0, ds.reduce(0.0) { $0 + ($1 - mean).lengthSquared } / Double(ds.count))
                spreads.append(variance.squareRoot())
            }
            return spreads.isEmpty ? nil : spreads.reduce(0, +) / Double(spreads.count)
        }
    }
}

// MARK: - Helpers

/// The t² coefficient of the least-squares parabola through (ts, ys).
func quadraticCoefficient(_ ts: [Double], _ ys: [Double]) -> Double {
    AttentionCost.quadraticFit(ts, ys)[2]
}

func mean(_ xs: [Double]) -> Double? {
    xs.isEmpty ? nil : xs.reduce(0, +) / Double(xs.count)
}

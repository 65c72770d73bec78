// How well the state model predicts the simulator: from the state perceived in K context
// frames of a simulated clip, roll forward and compare with the simulator's positions.

import World

/// Errors of the state model against the simulator over held-out clips.
public struct DynamicsScore: Codable, Equatable, Sendable {
    /// Clips scored.
    public var clips: Int
    /// Mean position error (pixels) over balls and clips at horizon h = 1 … H (index h − 1).
    public var positionError: [Double]
    /// Mean over clips of |E_H − E_0| / E_0 for the model's roll-out and for the simulator's
    /// states (the yardstick: 0 up to rounding in an elastic scenario).
    public var energyDrift: Double
    public var simulatorEnergyDrift: Double
    /// Clips in which the perceived ball count differs from the simulator's, or at some frame
    /// the tracker does not find in the drawn roll-out every ball its state has wholly in view
    /// (behind no occluder, inside the frame), or finds one the state does not hold.
    public var countChanges: Int
    /// Balls the simulator shows wholly in view in the last context frame that perception did
    /// not find there, over every clip, and how many there were.
    public var missedInContext: Int
    public var ballsInContext: Int
}

extension StateModel {
    /// Scores `seeds` clips of `scenario`: perceive frames 0 ..< context (seen through
    /// `camera`), roll `horizon` frames forward, compare with the simulator frame by frame
    /// (balls matched by colour).
    public func score(scenario: Scenario, seeds: [UInt64], context: Int = 2, horizon: Int = 30,
                      camera: CameraNoise = .none) throws -> DynamicsScore {
        var err = [Double](repeating: 0, count: horizon), n = [Double](repeating: 0, count: horizon)
        var drift = 0.0, simDrift = 0.0, changes = 0, missed = 0, shown = 0
        let H = config.height, W = config.width
        for seed in seeds {
            let ep = try scenario.episode(seed: seed, frames: context + horizon)
            let frames = Rasterizer.planar(ep, camera: camera)
            let start = perceive(planar: Array(frames[0..<(context * 3 * H * W)]))
            let last = ep.frames[context - 1]
            let inView = last.balls.indices.filter { last.visibleFraction[$0] == 1 }.map { last.balls[$0].color }
            shown += inView.count
            missed += inView.filter { c in !start.balls.contains { $0.color == c } }.count
            let roll = rollout(from: start, frames: horizon)
            var changed = start.balls.count != ep.frames[0].balls.count
            for h in 1...horizon {
                let truth = ep.frames[context - 1 + h].balls
                for b in roll[h - 1].balls {
                    guard let t = truth.first(where: { $0.color == b.color }) else { continue }
                    err[h - 1] += (b.position - t.position).length
                    n[h - 1] += 1
                }
            }
            let drawn = perception.detections(planar: render(roll), height: H, width: W)
            let scene = Scene(width: W, height: H, occluders: start.occluders)
            for (t, s) in roll.enumerated() {
                let view = scene.frameState(t: t, balls: s.simulatorBalls)
                let shown = Set(s.balls.indices.filter { view.visibleFraction[$0] == 1 }.map { s.balls[$0].color })
                let held = Set(s.balls.map(\.color)), found = Set(drawn[t].keys)
                if !shown.isSubset(of: found) || !found.isSubset(of: held) { changed = true }
            }
            if changed { changes += 1 }
            let g = ep.scene.gravity
            let e0 = start.energy(gravity: g)
            drift += e0 > 0 ? abs(roll[horizon - 1].energy(gravity: g) - e0) / e0 : 0
            let s0 = WorldState(episode: ep, frame: context - 1).energy(gravity: g)
            let s1 = WorldState(episode: ep, frame: context - 1 + horizon).energy(gravity: g)
            simDrift += s0 > 0 ? abs(s1 - s0) / s0 : 0
        }
        let k = Double(max(seeds.count, 1))
        return DynamicsScore(clips: seeds.count, positionError: zip(err, n).map { $1 > 0 ? $0 / $1 : 0 },
                             energyDrift: drift / k, simulatorEnergyDrift: simDrift / k, countChanges: changes,
                             missedInContext: missed, ballsInContext: shown)
    }
}

// MARK: - Errors by event

/// What happens to a ball during one frame, as the simulator resolves it.
public enum FrameEvent: String, Codable, CaseIterable, Sendable {
    /// No collision: the ball flies on its parabola.
    case free
    /// It bounces off a wall (and touches no ball).
    case wall
    /// It collides with another ball (and perhaps a wall too).
    case pair
}

/// One-step errors of the predicted velocity and position for one kind of event.
public struct EventError: Codable, Equatable, Sendable {
    public var event: FrameEvent
    /// Ball-transitions of this kind.
    public var count: Int
    /// Mean and largest |û_{t+1} − u_{t+1}|, pixels per frame.
    public var mean: Double
    public var max: Double
    /// Mean |p̂_{t+1} − p_{t+1}|, pixels.
    public var positionMean: Double
    /// This kind's share of the summed squared velocity error over all transitions.
    public var shareOfSquaredError: Double
}

/// One-step velocity errors of the balls in a collision with another ball, by the instant
/// within the frame at which the two first touch: where in the frame a law's pair errors lie.
public struct ContactInstantError: Codable, Equatable, Sendable {
    /// The instants, as a fraction of the frame ("0–1/3", …), or "after a wall" for a pair that
    /// meets once one of the two has bounced off a wall in the same frame.
    public var instants: String
    public var count: Int
    /// Mean |û_{t+1} − u_{t+1}|, pixels per frame.
    public var mean: Double
    /// This group's share of the pairs' summed squared velocity error.
    public var shareOfPairError: Double

    /// The groups, in order: thirds of the frame, then "after a wall".
    public static let groups = ["0–1/3", "1/3–2/3", "2/3–1", "after a wall"]

    /// The group of a first contact at `instant` (nil: after a wall, the last group).
    static func group(_ instant: Double?) -> Int {
        let thirds = groups.count - 1
        guard let instant else { return thirds }
        return min(thirds - 1, Int(instant * Double(thirds)))
    }
}

/// The instant τ ∈ [0, 1] within a frame at which balls `a` and `b`, flying from their states
/// at the frame's start, first touch: the least root of |Δp + τ Δu| = r_a + r_b, since both
/// fall under the same gravity and their relative motion is a straight line until a bounce.
/// nil when they do not touch within the frame on that line (they meet only after a wall).
public func contactInstant(_ a: Ball, _ b: Ball) -> Double? {
    let dp = b.position - a.position, du = b.velocity - a.velocity, reach = a.radius + b.radius
    let qa = du.dot(du), qb = 2 * dp.dot(du), qc = dp.dot(dp) - reach * reach
    if qc <= 0 { return 0 }
    guard qa > 0 else { return nil }
    let disc = qb * qb - 4 * qa * qc
    guard disc >= 0 else { return nil }
    let tau = (-qb - disc.squareRoot()) / (2 * qa)
    return tau >= 0 && tau <= 1 ? tau : nil
}

extension StateModel {
    /// One-step velocity and position errors by event, from the simulator's own states of
    /// `seeds` clips of `scenario` (`frames` long): every transition t → t + 1, each ball
    /// classified by what the simulator resolves for it during the frame; and the pair
    /// collisions' velocity errors by the instant of first contact within the frame
    /// (`contactInstant`, a ball's first pair event of the frame).
    public func eventErrors(scenario: Scenario, seeds: [UInt64], frames: Int = 32) throws
        -> (events: [EventError], pairsByInstant: [ContactInstantError]) {
        var states: [WorldState] = [], truth: [WorldState] = [], kinds: [[FrameEvent]] = [], groups: [[Int]] = []
        for seed in seeds {
            let ep = try scenario.episode(seed: seed, frames: frames)
            for t in 0..<(frames - 1) {
                let s = WorldState(episode: ep, frame: t), next = WorldState(episode: ep, frame: t + 1)
                var sim = Simulator(scene: ep.scene, balls: ep.frames[t].balls)
                sim.step()
                let balls = ep.frames[t].balls
                var kind = [FrameEvent](repeating: .free, count: balls.count), group = [Int](repeating: 0, count: balls.count)
                var bounced = [Bool](repeating: false, count: balls.count)
                for e in sim.events {
                    switch e {
                    case let .wall(ball, _):
                        if kind[ball] == .free { kind[ball] = .wall }
                        bounced[ball] = true
                    case let .pair(a, b):
                        let g = ContactInstantError.group(bounced[a] || bounced[b] ? nil : contactInstant(balls[a], balls[b]))
                        for i in [a, b] where kind[i] != .pair {
                            kind[i] = .pair
                            group[i] = g
                        }
                    case .rest: break
                    }
                }
                // WorldState orders balls by colour; the simulator by id.
                let byColor = ep.frames[t].balls.indices.sorted { ep.frames[t].balls[$0].color < ep.frames[t].balls[$1].color }
                states.append(s)
                truth.append(next)
                kinds.append(byColor.map { kind[$0] })
                groups.append(byColor.map { group[$0] })
            }
        }
        var sum: [FrameEvent: (n: Int, e: Double, sq: Double, max: Double, p: Double)] = [:]
        var byInstant = [(n: Int, e: Double, sq: Double)](repeating: (0, 0, 0), count: ContactInstantError.groups.count)
        let batch = 256
        for start in stride(from: 0, to: states.count, by: batch) {
            let range = start..<min(states.count, start + batch)
            let predicted = step(Array(states[range]))
            for (k, b) in range.enumerated() {
                for i in predicted[k].balls.indices {
                    let e = (predicted[k].balls[i].velocity - truth[b].balls[i].velocity).length
                    let ep = (predicted[k].balls[i].position - truth[b].balls[i].position).length
                    var a = sum[kinds[b][i]] ?? (0, 0, 0, 0, 0)
                    a = (a.n + 1, a.e + e, a.sq + e * e, Swift.max(a.max, e), a.p + ep)
                    sum[kinds[b][i]] = a
                    if kinds[b][i] == .pair {
                        let g = groups[b][i]
                        byInstant[g] = (byInstant[g].n + 1, byInstant[g].e + e, byInstant[g].sq + e * e)
                    }
                }
            }
        }
        let total = FrameEvent.allCases.reduce(0) { $0 + (sum[$1]?.sq ?? 0) }
        let events = FrameEvent.allCases.map { kind in
            let a = sum[kind] ?? (0, 0, 0, 0, 0)
            let n = Double(Swift.max(a.n, 1))
            return EventError(event: kind, count: a.n, mean: a.e / n, max: a.max, positionMean: a.p / n,
                              shareOfSquaredError: total > 0 ? a.sq / total : 0)
        }
        let pairTotal = byInstant.reduce(0) { $0 + $1.sq }
        let pairs = zip(ContactInstantError.groups, byInstant).map { name, a in
            ContactInstantError(instants: name, count: a.n, mean: a.e / Double(Swift.max(a.n, 1)),
                                shareOfPairError: pairTotal > 0 ? a.sq / pairTotal : 0)
        }
        return (events, pairs)
    }
}

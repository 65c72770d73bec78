// Velocities read off positions at whole frames. Between events a ball's centre moves on a
// parabola, p(t) = p₀ + u₀ t + ½ g t², so three positions one frame apart with no event
// among them have a second difference of exactly g,
//
//   Δ²p = p_{t+1} − 2 p_t + p_{t−1} = g,
//
// and then u_t = (p_{t+1} − p_{t−1}) / 2 exactly (or the one-sided difference at either end).
// An event at time τ within one of the two frames that changes the velocity by J moves Δ²p
// off g by J times the share of the frame between τ and the outer position; one it cannot
// reveal (|Δ²p − g| below `tolerance`) leaves the central estimate of the middle velocity off
// by less than `tolerance` / 2. Perception's positions (DiscFit.swift) are good to about
// 1e-6 px (PerceptionTests), far below the tolerance. That is how training labels a ball's
// velocity at a frame from tracked positions alone, and how perception reads it at the end
// of a context (there from the last three positions, where an event just before the last
// frame goes unseen: the ball is then touching what it hits, and the next step resolves it
// at once).

import World

/// Flight: the velocity of a ball at a frame, from its positions around it. Written for a
/// position of any dimension: the flat world's pixels (Vec2) and the 3D box's units (Vec3,
/// Perception3D), each with the tolerance its positions are good to.
public enum Flight {
    /// Three positions whose second difference is within this many pixels of g lie on one
    /// free-flight parabola.
    public static let tolerance = 2e-3

    /// Whether positions `p[s ..< s + 3]` are all known and lie on a parabola of acceleration
    /// g, to `tolerance`.
    static func isFlight<V: SIMD>(_ p: [V?], from s: Int, gravity g: V, tolerance: Double = tolerance) -> Bool
    where V.Scalar == Double {
        guard s >= 0, s + 2 < p.count, let a = p[s], let b = p[s + 1], let c = p[s + 2] else { return false }
        let d = c - 2 * b + a - g
        return (d * d).sum().squareRoot() < tolerance
    }

    /// The acceleration of free flight in tracks of positions (one array per ball, nil where
    /// it was not seen): per axis, the median second difference over every three consecutive
    /// known positions. Most of a clip is free flight, whose second differences are all g.
    /// Nil without three consecutive positions.
    public static func gravity<V: SIMD>(_ tracks: [[V?]]) -> V? where V.Scalar == Double {
        var axes = [[Double]](repeating: [], count: V.scalarCount)
        for p in tracks where p.count >= 3 {
            for t in 1..<(p.count - 1) {
                guard let a = p[t - 1], let b = p[t], let c = p[t + 1] else { continue }
                let d = c - 2 * b + a
                for k in 0..<V.scalarCount { axes[k].append(d[k]) }
            }
        }
        guard !axes[0].isEmpty else { return nil }
        func median(_ v: [Double]) -> Double {
            let s = v.sorted()
            return s.count % 2 == 1 ? s[s.count / 2] : 0.5 * (s[s.count / 2 - 1] + s[s.count / 2])
        }
        var g = V()
        for k in 0..<V.scalarCount { g[k] = median(axes[k]) }
        return g
    }

    /// The velocity at frame `t` of a ball with positions `p`, from a parabola of free flight
    /// under `gravity` through three of its positions: those at t − 1, t and t + 1 when they
    /// are one, else the three ending at t, else the three starting at t (a frame next to an
    /// event on one side is read from the other); nil when none is (events on both sides) or
    /// a position is unknown. From an end of the three, an event within a sliver of a frame
    /// of t can go unseen; the ball is then touching what it meets, which is the same state
    /// to the model up to that sliver.
    public static func velocity<V: SIMD>(_ p: [V?], at t: Int, gravity: V, tolerance: Double = tolerance) -> V?
    where V.Scalar == Double {
        if isFlight(p, from: t - 1, gravity: gravity, tolerance: tolerance) { return (p[t + 1]! - p[t - 1]!) * 0.5 }
        if let u = velocityAtEnd(Array(p[...t]), gravity: gravity, tolerance: tolerance) { return u }
        if isFlight(p, from: t, gravity: gravity, tolerance: tolerance) { return (-3 * p[t]! + 4 * p[t + 1]! - p[t + 2]!) * 0.5 }
        return nil
    }

    /// The velocity at the last of `p`'s frames, from the parabola through its last three
    /// positions when they are one of free flight under `gravity`; nil when they are not.
    public static func velocityAtEnd<V: SIMD>(_ p: [V?], gravity: V, tolerance: Double = tolerance) -> V?
    where V.Scalar == Double {
        let t = p.count - 1
        guard isFlight(p, from: t - 2, gravity: gravity, tolerance: tolerance) else { return nil }
        return (3 * p[t]! - 4 * p[t - 1]! + p[t - 2]!) * 0.5
    }

    /// The velocity at the last of `p`'s frames assuming no event between its last two
    /// positions: their difference plus half of `gravity`; nil when either is unknown.
    public static func velocityOfLastFrame<V: SIMD>(_ p: [V?], gravity: V) -> V? where V.Scalar == Double {
        let t = p.count - 1
        guard t >= 1, let now = p[t], let before = p[t - 1] else { return nil }
        return now - before + gravity * 0.5
    }
}

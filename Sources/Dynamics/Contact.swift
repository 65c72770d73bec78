// The geometry of a step: when, under free flight, a ball next meets a wall or another ball,
// and which contacts are closing at an instant. Geometry only — what a contact does to the
// velocities is the network's to say.
//
// In free flight under g a ball moves on p(s) = p + u s + ½ g s²; against a wall that is a
// quadratic in s (Simulator.crossing), and between two balls under the same g it is a
// straight line, dp + du s (gravity cancels), which meets |·| = r_i + r_j at a root of a
// quadratic (Simulator.closingTime): the simulator's own event times. Units as in World: pixels and frames.

import World

/// Contact geometry of world states.
public enum Contact {
    /// A ball within this many pixels of a wall or of another ball (edge to edge) touches it.
    public static let touching = 1e-6

    /// A closing contact at an instant: ball `ball` against the wall across `axis` (`other`
    /// nil), or against ball `other`.
    public struct Touch: Equatable, Sendable {
        public var ball: Int
        public var axis: Int?
        public var other: Int?
    }

    /// When, within `horizon` frames, any ball of `s` first meets a wall or another ball in
    /// free flight under `g`; nil when none does by then. A contact that is touching and
    /// closing now is at 0. A ball lying on a wall with no speed into it, gravity pressing it
    /// there, meets nothing: it sinks for the rest of the frame, and the step's clamp puts it
    /// back (no scenario a state model is trained on rests).
    public static func firstTime(_ s: WorldState, gravity g: Vec2, within horizon: Double) -> Double? {
        var best: Double?
        func offer(_ t: Double?) {
            guard let t, t <= horizon else { return }
            if best == nil || t < best! { best = t }
        }
        let extent = Vec2(Double(s.width), Double(s.height))
        for (i, b) in s.balls.enumerated() {
            for axis in 0..<2 {
                let (low, high) = gaps(b, axis: axis, extent: extent)
                offer(Simulator.crossing(d: -high, v: b.velocity[axis], a: g[axis], pressedCounts: false))
                offer(Simulator.crossing(d: -low, v: -b.velocity[axis], a: -g[axis], pressedCounts: false))
            }
            for c in s.balls[(i + 1)...] {
                offer(Simulator.closingTime(dp: c.position - b.position, dv: c.velocity - b.velocity, radii: b.radius + c.radius))
            }
        }
        return best
    }

    /// The closing contacts of `s` at this instant: walls a ball touches and moves into, and
    /// ordered pairs (both directions) that touch and approach.
    public static func touches(_ s: WorldState) -> [Touch] {
        var out: [Touch] = []
        let extent = Vec2(Double(s.width), Double(s.height))
        for (i, b) in s.balls.enumerated() {
            for axis in 0..<2 {
                let (low, high) = gaps(b, axis: axis, extent: extent), u = b.velocity[axis]
                if (high <= touching && u > 0) || (low <= touching && u < 0) { out.append(Touch(ball: i, axis: axis)) }
            }
            for (j, c) in s.balls.enumerated() where j != i {
                let dp = c.position - b.position
                if dp.length - b.radius - c.radius <= touching && dp.dot(c.velocity - b.velocity) < 0 {
                    out.append(Touch(ball: i, other: j))
                }
            }
        }
        return out
    }

    /// Every ball of `s` moved `dt` frames in free flight under `g`.
    public static func advance(_ s: WorldState, by dt: Double, gravity g: Vec2) -> WorldState {
        guard dt > 0 else { return s }
        var out = s
        for i in out.balls.indices {
            out.balls[i].position += out.balls[i].velocity * dt + g * (0.5 * dt * dt)
            out.balls[i].velocity += g * dt
        }
        return out
    }

    /// The edge gaps of ball `b` to the low and high wall of `axis`.
    static func gaps(_ b: BallState, axis: Int, extent: Vec2) -> (low: Double, high: Double) {
        (b.position[axis] - b.radius, extent[axis] - b.radius - b.position[axis])
    }
}

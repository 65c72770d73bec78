// The geometry of a step in the 3D box: when, under free flight, a ball next meets one of the
// six walls or another ball, which contacts are closing at an instant, and the vectors a law's
// factors multiply there. Geometry only, and the simulator's own: a wall is a root of a
// quadratic per axis (Simulator.crossing), a pair the smaller root of |dp + dv t| = 2R
// (Simulator3D.closingTime; under one gravity the relative motion is a straight line). What a
// contact does to the velocities is the law's to say (Law3D). Units as in Box3D.

import World

/// Contact geometry of 3D world states.
public enum Contact3D {
    /// A ball within this many box units of a wall or of another ball (surface to surface)
    /// touches it.
    public static let touching = 1e-6

    /// What a law of contact reads of one ball at an instant: per axis, the speed at which it
    /// moves into a wall it touches (0 on an axis without one), w_i; the sum over the balls it
    /// touches and closes on of the closing speed along the normal times the normal,
    /// Σ_j w_ij n_ij (n_ij the unit vector from i to j, w_ij = (u_j − u_i)·n_ij < 0); and
    /// whether it is in any closing contact.
    public struct Features: Equatable, Sendable {
        public var wall = Vec3(0, 0, 0)
        public var pair = Vec3(0, 0, 0)
        public var inContact = false
    }

    /// When, within `horizon` frames, any ball of `s` first meets a wall or another ball in
    /// free flight under `g`; nil when none does by then. A contact that touches and closes now
    /// is at 0.
    public static func firstTime(_ s: WorldState3D, gravity g: Vec3, within horizon: Double) -> Double? {
        var best: Double?
        func offer(_ t: Double?) {
            guard let t, t <= horizon else { return }
            if best == nil || t < best! { best = t }
        }
        let r = s.ballRadius
        for (i, b) in s.balls.enumerated() {
            for axis in 0..<3 {
                offer(Simulator.crossing(d: b.position[axis] - (s.extent[axis] - r), v: b.velocity[axis], a: g[axis],
                                         pressedCounts: false))
                offer(Simulator.crossing(d: r - b.position[axis], v: -b.velocity[axis], a: -g[axis], pressedCounts: false))
            }
            for c in s.balls[(i + 1)...] {
                offer(Simulator3D.closingTime(dp: c.position - b.position, dv: c.velocity - b.velocity, radii: 2 * r))
            }
        }
        return best
    }

    /// Per ball of `s`, what a law reads of its closing contacts at this instant (`Features`).
    public static func features(_ s: WorldState3D) -> [Features] {
        let r = s.ballRadius
        var out = [Features](repeating: Features(), count: s.balls.count)
        for (i, b) in s.balls.enumerated() {
            for axis in 0..<3 {
                let low = b.position[axis] - r, high = s.extent[axis] - r - b.position[axis], u = b.velocity[axis]
                if (high <= touching && u > 0) || (low <= touching && u < 0) {
                    out[i].wall[axis] = u
                    out[i].inContact = true
                }
            }
            for (j, c) in s.balls.enumerated() where j != i {
                let dp = c.position - b.position, d = dp.length
                guard d - 2 * r <= touching, d > 0 else { continue }
                let n = dp / d, w = (c.velocity - b.velocity).dot(n)
                guard w < 0 else { continue }
                out[i].pair += w * n
                out[i].inContact = true
            }
        }
        return out
    }

    /// Every ball of `s` moved `dt` frames in free flight under `g`.
    public static func advance(_ s: WorldState3D, by dt: Double, gravity g: Vec3) -> WorldState3D {
        guard dt > 0 else { return s }
        var out = s
        for i in out.balls.indices {
            out.balls[i].position += out.balls[i].velocity * dt + g * (0.5 * dt * dt)
            out.balls[i].velocity += g * dt
        }
        return out
    }
}

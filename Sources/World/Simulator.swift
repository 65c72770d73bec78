// The event-driven simulator.
//
// Between events every ball moves on an exact parabola, p(t) = p + v t + ½ a t², with
// a = gravity (or friction while resting on the floor). Each frame is advanced by finding the
// earliest event in the time left — a ball reaching a wall, two balls touching, a sliding
// ball stopping — moving every ball exactly to that instant, resolving it, and repeating.
// Event times are roots of quadratics (for a ball pair under the same acceleration the
// relative motion is linear, so gravity cancels), so nothing tunnels at any speed and
// balls never overlap by more than rounding. With restitution 1 the only energy error is
// rounding (≈1e-14 relative over 10,000 frames).

/// What happened during a frame, in the order it happened.
public enum CollisionEvent: Equatable, Sendable {
    /// Ball `ball` bounced off a wall perpendicular to `axis` (0 = x, 1 = y).
    case wall(ball: Int, axis: Int)
    /// Balls `a` and `b` collided.
    case pair(a: Int, b: Int)
    /// Ball `ball` came to rest (stopped bouncing, or stopped sliding).
    case rest(ball: Int)
}

/// Advances a set of balls in a `Scene`, one frame per `step()`. Deterministic: the same
/// scene and balls give the same states bit for bit.
public struct Simulator: Sendable {
    /// The static world.
    public let scene: Scene
    /// The balls, in id order.
    public private(set) var balls: [Ball]
    /// Frames advanced so far.
    public private(set) var frame: Int = 0
    /// What happened during the last `step()`.
    public private(set) var events: [CollisionEvent] = []
    /// Frames in which the event cap was hit (a safety net; 0 in every scenario).
    public private(set) var overflows: Int = 0

    /// A frame with more events than this is finished without further events (safety net
    /// against an endless cascade; it never triggers in the shipped scenarios).
    static let maxEventsPerFrame = 10_000

    public init(scene: Scene, balls: [Ball]) {
        precondition(scene.restitution > 0 && scene.restitution <= 1, "restitution must be in (0, 1]")
        self.scene = scene
        self.balls = balls
    }

    // MARK: - Stepping

    /// Advances the world by one frame.
    public mutating func step() {
        events.removeAll(keepingCapacity: true)
        var remaining = 1.0
        var handled = 0
        while remaining > 0 {
            guard let (t, event) = nextEvent(within: remaining), handled < Simulator.maxEventsPerFrame else {
                advance(by: remaining)
                if handled >= Simulator.maxEventsPerFrame {
                    overflows += 1
                    clampIntoBox()
                }
                break
            }
            advance(by: t)
            remaining -= t
            resolve(event)
            handled += 1
        }
        frame += 1
    }

    /// The acceleration of ball `i` right now.
    @inline(__always)
    func acceleration(_ i: Int) -> Vec2 {
        let b = balls[i]
        guard b.resting, let floor = scene.floor else { return scene.gravity }
        let tangent = 1 - floor.axis
        var a = Vec2(0, 0)
        let v = b.velocity[tangent]
        if v != 0 { a[tangent] = v > 0 ? -scene.friction * gravityMagnitude : scene.friction * gravityMagnitude }
        return a
    }

    var gravityMagnitude: Double { scene.gravity.length }

    /// Moves every ball along its parabola by `dt` frames.
    mutating func advance(by dt: Double) {
        guard dt > 0 else { return }
        for i in balls.indices {
            let a = acceleration(i)
            balls[i].position += balls[i].velocity * dt + 0.5 * a * (dt * dt)
            balls[i].velocity += a * dt
        }
    }

    mutating func clampIntoBox() {
        for i in balls.indices {
            let r = balls[i].radius
            for axis in 0..<2 {
                balls[i].position[axis] = min(max(balls[i].position[axis], r), scene.extent(axis) - r)
            }
        }
    }

    // MARK: - Finding the next event

    enum Pending {
        case wall(Int, axis: Int, far: Bool)
        case pair(Int, Int)
        case stop(Int)
    }

    /// The earliest event within `horizon` frames, ties going to the lowest ball index.
    func nextEvent(within horizon: Double) -> (Double, Pending)? {
        var best: (Double, Pending)? = nil
        func offer(_ t: Double?, _ e: @autoclosure () -> Pending) {
            guard let t, t <= horizon else { return }
            if best == nil || t < best!.0 { best = (t, e()) }
        }
        let floor = scene.floor
        for i in balls.indices {
            let b = balls[i]
            let a = acceleration(i)
            for axis in 0..<2 {
                let hi = scene.extent(axis) - b.radius
                // In a scene where balls can come to rest, one pressed to the floor with no
                // speed "bounces" at once with speed 0 and so comes to rest.
                let pressed = floor != nil
                if let t = Simulator.crossing(d: b.position[axis] - hi, v: b.velocity[axis], a: a[axis],
                                              pressedCounts: pressed) {
                    offer(t, .wall(i, axis: axis, far: true))
                }
                if let t = Simulator.crossing(d: b.radius - b.position[axis], v: -b.velocity[axis], a: -a[axis],
                                              pressedCounts: pressed) {
                    offer(t, .wall(i, axis: axis, far: false))
                }
            }
            if b.resting, let floor, scene.friction > 0 {
                let v = b.velocity[1 - floor.axis]
                if v != 0 { offer(abs(v) / (scene.friction * gravityMagnitude), .stop(i)) }
            }
        }
        for i in balls.indices {
            for j in (i + 1)..<balls.count {
                offer(pairTime(i, j, horizon: horizon), .pair(i, j))
            }
        }
        return best
    }

    /// The first t ≥ 0 at which d + v t + ½ a t² rises through 0 (d is the signed distance
    /// past the wall, v and a point towards it).
    public static func crossing(d: Double, v: Double, a: Double, pressedCounts: Bool) -> Double? {
        if d >= 0 {
            if v > 0 { return 0 }
            if v == 0 && a > 0 { return pressedCounts ? 0 : nil }
        }
        if a == 0 {
            guard v > 0 else { return nil }
            return max(0, -d / v)
        }
        // Roots of ½a t² + v t + d = 0 in the cancellation-free form.
        let disc = v * v - 2 * a * d
        guard disc >= 0 else { return nil }
        let q = -0.5 * (v + (v >= 0 ? disc.squareRoot() : -disc.squareRoot()))
        let r1 = q / (0.5 * a)
        let r2 = q != 0 ? d / q : r1
        let (first, second) = r1 < r2 ? (r1, r2) : (r2, r1)
        if first > 0 && v + a * first > 0 { return first }
        if second > 0 && v + a * second > 0 { return second }
        return nil
    }

    /// When balls i and j next touch while approaching; 0 if they touch now and approach.
    func pairTime(_ i: Int, _ j: Int, horizon: Double) -> Double? {
        let dp = balls[j].position - balls[i].position
        let dv = balls[j].velocity - balls[i].velocity
        let da = acceleration(j) - acceleration(i)
        let rr = balls[i].radius + balls[j].radius
        if da == Vec2(0, 0) { return Simulator.closingTime(dp: dp, dv: dv, radii: rr) }
        if dp.lengthSquared <= rr * rr && dp.dot(dv) < 0 { return 0 }
        return Simulator.pairTimeMarching(dp: dp, dv: dv, da: da, rr: rr, horizon: horizon)
    }

    /// When two discs `radii` apart at their touch, at offset `dp` and moving apart at `dv`
    /// (relative motion a straight line: equal accelerations), first touch while closing; 0
    /// if they touch now and close, nil if they never do.
    public static func closingTime(dp: Vec2, dv: Vec2, radii rr: Double) -> Double? {
        let b = dp.dot(dv), c = dp.lengthSquared - rr * rr
        guard b < 0 else { return nil }
        if c <= 0 { return 0 }
        // |dp + dv t|² = rr²: a t² + 2 b t + c = 0, smaller root.
        let a = dv.lengthSquared
        let disc = b * b - a * c
        guard disc > 0 else { return nil }
        return max(0, c / (-b + disc.squareRoot()))
    }

    /// Unequal accelerations (one ball resting, one flying): the gap is a quartic in t, so
    /// march in steps of at most 0.05 px of relative motion and bisect the first contact.
    static func pairTimeMarching(dp: Vec2, dv: Vec2, da: Vec2, rr: Double, horizon: Double) -> Double? {
        func gap(_ t: Double) -> Double { (dp + dv * t + 0.5 * da * (t * t)).lengthSquared - rr * rr }
        let h = min(horizon, 0.05 / (dv.length + da.length * horizon + 1e-12))
        var lo = 0.0
        while lo < horizon {
            let hi = min(lo + h, horizon)
            if gap(hi) <= 0 {
                var (a, b) = (lo, hi)
                for _ in 0..<60 {
                    let m = 0.5 * (a + b)
                    if gap(m) <= 0 { b = m } else { a = m }
                }
                return b
            }
            lo = hi
        }
        return nil
    }

    // MARK: - Resolving events

    mutating func resolve(_ event: Pending) {
        let e = scene.restitution
        switch event {
        case let .wall(i, axis, far):
            let r = balls[i].radius
            balls[i].position[axis] = far ? scene.extent(axis) - r : r  // undo rounding past the wall
            balls[i].velocity[axis] = -e * balls[i].velocity[axis]
            events.append(.wall(ball: i, axis: axis))
            if let floor = scene.floor, axis == floor.axis, (far ? 1.0 : -1.0) == floor.side,
               abs(balls[i].velocity[axis]) < scene.restSpeed {
                balls[i].velocity[axis] = 0
                if !balls[i].resting { events.append(.rest(ball: i)) }
                balls[i].resting = true
            }
        case let .pair(i, j):
            balls[i].resting = false
            balls[j].resting = false
            let dp = balls[j].position - balls[i].position
            let n = dp / dp.length
            let u = (balls[j].velocity - balls[i].velocity).dot(n)
            if u < 0 {
                let mi = balls[i].mass, mj = balls[j].mass
                let impulse = -(1 + e) * u / (1 / mi + 1 / mj)
                balls[i].velocity -= (impulse / mi) * n
                balls[j].velocity += (impulse / mj) * n
            }
            events.append(.pair(a: i, b: j))
        case let .stop(i):
            if let floor = scene.floor { balls[i].velocity[1 - floor.axis] = 0 }
            events.append(.rest(ball: i))
        }
    }

    // MARK: - Conserved quantities

    /// Total energy: kinetic ½ m |v|² plus potential m g·(w − p), where w is the wall gravity
    /// points to (so the potential is ≥ 0 and zero on the floor).
    public var energy: Double {
        var total = 0.0
        for b in balls {
            var potential = 0.0
            for axis in 0..<2 {
                let g = scene.gravity[axis]
                if g > 0 { potential += g * (scene.extent(axis) - b.radius - b.position[axis]) }
                if g < 0 { potential += -g * (b.position[axis] - b.radius) }
            }
            total += b.mass * (0.5 * b.velocity.lengthSquared + potential)
        }
        return total
    }

    /// Total momentum Σ m v.
    public var momentum: Vec2 {
        balls.reduce(Vec2(0, 0)) { $0 + $1.mass * $1.velocity }
    }
}

// The event-driven simulator for the 3D box.
//
// The same scheme as the flat `Simulator`, with a third axis: between events every ball
// moves on an exact parabola, p(t) = p + v t + ½ g t². A frame is advanced by finding the
// earliest event in the time left — a ball reaching one of the six walls, or two balls
// touching — moving every ball exactly to that instant, resolving it, and repeating. Wall
// times are roots of quadratics (`Simulator.crossing`, per axis). Every ball feels the same
// gravity, so the relative motion of a pair is a straight line and its touching time is the
// smaller root of the quadratic |dp + dv t|² = (2R)². Nothing tunnels at any speed, balls
// never overlap by more than rounding, and collisions are elastic, so the energy changes
// only by rounding.

/// What happened during a frame of a `Simulator3D`, in the order it happened.
public enum CollisionEvent3D: Equatable, Sendable {
    /// Ball `ball` bounced off a wall perpendicular to `axis` (0 = x, 1 = y, 2 = z).
    case wall(ball: Int, axis: Int)
    /// Balls `a` and `b` collided.
    case pair(a: Int, b: Int)
}

/// Advances balls in a `Box3D`, one frame per `step()`. Deterministic: the same box and balls
/// give the same states bit for bit.
public struct Simulator3D: Sendable {
    /// The static world.
    public let box: Box3D
    /// The balls, in id order.
    public private(set) var balls: [Ball3D]
    /// Frames advanced so far.
    public private(set) var frame: Int = 0
    /// What happened during the last `step()`.
    public private(set) var events: [CollisionEvent3D] = []
    /// Frames in which the event cap was hit (a safety net; 0 in every scenario).
    public private(set) var overflows: Int = 0

    /// A frame with more events than this is finished without further events.
    static let maxEventsPerFrame = 10_000

    public init(box: Box3D, balls: [Ball3D]) {
        self.box = box
        self.balls = balls
    }

    // MARK: - Stepping

    /// Advances the world by one frame.
    public mutating func step() {
        step { _ in }
    }

    /// Advances the world by one frame, handing the world to `observe` right after each
    /// event is resolved (tests check the invariants there, not only at frame ends).
    mutating func step(observingEvents observe: (Simulator3D) -> Void) {
        events.removeAll(keepingCapacity: true)
        var remaining = 1.0
        var handled = 0
        while remaining > 0 {
            guard handled < Simulator3D.maxEventsPerFrame, let (t, event) = nextEvent(within: remaining) else {
                advance(by: remaining)
                if handled >= Simulator3D.maxEventsPerFrame {
                    overflows += 1
                    clampIntoBox()
                }
                break
            }
            advance(by: t)
            remaining -= t
            resolve(event)
            handled += 1
            observe(self)
        }
        frame += 1
    }

    /// Moves every ball along its parabola by `dt` frames.
    mutating func advance(by dt: Double) {
        guard dt > 0 else { return }
        let g = box.gravity
        for i in balls.indices {
            balls[i].position += balls[i].velocity * dt + 0.5 * g * (dt * dt)
            balls[i].velocity += g * dt
        }
    }

    mutating func clampIntoBox() {
        let r = box.ballRadius
        for i in balls.indices {
            for axis in 0..<3 {
                balls[i].position[axis] = min(max(balls[i].position[axis], r), box.extent(axis) - r)
            }
        }
    }

    // MARK: - Finding the next event

    enum Pending {
        case wall(Int, axis: Int, far: Bool)
        case pair(Int, Int)
    }

    /// The earliest event within `horizon` frames; on a tie, walls before pairs and lower
    /// ball indices first.
    func nextEvent(within horizon: Double) -> (Double, Pending)? {
        var best: (Double, Pending)? = nil
        func offer(_ t: Double?, _ e: @autoclosure () -> Pending) {
            guard let t, t <= horizon else { return }
            if best == nil || t < best!.0 { best = (t, e()) }
        }
        let r = box.ballRadius, g = box.gravity
        for i in balls.indices {
            let b = balls[i]
            for axis in 0..<3 {
                let hi = box.extent(axis) - r
                offer(Simulator.crossing(d: b.position[axis] - hi, v: b.velocity[axis], a: g[axis], pressedCounts: false),
                      .wall(i, axis: axis, far: true))
                offer(Simulator.crossing(d: r - b.position[axis], v: -b.velocity[axis], a: -g[axis], pressedCounts: false),
                      .wall(i, axis: axis, far: false))
            }
        }
        for i in balls.indices {
            for j in (i + 1)..<balls.count {
                offer(Simulator3D.closingTime(dp: balls[j].position - balls[i].position,
                                              dv: balls[j].velocity - balls[i].velocity, radii: 2 * r),
                      .pair(i, j))
            }
        }
        return best
    }

    /// When two spheres `radii` apart at their touch, at offset `dp` and moving apart at `dv`
    /// (relative motion a straight line: equal accelerations), first touch while closing; 0
    /// if they touch now and close, nil if they never do. `Simulator.closingTime` in 3D.
    public static func closingTime(dp: Vec3, dv: Vec3, radii rr: Double) -> Double? {
        let b = dp.dot(dv), c = dp.lengthSquared - rr * rr
        guard b < 0 else { return nil }
        if c <= 0 { return 0 }
        // |dp + dv t|² = rr²: a t² + 2 b t + c = 0, smaller root in the cancellation-free form.
        let a = dv.lengthSquared
        let disc = b * b - a * c
        guard disc > 0 else { return nil }
        return max(0, c / (-b + disc.squareRoot()))
    }

    // MARK: - Resolving events

    mutating func resolve(_ event: Pending) {
        switch event {
        case let .wall(i, axis, far):
            let r = box.ballRadius
            balls[i].position[axis] = far ? box.extent(axis) - r : r  // undo rounding past the wall
            balls[i].velocity[axis] = -balls[i].velocity[axis]
            events.append(.wall(ball: i, axis: axis))
        case let .pair(i, j):
            // Equal masses, elastic: the normal components of the two velocities swap.
            let dp = balls[j].position - balls[i].position
            let n = dp / dp.length
            let u = (balls[j].velocity - balls[i].velocity).dot(n)
            if u < 0 {
                balls[i].velocity += u * n
                balls[j].velocity -= u * n
            }
            events.append(.pair(a: i, b: j))
        }
    }

    // MARK: - Conserved quantities

    /// Total energy per unit ball mass: kinetic ½ |v|² plus potential g·(w − p), where w is
    /// the wall gravity points to along each axis (so the potential is ≥ 0).
    public var energy: Double {
        let r = box.ballRadius
        var total = 0.0
        for b in balls {
            var potential = 0.0
            for axis in 0..<3 {
                let g = box.gravity[axis]
                if g > 0 { potential += g * (box.extent(axis) - r - b.position[axis]) }
                if g < 0 { potential += -g * (b.position[axis] - r) }
            }
            total += 0.5 * b.velocity.lengthSquared + potential
        }
        return total
    }

    /// Total momentum per unit ball mass, Σ v.
    public var momentum: Vec3 {
        balls.reduce(Vec3(0, 0, 0)) { $0 + $1.velocity }
    }
}

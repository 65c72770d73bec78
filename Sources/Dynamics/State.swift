// Dynamics: the learned explicit-state world model, s_{t+1} = f(s_t). Perception reads a
// state from frames, an interaction network steps it, the rasterizer draws it.
//
// Units as in World: pixels and frames, origin top-left, y down. A ball's velocity is the
// backward difference of its positions, v_t = p_t − p_{t−1}: with it the integrator
// p_{t+1} = p_t + v_{t+1} is exact on a parabola (the second difference of p is g), so the
// network only has to learn Δv = v_{t+1} − v_t — g in free flight, a reflection at a bounce.
//
// Two positions cannot tell whether a bounce happened between them: a ball that just left
// a wall and one that drifts away from it slowly can have the same (p, v), and their next Δv
// differ. So a ball also carries its last change of velocity, v_t − v_{t−1} (nil when the
// context has fewer than three frames): the model's memory of its last event.
//
// Shapes: B examples, N balls (padded), K context frames, H height, W width. Planar frames
// are [T, 3, H, W] floats in [-1, 1], as `Rasterizer.planar` gives.

import World

/// One ball as the model sees it.
public struct BallState: Codable, Equatable, Sendable {
    /// Centre, pixels.
    public var position: Vec2
    /// Backward difference of the centre, pixels per frame (0 when seen in one frame only).
    public var velocity: Vec2
    /// The last change of velocity, v_t − v_{t−1}, pixels per frame²; nil when unknown.
    public var lastChange: Vec2?
    /// Pixels.
    public var radius: Double
    /// Palette index (identifies the ball: a clip never repeats a colour).
    public var color: Int

    public init(position: Vec2, velocity: Vec2, lastChange: Vec2? = nil, radius: Double, color: Int) {
        self.position = position
        self.velocity = velocity
        self.lastChange = lastChange
        self.radius = radius
        self.color = color
    }
}

/// The explicit state of a clip at one frame: its balls, in palette order.
public struct WorldState: Codable, Equatable, Sendable {
    /// Frame size, pixels (the walls are the image borders).
    public var width: Int
    public var height: Int
    public var balls: [BallState]

    public init(width: Int, height: Int, balls: [BallState]) {
        self.width = width
        self.height = height
        self.balls = balls
    }

    /// The state as the simulator's balls (ids in order), for drawing.
    public var simulatorBalls: [Ball] {
        balls.enumerated().map { i, b in
            Ball(id: i, position: b.position, velocity: b.velocity, radius: b.radius, color: b.color)
        }
    }

    /// Total energy as the simulator counts it (mass r², potential above the wall `gravity`
    /// points to), with the backward-difference velocity.
    public func energy(gravity: Vec2) -> Double {
        var total = 0.0
        for b in balls {
            var potential = 0.0
            let extent = [Double(width), Double(height)]
            for axis in 0..<2 {
                let g = gravity[axis]
                if g > 0 { potential += g * (extent[axis] - b.radius - b.position[axis]) }
                if g < 0 { potential += -g * (b.position[axis] - b.radius) }
            }
            total += b.radius * b.radius * (0.5 * b.velocity.lengthSquared + potential)
        }
        return total
    }
}

extension WorldState {
    /// The state of simulator frame `t` of `episode`, velocities as backward differences of
    /// the simulator's positions (0 at t = 0, last change nil before t = 2): the ground truth
    /// in the model's convention.
    public init(episode: Episode, frame t: Int) {
        let f = episode.frames
        let balls = f[t].balls.indices.map { i -> BallState in
            let b = f[t].balls[i]
            let v = t > 0 ? b.position - f[t - 1].balls[i].position : Vec2(0, 0)
            let change = t > 1 ? v - (f[t - 1].balls[i].position - f[t - 2].balls[i].position) : nil
            return BallState(position: b.position, velocity: v, lastChange: change, radius: b.radius, color: b.color)
        }
        self.init(width: episode.scene.width, height: episode.scene.height,
                  balls: balls.sorted { $0.color < $1.color })
    }
}

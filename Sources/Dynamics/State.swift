// Dynamics: the learned explicit-state world model, s_{t+1} = f(s_t). Perception reads a
// state from frames, a step advances it, the rasterizer draws it.
//
// Units as in World: pixels and frames, origin top-left, y down. A ball's velocity is its
// velocity at the frame's instant, u_t (the simulator's own), not a difference of positions:
// with it the state is Markov — what happens in the next frame depends on (p_t, u_t) alone,
// however recently the ball bounced. The structured state model's step (StateModel.step) is
// event by event: free flight under the learned g, p(s) = p + u s + ½ g s², up to the first
// contact within the frame; there the interaction network gives each touching ball its change
// of velocity; and on to the next contact or the end of the frame. The network learns the
// law — g, and what a contact does — and geometry says when contacts happen. The generic
// state model's step is one graph-network prediction per frame, given no law and no geometry
// (GraphNetwork.swift; the two kinds: StateLaw.swift).
//
// Shapes: B examples, N balls (padded), K context frames, H height, W width. Planar frames
// are [T, 3, H, W] floats in [-1, 1], as `Rasterizer.planar` gives.

import World

/// One ball as the model sees it.
public struct BallState: Codable, Equatable, Sendable {
    /// Centre, pixels.
    public var position: Vec2
    /// Velocity at the frame's instant, pixels per frame (0 when seen in one frame only).
    public var velocity: Vec2
    /// Pixels.
    public var radius: Double
    /// Palette index (identifies the ball: a clip never repeats a colour).
    public var color: Int

    public init(position: Vec2, velocity: Vec2, radius: Double, color: Int) {
        self.position = position
        self.velocity = velocity
        self.radius = radius
        self.color = color
    }
}

/// The explicit state of a clip at one frame: its balls, in palette order, and the static
/// world they move in.
public struct WorldState: Codable, Equatable, Sendable {
    /// Frame size, pixels (the walls are the image borders).
    public var width: Int
    public var height: Int
    public var balls: [BallState]
    /// Bars drawn over the balls; balls pass behind them without touching them.
    public var occluders: [Rect]

    public init(width: Int, height: Int, balls: [BallState], occluders: [Rect] = []) {
        self.width = width
        self.height = height
        self.balls = balls
        self.occluders = occluders
    }

    /// The state as the simulator's balls (ids in order), for drawing.
    public var simulatorBalls: [Ball] {
        balls.enumerated().map { i, b in
            Ball(id: i, position: b.position, velocity: b.velocity, radius: b.radius, color: b.color)
        }
    }

    /// Total energy as the simulator counts it (mass r², potential above the wall `gravity`
    /// points to).
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
    /// The simulator's state at frame `t` of `episode`, balls in palette order: the ground
    /// truth in the model's terms.
    public init(episode: Episode, frame t: Int) {
        let balls = episode.frames[t].balls.map {
            BallState(position: $0.position, velocity: $0.velocity, radius: $0.radius, color: $0.color)
        }
        self.init(width: episode.scene.width, height: episode.scene.height, balls: balls.sorted { $0.color < $1.color },
                  occluders: episode.scene.occluders)
    }
}

// The explicit state of the 3D box as the structured state model in 3D sees it: per ball its
// centre and its velocity at the frame's instant (box units, box units per frame; x right,
// y down, z away from the camera, as in World's Box3D), and its colour; for the scene, the
// one physical radius every ball shares, and the walls.
//
// What is given and what is read: the box's extents (its walls, as the flat model is given
// the image borders) and the camera are given; the radius R is perceived from the frames
// (Perception3D), and so are the balls. Gravity is not part of the state: it is the law's
// (Law3D).

import World

/// One ball of the 3D box as the model sees it.
public struct BallState3D: Equatable, Sendable {
    /// Centre, box units.
    public var position: Vec3
    /// Velocity at the frame's instant, box units per frame.
    public var velocity: Vec3
    /// Palette index (identifies the ball: a clip never repeats a colour).
    public var color: Int

    public init(position: Vec3, velocity: Vec3, color: Int) {
        self.position = position
        self.velocity = velocity
        self.color = color
    }
}

/// The state of a 3D clip at one frame: its balls in palette order, the radius they share and
/// the box they move in.
public struct WorldState3D: Equatable, Sendable {
    /// The box's extents (width, height, depth), box units; walls at 0 and at the extent on
    /// each axis.
    public var extent: Vec3
    /// The physical radius of every ball, box units.
    public var ballRadius: Double
    public var balls: [BallState3D]

    public init(extent: Vec3, ballRadius: Double, balls: [BallState3D]) {
        self.extent = extent
        self.ballRadius = ballRadius
        self.balls = balls
    }

    /// The simulator's state at frame `t` of `episode`, balls in palette order: the ground
    /// truth in the model's terms.
    public init(episode: Episode3D, frame t: Int) {
        let box = episode.box
        self.init(extent: Vec3(box.width, box.height, box.depth), ballRadius: box.ballRadius,
                  balls: episode.frames[t].balls
                      .map { BallState3D(position: $0.position, velocity: $0.velocity, color: $0.color) }
                      .sorted { $0.color < $1.color })
    }

    /// The box of this state under `gravity` (box units per frame²), for World's functions
    /// (projection, drawing order, the simulator).
    public func box(gravity: Vec3) -> Box3D {
        Box3D(width: extent.x, height: extent.y, depth: extent.z, gravity: gravity, ballRadius: ballRadius)
    }

    /// The balls as the simulator's (ids in order).
    public var simulatorBalls: [Ball3D] {
        balls.enumerated().map { i, b in Ball3D(id: i, position: b.position, velocity: b.velocity, color: b.color) }
    }
}

/// One ball of the simulation. Mass is proportional to area: `mass = radius²`.
public struct Ball: Equatable, Sendable {
    /// Stable identity within a clip (0, 1, …).
    public var id: Int
    /// Centre, pixels.
    public var position: Vec2
    /// Pixels per frame.
    public var velocity: Vec2
    /// Pixels.
    public var radius: Double
    /// `radius²` (arbitrary units; only ratios matter).
    public var mass: Double
    /// Index into `Palette.colors`.
    public var color: Int
    /// Lying on the floor (only in scenes with `restitution < 1`): gravity is balanced by
    /// the floor, and sliding friction slows the ball to a stop.
    public var resting: Bool

    public init(id: Int, position: Vec2, velocity: Vec2, radius: Double, color: Int, resting: Bool = false) {
        self.id = id
        self.position = position
        self.velocity = velocity
        self.radius = radius
        self.mass = radius * radius
        self.color = color
        self.resting = resting
    }
}

/// The static part of a world: box, forces, occluders and darkness.
public struct Scene: Codable, Equatable, Sendable {
    /// Image width in pixels; the walls are at x = 0 and x = width.
    public var width: Int
    /// Image height in pixels; the walls are at y = 0 and y = height.
    public var height: Int
    /// Acceleration, pixels per frame² (y down, so `[0, 0.1]` pulls towards the bottom).
    public var gravity: Vec2
    /// Ratio of normal speed after to before a bounce, for walls and ball pairs. 1 = elastic.
    public var restitution: Double
    /// Sliding-friction coefficient μ for balls resting on the floor: they decelerate at μ|g|.
    public var friction: Double
    /// A bounce off the floor slower than this (pixels per frame) leaves the ball resting;
    /// used only when `restitution < 1` (otherwise bounces never die out).
    public var restSpeed: Double
    /// Static bars drawn over the balls; balls pass behind them without touching them.
    public var occluders: [Rect]
    /// Frame ranges during which the scene is dark: nothing is drawn and no ball is visible.
    public var darkness: [Range<Int>]

    public init(
        width: Int = 32, height: Int = 32, gravity: Vec2 = Vec2(0, 0.1), restitution: Double = 1,
        friction: Double = 0, restSpeed: Double = 0.15, occluders: [Rect] = [], darkness: [Range<Int>] = []
    ) {
        self.width = width
        self.height = height
        self.gravity = gravity
        self.restitution = restitution
        self.friction = friction
        self.restSpeed = restSpeed
        self.occluders = occluders
        self.darkness = darkness
    }

    /// Whether frame `t` is dark.
    public func isDark(_ t: Int) -> Bool { darkness.contains { $0.contains(t) } }

    /// The floor for resting contact: (axis, side) where side is +1 for the wall at the far
    /// end (y = height for gravity pointing down). Nil unless bounces can die out
    /// (`restitution < 1`) and gravity points along one axis.
    var floor: (axis: Int, side: Double)? {
        guard restitution < 1 else { return nil }
        if gravity.x == 0 && gravity.y != 0 { return (1, gravity.y > 0 ? 1 : -1) }
        if gravity.y == 0 && gravity.x != 0 { return (0, gravity.x > 0 ? 1 : -1) }
        return nil
    }

    /// The size along `axis` (0 = x, 1 = y).
    @inlinable func extent(_ axis: Int) -> Double { Double(axis == 0 ? width : height) }
}

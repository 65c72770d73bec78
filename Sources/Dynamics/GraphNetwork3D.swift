// The generic law in the 3D box (GraphNetwork.swift, d = 3): what it reads of a WorldState3D —
// each ball's centre, velocity and the radius every ball shares, and the six walls at 0 and at
// the box's extents — and its architecture config. Units are box units and frames.

import Tensor
import World

/// The graph network's shape in the box and the scales that bring its inputs and outputs to
/// O(1). `depth`'s camera maps one box unit to about one pixel, so the flat model's scales
/// carry over.
public struct GraphNetworkConfig3D: GraphArchitecture {
    public typealias State = WorldState3D

    /// Hidden width and number of hidden layers of the relation MLP (per ordered ball pair).
    public var relationHidden = 128
    public var relationLayers = 2
    /// Width of a relation's effect, summed over senders.
    public var effectWidth = 64
    /// Hidden width and number of hidden layers of the object MLP (per ball).
    public var objectHidden = 128
    public var objectLayers = 2
    /// Inputs are divided by these: displacements, distances and distances to the walls (box
    /// units), velocities (box units per frame), radii (box units).
    public var distanceScale = 1.0
    public var velocityScale = 0.5
    public var radiusScale = 4.0
    /// The network's outputs times this are Δu (box units per frame) and δp (box units).
    public var deltaScale = 1.0
    /// How the new position is formed from δp: the trapezoid's or the old velocity's (PositionStep).
    public var positionStep = PositionStep.trapezoid
    /// Whether the relation reads each pair in its own frame (GraphNetwork.swift).
    public var pairFrame = false
    /// Whether the relation also reads both balls' own inputs (GraphNetwork.swift).
    public var relationReadsBalls = false
    /// With it, the relation reads their positions and wall distances in units of this.
    public var ballDistanceScale = 8.0

    public init() {}

    /// Read from a checkpoint's config.json: every key of the MLPs and scales must be there;
    /// `positionStep`, `pairFrame` and `relationReadsBalls` may be left out, and then take the
    /// trapezoid, the world's axes and the pair's inputs alone (data/generic-state3d's config
    /// has none of them).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        relationHidden = try c.decode(Int.self, forKey: .relationHidden)
        relationLayers = try c.decode(Int.self, forKey: .relationLayers)
        effectWidth = try c.decode(Int.self, forKey: .effectWidth)
        objectHidden = try c.decode(Int.self, forKey: .objectHidden)
        objectLayers = try c.decode(Int.self, forKey: .objectLayers)
        distanceScale = try c.decode(Double.self, forKey: .distanceScale)
        velocityScale = try c.decode(Double.self, forKey: .velocityScale)
        radiusScale = try c.decode(Double.self, forKey: .radiusScale)
        deltaScale = try c.decode(Double.self, forKey: .deltaScale)
        positionStep = try c.decodeIfPresent(PositionStep.self, forKey: .positionStep) ?? .trapezoid
        pairFrame = try c.decodeIfPresent(Bool.self, forKey: .pairFrame) ?? false
        relationReadsBalls = try c.decodeIfPresent(Bool.self, forKey: .relationReadsBalls) ?? false
        ballDistanceScale = try c.decodeIfPresent(Double.self, forKey: .ballDistanceScale) ?? 8
    }
}

extension WorldState3D: GraphState {
    public var walls: Vec3 { extent }
    public var ballCount: Int { balls.count }
    public func ball(_ i: Int) -> (position: Vec3, velocity: Vec3, radius: Double) {
        (balls[i].position, balls[i].velocity, ballRadius)
    }
    public mutating func move(_ i: Int, to position: Vec3, velocity: Vec3) {
        balls[i].position = position
        balls[i].velocity = velocity
    }
}

extension GraphNetwork where Config == GraphNetworkConfig3D {
    /// The radius of the lone ball `restingChange(in:)` asks about, box units: the training
    /// scenario's (depth: 3). Perception asks before it has read R from the frames.
    public static var restingRadius: Double { 3 }

    /// The network's change of velocity for a lone ball at rest in the middle of a box of
    /// `extent`, box units per frame: what it has learned of gravity, where no wall or ball is
    /// near. Perception reads falls and free-flight parabolas with it (StateModel3D.perceive).
    public func restingChange(in extent: Vec3) -> Vec3 {
        let ball = BallState3D(position: extent / 2, velocity: Vec3(0, 0, 0), color: 0)
        return velocityChanges(WorldState3D(extent: extent, ballRadius: Self.restingRadius, balls: [ball]))[0]
    }
}

// The 3D world beside the flat one: a box with depth, seen through a pinhole camera.
//
// Box coordinates, in box units: x to the right in [0, width], y down in [0, height], z away
// from the camera in [0, depth]; the face z = 0 is the one nearest the camera. Gravity pulls
// along +y, the image's down axis, as in the flat world. Every ball in a box has the same
// physical radius and the same mass, so a ball's apparent size in the image tells its depth
// and nothing else. `PinholeCamera` says how box units become pixels.

/// A 3-D vector in box units (or box units per frame). Encodes to JSON as `[x, y, z]`.
public typealias Vec3 = SIMD3<Double>

extension SIMD3 where Scalar == Double {
    /// The dot product.
    @inlinable public func dot(_ o: SIMD3<Double>) -> Double { x * o.x + y * o.y + z * o.z }
    /// The squared Euclidean length.
    @inlinable public var lengthSquared: Double { x * x + y * y + z * z }
    /// The Euclidean length.
    @inlinable public var length: Double { lengthSquared.squareRoot() }
}

/// One ball in a `Box3D`. Radius and mass are the box's, the same for every ball.
public struct Ball3D: Equatable, Sendable {
    /// Stable identity within a clip (0, 1, …).
    public var id: Int
    /// Centre, box units.
    public var position: Vec3
    /// Box units per frame.
    public var velocity: Vec3
    /// Index into `Palette.colors`.
    public var color: Int

    public init(id: Int, position: Vec3, velocity: Vec3, color: Int) {
        self.id = id
        self.position = position
        self.velocity = velocity
        self.color = color
    }
}

/// The static part of a 3D world: the box, gravity and the one ball radius. Collisions with
/// the six walls and between balls are elastic.
public struct Box3D: Codable, Equatable, Sendable {
    /// Extent along x, box units; walls at x = 0 and x = width.
    public var width: Double
    /// Extent along y (down), box units; walls at y = 0 and y = height.
    public var height: Double
    /// Extent along z (away from the camera), box units; walls at z = 0 and z = depth.
    public var depth: Double
    /// Acceleration, box units per frame² (y down, so `[0, 0.1, 0]` pulls towards the floor).
    public var gravity: Vec3
    /// The physical radius of every ball, box units.
    public var ballRadius: Double

    public init(width: Double = 24, height: Double = 24, depth: Double = 24,
                gravity: Vec3 = Vec3(0, 0.1, 0), ballRadius: Double = 3) {
        precondition(2 * ballRadius < min(width, height, depth), "a ball of radius \(ballRadius) does not fit")
        self.width = width
        self.height = height
        self.depth = depth
        self.gravity = gravity
        self.ballRadius = ballRadius
    }

    /// The size along `axis` (0 = x, 1 = y, 2 = z).
    @inlinable public func extent(_ axis: Int) -> Double { axis == 0 ? width : axis == 1 ? height : depth }

    /// The centre of the box.
    public var center: Vec3 { Vec3(width / 2, height / 2, depth / 2) }

    /// Whether a ball centred at `p` lies inside the box, up to `tolerance` past a wall.
    public func holds(_ p: Vec3, tolerance: Double = 0) -> Bool {
        (0..<3).allSatisfy { axis in
            p[axis] >= ballRadius - tolerance && p[axis] <= extent(axis) - ballRadius + tolerance
        }
    }

    /// The eight corners of the box.
    public var corners: [Vec3] {
        [0.0, 1.0].flatMap { i in
            [0.0, 1.0].flatMap { j in [0.0, 1.0].map { k in Vec3(i * width, j * height, k * depth) } }
        }
    }
}

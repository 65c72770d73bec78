// The per-frame state export of a 3D clip: the flat states JSON (docs/ARCHITECTURE.md, "Formats") with
// a third coordinate and the camera. One JSON object per clip,
// {"scenario", "seed", "size": [H, W], "gravity": [gx, gy, gz], "restitution", "frames": [{"t",
// "balls": [{"id", "position": [x, y, z], "velocity": [vx, vy, vz], "radius", "mass", "color",
// "visible"}]}]}, positions in box units (x right, y down, z away from the camera, origin at
// the top-left corner of the box's near face), velocities in box units per frame.
// Extra fields: per clip "box": [width, height, depth] and "camera": {"focalLength" (pixels),
// "distance" (pinhole to near face, box units), "imageWidth", "imageHeight"}; per ball
// "colorIndex", "visibleFraction", and what the image shows: "projected": [u, v] (pixels,
// origin top-left, pixel centres at +0.5), "projectedVelocity": [du, dv] (pixels per frame),
// "apparentRadius" (pixels) and "depth" (camera depth Z of the centre, box units).

/// A 3D clip's states as written to JSON.
public struct DepthStatesRecord: Codable, Equatable, Sendable {
    public var scenario: String
    public var seed: UInt64
    /// [H, W], the image
    public var size: [Int]
    /// [gx, gy, gz], box units per frame²
    public var gravity: [Double]
    /// Always 1: the 3D box is elastic.
    public var restitution: Double
    /// [width, height, depth], box units
    public var box: [Double]
    public var camera: PinholeCamera
    public var frames: [FrameRecord]

    /// One frame.
    public struct FrameRecord: Codable, Equatable, Sendable {
        public var t: Int
        public var balls: [BallRecord]
    }

    /// One ball at one frame.
    public struct BallRecord: Codable, Equatable, Sendable {
        public var id: Int
        /// [x, y, z], box units
        public var position: [Double]
        /// [vx, vy, vz], box units per frame
        public var velocity: [Double]
        /// The physical radius, box units (the same for every ball).
        public var radius: Double
        /// The same for every ball: 1.
        public var mass: Double
        /// [r, g, b], 0–255
        public var color: [Int]
        /// Index into `Palette.colors`.
        public var colorIndex: Int
        public var visible: Bool
        public var visibleFraction: Double
        /// [u, v], pixels
        public var projected: [Double]
        /// [du, dv], pixels per frame
        public var projectedVelocity: [Double]
        /// f R / Z, pixels
        public var apparentRadius: Double
        /// Z, box units
        public var depth: Double
    }
}

extension Episode3D {
    /// The states in the export schema.
    public var record: DepthStatesRecord {
        DepthStatesRecord(
            scenario: scenario, seed: seed, size: [camera.imageHeight, camera.imageWidth],
            gravity: [box.gravity.x, box.gravity.y, box.gravity.z], restitution: 1,
            box: [box.width, box.height, box.depth], camera: camera,
            frames: frames.map { f in
                DepthStatesRecord.FrameRecord(t: f.t, balls: f.balls.indices.map { i in
                    let b = f.balls[i]
                    let image = camera.imageBall(b, in: box)
                    return DepthStatesRecord.BallRecord(
                        id: b.id, position: [b.position.x, b.position.y, b.position.z],
                        velocity: [b.velocity.x, b.velocity.y, b.velocity.z], radius: box.ballRadius, mass: 1,
                        color: Palette.colors[b.color].array, colorIndex: b.color, visible: f.visible[i],
                        visibleFraction: f.visibleFraction[i], projected: [image.position.x, image.position.y],
                        projectedVelocity: [image.velocity.x, image.velocity.y], apparentRadius: image.radius,
                        depth: camera.depth(b.position.z))
                })
            })
    }

    /// The states as JSON bytes (keys sorted, so equal clips give equal bytes).
    public func statesJSON() throws -> [UInt8] {
        try PrettyJSON.bytes(record)
    }
}

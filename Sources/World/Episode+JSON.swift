import Foundation

// The per-frame state export (docs/ARCHITECTURE.md, "Formats"): one JSON object per clip,
// {"scenario", "seed", "size": [H, W], "gravity": [gx, gy], "restitution", "frames": [{"t",
// "balls": [{"id", "position", "velocity", "radius", "mass", "color", "visible"}]}]}.
// Extra fields: per clip "friction", "occluders", "darkness" ([start, end) frame ranges);
// per frame "dark"; per ball "colorIndex", "visibleFraction", "resting".

/// A clip's states as written to JSON.
public struct StatesRecord: Codable, Equatable, Sendable {
    public var scenario: String
    public var seed: UInt64
    /// [H, W]
    public var size: [Int]
    /// [gx, gy], pixels per frame²
    public var gravity: [Double]
    public var restitution: Double
    public var friction: Double
    public var occluders: [Rect]
    /// [[start, end), …] frame ranges
    public var darkness: [[Int]]
    public var frames: [FrameRecord]

    /// One frame.
    public struct FrameRecord: Codable, Equatable, Sendable {
        public var t: Int
        public var dark: Bool
        public var balls: [BallRecord]
    }

    /// One ball at one frame.
    public struct BallRecord: Codable, Equatable, Sendable {
        public var id: Int
        /// [x, y], pixels
        public var position: [Double]
        /// [vx, vy], pixels per frame
        public var velocity: [Double]
        public var radius: Double
        public var mass: Double
        /// [r, g, b], 0–255
        public var color: [Int]
        /// Index into `Palette.colors`.
        public var colorIndex: Int
        public var visible: Bool
        public var visibleFraction: Double
        public var resting: Bool
    }
}

extension Episode {
    /// The states in the export schema.
    public var record: StatesRecord {
        StatesRecord(
            scenario: scenario, seed: seed, size: [scene.height, scene.width],
            gravity: [scene.gravity.x, scene.gravity.y], restitution: scene.restitution,
            friction: scene.friction, occluders: scene.occluders,
            darkness: scene.darkness.map { [$0.lowerBound, $0.upperBound] },
            frames: frames.map { f in
                StatesRecord.FrameRecord(t: f.t, dark: f.dark, balls: f.balls.indices.map { i in
                    let b = f.balls[i]
                    return StatesRecord.BallRecord(
                        id: b.id, position: [b.position.x, b.position.y], velocity: [b.velocity.x, b.velocity.y],
                        radius: b.radius, mass: b.mass, color: Palette.colors[b.color].array, colorIndex: b.color,
                        visible: f.visible[i], visibleFraction: f.visibleFraction[i], resting: b.resting)
                })
            })
    }

    /// The states as JSON bytes (keys sorted, so equal clips give equal bytes).
    public func statesJSON() throws -> [UInt8] {
        try PrettyJSON.bytes(record)
    }
}

// Every named scenario, of the flat world and of the 3D box, behind one lookup: what
// `vidgen data` draws. A clip of either comes out in the same layouts — packed frames
// [T, H, W, 3] and the states as JSON (the 3D one with its extra fields, Episode3D+JSON).

/// A named scenario of the flat world (`Scenario`) or of the 3D box (`DepthScenario`).
public enum WorldScenario: Sendable {
    case flat(Scenario)
    case depth(DepthScenario)

    /// Every scenario name: the flat ones, then the 3D ones.
    public static var names: [String] { Scenario.names + DepthScenario.names }

    /// The scenario called `name`, of either world.
    public static func named(_ name: String) throws -> WorldScenario {
        if let s = Scenario.all.first(where: { $0.name == name }) { return .flat(s) }
        if let s = DepthScenario.all.first(where: { $0.name == name }) { return .depth(s) }
        throw WorldError.unknownScenario(name, valid: names)
    }

    /// The name used on the command line.
    public var name: String {
        switch self {
        case let .flat(s): s.name
        case let .depth(s): s.name
        }
    }

    /// Frames a clip has when none are asked for.
    public var defaultFrames: Int {
        switch self {
        case let .flat(s): s.defaultFrames
        case let .depth(s): s.defaultFrames
        }
    }

    /// The scenario drawn at `size` × `size` pixels: a flat one scaled (`Scenario.resized`),
    /// a 3D one seen by its camera with the focal length scaled by the same factor, so the
    /// box fills the image as it did.
    public func resized(to size: Int) -> WorldScenario {
        switch self {
        case let .flat(s): return .flat(s.resized(to: size))
        case var .depth(s):
            guard size != s.camera.imageWidth || size != s.camera.imageHeight else { return self }
            let c = s.camera
            s.camera = PinholeCamera(focalLength: c.focalLength * Double(size) / Double(c.imageWidth),
                                     distance: c.distance, imageWidth: size, imageHeight: size)
            return .depth(s)
        }
    }

    /// The clip for `seed` with `frames` frames (`Scenario.episode`, `DepthScenario.episode`).
    public func clip(seed: UInt64, frames: Int) throws -> WorldClip {
        switch self {
        case let .flat(s): try .flat(s.episode(seed: seed, frames: frames))
        case let .depth(s): try .depth(s.episode(seed: seed, frames: frames))
        }
    }
}

/// A simulated clip of either world.
public enum WorldClip: Sendable {
    case flat(Episode)
    case depth(Episode3D)

    /// T, the number of frames.
    public var count: Int {
        switch self {
        case let .flat(e): e.count
        case let .depth(e): e.count
        }
    }

    /// The image size (H, W), pixels.
    public var size: (height: Int, width: Int) {
        switch self {
        case let .flat(e): (e.scene.height, e.scene.width)
        case let .depth(e): (e.camera.imageHeight, e.camera.imageWidth)
        }
    }

    /// The frames, packed `[T, H, W, 3]` bytes.
    public var bytes: [UInt8] {
        switch self {
        case let .flat(e): Rasterizer.bytes(e)
        case let .depth(e): Rasterizer.bytes(e)
        }
    }

    /// Frames `range`, planar `[T, 3, H, W]` in [-1, 1]: what the video models train on.
    public func planar(_ range: Range<Int>) -> [Float] {
        switch self {
        case let .flat(e): Rasterizer.planar(Array(e.frames[range]), scene: e.scene)
        case let .depth(e): Rasterizer.planar(range.map { e.imageFrame($0) }, scene: e.imageScene)
        }
    }

    /// The states as JSON bytes (docs/ARCHITECTURE.md "Formats"; the 3D export for a depth clip).
    public func statesJSON() throws -> [UInt8] {
        switch self {
        case let .flat(e): try e.statesJSON()
        case let .depth(e): try e.statesJSON()
        }
    }
}

/// An sRGB colour with 8-bit channels. Encodes to JSON as `[r, g, b]`.
public struct RGB8: Codable, Equatable, Hashable, Sendable {
    public var r: UInt8
    public var g: UInt8
    public var b: UInt8

    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) {
        self.r = r
        self.g = g
        self.b = b
    }

    /// The channels as `[r, g, b]` in 0–255.
    public var array: [Int] { [Int(r), Int(g), Int(b)] }
    /// The channels as Floats in [0, 1].
    public var unit: SIMD3<Float> { SIMD3(Float(r), Float(g), Float(b)) / 255 }

    public init(from decoder: Decoder) throws {
        var c = try decoder.unkeyedContainer()
        self.init(try c.decode(UInt8.self), try c.decode(UInt8.self), try c.decode(UInt8.self))
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.unkeyedContainer()
        try c.encode(r)
        try c.encode(g)
        try c.encode(b)
    }
}

/// The ball colours: eight fully saturated hues 45° apart on the HSV wheel. As directions in
/// RGB space any two are at least 26° apart (amber–lime, violet–magenta), and a ball
/// blended with the black background at its anti-aliased edge keeps its direction, which
/// is what the tracker matches. A clip never uses one colour twice.
public enum Palette {
    /// The ball colours, index = palette index.
    public static let colors: [RGB8] = [
        RGB8(255, 0, 0),  // 0 red        0°
        RGB8(255, 191, 0),  // 1 amber     45°
        RGB8(128, 255, 0),  // 2 lime      90°
        RGB8(0, 255, 64),  // 3 green     135°
        RGB8(0, 255, 255),  // 4 cyan      180°
        RGB8(0, 64, 255),  // 5 blue      225°
        RGB8(128, 0, 255),  // 6 violet    270°
        RGB8(255, 0, 191),  // 7 magenta   315°
    ]

    /// Human-readable names, same order as `colors`.
    public static let names = ["red", "amber", "lime", "green", "cyan", "blue", "violet", "magenta"]

    /// The colour of static occluder bars: a neutral grey, so it has no hue and can never be
    /// mistaken for a ball.
    public static let occluder = RGB8(128, 128, 128)

    /// The background colour.
    public static let background = RGB8(0, 0, 0)
}

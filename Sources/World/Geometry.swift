// World: the explicit-state physics that makes vidgen's training data and is the ground
// truth every experiment is scored against.
//
// Units everywhere in World: pixels and frames. Positions are in pixels with the origin at
// the top-left corner of the image, x to the right, y down; pixel (i, j) covers
// [i, i+1) × [j, j+1), so its centre is at (i + 0.5, j + 0.5). Velocities are pixels per
// frame, accelerations pixels per frame².

/// A 2-D vector in pixels (or pixels per frame). Encodes to JSON as `[x, y]`.
public typealias Vec2 = SIMD2<Double>

extension SIMD2 where Scalar == Double {
    /// The dot product.
    @inlinable public func dot(_ o: SIMD2<Double>) -> Double { x * o.x + y * o.y }
    /// The squared Euclidean length.
    @inlinable public var lengthSquared: Double { x * x + y * y }
    /// The Euclidean length.
    @inlinable public var length: Double { lengthSquared.squareRoot() }
}

/// An axis-aligned rectangle in pixels: [x, x + width) × [y, y + height).
public struct Rect: Codable, Equatable, Hashable, Sendable {
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double

    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// The right edge, `x + width`.
    public var maxX: Double { x + width }
    /// The bottom edge, `y + height`.
    public var maxY: Double { y + height }

    /// Whether `p` lies inside the rectangle.
    @inlinable public func contains(_ p: Vec2) -> Bool {
        p.x >= x && p.x < x + width && p.y >= y && p.y < y + height
    }

    /// Whether the whole disc of `radius` around `center` lies inside the rectangle.
    public func containsDisc(center: Vec2, radius: Double) -> Bool {
        center.x - radius >= x && center.x + radius <= maxX
            && center.y - radius >= y && center.y + radius <= maxY
    }

    /// Whether the disc of `radius` around `center` misses the rectangle entirely.
    public func missesDisc(center: Vec2, radius: Double) -> Bool {
        let nx = Swift.min(Swift.max(center.x, x), maxX)
        let ny = Swift.min(Swift.max(center.y, y), maxY)
        let d = Vec2(center.x - nx, center.y - ny)
        return d.lengthSquared >= radius * radius
    }
}

// How the 3D box becomes a flat image: a pinhole camera on the box's central axis, in front
// of the near face, looking into the box along +z.
//
// A point at box coordinates (x, y, z) lies at camera depth Z = z + distance; its image is
//   u = cx + f (x − width/2) / Z,   v = cy + f (y − height/2) / Z,
// with (cx, cy) the image centre and f the focal length in pixels. A ball of radius R whose
// centre is at depth Z is drawn as a disc of apparent radius r = f R / Z: the sphere's
// small-angle size, so that apparent size is exactly inverse depth. (A true pinhole outline
// is larger by 1/√(1 − (R/Z)²) on the axis — at most 0.3% in `depth`, 1% in `depth-near` —
// and slightly elliptical off it.)
//
// Framing rule. A perspective camera cannot both map the box's x/y extent at mid depth to
// the whole image and keep the whole box in view: the near face always looks larger than
// the mid-depth section. vidgen keeps the whole box in view — `PinholeCamera.framing` picks
// f so that the near face exactly fills the image, so every ball, drawn disc and all, is in
// the image at every depth — and then chooses the box and the distance so that the depth
// scenario's focal length equals the mid-depth distance: there one box unit is one pixel,
// the ball radius 3 is a 3-pixel disc and gravity 0.1 is 0.1 px/frame², as in the flat world.

import Foundation

/// A pinhole camera looking along +z at a `Box3D`, centred on the box's x/y centre.
public struct PinholeCamera: Codable, Equatable, Sendable {
    /// Focal length, pixels.
    public var focalLength: Double
    /// From the pinhole to the box's near face (z = 0), box units.
    public var distance: Double
    /// Image size, pixels.
    public var imageWidth: Int
    public var imageHeight: Int

    public init(focalLength: Double, distance: Double, imageWidth: Int = 32, imageHeight: Int = 32) {
        precondition(focalLength > 0 && distance > 0, "focal length and distance must be positive")
        self.focalLength = focalLength
        self.distance = distance
        self.imageWidth = imageWidth
        self.imageHeight = imageHeight
    }

    /// The camera at `distance` from the near face of `box` whose focal length makes the near
    /// face exactly fill the image along its tighter axis, so the whole box is in view.
    public static func framing(_ box: Box3D, distance: Double, imageWidth: Int = 32, imageHeight: Int = 32) -> PinholeCamera {
        let f = min(Double(imageWidth) / box.width, Double(imageHeight) / box.height) * distance
        return PinholeCamera(focalLength: f, distance: distance, imageWidth: imageWidth, imageHeight: imageHeight)
    }

    /// The full horizontal field of view, degrees.
    public var fieldOfView: Double {
        2 * atan(Double(imageWidth) / 2 / focalLength) * 180 / Double.pi
    }

    // MARK: - Projection

    /// The image centre (cx, cy), pixels.
    public var imageCenter: Vec2 { Vec2(Double(imageWidth) / 2, Double(imageHeight) / 2) }

    /// Camera depth Z of a point of `box` at box coordinate `z`.
    @inlinable public func depth(_ z: Double) -> Double { z + distance }

    /// The image point (u, v), pixels, of box point `p`.
    public func project(_ p: Vec3, in box: Box3D) -> Vec2 {
        let s = focalLength / depth(p.z)
        return imageCenter + s * Vec2(p.x - box.width / 2, p.y - box.height / 2)
    }

    /// The apparent radius, pixels, of a ball of `box` centred at box coordinate `z`.
    public func apparentRadius(z: Double, in box: Box3D) -> Double {
        focalLength * box.ballRadius / depth(z)
    }

    /// The flat ball the image shows for `ball`: projected centre, apparent radius, image
    /// velocity (the time derivative of the projection), same id and colour.
    public func imageBall(_ ball: Ball3D, in box: Box3D) -> Ball {
        let Z = depth(ball.position.z)
        let s = focalLength / Z
        let offset = Vec2(ball.position.x - box.width / 2, ball.position.y - box.height / 2)
        let velocity = s * (Vec2(ball.velocity.x, ball.velocity.y) - offset * (ball.velocity.z / Z))
        return Ball(id: ball.id, position: imageCenter + s * offset, velocity: velocity,
                    radius: focalLength * box.ballRadius / Z, color: ball.color)
    }

    /// Whether every ball of `box`, wherever it is, is drawn wholly inside the image
    /// (anti-aliasing margin included).
    public func showsWholeBox(_ box: Box3D) -> Bool {
        let r = box.ballRadius
        let image = Rect(x: 0, y: 0, width: Double(imageWidth), height: Double(imageHeight))
        // Each edge of a drawn disc (u ± r, v ± r) is a linear-fractional function of the
        // centre, so it is extreme at a corner of the region the centre can reach.
        return box.corners.allSatisfy { c in
            let p = Vec3(min(max(c.x, r), box.width - r), min(max(c.y, r), box.height - r), min(max(c.z, r), box.depth - r))
            let b = imageBall(Ball3D(id: 0, position: p, velocity: Vec3(0, 0, 0), color: 0), in: box)
            return image.containsDisc(center: b.position, radius: b.radius + Scene.drawMargin)
        }
    }

    // MARK: - Drawing order and visibility

    /// Ball indices in drawing order: far to near (larger depth first), equal depths by id,
    /// so each ball is drawn over every ball farther away.
    public func drawingOrder(_ balls: [Ball3D]) -> [Int] {
        balls.indices.sorted { i, j in
            balls[i].position.z != balls[j].position.z ? balls[i].position.z > balls[j].position.z
                : balls[i].id < balls[j].id
        }
    }

    /// Per ball (in the order given): whether any of its drawn disc (apparent radius + 0.5 px
    /// of anti-aliasing) can be seen, and the share that can. Hidden are points outside the
    /// image and points inside the apparent disc of a ball drawn later (nearer). Exactly 1
    /// when nothing covers the drawn disc, else sampled on a 24 × 24 grid (≈ 450 points).
    public func visibility(_ balls: [Ball3D], in box: Box3D) -> [(visible: Bool, fraction: Double)] {
        let flat = balls.map { imageBall($0, in: box) }
        let order = drawingOrder(balls)
        var rank = [Int](repeating: 0, count: balls.count)
        for (k, i) in order.enumerated() { rank[i] = k }
        let image = Rect(x: 0, y: 0, width: Double(imageWidth), height: Double(imageHeight))
        return balls.indices.map { i in
            let reach = flat[i].radius + Scene.drawMargin
            let covers = balls.indices.filter { j in
                rank[j] > rank[i] && (flat[j].position - flat[i].position).length < flat[j].radius + reach
            }
            if image.missesDisc(center: flat[i].position, radius: reach) { return (false, 0) }
            if covers.isEmpty && image.containsDisc(center: flat[i].position, radius: reach) { return (true, 1) }
            let n = 24
            var inside = 0, seen = 0
            for a in 0..<n {
                for b in 0..<n {
                    let o = Vec2((Double(a) + 0.5) / Double(n) * 2 - 1, (Double(b) + 0.5) / Double(n) * 2 - 1)
                    guard o.lengthSquared <= 1 else { continue }
                    inside += 1
                    let p = flat[i].position + reach * o
                    if image.contains(p) && covers.allSatisfy({ (p - flat[$0].position).length > flat[$0].radius }) {
                        seen += 1
                    }
                }
            }
            return (seen > 0, Double(seen) / Double(inside))
        }
    }
}

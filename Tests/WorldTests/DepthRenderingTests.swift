import XCTest
import Tensor
@testable import World

final class DepthRenderingTests: XCTestCase {
    /// The cameras of the depth scenarios: f = 48 at 36, and the closer f = 24 at 18.
    static let camera = PinholeCamera.framing(Box3D(), distance: 36)
    static let nearCamera = PinholeCamera.framing(Box3D(), distance: 18)

    /// A one-frame clip of `balls` in `box` seen by `camera`.
    static func still(_ balls: [Ball3D], box: Box3D = Box3D(), camera: PinholeCamera) -> Episode3D {
        Episode3D(scenario: "test", seed: 0, box: box, camera: camera,
                  frames: [FrameState3D(t: 0, balls: balls, box: box, camera: camera)])
    }

    /// The RGB of pixel (x, y) of frame 0 of a planar [T, 3, H, W] clip, in [0, 1].
    static func pixel(_ planar: [Float], x: Int, y: Int, size: Int = 32) -> SIMD3<Float> {
        let hw = size * size, i = y * size + x
        return (SIMD3(planar[i], planar[hw + i], planar[2 * hw + i]) + 1) / 2
    }

    /// The camera's constants: f is the mid-depth distance at 36, and at both distances
    /// the near face fills the image exactly and every ball is wholly in view at every depth.
    func testFramingKeepsTheWholeBoxInView() {
        let depth = DepthRenderingTests.camera, near = DepthRenderingTests.nearCamera
        XCTAssertEqual(depth.focalLength, 48)
        XCTAssertEqual(depth.focalLength, depth.depth(Box3D().depth / 2), "one box unit is one pixel at mid depth")
        XCTAssertEqual(near.focalLength, 24)
        for camera in [depth, near] {
            XCTAssertTrue(camera.showsWholeBox(Box3D()))
            let front = [Vec3(0, 0, 0), Vec3(24, 24, 0)].map { camera.project($0, in: Box3D()) }
            XCTAssertEqual(front, [Vec2(0, 0), Vec2(32, 32)])
        }
        XCTAssertEqual(depth.fieldOfView, 36.87, accuracy: 0.01)
        XCTAssertEqual(near.fieldOfView, 67.38, accuracy: 0.01)
        // A camera any closer with the same f would cut the near corners off.
        XCTAssertFalse(PinholeCamera(focalLength: 48, distance: 30).showsWholeBox(Box3D()))
    }

    /// The apparent radius read off the rendered frame — from the lit area, √(Σ coverage / π −
    /// 1/12), the 1/12 being what the one-pixel edge ramp adds to π r² — is f R / Z to 0.05 px
    /// for one ball at depths across the box, at off-grid centres, through both cameras.
    func testApparentRadiusMatchesPerspective() {
        var worst = 0.0, worstRaw = 0.0, n = 0
        for camera in [DepthRenderingTests.camera, DepthRenderingTests.nearCamera] {
            for z in stride(from: 3.0, through: 21.0, by: 1.5) {
                for offset in [Vec3(0, 0, 0), Vec3(0.37, -0.21, 0), Vec3(-2.6, 1.9, 0)] {
                    let ball = Ball3D(id: 0, position: Vec3(12, 12, z) + offset, velocity: Vec3(0, 0, 0), color: 0)
                    let planar = Rasterizer.planar(DepthRenderingTests.still([ball], camera: camera))
                    // Red (255, 0, 0): the red channel is the coverage.
                    let coverage = planar[0..<(32 * 32)].reduce(0.0) { $0 + Double(($1 + 1) / 2) }
                    let r = camera.apparentRadius(z: ball.position.z, in: Box3D())
                    worst = max(worst, abs((coverage / Double.pi - 1.0 / 12).squareRoot() - r))
                    worstRaw = max(worstRaw, abs((coverage / Double.pi).squareRoot() - r))
                    n += 1
                }
            }
        }
        print("apparent radius from the lit area, \(n) renders: worst error \(worst) px (\(worstRaw) px without the ramp's 1/12)")
        XCTAssertLessThanOrEqual(worst, 0.05)
    }

    /// A disc drawn for a 3D ball is exactly the flat rasterizer's disc at its projection.
    func testDiscIsTheFlatRasterizersDisc() {
        let camera = DepthRenderingTests.camera, box = Box3D()
        let ball = Ball3D(id: 0, position: Vec3(8.3, 15.1, 17.2), velocity: Vec3(0.2, -0.4, 0.3), color: 5)
        let flat = camera.imageBall(ball, in: box)
        let scene = Scene(gravity: Vec2(0, 0))
        XCTAssertEqual(Rasterizer.bytes(DepthRenderingTests.still([ball], camera: camera)),
                       Rasterizer.bytes([scene.frameState(t: 0, balls: [flat])], scene: scene))
        XCTAssertEqual(flat.radius, 48 * 3 / (17.2 + 36), accuracy: 1e-12)
        XCTAssertEqual(flat.position.x, 16 + 48 * (8.3 - 12) / 53.2, accuracy: 1e-12)
        XCTAssertEqual(flat.position.y, 16 + 48 * (15.1 - 12) / 53.2, accuracy: 1e-12)
        // The image velocity is the derivative of the projection.
        let h = 1e-6
        var moved = ball
        moved.position += h * ball.velocity
        let numeric = (camera.project(moved.position, in: box) - camera.project(ball.position, in: box)) / h
        XCTAssertEqual((numeric - flat.velocity).length, 0, accuracy: 1e-6)
    }

    /// Two overlapping discs of different colours at different depths: every pixel that lies
    /// fully inside the nearer disc and within the farther one's drawn disc has exactly the
    /// nearer ball's colour — whichever ball has the lower id.
    func testNearerBallWinsEveryOverlap() {
        var rng = RNG(seed: 4)
        let box = Box3D()
        var pixels = 0, wrong = 0, scenes = 0
        for camera in [DepthRenderingTests.camera, DepthRenderingTests.nearCamera] {
            for _ in 0..<200 {
                let zNear = rng.uniform(3, 13), zFar = rng.uniform(zNear + 6, 21)
                let a = Vec3(rng.uniform(6, 18), rng.uniform(6, 18), zNear)
                let b = Vec3(a.x + rng.uniform(-3, 3), a.y + rng.uniform(-3, 3), zFar)
                let nearFirst = rng.uniform() < 0.5
                let near = Ball3D(id: nearFirst ? 0 : 1, position: a, velocity: Vec3(0, 0, 0), color: 0)  // red
                let far = Ball3D(id: nearFirst ? 1 : 0, position: b, velocity: Vec3(0, 0, 0), color: 5)  // blue
                let planar = Rasterizer.planar(DepthRenderingTests.still(nearFirst ? [near, far] : [far, near], camera: camera))
                let n = camera.imageBall(near, in: box), f = camera.imageBall(far, in: box)
                var found = 0
                for y in 0..<32 {
                    for x in 0..<32 {
                        let c = Vec2(Double(x) + 0.5, Double(y) + 0.5)
                        guard (c - n.position).length <= n.radius - 0.501, (c - f.position).length < f.radius + 0.5 else { continue }
                        found += 1
                        if DepthRenderingTests.pixel(planar, x: x, y: y) != SIMD3(1, 0, 0) { wrong += 1 }
                    }
                }
                if found > 0 { scenes += 1 }
                pixels += found
            }
        }
        print("occlusion order: \(pixels) overlapping pixels in \(scenes) scenes, \(wrong) wrong")
        XCTAssertGreaterThan(scenes, 350)
        XCTAssertEqual(wrong, 0)
    }

    /// A far ball wholly behind a nearer one is not visible; both partly and fully visible
    /// balls get the right share.
    func testVisibilityCountsNearerBalls() {
        let camera = DepthRenderingTests.camera, box = Box3D()
        let near = Ball3D(id: 0, position: Vec3(12, 12, 3), velocity: Vec3(0, 0, 0), color: 0)
        // Same ray, at the back: apparent radius 2.53 + 0.5 margin < 3.69 of the near ball.
        let hidden = Ball3D(id: 1, position: Vec3(12, 12, 21), velocity: Vec3(0, 0, 0), color: 1)
        let f = FrameState3D(t: 0, balls: [near, hidden], box: box, camera: camera)
        XCTAssertEqual(f.visible, [true, false])
        XCTAssertEqual(f.visibleFraction, [1, 0])
        // Shifted sideways by its apparent diameter's worth: partly hidden.
        var partly = hidden
        partly.position.x += 4 * 57 / 48
        let g = FrameState3D(t: 0, balls: [near, partly], box: box, camera: camera)
        XCTAssertEqual(g.visible, [true, true])
        XCTAssertGreaterThan(g.visibleFraction[1], 0.2)
        XCTAssertLessThan(g.visibleFraction[1], 0.8)
        // The image frame lists the balls far to near and keeps their visibility.
        let image = DepthRenderingTests.still([near, partly], camera: camera).imageFrame(0)
        XCTAssertEqual(image.balls.map(\.id), [1, 0])
        XCTAssertEqual(image.visibleFraction, [g.visibleFraction[1], 1])
    }

    /// The two layouts agree and have the flat rasterizer's shapes.
    func testPlanarAndBytesAgree() throws {
        var rng = RNG(seed: 2)
        let balls = Simulator3DTests.randomBalls(3, box: Box3D(), rng: &rng)
        let ep = Episode3D(scenario: "test", seed: 2, box: Box3D(), camera: DepthRenderingTests.camera,
                           frames: Simulator3D.run(box: Box3D(), camera: DepthRenderingTests.camera, balls: balls, frames: 6))
        let planar = Rasterizer.planar(ep), bytes = Rasterizer.bytes(ep)
        XCTAssertEqual(planar.count, 6 * 3 * 32 * 32)
        XCTAssertEqual(bytes.count, 6 * 32 * 32 * 3)
        XCTAssertEqual(Frames.bytes(planar: planar, frames: 6, height: 32, width: 32), bytes)
    }
}

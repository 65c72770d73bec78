import Foundation
import XCTest
import Tensor
@testable import World

final class RasterizerTests: XCTestCase {
    func testDiscCoverageAndCentroid() {
        let scene = Scene(gravity: Vec2(0, 0))
        let ball = Ball(id: 0, position: Vec2(13.3, 17.8), velocity: Vec2(0, 0), radius: 3.2, color: 5)
        let frame = scene.frameState(t: 0, balls: [ball])
        var rgb = [Float](repeating: 0, count: 32 * 32 * 3)
        rgb.withUnsafeMutableBufferPointer { Rasterizer.draw(frame, scene: scene, into: $0) }
        // Blue channel is full on the ball (colour (0, 64, 255)), so it is the coverage.
        var sa = 0.0, sx = 0.0, sy = 0.0
        for y in 0..<32 {
            for x in 0..<32 {
                let a = Double(rgb[(y * 32 + x) * 3 + 2])
                sa += a
                sx += a * (Double(x) + 0.5)
                sy += a * (Double(y) + 0.5)
            }
        }
        XCTAssertEqual(sa, Double.pi * (3.2 * 3.2 + 1.0 / 12), accuracy: 0.1)
        XCTAssertEqual(sx / sa, 13.3, accuracy: 0.02)
        XCTAssertEqual(sy / sa, 17.8, accuracy: 0.02)
        XCTAssertEqual(rgb[(17 * 32 + 13) * 3 + 2], 1)
        XCTAssertEqual(rgb[(17 * 32 + 13) * 3 + 0], 0)
        XCTAssertEqual(rgb[0], 0)
    }

    func testOccluderOnTopAndDarkness() throws {
        var scene = Scene(gravity: Vec2(0, 0), occluders: [Rect(x: 10, y: 0, width: 12, height: 32)], darkness: [3..<5])
        let ball = Ball(id: 0, position: Vec2(16, 16), velocity: Vec2(0, 0), radius: 3, color: 0)
        let frames = (0..<6).map { scene.frameState(t: $0, balls: [ball]) }
        XCTAssertFalse(frames[0].visible[0], "wholly behind the bar")
        let bytes = Rasterizer.bytes(frames, scene: scene)
        let n = 32 * 32 * 3
        // Bar pixels are grey over the ball; outside it is black.
        XCTAssertEqual(Array(bytes[(16 * 32 + 16) * 3..<(16 * 32 + 16) * 3 + 3]), [128, 128, 128])
        XCTAssertEqual(Array(bytes[(16 * 32 + 2) * 3..<(16 * 32 + 2) * 3 + 3]), [0, 0, 0])
        XCTAssertTrue(bytes[(3 * n)..<(5 * n)].allSatisfy { $0 == 0 }, "dark frames are black")
        XCTAssertFalse(bytes[(5 * n)..<(6 * n)].allSatisfy { $0 == 0 })
        scene.occluders = []
        XCTAssertTrue(scene.frameState(t: 0, balls: [ball]).visible[0])
        XCTAssertEqual(scene.frameState(t: 0, balls: [ball]).visibleFraction[0], 1)
    }

    func testPlanarAndBytesAgree() throws {
        let ep = try Scenario.id.episode(seed: 5, frames: 4)
        let planar = Rasterizer.planar(ep)
        let bytes = Rasterizer.bytes(ep)
        XCTAssertEqual(planar.count, 4 * 3 * 32 * 32)
        XCTAssertTrue(planar.allSatisfy { $0 >= -1 && $0 <= 1 })
        XCTAssertEqual(Frames.bytes(planar: planar, frames: 4, height: 32, width: 32), bytes)
        let back = Frames.planar(bytes: bytes, frames: 4, height: 32, width: 32)
        XCTAssertEqual(zip(back, planar).map { abs($0 - $1) }.max()!, 0, accuracy: 1.0 / 255)
    }

    /// 10,000 frames of 32×32 with 3 balls, both layouts, the same pixels; the times are
    /// printed, not asserted (a shared machine may be busy).
    func testRasterizesLongEpisodes() throws {
        var rng = RNG(seed: 9)
        var (scene, balls) = Scenario.id.start(rng: &rng)
        while balls.count < 3 { (scene, balls) = Scenario.id.start(rng: &rng) }
        let frames = Simulator.run(scene: scene, balls: balls, frames: 10_000)
        let t0 = DispatchTime.now().uptimeNanoseconds
        let planar = Rasterizer.planar(frames, scene: scene)
        let t1 = DispatchTime.now().uptimeNanoseconds
        let bytes = Rasterizer.bytes(frames, scene: scene)
        let t2 = DispatchTime.now().uptimeNanoseconds
        let simStart = DispatchTime.now().uptimeNanoseconds
        _ = Simulator.run(scene: scene, balls: balls, frames: 10_000)
        let simEnd = DispatchTime.now().uptimeNanoseconds
        print(String(format: "rasterizer: 10,000 frames 32×32, 3 balls: planar %.3f s, bytes %.3f s; simulate (with visibility) %.3f s",
                     Double(t1 - t0) / 1e9, Double(t2 - t1) / 1e9, Double(simEnd - simStart) / 1e9))
        XCTAssertEqual(planar.count, 10_000 * 3 * 1024)
        XCTAssertEqual(bytes.count, 10_000 * 1024 * 3)
        for i in stride(from: 0, to: 10_000, by: 997) {
            for y in 0..<32 { for x in 0..<32 { for c in 0..<3 {
                let v = planar[((i * 3 + c) * 32 + y) * 32 + x]
                XCTAssertEqual(Float(bytes[((i * 32 + y) * 32 + x) * 3 + c]), ((v + 1) * 127.5).rounded(), accuracy: 1)
            } } }
        }
    }
}

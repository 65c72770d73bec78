import XCTest
@testable import World

/// Depth from apparent size (DepthFromSize): R read from how the balls fall, then Z = f R / r.
final class DepthFromSizeTests: XCTestCase {
    /// The tracker for reading sizes: every disc's rim fitted.
    static var tracker: Tracker {
        var t = Tracker()
        t.config.fitsEveryRim = true
        return t
    }

    /// The parabola fit: exact curvature on a parabola, a residual that flags a kink.
    func testParabolaFit() throws {
        let smooth: [Double] = (0..<8).map { i in
            let t = Double(i)
            return 1.5 - 0.3 * t + 0.0125 * t * t
        }
        let fit = try XCTUnwrap(DepthFromSize.parabola(smooth))
        XCTAssertEqual(fit.c2, 0.0125, accuracy: 1e-12)
        XCTAssertEqual(fit.rms, 0, accuracy: 1e-12)
        // A collision halfway: the velocity jumps by 0.4 per frame.
        let bounced: [Double] = (0..<8).map { i in smooth[i] + 0.2 * abs(Double(i) - 3.5) }
        XCTAssertGreaterThan(try XCTUnwrap(DepthFromSize.parabola(bounced)).rms, 0.01)
        XCTAssertNil(DepthFromSize.parabola([1, 2]))
    }

    /// No gravity in the image plane, nothing to read R from.
    func testNeedsGravityInTheImagePlane() throws {
        let scenario = DepthScenario.depth
        let ep = try scenario.episode(seed: 0, frames: 16)
        let tracks = DepthFromSizeTests.tracker.track(bytes: Rasterizer.bytes(ep), frames: 16, height: 32, width: 32)
        XCTAssertNil(DepthFromSize.estimate(tracks: tracks, focalLength: 48, imageCenter: Vec2(16, 16), gravity: Vec3(0, 0, 0.1)))
        XCTAssertNotNil(DepthFromSize.estimate(tracks: tracks, focalLength: 48, imageCenter: Vec2(16, 16), gravity: scenario.box.gravity))
    }

    /// On 100 clips each of `depth` and `depth-near`: R read from the tracked first 16 frames
    /// (the known f, image centre and gravity, nothing of the states) is within 1% of the
    /// box's radius, and the depth f R / r of every fully visible ball in all 32 frames is
    /// within 2% of its camera depth wherever the tracker fitted its rim (all but a few in a
    /// thousand: discs drawn over two others at once), and within 2% for 99.5% of them in all.
    func testDepthFromApparentSize() throws {
        let tracker = DepthFromSizeTests.tracker
        for scenario in DepthScenario.all {
            let camera = scenario.camera
            var radiusErrors: [Double] = [], fitted: [Double] = [], all: [Double] = []
            for seed: UInt64 in 0..<100 {
                let ep = try scenario.episode(seed: seed, frames: 32)
                let bytes = Rasterizer.bytes(ep)
                let context = tracker.track(bytes: Array(bytes[0..<(16 * 32 * 32 * 3)]), frames: 16, height: 32, width: 32)
                let reading = try XCTUnwrap(DepthFromSize.estimate(tracks: context, focalLength: camera.focalLength,
                                                                   imageCenter: camera.imageCenter, gravity: scenario.box.gravity),
                                            "\(scenario.name) seed \(seed)")
                radiusErrors.append(abs(reading.ballRadius / scenario.box.ballRadius - 1))
                let found = tracker.detect(bytes: bytes, frames: 32, height: 32, width: 32)
                for f in ep.frames {
                    for (k, ball) in f.balls.enumerated() where f.visibleFraction[k] == 1 {
                        guard let d = found[f.t].first(where: { $0.color == ball.color && $0.isValid }) else { continue }
                        let e = abs(reading.depth(apparentRadius: d.radius) / camera.depth(ball.position.z) - 1)
                        all.append(e)
                        if d.arcFitted { fitted.append(e) }
                    }
                }
            }
            radiusErrors.sort()
            fitted.sort()
            let within = Double(all.filter { $0 <= 0.02 }.count) / Double(all.count)
            print(String(format: "%@: R from 16 frames, error median %.3f%%, max %.3f%%; depth of %d fully visible balls: rim-fitted %d, "
                         + "error median %.3f%%, 99th pct %.3f%%, max %.3f%%; within 2%%, fitted or not: %.2f%%",
                         scenario.name, 100 * radiusErrors[radiusErrors.count / 2], 100 * radiusErrors.last!, all.count, fitted.count,
                         100 * fitted[fitted.count / 2], 100 * fitted[fitted.count * 99 / 100], 100 * fitted.last!, 100 * within))
            XCTAssertLessThanOrEqual(radiusErrors.last!, 0.01)
            XCTAssertLessThanOrEqual(fitted.last!, 0.02)
            XCTAssertGreaterThan(Double(fitted.count) / Double(all.count), 0.99)
            XCTAssertGreaterThanOrEqual(within, 0.995)
        }
    }
}

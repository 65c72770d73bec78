import XCTest
import Tensor
@testable import World

/// The tracker's fit of a disc's visible arc (Tracker+CoveredDisc): exact where one disc is
/// drawn over another, and never used on the flat world's frames.
final class CoveredDiscTests: XCTestCase {
    /// FNV-1a over what a detection reports besides `arcFitted`: colour, centroid, radius,
    /// area, mean colour, shape scores, validity.
    static func digest(_ frames: [[Detection]]) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ x: UInt64) {
            for k in 0..<8 {
                h ^= (x >> (8 * UInt64(k))) & 0xff
                h = h &* 0x0000_0100_0000_01b3
            }
        }
        for frame in frames {
            mix(UInt64(frame.count))
            for d in frame {
                mix(UInt64(d.color))
                for v in [d.position.x, d.position.y, d.radius, d.area] + d.meanColor + [d.roundness, d.compactness, d.colorFit, d.validity] {
                    mix(v.bitPattern)
                }
                mix(d.isValid ? 1 : 0)
            }
        }
        return h
    }

    /// Every flat scenario, seeds 0..<20, 64 frames each (packed), and two frames per clip
    /// blurred 3×3 with uniform noise of ±0.15 (planar, as a model's frames may look).
    static func flatFrames() throws -> (bytes: [[UInt8]], planar: [[Float]]) {
        var bytes: [[UInt8]] = [], planar: [[Float]] = []
        var rng = RNG(seed: 5)
        // The scenarios the digests were pinned on (later ones add no new kind of frame).
        let pinned = ["id", "ood-fast", "ood-gravity", "ood-gravity-zero", "ood-gravity-double", "ood-gravity-sideways",
                      "ood-count", "ood-size", "occluder", "key"]
        for name in pinned {
            for seed in 0..<20 {
                let ep = try Scenario.named(name).episode(seed: UInt64(seed), frames: 64)
                bytes.append(Rasterizer.bytes(ep))
                for t in [seed, 32 + seed] {
                    let clean = Rasterizer.planar([ep.frames[t]], scene: ep.scene)
                    var noisy = clean
                    for c in 0..<3 {
                        for y in 0..<32 {
                            for x in 0..<32 {
                                var s: Float = 0, n: Float = 0
                                for dy in -1...1 {
                                    for dx in -1...1 where (0..<32).contains(x + dx) && (0..<32).contains(y + dy) {
                                        let w: Float = dx == 0 && dy == 0 ? 4 : (dx == 0 || dy == 0 ? 2 : 1)
                                        s += w * clean[c * 1024 + (y + dy) * 32 + x + dx]
                                        n += w
                                    }
                                }
                                noisy[c * 1024 + y * 32 + x] = s / n + Float(rng.uniform(-0.15, 0.15))
                            }
                        }
                    }
                    planar.append(noisy)
                }
            }
        }
        return (bytes, planar)
    }

    /// The tracker of scenes with depth: discs drawn over one another are arc-fitted.
    static var tracker: Tracker {
        var t = Tracker()
        t.config.fitsCoveredDiscs = true
        return t
    }

    /// By default nothing is arc-fitted: two discs drawn over one another keep the centroid
    /// and area measure every score of the flat world was made with.
    func testArcFitIsOffByDefault() {
        let scene = Scene(gravity: Vec2(0, 0))
        let balls = [Ball(id: 0, position: Vec2(13.3, 15.6), velocity: Vec2(0, 0), radius: 3.2, color: 0),
                     Ball(id: 1, position: Vec2(17.1, 16.4), velocity: Vec2(0, 0), radius: 3.6, color: 5)]
        let bytes = Rasterizer.bytes([scene.frameState(t: 0, balls: balls)], scene: scene)
        XCTAssertFalse(Tracker().detect(bytes: bytes, frames: 1, height: 32, width: 32)[0].contains(where: \.arcFitted))
        let fitted = CoveredDiscTests.tracker.detect(bytes: bytes, frames: 1, height: 32, width: 32)[0]
        XCTAssert([0, 5].allSatisfy { c in fitted.contains { $0.color == c && $0.arcFitted } })
    }

    /// The flat world keeps the centroid and area radius: on 12,800 frames of every flat
    /// scenario — balls in contact, against walls and behind the occluder included — and on
    /// 400 blurred, noisy ones, no detection is arc-fitted, and the detections are bit for bit
    /// the pinned ones of the centroid-and-area measure.
    func testFlatWorldDetectionsAreUnchanged() throws {
        let (bytes, planar) = try CoveredDiscTests.flatFrames()
        let tracker = CoveredDiscTests.tracker
        let clean = bytes.flatMap { tracker.detect(bytes: $0, frames: 64, height: 32, width: 32) }
        let noisy = planar.flatMap { tracker.detect(planar: $0, frames: 1, height: 32, width: 32) }
        XCTAssertEqual(clean.count, 12_800)
        XCTAssertEqual(noisy.count, 400)
        XCTAssertFalse((clean + noisy).joined().contains(where: \.arcFitted))
        XCTAssertEqual(String(CoveredDiscTests.digest(clean), radix: 16), "ee08cf69e68859c9")
        XCTAssertEqual(String(CoveredDiscTests.digest(noisy), radix: 16), "d0474b638ebc3a81")
    }

    /// One frame: a blue disc drawn over a red one so that about 60% of the red disc shows.
    /// The red blob's centroid and area radius are off by about a pixel; the arc fit gives
    /// both discs to 0.01 px. Two discs that only meet at their rims get no fit.
    func testArcFitRecoversACoveredDisc() {
        let scene = Scene(gravity: Vec2(0, 0))
        let far = Ball(id: 0, position: Vec2(13.3, 15.6), velocity: Vec2(0, 0), radius: 3.2, color: 0)
        let near = Ball(id: 1, position: Vec2(17.1, 16.4), velocity: Vec2(0, 0), radius: 3.6, color: 5)
        let covered = CoveredDiscTests.tracker.detect(bytes: Rasterizer.bytes([scene.frameState(t: 0, balls: [far, near])], scene: scene),
                                       frames: 1, height: 32, width: 32)[0]
        let red = covered.first { $0.color == 0 }!, blue = covered.first { $0.color == 5 }!
        XCTAssertTrue(red.arcFitted && blue.arcFitted)
        XCTAssertEqual((red.position - far.position).length, 0, accuracy: 0.01)
        XCTAssertEqual(red.radius, far.radius, accuracy: 0.01)
        XCTAssertEqual((blue.position - near.position).length, 0, accuracy: 0.01)
        XCTAssertEqual(blue.radius, near.radius, accuracy: 0.01)
        var unfitted = CoveredDiscTests.tracker
        unfitted.config.minArcPixels = .max
        let area = unfitted.detect(bytes: Rasterizer.bytes([scene.frameState(t: 0, balls: [far, near])], scene: scene),
                                   frames: 1, height: 32, width: 32)[0].first { $0.color == 0 }!
        XCTAssertGreaterThan((area.position - far.position).length, 0.5, "the bite biases the centroid")

        // Rims meeting, centres r₁ + r₂ apart: the centroid and area radius.
        let beside = Ball(id: 1, position: far.position + Vec2(3.2 + 3.6, 0), velocity: Vec2(0, 0), radius: 3.6, color: 5)
        let touching = CoveredDiscTests.tracker.detect(bytes: Rasterizer.bytes([scene.frameState(t: 0, balls: [far, beside])], scene: scene),
                                        frames: 1, height: 32, width: 32)[0]
        XCTAssertEqual(touching.filter(\.isValid).count, 2)
        XCTAssertFalse(touching.contains(where: \.arcFitted))
    }

    /// On 100 clips each of `depth` and `depth-near`, every ball partly covered by a nearer
    /// one with at least half of its drawn disc in view: the arc-fitted centre and radius
    /// are within 0.3 px of the projection (in fact within 0.03 px), and the tracker's
    /// estimate, arc-fitted or not, is within 0.3 px for nearly all.
    func testCoveredBallsInDepthClips() throws {
        let tracker = CoveredDiscTests.tracker
        for scenario in DepthScenario.all {
            var covered = 0, fitted = 0, close = 0, centre: [Double] = [], radius: [Double] = []
            for seed: UInt64 in 0..<100 {
                let ep = try scenario.episode(seed: seed, frames: 32)
                let found = tracker.detect(bytes: Rasterizer.bytes(ep), frames: 32, height: 32, width: 32)
                for t in 0..<ep.count {
                    let f = ep.imageFrame(t)
                    for (k, ball) in f.balls.enumerated() where f.visibleFraction[k] >= 0.5 && f.visibleFraction[k] < 1 {
                        covered += 1
                        guard let d = found[t].filter({ $0.color == ball.color }).max(by: { $0.area < $1.area }) else { continue }
                        let e = (d.position - ball.position).length, er = abs(d.radius - ball.radius)
                        if e <= 0.3 && er <= 0.3 { close += 1 }
                        if d.arcFitted {
                            fitted += 1
                            centre.append(e)
                            radius.append(er)
                        }
                    }
                }
            }
            centre.sort()
            print(String(format: "%@: %d covered balls (half or more in view): %d arc-fitted, centre error median %.4f px, max %.4f px, "
                         + "radius error max %.4f px; within 0.3 px, fitted or not: %d (%.1f%%)",
                         scenario.name, covered, fitted, centre[centre.count / 2], centre.last!, radius.max()!, close,
                         100 * Double(close) / Double(covered)))
            XCTAssertLessThanOrEqual(centre.last!, 0.3)
            XCTAssertLessThanOrEqual(radius.max()!, 0.3)
            XCTAssertGreaterThan(Double(fitted) / Double(covered), 0.65)
            XCTAssertGreaterThan(Double(close) / Double(covered), 0.92)
        }
    }
}

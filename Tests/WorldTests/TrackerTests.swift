import XCTest
import Tensor
@testable import World

final class TrackerTests: XCTestCase {
    /// Balls whose drawn discs (radius + 0.5) come within 1 px of each other: their rims mix.
    func inContact(_ f: FrameState) -> Set<Int> {
        var s = Set<Int>()
        for i in f.balls.indices {
            for j in f.balls.indices where j != i {
                if (f.balls[i].position - f.balls[j].position).length < f.balls[i].radius + f.balls[j].radius + 2 {
                    s.insert(i)
                }
            }
        }
        return s
    }

    /// 1,000 random `id` frames (seed i, frame i mod 48): centroid error ≤ 0.25 px on every fully
    /// visible ball out of contact, and the count right on ≥ 99% of frames without contact.
    func testAccuracyOnSimulatorFrames() throws {
        let tracker = Tracker()
        var errors: [Double] = [], radiusErrors: [Double] = []
        var frames = 0, correct = 0, contactFrames = 0, colourMistakes = 0
        for i in 0..<1000 {
            let ep = try Scenario.id.episode(seed: UInt64(i), frames: 48)
            let f = ep.frames[i % 48]
            let bytes = Rasterizer.bytes([f], scene: ep.scene)
            let found = tracker.detect(bytes: bytes, frames: 1, height: 32, width: 32)[0].filter(\.isValid)
            let contact = inContact(f)
            if contact.isEmpty {
                frames += 1
                if found.count == f.balls.count { correct += 1 }
            } else {
                contactFrames += 1
            }
            for (b, ball) in f.balls.enumerated() where f.visibleFraction[b] == 1 && !contact.contains(b) {
                guard let d = found.first(where: { $0.color == ball.color }) else {
                    colourMistakes += 1
                    continue
                }
                errors.append((d.position - ball.position).length)
                radiusErrors.append(abs(d.radius - ball.radius))
            }
        }
        let maxError = errors.max()!, meanError = errors.reduce(0, +) / Double(errors.count)
        let accuracy = Double(correct) / Double(frames)
        print(String(format: "tracker: %d balls, centroid error max %.4f px mean %.4f px; radius error max %.3f px; "
                     + "count correct on %d/%d frames without contact (%.2f%%); %d contact frames skipped",
                     errors.count, maxError, meanError, radiusErrors.max()!, correct, frames, 100 * accuracy, contactFrames))
        XCTAssertEqual(colourMistakes, 0)
        XCTAssertLessThanOrEqual(maxError, 0.25)
        XCTAssertGreaterThanOrEqual(accuracy, 0.99)
        XCTAssertGreaterThan(frames, 800)
    }

    /// Model-like frames: Gaussian noise (σ = 0.05 of full range) on a 3×3 blur of the frame.
    func testRobustToNoiseAndBlur() throws {
        let tracker = Tracker()
        var rng = RNG(seed: 77)
        var errors: [Double] = []
        var frames = 0, correct = 0
        for i in 0..<300 {
            let ep = try Scenario.id.episode(seed: UInt64(10_000 + i), frames: 24)
            let f = ep.frames[i % 24]
            guard inContact(f).isEmpty else { continue }
            let clean = Rasterizer.planar([f], scene: ep.scene)
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
                        noisy[c * 1024 + y * 32 + x] = s / n + Float(rng.normal()) * 0.1
                    }
                }
            }
            let found = tracker.detect(planar: noisy, frames: 1, height: 32, width: 32)[0].filter(\.isValid)
            frames += 1
            if found.count == f.balls.count { correct += 1 }
            for ball in f.balls {
                if let d = found.first(where: { $0.color == ball.color }) { errors.append((d.position - ball.position).length) }
            }
        }
        let accuracy = Double(correct) / Double(frames)
        errors.sort()
        print(String(format: "tracker on blurred + noisy frames: count correct %.1f%% of %d, centroid error median %.3f px, 95th pct %.3f px",
                     100 * accuracy, frames, errors[errors.count / 2], errors[errors.count * 95 / 100]))
        XCTAssertGreaterThan(accuracy, 0.95)
        XCTAssertLessThan(errors[errors.count * 95 / 100], 0.5)
    }

    /// Not balls: a grey bar gives nothing; a palette-coloured bar is found but not valid.
    func testValidityRejectsNonDiscs() {
        let tracker = Tracker()
        var rgb = [Float](repeating: 0, count: 32 * 32 * 3)
        for y in 4..<28 {
            for x in 10..<13 { for c in 0..<3 { rgb[(y * 32 + x) * 3 + c] = 0.5 } }
            for x in 20..<22 { rgb[(y * 32 + x) * 3] = 1 }
        }
        let found = tracker.detect(rgb: rgb, height: 32, width: 32)
        XCTAssertEqual(found.count, 1)
        XCTAssertEqual(found[0].color, 0)
        XCTAssertFalse(found[0].isValid)
        XCTAssertLessThan(found[0].roundness, 0.1)
    }

    /// A ball that passes behind the occluder keeps its track when it reappears, and the
    /// tracks follow the simulator within 0.25 px wherever the ball is fully visible.
    func testTracksThroughOcclusion() throws {
        let ep = try Scenario.named("occluder").episode(seed: 1, frames: 64)
        let bytes = Rasterizer.bytes(ep)
        let tracks = Tracker().track(bytes: bytes, frames: 64, height: 32, width: 32)
        XCTAssertEqual(tracks.count, ep.frames[0].balls.count, "one track per ball")
        for (b, ball) in ep.frames[0].balls.enumerated() {
            let track = try XCTUnwrap(tracks.first { $0.color == ball.color })
            var run = 0, longest = (start: 0, end: -1)
            for f in ep.frames {
                if !f.visible[b] {
                    XCTAssertNil(track.detections[f.t], "hidden at \(f.t) but detected")
                    run += 1
                    if run > longest.end - longest.start + 1 { longest = (f.t - run + 1, f.t) }
                } else {
                    run = 0
                    if f.visibleFraction[b] == 1 && inContact(f).isEmpty {
                        let d = try XCTUnwrap(track.detections[f.t], "frame \(f.t)")
                        XCTAssertLessThan((d.position - f.balls[b].position).length, 0.25)
                    }
                }
            }
            if longest.end - longest.start + 1 > 12 && longest.start > 0 && longest.end < 63 {
                XCTAssertTrue(track.found.contains { $0 > longest.end }, "the track resumes after the occlusion")
                XCTAssertTrue(track.found.contains { $0 < longest.start },
                              "\(longest) \(track.found) \(ep.frames.map { String(format: "%.2f", $0.visibleFraction[b]) })")
            }
        }
    }

    /// Two balls of one colour (as a model may draw): separate tracks, linked by position.
    func testRepeatedColourLinksByPosition() {
        let scene = Scene(gravity: Vec2(0, 0))
        var frames: [FrameState] = []
        for t in 0..<10 {
            let a = Ball(id: 0, position: Vec2(6 + Double(t), 8), velocity: Vec2(1, 0), radius: 3, color: 2)
            let b = Ball(id: 1, position: Vec2(26 - Double(t), 24), velocity: Vec2(-1, 0), radius: 3, color: 2)
            frames.append(scene.frameState(t: t, balls: [a, b]))
        }
        let tracks = Tracker().track(bytes: Rasterizer.bytes(frames, scene: scene), frames: 10, height: 32, width: 32)
        XCTAssertEqual(tracks.count, 2)
        for tr in tracks {
            let ys = tr.detections.compactMap { $0?.position.y }
            XCTAssertEqual(ys.count, 10)
            XCTAssertLessThan(ys.max()! - ys.min()!, 0.01, "a track never jumps between the two balls")
        }
    }
}

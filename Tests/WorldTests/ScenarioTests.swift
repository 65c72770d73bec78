import XCTest
@testable import World

final class ScenarioTests: XCTestCase {
    func testLookupByName() throws {
        XCTAssertEqual(Scenario.names, ["id", "ood-fast", "ood-gravity", "ood-gravity-zero", "ood-gravity-double",
                                        "ood-gravity-sideways", "ood-count", "ood-size", "occluder", "key", "blackout"])
        XCTAssertEqual(try Scenario.named("id"), Scenario.id)
        XCTAssertThrowsError(try Scenario.named("nope")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("unknown scenario 'nope'"), text)
            for name in Scenario.names { XCTAssertTrue(text.contains(name), text) }
        }
        XCTAssertThrowsError(try Scenario.id.episode(seed: 1, frames: 0))
    }

    func testScenarioParametersRoundTripThroughJSON() throws {
        let data = try JSONEncoder().encode(Scenario.all)
        XCTAssertEqual(try JSONDecoder().decode([Scenario].self, from: data), Scenario.all)
    }

    /// Frame 0 of every scenario follows its stated distribution.
    func testStartsFollowTheirDistributions() throws {
        for scenario in Scenario.all where scenario.key == nil {
            var gravities = Set<[Double]>()
            for seed: UInt64 in 0..<60 {
                let ep = try scenario.episode(seed: seed, frames: scenario.occluder == nil && scenario.blackout == nil ? 1 : 64)
                let balls = ep.frames[0].balls
                gravities.insert([ep.scene.gravity.x, ep.scene.gravity.y])
                XCTAssertTrue(scenario.ballCount.contains(balls.count), scenario.name)
                XCTAssertEqual(Set(balls.map(\.color)).count, balls.count, "distinct colours")
                for (i, b) in balls.enumerated() {
                    XCTAssertTrue(scenario.radius.contains { $0.contains(b.radius) }, "\(scenario.name) r \(b.radius)")
                    XCTAssertEqual(b.mass, b.radius * b.radius)
                    if let spec = scenario.occluder {
                        XCTAssertTrue(spec.horizontalSpeed.contains(abs(b.velocity.x)))
                    } else {
                        XCTAssertTrue(scenario.speed.contains(b.velocity.length), "\(scenario.name) speed \(b.velocity.length)")
                    }
                    for c in balls[(i + 1)...] {
                        XCTAssertGreaterThanOrEqual((b.position - c.position).length, b.radius + c.radius + 1.5)
                    }
                }
            }
            XCTAssertEqual(gravities.count, scenario.gravity.count, "\(scenario.name): every gravity choice appears")
        }
        XCTAssertEqual(Scenario.id.speed.upperBound, 1.5)
        XCTAssertEqual(try Scenario.named("ood-fast").speed.upperBound, 2 * Scenario.id.speed.upperBound)
    }

    /// `occluder`: some ball is fully in view, hidden > 12 frames behind the bar, then fully
    /// in view again.
    func testOccluderGuarantee() throws {
        let scenario = try Scenario.named("occluder")
        for seed: UInt64 in 0..<40 {
            let ep = try scenario.episode(seed: seed, frames: 64)
            XCTAssertEqual(ep.scene.occluders.count, 1)
            let bar = ep.scene.occluders[0]
            var best = 0
            for b in ep.frames[0].balls.indices {
                var seenWhole = false, run = 0, runAfterWhole = 0
                for f in ep.frames {
                    if f.visible[b] {
                        run = 0
                    } else {
                        run += 1
                        if seenWhole { runAfterWhole = max(runAfterWhole, run) }
                        // Hidden means behind the bar, but for a sliver thinner than the
                        // visibility sampling grid (spacing ≤ 0.375 px).
                        XCTAssertEqual(f.visibleFraction[b], 0)
                        let p = f.balls[b].position, reach = f.balls[b].radius + 0.5
                        XCTAssertTrue(p.x - reach > bar.x - 0.375 && p.x + reach < bar.maxX + 0.375,
                                      "\(p.x) ± \(reach) vs bar \(bar.x)..<\(bar.maxX)")
                    }
                    if f.visibleFraction[b] == 1 {
                        if runAfterWhole > 12 { best = max(best, runAfterWhole) }
                        seenWhole = true
                    }
                }
            }
            XCTAssertGreaterThan(best, 12, "seed \(seed)")
        }
        XCTAssertThrowsError(try scenario.episode(seed: 1, frames: 10))
    }

    /// `key`: the ball comes to rest, the scene goes dark for > 12 frames, and afterwards the
    /// ball is visible exactly where it was.
    func testKeyGuarantee() throws {
        let scenario = try Scenario.named("key")
        for seed: UInt64 in 0..<40 {
            let ep = try scenario.episode(seed: seed, frames: 64)
            XCTAssertEqual(ep.scene.darkness.count, 1)
            let dark = ep.scene.darkness[0]
            XCTAssertGreaterThan(dark.count, 12)
            XCTAssertLessThanOrEqual(dark.upperBound + 3, 64)
            let before = ep.frames[dark.lowerBound - 1]
            XCTAssertTrue(before.visible[0])
            XCTAssertTrue(before.balls[0].resting)
            XCTAssertEqual(before.balls[0].velocity, Vec2(0, 0))
            for t in dark {
                XCTAssertTrue(ep.frames[t].dark)
                XCTAssertFalse(ep.frames[t].visible[0])
            }
            let after = ep.frames[dark.upperBound]
            XCTAssertTrue(after.visible[0])
            XCTAssertEqual(after.balls[0].position, before.balls[0].position)
            XCTAssertFalse(ep.frames[0].balls[0].resting && ep.frames[0].balls[0].velocity == Vec2(0, 0),
                           "the ball moves before it rests")
        }
    }

    /// `blackout`: 4–8 lit frames, then 13–21 dark frames in which every ball is hidden and
    /// moves (bouncing allowed), then light with at least 3 frames left; too short a clip is
    /// refused by name.
    func testBlackoutHidesBallsInFlight() throws {
        let scenario = try Scenario.named("blackout")
        XCTAssertTrue(scenario.hidesBalls)
        var lengths = Set<Int>()
        for seed: UInt64 in 0..<40 {
            let ep = try scenario.episode(seed: seed, frames: 48)
            XCTAssertEqual(ep.scene.darkness.count, 1)
            let dark = ep.scene.darkness[0]
            lengths.insert(dark.count)
            XCTAssert((4...8).contains(dark.lowerBound), "seed \(seed): lit for \(dark.lowerBound) frames")
            XCTAssert((13...21).contains(dark.count), "seed \(seed): dark for \(dark.count) frames")
            XCTAssertLessThanOrEqual(dark.upperBound + 3, 48)
            for t in 0..<48 { XCTAssertEqual(ep.frames[t].dark, dark.contains(t), "seed \(seed) frame \(t)") }
            let before = ep.frames[dark.lowerBound - 1], after = ep.frames[dark.upperBound]
            for b in before.balls.indices {
                XCTAssertTrue(before.visible[b] && after.visible[b], "seed \(seed) ball \(b) is seen on both sides")
                for t in dark {
                    XCTAssertFalse(ep.frames[t].visible[b])
                    XCTAssertGreaterThan(ep.frames[t].balls[b].velocity.length, 0, "seed \(seed) ball \(b) flies in the dark")
                }
                XCTAssertGreaterThan((after.balls[b].position - before.balls[b].position).length, 1,
                                     "seed \(seed) ball \(b) is elsewhere when the light returns")
            }
        }
        XCTAssertGreaterThan(lengths.count, 4, "the darkness's length varies")
        XCTAssertThrowsError(try scenario.episode(seed: 1, frames: 19)) { e in
            XCTAssert("\(e)".contains("scenario 'blackout' found no clip of 19 frames"), "\(e)")
        }
    }

    /// With `shownFrames`, an occluder clip also has every ball fully in view in its first
    /// frames (about 100 frames are needed to meet both guarantees).
    func testOccluderShowsEveryBallFirst() throws {
        var scenario = try Scenario.named("occluder")
        scenario.occluder?.shownFrames = 4
        for seed: UInt64 in 0..<12 {
            let ep = try scenario.episode(seed: seed, frames: 128)
            for f in ep.frames.prefix(4) { XCTAssertEqual(f.visibleFraction, f.visibleFraction.map { _ in 1 }, "seed \(seed)") }
            XCTAssertTrue(Scenario.hiddenRun(ep.frames, longerThan: 12))
        }
    }

    /// A cut of a clip is a clip of its own: frames renumbered from 0, darkness moved with them.
    func testCutRenumbersFramesAndDarkness() throws {
        let ep = try Scenario.named("key").episode(seed: 3, frames: 96)
        let dark = ep.scene.darkness[0]
        XCTAssertLessThanOrEqual(dark.lowerBound + 30, 96)
        let cut = ep.cut((dark.lowerBound - 4)..<(dark.lowerBound + 30))
        XCTAssertEqual(cut.count, 34)
        XCTAssertEqual(cut.frames.map(\.t), Array(0..<34))
        XCTAssertEqual(cut.scene.darkness, [4..<(4 + dark.count)])
        for (f, g) in zip(cut.frames, ep.frames[(dark.lowerBound - 4)...]) {
            XCTAssertEqual(f.balls, g.balls)
            XCTAssertEqual(f.dark, cut.scene.isDark(f.t))
        }
        XCTAssertEqual(ep.cut(0..<(dark.lowerBound)).scene.darkness, [])
        XCTAssertEqual(ep.cut((dark.lowerBound + 2)..<96).scene.darkness, [0..<(dark.count - 2)])
    }
}

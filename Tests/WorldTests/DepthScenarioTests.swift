import XCTest
@testable import World

final class DepthScenarioTests: XCTestCase {
    /// Every clip of `depth` and `depth-near` has a frame where two discs overlap in the
    /// image by at least a pixel while the spheres are at least a unit apart — checked here
    /// from the states with the projection written out, not with the scenario's own check —
    /// and every three-ball clip has a ball–ball collision, found by simulating the clip again.
    func testClipsOverlapInTheImageWithoutTouching() throws {
        var clips = 0, threeBall = 0, collided = 0, overlapFrames = 0
        for scenario in DepthScenario.all {
            let box = scenario.box, f = scenario.camera.focalLength, R = box.ballRadius
            for seed: UInt64 in 0..<20 {
                let ep = try scenario.episode(seed: seed, frames: 32)
                clips += 1
                var frames = 0
                for s in ep.frames {
                    let hit = s.balls.indices.contains { i in
                        s.balls.indices.contains { j in
                            guard j > i else { return false }
                            let a = s.balls[i].position, b = s.balls[j].position
                            let Za = a.z + scenario.camera.distance, Zb = b.z + scenario.camera.distance
                            let ua = Vec2(16 + f * (a.x - 12) / Za, 16 + f * (a.y - 12) / Za)
                            let ub = Vec2(16 + f * (b.x - 12) / Zb, 16 + f * (b.y - 12) / Zb)
                            return (ua - ub).length <= f * R / Za + f * R / Zb - 1 && (a - b).length >= 2 * R + 1
                        }
                    }
                    if hit { frames += 1 }
                }
                XCTAssertGreaterThan(frames, 0, "\(scenario.name) seed \(seed)")
                overlapFrames += frames
                if ep.frames[0].balls.count == 3 {
                    threeBall += 1
                    var sim = Simulator3D(box: box, balls: ep.frames[0].balls)
                    var pairs = 0
                    for _ in 1..<32 {
                        sim.step()
                        pairs += Simulator3DTests.pairCount(sim.events)
                    }
                    XCTAssertGreaterThan(pairs, 0, "\(scenario.name) seed \(seed): three balls collide")
                    if pairs > 0 { collided += 1 }
                }
            }
        }
        print("depth scenarios: \(clips) clips, \(overlapFrames) frames with an image overlap apart in 3D; "
              + "\(collided) of \(threeBall) three-ball clips collide")
        XCTAssertGreaterThan(threeBall, 5)
    }

    /// Clips start and stay inside the box without overlap, and the nearer ball wins every
    /// pixel fully inside its disc where discs overlap.
    func testClipsAreValidAndDrawnInDepthOrder() throws {
        var overlapPixels = 0
        for scenario in DepthScenario.all {
            let R = scenario.box.ballRadius, camera = scenario.camera
            for seed: UInt64 in 0..<10 {
                let ep = try scenario.episode(seed: seed, frames: 32)
                let bytes = Rasterizer.bytes(ep)
                for s in ep.frames {
                    for (i, b) in s.balls.enumerated() {
                        XCTAssertTrue(scenario.box.holds(b.position, tolerance: 1e-9))
                        for c in s.balls[(i + 1)...] { XCTAssertGreaterThanOrEqual((b.position - c.position).length, 2 * R - 1e-9) }
                    }
                    let flat = s.balls.map { camera.imageBall($0, in: scenario.box) }
                    for y in 0..<32 {
                        for x in 0..<32 {
                            let p = Vec2(Double(x) + 0.5, Double(y) + 0.5)
                            let covering = s.balls.indices.filter { (p - flat[$0].position).length < flat[$0].radius + 0.5 }
                            guard covering.count > 1 else { continue }
                            let nearest = covering.min { s.balls[$0].position.z < s.balls[$1].position.z }!
                            guard (p - flat[nearest].position).length <= flat[nearest].radius - 0.501 else { continue }
                            overlapPixels += 1
                            let o = ((s.t * 32 + y) * 32 + x) * 3
                            XCTAssertEqual(Array(bytes[o..<(o + 3)]), Palette.colors[s.balls[nearest].color].array.map(UInt8.init))
                        }
                    }
                }
            }
        }
        print("depth scenarios: \(overlapPixels) overlapping pixels checked for depth order")
        XCTAssertGreaterThan(overlapPixels, 100)
    }

    /// Same scenario and seed → identical states, JSON and frame bytes; another seed differs.
    func testBitIdenticalPerSeed() throws {
        for scenario in DepthScenario.all {
            let a = try scenario.episode(seed: 11, frames: 32), b = try scenario.episode(seed: 11, frames: 32)
            XCTAssertEqual(a, b, scenario.name)
            XCTAssertEqual(try a.statesJSON(), try b.statesJSON(), scenario.name)
            XCTAssertEqual(Rasterizer.bytes(a), Rasterizer.bytes(b), scenario.name)
            XCTAssertNotEqual(a, try scenario.episode(seed: 12, frames: 32), scenario.name)
        }
    }

    func testNamesAndErrors() throws {
        XCTAssertEqual(DepthScenario.names, ["depth", "depth-near"])
        XCTAssertEqual(try DepthScenario.named("depth-near"), DepthScenario.depthNear)
        XCTAssertThrowsError(try DepthScenario.named("depht"))
        XCTAssertThrowsError(try DepthScenario.depth.episode(seed: 1, frames: 0))
        XCTAssertEqual(DepthScenario.depth.defaultFrames, 32)
    }
}

import XCTest
import Dynamics
import Tensor
import World
@testable import Eval

/// The 2.5D experiment's frame-level scores: the simulator's own frames are right on every
/// score, and generators broken in a known way are caught where they break.
final class DepthScoresTests: XCTestCase {
    let config = DepthScoreConfig()
    let seeds = (0..<UInt64(24)).map { 1_000_000_000 + $0 }

    func episodes() throws -> [Episode3D] {
        try seeds.map { try DepthScenario.depth.episode(seed: $0, frames: config.frames) }
    }

    /// The total of `generate`'s scores over the test clips.
    func scores(_ generate: (Episode3D) -> [Float]) throws -> DepthScores {
        try episodes().reduce(DepthScores(name: "", horizon: config.horizon)) { total, ep in
            total + DepthScores.score(generate(ep), episode: ep, config: config)
        }
    }

    /// `episode`'s frames with generated frames drawn from `balls(t)` (image balls, id order)
    /// through the flat rasterizer, larger discs last.
    func drawn(_ ep: Episode3D, _ balls: (Int) -> [Ball]) -> [Float] {
        let all = Rasterizer.planar(ep), per = all.count / ep.count
        let states = (config.context..<ep.count).map { t in
            ep.imageScene.frameState(t: t, balls: balls(t).sorted { $0.radius < $1.radius })
        }
        return Array(all[0..<(config.context * per)]) + Rasterizer.planar(states, scene: ep.imageScene)
    }

    func testEveryBallOfADepthSceneHasItsOwnColour() throws {
        for seed in 0..<UInt64(200) {
            let colors = try DepthScenario.depth.episode(seed: seed, frames: 2).frames[0].balls.map(\.color)
            XCTAssertEqual(Set(colors).count, colors.count, "seed \(seed)")
        }
    }

    func testTheSimulatorsFramesAreRightOnEveryScore() throws {
        let s = try scores { Rasterizer.planar($0) }
        XCTAssertGreaterThan(s.passThrough.judged, 5)
        XCTAssertGreaterThan(s.bounce.judged, 3)
        XCTAssertEqual(s.passThrough.shown, s.passThrough.judged)
        XCTAssertEqual(s.bounce.shown, s.bounce.judged)
        XCTAssertEqual(s.passThrough.right, s.passThrough.judged)
        XCTAssertEqual(s.bounce.right, s.bounce.judged)
        XCTAssertLessThan(s.sizeError.mean.max()!, 0.01)
        XCTAssertEqual(s.sizeMissed.reduce(0, +), 0)
        XCTAssertGreaterThan(s.stillSizeChange.count[0], 20)
        XCTAssertLessThan(s.stillSizeChange.mean[0], 0.005)
        XCTAssertLessThan(s.positionError3D.mean.max()!, 0.2)
        XCTAssertEqual(s.occlusion.right, s.occlusion.pairs)
        XCTAssertGreaterThan(s.occlusion.pairs, 10)
        XCTAssertEqual(s.realFrames, s.frames)
        XCTAssertEqual(s.countRightFrames, s.frames)
        XCTAssertGreaterThan(s.overlapFrames, 10)
        XCTAssertEqual(s.overlapRealFrames, s.overlapFrames)
        XCTAssertEqual(s.overlapCountRightFrames, s.overlapFrames)
    }

    /// Frames of the same clip simulated from the last context frame with every ball alone in
    /// the box: walls and gravity as before, no pair collision, so touching balls pass through.
    func testBallsThatPassThroughInsteadOfBouncingAreWrong() throws {
        let s = try scores { ep in
            let start = ep.frames[config.context - 1].balls
            let alone = start.map { ball in
                Simulator3D.run(box: ep.box, camera: ep.camera, balls: [ball], frames: ep.count - config.context + 1)
            }
            return drawn(ep) { t in
                alone.map { ep.camera.imageBall($0[t - config.context + 1].balls[0], in: ep.box) }
            }
        }
        XCTAssertGreaterThan(s.bounce.judged, 3)
        XCTAssertEqual(s.bounce.right, 0)
    }

    func testSizeErrorOfDiscsDrawnLargerIsTheirExcess() throws {
        let s = try scores { ep in
            drawn(ep) { t in
                ep.frames[t].balls.map { b in
                    var ball = ep.camera.imageBall(b, in: ep.box)
                    ball.radius += 0.25
                    return ball
                }
            }
        }
        for (h, e) in s.sizeError.mean.enumerated() { XCTAssertEqual(e, 0.25, accuracy: 0.01, "horizon \(h + 1)") }
    }

    /// A generator that draws the truth for two frames and then nothing: its realism and count
    /// by horizon say where it broke, and the first window's shares are those of its frames.
    func testRealismAndCountByHorizonSayWhereFramesBreak() throws {
        let s = try scores { ep in
            drawn(ep) { t in
                t < config.context + 2 ? ep.frames[t].balls.map { ep.camera.imageBall($0, in: ep.box) } : []
            }
        }
        XCTAssertEqual(s.countRightByHorizon.count, [Int](repeating: seeds.count, count: config.horizon))
        XCTAssertEqual(s.shares(upTo: 2).countRight, 1)
        XCTAssertEqual(s.shares(upTo: 2).real, 1)
        XCTAssertEqual(s.countRightByHorizon.mean[2...].max(), 0)
        XCTAssertEqual(s.shares(upTo: config.horizon).countRight!, s.countRightShare!, accuracy: 1e-12)
        XCTAssertEqual(s.shares(upTo: config.horizon).real!, s.realShare!, accuracy: 1e-12)
        XCTAssertEqual(s.shares(upTo: 4).countRight!, 0.5, accuracy: 1e-12)
    }

    /// A generator that draws the truth except where two discs overlap, where it draws
    /// nothing: its count is wrong in exactly the overlap frames.
    func testFramesWhereDiscsOverlapAreScoredApart() throws {
        let s = try scores { ep in
            drawn(ep) { t in
                let balls = ep.frames[t].balls.map { ep.camera.imageBall($0, in: ep.box) }
                return DepthScores.overlapping(balls, minOverlap: config.minOverlap) ? [] : balls
            }
        }
        XCTAssertGreaterThan(s.overlapFrames, 10)
        XCTAssertEqual(s.overlapCountRightFrames, 0)
        XCTAssertEqual(s.countRightFrames, s.frames - s.overlapFrames)
        XCTAssertEqual(s.overlapShares.countRight, 0)
    }

    func testCopyLastFailsPassThroughAndConstantVelocityFailsBounces() throws {
        let eps = try episodes()
        let columns = [DepthColumn.simulator, .copyLast, .constantVelocity]
        let totals = columns.map { column in
            eps.reduce(DepthScores(name: column.name, horizon: config.horizon)) { total, ep in
                total + DepthScores.score(column.generate(ep, config.context)!, episode: ep, config: config)
            }
        }
        print(DepthScores.table(totals))
        let copy = totals[1], constant = totals[2]
        XCTAssertLessThan(copy.passThrough.share!, 0.2)
        XCTAssertLessThan(constant.bounce.share!, 0.2)
        XCTAssertGreaterThan(constant.passThrough.share!, copy.passThrough.share!)
        // Held radii: no size change at all, but the size drifts from the truth's.
        XCTAssertGreaterThan(constant.sizeError.mean.last!, 5 * constant.sizeError.mean.first!)
    }

    /// The structured 3D state model with its constants set by hand steps as the simulator
    /// does, so through its perceived states its frames pass and bounce as the simulator's.
    func testTheHandSetStateModelPassesAndBounces() throws {
        let model = StateModel3D(law: .handSet(gravity: DepthScenario.depth.box.gravity), scenario: .depth)
        let s = try DepthScores.measure([.stateModel(model, name: "hand-set")], scenario: .depth, seeds: seeds, config: config)[0]
        XCTAssertEqual(s.noFrames, 0)
        XCTAssertGreaterThanOrEqual(Double(s.passThrough.right), 0.9 * Double(s.passThrough.judged))
        XCTAssertGreaterThanOrEqual(Double(s.bounce.right), 0.8 * Double(s.bounce.judged))
        XCTAssertEqual(s.realFrames, s.frames)
        XCTAssertLessThan(s.sizeError.mean[0], 0.01)
    }

    /// Clips are scored in parallel and summed in clip order: the same scores twice.
    func testMeasureIsDeterministic() throws {
        let a = try DepthScores.measure([.simulator, .constantVelocity], scenario: .depth, seeds: Array(seeds.prefix(6)), config: config)
        let b = try DepthScores.measure([.simulator, .constantVelocity], scenario: .depth, seeds: Array(seeds.prefix(6)), config: config)
        XCTAssertEqual(a, b)
        XCTAssertEqual(a[0].clips, 6)
    }
}


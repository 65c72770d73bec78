import Foundation
import XCTest
import Checkpoints
import Diffusion
import Sample
import Tensor
import Train
import World
@testable import Eval

final class WindowQualityTests: XCTestCase {
    func quality(clips: Int = 32) throws -> WindowQuality {
        var c = WindowQualityConfig()
        c.clips = clips
        return try WindowQuality(c)
    }

    /// The simulator's own frames: every ball found, at its place, every frame clean.
    func testSimulatorScoresPerfect() throws {
        let q = try quality()
        let r = q.evaluate("simulator", batch: 8, generator: q.simulator)
        print(String(format: "simulator: count %.3f, error mean %.4f px, max %.4f px, realism %.3f",
                     r.all.countCorrect, r.all.meanError!, r.scores.flatMap { $0.flatMap(\.errors) }.max()!, r.all.realism))
        XCTAssertEqual(r.all.frames, 32 * 6)
        XCTAssertEqual(r.byFrame.map(\.frame), [3, 4, 5, 6, 7, 8])
        XCTAssertEqual(r.all.countCorrect, 1)
        XCTAssertEqual(r.all.missRate, 0)
        XCTAssertEqual(r.all.extrasPerFrame, 0)
        XCTAssertEqual(r.all.realism, 1)
        XCTAssertLessThan(r.all.meanError!, 0.1)
        XCTAssertEqual(r.all.penalizedError!, r.all.meanError!, accuracy: 1e-12)
    }

    /// Occlusion and darkness: the simulator's frames still score perfectly — a ball partly
    /// behind the bar is optional and its cut disc no flaw — while copying the last frame
    /// forward shows a ball through the darkness (an extra) or misses one coming out.
    func testSimulatorScoresPerfectWithOccluderAndDarkness() throws {
        for name in ["occluder", "key"] {
            var c = WindowQualityConfig()
            c.scenario = name
            c.clips = 12
            let q = try WindowQuality(c)
            let r = q.evaluate(name, generator: q.simulator)
            XCTAssertEqual(r.all.countCorrect, 1, name)
            XCTAssertEqual(r.all.realism, 1, name)
            XCTAssertLessThan(r.all.meanError!, 0.1, name)
            XCTAssertLessThan(q.evaluate(name, generator: q.copyLast).all.countCorrect, 1, name)
        }
    }

    /// Copy-last: the error of a ball at frame f is how far it moved since the last context
    /// frame (up to the tracker's few hundredths of a pixel), and the frames stay real.
    func testCopyLastMatchesHandComputation() throws {
        let q = try quality(clips: 8)
        let r = q.evaluate("copy-last", batch: 3, generator: q.copyLast)
        XCTAssertGreaterThan(r.all.meanError!, 0.5)
        XCTAssertEqual(r.all.realism, 1)
        let ep = q.clips[0]
        var hand: [Double] = []
        for f in 2..<8 {
            for (b, ball) in ep.frames[f].balls.enumerated() where ep.frames[f].visible[b] {
                hand.append((ball.position - ep.frames[1].balls[b].position).length)
            }
        }
        let measured = r.scores[0].flatMap(\.errors)
        XCTAssertEqual(measured.count, hand.count)
        for (m, h) in zip(measured, hand) { XCTAssertEqual(m, h, accuracy: 0.1) }
        let mean = hand.reduce(0, +) / Double(hand.count)
        XCTAssertEqual(measured.reduce(0, +) / Double(measured.count), mean, accuracy: 0.03)
        // Error grows with the horizon: one frame ahead vs six.
        XCTAssertLessThan(r.byFrame.first!.meanError!, r.byFrame.last!.meanError!)
    }

    /// Constant velocity beats copy-last, and its first generated frame is off only by one
    /// frame of gravity (0.1 px) unless a bounce intervenes.
    func testConstantVelocityBeatsCopyLast() throws {
        let q = try quality()
        let cv = q.evaluate("cv", generator: q.constantVelocity)
        let copy = q.evaluate("copy", generator: q.copyLast)
        XCTAssertLessThan(cv.all.meanError!, copy.all.meanError!)
        XCTAssertLessThan(cv.byFrame[0].medianError!, 0.15)
        XCTAssertGreaterThan(cv.all.countCorrect, 0.9, "balls pass through each other, so a few frames hide part of one")
        // The in-window bar: the simulator meets it; copy-last, further off than constant
        // velocity, does not.
        XCTAssert(q.evaluate("simulator", generator: q.simulator).meetsBar(against: cv))
        XCTAssertFalse(copy.meetsBar(against: cv))
    }

    /// Broken frames are flagged: an empty frame misses every ball (and pays the penalty);
    /// a speck on the background and a square blob make a frame unreal; a duplicate disc is an extra.
    func testBrokenFramesAreFlagged() throws {
        let q = try quality(clips: 1)
        let ep = q.clips[0], truth = ep.frames[2]
        let n = truth.visible.filter { $0 }.count
        let empty = [Float](repeating: -1, count: 3 * 32 * 32)
        let s0 = q.score(frame: empty, truth: truth, scene: ep.scene, index: 2)
        XCTAssertEqual(s0.misses, n)
        XCTAssertFalse(s0.countCorrect)
        XCTAssertTrue(s0.realistic)
        XCTAssertEqual(QualityStats([s0], missPenalty: 16).penalizedError, 16)
        XCTAssertNil(QualityStats([s0], missPenalty: 16).meanError)

        var frame = Rasterizer.planar([truth], scene: ep.scene)
        let clean = q.score(frame: frame, truth: truth, scene: ep.scene, index: 2)
        XCTAssertTrue(clean.realistic && clean.countCorrect)
        // A dim grey speck far from every ball.
        let far = (0..<(32 * 32)).first { i in
            let p = Vec2(Double(i % 32) + 0.5, Double(i / 32) + 0.5)
            return truth.balls.allSatisfy { ($0.position - p).length > $0.radius + 4 }
        }!
        for c in 0..<3 { frame[c * 1024 + far] = -0.4 }
        let speck = q.score(frame: frame, truth: truth, scene: ep.scene, index: 2)
        XCTAssertEqual(speck.strayPixels, 1)
        XCTAssertFalse(speck.realistic)
        XCTAssertTrue(speck.countCorrect)

        // A second copy of ball 0, away from every ball: an extra valid disc, count wrong,
        // errors unchanged.
        var twin = truth
        var ghost = twin.balls[0]
        let r = ghost.radius
        func free(_ p: Vec2) -> Bool {
            let inside = p.x > r + 1 && p.x < 31 - r && p.y > r + 1 && p.y < 31 - r
            return inside && truth.balls.allSatisfy { ($0.position - p).length > $0.radius + r + 3 }
        }
        let spots = (0..<(32 * 32)).map { Vec2(Double($0 % 32) + 0.5, Double($0 / 32) + 0.5) }
        ghost.position = try XCTUnwrap(spots.first(where: free))
        twin.balls.append(ghost)
        let doubled = q.score(frame: Rasterizer.planar([twin], scene: ep.scene), truth: truth, scene: ep.scene, index: 2)
        XCTAssertEqual(doubled.found, n + 1)
        XCTAssertEqual(doubled.extras, 1)
        XCTAssertFalse(doubled.countCorrect)
        XCTAssertEqual(doubled.errors, clean.errors)
    }

    /// A freshly trained tiny model runs end to end (structure only: it is a bad model), its
    /// checkpoint reports its step, time and loss, and the curve CSV gets one row per call.
    func testTinyModelEndToEnd() throws {
        let dir = NSTemporaryDirectory() + "vidgen-eval-tiny-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var train = TrainConfig.tiny
        train.steps = 20
        train.checkpointEvery = 10
        try TrainingRun.run(train, into: dir, resume: false, snapshotEvery: 10)
        let (model, config) = try CheckpointFolder(dir).videoModel()

        var c = WindowQualityConfig()
        c.clips = 4
        c.window = config.model.frames
        c.size = config.model.size
        c.context = 2
        let q = try WindowQuality(c)
        let generator = q.model(WindowSampler(model: model, kind: .ddim, steps: 3), rng: RNG(seed: 1))
        let r = q.evaluate("model", batch: 3, generator: generator)
        XCTAssertEqual(r.scores.count, 4)
        XCTAssertEqual(r.all.frames, 4 * (c.window - 2))
        XCTAssertEqual(r.byFrame.map(\.frame), Array(3...c.window))
        XCTAssertNil(r.byWindow)
        let again = q.evaluate("model", batch: 3, generator: generator)
        XCTAssertEqual(again, r, "same seed, same batch: same scores")

        let info = CheckpointInfo(folder: dir)
        XCTAssertEqual(info.step, 20)
        XCTAssertNotNil(info.seconds)
        XCTAssertNotNil(info.loss)
        XCTAssertNotNil(info.lossMean50)
        // A snapshot (the three files copied aside while training goes on) says the same.
        let snap = dir + "/snap"
        try FileManager.default.createDirectory(atPath: snap, withIntermediateDirectories: true)
        for f in ["model.safetensors", "config.json", "train-log.csv"] {
            try FileManager.default.copyItem(atPath: dir + "/" + f, toPath: snap + "/" + f)
        }
        var snapInfo = CheckpointInfo(folder: snap)
        snapInfo.path = dir
        XCTAssertEqual(snapInfo, info)
        // So do the run's own snapshots (--snapshot-every), through the run's log.
        var last = CheckpointInfo(folder: CheckpointFolder(dir).snapshot(step: 20).path)
        last.path = dir
        XCTAssertEqual(last, info)
        let first = CheckpointInfo(folder: CheckpointFolder(dir).snapshot(step: 10).path)
        XCTAssertEqual(first.step, 10)
        XCTAssertLessThan(first.seconds ?? .infinity, info.seconds ?? 0)
        let (early, _) = try CheckpointFolder(dir).snapshot(step: 10).videoModel()
        XCTAssertNotEqual(early.namedParameters.map(\.value.values), model.namedParameters.map(\.value.values))

        let evaluated = EvaluatedModel(folder: dir, denoiser: model, sampling: SamplingConfig(steps: 3))
        let report = try WindowQualityReport.measure(c, models: [evaluated], seed: 1, batch: 3)
        XCTAssertEqual(report.models[0].result.all, q.evaluate("model", batch: 4, generator: q.model(
            WindowSampler(model: model, kind: .ddim, steps: 3), rng: RNG(seed: 1).split("eval"))).all)
        let decoded = try JSONDecoder().decode(WindowQualityReport.self, from: Data(try report.encoded()))
        XCTAssertEqual(decoded.models[0].result.all, report.models[0].result.all)
        XCTAssertEqual(decoded.models[0].checkpoint.step, 20)
        XCTAssertEqual(decoded.models[0].sampling, SamplingConfig(steps: 3))
        XCTAssertTrue(report.table().contains("copy last frame"))

        let csv = dir + "/curve.csv"
        let row = TrainingCurve.row(report.models[0], in: report)
        try TrainingCurve.append([row], to: csv)
        try TrainingCurve.append([row], to: csv)
        let lines = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 3)
        XCTAssertEqual(String(lines[0]), TrainingCurve.header)
        XCTAssertEqual(lines[1].split(separator: ",", omittingEmptySubsequences: false).count,
                       TrainingCurve.header.split(separator: ",").count)
        try "something else\n".write(toFile: dir + "/other.csv", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try TrainingCurve.append([row], to: dir + "/other.csv"))
    }

    /// Clip i's scores equal at batch sizes `a` and `b`: every count exactly, centroid errors to
    /// 1e-6 px (a batch of another size runs sgemm on another row count, whose blocking may
    /// round the last bit of a pixel differently).
    func assertSameScores(_ a: [[FrameScore]], _ b: [[FrameScore]], _ message: String, line: UInt = #line) {
        func counts(_ s: [[FrameScore]]) -> [[FrameScore]] { s.map { $0.map { var f = $0; f.errors = f.errors.map { _ in 0 }; return f } } }
        XCTAssertEqual(counts(a), counts(b), message, line: line)
        for (x, y) in zip(a.joined().flatMap(\.errors), b.joined().flatMap(\.errors)) { XCTAssertEqual(x, y, accuracy: 1e-6, message, line: line) }
    }

    /// A score never depends on how the clips were batched: clip i's noise is its own.
    func testScoresDoNotDependOnTheBatch() throws {
        var rng = RNG(seed: 4)
        var config = ModelConfig.tiny
        (config.frameLag, config.noiseShift) = (0.5, 4)
        var model = Denoiser(config, rng: &rng)
        model.visit("") { name, t in if name.hasPrefix("final") || name.contains("modulation") { t = .randn(t.shape, std: 0.05, rng: &rng) } }
        var c = WindowQualityConfig()
        (c.clips, c.window, c.size, c.context) = (10, config.frames, config.size, 2)
        for long in [nil, LongVideo(frames: 9, stitch: .lastK)] {
            c.long = long
            let q = try WindowQuality(c)
            for kind in SamplerKind.allCases {
                let generator = q.model(WindowSampler(model: model, kind: kind, steps: 4, handoff: 0.1), rng: RNG(seed: 2))
                // 32 (vidgen eval's default) holds all 10 clips; 8 splits them 8 + 2.
                let all = q.evaluate("m", batch: 32, generator: generator)
                for batch in [1, 3, 8] {
                    assertSameScores(q.evaluate("m", batch: batch, generator: generator).scores, all.scores,
                                     "\(kind), long \(String(describing: long)), batch \(batch)")
                }
            }
        }
    }

    /// Long videos: each clip runs on from the frames of its window, is scored frame by frame
    /// and window by window, and the simulator scores real in every window.
    func testLongVideosScoreEveryWindow() throws {
        var c = WindowQualityConfig()
        (c.clips, c.window, c.size, c.context) = (6, 4, 16, 2)
        let window = try WindowQuality(c)
        for stitch in StitchStrategy.allCases {
            c.long = LongVideo(frames: 13, stitch: stitch)
            let q = try WindowQuality(c)
            XCTAssertEqual(q.clips.map(\.count), [Int](repeating: 13, count: 6))
            for (a, b) in zip(q.clips, window.clips) {
                XCTAssertEqual(Array(a.frames[0..<4]), b.frames, "a long clip starts with its window")
            }
            // last-k takes 2 context frames, so each window adds 2; last-frame takes 1 and adds 3.
            XCTAssertEqual(c.windowStarts, stitch == .lastK ? [2, 4, 6, 8, 10, 12] : [2, 4, 7, 10])
            let truth = q.evaluate("simulator", physics: PhysicsConfig(), generator: q.simulator)
            XCTAssertEqual(truth.byFrame.count, 11)
            XCTAssertEqual(truth.byWindow?.map(\.firstFrame), c.windowStarts.map { $0 + 1 })
            XCTAssertEqual(truth.byWindow?.last?.lastFrame, 13)
            XCTAssertEqual(truth.byWindow?.map(\.stats.frames).reduce(0, +), 6 * 11)
            XCTAssert(truth.meetsLongBar)
            XCTAssertEqual(truth.all.real, 1)
            let still = q.evaluate("copy-last", generator: q.copyLast)
            XCTAssertEqual(still.all.real, 1, "a still frame is real")
            XCTAssertGreaterThan(still.all.meanError ?? 0, truth.all.meanError ?? 1)
        }
        c.long = LongVideo(frames: 3, stitch: .lastK)
        XCTAssertThrowsError(try WindowQuality(c))
    }

    /// A frame is real only when every ball is a valid disc of its colour and nothing else is drawn.
    func testRealNeedsEveryBallInItsColour() {
        let good = FrameScore(frame: 2, visible: 2, partial: 0, found: 2, errors: [0.1, 0.2], misses: 0, extras: 0,
                              invalidBlobs: 0, strayPixels: 0)
        XCTAssert(good.real)
        var recoloured = good
        (recoloured.misses, recoloured.extras) = (1, 1)
        XCTAssert(recoloured.realistic && recoloured.countCorrect && !recoloured.real)
        var speck = good
        speck.strayPixels = 1
        XCTAssertFalse(speck.real)
    }

    /// Ball survival: a ball found in one frame and missed in the next is lost once; a missed
    /// ball beside an unmatched disc counts as recoloured; the rates pool over frames.
    func testBallSurvivalCountsLossesAndRecolouring() {
        func frame(_ f: Int, missed: [Int], extras: Int = 0) -> FrameScore {
            FrameScore(frame: f, visible: 3, partial: 0, found: 3 - missed.count + extras, errors: [], misses: missed.count,
                       extras: extras, invalidBlobs: 0, strayPixels: 0, inView: [0, 1, 2], missed: missed)
        }
        // Ball 1 vanishes at frame 3 and stays gone; ball 2 turns into another colour at frame 4.
        let clip = FrameScore.linking([frame(2, missed: []), frame(3, missed: [1]), frame(4, missed: [1, 2], extras: 1),
                                       frame(5, missed: [1, 2], extras: 1)])
        XCTAssertEqual(clip.map(\.atRisk), [0, 3, 2, 1])
        XCTAssertEqual(clip.map(\.lost), [0, 1, 1, 0])
        XCTAssertEqual(clip.map(\.recoloured), [0, 0, 1, 1])
        let stats = QualityStats(clip, missPenalty: 16)
        XCTAssertEqual(stats.lossRate, 2.0 / 6.0, accuracy: 1e-12)
        XCTAssertEqual(stats.recolouredRate, 2.0 / 12.0, accuracy: 1e-12)
        XCTAssertEqual(stats.missRate, 5.0 / 12.0, accuracy: 1e-12)
        // A gap in the frames (an observed frame between two generated ones) links nothing.
        XCTAssertEqual(FrameScore.linking([frame(2, missed: []), frame(4, missed: [0])]).map(\.atRisk), [0, 0])
    }

    /// The held-out clips are fixed by the config: same seeds, same windows; mid-motion starts.
    func testHeldOutClipsAreDeterministic() throws {
        let a = try quality(clips: 16), b = try quality(clips: 16)
        XCTAssertEqual(a.clips, b.clips)
        XCTAssertEqual(a.clips.map(\.seed), (0..<16).map { 1_000_000_000 + UInt64($0) })
        XCTAssertTrue(a.clips.contains { $0.frames[0].t > 0 })
        var bad = WindowQualityConfig()
        bad.context = 8
        XCTAssertThrowsError(try WindowQuality(bad))
    }
}

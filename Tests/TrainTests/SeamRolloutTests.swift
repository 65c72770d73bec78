import Foundation
import XCTest
@testable import Diffusion
@testable import Sample
@testable import Tensor
@testable import Train

/// Seams after the model's own roll-out (TrainConfig.seamRolloutShare), and runs that start
/// from a checkpoint's weights.
final class SeamRolloutTests: XCTestCase {
    func tmp(_ name: String) -> String {
        let dir = NSTemporaryDirectory() + "vidgen-seam-\(name)-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        return dir
    }

    var seamConfig: TrainConfig {
        var c = TrainConfig.tiny
        c.batchSize = 32
        c.contextNoise = 0.3
        c.seamRolloutShare = 0.5
        return c
    }

    /// A seam clip hands on 1 or 2 frames, all its finished frames at the seam level, and its
    /// window before ends with them; the other clips are drawn exactly as without seams.
    func testSeamClipsAndTheWindowBeforeThem() throws {
        let c = seamConfig
        var plainConfig = c
        plainConfig.seamRolloutShare = 0
        let plain = try ClipStream(plainConfig).batch(step: 3), batch = try ClipStream(c).batch(step: 3)
        XCTAssertNil(plain.seams)
        let seams = try XCTUnwrap(batch.seams)
        XCTAssert((6...26).contains(seams.clips.count), "\(seams.clips.count) of 32 clips are seams")
        XCTAssertEqual(seams.before.shape, [seams.clips.count, 4, 3, 16, 16])
        XCTAssertEqual(seams.noise.count, seams.clips.count)
        let (frames, per) = (c.model.frames, 3 * 16 * 16)
        for i in 0..<c.batchSize {
            let rows = (i * frames)..<((i + 1) * frames)
            guard let r = seams.clips.firstIndex(of: i) else {
                XCTAssertEqual(Array(batch.clips.values[(i * frames * per)..<((i + 1) * frames * per)]),
                               Array(plain.clips.values[(i * frames * per)..<((i + 1) * frames * per)]), "clip \(i)")
                XCTAssertEqual(Array(batch.t[rows]), Array(plain.t[rows]), "clip \(i)")
                XCTAssertEqual(Array(batch.mask[rows]), Array(plain.mask[rows]), "clip \(i)")
                continue
            }
            let k = batch.context[i]
            XCTAssert((1...2).contains(k), "clip \(i) hands on \(k) frames")
            for f in rows where batch.mask[f] == 1 { XCTAssertEqual(batch.t[f], Float(c.seamHandoff), "frame \(f)") }
            for f in 0..<k {
                let own = batch.clips.values[((i * frames + f) * per)..<((i * frames + f + 1) * per)]
                let before = seams.before.values[((r * frames + frames - k + f) * per)..<((r * frames + frames - k + f + 1) * per)]
                XCTAssertEqual(Array(own), Array(before), "clip \(i) frame \(f) is frame \(frames - k + f) of the window before")
            }
        }
        XCTAssertEqual(try ClipStream(c).batch(step: 3).seams?.before.values, seams.before.values)
    }

    /// The trainer puts the EMA model's own frames into a seam's context: the last K frames of
    /// the window it samples from the window before's first two.
    func testSeamContextIsTheModelsOwnRollout() throws {
        var c = seamConfig
        c.seamRolloutShare = 1
        c.batchSize = 4
        var trainer = try Trainer(c)
        _ = try trainer.trainStep()
        let batch = try trainer.stream.batch(step: 1)
        let seams = try XCTUnwrap(batch.seams)
        XCTAssertEqual(seams.clips, [0, 1, 2, 3])
        var clips = batch.clips
        trainer.handOnOwnFrames(seams, context: batch.context, into: &clips)
        var noise = seams.noise
        let sampler = WindowSampler(model: trainer.emaModel, kind: .ddim, steps: c.seamRolloutSteps, handoff: c.seamHandoff)
        let rolled = sampler.window(context: seams.before.slice(axis: 1, 0..<2), noise: &noise)
        let (frames, per) = (c.model.frames, 3 * 16 * 16)
        for i in 0..<4 {
            let k = batch.context[i]
            for f in 0..<frames {
                let got = Array(clips.values[((i * frames + f) * per)..<((i * frames + f + 1) * per)])
                if f < k {
                    let g = frames - k + f
                    XCTAssertEqual(got, Array(rolled.values[((i * frames + g) * per)..<((i * frames + g + 1) * per)]), "clip \(i) frame \(f)")
                    XCTAssertNotEqual(got, Array(batch.clips.values[((i * frames + f) * per)..<((i * frames + f + 1) * per)]))
                } else {
                    XCTAssertEqual(got, Array(batch.clips.values[((i * frames + f) * per)..<((i * frames + f + 1) * per)]), "clip \(i) frame \(f): the simulator's target")
                }
            }
        }
    }

    /// With seams, a run stopped and resumed still ends with the bytes of one that ran through.
    func testSeamRunResumesBitIdentically() throws {
        var c = seamConfig
        c.batchSize = 4
        c.steps = 8
        c.checkpointEvery = 3
        let straight = tmp("straight"), split = tmp("split")
        try TrainingRun.run(c, into: straight, resume: false)
        var half = c
        half.steps = 4
        try TrainingRun.run(half, into: split, resume: false)
        try TrainingRun.run(c, into: split, resume: true, steps: 8)
        let a = FileManager.default.contents(atPath: straight + "/" + CheckpointFolder.modelFile)
        XCTAssertNotNil(a)
        XCTAssertEqual(a, FileManager.default.contents(atPath: split + "/" + CheckpointFolder.modelFile))
    }

    /// A latent model's seam context is its own frames as stitching passes them: decoded to
    /// pixels and encoded again.
    func testLatentSeamContextIsEncodedPixels() throws {
        var codecConfig = CodecConfig.tiny
        codecConfig.steps = 3
        var codecTrainer = try CodecTrainer(codecConfig)
        for _ in 0..<3 { _ = try codecTrainer.trainStep() }
        var c = TrainConfig.latentTiny
        c.batchSize = 2
        c.seamRolloutShare = 1
        let trainer = try Trainer(c, codec: codecTrainer.model)
        let batch = try trainer.stream.batch(step: 0)
        let seams = try XCTUnwrap(batch.seams)
        var latents = codecTrainer.model.encodeClips(batch.clips)
        let simulator = latents
        trainer.handOnOwnFrames(seams, context: batch.context, into: &latents)
        var noise = seams.noise
        let sampler = WindowSampler(model: trainer.emaModel, kind: .ddim, steps: c.seamRolloutSteps,
                                    handoff: c.seamHandoff, codec: codecTrainer.model)
        let frames = c.model.frames
        let own = codecTrainer.model.encodeClips(sampler.window(context: seams.before.slice(axis: 1, 0..<2), noise: &noise)
            .slice(axis: 1, (frames - 2)..<frames))
        let per = latents.count / (2 * frames)
        for i in 0..<2 {
            let k = batch.context[i]
            for f in 0..<k {
                let g = 2 - k + f
                XCTAssertEqual(Array(latents.values[((i * frames + f) * per)..<((i * frames + f + 1) * per)]),
                               Array(own.values[((i * 2 + g) * per)..<((i * 2 + g + 1) * per)]), "clip \(i) frame \(f)")
            }
            let rest = ((i * frames + k) * per)..<((i + 1) * frames * per)
            XCTAssertEqual(Array(latents.values[rest]), Array(simulator.values[rest]))
        }
    }

    func testSeamConfig() {
        var c = seamConfig
        XCTAssertNil(c.validationError())
        c.seamRolloutShare = 1.5
        XCTAssertEqual(c.validationError(), "seamRolloutShare must be in [0, 1], got 1.5")
        c.seamRolloutShare = 0.5
        c.seamHandoff = 0.7
        XCTAssertEqual(c.validationError(), "seamHandoff must be in 0...0.5, got 0.7")
        c.seamHandoff = 0.02
        c.simulationFrames = 6
        XCTAssertEqual(c.validationError(), "seamRolloutShare needs simulationFrames ≥ 7 (a window and the one after it)")
        c.simulationFrames = 16
        c.model.frameLag = 0
        c.contextNoise = 0
        XCTAssertEqual(c.validationError(), "seamRolloutShare needs staggered frames (model.frameLag > 0)")
    }

    /// A run started from a checkpoint takes its EMA weights as both weights and EMA, at step
    /// 0 of its own schedule; a checkpoint of another shape is named.
    func testRunStartsFromACheckpointsWeights() throws {
        var c = TrainConfig.tiny
        c.steps = 3
        let source = tmp("source"), tuned = tmp("tuned")
        let trained = try TrainingRun.run(c, into: source, resume: false)
        let fresh = try Trainer(c).startingFrom(source)
        XCTAssertEqual(fresh.step, 0)
        let weights = trained.emaModel.namedParameters.map(\.value.values)
        XCTAssertEqual(fresh.model.namedParameters.map(\.value.values), weights)
        XCTAssertEqual(fresh.ema.map(\.values), weights)
        var longer = c
        longer.steps = 2
        XCTAssertEqual(try TrainingRun.run(longer, into: tuned, resume: false, from: source).step, 2)
        var wider = c
        wider.model.width = 32
        XCTAssertThrowsError(try Trainer(wider).startingFrom(source)) { e in
            XCTAssert("\(e)".contains("--from needs the same shape"), "\(e)")
        }
    }
}

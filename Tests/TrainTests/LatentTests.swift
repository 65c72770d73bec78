import Foundation
import XCTest
@testable import Diffusion
@testable import Checkpoints
@testable import Tensor
@testable import Train

final class LatentTests: XCTestCase {
    func tmp(_ name: String) -> String {
        let dir = NSTemporaryDirectory() + "vidgen-latent-\(name)-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        return dir
    }

    /// Space-to-depth and depth-to-space undo each other; encode and decode keep the shapes
    /// the latent model needs, and latents stay in (−1, 1).
    func testAutoencoderShapes() {
        var rng = RNG(seed: 1)
        let x = Tensor.uniform([2, 6, 4, 5], -1, 1, rng: &rng)
        XCTAssertEqual(FrameAutoencoder.depthToSpace(FrameAutoencoder.spaceToDepth(x)).values, x.values)
        XCTAssertEqual(FrameAutoencoder.spaceToDepth(x).shape, [2, 3, 2, 20])
        let codec = FrameAutoencoder(.tiny, rng: &rng)
        let frames = Tensor.uniform([3, 3, 16, 16], -1, 1, rng: &rng)
        let z = codec.encode(frames)
        XCTAssertEqual(z.shape, [3, 4, 4, 4])
        XCTAssert(z.values.allSatisfy { $0 > -1 && $0 < 1 })
        XCTAssertEqual(codec.decode(z).shape, [3, 3, 16, 16])
        let clips = Tensor.uniform([2, 3, 3, 16, 16], -1, 1, rng: &rng)
        XCTAssertEqual(codec.encodeClips(clips).shape, [2, 3, 4, 4, 4])
        XCTAssert(codec.decodeClips(codec.encodeClips(clips)).values.allSatisfy { (-1...1).contains($0) })
    }

    /// The tiny codec learns to reconstruct frames it never saw, and its folder loads back.
    func testCodecTrainsAndLoads() throws {
        var c = CodecConfig.tiny
        c.steps = 150
        var trainer = try CodecTrainer(c)
        let held = try trainer.batch(step: 100_000)
        let before = trainer.loss(held).item
        XCTAssertEqual(try trainer.batch(step: 3).values, try CodecTrainer(c).batch(step: 3).values)
        while trainer.step < c.steps { _ = try trainer.trainStep() }
        let after = trainer.loss(held).item
        XCTAssertLessThan(after, before * 0.3, "held-out loss \(before) → \(after)")
        let dir = tmp("codec")
        try trainer.save(to: dir)
        let (loaded, config) = try CheckpointFolder(dir).autoencoder()
        XCTAssertEqual(config, c)
        XCTAssertEqual(loaded.namedParameters.map(\.value.values), trainer.model.namedParameters.map(\.value.values))
        // The saved latent range spreads held-out latents over [−1, 1] and decodes as before.
        XCTAssertFalse(loaded.range.isIdentity)
        XCTAssertEqual(loaded.range, try trainer.withMeasuredRange(trainer.model).range)
        let frames = try trainer.config.heldOutFrames(0)
        let z = loaded.encode(frames).values
        XCTAssertGreaterThan(z.filter { abs($0) <= 1.0001 }.count, z.count * 99 / 100)
        XCTAssertGreaterThan(z.map(abs).max()!, 0.99)
        let unmapped = trainer.model.decode(trainer.model.encode(frames)).values
        for (a, b) in zip(loaded.decode(loaded.encode(frames)).values, unmapped) { XCTAssertEqual(a, b, accuracy: 1e-4) }
        XCTAssertThrowsError(try CheckpointFolder(dir + "-missing").autoencoder()) { e in
            XCTAssert("\(e)".contains("autoencoder.json: missing"), "\(e)")
        }
    }

    /// A latent run needs its autoencoder, keeps a copy of it, and resumes bit for bit.
    func testLatentRunKeepsItsCodecAndResumes() throws {
        var codecConfig = CodecConfig.tiny
        codecConfig.steps = 5
        var codecTrainer = try CodecTrainer(codecConfig)
        for _ in 0..<5 { _ = try codecTrainer.trainStep() }
        var c = TrainConfig.latentTiny
        c.steps = 6
        c.checkpointEvery = 3
        c.contextNoise = 0.3
        XCTAssertNil(c.validationError())
        XCTAssertEqual(c.frameSize, 16)
        XCTAssertThrowsError(try Trainer(c)) { e in XCTAssert("\(e)".contains("--autoencoder"), "\(e)") }
        var wrong = c
        wrong.model.channels = 3
        XCTAssertEqual(wrong.validationError()?.hasPrefix("a latent model needs model.channels = 4"), true)

        let straight = tmp("straight"), split = tmp("split")
        let full = try TrainingRun.run(c, into: straight, resume: false, codec: codecTrainer.model)
        var half = c
        half.steps = 3
        try TrainingRun.run(half, into: split, resume: false, codec: codecTrainer.model)
        let resumed = try TrainingRun.run(c, into: split, resume: true, steps: 6)
        XCTAssertEqual(resumed.step, 6)
        for f in [CheckpointFolder.modelFile, CheckpointFolder.codecFile] {
            XCTAssertEqual(FileManager.default.contents(atPath: straight + "/" + f), FileManager.default.contents(atPath: split + "/" + f), f)
        }
        XCTAssertEqual(full.emaModel.namedParameters.map(\.value.values), resumed.emaModel.namedParameters.map(\.value.values))
        let (_, config) = try CheckpointFolder(straight).videoModel()
        let codec = try XCTUnwrap(try CheckpointFolder(straight).codec(for: config))
        XCTAssertEqual(codec.namedParameters.map(\.value.values), codecTrainer.model.namedParameters.map(\.value.values))
        XCTAssertNil(try CheckpointFolder(straight).codec(for: .tiny))
    }
}

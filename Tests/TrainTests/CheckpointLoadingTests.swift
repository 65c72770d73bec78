import Foundation
import XCTest
@testable import Diffusion
@testable import Checkpoints
@testable import Tensor
@testable import Train

/// A checkpoint is checked against its config from the files' headers before any model is built.
final class CheckpointLoadingTests: XCTestCase {
    /// Every preset's config lists the parameters of the model it trains, and of its
    /// autoencoder, without building them.
    func testPresetsListTheirModelsParameters() {
        for name in TrainConfig.presetNames {
            let c = TrainConfig.preset(name)!
            var rng = RNG(seed: 0)
            let pairs = [(c.model.parameterShapes, Denoiser(c.model, rng: &rng).parameterShapes),
                         (c.autoencoder.parameterShapes, FrameAutoencoder(c.autoencoder, rng: &rng).parameterShapes)]
            for (listed, built) in pairs {
                XCTAssertEqual(listed.count, built.count, name)
                for (a, b) in zip(listed, built) where a.name != b.name || a.shape != b.shape {
                    XCTFail("\(name): listed \(a.name) \(a.shape), built \(b.name) \(b.shape)")
                    break
                }
            }
        }
    }

    /// Resuming a folder whose config.json no longer matches its train state is refused
    /// from the file's header, naming the first tensor that differs, before the model is built.
    func testResumeWithAMismatchedConfigIsRefusedFromTheHeader() throws {
        var c = TrainConfig.tiny
        c.steps = 2
        let dir = NSTemporaryDirectory() + "vidgen-train-mismatch-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        try TrainingRun.run(c, into: dir, resume: false)
        var wrong = c
        wrong.model.depth = 3
        try wrong.encoded().write(to: URL(fileURLWithPath: dir + "/config.json"))
        XCTAssertThrowsError(try TrainingRun.run(c, into: dir, resume: true, steps: 4)) { e in
            XCTAssertEqual("\(e)", dir + "/train-state.safetensors: missing tensor 'param.blocks.2.spatial.qkv.weight' of shape "
                           + "[64, 192] (the config does not match the weights)")
        }
        XCTAssertThrowsError(try CheckpointFolder(dir).videoModel()) { e in
            XCTAssert("\(e)".contains("model.safetensors: missing tensor 'blocks.2.spatial.qkv.weight'"), "\(e)")
        }
    }
}

import Foundation
import XCTest
@testable import Checkpoints
@testable import Tensor
@testable import Train

final class TrainingMemoryTests: XCTestCase {
    /// The estimate is above the tensor memory a training step really holds at its peak
    /// (weights, EMA, moments, the tape, gradients), and within a small factor of it.
    func testEstimateIsAboveAMeasuredStep() throws {
        var joint = TrainConfig.tiny
        joint.model.attention = .joint
        var wideMLP = TrainConfig.tiny
        wideMLP.model.mlpRatio = 16
        var small = TrainConfig.small
        small.batchSize = 2
        var reference = TrainConfig.default
        reference.batchSize = 1
        let codec = try CodecTrainer(.tiny).model
        for (name, c) in [("tiny", TrainConfig.tiny), ("joint", joint), ("mlpRatio 16", wideMLP), ("small", small), ("default", reference),
                          ("latent-tiny", TrainConfig.latentTiny)] {
            let pool = BufferPool.shared
            let before = pool.liveBytes
            var trainer = try Trainer(c, codec: c.latent ? codec : nil)
            pool.resetPeak()
            _ = try trainer.trainStep()
            let measured = Double(pool.peakLiveBytes - before)
            let estimate = TrainingMemory(c)
            let step = estimate.modelState + estimate.activations + estimate.codec
            print(String(format: "%@: measured %.1f MiB, estimate %.1f MiB (%.2f×)", name, measured / 1048576, step / 1048576, step / measured))
            XCTAssertGreaterThan(step, measured, name)
            XCTAssertLessThan(step, 4 * measured, name)
        }
    }

    /// A config far beyond the machine is refused before anything is allocated, with one
    /// line naming the estimate and the machine's memory.
    func testOversizedConfigIsRefusedBeforeAllocating() throws {
        var wide = TrainConfig.tiny
        (wide.model.width, wide.model.depth) = (8192, 256)
        var batch = TrainConfig.default
        batch.batchSize = 4096
        for c in [wide, batch] {
            let before = BufferPool.shared.liveBytes
            BufferPool.shared.resetPeak()
            XCTAssertThrowsError(try Trainer(c)) { e in
                let text = "\(e)"
                XCTAssert(text.hasPrefix("training this config needs about ") && text.contains("physical memory"), text)
                XCTAssertFalse(text.contains("\n"))
            }
            XCTAssertEqual(BufferPool.shared.peakLiveBytes, before, "no tensor was allocated")
        }
        XCTAssertNoThrow(try TrainingMemory(.default).check())
        XCTAssertThrowsError(try TrainingMemory(.tiny).check(available: 1 << 20)) { e in
            XCTAssert("\(e)".contains("more than the 1 MiB of physical memory"), "\(e)")
        }
        XCTAssertGreaterThan(TrainingMemory.physicalBytes, 1 << 28)
    }
}

import XCTest
@testable import Checkpoints
@testable import Tensor
@testable import Train

final class BallWeightTests: XCTestCase {
    /// The ball-weighted loss: on a pixel model every lit pixel of a generated frame weighs
    /// 1 + w and the background 1; context frames stay at 0; and off (w = 0) the loss is the
    /// plain per-frame one. On a coarser grid a cell counts as lit when any of its pixels is.
    func testBallCellsWeighMore() throws {
        var config = TrainConfig.tiny
        config.ballLossWeight = 3
        XCTAssertNil(config.validationError())
        let batch = try ClipStream(config).batch(step: 2)
        let trainer = try Trainer(config)
        let frameWeights = Tensor(shape: [config.batchSize, config.model.frames], values: batch.mask.map { 1 - $0 })
        let w = trainer.ballWeighted(frameWeights, clips: batch.clips)
        let (b, t, size) = (config.batchSize, config.model.frames, config.model.size)
        XCTAssertEqual(w.shape, [b, t, 3, size, size])
        let (x, wv) = (batch.clips.values, w.values)
        var (lit, dark) = (0, 0)
        for bt in 0..<(b * t) {
            for p in 0..<(size * size) {
                let isLit = (0..<3).contains { x[(bt * 3 + $0) * size * size + p] > -0.8 }
                let expected: Float = batch.mask[bt] != 0 ? 0 : (isLit ? 4 : 1)
                for c in 0..<3 { XCTAssertEqual(wv[(bt * 3 + c) * size * size + p], expected) }
                if batch.mask[bt] == 0 { if isLit { lit += 1 } else { dark += 1 } }
            }
        }
        XCTAssertGreaterThan(lit, 0, "the clips show balls")
        XCTAssertGreaterThan(dark, lit, "and mostly background")

        // A coarser grid: a 2×2 cell is lit when any of its four pixels is.
        var coarse = config
        coarse.model.size = size / 2
        let trainer2 = try Trainer(coarse)
        let w2 = trainer2.ballWeighted(frameWeights, clips: batch.clips).values
        let g = size / 2
        for bt in 0..<(b * t) where batch.mask[bt] == 0 {
            for cy in 0..<g {
                for cx in 0..<g {
                    let isLit = (0..<3).contains { ch in
                        [(0, 0), (0, 1), (1, 0), (1, 1)].contains { dy, dx in
                            x[((bt * 3 + ch) * size + 2 * cy + dy) * size + 2 * cx + dx] > -0.8
                        }
                    }
                    XCTAssertEqual(w2[((bt * 3) * g + cy) * g + cx], isLit ? 4 : 1)
                }
            }
        }
        config.ballLossWeight = -1
        XCTAssertNotNil(config.validationError())
    }
}

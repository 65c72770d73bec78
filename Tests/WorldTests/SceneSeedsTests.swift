import XCTest
import Tensor
@testable import World

final class SceneSeedsTests: XCTestCase {
    /// The two reserved ranges do not overlap; the training draw skips every reserved value,
    /// however many come in a row, and takes the first value outside them as it is.
    func testTrainingNeverDrawsAReservedSeed() {
        XCTAssert(SceneSeeds.validation.upperBound <= SceneSeeds.test.lowerBound)
        for range in [SceneSeeds.validation, SceneSeeds.test] {
            for seed in [range.lowerBound, range.lowerBound + 1, range.upperBound - 1] {
                XCTAssertTrue(SceneSeeds.isReserved(seed), "\(seed)")
            }
            XCTAssertFalse(SceneSeeds.isReserved(range.upperBound))
        }
        XCTAssertFalse(SceneSeeds.isReserved(SceneSeeds.validation.lowerBound - 1))
        var queue: [UInt64] = [SceneSeeds.validation.lowerBound, SceneSeeds.test.upperBound - 1,
                               SceneSeeds.validation.upperBound - 1, 7, 1_100_000_000]
        XCTAssertEqual(SceneSeeds.training { queue.removeFirst() }, 7)
        XCTAssertEqual(queue, [1_100_000_000])
        // A draw outside the ranges is the RNG's own value: training batches are unchanged.
        var a = RNG(seed: 5), b = RNG(seed: 5)
        for _ in 0..<1000 { XCTAssertEqual(SceneSeeds.training(&a), b.next()) }
    }
}

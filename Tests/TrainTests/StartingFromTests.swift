import Foundation
import XCTest
@testable import Tensor
@testable import Train

/// Runs that start from a checkpoint's weights (`vidgen train --from`).
final class StartingFromTests: XCTestCase {
    func tmp(_ name: String) -> String {
        let dir = NSTemporaryDirectory() + "vidgen-from-\(name)-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        return dir
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

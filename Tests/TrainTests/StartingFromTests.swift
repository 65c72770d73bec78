import Foundation
import XCTest
@testable import Checkpoints
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

    /// A longer window starts from a checkpoint's weights with the time embedding's first T
    /// rows kept and the later frames on the last row; every other weight is the same. A
    /// shorter window is refused.
    func testLongerWindowKeepsTheWeights() throws {
        var c = TrainConfig.tiny
        c.steps = 2
        let source = tmp("window")
        let trained = try TrainingRun.run(c, into: source, resume: false)
        var longer = c
        longer.model.frames = c.model.frames + 3
        let fresh = try Trainer(longer).startingFrom(source)
        XCTAssertEqual(fresh.model.config.frames, c.model.frames + 3)
        let old = Dictionary(uniqueKeysWithValues: trained.emaModel.namedParameters.map { ($0.name, $0.value) })
        let (t, d) = (c.model.frames, c.model.width)
        for (name, value) in fresh.model.namedParameters {
            let before = try XCTUnwrap(old[name], name)
            guard name == "pos.time" else {
                XCTAssert(value.values == before.values, name)
                continue
            }
            XCTAssertEqual(value.shape, [t + 3, d])
            XCTAssert(Array(value.values[0..<(t * d)]) == before.values, "the first rows are kept")
            let last = Array(before.values[((t - 1) * d)..<(t * d)])
            for f in t..<(t + 3) { XCTAssert(Array(value.values[(f * d)..<((f + 1) * d)]) == last, "frame \(f)") }
        }
        var shorter = c
        shorter.model.frames = c.model.frames - 1
        shorter.contextMax = min(shorter.contextMax, shorter.model.frames - 1)
        shorter.contextMin = min(shorter.contextMin, shorter.contextMax)
        XCTAssertThrowsError(try Trainer(shorter).startingFrom(source)) { e in
            XCTAssert("\(e)".contains("--from needs the same shape"), "\(e)")
        }
    }
}

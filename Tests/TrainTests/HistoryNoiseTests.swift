import XCTest
@testable import Checkpoints
@testable import Train

final class HistoryNoiseTests: XCTestCase {
    /// History noise sets only the given context frames' levels: a `noHistoryShare` of the
    /// clips has all of them at level 1 (the no-history model), a `historyNoiseShare` has a
    /// level of each frame's own, and the clips, masks, noise, loss and the other frames'
    /// levels are the batch without it.
    func testNoHistoryShareOfABatch() throws {
        var config = TrainConfig.tiny
        (config.batchSize, config.contextNoise) = (200, 0.3)
        let plain = try ClipStream(config).batch(step: 4)
        (config.noHistoryShare, config.historyNoiseShare) = (0.25, 0.5)
        let batch = try ClipStream(config).batch(step: 4)
        XCTAssertEqual(batch.clips.values, plain.clips.values)
        XCTAssertEqual(batch.noise.values, plain.noise.values)
        XCTAssertEqual(batch.mask, plain.mask)
        XCTAssertEqual(batch.lossMask, plain.lossMask)
        let frames = config.model.frames
        var (dropped, noised, kept) = (0, 0, 0)
        for i in 0..<config.batchSize {
            let given = (0..<batch.context[i]).map { i * frames + $0 }
            for f in (i * frames)..<((i + 1) * frames) where !given.contains(f) {
                XCTAssertEqual(batch.t[f], plain.t[f], "clip \(i): only the given context changes")
            }
            let levels = given.map { batch.t[$0] }
            if levels.allSatisfy({ $0 == 1 }) {
                dropped += 1
            } else if levels == given.map({ plain.t[$0] }) {
                kept += 1
            } else {
                noised += 1
                XCTAssert(levels.allSatisfy { (0..<1).contains($0) }, "clip \(i): levels \(levels)")
            }
        }
        XCTAssert((30...70).contains(dropped), "\(dropped) of 200 clips without history (share 0.25)")
        XCTAssert((75...125).contains(noised), "\(noised) of 200 clips with noised history (share 0.5)")
        XCTAssert((30...70).contains(kept), "\(kept) of 200 clips as before")
        // The whole share: every given context frame is noise.
        (config.noHistoryShare, config.historyNoiseShare) = (1, 0)
        let none = try ClipStream(config).batch(step: 4)
        for i in 0..<config.batchSize {
            for f in 0..<none.context[i] { XCTAssertEqual(none.t[i * frames + f], 1) }
        }
    }

    /// The shares are checked: each in [0, 1], their sum at most 1, staggered frames only.
    func testHistoryNoiseConfig() {
        var config = TrainConfig.tiny
        (config.noHistoryShare, config.historyNoiseShare) = (0.1, 0.4)
        XCTAssertNil(config.validationError())
        config.historyNoiseShare = 0.95
        XCTAssertNotNil(config.validationError())
        (config.noHistoryShare, config.historyNoiseShare) = (0.1, 0.4)
        config.model.frameLag = 0
        XCTAssertNotNil(config.validationError())
    }
}

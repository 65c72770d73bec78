import XCTest
import Foundation
@testable import Checkpoints
@testable import Tensor
@testable import Train

final class ErrorBankTests: XCTestCase {
    func tmp(_ name: String) -> String {
        let dir = NSTemporaryDirectory() + "vidgen-bank-\(name)-\(ProcessInfo.processInfo.processIdentifier)"
        try? FileManager.default.removeItem(atPath: dir)
        return dir
    }

    func deposit(_ bank: inout ErrorBank, _ value: Float, level: Float) {
        let e = [Float](repeating: value, count: bank.frameSize)
        e.withUnsafeBufferPointer { bank.deposit($0, level: level) }
    }

    /// Errors go to the bin of their level; a full bin replaces its oldest; a draw takes a
    /// filled slot of a bin at or below the level asked for, and nothing from an empty bank.
    func testBookkeeping() throws {
        var bank = ErrorBank(bins: 4, capacity: 3, frameSize: 2)
        var rng = RNG(seed: 1)
        XCTAssertNil(bank.draw(maxLevel: 1, rng: &rng))
        XCTAssertEqual([0, 0.24, 0.25, 0.99, 1].map(bank.bin), [0, 0, 1, 3, 3])
        for v in 1...4 { deposit(&bank, Float(v), level: 0.1) }  // 4 deposits into 3 slots
        deposit(&bank, 9, level: 0.9)
        XCTAssertEqual(bank.filled, [3, 0, 0, 1])
        XCTAssertEqual(bank.next, [1, 0, 0, 1])
        XCTAssertEqual(Array(bank.error(bin: 0, slot: 0)), [4, 4], "the oldest (1) was replaced")
        XCTAssertEqual(Array(bank.error(bin: 0, slot: 1)), [2, 2])
        var drawn = Set<Float>()
        for _ in 0..<200 { drawn.insert(bank.draw(maxLevel: 0.5, rng: &rng)!.first!) }
        XCTAssertEqual(drawn, [2, 3, 4], "only bin 0's errors lie at or below level 0.5")
        for _ in 0..<200 { drawn.insert(bank.draw(maxLevel: 1, rng: &rng)!.first!) }
        XCTAssertEqual(drawn, [2, 3, 4, 9])
        // Round trip through the train state's entries.
        let path = tmp("entries") + ".safetensors"
        try SafeTensors.write(bank.entries, metadata: [:], to: path)
        let back = try ErrorBank(bins: 4, capacity: 3, frameSize: 2).restored(from: SafeTensors.read(from: path), file: path)
        XCTAssertEqual(back, bank)
        XCTAssertThrowsError(try ErrorBank(bins: 4, capacity: 5, frameSize: 2).restored(from: SafeTensors.read(from: path), file: path))
    }

    /// A run that recycles errors banks them, changes only the recycled clips' given context,
    /// resumes bit for bit (the bank is in the train state), and refuses nothing else.
    func testRecyclingRunResumesBitIdentically() throws {
        var c = TrainConfig.tiny
        (c.steps, c.checkpointEvery, c.errorRecycleShare, c.errorRecycleScale) = (12, 5, 0.5, 1)
        let straight = tmp("straight"), split = tmp("split")
        try TrainingRun.run(c, into: straight, resume: false)
        var stopAt = 7
        try TrainingRun.run(c, into: split, resume: false, observer: TrainingObserver(shouldStop: { stopAt -= 1; return stopAt == 0 }))
        let mid = try XCTUnwrap(Trainer.resume(from: split))
        XCTAssertEqual(mid.step, 7)
        XCTAssertGreaterThan(mid.bank!.filled.reduce(0, +), 0, "the bank holds the model's errors")
        try TrainingRun.run(c, into: split, resume: true)
        XCTAssertEqual(FileManager.default.contents(atPath: straight + "/model.safetensors"),
                       FileManager.default.contents(atPath: split + "/model.safetensors"))
        // Recycling corrupts the given context of some clips and nothing else.
        let trainer = try XCTUnwrap(Trainer.resume(from: straight))
        let batch = try ClipStream(c).batch(step: 3)
        let out = trainer.recycled(batch.clips, batch, bank: trainer.bank!).values
        let frames = c.model.frames, per = batch.clips.count / (c.batchSize * frames)
        var changed = 0
        for i in 0..<c.batchSize {
            for f in 0..<frames {
                let range = ((i * frames + f) * per)..<((i * frames + f + 1) * per)
                let same = Array(out[range]) == Array(batch.clips.values[range])
                if f >= batch.context[i] { XCTAssert(same, "clip \(i) frame \(f) is not context") } else if !same { changed += 1 }
            }
        }
        XCTAssertGreaterThan(changed, 0)
        var bad = c
        bad.errorRecycleShare = 1.5
        XCTAssertNotNil(bad.validationError())
    }
}

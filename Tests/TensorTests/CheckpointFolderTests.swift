import Foundation
import XCTest
@testable import Tensor

final class CheckpointFolderTests: XCTestCase {
    func tmp(_ name: String) -> String {
        let dir = NSTemporaryDirectory() + "vidgen-folder-\(name)-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        return dir
    }

    /// One holder at a time: a second lock on a held folder is refused naming the holder's
    /// pid and leaves the folder as it was; once the first is gone the folder can be taken.
    func testLockRefusesASecondHolderUntilTheFirstIsGone() throws {
        let dir = tmp("lock")
        let folder = CheckpointFolder(dir)
        var first: FolderLock? = try folder.lock()
        XCTAssertEqual(try String(contentsOfFile: dir + "/.lock", encoding: .utf8), "\(getpid())\n")
        try Data("kept".utf8).write(to: URL(fileURLWithPath: dir + "/config.json"))
        XCTAssertThrowsError(try folder.lock()) { e in
            XCTAssertEqual("\(e)", "\(dir) is being written by another process (pid \(getpid())); "
                           + "let it finish or stop it before writing this folder")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).sorted(), [".lock", "config.json"])
        XCTAssertNotNil(first)
        first = nil
        let second = try folder.lock()
        XCTAssertEqual(second.path, dir + "/.lock")
    }

    /// A run refused after it took the lock leaves no lock file or folder it created, and
    /// never removes a folder or a lock file that was there before.
    func testAbandonedLockRemovesOnlyWhatItCreated() throws {
        let fm = FileManager.default
        let fresh = tmp("abandon-fresh")
        try CheckpointFolder(fresh).lock().abandon()
        XCTAssertFalse(fm.fileExists(atPath: fresh))
        let existing = tmp("abandon-existing")
        try fm.createDirectory(atPath: existing, withIntermediateDirectories: true)
        try CheckpointFolder(existing).lock().abandon()
        XCTAssertEqual(try fm.contentsOfDirectory(atPath: existing), [])
        try Data("1\n".utf8).write(to: URL(fileURLWithPath: existing + "/.lock"))
        try CheckpointFolder(existing).lock().abandon()
        XCTAssertEqual(try fm.contentsOfDirectory(atPath: existing), [".lock"])
    }

    /// A file whose header does not list the tensors a config implies is refused from its
    /// header alone, naming the first tensor of the config that differs.
    func testShapesAreCheckedFromTheHeader() throws {
        let dir = tmp("shapes")
        let folder = CheckpointFolder(dir)
        try folder.create()
        let entries = [SafeTensorsEntry(name: "a.weight", shape: [2, 3], values: [Float](repeating: 1, count: 6)),
                       SafeTensorsEntry(name: "a.bias", shape: [3], values: [0, 0, 0])]
        try SafeTensors.write(entries, to: folder.file("model.safetensors"))
        let like: [ParameterShape] = [("a.weight", [2, 3]), ("a.bias", [3])]
        XCTAssertNoThrow(try folder.checkShapes("model.safetensors", like: like))
        let p = folder.file("model.safetensors")
        func refusal(_ like: [ParameterShape]) -> String {
            do { try folder.checkShapes("model.safetensors", like: like) } catch { return "\(error)" }
            return "accepted"
        }
        XCTAssertEqual(refusal([("a.weight", [2, 300]), ("a.bias", [300])]),
                       "\(p): tensor 'a.weight' has shape [2, 3], the config needs [2, 300]")
        XCTAssertEqual(refusal(like + [("b.weight", [4])]),
                       "\(p): missing tensor 'b.weight' of shape [4] (the config does not match the weights)")
        XCTAssertEqual(refusal([("a.weight", [2, 3])]),
                       "\(p): unexpected tensor 'a.bias' (the config does not match the weights)")
        XCTAssertThrowsError(try folder.checkShapes("none.safetensors", like: like)) { e in
            XCTAssertEqual("\(e)", folder.file("none.safetensors") + ": missing")
        }
    }

    /// Every trainer writes one row format; the log's readers take rows of it and of the
    /// older formats (a video run's "%d,%.6f,%.6g,%.4f,%.2f", a state run's) alike, and a
    /// resume keeps the rows up to its step.
    func testLogRowsOfEveryFormatAreRead() throws {
        XCTAssertEqual(CheckpointFolder.logRow(step: 12, loss: 0.0123456789, learningRate: 2e-3, gradNorm: 0.5,
                                               seconds: 1.23456),
                       "12,0.0123457,0.002,0.5,1.235")
        XCTAssertEqual(CheckpointFolder.logRow(step: 40000, loss: 1.5e-7, learningRate: 4e-5, gradNorm: 12.75, seconds: 600),
                       "40000,1.5e-07,4e-05,12.75,600.000")
        let folder = CheckpointFolder(tmp("log"))
        try folder.keepLog(through: 0)
        try folder.appendLog(["1,0.051234,0.001,0.8123,0.52", "10,1.23457e-05,0.002,0.0123457,1.234",
                              CheckpointFolder.logRow(step: 20, loss: 0.25, learningRate: 1e-3, gradNorm: 1, seconds: 2.5)])
        let rows = folder.logRows()
        XCTAssertEqual(rows.map(\.step), [1, 10, 20])
        XCTAssertEqual(rows.map(\.loss), [0.051234, 1.23457e-05, 0.25])
        XCTAssertEqual(rows.map(\.seconds), [0.52, 1.234, 2.5])
        try folder.keepLog(through: 10)
        XCTAssertEqual(folder.logRows().map(\.step), [1, 10])
    }
}

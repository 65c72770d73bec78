import Foundation
import XCTest
@testable import Tensor

final class CheckpointFolderTests: XCTestCase {
    func tmp(_ name: String) -> String {
        let dir = NSTemporaryDirectory() + "vidgen-folder-\(name)-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        return dir
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
}

import Checkpoints
import Dynamics
import Foundation
import Tensor
import XCTest
import World
@testable import Eval

/// Every folder the repository ships in data/ loads as the kind its format tag names, with
/// the code as it is: a key added to a config must leave the shipped folders readable.
final class ShippedFoldersTests: XCTestCase {
    static let data = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../data").standardized.path

    func testEveryShippedFolderLoads() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.data).sorted()
        var loaded: [String] = []
        for name in names {
            let folder = Self.data + "/" + name, checkpoint = CheckpointFolder(folder)
            guard checkpoint.has(CheckpointFolder.modelFile) else { continue }
            switch checkpoint.kind {
            case .state?:
                _ = try StateModel.load(folder)
            case .state3D?:
                _ = try StateModel3D.load(folder, scenario: .depth)
            case .video?:
                _ = try EvaluatedModel.load(folder)
            case let other:
                XCTFail("\(name): \(other.map(\.name) ?? "no kind")")
            }
            loaded.append(name)
        }
        for name in ["default", "depth", "generic-state", "generic-state3d", "state", "state3d"] {
            XCTAssert(loaded.contains(name), "data/\(name) was not found or not loaded")
        }
    }
}

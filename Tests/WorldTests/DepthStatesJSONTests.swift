import Foundation
import XCTest
@testable import World

final class DepthStatesJSONTests: XCTestCase {
    /// The export has the flat states' fields with a third coordinate, plus the projection.
    func testStatesJSONSchema() throws {
        let ep = try DepthScenario.depth.episode(seed: 5, frames: 32)
        let bytes = try ep.statesJSON()
        let json = try JSONSerialization.jsonObject(with: Data(bytes)) as! [String: Any]
        for key in ["scenario", "seed", "size", "gravity", "restitution", "frames", "box", "camera"] {
            XCTAssertNotNil(json[key], key)
        }
        XCTAssertEqual(json["scenario"] as? String, "depth")
        XCTAssertEqual(json["size"] as? [Int], [32, 32])
        XCTAssertEqual(json["gravity"] as? [Double], [0, 0.1, 0])
        XCTAssertEqual(json["box"] as? [Double], [24, 24, 24])
        XCTAssertEqual((json["camera"] as? [String: Any])?["focalLength"] as? Double, 48)
        let frames = json["frames"] as! [[String: Any]]
        XCTAssertEqual(frames.count, 32)
        for (t, f) in frames.enumerated() {
            XCTAssertEqual(f["t"] as? Int, t)
            for b in f["balls"] as! [[String: Any]] {
                XCTAssertEqual((b["position"] as? [Double])?.count, 3)
                XCTAssertEqual((b["velocity"] as? [Double])?.count, 3)
                XCTAssertEqual((b["projected"] as? [Double])?.count, 2)
                XCTAssertEqual((b["projectedVelocity"] as? [Double])?.count, 2)
                XCTAssertEqual(b["radius"] as? Double, 3)
                XCTAssertEqual(b["mass"] as? Double, 1)
                XCTAssertEqual((b["color"] as? [Int])?.count, 3)
                XCTAssertNotNil(b["visible"] as? Bool)
                let z = (b["position"] as! [Double])[2]
                XCTAssertEqual(b["depth"] as! Double, z + 36, accuracy: 1e-12)
                XCTAssertEqual(b["apparentRadius"] as! Double, 48 * 3 / (z + 36), accuracy: 1e-12)
            }
        }
        let record = try JSONDecoder().decode(DepthStatesRecord.self, from: Data(bytes))
        XCTAssertEqual(record, ep.record)
    }
}

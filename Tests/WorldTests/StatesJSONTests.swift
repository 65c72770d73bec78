import Foundation
import XCTest
@testable import World

final class StatesJSONTests: XCTestCase {
    /// The export has exactly the fields docs/ARCHITECTURE.md "Formats" names, with the right types.
    func testSchema() throws {
        let ep = try Scenario.named("occluder").episode(seed: 3, frames: 64)
        let json = try JSONSerialization.jsonObject(with: Data(try ep.statesJSON())) as! [String: Any]
        for key in ["scenario", "seed", "size", "gravity", "restitution", "frames"] {
            XCTAssertNotNil(json[key], key)
        }
        XCTAssertEqual(json["scenario"] as? String, "occluder")
        XCTAssertEqual(json["seed"] as? Int, 3)
        XCTAssertEqual(json["size"] as? [Int], [32, 32])
        XCTAssertEqual((json["gravity"] as? [Double])?.count, 2)
        XCTAssertEqual(json["restitution"] as? Double, 1)
        let frames = json["frames"] as! [[String: Any]]
        XCTAssertEqual(frames.count, 64)
        var hidden = 0
        for (t, f) in frames.enumerated() {
            XCTAssertEqual(f["t"] as? Int, t)
            for b in f["balls"] as! [[String: Any]] {
                XCTAssertNotNil(b["id"] as? Int)
                XCTAssertEqual((b["position"] as? [Double])?.count, 2)
                XCTAssertEqual((b["velocity"] as? [Double])?.count, 2)
                XCTAssertNotNil(b["radius"] as? Double)
                XCTAssertNotNil(b["mass"] as? Double)
                let color = b["color"] as! [Int]
                XCTAssertEqual(color.count, 3)
                XCTAssertTrue(color.allSatisfy { (0...255).contains($0) })
                let visible = b["visible"] as! Bool
                if !visible { hidden += 1 }
            }
        }
        XCTAssertGreaterThan(hidden, 12, "the occluder hides a ball")
        // The typed record reads back equal.
        let record = try JSONDecoder().decode(StatesRecord.self, from: Data(try ep.statesJSON()))
        XCTAssertEqual(record, ep.record)
        XCTAssertEqual(record.frames[5].balls[0].position, [ep.frames[5].balls[0].position.x, ep.frames[5].balls[0].position.y])
    }
}

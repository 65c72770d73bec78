import Foundation
import XCTest

/// A video model trained on clips of the 3D box, and scored as a column of the depth scores.
final class DepthVideoCLITests: XCTestCase {
    /// `train` with a config naming `depth` writes a video model; `eval --scenario depth`
    /// scores it beside the baselines, the same bytes twice; a model of another frame size
    /// is refused in one line.
    func testTrainAndScoreAVideoModelOnDepthClips() throws {
        let dir = CLI.tmp("depth-video")
        let config = dir + "/c.json"
        try Data(#"{"preset": "tiny", "scenario": "depth", "steps": 2, "model": {"size": 32}}"#.utf8).write(to: URL(fileURLWithPath: config))
        let train = try CLI.run(["train", "--config", config, "--out", dir + "/run"])
        XCTAssertEqual(train.status, 0, train.stderr)
        let args = ["eval", "--checkpoint", dir + "/run", "--scenario", "depth", "--clips", "1", "--frames", "14", "--steps", "2"]
        let eval = try CLI.run(args + ["--out", dir + "/a.json"])
        XCTAssertEqual(eval.status, 0, eval.stderr)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/a.json"))) as? [String: Any])
        XCTAssertEqual((json["frameScores"] as? [[String: Any]])?.compactMap { $0["name"] as? String },
                       ["simulator", "copy last frame", "constant velocity", "run"])
        XCTAssertEqual((json["models"] as? [Any])?.count, 0, "the 3D law's constants are a state model's")
        XCTAssertEqual(try CLI.run(args + ["--out", dir + "/b.json"]).status, 0)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: dir + "/a.json")), try Data(contentsOf: URL(fileURLWithPath: dir + "/b.json")))
        // Stitched last-frame, the video model's column says so and its frames differ.
        XCTAssertEqual(try CLI.run(args + ["--stitch", "last-frame", "--out", dir + "/f.json"]).status, 0)
        let lastFrame = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/f.json"))) as? [String: Any])
        let columns = try XCTUnwrap(lastFrame["frameScores"] as? [[String: Any]])
        XCTAssertEqual(columns.last?["name"] as? String, "run (last-frame)")
        XCTAssertNotEqual(try Data(contentsOf: URL(fileURLWithPath: dir + "/f.json")), try Data(contentsOf: URL(fileURLWithPath: dir + "/a.json")))

        // `sample` draws its context from the 3D box it trained on, and refuses the flat world.
        let sample = try CLI.run(["sample", "--checkpoint", dir + "/run", "--seed", "1", "--frames", "10", "--context", "2",
                                  "--steps", "2", "--out", dir + "/d.gif"])
        XCTAssertEqual(sample.status, 0, sample.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/d.gif"))
        let truth = try CLI.run(["sample", "--checkpoint", dir + "/run", "--seed", "1", "--frames", "10", "--context", "2",
                                 "--steps", "2", "--scenario", "depth-near", "--scene-seed", "3", "--out", dir + "/n.gif"])
        XCTAssertEqual(truth.status, 0, truth.stderr)
        let states = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/n.states.json"))) as? [String: Any])
        XCTAssertNotNil(states["camera"], "a depth clip's states carry its camera")
        try assertRejected(["sample", "--checkpoint", dir + "/run", "--seed", "1", "--scenario", "id", "--scene-seed", "3",
                            "--out", dir + "/f.gif"], mentioning: "which it did not train on", oneLine: true)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/f.gif"))

        try Data(#"{"preset": "tiny", "scenario": "depth", "steps": 1}"#.utf8).write(to: URL(fileURLWithPath: config))
        XCTAssertEqual(try CLI.run(["train", "--config", config, "--out", dir + "/small"]).status, 0)
        try assertRejected(["eval", "--checkpoint", dir + "/small", "--scenario", "depth", "--clips", "1", "--out", dir + "/e.json"],
                           mentioning: "16 × 16 frames", oneLine: true)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/e.json"))
        XCTAssertEqual(try CLI.run(["train", "--config", "tiny", "--steps", "1", "--out", dir + "/flat"]).status, 0)
        try assertRejected(["eval", "--checkpoint", dir + "/flat", "--scenario", "depth", "--clips", "1", "--out", dir + "/e.json"],
                           mentioning: "a video model of id clips", oneLine: true)
        try assertRejected(["sample", "--checkpoint", dir + "/flat", "--seed", "1", "--scenario", "depth", "--scene-seed", "3",
                            "--out", dir + "/f.gif"], mentioning: "which it did not train on", oneLine: true)
    }
}

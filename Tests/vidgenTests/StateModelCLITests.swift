import Foundation
import XCTest

/// The learned state models through the command line: train, resume, sample, eval, and the
/// folder kind told by its format tag.
final class StateModelCLITests: XCTestCase {

    func testTrainSampleEvalAStateModel() throws {
        let dir = CLI.tmp("state")
        let fm = FileManager.default
        let train = try CLI.run(["train", "--model", "state", "--config", "tiny", "--steps", "20", "--checkpoint-every", "10",
                                 "--out", dir + "/run"])
        XCTAssertEqual(train.status, 0, train.stderr)
        for name in ["model.safetensors", "config.json", "train-state.safetensors", "train-log.csv"] {
            XCTAssert(fm.fileExists(atPath: dir + "/run/" + name), name)
        }
        // A second run into the same folder needs --resume; resuming a finished run to more steps continues it.
        try assertRejected(["train", "--model", "state", "--config", "tiny", "--out", dir + "/run"], mentioning: "--resume", oneLine: true)
        let more = try CLI.run(["train", "--model", "state", "--steps", "30", "--resume", "--out", dir + "/run"])
        XCTAssertEqual(more.status, 0, more.stderr)
        XCTAssert(more.stdout.contains("resuming") && more.stdout.contains("trained 30 steps"), more.stdout)
        let log = try String(contentsOfFile: dir + "/run/train-log.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(log.first, "step,loss,lr,grad_norm,seconds")
        XCTAssertEqual(log.dropFirst().map { $0.split(separator: ",")[0] }, ["10", "20", "30"])

        // Same seed, same context: the same bytes; the kind is read from the folder's config.
        for name in ["a", "b"] {
            let r = try CLI.run(["sample", "--checkpoint", dir + "/run", "--seed", "4", "--frames", "12",
                                 "--out", dir + "/\(name).gif", "--npy", dir + "/\(name).npy"])
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssert(r.stdout.contains("state model"), r.stdout)
        }
        XCTAssertEqual(fm.contents(atPath: dir + "/a.npy"), fm.contents(atPath: dir + "/b.npy"))
        XCTAssertEqual(fm.contents(atPath: dir + "/a.gif"), fm.contents(atPath: dir + "/b.gif"))
        let side = try CLI.run(["sample", "--checkpoint", dir + "/run", "--seed", "0", "--scenario", "occluder",
                                "--scene-seed", "2", "--frames", "44", "--out", dir + "/o.gif"])
        XCTAssertEqual(side.status, 0, side.stderr)
        XCTAssert(fm.fileExists(atPath: dir + "/o.states.json"))
        try assertRejected(["sample", "--checkpoint", dir + "/run", "--seed", "1", "--sampler", "ddpm", "--out", dir + "/c.gif"],
                           mentioning: "no sampler", oneLine: true)

        let eval = try CLI.run(["eval", "--checkpoint", dir + "/run", "--clips", "3", "--out", dir + "/m.json"])
        XCTAssertEqual(eval.status, 0, eval.stderr)
        XCTAssert(eval.stdout.contains("position error: h1"), eval.stdout)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/m.json")))
                                 as? [String: Any])
        XCTAssertEqual((json["models"] as? [Any])?.count, 1)
        XCTAssertEqual((json["stateScores"] as? [Any])?.count, 1)
        // In a scenario that hides balls: how they come back on experiment 4's memory clips.
        let key = try CLI.run(["eval", "--checkpoint", dir + "/run", "--scenario", "key", "--clips", "2", "--out", dir + "/k.json"])
        XCTAssertEqual(key.status, 0, key.stderr)
        XCTAssert(key.stdout.contains("hidden balls on 2 memory clips of 128 frames"), key.stdout)
        XCTAssert(key.stdout.contains("hidden: back"), key.stdout)
        let memory = try XCTUnwrap((JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/k.json")))
                                    as? [String: Any])?["stateScores"] as? [[String: Any]])
        XCTAssertEqual((memory.first?["memory"] as? [String: Any])?["hidings"] as? Int, 2)
    }

    /// The generic state model through the same commands: its preset trains a folder tagged
    /// as generic, and sample and eval read it as one.
    func testTrainSampleEvalAGenericStateModel() throws {
        let dir = CLI.tmp("generic-state")
        let train = try CLI.run(["train", "--model", "state", "--config", "generic-tiny", "--steps", "20", "--out", dir + "/run"])
        XCTAssertEqual(train.status, 0, train.stderr)
        let config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/run/config.json")))
                                   as? [String: Any])
        XCTAssertEqual(config["preset"] as? String, "generic-tiny")
        // Resuming keeps the folder's kind; a structured config does not resume it.
        let more = try CLI.run(["train", "--model", "state", "--steps", "30", "--resume", "--out", dir + "/run"])
        XCTAssertEqual(more.status, 0, more.stderr)
        XCTAssert(more.stdout.contains("trained 30 steps"), more.stdout)
        try assertRejected(["train", "--model", "state", "--config", "tiny", "--steps", "40", "--resume", "--out", dir + "/run"],
                           mentioning: "generic state model", oneLine: true)
        let sample = try CLI.run(["sample", "--checkpoint", dir + "/run", "--seed", "4", "--frames", "12", "--out", dir + "/a.gif"])
        XCTAssertEqual(sample.status, 0, sample.stderr)
        XCTAssert(sample.stdout.contains("generic state model"), sample.stdout)
        let eval = try CLI.run(["eval", "--checkpoint", dir + "/run", "--clips", "2", "--out", dir + "/m.json"])
        XCTAssertEqual(eval.status, 0, eval.stderr)
        XCTAssert(eval.stdout.contains("position error: h1"), eval.stdout)
    }

    /// The structured state model in 3D: `train --scenario depth` writes a folder tagged as
    /// one, `eval --scenario depth` scores it by horizon, and what it cannot take is refused
    /// with one line.
    func testTrainAndEvalAStateModelIn3D() throws {
        let dir = CLI.tmp("state3d")
        let train = try CLI.run(["train", "--model", "state", "--scenario", "depth", "--config", "tiny", "--out", dir + "/run"])
        XCTAssertEqual(train.status, 0, train.stderr)
        XCTAssert(train.stdout.contains("trained 60 steps"), train.stdout)
        for name in ["model.safetensors", "config.json", "train-state.safetensors", "train-log.csv"] {
            XCTAssert(FileManager.default.fileExists(atPath: dir + "/run/" + name), name)
        }
        let eval = try CLI.run(["eval", "--checkpoint", dir + "/run", "--scenario", "depth", "--clips", "4", "--frames", "18",
                                "--out", dir + "/m.json"])
        XCTAssertEqual(eval.status, 0, eval.stderr)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/m.json"))) as? [String: Any])
        XCTAssertEqual(json["horizon"] as? Int, 10)
        let model = try XCTUnwrap((json["models"] as? [[String: Any]])?.first)
        XCTAssertEqual((model["positionErrorMean"] as? [Double])?.count, 10)
        XCTAssertEqual(model["clipsScored"] as? Int, 4)
        XCTAssertEqual((json["frameScores"] as? [[String: Any]])?.compactMap { $0["name"] as? String },
                       ["simulator", "copy last frame", "constant velocity", "run"])

        // The generic law in 3D: its own tag, scored beside the structured one in one eval.
        let generic = try CLI.run(["train", "--model", "state", "--scenario", "depth", "--config", "generic-tiny", "--steps", "5",
                                   "--out", dir + "/generic"])
        XCTAssertEqual(generic.status, 0, generic.stderr)
        XCTAssert(generic.stdout.contains("trained 5 steps") && generic.stdout.contains("Δu of a ball at rest"), generic.stdout)
        let both = try CLI.run(["eval", "--checkpoint", dir + "/generic", "--checkpoint", dir + "/run", "--scenario", "depth",
                                "--clips", "2", "--frames", "12", "--out", dir + "/both.json"])
        XCTAssertEqual(both.status, 0, both.stderr)
        XCTAssert(both.stdout.contains("(generic state model)") && both.stdout.contains("(structured state model)"), both.stdout)
        let scored = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/both.json"))) as? [String: Any])
        XCTAssertEqual((scored["models"] as? [[String: Any]])?.compactMap { $0["law"] as? String }, ["generic", "structured"])
        try assertRejected(["sample", "--checkpoint", dir + "/generic", "--seed", "1", "--out", dir + "/s.gif"],
                           mentioning: "generic 3D state model's", oneLine: true)

        try assertRejected(["train", "--model", "state", "--scenario", "depth", "--config", "tiny", "--out", dir + "/run"],
                           mentioning: "already holds a checkpoint", oneLine: true)
        try assertRejected(["train", "--model", "state", "--scenario", "depth", "--config", "huge", "--out", dir + "/x"],
                           mentioning: "takes a preset (tiny, default, generic, generic-tiny)", oneLine: true)
        try assertRejected(["train", "--model", "state", "--scenario", "id", "--out", dir + "/x"], mentioning: "depth scenario")
        try assertRejected(["train", "--model", "state", "--scenario", "depth", "--checkpoint-every", "10", "--out", dir + "/x"],
                           mentioning: "trains in one go", oneLine: true)
        try assertRejected(["eval", "--scenario", "depth", "--out", dir + "/e.json"], mentioning: "--checkpoint")
        try assertRejected(["eval", "--checkpoint", dir + "/run", "--scenario", "depth", "--context", "2", "--out", dir + "/e.json"],
                           mentioning: "--context must be at least 4")
        try assertRejected(["sample", "--checkpoint", dir + "/run", "--seed", "1", "--out", dir + "/s.gif"],
                           mentioning: "structured 3D state model's", oneLine: true)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/x"))
    }

    func testStateModelBadInput() throws {
        let dir = CLI.tmp("state-bad")
        try assertRejected(["train", "--model", "state", "--config", "huge", "--out", dir + "/r"], mentioning: "tiny, default", oneLine: true)
        try assertRejected(["train", "--model", "state", "--config", "tiny", "--autoencoder", dir, "--out", dir + "/r"],
                           mentioning: "video models", oneLine: true)
        let movie = try CLI.run(["train", "--model", "movie", "--out", dir + "/r"])
        XCTAssertEqual(movie.status, 64, movie.stderr)
        XCTAssert(movie.stderr.contains("'video' and 'state'"), movie.stderr)
        let cfg = dir + "/c.json"
        try Data(#"{"preset": "tiny", "contactWeigth": 3}"#.utf8).write(to: URL(fileURLWithPath: cfg))
        try assertRejected(["train", "--model", "state", "--config", cfg, "--out", dir + "/r"], mentioning: "unknown key 'contactWeigth'", oneLine: true)
        try fm(dir + "/broken")
        try Data(#"{"model": {"relationHidden": 8}, "preset": "tiny"}"#.utf8).write(to: URL(fileURLWithPath: dir + "/broken/config.json"))
        try assertRejected(["sample", "--checkpoint", dir + "/broken", "--seed", "1", "--out", dir + "/x.gif"], mentioning: "model.safetensors", oneLine: true)
        try assertRejected(["eval", "--checkpoint", dir + "/broken", "--clips", "2", "--out", dir + "/x.json"], mentioning: "model.safetensors", oneLine: true)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/x.gif"))
    }

    func fm(_ path: String) throws { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
}

import Foundation
import XCTest

/// Runs the built `vidgen` binary (beside the test bundle) and captures its output.
struct CLI {
    static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("vidgen")
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    @discardableResult
    static func run(_ args: [String], cwd: String? = nil) throws -> Result {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        return try capture(p)
    }

    /// Runs `p` to the end, capturing its output.
    static func capture(_ p: Process) throws -> Result {
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                      stderr: String(decoding: e, as: UTF8.self))
    }

    static func tmp(_ name: String) -> String {
        let dir = NSTemporaryDirectory() + "vidgen-cli-\(name)-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }
}

extension XCTestCase {
    /// Bad input: a non-zero exit, no trap (a trap exits by signal), stderr naming `text`;
    /// with `oneLine`, exactly one line of it.
    func assertRejected(_ args: [String], mentioning text: String, oneLine: Bool = false,
                        file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try CLI.run(args)
        XCTAssertNotEqual(r.status, 0, "exit status for \(args)", file: file, line: line)
        XCTAssertLessThan(r.status, 128, "terminated by a signal: \(args)", file: file, line: line)
        XCTAssert(r.stderr.contains(text), "stderr for \(args) lacks '\(text)': \(r.stderr)", file: file, line: line)
        if oneLine { XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, "one line: \(r.stderr)", file: file, line: line) }
    }
}

final class CLITests: XCTestCase {

    func testTrainRejectsBadInput() throws {
        let dir = CLI.tmp("train-bad")
        try assertRejected(["train", "--config", "huge", "--out", dir + "/r"], mentioning: "tiny, small, default")
        try assertRejected(["train", "--config", "tiny", "--steps", "-3", "--out", dir + "/r"], mentioning: "--steps")
        try assertRejected(["train", "--config", "tiny", "--steps", "abc", "--out", dir + "/r"], mentioning: "steps")
        try assertRejected(["train", "--config", "tiny", "--out", dir + "/no/such/r"], mentioning: "does not exist")
        let cfg = dir + "/c.json"
        try Data(#"{"preset": "tiny", "batchSiz": 3}"#.utf8).write(to: URL(fileURLWithPath: cfg))
        try assertRejected(["train", "--config", cfg, "--out", dir + "/r"], mentioning: "batchSiz")
    }

    func testTrainTinyThenSample() throws {
        let dir = CLI.tmp("train")
        let r = try CLI.run(["train", "--config", "tiny", "--steps", "20", "--out", dir + "/run"])
        XCTAssertEqual(r.status, 0, r.stderr)
        for f in ["model.safetensors", "config.json", "train-state.safetensors", "train-log.csv"] {
            XCTAssert(FileManager.default.fileExists(atPath: dir + "/run/" + f), f)
        }
        // Same seed → same bytes; another seed → another video.
        let args = ["sample", "--checkpoint", dir + "/run", "--steps", "4", "--frames", "9", "--context", "1",
                    "--stitch", "last-frame"]
        XCTAssertEqual(try CLI.run(args + ["--seed", "3", "--out", dir + "/a.gif", "--npy", dir + "/a.npy"]).status, 0)
        XCTAssertEqual(try CLI.run(args + ["--seed", "3", "--out", dir + "/b.gif", "--npy", dir + "/b.npy"]).status, 0)
        XCTAssertEqual(try CLI.run(args + ["--seed", "4", "--out", dir + "/c.gif", "--npy", dir + "/c.npy"]).status, 0)
        let a = FileManager.default.contents(atPath: dir + "/a.gif"), b = FileManager.default.contents(atPath: dir + "/b.gif")
        XCTAssertNotNil(a)
        XCTAssertEqual(a, b)
        XCTAssertEqual(FileManager.default.contents(atPath: dir + "/a.npy"), FileManager.default.contents(atPath: dir + "/b.npy"))
        XCTAssertNotEqual(FileManager.default.contents(atPath: dir + "/a.npy"), FileManager.default.contents(atPath: dir + "/c.npy"))
        // With a scenario: the ground truth beside the sample.
        let s = try CLI.run(args + ["--seed", "3", "--scenario", "id", "--scene-seed", "5", "--out", dir + "/s.gif"])
        XCTAssertEqual(s.status, 0, s.stderr)
        XCTAssert(FileManager.default.fileExists(atPath: dir + "/s.states.json"))
    }

    /// A latent model end to end: the autoencoder, a run on its latents, a long-video eval
    /// of both stitchings into JSON and curve rows, and a sample with a handoff override.
    func testLatentModelTrainsEvaluatesAndSamples() throws {
        let dir = CLI.tmp("latent")
        try assertRejected(["train", "--config", "latent-tiny", "--out", dir + "/none"], mentioning: "--autoencoder")
        try assertRejected(["autoencoder", "--config", "huge", "--out", dir + "/ae"], mentioning: "tiny, default")
        let ae = try CLI.run(["autoencoder", "--config", "tiny", "--steps", "10", "--out", dir + "/ae"])
        XCTAssertEqual(ae.status, 0, ae.stderr)
        XCTAssert(ae.stdout.contains("held-out frames decoded"), ae.stdout)
        // Its config is read strictly, as every config: an unknown key is one line naming it.
        let aeConfig = dir + "/ae/autoencoder.json"
        let saved = try Data(contentsOf: URL(fileURLWithPath: aeConfig))
        var dict = try XCTUnwrap(JSONSerialization.jsonObject(with: saved) as? [String: Any])
        dict["litWieght"] = 3
        try JSONSerialization.data(withJSONObject: dict).write(to: URL(fileURLWithPath: aeConfig))
        try assertRejected(["autoencoder", "--score-only", "--out", dir + "/ae"], mentioning: "litWieght")
        try saved.write(to: URL(fileURLWithPath: aeConfig))
        // A JSON file over a preset is a config too.
        try Data(#"{"preset": "tiny", "steps": 3, "stpes": 1}"#.utf8).write(to: URL(fileURLWithPath: dir + "/ae.json"))
        try assertRejected(["autoencoder", "--config", dir + "/ae.json", "--out", dir + "/ae2"], mentioning: "stpes")
        let t = try CLI.run(["train", "--config", "latent-tiny", "--steps", "4", "--autoencoder", dir + "/ae", "--out", dir + "/run"])
        XCTAssertEqual(t.status, 0, t.stderr)
        XCTAssert(FileManager.default.fileExists(atPath: dir + "/run/autoencoder.safetensors"))
        let e = try CLI.run(["eval", "--checkpoint", dir + "/run", "--clips", "2", "--steps", "2", "--frames", "9",
                             "--out", dir + "/m.json", "--csv", dir + "/curve.csv"])
        XCTAssertEqual(e.status, 0, e.stderr)
        XCTAssert(e.stdout.contains("last-k stitching") && e.stdout.contains("last-frame stitching"), e.stdout)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/m.json"))) as? [String: Any])
        XCTAssertEqual((json["stitchings"] as? [Any])?.count, 2)
        XCTAssertEqual(try String(contentsOfFile: dir + "/curve.csv", encoding: .utf8).split(separator: "\n").count, 3)
        let s = try CLI.run(["sample", "--checkpoint", dir + "/run", "--seed", "1", "--steps", "2", "--frames", "7",
                             "--handoff", "0.2", "--out", dir + "/v.gif"])
        XCTAssertEqual(s.status, 0, s.stderr)
        try assertRejected(["eval", "--checkpoint", dir + "/run", "--stitch", "last-k", "--out", dir + "/x.json"], mentioning: "--frames")
        try assertRejected(["sample", "--checkpoint", dir + "/run", "--seed", "1", "--handoff", "0.9", "--out", dir + "/x.gif"],
                           mentioning: "--handoff")
        try Data(#"{"handof": 0.1}"#.utf8).write(to: URL(fileURLWithPath: dir + "/run/sampling.json"))
        try assertRejected(["sample", "--checkpoint", dir + "/run", "--seed", "1", "--out", dir + "/x.gif"], mentioning: "handof")
    }

    /// `vidgen bench sample` prints its table and writes the JSON of docs/ARCHITECTURE.md "Formats", with
    /// the checkpoint's videos timed beside DDIM 50 (a tiny model here, to keep the test short).
    func testBenchSampleWritesJSON() throws {
        let dir = CLI.tmp("bench")
        let t = try CLI.run(["train", "--config", "tiny", "--steps", "2", "--out", dir + "/run"])
        XCTAssertEqual(t.status, 0, t.stderr)
        let r = try CLI.run(["bench", "sample", "--runs", "1", "--checkpoint", dir + "/run", "--sampler", "dpmpp2m",
                             "--steps", "10", "--frames", "12", "--json", dir + "/b.json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssert(r.stdout.contains("sample_step_b1"))
        XCTAssert(r.stdout.contains("against DDIM 50: 0.20× the calls"), r.stdout)
        let data = try XCTUnwrap(FileManager.default.contents(atPath: dir + "/b.json"))
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let names = (json["results"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? []
        XCTAssertEqual(names, ["sgemm_1024x1024x1024", "sample_step_b1", "sample_step_b16"])
        XCTAssertGreaterThan(json["sgemm_peak_gflops"] as? Double ?? 0, 0)
        let videos = (json["videos"] as? [[String: Any]]) ?? []
        XCTAssertEqual(videos.compactMap { $0["label"] as? String }, ["dpmpp2m 10", "ddim 50"])
        XCTAssert(videos.allSatisfy { ($0["videoSeconds"] as? Double ?? 0) > 0 && ($0["evalMinutes"] as? Double ?? 0) > 0 })
        try assertRejected(["bench", "sample", "--runs", "0"], mentioning: "--runs")
        try assertRejected(["bench", "sample", "--checkpoint", dir + "/none"], mentioning: "none")
    }

    /// The shipped model samples with no --checkpoint, from any working directory.
    func testShippedModelSamples() throws {
        let dir = CLI.tmp("shipped")
        let r = try CLI.run(["sample", "--seed", "7", "--steps", "5", "--out", dir + "/v.gif"], cwd: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        let gif = FileManager.default.contents(atPath: dir + "/v.gif")
        XCTAssertEqual(gif.map { Array($0.prefix(6)) }, Array("GIF89a".utf8))
    }

    /// kill -9 mid-run, --resume, and the run ends with the bytes of an uninterrupted one.
    func testKillAndResumeIsBitIdentical() throws {
        let dir = CLI.tmp("kill")
        let args = ["train", "--config", "tiny", "--steps", "240", "--seed", "5"]
        XCTAssertEqual(try CLI.run(args + ["--out", dir + "/straight"]).status, 0)
        for delay in [0.05, 0.4, 0.9] {  // before the first checkpoint, and after some
            let run = dir + "/killed-\(delay)"
            let p = Process()
            p.executableURL = CLI.binary
            p.arguments = args + ["--out", run]
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            Thread.sleep(forTimeInterval: delay)
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            let r = try CLI.run(args + ["--out", run, "--resume"])
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertEqual(FileManager.default.contents(atPath: run + "/model.safetensors"),
                           FileManager.default.contents(atPath: dir + "/straight/model.safetensors"), "killed after \(delay) s")
        }
    }

    func testSampleRejectsBadInput() throws {
        let dir = CLI.tmp("sample-bad")
        try assertRejected(["sample", "--checkpoint", dir + "/none", "--seed", "1", "--out", dir + "/v.gif"], mentioning: "does not exist")
        try assertRejected(["sample", "--seed", "1", "--frames", "1", "--context", "2", "--out", dir + "/v.gif"], mentioning: "--context")
        try assertRejected(["sample", "--seed", "x", "--out", dir + "/v.gif"], mentioning: "seed")
        try assertRejected(["sample", "--seed", "1", "--scenario", "nope", "--scene-seed", "1", "--out", dir + "/v.gif"], mentioning: "unknown scenario")
        try assertRejected(["sample", "--seed", "1", "--out", dir + "/missing/v.gif"], mentioning: "does not exist")
        // A corrupt checkpoint: truncated weights.
        try FileManager.default.createDirectory(atPath: dir + "/bad", withIntermediateDirectories: true)
        _ = try CLI.run(["train", "--config", "tiny", "--steps", "1", "--out", dir + "/bad"])
        let weights = dir + "/bad/model.safetensors"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: weights))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: weights))
        try assertRejected(["sample", "--checkpoint", dir + "/bad", "--seed", "1", "--out", dir + "/v.gif"], mentioning: "model.safetensors")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/v.gif"))
        // An output that would overwrite an input.
        _ = try CLI.run(["train", "--config", "tiny", "--steps", "1", "--out", dir + "/good"])
        let before = FileManager.default.contents(atPath: dir + "/good/model.safetensors")
        try assertRejected(["sample", "--checkpoint", dir + "/good", "--seed", "1", "--out", dir + "/good/v.gif",
                            "--npy", dir + "/good/model.safetensors"], mentioning: "would overwrite")
        XCTAssertEqual(FileManager.default.contents(atPath: dir + "/good/model.safetensors"), before)
    }

    /// Ctrl-C: a checkpoint at the next step boundary, a clean exit, and --resume goes on.
    func testInterruptCheckpointsAndExitsCleanly() throws {
        let dir = CLI.tmp("sigint")
        let p = Process()
        p.executableURL = CLI.binary
        p.arguments = ["train", "--config", "tiny", "--steps", "100000", "--checkpoint-every", "100000", "--out", dir + "/r"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        Thread.sleep(forTimeInterval: 1.0)
        kill(p.processIdentifier, SIGINT)
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, text)
        XCTAssertEqual(p.terminationReason, .exit)
        XCTAssert(text.contains("stopped at step"), text)
        XCTAssert(FileManager.default.fileExists(atPath: dir + "/r/train-state.safetensors"))
        // "stopped at step N; continue with --resume": a resume asks for more steps than N.
        let line = text.split(separator: "\n").first { $0.contains("stopped at step") } ?? ""
        let stopped = try XCTUnwrap(line.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .punctuationCharacters)) }.first, text)
        let r = try CLI.run(["train", "--steps", "\(stopped + 5)", "--out", dir + "/r", "--resume"])
        XCTAssert(r.stdout.contains("resuming"), r.stdout + r.stderr)
    }

    func testCheckpointEveryFlag() throws {
        let dir = CLI.tmp("every")
        try assertRejected(["train", "--config", "tiny", "--checkpoint-every", "0", "--out", dir + "/r"], mentioning: "--checkpoint-every")
        let r = try CLI.run(["train", "--config", "tiny", "--steps", "9", "--checkpoint-every", "3", "--out", dir + "/r"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout.components(separatedBy: "checkpoint at step").count - 1, 3, r.stdout)
    }

    /// `--snapshot-every` keeps the EMA weights of every Nth step beside the run; equal runs
    /// leave equal snapshot bytes.
    func testSnapshotEveryFlag() throws {
        let dir = CLI.tmp("snapshots")
        try assertRejected(["train", "--config", "tiny", "--snapshot-every", "0", "--out", dir + "/r"], mentioning: "--snapshot-every")
        for run in ["a", "b"] {
            let r = try CLI.run(["train", "--config", "tiny", "--steps", "6", "--snapshot-every", "3", "--out", dir + "/" + run])
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: dir + "/a/snapshots").sorted()
        XCTAssertEqual(names, ["step-3", "step-6"])
        for name in names {
            let a = FileManager.default.contents(atPath: dir + "/a/snapshots/\(name)/model.safetensors")
            XCTAssertNotNil(a)
            XCTAssertEqual(a, FileManager.default.contents(atPath: dir + "/b/snapshots/\(name)/model.safetensors"), name)
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/a/snapshots/\(name)/train-state.safetensors"))
        }
        XCTAssertEqual(FileManager.default.contents(atPath: dir + "/a/snapshots/step-6/model.safetensors"),
                       FileManager.default.contents(atPath: dir + "/a/model.safetensors"), "the last snapshot is the final model")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/a/snapshots/step-3/sampling.json"))
        // A run's sampling.json goes with its snapshots.
        XCTAssertEqual(try CLI.run(["train", "--config", "tiny", "--steps", "3", "--out", dir + "/c"]).status, 0)
        try Data(#"{"handoff": 0.2}"#.utf8).write(to: URL(fileURLWithPath: dir + "/c/sampling.json"))
        let r = try CLI.run(["train", "--resume", "--steps", "6", "--snapshot-every", "3", "--out", dir + "/c"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let saved = try XCTUnwrap(FileManager.default.contents(atPath: dir + "/c/snapshots/step-6/sampling.json"))
        XCTAssertEqual((try JSONSerialization.jsonObject(with: saved) as? [String: Any])?["handoff"] as? Double, 0.2)
    }
    /// `vidgen reproduce` refuses bad input before any work, never touches a folder that is
    /// not a report, and leaves nothing behind when the checkpoint is bad.
    func testReproduceRejectsBadInput() throws {
        let dir = CLI.tmp("reproduce-bad")
        let fm = FileManager.default
        try assertRejected(["reproduce", "--quick", "--out", dir + "/no/such/report"], mentioning: "does not exist")
        try Data("x".utf8).write(to: URL(fileURLWithPath: dir + "/file"))
        try assertRejected(["reproduce", "--quick", "--out", dir + "/file"], mentioning: "is a file")
        try fm.createDirectory(atPath: dir + "/mine", withIntermediateDirectories: false)
        try Data("keep".utf8).write(to: URL(fileURLWithPath: dir + "/mine/notes.txt"))
        try assertRejected(["reproduce", "--quick", "--out", dir + "/mine"], mentioning: "not a vidgen report")
        XCTAssertEqual(fm.contents(atPath: dir + "/mine/notes.txt"), Data("keep".utf8))
        try assertRejected(["reproduce", "--quick", "--checkpoint", dir + "/nothing", "--out", dir + "/r"],
                           mentioning: "does not exist")
        XCTAssertFalse(fm.fileExists(atPath: dir + "/r"))
        XCTAssertEqual(try fm.contentsOfDirectory(atPath: dir).sorted(), ["file", "mine"], "no staging folder left")
        // The tiny model's 4-frame window cannot take experiment 4's context: said before any work.
        XCTAssertEqual(try CLI.run(["train", "--config", "tiny", "--steps", "2", "--out", dir + "/tiny"]).status, 0)
        try assertRejected(["reproduce", "--quick", "--checkpoint", dir + "/tiny", "--out", dir + "/r"],
                           mentioning: "4 context frames (experiment 4) do not fit the model's 4-frame window")
        // Experiment 5 takes generators of depth clips, and no 3D state model with --no-state-model.
        try assertRejected(["reproduce", "--quick", "--checkpoint", dir + "/tiny", "--depth-checkpoint", dir + "/tiny",
                            "--out", dir + "/r"],
                           mentioning: "holds a video model of id clips; experiment 5 takes one trained on depth clips")
        XCTAssertEqual(try CLI.run(["train", "--model", "state", "--scenario", "depth", "--config", "tiny", "--out", dir + "/s3"]).status, 0)
        try assertRejected(["reproduce", "--quick", "--no-state-model", "--depth-checkpoint", dir + "/s3", "--out", dir + "/r"],
                           mentioning: "--no-state-model takes no 3D state model")
        XCTAssertFalse(fm.fileExists(atPath: dir + "/r"))
    }
}

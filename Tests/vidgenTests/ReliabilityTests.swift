import Foundation
import Tensor
import XCTest

/// One run of the vidgen binary, timed, with its peak resident memory as GNU time measures it.
struct MeasuredRun {
    var status: Int32
    var stderr: String
    var seconds: Double
    /// The run's peak resident memory, bytes.
    var maxResidentBytes: Int

    /// Runs `vidgen args` to the end under /usr/bin/time (the Makefile's `setup` installs it).
    /// The peak cannot be read by this process: a child spawned from it starts with this
    /// process's own peak as its recorded maximum (the kernel keeps it across exec), so the
    /// small `time` process forks the run and reads its wait4 usage instead.
    static func run(_ args: [String], scratch: String) throws -> MeasuredRun {
        let report = scratch + "/time.txt"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/time")
        p.arguments = ["-o", report, "-f", "%M", CLI.binary.path] + args
        let start = Date()
        let r = try CLI.capture(p)
        let seconds = Date().timeIntervalSince(start)
        // time puts "Command exited with non-zero status N" before the figure when the run fails.
        let text = try String(contentsOfFile: report, encoding: .utf8)
        let kib = try XCTUnwrap(text.split(separator: "\n").last.flatMap { Int($0) }, "time wrote: \(text)")
        return MeasuredRun(status: r.status, stderr: r.stderr, seconds: seconds, maxResidentBytes: kib * 1024)
    }
}

final class ReliabilityTests: XCTestCase {
    /// The repository's shipped video model.
    static let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../data/default").standardized.path

    /// Every file of `dir` (recursively) with its bytes.
    func contents(_ dir: String) -> [String: Data] {
        var out: [String: Data] = [:]
        for name in FileManager.default.enumerator(atPath: dir)?.allObjects as? [String] ?? [] {
            out[name] = FileManager.default.contents(atPath: dir + "/" + name) ?? Data()
        }
        return out
    }

    /// While a folder is locked, every writer — train of either model, with and without
    /// --resume, and autoencoder — is refused with exit 1 and one line naming the holder's
    /// pid, and the folder is left byte for byte as it was.
    func testSecondWriterIsRefusedAndWritesNothing() throws {
        let dir = CLI.tmp("locked")
        XCTAssertEqual(try CLI.run(["train", "--config", "tiny", "--steps", "2", "--out", dir + "/run"]).status, 0)
        let lock = try CheckpointFolder(dir + "/run").lock()
        let before = contents(dir + "/run")
        for args in [["train", "--config", "tiny"], ["train", "--resume"], ["train", "--resume", "--steps", "9"],
                     ["train", "--model", "state", "--config", "tiny"], ["train", "--model", "state", "--resume"],
                     ["autoencoder", "--config", "tiny"]] {
            let r = try CLI.run(args + ["--out", dir + "/run"])
            XCTAssertEqual(r.status, 1, "\(args): \(r.stderr)")
            XCTAssertEqual(r.stderr, "error: \(dir)/run is being written by another process (pid \(getpid())); "
                           + "let it finish or stop it before writing this folder\n", "\(args)")
            XCTAssertEqual(contents(dir + "/run"), before, "\(args) changed the folder")
        }
        withExtendedLifetime(lock) {}
    }

    /// A run killed with SIGKILL leaves no lock behind: while it runs a second writer is
    /// refused naming it, and once it is gone --resume continues from its checkpoint.
    func testKilledHolderLeavesNoLock() throws {
        let dir = CLI.tmp("killed-holder")
        let run = dir + "/run"
        let p = Process()
        p.executableURL = CLI.binary
        p.arguments = ["train", "--config", "tiny", "--steps", "100000", "--checkpoint-every", "3", "--out", run]
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let folder = CheckpointFolder(run)
        let deadline = Date().addingTimeInterval(60)
        while !folder.hasTrainState && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        XCTAssert(folder.hasTrainState, "no checkpoint within a minute")
        let refused = try CLI.run(["train", "--resume", "--out", run])
        XCTAssertEqual(refused.status, 1)
        XCTAssert(refused.stderr.contains("(pid \(p.processIdentifier))"), refused.stderr)
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        let step = try XCTUnwrap(folder.metadata(CheckpointFolder.stateFile)?["step"].flatMap { Int($0) })
        let resumed = try CLI.run(["train", "--resume", "--steps", String(step + 2), "--out", run])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssert(resumed.stdout.contains("resuming \(run) at step \(step)"), resumed.stdout)
        let log = try String(contentsOfFile: run + "/train-log.csv", encoding: .utf8).split(separator: "\n").dropFirst()
        let steps = log.compactMap { Int($0.prefix { $0 != "," }) }
        XCTAssertEqual(steps.last, step + 2)
        XCTAssertEqual(steps, steps.sorted(), "steps in order")
        XCTAssertEqual(Set(steps).count, steps.count, "no step logged twice")
    }

    /// The shipped model's folder with config.json claiming a model 64 times wider and 64
    /// times deeper (inside the config's limits): sample is refused from the weights' header
    /// in well under a second and 100 MB, with one line naming the first tensor that differs.
    func testMismatchedConfigIsRefusedBeforeAllocating() throws {
        let dir = CLI.tmp("mismatch")
        let folder = dir + "/model"
        try FileManager.default.copyItem(atPath: Self.shipped, toPath: folder)
        let configURL = URL(fileURLWithPath: folder + "/config.json")
        var config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: configURL)) as? [String: Any])
        var model = try XCTUnwrap(config["model"] as? [String: Any])
        (model["width"], model["depth"]) = (8192, 256)
        config["model"] = model
        try JSONSerialization.data(withJSONObject: config).write(to: configURL)
        let r = try MeasuredRun.run(["sample", "--checkpoint", folder, "--seed", "7", "--out", dir + "/v.gif"], scratch: dir)
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertEqual(r.stderr, "error: \(folder)/model.safetensors: tensor 'embed.weight' has shape [9, 128], "
                       + "the config needs [9, 8192]\n")
        XCTAssertLessThan(r.seconds, 1)
        XCTAssertLessThan(r.maxResidentBytes, 100 << 20)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/v.gif"))
        print(String(format: "mismatched config refused in %.3f s, peak resident memory %.1f MiB", r.seconds,
                     Double(r.maxResidentBytes) / 1048576))
    }

    /// A config whose training cannot fit the machine's memory is refused before the model
    /// is built or the folder created: one line with both figures, exit 1, quickly.
    func testOversizedTrainConfigIsRefused() throws {
        let dir = CLI.tmp("oversized")
        let configs = [#"{"preset": "tiny", "model": {"width": 8192, "depth": 256}}"#, #"{"preset": "default", "batchSize": 4096}"#]
        for (i, text) in configs.enumerated() {
            let file = dir + "/c\(i).json"
            try Data(text.utf8).write(to: URL(fileURLWithPath: file))
            let r = try MeasuredRun.run(["train", "--config", file, "--out", dir + "/run"], scratch: dir)
            XCTAssertEqual(r.status, 1, r.stderr)
            XCTAssert(r.stderr.hasPrefix("error: training this config needs about "), r.stderr)
            XCTAssert(r.stderr.contains("GiB of physical memory this machine has"), r.stderr)
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
            XCTAssertLessThan(r.seconds, 1)
            XCTAssertLessThan(r.maxResidentBytes, 100 << 20)
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/run"), "nothing written")
        }
    }
}

import Foundation
import Tensor
import XCTest

/// `mpirun -np N vidgen …` on this machine (Open MPI from `make setup`).
enum MPIRun {
    /// As root mpirun needs leave; on one host it needs no ssh/rsh agent.
    static var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        env["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        env["OMPI_MCA_plm"] = "^rsh"
        return env
    }

    /// mpirun, told that more ranks than it counts slots is fine. It counts slots its own
    /// way (physical cores, a container's cpuset), which need not be the processor count this
    /// process sees, and under `-q` a launch short of slots fails with no message at all.
    static func process(_ launch: [String]) -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/mpirun")
        p.arguments = ["--oversubscribe"] + launch
        p.environment = environment
        return p
    }

    /// Runs `mpirun -np ranks vidgen args` (or a whole `launch` line) to the end.
    @discardableResult
    static func run(ranks: Int, _ args: [String], quiet: Bool = false, launch: [String]? = nil) throws -> CLI.Result {
        try CLI.capture(process((quiet ? ["-q"] : []) + (launch ?? (["-np", String(ranks), CLI.binary.path] + args))))
    }
}

final class DataParallelTests: XCTestCase {
    let tiny = ["train", "--config", "tiny", "--seed", "11"]

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/mpirun") else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "no /usr/bin/mpirun: `make setup` installs Open MPI (openmpi-bin)"])
        }
    }

    /// Every tensor of a safetensors file (metadata, which holds wall time, left out).
    func tensors(_ path: String) throws -> [SafeTensorsEntry] { try SafeTensors.read(from: path).entries }

    /// ‖a − b‖ / ‖b‖ over every tensor whose name starts with `prefix`.
    func relativeDifference(_ a: String, _ b: String, prefix: String = "") throws -> Double {
        let (x, y) = (try tensors(a), try tensors(b))
        XCTAssertEqual(x.map(\.name), y.map(\.name))
        var (diff, norm) = (0.0, 0.0)
        for (u, v) in zip(x, y) where u.name.hasPrefix(prefix) {
            for (p, q) in zip(u.values, v.values) {
                diff += Double(p - q) * Double(p - q)
                norm += Double(q) * Double(q)
            }
        }
        return (diff / norm).squareRoot()
    }

    /// The log's step, loss, lr and grad-norm columns (seconds are wall time).
    func logColumns(_ dir: String) throws -> [String] {
        try String(contentsOfFile: dir + "/train-log.csv", encoding: .utf8).split(separator: "\n")
            .map { $0.split(separator: ",").prefix(4).joined(separator: ",") }
    }

    /// Two ranks: the same bytes run to run, and the single-process run's weights to float
    /// round-off after 100 steps; only rank 0 writes, and its files are the single run's.
    func testTwoRanksRepeatBitForBitAndMatchOneProcess() throws {
        let dir = CLI.tmp("dp-match")
        let args = tiny + ["--steps", "100", "--snapshot-every", "50"]
        XCTAssertEqual(try CLI.run(args + ["--out", dir + "/one"]).status, 0)
        for run in ["a", "b"] {
            let r = try MPIRun.run(ranks: 2, args + ["--out", dir + "/" + run])
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertEqual(r.stdout.components(separatedBy: "trained 100 steps").count - 1, 1, "rank 0 alone reports: \(r.stdout)")
        }
        let fm = FileManager.default
        for file in ["model.safetensors", "snapshots/step-50/model.safetensors"] {
            XCTAssertEqual(fm.contents(atPath: dir + "/a/" + file), fm.contents(atPath: dir + "/b/" + file), file)
        }
        XCTAssertEqual(try tensors(dir + "/a/train-state.safetensors"), try tensors(dir + "/b/train-state.safetensors"))
        XCTAssertEqual(try logColumns(dir + "/a"), try logColumns(dir + "/b"))
        XCTAssertEqual(try fm.subpathsOfDirectory(atPath: dir + "/a").sorted(), try fm.subpathsOfDirectory(atPath: dir + "/one").sorted())

        let weights = try relativeDifference(dir + "/a/train-state.safetensors", dir + "/one/train-state.safetensors", prefix: "param.")
        let ema = try relativeDifference(dir + "/a/model.safetensors", dir + "/one/model.safetensors")
        print(String(format: "2 ranks against 1 process after 100 tiny steps: relative weight difference %.2e (EMA %.2e)", weights, ema))
        XCTAssertGreaterThan(weights, 0, "the sums are added in another order, so some bits differ")
        XCTAssertLessThan(weights, 1e-5)
        XCTAssertLessThan(ema, 1e-5)
    }

    /// kill -9 of one rank ends the job within seconds with a clear error; the checkpoint
    /// loads, and --resume with 2 ranks ends with the bytes of an uninterrupted 2-rank run,
    /// with 1 process within round-off of it.
    func testKillOneRankThenResumeWithSameAndOtherRankCount() throws {
        let dir = CLI.tmp("dp-kill")
        let args = tiny + ["--steps", "60", "--checkpoint-every", "10"]
        XCTAssertEqual(try MPIRun.run(ranks: 2, args + ["--out", dir + "/straight"]).status, 0)

        let run = dir + "/killed"
        let p = MPIRun.process(["-np", "2", CLI.binary.path] + args + ["--out", run])
        let err = Pipe()
        p.standardOutput = FileHandle.nullDevice
        p.standardError = err
        try p.run()
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: run + "/model.safetensors") && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        let rank1 = try XCTUnwrap(Self.rank(1, of: run), "rank 1 of the run not found")
        kill(rank1, SIGKILL)
        let killed = Date()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        let seconds = Date().timeIntervalSince(killed)
        XCTAssertNotEqual(p.terminationStatus, 0)
        XCTAssertLessThan(seconds, 10, "the job took \(seconds) s to end")
        XCTAssert(text.contains("last checkpoint in \(run) is kept"), text)
        XCTAssert(text.contains("exited on signal 9"), text)

        let r = try CLI.run(["sample", "--checkpoint", run, "--seed", "1", "--steps", "2", "--out", dir + "/v.gif"])
        XCTAssertEqual(r.status, 0, "the last checkpoint loads: \(r.stderr)")
        try FileManager.default.copyItem(atPath: run, toPath: dir + "/other-n")
        let same = try MPIRun.run(ranks: 2, ["train", "--out", run, "--resume"])
        XCTAssertEqual(same.status, 0, same.stderr)
        XCTAssert(same.stdout.contains("resuming"), same.stdout)
        XCTAssertEqual(FileManager.default.contents(atPath: run + "/model.safetensors"),
                       FileManager.default.contents(atPath: dir + "/straight/model.safetensors"))
        let one = try CLI.run(["train", "--out", dir + "/other-n", "--resume"])
        XCTAssertEqual(one.status, 0, one.stderr)
        XCTAssertLessThan(try relativeDifference(dir + "/other-n/model.safetensors", dir + "/straight/model.safetensors"), 1e-5)
    }

    /// SIGINT to one rank: every rank stops after the same step, rank 0 checkpoints, exit 0.
    func testInterruptOfOneRankStopsAllAfterACheckpoint() throws {
        let dir = CLI.tmp("dp-sigint")
        let (run, log) = (dir + "/r", dir + "/out.txt")
        let p = MPIRun.process(["-np", "2", CLI.binary.path] + tiny + ["--steps", "100000", "--checkpoint-every", "100000", "--out", run])
        FileManager.default.createFile(atPath: log, contents: nil)
        p.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try p.run()
        // The first progress line comes after the first step: every rank is training by then.
        let deadline = Date().addingTimeInterval(120)
        func output() -> String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }
        while !output().contains("train: ") && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        kill(try XCTUnwrap(Self.rank(1, of: run), "rank 1 of the run not found"), SIGINT)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, output())
        XCTAssert(output().contains("stopped at step"), output())
        XCTAssert(FileManager.default.fileExists(atPath: run + "/train-state.safetensors"))
    }

    /// More ranks than clips, and ranks started with different settings: one line, nothing written.
    func testBadLaunchIsOneLine() throws {
        let dir = CLI.tmp("dp-bad")
        let many = try MPIRun.run(ranks: 5, tiny + ["--steps", "3", "--out", dir + "/r"], quiet: true)
        XCTAssertNotEqual(many.status, 0)
        XCTAssertEqual(many.stderr, "error: 5 ranks cannot share a global batch of 4 clips: start at most 4 (mpirun -np 4)\n")
        let binary = CLI.binary.path
        let mixed = try MPIRun.run(ranks: 2, [], quiet: true, launch: [
            "-np", "1", binary] + tiny + ["--steps", "3", "--out", dir + "/r", ":", "-np", "1", binary, "train", "--config", "tiny",
            "--seed", "12", "--steps", "3", "--out", dir + "/r"])
        XCTAssertNotEqual(mixed.status, 0)
        XCTAssertEqual(mixed.stderr.split(separator: "\n").count, 1, mixed.stderr)
        XCTAssert(mixed.stderr.hasPrefix("error: rank 1 was started with other training settings than rank 0"), mixed.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/r"))
    }

    /// The pid of rank `rank` of the run writing into `out`, from /proc.
    static func rank(_ rank: Int, of out: String) -> pid_t? {
        let fm = FileManager.default
        for name in (try? fm.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = pid_t(name),
                  let env = fm.contents(atPath: "/proc/\(name)/environ"),
                  let cmd = fm.contents(atPath: "/proc/\(name)/cmdline") else { continue }
            let vars = env.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            let words = cmd.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            if vars.contains("OMPI_COMM_WORLD_RANK=\(rank)") && words.contains(out) && words.first?.hasSuffix("vidgen") == true {
                return pid
            }
        }
        return nil
    }
}

import Foundation
import Tensor
import XCTest

/// One run of the vidgen binary as a child of this process, with what wait4 tells of it.
struct MeasuredRun {
    var status: Int32
    var stderr: String
    var seconds: Double
    /// The child's peak resident memory, bytes (its own, not that of this process's other children).
    var maxResidentBytes: Int

    /// Runs `vidgen args` to the end with posix_spawn, stdout discarded, and reads its
    /// resource use with wait4 (Foundation's Process reaps its children itself).
    static func run(_ args: [String], scratch: String) throws -> MeasuredRun {
        let errPath = scratch + "/stderr.txt"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = ([CLI.binary.path] + args).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let start = Date()
        let code = posix_spawn(&pid, CLI.binary.path, &actions, nil, argv, environ)
        guard code == 0 else { throw NSError(domain: "posix_spawn", code: Int(code)) }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let seconds = Date().timeIntervalSince(start)
        // A normal exit has no signal bits; its code is the second byte.
        let exit = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return MeasuredRun(status: exit, stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "",
                           seconds: seconds, maxResidentBytes: usage.ru_maxrss * 1024)
    }
}

final class ReliabilityTests: XCTestCase {
    /// The repository's shipped video model.
    static let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../data/default").standardized.path

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
}

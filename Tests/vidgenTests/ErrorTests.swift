import Foundation
import XCTest

/// Every error a command throws leaves vidgen in one place (Vidgen.leave): one line
/// `error: …` on stderr and its exit code — 1 for a failure while doing the work, 2 for input
/// the command cannot take — while ArgumentParser's own usage errors keep its format and 64.
final class ErrorTests: XCTestCase {
    func testErrorsLeaveThroughOnePlace() throws {
        let dir = CLI.tmp("errors")
        let missing = try CLI.run(["sample", "--checkpoint", dir + "/none", "--seed", "1", "--out", dir + "/x.gif"])
        XCTAssertEqual(missing.status, 1, missing.stderr)
        XCTAssertEqual(missing.stderr, "error: checkpoint folder \(dir)/none does not exist\n")

        let scenario = try CLI.run(["data", "--scenario", "bogus", "--seed", "1", "--out", dir + "/x.gif"])
        XCTAssertEqual(scenario.status, 2, scenario.stderr)
        XCTAssert(scenario.stderr.hasPrefix("error: unknown scenario 'bogus'"), scenario.stderr)

        // A config that is neither a preset nor a file is input, for either kind of model.
        for model in ["video", "state"] {
            let config = try CLI.run(["train", "--model", model, "--config", "huge", "--out", dir + "/c"])
            XCTAssertEqual(config.status, 2, config.stderr)
            XCTAssert(config.stderr.hasPrefix("error: unknown config 'huge': use tiny,"), config.stderr)
        }

        let state = try CLI.run(["train", "--model", "state", "--snapshot-every", "5", "--out", dir + "/r"])
        XCTAssertEqual(state.status, 2, state.stderr)
        XCTAssertEqual(state.stderr, "error: --snapshot-every and --autoencoder are options of video models, not of --model state\n")

        // --help, of the tool and of a subcommand, is ArgumentParser's: the help text, exit 0.
        for args in [["--help"], ["sample", "--help"], ["bench", "data-parallel", "--help"], ["help", "train"]] {
            let help = try CLI.run(args)
            XCTAssertEqual(help.status, 0, "\(args): \(help.stderr)")
            XCTAssert(help.stdout.contains("USAGE: vidgen"), "\(args): \(help.stdout)")
        }

        let usage = try CLI.run(["sample", "--seed", "1"])
        XCTAssertEqual(usage.status, 64, usage.stderr)
        XCTAssert(usage.stderr.hasPrefix("Error: Missing expected argument '--out <out>'"), usage.stderr)

        // A library error the command does not catch: a sampling.json with an unknown key.
        XCTAssertEqual(try CLI.run(["train", "--config", "tiny", "--steps", "1", "--out", dir + "/m"]).status, 0)
        try Data(#"{"handof": 0.1}"#.utf8).write(to: URL(fileURLWithPath: dir + "/m/sampling.json"))
        let sampling = try CLI.run(["sample", "--checkpoint", dir + "/m", "--seed", "1", "--out", dir + "/x.gif"])
        XCTAssertEqual(sampling.status, 1, sampling.stderr)
        XCTAssert(sampling.stderr.hasPrefix("error: \(dir)/m/sampling.json: unknown key 'handof'"), sampling.stderr)
        XCTAssertEqual(sampling.stderr.split(separator: "\n").count, 1, sampling.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/x.gif"))
    }
}

import Foundation
import XCTest

/// Runs the built `vidgen` binary as a user would.
final class DataCommandTests: XCTestCase {
    /// The `vidgen` executable beside this test bundle (SwiftPM puts both in the build
    /// folder). A missing binary fails the tests rather than skipping them.
    var binary: URL {
        get throws {
            let roots = [Bundle.main.bundleURL] + Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent() }
            for root in roots {
                var dir = root
                for _ in 0..<3 {
                    let candidate = dir.appendingPathComponent("vidgen")
                    var isDir: ObjCBool = false
                    if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDir), !isDir.boolValue,
                       FileManager.default.isExecutableFile(atPath: candidate.path) {
                        return candidate
                    }
                    dir = dir.deletingLastPathComponent()
                }
            }
            struct NotBuilt: Error, CustomStringConvertible {
                var description: String { "vidgen binary not found beside the test bundle: run `swift build -c release` first" }
            }
            throw NotBuilt()
        }
    }

    var tmp: String!

    override func setUpWithError() throws {
        tmp = NSTemporaryDirectory() + "vidgen-cli-\(getpid())-\(name.filter(\.isLetter))"
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: tmp)
    }

    func run(_ args: [String]) throws -> (code: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = try binary
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: tmp)
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    /// Camera noise: the frames change, the same seed gives the same bytes, and a bad σ is one line.
    func testCameraNoiseIsDeterministicAndChecked() throws {
        func npy(_ name: String, _ extra: [String]) throws -> Data {
            let r = try run(["data", "--scenario", "id", "--seed", "2", "--frames", "8", "--out", name + ".gif", "--npy", name + ".npy"] + extra)
            XCTAssertEqual(r.code, 0, r.err)
            return try Data(contentsOf: URL(fileURLWithPath: tmp + "/" + name + ".npy"))
        }
        let clean = try npy("a", []), noisy = try npy("b", ["--camera-noise", "0.05"]), again = try npy("c", ["--camera-noise", "0.05"])
        XCTAssertNotEqual(clean, noisy)
        XCTAssertEqual(noisy, again, "same seed, same noise")
        XCTAssertEqual(try npy("d", ["--camera-noise", "0"]), clean)
        for bad in ["-0.1", "2", "x"] {
            let r = try run(["data", "--scenario", "id", "--seed", "2", "--out", "e.gif", "--camera-noise", bad])
            XCTAssertNotEqual(r.code, 0)
            XCTAssert(r.err.contains("--camera-noise"), r.err)
            XCTAssertEqual(r.err.split(separator: "\n").count, 1, r.err)
            XCTAssertFalse(FileManager.default.fileExists(atPath: tmp + "/e.gif"))
        }
    }

    func testWritesGIFNpyAndStates() throws {
        let r = try run(["data", "--scenario", "occluder", "--seed", "1", "--frames", "64", "--out", "o.gif",
                         "--npy", "f.npy", "--states", "s.json"])
        XCTAssertEqual(r.code, 0, r.err)
        let gif = try Data(contentsOf: URL(fileURLWithPath: tmp + "/o.gif"))
        XCTAssertEqual(String(decoding: gif.prefix(6), as: UTF8.self), "GIF89a")
        let npy = try Data(contentsOf: URL(fileURLWithPath: tmp + "/f.npy"))
        XCTAssertEqual(npy.count, 128 + 64 * 32 * 32 * 3)
        XCTAssertTrue(String(decoding: npy.prefix(128), as: UTF8.self).contains("'shape': (64, 32, 32, 3)"))
        let states = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: tmp + "/s.json"))) as! [String: Any]
        XCTAssertEqual((states["frames"] as! [Any]).count, 64)
        XCTAssertEqual(states["scenario"] as? String, "occluder")
        // Same seed, same bytes.
        XCTAssertEqual(try run(["data", "--scenario", "occluder", "--seed", "1", "--frames", "64", "--out", "p.gif"]).code, 0)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: tmp + "/p.gif")), gif)
    }

    /// The 3D box: GIF, .npy [T, 32, 32, 3] and the states with the 3D fields; equal seeds give
    /// equal bytes, other seeds other clips; 32 frames unless --frames says otherwise.
    func testWritesDepthClips() throws {
        for scenario in ["depth", "depth-near"] {
            let r = try run(["data", "--scenario", scenario, "--seed", "3", "--frames", "24", "--out", "d.gif",
                             "--npy", "d.npy", "--states", "d.json"])
            XCTAssertEqual(r.code, 0, r.err)
            XCTAssertTrue(r.out.contains("scenario \(scenario), seed 3, 24 frames of 32×32"), r.out)
            let gif = try Data(contentsOf: URL(fileURLWithPath: tmp + "/d.gif"))
            XCTAssertEqual(String(decoding: gif.prefix(6), as: UTF8.self), "GIF89a")
            let npy = try Data(contentsOf: URL(fileURLWithPath: tmp + "/d.npy"))
            XCTAssertEqual(npy.count, 128 + 24 * 32 * 32 * 3)
            XCTAssertTrue(String(decoding: npy.prefix(128), as: UTF8.self).contains("'shape': (24, 32, 32, 3)"))
            XCTAssertTrue(npy.suffix(24 * 32 * 32 * 3).contains { $0 != 0 }, "balls are drawn")
            let json = try Data(contentsOf: URL(fileURLWithPath: tmp + "/d.json"))
            let states = try JSONSerialization.jsonObject(with: json) as! [String: Any]
            XCTAssertEqual(states["scenario"] as? String, scenario)
            XCTAssertEqual((states["box"] as? [Double])?.count, 3)
            XCTAssertNotNil((states["camera"] as? [String: Any])?["focalLength"])
            let frames = states["frames"] as! [[String: Any]]
            XCTAssertEqual(frames.count, 24)
            let ball = (frames[0]["balls"] as! [[String: Any]])[0]
            XCTAssertEqual((ball["position"] as? [Double])?.count, 3)
            for key in ["projected", "apparentRadius", "depth", "visibleFraction"] { XCTAssertNotNil(ball[key], key) }

            XCTAssertEqual(try run(["data", "--scenario", scenario, "--seed", "3", "--frames", "24", "--out", "e.gif",
                                    "--npy", "e.npy", "--states", "e.json"]).code, 0)
            for (a, b) in [("d.gif", "e.gif"), ("d.npy", "e.npy"), ("d.json", "e.json")] {
                XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: tmp + "/" + a)),
                               try Data(contentsOf: URL(fileURLWithPath: tmp + "/" + b)), "\(scenario): \(a) and \(b)")
            }
            XCTAssertEqual(try run(["data", "--scenario", scenario, "--seed", "4", "--frames", "24", "--out", "f.gif",
                                    "--npy", "f.npy"]).code, 0)
            XCTAssertNotEqual(try Data(contentsOf: URL(fileURLWithPath: tmp + "/f.npy")), npy)
        }
        let r = try run(["data", "--scenario", "depth", "--seed", "0", "--out", "g.gif", "--npy", "g.npy"])
        XCTAssertEqual(r.code, 0, r.err)
        XCTAssertTrue(String(decoding: try Data(contentsOf: URL(fileURLWithPath: tmp + "/g.npy")).prefix(128), as: UTF8.self)
            .contains("'shape': (32, 32, 32, 3)"))
    }

    /// `eval --scenario depth --baselines-only` scores the simulator and the two baselines on
    /// depth clips: a table on stdout and every count in the JSON.
    func testEvalScoresTheBaselinesOnDepthClips() throws {
        let r = try run(["eval", "--baselines-only", "--scenario", "depth", "--clips", "3", "--out", "m.json"])
        XCTAssertEqual(r.code, 0, r.err)
        XCTAssertTrue(r.out.contains("pass-through right") && r.out.contains("constant velocity"), r.out)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: tmp + "/m.json"))) as? [String: Any])
        let scores = try XCTUnwrap(json["frameScores"] as? [[String: Any]])
        XCTAssertEqual(scores.compactMap { $0["name"] as? String }, ["simulator", "copy last frame", "constant velocity"])
        XCTAssertEqual(scores[0]["clips"] as? Int, 3)
        let size = try XCTUnwrap(scores[0]["sizeError"] as? [String: Any])
        XCTAssertEqual((size["mean"] as? [Double])?.count, 30)
        XCTAssertEqual((json["models"] as? [Any])?.count, 0)
    }

    /// Sample refuses the 3D box for a model of the flat world with a line that says so; eval
    /// takes it for the baselines, 3D state models and video models of depth clips, and asks
    /// for one of them.
    func testSampleAndEvalRefuseDepthScenarios() throws {
        for (args, says) in [(["sample", "--seed", "1", "--scenario", "depth", "--scene-seed", "1", "--out", "v.gif"],
                              "holds a video model of id clips; --scenario depth is of the 3D box, which it did not train on"),
                             (["eval", "--scenario", "depth-near", "--clips", "1", "--out", "m.json"],
                              "scores the baselines (--baselines-only), and 3D state models and video models")] {
            let r = try run(args)
            XCTAssertNotEqual(r.code, 0, args.joined(separator: " "))
            XCTAssertLessThan(r.code, 128, "terminated by a signal")
            XCTAssertTrue(r.err.contains(says), r.err)
        }
        let r = try run(["eval", "--baselines-only", "--scenario", "bogus", "--clips", "1", "--out", "m.json"])
        XCTAssertTrue(r.err.contains("unknown scenario 'bogus'") && r.err.contains("depth, depth-near"), r.err)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: tmp), [])
    }

    func testUnknownScenarioExitsTwoWithOneLineListingNames() throws {
        let r = try run(["data", "--scenario", "bogus", "--seed", "1", "--out", "x.gif"])
        XCTAssertEqual(r.code, 2)
        let lines = r.err.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, r.err)
        XCTAssertTrue(r.err.contains("unknown scenario 'bogus'"), r.err)
        for name in ["id", "ood-fast", "ood-gravity", "ood-count", "ood-size", "occluder", "key", "depth", "depth-near"] {
            XCTAssertTrue(r.err.contains(name), r.err)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: tmp + "/x.gif"))
    }

    func testBadFramesAndSeed() throws {
        for frames in ["abc", "-5", "0", "2.5"] {
            let r = try run(["data", "--scenario", "id", "--seed", "1", "--frames", frames, "--out", "x.gif"])
            XCTAssertEqual(r.code, 2, "frames \(frames)")
            XCTAssertEqual(r.err.split(separator: "\n").count, 1, r.err)
            XCTAssertTrue(r.err.contains("--frames"), r.err)
        }
        let r = try run(["data", "--scenario", "id", "--seed", "x1", "--out", "x.gif"])
        XCTAssertEqual(r.code, 2)
        XCTAssertTrue(r.err.contains("--seed"), r.err)
        // Too few frames for the occluder guarantee: a clear line, not a trap.
        let short = try run(["data", "--scenario", "occluder", "--seed", "1", "--frames", "8", "--out", "x.gif"])
        XCTAssertEqual(short.code, 2)
        XCTAssertTrue(short.err.contains("more frames"), short.err)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: tmp), [])
    }

    func testMissingOutputFolderWritesNothing() throws {
        let r = try run(["data", "--scenario", "id", "--seed", "1", "--out", "ok.gif", "--npy", "nope/f.npy"])
        XCTAssertEqual(r.code, 1)
        XCTAssertEqual(r.err.split(separator: "\n").count, 1, r.err)
        XCTAssertTrue(r.err.contains("nope"), r.err)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: tmp), [], "no partial files")
    }
}

import Checkpoints
import Foundation
import XCTest
import Tensor
import World
@testable import Dynamics

final class TrainerTests: XCTestCase {
    func folder(_ name: String) -> String {
        let dir = NSTemporaryDirectory() + "dynamics-\(name)-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        return dir
    }

    var config: DynamicsConfig {
        var c = DynamicsConfig.tiny
        c.steps = 12
        c.checkpointEvery = 4
        c.clipsPerStep = 1
        c.clipFrames = 8
        return c
    }

    /// Stopping after 6 steps and resuming from the folder gives the same bytes as 12 steps in one go.
    func testResumeIsBitIdentical() throws {
        let a = folder("a"), b = folder("b")
        var whole = try DynamicsTrainer(config: config, folder: a)
        var losses: [Double] = []
        try whole.train { losses.append($0.loss) }
        var first = try DynamicsTrainer(config: config, folder: b)
        try first.train(steps: 6)
        try first.save()
        var second = try DynamicsTrainer<DynamicsConfig>.resume(folder: b)
        XCTAssertEqual(second.step, 6)
        var resumed: [Double] = []
        try second.train { resumed.append($0.loss) }
        XCTAssertEqual(Array(losses[6...]), resumed)
        for file in [CheckpointFolder.modelFile, CheckpointFolder.stateFile, CheckpointFolder.configFile] {
            let x = FileManager.default.contents(atPath: a + "/" + file), y = FileManager.default.contents(atPath: b + "/" + file)
            XCTAssertNotNil(x)
            XCTAssertEqual(x, y, file)
        }
        let model = try StateModel.load(a)
        XCTAssertEqual(model.law.parameters.map(\.values), whole.network.parameters.map(\.values))
    }

    /// A folder from an older vidgen, whose state model kept velocity as a difference of
    /// positions, is refused with one line that says what to do; a config file that does not
    /// name every key takes the preset's values.
    func testFolderOfAnOlderStateModelIsRefused() throws {
        let dir = folder("older")
        var t = try DynamicsTrainer(config: config, folder: dir)
        try t.train(steps: 1)
        try t.save()
        XCTAssertEqual(try StateModel.load(dir).law.parameters.map(\.values), t.network.parameters.map(\.values))
        let path = dir + "/" + CheckpointFolder.configFile
        var dict = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        var model = dict["model"] as! [String: Any]
        model["gated"] = true
        dict["model"] = model
        try JSONSerialization.data(withJSONObject: dict).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try StateModel.load(dir)) { e in
            XCTAssertTrue("\(e)".contains("older vidgen"), "\(e)")
            XCTAssertTrue("\(e)".contains("vidgen train --model state"), "\(e)")
            XCTAssertFalse("\(e)".contains("\n"))
        }
        let fresh = try DynamicsConfig.decode(Data(#"{"preset": "tiny"}"#.utf8), file: "c.json")
        XCTAssertEqual(fresh, .tiny)
    }

    /// Whatever the network predicts, a stepped state stays one the world can hold: speeds
    /// at most StateModel.maxSpeed, every disc inside the walls, every number finite.
    func testSteppedStateStaysInTheBox() {
        var rng = RNG(seed: 5)
        var net = InteractionNetwork(DynamicsConfig.tiny.model, rng: &rng)
        net.freeFlight = Tensor(shape: [2], values: [300, -1e30])
        let model = StateModel(network: net)
        let start = WorldState(width: 32, height: 32, balls: [
            BallState(position: Vec2(10, 12), velocity: Vec2(0.5, 0.2), radius: 3, color: 0),
            BallState(position: Vec2(22, 20), velocity: Vec2(-0.3, 0.1), radius: 2.5, color: 4),
        ])
        for s in model.rollout(from: start, frames: 12) {
            for b in s.balls {
                XCTAssertLessThanOrEqual(b.velocity.length, StateModel.maxSpeed * (1 + 1e-12))
                XCTAssert(b.position.x >= b.radius && b.position.x <= 32 - b.radius, "\(b.position)")
                XCTAssert(b.position.y >= b.radius && b.position.y <= 32 - b.radius, "\(b.position)")
            }
        }
    }

    /// Roll-out is a pure function: same context, same bytes; the ball count never changes.
    func testRolloutIsDeterministicAndKeepsBalls() throws {
        var t = try DynamicsTrainer(config: config, folder: folder("roll"))
        try t.train(steps: 3)
        let ep = try Scenario.id.episode(seed: 11, frames: 2)
        var s = Scenario.id
        s.ballCount = 3...3
        let ep3 = try s.episode(seed: 4, frames: 2)
        for e in [ep, ep3] {
            let context = Rasterizer.planar(e)
            let x = t.model.rollout(contextFrames: context, frames: 12), y = t.model.rollout(contextFrames: context, frames: 12)
            XCTAssertEqual(x.count, 12 * 3 * 32 * 32)
            XCTAssertEqual(x, y)
        }
        // A ball outside the view keeps being stepped rather than dropped.
        let away = WorldState(width: 32, height: 32, balls: [BallState(position: Vec2(-20, 16), velocity: Vec2(-1, 0),
                                                                        radius: 3, color: 2)])
        XCTAssertTrue(t.model.rollout(from: away, frames: 5).allSatisfy { $0.balls.count == 1 })
        // Far outside the frame, or no longer finite, it is not drawn: an empty black frame.
        for x in [-1e300, Double.nan] {
            var far = away
            far.balls[0].position = Vec2(x, 16)
            XCTAssertEqual(t.model.render([far]), [Float](repeating: -1, count: 3 * 32 * 32))
        }
    }

    /// Bad configs and checkpoints end in one readable line naming the problem.
    func testConfigErrorsAreOneLine() throws {
        func error(_ json: String) -> String {
            do {
                _ = try DynamicsConfig.decode(Data(json.utf8), file: "c.json")
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        let cases: [(String, String)] = [
            (#"{"stepz": 3}"#, "unknown key 'stepz'"),
            (#"{"model": {"width": 32, "hiden": 2}}"#, "unknown key 'model.hiden'"),
            (#"{"steps": "many"}"#, "bad value for 'steps'"),
            (#"{"source": "oracle"}"#, "bad value for 'source'"),
            (#"{"preset": "huge"}"#, "unknown preset 'huge'"),
            (#"{"model": 3}"#, "bad value for 'model'"),
            (#"{"scenario": "moon"}"#, "unknown scenario 'moon'"),
            (#"{"scenario": "key"}"#, "scenario 'key' hides balls"),
            (#"{"model": {"width": 40}}"#, "scenario 'id' is 32×32, the model 40×32"),
            (#"{"learningRate": -1}"#, "learningRate must be in (0, 1)"),
            ("[1, 2]", "not a JSON object"),
        ]
        for (json, expected) in cases {
            let e = error(json)
            XCTAssertTrue(e.hasPrefix("c.json: "), e)
            XCTAssertTrue(e.contains(expected), "\(json): \(e)")
            XCTAssertFalse(e.contains("\n"), e)
        }
        XCTAssertEqual(try DynamicsConfig.decode(Data(#"{"preset": "tiny", "steps": 7}"#.utf8), file: "c.json").steps, 7)
        XCTAssertEqual(try DynamicsConfig.decode(DynamicsConfig.default.encoded().data, file: "c.json"), .default)
        XCTAssertThrowsError(try StateModel.load(folder("missing"))) { e in
            XCTAssertTrue("\(e)".contains("does not exist"), "\(e)")
        }
    }
}

extension Array where Element == UInt8 {
    var data: Data { Data(self) }
}

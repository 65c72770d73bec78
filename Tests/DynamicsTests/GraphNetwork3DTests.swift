import Checkpoints
import Foundation
import XCTest
import Tensor
import World
@testable import Dynamics

/// The generic state model in the 3D box: its graph network's gradients, its step, what it
/// learns on a tiny budget, and its checkpoint folder.
final class GraphNetwork3DTests: XCTestCase {
    let box = Vec3(24, 24, 24)

    /// States by hand, padded: a lone ball near the floor and the far wall, two balls close
    /// together beside a third.
    var states: [WorldState3D] {
        [
            WorldState3D(extent: box, ballRadius: 3, balls: [
                BallState3D(position: Vec3(10, 20.5, 19), velocity: Vec3(0.3, 0.9, 0.4), color: 0),
            ]),
            WorldState3D(extent: box, ballRadius: 3, balls: [
                BallState3D(position: Vec3(10, 10, 10), velocity: Vec3(0.5, 0.2, 0.1), color: 1),
                BallState3D(position: Vec3(14, 13, 12), velocity: Vec3(-0.4, -0.1, 0.3), color: 2),
                BallState3D(position: Vec3(18, 5, 18), velocity: Vec3(0, 0.2, -0.6), color: 3),
            ]),
        ]
    }

    /// The relation reads 9 numbers per pair, the object 10 per ball, and it says 6: Δu and
    /// δp in 3D. The loss's gradient with respect to every parameter matches central
    /// differences, for the squared error and the pseudo-Huber one.
    func testGradientOfLossMatchesFiniteDifferences() {
        var rng = RNG(seed: 7)
        let net = GraphNetwork.forGradientCheck(GenericStateConfig3D.tiny.model, rng: &rng)
        let x = GraphBatch(states, net.config)
        XCTAssertEqual(x.relations.shape, [2 * 3 * 3, 9])
        XCTAssertEqual(x.objects.shape, [2 * 3, 10])
        XCTAssert(x.pairMask.values == [0, 0, 0, 0, 0, 0, 0, 0, 0,  0, 1, 1, 1, 0, 1, 1, 1, 0])
        // The lone ball's coordinates and distances to the six walls, in eighths (distanceScale 8).
        XCTAssertEqual(Array(x.objects.values[4..<10]), [10, 14, 20.5, 3.5, 19, 5].map { Float($0 / 8) })
        XCTAssertEqual(net(x).shape, [6, 6])
        let target = Tensor.randn([6, 6], std: 1, rng: &rng)
        let weight = Tensor(shape: [6], values: [1, 0, 0, 1, 1, 1])
        assertGradientsMatchFiniteDifferences(net) { $0.loss(x, target: target, weight: weight, robust: $1) }
    }

    /// The step is the trapezoid from the predicted Δu plus δp, with nothing to hold a ball in
    /// the box; perception's g is the network's Δu for a lone ball at rest mid-box.
    func testStepIsTheTrapezoidAndGravityTheRestingChange() {
        var rng = RNG(seed: 5)
        var net = GraphNetwork(GenericStateConfig3D.tiny.model, rng: &rng)
        let s = states[1], out = net(GraphBatch([s], net.config)).values
        let next = net.step([s])[0]
        func v(_ o: Int) -> Vec3 { Vec3(Double(out[o]), Double(out[o + 1]), Double(out[o + 2])) }
        for (i, b) in s.balls.enumerated() {
            let u1 = b.velocity + v(i * 6)
            XCTAssertEqual(next.balls[i].velocity, u1)
            XCTAssertEqual(next.balls[i].position, b.position + (b.velocity + u1) * 0.5 + v(i * 6 + 3))
            XCTAssertEqual(next.balls[i].color, b.color)
        }
        let last = net.object.layers.count - 1
        net.object.layers[last].weight = Tensor.zeros(net.object.layers[last].weight.shape)
        net.object.layers[last].bias = Tensor(shape: [6], values: [0.01, 0.1, -0.02, 0.5, 0.5, 0.5])
        let model = StateModel3D(network: net, scenario: .depth)
        XCTAssertEqual(model.gravity.y, Double(Float(0.1)), accuracy: 1e-12)
        XCTAssertEqual(model.gravity.z, Double(Float(-0.02)), accuracy: 1e-12)
        // A ball driven out of the box towards the camera stays finite and is not drawn.
        let away = model.rollout(from: states[0], frames: 60)
        XCTAssert(away.allSatisfy { s in s.balls.allSatisfy { b in (0..<3).allSatisfy { b.position[$0].isFinite } } })
        XCTAssertEqual(model.render(away).count, 60 * 3 * 32 * 32)
    }

    // MARK: - Learning

    /// One-ball transitions in a box without gravity, read from the simulator's states: a
    /// start drawn by `start`, simulated 4 frames.
    func transitions(_ count: Int, seed: UInt64, start: (inout RNG) -> Ball3D) -> [Transition3D] {
        var rng = RNG(seed: seed)
        let world = Box3D(gravity: Vec3(0, 0, 0))
        return (0..<count).flatMap { _ in
            var sim = Simulator3D(box: world, balls: [start(&rng)])
            var frames = [sim.balls]
            for _ in 0..<4 {
                sim.step()
                frames.append(sim.balls)
            }
            return (0..<4).map { t in
                let state = WorldState3D(extent: box, ballRadius: world.ballRadius, balls: frames[t].map {
                    BallState3D(position: $0.position, velocity: $0.velocity, color: $0.color)
                })
                let next = frames[t + 1].map { BallState3D(position: $0.position, velocity: $0.velocity, color: $0.color) }
                return Transition3D(state: state, next: next, gravity: Vec3(0, 0, 0))
            }
        }
    }

    func train(_ data: (Int) -> [Transition3D], steps: Int, objectHidden: Int = 32, objectLayers: Int = 1) -> StateModel3D {
        var c = GenericStateConfig3D.tiny
        (c.model.objectHidden, c.model.objectLayers) = (objectHidden, objectLayers)
        (c.steps, c.positionNoise, c.velocityNoise) = (steps, 0, 0)
        var t = try! StateTrainer3D(config: c)
        for s in 0..<steps {
            _ = try! t.trainStep(on: data(s))
        }
        return t.model
    }

    func randomVelocity(_ rng: inout RNG, speed: ClosedRange<Double>) -> Vec3 {
        let d = Vec3(rng.normal(), rng.normal(), rng.normal())
        return d / max(d.length, 1e-9) * rng.uniform(speed.lowerBound, speed.upperBound)
    }

    /// Far from walls and without gravity, a ball keeps its velocity: 20 frames end within
    /// 0.3 box units (untrained, its Δu of a few hundredths per frame puts it units off).
    func testLearnsConstantVelocity() {
        func start(_ rng: inout RNG, from low: Double, to high: Double, speed: ClosedRange<Double>) -> Ball3D {
            Ball3D(id: 0, position: Vec3(rng.uniform(low, high), rng.uniform(low, high), rng.uniform(low, high)),
                   velocity: randomVelocity(&rng, speed: speed), color: 0)
        }
        let model = train({ self.transitions(16, seed: UInt64($0)) { start(&$0, from: 7, to: 17, speed: 0.1...0.4) } },
                          steps: 3000)
        var rng = RNG(seed: 999)
        for _ in 0..<10 {
            let b = start(&rng, from: 10, to: 14, speed: 0.1...0.15)
            let s = WorldState3D(extent: box, ballRadius: 3, balls: [BallState3D(position: b.position, velocity: b.velocity, color: 0)])
            let end = model.rollout(from: s, frames: 20).last!.balls[0]
            XCTAssertLessThan((end.position - (b.position + b.velocity * 20)).length, 0.3)
        }
    }

    /// A ball flying at the right wall comes back: 7 frames on, most roll-outs end within
    /// 0.5 box units of the simulator; untrained, every ball flies through the wall.
    func testLearnsWallBounce() {
        // Training: near the wall, towards it or away; testing: up to 5 frames before it.
        func start(_ rng: inout RNG, towards: Bool) -> Ball3D {
            let vx = rng.uniform(0.5, 1.5), sign: Double = towards || rng.uniform() < 0.5 ? 1 : -1
            return Ball3D(id: 0, position: Vec3(21 - rng.uniform(0, 5 * vx), rng.uniform(8, 16), rng.uniform(8, 16)),
                          velocity: Vec3(sign * vx, rng.uniform(-0.3, 0.3), rng.uniform(-0.3, 0.3)), color: 0)
        }
        let model = train({ self.transitions(32, seed: UInt64($0)) { start(&$0, towards: false) } }, steps: 6000,
                          objectHidden: 128, objectLayers: 2)
        var rng = RNG(seed: 999)
        let world = Box3D(gravity: Vec3(0, 0, 0))
        var errors: [Double] = []
        for _ in 0..<10 {
            var sim = Simulator3D(box: world, balls: [start(&rng, towards: true)])
            for _ in 0..<2 { sim.step() }
            let b = sim.balls[0]
            let from = WorldState3D(extent: box, ballRadius: 3, balls: [BallState3D(position: b.position, velocity: b.velocity, color: 0)])
            for _ in 0..<7 { sim.step() }
            errors.append((model.rollout(from: from, frames: 7).last!.balls[0].position - sim.balls[0].position).length)
        }
        print("wall bounce, 7 frames: errors \(errors.sorted().map { String(format: "%.3f", $0) })")
        XCTAssertGreaterThanOrEqual(errors.filter { $0 < 0.5 }.count, 7)
    }

    // MARK: - Checkpoints

    func folder(_ name: String) -> String {
        let dir = NSTemporaryDirectory() + "generic-state3d-\(name)-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        return dir
    }

    var config: GenericStateConfig3D {
        var c = GenericStateConfig3D.tiny
        (c.steps, c.clipsPerStep, c.clipFrames) = (4, 1, 16)
        return c
    }

    /// In 3D too the pair frame reads a pair turned about any axis the same, its n and t
    /// turn with it, and the loss's gradient through it matches central differences.
    func testPairFrameInTheBox() {
        var config = GenericStateConfig3D.tiny.model
        config.pairFrame = true
        // A turn about the unit axis (1, 2, 2)/3 by 0.9 rad (Rodrigues).
        let k = Vec3(1, 2, 2) / 3, angle = 0.9
        func turn(_ v: Vec3) -> Vec3 {
            let cross = Vec3(k.y * v.z - k.z * v.y, k.z * v.x - k.x * v.z, k.x * v.y - k.y * v.x)
            return v * Libm.cos(angle) + cross * Libm.sin(angle) + k * ((k * v).sum() * (1 - Libm.cos(angle)))
        }
        let mid = Vec3(12, 12, 12)
        func pair(_ f: (Vec3) -> Vec3) -> WorldState3D {
            WorldState3D(extent: box, ballRadius: 3, balls: [
                BallState3D(position: mid + f(Vec3(-3, 0.4, 0.2)), velocity: f(Vec3(0.7, 0.1, -0.2)), color: 0),
                BallState3D(position: mid + f(Vec3(3, -0.3, 0.1)), velocity: f(Vec3(-0.5, 0.2, 0.3)), color: 1),
            ])
        }
        let a = GraphBatch([pair { $0 }], config), b = GraphBatch([pair(turn)], config)
        for i in a.relations.values.indices { XCTAssertEqual(a.relations.values[i], b.relations.values[i], accuracy: 1e-5) }
        for v in [\GraphBatch.normal, \GraphBatch.tangent] {
            let x = a[keyPath: v]!.values, y = b[keyPath: v]!.values
            for r in 0..<(x.count / 3) {
                let turned = turn(Vec3(Double(x[3 * r]), Double(x[3 * r + 1]), Double(x[3 * r + 2])))
                for j in 0..<3 { XCTAssertEqual(Double(y[3 * r + j]), turned[j], accuracy: 1e-5) }
            }
        }
        var rng = RNG(seed: 4)
        let net = GraphNetwork.forGradientCheck(config, rng: &rng)
        let x = GraphBatch(states, net.config)
        let target = Tensor.randn([6, 6], std: 1, rng: &rng)
        let weight = Tensor(shape: [6], values: [1, 0, 0, 1, 1, 1])
        assertGradientsMatchFiniteDifferences(net) { $0.loss(x, target: target, weight: weight, robust: $1) }
    }

    /// A config.json without the position step, the pair frame and relationReadsBalls reads
    /// back with the trapezoid, the world's axes and the pair's inputs alone; one without a
    /// key of the MLPs is refused.
    func testConfigWithoutTheLaterKeysReadsWithTheirDefaults() throws {
        var c = config
        (c.model.positionStep, c.model.pairFrame, c.model.relationReadsBalls) = (.velocity, true, true)
        var json = try XCTUnwrap(JSONSerialization.jsonObject(with: JSONEncoder().encode(c)) as? [String: Any])
        XCTAssertEqual(try JSONDecoder().decode(GenericStateConfig3D.self, from: JSONSerialization.data(withJSONObject: json)).model,
                       c.model)
        var model = try XCTUnwrap(json["model"] as? [String: Any])
        model["positionStep"] = nil
        model["pairFrame"] = nil
        model["relationReadsBalls"] = nil
        json["model"] = model
        let old = try JSONDecoder().decode(GenericStateConfig3D.self, from: JSONSerialization.data(withJSONObject: json))
        XCTAssertEqual(old.model, config.model)
        model["effectWidth"] = nil
        json["model"] = model
        XCTAssertThrowsError(try JSONDecoder().decode(GenericStateConfig3D.self, from: JSONSerialization.data(withJSONObject: json)))
    }

    /// A generic 3D run saves a folder tagged `vidgen-generic-state-3d` that loads back as the
    /// same model (weights, perception's g and roll-out) with its config; the same config
    /// trains the same weights.
    func testCheckpointRoundTrip() throws {
        let dir = folder("round-trip")
        var trainer = try StateTrainer3D(config: config)
        try trainer.train()
        try trainer.save(folder: dir)
        let checkpoint = CheckpointFolder(dir)
        XCTAssertEqual(checkpoint.metadata(CheckpointFolder.modelFile)?["format"], "vidgen-generic-state-3d")
        XCTAssertEqual(checkpoint.kind, .state3D(.generic))
        let model = try StateModel3D.load(dir, scenario: .depth)
        guard case .generic(let loaded) = model.law else { return XCTFail("a generic folder loads as \(model.law.kind)") }
        XCTAssert(loaded.parameters.map(\.values) == trainer.network.parameters.map(\.values))
        XCTAssertEqual(loaded.config, config.model)
        XCTAssertEqual(model.gravity, trainer.model.gravity)
        let start = WorldState3D(episode: try DepthScenario.depth.episode(seed: 3, frames: 1), frame: 0)
        XCTAssert(model.rollout(from: start, frames: 6) == trainer.model.rollout(from: start, frames: 6))
        let saved = try JSONDecoder().decode(GenericStateConfig3D.self,
                                             from: Data(contentsOf: URL(fileURLWithPath: checkpoint.file(CheckpointFolder.configFile))))
        XCTAssertEqual(saved, config)
        var again = try StateTrainer3D(config: config)
        try again.train()
        XCTAssert(again.network.parameters.map(\.values) == trainer.network.parameters.map(\.values))
    }

    /// A folder of another kind is refused with one line naming what it holds; a structured 3D
    /// folder still loads as structured; a generic 3D folder is no flat state model.
    func testOtherKindsOfFolderAreRefused() throws {
        let flat = folder("flat"), structured = folder("structured"), generic = folder("generic")
        var f = try DynamicsTrainer(config: {
            var c = GenericStateConfig.tiny
            (c.steps, c.clipsPerStep, c.clipFrames) = (1, 1, 8)
            return c
        }(), folder: flat)
        try f.train()
        XCTAssertThrowsError(try StateModel3D.load(flat, scenario: .depth)) { e in
            XCTAssertEqual("\(e)", "\(flat)/model.safetensors: format 'vidgen-generic-state', a generic state model's, is not a 3D "
                           + "state model's (vidgen-dynamics-3d, vidgen-generic-state-3d)")
        }
        var s = try StateTrainer3D(config: {
            var c = StateConfig3D.tiny
            (c.steps, c.clipsPerStep) = (1, 1)
            return c
        }())
        try s.train()
        try s.save(folder: structured)
        XCTAssertEqual(try StateModel3D.load(structured, scenario: .depth).law.kind, .structured)
        var g = try StateTrainer3D(config: config)
        try g.train(steps: 1)
        try g.save(folder: generic)
        XCTAssertThrowsError(try StateModel.load(generic)) { e in
            XCTAssertTrue("\(e)".contains("format 'vidgen-generic-state-3d' is not a state model's"), "\(e)")
        }
        // The structured folder's config under the generic tag: the config says what it is not.
        try FileManager.default.removeItem(atPath: generic + "/config.json")
        try FileManager.default.copyItem(atPath: structured + "/config.json", toPath: generic + "/config.json")
        XCTAssertThrowsError(try StateModel3D.load(generic, scenario: .depth)) { e in
            XCTAssertEqual("\(e)", "\(generic)/config.json: not a generic 3D state model's config")
        }
        XCTAssertThrowsError(try StateModel3D.load(folder("none"), scenario: .depth)) { e in
            XCTAssertTrue("\(e)".hasSuffix("model.safetensors: missing"), "\(e)")
        }
    }
}

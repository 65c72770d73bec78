import Checkpoints
import Foundation
import XCTest
import Tensor
import World
@testable import Dynamics

/// The generic state model: its graph network's gradients, what it learns on a tiny budget,
/// its step, and its checkpoint folder.
final class GraphNetworkTests: XCTestCase {
    /// States by hand, padded: a lone ball near the floor, two balls close together beside a
    /// third, a lone ball in mid-air.
    var states: [WorldState] {
        [
            WorldState(width: 32, height: 32, balls: [
                BallState(position: Vec2(12, 28.5), velocity: Vec2(0.4, 1.1), radius: 3, color: 0),
            ]),
            WorldState(width: 32, height: 32, balls: [
                BallState(position: Vec2(10, 10), velocity: Vec2(0.8, 0.3), radius: 3, color: 1),
                BallState(position: Vec2(15.6, 12), velocity: Vec2(-0.5, 0.1), radius: 2.95, color: 2),
                BallState(position: Vec2(25, 25), velocity: Vec2(0.2, -0.6), radius: 3.5, color: 5),
            ]),
            WorldState(width: 32, height: 32, balls: [
                BallState(position: Vec2(16, 16), velocity: Vec2(1, -1), radius: 2.5, color: 3),
            ]),
        ]
    }

    /// The loss's gradient with respect to every parameter against central differences,
    /// for the squared error and the pseudo-Huber one.
    func testGradientOfLossMatchesFiniteDifferences() throws {
        var rng = RNG(seed: 7)
        let net = GraphNetwork.forGradientCheck(GenericStateConfig.tiny.model, rng: &rng)
        let x = GraphBatch(states, net.config)
        XCTAssertEqual(x.balls, 3)
        XCTAssert(x.pairMask.values == [0, 0, 0, 0, 0, 0, 0, 0, 0,  0, 1, 1, 1, 0, 1, 1, 1, 0,  0, 0, 0, 0, 0, 0, 0, 0, 0])
        let target = Tensor.randn([9, 4], std: 1, rng: &rng)
        let mask = Tensor(shape: [9], values: [1, 0, 0, 1, 1, 1, 1, 0, 0])
        assertGradientsMatchFiniteDifferences(net) { $0.loss(x, target: target, weight: mask, robust: $1) }
    }

    /// The same through the pair frame: invariant relation inputs, effects turned back into
    /// the world's axes along n and t.
    func testPairFrameGradientsMatchFiniteDifferences() throws {
        var rng = RNG(seed: 9)
        var config = GenericStateConfig.tiny.model
        config.pairFrame = true
        let net = GraphNetwork.forGradientCheck(config, rng: &rng)
        let x = GraphBatch(states, net.config)
        XCTAssertEqual(x.relations.shape, [27, 5])
        XCTAssertEqual(x.normal?.shape, [27, 2])
        let target = Tensor.randn([9, 4], std: 1, rng: &rng)
        let mask = Tensor(shape: [9], values: [1, 0, 0, 1, 1, 1, 1, 0, 0])
        assertGradientsMatchFiniteDifferences(net) { $0.loss(x, target: target, weight: mask, robust: $1) }
        config.effectWidth = 5
        XCTAssertEqual(config.validationError(), "effectWidth must be even with pairFrame (half along the pair, half across), got 5")
    }

    /// With `relationReadsBalls` every pair's row holds, after the pair's own inputs, both
    /// balls' object inputs — the receiver's, then the sender's, positions and walls in units
    /// of `ballDistanceScale` — and the loss's gradient
    /// through them matches central differences, in the world's axes and in the pair frame.
    func testRelationReadsBothBalls() throws {
        for pairFrame in [false, true] {
            var config = GenericStateConfig.tiny.model
            (config.relationReadsBalls, config.pairFrame) = (true, pairFrame)
            let x = GraphBatch(states, config), own = pairFrame ? 5 : 7, O = 7
            XCTAssertEqual(x.relations.shape, [27, own + 2 * O])
            let rel = x.relations.values, obj = x.objects.values
            let coarse = Float(config.distanceScale / config.ballDistanceScale)  // positions and walls: columns 3...6
            for (i, j) in [(0, 1), (2, 1), (1, 2)] {
                let row = ((1 * 3 + i) * 3 + j) * (own + 2 * O)
                for (slot, ball) in [i, j].enumerated() {
                    for k in 0..<O {
                        XCTAssertEqual(rel[row + own + slot * O + k], obj[(3 + ball) * O + k] * (k > 2 ? coarse : 1))
                    }
                }
            }
            XCTAssert(rel[0..<(9 * (own + 2 * O))].allSatisfy { $0 == 0 }, "a lone ball has no pair to read")
            var rng = RNG(seed: 11)
            let net = GraphNetwork.forGradientCheck(config, rng: &rng)
            let target = Tensor.randn([9, 4], std: 1, rng: &rng)
            let mask = Tensor(shape: [9], values: [1, 0, 0, 1, 1, 1, 1, 0, 0])
            let scaled = GraphBatch(states, net.config)
            assertGradientsMatchFiniteDifferences(net) { $0.loss(scaled, target: target, weight: mask, robust: $1) }
        }
    }

    /// The inputs a substep builds from tensors are the batch's own, laid out alike.
    func testTensorInputsAreTheBatchs() {
        let config = GenericStateConfig.tiny.model, x = GraphBatch(states, config)
        let (relations, objects) = x.inputs(x.positions, x.velocities, config)
        XCTAssertEqual(relations.shape, x.relations.shape)
        for k in relations.values.indices { XCTAssertEqual(relations.values[k], x.relations.values[k], accuracy: 1e-5) }
        XCTAssertEqual(objects.values, x.objects.values)
    }

    /// With substeps the frame is K steps of a K-th of a frame each: `frame` (tensors, what
    /// training reads) and `step` (states, what a roll-out takes) agree, with one substep and
    /// with three, and the loss's gradient through all K matches central differences.
    /// Substeps read pairs in the world's axes alone.
    func testSubstepsStepTheFrameInParts() throws {
        var rng = RNG(seed: 13)
        for K in [1, 3] {
            var config = GenericStateConfig.tiny.model
            config.substeps = K
            let net = GraphNetwork(config, rng: &rng), x = GraphBatch(states, config)
            let (p, u) = net.frame(x), stepped = net.step(states)
            // What perception takes for gravity is the whole frame's change, all K substeps.
            let lone = BallState(position: Vec2(16, 16), velocity: Vec2(0, 0), radius: 3.25, color: 0)
            XCTAssertEqual(net.restingChange, net.step([WorldState(width: 32, height: 32, balls: [lone])])[0].balls[0].velocity)
            if K > 1 {
                XCTAssertNotEqual(net.restingChange, net.velocityChanges(WorldState(width: 32, height: 32, balls: [lone]))[0],
                                  "one substep's change is not the frame's")
            }
            for (b, s) in stepped.enumerated() {
                for (i, ball) in s.balls.enumerated() {
                    for k in 0..<2 {
                        XCTAssertEqual(Double(p.values[(b * 3 + i) * 2 + k]), ball.position[k], accuracy: 1e-4)
                        XCTAssertEqual(Double(u.values[(b * 3 + i) * 2 + k]), ball.velocity[k], accuracy: 1e-4)
                    }
                }
            }
        }
        var config = GenericStateConfig.tiny.model
        config.substeps = 2
        let net = GraphNetwork.forGradientCheck(config, rng: &rng)
        var x = GraphBatch(states, net.config)
        x.next = Tensor.randn([9, 4], std: 1, rng: &rng) + Tensor.concatenate([x.velocities, x.positions], axis: 1)
        let mask = Tensor(shape: [9], values: [1, 0, 0, 1, 1, 1, 1, 0, 0])
        assertGradientsMatchFiniteDifferences(net) { $0.frameLoss(x, weight: mask, robust: $1) }
        config.pairFrame = true
        XCTAssertEqual(config.validationError(),
                       "substeps above 1 read pairs in the world's axes alone: pairFrame and relationReadsBalls must be off")
        config.substeps = 0
        XCTAssertEqual(config.validationError(), "substeps must be in 1...16, got 0")
    }

    /// In the pair frame a pair turned about its midpoint reads the same, and the frame's
    /// vectors turn with it; the pair's messages, summed into the effects, turn with it too.
    func testPairFrameReadsThePairTurned() {
        var config = GenericStateConfig.tiny.model
        config.pairFrame = true
        func pair(_ angle: Double) -> WorldState {
            let (c, s) = (Libm.cos(angle), Libm.sin(angle))
            func turn(_ v: Vec2) -> Vec2 { Vec2(c * v.x - s * v.y, s * v.x + c * v.y) }
            let mid = Vec2(16, 16)
            return WorldState(width: 32, height: 32, balls: [
                BallState(position: mid + turn(Vec2(-3.2, 0.5)), velocity: turn(Vec2(0.9, 0.2)), radius: 3, color: 0),
                BallState(position: mid + turn(Vec2(3.1, -0.4)), velocity: turn(Vec2(-0.6, 0.3)), radius: 2.6, color: 1),
            ])
        }
        let angle = 0.7, a = GraphBatch([pair(0)], config), b = GraphBatch([pair(angle)], config)
        for k in a.relations.values.indices { XCTAssertEqual(a.relations.values[k], b.relations.values[k], accuracy: 1e-5) }
        let (c, s) = (Float(Libm.cos(angle)), Float(Libm.sin(angle)))
        for v in [\GraphBatch.normal, \GraphBatch.tangent] {
            let x = a[keyPath: v]!.values, y = b[keyPath: v]!.values
            for r in 0..<(x.count / 2) {
                XCTAssertEqual(y[2 * r], c * x[2 * r] - s * x[2 * r + 1], accuracy: 1e-5)
                XCTAssertEqual(y[2 * r + 1], s * x[2 * r] + c * x[2 * r + 1], accuracy: 1e-5)
            }
        }
        XCTAssertEqual(Array(a.tangent!.values[0..<2]), [0, 0], "a ball with itself: no frame")
    }

    /// A ball's (Δu, δp) depends on the others only through the relations: padding and a state's
    /// neighbours in the batch change nothing (beyond the rounding of a larger matrix product).
    func testBatchingDoesNotChangeAPrediction() {
        var rng = RNG(seed: 3)
        let net = GraphNetwork(GenericStateConfig.tiny.model, rng: &rng)
        let alone = net(GraphBatch([states[0]], net.config)).values
        let padded = net(GraphBatch([states[0], states[1]], net.config)).values
        for k in alone.indices { XCTAssertEqual(padded[k], alone[k], accuracy: 1e-6) }
    }

    // MARK: - Stepping

    /// The step integrates position by the trapezoid from the predicted Δu plus the predicted
    /// correction δp, and nothing holds a ball inside the walls; a runaway prediction is cut
    /// to StateModel.maxSpeed (a non-finite one to rest), so every number stays finite.
    func testStepIsTheTrapezoidWithOnlyASpeedGuard() {
        var rng = RNG(seed: 5)
        var net = GraphNetwork(GenericStateConfig.tiny.model, rng: &rng)
        let s = states[1], scale = net.config.deltaScale
        let out = net(GraphBatch([s], net.config)).values
        let next = net.step([s])[0]
        for (i, b) in s.balls.enumerated() {
            let u1 = b.velocity + Vec2(Double(out[i * 4]), Double(out[i * 4 + 1])) * scale
            let dp = Vec2(Double(out[i * 4 + 2]), Double(out[i * 4 + 3])) * scale
            XCTAssertEqual(next.balls[i].velocity, u1)
            XCTAssertEqual(next.balls[i].position, b.position + (b.velocity + u1) * 0.5 + dp)
            XCTAssertEqual(next.balls[i].color, b.color)
        }
        // A ball outside the frame is stepped like any other.
        let away = WorldState(width: 32, height: 32, balls: [BallState(position: Vec2(-20, 16), velocity: Vec2(-1, 0),
                                                                        radius: 3, color: 2)])
        XCTAssertLessThan(net.step([away])[0].balls[0].position.x, -20.5)
        // Outputs far beyond any speed, then not finite.
        let last = net.object.layers.count - 1
        for bias: Float in [1e6, .nan] {
            net.object.layers[last].bias = Tensor(shape: [4], values: [bias, -bias, bias, bias])
            let model = StateModel(network: net)
            for state in model.rollout(from: s, frames: 5) {
                for b in state.balls {
                    XCTAssertLessThanOrEqual(b.velocity.length, StateModel.maxSpeed * (1 + 1e-12))
                    XCTAssert(b.position.x.isFinite && b.position.y.isFinite)
                }
            }
        }
    }

    /// With positionStep `velocity` the new position is the old one moved by the old velocity
    /// plus δp, and δp's target is what that misses: g/2 in free flight, and across a bounce
    /// the same value on both sides of the instant the frame starts to hold it.
    func testVelocityPositionStepAndItsTargets() {
        var rng = RNG(seed: 5)
        var config = GenericStateConfig.tiny.model
        config.positionStep = .velocity
        let net = GraphNetwork(config, rng: &rng), s = states[1], scale = config.deltaScale
        let out = net(GraphBatch([s], config)).values, next = net.step([s])[0]
        for (i, b) in s.balls.enumerated() {
            let dp = Vec2(Double(out[i * 4 + 2]), Double(out[i * 4 + 3])) * scale
            XCTAssertEqual(next.balls[i].position, b.position + b.velocity + dp)
        }
        // A ball falling onto the floor, released from a little higher each time: the last
        // frames of the sweep hold the bounce. δp's target is continuous across it; the
        // trapezoid's jumps by about the ball's speed.
        let scene = Scene(), g = scene.gravity
        func target(_ y: Double, _ step: PositionStep) -> Double {
            var c = config
            c.positionStep = step
            let ball = Ball(id: 0, position: Vec2(16, y), velocity: Vec2(0, 1.5), radius: 3, color: 0)
            let frames = Simulator.run(scene: scene, balls: [ball], frames: 3)
            let ep = Episode(scenario: "test", seed: 0, scene: scene, frames: frames)
            let tr = TrainingData.transitions(ep, source: .simulator, perception: Perception())[0]
            var noise = RNG(seed: 1)
            let e = TrainingData.graphExamples([(tr.state, tr.next.map { $0.map { ($0.position, $0.velocity) } })], c,
                                               positionNoise: 0, velocityNoise: 0, rng: &noise)
            return Double(e.target.values[3]) * c.deltaScale
        }
        XCTAssertEqual(target(10, .velocity), g.y / 2, accuracy: 1e-9, "free flight")
        let contact = 32 - 3 - 1.5 - g.y / 2  // the ball reaches the floor exactly at the frame's end
        let (before, after) = (contact - 1e-4, contact + 1e-4)
        XCTAssertEqual(target(before, .velocity), target(after, .velocity), accuracy: 1e-3)
        XCTAssertGreaterThan(abs(target(before, .trapezoid) - target(after, .trapezoid)), 1)
    }

    /// A ball's rows near a bounce — the frame that holds it and the one before — are marked,
    /// and weigh `eventWeight` in the generic law's loss; the rest weigh 1.
    func testRowsNearAnEventWeighMore() {
        let scene = Scene()
        let ball = Ball(id: 0, position: Vec2(16, 22), velocity: Vec2(0, 1.2), radius: 3, color: 0)
        let ep = Episode(scenario: "test", seed: 0, scene: scene, frames: Simulator.run(scene: scene, balls: [ball], frames: 12))
        let trs = TrainingData.transitions(ep, source: .simulator, perception: Perception())
        let bounce = try! XCTUnwrap(trs.firstIndex { ($0.next[0]!.velocity - $0.state.balls[0].velocity).y < 0 })
        XCTAssertGreaterThan(bounce, 1)
        XCTAssertEqual(trs.map { $0.nearEvent[0] }, trs.indices.map { $0 == bounce || $0 == bounce - 1 })
        XCTAssertEqual(TrainingData.nearEvents([Vec2(0, 1), nil, Vec2(0, 1.2)], gravity: Vec2(0, 0.1)), [true, true, false],
                       "an unknown velocity is taken for an event")
        var c = GenericStateConfig.tiny
        c.eventWeight = 4
        var rng = RNG(seed: 2)
        let weights = TrainingData.graphTensors(trs, c, rng: &rng).weight.values
        XCTAssertEqual(weights, trs.indices.map { $0 == bounce || $0 == bounce - 1 ? 4 : 1 })
        c.eventWeight = 0.5
        XCTAssertEqual(c.validationError(), "eventWeight must be in 1...1000, got 0.5")
    }

    /// Perception's gravity is the network's Δu for a lone ball at rest in mid-frame.
    func testRestingChangeIsTheGravityPerceptionUses() {
        var rng = RNG(seed: 8)
        var net = GraphNetwork(GenericStateConfig.tiny.model, rng: &rng)
        let last = net.object.layers.count - 1
        net.object.layers[last].weight = Tensor.zeros(net.object.layers[last].weight.shape)
        net.object.layers[last].bias = Tensor(shape: [4], values: [0.01, 0.1, 0.5, 0.5])
        let g = StateModel(network: net).law.gravity
        XCTAssertEqual(g.x, Double(Float(0.01)) * net.config.deltaScale, accuracy: 1e-12)
        XCTAssertEqual(g.y, Double(Float(0.1)) * net.config.deltaScale, accuracy: 1e-12)
    }

    // MARK: - Learning

    /// One-ball transitions without gravity: a start drawn by `start`, simulated 4 frames.
    func transitions(_ count: Int, seed: UInt64, start: (inout RNG) -> Ball) -> [Transition] {
        var rng = RNG(seed: seed)
        let scene = Scene(gravity: Vec2(0, 0))
        return (0..<count).flatMap { _ in
            let ep = Episode(scenario: "test", seed: 0, scene: scene,
                             frames: Simulator.run(scene: scene, balls: [start(&rng)], frames: 4))
            return TrainingData.transitions(ep, source: .simulator, perception: Perception())
        }
    }

    func train(_ data: (Int) -> [Transition], steps: Int, objectHidden: Int = 32, objectLayers: Int = 1) -> StateModel {
        var c = GenericStateConfig.tiny
        (c.model.objectHidden, c.model.objectLayers) = (objectHidden, objectLayers)
        c.steps = steps
        c.positionNoise = 0
        c.velocityNoise = 0
        var t = try! DynamicsTrainer(config: c, folder: "/nonexistent")
        for s in 0..<steps {
            _ = try! t.trainStep(on: data(s))
        }
        return t.model
    }

    func randomVelocity(_ rng: inout RNG, speed: ClosedRange<Double>) -> Vec2 {
        let a = rng.uniform(0, 2 * Double.pi)
        return Vec2(Libm.cos(a), Libm.sin(a)) * rng.uniform(speed.lowerBound, speed.upperBound)
    }

    /// Far from walls and without gravity, a ball keeps its velocity: 20 frames end within
    /// 0.3 px (untrained, its Δu of a few hundredths of a pixel per frame puts it pixels off).
    /// The network reads positions, so the roll-outs stay where training went.
    func testLearnsConstantVelocity() {
        func start(_ rng: inout RNG, from low: Double, to high: Double, speed: ClosedRange<Double>) -> Ball {
            Ball(id: 0, position: Vec2(rng.uniform(low, high), rng.uniform(low, high)),
                 velocity: randomVelocity(&rng, speed: speed), radius: rng.uniform(2.5, 4), color: 0)
        }
        let model = train({ self.transitions(32, seed: UInt64($0)) { start(&$0, from: 8, to: 24, speed: 0.1...0.5) } },
                          steps: 3000)
        var rng = RNG(seed: 999)
        for _ in 0..<10 {
            let b = start(&rng, from: 12, to: 20, speed: 0.1...0.2)
            let s = WorldState(width: 32, height: 32, balls: [BallState(position: b.position, velocity: b.velocity,
                                                                         radius: b.radius, color: 0)])
            let end = model.rollout(from: s, frames: 20).last!.balls[0]
            XCTAssertLessThan((end.position - (b.position + b.velocity * 20)).length, 0.3)
        }
    }

    /// A ball flying at the right wall comes back: 7 frames on, most roll-outs end within
    /// 0.5 px of the simulator (the median within 0.15 px); untrained, every ball flies
    /// through the wall. A step of a whole frame must cut sharply where a bounce starts, and
    /// a bounce that falls near a frame's end can still be smeared over two frames, so not all.
    func testLearnsWallBounce() {
        // Training: near the wall, towards it or away; testing: up to 5 frames before it.
        func start(_ rng: inout RNG, towards: Bool) -> Ball {
            let r = rng.uniform(2.5, 4), vx = rng.uniform(0.5, 1.5)
            let sign: Double = towards || rng.uniform() < 0.5 ? 1 : -1
            return Ball(id: 0, position: Vec2(32 - r - rng.uniform(0, 5 * vx), rng.uniform(10, 22)),
                        velocity: Vec2(sign * vx, rng.uniform(-0.3, 0.3)), radius: r, color: 0)
        }
        let model = train({ self.transitions(64, seed: UInt64($0)) { start(&$0, towards: false) } }, steps: 6000,
                          objectHidden: 128, objectLayers: 2)
        var rng = RNG(seed: 999)
        let scene = Scene(gravity: Vec2(0, 0))
        var errors: [Double] = []
        for _ in 0..<10 {
            let b = start(&rng, towards: true)
            let truth = Simulator.run(scene: scene, balls: [b], frames: 10)
            let ep = Episode(scenario: "test", seed: 0, scene: scene, frames: truth)
            let end = model.rollout(from: WorldState(episode: ep, frame: 2), frames: 7).last!.balls[0]
            errors.append((end.position - truth[9].balls[0].position).length)
        }
        XCTAssertGreaterThanOrEqual(errors.filter { $0 < 0.5 }.count, 7)
        XCTAssertLessThan(errors.sorted()[errors.count / 2], 0.15)
    }

    // MARK: - Checkpoints

    func folder(_ name: String) -> String {
        let dir = NSTemporaryDirectory() + "generic-state-\(name)-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        return dir
    }

    var config: GenericStateConfig {
        var c = GenericStateConfig.tiny
        c.steps = 8
        c.checkpointEvery = 4
        c.clipsPerStep = 1
        c.clipFrames = 8
        return c
    }

    /// A generic run saves a folder that loads back as the same generic model (weights and
    /// roll-out), with its config; stopping and resuming gives the same bytes.
    func testCheckpointRoundTrip() throws {
        let a = folder("a"), b = folder("b")
        var whole = try DynamicsTrainer(config: config, folder: a)
        try whole.train()
        var first = try DynamicsTrainer(config: config, folder: b)
        try first.train(steps: 4)
        var second = try DynamicsTrainer<GenericStateConfig>.resume(folder: b)
        XCTAssertEqual(second.step, 4)
        try second.train()
        for file in [CheckpointFolder.modelFile, CheckpointFolder.stateFile, CheckpointFolder.configFile] {
            let x = FileManager.default.contents(atPath: a + "/" + file), y = FileManager.default.contents(atPath: b + "/" + file)
            XCTAssertNotNil(x)
            XCTAssert(x == y, file)
        }
        let model = try StateModel.load(a)
        XCTAssertEqual(model.kind, .generic)
        XCTAssert(model.law.parameters.map(\.values) == whole.network.parameters.map(\.values))
        XCTAssertEqual(try CheckpointFolder(a).stateConfig(GenericStateConfig.self), config)
        let start = WorldState(episode: try Scenario.id.episode(seed: 3, frames: 1), frame: 0)
        XCTAssert(model.rollout(from: start, frames: 6) == whole.model.rollout(from: start, frames: 6))
    }

    /// The format tag of model.safetensors says which kind a folder holds, whatever its
    /// config.json: a generic folder retagged as structured is read as structured (and its
    /// config then refused), an unknown tag is an error naming it.
    func testFormatTagSelectsTheKind() throws {
        let generic = folder("tag-generic"), structured = folder("tag-structured")
        var g = try DynamicsTrainer(config: config, folder: generic)
        try g.train(steps: 1)
        try g.save()
        var s = try DynamicsTrainer(config: {
            var c = DynamicsConfig.tiny
            (c.steps, c.clipsPerStep, c.clipFrames) = (1, 1, 8)
            return c
        }(), folder: structured)
        try s.train()
        for (dir, kind) in [(generic, StateModelKind.generic), (structured, .structured)] {
            let checkpoint = CheckpointFolder(dir)
            XCTAssertEqual(try checkpoint.stateModelKind(), kind)
            XCTAssertEqual(checkpoint.metadata(CheckpointFolder.modelFile)?["format"], kind.format)
            XCTAssertEqual(checkpoint.metadata(CheckpointFolder.stateFile)?["format"], kind.format)
            XCTAssertTrue(checkpoint.isStateModel)
            XCTAssertEqual(try StateModel.load(dir).kind, kind)
        }
        XCTAssertNotEqual(StateModelKind.generic.format, StateModelKind.structured.format)

        func retag(_ format: String) throws {
            let p = generic + "/" + CheckpointFolder.modelFile
            let file = try SafeTensors.read(from: p)
            try SafeTensors.write(file.entries, metadata: file.metadata.merging(["format": format]) { _, b in b }, to: p)
        }
        try retag(StateModelKind.structured.format)
        XCTAssertEqual(try CheckpointFolder(generic).stateModelKind(), .structured)
        XCTAssertThrowsError(try StateModel.load(generic)) { e in
            XCTAssertTrue("\(e)".contains("unknown preset 'generic-tiny'"), "\(e)")
        }
        try retag("vidgen")
        XCTAssertFalse(CheckpointFolder(generic).isStateModel)
        XCTAssertThrowsError(try StateModel.load(generic)) { e in
            XCTAssertTrue("\(e)".contains("format 'vidgen' is not a state model's"), "\(e)")
            XCTAssertFalse("\(e)".contains("\n"))
        }
    }

    // MARK: - Configs

    /// Presets and files name their kind; the generic config decodes strictly, as every config does.
    func testConfigsNameTheirKind() throws {
        XCTAssertEqual(try StateModelKind.of(config: "generic"), .generic)
        XCTAssertEqual(try StateModelKind.of(config: "generic-tiny"), .generic)
        XCTAssertEqual(try StateModelKind.of(config: "tiny"), .structured)
        XCTAssertEqual(try StateModelKind.of(config: "default"), .structured)
        let dir = folder("configs")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (json, kind) in [(#"{"preset": "generic-tiny", "steps": 7}"#, StateModelKind.generic),
                             (#"{"steps": 7}"#, .structured)] {
            let path = dir + "/c.json"
            try Data(json.utf8).write(to: URL(fileURLWithPath: path))
            XCTAssertEqual(try StateModelKind.of(config: path), kind)
        }
        XCTAssertEqual(try GenericStateConfig.resolve(dir + "/c.json").steps, 7)
        XCTAssertEqual(try GenericStateConfig.decode(Data(#"{"preset": "generic-tiny", "steps": 7}"#.utf8), file: "c.json").steps, 7)
        XCTAssertEqual(try GenericStateConfig.decode(Data(GenericStateConfig.generic.encoded()), file: "c.json"), .generic)
        XCTAssertEqual(try GenericStateConfig.decode(Data("{}".utf8), file: "c.json"), .generic)
        let cases: [(String, String)] = [
            (#"{"model": {"contactRange": 4}}"#, "unknown key 'model.contactRange'"),
            (#"{"preset": "tiny"}"#, "unknown preset 'tiny' (use generic, generic-tiny)"),
            (#"{"model": {"distanceScale": 0}}"#, "model: distanceScale must be > 0"),
            (#"{"scenario": "key"}"#, "scenario 'key' hides balls"),
        ]
        for (json, expected) in cases {
            XCTAssertThrowsError(try GenericStateConfig.decode(Data(json.utf8), file: "c.json")) { e in
                XCTAssertTrue("\(e)".contains(expected), "\(json): \(e)")
            }
        }
        XCTAssertThrowsError(try StateModelKind.of(config: "huge")) { e in
            XCTAssertTrue("\(e)".contains("tiny, default, generic, generic-tiny"), "\(e)")
        }
    }
}

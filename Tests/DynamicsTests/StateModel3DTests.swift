import Foundation
import XCTest
import Tensor
import World
@testable import Dynamics

/// The structured state model in the 3D box: perception through the camera, the step with the
/// three constants, their gradients and the training run.
final class StateModel3DTests: XCTestCase {
    let scenario = DepthScenario.depth

    /// The model with its constants set by hand for `depth`'s gravity.
    var handSet: StateModel3D { StateModel3D(law: .handSet(gravity: scenario.box.gravity), scenario: scenario) }

    /// Whether the simulator resolves an event for ball `i` within `frames` frames from frame `t`.
    func hasEvent(_ ep: Episode3D, from t: Int, frames: Int, ball i: Int) -> Bool {
        var sim = Simulator3D(box: ep.box, balls: ep.frames[t].balls)
        for _ in 0..<frames {
            sim.step()
            if sim.events.contains(where: {
                switch $0 {
                case let .wall(b, _): return b == i
                case let .pair(a, b): return a == i || b == i
                }
            }) { return true }
        }
        return false
    }

    /// 60 `depth` clips, an 8-frame context: R is read from the frames (the camera and the
    /// law's g given) to 0.2%, and every ball the context shows at least half of once is
    /// found. A ball in plain view (at least half of its disc) and free flight over the last
    /// four frames is within 0.1 box units of the simulator — R's error, which scales every
    /// position about the pinhole — and within 0.003 box units per frame; the median ball, at
    /// walls and behind others included, within 0.001 box units. A ball seen in one frame only
    /// has no velocity, so a few are off by more.
    func testPerceptionRecovers3DState() throws {
        let model = handSet
        var radiusErrors: [Double] = [], clear: [(p: Double, v: Double)] = [], all: [Double] = [], hidden = 0
        for seed: UInt64 in 0..<60 {
            let ep = try scenario.episode(seed: seed, frames: 8)
            let state = try XCTUnwrap(model.perceive(planar: Rasterizer.planar(ep)), "seed \(seed)")
            let truth = WorldState3D(episode: ep, frame: 7)
            func shown(_ color: Int, in frames: [FrameState3D]) -> Bool {
                frames.contains { f in f.visibleFraction[f.balls.firstIndex { $0.color == color }!] >= 0.5 }
            }
            let seen = truth.balls.filter { shown($0.color, in: ep.frames) }.map(\.color)
            XCTAssertEqual(Set(seen).subtracting(state.balls.map(\.color)), [], "seed \(seed)")
            hidden += truth.balls.count - state.balls.count
            radiusErrors.append(abs(state.ballRadius / scenario.box.ballRadius - 1))
            for s in state.balls {
                let b = try XCTUnwrap(truth.balls.first { $0.color == s.color })
                all.append((s.position - b.position).length)
                let i = ep.frames[4].balls.firstIndex { $0.color == b.color }!
                let inView = (4..<8).allSatisfy { shown(b.color, in: [ep.frames[$0]]) }
                if inView && !hasEvent(ep, from: 4, frames: 3, ball: i) {
                    clear.append(((s.position - b.position).length, (s.velocity - b.velocity).length))
                }
            }
        }
        all.sort()
        print(String(format: "3D perception: %d balls hidden throughout; R error max %.4f%%; %d balls in view and free flight: "
                     + "position max %.4f, velocity max %.5f; all %d balls: position median %.5f, 90th pct %.4f, max %.4f (box units)",
                     hidden, 100 * radiusErrors.max()!, clear.count, clear.map(\.p).max()!, clear.map(\.v).max()!,
                     all.count, all[all.count / 2], all[all.count * 9 / 10], all.last!))
        XCTAssertLessThanOrEqual(radiusErrors.max()!, 0.002)
        XCTAssertGreaterThan(clear.count, 50)
        XCTAssertLessThanOrEqual(clear.map(\.p).max()!, 0.1)
        XCTAssertLessThanOrEqual(clear.map(\.v).max()!, 0.003)
        XCTAssertLessThanOrEqual(all[all.count / 2], 0.001)
    }

    /// R from where the balls meet the walls, with no g: within 0.5% of the box's on every
    /// 32-frame clip that shows a clean bounce (most do).
    func testRadiusFromWalls() throws {
        let perception = Perception3D(scenario)
        var read = 0, worst = 0.0
        for seed: UInt64 in 0..<30 {
            let ep = try scenario.episode(seed: seed, frames: 32)
            let dets = perception.detections(planar: Rasterizer.planar(ep))
            let colors = Set(dets.flatMap(\.keys)).sorted()
            guard let R = perception.radiusFromWalls(colors.map { k in dets.map { $0[k].map(perception.scaled) } }) else { continue }
            read += 1
            worst = max(worst, abs(R / scenario.box.ballRadius - 1))
        }
        print(String(format: "R from walls: %d of 30 clips, worst error %.4f%%", read, 100 * worst))
        XCTAssertGreaterThan(read, 20)
        XCTAssertLessThanOrEqual(worst, 0.005)
    }

    /// With its constants set by hand the step is Simulator3D's: from the simulator's state at
    /// frame 0, 39 frames of 12 clips (walls and collisions among them) within 1e-4 box units.
    func testHandSetStepIsTheSimulator() throws {
        let model = handSet
        var worst = 0.0, events = 0
        for seed: UInt64 in 0..<12 {
            let ep = try scenario.episode(seed: seed, frames: 40)
            let states = model.rollout(from: WorldState3D(episode: ep, frame: 0), frames: 39)
            for (t, state) in states.enumerated() {
                let truth = WorldState3D(episode: ep, frame: t + 1), before = WorldState3D(episode: ep, frame: t)
                for (b, a) in zip(state.balls, truth.balls) { worst = max(worst, (b.position - a.position).length) }
                events += zip(truth.balls, before.balls).filter { ($0.velocity - $1.velocity - scenario.box.gravity).length > 0.01 }.count
            }
        }
        XCTAssertGreaterThan(events, 20, "the clips have bounces and collisions to get right")
        XCTAssertLessThan(worst, 1e-4, "worst position error over 39 frames of 12 clips, box units")
    }

    /// Drawn from the simulator's own states, the model's frames are the simulator's bytes
    /// (to 8-bit rounding): the same projection and the same far-to-near order.
    func testRenderIsTheSimulatorsDrawing() throws {
        let ep = try scenario.episode(seed: 5, frames: 12)
        let drawn = handSet.render((0..<12).map { WorldState3D(episode: ep, frame: $0) })
        let truth = Rasterizer.planar(ep)
        XCTAssertEqual(drawn.count, truth.count)
        XCTAssertLessThanOrEqual(zip(drawn, truth).map { abs($0 - $1) }.max()!, 1e-5)
    }

    /// The loss's gradient with respect to the three constants against central differences,
    /// on a wall contact, a pair contact and free flight, squared and pseudo-Huber.
    func testGradientOfLossMatchesFiniteDifferences() throws {
        let states = [
            WorldState3D(extent: Vec3(24, 24, 24), ballRadius: 3, balls: [
                BallState3D(position: Vec3(10, 21, 3), velocity: Vec3(0.3, 0.9, -0.4), color: 0),
            ]),
            WorldState3D(extent: Vec3(24, 24, 24), ballRadius: 3, balls: [
                BallState3D(position: Vec3(10, 10, 10), velocity: Vec3(0.5, 0.2, 0.1), color: 1),
                BallState3D(position: Vec3(14, 14, 12), velocity: Vec3(-0.4, -0.1, 0.3), color: 2),
                BallState3D(position: Vec3(18, 5, 18), velocity: Vec3(0, 0.2, 0), color: 3),
            ]),
        ]
        let features = states.flatMap(Contact3D.features)
        XCTAssertEqual(features.map(\.inContact), [true, true, true, false])
        let x = LawBatch3D(features)
        var rng = RNG(seed: 3)
        let target = Tensor.randn([4, 3], std: 1, rng: &rng)
        let weight = Tensor(shape: [4], values: [1, 1, 0.5, 1])
        var law = LearnedLaw3D()
        law.parameters = [Tensor(shape: [3], values: [0.02, 0.1, -0.05]), Tensor(shape: [1], values: [-1.5]),
                          Tensor(shape: [1], values: [0.7])]
        for robust: Float in [0, 0.3] {
            let params = law.parameters
            let (_, grads) = valueAndGrad(params) { ps in
                var l = law
                l.parameters = ps
                return l.loss(x, target: target, weight: weight, robust: robust)
            }
            func loss(_ ps: [Tensor]) -> Double {
                var l = law
                l.parameters = ps
                return Double(l.loss(x, target: target, weight: weight, robust: robust).item)
            }
            let eps: Float = 1e-2
            for (k, p) in params.enumerated() {
                for i in 0..<p.count {
                    var plus = params, minus = params
                    plus[k].withUnsafeMutableBufferPointer { $0[i] += eps }
                    minus[k].withUnsafeMutableBufferPointer { $0[i] -= eps }
                    let numeric = (loss(plus) - loss(minus)) / Double(2 * eps)
                    XCTAssertEqual(Double(grads[k].values[i]), numeric, accuracy: 1e-3 + 1e-2 * abs(numeric),
                                   "\(law.namedParameters[k].name)[\(i)], robust \(robust)")
                    XCTAssertGreaterThan(abs(numeric), 1e-4, "every constant carries gradient")
                }
            }
        }
    }

    /// The same config gives the same constants bit for bit; another seed, others. The tiny
    /// run moves every constant from 0 towards the elastic law.
    func testTrainingIsDeterministicPerSeed() throws {
        func train(seed: UInt64) throws -> [[Float]] {
            var c = StateConfig3D.tiny
            c.seed = seed
            var trainer = try StateTrainer3D(config: c)
            try trainer.train()
            return trainer.network.parameters.map(\.values)
        }
        let a = try train(seed: 1), b = try train(seed: 1), other = try train(seed: 2)
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, other)
        print("tiny run's constants: g \(a[0]), wall \(a[1]), pair \(a[2])")
        XCTAssertGreaterThan(a[0][1], 0.05, "gravity pulls down")
        XCTAssertLessThan(a[1][0], -1, "walls bounce")
        XCTAssertGreaterThan(a[2][0], 0.3, "pairs push apart")
    }

    /// A config a user could get wrong is refused with one line.
    func testConfigErrorsAreOneLine() {
        var c = StateConfig3D.tiny
        c.scenario = "id"
        XCTAssertThrowsError(try StateTrainer3D(config: c)) { e in
            XCTAssertEqual("\(e)", "config: unknown depth scenario 'id'; valid: depth, depth-near")
        }
    }
}

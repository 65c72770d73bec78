// Training transitions of the state models in 3D: clips of a depth scenario from
// the simulator, rendered and read back by perception — the same recipe as the flat model's
// (TrainingData.swift), through the camera. Batch `step` of a run is a pure function of
// (seed, step).
//
// A clip's own scale comes from its walls: its discs give every position up to R (s = P / R,
// Perception3D), its free flight the acceleration g / R in those units (Flight.gravity), and
// where a ball meets a wall R itself (Perception3D.radiusFromWalls; a clip whose balls meet no
// wall cleanly is left out). So the g the law learns is read in box units from the frames, the
// box's walls and the camera, not from the gravity the clip was simulated with. A ball's
// velocity at frame t is labelled by the parabola of free flight under the clip's g through
// its positions around t (Flight.velocity, to Perception3D.flightTolerance). The structured
// law learns from the frames with at most one contact instant (`example`, `tensors`), the
// generic one from every transition (`graphTensors`).

import Tensor
import World

/// The 3D state at frame t and each ball's state at t + 1.
public struct Transition3D: Equatable, Sendable {
    public var state: WorldState3D
    /// Per ball of `state`, the same ball at t + 1 (nil when its position or velocity there
    /// is not known).
    public var next: [BallState3D?]
    /// The clip's acceleration of free flight, box units per frame², read from its frames.
    public var gravity: Vec3
}

enum TrainingData3D {
    /// Every transition t → t + 1 of one clip whose state at t is known, from its rendered
    /// frames (see the file header).
    static func transitions(_ episode: Episode3D, perception: Perception3D) -> [Transition3D] {
        let T = episode.count
        guard T >= 6 else { return [] }
        let dets = perception.detections(planar: Rasterizer.planar(episode))
        let colors = Set(dets.flatMap(\.keys)).sorted()
        let scaled = colors.map { k in dets.map { $0[k].map(perception.scaled) } }
        let extent = perception.extent
        guard let R = perception.radiusFromWalls(scaled), 2 * R < min(extent.x, extent.y, extent.z),
              let c = Flight.gravity(scaled)
        else { return [] }
        let g = c * R
        let positions = perception.positions(dets, radius: R)
        var balls: [Int: [BallState3D?]] = [:]
        for k in colors {
            let p = positions.map { $0[k] }
            balls[k] = (0..<T).map { t in
                guard let position = p[t],
                      let u = Flight.velocity(p, at: t, gravity: g, tolerance: Perception3D.flightTolerance)
                else { return nil }
                return BallState3D(position: position, velocity: u, color: k)
            }
        }
        return (0..<(T - 1)).compactMap { t in
            let seen = colors.filter { positions[t][$0] != nil }
            let now = seen.compactMap { balls[$0]![t] }
            guard !now.isEmpty, now.count == seen.count else { return nil }
            return Transition3D(state: WorldState3D(extent: extent, ballRadius: R, balls: now),
                                next: now.map { balls[$0.color]![t + 1] }, gravity: g)
        }
    }

    /// The transitions of batch `step`, clip by clip in order (drawn, rendered and perceived
    /// in parallel: each is a function of its seed alone). Every clip's seed is a training
    /// seed (SceneSeeds.training), none of the validation or test range.
    static func batch<C: StateTrainingConfig3D>(_ c: C, step: Int) -> [Transition3D] {
        let scenario = try! DepthScenario.named(c.scenario)  // checked by validationError
        let perception = Perception3D(scenario)
        var clips = [[Transition3D]](repeating: [], count: c.clipsPerStep)
        clips.withUnsafeMutableBufferPointer { out in
            Parallel.forEach(c.clipsPerStep) { k in
                var rng = RNG(seed: c.seed).split("data").split(step).split(k)
                let seed = SceneSeeds.training(&rng)
                guard let episode = try? scenario.episode(seed: seed, frames: c.clipFrames) else { return }
                out[k] = transitions(episode, perception: perception)
            }
        }
        return clips.flatMap { $0 }
    }

    /// A frame explains itself by at most one contact instant when every ball's next state is
    /// free flight under the clip's g but for the balls in the first contact, whose next
    /// velocity and position agree with one impulse at that instant to this many box units
    /// (per frame): depth read from size is good to a few 1e-3.
    static let consistency = 0.03

    /// The example `tr` holds, if it holds one: the state at its first contact instant (the
    /// state itself when nothing touches within the frame) and per ball the target — its
    /// impulse J = u_{t+1} − u_t − g when it is in a contact then, its Δu = u_{t+1} − u_t when
    /// not. Nil when some ball's next state is unknown or the frame holds more than one
    /// contact instant. TrainingData.example in 3D.
    static func example(_ tr: Transition3D) -> (state: WorldState3D, target: [Vec3])? {
        let g = tr.gravity, s = tr.state
        let t1 = Contact3D.firstTime(s, gravity: g, within: 1)
        let at = Contact3D.advance(s, by: t1 ?? 0, gravity: g)
        let contacts = Contact3D.features(at)
        let touching = Set(contacts.indices.filter { contacts[$0].inContact })
        // A contact the geometry finds but no closing touch explains, or a touch the geometry
        // does not reach (a ball a rounding inside a wall, moving out of reach): the step
        // would not resolve it as the frame shows.
        if (t1 != nil) != !touching.isEmpty { return nil }
        var target: [Vec3] = []
        for (i, b) in s.balls.enumerated() {
            guard let next = tr.next[i] else { return nil }
            let j = next.velocity - b.velocity - g
            let free = b.position + b.velocity + g * 0.5
            if touching.contains(i) {
                guard (next.position - free - j * (1 - t1!)).length < consistency else { return nil }
                target.append(j)
            } else {
                guard j.length < consistency, (next.position - free).length < consistency else { return nil }
                target.append(next.velocity - b.velocity)
            }
        }
        return (at, target)
    }

    /// The law's inputs, targets and loss weights of the examples `transitions` hold, with
    /// Gaussian noise from `rng` on the input positions and velocities (kept only where it
    /// leaves an instant's contacts as they were): one row per ball, each of weight 1.
    static func tensors(_ transitions: [Transition3D], _ c: StateConfig3D, rng: inout RNG)
        -> (batch: LawBatch3D, target: Tensor, weight: Tensor) {
        var features: [Contact3D.Features] = [], target: [Float] = []
        for e in transitions.compactMap(example) {
            var noisy = e.state
            for i in noisy.balls.indices {
                noisy.balls[i].position += Vec3(rng.normal(), rng.normal(), rng.normal()) * c.positionNoise
                noisy.balls[i].velocity += Vec3(rng.normal(), rng.normal(), rng.normal()) * c.velocityNoise
            }
            let clean = Contact3D.features(e.state), seen = Contact3D.features(noisy)
            features += seen.map(\.inContact) == clean.map(\.inContact) ? seen : clean
            target += e.target.flatMap { x in (0..<3).map { Float(x[$0]) } }
        }
        let R = features.count
        return (LawBatch3D(features), Tensor(shape: [R, 3], values: target), Tensor(repeating: 1, shape: [R]))
    }

    /// Inputs, targets and loss weights of the generic law in 3D from `transitions`, every one
    /// of them, with noise on every input (TrainingData.graphExamples).
    static func graphTensors(_ transitions: [Transition3D], _ c: GenericStateConfig3D, rng: inout RNG)
        -> (batch: GraphBatch, target: Tensor, weight: Tensor) {
        TrainingData.graphExamples(transitions.map { ($0.state, $0.next.map { $0.map { ($0.position, $0.velocity) } }) },
                                   c.model, positionNoise: c.positionNoise, velocityNoise: c.velocityNoise, rng: &rng)
    }
}

// Training transitions: id clips from the simulator, rendered and perceived by the tracker
// (or, for the ablation, read from the simulator's states), and the examples they hold for
// either kind of law: contact instants and their impulses for the structured one, every
// transition and its change of velocity for the generic one. Batch `step` of a run is a pure
// function of (seed, step): resuming needs no data cursor.
//
// From the tracker, a ball's velocity at frame t is labelled by the parabola through its
// positions at t − 1, t and t + 1 when no event came between them (Flight.swift; g is the
// clip's own, the median second difference of its tracks); a frame next to an event on both
// sides has no label, and a state with an unlabelled ball is left out (its neighbours'
// relations would be wrong).

import Tensor
import World

/// The state at frame t and each ball's state at t + 1.
public struct Transition: Equatable, Sendable {
    public var state: WorldState
    /// Per ball of `state`, the same ball at t + 1 (nil when its position or velocity there
    /// is not known).
    public var next: [BallState?]
    /// The clip's acceleration of free flight, read from its positions (`Flight.gravity`).
    public var gravity: Vec2
    /// Per ball of `state`, whether its velocity changes by more than gravity within this
    /// frame or the next, or is not known there (`TrainingData.nearEvents`); empty: none is.
    /// Only the generic law's loss reads it (GenericStateConfig.eventWeight).
    public var nearEvent: [Bool] = []
}

enum TrainingData {
    /// Every transition t → t + 1 of one episode whose state at t is known.
    static func transitions(_ episode: Episode, source: StateSource, perception: Perception) -> [Transition] {
        let T = episode.count
        guard T >= 2 else { return [] }
        switch source {
        case .simulator:
            let tracks = episode.frames[0].balls.indices.map { i in episode.frames.map { Optional($0.balls[i].position) } }
            guard let g = Flight.gravity(tracks) else { return [] }
            let states = (0..<T).map { WorldState(episode: episode, frame: $0) }
            let near = states[0].balls.indices.map { i in nearEvents(states.map { Optional($0.balls[i].velocity) }, gravity: g) }
            return (0..<(T - 1)).map { t in
                Transition(state: states[t], next: states[t + 1].balls.map { $0 }, gravity: g,
                           nearEvent: near.map { $0[t] })
            }
        case .tracker:
            let H = episode.scene.height, W = episode.scene.width
            let dets = perception.detections(planar: Rasterizer.planar(episode), height: H, width: W)
            let colors = Set(dets.flatMap(\.keys)).sorted()
            let tracks = colors.map { k in dets.map { $0[k]?.position } }
            guard let g = Flight.gravity(tracks) else { return [] }
            var balls: [Int: [BallState?]] = [:]
            for (k, p) in zip(colors, tracks) {
                let radii = dets.compactMap { $0[k]?.radius }
                let r = radii.reduce(0, +) / Double(radii.count)
                balls[k] = (0..<T).map { t in
                    guard let position = p[t], let u = Flight.velocity(p, at: t, gravity: g) else { return nil }
                    return BallState(position: position, velocity: u, radius: r, color: k)
                }
            }
            let near = balls.mapValues { track in nearEvents(track.map { $0?.velocity }, gravity: g) }
            return (0..<(T - 1)).compactMap { t in
                let seen = colors.filter { dets[t][$0] != nil }
                let now = seen.compactMap { balls[$0]![t] }
                guard !now.isEmpty, now.count == seen.count else { return nil }
                return Transition(state: WorldState(width: W, height: H, balls: now),
                                  next: now.map { balls[$0.color]![t + 1] }, gravity: g,
                                  nearEvent: now.map { near[$0.color]![t] })
            }
        }
    }

    /// A change of velocity further than this from gravity's over a frame (pixels per frame)
    /// is an event's: a bounce or a collision.
    static let eventTolerance = 0.01

    /// Per frame t of a ball with velocities `u` (one per frame, nil where not known), whether
    /// it has an event within frame t → t + 1 or t + 1 → t + 2: a change of velocity other
    /// than `gravity`, or a velocity there that is not known (labels are missing next to
    /// events). These are the states on either side of the instant where a frame starts to
    /// hold a bounce — where the map from one state to the next jumps — the few a generic
    /// law learns slowest.
    static func nearEvents(_ u: [Vec2?], gravity g: Vec2) -> [Bool] {
        let event = (0..<max(0, u.count - 1)).map { s -> Bool in
            guard let a = u[s], let b = u[s + 1] else { return true }
            return (b - a - g).length > eventTolerance
        }
        return u.indices.map { t in (t < event.count && event[t]) || (t + 1 < event.count && event[t + 1]) }
    }

    /// The seed of clip `clip` of batch `step`.
    static func clipSeed<C: StateTrainingConfig>(_ c: C, step: Int, clip: Int) -> UInt64 {
        var rng = RNG(seed: c.seed).split("data").split(step).split(clip)
        return SceneSeeds.training(&rng)
    }

    /// The transitions of batch `step`, clip by clip in order (the clips are drawn, rendered
    /// and perceived in parallel: each is a function of its seed alone).
    static func batch<C: StateTrainingConfig>(_ c: C, step: Int, perception: Perception) -> [Transition] {
        let scenario = try! Scenario.named(c.scenario)  // checked by validationError
        var clips = [[Transition]](repeating: [], count: c.clipsPerStep)
        clips.withUnsafeMutableBufferPointer { out in
            Parallel.forEach(c.clipsPerStep) { k in
                out[k] = transitions(try! scenario.episode(seed: clipSeed(c, step: step, clip: k), frames: c.clipFrames),
                                     source: c.source, perception: perception)
            }
        }
        return clips.flatMap { $0 }
    }

    /// A frame explains itself by at most one contact instant when every ball's next state is
    /// that of free flight under the clip's g, but for the balls in the first contact, whose
    /// next velocity and position agree with one impulse at that instant to this many pixels
    /// (per frame). Frames with two instants or more teach the law only through them; the
    /// step composes the law over them (StateModel.step).
    static let consistency = 5e-3

    /// The example transition `tr` holds, if it holds one: the state at its first contact
    /// instant (free flight under the clip's g; the state itself when nothing touches within
    /// the frame) and per ball the target — its impulse J = u_{t+1} − u_t − g when it is in a
    /// contact then, its Δu = u_{t+1} − u_t when not. Nil when some ball's next state is
    /// unknown or the frame holds more than one contact instant.
    static func example(_ tr: Transition) -> (state: WorldState, target: [Vec2])? {
        let g = tr.gravity, s = tr.state
        let t1 = Contact.firstTime(s, gravity: g, within: 1)
        let at = Contact.advance(s, by: t1 ?? 0, gravity: g)
        let touching = Set(Contact.touches(at).map(\.ball))
        if t1 != nil && touching.isEmpty { return nil }
        var target: [Vec2] = []
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

    /// Network inputs, targets and loss weights of the examples `transitions` hold (see
    /// `example`), with Gaussian noise from `rng` on the input positions and velocities (kept
    /// only where it leaves an instant's contacts as they were). Targets are in network units;
    /// padding weighs 0, every ball of an example 1.
    static func tensors(_ transitions: [Transition], _ c: DynamicsConfig, rng: inout RNG)
        -> (batch: InteractionBatch, target: Tensor, weight: Tensor) {
        let examples = transitions.compactMap(example)
        let states = examples.map { e -> WorldState in
            var noisy = e.state
            for i in noisy.balls.indices {
                noisy.balls[i].position += Vec2(rng.normal(), rng.normal()) * c.positionNoise
                noisy.balls[i].velocity += Vec2(rng.normal(), rng.normal()) * c.velocityNoise
            }
            return Contact.touches(noisy) == Contact.touches(e.state) ? noisy : e.state
        }
        let batch = InteractionBatch(states, c.model)
        let N = batch.balls
        var target = [Float](repeating: 0, count: states.count * N * 2)
        var weight = [Float](repeating: 0, count: states.count * N)
        for (b, e) in examples.enumerated() {
            for (i, x) in e.target.enumerated() {
                target[(b * N + i) * 2] = Float(x.x / c.model.deltaScale)
                target[(b * N + i) * 2 + 1] = Float(x.y / c.model.deltaScale)
                weight[b * N + i] = 1
            }
        }
        return (batch, Tensor(shape: [states.count * N, 2], values: target), Tensor(shape: [states.count * N], values: weight))
    }
}

// MARK: - Examples of the generic law

extension TrainingData {
    /// Inputs, targets and loss weights of the generic law (GraphNetwork) from `transitions`,
    /// every one of them (`graphExamples`).
    static func graphTensors(_ transitions: [Transition], _ c: GenericStateConfig, rng: inout RNG)
        -> (batch: GraphBatch, target: Tensor, weight: Tensor) {
        let weights = transitions.map { tr in
            tr.state.balls.indices.map { i in i < tr.nearEvent.count && tr.nearEvent[i] ? Float(c.eventWeight) : 1 }
        }
        return graphExamples(transitions.map { ($0.state, $0.next.map { $0.map { ($0.position, $0.velocity) } }) }, c.model,
                             positionNoise: c.positionNoise, velocityNoise: c.velocityNoise, weights: weights, rng: &rng)
    }

    /// Inputs, targets and loss weights of a graph network of config `c` from `transitions`
    /// (per state at t, each ball's position and velocity at t + 1, nil where unknown), in
    /// either world: each state with Gaussian noise from `rng` on every ball's position and
    /// velocity (σ `positionNoise`, `velocityNoise`), and per ball, in network units
    /// (÷ deltaScale), the change of velocity from the noisy velocity to the true next one,
    /// Δu = u_{t+1} − ũ_t, and what the config's position step misses of the true change of
    /// position, δp = p_{t+1} − p_t − (u_t + u_{t+1})/2 (the trapezoid) or p_{t+1} − p_t − u_t. So the network sees states a little off the ones
    /// the world holds, as its own roll-outs will be, and learns to bring the velocity back
    /// (graph-network simulators' training noise, Sanchez-Gonzalez et al. 2020). A ball whose
    /// next state is unknown weighs 0, and so does padding; every other ball its entry in
    /// `weights` (per transition, per ball), or 1 without them. The batch's `next` holds the
    /// true state after the frame, what a network with substeps is trained on.
    static func graphExamples<C: GraphArchitecture>(
        _ transitions: [(state: C.State, next: [(position: C.State.Vector, velocity: C.State.Vector)?])], _ c: C,
        positionNoise: Double, velocityNoise: Double, weights: [[Float]]? = nil, rng: inout RNG
    ) -> (batch: GraphBatch, target: Tensor, weight: Tensor) {
        let d = C.dimensions
        func noise(_ sigma: Double) -> C.State.Vector {
            var v = C.State.Vector()
            for k in 0..<d { v[k] = rng.normal() * sigma }
            return v
        }
        let states = transitions.map { tr -> C.State in
            var noisy = tr.state
            for i in 0..<noisy.ballCount {
                let (p, u, _) = noisy.ball(i)
                let position = p + noise(positionNoise)
                noisy.move(i, to: position, velocity: u + noise(velocityNoise))
            }
            return noisy
        }
        var batch = GraphBatch(states, c)
        let N = batch.balls, unit = 1 / c.deltaScale, K = GraphNetwork<C>.outputs
        var target = [Float](repeating: 0, count: states.count * N * K), after = target
        var weight = [Float](repeating: 0, count: states.count * N)
        for (b, tr) in transitions.enumerated() {
            for (i, next) in tr.next.enumerated() {
                guard let next else { continue }
                let du = next.velocity - states[b].ball(i).velocity, (p, u, _) = tr.state.ball(i)
                let drift = c.positionStep == .trapezoid ? (u + next.velocity) * 0.5 : u
                let dp = next.position - p - drift, row = (b * N + i) * K
                let carried = next.position + (states[b].ball(i).position - p)  // the input's noise carried along
                for k in 0..<d {
                    target[row + k] = Float(du[k] * unit)
                    target[row + d + k] = Float(dp[k] * unit)
                    after[row + k] = Float(next.velocity[k])
                    after[row + d + k] = Float(carried[k])
                }
                weight[b * N + i] = weights?[b][i] ?? 1
            }
        }
        batch.next = Tensor(shape: [states.count * N, K], values: after)
        return (batch, Tensor(shape: [states.count * N, K], values: target), Tensor(shape: [states.count * N], values: weight))
    }
}

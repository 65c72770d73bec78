// Training transitions: id clips from the simulator, rendered and perceived by the tracker
// (or, for the ablation, read from the simulator's states). Batch `step` of a run is a pure
// function of (seed, step): resuming needs no data cursor.

import Tensor
import World

/// The state at frame t and, per ball, the velocity it has at t + 1 (nil if unknown).
public struct Transition: Equatable, Sendable {
    public var state: WorldState
    /// v_{t+1} = p_{t+1} − p_t per ball of `state`, pixels per frame.
    public var next: [Vec2?]
}

enum TrainingData {
    /// Every transition of one episode: frames 1 ..< T − 1, balls seen at t − 1 and t.
    static func transitions(_ episode: Episode, source: StateSource, perception: Perception) -> [Transition] {
        let T = episode.count
        guard T >= 3 else { return [] }
        switch source {
        case .simulator:
            return (1..<(T - 1)).map { t in
                let s = WorldState(episode: episode, frame: t), after = WorldState(episode: episode, frame: t + 1)
                return Transition(state: s, next: s.balls.indices.map { after.balls[$0].position - s.balls[$0].position })
            }
        case .tracker:
            let H = episode.scene.height, W = episode.scene.width
            let dets = perception.detections(planar: Rasterizer.planar(episode), height: H, width: W)
            return (1..<(T - 1)).map { t in
                var s = perception.state(Array(dets[max(0, t - 2)...t]), height: H, width: W)
                s.balls.removeAll { dets[t - 1][$0.color] == nil }
                let next = s.balls.map { b in dets[t + 1][b.color].map { $0.position - b.position } }
                return Transition(state: s, next: next)
            }
        }
    }

    /// The seed of clip `clip` of batch `step`.
    static func clipSeed(_ c: DynamicsConfig, step: Int, clip: Int) -> UInt64 {
        var rng = RNG(seed: c.seed).split("data").split(step).split(clip)
        return rng.next()
    }

    /// The transitions of batch `step`.
    static func batch(_ c: DynamicsConfig, step: Int, perception: Perception) -> [Transition] {
        let scenario = try! Scenario.named(c.scenario)  // checked by validationError
        return (0..<c.clipsPerStep).flatMap { k in
            transitions(try! scenario.episode(seed: clipSeed(c, step: step, clip: k), frames: c.clipFrames),
                        source: c.source, perception: perception)
        }
    }

    /// Network inputs, targets and loss weights of `transitions`, with Gaussian noise from
    /// `rng` on the input positions and velocities. The target is Δv = v_{t+1} − ṽ_t (ṽ the
    /// noisy velocity) in network units; balls without a known v_{t+1} weigh 0, balls whose
    /// straight-line motion reaches a wall or another ball within the frame weigh
    /// `contactWeight`, the others 1. A share `unknownChangeShare` of the states forget their
    /// balls' last change (as perception from a two-frame context does).
    static func tensors(_ transitions: [Transition], _ c: DynamicsConfig, rng: inout RNG)
        -> (batch: InteractionBatch, target: Tensor, weight: Tensor) {
        let states = noisyStates(transitions, c, rng: &rng)
        let batch = InteractionBatch(states, c.model)
        let N = batch.balls
        var target = [Float](repeating: 0, count: states.count * N * 2)
        var weight = [Float](repeating: 0, count: states.count * N)
        for (b, tr) in transitions.enumerated() {
            for (i, next) in tr.next.enumerated() {
                guard let next else { continue }
                let dv = (next - states[b].balls[i].velocity) / c.model.deltaScale
                target[(b * N + i) * 2] = Float(dv.x)
                target[(b * N + i) * 2 + 1] = Float(dv.y)
                weight[b * N + i] = batch.inContact[b * N + i] ? Float(c.contactWeight) : 1
            }
        }
        return (batch, Tensor(shape: [states.count * N, 2], values: target), Tensor(shape: [states.count * N], values: weight))
    }

    /// The states of `transitions` with Gaussian noise from `rng` on positions and velocities;
    /// a share `unknownChangeShare` of them forget their balls' last change.
    static func noisyStates(_ transitions: [Transition], _ c: DynamicsConfig, rng: inout RNG) -> [WorldState] {
        var states = transitions.map(\.state)
        for b in states.indices {
            let forget = rng.uniform() < c.unknownChangeShare
            for i in states[b].balls.indices {
                states[b].balls[i].position += Vec2(rng.normal(), rng.normal()) * c.positionNoise
                let dv = Vec2(rng.normal(), rng.normal()) * c.velocityNoise
                states[b].balls[i].velocity += dv
                if forget { states[b].balls[i].lastChange = nil }
                states[b].balls[i].lastChange? += dv
            }
        }
        return states
    }
}

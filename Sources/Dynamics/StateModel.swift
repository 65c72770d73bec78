// The learned explicit-state model as a generator: perceive the context, step the state
// with the interaction network, draw with the rasterizer. No randomness: the same inputs
// give the same bytes.

import Tensor
import World

/// A trained interaction network with the frame size it works in.
public struct StateModel {
    public var network: InteractionNetwork
    public var perception: Perception

    public init(network: InteractionNetwork, perception: Perception = Perception()) {
        self.network = network
        self.perception = perception
    }

    public var config: InteractionConfig { network.config }

    /// The model saved in checkpoint folder `folder` (its model.safetensors and config.json).
    public static func load(_ folder: String) throws -> StateModel {
        let checkpoint = CheckpointFolder(folder)
        let config = try checkpoint.dynamicsConfig()
        var rng = RNG(seed: 0)
        var network = InteractionNetwork(config.model, rng: &rng)
        network.parameters = try checkpoint.stateModelWeights(like: network.namedParameters)
        return StateModel(network: network)
    }

    // MARK: - Stepping

    /// The fastest a stepped ball may move, pixels per frame: a quarter of the frame, far
    /// above any scenario's speeds (ood-fast starts at 3 px/frame at most).
    public static let maxSpeed = 8.0

    /// Every state advanced by one frame: v' = v + Δv, p' = p + v'. Balls keep their
    /// radius, colour and order. The state stays one this world can hold, whatever the
    /// network predicts: a speed above `maxSpeed` is cut to it (a non-finite one to 0), and
    /// a centre is kept where the disc is inside the walls. A learned step can otherwise
    /// run away in a state no training clip showed it, and a few of the runs in
    /// data/state/MODEL.md did.
    public func step(_ states: [WorldState]) -> [WorldState] {
        guard !states.isEmpty else { return [] }
        let batch = InteractionBatch(states, config)
        let dv = network(batch).values  // [B·N, 2]
        let scale = config.deltaScale
        return states.enumerated().map { b, s in
            var next = s
            for i in next.balls.indices {
                let o = (b * batch.balls + i) * 2
                let change = Vec2(Double(dv[o]), Double(dv[o + 1])) * scale
                var v = next.balls[i].velocity + change, applied = change
                let speed = v.length
                if !(speed <= Self.maxSpeed) {
                    v = speed.isFinite ? v * (Self.maxSpeed / speed) : Vec2(0, 0)
                    applied = v - next.balls[i].velocity
                }
                next.balls[i].velocity = v
                next.balls[i].lastChange = applied
                let r = next.balls[i].radius, p = next.balls[i].position + v
                next.balls[i].position = Vec2(min(max(p.x, r), Double(s.width) - r), min(max(p.y, r), Double(s.height) - r))
            }
            return next
        }
    }

    /// The `frames` states after `state` (not including it).
    public func rollout(from state: WorldState, frames: Int) -> [WorldState] {
        var out: [WorldState] = []
        var s = [state]
        for _ in 0..<frames {
            s = step(s)
            out.append(s[0])
        }
        return out
    }

    // MARK: - Perceiving a context

    /// The state at the last of the context frames `planar` [C, 3, H, W], tracked through
    /// them: each frame's detections give the balls it shows their position, velocity and
    /// last change (as `Perception.state` reads them from that frame and the two before),
    /// and a ball it does not show — hidden, or not yet readable — is stepped on from its
    /// state in the frame before. A ball found again after such a gap takes the velocity it
    /// was stepped with. Radii are averaged over every frame a ball was found in. When every
    /// ball the context shows is found in its last two frames, this is `Perception.state`.
    public func perceive(planar frames: [Float]) -> WorldState {
        let H = config.height, W = config.width
        let dets = perception.detections(planar: frames, height: H, width: W)
        var current: WorldState?
        for t in dets.indices {
            let seen = perception.state(Array(dets[max(0, t - 2)...t]), height: H, width: W)
            guard let before = current else {
                current = seen
                continue
            }
            let stepped = step([before])[0]
            var balls = seen.balls
            for i in balls.indices where dets[t - 1][balls[i].color] == nil {
                if let b = stepped.balls.first(where: { $0.color == balls[i].color }) {
                    (balls[i].velocity, balls[i].lastChange) = (b.velocity, b.lastChange)
                }
            }
            balls += stepped.balls.filter { b in !balls.contains { $0.color == b.color } }
            current = WorldState(width: W, height: H, balls: balls.sorted { $0.color < $1.color })
        }
        guard var state = current else { return WorldState(width: W, height: H, balls: []) }
        for i in state.balls.indices {
            let radii = dets.compactMap { $0[state.balls[i].color]?.radius }
            state.balls[i].radius = radii.reduce(0, +) / Double(radii.count)
        }
        return state
    }

    // MARK: - Frames in, frames out

    /// The `frames` frames after planar `contextFrames` [C, 3, H, W] (H, W the model's),
    /// as planar [frames, 3, H, W] in [-1, 1]: the state perceived at the last context
    /// frame (`perceive`), rolled forward, drawn with each ball's perceived radius and colour.
    public func rollout(contextFrames: [Float], frames: Int) -> [Float] {
        let H = config.height, W = config.width
        precondition(!contextFrames.isEmpty && contextFrames.count % (3 * H * W) == 0,
                     "rollout: \(contextFrames.count) floats are not planar [C,3,\(H),\(W)] frames")
        let start = perceive(planar: contextFrames)
        return render(rollout(from: start, frames: frames))
    }

    /// `states` drawn as planar [T, 3, H, W] frames. A ball whose disc is wholly outside the
    /// frame (or whose state is no longer finite) is kept in the state but not drawn.
    public func render(_ states: [WorldState]) -> [Float] {
        let scene = Scene(width: config.width, height: config.height)
        let W = Double(config.width), H = Double(config.height)
        return Rasterizer.planar(states.enumerated().map { t, s in
            let inView = s.simulatorBalls.filter { b in
                let reach = b.radius + Scene.drawMargin
                return b.position.x.isFinite && b.position.y.isFinite && b.radius.isFinite
                    && b.position.x > -reach && b.position.x < W + reach && b.position.y > -reach && b.position.y < H + reach
            }
            return scene.frameState(t: t, balls: inView)
        }, scene: scene)
    }
}

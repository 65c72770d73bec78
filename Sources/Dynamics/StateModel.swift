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

    /// Every state advanced by one frame: v' = v + Δv, p' = p + v'. Balls keep their
    /// radius, colour and order; one that leaves the view keeps being stepped.
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
                next.balls[i].velocity += change
                next.balls[i].lastChange = change
                next.balls[i].position += next.balls[i].velocity
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

    // MARK: - Frames in, frames out

    /// The `frames` frames after planar `contextFrames` [C, 3, H, W] (H, W the model's),
    /// as planar [frames, 3, H, W] in [-1, 1]: the state perceived at the last context
    /// frame, rolled forward, drawn with each ball's perceived radius and colour.
    public func rollout(contextFrames: [Float], frames: Int) -> [Float] {
        let H = config.height, W = config.width
        precondition(!contextFrames.isEmpty && contextFrames.count % (3 * H * W) == 0,
                     "rollout: \(contextFrames.count) floats are not planar [C,3,\(H),\(W)] frames")
        let start = perception.state(planar: contextFrames, height: H, width: W)
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

// The generic state model's law: a graph network in the manner of interaction networks and
// graph-network simulators (Battaglia et al. 2016; Sanchez-Gonzalez et al. 2020), one round
// of messages per frame over every ordered pair of balls. It is given each ball's state and
// where the walls are, and nothing of how things move — no gravity, no contact instants, no
// law of impact, no clamp to the walls. It predicts each ball's change of velocity over the
// frame and what the trapezoid rule misses of its change of position:
//
//   e_ij          = φ_R(p_j − p_i, |p_j − p_i|, u_j − u_i, r_i, r_j)     every ordered pair i ← j, i ≠ j
//   (Δu_i, δp_i)  = φ_O(u_i, r_i, x_i, W − x_i, y_i, H − y_i, Σ_j e_ij)
//   u'_i = u_i + Δu_i,    p'_i = p_i + (u_i + u'_i) / 2 + δp_i
//
// The trapezoid is exact for a constant acceleration, free flight's (δp = 0 there). In a frame
// with a bounce the velocity turns at an instant the step does not know, and the trapezoid
// alone puts the ball up to |u| off (one meeting a wall at a fraction τ of the frame ends
// |2τ − 1| |u| from it): on the validation clips of `id`, the simulator's own Δu integrated so
// is 3.0 px off at the 30th frame (data/generic-state/MODEL.md). δp is the network's to learn,
// as Δu is, from the same transitions.
// The relation reads the pair's displacement and its length (GNS's edge features), their
// relative velocity and both radii; a pair far apart must learn to say nothing.
//
// Inputs are divided by the config's scales (distanceScale for positions, distances and wall
// distances; velocityScale; radiusScale); the outputs are Δu and δp in network units, times
// `deltaScale` pixels per frame and pixels.
// Shapes: B states, N balls per state (padded), E effect width; pairs are flattened to rows
// [B·N·N] (receiver-major), balls to rows [B·N].

import Tensor
import World

// MARK: - Features

/// Features of a batch of states, already scaled; what the graph network reads.
public struct GraphBatch {
    /// B, N.
    public let examples: Int, balls: Int
    /// [B·N·N, 7] relation inputs of pair i ← j at row (b·N + i)·N + j (zeros where i = j or
    /// either ball is padding).
    public var relations: Tensor
    /// [B·N·N, 1] 1 for a pair of two distinct balls, 0 else.
    public var pairMask: Tensor
    /// [B·N, 7] object inputs (zeros for padding).
    public var objects: Tensor

    /// Features of `states`, padded to the most balls.
    public init(_ states: [WorldState], _ c: GraphNetworkConfig) {
        let B = states.count, N = max(1, states.map(\.balls.count).max() ?? 1)
        let R = GraphNetwork.relationInputs, O = GraphNetwork.objectInputs
        let sd = 1 / c.distanceScale, sv = 1 / c.velocityScale, sr = 1 / c.radiusScale
        var rel = [Float](repeating: 0, count: B * N * N * R), mask = [Float](repeating: 0, count: B * N * N)
        var obj = [Float](repeating: 0, count: B * N * O)
        for (b, s) in states.enumerated() {
            let W = Double(s.width), H = Double(s.height)
            for (i, bi) in s.balls.enumerated() {
                let p = bi.position, u = bi.velocity
                let x: [Double] = [u.x * sv, u.y * sv, bi.radius * sr, p.x * sd, (W - p.x) * sd, p.y * sd, (H - p.y) * sd]
                for k in 0..<O { obj[(b * N + i) * O + k] = Float(x[k]) }
                for (j, bj) in s.balls.enumerated() where j != i {
                    let dp = bj.position - p, du = bj.velocity - u, pair = (b * N + i) * N + j
                    let f: [Double] = [dp.x * sd, dp.y * sd, dp.length * sd, du.x * sv, du.y * sv, bi.radius * sr, bj.radius * sr]
                    for k in 0..<R { rel[pair * R + k] = Float(f[k]) }
                    mask[pair] = 1
                }
            }
        }
        examples = B
        balls = N
        relations = Tensor(shape: [B * N * N, R], values: rel)
        pairMask = Tensor(shape: [B * N * N, 1], values: mask)
        objects = Tensor(shape: [B * N, O], values: obj)
    }
}

// MARK: - The network

/// The relation and object MLPs of the generic law, with parameters by dotted name.
public struct GraphNetwork: ParameterVisitable {
    public let config: GraphNetworkConfig
    public var relation: MLP
    public var object: MLP

    /// Inputs per ordered pair and per ball, outputs per ball: Δu and δp (see the file header).
    static let relationInputs = 7, objectInputs = 7, outputs = 4

    /// A freshly initialized network (InteractionNetwork.swift's MLP init: the last layers
    /// start small, so the untrained network predicts a Δu near 0); all draws come from `rng`.
    public init(_ config: GraphNetworkConfig, rng: inout RNG) {
        self.config = config
        relation = MLP(inputs: Self.relationInputs, hidden: config.relationHidden, depth: config.relationLayers,
                       outputs: config.effectWidth, rng: &rng)
        object = MLP(inputs: Self.objectInputs + config.effectWidth, hidden: config.objectHidden,
                     depth: config.objectLayers, outputs: Self.outputs, rng: &rng)
    }

    /// Each ball row's change of velocity over a frame and correction to the trapezoid's
    /// position, (Δu, δp) in network units [B·N, 4] (times `deltaScale` for pixels per frame
    /// and pixels; padding rows are meaningless).
    public func callAsFunction(_ x: GraphBatch) -> Tensor {
        let BN = x.examples * x.balls, E = config.effectWidth
        let effects = (relation(x.relations) * x.pairMask).reshaped([BN, x.balls, E]).sum(axes: [1])  // [B·N, E]
        return object(Tensor.concatenate([x.objects, effects], axis: 1))
    }

    /// Weighted mean loss of the predicted (Δu, δp) against `target` [B·N, 4] (network units),
    /// each ball row weighted by `weight` [B·N]: squared error, or pseudo-Huber with `robust`
    /// δ > 0 (WeightedLoss.swift).
    public func loss(_ x: GraphBatch, target: Tensor, weight: Tensor, robust: Float = 0) -> Tensor {
        weightedLoss(self(x), target, weight: weight, robust: robust)
    }

    // MARK: - Stepping

    /// Every state advanced by one frame: u' = u + Δu, p' = p + (u + u')/2 + δp, balls
    /// keeping their radius, colour and order. Nothing else is imposed — a ball the network
    /// lets through a wall goes through it. The one guard is numerical: a new speed that is
    /// not finite or above `StateModel.maxSpeed` (far above any scenario's) is cut to that
    /// speed (a non-finite one to 0) before the position is integrated, and a correction δp
    /// that is not finite or longer than that is dropped, so a roll-out that runs away in a
    /// state no training clip showed stays finite.
    public func step(_ states: [WorldState]) -> [WorldState] {
        let x = GraphBatch(states, config), N = x.balls
        let out = self(x).values, scale = config.deltaScale, K = Self.outputs
        return states.enumerated().map { b, state in
            var next = state
            for i in next.balls.indices {
                let o = (b * N + i) * K, u = state.balls[i].velocity
                var u1 = u + Vec2(Double(out[o]), Double(out[o + 1])) * scale
                let speed = u1.length
                if !(speed <= StateModel.maxSpeed) { u1 = speed.isFinite ? u1 * (StateModel.maxSpeed / speed) : Vec2(0, 0) }
                var dp = Vec2(Double(out[o + 2]), Double(out[o + 3])) * scale
                if !(dp.length <= StateModel.maxSpeed) { dp = Vec2(0, 0) }
                next.balls[i].velocity = u1
                next.balls[i].position = state.balls[i].position + (u + u1) * 0.5 + dp
            }
            return next
        }
    }

    /// The radius of the lone ball `restingChange` asks about, pixels: the middle of the
    /// training scenario's radii (id: 2.5–4).
    public static let restingRadius = 3.25

    /// The network's change of velocity for a lone ball at rest in the middle of the frame,
    /// pixels per frame: what it has learned of gravity, where no wall or ball is near.
    /// Perception reads free-flight parabolas with it (StateModel.perceive).
    public var restingChange: Vec2 {
        let ball = BallState(position: Vec2(Double(config.width) / 2, Double(config.height) / 2), velocity: Vec2(0, 0),
                             radius: Self.restingRadius, color: 0)
        let du = self(GraphBatch([WorldState(width: config.width, height: config.height, balls: [ball])], config)).values
        return Vec2(Double(du[0]), Double(du[1])) * config.deltaScale
    }

    // MARK: - Parameters

    /// Every parameter by dotted name (the safetensors keys): relation.0.weight,
    /// relation.0.bias, … object.0.weight, …
    public mutating func visit(_ prefix: String, _ f: (String, inout Tensor) -> Void) {
        relation.visit(join(prefix, "relation"), f)
        object.visit(join(prefix, "object"), f)
    }

    /// Whether weight decay applies, per parameter: matrices yes, biases no.
    public var decays: [Bool] { namedParameters.map { $0.value.rank == 2 } }
}

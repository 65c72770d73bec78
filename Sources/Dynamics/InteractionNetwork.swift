// The interaction network (Battaglia et al. 2016): a relation MLP per ordered pair of balls,
// whose effects are summed per receiving ball, and an object MLP per ball that turns the
// ball's own state, its distances to the walls and the summed effects into Δv.
//
//   e_ij = φ_R(p_j − p_i, v_j − v_i, ⌊|p_j − p_i| − r_i − r_j⌋, r_i, r_j, τ_ij, n_ij, u_ij)  relation, i receives from j
//   Δv_i = φ_O(v_i, c_i, k_i, r_i, ⌊x_i − r_i⌋, ⌊W − x_i − r_i⌋, ⌊y_i − r_i⌋, ⌊H − y_i − r_i⌋,
//              τ_i^left, τ_i^right, τ_i^top, τ_i^bottom, Σ_{j≠i} e_ij)                object
//
// c_i is the ball's last change of velocity and k_i = 1 when it is known (c_i = 0, k_i = 0
// when not; see State.swift). Distances are edge to edge (to the other ball's edge, to the
// wall) and ⌊·⌋ caps them at `contactRange`: a bounce happens within the frame when the gap
// is below the approach speed, so gaps are scaled like velocities (the comparison is then a
// unit-weight one) and gaps too wide to close in a frame all look alike.
//
// A bounce inside a frame changes the next position by an amount that depends on when in the
// frame it happens, a quotient (gap over approach speed) that an MLP fits poorly. So the
// network is also given the contact times, in frames, of straight-line motion at the current
// velocity, capped at `contactHorizon`: τ_i^wall = gap / approach speed, and τ_ij the first
// time |p_j − p_i + (v_j − v_i) τ| = r_i + r_j (gravity cancels between balls), with the unit
// normal n_ij and the normal approach speed u_ij at that moment (the present ones when the
// balls do not touch within the horizon). Geometry only: the network still learns the bounce.
//   v'_i = v_i + Δv_i,   p'_i = p_i + v'_i                          integration (State.swift)
//
// Inputs are divided by the config's scales, the output multiplied by `deltaScale`.
// Shapes: B examples, N balls per example (padded), E effect width; pairs are flattened to
// rows [B·N·N] (receiver-major), balls to rows [B·N].

import Tensor
import World

// MARK: - Layers

/// y = x·W + b. Init: W ~ N(0, gain²/in), b = 0.
public struct Dense {
    /// [in, out]
    public var weight: Tensor
    /// [out]
    public var bias: Tensor

    public init(_ inputs: Int, _ outputs: Int, gain: Float = 1, rng: inout RNG) {
        weight = Tensor.randn([inputs, outputs], std: gain / Float(inputs).squareRoot(), rng: &rng)
        bias = Tensor.zeros([outputs])
    }

    /// x [..., in] → [..., out].
    public func callAsFunction(_ x: Tensor) -> Tensor { Tensor.linear(x, weight, bias) }
}

/// Dense layers with GELU between them. The last layer starts at a tenth of the usual
/// scale so that the untrained network predicts Δv ≈ 0 (constant velocity).
public struct MLP {
    public var layers: [Dense]

    /// `inputs` → `hidden` (× `depth` hidden layers) → `outputs`.
    public init(inputs: Int, hidden: Int, depth: Int, outputs: Int, rng: inout RNG) {
        var widths = [inputs] + Array(repeating: hidden, count: depth)
        widths.append(outputs)
        layers = (0..<(widths.count - 1)).map { i in
            Dense(widths[i], widths[i + 1], gain: i == widths.count - 2 ? 0.1 : 1, rng: &rng)
        }
    }

    /// x [..., inputs] → [..., outputs].
    public func callAsFunction(_ x: Tensor) -> Tensor {
        var h = x
        for (i, layer) in layers.enumerated() {
            h = layer(h)
            if i < layers.count - 1 { h = h.gelu() }
        }
        return h
    }
}

// MARK: - The network

/// Features of a batch of states, already scaled; what the network reads.
public struct InteractionBatch {
    /// B, N.
    public let examples: Int, balls: Int
    /// [B·N·N, 11] relation inputs (zeros where a pair is padding or i = j).
    public var relations: Tensor
    /// [B·N·N, 1] 1 for a real pair i ≠ j.
    public var pairMask: Tensor
    /// [B·N, 14] object inputs.
    public var objects: Tensor
    /// [B·N] 1 for a real ball.
    public var ballMask: Tensor

    /// Features of `states` (each ball's state as the network sees it), padded to the most balls.
    public init(_ states: [WorldState], _ c: InteractionConfig) {
        let B = states.count, N = max(1, states.map(\.balls.count).max() ?? 1)
        let R = InteractionNetwork.relationInputs, O = InteractionNetwork.objectInputs
        let sp = 1 / c.positionScale, sv = 1 / c.velocityScale, sr = 1 / c.radiusScale
        func gap(_ d: Double) -> Double { min(d, c.contactRange) * sv }
        let horizon = c.contactHorizon
        /// Time to close `gap` at `speed` (towards it), capped at the horizon.
        func wallTime(_ gap: Double, _ speed: Double) -> Double {
            speed > 0 ? min(max(gap, 0) / speed, horizon) : horizon
        }
        var rel = [Float](repeating: 0, count: B * N * N * R), pm = [Float](repeating: 0, count: B * N * N)
        var obj = [Float](repeating: 0, count: B * N * O), bm = [Float](repeating: 0, count: B * N)
        for (b, s) in states.enumerated() {
            let W = Double(s.width), H = Double(s.height)
            for (i, bi) in s.balls.enumerated() {
                let o = (b * N + i) * O
                let p = bi.position, r = bi.radius, v = bi.velocity, dv = bi.lastChange ?? Vec2(0, 0)
                let row: [Double] = [v.x * sv, v.y * sv, dv.x * sv, dv.y * sv,
                                     bi.lastChange == nil ? 0 : 1, r * sr,
                                     gap(p.x - r), gap(W - p.x - r), gap(p.y - r), gap(H - p.y - r),
                                     wallTime(p.x - r, -v.x), wallTime(W - p.x - r, v.x),
                                     wallTime(p.y - r, -v.y), wallTime(H - p.y - r, v.y)]
                for k in 0..<O { obj[o + k] = Float(row[k]) }
                bm[b * N + i] = 1
                for (j, bj) in s.balls.enumerated() where j != i {
                    let r = ((b * N + i) * N + j)
                    let dp = bj.position - bi.position, dv = bj.velocity - bi.velocity
                    let (tau, n) = Self.contact(dp, dv, radii: bi.radius + bj.radius, horizon: horizon)
                    let f: [Double] = [dp.x * sp, dp.y * sp, dv.x * sv, dv.y * sv,
                                       gap(dp.length - bi.radius - bj.radius), bi.radius * sr, bj.radius * sr,
                                       tau, n.x, n.y, dv.dot(n) * sv]
                    for k in 0..<R { rel[r * R + k] = Float(f[k]) }
                    pm[r] = 1
                }
            }
        }
        examples = B
        balls = N
        relations = Tensor(shape: [B * N * N, R], values: rel)
        pairMask = Tensor(shape: [B * N * N, 1], values: pm)
        objects = Tensor(shape: [B * N, O], values: obj)
        ballMask = Tensor(shape: [B * N], values: bm)
    }

    /// The first τ in [0, horizon] at which |dp + dv τ| = radii while the gap closes, and the
    /// unit normal dp + dv τ then; (horizon, the present normal) when there is none.
    static func contact(_ dp: Vec2, _ dv: Vec2, radii: Double, horizon: Double) -> (Double, Vec2) {
        let present = dp.length > 1e-9 ? dp / dp.length : Vec2(1, 0)
        let a = dv.lengthSquared, b = dp.dot(dv), c = dp.lengthSquared - radii * radii
        guard b < 0 else { return (horizon, present) }
        var tau = 0.0
        if c > 0 {
            let disc = b * b - a * c
            guard disc > 0 else { return (horizon, present) }
            tau = c / (-b + disc.squareRoot())
        }
        guard tau < horizon else { return (horizon, present) }
        let at = dp + dv * tau
        return (tau, at.length > 1e-9 ? at / at.length : present)
    }
}

/// The relation and object MLPs, with parameters by dotted name.
public struct InteractionNetwork {
    public let config: InteractionConfig
    public var relation: MLP
    public var object: MLP

    /// Inputs per pair and per ball (see the file header).
    static let relationInputs = 11, objectInputs = 14

    /// A freshly initialized network; all draws come from `rng`.
    public init(_ config: InteractionConfig, rng: inout RNG) {
        self.config = config
        relation = MLP(inputs: Self.relationInputs, hidden: config.relationHidden, depth: config.relationLayers,
                       outputs: config.effectWidth, rng: &rng)
        object = MLP(inputs: Self.objectInputs + config.effectWidth, hidden: config.objectHidden,
                     depth: config.objectLayers, outputs: 2, rng: &rng)
    }

    /// Δv in network units (times `deltaScale` for pixels per frame), [B·N, 2].
    public func callAsFunction(_ x: InteractionBatch) -> Tensor {
        let e = relation(x.relations) * x.pairMask  // [B·N·N, E]
        let effects = e.reshaped([x.examples * x.balls, x.balls, config.effectWidth]).sum(axes: [1])  // [B·N, E]
        return object(Tensor.concatenate([x.objects, effects], axis: 1))
    }

    /// Mean squared error of the predicted Δv against `target` [B·N, 2] (network units),
    /// over the balls where `mask` [B·N] is 1.
    public func loss(_ x: InteractionBatch, target: Tensor, mask: Tensor) -> Tensor {
        Tensor.maskedMSE(self(x), target, mask: mask)
    }

    // MARK: - Parameters

    /// Every parameter by dotted name (the safetensors keys), in a fixed order.
    public var namedParameters: [(name: String, value: Tensor)] {
        var out: [(String, Tensor)] = []
        for (prefix, mlp) in [("relation", relation), ("object", object)] {
            for (i, l) in mlp.layers.enumerated() {
                out.append(("\(prefix).\(i).weight", l.weight))
                out.append(("\(prefix).\(i).bias", l.bias))
            }
        }
        return out
    }

    /// The parameters in `namedParameters` order; setting requires the same shapes.
    public var parameters: [Tensor] {
        get { namedParameters.map(\.value) }
        set {
            var k = 0
            func take(_ t: inout Tensor) {
                precondition(newValue[k].shape == t.shape, "parameter \(k): shape \(newValue[k].shape), expected \(t.shape)")
                t = newValue[k]
                k += 1
            }
            for i in relation.layers.indices { take(&relation.layers[i].weight); take(&relation.layers[i].bias) }
            for i in object.layers.indices { take(&object.layers[i].weight); take(&object.layers[i].bias) }
            precondition(k == newValue.count, "\(newValue.count) parameters given, the network has \(k)")
        }
    }

    /// Whether weight decay applies, per parameter: matrices yes, biases no.
    public var decays: [Bool] { namedParameters.map { $0.value.rank == 2 } }
}

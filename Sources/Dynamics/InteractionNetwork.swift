// The interaction network (Battaglia et al. 2016): a relation MLP per ordered pair of balls,
// whose effects are summed per receiving ball, and an object MLP per ball that turns the
// ball's own state, its distances to the walls and the summed effects into Δv.
//
//   (e_ij, a_ij) = φ_R(p_j − p_i, v_j − v_i, ⌊|p_j − p_i| − r_i − r_j⌋, r_i, r_j, τ_ij, n_ij, u_ij, o_ij, τ'_ij, o'_ij)
//                                                                          relation, i receives from j
//   (f_i, w_i, w'_i) = φ_O(v_i, c_i, k_i, r_i, ⌊x_i − r_i⌋, ⌊W − x_i − r_i⌋, ⌊y_i − r_i⌋, ⌊H − y_i − r_i⌋,
//                          τ_i^left, τ_i^right, τ_i^top, τ_i^bottom, q_i, q'_i, Σ_{j≠i} e_ij)   object
//   Δv_i = f_i + w_i ⊙ q_i + w'_i ⊙ q'_i + Σ_{j≠i} (a¹ n_ij + a² o_ij n_ij + a³ (v_j − v_i) + a⁴ o'_ij n'_ij)
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
//
// A bounce's change of velocity is a product — how far straight-line motion would carry a
// ball past the contact within the frame, times a factor of restitution and masses — and a
// product of inputs is what an MLP fits worst. So the overshoots are inputs too, and the
// outputs multiply them (as EGNN's messages scale relative positions, Satorras et al. 2021):
// q_i per axis is how far past a wall straight-line motion would carry the ball this frame
// (signed, 0 when it stays clear), o_ij = (1 − τ_ij) max(0, −u_ij) how far the pair would
// close past contact along n_ij. The network learns the factors w_i and a_ij (a reflection
// is w = −2, an elastic collision a² = 2 m_j / (m_i + m_j)), and f_i the rest (gravity).
//
// A velocity measured across a bounce, v_t = p_t − p_{t−1}, holds only the share of the
// bounce after the contact; the share before it arrives in the next frame. So the same
// overshoots are taken for the frame before, (p − v, v − c) when c is known: q'_i the travel
// up to a wall the ball reached then (per axis), o'_ij = τ'_ij max(0, −u'_ij) the closing up
// to a contact the pair had then, along its normal n'_ij — what the bounce still owes.
//   v'_i = v_i + Δv_i,   p'_i = p_i + v'_i                          integration (State.swift)
//
// Gated (InteractionConfig.gated), the MLPs see only what can touch: a relation is computed
// for a pair whose edge gap is below its closing speed plus a margin (or that touched in the
// frame before), and a ball none of whose walls and pairs can be reached so (and that
// reached none in the frame before) is in free flight, Δv_i = g, one learned vector for
// every ball, as a law is; in contact the network's Δv above is added to g. Interaction
// networks and graph-network simulators likewise connect only objects within a radius.
//
// Inputs are divided by the config's scales; vectors that outputs multiply are in network
// units (divided by `deltaScale`), and Δv is the output times `deltaScale`.
// Shapes: B examples, N balls per example (padded), E effect width, K = 4 pair basis vectors;
// pairs are flattened to rows [B·N·N] (receiver-major), balls to rows [B·N].

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
    /// [B·N·N, 12] relation inputs (zeros where a pair is padding or i = j).
    public var relations: Tensor
    /// [B·N·N, 1] 1 for a real pair i ≠ j.
    public var pairMask: Tensor
    /// [B·N·N, K, 2] the vectors the relation's factors multiply: n_ij, o_ij n_ij, v_j − v_i, o'_ij n'_ij.
    public var pairBasis: Tensor
    /// [B·N, 18] object inputs.
    public var objects: Tensor
    /// [B·N, 2, 2] the wall vectors q_i and q'_i that the object's factors multiply.
    public var wallBasis: Tensor
    /// [B·N] 1 for a real ball.
    public var ballMask: Tensor
    /// Per ball row [B·N]: straight-line motion reaches a wall or another ball within the frame,
    /// or did in the frame before (gated: within the margin too).
    public var inContact: [Bool]
    /// [B·N, 1] `inContact` as 1 or 0: where a gated network's MLPs act.
    public var gate: Tensor

    /// Features of `states` (each ball's state as the network sees it), padded to the most balls.
    public init(_ states: [WorldState], _ c: InteractionConfig) {
        let B = states.count, N = max(1, states.map(\.balls.count).max() ?? 1)
        let R = InteractionNetwork.relationInputs, O = InteractionNetwork.objectInputs
        let sp = 1 / c.positionScale, sv = 1 / c.velocityScale, sr = 1 / c.radiusScale
        func gap(_ d: Double) -> Double { min(d, c.contactRange) * sv }
        let horizon = c.contactHorizon, margin = c.contactMargin
        /// Time to close `gap` at `speed` (towards it), capped at the horizon.
        func wallTime(_ gap: Double, _ speed: Double) -> Double {
            speed > 0 ? min(max(gap, 0) / speed, horizon) : horizon
        }
        let K = InteractionNetwork.pairBasisVectors, unit = 1 / c.deltaScale
        var rel = [Float](repeating: 0, count: B * N * N * R), pm = [Float](repeating: 0, count: B * N * N)
        var basis = [Float](repeating: 0, count: B * N * N * K * 2)
        var obj = [Float](repeating: 0, count: B * N * O), bm = [Float](repeating: 0, count: B * N)
        var wall = [Float](repeating: 0, count: B * N * 4), contact = [Bool](repeating: false, count: B * N)
        /// How far past the near wall straight-line motion at `speed` carries a ball `low`/`high`
        /// from the two walls of an axis, signed along the axis.
        func overshoot(low: Double, high: Double, speed: Double) -> Double {
            max(0, speed - max(high, 0)) - max(0, -speed - max(low, 0))
        }
        for (b, s) in states.enumerated() {
            let W = Double(s.width), H = Double(s.height)
            for (i, bi) in s.balls.enumerated() {
                let o = (b * N + i) * O
                let p = bi.position, r = bi.radius, v = bi.velocity, dv = bi.lastChange ?? Vec2(0, 0)
                func overshoots(_ p: Vec2, _ v: Vec2) -> Vec2 {
                    Vec2(overshoot(low: p.x - r, high: W - p.x - r, speed: v.x), overshoot(low: p.y - r, high: H - p.y - r, speed: v.y))
                }
                let q = overshoots(p, v)
                // The frame before (p − v, v − c): the travel up to a wall it reached then.
                var owed = Vec2(0, 0)
                if let c = bi.lastChange {
                    let before = v - c, qb = overshoots(p - v, before)
                    owed = Vec2(qb.x != 0 ? before.x - qb.x : 0, qb.y != 0 ? before.y - qb.y : 0)
                }
                let row: [Double] = [v.x * sv, v.y * sv, dv.x * sv, dv.y * sv,
                                     bi.lastChange == nil ? 0 : 1, r * sr,
                                     gap(p.x - r), gap(W - p.x - r), gap(p.y - r), gap(H - p.y - r),
                                     wallTime(p.x - r, -v.x), wallTime(W - p.x - r, v.x),
                                     wallTime(p.y - r, -v.y), wallTime(H - p.y - r, v.y), q.x * sv, q.y * sv,
                                     owed.x * sv, owed.y * sv]
                for k in 0..<O { obj[o + k] = Float(row[k]) }
                for (k, x) in [q.x, q.y, owed.x, owed.y].enumerated() { wall[(b * N + i) * 4 + k] = Float(x * unit) }
                contact[b * N + i] = q != Vec2(0, 0) || owed != Vec2(0, 0)
                if c.gated && (min(p.x - r, W - p.x - r) < abs(v.x) + margin || min(p.y - r, H - p.y - r) < abs(v.y) + margin) {
                    contact[b * N + i] = true
                }
                bm[b * N + i] = 1
                for (j, bj) in s.balls.enumerated() where j != i {
                    let r = ((b * N + i) * N + j)
                    let dp = bj.position - bi.position, dv = bj.velocity - bi.velocity
                    let (tau, n) = Self.contact(dp, dv, radii: bi.radius + bj.radius, horizon: horizon)
                    let u = dv.dot(n), close = tau < 1 ? (1 - tau) * max(0, -u) : 0
                    // The frame before: the closing up to a contact it had then, still owed.
                    var tauBefore = horizon, owed = 0.0, nBefore = n
                    if let ci = bi.lastChange, let cj = bj.lastChange {
                        let dvBefore = dv - (cj - ci)
                        let (t, nb) = Self.contact(dp - dv, dvBefore, radii: bi.radius + bj.radius, horizon: horizon)
                        if t < 1 { (tauBefore, owed, nBefore) = (t, t * max(0, -dvBefore.dot(nb)), nb) }
                    }
                    let f: [Double] = [dp.x * sp, dp.y * sp, dv.x * sv, dv.y * sv,
                                       gap(dp.length - bi.radius - bj.radius), bi.radius * sr, bj.radius * sr,
                                       tau, n.x, n.y, u * sv, close * sv, tauBefore, owed * sv]
                    for k in 0..<R { rel[r * R + k] = Float(f[k]) }
                    let vectors = [n, n * (close * unit), dv * unit, nBefore * (owed * unit)]
                    for (k, e) in vectors.enumerated() {
                        basis[(r * K + k) * 2] = Float(e.x)
                        basis[(r * K + k) * 2 + 1] = Float(e.y)
                    }
                    let touches = close > 0 || owed > 0
                    if touches { contact[b * N + i] = true }
                    if c.gated {
                        let near = touches || dp.length - bi.radius - bj.radius < dv.length + margin
                        if near { contact[b * N + i] = true }
                        pm[r] = near ? 1 : 0
                    } else {
                        pm[r] = 1
                    }
                }
            }
        }
        examples = B
        balls = N
        relations = Tensor(shape: [B * N * N, R], values: rel)
        pairMask = Tensor(shape: [B * N * N, 1], values: pm)
        pairBasis = Tensor(shape: [B * N * N, K, 2], values: basis)
        objects = Tensor(shape: [B * N, O], values: obj)
        wallBasis = Tensor(shape: [B * N, 2, 2], values: wall)
        ballMask = Tensor(shape: [B * N], values: bm)
        inContact = contact
        gate = Tensor(shape: [B * N, 1], values: contact.map { $0 ? 1 : 0 })
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
    /// Gated: the Δv of free flight [2], network units (learned; starts at 0).
    public var freeFlight: Tensor

    /// Inputs per pair and per ball, and the pair's basis vectors (see the file header).
    static let relationInputs = 14, objectInputs = 18, pairBasisVectors = 4

    /// A freshly initialized network; all draws come from `rng`.
    public init(_ config: InteractionConfig, rng: inout RNG) {
        self.config = config
        relation = MLP(inputs: Self.relationInputs, hidden: config.relationHidden, depth: config.relationLayers,
                       outputs: config.effectWidth + Self.pairBasisVectors, rng: &rng)
        object = MLP(inputs: Self.objectInputs + config.effectWidth, hidden: config.objectHidden,
                     depth: config.objectLayers, outputs: 6, rng: &rng)
        freeFlight = Tensor.zeros([2])
    }

    /// Δv in network units (times `deltaScale` for pixels per frame), [B·N, 2].
    public func callAsFunction(_ x: InteractionBatch) -> Tensor {
        let BN = x.examples * x.balls, E = config.effectWidth, K = Self.pairBasisVectors
        let out = relation(x.relations) * x.pairMask  // [B·N·N, E + K]
        let effects = out.slice(axis: 1, 0..<E).reshaped([BN, x.balls, E]).sum(axes: [1])  // [B·N, E]
        let factors = out.slice(axis: 1, E..<(E + K)).reshaped([BN * x.balls, K, 1])
        let pairs = (factors * x.pairBasis).reshaped([BN, x.balls * K, 2]).sum(axes: [1])  // [B·N, 2]
        let own = object(Tensor.concatenate([x.objects, effects], axis: 1))  // [B·N, 6]
        let walls = (own.slice(axis: 1, 2..<6).reshaped([BN, 2, 2]) * x.wallBasis).sum(axes: [1])  // [B·N, 2]
        let contact = own.slice(axis: 1, 0..<2) + walls + pairs
        return config.gated ? contact * x.gate + freeFlight : contact
    }

    /// Weighted mean squared error of the predicted Δv against `target` [B·N, 2] (network
    /// units), each ball row weighted by `weight` [B·N] (0 leaves it out). With `robust`
    /// δ > 0 the pseudo-Huber error δ²(√(1 + (e/δ)²) − 1) instead, e²/2 below δ and δ|e|
    /// above: the few transitions the features cannot resolve (three balls at once, an event
    /// right after another) then pull on the fit like an absolute error, not a square.
    public func loss(_ x: InteractionBatch, target: Tensor, weight: Tensor, robust: Float = 0) -> Tensor {
        guard robust > 0 else { return Tensor.maskedMSE(self(x), target, mask: weight) }
        let e = (self(x) - target) * (1 / robust)
        let h = ((e * e + 1).sqrt() - 1) * (robust * robust)
        let rows = weight.count, total = weight.values.reduce(0, +)
        let weighted = (h * weight.reshaped([rows, 1])).sum(axes: [0, 1])
        return weighted * (1 / (max(total, 1e-12) * Float(h.count / max(rows, 1))))
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
        if config.gated { out.append(("free.change", freeFlight)) }
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
            if config.gated { take(&freeFlight) }
            precondition(k == newValue.count, "\(newValue.count) parameters given, the network has \(k)")
        }
    }

    /// Whether weight decay applies, per parameter: matrices yes, biases no.
    public var decays: [Bool] { namedParameters.map { $0.value.rank == 2 } }
}

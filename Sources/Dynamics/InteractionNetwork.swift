// The interaction network (Battaglia et al. 2016) as the law of contact: a relation MLP per
// ordered pair of balls, whose effects are summed per receiving ball, and an object MLP per
// ball over its own state, its distances to the four walls and the summed effects. It is
// asked at the instant of a contact (StateModel.step finds the instant; Contact.swift) and
// says how each touching ball's velocity changes then — the impulse J_i. In free flight the
// velocity changes by g, one learned vector for every ball, as a law is.
//
//   (e_ij, A_ij) = φ_R(w_ij, |s_ij|, r_i, r_j)                    for each closing contact i ← j
//   B_i          = φ_O(u_i, r_i, w_i, ⌊gaps to the four walls⌋, Σ_j e_ij)
//   J_i          = B_i ⊙ w_i + Σ_j A_ij w_ij n_ij
//
// n_ij is the unit normal from i to j, w_ij = (u_j − u_i)·n_ij the normal speed at which
// they close (negative), s_ij the tangential one; w_i per axis is the speed at which ball i
// moves into a wall it touches (0 for an axis without one). A law of contact is a product —
// a closing speed times a factor of restitution and masses — and a product of inputs is
// what an MLP fits worst, so the outputs multiply those speeds (as EGNN's messages scale
// relative positions, Satorras et al. 2021): an elastic wall is B = −2, an elastic pair
// A = 2 m_j / (m_i + m_j), both constants for the MLPs to learn. The relation reads only
// what does not turn with the pair (speeds and radii, not directions), so it cannot tie its
// factor to an orientation: its scatter is what limits a roll-out (data/state/MODEL.md).
//
// Inputs are divided by the config's scales; the vectors the factors multiply are in network
// units (divided by `deltaScale`), and the outputs times `deltaScale` are pixels per frame.
// Shapes: B contact instants, N balls per instant (padded), E effect width; pairs are
// flattened to rows [B·N·N] (receiver-major), balls to rows [B·N].

import Tensor
import World

// MARK: - Layers

extension MLP {
    /// `inputs` → `hidden` (× `depth` hidden layers) → `outputs`, layers named "0", "1", …
    /// Init: W ~ N(0, gain²/in), b = 0, gain 1 except the last layer's, which starts at a
    /// tenth of the usual scale so that the untrained network predicts a step near free flight.
    init(inputs: Int, hidden: Int, depth: Int, outputs: Int, rng: inout RNG) {
        self.init(widths: Self.widths(inputs: inputs, hidden: hidden, depth: depth, outputs: outputs), rng: &rng) { layer in
            .normal(gain: layer == depth ? 0.1 : 1)
        }
    }

    /// The widths of that MLP, input first.
    static func widths(inputs: Int, hidden: Int, depth: Int, outputs: Int) -> [Int] {
        [inputs] + Array(repeating: hidden, count: depth) + [outputs]
    }
}

// MARK: - Features

/// Features of a batch of states at the instant of a contact, already scaled; what the
/// network reads.
public struct InteractionBatch {
    /// B, N.
    public let examples: Int, balls: Int
    /// [B·N·N, 4] relation inputs (zeros where a pair does not touch).
    public var relations: Tensor
    /// [B·N·N, 1] 1 for a pair that touches and closes.
    public var pairMask: Tensor
    /// [B·N·N, 2] w_ij n_ij, the vector the relation's factor multiplies (network units).
    public var pairBasis: Tensor
    /// [B·N, 9] object inputs.
    public var objects: Tensor
    /// [B·N, 2] w_i: per axis, the speed into a wall the ball touches (network units).
    public var wallBasis: Tensor
    /// Per ball row [B·N]: in a closing contact (with a wall or a ball) at this instant.
    public var inContact: [Bool]
    /// [B·N, 1] `inContact` as 1 or 0: where the network's impulse acts.
    public var gate: Tensor

    /// Features of `states` at an instant, padded to the most balls; the contacts are
    /// `Contact.touches` of each.
    public init(_ states: [WorldState], _ c: InteractionConfig) {
        let B = states.count, N = max(1, states.map(\.balls.count).max() ?? 1)
        let R = InteractionNetwork.relationInputs, O = InteractionNetwork.objectInputs, unit = 1 / c.deltaScale
        let sv = 1 / c.velocityScale, sr = 1 / c.radiusScale
        func gap(_ d: Double) -> Double { min(max(d, 0), c.contactRange) * sv }
        var rel = [Float](repeating: 0, count: B * N * N * R), pm = [Float](repeating: 0, count: B * N * N)
        var basis = [Float](repeating: 0, count: B * N * N * 2)
        var obj = [Float](repeating: 0, count: B * N * O), wall = [Float](repeating: 0, count: B * N * 2)
        var contact = [Bool](repeating: false, count: B * N)
        for (b, s) in states.enumerated() {
            let extent = Vec2(Double(s.width), Double(s.height))
            var w = [Vec2](repeating: Vec2(0, 0), count: s.balls.count)
            for t in Contact.touches(s) {
                let row = b * N + t.ball, bi = s.balls[t.ball]
                contact[row] = true
                if let axis = t.axis {
                    w[t.ball][axis] = bi.velocity[axis]
                    wall[row * 2 + axis] = Float(bi.velocity[axis] * unit)
                } else if let j = t.other {
                    let bj = s.balls[j], pair = row * N + j
                    let n = (bj.position - bi.position) / (bj.position - bi.position).length
                    let du = bj.velocity - bi.velocity, wn = du.dot(n), tangent = du.dot(Vec2(-n.y, n.x))
                    let f: [Double] = [wn * sv, abs(tangent) * sv, bi.radius * sr, bj.radius * sr]
                    for k in 0..<R { rel[pair * R + k] = Float(f[k]) }
                    basis[pair * 2] = Float(n.x * wn * unit)
                    basis[pair * 2 + 1] = Float(n.y * wn * unit)
                    pm[pair] = 1
                }
            }
            for (i, bi) in s.balls.enumerated() {
                let (lx, hx) = Contact.gaps(bi, axis: 0, extent: extent), (ly, hy) = Contact.gaps(bi, axis: 1, extent: extent)
                let x: [Double] = [bi.velocity.x * sv, bi.velocity.y * sv, bi.radius * sr, w[i].x * sv, w[i].y * sv,
                                   gap(lx), gap(hx), gap(ly), gap(hy)]
                for k in 0..<O { obj[(b * N + i) * O + k] = Float(x[k]) }
            }
        }
        examples = B
        balls = N
        relations = Tensor(shape: [B * N * N, R], values: rel)
        pairMask = Tensor(shape: [B * N * N, 1], values: pm)
        pairBasis = Tensor(shape: [B * N * N, 2], values: basis)
        objects = Tensor(shape: [B * N, O], values: obj)
        wallBasis = Tensor(shape: [B * N, 2], values: wall)
        inContact = contact
        gate = Tensor(shape: [B * N, 1], values: contact.map { $0 ? 1 : 0 })
    }
}

/// The relation and object MLPs and free flight's change of velocity, with parameters by
/// dotted name.
public struct InteractionNetwork: ParameterVisitable {
    public let config: InteractionConfig
    public var relation: MLP
    public var object: MLP
    /// Δu of free flight [2], network units: gravity, learned (starts at 0).
    public var freeFlight: Tensor

    /// Inputs per pair and per ball (see the file header).
    static let relationInputs = 4, objectInputs = 9

    /// A freshly initialized network; all draws come from `rng`.
    public init(_ config: InteractionConfig, rng: inout RNG) {
        self.config = config
        relation = MLP(inputs: Self.relationInputs, hidden: config.relationHidden, depth: config.relationLayers,
                       outputs: config.effectWidth + 1, rng: &rng)
        object = MLP(inputs: Self.objectInputs + config.effectWidth, hidden: config.objectHidden,
                     depth: config.objectLayers, outputs: 2, rng: &rng)
        freeFlight = Tensor.zeros([2])
    }

    /// The acceleration of free flight the network has learned, pixels per frame².
    public var gravity: Vec2 {
        let g = freeFlight.values
        return Vec2(Double(g[0]), Double(g[1])) * config.deltaScale
    }

    /// The impulse J of each ball in a contact, [B·N, 2] in network units (times `deltaScale`
    /// for pixels per frame); 0 for a ball in no contact.
    public func impulses(_ x: InteractionBatch) -> Tensor {
        let BN = x.examples * x.balls, E = config.effectWidth
        let out = relation(x.relations) * x.pairMask  // [B·N·N, E + 1]
        let effects = out.slice(axis: 1, 0..<E).reshaped([BN, x.balls, E]).sum(axes: [1])  // [B·N, E]
        let pairs = (out.slice(axis: 1, E..<(E + 1)) * x.pairBasis).reshaped([BN, x.balls, 2]).sum(axes: [1])  // [B·N, 2]
        let walls = object(Tensor.concatenate([x.objects, effects], axis: 1)) * x.wallBasis  // [B·N, 2]
        return (walls + pairs) * x.gate
    }

    /// What the law predicts for each ball row over a frame, network units [B·N, 2]: its
    /// impulse when it is in a contact, free flight's Δu (g) when not.
    public func callAsFunction(_ x: InteractionBatch) -> Tensor {
        impulses(x) + freeFlight * (1 - x.gate)
    }

    /// Weighted mean squared error of `callAsFunction`'s prediction against `target` [B·N, 2]
    /// (network units), each ball row weighted by `weight` [B·N] (0 leaves it out). With `robust`
    /// δ > 0 the pseudo-Huber error instead (WeightedLoss.swift): the few contacts the
    /// features cannot resolve (three balls at once) then pull on the fit like an absolute
    /// error, not a square.
    public func loss(_ x: InteractionBatch, target: Tensor, weight: Tensor, robust: Float = 0) -> Tensor {
        weightedLoss(self(x), target, weight: weight, robust: robust)
    }

    // MARK: - Parameters

    /// Every parameter by dotted name (the safetensors keys): relation.0.weight,
    /// relation.0.bias, … object.0.weight, … free.change.
    public mutating func visit(_ prefix: String, _ f: (String, inout Tensor) -> Void) {
        relation.visit(join(prefix, "relation"), f)
        object.visit(join(prefix, "object"), f)
        f(join(prefix, "free.change"), &freeFlight)
    }

    /// What `visit` lists for a network of `config`, without building it.
    public static func parameterShapes(_ config: InteractionConfig) -> [ParameterShape] {
        let c = config
        return MLP.parameterShapes(widths: MLP.widths(inputs: relationInputs, hidden: c.relationHidden, depth: c.relationLayers,
                                                      outputs: c.effectWidth + 1), prefix: "relation")
            + MLP.parameterShapes(widths: MLP.widths(inputs: objectInputs + c.effectWidth, hidden: c.objectHidden,
                                                     depth: c.objectLayers, outputs: 2), prefix: "object")
            + [("free.change", [2])]
    }

    /// Whether weight decay applies, per parameter: matrices yes, biases no.
    public var decays: [Bool] { namedParameters.map { $0.value.rank == 2 } }
}

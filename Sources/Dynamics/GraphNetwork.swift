// The generic state model's law: a graph network in the manner of interaction networks and
// graph-network simulators (Battaglia et al. 2016; Sanchez-Gonzalez et al. 2020), one round
// of messages per frame over every ordered pair of balls, in the flat world (d = 2, the walls
// are the image borders) and in the 3D box (d = 3, six walls). It is given each ball's state
// and where the walls are, and nothing of how things move — no gravity, no contact instants,
// no law of impact, no clamp to the walls. It predicts each ball's change of velocity over
// the frame and what the trapezoid rule misses of its change of position:
//
//   e_ij          = φ_R(p_j − p_i, |p_j − p_i|, u_j − u_i, r_i, r_j)     every ordered pair i ← j, i ≠ j
//   (Δu_i, δp_i)  = φ_O(u_i, r_i, p_i,1, E_1 − p_i,1, …, p_i,d, E_d − p_i,d, Σ_j e_ij)
//   u'_i = u_i + Δu_i,    p'_i = p_i + (u_i + u'_i) / 2 + δp_i
//
// (or, with the config's positionStep `velocity`, p'_i = p_i + u_i + δp_i: PositionStep).
// (E the box's extents: a ball reads its distance to both walls of every axis.) The trapezoid
// is exact for a constant acceleration, free flight's (δp = 0 there). In a frame with a bounce
// the velocity turns at an instant the step does not know, and the trapezoid alone puts the
// ball up to |u| off (one meeting a wall at a fraction τ of the frame ends |2τ − 1| |u| from
// it): on the validation clips of `id`, the simulator's own Δu integrated so is 3.0 px off at
// the 30th frame (data/generic-state/MODEL.md). δp is the network's to learn, as Δu is, from
// the same transitions.
// The relation reads the pair's displacement and its length (GNS's edge features), their
// relative velocity and both radii; a pair far apart must learn to say nothing.
//
// With the config's `relationReadsBalls` the relation also reads o_i and o_j, both balls' own
// inputs as the object MLP reads them (velocity, radius, position and distances to the walls;
// the last two divided by `ballDistanceScale`), after the pair's: in a frame where one ball
// bounces off a wall and then meets the other, the pair's effect depends on that bounce,
// which the pair's own inputs cannot see.
//
// With the config's `substeps` K > 1 a frame is K steps of the same form, each of 1/K of a
// frame: u_{k+1} = u_k + Δu_k, p_{k+1} = p_k + (u_k + u_{k+1}) / 2K + δp_k (or u_k / K + δp_k),
// every substep reading the state the last one left. A bounce or a collision is then a
// jump over a K-th of the frame, and a frame that holds a bounce and then a collision takes
// them one after the other. Only whole frames are observed, so training compares the state
// after the K-th substep with the next frame's, through all K (`frame`); the features are
// then built from tensors (`GraphBatch.inputs`), so that gradients pass through them.
//
// With the config's `pairFrame` the relation reads the pair in its own frame instead: n the
// unit vector from i to j, t the unit vector of the relative velocity's part across n (0 when
// it has none), and the inputs are the invariants |p_j − p_i|, (u_j − u_i)·n, |(u_j − u_i)
// across n|, r_i, r_j. Its effect is read as E/2 pairs (a_k, b_k) and sent as the vectors
// a_k n + b_k t, in the world's axes: the same pair turned any way says the same thing,
// turned with it. That is the isotropy of space for a pair, given; what a pair does is still
// learned.
//
// Inputs are divided by the config's scales (distanceScale for positions, distances and wall
// distances; velocityScale; radiusScale); the outputs are Δu and δp in network units, times
// `deltaScale` (pixels per frame and pixels, or box units). The world's own parts — its
// config and its state type — are GenericStateConfig.swift and GraphNetwork3D.swift.
// Shapes: B states, N balls per state (padded), E effect width, d dimensions; pairs are
// flattened to rows [B·N·N] (receiver-major), balls to rows [B·N].

import Tensor
import World

// MARK: - What a graph network reads

/// A world's state as the graph network reads and steps it: the flat world's `WorldState`
/// (d = 2) and the box's `WorldState3D` (d = 3).
public protocol GraphState {
    /// A position or velocity: Vec2 or Vec3.
    associatedtype Vector: SIMD where Vector.Scalar == Double
    /// The walls: at 0 and at this extent on each axis.
    var walls: Vector { get }
    var ballCount: Int { get }
    /// Ball `i`'s centre, velocity and radius.
    func ball(_ i: Int) -> (position: Vector, velocity: Vector, radius: Double)
    /// Ball `i` moved to `position` with `velocity`, all else kept.
    mutating func move(_ i: Int, to position: Vector, velocity: Vector)
}

/// A graph network's architecture config in one world: the MLPs' shape and the scales that
/// bring inputs and outputs to O(1) (GraphNetworkConfig for the flat world,
/// GraphNetworkConfig3D for the box).
public protocol GraphArchitecture: Codable, Equatable, Sendable {
    /// The states of its world.
    associatedtype State: GraphState
    /// Hidden width and number of hidden layers of the relation MLP (per ordered ball pair).
    var relationHidden: Int { get set }
    var relationLayers: Int { get set }
    /// Width of a relation's effect, summed over senders.
    var effectWidth: Int { get set }
    /// Hidden width and number of hidden layers of the object MLP (per ball).
    var objectHidden: Int { get set }
    var objectLayers: Int { get set }
    /// Inputs are divided by these: displacements, distances and distances to the walls;
    /// velocities; radii.
    var distanceScale: Double { get set }
    var velocityScale: Double { get set }
    var radiusScale: Double { get set }
    /// The network's outputs times this are Δu and δp.
    var deltaScale: Double { get set }
    /// How the new position is formed from δp (PositionStep).
    var positionStep: PositionStep { get set }
    /// Whether the relation reads each pair in its own frame (`GraphBatch`): what a pair does
    /// is then the same whichever way the line of its centres points.
    var pairFrame: Bool { get set }
    /// Whether the relation also reads both balls' own inputs, the object MLP's (velocity,
    /// radius, position and distances to the walls): as an interaction network's relation
    /// reads both objects, so that a pair knows when one of its balls is about to meet a wall.
    var relationReadsBalls: Bool { get set }
    /// The relation reads those balls' positions and distances to the walls divided by this,
    /// not by `distanceScale`: coarser, because those inputs span the whole box and its first
    /// layer is shared by every pair; in pixels they swamp the pair's own (MODEL.md).
    var ballDistanceScale: Double { get set }
    /// Steps per frame (1: the frame in one step). Each substep reads the state it is given
    /// and moves it by 1/substeps of a frame; only whole frames are observed, so training runs
    /// through all of a frame's substeps (`GraphNetwork.frame`).
    var substeps: Int { get }
}

extension GraphArchitecture {
    /// A world whose config has no `substeps` steps a frame at once.
    public var substeps: Int { 1 }
}

/// How a graph network's step forms the new position from its second output δp.
public enum PositionStep: String, Codable, Sendable, CaseIterable {
    /// p' = p + (u + u')/2 + δp: the trapezoid, exact in free flight (δp = 0 there); across a
    /// bounce δp jumps with u'.
    case trapezoid
    /// p' = p + u + δp: δp is the whole change of position beyond the old velocity's (g/2 in
    /// free flight). It is continuous across a bounce — a ball meeting the wall at the very
    /// end of the frame ends at the wall either way — so a bounce the network places only in
    /// part leaves the velocity wrong, not the position.
    case velocity
}

extension GraphArchitecture {
    /// Dimensions of a position: 2 or 3.
    public static var dimensions: Int { State.Vector.scalarCount }

    /// These scales with the MLPs of the tiny presets, which train in seconds: 32 wide, one
    /// hidden layer each, effects 16 wide.
    public var tiny: Self {
        var c = self
        (c.relationHidden, c.relationLayers, c.effectWidth, c.objectHidden, c.objectLayers) = (32, 1, 16, 32, 1)
        return c
    }

    /// Problems a user can cause in the MLPs' shape and the scales, as one readable line.
    public func architectureValidationError() -> String? {
        for (name, v) in [("relationHidden", relationHidden), ("effectWidth", effectWidth), ("objectHidden", objectHidden)]
        where v < 1 || v > 4096 { return "\(name) must be in 1...4096, got \(v)" }
        if relationLayers < 1 || relationLayers > 8 { return "relationLayers must be in 1...8, got \(relationLayers)" }
        if pairFrame && effectWidth % 2 != 0 { return "effectWidth must be even with pairFrame (half along the pair, half across), got \(effectWidth)" }
        if objectLayers < 1 || objectLayers > 8 { return "objectLayers must be in 1...8, got \(objectLayers)" }
        if substeps < 1 || substeps > 16 { return "substeps must be in 1...16, got \(substeps)" }
        if substeps > 1 && (pairFrame || relationReadsBalls) {
            return "substeps above 1 read pairs in the world's axes alone: pairFrame and relationReadsBalls must be off"
        }
        for (name, v) in [("distanceScale", distanceScale), ("velocityScale", velocityScale), ("radiusScale", radiusScale),
                          ("deltaScale", deltaScale), ("ballDistanceScale", ballDistanceScale)] where !(v > 0 && v.isFinite) {
            return "\(name) must be > 0, got \(v)"
        }
        return nil
    }
}

// MARK: - Features

/// Features of a batch of states, already scaled; what the graph network reads.
public struct GraphBatch {
    /// B, N.
    public let examples: Int, balls: Int
    /// [B·N·N, R] relation inputs of pair i ← j at row (b·N + i)·N + j (zeros where i = j or
    /// either ball is padding): R = 2d + 3 (or 5 in the pair frame), and 2(3d + 1) more with
    /// `relationReadsBalls`.
    public var relations: Tensor
    /// [B·N·N, 1] 1 for a pair of two distinct balls, 0 else.
    public var pairMask: Tensor
    /// [B·N, 3d + 1] object inputs (zeros for padding).
    public var objects: Tensor
    /// With a pair frame, per pair row [B·N·N, d]: n, the unit vector from i to j, and t, the
    /// unit vector of the relative velocity across n (zeros where it has none, and for padding).
    public var normal: Tensor?, tangent: Tensor?
    /// The states themselves, per ball row (zeros for padding), for a network that steps in
    /// substeps: positions and velocities [B·N, d], the walls' extents [B·N, d], 1 for a ball
    /// [B·N, 1]; and per pair row both radii [B·N·N, 2] (zeros where the pair mask is).
    public var positions: Tensor, velocities: Tensor, extents: Tensor, ballMask: Tensor, pairRadii: Tensor
    /// The true state after the frame per ball row [B·N, 2d] — velocity, then position (its
    /// input noise carried along) — when the batch is a training batch.
    public var next: Tensor?

    /// Features of `states`, padded to the most balls.
    public init<C: GraphArchitecture>(_ states: [C.State], _ c: C) {
        let B = states.count, N = max(1, states.map(\.ballCount).max() ?? 1), d = C.dimensions
        let R = GraphNetwork<C>.relationInputs(c), O = GraphNetwork<C>.objectInputs
        let sd = 1 / c.distanceScale, sv = 1 / c.velocityScale, sr = 1 / c.radiusScale
        var rel = [Float](repeating: 0, count: B * N * N * R), mask = [Float](repeating: 0, count: B * N * N)
        var obj = [Float](repeating: 0, count: B * N * O)
        var normal = [Float](repeating: 0, count: c.pairFrame ? B * N * N * d : 0), tangent = normal
        var position = [Float](repeating: 0, count: B * N * d), velocity = position, extent = position
        var ball = [Float](repeating: 0, count: B * N), radii = [Float](repeating: 0, count: B * N * N * 2)
        let own = GraphNetwork<C>.pairInputs(c)  // the pair's own inputs; both balls' follow
        let coarse = Float(c.distanceScale / c.ballDistanceScale)  // a ball's position and walls, as a relation reads them
        for (b, s) in states.enumerated() {
            let walls = s.walls
            for i in 0..<s.ballCount {
                let (p, u, r) = s.ball(i), row = (b * N + i) * O
                for k in 0..<d {
                    obj[row + k] = Float(u[k] * sv)
                    obj[row + d + 1 + 2 * k] = Float(p[k] * sd)
                    obj[row + d + 2 + 2 * k] = Float((walls[k] - p[k]) * sd)
                }
                obj[row + d] = Float(r * sr)
                for k in 0..<d {
                    position[(b * N + i) * d + k] = Float(p[k])
                    velocity[(b * N + i) * d + k] = Float(u[k])
                    extent[(b * N + i) * d + k] = Float(walls[k])
                }
                ball[b * N + i] = 1
            }
            for i in 0..<s.ballCount {
                let (p, u, r) = s.ball(i)
                for j in 0..<s.ballCount where j != i {
                    let (q, w, rj) = s.ball(j), dp = q - p, du = w - u, pair = (b * N + i) * N + j
                    let distance = (dp * dp).sum().squareRoot()
                    mask[pair] = 1
                    (radii[2 * pair], radii[2 * pair + 1]) = (Float(r), Float(rj))
                    if c.relationReadsBalls {
                        for (slot, ball) in [i, j].enumerated() {
                            let from = (b * N + ball) * O, to = pair * R + own + slot * O
                            for k in 0..<O { rel[to + k] = obj[from + k] * (k > d ? coarse : 1) }
                        }
                    }
                    if c.pairFrame {
                        let n = distance > 0 ? dp / distance : C.State.Vector()
                        let along = (du * n).sum(), across = du - along * n
                        let acrossLength = (across * across).sum().squareRoot()
                        let t = acrossLength > 1e-12 ? across / acrossLength : C.State.Vector()
                        for (k, x) in [distance * sd, along * sv, acrossLength * sv, r * sr, rj * sr].enumerated() {
                            rel[pair * R + k] = Float(x)
                        }
                        for k in 0..<d {
                            normal[pair * d + k] = Float(n[k])
                            tangent[pair * d + k] = Float(t[k])
                        }
                        continue
                    }
                    for k in 0..<d {
                        rel[pair * R + k] = Float(dp[k] * sd)
                        rel[pair * R + d + 1 + k] = Float(du[k] * sv)
                    }
                    rel[pair * R + d] = Float(distance * sd)
                    rel[pair * R + 2 * d + 1] = Float(r * sr)
                    rel[pair * R + 2 * d + 2] = Float(rj * sr)
                }
            }
        }
        examples = B
        balls = N
        relations = Tensor(shape: [B * N * N, R], values: rel)
        pairMask = Tensor(shape: [B * N * N, 1], values: mask)
        objects = Tensor(shape: [B * N, O], values: obj)
        if c.pairFrame {
            self.normal = Tensor(shape: [B * N * N, d], values: normal)
            self.tangent = Tensor(shape: [B * N * N, d], values: tangent)
        }
        positions = Tensor(shape: [B * N, d], values: position)
        velocities = Tensor(shape: [B * N, d], values: velocity)
        extents = Tensor(shape: [B * N, d], values: extent)
        ballMask = Tensor(shape: [B * N, 1], values: ball)
        pairRadii = Tensor(shape: [B * N * N, 2], values: radii)
    }

    /// The relation and object inputs of positions `p` and velocities `u` [B·N, d] (rows as
    /// this batch's), laid out as `init` lays them out, built from tensors so that gradients
    /// pass through them: what a substep reads of the state the last one left. In the world's
    /// axes, without the balls' own inputs in the relation (a config with substeps has neither).
    public func inputs<C: GraphArchitecture>(_ p: Tensor, _ u: Tensor, _ c: C) -> (relations: Tensor, objects: Tensor) {
        let B = examples, N = balls, d = C.dimensions
        let sd = Float(1 / c.distanceScale), sv = Float(1 / c.velocityScale), sr = Float(1 / c.radiusScale)
        func pairs(_ x: Tensor) -> Tensor {  // x_j − x_i at row (b·N + i)·N + j
            (x.reshaped([B, 1, N, d]) - x.reshaped([B, N, 1, d])).reshaped([B * N * N, d])
        }
        let dp = pairs(p), du = pairs(u)
        let distance = ((dp * dp).sum(axes: [1], keepDims: true) + 1e-12).sqrt()
        let relations = Tensor.concatenate([dp * sd, distance * sd, du * sv, pairRadii * sr], axis: 1) * pairMask
        var parts = [u * sv, objects.slice(axis: 1, d..<(d + 1))]  // the radius column, already scaled
        for k in 0..<d {
            let x = p.slice(axis: 1, k..<(k + 1))
            parts += [x * sd, (extents.slice(axis: 1, k..<(k + 1)) - x) * sd]
        }
        return (relations, Tensor.concatenate(parts, axis: 1) * ballMask)
    }
}

// MARK: - The network

/// The relation and object MLPs of the generic law in the world of `Config`, with parameters
/// by dotted name.
public struct GraphNetwork<Config: GraphArchitecture>: ParameterVisitable {
    public let config: Config
    public var relation: MLP
    public var object: MLP

    /// Inputs per ordered pair (of `c`: in the world's axes or in the pair's frame) and per
    /// ball, outputs per ball: Δu and δp (see the file header).
    static func relationInputs(_ c: Config) -> Int { pairInputs(c) + (c.relationReadsBalls ? 2 * objectInputs : 0) }
    /// The pair's own inputs, the first of a relation's: in the world's axes or in the pair's frame.
    static func pairInputs(_ c: Config) -> Int { c.pairFrame ? 5 : 2 * Config.dimensions + 3 }
    static var objectInputs: Int { 3 * Config.dimensions + 1 }
    static var outputs: Int { 2 * Config.dimensions }
    /// Width of the summed effects the object MLP reads: the relation's E, or with a pair
    /// frame its E/2 vectors in the world's d axes.
    static func effectInputs(_ c: Config) -> Int { c.pairFrame ? c.effectWidth / 2 * Config.dimensions : c.effectWidth }

    /// A freshly initialized network (InteractionNetwork.swift's MLP init: the last layers
    /// start small, so the untrained network predicts a Δu near 0); all draws come from `rng`.
    public init(_ config: Config, rng: inout RNG) {
        self.config = config
        relation = MLP(inputs: Self.relationInputs(config), hidden: config.relationHidden, depth: config.relationLayers,
                       outputs: config.effectWidth, rng: &rng)
        object = MLP(inputs: Self.objectInputs + Self.effectInputs(config), hidden: config.objectHidden,
                     depth: config.objectLayers, outputs: Self.outputs, rng: &rng)
    }

    /// Each ball row's change of velocity over a frame and correction to the trapezoid's
    /// position, (Δu, δp) in network units [B·N, 2d] (times `deltaScale` for the world's units;
    /// padding rows are meaningless).
    public func callAsFunction(_ x: GraphBatch) -> Tensor {
        self(x, relations: x.relations, objects: x.objects)
    }

    /// The same from relation and object inputs laid out as `x`'s (`GraphBatch.inputs`).
    func callAsFunction(_ x: GraphBatch, relations: Tensor, objects: Tensor) -> Tensor {
        let BN = x.examples * x.balls, E = config.effectWidth, W = Self.effectInputs(config)
        var messages = relation(relations) * x.pairMask  // [B·N·N, E]
        if let n = x.normal, let t = x.tangent {
            // (a_k, b_k) → a_k n + b_k t, axis by axis: [B·N·N, E/2] per axis, side by side.
            let a = messages.slice(axis: 1, 0..<(E / 2)), b = messages.slice(axis: 1, (E / 2)..<E)
            messages = Tensor.concatenate((0..<Config.dimensions).map { k in
                a * n.slice(axis: 1, k..<(k + 1)) + b * t.slice(axis: 1, k..<(k + 1))
            }, axis: 1)
        }
        let effects = messages.reshaped([BN, x.balls, W]).sum(axes: [1])  // [B·N, W]
        return object(Tensor.concatenate([objects, effects], axis: 1))
    }

    /// The state after one frame of `config.substeps` steps from `x`'s positions and
    /// velocities, as tensors [B·N, d] each, through which gradients pass (see the file
    /// header). No guard on runaway speeds: this is what training reads.
    public func frame(_ x: GraphBatch) -> (positions: Tensor, velocities: Tensor) {
        let d = Config.dimensions, K = config.substeps, scale = Float(config.deltaScale)
        var p = x.positions, u = x.velocities
        for _ in 0..<K {
            let (relations, objects) = x.inputs(p, u, config)
            let out = self(x, relations: relations, objects: objects)
            let u1 = u + out.slice(axis: 1, 0..<d) * scale
            let drift = config.positionStep == .trapezoid ? (u + u1) * 0.5 : u
            p = p + drift * (1 / Float(K)) + out.slice(axis: 1, d..<(2 * d)) * scale
            u = u1
        }
        return (p, u)
    }

    /// Weighted mean loss of the predicted (Δu, δp) against `target` [B·N, 2d] (network units),
    /// each ball row weighted by `weight` [B·N]: squared error, or pseudo-Huber with `robust`
    /// δ > 0 (WeightedLoss.swift).
    public func loss(_ x: GraphBatch, target: Tensor, weight: Tensor, robust: Float = 0) -> Tensor {
        weightedLoss(self(x), target, weight: weight, robust: robust)
    }

    /// With substeps, the weighted mean loss of the state after the frame (`frame`) against
    /// the true next state `x.next`, velocity and position, in network units (÷ deltaScale).
    public func frameLoss(_ x: GraphBatch, weight: Tensor, robust: Float = 0) -> Tensor {
        guard let next = x.next else { preconditionFailure("frameLoss needs a training batch (GraphBatch.next)") }
        let (p, u) = frame(x), unit = Float(1 / config.deltaScale)
        return weightedLoss(Tensor.concatenate([u, p], axis: 1) * unit, next * unit, weight: weight, robust: robust)
    }

    // MARK: - Stepping

    /// Every state advanced by one frame: u' = u + Δu, p' = p + (u + u')/2 + δp, balls
    /// keeping their radius, colour and order. Nothing else is imposed — a ball the network
    /// lets through a wall goes through it. The one guard is numerical: a new speed that is
    /// not finite or above `StateModel.maxSpeed` (far above any scenario's) is cut to that
    /// speed (a non-finite one to 0) before the position is integrated, and a correction δp
    /// that is not finite or longer than that is dropped, so a roll-out that runs away in a
    /// state no training clip showed stays finite. With substeps, each is such a step over a
    /// K-th of the frame, guarded alike.
    public func step(_ states: [Config.State]) -> [Config.State] {
        (0..<config.substeps).reduce(states) { s, _ in substep(s) }
    }

    /// One substep: a whole frame (`step`) without substeps, a K-th of one with K.
    func substep(_ states: [Config.State]) -> [Config.State] {
        let x = GraphBatch(states, config), N = x.balls, d = Config.dimensions, fraction = 1 / Double(config.substeps)
        let out = self(x).values, scale = config.deltaScale, K = Self.outputs, limit = StateModel.maxSpeed
        func vector(_ o: Int) -> Config.State.Vector {
            var v = Config.State.Vector()
            for k in 0..<d { v[k] = Double(out[o + k]) * scale }
            return v
        }
        return states.enumerated().map { b, state in
            var next = state
            for i in 0..<state.ballCount {
                let o = (b * N + i) * K, (p, u, _) = state.ball(i)
                var u1 = u + vector(o)
                let speed = (u1 * u1).sum().squareRoot()
                if !(speed <= limit) { u1 = speed.isFinite ? u1 * (limit / speed) : Config.State.Vector() }
                var dp = vector(o + d)
                if !((dp * dp).sum().squareRoot() <= limit) { dp = Config.State.Vector() }
                let drift = config.positionStep == .trapezoid ? (u + u1) * 0.5 : u
                next.move(i, to: p + drift * fraction + dp, velocity: u1)
            }
            return next
        }
    }

    /// The network's change of velocity over a frame for each ball of `state`, in the world's
    /// units (`deltaScale` applied).
    public func velocityChanges(_ state: Config.State) -> [Config.State.Vector] {
        let out = self(GraphBatch([state], config)).values, d = Config.dimensions
        return (0..<state.ballCount).map { i in
            var v = Config.State.Vector()
            for k in 0..<d { v[k] = Double(out[i * Self.outputs + k]) * config.deltaScale }
            return v
        }
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

// MARK: - The flat world

extension WorldState: GraphState {
    public var walls: Vec2 { Vec2(Double(width), Double(height)) }
    public var ballCount: Int { balls.count }
    public func ball(_ i: Int) -> (position: Vec2, velocity: Vec2, radius: Double) {
        (balls[i].position, balls[i].velocity, balls[i].radius)
    }
    public mutating func move(_ i: Int, to position: Vec2, velocity: Vec2) {
        balls[i].position = position
        balls[i].velocity = velocity
    }
}

extension GraphNetwork where Config == GraphNetworkConfig {
    /// The radius of the lone ball `restingChange` asks about, pixels: the middle of the
    /// training scenario's radii (id: 2.5–4).
    public static var restingRadius: Double { 3.25 }

    /// The network's change of velocity for a lone ball at rest in the middle of the frame,
    /// pixels per frame: what it has learned of gravity, where no wall or ball is near.
    /// Perception reads free-flight parabolas with it (StateModel.perceive). Over the whole
    /// frame: with substeps, all of them.
    public var restingChange: Vec2 {
        let ball = BallState(position: Vec2(Double(config.width) / 2, Double(config.height) / 2), velocity: Vec2(0, 0),
                             radius: Self.restingRadius, color: 0)
        return step([WorldState(width: config.width, height: config.height, balls: [ball])])[0].balls[0].velocity
    }
}

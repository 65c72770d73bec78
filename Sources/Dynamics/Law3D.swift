// The structured state model's law in the 3D box: the flat model's three learned things, in
// 3D. Free flight is one acceleration g (a 3-vector); at a contact each touching ball's
// velocity changes by
//
//   J_i = B w_i + A Σ_j w_ij n_ij                                  (Contact3D.Features)
//
// a wall factor B times the speeds at which it moves into the walls it touches, and a pair
// factor A times the closing speeds along the normals. An elastic world is B = −2 and
// A = 2 m_j / (m_i + m_j); every ball of a box has the same radius and mass, so A = 1 and the
// flat model's pair factor of two radii is one constant here. So the law is three constants:
// g, B and A. Given, not learned: the parabola of free flight, the contact instants from the
// simulator's event geometry, impulses along the normal with no friction, the walls where the
// box has them and a clamp inside them (StateModel3D.step).
//
// `LearnedLaw3D` holds the three as parameters, trained by the one optimizer step
// (StateTrainer3D); `Law3D` is their values, what a step reads.

import Tensor
import World

/// The law's constants: free flight's acceleration, the wall factor and the pair factor.
public struct Law3D: Equatable, Sendable {
    /// g, box units per frame².
    public var gravity: Vec3
    /// B: an elastic wall is −2.
    public var wall: Double
    /// A: an elastic pair of equal masses is 1.
    public var pair: Double

    public init(gravity: Vec3, wall: Double, pair: Double) {
        self.gravity = gravity
        self.wall = wall
        self.pair = pair
    }

    /// The law of an elastic box under `gravity`, its constants written in: on `depth` its
    /// step is the simulator's, and what a learned law scores against it is what learning the
    /// three constants costs.
    public static func handSet(gravity: Vec3) -> Law3D { Law3D(gravity: gravity, wall: -2, pair: 1) }

    /// The change of velocity of a ball in a contact (`features.inContact`), box units per frame.
    public func impulse(_ features: Contact3D.Features) -> Vec3 { wall * features.wall + pair * features.pair }
}

/// What a batch of examples gives the law to read, per ball row [R] (R balls of every example,
/// no padding): the rows a loss compares.
public struct LawBatch3D {
    /// [R, 3] w_i, [R, 3] Σ_j w_ij n_ij, [R, 1] 1 in a contact, 0 in free flight.
    public var wall: Tensor, pair: Tensor, gate: Tensor

    /// The rows of `features`, one per ball.
    public init(_ features: [Contact3D.Features]) {
        let R = features.count
        wall = Tensor(shape: [R, 3], values: features.flatMap { f in (0..<3).map { Float(f.wall[$0]) } })
        pair = Tensor(shape: [R, 3], values: features.flatMap { f in (0..<3).map { Float(f.pair[$0]) } })
        gate = Tensor(shape: [R, 1], values: features.map { $0.inContact ? 1 : 0 })
    }
}

/// The law's three constants as parameters by name: free.change (g, [3]), wall.factor ([1])
/// and pair.factor ([1]). They start at 0: no gravity, no bounce.
public struct LearnedLaw3D: ParameterVisitable {
    public var gravity = Tensor.zeros([3])
    public var wall = Tensor.zeros([1])
    public var pair = Tensor.zeros([1])

    public init() {}

    /// The constants a step reads.
    public var law: Law3D {
        let g = gravity.values
        return Law3D(gravity: Vec3(Double(g[0]), Double(g[1]), Double(g[2])), wall: Double(wall.values[0]),
                     pair: Double(pair.values[0]))
    }

    /// What the law predicts for each row over a frame, [R, 3]: its impulse in a contact,
    /// free flight's Δu (g) out of one.
    public func callAsFunction(_ x: LawBatch3D) -> Tensor {
        (x.wall * wall + x.pair * pair) * x.gate + gravity.reshaped([1, 3]) * (1 - x.gate)
    }

    /// Weighted loss of the prediction against `target` [R, 3] (box units per frame), each
    /// row weighted by `weight` [R]: the squared error with `robust` 0, else pseudo-Huber of
    /// δ = `robust` (WeightedLoss.swift).
    public func loss(_ x: LawBatch3D, target: Tensor, weight: Tensor, robust: Float = 0) -> Tensor {
        weightedLoss(self(x), target, weight: weight, robust: robust)
    }

    public mutating func visit(_ prefix: String, _ f: (String, inout Tensor) -> Void) {
        f(join(prefix, "free.change"), &gravity)
        f(join(prefix, "wall.factor"), &wall)
        f(join(prefix, "pair.factor"), &pair)
    }
}

// The structured state model's law with its three learned constants set by hand: free flight
// under a given g, an elastic wall (B = −2) and an elastic pair of discs whose mass is their
// area (A_ij = 2 m_j / (m_i + m_j), m = r²). Everything else is the structured law's own — the
// contact instants, the impulse along the normal, the clamp — so on `id` (elastic, g = (0, 0.1))
// its step is the simulator's, and what the learned model scores against it is what learning
// the three constants costs. It is an ablation: it has no parameters and no checkpoint.
//
//   J_i = −2 w_i + Σ_j 2 r_j² / (r_i² + r_j²) · w_ij n_ij          (InteractionNetwork.swift's terms)

import Tensor
import World

/// What the event-driven step (StateModel.step) asks of a law of contact: the acceleration of
/// free flight, and the impulse of each ball in a contact.
public protocol ContactLaw {
    var config: InteractionConfig { get }
    /// Free flight's acceleration, pixels per frame².
    var gravity: Vec2 { get }
    /// The impulse of each ball row of `x`, [B·N, 2] in network units; 0 out of contact.
    func impulses(_ x: InteractionBatch) -> Tensor
}

extension InteractionNetwork: ContactLaw {}

/// The law of contact of an elastic world, its constants written in.
public struct HandSetLaw: ContactLaw, Sendable {
    public let config: InteractionConfig
    public let gravity: Vec2

    /// The law for frames of `config`'s size under `gravity` (pixels per frame²).
    public init(_ config: InteractionConfig, gravity: Vec2) {
        self.config = config
        self.gravity = gravity
    }

    public func impulses(_ x: InteractionBatch) -> Tensor {
        let N = x.balls, walls = x.wallBasis.values, basis = x.pairBasis.values, mask = x.pairMask.values
        let radii = x.relations.values, R = x.relations.shape[1]
        var out = [Float](repeating: 0, count: x.examples * N * 2)
        for row in 0..<(x.examples * N) where x.inContact[row] {
            var j = (-2 * walls[row * 2], -2 * walls[row * 2 + 1])
            for other in 0..<N {
                let pair = row * N + other
                guard mask[pair] > 0 else { continue }
                // The relation's inputs hold both radii (scaled alike: the ratio is what counts).
                let ri = radii[pair * R + 2], rj = radii[pair * R + 3]
                let a = 2 * rj * rj / (ri * ri + rj * rj)
                j.0 += a * basis[pair * 2]
                j.1 += a * basis[pair * 2 + 1]
            }
            (out[row * 2], out[row * 2 + 1]) = j
        }
        return Tensor(shape: [x.examples * N, 2], values: out)
    }
}

extension StateModel {
    /// The structured state model of `config` with its constants set by hand for a world of
    /// gravity `gravity` (pixels per frame²).
    public static func handSet(_ config: InteractionConfig, gravity: Vec2) -> StateModel {
        StateModel(law: .handSet(HandSetLaw(config, gravity: gravity)))
    }
}

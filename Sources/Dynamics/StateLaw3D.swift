// The law a state model in the 3D box steps with, of one of the two kinds (StateLaw.swift):
//
//   structured  three constants (Law3D) on the simulator's event geometry: free flight on the
//               exact parabola, contact instants from geometry (Contact3D), an impulse at each.
//   generic     a graph network over every ordered pair of balls (GraphNetwork.swift), one
//               step per frame: given the state and where the six walls are, it learns the
//               rest, gravity and bounces included.
//
// Perception, roll-out, drawing and scores are the same for both (StateModel3D.swift); a
// checkpoint folder's format tag says which it holds (StateModelKind.format3D).

import World

/// Which law a 3D state model steps with.
public enum StateLaw3D: @unchecked Sendable {  // a network's tensors are copy-on-write values a roll-out only reads
    case structured(Law3D)
    case generic(GraphNetwork<GraphNetworkConfig3D>)

    public var kind: StateModelKind {
        switch self {
        case .structured: return .structured
        case .generic: return .generic
        }
    }

    /// The acceleration of free flight perception reads falls and parabolas with, box units
    /// per frame²: the structured law's g; for the generic law, which has no g, its change of
    /// velocity for a lone ball at rest in the middle of a box of `extent`
    /// (GraphNetwork.restingChange(in:)).
    public func gravity(in extent: Vec3) -> Vec3 {
        switch self {
        case .structured(let law): return law.gravity
        case .generic(let network): return network.restingChange(in: extent)
        }
    }
}

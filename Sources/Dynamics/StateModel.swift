// The learned explicit-state model as a generator: perceive the context, step the state
// with the learned law (StateLaw.swift: the structured state model's interaction network, or
// the generic one's graph network), draw with the rasterizer. No randomness: the same inputs
// give the same bytes.

import World

/// A trained law with the perception that reads its states.
public struct StateModel {
    public var law: StateLaw
    public var perception: Perception

    public init(law: StateLaw, perception: Perception = Perception()) {
        self.law = law
        self.perception = perception
    }

    /// The structured state model of `network`.
    public init(network: InteractionNetwork, perception: Perception = Perception()) {
        self.init(law: .structured(network), perception: perception)
    }

    /// The generic state model of `network`.
    public init(network: GraphNetwork<GraphNetworkConfig>, perception: Perception = Perception()) {
        self.init(law: .generic(network), perception: perception)
    }

    /// The law's architecture config (the frame it works in).
    public var config: any StateModelConfig { law.config }

    public var kind: StateModelKind { law.kind }

    // MARK: - Stepping

    /// The fastest a stepped ball may move, pixels per frame: a quarter of the frame, far
    /// above any scenario's speeds (ood-fast starts at 3 px/frame at most).
    public static let maxSpeed = 8.0

    /// Contact instants resolved within one frame at most; the rest of a frame with more
    /// (a network that fails to separate a pair, say) is free flight.
    public static let maxContactsPerFrame = 16

    /// Every state advanced by one frame by the law: the structured one's event by event
    /// (`step(_:events:)`), the generic one's in one step of its graph network
    /// (GraphNetwork.step). Balls keep their radius, colour and order.
    public func step(_ states: [WorldState]) -> [WorldState] {
        switch law {
        case .structured(let network): return Self.step(states, events: network)
        case .handSet(let law): return Self.step(states, events: law)
        case .generic(let network): return network.step(states)
        }
    }

    /// Every state advanced by one frame, event by event as the simulator does: free flight
    /// under the learned g to the first contact (Contact.firstTime), the network's impulses
    /// for every closing contact of that instant, and on to the next, to the end of the
    /// frame. The state stays one this world can hold, whatever the network predicts: a speed
    /// above `maxSpeed` is cut to it (a non-finite one to 0), and a centre is kept where the
    /// disc is inside the walls. A learned step can otherwise run away in a state no training
    /// clip showed it.
    static func step(_ states: [WorldState], events network: some ContactLaw) -> [WorldState] {
        let g = network.gravity, scale = network.config.deltaScale
        var s = states, left = [Double](repeating: 1, count: states.count)
        for _ in 0..<Self.maxContactsPerFrame {
            var touching: [Int] = []
            for b in s.indices where left[b] > 0 {
                let t = Contact.firstTime(s[b], gravity: g, within: left[b])
                s[b] = Contact.advance(s[b], by: t ?? left[b], gravity: g)
                left[b] -= t ?? left[b]
                if t != nil { touching.append(b) }
            }
            guard !touching.isEmpty else { break }
            let x = InteractionBatch(touching.map { s[$0] }, network.config)
            let j = network.impulses(x).values
            for (k, b) in touching.enumerated() {
                for i in s[b].balls.indices where x.inContact[k * x.balls + i] {
                    let o = (k * x.balls + i) * 2
                    s[b].balls[i].velocity += Vec2(Double(j[o]), Double(j[o + 1])) * scale
                }
            }
        }
        for b in s.indices where left[b] > 0 { s[b] = Contact.advance(s[b], by: left[b], gravity: g) }
        return s.map { state in
            var next = state
            for i in next.balls.indices {
                var u = next.balls[i].velocity
                let speed = u.length
                if !(speed <= Self.maxSpeed) { u = speed.isFinite ? u * (Self.maxSpeed / speed) : Vec2(0, 0) }
                let r = next.balls[i].radius, p = next.balls[i].position
                next.balls[i].velocity = u
                next.balls[i].position = p.x.isFinite && p.y.isFinite
                    ? Vec2(min(max(p.x, r), Double(state.width) - r), min(max(p.y, r), Double(state.height) - r))
                    : Vec2(Double(state.width) / 2, Double(state.height) / 2)
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

    /// A model step from the frame before agrees with a ball's observed position when it
    /// lands within this many pixels of it; its velocity is then taken (`perceive`).
    public static let agreement = 0.05

    /// The state at the last of the context frames `planar` [C, 3, H, W], tracked through
    /// them. In each frame a ball it shows takes its position from there and its velocity
    /// from the first of: the parabola through its last three positions when they are one
    /// of free flight under the law's gravity (`StateLaw.gravity`, `Flight.velocityAtEnd`);
    /// the velocity the model stepped it to from the frame before, when that step lands
    /// within `agreement` px of where it is seen (the model saw the bounce); its last two
    /// positions' difference plus half the law's gravity; after a gap, the velocity it was
    /// stepped on with; 0 when seen for the first time. A ball the frame does not show — hidden, or
    /// not yet readable — is stepped on from the frame before. A ball's radius is the mean
    /// over every frame it was found in so far. The occluders are those of the frames
    /// (`Perception.occluders`).
    public func perceive(planar frames: [Float]) -> WorldState {
        let H = config.height, W = config.width, g = law.gravity
        let dets = perception.detections(planar: frames, height: H, width: W)
        var current: WorldState?
        var moving = Set<Int>()  // colours whose velocity has been read, not assumed 0
        for t in dets.indices {
            let stepped = current.map { step([$0])[0] }
            var balls: [BallState] = []
            for (k, d) in dets[t].sorted(by: { $0.key < $1.key }) {
                let track = dets[0...t].map { $0[k]?.position }
                let kept = moving.contains(k) ? stepped?.balls.first(where: { $0.color == k }) : nil
                var u = Flight.velocityAtEnd(track, gravity: g)
                if u == nil, let kept, (kept.position - d.position).length < Self.agreement { u = kept.velocity }
                u = u ?? Flight.velocityOfLastFrame(track, gravity: g) ?? kept?.velocity
                if u != nil { moving.insert(k) }
                let radii = dets[0...t].compactMap { $0[k]?.radius }
                balls.append(BallState(position: d.position, velocity: u ?? Vec2(0, 0),
                                       radius: radii.reduce(0, +) / Double(radii.count), color: k))
            }
            balls += (stepped?.balls ?? []).filter { b in dets[t][b.color] == nil }
            current = WorldState(width: W, height: H, balls: balls.sorted { $0.color < $1.color })
        }
        var state = current ?? WorldState(width: W, height: H, balls: [])
        state.occluders = perception.occluders(planar: frames, height: H, width: W)
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

    /// `states` drawn as planar [T, 3, H, W] frames, each state's occluders over its balls. A
    /// ball whose disc is wholly outside the frame (or whose state is no longer finite) is
    /// kept in the state but not drawn.
    public func render(_ states: [WorldState]) -> [Float] {
        let scene = Scene(width: config.width, height: config.height, occluders: states.first?.occluders ?? [])
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

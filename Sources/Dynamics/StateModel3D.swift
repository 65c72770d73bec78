// A state model in the 3D box as a generator, of either kind of law (StateLaw3D): perceive the
// context (Perception3D), step the state — the structured law event by event as Simulator3D
// does, the generic one a frame at a time (GraphNetwork) — and draw it through the camera with
// the perspective rasterizer (discs far to near). No randomness: the same inputs give the same
// bytes.

import World

/// A law in 3D with the perception that reads its states and the camera that draws them.
public struct StateModel3D: Sendable {
    public var law: StateLaw3D
    public var perception: Perception3D

    public init(law: StateLaw3D, perception: Perception3D) {
        self.law = law
        self.perception = perception
    }

    /// The model of `law` for clips of `scenario` (its camera and box are given).
    public init(law: StateLaw3D, scenario: DepthScenario) {
        self.init(law: law, perception: Perception3D(scenario))
    }

    /// The structured model of constants `law` for clips of `scenario`.
    public init(law: Law3D, scenario: DepthScenario) {
        self.init(law: .structured(law), scenario: scenario)
    }

    /// The generic model of `network` for clips of `scenario`.
    public init(network: GraphNetwork<GraphNetworkConfig3D>, scenario: DepthScenario) {
        self.init(law: .generic(network), scenario: scenario)
    }

    /// The acceleration of free flight perception reads with (StateLaw3D.gravity(in:)).
    public var gravity: Vec3 { law.gravity(in: perception.extent) }

    public var camera: PinholeCamera { perception.camera }

    // MARK: - Stepping

    /// `state` advanced by one frame by the law: the structured one's event by event
    /// (`step(_:events:)`), the generic one's in one step of its graph network
    /// (GraphNetwork.step: no clamp to the walls, only a guard on runaway speeds). Balls keep
    /// their colour and order.
    public func step(_ state: WorldState3D) -> WorldState3D {
        switch law {
        case .structured(let constants): return Self.step(state, events: constants)
        case .generic(let network): return network.step([state])[0]
        }
    }

    /// `state` advanced by one frame, event by event as the simulator steps: free flight
    /// under the law's g to the first contact (Contact3D.firstTime), the law's impulse for
    /// every ball in a closing contact at that instant, and on to the next, to the end of the
    /// frame (at most StateModel.maxContactsPerFrame instants; the rest is free flight). The
    /// state stays one the box can hold, whatever the constants: a speed above
    /// StateModel.maxSpeed is cut to it (a non-finite one to 0), and a centre is kept where the
    /// ball is inside the walls. Balls keep their colour and order.
    static func step(_ state: WorldState3D, events law: Law3D) -> WorldState3D {
        let g = law.gravity
        var s = state, left = 1.0
        for _ in 0..<StateModel.maxContactsPerFrame {
            guard let t = Contact3D.firstTime(s, gravity: g, within: left) else { break }
            s = Contact3D.advance(s, by: t, gravity: g)
            left -= t
            for (i, f) in Contact3D.features(s).enumerated() where f.inContact { s.balls[i].velocity += law.impulse(f) }
        }
        s = Contact3D.advance(s, by: left, gravity: g)
        let r = s.ballRadius
        for i in s.balls.indices {
            var u = s.balls[i].velocity
            let speed = u.length
            if !(speed <= StateModel.maxSpeed) { u = speed.isFinite ? u * (StateModel.maxSpeed / speed) : Vec3(0, 0, 0) }
            s.balls[i].velocity = u
            let p = s.balls[i].position
            for axis in 0..<3 {
                s.balls[i].position[axis] = p[axis].isFinite ? min(max(p[axis], r), s.extent[axis] - r) : s.extent[axis] / 2
            }
        }
        return s
    }

    /// The `frames` states after `state` (not including it).
    public func rollout(from state: WorldState3D, frames: Int) -> [WorldState3D] {
        var out: [WorldState3D] = [], s = state
        for _ in 0..<frames {
            s = step(s)
            out.append(s)
        }
        return out
    }

    // MARK: - Perceiving a context

    /// A step from the frame before agrees with a ball's observed position when it lands
    /// within this many box units of it; its velocity is then taken (`perceive`).
    public static let agreement = 0.05

    /// The state at the last of the context frames `planar` [C, 3, H, W], tracked through
    /// them; nil when the frames show no ball, or neither a clean fall nor a wall bounce to
    /// read R from (Perception3D.radius), or an R no ball of the box can have. The law's g is
    /// `gravity` (the generic law's Δu for a ball at rest). R is read once from every context frame; then in
    /// each frame a ball it shows takes its position and velocity from the first of: the
    /// least-squares parabola under the law's g through its run of free flight ending there,
    /// when that run has three frames or more (Perception3D.fitAtEnd); the velocity this model
    /// stepped it to from the frame before, when that step lands within `agreement` of where it
    /// is seen (the model saw the bounce); its last two positions' difference plus half of g;
    /// after a gap, the velocity it was stepped on with; 0 when seen for the first time. A
    /// ball the frame does not show — hidden behind a nearer one — is stepped on from the
    /// frame before.
    public func perceive(planar frames: [Float]) -> WorldState3D? {
        let g = gravity
        let dets = perception.detections(planar: frames)
        let extent = perception.extent
        guard let R = perception.radius(dets, gravity: g), R > 0, 2 * R < min(extent.x, extent.y, extent.z) else { return nil }
        let positions = perception.positions(dets, radius: R)
        var current: WorldState3D?
        var moving = Set<Int>()  // colours whose velocity has been read, not assumed 0
        for t in dets.indices {
            let stepped = current.map(step)
            var balls: [BallState3D] = []
            for (k, p) in positions[t].sorted(by: { $0.key < $1.key }) {
                let track = positions[0...t].map { $0[k] }
                let kept = moving.contains(k) ? stepped?.balls.first(where: { $0.color == k }) : nil
                var ball = BallState3D(position: p, velocity: Vec3(0, 0, 0), color: k)
                var u: Vec3?
                if let fit = Perception3D.fitAtEnd(track, gravity: g) {
                    (ball.position, u) = fit
                } else if let kept, (kept.position - p).length < Self.agreement {
                    u = kept.velocity
                }
                u = u ?? Flight.velocityOfLastFrame(track, gravity: g) ?? kept?.velocity
                if let u {
                    ball.velocity = u
                    moving.insert(k)
                }
                balls.append(ball)
            }
            balls += (stepped?.balls ?? []).filter { positions[t][$0.color] == nil }
            current = WorldState3D(extent: perception.extent, ballRadius: R, balls: balls.sorted { $0.color < $1.color })
        }
        guard let state = current, !state.balls.isEmpty else { return nil }
        return state
    }

    // MARK: - Frames in, frames out

    /// `states` drawn as planar [T, 3, H, W] frames in [-1, 1] as the simulator's clips are
    /// (Rasterizer+Depth): each ball projected through the camera with apparent radius
    /// f R / Z, the discs drawn far to near. A ball the camera cannot show as a disc — not
    /// finite, or its centre within R of the camera's plane (a generic law's ball that left
    /// the box towards the camera) — is kept in the state but not drawn.
    public func render(_ states: [WorldState3D]) -> [Float] {
        let scene = Scene(width: camera.imageWidth, height: camera.imageHeight, gravity: Vec2(0, 0))
        let g = gravity
        return Rasterizer.planar(states.enumerated().map { t, s in
            let box = s.box(gravity: g), balls = s.simulatorBalls.filter { b in
                (0..<3).allSatisfy { b.position[$0].isFinite } && camera.depth(b.position.z) > s.ballRadius
            }
            return scene.frameState(t: t, balls: camera.drawingOrder(balls).map { camera.imageBall(balls[$0], in: box) })
        }, scene: scene)
    }

    /// The `frames` frames after planar `contextFrames` [C, 3, H, W] as planar
    /// [frames, 3, H, W]: the state perceived at the last context frame, rolled forward and
    /// drawn; nil when no state can be perceived (`perceive`).
    public func rollout(contextFrames: [Float], frames: Int) -> [Float]? {
        guard let start = perceive(planar: contextFrames) else { return nil }
        return render(rollout(from: start, frames: frames))
    }
}

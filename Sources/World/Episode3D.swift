// A simulated clip of the 3D box: the box, the camera, and every ball's state and
// visibility at each frame.

/// The state of the 3D world at one frame.
public struct FrameState3D: Equatable, Sendable {
    /// Frame index, from 0.
    public var t: Int
    /// The balls, in id order.
    public var balls: [Ball3D]
    /// Per ball: whether any of its drawn disc can be seen (not wholly behind nearer balls).
    public var visible: [Bool]
    /// Per ball: the share of its drawn disc that can be seen, in [0, 1]
    /// (`PinholeCamera.visibility`).
    public var visibleFraction: [Double]

    public init(t: Int, balls: [Ball3D], box: Box3D, camera: PinholeCamera) {
        self.t = t
        self.balls = balls
        let v = camera.visibility(balls, in: box)
        visible = v.map(\.visible)
        visibleFraction = v.map(\.fraction)
    }
}

/// One clip of a depth scenario.
public struct Episode3D: Equatable, Sendable {
    /// Scenario name.
    public var scenario: String
    /// Seed the clip was drawn from.
    public var seed: UInt64
    /// The static world.
    public var box: Box3D
    /// How the world is seen.
    public var camera: PinholeCamera
    /// States at frames 0 ..< T.
    public var frames: [FrameState3D]

    public init(scenario: String, seed: UInt64, box: Box3D, camera: PinholeCamera, frames: [FrameState3D]) {
        self.scenario = scenario
        self.seed = seed
        self.box = box
        self.camera = camera
        self.frames = frames
    }

    /// T, the number of frames.
    public var count: Int { frames.count }

    /// Frame `t` as the image shows it: a flat `FrameState` of projected balls (centre,
    /// apparent radius, image velocity) in drawing order — far to near, not id order — with
    /// the visibility of the 3D frame. `Rasterizer.draw` of it is the rendered frame.
    public func imageFrame(_ t: Int) -> FrameState {
        let f = frames[t]
        let order = camera.drawingOrder(f.balls)
        return FrameState(t: f.t, balls: order.map { camera.imageBall(f.balls[$0], in: box) },
                          visible: order.map { f.visible[$0] }, visibleFraction: order.map { f.visibleFraction[$0] },
                          dark: false)
    }

    /// The flat scene the image frames are drawn in: the image's size, nothing else.
    public var imageScene: Scene {
        Scene(width: camera.imageWidth, height: camera.imageHeight, gravity: Vec2(0, 0))
    }
}

/// Two balls whose discs overlap in the image while they are apart in 3D: the nearer one
/// hides part of the farther one without touching it.
public struct ImageOverlap: Equatable, Sendable {
    /// Frame index.
    public var t: Int
    /// Ids of the nearer and the farther ball.
    public var near: Int
    public var far: Int
    /// How far the apparent discs overlap: r_near + r_far − centre distance, pixels.
    public var overlap: Double
    /// How far apart the spheres are: centre distance − 2R, box units.
    public var gap: Double
}

extension Episode3D {
    /// Every frame and pair whose apparent discs overlap by at least `minOverlap` pixels while
    /// the spheres are at least `minGap` box units apart, in frame order, then pair order.
    public func imageOverlaps(minOverlap: Double = 1, minGap: Double = 1) -> [ImageOverlap] {
        var out: [ImageOverlap] = []
        for f in frames {
            let flat = f.balls.map { camera.imageBall($0, in: box) }
            for i in f.balls.indices {
                for j in f.balls.indices where j > i {
                    let overlap = flat[i].radius + flat[j].radius - (flat[i].position - flat[j].position).length
                    let gap = (f.balls[i].position - f.balls[j].position).length - 2 * box.ballRadius
                    guard overlap >= minOverlap, gap >= minGap else { continue }
                    let iNear = f.balls[i].position.z < f.balls[j].position.z
                    out.append(ImageOverlap(t: f.t, near: f.balls[iNear ? i : j].id, far: f.balls[iNear ? j : i].id,
                                            overlap: overlap, gap: gap))
                }
            }
        }
        return out
    }
}

extension Simulator3D {
    /// Simulates `frames` frames (frame 0 is `balls` as given) and records visibility.
    public static func run(box: Box3D, camera: PinholeCamera, balls: [Ball3D], frames: Int) -> [FrameState3D] {
        runCountingCollisions(box: box, camera: camera, balls: balls, frames: frames).frames
    }

    /// `run`, and how many ball–ball collisions happened and how many frames hit the event cap.
    static func runCountingCollisions(box: Box3D, camera: PinholeCamera, balls: [Ball3D], frames: Int)
        -> (frames: [FrameState3D], collisions: Int, overflows: Int) {
        precondition(frames >= 0, "frames must be ≥ 0")
        var sim = Simulator3D(box: box, balls: balls)
        var out: [FrameState3D] = []
        out.reserveCapacity(frames)
        var collisions = 0
        for t in 0..<frames {
            if t > 0 {
                sim.step()
                collisions += sim.events.filter { if case .pair = $0 { return true } else { return false } }.count
            }
            out.append(FrameState3D(t: t, balls: sim.balls, box: box, camera: camera))
        }
        return (out, collisions, sim.overflows)
    }
}

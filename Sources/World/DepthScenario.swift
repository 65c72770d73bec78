import Tensor

// Named, seeded scenarios of the 3D box: `depth`, where balls pass in front of each other
// at different depths and bump into each other, and `depth-near`, the same box through a
// closer, wider camera.
//
// A clip is built backwards from the moment that matters. At a frame t* in the middle of the
// clip two balls sit on one camera ray at different depths, a clear gap between them, so
// their discs coincide in the image while they are apart in 3D; with three balls, the third
// touches one of them at t* and closes on it, so they collide then. Elastic motion under
// gravity is time-reversible, so the simulator run from the t* state with every velocity
// reversed gives the start (with velocities reversed back); the clip is then simulated
// forwards from that start and checked — image overlap without contact, and a collision
// when there are three balls — and redrawn from a split stream if rounding or a third ball
// spoiled it.

/// How clips of one depth scenario are drawn.
public struct DepthScenario: Codable, Equatable, Sendable {
    /// The name used on the command line.
    public var name: String
    /// One line for people.
    public var summary: String
    /// The box, its gravity and ball radius.
    public var box: Box3D
    /// The camera.
    public var camera: PinholeCamera
    /// Number of balls, uniform.
    public var ballCount: ClosedRange<Int>
    /// Speed at t*, box units per frame, uniform, in a uniform 3D direction.
    public var speed: ClosedRange<Double>
    /// Gap between the two passing spheres at t*, box units: at least this.
    public var passGap: Double
    /// The guarantee: some frame has two discs overlapping by at least `minImageOverlap`
    /// pixels while their spheres are at least `minGap` box units apart.
    public var minImageOverlap: Double
    public var minGap: Double
    /// Frames `vidgen data` writes when `--frames` is not given.
    public var defaultFrames: Int

    public init(name: String, summary: String, box: Box3D = Box3D(), camera: PinholeCamera,
                ballCount: ClosedRange<Int> = 2...3, speed: ClosedRange<Double> = 0.3...1.5, passGap: Double = 2,
                minImageOverlap: Double = 1, minGap: Double = 1, defaultFrames: Int = 32) {
        precondition(ballCount.lowerBound >= 2 && ballCount.upperBound <= 3, "a depth scenario has 2–3 balls")
        self.name = name
        self.summary = summary
        self.box = box
        self.camera = camera
        self.ballCount = ballCount
        self.speed = speed
        self.passGap = passGap
        self.minImageOverlap = minImageOverlap
        self.minGap = minGap
        self.defaultFrames = defaultFrames
    }
}

// MARK: - The catalogue

extension DepthScenario {
    /// The 3D training distribution: a 24 × 24 × 24 box, balls of radius 3, gravity 0.1 down,
    /// the camera 36 in front of the near face with f = 48 px. The near face fills the image
    /// and the mid-depth distance (48) equals f, so at mid depth one box unit is one pixel;
    /// apparent radii run from 2.53 px (far wall) to 3.69 px (near wall), inside the flat
    /// world's 2.5–4.
    public static let depth = DepthScenario(
        name: "depth", summary: "3D box 24³, 2–3 balls of radius 3, camera f 48 at 36 (37° view): balls pass in front of each other and collide",
        camera: .framing(Box3D(), distance: 36))

    /// Out of distribution: the same box and motion through a camera twice as close, with a
    /// wider field of view (f = 24 px at 18; 67° against 37°). Apparent radii 1.85–3.43 px,
    /// and apparent size changes 1.86× from front to back instead of 1.46×.
    public static let depthNear: DepthScenario = {
        var s = depth
        s.name = "depth-near"
        s.summary = "as depth, camera f 24 at 18 (67° view): smaller far balls, stronger perspective"
        s.camera = .framing(s.box, distance: 18)
        return s
    }()

    /// Every depth scenario.
    public static let all: [DepthScenario] = [depth, depthNear]

    /// Valid depth scenario names.
    public static var names: [String] { all.map(\.name) }

    /// The depth scenario called `name`.
    public static func named(_ name: String) throws -> DepthScenario {
        guard let s = all.first(where: { $0.name == name }) else { throw WorldError.unknownScenario(name, valid: names) }
        return s
    }
}

// MARK: - Drawing a clip

extension DepthScenario {
    /// Redraws tried per clip before the guarantee is declared unmeetable.
    static let maxAttempts = 1000

    /// The clip for `seed`: `frames` frames from a start built from `RNG(seed: seed).split(name)`,
    /// redrawn from `split(1)`, `split(2)`, … of that stream until the guarantee holds.
    public func episode(seed: UInt64, frames: Int) throws -> Episode3D {
        guard frames > 0 else { throw WorldError.badFrameCount(frames) }
        let base = RNG(seed: seed).split(name)
        for attempt in 0..<DepthScenario.maxAttempts {
            var rng = attempt == 0 ? base : base.split(attempt)
            guard let (balls, collide) = start(frames: frames, rng: &rng) else { continue }
            let run = Simulator3D.runCountingCollisions(box: box, camera: camera, balls: balls, frames: frames)
            let clip = Episode3D(scenario: name, seed: seed, box: box, camera: camera, frames: run.frames)
            guard run.overflows == 0, !collide || run.collisions > 0,
                  !clip.imageOverlaps(minOverlap: minImageOverlap, minGap: minGap).isEmpty
            else { continue }
            return clip
        }
        throw WorldError.guaranteeUnmet(scenario: name, frames: frames, seed: seed)
    }

    /// A start for a clip of `frames` frames, and whether it was built to collide; nil if
    /// this draw failed (a ball outside the box, balls too close at frame 0).
    func start(frames: Int, rng: inout RNG) -> (balls: [Ball3D], collide: Bool)? {
        let R = box.ballRadius, f = camera.focalLength
        let n = rng.int(in: ballCount)
        let colors = Scenario.distinctColors(n, rng: &rng)
        let tStar = rng.int(in: max(0, frames / 4)...max(0, 3 * frames / 4 - 1))

        // The passing pair on one camera ray; the farther sphere bounds how far off-axis the
        // ray may be, since the same image offset is a larger box offset farther away.
        let zNear = rng.uniform(R, box.depth - 3 * R - passGap)
        let zFar = rng.uniform(zNear + 2 * R + passGap, box.depth - R)
        let reach = min(box.width / 2 - R, box.height / 2 - R) * f / camera.depth(zFar)
        let du = rng.uniform(-reach, reach), dv = rng.uniform(-reach, reach)
        func onRay(_ z: Double) -> Vec3 {
            let s = camera.depth(z) / f
            return Vec3(box.width / 2 + du * s, box.height / 2 + dv * s, z)
        }
        var at = [onRay(zNear), onRay(zFar)]
        if rng.uniform() < 0.5 { at.swapAt(0, 1) }
        var v = [velocity(rng: &rng), velocity(rng: &rng)]

        // The third ball touches ball k at t* and closes on it.
        if n == 3 {
            let k = rng.int(in: 0...1)
            var placed = false
            for _ in 0..<100 {
                let normal = DepthScenario.direction(rng: &rng)
                let p = at[k] + 2 * R * normal
                let w = velocity(rng: &rng)
                guard box.holds(p), (p - at[1 - k]).length >= 2 * R + passGap, (w - v[k]).dot(normal) < 0 else { continue }
                at.append(p)
                v.append(w)
                placed = true
                break
            }
            guard placed else { return nil }
        }

        // Back from t* to frame 0: run time-reversed.
        var back = Simulator3D(box: box, balls: (0..<n).map { Ball3D(id: $0, position: at[$0], velocity: -v[$0], color: colors[$0]) })
        for _ in 0..<tStar { back.step() }
        guard back.overflows == 0 else { return nil }
        var balls = back.balls
        for i in balls.indices { balls[i].velocity = -balls[i].velocity }
        // Frame 0 shows every ball apart (their anti-aliased edges need not touch in 3D, but
        // a start in contact would read as an event before the clip).
        for i in balls.indices {
            for j in balls.indices where j > i {
                if (balls[i].position - balls[j].position).length < 2 * R + 1 { return nil }
            }
        }
        return (balls, n == 3)
    }

    func velocity(rng: inout RNG) -> Vec3 {
        DepthScenario.direction(rng: &rng) * rng.uniform(speed.lowerBound, speed.upperBound)
    }

    /// A uniform unit vector in 3D, by rejection from the cube (no trigonometry, so the same
    /// on every libm).
    static func direction(rng: inout RNG) -> Vec3 {
        while true {
            let v = Vec3(rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1))
            let l2 = v.lengthSquared
            if l2 > 0.01 && l2 <= 1 { return v / l2.squareRoot() }
        }
    }
}

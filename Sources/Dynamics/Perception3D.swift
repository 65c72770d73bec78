// Perception of the 3D box: frames → a 3D state, through the pinhole camera.
//
// Each ball is found by colour in every frame and its disc refitted to the pixels, as in the
// flat world (Perception, DiscFit) — with the tracker's fit of the visible arc where one disc
// is drawn over another (Tracker+CoveredDisc), so that the refit of a covered disc starts from
// its whole circle. A disc at image centre (u, v) of apparent radius r is a ball at camera
// coordinates P = R s with
//
//   s = ((u − cx) / r, (v − cy) / r, f / r)                          (PinholeCamera)
//
// so the frames give every position up to the one scale R, the physical radius all balls of a
// box share. R is read from the frames given the camera: from how the balls fall under the
// law's g (DepthFromSize: a fall's curvature in s is g / R), as the flat model reads velocities
// with its law's g; or, where no fall is clean, from where a ball meets a wall, whose box
// coordinate is given (`radiusFromWalls`). Box coordinates are then R s less the camera's
// offset (`positions`, which leaves out a sliver sized so wrong that the box cannot hold its
// ball), and velocities are read off them under g (`fitAtEnd`, StateModel3D.perceive).
//
// Units: pixels in the image, box units and frames in the state. Planar frames are
// [T, 3, H, W] in [-1, 1].

import World

/// Reads a `WorldState3D` from planar frames of a 3D box seen through a known camera.
public struct Perception3D: Sendable {
    /// The camera: given.
    public var camera: PinholeCamera
    /// The box's extents, box units: given (its walls).
    public var extent: Vec3
    /// Finds and refits the discs (covered discs by their visible arc).
    public var perception: Perception

    /// Three positions whose second difference is within this many box units of g lie on
    /// one free-flight parabola. Depth read from size is the noisiest coordinate: about 1e-3
    /// box units where a disc is clear, a few 1e-3 where one covers another.
    public static let flightTolerance = 0.02

    public init(camera: PinholeCamera, extent: Vec3) {
        self.camera = camera
        self.extent = extent
        var tracker = Tracker()
        tracker.config.fitsCoveredDiscs = true
        perception = Perception(tracker: tracker, takesArcFits: true)
    }

    /// The perception of a depth scenario's clips: its camera and box.
    public init(_ scenario: DepthScenario) {
        self.init(camera: scenario.camera, extent: Vec3(scenario.box.width, scenario.box.height, scenario.box.depth))
    }

    // MARK: - Discs to scaled positions

    /// Per frame of planar `frames`, each ball's detection by palette index (Perception).
    public func detections(planar frames: [Float]) -> [[Int: Detection]] {
        perception.detections(planar: frames, height: camera.imageHeight, width: camera.imageWidth)
    }

    /// The ball a detection shows, at camera coordinates in units of its radius: s = P / R.
    public func scaled(_ d: Detection) -> Vec3 {
        let c = camera.imageCenter
        return Vec3((d.position.x - c.x) / d.radius, (d.position.y - c.y) / d.radius, camera.focalLength / d.radius)
    }

    /// A detection whose ball would lie farther than this many box units outside the box is
    /// not taken for a ball (a sliver of a covered disc, sized wrong).
    public static let boxTolerance = 0.5

    /// Per frame of `detections`, the box coordinates of each ball for radius `R`, leaving out
    /// those the box cannot hold (`boxTolerance`).
    public func positions(_ detections: [[Int: Detection]], radius R: Double) -> [[Int: Vec3]] {
        detections.map { frame in
            frame.mapValues { position(scaled: scaled($0), radius: R) }.filter { _, p in
                (0..<3).allSatisfy { p[$0] >= R - Self.boxTolerance && p[$0] <= extent[$0] - R + Self.boxTolerance }
            }
        }
    }

    /// The box coordinates of scaled position `s` for balls of radius `R`.
    public func position(scaled s: Vec3, radius R: Double) -> Vec3 {
        Vec3(R * s.x + extent.x / 2, R * s.y + extent.y / 2, R * s.z - camera.distance)
    }

    // MARK: - The radius

    /// R from the falls in `detections` under `gravity` (DepthFromSize), with runs of 6 frames,
    /// else 5, else 4; nil when no run of 4 is a clean fall. Over an 8-frame context it is
    /// good to about 0.2% (the curvature of a few frames' fall), over 16 frames to 0.05%.
    public func radiusFromFalls(_ detections: [[Int: Detection]], gravity: Vec3) -> Double? {
        let colors = Set(detections.flatMap(\.keys)).sorted()
        let tracks = colors.map { k in Track(color: k, detections: detections.map { $0[k] }) }
        for window in [6, 5, 4] where window <= detections.count {
            if let reading = DepthFromSize.estimate(tracks: tracks, focalLength: camera.focalLength,
                                                    imageCenter: camera.imageCenter, gravity: gravity, window: window) {
                return reading.ballRadius
            }
        }
        return nil
    }

    /// R from where balls meet the walls, in tracks of scaled positions s = P / R (nil where a
    /// ball was not seen): the median over every wall bounce the tracks show; nil when they
    /// show none.
    ///
    /// Free flight is a parabola in s of acceleration c = g / R, read as the tracks' median
    /// second difference (Flight.gravity), so no g is needed. A frame pair t, t + 1 holds a
    /// bounce when the parabolas through t − 2…t and t + 1…t + 3 are each free flight and the
    /// velocity changes between them on one axis only, reversing. The two parabolas meet, on
    /// that axis, at the instant of the bounce, where the ball's centre is R from the wall:
    /// along x at |s_x| = W / (2R) − 1 (the camera is on the box's axis), along y likewise with
    /// H, along z at s_z = d / R + 1 (the near wall, d the camera's distance) or (d + D) / R − 1
    /// (the far one). Each bounce gives R; pair collisions, which change more than one axis or
    /// none reversed, are left out.
    public func radiusFromWalls(_ tracks: [[Vec3?]]) -> Double? {
        guard let c = Flight.gravity(tracks) else { return nil }
        // Scaled units: a clear disc's s is good to about 1e-3, a velocity from three of them to 4e-3.
        let tolerance = 0.01, jumps = 0.03
        var readings: [Double] = []
        for s in tracks where s.count >= 6 {
            for t in 2..<(s.count - 3) {
                guard Flight.isFlight(s, from: t - 2, gravity: c, tolerance: tolerance),
                      Flight.isFlight(s, from: t + 1, gravity: c, tolerance: tolerance)
                else { continue }
                // Velocity at the end of the run before and at the start of the run after.
                let before = (3 * s[t]! - 4 * s[t - 1]! + s[t - 2]!) * 0.5
                let after = (-3 * s[t + 1]! + 4 * s[t + 2]! - s[t + 3]!) * 0.5
                let jump = after - (before + c)
                let changed = (0..<3).filter { abs(jump[$0]) > jumps }
                guard changed.count == 1, let k = changed.first else { continue }
                // The instant δ ∈ [0, 1] after frame t where the two parabolas meet along k.
                let denominator = before[k] - after[k] + c[k]
                guard abs(denominator) > 1e-9 else { continue }
                let delta = (s[t + 1]![k] - after[k] + 0.5 * c[k] - s[t]![k]) / denominator
                guard delta >= 0, delta <= 1 else { continue }
                let into = before[k] + c[k] * delta, out = after[k] + c[k] * (delta - 1)
                guard into * out < 0 else { continue }
                let w = s[t]![k] + before[k] * delta + 0.5 * c[k] * delta * delta
                let R: Double
                if k < 2 {
                    guard (w > 0) == (into > 0) else { continue }
                    R = extent[k] / 2 / (abs(w) + 1)
                } else {
                    R = into < 0 ? camera.distance / (w - 1) : (camera.distance + extent.z) / (w + 1)
                }
                if R > 0 && R.isFinite { readings.append(R) }
            }
        }
        guard !readings.isEmpty else { return nil }
        readings.sort()
        let n = readings.count
        return n % 2 == 1 ? readings[n / 2] : (readings[n / 2 - 1] + readings[n / 2]) / 2
    }

    /// R for the balls of `detections`: from their falls under `gravity`, else from where they
    /// meet the walls; nil when the frames show neither.
    public func radius(_ detections: [[Int: Detection]], gravity: Vec3) -> Double? {
        if let R = radiusFromFalls(detections, gravity: gravity) { return R }
        let colors = Set(detections.flatMap(\.keys)).sorted()
        return radiusFromWalls(colors.map { k in detections.map { $0[k].map(scaled) } })
    }

    // MARK: - Velocities

    /// The position and velocity at the last of positions `p` (box units) from the
    /// least-squares parabola of acceleration `gravity` through the longest run of free flight
    /// that ends there (every three consecutive positions within `flightTolerance` of g), when
    /// that run has at least three positions; nil otherwise. Over n positions the fit averages
    /// the depth's noise that a three-point difference would pass on.
    public static func fitAtEnd(_ p: [Vec3?], gravity g: Vec3) -> (position: Vec3, velocity: Vec3)? {
        let t = p.count - 1
        var first = t - 2
        guard first >= 0, Flight.isFlight(p, from: first, gravity: g, tolerance: flightTolerance) else { return nil }
        while Flight.isFlight(p, from: first - 1, gravity: g, tolerance: flightTolerance) { first -= 1 }
        // p_k − ½ g τ² = a + u τ, τ = k − t ≤ 0: a line, fitted by least squares.
        let n = Double(t - first + 1)
        var meanTau = 0.0, meanY = Vec3(0, 0, 0)
        for k in first...t {
            let tau = Double(k - t)
            meanTau += tau / n
            let y: Vec3 = p[k]! - (0.5 * tau * tau) * g
            meanY += y / n
        }
        var stt = 0.0, sty = Vec3(0, 0, 0)
        for k in first...t {
            let tau = Double(k - t), centred = tau - meanTau
            let y: Vec3 = p[k]! - (0.5 * tau * tau) * g
            stt += centred * centred
            sty += centred * (y - meanY)
        }
        let u = sty / stt
        return (meanY - u * meanTau, u)
    }
}

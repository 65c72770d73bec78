// Depth read off apparent size, as a perceiver of the 3D world's frames can: it knows the
// camera's focal length f and image centre (cx, cy) and the gravity g of the box, and sees
// discs. A ball of physical radius R at camera depth Z is drawn with apparent radius
// r = f R / Z, so Z = f R / r — once R is known. R is the same for every ball of a scene and
// is read from how the balls fall. A ball centred at (X, Y) relative to the camera axis, in box
// units, is drawn at u − cx = f X / Z, v − cy = f Y / Z, so
//
//   s = ((u − cx) / r, (v − cy) / r) = (X, Y) / R,
//
// whatever its depth. Between bounces (X, Y) is a parabola with second derivative (gx, gy), so
// s is a parabola with second derivative (gx, gy) / R: the component of s along the image-plane
// gravity is c₀ + c₁ t + c₂ t² with c₂ = |g_xy| / (2 R). Each run of `window` consecutive
// frames in which a ball is detected gives a least-squares parabola; runs that a bounce or a
// collision breaks miss theirs (RMS residual above `maxResidual`) and are dropped, and R is read
// from the median c₂ of the rest, over every ball of the scene.
//
// s divides by r, and the centroid and area radius of the tracker are good to about 0.01 px
// and 0.2% — too coarse for a curvature of 0.017 per frame² over a few frames. The fitted rim
// (`TrackerConfig.fitsEveryRim`) is good to 0.001 px and 0.01% on the simulator's frames, and
// the default `maxResidual` is set for it: track context frames with it on.

/// The depth of a ball from its apparent radius, Z = f R / r, with R read from the scene.
public struct DepthFromSize: Codable, Equatable, Sendable {
    /// f, pixels: known, the camera's.
    public var focalLength: Double
    /// R, box units: the balls' physical radius, estimated.
    public var ballRadius: Double
    /// Parabola fits R was read from.
    public var fits: Int

    public init(focalLength: Double, ballRadius: Double, fits: Int) {
        self.focalLength = focalLength
        self.ballRadius = ballRadius
        self.fits = fits
    }

    /// Camera depth Z, box units, of a ball drawn with apparent radius `r` pixels.
    public func depth(apparentRadius r: Double) -> Double { focalLength * ballRadius / r }

    /// R read from the falls of the tracked balls (see the file header); nil when no run of
    /// `window` frames is free flight, or when gravity has no component in the image plane.
    ///
    /// - Parameters:
    ///   - tracks: the balls of one scene over its context frames.
    ///   - focalLength: f, pixels.
    ///   - imageCenter: (cx, cy), pixels.
    ///   - gravity: the box's gravity, box units per frame² (x right, y down, z away).
    ///   - window: frames per parabola fit, at least 4.
    ///   - maxResidual: RMS residual of a fit, in units of R, above which the run is dropped.
    public static func estimate(tracks: [Track], focalLength: Double, imageCenter: Vec2, gravity: Vec3,
                                window: Int = 6, maxResidual: Double = 0.001) -> DepthFromSize? {
        precondition(window >= 4, "a parabola fit that can miss needs at least 4 frames, got \(window)")
        let g = Vec2(gravity.x, gravity.y)
        guard g.length > 0 else { return nil }
        let down = g / g.length
        var curvatures: [Double] = []
        for track in tracks where track.detections.count >= window {
            for start in 0...(track.detections.count - window) {
                let run = track.detections[start..<(start + window)].compactMap { $0 }
                guard run.count == window else { continue }
                let s = run.map { (($0.position - imageCenter) / $0.radius).dot(down) }
                if let fit = parabola(s), fit.rms <= maxResidual, fit.c2 > 0 { curvatures.append(fit.c2) }
            }
        }
        guard !curvatures.isEmpty else { return nil }
        curvatures.sort()
        let n = curvatures.count
        let c2 = n % 2 == 1 ? curvatures[n / 2] : (curvatures[n / 2 - 1] + curvatures[n / 2]) / 2
        return DepthFromSize(focalLength: focalLength, ballRadius: g.length / (2 * c2), fits: n)
    }

    /// The least-squares parabola c₀ + c₁ τ + c₂ τ² through `y` at τ = 0, 1, …, its
    /// curvature c₂ and RMS residual; nil for fewer than 3 points.
    static func parabola(_ y: [Double]) -> (c2: Double, rms: Double)? {
        let n = y.count
        guard n >= 3 else { return nil }
        // Orthogonal polynomials on τ centred at the mean: 1, τ', τ'² − m₂ (m₂ the mean of τ'²).
        let mid = Double(n - 1) / 2
        let m2 = (0..<n).reduce(0.0) { $0 + (Double($1) - mid) * (Double($1) - mid) } / Double(n)
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, n1 = 0.0, n2 = 0.0
        for (i, v) in y.enumerated() {
            let t = Double(i) - mid, q = t * t - m2
            s0 += v
            s1 += v * t
            s2 += v * q
            n1 += t * t
            n2 += q * q
        }
        let a0 = s0 / Double(n), a1 = s1 / n1, a2 = s2 / n2
        var ee = 0.0
        for (i, v) in y.enumerated() {
            let t = Double(i) - mid
            let e = v - a0 - a1 * t - a2 * (t * t - m2)
            ee += e * e
        }
        return (a2, (ee / Double(n)).squareRoot())
    }
}

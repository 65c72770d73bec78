// Discs drawn over one another: the tracker's fit of a disc's visible arc.
//
// In the 3D world a nearer ball's disc is drawn over a farther one's. The farther disc's
// visible pixels form a disc with a bite out of it, so its centroid and area-based radius are
// biased towards what is left; the nearer disc's rim over the farther one mixes the two
// colours, which biases it a little too. The outer rim of each, where it meets the black
// background, is still an arc of the whole disc, so the tracker fits a circle to it. With the
// rasterizer's one-pixel ramp, α = clamp(ρ − |q − c|, 0, 1) with ρ = r + 0.5, a rim pixel
// (0 < α < 1) centred at q lies exactly ρ − α from the centre c; the circle is the least-squares
// solution of
//
//   |q_i − c| + α_i − ρ = 0        over the clean rim pixels i,
//
// by Gauss–Newton from the blob's centroid and area radius: a geometric circle fit that places
// each rim pixel by its coverage rather than at its centre, exact up to 8-bit rounding. It
// needs a few more pixels than its three unknowns, and it is kept only where the pixels follow
// the ramp (RMS residual ≤ `maxArcResidual`), which sharp frames do and blurred ones do not.
// Clean rim pixels are the blob's pixels of coverage below `TrackerConfig.rimCoverage` that
// are a mix of the palette colour and the black background (α p, to `rimTolerance`: no second
// colour under the ramp) and none of whose four neighbours is lit by anything else.
//
// Which blobs get the fit: pairs of blobs of two colours, within two pixels of each other,
// whose fitted circles overlap by at least `TrackerConfig.minDiscOverlap` — one disc is drawn
// over the other. Discs that only meet at their rims, as colliding balls do in the flat world,
// do not overlap, so the flat world's frames keep the centroid and area radius. (Both circles
// must be fitted: the centroid and area radius of a blob cut by something else, an occluder
// or the image border, say nothing about overlap.) With `TrackerConfig.fitsEveryRim` every
// disc whose rim fits gets the fit, overlapping or not.

extension Tracker {
    /// What the arc fit reads of a frame besides its pixels: per pixel [H, W], the palette
    /// label (-1 none), the coverage α of that colour, and the blob that owns it (-1 none).
    struct LabelledFrame {
        var rgb: [Float]
        var label: [Int8]
        var alpha: [Float]
        var owner: [Int32]
        var height: Int
        var width: Int

        /// The colour of pixel i, RGB in [0, 1].
        func color(_ i: Int) -> SIMD3<Float> { SIMD3(rgb[i * 3], rgb[i * 3 + 1], rgb[i * 3 + 2]) }

        /// Whether pixel i is lit at all (the labelling's own threshold).
        func isLit(_ i: Int) -> Bool { (color(i) * color(i)).sum() > 0.01 * 0.01 }

        /// Whether `test` holds for a pixel within `reach` (Chebyshev distance) of pixel i in
        /// the frame, i itself included; with `cross`, only for i and its four neighbours.
        func anyAround(_ i: Int, reach: Int = 1, cross: Bool = false, _ test: (Int) -> Bool) -> Bool {
            let x = i % width, y = i / width
            for ny in max(0, y - reach)...min(height - 1, y + reach) {
                for nx in max(0, x - reach)...min(width - 1, x + reach) where !cross || nx == x || ny == y {
                    if test(ny * width + nx) { return true }
                }
            }
            return false
        }
    }

    /// Replaces the position and radius of each detection whose disc is drawn over another
    /// or under it (of every detection, with `fitsEveryRim`) by the circle through its visible
    /// rim, and marks it `arcFitted` (see the file header). `detections[b]` measures blob b,
    /// whose pixels are `blobs[b]`.
    func fitVisibleArcs(_ detections: inout [Detection], blobs: [[Int]], in frame: LabelledFrame) {
        // Per blob, the blobs of other colours within two pixels (bounding boxes first: most
        // blobs are far from any other).
        let boxes = blobs.map { pixels in
            pixels.reduce((x0: Int.max, y0: Int.max, x1: Int.min, y1: Int.min)) { box, i in
                (min(box.x0, i % frame.width), min(box.y0, i / frame.width), max(box.x1, i % frame.width), max(box.y1, i / frame.width))
            }
        }
        let nearby: [[Int]] = blobs.indices.map { b in
            let candidates = blobs.indices.filter { o in
                detections[o].color != detections[b].color
                    && boxes[o].x0 <= boxes[b].x1 + 2 && boxes[b].x0 <= boxes[o].x1 + 2
                    && boxes[o].y0 <= boxes[b].y1 + 2 && boxes[b].y0 <= boxes[o].y1 + 2
            }
            guard !candidates.isEmpty else { return [] }
            return candidates.filter { o in
                blobs[b].contains { i in frame.anyAround(i, reach: 2) { frame.owner[$0] == Int32(o) } }
            }
        }
        let fits = blobs.indices.map { b in
            nearby[b].isEmpty && !config.fitsEveryRim ? nil : fitVisibleArc(detections[b], pixels: blobs[b], blob: Int32(b), in: frame)
        }
        for b in blobs.indices {
            guard let fit = fits[b] else { continue }
            let overlapsAnother = config.fitsEveryRim || nearby[b].contains { o in
                guard let other = fits[o] else { return false }
                return fit.radius + other.radius - (fit.center - other.center).length >= config.minDiscOverlap
            }
            guard overlapsAnother else { continue }
            detections[b].position = fit.center
            detections[b].radius = fit.radius
            detections[b].arcFitted = true
        }
    }

    /// The circle through the clean rim pixels of `d`, the blob `blob` with pixels `pixels`
    /// (see the file header); nil when fewer than `minArcPixels` are clean, when they stray
    /// from the circle by more than `maxArcResidual` (RMS: not the rasterizer's ramp, as in a
    /// blurred or noisy frame), or when the circle does not fit the blob (radius out of range
    /// or smaller than the visible part, centre farther from the blob's centroid than the radius).
    func fitVisibleArc(_ d: Detection, pixels: [Int], blob: Int32, in frame: LabelledFrame) -> (center: Vec2, radius: Double)? {
        let own = palette[d.color]
        /// Lit by something else: another blob, another colour, or a mix no colour matches.
        func foreign(_ j: Int) -> Bool {
            if frame.owner[j] >= 0 { return frame.owner[j] != blob }
            return frame.label[j] >= 0 ? Int(frame.label[j]) != d.color : frame.isLit(j)
        }
        var rim: [(q: Vec2, alpha: Double)] = []
        for i in pixels where frame.alpha[i] < config.rimCoverage {
            let mix = frame.color(i) - frame.alpha[i] * own
            guard (mix * mix).sum() <= config.rimTolerance * config.rimTolerance,
                  !frame.anyAround(i, cross: true, foreign)
            else { continue }
            rim.append((Vec2(Double(i % frame.width) + 0.5, Double(i / frame.width) + 0.5), Double(frame.alpha[i])))
        }
        guard rim.count >= config.minArcPixels,
              let circle = Tracker.fitCircle(rim, from: (d.position, d.radius)),
              config.radiusRange.contains(circle.radius), circle.radius >= d.radius - 0.5,
              (circle.center - d.position).length <= circle.radius
        else { return nil }
        let rms = (rim.reduce(0.0) { sum, p in
            let e = (p.q - circle.center).length + p.alpha - circle.radius - 0.5
            return sum + e * e
        } / Double(rim.count)).squareRoot()
        return rms <= config.maxArcResidual ? circle : nil
    }

    /// The circle (centre, radius r = ρ − 0.5) minimising Σ (|q − c| + α − ρ)² over rim pixels
    /// centred at q with coverage α, by Gauss–Newton from `start`; nil if the normal equations
    /// turn singular.
    static func fitCircle(_ rim: [(q: Vec2, alpha: Double)], from start: (center: Vec2, radius: Double))
        -> (center: Vec2, radius: Double)? {
        var c = start.center, rho = start.radius + 0.5
        for _ in 0..<20 {
            // JᵀJ δ = −Jᵀe over θ = (cx, cy, ρ), e = |q − c| + α − ρ, ∂e/∂θ = (−u, −1), u the unit vector c → q.
            var jj = (SIMD3<Double>(), SIMD3<Double>(), SIMD3<Double>()), je = SIMD3<Double>()
            for (q, alpha) in rim {
                let dq = q - c, dist = dq.length
                guard dist > 1e-9 else { continue }
                let e = dist + alpha - rho
                let j = SIMD3(-dq.x / dist, -dq.y / dist, -1)
                je -= j * e
                jj.0 += j * j.x
                jj.1 += j * j.y
                jj.2 += j * j.z
            }
            guard let step = solve3(jj, je) else { return nil }
            c += Vec2(step.x, step.y)
            rho += step.z
            if abs(step.x) + abs(step.y) + abs(step.z) < 1e-10 { break }
        }
        return (c, rho - 0.5)
    }

    /// Solves the 3 × 3 system with rows `a` for `b` by Cramer's rule; nil if it is singular.
    static func solve3(_ a: (SIMD3<Double>, SIMD3<Double>, SIMD3<Double>), _ b: SIMD3<Double>) -> SIMD3<Double>? {
        // Columns; det[x, y, z] = x · (y × z).
        let c0 = SIMD3(a.0.x, a.1.x, a.2.x), c1 = SIMD3(a.0.y, a.1.y, a.2.y), c2 = SIMD3(a.0.z, a.1.z, a.2.z)
        func det(_ x: SIMD3<Double>, _ y: SIMD3<Double>, _ z: SIMD3<Double>) -> Double {
            (x * SIMD3(y.y * z.z - y.z * z.y, y.z * z.x - y.x * z.z, y.x * z.y - y.y * z.x)).sum()
        }
        let d = det(c0, c1, c2)
        guard abs(d) > 1e-12 else { return nil }
        return SIMD3(det(b, c1, c2), det(c0, b, c2), det(c0, c1, b)) / d
    }
}

// The ball tracker: finds palette-coloured discs in a frame — the simulator's or a model's —
// and links them across frames.
//
// A ball's pixel is its palette colour p blended with the black background, c = α p, so its
// *direction* in RGB space is p's at every coverage α. Each pixel is therefore labelled with
// the palette colour whose direction is nearest (if within `minCos`), and its coverage is the
// projection α = c·p / |p|². Per colour, pixels with α ≥ `coreCoverage` form 8-connected
// components; each component takes in the labelled pixels touching it (the anti-aliased
// rim, α ≥ `fringeCoverage`). The centroid is coverage-weighted and the radius comes from the
// total coverage (for the rasterizer's 1-px ramp, Σα = π r² + π/12) — except, with
// `fitsCoveredDiscs` (scenes with depth), for a disc drawn over another or under it, whose
// centre and radius come from a circle fitted to its visible rim (Tracker+CoveredDisc);
// colliding balls of the flat world, whose discs only meet at their rims, never get that fit. Model output is noisy and blurry, so nothing assumes exact
// palette values; a validity score says how disc-like, how large and how on-palette each
// blob is.
//
// Shapes: T frames, H height, W width. Packed bytes are [T, H, W, 3]; planar floats are
// [T, 3, H, W] in [-1, 1].

/// Tracker thresholds. The defaults are tuned on simulator frames (see WorldTests/TrackerTests).
public struct TrackerConfig: Codable, Equatable, Sendable {
    /// Pixels with |c| below this (RGB in [0, 1], |c| ≤ √3) are background unless they touch a blob.
    public var minBrightness: Float = 0.1
    /// A pixel is labelled with a palette colour when cos(angle to it) ≥ this (0.92 ≈ 23°;
    /// the closest two palette colours are 26.6° apart).
    public var minCos: Float = 0.92
    /// Coverage at which a pixel seeds / belongs to a blob's core.
    public var coreCoverage: Float = 0.35
    /// Coverage down to which rim pixels touching a core are included.
    public var fringeCoverage: Float = 0.02
    /// Blobs with less total coverage than this (pixels) are noise and dropped.
    public var minArea: Double = 3
    /// Radii (pixels) a valid ball may have.
    public var radiusRange: ClosedRange<Double> = 1...9
    /// Validity score a ball must reach.
    public var minValidity: Double = 0.5
    /// When a colour appears more than once, a detection joins a track only within this many
    /// pixels (per frame elapsed) of the track's predicted position.
    public var maxJump: Double = 12
    /// Discs drawn over one another (Tracker+CoveredDisc): pixels with coverage α below
    /// `rimCoverage` are on a disc's rim, and count for the fit of its visible arc when they
    /// are α times the palette colour to `rimTolerance` (RGB in [0, 1]; 8-bit rounding is
    /// within 0.0034): nothing else mixed in.
    public var rimCoverage: Float = 0.99
    public var rimTolerance: Float = 0.006
    /// Clean rim pixels an arc fit needs, and the RMS distance (pixels) by which they may miss
    /// the fitted circle (on the simulator's frames they miss it by 0.001–0.02).
    public var minArcPixels = 4
    public var maxArcResidual = 0.05
    /// A fitted circle replaces the centroid and area radius only where it overlaps another
    /// colour's disc by at least this (pixels): one disc drawn over the other.
    public var minDiscOverlap: Double = 0.25
    /// Fit every disc's rim, not only those of discs drawn over one another: on the
    /// simulator's frames the fitted centre and radius are some twenty times more precise than
    /// the centroid and area radius, which reading depth from apparent size needs
    /// (DepthFromSize). Off by default, so that the flat world's detections stay the centroid
    /// and area radius.
    public var fitsEveryRim = false
    /// Fit the visible arc of discs drawn over one another (a scene with depth). Off by
    /// default: in the flat world only a model's frames or a baseline's extrapolation draw
    /// discs over one another, and their scores stay the centroid-and-area measure.
    public var fitsCoveredDiscs = false

    public init() {}
}

/// One blob found in one frame.
public struct Detection: Codable, Equatable, Sendable {
    /// Palette index.
    public var color: Int
    /// Coverage-weighted centroid, pixels (origin top-left, pixel centres at +0.5); the fitted
    /// centre when `arcFitted`.
    public var position: Vec2
    /// Estimated radius, pixels, from the total coverage; the fitted radius when `arcFitted`.
    public var radius: Double
    /// Total coverage Σα, pixels.
    public var area: Double
    /// Mean RGB (0–255) of the blob's core pixels.
    public var meanColor: [Double]
    /// Smallest over largest eigenvalue of the coverage-weighted covariance (1 = round).
    public var roundness: Double
    /// Radius from area over radius from spread, folded into (0, 1] (1 = filled disc).
    public var compactness: Double
    /// Coverage-weighted mean cosine between pixel and palette colour (1 = exact hue).
    public var colorFit: Double
    /// roundness · compactness · colour score, in [0, 1].
    public var validity: Double
    /// Validity, size and radius all in range.
    public var isValid: Bool
    /// Another disc is drawn over this one or this one over another, and `position` and
    /// `radius` come from the circle through its visible rim (`Tracker.fitVisibleArc`), not
    /// from the blob's centroid and area.
    public var arcFitted = false
}

/// A ball followed across frames.
public struct Track: Codable, Equatable, Sendable {
    /// Palette index.
    public var color: Int
    /// Per frame, the detection or nil (hidden, lost).
    public var detections: [Detection?]

    public init(color: Int, detections: [Detection?]) {
        self.color = color
        self.detections = detections
    }

    /// Frames at which the ball was found.
    public var found: [Int] { detections.indices.filter { detections[$0] != nil } }
}

/// Finds and tracks balls by palette colour.
public struct Tracker: Sendable {
    public var config: TrackerConfig
    /// Palette colours, RGB in [0, 1].
    public let palette: [SIMD3<Float>]

    public init(config: TrackerConfig = TrackerConfig(), palette: [RGB8] = Palette.colors) {
        self.config = config
        self.palette = palette.map(\.unit)
    }

    // MARK: - Whole clips

    /// Detections per frame of packed frames `[T, H, W, 3]`.
    public func detect(bytes frames: [UInt8], frames T: Int, height H: Int, width W: Int) -> [[Detection]] {
        precondition(frames.count == T * H * W * 3, "detect: \(frames.count) bytes for [T,H,W,3] = [\(T),\(H),\(W),3]")
        var rgb = [Float](repeating: 0, count: H * W * 3)
        return (0..<T).map { t in
            for i in 0..<(H * W * 3) { rgb[i] = Float(frames[t * H * W * 3 + i]) / 255 }
            return detect(rgb: rgb, height: H, width: W)
        }
    }

    /// Detections per frame of planar frames `[T, 3, H, W]` in [-1, 1] (model output).
    public func detect(planar frames: [Float], frames T: Int, height H: Int, width W: Int) -> [[Detection]] {
        precondition(frames.count == T * 3 * H * W, "detect: \(frames.count) floats for [T,3,H,W] = [\(T),3,\(H),\(W)]")
        let hw = H * W
        var rgb = [Float](repeating: 0, count: hw * 3)
        return (0..<T).map { t in
            for c in 0..<3 {
                for i in 0..<hw {
                    let v = frames[(t * 3 + c) * hw + i]
                    rgb[i * 3 + c] = v.isNaN ? 0 : min(max((v + 1) / 2, 0), 1)
                }
            }
            return detect(rgb: rgb, height: H, width: W)
        }
    }

    /// Detections per frame, then tracks (see `track`).
    public func track(bytes frames: [UInt8], frames T: Int, height H: Int, width W: Int) -> [Track] {
        track(detect(bytes: frames, frames: T, height: H, width: W))
    }

    // MARK: - One frame

    /// The blobs in one frame `rgb` ([H, W, 3], values in [0, 1]), valid or not, ordered by
    /// colour then position.
    public func detect(rgb: [Float], height H: Int, width W: Int) -> [Detection] {
        precondition(rgb.count == H * W * 3, "detect: \(rgb.count) floats for [H,W,3] = [\(H),\(W),3]")
        let n = H * W
        // Label each pixel with its nearest palette direction and coverage.
        var label = [Int8](repeating: -1, count: n)
        var alpha = [Float](repeating: 0, count: n)
        var cosine = [Float](repeating: 0, count: n)
        var bright = [Bool](repeating: false, count: n)
        for i in 0..<n {
            let c = SIMD3<Float>(rgb[i * 3], rgb[i * 3 + 1], rgb[i * 3 + 2])
            let norm = (c * c).sum().squareRoot()
            guard norm > 0.01 else { continue }
            var best = -1
            var bestCos: Float = -1
            for (k, p) in palette.enumerated() {
                let cs = (c * p).sum() / (norm * (p * p).sum().squareRoot())
                if cs > bestCos { bestCos = cs; best = k }
            }
            guard bestCos >= config.minCos else { continue }
            let p = palette[best]
            label[i] = Int8(best)
            alpha[i] = min(max((c * p).sum() / (p * p).sum(), 0), 1)
            cosine[i] = bestCos
            bright[i] = norm >= config.minBrightness
        }
        // Components of core pixels per colour, each grown by its one-pixel rim.
        var owner = [Int32](repeating: -1, count: n)
        var blobs: [(members: [Int], core: Int, color: Int)] = []
        var stack: [Int] = []
        var members: [Int] = []
        func isCore(_ i: Int) -> Bool { label[i] >= 0 && bright[i] && alpha[i] >= config.coreCoverage }
        /// Calls `visit` with each of pixel i's eight neighbours that lies in the frame.
        func neighbours(of i: Int, _ visit: (Int) -> Void) {
            let x = i % W, y = i / W
            for dy in -1...1 {
                for dx in -1...1 where dx != 0 || dy != 0 {
                    let nx = x + dx, ny = y + dy
                    if nx >= 0 && nx < W && ny >= 0 && ny < H { visit(ny * W + nx) }
                }
            }
        }
        for seed in 0..<n where isCore(seed) && owner[seed] < 0 {
            let k = label[seed]
            let id = Int32(blobs.count)
            members.removeAll(keepingCapacity: true)
            owner[seed] = id
            stack.append(seed)
            while let i = stack.popLast() {
                members.append(i)
                neighbours(of: i) { j in
                    if owner[j] < 0 && label[j] == k && isCore(j) {
                        owner[j] = id
                        stack.append(j)
                    }
                }
            }
            let core = members
            for i in core {
                neighbours(of: i) { j in
                    if owner[j] < 0 && label[j] == k && alpha[j] >= config.fringeCoverage {
                        owner[j] = id
                        members.append(j)
                    }
                }
            }
            blobs.append((members, core.count, Int(k)))
        }
        var out = blobs.map { blob in
            measure(pixels: blob.members, core: blob.core, color: blob.color, rgb: rgb, alpha: alpha, cosine: cosine, width: W)
        }
        // A disc drawn over another or under it: centre and radius from its visible arc.
        if config.fitsCoveredDiscs || config.fitsEveryRim {
            fitVisibleArcs(&out, blobs: blobs.map(\.members),
                           in: LabelledFrame(rgb: rgb, label: label, alpha: alpha, owner: owner, height: H, width: W))
        }
        return out.sorted { a, b in
            a.color != b.color ? a.color < b.color
                : (a.position.y != b.position.y ? a.position.y < b.position.y : a.position.x < b.position.x)
        }
    }

    /// Centroid, radius, colour and validity of one blob; `pixels[0..<core]` are its core.
    func measure(pixels: [Int], core: Int, color: Int, rgb: [Float], alpha: [Float], cosine: [Float],
                 width W: Int) -> Detection {
        var sa = 0.0, sx = 0.0, sy = 0.0, sc = 0.0
        for i in pixels {
            let a = Double(alpha[i])
            sa += a
            sx += a * (Double(i % W) + 0.5)
            sy += a * (Double(i / W) + 0.5)
            sc += a * Double(cosine[i])
        }
        let c = Vec2(sx / sa, sy / sa)
        var cxx = 0.0, cyy = 0.0, cxy = 0.0
        for i in pixels {
            let a = Double(alpha[i])
            let dx = Double(i % W) + 0.5 - c.x, dy = Double(i / W) + 0.5 - c.y
            cxx += a * dx * dx
            cyy += a * dy * dy
            cxy += a * dx * dy
        }
        cxx /= sa
        cyy /= sa
        cxy /= sa
        let tr = cxx + cyy, det = cxx * cyy - cxy * cxy
        let gap = max(tr * tr / 4 - det, 0).squareRoot()
        let lmax = tr / 2 + gap, lmin = max(tr / 2 - gap, 0)
        let roundness = lmax > 0 ? lmin / lmax : 0
        // A filled disc of radius r has area π r² (+ π/12 for the ramp) and trace r²/2.
        let radius = max(sa / Double.pi - 1.0 / 12, 0).squareRoot()
        let spreadRadius = (2 * tr).squareRoot()
        let ratio = spreadRadius > 0 ? radius / spreadRadius : 0
        let compactness = ratio > 1 ? 1 / ratio : ratio
        let colorFit = sc / sa
        let colorScore = max(0, min(1, (colorFit - Double(config.minCos)) / (1 - Double(config.minCos))))
        let validity = roundness.squareRoot() * compactness * (0.5 + 0.5 * colorScore)
        var mean = [0.0, 0.0, 0.0]
        for i in pixels[0..<core] {
            for ch in 0..<3 { mean[ch] += Double(rgb[i * 3 + ch]) * 255 / Double(core) }
        }
        let valid = validity >= config.minValidity && sa >= config.minArea && config.radiusRange.contains(radius)
        return Detection(color: color, position: c, radius: radius, area: sa, meanColor: mean, roundness: roundness,
                         compactness: compactness, colorFit: colorFit, validity: validity, isValid: valid)
    }

    // MARK: - Tracks

    /// Links valid detections across frames. Colours identify balls: a colour seen once per
    /// frame with one open track joins it wherever it is (so a ball that reappears after
    /// being hidden keeps its track). When a colour repeats, detections join the nearest
    /// track's predicted position (last position plus last velocity times frames elapsed),
    /// greedily by distance within `maxJump` per frame elapsed; the rest start new tracks.
    public func track(_ frames: [[Detection]]) -> [Track] {
        var tracks: [Track] = []
        let T = frames.count
        for (t, dets) in frames.enumerated() {
            let valid = dets.filter(\.isValid)
            for k in Set(valid.map(\.color)).sorted() {
                let mine = valid.filter { $0.color == k }
                let open = tracks.indices.filter { tracks[$0].color == k }
                var used = Set<Int>(), assigned = Set<Int>()
                if open.count == 1 && mine.count == 1 {
                    tracks[open[0]].detections[t] = mine[0]
                    continue
                }
                var pairs: [(d: Double, track: Int, det: Int)] = []
                for ti in open {
                    guard let (p, gap) = predict(tracks[ti], at: t) else { continue }
                    for (di, det) in mine.enumerated() {
                        let d = (det.position - p).length
                        if d <= config.maxJump * Double(gap) { pairs.append((d, ti, di)) }
                    }
                }
                pairs.sort { $0.d != $1.d ? $0.d < $1.d : ($0.track, $0.det) < ($1.track, $1.det) }
                for pr in pairs where !used.contains(pr.track) && !assigned.contains(pr.det) {
                    tracks[pr.track].detections[t] = mine[pr.det]
                    used.insert(pr.track)
                    assigned.insert(pr.det)
                }
                for (di, det) in mine.enumerated() where !assigned.contains(di) {
                    var tr = Track(color: k, detections: Array(repeating: nil, count: T))
                    tr.detections[t] = det
                    tracks.append(tr)
                }
            }
        }
        return tracks
    }

    /// Where `track` should be at frame `t`, and how many frames since it was last seen.
    func predict(_ track: Track, at t: Int) -> (Vec2, Int)? {
        let seen = track.detections[0..<t].indices.filter { track.detections[$0] != nil }
        guard let last = seen.last, let p = track.detections[last]?.position else { return nil }
        var v = Vec2(0, 0)
        if seen.count >= 2, let q = track.detections[seen[seen.count - 2]]?.position {
            v = (p - q) / Double(last - seen[seen.count - 2])
        }
        return (p + v * Double(t - last), t - last)
    }
}

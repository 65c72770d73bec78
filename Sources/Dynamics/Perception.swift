// Perception: frames → an explicit state, by the tracker. Balls are found by colour; a
// clip never repeats a colour, so the colour is the ball's identity across frames. The
// static world is read too: an occluder is the grey that covers the same pixels in every
// frame, its fractional edges read from the coverage of the pixels they cut.

import World

/// Reads a `WorldState` from planar frames.
public struct Perception: Sendable {
    public var tracker: Tracker
    /// Take a detection whose circle the tracker fitted to its visible arc (a disc drawn
    /// under another, Tracker+CoveredDisc) even when its blob is not a valid disc: the crescent
    /// of a covered disc is not round, but its arc fit is its whole circle. Off in the flat
    /// world, whose discs are not drawn over one another.
    public var takesArcFits = false

    public init(tracker: Tracker = Tracker(), takesArcFits: Bool = false) {
        self.tracker = tracker
        self.takesArcFits = takesArcFits
    }

    /// Per frame of planar `frames` [T, 3, H, W], the valid detections by palette index
    /// (with `takesArcFits`, the arc-fitted ones too; when a colour shows twice, the larger
    /// blob), centres and radii refitted to the pixels (DiscFit.swift).
    public func detections(planar frames: [Float], height H: Int, width W: Int) -> [[Int: Detection]] {
        let T = frames.count / (3 * H * W)
        precondition(T * 3 * H * W == frames.count, "perception: \(frames.count) floats are not [T,3,\(H),\(W)]")
        return tracker.detect(planar: frames, frames: T, height: H, width: W).enumerated().map { t, dets in
            let rgb = Self.rgb(planar: frames, frame: t, pixels: H * W)
            var byColor: [Int: Detection] = [:]
            for d in dets where d.isValid || (takesArcFits && d.arcFitted) {
                if let old = byColor[d.color], old.area >= d.area { continue }
                byColor[d.color] = d
            }
            let noise = DiscFit.noiseLevel(rgb: rgb, height: H, width: W, detections: dets)
            for (k, d) in byColor {
                byColor[k] = DiscFit.refine(d, rgb: rgb, height: H, width: W, color: tracker.palette[k], noise: noise)
            }
            return byColor
        }
    }

    /// The occluders of planar `frames` [T, 3, H, W]: each 4-connected set of pixels wholly
    /// covered by occluder grey in every frame, as a rectangle whose edges are moved out by
    /// the coverage of the pixels beside it (a pure mix of grey and black in some frame).
    /// Exact to rounding for the rasterizer's bars, whatever passes behind them.
    public func occluders(planar frames: [Float], height H: Int, width W: Int) -> [Rect] {
        let T = frames.count / (3 * H * W), hw = H * W
        guard T > 0 else { return [] }
        let grey = Palette.occluder.unit, rgb = (0..<T).map { Self.rgb(planar: frames, frame: $0, pixels: hw) }
        /// Pixel i's coverage by grey over black in frame t, or nil when it is not such a mix.
        func coverage(_ t: Int, _ i: Int) -> Float? {
            DiscFit.mix(SIMD3(rgb[t][i * 3], rgb[t][i * 3 + 1], rgb[t][i * 3 + 2]), of: grey)
        }
        let solid = (0..<hw).map { i in (0..<T).allSatisfy { t in (coverage(t, i) ?? 0) > 1 - 1e-3 } }
        /// The coverage of pixel (x, y) where some frame shows it as grey over black.
        func edge(_ x: Int, _ y: Int) -> Double? {
            guard x >= 0, x < W, y >= 0, y < H, !solid[y * W + x] else { return nil }
            return (0..<T).lazy.compactMap { coverage($0, y * W + x) }.first { $0 > 1e-4 }.map(Double.init)
        }
        var seen = [Bool](repeating: false, count: hw), out: [Rect] = []
        for start in 0..<hw where solid[start] && !seen[start] {
            var stack = [start], (x0, x1, y0, y1) = (W, -1, H, -1)
            seen[start] = true
            while let i = stack.popLast() {
                let (x, y) = (i % W, i / W)
                (x0, x1, y0, y1) = (min(x0, x), max(x1, x), min(y0, y), max(y1, y))
                for (nx, ny) in [(x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1)] where nx >= 0 && nx < W && ny >= 0 && ny < H {
                    let j = ny * W + nx
                    if solid[j] && !seen[j] { seen[j] = true; stack.append(j) }
                }
            }
            let left = (y0...y1).lazy.compactMap { edge(x0 - 1, $0) }.first ?? 0
            let right = (y0...y1).lazy.compactMap { edge(x1 + 1, $0) }.first ?? 0
            let top = (x0...x1).lazy.compactMap { edge($0, y0 - 1) }.first ?? 0
            let bottom = (x0...x1).lazy.compactMap { edge($0, y1 + 1) }.first ?? 0
            let x = Double(x0) - left, y = Double(y0) - top
            out.append(Rect(x: x, y: y, width: Double(x1 + 1) + right - x, height: Double(y1 + 1) + bottom - y))
        }
        return out
    }

    /// Frame `frame` of planar `frames` [T, 3, H, W] in [-1, 1] as interleaved RGB [H·W, 3] in
    /// [0, 1] (NaN as 0), the layout DiscFit reads.
    static func rgb(planar frames: [Float], frame t: Int, pixels hw: Int) -> [Float] {
        var rgb = [Float](repeating: 0, count: hw * 3)
        for c in 0..<3 {
            for i in 0..<hw {
                let v = frames[(t * 3 + c) * hw + i]
                rgb[i * 3 + c] = v.isNaN ? 0 : min(max((v + 1) / 2, 0), 1)
            }
        }
        return rgb
    }
}

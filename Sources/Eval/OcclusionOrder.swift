// Occlusion order as a frame shows it (the 2.5D experiment): in the 3D box every ball has one
// physical radius, so a larger disc is a nearer ball, and a nearer ball's disc covers a
// farther one's where they overlap. A frame is consistent with some 3D scene only if, in
// every overlap, the larger disc is the one on top. This needs no alignment with the
// simulator — it is the frame's own consistency — so it scores any generator's frames.
//
// Per frame: the tracker with the arc fit (Tracker+CoveredDisc) gives both circles of discs
// drawn over one another; for each pair of two colours whose circles overlap by at least
// `minOverlap` px, the lens inside both (by half a pixel) is read pixel by pixel, each pixel
// of one of the two colours (to 0.1 in RGB; a third disc's pixels say nothing of these two)
// counting for it, and the colour most of them carry is on top.
// The pair is right when that disc is the larger (pairs whose radii differ by less than
// `minRadiusGap` say nothing of depth and are left out).

import World

/// How many overlaps of some frames had the larger disc on top.
public struct OcclusionOrder: Codable, Equatable, Sendable {
    /// Overlapping pairs judged, and those with the larger disc on top.
    public var pairs = 0
    public var right = 0

    /// Overlap depth (r_a + r_b − |c_a − c_b|, px) below which a pair is not judged.
    public static let minOverlap = 1.0
    /// Radii closer than this (px) tell no depth.
    public static let minRadiusGap = 0.1

    public init() {}

    /// The share of judged pairs with the larger disc on top; nil when none was judged.
    public var share: Double? { pairs == 0 ? nil : Double(right) / Double(pairs) }

    /// "right/pairs (share)", e.g. "639/640 (100%)"; "no overlap drawn" when none was judged.
    public var described: String { share.map { String(format: "%d/%d (%.0f%%)", right, pairs, 100 * $0) } ?? Self.noneDrawn }
    /// What a share reads when the frames hold no overlap of two discs to judge.
    public static let noneDrawn = "no overlap drawn"
    /// A share as a percentage, or `noneDrawn`.
    public static func percent(_ share: Double?) -> String { share.map { String(format: "%.1f%%", 100 * $0) } ?? noneDrawn }

    /// Both counts added.
    public static func + (a: OcclusionOrder, b: OcclusionOrder) -> OcclusionOrder {
        var s = a
        s.pairs += b.pairs
        s.right += b.right
        return s
    }

    /// The overlaps of planar `frames` [T, 3, H, W] (values in [-1, 1]).
    public static func judge(planar frames: [Float], height H: Int, width W: Int) -> OcclusionOrder {
        var tracker = Tracker()
        tracker.config.fitsCoveredDiscs = true
        let hw = H * W, T = frames.count / (3 * hw)
        precondition(T * 3 * hw == frames.count, "occlusion order: \(frames.count) floats are not [T,3,\(H),\(W)]")
        let found = tracker.detect(planar: frames, frames: T, height: H, width: W)
        var out = OcclusionOrder()
        for t in 0..<T {
            func pixel(_ x: Int, _ y: Int) -> SIMD3<Float> {
                let base = t * 3 * hw + y * W + x
                return SIMD3((frames[base] + 1) / 2, (frames[base + hw] + 1) / 2, (frames[base + 2 * hw] + 1) / 2)
            }
            let discs = found[t].filter(\.arcFitted)
            for i in discs.indices {
                for j in discs.indices where j > i && discs[i].color != discs[j].color {
                    let a = discs[i], b = discs[j]
                    guard a.radius + b.radius - (a.position - b.position).length >= minOverlap,
                          abs(a.radius - b.radius) >= minRadiusGap else { continue }
                    var onA = 0, onB = 0
                    for y in 0..<H {
                        for x in 0..<W {
                            let q = Vec2(Double(x) + 0.5, Double(y) + 0.5)
                            guard (q - a.position).length < a.radius - 0.5, (q - b.position).length < b.radius - 0.5 else { continue }
                            let px = pixel(x, y), ka = tracker.palette[a.color], kb = tracker.palette[b.color]
                            let da = ((px - ka) * (px - ka)).sum(), db = ((px - kb) * (px - kb)).sum()
                            // A pixel of a third disc (or a rim) says nothing of these two.
                            guard min(da, db) < 0.01 else { continue }
                            if da < db { onA += 1 } else if db < da { onB += 1 }
                        }
                    }
                    guard onA != onB else { continue }
                    out.pairs += 1
                    let larger = a.radius > b.radius
                    if (onA > onB) == larger { out.right += 1 }
                }
            }
        }
        return out
    }
}

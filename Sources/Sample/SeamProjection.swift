// Seam projection: the model's own frames cleaned before a stitched window reads them.
//
// A stitched window takes its context from frames the model drew itself, so whatever it got
// slightly wrong — a tint, a faded ball, a colour drifting toward its neighbour — is read
// back as if it were the world, and compounds window after window. Projecting those frames
// onto the set of frames the world can show removes the error that is not a ball's state.
// Only the context passes through it; the video keeps the frames as the model drew them.
//
// Shapes: B clips, K context frames, planar frames [3, H, W] in [-1, 1].

import Diffusion
import Tensor
import World

extension SeamProjection {
    /// `context` [B, K, 3, H, W] with every frame f where `generated[f]` projected (the
    /// simulator's frames pass as they are).
    public func apply(_ context: Tensor, generated: [Bool]) -> Tensor {
        guard self != .none else { return context }
        let (b, k, h, w) = (context.shape[0], context.shape[1], context.shape[3], context.shape[4])
        precondition(context.shape[2] == 3 && generated.count == k, "seam projection of \(context.shape) with \(generated.count) flags")
        let per = 3 * h * w
        var values = context.values
        for i in 0..<b {
            for f in 0..<k where generated[f] {
                let base = (i * k + f) * per
                let frame = Array(values[base..<(base + per)])
                values.replaceSubrange(base..<(base + per), with: project(frame, height: h, width: w))
            }
        }
        return Tensor(shape: context.shape, values: values)
    }

    /// One planar frame [3, H, W] in [-1, 1], projected.
    public func project(_ planar: [Float], height h: Int, width w: Int) -> [Float] {
        switch self {
        case .none: return planar
        case .palette: return Self.onPaletteLines(planar, pixels: h * w)
        case .discs: return Self.redrawn(planar, height: h, width: w)
        }
    }

    /// Colours a pixel of a clean frame can take: a·p for a palette colour (or the occluder
    /// grey) p and coverage a ∈ [0, 1], black included (a = 0).
    static let lines: [SIMD3<Float>] = (Palette.colors + [Palette.occluder]).map(\.unit)

    /// Each pixel replaced by the nearest point a·p of the lines; a pixel already on one
    /// (to 1e-6 in squared distance) is kept bit for bit, so a clean frame passes unchanged.
    static func onPaletteLines(_ planar: [Float], pixels n: Int) -> [Float] {
        var out = planar
        for i in 0..<n {
            let c = SIMD3<Float>((planar[i] + 1) / 2, (planar[n + i] + 1) / 2, (planar[2 * n + i] + 1) / 2)
            var best = (c * c).sum(), nearest = SIMD3<Float>(repeating: 0)
            for p in lines {
                let a = min(max((c * p).sum() / (p * p).sum(), 0), 1)
                let r = c - a * p
                let d = (r * r).sum()
                if d < best { (best, nearest) = (d, a * p) }
            }
            if best < 1e-6 { continue }
            (out[i], out[n + i], out[2 * n + i]) = (nearest.x * 2 - 1, nearest.y * 2 - 1, nearest.z * 2 - 1)
        }
        return out
    }

    /// The tracker's valid discs in the frame drawn again by the rasterizer on black.
    static func redrawn(_ planar: [Float], height h: Int, width w: Int) -> [Float] {
        let tracker = Tracker()
        let found = tracker.detect(planar: planar, frames: 1, height: h, width: w)[0].filter(\.isValid)
        let balls = found.enumerated().map { id, d in Ball(id: id, position: d.position, velocity: Vec2(0, 0), radius: d.radius, color: d.color) }
        let frame = FrameState(t: 0, balls: balls, visible: balls.map { _ in true }, visibleFraction: balls.map { _ in 1 }, dark: false)
        return Rasterizer.planar([frame], scene: Scene(width: w, height: h))
    }
}

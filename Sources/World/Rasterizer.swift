// Draws simulator states as images: anti-aliased discs in palette colours on black, grey
// occluder bars on top, everything black while the scene is dark.
//
// Shapes: T frames, H height, W width. Two layouts leave this file:
//   planar  [T, 3, H, W] Float in [-1, 1] — what the model sees (Train wraps it in a tensor);
//   packed  [T, H, W, 3] UInt8 in 0–255   — what files (.npy, GIF, PNG) hold.
// Both come from one packed Float image in [0, 1] per frame, so they agree to rounding.

/// Renders frames of an `Episode` (or any `FrameState`s of a `Scene`).
public enum Rasterizer {
    /// Draws one frame into `rgb` ([H, W, 3], values in [0, 1]), overwriting it.
    ///
    /// A disc's coverage of a pixel is clamp(r + 0.5 − d, 0, 1), d the distance from the
    /// disc's centre to the pixel's centre: a one-pixel linear ramp around the true edge,
    /// whose coverage-weighted centroid is the disc's centre. Balls are composited in id
    /// order with "over"; occluders are opaque and cover pixels in proportion to overlap.
    public static func draw(_ frame: FrameState, scene: Scene, into rgb: UnsafeMutableBufferPointer<Float>) {
        let H = scene.height, W = scene.width
        precondition(rgb.count == H * W * 3, "draw: buffer holds \(rgb.count) floats, frame needs \(H * W * 3)")
        rgb.update(repeating: 0)
        if frame.dark { return }
        for ball in frame.balls {
            let c = Palette.colors[ball.color].unit
            let reach = ball.radius + Scene.drawMargin
            let x0 = max(0, Int((ball.position.x - reach).rounded(.down)))
            let x1 = min(W - 1, Int((ball.position.x + reach).rounded(.down)))
            let y0 = max(0, Int((ball.position.y - reach).rounded(.down)))
            let y1 = min(H - 1, Int((ball.position.y + reach).rounded(.down)))
            guard x0 <= x1, y0 <= y1 else { continue }
            let cx = Float(ball.position.x), cy = Float(ball.position.y), r = Float(ball.radius)
            for y in y0...y1 {
                let dy = Float(y) + 0.5 - cy
                for x in x0...x1 {
                    let dx = Float(x) + 0.5 - cx
                    let d = (dx * dx + dy * dy).squareRoot()
                    let a = min(max(r + 0.5 - d, 0), 1)
                    if a == 0 { continue }
                    let o = (y * W + x) * 3
                    rgb[o] += a * (c.x - rgb[o])
                    rgb[o + 1] += a * (c.y - rgb[o + 1])
                    rgb[o + 2] += a * (c.z - rgb[o + 2])
                }
            }
        }
        let grey = Palette.occluder.unit
        for bar in scene.occluders {
            let x0 = max(0, Int(bar.x.rounded(.down))), x1 = min(W - 1, Int(bar.maxX.rounded(.up)) - 1)
            let y0 = max(0, Int(bar.y.rounded(.down))), y1 = min(H - 1, Int(bar.maxY.rounded(.up)) - 1)
            guard x0 <= x1, y0 <= y1 else { continue }
            for y in y0...y1 {
                let fy = Float(min(bar.maxY, Double(y + 1)) - max(bar.y, Double(y)))
                for x in x0...x1 {
                    let fx = Float(min(bar.maxX, Double(x + 1)) - max(bar.x, Double(x)))
                    let a = fx * fy
                    let o = (y * W + x) * 3
                    rgb[o] += a * (grey.x - rgb[o])
                    rgb[o + 1] += a * (grey.y - rgb[o + 1])
                    rgb[o + 2] += a * (grey.z - rgb[o + 2])
                }
            }
        }
    }

    /// All frames, planar `[T, 3, H, W]` in [-1, 1].
    public static func planar(_ episode: Episode) -> [Float] {
        planar(episode.frames, scene: episode.scene)
    }

    /// `frames` of `scene`, planar `[T, 3, H, W]` in [-1, 1].
    public static func planar(_ frames: [FrameState], scene: Scene) -> [Float] {
        let hw = scene.height * scene.width
        var out = [Float](repeating: 0, count: frames.count * 3 * hw)
        var rgb = [Float](repeating: 0, count: hw * 3)
        out.withUnsafeMutableBufferPointer { o in
            rgb.withUnsafeMutableBufferPointer { px in
                for (t, f) in frames.enumerated() {
                    draw(f, scene: scene, into: px)
                    let base = t * 3 * hw
                    for i in 0..<hw {
                        o[base + i] = px[i * 3] * 2 - 1
                        o[base + hw + i] = px[i * 3 + 1] * 2 - 1
                        o[base + 2 * hw + i] = px[i * 3 + 2] * 2 - 1
                    }
                }
            }
        }
        return out
    }

    /// All frames, packed `[T, H, W, 3]` bytes.
    public static func bytes(_ episode: Episode) -> [UInt8] {
        bytes(episode.frames, scene: episode.scene)
    }

    /// `frames` of `scene`, packed `[T, H, W, 3]` bytes.
    public static func bytes(_ frames: [FrameState], scene: Scene) -> [UInt8] {
        let n = scene.height * scene.width * 3
        var out = [UInt8](repeating: 0, count: frames.count * n)
        var rgb = [Float](repeating: 0, count: n)
        out.withUnsafeMutableBufferPointer { o in
            rgb.withUnsafeMutableBufferPointer { px in
                for (t, f) in frames.enumerated() {
                    draw(f, scene: scene, into: px)
                    for i in 0..<n { o[t * n + i] = UInt8(px[i] * 255 + 0.5) }
                }
            }
        }
        return out
    }
}

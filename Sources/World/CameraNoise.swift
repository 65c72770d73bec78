// A camera's imperfection laid over rendered frames: a 3×3 blur (the binomial kernel
// [1 2 1]ᵀ[1 2 1] / 16, edges clamped), then Gaussian noise of standard deviation σ on each
// channel of each pixel, in intensity units of [0, 1], the result clipped to [0, 1]. σ = 0 is
// the clean render, untouched (no blur either). The noise of frame t of a clip is drawn from
// the clip's scene seed split by "camera" and t, so a noisy clip is the same bytes every time,
// and its first frames do not change when it is made longer.

import Tensor

/// Blur and pixel noise for rendered frames.
public struct CameraNoise: Codable, Equatable, Sendable {
    /// Standard deviation of the pixel noise, in intensity units of [0, 1]; 0: clean frames.
    public var sigma: Double

    public init(sigma: Double = 0) {
        self.sigma = sigma
    }

    /// The clean render.
    public static let none = CameraNoise()

    /// Whether frames are left as rendered.
    public var isClean: Bool { sigma == 0 }

    /// Why `sigma` is not a noise level this accepts, or nil.
    public var problem: String? {
        sigma.isFinite && sigma >= 0 && sigma <= 1 ? nil : "camera noise σ must be in [0, 1], got \(sigma)"
    }

    /// Planar frames [T, 3, H, W] in [-1, 1] of the clip of scene seed `seed`, blurred and noised.
    public func apply(planar frames: [Float], height H: Int, width W: Int, seed: UInt64) -> [Float] {
        guard !isClean else { return frames }
        let hw = H * W, T = frames.count / (3 * hw)
        precondition(T * 3 * hw == frames.count, "camera noise: \(frames.count) floats are not [T,3,\(H),\(W)]")
        var out = frames
        var noise = [Float](repeating: 0, count: 3 * hw)
        let camera = RNG(seed: seed).split("camera")
        for t in 0..<T {
            var rng = camera.split(t)
            noise.withUnsafeMutableBufferPointer { rng.fillNormal($0, std: Float(2 * sigma)) }
            for c in 0..<3 {
                let base = (t * 3 + c) * hw
                let blurred = Self.blur(Array(frames[base..<(base + hw)]), height: H, width: W)
                for i in 0..<hw { out[base + i] = min(max(blurred[i] + noise[c * hw + i], -1), 1) }
            }
        }
        return out
    }

    /// Packed frames [T, H, W, 3] of bytes, as `apply(planar:)` treats them.
    public func apply(bytes frames: [UInt8], height H: Int, width W: Int, seed: UInt64) -> [UInt8] {
        guard !isClean else { return frames }
        let T = frames.count / (3 * H * W)
        let planar = Frames.planar(bytes: frames, frames: T, height: H, width: W)
        return Frames.bytes(planar: apply(planar: planar, height: H, width: W, seed: seed), frames: T, height: H, width: W)
    }

    /// One channel [H, W] convolved with the binomial 3×3 kernel, edges clamped.
    static func blur(_ x: [Float], height H: Int, width W: Int) -> [Float] {
        func at(_ y: Int, _ x0: Int) -> Float { x[min(max(y, 0), H - 1) * W + min(max(x0, 0), W - 1)] }
        var rows = [Float](repeating: 0, count: H * W), out = rows
        for y in 0..<H { for i in 0..<W { rows[y * W + i] = (at(y, i - 1) + 2 * at(y, i) + at(y, i + 1)) / 4 } }
        func row(_ y: Int, _ i: Int) -> Float { rows[min(max(y, 0), H - 1) * W + i] }
        for y in 0..<H { for i in 0..<W { out[y * W + i] = (row(y - 1, i) + 2 * row(y, i) + row(y + 1, i)) / 4 } }
        return out
    }
}

extension Rasterizer {
    /// `episode`'s frames as planar [T, 3, H, W] floats in [-1, 1], through `camera`.
    public static func planar(_ episode: Episode, camera: CameraNoise) -> [Float] {
        camera.apply(planar: planar(episode), height: episode.scene.height, width: episode.scene.width, seed: episode.seed)
    }
}

// Drawing the 3D box: each ball is projected to a flat disc (centre u, v and apparent radius
// r = f R / Z, `PinholeCamera`) and the flat rasterizer draws the discs far to near, so a
// nearer ball covers a farther one where they overlap and a disc at (u, v, r) is exactly the
// pixels a flat ball there would be. The layouts are the flat ones: planar [T, 3, H, W] in
// [-1, 1] for the model, packed [T, H, W, 3] bytes for files.

extension Episode3D {
    /// Every frame as the image shows it (`imageFrame`), balls in drawing order.
    public var imageFrames: [FrameState] { (0..<count).map { imageFrame($0) } }
}

extension Rasterizer {
    /// Draws frame `t` of a 3D clip into `rgb` ([H, W, 3], values in [0, 1]), overwriting it.
    public static func draw(_ episode: Episode3D, frame t: Int, into rgb: UnsafeMutableBufferPointer<Float>) {
        draw(episode.imageFrame(t), scene: episode.imageScene, into: rgb)
    }

    /// All frames of a 3D clip, planar `[T, 3, H, W]` in [-1, 1].
    public static func planar(_ episode: Episode3D) -> [Float] {
        planar(episode.imageFrames, scene: episode.imageScene)
    }

    /// All frames of a 3D clip, packed `[T, H, W, 3]` bytes.
    public static func bytes(_ episode: Episode3D) -> [UInt8] {
        bytes(episode.imageFrames, scene: episode.imageScene)
    }
}

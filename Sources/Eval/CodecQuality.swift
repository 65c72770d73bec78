// How well a frame autoencoder draws what it is given: held-out simulator frames are
// encoded and decoded, and the tracker scores the result against the simulator's states,
// exactly as it scores a model's frames. This is the ceiling a latent model can reach.

import Diffusion
import Tensor
import World

extension WindowQuality {
    /// Every frame of every held-out clip, encoded and decoded by `codec`, scored.
    public func reconstruction(by codec: FrameAutoencoder) -> QualityStats {
        var scores: [FrameScore] = []
        for clip in clips {
            let frames = Tensor(shape: [clip.count, 3, config.size, config.size], values: Rasterizer.planar(clip))
            let decoded = codec.decode(codec.encode(frames)).map { min(1, max(-1, $0)) }.values
            for f in 0..<clip.count {
                scores.append(score(frame: Array(decoded[(f * frameCount)..<((f + 1) * frameCount)]), truth: clip.frames[f],
                                    scene: clip.scene, index: f))
            }
        }
        return QualityStats(scores, missPenalty: config.missPenalty)
    }

    /// `codec` scored on every frame of 64 held-out clips (`reconstruction`): what
    /// `vidgen autoencoder` reports.
    public static func heldOutReconstruction(by codec: FrameAutoencoder) throws -> QualityStats {
        var q = WindowQualityConfig()
        (q.clips, q.size) = (64, codec.config.frameSize)
        q.missPenalty = Double(q.size) / 2
        return try WindowQuality(q).reconstruction(by: codec)
    }
}

// The training data: a stream of fresh clips from the simulator.
//
// Batch `s` depends only on the run's seed and `s` (streams are split by step and clip
// index), so resuming at step s draws exactly the batches an uninterrupted run draws,
// with no data cursor to save beyond the step number.

import Checkpoints
import Diffusion
import Tensor
import World

/// One training batch.
public struct ClipBatch {
    /// Clean clips x₀ [B,T,3,H,W] in [-1, 1], at the frame size (TrainConfig.frameSize).
    public var clips: Tensor
    /// Context mask [B·T]: 1 for the first K frames of each clip, and with staggered
    /// frames also for the generated frames whose level has already reached 0.
    public var mask: [Float]
    /// Noise levels: one per clip [B], or one per frame [B·T] when the model's frames are
    /// staggered (ModelConfig.frameLag > 0; context frames at 0, or with context noise at
    /// a small level of their own).
    public var t: [Float]
    /// ε [B,T,C,H,W], the model's shape (for a latent model, the latents').
    public var noise: Tensor
    /// Loss weight per frame [B·T] when it is not simply 1 − mask: staggered windows
    /// without `lossOnWaitingFrames` leave out the frames still waiting at t = 1.
    public var lossMask: [Float]?
    /// Context frames K drawn for each clip [B]; mask 1 beyond them marks the frames a
    /// staggered window has finished.
    public var context: [Int]
}

/// Windows of the config's scenario's clips (flat, or seen in the 3D box), seeded.
public struct ClipStream {
    public let config: TrainConfig
    public let scenario: WorldScenario
    let root: RNG

    public init(_ config: TrainConfig) throws {
        self.config = config
        scenario = try WorldScenario.named(config.scenario).resized(to: config.frameSize)
        root = RNG(seed: config.seed).split("data")
    }

    /// The batch of step `step`, or of its clips `clips` only (one rank's share of it in a
    /// data-parallel run): clip i is the same whichever range holds it.
    public func batch(step: Int, clips: Range<Int>? = nil) throws -> ClipBatch {
        let m = config.model
        let (whole, frames) = (config.batchSize, m.frames)
        let clips = clips ?? 0..<whole
        precondition(clips.lowerBound >= 0 && clips.upperBound <= whole, "clips \(clips) of a batch of \(whole)")
        let (b, first) = (clips.count, clips.lowerBound)
        let per = frames * 3 * config.frameSize * config.frameSize
        var pixels = [Float](repeating: 0, count: b * per)
        var mask = [Float](repeating: 0, count: b * frames)
        let ramp = m.ramp
        var t = [Float](repeating: 0, count: ramp.lag > 0 ? b * frames : b)
        var lossMask: [Float]? = ramp.lag > 0 && !config.lossOnWaitingFrames ? [Float](repeating: 0, count: b * frames) : nil
        var contexts = [Int](repeating: 0, count: b)
        let stepRNG = root.split(step)
        for i in 0..<b {
            var rng = stepRNG.split(first + i)
            let episode = try scenario.clip(seed: SceneSeeds.training(&rng), frames: config.simulationFrames)
            let start = rng.int(in: 0...(config.simulationFrames - frames))
            let unconditional = rng.uniform() < config.unconditionalShare
            let context = unconditional ? 0 : rng.int(in: config.contextMin...config.contextMax)
            let window = episode.planar(start..<(start + frames))
            pixels.replaceSubrange((i * per)..<((i + 1) * per), with: window)
            contexts[i] = context
            for f in 0..<context { mask[i * frames + f] = 1 }
            // u^power is the level of a window denoised all at once; staggered, it sets the
            // chain's progress p = 1 − u^power, and frames already at 0 join the context.
            let u = max(1e-3, Swift.min(1, Libm.pow(rng.uniform(), config.noisePower)))
            if ramp.lag > 0 {
                let levels = ramp.levels(progress: 1 - u, generated: frames - context)
                for (k, level) in levels.enumerated() {
                    let f = i * frames + context + k
                    if level <= 0 { mask[f] = 1 } else { t[f] = Float(max(1e-3, level)) }
                    if level > 0 && level < 1 { lossMask?[f] = 1 }
                }
            } else {
                t[i] = Float(u)
            }
        }
        if config.contextNoise > 0 {
            // One level per clip: on every finished frame, and on the given context of a
            // `noisedContextShare` of the clips.
            var levelRNG = stepRNG.split("context-noise")
            for clip in 0..<clips.upperBound {
                let level = Float(levelRNG.uniform() * config.contextNoise)
                let seam = levelRNG.uniform() < config.noisedContextShare
                let i = clip - first
                guard i >= 0, level > 0 else { continue }
                for f in 0..<frames where mask[i * frames + f] == 1 && (seam || f >= contexts[i]) {
                    t[i * frames + f] = level
                }
            }
        }
        if config.historyNoiseShare + config.noHistoryShare > 0 {
            // History noise: each clip draws whether its given context is dropped (level 1),
            // noised frame by frame (levels of their own in 0…1), or left as above.
            var historyRNG = stepRNG.split("history")
            for clip in 0..<clips.upperBound {
                let kind = historyRNG.uniform()
                let levels = (0..<config.contextMax).map { _ in Float(historyRNG.uniform()) }
                let i = clip - first
                guard i >= 0 else { continue }
                for f in 0..<contexts[i] {
                    if kind < config.noHistoryShare {
                        t[i * frames + f] = 1
                    } else if kind < config.noHistoryShare + config.historyNoiseShare {
                        t[i * frames + f] = levels[f]
                    }
                }
            }
        }
        // ε is drawn for the whole batch, in one stream, and cut to the clips asked for.
        var noiseRNG = stepRNG.split("noise")
        let (fs, shape) = (config.frameSize, [whole, frames, m.channels, m.size, m.size])
        var noise = Tensor.randn(shape, rng: &noiseRNG)
        if b < whole {
            let n = noise.count / whole
            noise = noise.withUnsafeBufferPointer { all in
                Tensor(shape: [b] + shape.dropFirst(), values: Array(all[(first * n)..<((first + b) * n)]))
            }
        }
        return ClipBatch(clips: Tensor(shape: [b, frames, 3, fs, fs], values: pixels), mask: mask, t: t,
                         noise: noise, lossMask: lossMask, context: contexts)
    }
}

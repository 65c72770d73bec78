// `vidgen bench sample`: one sampling step of the reference model (ModelConfig.reference), what
// a user waits for — a long video (64 frames) of a checkpoint at its shipped sampling
// settings, beside DDIM 50 timed in the same run — and what a model comparison waits for: a
// 256-scene long-video evaluation, projected from one batch.

import Diffusion
import Foundation
import Sample
import Tensor
import World

public enum SampleBenchmark {
    /// One sampling setting's figures.
    public struct Figures: Codable, Sendable {
        /// e.g. "ddim 50" or "dpmpp2m 15, ω 2".
        public var label: String
        public var sampling: SamplingConfig
        /// Denoiser calls for one video (a guided call counts once: it is one
        /// batched call).
        public var calls: Int
        /// Frames of the video.
        public var frames: Int
        /// Median wall time of one video at batch 1, seconds.
        public var videoSeconds: Double
        /// That, per generated frame, milliseconds.
        public var msPerFrame: Double
        /// A 256-scene long-video evaluation (one stitching), projected from the time of one
        /// batch of `evalBatch` clips, minutes.
        public var evalMinutes: Double
    }

    /// Frames of the timed videos by default, and the simulator frames they start from.
    public static let defaultFrames = 64, context = 2
    /// Clips of the eval batch that is timed (eval's default batch).
    public static let evalBatch = 32

    /// One denoiser forward at `batch` (a sampling step), no tape.
    public static func sampleStep(batch: Int, runs: Int = 20) -> BenchResult {
        var rng = RNG(seed: 3)
        let m = ModelConfig.reference
        let model = Denoiser(m, rng: &rng)
        let x = Tensor.randn([batch, m.frames, m.channels, m.size, m.size], rng: &rng)
        let mask = [Float](repeating: 0, count: batch * m.frames), t = [Float](repeating: 0.5, count: batch)
        let ms = Stopwatch.medianMs(warmup: 3, runs: runs) { _ = model(x, mask: mask, t: t) }
        return BenchResult(name: "sample_step_b\(batch)", ms: ms, flops: m.forwardFlops(batch: batch))
    }

    /// The label of a setting.
    public static func label(_ s: SamplingConfig) -> String {
        var text = "\(s.sampler.rawValue) \(s.steps)"
        if s.isGuided { text += ", ω \(Format.number(s.guidance))" + (s.historyLevel < 1 ? " k \(Format.number(s.historyLevel))" : "") }
        if s.seamProjection != .none { text += ", \(s.seamProjection.rawValue)" }
        return text
    }

    /// Times `model` under each of `settings`: `runs` videos at batch 1 (the median), and one
    /// eval batch. `progress` is told each setting's label before it is timed.
    public static func measure(_ model: EvaluatedModel, settings: [SamplingConfig], frames: Int = defaultFrames, runs: Int,
                               progress: (String) -> Void = { _ in }) throws -> [Figures] {
        guard frames > context else { throw VidgenError("a timed video needs more than its \(context) simulator frames, got \(frames)") }
        let scenario = try Scenario.named("id").resized(to: model.sampler.frameSize)
        let size = model.sampler.frameSize
        func contexts(_ n: Int) throws -> Tensor {
            var values: [Float] = []
            for i in 0..<n {
                let ep = try scenario.episode(seed: 7 + UInt64(i), frames: context)
                values += Rasterizer.planar(ep)
            }
            return Tensor(shape: [n, context, 3, size, size], values: values)
        }
        let one = try contexts(1), batch = try contexts(evalBatch)
        return settings.map { s in
            progress(label(s))
            var m = model
            m.sampling = s
            let sampler = m.sampler
            let windows = WindowSampler.windowCount(frames: frames, given: context, window: m.denoiser.config.frames,
                                                    context: sampler.stitchedContext(.lastK, k: context))
            let video = Stopwatch.medianMs(warmup: 1, runs: runs) {
                _ = sampler.rollout(context: one, frames: frames, strategy: .lastK, k: context, noise: ClipNoise([RNG(seed: 1)]))
            } / 1000
            let start = Stopwatch.now()
            _ = sampler.rollout(context: batch, frames: frames, strategy: .lastK, k: context,
                                noise: ClipNoise(root: RNG(seed: 1), clips: 0..<evalBatch))
            let batchSeconds = Stopwatch.now() - start
            return Figures(label: label(s), sampling: s, calls: windows * s.steps, frames: frames, videoSeconds: video,
                           msPerFrame: 1000 * video / Double(frames - context),
                           evalMinutes: batchSeconds * Double(256) / Double(evalBatch) / 60)
        }
    }
}

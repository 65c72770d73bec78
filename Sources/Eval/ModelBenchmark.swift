// `vidgen bench train|sample`: the reference training step and sampling steps, timed in
// the same process as raw sgemm so that every figure can be read as a share of the
// machine's ceiling.
//
// The reference workload is fixed whatever the shipped default becomes: batch 16 clips
// of 8 frames × 3×32×32, patch 4, width 128, depth 4, 4 heads, factorized attention.

import Diffusion
import Foundation
import Tensor
import Train

public enum ModelBenchmark {
    /// The reference training config.
    public static var referenceTraining: TrainConfig {
        var c = TrainConfig.default
        c.model = .reference
        c.batchSize = 16
        return c
    }

    /// FLOPs of one reference forward pass (matmuls and attention), and ×3 for a training step.
    public static func forwardFlops(_ m: ModelConfig, batch: Int) -> Double {
        let tokens = Double(batch * m.frames * m.tokensPerFrame), d = Double(m.width)
        let attnPerBlock = m.attention == .factorized ? 2.0 : 1.0
        var perBlock = 2 * tokens * d * (3 * d) * attnPerBlock       // qkv
        perBlock += 2 * tokens * d * d * attnPerBlock                // proj
        perBlock += 2 * 2 * tokens * d * d * Double(m.mlpRatio)      // MLP
        perBlock += 2 * tokens * d * 6 * d / Double(m.frames * m.tokensPerFrame)  // adaLN (per clip)
        // attention: 4·L·d per query (scores and P·v) over every token, per axis
        let n = Double(m.tokensPerFrame), t = Double(m.frames)
        perBlock += m.attention == .factorized ? 4 * tokens * d * (n + t) : 4 * tokens * d * n * t
        let embed = 2 * tokens * Double(m.patchInputs) * d + 2 * tokens * d * Double(m.patchOutputs)
        return Double(m.depth) * perBlock + embed
    }

    /// Median train step (≥ `runs` after 2 warm-ups), with its phases, and peak memory.
    public static func trainStep(runs: Int = 20) throws -> (results: [BenchResult], peakMiB: Double) {
        let c = referenceTraining
        var trainer = try Trainer(c)
        let batch = try ClipStream(c).batch(step: 0)
        var phases: [[Double]] = [[], [], [], []]
        for i in 0..<(runs + 2) {
            var marks = [Stopwatch.now()]
            _ = try trainer.trainStep(on: batch) { _ in marks.append(Stopwatch.now()) }
            guard i >= 2 else { continue }
            for p in 0..<3 { phases[p].append((marks[p + 1] - marks[p]) * 1e3) }
            phases[3].append((marks[3] - marks[0]) * 1e3)
        }
        let fwd = forwardFlops(c.model, batch: c.batchSize)
        let results = [
            BenchResult(name: "train_step", ms: Statistics.median(phases[3]), flops: 3 * fwd),
            BenchResult(name: "train_forward", ms: Statistics.median(phases[0]), flops: fwd),
            BenchResult(name: "train_backward", ms: Statistics.median(phases[1]), flops: 2 * fwd),
            BenchResult(name: "train_optimizer", ms: Statistics.median(phases[2]), flops: 0),
        ]
        return (results, peakResidentMiB())
    }

    /// One denoiser forward at `batch` (a sampling step), no tape.
    public static func sampleStep(batch: Int, runs: Int = 20) -> BenchResult {
        var rng = RNG(seed: 3)
        let m = ModelConfig.reference
        let model = Denoiser(m, rng: &rng)
        let x = Tensor.randn([batch, m.frames, m.channels, m.size, m.size], rng: &rng)
        let mask = [Float](repeating: 0, count: batch * m.frames), t = [Float](repeating: 0.5, count: batch)
        let ms = Stopwatch.medianMs(warmup: 3, runs: runs) { _ = model(x, mask: mask, t: t) }
        return BenchResult(name: "sample_step_b\(batch)", ms: ms, flops: forwardFlops(m, batch: batch))
    }

    /// The process's peak resident memory (VmHWM), MiB.
    public static func peakResidentMiB() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kb / 1024
    }
}

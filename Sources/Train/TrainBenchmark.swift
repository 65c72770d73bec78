// `vidgen bench train`: the reference training step, timed in the same process as raw sgemm
// so that every figure can be read as a share of the machine's ceiling.
//
// The reference workload is fixed whatever the shipped default becomes: batch 16 clips
// of 8 frames × 3×32×32, patch 4, width 128, depth 4, 4 heads, factorized attention
// (ModelConfig.reference, which `vidgen bench sample` also times).

import Checkpoints
import Diffusion
import Foundation
import Tensor

public enum TrainBenchmark {
    /// The reference training config.
    public static var referenceTraining: TrainConfig {
        var c = TrainConfig.default
        c.model = .reference
        c.batchSize = 16
        return c
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
        let fwd = c.model.forwardFlops(batch: c.batchSize)
        let results = [
            BenchResult(name: "train_step", ms: Statistics.median(phases[3]), flops: 3 * fwd),
            BenchResult(name: "train_forward", ms: Statistics.median(phases[0]), flops: fwd),
            BenchResult(name: "train_backward", ms: Statistics.median(phases[1]), flops: 2 * fwd),
            BenchResult(name: "train_optimizer", ms: Statistics.median(phases[2]), flops: 0),
        ]
        return (results, peakResidentMiB())
    }

    /// The process's peak resident memory (VmHWM), MiB.
    public static func peakResidentMiB() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kb / 1024
    }
}

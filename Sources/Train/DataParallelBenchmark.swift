// `vidgen bench data-parallel`: the reference training step on one process against the
// same global batch shared by MPI ranks, with the time each step spends summing gradients.
//
// Every step is a whole `Trainer.trainStep()`: drawing the batch (each rank only its
// share), forward, backward, the gradient sum and AdamW — as a training run takes it.

import Tensor

/// Figures of one layout (ranks × threads per rank) on the reference training workload.
public struct DataParallelFigures: Codable, Sendable {
    public var ranks: Int
    public var threads: Int
    /// Median wall time of a step, ms.
    public var stepMs: Double
    /// 1000 / stepMs.
    public var stepsPerSecond: Double
    /// Median time per step in the gradient sum (pack, exchange, add, unpack), ms; 0 for one rank.
    public var sumMs: Double
    /// Median time per step waiting for the slowest rank before the sum, ms; 0 for one rank.
    public var waitMs: Double
    /// Parameters of the model: the floats a step's gradient holds.
    public var parameters: Int
    /// Steps timed (after 2 warm-up steps).
    public var runs: Int
}

public enum DataParallelBenchmark {
    /// Times `runs` steps of the reference workload, as one rank of `parallel` (whose
    /// share of the batch has been checked) or as a single process.
    public static func measure(runs: Int, parallel: DataParallel?) throws -> DataParallelFigures {
        let c = TrainBenchmark.referenceTraining
        var trainer = try Trainer(c)
        trainer.parallel = parallel
        parallel?.timesWait = true
        var steps: [Double] = [], sums: [Double] = [], waits: [Double] = []
        for i in 0..<(runs + 2) {
            let (s0, w0) = (parallel?.sumSeconds ?? 0, parallel?.waitSeconds ?? 0)
            let t0 = Stopwatch.now()
            _ = try trainer.trainStep()
            let t = Stopwatch.now() - t0
            guard i >= 2 else { continue }
            steps.append(t * 1e3)
            sums.append(((parallel?.sumSeconds ?? 0) - s0) * 1e3)
            waits.append(((parallel?.waitSeconds ?? 0) - w0) * 1e3)
        }
        let stepMs = Statistics.median(steps)
        return DataParallelFigures(
            ranks: parallel?.size ?? 1, threads: Parallel.cores, stepMs: stepMs, stepsPerSecond: 1e3 / stepMs,
            sumMs: Statistics.median(sums), waitMs: Statistics.median(waits),
            parameters: trainer.model.namedParameters.reduce(0) { $0 + $1.value.count }, runs: runs)
    }
}

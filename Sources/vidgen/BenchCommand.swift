import ArgumentParser
import Foundation
import Eval
import Tensor
import World

extension Vidgen {
    /// `vidgen bench`: speed figures, each compared with raw sgemm measured in the same run.
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure speed: raw sgemm (the ceiling) against vidgen's own paths; attention-cost is experiment 3.",
            discussion: "data-parallel: the reference training step at 1 rank × all cores, then at 2 ranks × 1 thread (it starts mpirun -np 2 itself).")

        enum Suite: String, ExpressibleByArgument, CaseIterable {
            case tensor, train, sample, attention, all
            case attentionCost = "attention-cost"
            case dataParallel = "data-parallel"
        }

        @Argument(help: "What to measure: \(Suite.allCases.map(\.rawValue).joined(separator: ", ")).")
        var suite: Suite = .tensor

        @Option(help: "Also write the figures as JSON to this file.")
        var json: String?

        @Option(help: "Timed runs per figure (the median is reported); attention-cost sets its own.")
        var runs: Int = 10

        @Flag(help: "attention-cost only: fewer runs, about a minute.")
        var quick = false

        func validate() throws {
            guard (1...1000).contains(runs) else { throw ValidationError("--runs must be between 1 and 1000, got \(runs)") }
            if let json { try OutputPath.check(json) }
        }

        func run() throws {
            if suite == .attentionCost { return try runAttentionCost() }
            if suite == .dataParallel { return try runDataParallel() }
            print(pad("name", 28) + pad("ms", 11, left: true) + pad("GFLOP/s", 10, left: true) + pad("of peak", 9, left: true))
            var results: [BenchResult] = []
            let peak = TensorBenchmark.sgemmPeak(runs: runs)
            func show(_ r: BenchResult) {
                results.append(r)
                let share = peak.gflops > 0 && r.gflops > 0 ? String(format: "%.0f%%", 100 * r.gflops / peak.gflops) : ""
                print(pad(r.name, 28) + pad(String(format: "%.3f", r.ms), 11, left: true)
                      + pad(String(format: "%.1f", r.gflops), 10, left: true) + pad(share, 9, left: true))
            }
            show(peak)
            var extra: [String] = []
            if suite == .tensor || suite == .all {
                _ = TensorBenchmark.run(runs: runs, skipPeak: true, progress: show)
            }
            if suite == .attention {
                show(TensorBenchmark.attention(name: "attention_spatial", groups: 2048, length: 64, headDim: 32, runs: runs))
                show(TensorBenchmark.attention(name: "attention_temporal", groups: 16384, length: 8, headDim: 32, runs: runs))
            }
            if suite == .train || suite == .all {
                let (train, peakMiB) = try ModelBenchmark.trainStep(runs: max(runs, 20))
                train.forEach(show)
                extra.append(String(format: "peak resident memory after the train step: %.0f MiB", peakMiB))
            }
            if suite == .sample || suite == .all {
                show(ModelBenchmark.sampleStep(batch: 1, runs: max(runs, 20)))
                show(ModelBenchmark.sampleStep(batch: 16, runs: runs))
            }
            extra.forEach { print($0) }
            if let json {
                let report = BenchReport(results: results, sgemm_peak_gflops: peak.gflops)
                try PrettyJSON.write(report, to: json)
            }
        }
    }
}

/// The JSON of `vidgen bench --json` (see DESIGN.md "Formats").
struct BenchReport: Codable {
    var results: [BenchResult]
    var sgemm_peak_gflops: Double
}

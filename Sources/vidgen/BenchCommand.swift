import ArgumentParser
import Diffusion
import Eval
import Foundation
import Tensor
import Train
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

        @Option(help: "sample: the checkpoint whose videos are timed (default: the shipped model).")
        var checkpoint: String?

        @Option(help: "sample: frames of each timed video, the two simulator frames included.")
        var frames = SampleBenchmark.defaultFrames

        @OptionGroup(title: "sample: the settings timed beside DDIM 50 (default: the checkpoint's sampling.json)")
        var sampling: SamplingOptions

        func validate() throws {
            guard (1...1000).contains(runs) else { throw ValidationError("--runs must be between 1 and 1000, got \(runs)") }
            guard (3...10_000).contains(frames) else { throw ValidationError("--frames must be between 3 and 10000, got \(frames)") }
            if let json { try OutputPath.check(json) }
        }

        func run() throws {
            if suite == .attentionCost { return try runAttentionCost() }
            if suite == .dataParallel { return try runDataParallel() }
            // The timed videos' checkpoint is read first, so a bad one stops the run before any timing.
            let videoModel = suite == .sample || suite == .all ? try loadVideoModel() : nil
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
                let (train, peakMiB) = try TrainBenchmark.trainStep(runs: max(runs, 20))
                train.forEach(show)
                extra.append(String(format: "peak resident memory after the train step: %.0f MiB", peakMiB))
            }
            var videos: [SampleBenchmark.Figures] = []
            if suite == .sample || suite == .all {
                show(SampleBenchmark.sampleStep(batch: 1, runs: max(runs, 20)))
                show(SampleBenchmark.sampleStep(batch: 16, runs: runs))
                videos = try timeVideos(videoModel!)
            }
            extra.forEach { print($0) }
            if let json {
                let report = BenchReport(results: results, sgemm_peak_gflops: peak.gflops, videos: videos.isEmpty ? nil : videos)
                try PrettyJSON.write(report, to: json)
            }
        }
    }
}

extension Vidgen.Bench {
    /// The checkpoint whose videos `sample` times, with the command line's sampling flags.
    func loadVideoModel() throws -> EvaluatedModel {
        try EvaluatedModel.load(try checkpoint ?? ShippedModel.path(), sampling: sampling.applied)
    }

    /// Videos of the checkpoint at its settings (with the command line's overrides)
    /// and at plain DDIM 50, timed in this run, printed as a table.
    func timeVideos(_ model: EvaluatedModel) throws -> [SampleBenchmark.Figures] {
        let dir = model.folder
        // The reference: plain DDIM 50 (no guidance, no projection) at the same handoff and stitching.
        let reference = SamplingConfig(sampler: .ddim, steps: 50, handoff: model.sampling.handoff, lastK: model.sampling.lastK)
        let settings = model.sampling == reference ? [reference] : [model.sampling, reference]
        let videoRuns = min(runs, 3)
        print("\n\(frames)-frame videos of \(dir) (last-k, \(SampleBenchmark.context) simulator frames; "
              + "median of \(videoRuns) at batch 1; the eval projected from one batch of \(SampleBenchmark.evalBatch) clips)")
        print(pad("sampling", 26) + pad("calls", 7, left: true) + pad("video s", 9, left: true) + pad("ms/frame", 10, left: true)
              + pad("eval 256 min", 14, left: true))
        let figures = try SampleBenchmark.measure(model, settings: settings, frames: frames, runs: videoRuns)
        for f in figures {
            print(pad(f.label, 26) + pad(String(f.calls), 7, left: true) + pad(String(format: "%.2f", f.videoSeconds), 9, left: true)
                  + pad(String(format: "%.1f", f.msPerFrame), 10, left: true) + pad(String(format: "%.1f", f.evalMinutes), 14, left: true))
        }
        if figures.count == 2 {
            print(String(format: "against DDIM 50: %.2f× the calls, %.2f× the time per video", Double(figures[0].calls) / Double(figures[1].calls),
                         figures[0].videoSeconds / figures[1].videoSeconds))
        }
        return figures
    }
}

/// The JSON of `vidgen bench --json`: `results` as docs/ARCHITECTURE.md's "Formats" gives them, and
/// with the sample suite the timed videos.
struct BenchReport: Codable {
    var results: [BenchResult]
    var sgemm_peak_gflops: Double
    var videos: [SampleBenchmark.Figures]?
}

import ArgumentParser
import Foundation
import Tensor

extension Vidgen {
    /// `vidgen bench`: speed figures, each compared with raw sgemm measured in the same run.
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure speed: raw sgemm (the ceiling) against vidgen's own paths.")

        enum Suite: String, ExpressibleByArgument, CaseIterable {
            case tensor
        }

        @Argument(help: "What to measure: \(Suite.allCases.map(\.rawValue).joined(separator: ", ")).")
        var suite: Suite = .tensor

        @Option(help: "Also write the figures as JSON to this file.")
        var json: String?

        @Option(help: "Timed runs per figure (the median is reported).")
        var runs: Int = 10

        func validate() throws {
            guard (1...1000).contains(runs) else { throw ValidationError("--runs must be between 1 and 1000, got \(runs)") }
            if let json { try OutputPath.check(json) }
        }

        func run() throws {
            print(pad("name", 28) + pad("ms", 11, left: true) + pad("GFLOP/s", 10, left: true) + pad("of peak", 9, left: true))
            var peak = 0.0
            let (results, peakGflops) = TensorBenchmark.run(runs: runs) { r in
                if peak == 0 { peak = r.gflops }
                let share = peak > 0 && r.gflops > 0 ? String(format: "%.0f%%", 100 * r.gflops / peak) : ""
                print(pad(r.name, 28) + pad(String(format: "%.3f", r.ms), 11, left: true)
                      + pad(String(format: "%.1f", r.gflops), 10, left: true) + pad(share, 9, left: true))
            }
            if let json {
                let report = BenchReport(results: results, sgemm_peak_gflops: peakGflops)
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                try OutputPath.writeAtomically(try encoder.encode(report), to: json)
            }
        }
    }
}

/// `s` padded with spaces to `width` (on the left when `left`).
func pad(_ s: String, _ width: Int, left: Bool = false) -> String {
    let fill = String(repeating: " ", count: max(0, width - s.count))
    return left ? fill + s : s + fill
}

/// The JSON of `vidgen bench --json` (see DESIGN.md "Formats").
struct BenchReport: Codable {
    var results: [BenchResult]
    var sgemm_peak_gflops: Double
}

import ArgumentParser
import Eval
import Foundation
import Tensor
import Train
import World

extension Vidgen.Bench {
    /// `vidgen bench data-parallel`: the reference step at 1 rank × every core here, then
    /// the same global batch over 2 ranks × 1 thread, started through mpirun by this command.
    /// Under mpirun it is one rank of that second measurement (rank 0 writes --json).
    func runDataParallel() throws {
        if let parallel = try DataParallel.launched() {
            do {
                try parallel.together { try parallel.checkShare(of: TrainBenchmark.referenceTraining.batchSize) }
                let figures = try DataParallelBenchmark.measure(runs: runs, parallel: parallel)
                if parallel.isWriter, let json {
                    try PrettyJSON.write(figures, to: json)
                }
            } catch let error as CollectiveError {
                throw parallel.leave(after: error)
            }
            parallel.finish()
            return
        }
        let peak = TensorBenchmark.sgemmPeak(runs: runs)
        print("reference training step (batch 16 × 8 frames × 32×32, width 128, depth 4), \(runs) steps after 2 warm-ups:")
        print(pad("ranks × threads", 17) + pad("ms/step", 10, left: true) + pad("steps/s", 9, left: true)
              + pad("sum ms", 9, left: true) + pad("wait ms", 9, left: true))
        func show(_ f: DataParallelFigures) {
            print(pad("\(f.ranks) × \(f.threads)", 17) + pad(String(format: "%.1f", f.stepMs), 10, left: true)
                  + pad(String(format: "%.3f", f.stepsPerSecond), 9, left: true)
                  + pad(f.ranks > 1 ? String(format: "%.2f", f.sumMs) : "—", 9, left: true)
                  + pad(f.ranks > 1 ? String(format: "%.2f", f.waitMs) : "—", 9, left: true))
            fflush(stdout)
        }
        let one = try DataParallelBenchmark.measure(runs: runs, parallel: nil)
        show(one)
        let two = try twoRanks()
        show(two)
        let bytes = Double(two.parameters * 4)
        print(String(format: "2 ranks × 1 thread run at %.2f× the steps/s of 1 rank × %d threads", two.stepsPerSecond / one.stepsPerSecond, one.threads))
        print(String(format: "a step's gradient: %d parameters × 4 bytes = %.2f MB; each of N ranks sends 2·(N−1)/N of it per step",
                     two.parameters, bytes / 1e6))
        if let json {
            let results = [
                BenchResult(name: "dp_1rank_\(one.threads)threads_step", ms: one.stepMs, flops: 0),
                BenchResult(name: "dp_2ranks_1thread_step", ms: two.stepMs, flops: 0),
                BenchResult(name: "dp_2ranks_1thread_sum", ms: two.sumMs, flops: 0),
                BenchResult(name: "dp_2ranks_1thread_wait", ms: two.waitMs, flops: 0),
            ]
            try PrettyJSON.write(BenchReport(results: results, sgemm_peak_gflops: peak.gflops), to: json)
        }
    }

    /// Runs this command under `mpirun -np 2` and reads rank 0's figures.
    private func twoRanks() throws -> DataParallelFigures {
        guard let mpirun = ProcessInfo.processInfo.environment["PATH"]?.split(separator: ":")
            .map({ $0 + "/mpirun" }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw VidgenError("mpirun not found: install Open MPI (openmpi-bin; `make setup` does)")
        }
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let out = NSTemporaryDirectory() + "vidgen-bench-dp-\(getpid()).json"
        defer { try? FileManager.default.removeItem(atPath: out) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: mpirun)
        // Both ranks run here: no ssh/rsh agent is needed to start them.
        var env = ProcessInfo.processInfo.environment
        if env["OMPI_MCA_plm"] == nil { env["OMPI_MCA_plm"] = "^rsh" }
        p.environment = env
        p.arguments = ["-np", "2", "-q", "--oversubscribe"] + (getuid() == 0 ? ["--allow-run-as-root"] : [])
            + [me, "bench", "data-parallel", "--runs", String(runs), "--json", out]
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0, let data = FileManager.default.contents(atPath: out) else {
            throw ExitCode(p.terminationStatus == 0 ? 1 : p.terminationStatus)
        }
        return try JSONDecoder().decode(DataParallelFigures.self, from: data)
    }
}

extension DataParallel {
    /// Every rank has met `error`: rank 0 says it, then all leave MPI together and exit 1
    /// silently. The line is written before the ranks leave, so it is out before any rank's
    /// exit lets mpirun end the job.
    func leave(after error: CollectiveError) -> ExitCode {
        if isWriter { fputs("error: \(error)\n", stderr) }
        finish()
        return ExitCode(1)
    }
}

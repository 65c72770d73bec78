import ArgumentParser
import Foundation
import Tensor

/// The vidgen command-line tool: thin commands over the library modules.
@main
struct Vidgen: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vidgen",
        abstract: "A small video-diffusion lab: train, sample and measure why video models are not world simulators.",
        subcommands: [DataCmd.self, Train.self, AutoencoderCmd.self, SampleCmd.self, EvalCmd.self, Reproduce.self, Bench.self]
    )

    /// Checks the process-wide thread setting (VIDGEN_THREADS), then runs the command.
    /// Under mpirun every rank meets the same bad flags: rank 0 alone says what is wrong
    /// (the others exit with the same code, silently).
    static func main() {
        if let problem = Parallel.threadsProblem { exit(withError: fail(problem)) }
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if let rank = getenv("OMPI_COMM_WORLD_RANK").map({ String(cString: $0) }), rank != "0" {
                exit(withError: exitCode(for: error))
            }
            exit(withError: error)
        }
    }
}

import ArgumentParser
import Foundation
import Tensor
import World

/// The vidgen command-line tool: thin commands over the library modules.
@main
struct Vidgen: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vidgen",
        abstract: "A small video-diffusion lab: train, sample and measure why video models are not world simulators.",
        subcommands: [DataCmd.self, Train.self, AutoencoderCmd.self, SampleCmd.self, EvalCmd.self, Reproduce.self, Bench.self]
    )

    /// Checks the process-wide thread setting (VIDGEN_THREADS), then runs the command; an
    /// error leaves through `leave`.
    static func main() {
        var parsed = false
        do {
            if let problem = Parallel.threadsProblem { throw VidgenError.input(problem) }
            var command = try parseAsRoot()
            parsed = true
            try command.run()
        } catch {
            leave(error, parsed: parsed)
        }
    }

    /// The one way out on an error. ArgumentParser's own (bad options, --help, an ExitCode a
    /// command chose) leave as ArgumentParser prints them; any other error a command throws is
    /// one line `error: …` on stderr, with its exit code: a VidgenError's own, 2 for a
    /// WorldError (a scenario or frame count the command cannot take), 1 for anything else.
    /// Under mpirun every rank meets the same error: rank 0 alone says what is wrong (the
    /// others exit with the same code, silently).
    static func leave(_ error: Error, parsed: Bool) -> Never {
        let silent = getenv("OMPI_COMM_WORLD_RANK").map { String(cString: $0) != "0" } ?? false
        // ArgumentParser's own: ValidationError, ExitCode, CleanExit, and the internal error
        // that `--help` becomes when the run of a parsed command throws it.
        let argumentParsers = String(reflecting: type(of: error)).hasPrefix("ArgumentParser.")
        guard error is VidgenError || error is WorldError || parsed && !argumentParsers else {
            if silent { exit(withError: exitCode(for: error)) }
            exit(withError: error)
        }
        if !silent { fputs("error: \(error)\n", stderr) }
        Foundation.exit((error as? VidgenError)?.exitCode ?? (error is WorldError ? 2 : 1))
    }
}

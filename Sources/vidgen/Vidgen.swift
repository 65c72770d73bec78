import ArgumentParser

/// The vidgen command-line tool: thin commands over the library modules.
@main
struct Vidgen: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vidgen",
        abstract: "A small video-diffusion lab: train, sample and measure why video models are not world simulators.",
        subcommands: [DataCmd.self, Train.self, AutoencoderCmd.self, SampleCmd.self, EvalCmd.self, Reproduce.self, Bench.self]
    )
}

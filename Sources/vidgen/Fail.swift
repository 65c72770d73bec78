import ArgumentParser
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Prints `error: message` as one line on stderr and returns the exit code to throw:
/// 2 for bad input (usage), 1 for failures while doing the work (files).
func fail(_ message: String, code: Int32 = 2) -> ExitCode {
    fputs("error: \(message)\n", stderr)
    return ExitCode(code)
}

import Foundation

/// Progress of long work: a redrawn bar with rate and ETA on a terminal, plain lines
/// every `plainEvery` seconds when the stream is a file or pipe (or the process runs under mpirun). Progress goes to stdout, or
/// to stderr when stdout carries the command's result.
final class Progress {
    let total: Int
    let label: String
    let unit: String
    let stream: UnsafeMutablePointer<FILE>
    let isTerminal: Bool
    let plainEvery: Double
    private let start: Double
    private let startDone: Int
    private var lastPrint = -Double.infinity

    init(_ label: String, total: Int, done: Int = 0, unit: String = "steps", plainEvery: Double = 10,
         toStderr: Bool = false) {
        self.label = label
        stream = toStderr ? stderr : stdout
        // mpirun hands its ranks a pseudo-terminal whatever its own output is: plain lines there.
        isTerminal = isatty(toStderr ? STDERR_FILENO : STDOUT_FILENO) != 0 && getenv("OMPI_COMM_WORLD_SIZE") == nil
        self.total = total
        self.unit = unit
        self.plainEvery = plainEvery
        start = Progress.now()
        startDone = done
    }

    static func now() -> Double { Date().timeIntervalSince1970 }

    /// Reports `done` of `total`, with `extra` (e.g. "loss 0.0312") appended.
    func update(_ done: Int, extra: String = "") {
        let t = Progress.now()
        let final = done >= total
        guard final || t - lastPrint >= (isTerminal ? 0.1 : plainEvery) else { return }
        lastPrint = t
        let elapsed = t - start
        // A rate over the first instant of work is noise (thousands of steps/s after one step).
        let rate = elapsed >= 0.5 ? Double(done - startDone) / elapsed : 0
        let eta = rate > 0 ? Progress.clock(Double(total - done) / rate) : "--"
        let rateText = rate > 0 ? String(format: "%.2f", rate) : "--"
        let stats = String(format: "%d/%d %@  %@ %@/s  ETA %@", done, total, unit as NSString,
                           rateText as NSString, unit as NSString, eta as NSString)
        let line = extra.isEmpty ? stats : stats + "  " + extra
        if isTerminal {
            let width = 24
            let filled = total > 0 ? min(width, width * done / total) : width
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            emit("\r\u{1B}[K\(label) \(bar) \(line)" + (final ? "\n" : ""))
        } else {
            emit("\(label): \(line)\n")
        }
    }

    /// A note on its own line that does not break the bar.
    func note(_ text: String) {
        emit((isTerminal ? "\r\u{1B}[K" : "") + text + "\n")
    }

    func emit(_ text: String) {
        fputs(text, stream)
        fflush(stream)
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                         : String(format: "%d:%02d", s / 60, s % 60)
    }
}

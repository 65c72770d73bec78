import Tensor

/// The error `message` with exit code `code` (2, input the command cannot take, unless given),
/// for a command that throws `fail(…)`; the others throw VidgenError, or let the library's
/// errors through to Vidgen.leave.
func fail(_ message: String, code: Int32 = 2) -> VidgenError {
    VidgenError(message, exitCode: code)
}

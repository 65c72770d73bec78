// The one error type a user of vidgen meets: a single line that names the input (file,
// option, folder) and the problem, and the exit code the command line ends with. The
// command line prints it as `error: …` in one place (Vidgen.main). Programming errors are
// preconditions instead; parsers with many distinct failures (SafeTensorsError, WorldError)
// keep enums of their own.

/// Something a user can fix: a bad config, checkpoint, path or measurement request.
public struct VidgenError: Error, CustomStringConvertible, Equatable {
    /// One line, without the `error:` prefix.
    public let description: String
    /// The command line's exit code: 1 for a failure while doing the work (a file that is
    /// missing or does not match its config), 2 for input the command cannot take (`input`).
    public let exitCode: Int32

    public init(_ description: String, exitCode: Int32 = 1) {
        self.description = description
        self.exitCode = exitCode
    }

    /// Input the command cannot take — a value, a name, a pairing of options or of models —
    /// which exits with code 2.
    public static func input(_ description: String) -> VidgenError {
        VidgenError(description, exitCode: 2)
    }

    /// `body`'s result; an error it throws becomes input the command cannot take (`input`),
    /// for work that reads what the user asked for.
    public static func input<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch {
            throw input("\(error)")
        }
    }
}

// The one error type a user of vidgen meets: a single line that names the input (file,
// option, folder) and the problem, printed by the command line as `error: …`. Programming
// errors are preconditions instead; parsers with many distinct failures (SafeTensorsError,
// WorldError) keep enums of their own.

/// Something a user can fix: a bad config, checkpoint, path or measurement request.
public struct VidgenError: Error, CustomStringConvertible, Equatable {
    /// One line, without the `error:` prefix.
    public let description: String
    public init(_ description: String) { self.description = description }
}

// The JSON vidgen writes (configs, reports, states, benchmarks): pretty-printed with sorted
// keys, so equal values give equal bytes and a diff of two files reads line by line.

import Foundation
import Tensor

/// vidgen's one JSON encoding.
public enum PrettyJSON {
    /// `value` as pretty, key-sorted JSON ending in a newline.
    public static func bytes<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return Array(try encoder.encode(value)) + [10]
    }

    /// Writes `value` to `path` atomically (AtomicFile).
    public static func write<T: Encodable>(_ value: T, to path: String) throws {
        try AtomicFile.write(try bytes(value), to: path)
    }
}

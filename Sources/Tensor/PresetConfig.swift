// Configs as plain values with named presets, read from JSON strictly: a file names the
// preset it starts from (its "preset" key) and overrides any of that preset's keys, nested
// objects key by key. An unknown key, a value of the wrong type and an invalid setting are
// errors of one line that names the file and the key. Every config with presets (a video
// model's training, either state model's) is read here.

import Foundation

/// A config with named presets that a JSON file starts from and overrides.
public protocol PresetConfig: Codable {
    /// The names a file's "preset" key may take, in the order errors list them.
    static var presetNames: [String] { get }
    /// The preset a file without a "preset" key starts from.
    static var defaultPreset: String { get }
    /// The preset called `name`; nil for a name that is not one.
    static func preset(_ name: String) -> Self?
    /// Problems a user can cause, as one readable line; nil when there are none.
    func validationError() -> String?
}

extension PresetConfig {
    public static var defaultPreset: String { "default" }

    /// Decodes `data`, the JSON object of file `file` (named in errors), over the preset its
    /// "preset" key names (`defaultPreset` if none): keys it leaves out take the preset's
    /// values, or, with `requireAll`, are errors. Unknown keys, bad values and invalid
    /// settings are errors.
    public static func decode(_ data: Data, file: String, requireAll: Bool = false) throws -> Self {
        guard let dict = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw VidgenError("\(file): not a JSON object")
        }
        let presetName = (dict["preset"] as? String) ?? defaultPreset
        guard let base = preset(presetName) else {
            throw VidgenError("\(file): unknown preset '\(presetName)' (use \(presetNames.joined(separator: ", ")))")
        }
        let baseDict = try JSONSerialization.jsonObject(with: JSONEncoder().encode(base)) as! [String: Any]
        let merged = try merge(dict, into: baseDict, path: "", file: file, requireAll: requireAll)
        let config: Self
        do {
            config = try JSONDecoder().decode(Self.self, from: JSONSerialization.data(withJSONObject: merged))
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.dataCorrupted(context),
                let DecodingError.valueNotFound(_, context) {
            throw VidgenError("\(file): bad value for '\(context.codingPath.map(\.stringValue).joined(separator: "."))'")
        } catch {
            throw VidgenError("\(file): \(error)")
        }
        if let problem = config.validationError() { throw VidgenError("\(file): \(problem)") }
        return config
    }

    /// A preset by name, or else the JSON file at `presetOrPath` (see `decode`).
    public static func resolve(_ presetOrPath: String) throws -> Self {
        if let p = preset(presetOrPath) { return p }
        return try decode(readConfigFile(presetOrPath, names: presetNames), file: presetOrPath)
    }

    /// `over` laid over `base` key by key (nested objects likewise); `path` is the dotted
    /// name of the objects' place in the file.
    static func merge(_ over: [String: Any], into base: [String: Any], path: String, file: String,
                      requireAll: Bool) throws -> [String: Any] {
        var out = base
        for key in over.keys.sorted() {
            let name = path.isEmpty ? key : path + "." + key
            guard let old = base[key] else {
                throw VidgenError("\(file): unknown key '\(name)' (valid: \(base.keys.sorted().joined(separator: ", ")))")
            }
            if let sub = over[key] as? [String: Any], let oldSub = old as? [String: Any] {
                out[key] = try merge(sub, into: oldSub, path: name, file: file, requireAll: requireAll)
            } else if old is [String: Any] {
                throw VidgenError("\(file): bad value for '\(name)' (expected an object)")
            } else {
                out[key] = over[key]
            }
        }
        if requireAll, let missing = base.keys.sorted().first(where: { over[$0] == nil }) {
            throw VidgenError("\(file): missing key '\(path.isEmpty ? missing : path + "." + missing)'")
        }
        return out
    }
}

/// The bytes of the config file `path`, which a command was given in place of a preset;
/// `names` are the presets it could have named, listed when it is neither.
public func readConfigFile(_ path: String, names: [String]) throws -> Data {
    guard path.hasSuffix(".json") || FileManager.default.fileExists(atPath: path) else {
        throw VidgenError("unknown config '\(path)': use \(names.joined(separator: ", ")) or a .json file")
    }
    guard let data = FileManager.default.contents(atPath: path) else {
        throw VidgenError("cannot read config file \(path)")
    }
    return data
}

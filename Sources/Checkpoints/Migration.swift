// Folders written by older vidgens, read as today's layout. Every loader passes what it read
// through `migrate`, the one function that knows older layouts; nothing else looks at an
// older key. What it brings to today's layout:
//   - a folder whose model file has no format tag (or that has no model file) is told by its
//     files: a structured state model when config.json's "model" has "relationHidden", a
//     frame autoencoder when it has autoencoder.json and no config.json, else a video model;
//   - a video model's config.json: keys added after older folders were written take the
//     value those were trained with (legacyKeys); options vidgen no longer has load when off
//     and are refused by name when on (retiredKeys); the handoff it kept under "model" is the
//     sampling setting of a folder without sampling.json;
//   - a generic state model's config.json without "substeps" stepped whole frames (1), not the
//     preset's newer value;
//   - a structured state model's config.json with a key of the state whose velocity was a
//     difference of positions (retiredDynamicsKeys) is refused: its network read other inputs;
//   - a codec folder whose autoencoder stores no latent range (the identity) has the range
//     measured on held-out frames, as `vidgen autoencoder` stores it (CodecConfig.measuredRange).
//     A video model's autoencoder keeps the identity: its denoiser was trained on those latents.

import Diffusion
import Dynamics
import Foundation
import Tensor

/// What a loader read from a folder, before decoding it: `migrate` brings each piece to
/// today's layout. A loader sets what it has read; the rest stays nil.
struct SavedFolder {
    let folder: CheckpointFolder
    /// The kind its format tag names; nil for a folder without one.
    var kind: CheckpointKind?
    /// config.json's object; nil when it is missing or not an object (decoding says which).
    var config: [String: Any]?
    /// The handoff an older video config kept under "model" (set by `migrate`).
    var handoff: Double?
    /// A codec folder's autoencoder and its config.
    var codec: (model: FrameAutoencoder, config: CodecConfig)?

    init(folder: CheckpointFolder, kind: CheckpointKind? = nil) {
        self.folder = folder
        self.kind = kind
    }
}

extension CheckpointFolder {
    /// `saved` in today's layout (the rules are listed at the top of this file). The kind is
    /// told first, so a folder whose config is refused still has one. `note` is told of work
    /// that takes time (measuring a latent range).
    static func migrate(_ saved: inout SavedFolder, note: (String) -> Void = { _ in }) throws {
        if saved.kind == nil {
            let model = saved.config?["model"] as? [String: Any]
            if model?["relationHidden"] != nil {
                saved.kind = .state(.structured)
            } else if saved.config == nil && saved.folder.has(codecConfigFile) {
                saved.kind = .codec
            } else {
                saved.kind = .video
            }
        }
        let p = saved.folder.file(configFile)
        switch saved.kind {
        case .video?:
            guard var dict = saved.config else { return }
            dict = fillingIn(dict, legacy: legacyKeys)
            saved.handoff = (dict["model"] as? [String: Any])?["handoff"] as? Double
            for (section, keys) in retiredKeys {
                guard var sub = section.isEmpty ? dict : dict[section] as? [String: Any] else { continue }
                for (key, off) in keys {
                    guard let value = sub.removeValue(forKey: key) else { continue }
                    if !off.isNaN, (value as? Double) != off {
                        let name = section.isEmpty ? key : section + "." + key
                        throw VidgenError("\(p): sets '\(name)' to \(value), an option vidgen no longer has (see data/default/MODEL.md)")
                    }
                }
                if section.isEmpty { dict = sub } else { dict[section] = sub }
            }
            saved.config = dict
        case .state(.generic)?:
            guard let dict = saved.config else { return }
            saved.config = fillingIn(dict, legacy: legacyGenericKeys)
        case .state(.structured)?:
            guard let dict = saved.config else { return }
            let model = dict["model"] as? [String: Any] ?? [:]
            if let key = retiredDynamicsKeys.first(where: { dict[$0] != nil || model[$0] != nil }) {
                throw VidgenError("\(p): a state model from an older vidgen (velocity as a difference of positions; "
                                  + "it has '\(key)'); train a new one with vidgen train --model state --out DIR")
            }
        case .codec?:
            guard let codec = saved.codec, codec.model.range.isIdentity else { return }
            note("\(saved.folder.path) stores no latent range; measuring it on held-out frames for this run")
            saved.codec?.model = try codec.config.measuredRange(codec.model)
        default:
            return
        }
    }

    /// Keys added to a video model's config after checkpoints were first written, with the
    /// value those older checkpoints were trained with. A saved config.json without them must
    /// not take a preset's newer value: the weights would be sampled on the wrong schedule.
    static let legacyKeys: [String: [String: Any]] = [
        "": ["lossOnWaitingFrames": true, "latent": false],
        "model": ["noiseShift": 1.0, "frameLag": 0.0],
    ]

    /// Keys added to a generic state model's config after its folders were first written, with
    /// the value those were trained with: a folder without them must not take the preset's.
    static let legacyGenericKeys: [String: [String: Any]] = ["model": ["substeps": 1]]

    /// Options vidgen no longer has, with the value that meant "off" (nan: any value). A
    /// saved config.json may still hold them; it loads if they are off, and otherwise names
    /// the option. `model.handoff` is a sampling setting (sampling.json).
    static let retiredKeys: [String: [String: Double]] = [
        "": ["contextSpecks": 0, "rolloutShare": 0, "rolloutSteps": .nan, "seamRolloutShare": 0, "seamRolloutSteps": .nan,
             "seamHandoff": .nan],
        "model": ["contextNoise": 0, "handoff": .nan, "stemChannels": 0, "headChannels": 0, "predictsChange": 0],
    ]

    /// Config keys of structured state models whose velocity was a difference of positions.
    static let retiredDynamicsKeys = ["unknownChangeShare", "contactWeight", "gated", "contactMargin", "contactHorizon",
                                      "positionScale"]

    /// `config` with every key of `legacy` (per section, "" the top level) that it lacks set
    /// to the value listed.
    static func fillingIn(_ config: [String: Any], legacy: [String: [String: Any]]) -> [String: Any] {
        var dict = config
        for (section, keys) in legacy {
            var sub = section.isEmpty ? dict : (dict[section] as? [String: Any] ?? [:])
            for (key, value) in keys where sub[key] == nil { sub[key] = value }
            if section.isEmpty { dict = sub } else { dict[section] = sub }
        }
        return dict
    }

    // MARK: - Reading a config through it

    /// config.json's object; nil when it is missing or not a JSON object.
    func configObject() -> [String: Any]? {
        guard let data = FileManager.default.contents(atPath: file(Self.configFile)) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }

    /// config.json, read once as a `kind` folder's and brought to today's layout: the bytes
    /// to decode, their path, and the handoff an older video config kept. `describing` names
    /// the folder in the error for a missing file ("vidgen checkpoint"); bytes that are not a
    /// JSON object are returned as they are, for decoding to report.
    func savedConfig(as kind: CheckpointKind, describing: String = "vidgen checkpoint") throws
        -> (data: Data, path: String, handoff: Double?) {
        let (data, p) = try configData(kind: describing)
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { return (data, p, nil) }
        var saved = SavedFolder(folder: self, kind: kind)
        saved.config = object
        try Self.migrate(&saved)
        return ((try? JSONSerialization.data(withJSONObject: saved.config ?? object)) ?? data, p, saved.handoff)
    }
}

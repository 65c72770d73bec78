// What a checkpoint folder holds, told by the `format` tag in the metadata of its model file
// (docs/ARCHITECTURE.md, "Formats"): a video model, a frame autoencoder of its own (a codec
// folder, `vidgen autoencoder`), a state model of either kind, flat or in the 3D box. This
// file is the one reader
// of the tag; a folder whose model file has none is told by `migrate` (Migration.swift).

import Dynamics
import Tensor

/// The kinds of folder vidgen writes, each with the format tag of its safetensors files.
public enum CheckpointKind: Hashable, Sendable {
    /// A video model: config.json (a TrainConfig), model.safetensors (the denoiser's EMA
    /// weights), sampling.json, and for a latent model autoencoder.safetensors.
    case video
    /// A frame autoencoder of its own: autoencoder.json (a CodecConfig) and autoencoder.safetensors.
    case codec
    /// A state model: config.json (its kind's config) and model.safetensors (its network).
    case state(StateModelKind)
    /// A state model of either kind in the 3D box: config.json (a StateConfig3D or a
    /// GenericStateConfig3D) and model.safetensors (its three constants or its network).
    case state3D(StateModelKind)

    /// Every kind, in the order messages list their tags.
    public static let all: [CheckpointKind] = [.video, .codec] + StateModelKind.allCases.map { .state($0) }
        + StateModelKind.allCases.map { .state3D($0) }

    /// The `format` in the metadata of the kind's safetensors files.
    public var format: String {
        switch self {
        case .video: return "vidgen"
        case .codec: return "vidgen-codec"
        case .state(let kind): return kind.format
        case .state3D(let kind): return kind.format3D
        }
    }

    /// The kind whose files carry `format`; nil for a tag vidgen does not write.
    public init?(format: String) {
        guard let kind = Self.all.first(where: { $0.format == format }) else { return nil }
        self = kind
    }

    /// How messages name it: "video model", "frame autoencoder", "structured state model".
    public var name: String {
        switch self {
        case .video: return "video model"
        case .codec: return "frame autoencoder"
        case .state(let kind): return kind.name
        case .state3D(let kind): return kind.rawValue + " 3D state model"
        }
    }
}

extension CheckpointFolder {
    /// The file whose tag names the folder's kind: model.safetensors, or in a codec folder,
    /// which has none, autoencoder.safetensors.
    var taggedFile: String { has(Self.modelFile) || !has(Self.codecConfigFile) ? Self.modelFile : Self.codecFile }

    /// What the folder holds: the kind its format tag names (nil for a tag vidgen does not
    /// write), or, for a folder whose model file has no tag or that has no model file, the
    /// kind `migrate` reads from its files.
    public var kind: CheckpointKind? {
        if let format = metadata(taggedFile)?["format"] { return CheckpointKind(format: format) }
        var saved = SavedFolder(folder: self)
        saved.config = configObject()
        // `migrate` tells the kind before it reads the config, so a config it refuses still has one.
        try? Self.migrate(&saved)
        return saved.kind
    }

    /// Whether the folder holds a state model of either kind rather than a video model, so
    /// that commands can take any checkpoint folder (`kind`).
    public var isStateModel: Bool {
        if case .state = kind { return true }
        return false
    }

    /// Throws unless model.safetensors, if the folder has one with a tag, is tagged `kind`'s:
    /// a loader of one kind refuses a folder that says it holds another.
    func checkTag(_ kind: CheckpointKind) throws {
        guard let format = metadata(Self.modelFile)?["format"], let found = CheckpointKind(format: format), found != kind else {
            return
        }
        throw VidgenError("\(file(Self.modelFile)): format '\(format)' is a \(found.name)'s, not a \(kind.name)'s")
    }
}

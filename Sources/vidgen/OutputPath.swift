import ArgumentParser
import Foundation
import Tensor

/// Checks and atomic writes for files the tool creates.
enum OutputPath {
    /// Throws a readable error unless `path` can be created: its folder exists and it is
    /// not itself a folder.
    static func check(_ path: String) throws {
        do {
            try AtomicFile.checkFolder(of: path)
        } catch let e as VidgenError {
            throw ValidationError(e.description)
        }
    }

    /// Throws if writing `path` would overwrite one of a checkpoint folder's files.
    static func checkNotInside(_ path: String, checkpoints: [String]) throws {
        let target = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        for dir in checkpoints {
            for name in CheckpointFolder.files {
                let input = URL(fileURLWithPath: dir).appendingPathComponent(name).standardizedFileURL
                    .resolvingSymlinksInPath().path
                if input == target { throw ValidationError("\(path) would overwrite the checkpoint's \(name)") }
            }
        }
    }

    /// Throws unless `path` is a folder or can be created as one (its parent exists).
    static func checkFolder(_ path: String) throws {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
            guard isDir.boolValue else { throw ValidationError("\(path) is a file, not a folder") }
            return
        }
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDir), isDir.boolValue else {
            throw ValidationError("the parent folder of \(path) does not exist: \(parent)")
        }
    }
}

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

// Every file vidgen writes goes through here: the bytes go to a temporary name in the same
// folder, are flushed to disk, and the temporary is renamed over the target. A reader (or
// a crash) sees either the old file or the whole new one, never a partial one.

/// Atomic file output.
public enum AtomicFile {
    /// Throws unless `path`'s folder exists and is a folder — call it for every output
    /// before writing any, so that a bad path leaves no partial set of files.
    public static func checkFolder(of path: String) throws {
        let folder = folderOf(path)
        var st = stat()
        guard stat(folder, &st) == 0 else { throw VidgenError("output folder '\(folder)' does not exist (for \(path))") }
        guard (st.st_mode & S_IFMT) == S_IFDIR else { throw VidgenError("'\(folder)' is not a folder (for \(path))") }
        guard access(folder, W_OK) == 0 else { throw VidgenError("output folder '\(folder)' is not writable (for \(path))") }
        if stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR {
            throw VidgenError("'\(path)' is a folder, not a file name")
        }
    }

    /// Writes `bytes` to `path` atomically (temporary file, fsync, rename).
    public static func write(_ bytes: [UInt8], to path: String) throws {
        try checkFolder(of: path)
        let folder = folderOf(path)
        let name = path.split(separator: "/").last.map(String.init) ?? path
        var tmp = ""
        var fd: Int32 = -1
        for attempt in 0..<100 {
            tmp = (path.contains("/") ? folder + "/" : "") + ".\(name).tmp-\(getpid())-\(attempt)"
            fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644)
            if fd >= 0 || errno != EEXIST { break }
        }
        guard fd >= 0 else { throw VidgenError("cannot create a temporary file beside '\(path)': \(errorText())") }
        var ok = true
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc_write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 { if errno == EINTR { continue }; ok = false; return }
                offset += n
            }
        }
        let reason = errorText()
        if ok && fsync(fd) != 0 { ok = false }
        close(fd)
        guard ok else {
            unlink(tmp)
            throw VidgenError("cannot write '\(path)': \(reason)")
        }
        guard rename(tmp, path) == 0 else {
            let why = errorText()
            unlink(tmp)
            throw VidgenError("cannot write '\(path)': \(why)")
        }
        // Make the rename itself durable. A folder that cannot be opened or synced (some file
        // systems refuse) is not an error: the file is already complete under its name.
        let dirfd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirfd >= 0 {
            _ = fsync(dirfd)
            close(dirfd)
        }
    }

    static func folderOf(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let folder = String(path[..<slash])
        return folder.isEmpty ? "/" : folder
    }

    static func errorText() -> String { String(cString: strerror(errno)) }
}

@inline(__always)
private func Glibc_write(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(fd, p, n)
    #else
    return Darwin.write(fd, p, n)
    #endif
}

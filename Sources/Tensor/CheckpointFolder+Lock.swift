// One writer per checkpoint folder. A run that writes a folder (vidgen train, of either
// kind of model, and vidgen autoencoder) first takes an exclusive flock(2) on FOLDER/.lock
// and holds it until it is done; a second writer is refused with the holder's pid, which
// the holder keeps in the file, before it reads or writes anything in the folder.
//
// The lock belongs to the open file, not to the file's existence: the kernel drops it when
// the holder closes it or exits, however it exits (kill -9, a crash, the OOM killer), so
// a .lock left behind blocks nothing and --resume works at once. The file is never
// deleted: unlinking a lock file races with a process that has just opened it.

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// A process's hold on a checkpoint folder (CheckpointFolder.lock()): released when the
/// last copy of it is gone, or when the process ends.
public final class FolderLock {
    /// The lock file, FOLDER/.lock.
    public let path: String
    private let fd: Int32
    /// What taking the lock created: the lock file, and the folder itself.
    private let createdFile: Bool, createdFolder: Bool

    init(path: String, fd: Int32, createdFile: Bool, createdFolder: Bool) {
        (self.path, self.fd, self.createdFile, self.createdFolder) = (path, fd, createdFile, createdFolder)
    }

    deinit { close(fd) }  // closing the descriptor drops the flock

    /// For a run refused after it took the lock (a bad config, a missing input): removes the
    /// lock file if taking the lock created it, and then the folder if that created it and
    /// it is empty, so that the refusal leaves the disk as it found it. The lock is still
    /// held until this object is gone.
    public func abandon() {
        let folder = AtomicFile.folderOf(path)
        if createdFile { unlink(path) }
        if createdFolder { rmdir(folder) }
    }
}

extension CheckpointFolder {
    /// The lock file of a folder that a run is writing.
    public static let lockFile = ".lock"

    /// Takes the folder for this process's writes, creating it if missing, and writes this
    /// process's pid into its lock file. Throws, naming the holder's pid, while another
    /// process (or another FolderLock of this one) holds it; then nothing in the folder
    /// has been changed. Keep the result alive for as long as the folder is written.
    public func lock() throws -> FolderLock {
        var info = stat()
        let createdFolder = stat(path, &info) != 0
        try create()
        let p = file(Self.lockFile)
        var fd = open(p, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644)
        let createdFile = fd >= 0
        if !createdFile && errno == EEXIST { fd = open(p, O_RDWR | O_CLOEXEC | O_NOFOLLOW) }
        guard fd >= 0 else { throw VidgenError("cannot open \(p) to lock \(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            let holder = Self.pid(in: fd)
            close(fd)
            guard code == EWOULDBLOCK else { throw VidgenError("cannot lock \(p): \(String(cString: strerror(code)))") }
            throw VidgenError("\(path) is being written by another process (\(holder.map { "pid \($0)" } ?? "pid unknown")); "
                              + "let it finish or stop it before writing this folder")
        }
        // The pid is for the message a second writer gets; the flock, not the text, is the lock.
        let text = Array("\(getpid())\n".utf8)
        if ftruncate(fd, 0) != 0 || text.withUnsafeBytes({ pwrite(fd, $0.baseAddress, $0.count, 0) }) != text.count {
            let why = String(cString: strerror(errno))
            close(fd)
            throw VidgenError("cannot write \(p): \(why)")
        }
        return FolderLock(path: p, fd: fd, createdFile: createdFile, createdFolder: createdFolder)
    }

    /// The pid a lock file holds, if it holds one.
    static func pid(in fd: Int32) -> Int32? {
        var bytes = [UInt8](repeating: 0, count: 32)
        let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return nil }
        return Int32(String(decoding: bytes[..<n].prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self))
    }
}

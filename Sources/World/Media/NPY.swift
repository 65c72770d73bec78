// NumPy .npy writer, format version 1.0: magic "\x93NUMPY", version 1 0, a little-endian
// uint16 header length, an ASCII dict literal padded with spaces and ended by "\n" so that
// magic + version + length + header is a multiple of 64 bytes (as numpy writes it), then the
// raw C-order data.

import Tensor

/// .npy encoding.
public enum NPY {
    /// The header numpy writes for a uint8 array of `shape`.
    public static func header(shape: [Int]) -> [UInt8] {
        let dims = shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? "," : "")
        var dict = "{'descr': '|u1', 'fortran_order': False, 'shape': (\(dims)), }"
        let used = 6 + 2 + 2 + dict.utf8.count + 1  // magic, version, length, dict, "\n"
        dict += String(repeating: " ", count: (64 - used % 64) % 64) + "\n"
        let len = dict.utf8.count
        precondition(len < 65536, "npy header too long for format 1.0")
        return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(len & 0xFF), UInt8(len >> 8)] + Array(dict.utf8)
    }

    /// A uint8 array of `shape` as an .npy file.
    public static func encode(_ data: [UInt8], shape: [Int]) -> [UInt8] {
        precondition(shape.reduce(1, *) == data.count, "npy: \(data.count) bytes for shape \(shape)")
        return header(shape: shape) + data
    }

    /// Writes packed frames ([T, H, W, 3] bytes) to `path` atomically.
    public static func write(frames: [UInt8], shape: [Int], to path: String) throws {
        try AtomicFile.write(encode(frames, shape: shape), to: path)
    }
}

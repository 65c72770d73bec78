// PNG writer: 8-bit RGB, no interlace, filter type 0 on every row, one IDAT chunk.

import Tensor

/// PNG encoding.
public enum PNG {
    /// The PNG file for `image`.
    public static func encode(_ image: RGBImage) -> [UInt8] {
        var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var ihdr: [UInt8] = []
        ihdr += bigEndian(UInt32(image.width))
        ihdr += bigEndian(UInt32(image.height))
        ihdr += [8, 2, 0, 0, 0]  // bit depth 8, colour type 2 (RGB), deflate, filter method 0, no interlace
        chunk("IHDR", ihdr, into: &out)
        let stride = image.width * 3
        var raw = [UInt8](repeating: 0, count: image.height * (stride + 1))
        for y in 0..<image.height {
            raw[y * (stride + 1)] = 0  // filter: none
            for i in 0..<stride { raw[y * (stride + 1) + 1 + i] = image.pixels[y * stride + i] }
        }
        chunk("IDAT", Zlib.compress(raw), into: &out)
        chunk("IEND", [], into: &out)
        return out
    }

    /// Writes `image` to `path` atomically.
    public static func write(_ image: RGBImage, to path: String) throws {
        try AtomicFile.write(encode(image), to: path)
    }

    static func chunk(_ type: String, _ data: [UInt8], into out: inout [UInt8]) {
        out += bigEndian(UInt32(data.count))
        let typed = Array(type.utf8) + data
        out += typed
        out += bigEndian(CRC32.checksum(typed))
    }

    static func bigEndian(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
    }
}

@testable import World

// Small decoders used only by the tests, written from the specs independently of the
// encoders: GIF89a (LZW), and zlib/DEFLATE for stored and fixed-Huffman blocks.

struct BitReader {
    let bytes: [UInt8]
    var pos = 0  // in bits
    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func read(_ n: Int) -> Int? {
        var v = 0
        for k in 0..<n {
            guard pos / 8 < bytes.count else { return nil }
            v |= Int(bytes[pos / 8] >> UInt8(pos % 8) & 1) << k
            pos += 1
        }
        return v
    }

    /// A Huffman code read most-significant bit first.
    mutating func readMSB(_ n: Int) -> Int? {
        var v = 0
        for _ in 0..<n {
            guard let b = read(1) else { return nil }
            v = v << 1 | b
        }
        return v
    }
}

enum DecodeError: Error { case bad(String) }

/// A decoded GIF: screen size, global colour table, per-frame index arrays and delays.
struct DecodedGIF {
    var width = 0, height = 0
    var palette: [[UInt8]] = []
    var frames: [[UInt8]] = []
    /// Per frame, its local colour table, or nil when it uses the global one.
    var localPalettes: [[[UInt8]]?] = []
    var delays: [Int] = []
    var loops = false
}

func decodeGIF(_ d: [UInt8]) throws -> DecodedGIF {
    guard d.count > 13, String(decoding: d[0..<6], as: UTF8.self) == "GIF89a" else { throw DecodeError.bad("signature") }
    var g = DecodedGIF()
    g.width = Int(d[6]) | Int(d[7]) << 8
    g.height = Int(d[8]) | Int(d[9]) << 8
    var i = 13
    if d[10] & 0x80 != 0 {
        let n = 1 << (Int(d[10] & 7) + 1)
        for k in 0..<n { g.palette.append(Array(d[(i + 3 * k)..<(i + 3 * k + 3)])) }
        i += 3 * n
    }
    func subBlocks() -> [UInt8] {
        var out: [UInt8] = []
        while d[i] != 0 {
            let n = Int(d[i])
            out += d[(i + 1)...(i + n)]
            i += n + 1
        }
        i += 1
        return out
    }
    while i < d.count {
        switch d[i] {
        case 0x3B: return g
        case 0x21:
            let label = d[i + 1]
            i += 2
            let body = subBlocks()
            if label == 0xF9 { g.delays.append(Int(body[1]) | Int(body[2]) << 8) }
            if label == 0xFF && String(decoding: body[0..<11], as: UTF8.self) == "NETSCAPE2.0" { g.loops = true }
        case 0x2C:
            let w = Int(d[i + 5]) | Int(d[i + 6]) << 8, h = Int(d[i + 7]) | Int(d[i + 8]) << 8
            let packed = d[i + 9]
            i += 10
            if packed & 0x80 != 0 {
                let n = 1 << (Int(packed & 7) + 1)
                g.localPalettes.append((0..<n).map { k in Array(d[(i + 3 * k)..<(i + 3 * k + 3)]) })
                i += 3 * n
            } else {
                g.localPalettes.append(nil)
            }
            let minCode = Int(d[i])
            i += 1
            let pixels = try lzwDecode(subBlocks(), minCodeSize: minCode)
            guard pixels.count == w * h else { throw DecodeError.bad("frame has \(pixels.count) pixels, not \(w * h)") }
            g.frames.append(pixels)
        default: throw DecodeError.bad("block \(d[i]) at \(i)")
        }
    }
    throw DecodeError.bad("no trailer")
}

/// LZW as a GIF decoder does it: the code width grows when the next free code reaches
/// 2^width (up to 12 bits).
func lzwDecode(_ data: [UInt8], minCodeSize: Int) throws -> [UInt8] {
    let clear = 1 << minCodeSize, end = clear + 1
    var r = BitReader(data)
    var width = minCodeSize + 1
    var table: [[UInt8]] = []
    func reset() {
        table = (0..<clear).map { [UInt8($0)] } + [[], []]
        width = minCodeSize + 1
    }
    reset()
    var out: [UInt8] = []
    var prev: [UInt8]? = nil
    while let code = r.read(width) {
        if code == clear { reset(); prev = nil; continue }
        if code == end {
            // The end code must be the last whole code: a reader one bit out of step with
            // the writer's code width would need a byte more or fewer.
            guard (r.pos + 7) / 8 == data.count else { throw DecodeError.bad("data after the end code") }
            return out
        }
        var entry: [UInt8]
        if code < table.count {
            entry = table[code]
        } else if code == table.count, let p = prev {
            entry = p + [p[0]]
        } else {
            throw DecodeError.bad("code \(code) beyond table \(table.count)")
        }
        out += entry
        if let p = prev, table.count < 4096 {
            table.append(p + [entry[0]])
            if table.count == 1 << width && width < 12 { width += 1 }
        }
        prev = entry
    }
    throw DecodeError.bad("no end code")
}

/// zlib: checks the header and Adler-32, inflates stored and fixed-Huffman blocks.
func zlibDecompress(_ d: [UInt8]) throws -> [UInt8] {
    guard d.count >= 6, (Int(d[0]) << 8 | Int(d[1])) % 31 == 0, d[0] & 0x0F == 8 else { throw DecodeError.bad("zlib header") }
    var r = BitReader(Array(d[2...]))
    var out: [UInt8] = []
    let lbase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    let lext = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    let dbase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073,
                 4097, 6145, 8193, 12289, 16385, 24577]
    let dext = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
    func fixedSymbol() throws -> Int {
        guard var c = r.readMSB(7) else { throw DecodeError.bad("eof") }
        if c <= 0x17 { return c + 256 }
        c = c << 1 | r.read(1)!
        if c >= 0x30 && c <= 0xBF { return c - 0x30 }
        if c >= 0xC0 && c <= 0xC7 { return c - 0xC0 + 280 }
        c = c << 1 | r.read(1)!
        if c >= 0x190 && c <= 0x1FF { return c - 0x190 + 144 }
        throw DecodeError.bad("bad fixed code")
    }
    var final = 0
    repeat {
        final = r.read(1)!
        let type = r.read(2)!
        switch type {
        case 0:
            r.pos = (r.pos + 7) / 8 * 8
            let len = r.read(16)!, nlen = r.read(16)!
            guard len == (~nlen & 0xFFFF) else { throw DecodeError.bad("stored length") }
            for _ in 0..<len { out.append(UInt8(r.read(8)!)) }
        case 1:
            while true {
                let s = try fixedSymbol()
                if s < 256 { out.append(UInt8(s)); continue }
                if s == 256 { break }
                let k = s - 257
                let len = lbase[k] + r.read(lext[k])!
                let dc = r.readMSB(5)!
                let dist = dbase[dc] + r.read(dext[dc])!
                guard dist <= out.count else { throw DecodeError.bad("distance too far") }
                for _ in 0..<len { out.append(out[out.count - dist]) }
            }
        default: throw DecodeError.bad("block type \(type) not supported by the test decoder")
        }
    } while final == 0
    r.pos = (r.pos + 7) / 8 * 8
    let a = (0..<4).map { _ in r.read(8)! }
    let adler = UInt32(a[0]) << 24 | UInt32(a[1]) << 16 | UInt32(a[2]) << 8 | UInt32(a[3])
    guard adler == Adler32.checksum(out) else { throw DecodeError.bad("adler") }
    return out
}

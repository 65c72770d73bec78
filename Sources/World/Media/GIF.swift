// Animated GIF89a writer: LZW-compressed frames, nearest-neighbour upscaling so a 32×32
// clip is big enough to see, looping forever.
//
// The colours represent the clip faithfully: a clip with at most 256 distinct colours is
// stored exactly in one global table. Otherwise (anti-aliased rims over many frames, or
// noisy model output) every frame gets a local table of its own, exact when the frame has
// at most 256 colours; beyond that black keeps an entry of its own and the other colours
// are reduced by median cut, each pixel taking the nearest entry. Everything is
// deterministic (no dictionary iteration order is ever used).

import Tensor

/// GIF encoding.
public enum GIF {
    /// An animated GIF of packed frames `[T, H, W, 3]`, each pixel drawn `scale`×`scale`,
    /// shown `delay` centiseconds per frame, looping forever.
    public static func encode(frames: [UInt8], count T: Int, height H: Int, width W: Int,
                              scale: Int = 8, delay: Int = 10) -> [UInt8] {
        precondition(frames.count == T * H * W * 3, "GIF: \(frames.count) bytes for [T,H,W,3] = [\(T),\(H),\(W),3]")
        precondition(T > 0 && scale >= 1 && W * scale <= 65535 && H * scale <= 65535, "GIF: bad size")
        let (palette, indices) = quantize(frames[...])
        let exact = colorCount(frames[...]) <= 256
        let w = W * scale, h = H * scale
        var out = Array("GIF89a".utf8)
        out += le16(w) + le16(h)
        out += [0xF7, 0, 0]  // global colour table of 2^(7+1) entries, colour resolution 8 bits; bg 0; aspect 0
        out += table(palette)
        out += [0x21, 0xFF, 0x0B] + Array("NETSCAPE2.0".utf8) + [0x03, 0x01, 0x00, 0x00, 0x00]  // loop forever
        var scaled = [UInt8](repeating: 0, count: w * h)
        var lzwTable = LZWTable()
        let n = H * W
        for t in 0..<T {
            out += [0x21, 0xF9, 0x04, 0x04] + le16(delay) + [0x00, 0x00]  // graphic control: keep frame, delay
            out += [0x2C] + le16(0) + le16(0) + le16(w) + le16(h)  // image descriptor
            var frameIndices = indices[(t * n)..<((t + 1) * n)]
            if exact {
                out.append(0x00)  // no local table
            } else {
                let local = quantize(frames[(t * n * 3)..<((t + 1) * n * 3)])
                out.append(0x87)  // local table of 256 entries
                out += table(local.palette)
                frameIndices = local.indices[...]
            }
            let base = frameIndices.startIndex
            for y in 0..<h {
                let row = base + (y / scale) * W
                for x in 0..<w { scaled[y * w + x] = frameIndices[row + x / scale] }
            }
            out.append(8)  // LZW minimum code size
            let data = lzw(scaled, minCodeSize: 8, table: &lzwTable)
            var i = 0
            while i < data.count {
                let k = min(255, data.count - i)
                out.append(UInt8(k))
                out += data[i..<(i + k)]
                i += k
            }
            out.append(0)
        }
        out.append(0x3B)
        return out
    }

    /// A 256-entry colour table (unused entries black).
    static func table(_ palette: [RGB8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(768)
        for i in 0..<256 {
            let c = i < palette.count ? palette[i] : Palette.background
            out += [c.r, c.g, c.b]
        }
        return out
    }

    /// Distinct colours in packed pixels (stops counting past 257).
    static func colorCount(_ pixels: ArraySlice<UInt8>) -> Int {
        var seen = Set<Int32>()
        var i = pixels.startIndex
        while i < pixels.endIndex && seen.count <= 256 {
            seen.insert(Int32(pixels[i]) << 16 | Int32(pixels[i + 1]) << 8 | Int32(pixels[i + 2]))
            i += 3
        }
        return seen.count
    }

    /// Writes the GIF atomically to `path`.
    public static func write(frames: [UInt8], count T: Int, height H: Int, width W: Int,
                             scale: Int = 8, delay: Int = 10, to path: String) throws {
        try AtomicFile.write(encode(frames: frames, count: T, height: H, width: W, scale: scale, delay: delay), to: path)
    }

    static func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }

    // MARK: - Palette

    /// A colour table (≤ 256 entries) and one index per pixel for packed pixels.
    public static func quantize(_ pixels: ArraySlice<UInt8>) -> (palette: [RGB8], indices: [UInt8]) {
        let n = pixels.count / 3
        let b = pixels.startIndex
        var slot: [Int32: Int32] = [:]  // packed colour → unique index
        var unique: [Int32] = [], counts: [Int] = []
        var pixelUnique = [Int32](repeating: 0, count: n)
        for p in 0..<n {
            let key = Int32(pixels[b + p * 3]) << 16 | Int32(pixels[b + p * 3 + 1]) << 8 | Int32(pixels[b + p * 3 + 2])
            if let u = slot[key] {
                pixelUnique[p] = u
                counts[Int(u)] += 1
            } else {
                let u = Int32(unique.count)
                slot[key] = u
                unique.append(key)
                counts.append(1)
                pixelUnique[p] = u
            }
        }
        let palette: [RGB8]
        var map: [UInt8]
        if unique.count <= 256 {
            palette = unique.map(rgb)
            map = (0..<unique.count).map { UInt8($0) }
        } else {
            let others = unique.indices.filter { unique[$0] != 0 }
            palette = [Palette.background] + medianCut(others.map { unique[$0] }, counts: others.map { counts[$0] }, k: 255)
            map = unique.map { nearest(rgb($0), in: palette) }
        }
        return (palette, pixelUnique.map { map[Int($0)] })
    }

    static func rgb(_ key: Int32) -> RGB8 { RGB8(UInt8(key >> 16 & 0xFF), UInt8(key >> 8 & 0xFF), UInt8(key & 0xFF)) }

    static func nearest(_ c: RGB8, in palette: [RGB8]) -> UInt8 {
        var best = 0, bestD = Int.max
        for (i, p) in palette.enumerated() {
            let dr = Int(c.r) - Int(p.r), dg = Int(c.g) - Int(p.g), db = Int(c.b) - Int(p.b)
            let d = dr * dr + dg * dg + db * db
            if d < bestD { bestD = d; best = i }
        }
        return UInt8(best)
    }

    /// Median cut: repeatedly split the box with the widest channel range at the
    /// pixel-weighted median of that channel; each box's entry is its weighted mean colour.
    static func medianCut(_ colors: [Int32], counts: [Int], k: Int) -> [RGB8] {
        var items = Array(colors.indices)
        var boxes: [Range<Int>] = [0..<items.count]
        func channel(_ i: Int, _ ch: Int) -> Int { Int(colors[i] >> Int32(16 - 8 * ch) & 0xFF) }
        func widest(_ box: Range<Int>) -> (ch: Int, range: Int) {
            var best = (0, -1)
            for ch in 0..<3 {
                var lo = 255, hi = 0
                for j in box { let v = channel(items[j], ch); lo = min(lo, v); hi = max(hi, v) }
                if hi - lo > best.1 { best = (ch, hi - lo) }
            }
            return best
        }
        while boxes.count < k {
            var pick = -1, pickRange = 0, pickCh = 0
            for (b, box) in boxes.enumerated() where box.count > 1 {
                let (ch, range) = widest(box)
                if range > pickRange { pick = b; pickRange = range; pickCh = ch }
            }
            if pick < 0 { break }
            let box = boxes[pick]
            let ch = pickCh
            items[box].sort { a, b in
                let va = channel(a, ch), vb = channel(b, ch)
                return va != vb ? va < vb : colors[a] < colors[b]
            }
            let total = box.reduce(0) { $0 + counts[items[$1]] }
            var acc = 0, cut = box.lowerBound + 1
            for j in box {
                acc += counts[items[j]]
                if 2 * acc >= total { cut = j + 1; break }
            }
            cut = min(max(cut, box.lowerBound + 1), box.upperBound - 1)
            boxes[pick] = box.lowerBound..<cut
            boxes.append(cut..<box.upperBound)
        }
        return boxes.map { box in
            var s = (0, 0, 0), w = 0
            for j in box {
                let i = items[j], c = counts[i]
                s.0 += channel(i, 0) * c
                s.1 += channel(i, 1) * c
                s.2 += channel(i, 2) * c
                w += c
            }
            return RGB8(UInt8((s.0 + w / 2) / w), UInt8((s.1 + w / 2) / w), UInt8((s.2 + w / 2) / w))
        }
    }

    // MARK: - LZW

    /// GIF-flavoured LZW of `indices` (each < 2^minCodeSize): variable code width from
    /// minCodeSize + 1 up to 12 bits, a clear code first and whenever the table fills.
    static func lzw(_ indices: [UInt8], minCodeSize: Int) -> [UInt8] {
        var table = LZWTable()
        return lzw(indices, minCodeSize: minCodeSize, table: &table)
    }

    /// The string table: (prefix code, next index) → code, in one flat array whose entries
    /// carry a generation stamp, so that clearing the table is O(1) and one table serves
    /// every frame of a clip.
    struct LZWTable {
        var entries = [UInt32](repeating: 0, count: 4096 * 256)  // generation << 12 | code
        var generation: UInt32 = 0

        mutating func clear() {
            generation += 1
            if generation == 1 << 20 {
                entries = [UInt32](repeating: 0, count: 4096 * 256)
                generation = 1
            }
        }
    }

    static func lzw(_ indices: [UInt8], minCodeSize: Int, table: inout LZWTable) -> [UInt8] {
        let clear = 1 << minCodeSize, end = clear + 1
        var out = BitWriter()
        table.clear()
        var next = end + 1
        var width = minCodeSize + 1
        out.write(clear, bits: width)
        guard var prefix = indices.first.map(Int.init) else {
            out.write(end, bits: width)
            out.flush()
            return out.bytes
        }
        for k in indices.dropFirst() {
            let slot = prefix << 8 | Int(k)
            let entry = table.entries[slot]
            if entry >> 12 == table.generation {
                prefix = Int(entry & 0xFFF)
                continue
            }
            out.write(prefix, bits: width)
            if next < 4096 {
                table.entries[slot] = table.generation << 12 | UInt32(next)
                next += 1
                if next > 1 << width && width < 12 { width += 1 }
            } else {
                out.write(clear, bits: width)
                table.clear()
                next = end + 1
                width = minCodeSize + 1
            }
            prefix = Int(k)
        }
        out.write(prefix, bits: width)
        // The decoder adds an entry for that last code too; if the table just reached a
        // power of two, it reads the end code one bit wider.
        if next == 1 << width && width < 12 { width += 1 }
        out.write(end, bits: width)
        out.flush()
        return out.bytes
    }
}

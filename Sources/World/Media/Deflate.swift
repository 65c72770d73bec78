// A zlib (RFC 1950) stream around one DEFLATE (RFC 1951) block with the fixed Huffman code
// and greedy LZ77 matching over a 32 KiB window. Upscaled frames and contact sheets are
// long runs of repeated bytes, which this compresses well without dynamic Huffman tables.

/// zlib compression for PNG.
public enum Zlib {
    /// `data` as a zlib stream: header 78 01, one fixed-Huffman block, Adler-32 (big-endian).
    public static func compress(_ data: [UInt8]) -> [UInt8] {
        var out = BitWriter()
        out.bytes = [0x78, 0x01]
        out.write(1, bits: 1)  // BFINAL
        out.write(1, bits: 2)  // BTYPE = 01, fixed Huffman
        lz77(data, into: &out)
        out.writeHuffman(256)  // end of block
        out.flush()
        let adler = Adler32.checksum(data)
        out.bytes += [UInt8(adler >> 24), UInt8(adler >> 16 & 0xFF), UInt8(adler >> 8 & 0xFF), UInt8(adler & 0xFF)]
        return out.bytes
    }

    // MARK: - LZ77

    static let window = 32_768
    static let maxChain = 48
    static let minMatch = 3
    static let maxMatch = 258

    static func lz77(_ data: [UInt8], into out: inout BitWriter) {
        let n = data.count
        let hashBits = 15
        var head = [Int32](repeating: -1, count: 1 << hashBits)
        var prev = [Int32](repeating: -1, count: window)
        data.withUnsafeBufferPointer { d in
            @inline(__always) func hash(_ i: Int) -> Int {
                (Int(d[i]) << 10 ^ Int(d[i + 1]) << 5 ^ Int(d[i + 2])) & ((1 << hashBits) - 1)
            }
            @inline(__always) func insert(_ i: Int) {
                guard i + 2 < n else { return }
                let h = hash(i)
                prev[i & (window - 1)] = head[h]
                head[h] = Int32(i)
            }
            var i = 0
            while i < n {
                var bestLen = 0, bestDist = 0
                if i + 2 < n {
                    var cand = Int(head[hash(i)])
                    var chain = 0
                    let limit = min(maxMatch, n - i)
                    while cand >= 0 && i - cand <= window && chain < maxChain {
                        if d[cand + bestLen] == d[i + bestLen] || bestLen == 0 {
                            var l = 0
                            while l < limit && d[cand + l] == d[i + l] { l += 1 }
                            if l > bestLen {
                                bestLen = l
                                bestDist = i - cand
                                if l == limit { break }
                            }
                        }
                        let next = Int(prev[cand & (window - 1)])
                        if next >= cand { break }  // the slot was overwritten by a newer position
                        cand = next
                        chain += 1
                    }
                }
                if bestLen >= minMatch {
                    out.writeLength(bestLen)
                    out.writeDistance(bestDist)
                    for k in 0..<bestLen { insert(i + k) }
                    i += bestLen
                } else {
                    out.writeHuffman(Int(d[i]))
                    insert(i)
                    i += 1
                }
            }
        }
    }
}

/// Packs bits least-significant first, as DEFLATE and GIF's LZW both require.
struct BitWriter {
    var bytes: [UInt8] = []
    var acc: UInt64 = 0
    var count = 0

    mutating func write(_ value: Int, bits: Int) {
        acc |= UInt64(value) << UInt64(count)
        count += bits
        while count >= 8 {
            bytes.append(UInt8(acc & 0xFF))
            acc >>= 8
            count -= 8
        }
    }

    /// Pads the last byte with zero bits.
    mutating func flush() {
        if count > 0 { bytes.append(UInt8(acc & 0xFF)) }
        acc = 0
        count = 0
    }

    /// A Huffman code is sent most-significant bit first, so reverse it into the stream.
    mutating func writeCode(_ code: Int, length: Int) {
        var r = 0
        for k in 0..<length where code >> k & 1 != 0 { r |= 1 << (length - 1 - k) }
        write(r, bits: length)
    }

    /// A literal/length symbol in the fixed code (RFC 1951 §3.2.6).
    mutating func writeHuffman(_ sym: Int) {
        switch sym {
        case 0...143: writeCode(0x30 + sym, length: 8)
        case 144...255: writeCode(0x190 + sym - 144, length: 9)
        case 256...279: writeCode(sym - 256, length: 7)
        default: writeCode(0xC0 + sym - 280, length: 8)
        }
    }

    static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99,
                             115, 131, 163, 195, 227, 258]
    static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
                           2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    static let distExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

    mutating func writeLength(_ len: Int) {
        var k = BitWriter.lengthBase.count - 1
        while BitWriter.lengthBase[k] > len { k -= 1 }
        writeHuffman(257 + k)
        if BitWriter.lengthExtra[k] > 0 { write(len - BitWriter.lengthBase[k], bits: BitWriter.lengthExtra[k]) }
    }

    mutating func writeDistance(_ dist: Int) {
        var k = BitWriter.distBase.count - 1
        while BitWriter.distBase[k] > dist { k -= 1 }
        writeCode(k, length: 5)
        if BitWriter.distExtra[k] > 0 { write(dist - BitWriter.distBase[k], bits: BitWriter.distExtra[k]) }
    }
}

import Foundation
import XCTest
import Tensor
@testable import World

final class MediaTests: XCTestCase {
    func testChecksumsKnownValues() {
        XCTAssertEqual(CRC32.checksum(Array("123456789".utf8)), 0xCBF4_3926)
        XCTAssertEqual(CRC32.checksum(Array("IEND".utf8)), 0xAE42_6082)
        XCTAssertEqual(Adler32.checksum(Array("Wikipedia".utf8)), 0x11E6_0398)
    }

    /// Every pixel of every frame decodes back to its exact colour, upscaled: through the
    /// global table when the clip has ≤ 256 colours (one frame), through local tables when
    /// it has more (16 frames of anti-aliased rims).
    func testGIFDecodesToSameColours() throws {
        let ep = try Scenario.named("occluder").episode(seed: 1, frames: 64)
        for T in [1, 16] {
            let frames = Rasterizer.bytes(Array(ep.frames[0..<T]), scene: ep.scene)
            let gif = GIF.encode(frames: frames, count: T, height: 32, width: 32, scale: 4, delay: 7)
            let decoded = try decodeGIF(gif)
            XCTAssertEqual(decoded.width, 128)
            XCTAssertEqual(decoded.height, 128)
            XCTAssertEqual(decoded.frames.count, T)
            XCTAssertEqual(decoded.delays, Array(repeating: 7, count: T))
            XCTAssertTrue(decoded.loops)
            XCTAssertEqual(decoded.localPalettes.allSatisfy { $0 == nil }, T == 1, "local tables only when needed")
            for t in 0..<T {
                let table = decoded.localPalettes[t] ?? decoded.palette
                let indices = T == 1 ? GIF.quantize(frames[...]).indices
                                     : GIF.quantize(frames[(t * 3072)..<((t + 1) * 3072)]).indices
                for y in 0..<128 {
                    for x in 0..<128 {
                        let i = decoded.frames[t][y * 128 + x]
                        let o = ((y / 4) * 32 + x / 4)
                        if i != indices[o] { return XCTFail("index changed at \(x),\(y) of frame \(t)") }
                        if table[Int(i)] != Array(frames[(t * 1024 + o) * 3..<(t * 1024 + o) * 3 + 3]) {
                            return XCTFail("pixel \(x),\(y) of frame \(t) changed colour")
                        }
                    }
                }
            }
        }
    }

    /// Noisy frames (> 256 colours per frame, as from a model) go through median cut; LZW
    /// tables fill and clear many times; the decode still matches the indices, and every
    /// pixel takes its nearest table entry.
    func testGIFWithManyColoursAndTableResets() throws {
        var rng = RNG(seed: 4)
        let T = 3, H = 40, W = 50, n = H * W * 3
        let frames = (0..<(T * n)).map { _ in UInt8(rng.int(in: 0...255)) }
        let gif = GIF.encode(frames: frames, count: T, height: H, width: W, scale: 2)
        let decoded = try decodeGIF(gif)
        for t in 0..<T {
            let (palette, indices) = GIF.quantize(frames[(t * n)..<((t + 1) * n)])
            XCTAssertEqual(palette.count, 256)
            XCTAssertEqual(palette[0], RGB8(0, 0, 0))
            XCTAssertEqual(decoded.localPalettes[t]!, palette.map { [$0.r, $0.g, $0.b] })
            for y in 0..<(2 * H) {
                for x in 0..<(2 * W) where decoded.frames[t][y * 2 * W + x] != indices[(y / 2) * W + x / 2] {
                    return XCTFail("index mismatch at \(t),\(x),\(y)")
                }
            }
            for p in stride(from: 0, to: H * W, by: 37) {
                let o = t * n + p * 3
                XCTAssertEqual(indices[p], GIF.nearest(RGB8(frames[o], frames[o + 1], frames[o + 2]), in: palette))
            }
        }
    }

    func testLZWEdgeCases() throws {
        for data: [UInt8] in [[], [7], [1, 1, 1, 1, 1, 1, 1, 1], Array(repeating: 0, count: 100_000),
                              (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }] {
            XCTAssertEqual(try lzwDecode(GIF.lzw(data, minCodeSize: 8), minCodeSize: 8), data)
        }
        // Ends exactly where the code width grows (table size a power of two).
        var table = GIF.LZWTable()
        for n in 250..<1400 {
            let data = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 31 ^ $0 >> 3) }
            XCTAssertEqual(try lzwDecode(GIF.lzw(data, minCodeSize: 8, table: &table), minCodeSize: 8), data, "n = \(n)")
        }
    }

    /// PNG: signature, chunk CRCs, IHDR fields, and the IDAT inflates to the filtered rows.
    func testPNGChunksAndPixels() throws {
        let ep = try Scenario.id.episode(seed: 2, frames: 3)
        let frames = Rasterizer.bytes(ep)
        let sheet = RGBImage.contactSheet(rows: [frames, frames], frames: 3, height: 32, width: 32, scale: 2, gap: 1)
        XCTAssertEqual(sheet.width, 3 * 64 + 4)
        XCTAssertEqual(sheet.height, 2 * 64 + 3)
        let png = PNG.encode(sheet)
        XCTAssertEqual(Array(png[0..<8]), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        var i = 8
        var types: [String] = []
        var idat: [UInt8] = []
        func be32(_ k: Int) -> Int { Int(png[k]) << 24 | Int(png[k + 1]) << 16 | Int(png[k + 2]) << 8 | Int(png[k + 3]) }
        while i < png.count {
            let len = be32(i)
            let type = String(decoding: png[(i + 4)..<(i + 8)], as: UTF8.self)
            let body = Array(png[(i + 8)..<(i + 8 + len)])
            XCTAssertEqual(UInt32(be32(i + 8 + len)), CRC32.checksum(png[(i + 4)..<(i + 8 + len)]), "CRC of \(type)")
            if type == "IHDR" {
                XCTAssertEqual(body.count, 13)
                XCTAssertEqual(Int(body[0]) << 24 | Int(body[1]) << 16 | Int(body[2]) << 8 | Int(body[3]), sheet.width)
                XCTAssertEqual(Array(body[8...]), [8, 2, 0, 0, 0])
            }
            if type == "IDAT" { idat += body }
            types.append(type)
            i += 12 + len
        }
        XCTAssertEqual(types, ["IHDR", "IDAT", "IEND"])
        let raw = try zlibDecompress(idat)
        let stride = sheet.width * 3
        XCTAssertEqual(raw.count, sheet.height * (stride + 1))
        for y in 0..<sheet.height {
            XCTAssertEqual(raw[y * (stride + 1)], 0)
            XCTAssertEqual(Array(raw[(y * (stride + 1) + 1)..<((y + 1) * (stride + 1))]),
                           Array(sheet.pixels[(y * stride)..<((y + 1) * stride)]))
        }
        XCTAssertLessThan(png.count, raw.count / 4, "upscaled frames compress")
    }

    func testZlibRoundTrip() throws {
        var rng = RNG(seed: 8)
        for data: [UInt8] in [[], [42], Array(repeating: 9, count: 70_000),
                              (0..<50_000).map { _ in UInt8(rng.int(in: 0...3)) },
                              (0..<40_000).map { _ in UInt8(rng.int(in: 0...255)) }] {
            XCTAssertEqual(try zlibDecompress(Zlib.compress(data)), data)
        }
    }

    /// The header numpy 2.x writes for np.save(f, np.zeros((64, 32, 32, 3), np.uint8)).
    func testNPYHeaderMatchesNumpy() {
        let header = NPY.header(shape: [64, 32, 32, 3])
        let expected = Array("\u{93}NUMPY".unicodeScalars.map { UInt8($0.value) }) + [1, 0, 118, 0]
            + Array(("{'descr': '|u1', 'fortran_order': False, 'shape': (64, 32, 32, 3), }"
                + String(repeating: " ", count: 49) + "\n").utf8)
        XCTAssertEqual(header, expected)
        XCTAssertEqual(header.count % 64, 0)
        let one = NPY.header(shape: [5])
        XCTAssertTrue(String(decoding: one[10...], as: UTF8.self).contains("'shape': (5,), }"))
        XCTAssertEqual(one.count % 64, 0)
        let file = NPY.encode([1, 2, 3, 4, 5, 6], shape: [1, 1, 2, 3])
        XCTAssertEqual(Array(file[header.count...]), [1, 2, 3, 4, 5, 6])
    }

    func testAtomicWrite() throws {
        let dir = NSTemporaryDirectory() + "vidgen-media-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/a.bin"
        try AtomicFile.write([1, 2, 3], to: path)
        try AtomicFile.write([4, 5], to: path)
        XCTAssertEqual(try Array(Data(contentsOf: URL(fileURLWithPath: path))), [4, 5])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["a.bin"], "no temporaries left")
        XCTAssertThrowsError(try AtomicFile.write([1], to: dir + "/missing/b.bin")) { error in
            XCTAssertTrue("\(error)".contains("does not exist"), "\(error)")
        }
        XCTAssertThrowsError(try AtomicFile.write([1], to: dir))
    }
}

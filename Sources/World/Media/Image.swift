// Frame layouts and the picture helpers the media writers share: conversion between the
// model's planar floats and packed bytes, nearest-neighbour upscaling, and tiling clips
// side by side (sample beside ground truth) or frames into a contact sheet.
//
// Shapes: T frames, H height, W width; packed bytes are [T, H, W, 3].

/// An 8-bit RGB picture, packed [H, W, 3].
public struct RGBImage: Equatable, Sendable {
    public var width: Int
    public var height: Int
    /// [height, width, 3]
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height * 3, "RGBImage: \(pixels.count) bytes for \(width)×\(height)")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// A picture filled with `color`.
    public init(width: Int, height: Int, color: RGB8 = Palette.background) {
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) {
            pixels[i * 3] = color.r
            pixels[i * 3 + 1] = color.g
            pixels[i * 3 + 2] = color.b
        }
    }

    /// Copies `frame` ([h, w, 3] bytes) scaled ×`scale` with its top-left corner at (x, y).
    public mutating func paste(_ frame: ArraySlice<UInt8>, width w: Int, height h: Int, scale: Int, x: Int, y: Int) {
        let base = frame.startIndex
        for oy in 0..<(h * scale) {
            let ty = y + oy
            guard ty >= 0 && ty < height else { continue }
            let sy = oy / scale
            for ox in 0..<(w * scale) {
                let tx = x + ox
                guard tx >= 0 && tx < width else { continue }
                let s = base + (sy * w + ox / scale) * 3
                let o = (ty * width + tx) * 3
                pixels[o] = frame[s]
                pixels[o + 1] = frame[s + 1]
                pixels[o + 2] = frame[s + 2]
            }
        }
    }

    /// A contact sheet: one row per clip, its frames side by side, each ×`scale`, with
    /// `gap` pixels of `gapColor` between frames and rows (e.g. rows = [sample, truth]).
    /// Each clip is packed [T, H, W, 3].
    public static func contactSheet(rows: [[UInt8]], frames T: Int, height H: Int, width W: Int, scale: Int = 4,
                                    gap: Int = 2, gapColor: RGB8 = RGB8(64, 64, 64)) -> RGBImage {
        for r in rows { precondition(r.count == T * H * W * 3, "contactSheet: a row has \(r.count) bytes, not T·H·W·3") }
        let cellW = W * scale, cellH = H * scale
        var img = RGBImage(width: T * cellW + (T + 1) * gap, height: rows.count * cellH + (rows.count + 1) * gap,
                           color: gapColor)
        let n = H * W * 3
        for (r, clip) in rows.enumerated() {
            for t in 0..<T {
                img.paste(clip[(t * n)..<((t + 1) * n)], width: W, height: H, scale: scale,
                          x: gap + t * (cellW + gap), y: gap + r * (cellH + gap))
            }
        }
        return img
    }
}

/// Conversions between frame layouts.
public enum Frames {
    /// Planar `[T, 3, H, W]` floats in [-1, 1] (model output) → packed `[T, H, W, 3]` bytes,
    /// clamped and rounded.
    public static func bytes(planar x: [Float], frames T: Int, height H: Int, width W: Int) -> [UInt8] {
        precondition(x.count == T * 3 * H * W, "Frames.bytes: \(x.count) floats, [T,3,H,W] = [\(T),3,\(H),\(W)]")
        let hw = H * W
        var out = [UInt8](repeating: 0, count: T * hw * 3)
        for t in 0..<T {
            for c in 0..<3 {
                let src = (t * 3 + c) * hw
                for i in 0..<hw {
                    let f = x[src + i]
                    let v = f.isNaN ? 0 : min(max((f + 1) * 127.5, 0), 255)  // NaN (a diverged model) → black
                    out[(t * hw + i) * 3 + c] = UInt8(v + 0.5)
                }
            }
        }
        return out
    }

    /// Packed `[T, H, W, 3]` bytes → planar `[T, 3, H, W]` floats in [-1, 1].
    public static func planar(bytes x: [UInt8], frames T: Int, height H: Int, width W: Int) -> [Float] {
        precondition(x.count == T * 3 * H * W, "Frames.planar: \(x.count) bytes, [T,H,W,3] = [\(T),\(H),\(W),3]")
        let hw = H * W
        var out = [Float](repeating: 0, count: x.count)
        for t in 0..<T {
            for i in 0..<hw {
                for c in 0..<3 { out[(t * 3 + c) * hw + i] = Float(x[(t * hw + i) * 3 + c]) / 127.5 - 1 }
            }
        }
        return out
    }

    /// Clips side by side in each frame (e.g. sample | ground truth), `gap` grey pixels
    /// apart. Each clip is packed [T, H, W, 3]; the result is [T, H, W·k + gap·(k−1), 3].
    public static func sideBySide(_ clips: [[UInt8]], frames T: Int, height H: Int, width W: Int,
                                  gap: Int = 1, gapColor: RGB8 = RGB8(64, 64, 64)) -> (bytes: [UInt8], width: Int) {
        let k = clips.count
        let outW = W * k + gap * (k - 1)
        var out: [UInt8] = []
        out.reserveCapacity(T * H * outW * 3)
        let n = H * W * 3
        for t in 0..<T {
            var img = RGBImage(width: outW, height: H, color: gapColor)
            for (j, clip) in clips.enumerated() {
                precondition(clip.count == T * n, "sideBySide: clip \(j) has \(clip.count) bytes, not T·H·W·3")
                img.paste(clip[(t * n)..<((t + 1) * n)], width: W, height: H, scale: 1, x: j * (W + gap), y: 0)
            }
            out += img.pixels
        }
        return (out, outW)
    }
}

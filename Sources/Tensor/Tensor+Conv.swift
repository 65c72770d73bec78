// Small same-size convolutions on channel-last images, as a gather plus one sgemm:
//   neighborhoods  x [N, H, W, C] → [N, H, W, K·K·C]   each pixel's K×K window, zero outside
//   conv2d         neighborhoods(x)·weight [K·K·C, C'] + bias [C']  → [N, H, W, C']
// The window of pixel (i, j) is ordered (di, dj, c), di and dj from −r to r (K = 2r + 1),
// so a weight row index is ((di + r)·K + (dj + r))·C + c.

extension Tensor {
    /// Each pixel's (2r+1)×(2r+1) neighbourhood, zero-padded at the border.
    /// x [N, H, W, C] → [N, H, W, (2r+1)²·C]. The backward adds each window back in place.
    public static func neighborhoods(_ x: Tensor, radius r: Int) -> Tensor {
        precondition(x.rank == 4 && r >= 0, "neighborhoods: x must be [N, H, W, C], got \(x.shape)")
        let (n, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let k = 2 * r + 1, out = k * k * c
        let y = withExtendedLifetime(x) {
            Tensor(shape: [n, h, w, out]) { buffer in
                let px = x.ptr, po = buffer.baseAddress!
                Parallel.forChunks(n * h, grain: max(1, Parallel.minParallelElements / max(1, w * out))) { rows in
                    for row in rows {
                        let (img, i) = (row / h, row % h)
                        for j in 0..<w {
                            let o = po + (row * w + j) * out
                            for di in -r...r {
                                for dj in -r...r {
                                    let dst = o + ((di + r) * k + (dj + r)) * c
                                    let (ii, jj) = (i + di, j + dj)
                                    if ii < 0 || ii >= h || jj < 0 || jj >= w {
                                        dst.update(repeating: 0, count: c)
                                    } else {
                                        dst.update(from: px + ((img * h + ii) * w + jj) * c, count: c)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return Tape.record(y, [x]) { g, _ in
            // Each input pixel gathers from the windows that saw it: output (i − di, j − dj)
            // at offset (di, dj). Writing per input row keeps the sum order fixed.
            let dx = withExtendedLifetime(g) {
                Tensor(shape: [n, h, w, c]) { buffer in
                    let pg = g.ptr, pd = buffer.baseAddress!
                    Parallel.forChunks(n * h, grain: max(1, Parallel.minParallelElements / max(1, w * out))) { rows in
                        for row in rows {
                            let (img, i) = (row / h, row % h)
                            for j in 0..<w {
                                let d = pd + (row * w + j) * c
                                d.update(repeating: 0, count: c)
                                for di in -r...r {
                                    for dj in -r...r {
                                        let (oi, oj) = (i - di, j - dj)
                                        guard oi >= 0, oi < h, oj >= 0, oj < w else { continue }
                                        let src = pg + ((img * h + oi) * w + oj) * out + ((di + r) * k + (dj + r)) * c
                                        for ch in 0..<c { d[ch] += src[ch] }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            return [dx]
        }
    }

    /// A same-size K×K convolution (K = 2r + 1) on channel-last images:
    /// x [N, H, W, C], weight [K·K·C, C'], bias [C'] → [N, H, W, C'].
    public static func conv2d(_ x: Tensor, _ weight: Tensor, _ bias: Tensor, radius r: Int) -> Tensor {
        linear(neighborhoods(x, radius: r), weight, bias)
    }
}

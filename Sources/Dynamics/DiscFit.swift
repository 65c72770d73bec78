// Sub-pixel perception: the tracker's coverage-weighted centroid is off by about 0.01 px
// (pixel sampling of the edge ramp, the image border cutting it, a neighbour covering it),
// and a roll-out amplifies that: the exact simulator started from tracker states is 2.9 px
// off at horizon 30 on `id` clips, ball collisions turning small errors into large ones. So
// perception refits each detection with the rasterizer's own disc model,
//
//   α(q) = clamp(r + 0.5 − |q − c|, 0, 1)        coverage of the pixel centred at q,
//
// by Gauss–Newton on (c, r) over the pixels that are a pure mix of the ball's colour and the
// black background (α = ⟨rgb, k⟩ / ⟨k, k⟩ for palette colour k); pixels touched by another
// ball or an occluder are left out, so the fit does not see them.
//
// A frame seen through a camera (blur, pixel noise) is no pure mix anywhere, so there the fit
// widens its tolerances to the frame's noise level σ̂ (read from the background, `noiseLevel`)
// and models a soft edge of unknown width w, fitted with the rest,
//
//   α(q) = Φ((r − |q − c|) / w)          (Φ the standard normal CDF),
//
// the profile of a one-pixel ramp under a roughly Gaussian blur (the linear ramp fitted to a
// blurred edge is off by about 0.015 px, by where the pixel grid cuts it). A clean frame
// (σ̂ = 0) takes the sharp model's path unchanged.

import Foundation
import World

enum DiscFit {
    /// Gauss–Newton iterations at most; each is one pass over about (2r + 5)² pixels.
    static let iterations = 12
    /// A pixel is a pure mix of colour and background when |rgb − α k| is below this.
    static let mixTolerance: Float = 2e-3
    /// The fit replaces the tracker's estimate only if its RMS coverage residual is below this
    /// and it moved the centre less than `maxShift` pixels.
    static let maxResidual = 1e-3
    static let maxShift = 1.0

    /// `detection` with its position and radius refitted to `rgb` ([H, W, 3] in [0, 1]); the
    /// detection unchanged when too few pixels are clean or the fit does not match them.
    static func refine(_ detection: Detection, rgb: [Float], height H: Int, width W: Int,
                       color k: SIMD3<Float>, noise: Double = 0) -> Detection {
        if noise > 0 { return refineNoisy(detection, rgb: rgb, height: H, width: W, color: k, noise: noise) }
        // The clean pixels: centre and observed coverage.
        guard let (qs, alphas) = pixels(around: detection, rgb: rgb, height: H, width: W, color: k, noise: 0) else {
            return detection
        }
        var c = detection.position, r = detection.radius
        var rms = Double.infinity
        for _ in 0..<iterations {
            // Normal equations JᵀJ δ = −Jᵀe over θ = (cx, cy, r); only ramp pixels have a gradient.
            var jj = [Double](repeating: 0, count: 9), je = [Double](repeating: 0, count: 3), ee = 0.0, ramp = 0
            for (q, alpha) in zip(qs, alphas) {
                let dq = q - c, d = dq.length
                let a = r + 0.5 - d
                let e = min(max(a, 0), 1) - alpha
                ee += e * e
                guard a > 0, a < 1, d > 1e-9 else { continue }
                let j = [dq.x / d, dq.y / d, 1.0]  // ∂α/∂(cx, cy, r)
                for u in 0..<3 {
                    je[u] += j[u] * e
                    for v in 0..<3 { jj[u * 3 + v] += j[u] * j[v] }
                }
                ramp += 1
            }
            rms = (ee / Double(max(qs.count, 1))).squareRoot()
            guard ramp >= 6, let step = solve3(jj, je.map { -$0 }) else { return detection }
            c += Vec2(step[0], step[1])
            r += step[2]
            if abs(step[0]) + abs(step[1]) + abs(step[2]) < 1e-9 { break }
        }
        // The residual of the final parameters.
        var ee = 0.0
        for (q, alpha) in zip(qs, alphas) {
            let e = min(max(r + 0.5 - (q - c).length, 0), 1) - alpha
            ee += e * e
        }
        rms = (ee / Double(max(qs.count, 1))).squareRoot()
        guard rms < maxResidual, (c - detection.position).length < maxShift, r > 0 else { return detection }
        var out = detection
        out.position = c
        out.radius = r
        return out
    }

    /// `refine` on a frame of noise level `noise` (> 0): pixels are taken as a mix of colour
    /// and black within 5σ̂, and the fit is over (c, r, w) of the soft edge; it is kept when its
    /// residual is within 3σ̂ of the clean bound and it moved the centre less than `maxShift`.
    static func refineNoisy(_ detection: Detection, rgb: [Float], height H: Int, width W: Int,
                            color k: SIMD3<Float>, noise: Double) -> Detection {
        guard let (qs, alphas) = pixels(around: detection, rgb: rgb, height: H, width: W, color: k, noise: Float(noise)) else {
            return detection
        }
        var c = detection.position, r = detection.radius, w = 0.75
        /// Model coverage at distance d from the centre, and its derivative along r − d.
        func model(_ d: Double) -> (alpha: Double, slope: Double) {
            let z = (r - d) / w
            return (0.5 * (1 + erf(z / 2.0.squareRoot())), exp(-0.5 * z * z) / (2 * Double.pi).squareRoot() / w)
        }
        func residual() -> Double {
            let ee = zip(qs, alphas).reduce(0.0) { sum, p in
                let e = model((p.0 - c).length).alpha - p.1
                return sum + e * e
            }
            return (ee / Double(max(qs.count, 1))).squareRoot()
        }
        for _ in 0..<iterations {
            // Normal equations over θ = (cx, cy, r, w); every pixel has a gradient.
            var jj = [Double](repeating: 0, count: 16), je = [Double](repeating: 0, count: 4), used = 0
            for (q, alpha) in zip(qs, alphas) {
                let dq = q - c, d = dq.length
                guard d > 1e-9 else { continue }
                let (a, g) = model(d)
                let e = a - alpha
                let j = [g * dq.x / d, g * dq.y / d, g, -g * (r - d) / w]  // ∂α/∂(cx, cy, r, w)
                for u in 0..<4 {
                    je[u] -= j[u] * e
                    for v in 0..<4 { jj[u * 4 + v] += j[u] * j[v] }
                }
                used += 1
            }
            guard used >= 8, let step = solve(jj, je, n: 4) else { return detection }
            c += Vec2(step[0], step[1])
            r += step[2]
            w = min(max(w + step[3], 0.2), 3)
            if step.map(abs).reduce(0, +) < 1e-9 { break }
        }
        guard residual() < maxResidual + 3 * noise, (c - detection.position).length < maxShift, r > 0 else { return detection }
        var out = detection
        out.position = c
        // A blur moves a disc's half-coverage contour inward by about s²/(2r), s² the blur's
        // share of the edge's variance (w² less the one-pixel ramp's 1/12).
        out.radius = r + max(w * w - 1.0 / 12, 0) / (2 * r)
        return out
    }

    /// The noise level σ̂ of a frame `rgb` ([H, W, 3] in [0, 1]): from the background, the
    /// dark pixels (every channel below 0.25, so no occluder's grey) farther than 3 px from
    /// every detection's disc. A camera's noise on black is clipped at 0, so half of those
    /// values are 0 and the rest half-normal; their upper quartile is 0.674 σ. 0 for a clean
    /// render, whose background is exactly black.
    static func noiseLevel(rgb: [Float], height H: Int, width W: Int, detections: [Detection]) -> Double {
        var values: [Float] = []
        for y in 0..<H {
            for x in 0..<W {
                let q = Vec2(Double(x) + 0.5, Double(y) + 0.5)
                let px = rgb[((y * W + x) * 3)..<((y * W + x) * 3 + 3)]
                guard px.allSatisfy({ $0 < 0.25 }), detections.allSatisfy({ (q - $0.position).length > $0.radius + 3 }) else { continue }
                values += px
            }
        }
        guard values.count >= 64 else { return 0 }
        values.sort()
        return Double(values[values.count * 3 / 4]) / 0.674
    }

    /// The solution of the symmetric n×n system `a` x = `b` (row-major) by Gaussian
    /// elimination with partial pivoting, nil when singular.
    static func solve(_ a: [Double], _ b: [Double], n: Int) -> [Double]? {
        var m = a, v = b
        for col in 0..<n {
            let pivot = (col..<n).max { abs(m[$0 * n + col]) < abs(m[$1 * n + col]) }!
            guard abs(m[pivot * n + col]) > 1e-12 else { return nil }
            if pivot != col {
                for k in 0..<n { m.swapAt(pivot * n + k, col * n + k) }
                v.swapAt(pivot, col)
            }
            for row in (col + 1)..<n {
                let f = m[row * n + col] / m[col * n + col]
                for k in col..<n { m[row * n + k] -= f * m[col * n + k] }
                v[row] -= f * v[col]
            }
        }
        var x = [Double](repeating: 0, count: n)
        for row in stride(from: n - 1, through: 0, by: -1) {
            var sum = v[row]
            for k in (row + 1)..<n { sum -= m[row * n + k] * x[k] }
            x[row] = sum / m[row * n + row]
        }
        return x
    }

    /// The pixels a fit of `detection` reads — within its radius + 2.5 px, clipped to the
    /// frame — that are a mix of colour `k` and black (`mix`, at noise level `noise`): their
    /// centres and coverages; nil when the window is empty.
    static func pixels(around detection: Detection, rgb: [Float], height H: Int, width W: Int, color k: SIMD3<Float>,
                       noise: Float) -> (qs: [Vec2], alphas: [Double])? {
        let reach = detection.radius + 2.5
        let x0 = max(0, Int((detection.position.x - reach).rounded(.down)))
        let x1 = min(W - 1, Int((detection.position.x + reach).rounded(.down)))
        let y0 = max(0, Int((detection.position.y - reach).rounded(.down)))
        let y1 = min(H - 1, Int((detection.position.y + reach).rounded(.down)))
        guard x0 <= x1, y0 <= y1 else { return nil }
        var qs: [Vec2] = [], alphas: [Double] = []
        for y in y0...y1 {
            for x in x0...x1 {
                let o = (y * W + x) * 3
                guard let a = mix(SIMD3(rgb[o], rgb[o + 1], rgb[o + 2]), of: k, noise: noise) else { continue }
                qs.append(Vec2(Double(x) + 0.5, Double(y) + 0.5))
                alphas.append(Double(a))
            }
        }
        return (qs, alphas)
    }

    /// The coverage α of a pixel `px` (RGB in [0, 1]) that is a pure mix of colour `k` and the
    /// black background, α k; nil when it is not (another colour, an occluder's edge, noise).
    /// On a frame of noise level `noise` the mix may be off by 5 `noise`.
    static func mix(_ px: SIMD3<Float>, of k: SIMD3<Float>, noise: Float = 0) -> Float? {
        let slack = max(mixTolerance, 5 * noise), edge = max(0.01, 5 * noise)
        let a = (px * k).sum() / (k * k).sum(), rest = px - a * k
        return (rest * rest).sum().squareRoot() < slack && a > -edge && a < 1 + edge ? a : nil
    }

    /// The solution of the symmetric 3×3 system `a` x = `b` (row-major), nil when singular.
    static func solve3(_ a: [Double], _ b: [Double]) -> [Double]? {
        func det(_ m: [Double]) -> Double {
            m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6])
        }
        let d = det(a)
        guard abs(d) > 1e-12 else { return nil }
        return (0..<3).map { col in
            var m = a
            for row in 0..<3 { m[row * 3 + col] = b[row] }
            return det(m) / d
        }
    }
}

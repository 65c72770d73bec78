// Experiment 3, attention cost: fitted slopes, the memory budget and the printed table.
//
// Slopes are least squares of log(cost) on log(x): x = T at fixed resolution (frame
// sweep) or x = N tokens per frame at fixed T (resolution sweep). Per token and block,
// the linear layers cost ~24·D² FLOPs with joint attention (32·D² factorized) while
// attention costs 4·D·L, L being the attended length: T·N joint, N spatial, T temporal.
// So joint attention overtakes the linear layers once T·N ≳ 6·D and its slope in T
// heads for 2; factorized attention stays ≈ 1 in T until T approaches 8·D.
//
// The budget uses the memory law that the model obeys exactly at fixed N — weights,
// plus activations per frame, plus attention maps per frame² — fitted by least squares
// to the measured forward+backward peaks: m(T) = a + b·T + c·T².

import Diffusion
import Foundation

/// A fitted log-log slope of one cost against one sweep.
public struct AttentionCostSlope: Codable, Equatable, Sendable {
    public var attention: AttentionKind
    /// "frames" (x = T at fixed resolution) or "resolution" (x = N tokens per frame at fixed T).
    public var sweep: String
    /// "forward" or "forward+backward".
    public var pass: String
    /// "time" or "memory".
    public var quantity: String
    /// Least-squares slope of log(cost) on log(x) over every point of the sweep.
    public var slope: Double
    /// The slope between the sweep's two largest points: where the trend is heading.
    public var lastSlope: Double
}

/// The longest clip whose forward+backward fits the memory budget, for one variant.
public struct AttentionCostBudget: Codable, Equatable, Sendable {
    public var attention: AttentionKind
    public var budgetBytes: Int
    /// Resolution of the clip (the frame sweep's).
    public var size: Int
    /// Longest clip in frames whose forward+backward peak tensor memory fits.
    public var maxFrames: Int
    /// "measured" (T was measured to fit and T + 1 not to), "interpolated"
    /// (between two measured T) or "extrapolated" (beyond the largest measured T).
    public var basis: String
    /// The fit's answer, when a measurement replaced it (`basis` "measured").
    public var fittedFrames: Int?
    /// The fitted law m(T) = a + b·T + c·T² of the whole peak (weights included), bytes: [a, b, c].
    public var law: [Double]
}

/// Everything experiment 3 measured and fitted.
public struct AttentionCostReport: Codable, Equatable, Sendable {
    public var setup: AttentionCostSetup
    public var points: [AttentionCostPoint]
    public var slopes: [AttentionCostSlope]
    public var budgets: [AttentionCostBudget]
    /// Wall-clock seconds the measurements took.
    public var seconds: Double

    public init(setup: AttentionCostSetup, points: [AttentionCostPoint], seconds: Double) {
        self.setup = setup
        self.points = points
        self.seconds = seconds
        slopes = []
        budgets = []
        for kind in setup.attentions {
            for sweep in ["frames", "resolution"] {
                let s = self.sweep(kind, sweep)
                guard s.count >= 2 else { continue }
                let xs = s.map(\.x)
                for (pass, quantity, value) in Self.measures {
                    let ys = s.map { value($0.point) }
                    let (slope, _) = AttentionCost.logLogFit(xs, ys)
                    let n = xs.count
                    let last = log(ys[n - 1] / ys[n - 2]) / log(xs[n - 1] / xs[n - 2])
                    slopes.append(AttentionCostSlope(attention: kind, sweep: sweep, pass: pass,
                                                     quantity: quantity, slope: slope, lastSlope: last))
                }
            }
            let s = self.sweep(kind, "frames")
            if s.count >= 3 {
                budgets.append(AttentionCost.budget(kind, size: setup.framesSize, budgetBytes: setup.budgetBytes,
                                                    frames: s.map { $0.point.frames },
                                                    peaks: s.map { $0.point.trainPeakBytes }))
            }
        }
    }

    /// The fitted costs. Memory is the peak less the weights: the part that grows with the clip.
    static let measures: [(String, String, (AttentionCostPoint) -> Double)] = [
        ("forward", "time", { $0.forwardMs }),
        ("forward", "memory", { Double($0.forwardPeakBytes - $0.weightBytes) }),
        ("forward+backward", "time", { $0.trainMs }),
        ("forward+backward", "memory", { Double($0.trainPeakBytes - $0.weightBytes) }),
    ]

    /// The points of one sweep, sorted by x (T for "frames", N for "resolution").
    func sweep(_ kind: AttentionKind, _ sweep: String) -> [(x: Double, point: AttentionCostPoint)] {
        let mine = points.filter { $0.attention == kind }
        let chosen = sweep == "frames"
            ? mine.filter { $0.size == setup.framesSize && setup.frames.contains($0.frames) }
                  .map { (x: Double($0.frames), point: $0) }
            : mine.filter { $0.frames == setup.sizesFrames && setup.sizes.contains($0.size) }
                  .map { (x: Double($0.tokens / $0.frames), point: $0) }
        return chosen.sorted { $0.x < $1.x }
    }

    // MARK: - Text

    /// The column titles of `row(_:)`.
    public static let header = pad("attention", 11) + pad("T", 4, left: true) + pad("size", 6, left: true)
        + pad("tokens", 8, left: true) + pad("fwd ms", 11, left: true) + pad("fwd MiB", 10, left: true)
        + pad("fwd+bwd ms", 12, left: true) + pad("fwd+bwd MiB", 13, left: true) + pad("GFLOP/s", 9, left: true)

    /// One measured point as a table row; "*" marks a time from a single run.
    public static func row(_ p: AttentionCostPoint) -> String {
        func ms(_ v: Double, _ runs: Int) -> String { String(format: "%.1f", v) + (runs == 1 ? "*" : " ") }
        let gflops = p.trainMs > 0 ? 3 * p.forwardFlops / (p.trainMs * 1e6) : 0
        return pad(p.attention.rawValue, 11) + pad("\(p.frames)", 4, left: true) + pad("\(p.size)", 6, left: true)
            + pad("\(p.tokens)", 8, left: true) + pad(ms(p.forwardMs, p.forwardRuns), 11, left: true)
            + pad(mib(p.forwardPeakBytes), 10, left: true) + pad(ms(p.trainMs, p.trainRuns), 12, left: true)
            + pad(mib(p.trainPeakBytes), 13, left: true) + pad(String(format: "%.1f", gflops), 9, left: true)
    }

    /// What the table's numbers are, printed above it.
    public static func preamble(_ setup: AttentionCostSetup) -> [String] {
        let m = setup.model
        return [
            "Attention cost: denoiser at batch 1, width \(m.width), depth \(m.depth), \(m.heads) heads, patch \(m.patch).",
            "ms = median wall time (* = one run); MiB = peak tensor memory (weights, input, activations,",
            "gradients; not kernel scratch or process RSS); GFLOP/s of forward+backward at 3× forward FLOPs.",
        ]
    }

    /// The slopes, what they measure, and the budget answer.
    public var summary: [String] {
        var out = [
            "",
            "Log-log slopes, least squares over each sweep (last = between its two largest points);",
            "memory here is the peak less the weights (≈ \(mib(points.first?.weightBytes ?? 0)) MiB), the part that grows with the clip.",
            "  frames: cost vs T at \(setup.framesSize)×\(setup.framesSize). Joint attention costs (T·N)², so its slope",
            "    should approach 2 as attention outgrows the linear layers (T·N ≫ 6·D); factorized",
            "    attention is linear in T at fixed N (its temporal part, N·T², matters only near T ≈ 8·D).",
            "  resolution: cost vs N tokens per frame at T = \(setup.sizesFrames). Both are quadratic in N in the",
            "    limit (spatial attention sits inside a frame); joint gets there T times sooner.",
            pad("attention", 11) + pad("sweep", 11) + pad("pass", 17) + pad("time (last)", 14, left: true)
                + pad("memory (last)", 15, left: true),
        ]
        for kind in setup.attentions {
            for sweep in ["frames", "resolution"] {
                for pass in ["forward", "forward+backward"] {
                    let pick = { (q: String) in self.slopes.first {
                        $0.attention == kind && $0.sweep == sweep && $0.pass == pass && $0.quantity == q } }
                    guard let time = pick("time"), let mem = pick("memory") else { continue }
                    func f(_ s: AttentionCostSlope) -> String { String(format: "%.2f (%.2f)", s.slope, s.lastSlope) }
                    out.append(pad(kind.rawValue, 11) + pad(sweep, 11) + pad(pass, 17)
                               + pad(f(time), 14, left: true) + pad(f(mem), 15, left: true))
                }
            }
        }
        if !budgets.isEmpty {
            let gib = String(format: "%g", Double(setup.budgetBytes) / Double(1 << 30))
            out += ["", "Longest clip at \(setup.framesSize)×\(setup.framesSize) whose forward+backward fits \(gib) GiB of tensor memory,",
                    "from m(T) = a + b·T + c·T² fitted to the measured peaks (weights, per-frame activations, T² attention maps):"]
            for b in budgets {
                let measuredMax = sweep(b.attention, "frames").last?.point.frames ?? 0
                var basis = b.basis == "extrapolated" ? "extrapolated beyond the measured T ≤ \(measuredMax)" : b.basis
                if let f = b.fittedFrames { basis = "measured: T fits, T + 1 does not; the fit said \(f)" }
                out.append(pad(b.attention.rawValue, 11) + pad("\(b.maxFrames) frames", 12, left: true)
                           + "  (\(basis); a = \(mib(Int(b.law[0]))) MiB, b = \(String(format: "%.2f", b.law[1] / 1048576)) MiB/frame, "
                           + "c = \(String(format: "%.4f", b.law[2] / 1048576)) MiB/frame²)")
            }
        }
        out.append(String(format: "measured in %.0f s", seconds))
        return out
    }

    /// The whole printout: preamble, table, summary.
    public var lines: [String] { Self.preamble(setup) + [Self.header] + points.map(Self.row) + summary }
}

extension AttentionCost {
    /// Least-squares fit of log y = slope·log x + intercept (natural logs); x, y > 0.
    public static func logLogFit(_ xs: [Double], _ ys: [Double]) -> (slope: Double, intercept: Double) {
        precondition(xs.count == ys.count && xs.count >= 2, "logLogFit needs ≥ 2 paired points, got \(xs.count) and \(ys.count)")
        let lx = xs.map { log($0) }, ly = ys.map { log($0) }
        let n = Double(xs.count), mx = lx.reduce(0, +) / n, my = ly.reduce(0, +) / n
        var sxy = 0.0, sxx = 0.0
        for i in lx.indices {
            sxy += (lx[i] - mx) * (ly[i] - my)
            sxx += (lx[i] - mx) * (lx[i] - mx)
        }
        let slope = sxx > 0 ? sxy / sxx : 0
        return (slope, my - slope * mx)
    }

    /// Least-squares coefficients [a, b, c] of y = a + b·x + c·x² (needs ≥ 3 distinct x).
    public static func quadraticFit(_ xs: [Double], _ ys: [Double]) -> [Double] {
        precondition(xs.count == ys.count && xs.count >= 3, "quadraticFit needs ≥ 3 paired points")
        // Normal equations AᵀA·w = Aᵀy with rows [1, x, x²], x scaled to ~1 for conditioning.
        let s = xs.map(abs).max() ?? 1
        var m = [[Double]](repeating: [Double](repeating: 0, count: 4), count: 3)
        for (x0, y) in zip(xs, ys) {
            let x = x0 / s, row = [1, x, x * x]
            for i in 0..<3 {
                for j in 0..<3 { m[i][j] += row[i] * row[j] }
                m[i][3] += row[i] * y
            }
        }
        for c in 0..<3 {  // Gauss–Jordan with partial pivoting
            let p = (c..<3).max { abs(m[$0][c]) < abs(m[$1][c]) }!
            m.swapAt(c, p)
            for r in 0..<3 where r != c {
                let f = m[r][c] / m[c][c]
                for k in c..<4 { m[r][k] -= f * m[c][k] }
            }
        }
        let w = (0..<3).map { m[$0][3] / m[$0][$0] }
        return [w[0], w[1] / s, w[2] / (s * s)]
    }

    /// The longest clip whose measured or fitted forward+backward peak fits `budgetBytes`.
    static func budget(_ kind: AttentionKind, size: Int, budgetBytes: Int,
                       frames: [Int], peaks: [Int]) -> AttentionCostBudget {
        let law = quadraticFit(frames.map(Double.init), peaks.map(Double.init))
        let (a, b, c) = (law[0], law[1], law[2]), room = Double(budgetBytes) - a
        var fitted: Double
        if c > 1e-9 * max(abs(b), 1) {
            fitted = (-b + (b * b + 4 * c * room).squareRoot()) / (2 * c)
        } else {
            fitted = b > 0 ? room / b : Double(Int.max / 2)
        }
        fitted = max(0, min(fitted, 1e9))
        // Measured points outrank the fit: the answer lies between the largest measured T
        // that fits and the smallest that does not.
        let fits = zip(frames, peaks).filter { $0.1 <= budgetBytes }.map(\.0)
        let over = zip(frames, peaks).filter { $0.1 > budgetBytes }.map(\.0)
        let lo = fits.max() ?? 0, hi = over.min() ?? Int.max
        var maxFrames = min(max(Int(fitted.rounded(.down)), lo), hi - 1)
        var basis = hi == Int.max ? "extrapolated" : lo == 0 ? "extrapolated below the smallest measured T" : "interpolated"
        if hi == lo + 1 { maxFrames = lo; basis = "measured" }
        return AttentionCostBudget(attention: kind, budgetBytes: budgetBytes, size: size,
                                   maxFrames: maxFrames, basis: basis, fittedFrames: nil, law: law)
    }
}

private func mib(_ bytes: Int) -> String { String(format: "%.1f", Double(bytes) / 1048576) }

extension AttentionCostReport {
    /// The fitted log-log slope of `attention`'s forward time against frames.
    func forwardTimeSlope(_ attention: AttentionKind) -> Double? {
        slopes.first { $0.attention == attention && $0.sweep == "frames" && $0.pass == "forward" && $0.quantity == "time" }?.slope
    }
}

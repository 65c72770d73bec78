// Experiment 3, attention cost: how the denoiser's time and memory grow with the clip.
//
// For factorized (spatial, then temporal) and joint (all T·N tokens at once) attention,
// one denoiser forward and one training-style forward+backward at batch 1 are timed
// (median of a few runs) and their peak tensor memory is read from `BufferPool`'s live
// byte count, over frames T at a fixed resolution and over resolution at a fixed T.
// AttentionCost+Analysis.swift fits the log-log slopes and the memory budget.
//
// Memory is tensor memory: weights, inputs, activations kept for backward, gradients —
// every buffer a `Tensor` holds. Kernel scratch (an attention group's L×L backward tile
// per core), Swift arrays and the allocator's own overhead are not in it.
//
// Shape letters as in Diffusion: T frames, N tokens per frame, D width.

import Diffusion
import Foundation
import Tensor

/// What the attention-cost experiment measures, and how long it may take.
public struct AttentionCostSetup: Codable, Equatable, Sendable {
    /// Width, depth, heads, patch, MLP ratio; frames, size and attention are set per point.
    public var model = ModelConfig.reference
    /// The frame sweep (T), at `framesSize` pixels.
    public var frames = [4, 8, 16, 32, 64]
    public var framesSize = 32
    /// The resolution sweep (H = W pixels), at `sizesFrames` frames.
    public var sizes = [16, 32, 64]
    public var sizesFrames = 8
    /// The variants compared.
    public var attentions: [AttentionKind] = [.factorized, .joint]
    /// Timed runs per figure; the median is reported.
    public var runs = 5
    /// No more timed runs are started once a figure has used this many seconds; a call
    /// longer than this on its own is timed once, on its first (memory-probing) run.
    public var secondsPerFigure = 30.0
    /// The memory budget for the longest-clip question, bytes.
    public var budgetBytes = 2 << 30
    /// Measure the fitted longest clip and its neighbours instead of trusting the fit.
    public var checkBudget = true

    public init() {}

    /// Every figure with up to 5 timed runs, and the budget answer measured.
    public static var full: AttentionCostSetup { AttentionCostSetup() }

    /// The model configs measured, in order: for each attention kind the frame sweep, then
    /// the resolution sweep, each (frames, size) once.
    public var grid: [ModelConfig] {
        var out: [ModelConfig] = []
        for kind in attentions {
            for (t, size) in frames.map({ ($0, framesSize) }) + sizes.map({ (sizesFrames, $0) })
            where !out.contains(where: { $0.attention == kind && $0.frames == t && $0.size == size }) {
                var m = model
                (m.attention, m.frames, m.size) = (kind, t, size)
                out.append(m)
            }
        }
        return out
    }

    /// About a minute on the 2-core machine: up to 3 timed runs, fewer for long calls; the
    /// budget answer comes from the fitted law alone.
    public static var quick: AttentionCostSetup {
        var s = AttentionCostSetup()
        s.runs = 3
        s.secondsPerFigure = 1.5
        s.checkBudget = false
        return s
    }
}

/// One measured configuration: a variant at T frames of size×size pixels, batch 1.
public struct AttentionCostPoint: Codable, Equatable, Sendable {
    public var attention: AttentionKind
    public var frames: Int
    public var size: Int
    /// Tokens in the clip, T·N.
    public var tokens: Int
    /// Median forward time, ms, over `forwardRuns` timed runs.
    public var forwardMs: Double
    public var forwardRuns: Int
    /// Peak tensor bytes during the forward: weights, input and activations.
    public var forwardPeakBytes: Int
    /// Median forward+backward time (tape, masked MSE, gradients of every weight), ms.
    public var trainMs: Double
    public var trainRuns: Int
    /// Peak tensor bytes during forward+backward.
    public var trainPeakBytes: Int
    /// Tensor bytes of the weights and inputs alone (held before either call).
    public var baselineBytes: Int
    /// Tensor bytes of the weights alone; what is left of a peak scales with the clip.
    public var weightBytes: Int
    /// FLOPs of one forward (`ModelConfig.forwardFlops`); forward+backward ≈ 3×.
    public var forwardFlops: Double
}

public enum AttentionCost {
    /// Measures every point of `setup` (the frame sweep, then the resolution sweep, per
    /// variant; a point in both sweeps is measured once), calling `progress` after each,
    /// then fits slopes and the budget.
    public static func run(_ setup: AttentionCostSetup,
                           progress: (AttentionCostPoint) -> Void = { _ in }) -> AttentionCostReport {
        let start = Stopwatch.now()
        var points: [AttentionCostPoint] = []
        for m in setup.grid {
            let p = measure(m, setup: setup)
            points.append(p)
            progress(p)
        }
        var report = AttentionCostReport(setup: setup, points: points, seconds: 0)
        if setup.checkBudget { checkBudgets(&report) }
        report.seconds = Stopwatch.now() - start
        return report
    }

    /// Times one forward and one forward+backward of a fresh denoiser for `model` at batch
    /// 1, and reads the peak tensor memory of each.
    public static func measure(_ model: ModelConfig, setup: AttentionCostSetup) -> AttentionCostPoint {
        let before = BufferPool.shared.liveBytes
        let w = Workload(model)
        let baseline = BufferPool.shared.liveBytes - before
        let forward = figure(setup, before: before, w.forward)
        let train = figure(setup, before: before, w.train)
        return AttentionCostPoint(
            attention: model.attention, frames: model.frames, size: model.size,
            tokens: model.frames * model.tokensPerFrame,
            forwardMs: forward.ms, forwardRuns: forward.runs, forwardPeakBytes: forward.peak,
            trainMs: train.ms, trainRuns: train.runs, trainPeakBytes: train.peak,
            baselineBytes: baseline, weightBytes: w.denoiser.parameterCount * 4, forwardFlops: model.forwardFlops(batch: 1))
    }

    /// Peak tensor bytes of one forward+backward for `model` (weights and inputs included), untimed.
    public static func trainPeakBytes(_ model: ModelConfig) -> Int {
        let before = BufferPool.shared.liveBytes
        let w = Workload(model)
        BufferPool.shared.resetPeak()
        w.train()
        return BufferPool.shared.peakLiveBytes - before
    }

    /// Replaces each extrapolated or interpolated budget answer by a measured one: the
    /// forward+backward peak is measured at the fitted answer and stepped by one frame
    /// until T fits and T + 1 does not (the law is exact, so this takes two or three calls).
    public static func checkBudgets(_ report: inout AttentionCostReport) {
        for i in report.budgets.indices where report.budgets[i].basis != "measured" {
            let b = report.budgets[i]
            var m = report.setup.model
            m.attention = b.attention
            m.size = b.size
            var seen: [Int: Bool] = [:]
            func fits(_ t: Int) -> Bool {
                if let f = seen[t] { return f }
                m.frames = t
                let f = trainPeakBytes(m) <= b.budgetBytes
                seen[t] = f
                return f
            }
            var t = max(2, b.maxFrames), found = false
            for _ in 0..<16 {
                if !fits(t) {
                    guard t > 2 else { break }
                    t -= 1
                } else if fits(t + 1) {
                    t += 1
                } else {
                    found = true
                    break
                }
            }
            guard found else { continue }
            report.budgets[i].basis = "measured"
            report.budgets[i].fittedFrames = b.maxFrames
            report.budgets[i].maxFrames = t
        }
    }

    /// The first call probes peak memory (counted from `before`) and warms the pool; then
    /// up to `setup.runs` timed calls within `setup.secondsPerFigure`. A first call longer
    /// than that budget is itself the one timing (its page faults are small beside it).
    static func figure(_ setup: AttentionCostSetup, before: Int,
                       _ body: () -> Void) -> (ms: Double, runs: Int, peak: Int) {
        let pool = BufferPool.shared
        pool.resetPeak()
        var t0 = Stopwatch.now()
        body()
        let first = Stopwatch.now() - t0
        let peak = pool.peakLiveBytes - before
        guard first < setup.secondsPerFigure else { return (first * 1e3, 1, peak) }
        var times: [Double] = [], spent = 0.0
        while times.count < max(1, setup.runs) && spent + (times.last ?? 0) / 1e3 <= setup.secondsPerFigure {
            t0 = Stopwatch.now()
            body()
            let dt = Stopwatch.now() - t0
            times.append(dt * 1e3)
            spent += dt
        }
        return (Statistics.median(times), times.count, peak)
    }
}

/// A denoiser and its inputs for one configuration at batch 1, with the two timed calls.
struct Workload {
    let denoiser: Denoiser
    let x: Tensor, target: Tensor, lossMask: Tensor
    let mask: [Float], t: [Float] = [0.5]

    init(_ model: ModelConfig) {
        var rng = RNG(seed: 3)
        denoiser = Denoiser(model, rng: &rng)
        let shape = [1, model.frames, model.channels, model.size, model.size]
        x = Tensor.randn(shape, rng: &rng)
        target = Tensor.randn(shape, rng: &rng)
        // One context frame, as in training; the loss covers the rest.
        let mask = (0..<model.frames).map { $0 == 0 ? Float(1) : 0 }
        self.mask = mask
        lossMask = Tensor(shape: [1, model.frames]) { out in
            for i in 0..<model.frames { out[i] = 1 - mask[i] }
        }
    }

    /// A sampling-style forward: no tape.
    func forward() { _ = denoiser(x, mask: mask, t: t) }

    /// A training-style forward+backward: every weight watched, masked MSE, all gradients.
    func train() {
        let tape = Tape()
        var m = denoiser
        m.visit("") { _, w in w = tape.watch(w) }
        let loss = Tensor.maskedMSE(m(x, mask: mask, t: t), target, mask: lossMask)
        _ = tape.gradients(of: loss, wrt: m.namedParameters.map(\.value))
    }
}

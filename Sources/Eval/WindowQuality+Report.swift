// What `vidgen eval` writes and prints: the reference generators and each model, scored on
// the same held-out clips.

import Foundation

/// One checkpoint's scores.
public struct ModelQuality: Codable, Equatable, Sendable {
    /// The checkpoint and where it stands in training.
    public var checkpoint: CheckpointInfo
    public var result: WindowQualityResult
    /// Wall time of the evaluation, seconds.
    public var evalSeconds: Double
    /// Issue 7's bar: count ≥ 95%, mean error ≤ 1 px and below copy-last's.
    public var meetsBar: Bool

    public init(checkpoint: CheckpointInfo, result: WindowQualityResult, evalSeconds: Double, meetsBar: Bool) {
        self.checkpoint = checkpoint
        self.result = result
        self.evalSeconds = evalSeconds
        self.meetsBar = meetsBar
    }
}

/// The whole measurement: clips, sampling settings, references and models.
public struct WindowQualityReport: Codable, Equatable, Sendable {
    public var config: WindowQualityConfig
    /// Sampler, steps, seed and batch of the models' windows (nil without a model).
    public var sampler: String?
    public var steps: Int?
    public var seed: UInt64?
    public var batch: Int
    public var simulator: WindowQualityResult
    public var copyLast: WindowQualityResult
    public var constantVelocity: WindowQualityResult
    public var models: [ModelQuality]

    public init(config: WindowQualityConfig, sampler: String?, steps: Int?, seed: UInt64?, batch: Int,
                simulator: WindowQualityResult, copyLast: WindowQualityResult,
                constantVelocity: WindowQualityResult, models: [ModelQuality]) {
        self.config = config
        self.sampler = sampler
        self.steps = steps
        self.seed = seed
        self.batch = batch
        self.simulator = simulator
        self.copyLast = copyLast
        self.constantVelocity = constantVelocity
        self.models = models
    }

    /// Pretty, key-sorted JSON.
    public func encoded() throws -> [UInt8] {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        return Array(try e.encode(self)) + [10]
    }

    /// A plain-text table: one row per generator, then mean error and count by frame.
    public func table() -> String {
        let c = config
        var rows: [(String, WindowQualityResult)] = [("simulator (truth)", simulator), ("copy last frame", copyLast),
                                                     ("constant velocity", constantVelocity)]
        for m in models {
            var label = (m.checkpoint.path as NSString).lastPathComponent
            if let s = m.checkpoint.step { label += " @\(s)" }
            rows.append((label, m.result))
        }
        let width = max(22, rows.map(\.0.count).max()! + 2)
        func pad(_ s: String) -> String { s.count >= width ? s : s + String(repeating: " ", count: width - s.count) }
        func right(_ s: String, _ n: Int) -> String { String(repeating: " ", count: max(0, n - s.count)) + s }
        func px(_ x: Double?) -> String { x.map { String(format: "%.2f", $0) } ?? "–" }
        func pct(_ x: Double) -> String { String(format: "%.1f%%", 100 * x) }
        let columns = [("count ok", 9), ("mean", 7), ("median", 7), ("p90", 7), ("miss", 8), ("penalized", 11), ("realism", 9)]
        func line(_ label: String, _ cells: [String]) -> String {
            pad(label) + zip(cells, columns).map { right($0, $1.1) }.joined() + "\n"
        }
        var out = "\(c.clips) held-out \(c.scenario) clips (scene seeds \(c.firstSeed)…\(c.firstSeed + UInt64(c.clips) - 1)), "
            + "\(c.context) context frames, frames \(c.context + 1)–\(c.window) generated"
        if let sampler, let steps { out += ", \(sampler) \(steps) steps" }
        out += "\n" + line("", columns.map(\.0))
        for (label, r) in rows {
            let a = r.all
            out += line(label, [pct(a.countCorrect), px(a.meanError), px(a.medianError), px(a.p90Error), pct(a.missRate),
                                px(a.penalizedError), pct(a.realism)])
        }
        out += "\n" + pad("mean error (px), frame") + (c.context..<c.window).map { right(String($0 + 1), 7) }.joined() + "\n"
        for (label, r) in rows { out += pad(label) + r.byFrame.map { right(px($0.meanError), 7) }.joined() + "\n" }
        out += pad("count ok, frame") + (c.context..<c.window).map { right(String($0 + 1), 7) }.joined() + "\n"
        for (label, r) in rows { out += pad(label) + r.byFrame.map { right(pct($0.countCorrect), 7) }.joined() + "\n" }
        if rows.contains(where: { $0.1.physics != nil }) {
            let physics = [("vel err", 9), ("g fit (x, y)", 18), ("g err", 7), ("energy", 8), ("past wall", 10),
                           ("count chg", 10), ("swaps", 7)]
            func physicsLine(_ label: String, _ cells: [String]) -> String {
                pad(label) + zip(cells, physics).map { right($0, $1.1) }.joined() + "\n"
            }
            out += "\nphysics of the windows (per 100 frames: count changes, colour swaps)\n" + physicsLine("", physics.map(\.0))
            for (label, r) in rows {
                guard let p = r.physics else { continue }
                out += physicsLine(label, [px(p.velocityError), Format.vector(p.impliedGravity), Format.number(p.gravityError),
                                           Format.percent(p.energyDrift), pct(p.penetrationRate),
                                           Format.number(p.countChangesPer100), Format.number(p.swapsPer100)])
            }
        }
        for m in models {
            let label = (m.checkpoint.path as NSString).lastPathComponent
            out += "\n\(label): issue 7's bar (count ≥ 95%, mean ≤ 1.0 px, below copy-last) "
                + (m.meetsBar ? "met" : "not met")
        }
        return out
    }
}

// What `vidgen eval` writes and prints: the reference generators and each model, scored on
// the same held-out clips.

import Diffusion
import Foundation
import World

/// One checkpoint's scores.
public struct ModelQuality: Codable, Equatable, Sendable {
    /// The checkpoint and where it stands in training.
    public var checkpoint: CheckpointInfo
    /// How its clips were sampled (nil for a state model, which has no sampler).
    public var sampling: SamplingConfig?
    public var result: WindowQualityResult
    /// Wall time of the evaluation, seconds.
    public var evalSeconds: Double
    /// The quality bar of the mode: in-window (count right ≥ 98%, mean error no worse than
    /// constant velocity's), or for long videos every window ≥ 95% real and ≥ 98% count right.
    public var meetsBar: Bool

    public init(checkpoint: CheckpointInfo, sampling: SamplingConfig?, result: WindowQualityResult, evalSeconds: Double,
                meetsBar: Bool) {
        self.checkpoint = checkpoint
        self.sampling = sampling
        self.result = result
        self.evalSeconds = evalSeconds
        self.meetsBar = meetsBar
    }
}

/// The whole measurement: clips, references and models.
public struct WindowQualityReport: Codable, Equatable, Sendable {
    public var config: WindowQualityConfig
    /// Seed of the models' noise (nil without a model) and clips per sampler call.
    public var seed: UInt64?
    public var batch: Int
    public var simulator: WindowQualityResult
    public var copyLast: WindowQualityResult
    public var constantVelocity: WindowQualityResult
    public var models: [ModelQuality]
    /// State models' own scores (position error by horizon from the perceived state, errors by
    /// event), when state models were evaluated.
    public var stateScores: [StateModelScores]?

    public init(config: WindowQualityConfig, seed: UInt64?, batch: Int, simulator: WindowQualityResult,
                copyLast: WindowQualityResult, constantVelocity: WindowQualityResult, models: [ModelQuality]) {
        self.config = config
        self.seed = seed
        self.batch = batch
        self.simulator = simulator
        self.copyLast = copyLast
        self.constantVelocity = constantVelocity
        self.models = models
    }

    /// Pretty, key-sorted JSON.
    public func encoded() throws -> [UInt8] {
        try PrettyJSON.bytes(self)
    }

    /// A plain-text table: one row per generator, then the scores by frame (one window) or
    /// by stitched window (long videos), then the physics.
    public func table() -> String {
        let c = config, rows = generators
        let width = max(22, rows.map(\.label.count).max()! + 2)
        func px(_ x: Double?) -> String { x.map { String(format: "%.2f", $0) } ?? "–" }
        func pct(_ x: Double) -> String { String(format: "%.1f%%", 100 * x) }
        let columns = [("real", 8), ("count ok", 9), ("mean", 7), ("median", 7), ("p90", 7), ("miss", 8),
                       ("penalized", 11), ("realism", 9)]
        func line(_ label: String, _ cells: [String]) -> String {
            pad(label, width) + zip(cells, columns).map { pad($0, $1.1, left: true) }.joined() + "\n"
        }
        var out = "\(c.clips) held-out \(c.scenario) clips (scene seeds \(c.firstSeed)…\(c.firstSeed + UInt64(c.clips) - 1)), "
            + "\(c.context) context frames from the simulator, "
        if let long = c.long {
            out += "\(long.frames)-frame videos of \(c.window)-frame windows, \(long.stitch.rawValue) stitching"
        } else {
            out += "frames \(c.context + 1)–\(c.window) generated"
        }
        for m in models {
            if let s = m.sampling {
                out += "\n\(label(m)): \(s.summary)"
                if s.isGuided { out += ", history guidance ω = \(s.guidance) (history at level \(s.historyLevel) without it)" }
                if s.seamProjection != .none { out += ", seam projection: \(s.seamProjection.rawValue)" }
            } else {
                out += "\n\(label(m)): a state model (the state perceived in the context, rolled forward and drawn; no sampler)"
            }
        }
        out += "\n" + line("", columns.map(\.0))
        for (label, r) in rows {
            let a = r.all
            out += line(label, [pct(a.real), pct(a.countCorrect), px(a.meanError), px(a.medianError), px(a.p90Error),
                                pct(a.missRate), px(a.penalizedError), pct(a.realism)])
        }
        func curve(_ title: String, _ heads: [String], _ cell: (WindowQualityResult) -> [String]) {
            out += "\n" + pad(title, width) + heads.map { pad($0, 7, left: true) }.joined() + "\n"
            for (label, r) in rows { out += pad(label, width) + cell(r).map { pad($0, 7, left: true) }.joined() + "\n" }
        }
        if c.long != nil {
            let heads = (rows.first?.result.byWindow ?? []).map { String($0.window) }
            curve("real, window", heads) { ($0.byWindow ?? []).map { pct($0.stats.real) } }
            curve("count ok, window", heads) { ($0.byWindow ?? []).map { pct($0.stats.countCorrect) } }
            curve("mean error (px), window", heads) { ($0.byWindow ?? []).map { px($0.stats.meanError) } }
            out += "\nball survival over the video (balls wholly in view): missed, drawn in another colour, "
                + "lost per frame (found the frame before, missed now)\n"
            for (label, r) in rows {
                out += pad(label, width) + [pct(r.all.missRate), pct(r.all.recolouredRate), pct(r.all.lossRate)]
                    .map { pad($0, 9, left: true) }.joined() + "\n"
            }
            if let bins = rows.first?.result.all.missedBySize, let speeds = rows.first?.result.all.missedBySpeed {
                out += "\nmissed by radius (" + bins.map(\.range).joined(separator: ", ") + ") and by speed ("
                    + speeds.map(\.range).joined(separator: ", ") + ")\n"
                for (label, r) in rows {
                    let cells = (r.all.missedBySize ?? []) + (r.all.missedBySpeed ?? [])
                    out += pad(label, width) + cells.map { pad($0.missRate.map { pct($0) } ?? "–", 9, left: true) }.joined() + "\n"
                }
            }
            curve("missed, window", heads) { ($0.byWindow ?? []).map { pct($0.stats.missRate) } }
            curve("recoloured, window", heads) { ($0.byWindow ?? []).map { pct($0.stats.recolouredRate) } }
            curve("lost/frame, window", heads) { ($0.byWindow ?? []).map { pct($0.stats.lossRate) } }
        } else {
            let heads = (c.context..<c.window).map { String($0 + 1) }
            curve("mean error (px), frame", heads) { $0.byFrame.map { px($0.meanError) } }
            curve("count ok, frame", heads) { $0.byFrame.map { pct($0.countCorrect) } }
        }
        if rows.contains(where: { $0.result.physics != nil }) {
            let physics = [("vel err", 9), ("g fit (x, y)", 18), ("g err", 7), ("energy", 8), ("past wall", 10),
                           ("count chg", 10), ("swaps", 7), ("hidden: back", 14)]
            func physicsLine(_ label: String, _ cells: [String]) -> String {
                pad(label, width) + zip(cells, physics).map { pad($0, $1.1, left: true) }.joined() + "\n"
            }
            out += "\nphysics (per 100 frames: count changes, colour swaps; hidden: balls hidden longer than the context, "
                + "the share back within \(Format.number(PhysicsConfig().tolerance)) px, and how many)\n" + physicsLine("", physics.map(\.0))
            for (label, r) in rows {
                guard let p = r.physics else { continue }
                out += physicsLine(label, [px(p.velocityError), Format.vector(p.impliedGravity), Format.number(p.gravityError),
                                           Format.percent(p.energyDrift), pct(p.penetrationRate),
                                           Format.number(p.countChangesPer100), Format.number(p.swapsPer100),
                                           p.hidings == 0 ? "–" : "\(p.permanence.map(pct) ?? "–") of \(p.hidings)"])
            }
        }
        let bar = c.long == nil ? "the in-window bar (count ≥ 98%, mean error ≤ constant velocity's)"
            : "the long-video bar (every window: real ≥ 95%, count ≥ 98%)"
        for m in models { out += "\n\(label(m)): \(bar) " + (m.meetsBar ? "met" : "not met") }
        return out
    }

    /// The generators of the table in its row order, each with its label: the simulator, the
    /// two baselines, then every model.
    var generators: [(label: String, result: WindowQualityResult)] {
        [("simulator (truth)", simulator), ("copy last frame", copyLast), ("constant velocity", constantVelocity)]
            + models.map { (label($0), $0.result) }
    }

    /// A model's row label: its folder's name, step and handoff level.
    func label(_ m: ModelQuality) -> String {
        var label = (m.checkpoint.path as NSString).lastPathComponent
        if let s = m.checkpoint.step { label += " @\(s)" }
        if let h = m.sampling?.handoff, h > 0 { label += " h\(h)" }
        if let s = m.sampling, s.isGuided { label += " ω\(s.guidance)" + (s.historyLevel < 1 ? "k\(s.historyLevel)" : "") }
        if let p = m.sampling?.seamProjection, p != .none { label += " " + p.rawValue }
        return label
    }
}

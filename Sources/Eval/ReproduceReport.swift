// What `vidgen reproduce` measured: every experiment's numbers (metrics.json) and the
// headline — one row per failure mode, the video model's number beside the learned state
// model's and the simulator's. Every value here comes from the run; nothing is typed in.

import Diffusion
import Dynamics
import Foundation
import World

/// One failure mode in the headline table.
public struct HeadlineRow: Codable, Equatable, Sendable {
    /// The claim about video models.
    public var claim: String
    /// What is measured, and where (experiment, scenario, setting).
    public var measure: String
    /// The video model's number, the learned state model's ("–" when none was measured) and
    /// the simulator's, formatted.
    public var model: String
    public var stateModel: String = "–"
    public var simulator: String
}

/// The learned state model's part of a run: which model, and its experiments 2–4 (its
/// experiment 1 sits in each `ScenarioResult.stateModel`).
public struct StateModelRun: Codable, Equatable, Sendable {
    public var checkpoint: CheckpointInfo
    public var model: InteractionConfig
    public var experiment2: SpreadResult
    public var experiment3: StateCost
    public var experiment4: [ScenarioResult]

    public init(checkpoint: CheckpointInfo, model: InteractionConfig, experiment2: SpreadResult, experiment3: StateCost,
                experiment4: [ScenarioResult]) {
        self.checkpoint = checkpoint
        self.model = model
        self.experiment2 = experiment2
        self.experiment3 = experiment3
        self.experiment4 = experiment4
    }
}

/// Wall-clock seconds of each part of the run.
public struct ReproduceTimings: Codable, Equatable, Sendable {
    public var experiment1 = 0.0
    public var experiment2 = 0.0
    public var experiment3 = 0.0
    public var experiment4 = 0.0
    /// The learned state model's cost curve (experiment 3).
    public var experiment3State = 0.0
    public var total = 0.0

    public init() {}
}

/// Everything one `vidgen reproduce` run measured.
public struct ReproduceReport: Codable, Equatable, Sendable {
    public var checkpoint: CheckpointInfo
    public var model: ModelConfig
    public var setup: ReproduceSetup
    public var experiment1: [ScenarioResult]
    public var experiment2: [SpreadResult]
    public var experiment3: AttentionCostReport
    public var experiment4: [ScenarioResult]
    public var timings: ReproduceTimings
    /// The learned state model's numbers (nil when the run measured none).
    public var stateModel: StateModelRun?
    public var headline: [HeadlineRow] = []

    public init(checkpoint: CheckpointInfo, model: ModelConfig, setup: ReproduceSetup, experiment1: [ScenarioResult],
                experiment2: [SpreadResult], experiment3: AttentionCostReport, experiment4: [ScenarioResult],
                timings: ReproduceTimings, stateModel: StateModelRun? = nil) {
        self.checkpoint = checkpoint
        self.model = model
        self.setup = setup
        self.experiment1 = experiment1
        self.experiment2 = experiment2
        self.experiment3 = experiment3
        self.experiment4 = experiment4
        self.timings = timings
        self.stateModel = stateModel
        headline = makeHeadline()
    }

    /// Pretty, key-sorted JSON.
    public func encoded() throws -> [UInt8] {
        try PrettyJSON.bytes(self)
    }

    func scenario1(_ name: String) -> ScenarioResult? { experiment1.first { $0.scenario == name } }

    func scenario4(_ name: String, _ stitching: String) -> ScenarioResult? {
        experiment4.first { $0.scenario == name && $0.stitching == stitching }
    }

    /// The headline rows, from the experiments' numbers.
    func makeHeadline() -> [HeadlineRow] {
        var rows: [HeadlineRow] = []
        let ood = experiment1.filter { $0.scenario != "id" }
        let state = stateModel
        /// (video model, state model, simulator) of `value`, averaged over `rs`.
        func average(_ rs: [ScenarioResult], _ value: (PhysicsSummary) -> Double?) -> (Double?, Double?, Double?) {
            (mean(rs.compactMap { value($0.model) }), mean(rs.compactMap { $0.stateModel.flatMap(value) }),
             mean(rs.compactMap { value($0.simulator) }))
        }
        func one(_ r: ScenarioResult, _ value: (PhysicsSummary) -> Double?) -> (Double?, Double?, Double?) {
            (value(r.model), r.stateModel.flatMap(value), value(r.simulator))
        }
        func row(_ claim: String, _ measure: String, _ v: (Double?, Double?, Double?), _ format: (Double?) -> String) {
            rows.append(HeadlineRow(claim: claim, measure: measure, model: format(v.0),
                                    stateModel: state == nil ? "–" : format(v.1), simulator: format(v.2)))
        }
        let h = setup.frames1 - setup.context
        if let id = scenario1("id") {
            row("frames look real", "realism, id (exp. 1)", one(id) { $0.realism }, Format.percent)
        }
        if !ood.isEmpty {
            row("frames look real out of distribution too", "realism, mean of \(ood.count) OOD scenarios (exp. 1)",
                average(ood) { $0.realism }, Format.percent)
            row("… but the physics is not", "position error at horizon \(h), mean of OOD scenarios (exp. 1)",
                average(ood) { $0.finalPositionError }, Format.px)
        }
        if let id = scenario1("id") {
            row("… not even in distribution", "position error at horizon \(h), id (exp. 1)",
                one(id) { $0.finalPositionError }, Format.px)
        }
        if let g = scenario1("ood-gravity") {
            row("gravity is not learned as a law", "implied-gravity error |g − g_true|, ood-gravity (exp. 1)",
                one(g) { $0.gravityError }, Format.acceleration)
        }
        row("energy is not conserved", "|E/E₀ − 1| in the last window, mean of exp. 1 scenarios",
            average(experiment1) { $0.energyDrift }, Format.percent)
        row("walls are not solid", "ball-frames past a wall, mean of exp. 1 scenarios",
            average(experiment1) { $0.penetrationRate }, Format.percent)
        row("objects appear and vanish", "ball-count changes per 100 frames, mean of exp. 1 scenarios",
            average(experiment1) { $0.countChangesPer100 }, Format.number)
        let stateSpread = state.map { s in s.experiment2.spread.last { $0 != nil } ?? nil } ?? nil
        for s in experiment2 {
            let last = s.spread.last { $0 != nil } ?? nil, simLast = s.simulatorSpread.last { $0 != nil } ?? nil
            row("many futures from one past (\(s.sampler))",
                "spread of positions over \(setup.seeds2) seeds at the last horizon (exp. 2)", (last, stateSpread, simLast), Format.px)
        }
        let identical = experiment2.allSatisfy(\.sameSeedIdentical)
        rows.append(HeadlineRow(claim: "… yet one seed, one video", measure: "same seed twice: identical bytes (exp. 2)",
                                model: identical ? "yes (DDIM and DDPM)" : "no",
                                stateModel: state.map { $0.experiment2.sameSeedIdentical && $0.experiment2.distinctVideos == 1
                                    ? "yes (no seed: one context, one video)" : "no" } ?? "–",
                                simulator: "yes (deterministic)"))
        if let joint = experiment3.slopes.first(where: { $0.attention == .joint && $0.sweep == "frames" && $0.pass == "forward" && $0.quantity == "time" }),
           let fact = experiment3.slopes.first(where: { $0.attention == .factorized && $0.sweep == "frames" && $0.pass == "forward" && $0.quantity == "time" }) {
            rows.append(HeadlineRow(claim: "attention cost grows quadratically", measure: "log-log slope of forward time vs frames, joint / factorized (exp. 3)",
                                    model: String(format: "%.2f / %.2f", joint.slope, fact.slope),
                                    stateModel: state.map { String(format: "%.2f (whole roll-out; no attention)", $0.experiment3.slope) } ?? "–",
                                    simulator: "— (no attention: every frame costs the same)"))
        }
        let state4 = state?.experiment4 ?? []
        if let lf = scenario4("id", "last-frame") {
            func jumps(_ p: PhysicsSummary?) -> String {
                guard let p else { return "–" }
                return "\(Format.number(p.seamJump)) at seams / \(Format.number(p.insideJump)) inside"
            }
            let s = state4.first { $0.scenario == "id" }
            rows.append(HeadlineRow(claim: "a single frame carries no velocity",
                                    measure: "|Δ²p| (px/frame²) at seams vs inside windows, last-frame stitching, id (exp. 4)",
                                    model: jumps(lf.model),
                                    stateModel: s.map { "\(jumps($0.model)) (no seams: last-k \(setup.context4)'s frames)" } ?? "–",
                                    simulator: jumps(lf.simulator)))
        }
        let id4 = experiment4.filter { $0.scenario == "id" }
        if let first = id4.first {
            // Discs gained (+) or lost (−) against the balls in view by the last window.
            func last(_ p: PhysicsSummary) -> String { Format.number(p.countOffsetByWindow.last { $0 != nil } ?? nil) }
            rows.append(HeadlineRow(claim: "drift grows with every window",
                                    measure: "valid discs − balls in view in the last window of \(setup.frames4) frames, id (exp. 4)",
                                    model: id4.map { "\(last($0.model)) (\($0.stitching))" }.joined(separator: ", "),
                                    stateModel: state4.first { $0.scenario == "id" }.map { last($0.model) } ?? "–",
                                    simulator: last(first.simulator)))
        }
        for name in ["occluder", "key"] {
            let best = experiment4.filter { $0.scenario == name }.max { ($0.model.permanence ?? -1) < ($1.model.permanence ?? -1) }
            if let best {
                let s = state4.first { $0.scenario == name }
                row("hidden longer than the context: gone (\(name))",
                    "hidden balls back within \(Format.number(setup.physics.tolerance)) px, best stitching (\(best.stitching); exp. 4)",
                    (best.model.permanence, s?.model.permanence, best.simulator.permanence), Format.percent)
            }
        }
        return rows
    }
}

/// Number formats shared by the report's tables.
enum Format {
    static func percent(_ v: Double?) -> String { v.map { String(format: "%.1f%%", 100 * $0) } ?? "–" }
    static func px(_ v: Double?) -> String { v.map { String(format: "%.2f px", $0) } ?? "–" }
    static func acceleration(_ v: Double?) -> String { v.map { String(format: "%.3f px/frame²", $0) } ?? "–" }
    static func number(_ v: Double?) -> String { v.map { String(format: "%.2f", $0) } ?? "–" }
    static func signedPercent(_ v: Double?) -> String { v.map { String(format: "%+.1f%%", 100 * $0) } ?? "–" }
    static func vector(_ v: [Double]?) -> String { v.map { String(format: "(%.3f, %.3f)", $0[0], $0[1]) } ?? "–" }
}

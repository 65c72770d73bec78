// What `vidgen reproduce` measured: every experiment's numbers (metrics.json) and the
// headline — one row per failure mode, each generator's number beside the others'
// (ReportGenerator.swift). Every value here comes from the run; nothing is typed in.

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
    /// Each generator's number, formatted ("–" where it measured none).
    public var values: [GeneratorID: String]
    /// The generators whose number here holds by construction, and why.
    public var byConstruction: [GeneratorID: ByConstruction]

    public init(claim: String, measure: String, values: [GeneratorID: String], byConstruction: [GeneratorID: ByConstruction] = [:]) {
        self.claim = claim
        self.measure = measure
        self.values = values
        self.byConstruction = byConstruction
    }

    /// `id`'s number, formatted; "–" for a generator the run did not measure.
    public subscript(_ id: GeneratorID) -> String { values[id] ?? "–" }

    /// `id`'s number with its footnote mark when it holds by construction.
    func marked(_ id: GeneratorID) -> String { self[id] + (byConstruction[id].map { " " + $0.mark } ?? "") }

    // In JSON a row is flat: claim, measure and one key per generator.
    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.init(stringValue) }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        claim = try c.decode(String.self, forKey: Key("claim"))
        measure = try c.decode(String.self, forKey: Key("measure"))
        let marks = try c.decodeIfPresent([String: ByConstruction].self, forKey: Key("byConstruction")) ?? [:]
        byConstruction = Dictionary(uniqueKeysWithValues: marks.map { (GeneratorID(rawValue: $0.key), $0.value) })
        values = [:]
        for key in c.allKeys where !["claim", "measure", "byConstruction"].contains(key.stringValue) {
            values[GeneratorID(rawValue: key.stringValue)] = try c.decode(String.self, forKey: key)
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(claim, forKey: Key("claim"))
        try c.encode(measure, forKey: Key("measure"))
        for (id, value) in values { try c.encode(value, forKey: Key(id.rawValue)) }
        if !byConstruction.isEmpty {
            try c.encode(Dictionary(uniqueKeysWithValues: byConstruction.map { ($0.key.rawValue, $0.value) }),
                         forKey: Key("byConstruction"))
        }
    }
}

/// A learned state model's part of a run: which model, and its experiments 2–4 (its
/// experiment 1 sits in each `ScenarioResult.stateModels`).
public struct StateModelRun: Codable, Equatable, Sendable {
    public var checkpoint: CheckpointInfo
    /// Its law's kind (StateModelKind's raw value).
    public var law: String
    /// Its network, in words ("relation MLP 128×2, object MLP 128×2").
    public var architecture: String
    /// What its law is given besides the perceived state and the rasterizer, in words (nil
    /// in reports written before it was recorded).
    public var given: String?
    public var experiment2: SpreadResult
    public var experiment3: StateCost
    public var experiment4: [ScenarioResult]

    public init(checkpoint: CheckpointInfo, law: StateLaw, experiment2: SpreadResult, experiment3: StateCost,
                experiment4: [ScenarioResult]) {
        self.checkpoint = checkpoint
        self.law = law.kind.rawValue
        architecture = law.architecture
        given = law.given
        self.experiment2 = experiment2
        self.experiment3 = experiment3
        self.experiment4 = experiment4
    }

    /// Its law's kind.
    var kind: StateModelKind { StateModelKind(rawValue: law) ?? .structured }
}

extension StateLaw {
    /// The network, in words.
    var architecture: String {
        switch self {
        case .structured(let n):
            let c = n.config
            return "interaction network: relation MLP \(c.relationHidden)×\(c.relationLayers), object MLP "
                + "\(c.objectHidden)×\(c.objectLayers), a learned g"
        case .generic(let n):
            let c = n.config
            return "graph network: relation MLP \(c.relationHidden)×\(c.relationLayers), object MLP "
                + "\(c.objectHidden)×\(c.objectLayers), one round of messages per "
                + (c.substeps > 1 ? "step, \(c.substeps) steps a frame" : "frame")
                + (c.relationReadsBalls ? ", each pair's relation reading both balls' own inputs too" : "")
        case .handSet(let law):
            return "the structured law with its constants set by hand: g = (\(law.gravity.x), \(law.gravity.y)) px/frame², "
                + "an elastic wall and pair"
        }
    }
    /// What a generic law is given besides the perceived state and the rasterizer, in words,
    /// by its config: how a step moves a ball, and how its relation reads a pair. Nil for
    /// the structured laws (ReportGenerator says theirs).
    var given: String? {
        guard case .generic(let n) = self else { return nil }
        return Self.genericGiven(step: n.config.positionStep, pairFrame: n.config.pairFrame, substeps: n.config.substeps)
    }

    /// What a generic law with this step, pair reading and number of steps a frame is given,
    /// in words.
    static func genericGiven(step: PositionStep, pairFrame: Bool, substeps: Int = 1) -> String {
        let moved = switch step {
        case .trapezoid: "integrated by the trapezoid rule"
        case .velocity: "moved by its old velocity and a learned correction"
        }
        return "each ball's position, velocity and radius and its distances to the four walls, \(moved)"
            + (substeps > 1 ? " in \(substeps) steps a frame, trained through all of them against the next frame" : "")
            + (pairFrame ? "; every pair read in its own frame, along and across the line of its centres, so a pair turned "
                + "any way acts the same turned (the isotropy of space, not a law)" : "")
    }
}

/// Wall-clock seconds of each part of the run.
public struct ReproduceTimings: Codable, Equatable, Sendable {
    public var experiment1 = 0.0
    public var experiment2 = 0.0
    public var experiment3 = 0.0
    public var experiment4 = 0.0
    /// The learned state models' cost curves (experiment 3).
    public var experiment3State = 0.0
    /// The structured state model's ablations.
    public var ablations = 0.0
    /// The state models under camera noise.
    public var cameraNoise = 0.0
    public var experiment5 = 0.0
    public var total = 0.0

    public init() {}
}

/// Everything one `vidgen reproduce` run measured.
public struct ReproduceReport: Codable, Equatable, Sendable {
    public var checkpoint: CheckpointInfo
    public var model: ModelConfig
    public var setup: ReproduceSetup
    /// How the video model sampled experiments 1 and 4: its sampling.json (nil: not
    /// recorded, DDIM at `setup.steps`).
    public var sampling: SamplingConfig?
    public var experiment1: [ScenarioResult]
    public var experiment2: [SpreadResult]
    public var experiment3: AttentionCostReport
    public var experiment4: [ScenarioResult]
    public var timings: ReproduceTimings
    /// The learned state models' numbers (none when the run measured none).
    public var stateModels: [StateModelRun]
    /// Variants of the structured state model, beside it in the ablation table.
    public var ablations: [StateAblation] = []
    /// The state models under camera noise (one entry per model and σ; `change` names σ).
    public var cameraNoise: [StateAblation] = []
    /// Experiment 5, per depth scenario (none when the run had no depth scenario).
    public var experiment5: [DepthResult] = []
    public var headline: [HeadlineRow] = []

    public init(checkpoint: CheckpointInfo, model: ModelConfig, setup: ReproduceSetup, experiment1: [ScenarioResult],
                experiment2: [SpreadResult], experiment3: AttentionCostReport, experiment4: [ScenarioResult],
                timings: ReproduceTimings, stateModels: [StateModelRun] = [], ablations: [StateAblation] = [],
                experiment5: [DepthResult] = []) {
        self.checkpoint = checkpoint
        self.model = model
        self.setup = setup
        self.experiment1 = experiment1
        self.experiment2 = experiment2
        self.experiment3 = experiment3
        self.experiment4 = experiment4
        self.timings = timings
        self.stateModels = stateModels
        self.ablations = ablations
        self.experiment5 = experiment5
        headline = makeHeadline(generators)
    }

    /// Pretty, key-sorted JSON.
    public func encoded() throws -> [UInt8] {
        try PrettyJSON.bytes(self)
    }

    func scenario1(_ name: String) -> ScenarioResult? { experiment1.first { $0.scenario == name } }

    func scenario4(_ name: String, _ stitching: String) -> ScenarioResult? {
        experiment4.first { $0.scenario == name && $0.stitching == stitching }
    }

    /// The headline rows, from the experiments' numbers: in each row, one cell per generator
    /// of `generators`, and "–" for the generators metrics.json always names that are not among them.
    func makeHeadline(_ generators: [ReportGenerator]) -> [HeadlineRow] {
        var rows: [HeadlineRow] = []
        /// A row; `holds` is the property that makes it hold by construction for the
        /// generators that have it.
        func row(_ claim: String, _ measure: String, holds: ByConstruction? = nil, _ cell: (ReportGenerator) -> String) {
            var values = Dictionary(uniqueKeysWithValues: GeneratorID.alwaysInHeadline.map { ($0, "–") })
            var marks: [GeneratorID: ByConstruction] = [:]
            for g in generators {
                values[g.id] = cell(g)
                if let holds, g.byConstruction.contains(holds), values[g.id] != "–" { marks[g.id] = holds }
            }
            rows.append(HeadlineRow(claim: claim, measure: measure, values: values, byConstruction: marks))
        }
        /// Each generator's `value` of experiment-1 result `r`.
        func one(_ r: ScenarioResult, _ value: @escaping (PhysicsSummary) -> Double?,
                 _ format: @escaping (Double?) -> String) -> (ReportGenerator) -> String {
            { g in format(g.experiment1(r).flatMap(value)) }
        }
        /// Each generator's `value`, averaged over experiment-1 results `rs`.
        func average(_ rs: [ScenarioResult], _ value: @escaping (PhysicsSummary) -> Double?,
                     _ format: @escaping (Double?) -> String) -> (ReportGenerator) -> String {
            { g in format(mean(rs.compactMap { g.experiment1($0).flatMap(value) })) }
        }
        let ood = experiment1.filter { $0.scenario != "id" }
        let h = setup.frames1 - setup.context
        if let id = scenario1("id") {
            row("frames look real", "realism, id (exp. 1)", holds: .rasterized, one(id, { $0.realism }, Format.percent))
        }
        if !ood.isEmpty {
            row("frames look real out of distribution too", "realism, mean of \(ood.count) OOD scenarios (exp. 1)", holds: .rasterized,
                average(ood, { $0.realism }, Format.percent))
            row("… but the physics is not", "position error at horizon \(h), mean of OOD scenarios (exp. 1)",
                average(ood, { $0.finalPositionError }, Format.px))
        }
        if let id = scenario1("id") {
            row("… not even in distribution", "position error at horizon \(h), id (exp. 1)",
                one(id, { $0.finalPositionError }, Format.px))
        }
        if let gravity = scenario1("ood-gravity") {
            row("gravity is not learned as a law", "implied-gravity error |g − g_true|, ood-gravity (exp. 1)",
                one(gravity, { $0.gravityError }, Format.acceleration))
        }
        row("energy is not conserved", "|E/E₀ − 1| in the last window, mean of exp. 1 scenarios",
            average(experiment1, { $0.energyDrift }, Format.percent))
        row("walls are not solid", "ball-frames past a wall, mean of exp. 1 scenarios", holds: .clamped,
            average(experiment1, { $0.penetrationRate }, Format.percent))
        row("objects appear and vanish", "ball-count changes per 100 frames, mean of exp. 1 scenarios", holds: .fixedBalls,
            average(experiment1, { $0.countChangesPer100 }, Format.number))
        for s in experiment2 {
            row("many futures from one past (\(s.sampler))",
                "spread of positions over \(setup.seeds2) seeds at the last horizon (exp. 2)", holds: .noiseless) { g in
                Format.px(g.spread(s).last { $0 != nil } ?? nil)
            }
        }
        row("… yet one seed, one video", "same seed twice: identical bytes (exp. 2)") { $0.sameSeed }
        rows[rows.count - 1].byConstruction = Dictionary(uniqueKeysWithValues: generators.compactMap { g in
            g.byConstruction.first { [.seeded, .noiseless].contains($0) }.map { (g.id, $0) }
        })
        if experiment3.forwardTimeSlope(.joint) != nil && experiment3.forwardTimeSlope(.factorized) != nil {
            row("attention cost grows quadratically", "log-log slope of forward time vs frames, joint / factorized (exp. 3)") {
                $0.costSlope
            }
        }
        if let lf = scenario4("id", "last-frame") {
            // A state model has no seams: its numbers are last-k's frames at the context.
            row("a single frame carries no velocity",
                "|Δ²p| (px/frame²) at seams vs inside windows, last-frame stitching, id (exp. 4)") { g in
                g.experiment4(lf).map { p in
                    "\(Format.number(p.seamJump)) at seams / \(Format.number(p.insideJump)) inside"
                        + (g.kind == .stateModel ? " (no seams: last-k \(setup.context4)'s frames)" : "")
                } ?? "–"
            }
        }
        let id4 = experiment4.filter { $0.scenario == "id" }
        if let first = id4.first {
            // Discs gained (+) or lost (−) against the balls in view by the last window: the
            // video model's for every stitching, the others' once.
            func last(_ p: PhysicsSummary?) -> String { Format.number(p?.countOffsetByWindow.last { $0 != nil } ?? nil) }
            row("drift grows with every window",
                "valid discs − balls in view in the last window of \(setup.frames4) frames, id (exp. 4)") { g in
                g.kind == .videoModel ? id4.map { "\(last(g.experiment4($0))) (\($0.stitching))" }.joined(separator: ", ")
                    : last(g.experiment4(first))
            }
        }
        for (name, what) in Self.memoryRows {
            let best = experiment4.filter { $0.scenario == name }.max { ($0.model.permanence ?? -1) < ($1.model.permanence ?? -1) }
            if let best {
                let baseline = best.lastSeen.map { "; a ball frozen where it was last seen: \(Format.percent($0.permanence))" } ?? ""
                row("hidden longer than the context: gone (\(name): \(what))",
                    "hidden balls back within \(Format.number(setup.physics.tolerance)) px, best stitching (\(best.stitching); exp. 4)"
                        + baseline) {
                    Format.percent($0.experiment4(best)?.permanence)
                }
            }
        }
        return rows + depthHeadline()
    }
}

extension ReproduceReport {
    /// The label of the structured law with its constants set by hand, among the ablations
    /// and the camera-noise rows.
    public static let handSetLabel = "constants set by hand"

    /// Experiment 4's memory scenarios in the headline, each with what it asks of a generator.
    static let memoryRows = [
        ("occluder", "a bar hides balls in flight"),
        ("key", "a ball at rest in the dark"),
        (Experiments.keyFromTheDrop, "the same ball, the context showing its drop"),
        ("blackout", "the lights go out while the balls fly"),
    ]
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

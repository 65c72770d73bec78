// The generators a reproduce report sets side by side — the video model, the learned state
// model, the simulator — as one list, each with its names and what it produced. The headline
// and every table of the report map over `ReproduceReport.generators`: a new column is one
// entry in that list, one `GeneratorID` (its key in metrics.json's headline rows) and a
// factory here that reads its numbers.
//
// A generator's numbers are read beside the video model's results, whose clips every
// generator shares: in experiment 1 per scenario, in experiment 2 per sampler and in
// experiment 4 per scenario and stitching. The simulator's numbers sit inside those results
// (each measured at the same frames and windows); a state model's, which has no sampler and
// no stitching, are its own roll-outs of the same clips.

import Foundation

/// A generator's key in a headline row of metrics.json.
public struct GeneratorID: RawRepresentable, Hashable, Codable, Sendable {
    public var rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    /// The video model.
    public static let model = GeneratorID(rawValue: "model")
    /// The learned state model.
    public static let stateModel = GeneratorID(rawValue: "stateModel")
    /// The simulator.
    public static let simulator = GeneratorID(rawValue: "simulator")

    /// The generators every headline row names, "–" when the run had none: a run without the
    /// learned state model writes the same keys as one with it.
    static let alwaysInHeadline: [GeneratorID] = [.model, .stateModel, .simulator]
}

/// One generator of a reproduce run, as the report reads it.
struct ReportGenerator {
    /// How a generator makes a clip, which decides how the report draws and describes it.
    enum Kind {
        /// Denoised window after window, stitched, from a noise seed.
        case videoModel
        /// The state perceived in the context, rolled forward once and drawn: no windows, no noise.
        case stateModel
        /// The truth every other generator is measured against.
        case simulator
    }

    /// Its key in metrics.json's headline rows.
    var id: GeneratorID
    var kind: Kind
    /// Its column in the headline ("learned state model").
    var header: String
    /// Its short name in plots, rows and sentences ("state model").
    var name: String
    /// It, in the headline's introduction.
    var described: String
    /// Which one it is, a sentence of the report's first paragraph (nil: that paragraph says it).
    var provenance: String?
    /// Its summary of the clips of an experiment-1 result.
    var experiment1: (ScenarioResult) -> PhysicsSummary?
    /// Its spread over the seeds of an experiment-2 result (per horizon, px).
    var spread: (SpreadResult) -> [Double?]
    /// Its summary of the clips of an experiment-4 result.
    var experiment4: (ScenarioResult) -> PhysicsSummary?
    /// Its rows in experiment 2's and experiment 4's tables (the simulator has none: it sits
    /// beside every row).
    var rows2: [SpreadResult] = []
    var rows4: [ScenarioResult] = []
    /// Whether the same seed gave the same video, for the headline.
    var sameSeed: String
    /// How its time grows with frames, for the headline.
    var costSlope: String
    /// Its roll-out time against length (experiment 3), when it is timed apart from the attention cost.
    var cost: StateCost?

    /// Its figures' file names, e.g. "state-model".
    var slug: String { name.replacingOccurrences(of: " ", with: "-") }

    /// The video model of `report`: its own results.
    static func videoModel(_ report: ReproduceReport) -> ReportGenerator {
        let joint = report.experiment3.forwardTimeSlope(.joint), factorized = report.experiment3.forwardTimeSlope(.factorized)
        return ReportGenerator(
            id: .model, kind: .videoModel, header: "video model", name: "video model", described: "the video model",
            experiment1: { $0.model }, spread: { $0.spread }, experiment4: { $0.model },
            rows2: report.experiment2, rows4: report.experiment4,
            sameSeed: report.experiment2.allSatisfy(\.sameSeedIdentical) ? "yes (DDIM and DDPM)" : "no",
            costSlope: joint.flatMap { j in factorized.map { String(format: "%.2f / %.2f", j, $0) } } ?? "–")
    }

    /// The learned state model measured in `run`; its experiment 1 sits in each
    /// `ScenarioResult.stateModel`.
    static func learnedStateModel(_ run: StateModelRun) -> ReportGenerator {
        let step = run.checkpoint.step.map { " at step \($0)" } ?? ""
        return ReportGenerator(
            id: .stateModel, kind: .stateModel, header: "learned state model", name: "state model",
            described: "the learned explicit-state model (the state it perceives in the same context frames, rolled forward "
                + "by its interaction network and drawn)",
            provenance: "Learned state model: \(run.checkpoint.path)\(step) (interaction network, relation "
                + "\(run.model.relationHidden)×\(run.model.relationLayers), object \(run.model.objectHidden)×\(run.model.objectLayers)).",
            experiment1: { $0.stateModel }, spread: { _ in run.experiment2.spread },
            experiment4: { r in run.experiment4.first { $0.scenario == r.scenario }?.model },
            rows2: [run.experiment2], rows4: run.experiment4,
            sameSeed: run.experiment2.sameSeedIdentical && run.experiment2.distinctVideos == 1
                ? "yes (no seed: one context, one video)" : "no",
            costSlope: String(format: "%.2f (whole roll-out; no attention)", run.experiment3.slope), cost: run.experiment3)
    }

    /// The simulator: its frames of every clip, measured beside each of the video model's results.
    static let simulator = ReportGenerator(
        id: .simulator, kind: .simulator, header: "simulator", name: "simulator",
        described: "the explicit-state simulator (its own frames through the same tracker and metrics)",
        experiment1: { $0.simulator }, spread: { $0.simulatorSpread }, experiment4: { $0.simulator },
        sameSeed: "yes (deterministic)", costSlope: "— (no attention: every frame costs the same)")
}

extension ReproduceReport {
    /// The generators of this run in the order of the report's columns: the video model, the
    /// state models measured beside it, the simulator.
    var generators: [ReportGenerator] {
        [.videoModel(self)] + (stateModel.map { [.learnedStateModel($0)] } ?? []) + [.simulator]
    }

    /// The headline for a terminal, one line per row: claim — measure: each generator's name and number.
    public var headlineLines: [String] {
        let generators = self.generators
        return headline.map { row in
            "\(row.claim) — \(row.measure): " + generators.map { "\($0.name) \(row[$0.id])" }.joined(separator: ", ")
        }
    }
}

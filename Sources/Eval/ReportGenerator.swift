// The generators a reproduce report sets side by side — the video model, the learned state
// models (generic, structured), the simulator — as one list, each with its names and what it produced. The headline
// and every table of the report map over `ReproduceReport.generators`: a new column is one
// entry in that list, one `GeneratorID` (its key in metrics.json's headline rows) and a
// factory here that reads its numbers.
//
// A generator's numbers are read beside the video model's results, whose clips every
// generator shares: in experiment 1 per scenario, in experiment 2 per sampler and in
// experiment 4 per scenario and stitching. The simulator's numbers sit inside those results
// (each measured at the same frames and windows); a state model's, which has no sampler and
// no stitching, are its own roll-outs of the same clips.

import Dynamics
import Foundation

/// A generator's key in a headline row of metrics.json.
public struct GeneratorID: RawRepresentable, Hashable, Codable, Sendable {
    public var rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    /// The video model.
    public static let model = GeneratorID(rawValue: "model")
    /// The learned state model of `kind`: "genericStateModel", "structuredStateModel".
    public static func stateModel(_ kind: StateModelKind) -> GeneratorID { GeneratorID(rawValue: kind.rawValue + "StateModel") }
    /// The simulator.
    public static let simulator = GeneratorID(rawValue: "simulator")

    /// The generators every headline row names, in the order of the report's columns (the
    /// ladder from the least given structure to the most), "–" when the run had none: a run
    /// without a state model writes the same keys as one with both.
    static let alwaysInHeadline: [GeneratorID] = [.model, .stateModel(.generic), .stateModel(.structured), .simulator]
}

/// Why a headline cell holds whatever a generator learned: a property of how it makes frames,
/// not of its weights. The report marks such cells and gives the reason in a footnote.
public enum ByConstruction: String, Codable, CaseIterable, Sendable {
    /// Frames drawn by the rasterizer that draws the truth, every disc kept inside them: every
    /// frame is clean palette discs.
    case rasterized
    /// The step keeps every centre where its disc is inside the walls.
    case clamped
    /// A fixed list of balls, kept in view: none appears, vanishes or changes colour.
    case fixedBalls
    /// No noise enters a roll-out: one context, one video.
    case noiseless
    /// Every noise draw comes from the seed.
    case seeded
    /// Discs drawn far to near: the larger, nearer one on top in every overlap.
    case farToNear
    /// Every disc's apparent radius held.
    case heldRadius

    /// The footnote's text.
    var reason: String {
        switch self {
        case .rasterized: "the structured state models draw their frames with the rasterizer that draws the simulator's, and "
            + "keep every disc inside the walls, so every frame is clean palette discs whatever the state (the generic state "
            + "model has no clamp: a ball it lets through a wall leaves the frame cut at the border)"
        case .clamped: "the structured state model's step keeps every centre where its disc is inside the walls (a clamp, not a learned bounce)"
        case .fixedBalls: "the structured state model keeps the list of balls it perceived, and its clamp keeps them in view: "
            + "none can appear, vanish or change colour (the generic state model keeps its list too, but a ball it lets "
            + "through a wall leaves the frame, and the count in its frames changes)"
        case .noiseless: "a state model draws no noise: one context gives one video"
        case .seeded: "the video model draws every noise from the seed (a counter-based generator), so the same seed gives the same bytes"
        case .farToNear: "the simulator and the 3D state models draw through the camera with the rasterizer far to near, so in "
            + "every overlap the larger, nearer disc is on top (copy-last repeats such a frame; constant velocity draws smaller discs first)"
        case .heldRadius: "copy-last and constant velocity draw every disc at its apparent radius in the context, so they change "
            + "no size (what is left is the tracker's reading of overlapping discs)"
        }
    }

    /// Its footnote mark, ¹ to ⁷.
    var mark: String { ["¹", "²", "³", "⁴", "⁵", "⁶", "⁷"][Self.allCases.firstIndex(of: self)!] }
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
    /// What it is given, and what it learns (the report's "given and learned" paragraph).
    var given: String
    var learns: String
    /// The properties that hold for it by construction (marked in the headline).
    var byConstruction: Set<ByConstruction> = []
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
            id: .model, kind: .videoModel,
            given: "the context frames as pixels, and a window of \(report.model.frames) frames",
            learns: "everything else from pixels: what a ball is, how it moves, that it persists",
            byConstruction: [.seeded],
            header: "video model", name: "video model", described: "the video model",
            experiment1: { $0.model }, spread: { $0.spread }, experiment4: { $0.model },
            rows2: report.experiment2, rows4: report.experiment4,
            sameSeed: report.experiment2.allSatisfy(\.sameSeedIdentical) ? "yes (DDIM and DDPM)" : "no",
            costSlope: joint.flatMap { j in factorized.map { String(format: "%.2f / %.2f", j, $0) } } ?? "–")
    }

    /// The learned state model measured in `run`; its experiment 1 sits in each
    /// `ScenarioResult.stateModels`.
    static func learnedStateModel(_ run: StateModelRun) -> ReportGenerator {
        let step = run.checkpoint.step.map { " at step \($0)" } ?? ""
        let perceived = "a state perceived from the context by inverting the rasterizer's anti-aliased discs in the exact "
            + "palette, and its frames drawn by the same rasterizer as the truth"
        let (given, learns, marks): (String, String, Set<ByConstruction>) = switch run.kind {
        case .generic:
            // A report written before `given` was recorded: the shipped generic law's.
            (perceived + "; " + (run.given ?? StateLaw.genericGiven(step: .trapezoid, pairFrame: false)),
             "every change of velocity — gravity, wall bounces and collisions — and a position correction, by a "
                + "graph network; it calls no simulator function",
             [.noiseless])
        case .structured:
            (perceived + "; the exact parabola of free flight, contact instants from the simulator's own event times "
                + "(Simulator.crossing for walls, Simulator.closingTime for pairs), impulses along the normal in proportion "
                + "to the closing speed with no friction, walls at the image border and a clamp inside them",
             "three things: g, a wall factor (elastic: −2) and a pair factor of the two radii (elastic: 2m_j/(m_i+m_j)); "
                + "with the three set by hand its step on `id` is the simulator's",
             [.rasterized, .clamped, .fixedBalls, .noiseless])
        }
        return ReportGenerator(
            id: .stateModel(run.kind), kind: .stateModel, given: given, learns: learns, byConstruction: marks,
            header: run.kind.name, name: run.kind.name,
            described: "the \(run.kind.name) (the state it perceives in the same context frames, rolled forward by its "
                + "learned law and drawn)",
            provenance: "\(run.kind.name.prefix(1).uppercased() + run.kind.name.dropFirst()): \(run.checkpoint.path)\(step) "
                + "(\(run.architecture)).",
            experiment1: { $0.stateModels[GeneratorID.stateModel(run.kind).rawValue] }, spread: { _ in run.experiment2.spread },
            experiment4: { r in run.experiment4.first { $0.scenario == r.scenario }?.model },
            rows2: [run.experiment2], rows4: run.experiment4,
            sameSeed: run.experiment2.sameSeedIdentical && run.experiment2.distinctVideos == 1
                ? "yes (no seed: one context, one video)" : "no",
            costSlope: String(format: "%.2f (whole roll-out; no attention)", run.experiment3.slope), cost: run.experiment3)
    }

    /// The simulator: its frames of every clip, measured beside each of the video model's results.
    static let simulator = ReportGenerator(
        id: .simulator, kind: .simulator, given: "the world itself: exact event-driven physics in double precision",
        learns: "nothing; it is the truth every other column is scored against, through the same tracker",
        header: "simulator", name: "simulator",
        described: "the explicit-state simulator (its own frames through the same tracker and metrics)",
        experiment1: { $0.simulator }, spread: { $0.simulatorSpread }, experiment4: { $0.simulator },
        sameSeed: "yes (deterministic)", costSlope: "— (no attention: every frame costs the same)")
}

extension ReproduceReport {
    /// The generators of this run in the order of the report's columns: the video model, the
    /// state models measured beside it, the simulator.
    var generators: [ReportGenerator] {
        let order = GeneratorID.alwaysInHeadline
        let states = stateModels.sorted { order.firstIndex(of: .stateModel($0.kind))! < order.firstIndex(of: .stateModel($1.kind))! }
        return [.videoModel(self)] + states.map(ReportGenerator.learnedStateModel) + [.simulator]
    }

    /// The headline for a terminal, one line per row: claim — measure: each generator's name and number.
    public var headlineLines: [String] {
        let generators = self.generators
        return headline.map { row in
            "\(row.claim) — \(row.measure): " + generators.map { "\($0.name) \(row[$0.id])" }.joined(separator: ", ")
        }
    }
}

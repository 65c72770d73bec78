import Foundation
import XCTest
import Diffusion
import Dynamics
import Sample
import Tensor
import World
@testable import Eval

/// The whole report on a tiny untrained model and tiny settings: every experiment runs, every
/// file is written, and a second run gives the same numbers.
final class ReproduceTests: XCTestCase {
    func tinySetup() -> ReproduceSetup {
        var attention = AttentionCostTests.tinySetup
        attention.secondsPerFigure = 0.05
        var s = ReproduceSetup(mode: "test", steps: 2, clips1: 1, frames1: 8, frames2: 6, clips4: 1, attention: attention)
        s.scenarios1 = ["id", "ood-gravity"]
        s.seeds2 = 3
        // The tiny model is 16 px; the occluder's bar does not scale, so it sits this one out.
        s.scenarios4 = ["id", "key", Experiments.keyFromTheDrop, "blackout"]
        s.frames4 = 48
        s.context4 = 2
        s.ks4 = [2]
        // Experiment 5 has a test of its own.
        s.scenarios5 = []
        return s
    }

    /// The reproduce job on `model` and `stateModels`, as `vidgen reproduce` runs it.
    func run(_ setup: ReproduceSetup, model: Denoiser, stateModels: [StateModel] = []) throws -> (ReproduceReport, ReportPictures) {
        var e = Experiments(model: model, sampling: SamplingConfig(sampler: .unipc, steps: setup.steps), setup: setup)
        e.stateModels = stateModels.map { StateGenerator(model: $0, folder: "tiny-\($0.kind.rawValue)") }
        try e.check()
        let out = try ReproduceJob.run(e, checkpoint: "tiny")
        return (out.report, out.pictures)
    }

    func testTinyReportIsCompleteAndDeterministic() throws {
        var rng = RNG(seed: 1)
        let model = Denoiser(.tiny, rng: &rng)
        let setup = tinySetup()
        let (report, pictures) = try run(setup, model: model)
        XCTAssertEqual(report.experiment1.map(\.scenario), ["id", "ood-gravity"])
        XCTAssertEqual(report.experiment2.map(\.sampler), ["ddim", "ddpm"])
        XCTAssert(report.experiment2.allSatisfy(\.sameSeedIdentical), "same seed, same bytes")
        XCTAssertEqual(report.experiment4.map(\.stitching), Array(repeating: ["last-frame", "last-k 2"], count: 4).flatMap { $0 })
        // Each scenario that hides balls has the copy-last-seen baseline beside it; in `key`
        // the ball is at rest, so memory alone brings it back.
        XCTAssert(report.experiment4.allSatisfy { ($0.lastSeen != nil) == ($0.scenario != "id") })
        // The simulator's side of every table is the physics.
        for r in report.experiment1 + report.experiment4 {
            XCTAssertEqual(r.simulator.realism, 1, "\(r.scenario) \(r.stitching)")
            XCTAssertLessThan(r.simulator.positionError ?? 0, 0.05)
        }
        for r in report.experiment2 {
            XCTAssertFalse(r.simulatorSpread.compactMap { $0 }.isEmpty)
            XCTAssert(r.simulatorSpread.allSatisfy { $0 == nil || $0 == 0 })
        }
        let key = try XCTUnwrap(report.experiment4.first { $0.scenario == "key" })
        XCTAssertEqual(key.simulator.permanence, 1)
        XCTAssertEqual(key.lastSeen?.permanence, 1)
        XCTAssertFalse(report.headline.isEmpty)
        XCTAssert(report.headline.contains { $0.claim.contains("one seed, one video") && $0[.model].hasPrefix("yes") })

        let files = try report.files(pictures: pictures)
        let names = files.files.map(\.name)
        for name in ["metrics.json", "headline.md", "report.md", "index.html", "exp1-position-error.svg", "exp2-spread.svg", "exp3-time.svg",
                     "exp4-key-position-error.svg", "exp1-id.gif", "exp1-id.png", "exp4-key.gif"] {
            XCTAssert(names.contains(name), name)
        }
        XCTAssertEqual(Set(names).count, names.count, "no file written twice")
        let html = String(decoding: files.bytes("index.html")!, as: UTF8.self)
        XCTAssert(html.contains("<svg"))
        XCTAssert(html.contains("data:image/gif;base64,"))
        XCTAssertFalse(html.contains("src=\"exp"), "no external files: the page is self-contained")
        let md = String(decoding: files.bytes("report.md")!, as: UTF8.self)
        XCTAssertNil(md.range(of: "\\b(nan|inf)\\b", options: [.regularExpression, .caseInsensitive]), "no NaN or ∞ in the tables")
        XCTAssert(md.contains("![") && md.contains("| claim | measure | video model | simulator |"))
        XCTAssert(md.contains("| key | copy last seen |"))
        XCTAssert(md.contains("Given and learned, column by column."))
        // Experiments 1 and 4 sample with the video model's own settings; experiment 2 with DDIM and DDPM.
        XCTAssertEqual(report.sampling?.sampler, .unipc)
        XCTAssert(md.contains("sampled with unipc 2 steps, handoff 0.0 (experiment 2: DDIM and DDPM at 2 steps)"))
        // The video model's same-seed cell holds by construction (its noise comes from the seed).
        XCTAssert(report.headline.contains { $0.claim.contains("one seed, one video") && $0.byConstruction[.model] == .seeded })
        let decoded = try JSONDecoder().decode(ReproduceReport.self, from: Data(files.bytes("metrics.json")!))
        XCTAssertEqual(decoded.experiment1, report.experiment1)

        // Same seeds, same numbers (the attention timings aside).
        let (again, _) = try run(setup, model: model)
        XCTAssertEqual(again.experiment1, report.experiment1)
        XCTAssertEqual(again.experiment2, report.experiment2)
        XCTAssertEqual(again.experiment4, report.experiment4)
    }

    /// With two (tiny, untrained) state models beside the video model: a column each in the
    /// headline, in the ladder's order (generic, then structured), rows in experiments 2–4, one
    /// video per context, their by-construction cells marked, and the same numbers twice.
    func testTinyReportWithTheStateModels() throws {
        var rng = RNG(seed: 1)
        let model = Denoiser(.tiny, rng: &rng)
        var net = DynamicsConfig.tiny.model
        (net.width, net.height) = (model.config.size, model.config.size)
        var graph = GenericStateConfig.tiny.model
        (graph.width, graph.height) = (model.config.size, model.config.size)
        let structured = StateModel(network: InteractionNetwork(net, rng: &rng))
        let generic = StateModel(network: GraphNetwork(graph, rng: &rng))
        var setup = tinySetup()
        setup.stateCostFrames = [4, 8, 16]
        setup.stateCostRuns = 1
        let (report, pictures) = try run(setup, model: model, stateModels: [structured, generic])
        XCTAssertEqual(report.stateModels.map(\.law), ["generic", "structured"], "the ladder's order, whatever the order given")
        for id in [GeneratorID.stateModel(.generic), .stateModel(.structured)] {
            XCTAssert(report.experiment1.allSatisfy { $0.stateModels[id.rawValue] != nil })
            XCTAssert(report.headline.allSatisfy { $0[id] != "" })
            XCTAssert(report.headline.contains { $0.claim.contains("one seed, one video") && $0[id].hasPrefix("yes") })
        }
        // Without a clamp the generic model's balls can leave the frame: its realism and count
        // are measured, not marked.
        for (claim, holds) in [("frames look real", ByConstruction.rasterized), ("walls are not solid", .clamped),
                               ("objects appear and vanish", .fixedBalls)] {
            let row = try XCTUnwrap(report.headline.first { $0.claim == claim })
            XCTAssertEqual(row.byConstruction, [.stateModel(.structured): holds], claim)
        }
        for st in report.stateModels {
            XCTAssert(st.experiment2.sameSeedIdentical)
            XCTAssertEqual(st.experiment2.distinctVideos, 1, "one context, one video")
            XCTAssert(st.experiment2.spread.allSatisfy { $0 == nil || $0 == 0 })
            XCTAssertEqual(st.experiment4.map(\.scenario), setup.scenarios4)
            XCTAssertEqual(st.experiment3.points.map(\.frames), [4, 8, 16])
        }
        XCTAssertEqual(pictures.experiment1[0].labels, ["video model", "generic state model", "structured state model", "simulator"])
        let files = try report.files(pictures: pictures)
        let md = String(decoding: files.bytes("report.md")!, as: UTF8.self)
        XCTAssert(md.contains("| claim | measure | video model | generic state model | structured state model | simulator |"))
        XCTAssert(md.contains("What a world state buys"))
        XCTAssert(md.contains("100.0% ¹"), "a marked cell")
        XCTAssert(md.contains("¹ the structured state models draw their frames with the rasterizer"), "its footnote")
        XCTAssert(md.contains("Simulator.crossing") && md.contains("Simulator.closingTime"))
        XCTAssert(files.files.map(\.name).contains("exp3-structured-state-model.svg"))
        // The structured model's ablation: its law with the constants set by hand, on the same clips.
        XCTAssertEqual(report.ablations.map(\.label), ["constants set by hand"])
        XCTAssertEqual(report.ablations[0].experiment4.map(\.scenario), setup.scenarios4)
        XCTAssert(md.contains("Ablation: what the structured state model learns"))
        XCTAssert(md.contains("| constants set by hand |"))
        // Under camera noise, each state model and the hand-set law beside them, at every σ.
        XCTAssertEqual(report.cameraNoise.map(\.label),
                       setup.cameraSigmas.flatMap { _ in ["generic state model", "structured state model", "constants set by hand"] })
        XCTAssert(md.contains("| structured state model, constants set by hand | σ = 0 |"))
        XCTAssert(md.contains("| structured state model, constants set by hand | σ = \(setup.cameraSigmas[0]) |"))
        let headline = String(decoding: files.bytes("headline.md")!, as: UTF8.self)
        XCTAssert(headline.contains("Marked cells hold by construction"))
        let decoded = try JSONDecoder().decode(ReproduceReport.self, from: Data(files.bytes("metrics.json")!))
        XCTAssert(decoded.headline == report.headline)
        let (again, _) = try run(setup, model: model, stateModels: [structured, generic])
        XCTAssertEqual(again.experiment1, report.experiment1)
        XCTAssertEqual(again.stateModels.map(\.experiment2), report.stateModels.map(\.experiment2))
        XCTAssertEqual(again.stateModels.map(\.experiment4), report.stateModels.map(\.experiment4))
    }

    /// What a generic law is given follows its config: the trapezoid or the old velocity, and
    /// the pair frame when it reads pairs in it; its architecture says when a relation reads
    /// both balls.
    func testGenericLawSaysWhatItsConfigGives() {
        var rng = RNG(seed: 1)
        var c = GenericStateConfig.tiny.model
        XCTAssert(StateLaw.generic(GraphNetwork(c, rng: &rng)).given!.hasSuffix("integrated by the trapezoid rule"))
        (c.positionStep, c.pairFrame) = (.velocity, true)
        let given = StateLaw.generic(GraphNetwork(c, rng: &rng)).given!
        XCTAssert(given.contains("moved by its old velocity and a learned correction"))
        XCTAssert(given.contains("every pair read in its own frame"))
        XCTAssertFalse(StateLaw.generic(GraphNetwork(c, rng: &rng)).architecture.contains("both balls"))
        c.relationReadsBalls = true
        XCTAssert(StateLaw.generic(GraphNetwork(c, rng: &rng)).architecture.hasSuffix("reading both balls' own inputs too"))
        (c.relationReadsBalls, c.pairFrame, c.substeps) = (false, false, 4)
        let law = StateLaw.generic(GraphNetwork(c, rng: &rng))
        XCTAssert(law.given!.hasSuffix("in 4 steps a frame, trained through all of them against the next frame"))
        XCTAssert(law.architecture.hasSuffix("one round of messages per step, 4 steps a frame"))
    }

    /// A made-up generator placed before the simulator becomes a column of the headline (in
    /// headline.md, report.md and metrics.json), a part of every cell of experiment 1's table,
    /// rows of experiment 2's and 4's tables, a cost section and findings of its own.
    func testAnExtraGeneratorIsAColumnOfEveryTable() throws {
        var rng = RNG(seed: 1)
        let model = Denoiser(.tiny, rng: &rng)
        let setup = tinySetup()
        var (report, pictures) = try run(setup, model: model)
        let extra = ReportGenerator(
            id: GeneratorID(rawValue: "madeUp"), kind: .stateModel, given: "nothing", learns: "nothing",
            header: "made-up model", name: "made-up",
            described: "a made-up model (the video model's numbers under another name)", provenance: "Made-up model: none.",
            experiment1: { $0.model }, spread: { $0.spread }, experiment4: { $0.model },
            rows2: report.experiment2.prefix(1).map { var r = $0; r.sampler = "made-up"; return r },
            rows4: report.experiment4.filter { $0.stitching == "last-frame" }.map { var r = $0; r.stitching = "made-up"; return r },
            sameSeed: "made-up seed", costSlope: "made-up slope",
            cost: StateCost(points: [.init(frames: 4, ms: 1, msPerFrame: 0.25), .init(frames: 8, ms: 2, msPerFrame: 0.25)], slope: 1))
        var generators = report.generators
        generators.insert(extra, at: generators.count - 1)
        XCTAssert(generators.map(\.header) == ["video model", "made-up model", "simulator"])
        report.headline = report.makeHeadline(generators)
        XCTAssert(report.headline.allSatisfy { $0.values[extra.id] != nil && $0[.stateModel(.structured)] == "–" })
        XCTAssert(report.headline.contains { $0.claim == "frames look real" && $0[extra.id] == $0[.model] })
        XCTAssert(report.headline.contains { $0[extra.id] == "made-up seed" })

        let files = try report.files(pictures: pictures, generators: generators)
        func text(_ name: String) throws -> String { String(decoding: try XCTUnwrap(files.bytes(name)), as: UTF8.self) }
        let header = "| claim | measure | video model | made-up model | simulator |"
        let md = try text("report.md"), headline = try text("headline.md"), html = try text("index.html")
        XCTAssertEqual(headline.components(separatedBy: header).count - 1, 1)
        XCTAssertEqual(md.components(separatedBy: header).count - 1, 1)
        XCTAssertEqual(html.components(separatedBy: "<th>made-up model</th>").count - 1, 1)
        XCTAssert(md.contains("Made-up model: none."))
        XCTAssert(md.contains("the same number for a made-up model"))
        // Experiment 1: every cell "video model / made-up model / simulator".
        XCTAssert(md.contains("Each cell: video model / made-up model (one roll-out from the same context) / simulator."))
        let section1 = try XCTUnwrap(md.range(of: "## 1. ")).upperBound..<(try XCTUnwrap(md.range(of: "## 2. ")).lowerBound)
        let exp1 = md[section1].components(separatedBy: "\n").filter { $0.hasPrefix("| id |") || $0.hasPrefix("| ood-gravity |") }
        XCTAssertEqual(exp1.count, 2)
        for line in exp1 {
            let realism = line.components(separatedBy: " | ")[1]
            XCTAssertEqual(realism.components(separatedBy: " / ").count, 3, line)
        }
        // Experiments 2 and 4: rows of its own, once each.
        XCTAssertEqual(md.components(separatedBy: "\n| made-up | ").count - 1, 1)
        XCTAssertEqual(md.components(separatedBy: " | made-up | ").count - 1, setup.scenarios4.count)
        XCTAssert(md.contains("(rows \"made-up\", scored on last-k"))
        XCTAssert(md.contains("The made-up model makes a clip in one roll-out"))
        XCTAssert(files.files.map(\.name).contains("exp3-made-up.svg"))
        XCTAssert(md.contains("The made-up model against the video model"))
        // metrics.json: the made-up key in every headline row, beside the ones every run writes.
        let json = try text("metrics.json")
        XCTAssertEqual(json.components(separatedBy: "\"madeUp\" : ").count - 1, report.headline.count)
        XCTAssertEqual(json.components(separatedBy: "\"structuredStateModel\" : \"–\"").count - 1, report.headline.count)
        let decoded = try JSONDecoder().decode(ReproduceReport.self, from: Data(try XCTUnwrap(files.bytes("metrics.json"))))
        XCTAssert(decoded.headline == report.headline)
    }

    /// A video model of depth clips is a row of experiment 5 like any generator, scored on the
    /// first `videoClips5` of the run's clips, which the report says; the same run twice gives
    /// the same scores.
    func testExperimentFiveScoresAVideoModelOnItsFirstClips() throws {
        var rng = RNG(seed: 2)
        var config = ModelConfig.tiny
        config.size = 32
        let video = Denoiser(config, rng: &rng)
        var setup = tinySetup()
        (setup.scenarios5, setup.clips5, setup.videoClips5) = (["depth"], 2, 1)
        var e = Experiments(model: Denoiser(.tiny, rng: &rng), sampling: SamplingConfig(steps: setup.steps), setup: setup)
        let settings = SamplingConfig(sampler: .unipc, steps: setup.steps)
        e.depthModels = [DepthModel.videoModel(video, sampling: settings, k: 3, folder: "random", clips: setup.videoClips5,
                                               noiseSeed: setup.seed)]
        try e.check()
        let a = try e.depth().results, b = try e.depth().results
        XCTAssertEqual(a, b)
        let row = try XCTUnwrap(a.first?[.videoModel])
        XCTAssertEqual(row.clips, 1)
        XCTAssertEqual(row.sampling, settings)
        XCTAssertEqual(row.scores?.clips, 1)
        XCTAssertEqual(a.first?[.simulator]?.scores?.clips, 2)
        XCTAssertNil(row.stateError, "a video model has frames, not a state")
        let out = try ReproduceJob.run(e, checkpoint: "tiny")
        let md = String(decoding: try XCTUnwrap(try out.report.files(pictures: out.pictures).bytes("report.md")), as: UTF8.self)
        XCTAssert(md.contains("it is scored on the first 1 of these clips"), md)
        let window = ModelConfig.tiny.frames - 3
        XCTAssertEqual(row.window, window)
        XCTAssert(md.contains("in its first window (horizons 1–\(window), before any seam)"), md)
        XCTAssert(md.contains("where the simulator's discs overlap"), md)
    }

    /// Experiment 5 on two test clips of each depth scenario: a table per scenario with one
    /// row per role — the simulator, the baselines, a structured 3D state model (its law set
    /// by hand), and the roles the run lacks, saying why — the cells that hold by construction
    /// marked, a contact sheet of two balls crossing, and its rows in the headline.
    func testExperimentFiveIsASectionOfTheReport() throws {
        var rng = RNG(seed: 1)
        let model = Denoiser(.tiny, rng: &rng)
        var setup = tinySetup()
        setup.scenarios5 = ["depth", "depth-near"]
        setup.clips5 = 2
        var e = Experiments(model: model, sampling: SamplingConfig(steps: setup.steps), setup: setup)
        let law = Law3D.handSet(gravity: DepthScenario.depth.box.gravity)
        let structured = DepthModel.stateModel(.structured(law), role: .structuredStateModel, folder: "hand-set")
        e.depthModels = [structured, structured]
        XCTAssertThrowsError(try e.check(), "one row per role")
        e.depthModels = [structured]
        e.depthAbsence = [.videoModel: "not shipped"]
        try e.check()
        let out = try ReproduceJob.run(e, checkpoint: "tiny")
        let report = out.report
        XCTAssertEqual(report.experiment5.map(\.scenario), ["depth", "depth-near"])
        for r in report.experiment5 {
            XCTAssertEqual(r.rows.map(\.role), DepthRole.allCases)
            XCTAssertNil(r[.videoModel]?.scores)
            XCTAssertEqual(r[.videoModel]?.absent, "not shipped")
            XCTAssertEqual(r[.genericStateModel]?.absent, "not given")
            let sim = try XCTUnwrap(r[.simulator]?.scores)
            XCTAssertEqual(sim.clips, 2)
            XCTAssertEqual(sim.occlusion.right, sim.occlusion.pairs)
            XCTAssertEqual(sim.passThrough.right, sim.passThrough.judged)
            XCTAssertEqual(r[.structuredStateModel]?.stateError?.count, setup.depth5.horizon)
            XCTAssertEqual(r[.structuredStateModel]?.folder, "hand-set")
            XCTAssertNotNil(r.crossingSeed, "every depth clip has two balls passing")
        }
        XCTAssertEqual(out.pictures.experiment5.map(\.labels.last), ["simulator", "simulator"])
        let occlusion = try XCTUnwrap(report.headline.first { $0.claim.hasPrefix("2.5D") })
        XCTAssertEqual(occlusion[.model], "not shipped")
        XCTAssertEqual(occlusion[.stateModel(.generic)], "not given")
        XCTAssertEqual(occlusion.byConstruction, [.simulator: .farToNear, .stateModel(.structured): .farToNear])
        XCTAssert(occlusion.measure.contains("depth / depth-near") && occlusion.measure.contains("copy last frame"))
        XCTAssert(report.headline.contains { $0.claim == "a 3D position persists" })

        let files = try report.files(pictures: out.pictures)
        let names = files.files.map(\.name)
        for name in ["exp5-depth-3d-error.svg", "exp5-depth-near-size-error.svg", "exp5-depth-crossing.png", "exp5-depth-near-crossing.gif"] {
            XCTAssert(names.contains(name), name)
        }
        let md = String(decoding: try XCTUnwrap(files.bytes("report.md")), as: UTF8.self)
        XCTAssert(md.contains("## 5. 2.5D, not 3D"))
        XCTAssert(md.contains("### depth-near (out of distribution)"))
        XCTAssert(md.contains("| video model of depth clips | not shipped (data/depth) |"))
        XCTAssert(md.contains("| generic 3D state model | not given (data/generic-state3d) |"))
        XCTAssert(md.contains("⁶ the simulator and the 3D state models draw"), "the by-construction footnote")
        XCTAssert(md.contains("What a 3D state buys"))
        XCTAssert(md.contains("No video model of depth clips is in this run (not shipped)"))
        XCTAssertNil(md.range(of: "\\b(nan|inf)\\b", options: [.regularExpression, .caseInsensitive]))
        let headline = String(decoding: try XCTUnwrap(files.bytes("headline.md")), as: UTF8.self)
        XCTAssert(headline.contains("In experiment 5's rows"))
        let decoded = try JSONDecoder().decode(ReproduceReport.self, from: Data(try XCTUnwrap(files.bytes("metrics.json"))))
        XCTAssertEqual(decoded.experiment5, report.experiment5)
    }

    /// Experiment 4's clips test memory: an occluder clip shows every ball wholly in its
    /// context; a key clip's context ends where the lights go out, the ball at rest in its
    /// last frames, and the ball is where it was when they come back.
    func testMemoryClipsShowWhatIsThenHidden() throws {
        for seed: UInt64 in 0..<6 {
            let occluder = try Experiments.memoryClip(Scenario.named("occluder"), seed: seed, frames: 128, context: 4)
            XCTAssertEqual(occluder.count, 128)
            for f in occluder.frames.prefix(4) { XCTAssert(f.visibleFraction.allSatisfy { $0 == 1 }, "seed \(seed)") }
            let key = try Experiments.memoryClip(Scenario.named("key"), seed: seed, frames: 64, context: 4)
            XCTAssertEqual(key.count, 64)
            let dark = try XCTUnwrap(key.scene.darkness.first)
            XCTAssertEqual(dark.lowerBound, 4)
            XCTAssertEqual(key.frames.map(\.t), Array(0..<64))
            XCTAssert(key.frames[0..<4].allSatisfy { !$0.dark })
            XCTAssert(key.frames[2...3].allSatisfy { $0.balls[0].resting && $0.balls[0].velocity == Vec2(0, 0) })
            XCTAssertEqual(key.frames[dark.upperBound].balls[0].position, key.frames[3].balls[0].position)
        }
        for seed: UInt64 in 0..<6 {
            // A blackout clip's context ends where the lights go out, the balls in flight.
            let clip = try Experiments.memoryClip(Scenario.named("blackout"), seed: seed, frames: 64, context: 4)
            XCTAssertEqual(clip.scene.darkness.first?.lowerBound, 4)
            XCTAssert(clip.frames[0..<4].allSatisfy { !$0.dark })
            XCTAssert(clip.frames[3].balls.contains { $0.velocity.length > 0.1 })
        }
        XCTAssertThrowsError(try Experiments.memoryClip(Scenario.named("occluder"), seed: 1, frames: 20, context: 4))
    }

    func testPlotHasOneLinePerSeriesAndBreaksAtGaps() {
        let plot = LinePlot(title: "t <1>", xLabel: "x", yLabel: "y",
                            series: [PlotSeries("a", values: [1, 2, nil, 4, 5]), PlotSeries("b", values: [0.5, 0.25], dashed: true)])
        let svg = plot.svg
        XCTAssert(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        XCTAssertEqual(svg.components(separatedBy: "<polyline").count - 1, 3, "a breaks at its gap; b is one line")
        XCTAssert(svg.contains("t &lt;1&gt;"))
        XCTAssert(svg.contains("stroke-dasharray"))
        let log = LinePlot(title: "", xLabel: "", yLabel: "", series: [PlotSeries("c", [(4, 10), (64, 2000)])], logX: true, logY: true)
        XCTAssertEqual(Axis(values: [4, 64], log: true, includeZero: false).ticks, [1, 10, 100])
        XCTAssert(log.svg.contains(">1000<"))
    }
}

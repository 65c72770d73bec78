// The report as files: the document's blocks (ReportBlock.swift) rendered as report.md and
// index.html, plus headline.md, metrics.json and the figure files themselves. Every table
// and plot sets the run's generators (ReportGenerator.swift) side by side.

import Diffusion
import Foundation
import World

/// The report's files, in the order they are written.
public struct ReportFiles {
    /// (name relative to the report folder, bytes).
    public var files: [(name: String, bytes: [UInt8])] = []

    mutating func add(_ name: String, _ bytes: [UInt8]) { files.append((name, bytes)) }
    func bytes(_ name: String) -> [UInt8]? { files.first { $0.name == name }?.bytes }
}

/// Pictures of one run, by experiment.
public struct ReportPictures {
    public var experiment1: [ClipPictures] = []
    public var experiment2: [ClipPictures] = []
    public var experiment4: [ClipPictures] = []
    /// Experiment 5's crossings, one per depth scenario: every generator's frames around it.
    public var experiment5: [ClipPictures] = []

    public init() {}
}

extension ReproduceReport {
    /// Every file of the report: figures, metrics.json, report.md, index.html.
    public func files(pictures: ReportPictures) throws -> ReportFiles {
        try files(pictures: pictures, generators: generators)
    }

    /// Every file of the report with `generators` as its columns (the headline's rows are
    /// `headline`, made for them).
    func files(pictures: ReportPictures, generators: [ReportGenerator]) throws -> ReportFiles {
        var files = ReportFiles()
        let blocks = document(pictures: pictures, generators: generators, files: &files)
        files.add("metrics.json", try encoded())
        files.add("headline.md", Array(ReportBlock.markdown([.text(provenance), headlineTable(generators)]
                                                            + headlineNotes(generators)).utf8))
        files.add("report.md", Array(ReportBlock.markdown(blocks).utf8))
        files.add("index.html", Array(ReportBlock.html(blocks, files: files).utf8))
        return files
    }

    /// A side-by-side GIF and a contact sheet of `p`, added to `files`; returns their names.
    func picture(_ p: ClipPictures, name: String, every: Int, files: inout ReportFiles) -> (gif: String, sheet: String) {
        let (bytes, width) = Frames.sideBySide(p.rows, frames: p.frames, height: p.size, width: p.size)
        let gif = "\(name).gif", sheet = "\(name).png"
        files.add(gif, GIF.encode(frames: bytes, count: p.frames, height: p.size, width: width, scale: 4, delay: 12))
        let picked = Array(stride(from: 0, to: p.frames, by: every))
        let n = p.size * p.size * 3
        let rows = p.rows.map { clip in picked.flatMap { clip[($0 * n)..<(($0 + 1) * n)] } }
        files.add(sheet, PNG.encode(RGBImage.contactSheet(rows: rows, frames: picked.count, height: p.size, width: p.size,
                                                          scale: 2)))
        return (gif, sheet)
    }

    /// How the video model sampled experiments 1 and 4, in words.
    var videoSampling: String { samplingText(sampling) }

    /// `settings` in words; a report that did not record them sampled with DDIM at its steps.
    func samplingText(_ settings: SamplingConfig?) -> String { settings?.summary ?? "ddim \(setup.steps) steps" }

    /// Which run made the numbers, in one line.
    var provenance: String {
        let step = checkpoint.step.map { " at step \($0)" } ?? ""
        return "From `vidgen reproduce\(setup.mode == "quick" ? " --quick" : "")` (\(setup.mode) settings, \(videoSampling)) "
            + "with the checkpoint \(checkpoint.path)\(step) (\(model.width) wide, \(model.depth) blocks, "
            + "\(model.attention.rawValue) attention); the run took " + String(format: "%.0f s.", timings.total)
    }

    /// The headline as a table (also written alone as headline.md, for the README).
    func headlineTable(_ generators: [ReportGenerator]) -> ReportBlock {
        .table(["claim", "measure"] + generators.map(\.header),
               headline.map { row in [row.claim, row.measure] + generators.map { row.marked($0.id) } })
    }

    /// Below the headline: the footnotes of its marked cells, and what each column is given
    /// and what it learns.
    func headlineNotes(_ generators: [ReportGenerator]) -> [ReportBlock] {
        let used = Set(headline.flatMap(\.byConstruction.values))
        let notes = ByConstruction.allCases.filter(used.contains).map { "\($0.mark) \($0.reason)." }
        var b: [ReportBlock] = []
        if !notes.isEmpty {
            b.append(.text("Marked cells hold by construction, whatever the weights: " + notes.joined(separator: " ")))
        }
        b.append(.text("Given and learned, column by column. " + generators.map { g in
            "The \(g.header) is given \(g.given); it learns \(g.learns)."
        }.joined(separator: " ")))
        if let note = depthHeadlineNote { b.append(note) }
        return b
    }

    func plot(_ plot: LinePlot, _ name: String, _ caption: String, files: inout ReportFiles) -> ReportBlock {
        files.add(name, Array(plot.svg.utf8))
        return .figure(name, caption: caption)
    }

    // MARK: - The document

    func document(pictures: ReportPictures, generators: [ReportGenerator], files: inout ReportFiles) -> [ReportBlock] {
        let m = model, s = setup
        var b: [ReportBlock] = [.heading("vidgen: video model against the simulator", level: 1)]
        var info = "Checkpoint \(checkpoint.path)"
        if let step = checkpoint.step { info += " at step \(step)" }
        info += "; model \(m.frames) frames of \(m.size)×\(m.size), patch \(m.patch), width \(m.width), depth \(m.depth), "
            + "\(m.heads) heads, \(m.attention.rawValue) attention, sampled with \(videoSampling) (experiment 2: DDIM and DDPM "
            + "at \(s.steps) steps). Mode \(s.mode): "
            + "scene seeds from \(s.firstSeed), noise seed \(s.seed). "
            + String(format: "The run took %.0f s (experiments 1–5: %.0f, %.0f, %.0f, %.0f, %.0f s) on a 2-core machine ",
                     timings.total, timings.experiment1, timings.experiment2, timings.experiment3, timings.experiment4,
                     timings.experiment5)
            + "that may have been shared; timings are the only numbers that change from run to run."
        for case let p? in generators.map(\.provenance) { info += " " + p }
        b.append(.text(info))
        b.append(.heading("Headline", level: 2))
        let numbers = generators.enumerated().map { i, g in
            i == 0 ? "the number that shows it for \(g.described)"
                : (i == generators.count - 1 ? "and " : "") + "the same number for \(g.described)"
        }
        b.append(.text("One row per failure mode: " + numbers.joined(separator: ", ") + "."))
        b.append(headlineTable(generators))
        b += headlineNotes(generators)
        for g in generators where g.kind == .stateModel { b += findings(g, among: generators) }
        b += ablationBlocks(generators)
        b += cameraNoiseBlocks(generators)
        b += experiment1Blocks(pictures.experiment1, generators: generators, files: &files)
        b += experiment2Blocks(pictures.experiment2, generators: generators, files: &files)
        b += experiment3Blocks(generators: generators, files: &files)
        b += experiment4Blocks(pictures.experiment4, generators: generators, files: &files)
        b += experiment5Blocks(pictures.experiment5, files: &files)
        b.append(.heading("Metric definitions", level: 2))
        b.append(.text("Positions are the tracker's valid discs of each ball's colour, where the simulator has the ball wholly "
                       + "in view; Δp is a frame-to-frame difference (px/frame), Δ²p a second difference (px/frame²). "
                       + "Realism: share of generated frames in which every blob is a valid palette disc on a clean background. "
                       + "Position error: |p − p_sim| per horizon (1 = first generated frame). Velocity error: |Δp − Δp_sim|. "
                       + "Implied gravity: parabolas fitted to each ball's runs of ≥ \(s.physics.minFlight) frames with |Δ²p| ≤ "
                       + "\(Format.number(s.physics.eventAcceleration)) px/frame² (no bounce), g = 2 × the t² coefficient. "
                       + "Energy: Σ r² (½|Δp|² + g·height above the floor), the median over a window's frames, against the "
                       + "simulator's energy at the first generated frame. Wall penetration: a disc (true radius) reaching more than "
                       + "\(Format.number(s.physics.penetrationTolerance)) px past a wall. Count changes: Σ|n_f − n_{f−1}| of valid "
                       + "discs. Colour swaps: a disc of one colour where another colour was a frame before, that colour gone. "
                       + "Seam |Δ²p|: centred on the last frame before each stitched window, beside |Δ²p| inside windows and the "
                       + "simulator's at the same frames. Permanence: a ball the context showed, hidden for more frames than the stitching's context, "
                       + "must be found within \(s.physics.grace) frames of its return, within \(Format.number(s.physics.tolerance)) "
                       + "px of the simulator; stuck = found at its last-seen spot though the simulator moved it. Spread: per "
                       + "ball, √(var x + var y) of its position across seeds."))
        return b
    }

    func experiment1Blocks(_ pictures: [ClipPictures], generators: [ReportGenerator], files: inout ReportFiles) -> [ReportBlock] {
        let s = setup
        var b: [ReportBlock] = [
            .heading("1. Plausible but not physical", level: 2),
            .text("\(s.clips1) held-out clips per scenario, \(s.frames1) frames: \(s.context) context frames from the simulator, "
                  + "then rollouts (\(videoSampling)) stitched with last-k \(s.context). Each cell: "
                  + generators.map { $0.kind == .stateModel ? "\($0.header) (one roll-out from the same context)" : $0.header }
                    .joined(separator: " / ")
                  + ". Position, velocity, gravity and energy are measured on the balls found; balls missed says how many were not."),
        ]
        b.append(.table(
            ["scenario", "realism", "count wrong", "balls missed", "pos. error (mean)", "pos. error (h \(s.frames1 - s.context))", "vel. error",
             "implied g (true)", "g error", "energy drift", "past wall", "count changes /100", "colour swaps /100"],
            experiment1.map { r in
                /// Each generator's `v`, "video model / … / simulator".
                func cell(_ v: (PhysicsSummary) -> Double?, _ f: (Double?) -> String) -> String {
                    generators.map { f($0.experiment1(r).flatMap(v)) }.joined(separator: " / ")
                }
                // The fitted gravity of each generator but the simulator, then the simulator's true one.
                let gravity = generators.filter { $0.kind != .simulator }.map { Format.vector($0.experiment1(r)?.impliedGravity) }
                return [r.scenario, cell(\.realism, Format.percent), cell(\.countWrong, Format.percent),
                        cell(\.missRate, Format.percent), cell(\.positionError, Format.px), cell(\.finalPositionError, Format.px),
                        cell(\.velocityError, Format.number),
                        gravity.joined(separator: " / ") + " (\(Format.vector(r.simulator.trueGravity)))",
                        cell(\.gravityError, Format.number), cell(\.energyDrift, Format.percent),
                        cell(\.penetrationRate, Format.percent), cell(\.countChangesPer100, Format.number),
                        cell(\.swapsPer100, Format.number)]
            }))
        // The video model's line per scenario, each state model's dashed, the simulator's for the first scenario.
        let series = generators.flatMap { g in
            (g.kind == .simulator ? Array(experiment1.prefix(1)) : experiment1).compactMap { r -> PlotSeries? in
                g.experiment1(r).map { p in
                    switch g.kind {
                    case .videoModel: PlotSeries(r.scenario, values: p.positionErrorByHorizon)
                    case .stateModel: PlotSeries("\(r.scenario), \(g.name)", values: p.positionErrorByHorizon, dashed: true)
                    case .simulator: PlotSeries("\(g.name) (\(r.scenario))", values: p.positionErrorByHorizon, dashed: true)
                    }
                }
            }
        }
        b.append(plot(LinePlot(title: "Position error vs horizon", xLabel: "horizon (frames after the context)",
                               yLabel: "px", series: series), "exp1-position-error.svg",
                      "Experiment 1: mean position error against the simulator, per scenario.", files: &files))
        b.append(plot(LinePlot(title: "Velocity error vs horizon", xLabel: "horizon (frames after the context)", yLabel: "px/frame",
                               series: experiment1.map { PlotSeries($0.scenario, values: $0.model.velocityErrorByHorizon) }),
                      "exp1-velocity-error.svg", "Experiment 1: |Δp − Δp_sim| per horizon.", files: &files))
        for p in pictures {
            let (gif, sheet) = picture(p, name: "exp1-\(p.title)", every: max(1, p.frames / 12), files: &files)
            b.append(.figure(gif, caption: "\(p.title): " + p.labels.joined(separator: " | ") + ", left to right, clip 0."))
            let n = max(1, p.frames / 12)
            b.append(.figure(sheet, caption: "\(p.title): frames 0, \(n), \(2 * n), …; rows " + p.labels.joined(separator: ", ") + "."))
        }
        return b
    }

    func experiment2Blocks(_ pictures: [ClipPictures], generators: [ReportGenerator], files: inout ReportFiles) -> [ReportBlock] {
        let s = setup
        var b: [ReportBlock] = [
            .heading("2. Stochastic, not deterministic", level: 2),
            .text("One id context (scene seed \(s.firstSeed), \(s.context) frames), \(s.seeds2) noise seeds, \(s.frames2)-frame "
                  + "rollouts stitched with last-k \(s.context), \(s.steps) steps. Spread: per ball, √(var x + var y) of its position "
                  + "over the seeds. The simulator run \(s.seeds2) times from the same start has exactly one future. Seed 0 was "
                  + "rolled out a second time and its bytes compared."),
        ]
        b.append(.table(["sampler", "spread, first horizon", "spread, last horizon", "simulator spread", "distinct videos",
                         "same seed twice"],
                        generators.flatMap(\.rows2).map { r in
                            [r.sampler, Format.px(r.spread.first ?? nil), Format.px(r.spread.last { $0 != nil } ?? nil),
                             Format.px(r.simulatorSpread.compactMap { $0 }.max()), "\(r.distinctVideos) of \(s.seeds2)",
                             r.sameSeedIdentical ? "identical bytes" : "DIFFERENT bytes"]
                        }))
        // A line per sampler of the video model, one per state model, the simulator's dashed.
        let series = generators.flatMap { g in
            switch g.kind {
            case .videoModel: g.rows2.map { PlotSeries($0.sampler.uppercased(), values: $0.spread) }
            case .stateModel: g.rows2.map { PlotSeries(g.name, values: $0.spread) }
            case .simulator: experiment2.prefix(1).map { PlotSeries(g.name, values: g.spread($0), dashed: true) }
            }
        }
        b.append(plot(LinePlot(title: "Spread across seeds vs horizon", xLabel: "horizon (frames after the context)", yLabel: "px",
                               series: series), "exp2-spread.svg", "Experiment 2: spread of positions over seeds.", files: &files))
        for p in pictures {
            let name = "exp2-" + p.title.prefix { $0 != "," }
            let (gif, sheet) = picture(p, name: name, every: max(1, p.frames / 12), files: &files)
            b.append(.figure(gif, caption: "\(p.title) from one context, then the simulator (right)."))
            b.append(.figure(sheet, caption: "\(p.title): one row per seed, the simulator last."))
        }
        return b
    }

    func experiment3Blocks(generators: [ReportGenerator], files: inout ReportFiles) -> [ReportBlock] {
        let r = experiment3
        var b: [ReportBlock] = [
            .heading("3. Attention cost", level: 2),
            .text("The denoiser at batch 1, factorized against joint attention, over frames and resolution "
                  + "(`vidgen bench attention-cost`\(setup.attention == .quick ? " --quick" : "")); timings were taken on a "
                  + "machine that may have been shared, memory is exact."),
            .preformatted(r.lines),
        ]
        var time: [PlotSeries] = [], memory: [PlotSeries] = []
        for (c, kind) in r.setup.attentions.enumerated() {
            let pts = r.points.filter { $0.attention == kind && $0.size == r.setup.framesSize }.sorted { $0.frames < $1.frames }
            time.append(PlotSeries("\(kind.rawValue) fwd", pts.map { (Double($0.frames), Optional($0.forwardMs)) }, color: c))
            time.append(PlotSeries("\(kind.rawValue) fwd+bwd", pts.map { (Double($0.frames), Optional($0.trainMs)) },
                                   dashed: true, color: c))
            memory.append(PlotSeries("\(kind.rawValue) fwd+bwd",
                                     pts.map { (Double($0.frames), Optional(Double($0.trainPeakBytes) / 1_048_576)) }, color: c))
        }
        b.append(plot(LinePlot(title: "Time vs frames (\(r.setup.framesSize)×\(r.setup.framesSize))", xLabel: "frames T",
                               yLabel: "ms", series: time, logX: true, logY: true),
                      "exp3-time.svg", "Experiment 3: median time per call, log-log.", files: &files))
        b.append(plot(LinePlot(title: "Peak tensor memory vs frames", xLabel: "frames T", yLabel: "MiB", series: memory,
                               logX: true, logY: true),
                      "exp3-memory.svg", "Experiment 3: peak tensor memory of forward+backward, log-log.", files: &files))
        for g in generators {
            guard let cost = g.cost else { continue }
            b.append(.text("The \(g.header) makes a clip in one roll-out: perception of the context, one network step "
                           + "per frame (its cost depends on the number of balls, not on the frames made so far) and the "
                           + "rasterizer. Median time of a whole roll-out against its length, on the same machine (shared):"))
            b.append(.table(["frames", "roll-out (ms)", "per frame (ms)"],
                            cost.points.map { ["\($0.frames)", String(format: "%.2f", $0.ms), String(format: "%.3f", $0.msPerFrame)] }))
            b.append(.text(String(format: "Fitted log-log slope of total time against frames: %.2f.", cost.slope)))
            let title = g.name.prefix(1).uppercased() + g.name.dropFirst() + ": time vs frames"
            b.append(plot(LinePlot(title: title, xLabel: "frames", yLabel: "ms",
                                   series: [PlotSeries("whole roll-out", cost.points.map { (Double($0.frames), Optional($0.ms)) }),
                                            PlotSeries("per frame", cost.points.map { (Double($0.frames), Optional($0.msPerFrame)) },
                                                       dashed: true)],
                                   logX: true, logY: true),
                          "exp3-\(g.slug).svg", "Experiment 3: the \(g.name)'s roll-out time, log-log.", files: &files))
        }
        return b
    }

    func experiment4Blocks(_ pictures: [ClipPictures], generators: [ReportGenerator], files: inout ReportFiles) -> [ReportBlock] {
        let s = setup
        var b: [ReportBlock] = [
            .heading("4. Windows and stitching", level: 2),
            .text("\(s.clips4) held-out clip(s) per scenario, \(s.frames4) frames: \(s.context4) context frames from the simulator, "
                  + "then windows of \(model.frames) frames (\(videoSampling)) stitched with last-frame or last-k (k = "
                  + s.ks4.map(String.init).joined(separator: ", ") + ")"
                  + generators.filter { $0.kind == .stateModel }.map {
                      "; the \($0.header) makes each clip in one roll-out from the same \(s.context4) frames "
                          + "(rows \"\($0.name)\", scored on last-k \(s.context4)'s windows)"
                  }.joined()
                  + ". A `key` clip starts \(s.context4) frames before the lights go out, the ball coming to rest within them: "
                  + "it asks whether a generator keeps the ball through a darkness longer than its context, not whether it "
                  + "knows a floor that `id` never shows; `\(Experiments.keyFromTheDrop)` is the same episode from its first "
                  + "frame, the context showing the ball fall. A `blackout` clip starts \(s.context4) frames before the lights "
                  + "go out while the balls fly and bounce: bringing them back needs their dynamics. Dark frames are "
                  + "observed (given black), not generated. Rows \"copy last seen\" hold the last context frame to the end, "
                  + "every ball frozen where it was last seen: what memory alone, without dynamics, brings back. "
                  + "Each cell: generator / simulator (the simulator's frames at the same seams and windows). "
                  + "Energy needs every ball found in both frames of an interval: in `occluder` the bar hides some ball in most "
                  + "frames, so its energy is mostly not measured; in `key` the ball comes to rest, so the simulator's own energy "
                  + "falls to 0 and the model's column is to be read against it. Hidings: balls the context showed, hidden "
                  + "for longer than the stitching's context."),
        ]
        b.append(.table(
            ["scenario", "stitching", "seam |Δ²p|", "inside |Δ²p|", "pos. error (h \(s.frames4 - s.context4))",
             "discs − balls (last window)", "in view, missed", "energy drift (last window)", "hidings", "back right", "stuck",
             "never"],
            experiment4Rows(generators).map { r in
                let (x, y) = (r.model, r.simulator)
                return [r.scenario, r.stitching, pair(x.seamJump, y.seamJump, Format.number),
                        pair(x.insideJump, y.insideJump, Format.number),
                        pair(x.finalPositionError, y.finalPositionError, Format.px),
                        pair(x.countOffsetByWindow.last ?? nil, y.countOffsetByWindow.last ?? nil, Format.number),
                        pair(x.missRate, y.missRate, Format.percent),
                        pair(x.energyDriftByWindow.last { $0 != nil } ?? nil, y.energyDriftByWindow.last { $0 != nil } ?? nil,
                             Format.signedPercent),
                        "\(x.hidings)", pair(x.permanence, y.permanence, Format.percent), pair(x.stuck, y.stuck, Format.percent),
                        pair(x.never, y.never, Format.percent)]
            }))
        b += forgottenInView(generators)
        for name in s.scenarios4 {
            let rs = experiment4Rows(generators).filter { $0.scenario == name }
            guard let first = rs.first else { continue }
            var series = rs.map { PlotSeries($0.stitching, values: $0.model.positionErrorByHorizon) }
            series.append(PlotSeries("simulator", values: first.simulator.positionErrorByHorizon, dashed: true))
            b.append(plot(LinePlot(title: "Position error vs horizon, \(name)", xLabel: "horizon (frames after the context)",
                                   yLabel: "px", series: series),
                          "exp4-\(name)-position-error.svg", "Experiment 4, \(name): position error per horizon.", files: &files))
            func perWindow(_ key: KeyPath<PhysicsSummary, [Double?]>, scale: Double) -> [PlotSeries] {
                var out = rs.map { r in
                    PlotSeries(r.stitching, zip(r.model.windowStarts, r.model[keyPath: key]).map { (Double($0), $1.map { $0 * scale }) })
                }
                out.append(PlotSeries("simulator (\(first.stitching))",
                                      zip(first.simulator.windowStarts, first.simulator[keyPath: key]).map { (Double($0), $1.map { $0 * scale }) },
                                      dashed: true))
                return out
            }
            let energy = perWindow(\.energyDriftByWindow, scale: 100)
            if energy.contains(where: { $0.points.contains { $0.y != nil } }) {
                b.append(plot(LinePlot(title: "Energy drift per window, \(name)", xLabel: "first frame of the window",
                                       yLabel: "E/E₀ − 1 (%)", series: energy),
                              "exp4-\(name)-energy.svg", "Experiment 4, \(name): energy per window against the start.", files: &files))
            } else {
                b.append(.text("No energy plot for \(name): no window had every ball found in two frames running."))
            }
            b.append(plot(LinePlot(title: "Discs − balls in view per window, \(name)", xLabel: "first frame of the window",
                                   yLabel: "discs", series: perWindow(\.countOffsetByWindow, scale: 1)),
                          "exp4-\(name)-count.svg", "Experiment 4, \(name): ball-count drift per window.", files: &files))
        }
        for p in pictures {
            let (gif, sheet) = picture(p, name: "exp4-\(p.title)", every: 8, files: &files)
            b.append(.figure(gif, caption: "\(p.title): " + p.labels.joined(separator: " | ") + ", clip 0."))
            b.append(.figure(sheet, caption: "\(p.title): frames 0, 8, 16, …; rows " + p.labels.joined(separator: ", ") + "."))
        }
        return b
    }

    func pair(_ a: Double?, _ b: Double?, _ format: (Double?) -> String) -> String { "\(format(a)) / \(format(b))" }

    /// Which part of what a video model forgets is structural: balls it loses in `id`, where
    /// nothing hides them (the model's own weakness), beside hidden balls that never come
    /// back (what a window shorter than the hiding cannot hold). One paragraph per video model.
    func forgottenInView(_ generators: [ReportGenerator]) -> [ReportBlock] {
        generators.filter { $0.kind == .videoModel }.compactMap { g in
            let id = g.rows4.filter { $0.scenario == "id" }
            let hidden = g.rows4.filter { $0.scenario != "id" && $0.model.never != nil }
            guard !id.isEmpty, !hidden.isEmpty else { return nil }
            func span(_ rows: [ScenarioResult], _ value: (ScenarioResult) -> Double?) -> String {
                rows.compactMap { r in value(r).map { "\(Format.percent($0)) (\(r.stitching))" } }.joined(separator: ", ")
            }
            let gone = Set(hidden.map(\.scenario)).sorted().map { name in
                "\(name): " + span(hidden.filter { $0.scenario == name }, { $0.model.never })
            }
            return .text("Forgotten in plain view, and forgotten when hidden. In `id` nothing hides a ball, yet the "
                         + "\(g.name) misses " + span(id, { $0.model.missRate }) + " of the balls in view over its generated "
                         + "frames (the tracker on the simulator's own frames: \(Format.percent(id[0].simulator.missRate))): that part is this model's weakness, not its window. Hidden balls that never come back — "
                         + gone.joined(separator: "; ") + " — are what no window shorter than the hiding can hold; read "
                         + "them against the `id` figure, which a better model of the same window would lower.")
        }
    }

    /// Experiment 4's rows, per scenario: each generator's (the video model's stitchings, a
    /// state model's one roll-out) in the order of `generators`, then, where the scenario
    /// hides balls, the copy-last-seen baseline on the windows of last-k at `context4`.
    func experiment4Rows(_ generators: [ReportGenerator]) -> [ScenarioResult] {
        setup.scenarios4.flatMap { name in
            let rows = generators.flatMap { $0.rows4.filter { $0.scenario == name } }
            let baseline = experiment4.first { $0.scenario == name && $0.stitching == "last-k \(setup.context4)" && $0.lastSeen != nil }
            return rows + (baseline.map { r in
                [ScenarioResult(scenario: name, stitching: "copy last seen", model: r.lastSeen!, simulator: r.simulator)]
            } ?? [])
        }
    }
}

// MARK: - Ablations

extension ReproduceReport {
    /// The structured state model beside its variants (`ablations`): the same clips of
    /// experiments 1 and 4, position error and hidden balls brought back.
    func ablationBlocks(_ generators: [ReportGenerator]) -> [ReportBlock] {
        guard !ablations.isEmpty, let learned = generators.first(where: { $0.id == .stateModel(.structured) }) else { return [] }
        let h = setup.frames1 - setup.context
        let ood = experiment1.map(\.scenario).filter { $0 != "id" }
        let memory = Self.memoryRows.map(\.0).filter(setup.scenarios4.contains)
        typealias Row = (label: String, change: String, one: (String) -> PhysicsSummary?, four: (String) -> PhysicsSummary?)
        let rows: [Row] = [("learned (the column above)", "g, the wall factor and the pair factor learned from perceived states",
                            { name in self.scenario1(name).flatMap(learned.experiment1) },
                            { name in learned.rows4.first { $0.scenario == name }?.model })]
            + ablations.map { a in
                (a.label, a.change, { a.experiment1[$0] }, { name in a.experiment4.first { $0.scenario == name }?.model })
            }
        return [
            .heading("Ablation: what the structured state model learns", level: 3),
            .text("The structured state model beside its variants, on the same clips: position error at horizon \(h) "
                  + "(experiment 1) and hidden balls back within \(Format.number(setup.physics.tolerance)) px (experiment 4). "
                  + "With its constants set by hand its step on `id` is the simulator's, so that row is the ceiling of its "
                  + "structure; what is left of its error there is perception's."),
            .table(["structured state model", "what changes", "pos. error (h \(h)), id", "pos. error (h \(h)), mean OOD"]
                    + memory.map { "back: \($0)" },
                   rows.map { r in
                       [r.label, r.change, Format.px(r.one("id")?.finalPositionError),
                        Format.px(mean(ood.compactMap { r.one($0)?.finalPositionError }))]
                           + memory.map { Format.percent(r.four($0)?.permanence) }
                   }),
        ]
    }
}

extension ReproduceReport {
    /// The state models' perception under camera noise: position error on `id` and hidden
    /// balls back, at each σ beside the clean frames of the columns above.
    func cameraNoiseBlocks(_ generators: [ReportGenerator]) -> [ReportBlock] {
        guard !cameraNoise.isEmpty else { return [] }
        let h = setup.frames1 - setup.context
        let memory = Self.memoryRows.map(\.0).filter(setup.scenarios4.contains)
        func row(_ name: String, _ camera: String, _ error: PhysicsSummary?, _ rows4: [ScenarioResult]) -> [String] {
            [name, camera, Format.px(error?.finalPositionError)]
                + memory.map { m in Format.percent(rows4.first { $0.scenario == m }?.model.permanence) }
        }
        var rows: [[String]] = []
        for g in generators where g.kind == .stateModel {
            rows.append(row(g.name, "σ = 0", scenario1("id").flatMap(g.experiment1), g.rows4))
            for n in cameraNoise where n.label == g.name { rows.append(row(n.label, n.change, n.experiment1["id"], n.experiment4)) }
        }
        // The structured law with its constants set by hand: its step is the simulator's, so
        // what it loses under noise is perception's, amplified by the world's own collisions.
        let handSet = "structured state model, " + Self.handSetLabel
        let handSetNoisy = cameraNoise.filter { $0.label == Self.handSetLabel }
        if !handSetNoisy.isEmpty {
            if let clean = ablations.first(where: { $0.label == Self.handSetLabel }) {
                rows.append(row(handSet, "σ = 0", clean.experiment1["id"], clean.experiment4))
            }
            rows += handSetNoisy.map { row(handSet, $0.change, $0.experiment1["id"], $0.experiment4) }
        }
        return [
            .heading("Perception under camera noise", level: 3),
            .text("The state models perceive their state in the frames they are given. Here every given frame is seen "
                  + "through a camera: a 3×3 blur, then Gaussian noise of standard deviation σ on each channel (intensities "
                  + "in [0, 1]), drawn from the clip's seed. Position error at horizon \(h) on `id` (experiment 1) and "
                  + "hidden balls back within \(Format.number(setup.physics.tolerance)) px (experiment 4), the same clips."
                  + (handSetNoisy.isEmpty ? "" : " The last rows are the structured law with its three constants set by "
                     + "hand, whose step is the simulator's: what it loses under noise is what perception's error costs "
                     + "once the world's collisions have amplified it, a floor for any law given the same perceived state.")),
            .table(["state model", "camera", "pos. error (h \(h)), id"] + memory.map { "back: \($0)" }, rows),
        ]
    }
}

// MARK: - What a state model buys

extension ReproduceReport {
    /// Where state model `g` wins against the video model of `generators` and where it does
    /// not, one sentence per measure, each decided by the numbers of this run.
    func findings(_ g: ReportGenerator, among generators: [ReportGenerator]) -> [ReportBlock] {
        guard let video = generators.first(where: { $0.kind == .videoModel }),
              let simulator = generators.first(where: { $0.kind == .simulator }) else { return [] }
        var wins: [String] = [], losses: [String] = []
        func compare(_ what: String, video v: Double?, state: Double?, simulator s: Double?, _ f: (Double?) -> String,
                     lowerIsBetter: Bool = true) {
            guard let v, let state else { return }
            let better = lowerIsBetter ? state < v : state > v
            let line = "\(what): \(f(state)) against the \(video.name)'s \(f(v)) (\(simulator.name) \(f(s)))."
            if better { wins.append(line) } else { losses.append(line) }
        }
        /// `value` of generator `x` over experiment 1's scenarios, averaged.
        func mean1(_ x: ReportGenerator, _ value: (PhysicsSummary) -> Double?) -> Double? {
            mean(experiment1.compactMap { x.experiment1($0).flatMap(value) })
        }
        let h = setup.frames1 - setup.context
        for r in experiment1 {
            guard let p = g.experiment1(r) else { continue }
            compare("Position error at horizon \(h), \(r.scenario)", video: video.experiment1(r)?.finalPositionError,
                    state: p.finalPositionError, simulator: simulator.experiment1(r)?.finalPositionError, Format.px)
        }
        if let r = scenario1("ood-gravity"), let p = g.experiment1(r) {
            compare("Implied-gravity error in ood-gravity (gravity it never saw)", video: video.experiment1(r)?.gravityError,
                    state: p.gravityError, simulator: simulator.experiment1(r)?.gravityError, Format.acceleration)
        }
        compare("Realism, mean of experiment 1's scenarios", video: mean1(video, \.realism), state: mean1(g, \.realism),
                simulator: mean1(simulator, \.realism), Format.percent, lowerIsBetter: false)
        compare("Energy drift in the last window, mean of experiment 1's scenarios", video: mean1(video, \.energyDrift),
                state: mean1(g, \.energyDrift), simulator: mean1(simulator, \.energyDrift), Format.percent)
        func lastSpread(_ x: ReportGenerator) -> Double? { mean(x.rows2.compactMap { $0.spread.last { $0 != nil } ?? nil }) }
        compare("Spread over \(setup.seeds2) seeds at the last horizon (mean of the samplers)", video: lastSpread(video),
                state: lastSpread(g), simulator: 0, Format.px)
        for (name, _) in Self.memoryRows {
            guard let p = g.rows4.first(where: { $0.scenario == name }) else { continue }
            let best = video.rows4.filter { $0.scenario == name }.compactMap(\.model.permanence).max()
            compare("Hidden balls back within \(Format.number(setup.physics.tolerance)) px in \(name) (the \(video.name)'s best stitching)",
                    video: best, state: p.model.permanence, simulator: p.simulator.permanence, Format.percent, lowerIsBetter: false)
        }
        if let slope = experiment3.forwardTimeSlope(.factorized) {
            compare("Log-log slope of time against frames", video: slope, state: g.cost?.slope, simulator: nil, Format.number)
        }
        var b: [ReportBlock] = [.heading("What a world state buys", level: 3)]
        b.append(.text("The \(g.header) against the \(video.name), measure by measure; each line is sorted by which "
                       + "of the two this run's numbers favour."))
        if !wins.isEmpty { b.append(.text("Where the \(g.name) wins: " + wins.joined(separator: " "))) }
        if !losses.isEmpty { b.append(.text("Where it does not: " + losses.joined(separator: " "))) }
        return b
    }
}

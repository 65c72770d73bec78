// Experiment 5 in the report: per depth scenario a table with one row per generator of depth
// clips (DepthRole), plots of apparent-size and 3D position error by horizon, the contact
// sheet of two balls crossing, the cells that hold by construction marked, and what a 3D
// state buys; and the experiment's rows of the headline.

import Foundation

/// A column of experiment 5's table whose cells may hold by construction.
enum DepthMeasure {
    case occlusion, real, stillSize
}

extension DepthRole {
    /// Why its cell of `measure` holds whatever it learned; nil where it is measured. A 3D
    /// state model of either kind draws its state through the camera with the rasterizer.
    /// Copy-last's realism is not marked: a frame the simulator drew can fail it later, when
    /// the truth no longer has the overlap it shows.
    func byConstruction(_ measure: DepthMeasure) -> ByConstruction? {
        switch (measure, self) {
        case (.occlusion, .videoModel): nil
        case (.occlusion, _): .farToNear
        case (.real, .structuredStateModel): .rasterized
        case (.stillSize, .copyLast), (.stillSize, .constantVelocity): .heldRadius
        default: nil
        }
    }
}

extension DepthScores {
    /// The mean of `m` at horizon `h` (1-based); nil when nothing was measured there.
    static func at(_ m: HorizonMean, _ h: Int) -> Double? {
        h >= 1 && h <= m.count.count && m.count[h - 1] > 0 ? m.mean[h - 1] : nil
    }
}

extension ReproduceReport {
    /// Experiment 5's horizons shown in tables: 1, 10 and the last.
    var depthHorizons: [Int] {
        let h = setup.depth5.horizon
        return [1, 10, h].filter { $0 <= h }.reduce(into: []) { if !$0.contains($1) { $0.append($1) } }
    }

    static func pxEq(_ v: Double?) -> String { v.map { String(format: "%.2f px-eq", $0) } ?? "–" }

    // MARK: - The headline's rows

    /// Experiment 5's rows of the headline: each cell "depth / depth-near" (the scenarios of
    /// the run, in order); a role the run lacks says why; the baselines in the measure.
    func depthHeadline() -> [HeadlineRow] {
        guard !experiment5.isEmpty else { return [] }
        let h = setup.depth5.horizon, names = experiment5.map(\.scenario).joined(separator: " / ")
        func row(_ claim: String, _ measure: String, _ value: @escaping (DepthScores) -> Double?,
                 _ format: (Double?) -> String, marked: DepthMeasure? = nil) -> HeadlineRow {
            /// The role's value in each scenario; its absence when it has none in any.
            func cell(_ role: DepthRole) -> String {
                let rows = experiment5.compactMap { $0[role] }
                if rows.allSatisfy({ $0.scores == nil }) { return rows.first?.absent ?? "–" }
                return rows.map { format($0.scores.flatMap(value)) }.joined(separator: " / ")
            }
            var values = Dictionary(uniqueKeysWithValues: GeneratorID.alwaysInHeadline.map { ($0, "–") })
            var marks: [GeneratorID: ByConstruction] = [:]
            for role in DepthRole.allCases {
                guard let id = role.headlineID else { continue }
                values[id] = cell(role)
                let measured = experiment5.contains { $0[role]?.scores != nil }
                if measured, let marked, let why = role.byConstruction(marked) { marks[id] = why }
            }
            let baselines = [DepthRole.copyLast, .constantVelocity].map { "\($0.name) \(cell($0))" }.joined(separator: "; ")
            return HeadlineRow(claim: claim, measure: "\(measure), \(names) (exp. 5; \(baselines))", values: values,
                               byConstruction: marks)
        }
        return [
            row("2.5D: a nearer ball covers a farther one", "overlaps with the larger disc on top", { $0.occlusion.share },
                OcclusionOrder.percent, marked: .occlusion),
            row("balls pass in front of each other", "passing pair events right", { $0.passThrough.share }, Format.percent),
            row("… and bounce off each other", "touching pair events right", { $0.bounce.share }, Format.percent),
            row("apparent size follows depth", "apparent-radius error at horizon \(h)", { DepthScores.at($0.sizeError, h) },
                Format.px),
            row("a 3D position persists", "3D position error at horizon \(h), read through depth from size",
                { DepthScores.at($0.positionError3D, h) }, Self.pxEq),
        ]
    }

    /// Below the headline: what experiment 5's rows set in each column.
    var depthHeadlineNote: ReportBlock? {
        guard let first = experiment5.first else { return nil }
        func held(_ role: DepthRole) -> String {
            first[role].map { $0.scores == nil ? ($0.absent ?? "–") : ($0.folder ?? "in this run") } ?? "–"
        }
        return .text("In experiment 5's rows (clips of a 3D box through a pinhole camera) each column holds the generator of "
                     + "depth clips of its kind: the video model's a \(DepthRole.videoModel.name) (\(held(.videoModel))), the "
                     + "generic state model's the \(DepthRole.genericStateModel.name) (\(held(.genericStateModel))), the "
                     + "structured state model's the \(DepthRole.structuredStateModel.name) (\(held(.structuredStateModel))); "
                     + "each cell is " + experiment5.map(\.scenario).joined(separator: " / ")
                     + ", and the measure gives the two baselines' numbers.")
    }

    // MARK: - The section

    func experiment5Blocks(_ pictures: [ClipPictures], files: inout ReportFiles) -> [ReportBlock] {
        guard !experiment5.isEmpty else { return [] }
        let c = setup.depth5, hs = depthHorizons
        let labels = hs.map { "h\($0)" }.joined(separator: " / ")
        var b: [ReportBlock] = [
            .heading("5. 2.5D, not 3D", level: 2),
            .text("A 3D box seen through a pinhole camera: a larger disc is a nearer ball, balls pass in front of each other "
                  + "at different depths and bounce off each other. \(setup.clips5) test clips per scenario (scene seeds from "
                  + "\(setup.firstSeed)), \(c.context) context frames from the simulator, \(c.horizon) generated; `depth` is "
                  + "the training distribution of the 3D models, `depth-near` the same box through a camera twice as close "
                  + "with a wider view (stronger perspective), out of distribution. Every generator's frames are read by the "
                  + "same tracker with the covered-disc fit and scored against the simulator's states of the same clip "
                  + "(docs/eval.md, \"Depth clips\"). Pass-through and bounce right: the generator draws the encounter and "
                  + "changes the pair's relative image velocity through it as the simulator does (within "
                  + "\(Format.number(c.velocityTolerance)) px/frame). Size error: |r − r_sim| of the balls found. 3D error "
                  + "through depth from size: each disc back-projected through the pinhole with the radius R read from the "
                  + "context, for every generator alike; of its state: a 3D state model's own states against the "
                  + "simulator's. Occlusion order: overlaps in which the larger disc is on top, the frame's own consistency."),
        ]
        if let row = experiment5.lazy.compactMap({ $0[.videoModel] }).first(where: { $0.clips != nil }), let n = row.clips {
            b.append(.text("The \(DepthRole.videoModel.name) samples every frame it makes (\(samplingText(row.sampling)), its "
                           + "windows stitched last-k): it is scored on the first \(n) of these clips."))
        }
        let present = DepthRole.allCases.filter { role in experiment5.contains { $0[role]?.scores != nil } }
        b.append(.text("Given and learned, row by row. " + present.map { role in
            "The \(role.name)" + (experiment5.first?[role]?.folder.map { " (\($0))" } ?? "") + " \(role.givenAndLearned)."
        }.joined(separator: " ")))
        var used = Set<ByConstruction>()
        for r in experiment5 {
            b.append(.heading("\(r.scenario)\(r.scenario == "depth" ? " (in distribution)" : " (out of distribution)")", level: 3))
            let rows = r.rows.map { row -> [String] in
                guard let s = row.scores else {
                    return [row.role.name, (row.absent ?? "not given") + (row.role.shippedFolder.map { " (\($0))" } ?? "")]
                        + Array(repeating: "—", count: 8)
                }
                func marked(_ text: String, _ measure: DepthMeasure) -> String {
                    guard text != "—", text != OcclusionOrder.noneDrawn, let why = row.role.byConstruction(measure) else { return text }
                    used.insert(why)
                    return text + " " + why.mark
                }
                func series(_ m: HorizonMean, _ format: String) -> String {
                    hs.map { h in DepthScores.at(m, h).map { String(format: format, $0) } ?? "–" }.joined(separator: " / ")
                }
                let own = row.stateError.map { e in hs.map { Format.number(e[$0 - 1]) }.joined(separator: " / ") } ?? "— (no 3D state)"
                return [row.role.name, s.passThrough.described, s.bounce.described, series(s.sizeError, "%.3f"),
                        marked(s.stillSizeChangeMean.map { String(format: "%.3f", $0) } ?? "—", .stillSize),
                        series(s.positionError3D, "%.2f"), own, marked(s.occlusion.described, .occlusion),
                        marked(Format.percent(s.realShare), .real), Format.percent(s.countRightShare)]
            }
            b.append(.table(["generator", "pass-through right", "bounce right", "size error \(labels) (px)",
                             "Δr, no motion in depth (px)", "3D error \(labels), depth from size (px-eq)",
                             "3D error \(labels), its state (px-eq)", "occlusion order", "real", "count right"], rows))
            if let row = r[.videoModel], let s = row.scores, let w = row.window {
                let first = s.shares(upTo: w)
                b.append(.text("The \(DepthRole.videoModel.name) in its first window (horizons 1–\(w), before any seam): "
                               + "\(Format.percent(first.real)) of frames real, \(Format.percent(first.countRight)) count right; "
                               + "over all \(c.horizon) generated frames \(Format.percent(s.realShare)) and "
                               + "\(Format.percent(s.countRightShare)); in the \(s.overlapFrames) of them where the simulator's "
                               + "discs overlap (a nearer ball covers a farther one) \(Format.percent(s.overlapShares.real)) and "
                               + "\(Format.percent(s.overlapShares.countRight)), the simulator's own frames there "
                               + "\(Format.percent(r[.simulator]?.scores?.overlapShares.real)) and "
                               + "\(Format.percent(r[.simulator]?.scores?.overlapShares.countRight))."))
            }
            if let sim = r[.simulator]?.scores {
                b.append(.text("\(sim.glancing) touching pairs were glancing (no bounce to tell from none) and are not judged; "
                               + "\(sim.passThrough.judged) passing and \(sim.bounce.judged) touching pair events were judged."))
            }
            let measured = r.rows.filter { $0.scores != nil }
            var error3D: [PlotSeries] = [], size: [PlotSeries] = []
            for (k, row) in measured.enumerated() {
                let s = row.scores!
                error3D.append(PlotSeries(row.role.name, values: (1...c.horizon).map { DepthScores.at(s.positionError3D, $0) }, color: k))
                if row.role != .simulator, let e = row.stateError {
                    error3D.append(PlotSeries("\(row.role.name), its state", values: e, dashed: true, color: k))
                }
                size.append(PlotSeries(row.role.name, values: (1...c.horizon).map { DepthScores.at(s.sizeError, $0) }, color: k))
            }
            b.append(plot(LinePlot(title: "3D position error vs horizon, \(r.scenario)", xLabel: "horizon (frames after the context)",
                                   yLabel: "px-equivalent", series: error3D), "exp5-\(r.scenario)-3d-error.svg",
                          "Experiment 5, \(r.scenario): 3D position error through depth from size (solid) and of a 3D state "
                          + "model's own states (dashed).", files: &files))
            b.append(plot(LinePlot(title: "Apparent-size error vs horizon, \(r.scenario)", xLabel: "horizon (frames after the context)",
                                   yLabel: "px", series: size), "exp5-\(r.scenario)-size-error.svg",
                          "Experiment 5, \(r.scenario): |r − r_sim| of the balls found.", files: &files))
            if let p = pictures.first(where: { $0.title == "\(r.scenario)-crossing" }), let seed = r.crossingSeed,
               let frames = r.crossingFrames {
                let (gif, sheet) = picture(p, name: "exp5-\(p.title)", every: 1, files: &files)
                let what = "\(r.scenario): two balls pass in front of each other (scene seed \(seed), frames \(frames[0])–\(frames[1]); "
                    + "generated from frame \(c.context))"
                b.append(.figure(gif, caption: what + ": " + p.labels.joined(separator: " | ") + ", left to right."))
                b.append(.figure(sheet, caption: what + "; rows " + p.labels.joined(separator: ", ") + "."))
            } else {
                b.append(.text("No contact sheet for \(r.scenario): none of its clips has two balls passing after the context."))
            }
        }
        let notes = ByConstruction.allCases.filter(used.contains).map { "\($0.mark) \($0.reason)." }
        if !notes.isEmpty { b.append(.text("Marked cells hold by construction: " + notes.joined(separator: " "))) }
        b += depthFindings()
        return b
    }

    // MARK: - What a 3D state buys

    /// What the generators without a 3D state get wrong, in and out of distribution, and what
    /// each 3D state model fixes: measure by measure against the best of them, decided by the
    /// numbers of this run.
    func depthFindings() -> [ReportBlock] {
        let h = setup.depth5.horizon
        typealias Measure = (name: String, value: (DepthScores) -> Double?, format: (Double?) -> String, higherIsBetter: Bool)
        let measures: [Measure] = [
            ("Pass-through right", { $0.passThrough.share }, Format.percent, true),
            ("Bounce right", { $0.bounce.share }, Format.percent, true),
            ("Occlusion order", { $0.occlusion.share }, OcclusionOrder.percent, true),
            ("Apparent-size error at horizon \(h)", { DepthScores.at($0.sizeError, h) }, Format.px, false),
            ("3D position error at horizon \(h) through depth from size", { DepthScores.at($0.positionError3D, h) }, Self.pxEq, false),
            ("Real frames", { $0.realShare }, Format.percent, true),
            ("Count right", { $0.countRightShare }, Format.percent, true),
        ]
        func place(_ scenario: String) -> String { scenario == "depth" ? "in distribution" : "out of distribution" }
        var b: [ReportBlock] = [.heading("What a 3D state buys", level: 3)]
        let video = experiment5.compactMap { r in r[.videoModel]?.scores.map { (r, $0) } }
        if video.isEmpty {
            let absent = experiment5.first?[.videoModel]?.absent ?? "not given"
            b.append(.text("No \(DepthRole.videoModel.name) is in this run (\(absent)), so its row is empty and the generators "
                           + "without a 3D state are the two baselines, copy-last and constant velocity."))
        } else {
            b.append(.text("The \(DepthRole.videoModel.name), against the simulator: " + video.map { r, s in
                "in \(r.scenario) (\(place(r.scenario))) " + measures.map { m in
                    "\(m.name.prefix(1).lowercased() + m.name.dropFirst()) \(m.format(m.value(s)))"
                        + (r[.simulator]?.scores.map { " (\(m.format(m.value($0))))" } ?? "")
                }.joined(separator: ", ")
            }.joined(separator: "; ") + "."))
        }
        for role in DepthRole.allCases where role.hasWorldState && role != .simulator {
            var wins: [String] = [], level: [String] = [], losses: [String] = []
            for r in experiment5 {
                guard let mine = r[role]?.scores else { continue }
                let flat = r.rows.filter { !$0.role.hasWorldState }.compactMap { row in row.scores.map { (row.role, $0) } }
                for m in measures {
                    guard let v = m.value(mine) else { continue }
                    // The best generator without a 3D state on this measure.
                    let rivals = flat.compactMap { role, s in m.value(s).map { (role, $0) } }
                    guard let best = (m.higherIsBetter ? rivals.max { $0.1 < $1.1 } : rivals.min { $0.1 < $1.1 }) else { continue }
                    let truth = r[.simulator]?.scores.flatMap(m.value)
                    let line = "\(m.name), \(r.scenario) (\(place(r.scenario))): \(m.format(v)) against \(best.0.name)'s "
                        + "\(m.format(best.1)) (simulator \(m.format(truth)))."
                    if v == best.1 {
                        level.append(line)
                    } else if m.higherIsBetter == (v > best.1) {
                        wins.append(line)
                    } else {
                        losses.append(line)
                    }
                }
            }
            guard !(wins + level + losses).isEmpty else { continue }
            b.append(.text("The \(role.name) against the best generator without a 3D state on each measure; each line is "
                           + "sorted by which of the two this run's numbers favour."))
            if !wins.isEmpty { b.append(.text("Where the \(role.name) is ahead: " + wins.joined(separator: " "))) }
            if !level.isEmpty {
                b.append(.text("Level (for the baselines and the state model, occlusion order holds by construction): "
                               + level.joined(separator: " ")))
            }
            if !losses.isEmpty { b.append(.text("Where it is behind: " + losses.joined(separator: " "))) }
        }
        return b
    }
}

// The quality-vs-training-time curve: one CSV row per evaluated checkpoint.
//
// A training run keeps one checkpoint folder and overwrites it every `checkpointEvery`
// steps, so a curve needs snapshots of it: `vidgen train --snapshot-every N` leaves the EMA
// weights and config of every Nth step in RUN/snapshots/step-N (a copy of a checkpoint's
// model.safetensors, config.json and train-log.csv made by hand works too). Evaluate the
// snapshots afterwards, or while training is paused, so that evaluation does not steal the
// cores the training minutes are measured on. `vidgen eval --checkpoint A --checkpoint B …
// --csv curve.csv` appends one row per snapshot.
//
// Per checkpoint: `step` from model.safetensors' metadata; `seconds` and `loss` from the
// train-log.csv row of that step — the folder's own log, or for RUN/snapshots/step-N the
// run's — falling back to train-state.safetensors' `seconds`; the loss is one batch's, so
// the mean of the last 50 logged steps is given beside it.

import Foundation
import Tensor

/// Where a checkpoint stands in its training run.
public struct CheckpointInfo: Codable, Equatable, Sendable {
    /// The checkpoint folder.
    public var path: String
    /// Optimizer steps behind the model weights.
    public var step: Int?
    /// Training wall time up to `step`, seconds (the trainer's own clock).
    public var seconds: Double?
    /// The logged loss at `step` (one batch).
    public var loss: Double?
    /// The mean logged loss over the 50 steps up to `step`.
    public var lossMean50: Double?

    /// Reads what the folder says about itself; missing pieces stay nil.
    public init(folder dir: String) {
        path = dir
        let folder = CheckpointFolder(dir)
        step = folder.metadata(CheckpointFolder.modelFile)?["step"].flatMap { Int($0) }
        // A snapshot (RUN/snapshots/step-N, `train --snapshot-every`) has no log of its own;
        // its run's log covers it.
        var log = folder.logRows()
        if log.isEmpty, let run = folder.run { log = run.logRows() }
        if let step {
            let upTo = log.filter { $0.step <= step }
            if let row = upTo.last, row.step == step {
                seconds = row.seconds
                loss = row.loss
            }
            let window = upTo.filter { $0.step > step - 50 }
            if !window.isEmpty { lossMean50 = window.map(\.loss).reduce(0, +) / Double(window.count) }
        }
        if seconds == nil, let s = folder.metadata(CheckpointFolder.stateFile)?["seconds"].flatMap({ Double($0) }) {
            seconds = s
        }
    }
}

/// Appends rows to the curve CSV.
public enum TrainingCurve {
    public static let header = "checkpoint,step,minutes,loss,loss_mean50,scenario,clips,frames,stitch,sampler,steps,handoff,"
        + "real,count_correct,mean_error,median_error,miss_rate,penalized_error,realism,"
        + "worst_window_real,worst_window_count,gravity_y,"
        + "copy_last_count,copy_last_error,const_vel_count,const_vel_error"

    /// One row: the checkpoint, the model's scores and the baselines' on the same clips.
    /// For one window per clip, `frames` is the window and the window columns are empty.
    public static func row(_ model: ModelQuality, in report: WindowQualityReport) -> String {
        func num(_ x: Double?, _ digits: Int = 4) -> String { x.map { String(format: "%.\(digits)f", $0) } ?? "" }
        let (info, r, config) = (model.checkpoint, model.result, report.config)
        let name = info.path.contains(",") ? "\"\(info.path)\"" : info.path
        let windows = r.byWindow ?? []
        return [name, info.step.map(String.init) ?? "", num(info.seconds.map { $0 / 60 }, 2), num(info.loss, 6),
                num(info.lossMean50, 6), config.scenario, String(config.clips), String(config.clipFrames),
                config.long?.stitch.rawValue ?? "", model.sampling?.sampler.rawValue ?? "state", model.sampling.map { String($0.steps) } ?? "",
                num(model.sampling?.handoff, 3),
                num(r.all.real), num(r.all.countCorrect), num(r.all.meanError), num(r.all.medianError),
                num(r.all.missRate), num(r.all.penalizedError), num(r.all.realism),
                num(windows.map(\.stats.real).min()), num(windows.map(\.stats.countCorrect).min()),
                num(r.physics?.impliedGravity?[1]),
                num(report.copyLast.all.countCorrect), num(report.copyLast.all.meanError),
                num(report.constantVelocity.all.countCorrect), num(report.constantVelocity.all.meanError)].joined(separator: ",")
    }

    /// Appends `rows` to the CSV at `path` (writing the header first if the file is new or
    /// empty) by rewriting it atomically. A file with another header is an error.
    public static func append(_ rows: [String], to path: String) throws {
        var text = try existing(path)
        if text.isEmpty {
            text = header + "\n"
        } else if !text.hasSuffix("\n") {
            text += "\n"
        }
        text += rows.map { $0 + "\n" }.joined()
        try AtomicFile.write(Array(text.utf8), to: path)
    }

    /// Throws unless rows can be appended to `path` — call it before the work.
    public static func check(_ path: String) throws {
        try AtomicFile.checkFolder(of: path)
        _ = try existing(path)
    }

    /// The file's text ("" when missing), which must start with `header` when not empty.
    static func existing(_ path: String) throws -> String {
        guard FileManager.default.fileExists(atPath: path) else { return "" }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw VidgenError("cannot read \(path) to append to it")
        }
        if !text.isEmpty && text.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) != header {
            throw VidgenError("\(path) is not a vidgen eval curve (its first line differs); choose another --csv file")
        }
        return text
    }
}

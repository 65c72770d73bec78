// A whole training run into a checkpoint folder: resume or start, step, log, checkpoint.

import Checkpoints
import Diffusion
import Foundation
import Tensor

/// How a run reports itself while it goes.
public struct TrainingObserver {
    /// One line for people ("resuming from step 400", "checkpoint at step 600").
    public var note: (String) -> Void = { _ in }
    /// After every step.
    public var step: (StepStats, _ trainer: Trainer) -> Void = { _, _ in }
    /// Checked at every step boundary; true stops the run after a checkpoint.
    public var shouldStop: () -> Bool = { false }

    public init(note: @escaping (String) -> Void = { _ in },
                step: @escaping (StepStats, Trainer) -> Void = { _, _ in },
                shouldStop: @escaping () -> Bool = { false }) {
        self.note = note
        self.step = step
        self.shouldStop = shouldStop
    }
}

public enum TrainingRun {
    /// Trains `config` into `dir`. With `resume`, continues the checkpoint in `dir` if
    /// there is one (its saved config wins; `steps`, if given, may extend the run).
    /// Without it, refuses a folder that already holds a checkpoint. With `snapshotEvery`,
    /// every multiple of it also leaves a sampling copy in `dir/snapshots/step-N`
    /// (Trainer.saveSnapshot), with the run's sampling.json if it has one. A latent config
    /// starts from the trained `codec` (a resumed run has its own copy). A run that starts
    /// anew with `from` takes that checkpoint's weights (Trainer.startingFrom).
    ///
    /// The writer locks `dir` (CheckpointFolder.lock) before it reads the folder, and holds
    /// it until the run returns: a second run into a folder that a live one is writing is
    /// refused, naming the other's pid, and changes nothing.
    ///
    /// With `parallel`, this process is one rank of a data-parallel run: every rank sets up
    /// the same trainer (checked), trains on its share of each batch, and only rank 0
    /// writes files (and takes the lock); a stop asked for on any rank stops all of them
    /// after the same step.
    @discardableResult
    public static func run(
        _ config: TrainConfig, into dir: String, resume: Bool, steps: Int? = nil, checkpointEvery: Int? = nil,
        snapshotEvery: Int? = nil, codec: FrameAutoencoder? = nil, from: String? = nil,
        observer: TrainingObserver = TrainingObserver(), parallel: DataParallel? = nil
    ) throws -> Trainer {
        let writer = parallel?.isWriter ?? true
        var lock: FolderLock?
        defer { withExtendedLifetime(lock) {} }
        func setUp() throws -> Trainer {
            if writer { lock = try CheckpointFolder(dir).lock() }
            var trainer = try start(config, into: dir, resume: resume, steps: steps, checkpointEvery: checkpointEvery,
                                    codec: codec, from: from, observer: observer)
            if let parallel {
                try parallel.checkShare(of: trainer.config.batchSize)
                trainer.parallel = parallel
                parallel.stopRequested = observer.shouldStop
            }
            return trainer
        }
        var trainer: Trainer
        do {
            trainer = try parallel?.together(setUp) ?? setUp()
            try parallel?.agree(on: trainer)
        } catch {
            // A run refused before its first step leaves no lock file or folder of its own.
            lock?.abandon()
            throw error
        }
        let folder = CheckpointFolder(dir)
        if writer { try folder.keepLog(through: trainer.step) }
        // Rows wait for the next save, so that the log never runs ahead of the checkpoint.
        var rows: [String] = []
        let total = trainer.config.steps
        var lastSave = trainer.step
        func save() throws {
            try trainer.save(to: dir)
            try folder.appendLog(rows)
            rows = []
        }
        while trainer.step < total {
            let t0 = Stopwatch.now()
            let stats = try trainer.trainStep()
            trainer.seconds += Stopwatch.now() - t0
            if writer {
                rows.append(CheckpointFolder.logRow(step: stats.step, loss: Double(stats.loss), learningRate: stats.learningRate,
                                                    gradNorm: stats.gradNorm, seconds: trainer.seconds))
            }
            observer.step(stats, trainer)
            if writer, let snapshotEvery, trainer.step % snapshotEvery == 0 {
                let snapshot = folder.snapshot(step: trainer.step)
                try trainer.saveSnapshot(to: snapshot.path)
                // A snapshot is sampled the way its run is.
                if folder.has(CheckpointFolder.samplingFile) { try snapshot.writeSampling(try folder.sampling()) }
            }
            let stopping = parallel?.stopAgreed ?? observer.shouldStop()
            if trainer.step % trainer.config.checkpointEvery == 0 || trainer.step == total || stopping {
                if writer { try save() }
                lastSave = trainer.step
                observer.note("checkpoint at step \(trainer.step)")
            }
            if stopping {
                observer.note("stopped at step \(trainer.step); continue with --resume")
                break
            }
        }
        if writer && lastSave != trainer.step { try save() }
        return trainer
    }

    /// Refuses to resume the checkpoint in `dir` with a `config` that differs from its own in
    /// anything but what a resume may change (TrainConfig.replanned). No checkpoint: nothing to check.
    public static func checkResumable(_ config: TrainConfig, in dir: String) throws {
        guard let saved = try? CheckpointFolder(dir).trainConfig() else { return }
        if config.replanned(steps: saved.steps, checkpointEvery: saved.checkpointEvery) != saved {
            throw VidgenError("--config/--seed differ from the checkpoint's config in \(dir); drop them to resume")
        }
    }

    /// The frame autoencoder a run starts from: the codec folder `autoencoder`'s (an older one
    /// has its latent range measured for the run, and `note` is told so), else, for a latent
    /// run, that of the checkpoint it starts `from`; nil when there is neither.
    public static func codec(autoencoder: String?, from: String?, latent: Bool,
                             note: (String) -> Void = { _ in }) throws -> FrameAutoencoder? {
        if let autoencoder { return try CheckpointFolder(autoencoder).autoencoder(note: note).0 }
        guard let from, latent else { return nil }
        let folder = CheckpointFolder(from)
        return try folder.codec(for: folder.trainConfig())
    }

    /// The trainer a run starts from: the checkpoint in `dir` when resuming one, or a fresh one.
    static func start(
        _ config: TrainConfig, into dir: String, resume: Bool, steps: Int?, checkpointEvery: Int?,
        codec: FrameAutoencoder?, from: String? = nil, observer: TrainingObserver
    ) throws -> Trainer {
        var trainer: Trainer
        if resume, let resumed = try Trainer.resume(from: dir) {
            trainer = try resumed.replanned(steps: steps, checkpointEvery: checkpointEvery)
            if trainer.step > trainer.config.steps {
                throw VidgenError("\(dir) is at step \(trainer.step), past --steps \(trainer.config.steps)")
            }
            observer.note("resuming \(dir) at step \(trainer.step) of \(trainer.config.steps)")
        } else {
            if !resume && CheckpointFolder(dir).hasTrainState {
                throw VidgenError("\(dir) already holds a checkpoint; pass --resume to continue it or choose another --out")
            }
            if resume { observer.note("no checkpoint in \(dir): starting from scratch") }
            trainer = try Trainer(config.replanned(steps: steps, checkpointEvery: checkpointEvery), codec: codec)
            if let from {
                trainer = try trainer.startingFrom(from)
                observer.note("starting from the weights in \(from)")
            }
        }
        return trainer
    }
}

// `vidgen train --model state`'s job: which kind of state model a run trains, the rules of
// starting or resuming one in a checkpoint folder, and the run itself. The training loop is
// Dynamics' DynamicsTrainer; what a folder holds is read by the Checkpoints module.

import Checkpoints
import Dynamics
import Tensor

/// A state model's training run into a checkpoint folder.
public enum StateTraining {
    /// How a run reports itself while it goes.
    public struct Observer {
        /// One line for people ("resuming DIR at step 400 of 1000").
        public var note: (String) -> Void
        /// Once the run is set up: the kind it trains, the step it starts at and its steps.
        public var started: (_ kind: StateModelKind, _ step: Int, _ steps: Int) -> Void
        /// After every step.
        public var step: (DynamicsProgress) -> Void
        /// Checked at every step; true stops the run after a checkpoint.
        public var shouldStop: () -> Bool
        /// Seconds, for the log's training time.
        public var clock: () -> Double

        public init(note: @escaping (String) -> Void = { _ in },
                    started: @escaping (StateModelKind, Int, Int) -> Void = { _, _, _ in },
                    step: @escaping (DynamicsProgress) -> Void = { _ in },
                    shouldStop: @escaping () -> Bool = { false }, clock: @escaping () -> Double = { 0 }) {
            (self.note, self.started, self.step, self.shouldStop, self.clock) = (note, started, step, shouldStop, clock)
        }
    }

    /// Trains a state model into `folder`: with `resume` and a checkpoint there, that
    /// checkpoint, of the kind its format tag names (`config`, if given, must name the same
    /// kind); otherwise a fresh run of the kind `config` names (a preset or a JSON file; the
    /// default structured preset when nil). `seed` replaces the config's; `steps` and
    /// `checkpointEvery` the run's (DynamicsTrainer.start has the rules). Errors in what the
    /// run is asked for (the kind, the config) are input errors (VidgenError.input). Returns
    /// the steps done and the training seconds.
    public static func run(config: String?, seed: UInt64?, steps: Int?, checkpointEvery: Int?, into folder: String,
                           resume: Bool, observer: Observer = Observer()) throws -> (step: Int, seconds: Double) {
        let checkpoint = CheckpointFolder(folder)
        let resuming = resume && checkpoint.hasTrainState
        // A folder another process is writing is refused for that first, before its kind is
        // read; the run takes the lock for good when it starts.
        if resuming { _ = try checkpoint.lock() }
        let kind = try VidgenError.input { () throws -> StateModelKind in
            guard resuming else { return try StateModelKind.of(config: config ?? DynamicsConfig.defaultPreset) }
            let kind = try checkpoint.stateModelKind()
            if let config, try StateModelKind.of(config: config) != kind {
                throw VidgenError("--config '\(config)' is not a \(kind.name)'s, and \(folder) holds one; drop it to resume")
            }
            return kind
        }
        switch kind {
        case .structured:
            return try run(DynamicsConfig.self, config: config, seed: seed, steps: steps, checkpointEvery: checkpointEvery,
                           into: folder, resume: resume, observer: observer)
        case .generic:
            return try run(GenericStateConfig.self, config: config, seed: seed, steps: steps, checkpointEvery: checkpointEvery,
                           into: folder, resume: resume, observer: observer)
        }
    }

    /// `run` for a state model of `Config`'s kind.
    static func run<Config: StateTrainingConfig>(_: Config.Type, config: String?, seed: UInt64?, steps: Int?,
                                                  checkpointEvery: Int?, into folder: String, resume: Bool,
                                                  observer: Observer) throws -> (step: Int, seconds: Double) {
        var mine: Config?
        if config != nil || seed != nil {
            mine = try VidgenError.input { try Config.resolve(config ?? Config.defaultPreset) }
            if let seed { mine?.seed = seed }
        }
        var trainer = try DynamicsTrainer<Config>.start(mine, folder: folder, resume: resume, steps: steps,
                                                        checkpointEvery: checkpointEvery, note: observer.note)
        observer.started(Config.kind, trainer.step, trainer.config.steps)
        try trainer.train(clock: observer.clock, shouldStop: observer.shouldStop, progress: observer.step)
        return (trainer.step, trainer.seconds)
    }
}

extension StateTraining {
    /// The 3D presets of both kinds, in the order messages list them.
    public static var presetNames3D: [String] { StateConfig3D.presetNames + GenericStateConfig3D.presetNames }

    /// Trains a state model in 3D on clips of depth scenario `scenario` into `folder` in one go
    /// (StateTrainer3D; there is no resume): of the kind and recipe the preset `config` names —
    /// `tiny` or `default` (when nil) the structured law, `generic` or `generic-tiny` the
    /// generic one — `seed` and `steps` replacing its own. The folder is locked first and must
    /// hold no checkpoint. Errors in what the run is asked for are input errors. Returns the
    /// steps done, the training seconds and the learned law.
    public static func run3D(scenario: String, config: String?, seed: UInt64?, steps: Int?, into folder: String,
                             observer: Observer = Observer()) throws -> (step: Int, seconds: Double, law: StateLaw3D) {
        let name = config ?? "default"
        if let c = StateConfig3D.preset(name) {
            return try run3D(c, scenario: scenario, seed: seed, steps: steps, into: folder, observer: observer)
        }
        if let c = GenericStateConfig3D.preset(name) {
            return try run3D(c, scenario: scenario, seed: seed, steps: steps, into: folder, observer: observer)
        }
        throw VidgenError.input("--config '\(name)': a 3D state model takes a preset (\(presetNames3D.joined(separator: ", ")))")
    }

    /// `run3D` for preset `preset`'s kind.
    static func run3D<Config: StateTrainingConfig3D>(_ preset: Config, scenario: String, seed: UInt64?, steps: Int?,
                                                     into folder: String, observer: Observer)
        throws -> (step: Int, seconds: Double, law: StateLaw3D) {
        var c = preset
        c.scenario = scenario
        if let seed { c.seed = seed }
        if let steps { c.steps = steps }
        var trainer = try VidgenError.input { try StateTrainer3D(config: c) }
        let checkpoint = CheckpointFolder(folder)
        let lock = try checkpoint.lock()
        if checkpoint.hasTrainState {
            lock.abandon()
            throw VidgenError.input("\(folder) already holds a checkpoint; choose another --out")
        }
        observer.started(Config.kind, 0, c.steps)
        try trainer.train(clock: observer.clock, progress: observer.step)
        try trainer.save(folder: folder)
        withExtendedLifetime(lock) {}
        return (trainer.step, trainer.seconds, trainer.law)
    }
}

extension DynamicsTrainer {
    /// The run `vidgen train --model state` trains: with `resume` and a checkpoint in
    /// `folder`, that checkpoint, whose config `config` (if given) must be but for `steps`
    /// and `checkpointEvery`; otherwise a fresh run of `config` (the default preset if nil),
    /// refused if `folder` already holds a checkpoint. `steps` and `checkpointEvery`, when
    /// given, replace the config's. `folder` is locked first (CheckpointFolder.lock) and
    /// stays locked while the trainer lives: a folder another process is writing is
    /// refused, naming its pid, before anything is read or written.
    public static func start(_ config: Config?, folder: String, resume: Bool, steps: Int? = nil,
                             checkpointEvery: Int? = nil, note: (String) -> Void = { _ in }) throws -> DynamicsTrainer {
        let lock = try CheckpointFolder(folder).lock()
        do {
            var trainer = try begin(config, folder: folder, resume: resume, steps: steps, checkpointEvery: checkpointEvery,
                                    note: note)
            trainer.lock = lock
            return trainer
        } catch {
            lock.abandon()
            throw error
        }
    }

    /// `start`'s work once the folder is locked.
    private static func begin(_ config: Config?, folder: String, resume: Bool, steps: Int?, checkpointEvery: Int?,
                              note: (String) -> Void) throws -> DynamicsTrainer {
        let checkpoint = CheckpointFolder(folder)
        if resume && checkpoint.hasTrainState {
            let saved = try checkpoint.stateConfig(Config.self)
            if var mine = config {
                (mine.steps, mine.checkpointEvery) = (saved.steps, saved.checkpointEvery)
                if mine != saved {
                    throw VidgenError("--config/--seed differ from the checkpoint's config in \(folder); drop them to resume")
                }
            }
            let trainer = try Self.resume(saved, folder: folder, steps: steps, checkpointEvery: checkpointEvery)
            note("resuming \(folder) at step \(trainer.step) of \(trainer.config.steps)")
            return trainer
        }
        if checkpoint.hasTrainState {
            throw VidgenError("\(folder) already holds a checkpoint; pass --resume to continue it or choose another --out")
        }
        if resume { note("no checkpoint in \(folder): starting from scratch") }
        var c = try config ?? Config.resolve(Config.defaultPreset)
        if let steps { c.steps = steps }
        if let checkpointEvery { c.checkpointEvery = checkpointEvery }
        if let problem = c.validationError() { throw VidgenError(problem) }
        return try DynamicsTrainer(config: c, folder: folder)
    }
}

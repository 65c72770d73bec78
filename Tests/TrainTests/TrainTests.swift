import Foundation
import XCTest
@testable import Diffusion
@testable import Checkpoints
@testable import Tensor
@testable import Train

final class TrainTests: XCTestCase {
    func tmp(_ name: String) -> String {
        let dir = NSTemporaryDirectory() + "vidgen-train-\(name)-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        return dir
    }

    func testTinyOverfitsOneBatch() throws {
        var c = TrainConfig.tiny
        c.steps = 300
        c.warmupSteps = 10
        c.minLRFraction = 1
        var trainer = try Trainer(c)
        let batch = try trainer.stream.batch(step: 0)
        let first = try trainer.trainStep(on: batch).loss
        var last = first
        for _ in 1..<c.steps { last = try trainer.trainStep(on: batch).loss }
        XCTAssertLessThan(last, first / 10, "loss \(first) → \(last)")
    }

    func testNonFiniteLossStopsNamingTheStep() throws {
        var trainer = try Trainer(.tiny)
        _ = try trainer.trainStep()
        var batch = try trainer.stream.batch(step: 1)
        batch.clips.withUnsafeMutableBufferPointer { $0[0] = .nan }
        XCTAssertThrowsError(try trainer.trainStep(on: batch)) { e in
            XCTAssert("\(e)".contains("non-finite loss at step 2"), "\(e)")
        }
        XCTAssertEqual(trainer.step, 1, "a failed step changes nothing")
    }

    func testBatchesDependOnStepOnly() throws {
        let stream = try ClipStream(.tiny)
        let a = try stream.batch(step: 7), b = try stream.batch(step: 7), c = try stream.batch(step: 8)
        XCTAssertEqual(a.clips.values, b.clips.values)
        XCTAssertEqual(a.noise.values, b.noise.values)
        XCTAssertEqual(a.t, b.t)
        XCTAssertNotEqual(a.clips.values, c.clips.values)
        // Context frames lie in the configured range; pixels in [-1, 1].
        for i in 0..<TrainConfig.tiny.batchSize {
            let ctx = a.mask[(i * 4)..<(i * 4 + 4)].reduce(0, +)
            XCTAssert((1...3).contains(Int(ctx)))
        }
        XCTAssertLessThanOrEqual(a.clips.values.map(abs).max()!, 1)
    }

    /// With a frame lag, levels come per frame: 0 on the context (which now includes the
    /// generated frames the ramp has already finished), rising along the window, never above 1.
    func testStaggeredBatchesRampAlongTheWindow() throws {
        var config = TrainConfig.tiny
        config.model.frameLag = 0.4
        config.batchSize = 32
        let stream = try ClipStream(config)
        let frames = config.model.frames
        var joined = 0
        for step in 0..<4 {
            let batch = try stream.batch(step: step)
            XCTAssertEqual(batch.t.count, config.batchSize * frames)
            for i in 0..<config.batchSize {
                let t = Array(batch.t[(i * frames)..<((i + 1) * frames)])
                let mask = Array(batch.mask[(i * frames)..<((i + 1) * frames)])
                XCTAssertEqual(mask.first, 1, "the first frame is always context")
                XCTAssertEqual(mask.last, 0, "the last frame is always generated")
                for f in 0..<frames {
                    XCTAssertEqual(mask[f] == 1, t[f] == 0, "clip \(i) frame \(f): context exactly where t = 0")
                    if f > 0 { XCTAssertGreaterThanOrEqual(t[f], t[f - 1]) }
                    XCTAssertLessThanOrEqual(t[f], 1)
                }
                if Int(mask.reduce(0, +)) > config.contextMax { joined += 1 }
            }
        }
        XCTAssertGreaterThan(joined, 0, "some clips have finished generated frames beyond the context")
    }

    /// Without `lossOnWaitingFrames` the loss covers exactly the frames on the move
    /// (0 < t < 1); with it, every frame that is not context.
    func testWaitingFramesLeaveTheLoss() throws {
        var config = TrainConfig.tiny
        config.batchSize = 32
        XCTAssertFalse(config.lossOnWaitingFrames)
        let batch = try ClipStream(config).batch(step: 3)
        let lossMask = try XCTUnwrap(batch.lossMask)
        for (i, t) in batch.t.enumerated() { XCTAssertEqual(lossMask[i] == 1, t > 0 && t < 1, "frame \(i) at t = \(t)") }
        XCTAssert(batch.t.contains(1), "some frames wait at t = 1")
        config.lossOnWaitingFrames = true
        XCTAssertNil(try ClipStream(config).batch(step: 3).lossMask)
    }

    /// Context noise gives each clip one level in [0, contextNoise]: on its finished frames
    /// always, on its given context in about `noisedContextShare` of the clips; it changes
    /// nothing else about the batch (clips, masks, noise, generated frames' levels).
    func testContextNoiseLevelsOnlyTheContext() throws {
        var config = TrainConfig.tiny
        config.batchSize = 64
        let plain = try ClipStream(config).batch(step: 5)
        config.contextNoise = 0.3
        config.noisedContextShare = 0.5
        let noisy = try ClipStream(config).batch(step: 5)
        XCTAssertEqual(noisy.clips.values, plain.clips.values)
        XCTAssertEqual(noisy.noise.values, plain.noise.values)
        XCTAssertEqual(noisy.mask, plain.mask)
        XCTAssertEqual(noisy.lossMask, plain.lossMask)
        let frames = config.model.frames
        var seams = 0
        for i in 0..<config.batchSize {
            let row = (0..<frames).map { i * frames + $0 }
            let levels = Set(row.filter { noisy.mask[$0] == 1 }.map { noisy.t[$0] }.filter { $0 > 0 })
            XCTAssertLessThanOrEqual(levels.count, 1, "clip \(i): one level for all its context")
            if let level = levels.first { XCTAssertLessThanOrEqual(level, 0.3) }
            for f in row where plain.mask[f] == 0 { XCTAssertEqual(noisy.t[f], plain.t[f], "frame \(f)") }
            let given = row.prefix(noisy.context[i])
            let finished = row.dropFirst(noisy.context[i]).filter { noisy.mask[$0] == 1 }
            for f in finished { XCTAssertGreaterThan(noisy.t[f], 0, "finished frame \(f) is noised") }
            let givenNoised = given.filter { noisy.t[$0] > 0 }.count
            XCTAssert(givenNoised == 0 || givenNoised == given.count, "clip \(i): all of its given context or none")
            if givenNoised > 0 { seams += 1 }
        }
        XCTAssert((16...48).contains(seams), "\(seams) of 64 clips with a noised given context")
        config.noisedContextShare = 0
        let firstWindows = try ClipStream(config).batch(step: 5)
        for i in 0..<config.batchSize {
            for f in 0..<firstWindows.context[i] { XCTAssertEqual(firstWindows.t[i * frames + f], 0) }
        }
        // The noised input: a raised context frame is α·x₀ + σ·ε at its level, a clean one is x₀.
        let schedule = config.model.schedule
        let input = schedule.noised(noisy.clips, t: noisy.t, mask: noisy.mask, noise: noisy.noise).input
        let per = noisy.clips.count / noisy.t.count
        for f in 0..<noisy.t.count where noisy.mask[f] == 1 {
            let (a, s) = schedule.alphaSigma(Double(noisy.t[f]))
            let j = f * per + 7
            let expected = noisy.t[f] > 0 ? Float(a) * noisy.clips.values[j] + Float(s) * noisy.noise.values[j] : noisy.clips.values[j]
            XCTAssertEqual(input.values[j], expected, accuracy: 1e-6, "frame \(f)")
        }
    }

    /// Context noise needs staggered frames and a level range in 0...0.5.
    func testContextNoiseConfig() {
        var config = TrainConfig.tiny
        config.contextNoise = 0.3
        XCTAssertNil(config.validationError())
        config.contextNoise = 0.8
        XCTAssertEqual(config.validationError(), "contextNoise must be in 0...0.5, got 0.8")
        config.contextNoise = 0.3
        config.noisedContextShare = 1.5
        XCTAssertEqual(config.validationError(), "noisedContextShare must be in [0, 1], got 1.5")
        config.noisedContextShare = 0.5
        config.model.frameLag = 0
        XCTAssertEqual(config.validationError(), "contextNoise needs staggered frames (model.frameLag > 0)")
    }

    /// The presets train what their comments say: the default's schedule shift and frame
    /// lag, mirrored by tiny and small; the reference architecture stays the speed workload.
    func testPresetsShareTheRecipe() {
        let d = TrainConfig.default
        XCTAssertEqual(d.model.noiseShift, 4)
        XCTAssertEqual(d.model.frameLag, 0.5)
        XCTAssertFalse(d.lossOnWaitingFrames)
        for p in [TrainConfig.tiny, .small] {
            XCTAssertEqual(p.model.noiseShift, d.model.noiseShift, p.preset)
            XCTAssertEqual(p.model.frameLag, d.model.frameLag, p.preset)
        }
        var architecture = d.model
        (architecture.noiseShift, architecture.frameLag) = (1, 0)
        XCTAssertEqual(architecture, ModelConfig.reference)
    }

    /// A run stopped half way and resumed ends with exactly the bytes of one that ran through.
    func testResumeIsBitIdentical() throws {
        var c = TrainConfig.tiny
        c.steps = 40
        c.checkpointEvery = 15
        let straight = tmp("straight"), split = tmp("split")
        try TrainingRun.run(c, into: straight, resume: false)
        var stopAt = 22
        try TrainingRun.run(c, into: split, resume: false,
                            observer: TrainingObserver(shouldStop: { stopAt -= 1; return stopAt == 0 }))
        let mid = try Trainer.resume(from: split)
        XCTAssertEqual(mid?.step, 22)
        try TrainingRun.run(c, into: split, resume: true)
        let a = FileManager.default.contents(atPath: straight + "/model.safetensors")
        let b = FileManager.default.contents(atPath: split + "/model.safetensors")
        XCTAssertNotNil(a)
        XCTAssertEqual(a, b)
        let log = try String(contentsOfFile: split + "/train-log.csv", encoding: .utf8)
        XCTAssertEqual(log.split(separator: "\n").count, 41, "header + one row per step, no duplicates")
    }

    func testRefusesToOverwriteACheckpoint() throws {
        var c = TrainConfig.tiny
        c.steps = 2
        let dir = tmp("twice")
        try TrainingRun.run(c, into: dir, resume: false)
        XCTAssertThrowsError(try TrainingRun.run(c, into: dir, resume: false)) { e in
            XCTAssert("\(e)".contains("--resume"), "\(e)")
        }
        // A resume with fewer --steps than the checkpoint has is refused, not a silent no-op.
        XCTAssertThrowsError(try TrainingRun.run(c, into: dir, resume: true, steps: 1)) { e in
            XCTAssert("\(e)".contains("is at step 2, past --steps 1"), "\(e)")
        }
    }

    /// A config.json written before the schedule shift and staggered frames existed keeps
    /// the values it was trained with, not the default preset's newer ones; a config file
    /// given to --config still takes the preset's.
    func testOldCheckpointConfigsKeepTheirSchedule() throws {
        let dir = tmp("legacy")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let old = #"{"preset": "default", "noisePower": 0.7, "model": {"width": 128}}"#
        try Data(old.utf8).write(to: URL(fileURLWithPath: dir + "/config.json"))
        let loaded = try CheckpointFolder(dir).trainConfig()
        XCTAssertEqual(loaded.model.noiseShift, 1)
        XCTAssertEqual(loaded.model.frameLag, 0)
        XCTAssertEqual(loaded.lossOnWaitingFrames, true)
        XCTAssertEqual(loaded.noisePower, 0.7)
        XCTAssertNotEqual(TrainConfig.default.model.frameLag, 0, "the preset has moved on")
        let file = dir + "/override.json"
        try Data(#"{"model": {"width": 64, "heads": 2}}"#.utf8).write(to: URL(fileURLWithPath: file))
        XCTAssertEqual(try TrainConfig.resolve(file).model.frameLag, TrainConfig.default.model.frameLag)
    }

    func testSavedModelLoadsAndMismatchesAreNamed() throws {
        var c = TrainConfig.tiny
        c.steps = 3
        let dir = tmp("load")
        let trainer = try TrainingRun.run(c, into: dir, resume: false)
        let (model, config) = try CheckpointFolder(dir).videoModel()
        XCTAssertEqual(config, trainer.config)
        XCTAssertEqual(model.namedParameters.map(\.value.values), trainer.emaModel.namedParameters.map(\.value.values))
        // A config that does not match the weights.
        var wrong = c
        wrong.model.width = 96
        try wrong.encoded().write(to: URL(fileURLWithPath: dir + "/config.json"))
        XCTAssertThrowsError(try CheckpointFolder(dir).videoModel()) { e in
            XCTAssert("\(e)".contains("has shape"), "\(e)")
        }
        // Unknown keys are named.
        try Data(#"{"preset": "tiny", "model": {"widht": 3}}"#.utf8).write(to: URL(fileURLWithPath: dir + "/config.json"))
        XCTAssertThrowsError(try CheckpointFolder(dir).videoModel()) { e in XCTAssert("\(e)".contains("model.widht"), "\(e)") }
        // Weights with a tensor missing, or one too many, for the config.
        try c.encoded().write(to: URL(fileURLWithPath: dir + "/config.json"))
        let weights = try SafeTensors.read(from: dir + "/model.safetensors")
        try SafeTensors.write(Array(weights.entries.dropLast()), metadata: weights.metadata, to: dir + "/model.safetensors")
        XCTAssertThrowsError(try CheckpointFolder(dir).videoModel()) { e in XCTAssert("\(e)".contains("missing tensor"), "\(e)") }
        try SafeTensors.write(weights.entries + [SafeTensorsEntry(name: "extra.weight", shape: [1], values: [0])],
                              metadata: weights.metadata, to: dir + "/model.safetensors")
        XCTAssertThrowsError(try CheckpointFolder(dir).videoModel()) { e in XCTAssert("\(e)".contains("unexpected tensor 'extra.weight'"), "\(e)") }
        // A config.json that does not parse.
        try Data("{\"preset\": ".utf8).write(to: URL(fileURLWithPath: dir + "/config.json"))
        XCTAssertThrowsError(try CheckpointFolder(dir).videoModel()) { e in XCTAssert("\(e)".contains("config.json: not a JSON object"), "\(e)") }
        XCTAssertThrowsError(try CheckpointFolder(dir + "-missing").videoModel()) { e in
            XCTAssert("\(e)".contains("does not exist"), "\(e)")
        }
    }

    /// Sampling settings live in sampling.json beside the weights: defaults without one, the
    /// handoff of an older config.json, and bad files named by their key.
    func testSamplingSettingsBesideTheWeights() throws {
        var c = TrainConfig.tiny
        c.steps = 2
        let dir = tmp("sampling")
        try TrainingRun.run(c, into: dir, resume: false)
        XCTAssertEqual(try CheckpointFolder(dir).sampling(), SamplingConfig())
        try CheckpointFolder(dir).writeSampling(SamplingConfig(sampler: .ddpm, steps: 10, handoff: 0.1))
        XCTAssertEqual(try CheckpointFolder(dir).sampling(), SamplingConfig(sampler: .ddpm, steps: 10, handoff: 0.1))
        try Data(#"{"handoff": 0.05}"#.utf8).write(to: URL(fileURLWithPath: dir + "/sampling.json"))
        XCTAssertEqual(try CheckpointFolder(dir).sampling(), SamplingConfig(handoff: 0.05))
        try Data(#"{"handof": 0.05}"#.utf8).write(to: URL(fileURLWithPath: dir + "/sampling.json"))
        XCTAssertThrowsError(try CheckpointFolder(dir).sampling()) { e in XCTAssert("\(e)".contains("unknown key 'handof'"), "\(e)") }
        try Data(#"{"handoff": 0.9}"#.utf8).write(to: URL(fileURLWithPath: dir + "/sampling.json"))
        XCTAssertThrowsError(try CheckpointFolder(dir).sampling()) { e in XCTAssert("\(e)".contains("handoff must be in 0...0.5"), "\(e)") }
        try Data(#"{"steps": "many"}"#.utf8).write(to: URL(fileURLWithPath: dir + "/sampling.json"))
        XCTAssertThrowsError(try CheckpointFolder(dir).sampling()) { e in XCTAssert("\(e)".contains("bad value for 'steps'"), "\(e)") }
        // An older checkpoint kept its handoff in config.json under "model".
        try FileManager.default.removeItem(atPath: dir + "/sampling.json")
        var json = try XCTUnwrap(JSONSerialization.jsonObject(with: c.encoded()) as? [String: Any])
        var model = try XCTUnwrap(json["model"] as? [String: Any])
        model["handoff"] = 0.1
        json["model"] = model
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: dir + "/config.json"))
        XCTAssertEqual(try CheckpointFolder(dir).trainConfig(), c)
        XCTAssertEqual(try CheckpointFolder(dir).sampling().handoff, 0.1)
    }

    func testConfigFileOverridesPreset() throws {
        let path = tmp("cfg") + ".json"
        try Data(#"{"preset": "tiny", "batchSize": 2, "model": {"depth": 2}}"#.utf8).write(to: URL(fileURLWithPath: path))
        let c = try TrainConfig.resolve(path)
        var expected = TrainConfig.tiny
        expected.batchSize = 2
        expected.model.depth = 2
        XCTAssertEqual(c, expected)
        XCTAssertThrowsError(try TrainConfig.resolve("huge")) { e in XCTAssert("\(e)".contains("tiny, small, default")) }
        try Data(#"{"batchSize": -1}"#.utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try TrainConfig.resolve(path)) { e in XCTAssert("\(e)".contains("batchSize")) }
    }

    func testScheduleAndEMAWarmup() {
        var c = TrainConfig.tiny
        c.learningRate = 1e-3
        c.warmupSteps = 10
        c.steps = 110
        c.minLRFraction = 0.1
        XCTAssertEqual(learningRate(step: 0, c), 1e-4, accuracy: 1e-12)
        XCTAssertEqual(learningRate(step: 9, c), 1e-3, accuracy: 1e-12)
        XCTAssertEqual(learningRate(step: 60, c), 0.55e-3, accuracy: 1e-9)
        XCTAssertEqual(learningRate(step: 110, c), 1e-4, accuracy: 1e-12)
        XCTAssertEqual(emaDecay(step: 0, c), 0.1, accuracy: 1e-12)
        XCTAssertEqual(emaDecay(step: 100_000, c), 0.995, accuracy: 1e-12)
    }
}

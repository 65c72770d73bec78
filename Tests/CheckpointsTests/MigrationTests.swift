import Foundation
import XCTest
import Diffusion
import Dynamics
import Tensor
@testable import Checkpoints

/// Older layouts of each kind, read through `migrate`.
final class MigrationTests: CheckpointFixtures {
    /// `json`, a config.json of a `kind` folder, through `migrate`.
    func migrated(_ json: String, kind: CheckpointKind = .video) throws -> SavedFolder {
        var saved = SavedFolder(folder: CheckpointFolder("c"), kind: kind)
        saved.config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        try CheckpointFolder.migrate(&saved)
        return saved
    }

    /// Old config.json files: missing keys take the value they were trained with, retired
    /// options load when off and name themselves when on, and the handoff kept under "model"
    /// is the sampling setting.
    func testLegacyAndRetiredKeys() throws {
        let saved = try migrated(#"{"model": {"frameLag": 0.5, "contextNoise": 0, "handoff": 0.1}, "contextSpecks": 0, "rolloutSteps": 10, "seamRolloutShare": 0, "seamHandoff": 0.02}"#)
        let dict = try XCTUnwrap(saved.config)
        let model = try XCTUnwrap(dict["model"] as? [String: Any])
        XCTAssertNil(model["handoff"], "a sampling setting: sampling.json's, or the one migrate hands on")
        XCTAssertEqual(saved.handoff, 0.1)
        XCTAssertEqual(model["noiseShift"] as? Double, 1)
        XCTAssertEqual(model["frameLag"] as? Double, 0.5)
        XCTAssertEqual(dict["lossOnWaitingFrames"] as? Bool, true)
        XCTAssertNil(model["contextNoise"])
        XCTAssertNil(dict["contextSpecks"])
        XCTAssertNil(dict["rolloutSteps"])
        XCTAssertNil(dict["seamRolloutShare"])
        XCTAssertNil(dict["seamHandoff"])
        XCTAssertThrowsError(try migrated(#"{"rolloutShare": 0.25}"#)) { error in
            XCTAssertEqual("\(error)", "c/config.json: sets 'rolloutShare' to 0.25, an option vidgen no longer has (see data/default/MODEL.md)")
        }
        XCTAssertThrowsError(try migrated(#"{"model": {"contextNoise": 0.1}}"#))
        XCTAssertThrowsError(try migrated(#"{"seamRolloutShare": 0.5}"#))
        // Another kind's config is not a video model's: its keys are left alone.
        XCTAssertEqual(try migrated(#"{"rolloutShare": 0.25}"#, kind: .state(.generic)).config?["rolloutShare"] as? Double, 0.25)
        // A generic state model's config without substeps stepped whole frames, whatever the preset says now.
        let generic = try migrated(#"{"preset": "generic", "model": {"relationHidden": 128}}"#, kind: .state(.generic))
        XCTAssertEqual((generic.config?["model"] as? [String: Any])?["substeps"] as? Int, 1)
        let stated = try migrated(#"{"model": {"substeps": 4}}"#, kind: .state(.generic))
        XCTAssertEqual((stated.config?["model"] as? [String: Any])?["substeps"] as? Int, 4)
        // The kind of an untagged folder is told before its config is refused.
        var untagged = SavedFolder(folder: CheckpointFolder("c"))
        untagged.config = ["model": ["relationHidden": 8, "gated": true]]
        XCTAssertThrowsError(try CheckpointFolder.migrate(&untagged))
        XCTAssertEqual(untagged.kind, .state(.structured))
    }

    /// A video folder of an older layout loads as it was trained: its schedule keys filled in,
    /// a retired option that is off dropped, its handoff the sampling setting.
    func testOlderVideoFolderLoads() throws {
        let dir = try videoFolder("old-video")
        var json = try XCTUnwrap(JSONSerialization.jsonObject(with: TrainConfig.tiny.encoded()) as? [String: Any])
        var model = try XCTUnwrap(json["model"] as? [String: Any])
        // Written before the schedule shift; staggered, as a handoff needs.
        model["noiseShift"] = nil
        model["handoff"] = 0.1
        model["stemChannels"] = 0
        json["model"] = model
        json["lossOnWaitingFrames"] = nil
        json["contextSpecks"] = 0
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: dir + "/config.json"))
        let saved = try CheckpointFolder(dir).videoCheckpoint()
        XCTAssertEqual(saved.config.model.noiseShift, 1)
        XCTAssertEqual(saved.config.model.frameLag, TrainConfig.tiny.model.frameLag)
        XCTAssertTrue(saved.config.lossOnWaitingFrames)
        XCTAssertEqual(saved.sampling.handoff, 0.1)
        XCTAssertEqual(try CheckpointFolder(dir).sampling().handoff, 0.1)
        // sampling.json, once there, is the sampling setting.
        try CheckpointFolder(dir).writeSampling(SamplingConfig(handoff: 0.02))
        XCTAssertEqual(try CheckpointFolder(dir).videoCheckpoint().sampling.handoff, 0.02)
    }

    /// A codec folder that stores no latent range has one measured on held-out frames, as
    /// `vidgen autoencoder` stores it, and says so; one that stores it is read as it is.
    func testOlderCodecFolderHasItsRangeMeasured() throws {
        let old = try codecFolder("old-codec")
        var notes: [String] = []
        let (codec, config) = try CheckpointFolder(old.dir).autoencoder { notes.append($0) }
        XCTAssertEqual(config, old.config)
        XCTAssertFalse(codec.range.isIdentity)
        XCTAssertEqual(codec.range, try old.config.measuredRange(old.codec).range)
        XCTAssertEqual(notes, ["\(old.dir) stores no latent range; measuring it on held-out frames for this run"])

        let range = LatentRange(center: [0.1, 0, -0.1, 0.2], halfRange: [0.5, 0.4, 0.3, 0.9])
        let current = try codecFolder("current-codec", range: range)
        notes = []
        XCTAssertEqual(try CheckpointFolder(current.dir).autoencoder { notes.append($0) }.0.range, range)
        XCTAssertEqual(notes, [])
    }

    /// A structured state model whose velocity was a difference of positions is refused in one
    /// line that says what to do.
    func testOlderStateFolderIsRefused() throws {
        let dir = try stateFolder("old-state", .structured)
        var json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(DynamicsConfig.tiny.encoded())) as? [String: Any])
        json["positionScale"] = 4
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: dir + "/config.json"))
        XCTAssertThrowsError(try StateModel.load(dir)) { e in
            XCTAssertEqual("\(e)", dir + "/config.json: a state model from an older vidgen (velocity as a difference of positions; "
                           + "it has 'positionScale'); train a new one with vidgen train --model state --out DIR")
        }
        XCTAssertThrowsError(try DynamicsTrainer<DynamicsConfig>.resume(folder: dir))
        XCTAssertEqual(CheckpointFolder(dir).kind, .state(.structured), "the tag still tells the kind")
    }
}

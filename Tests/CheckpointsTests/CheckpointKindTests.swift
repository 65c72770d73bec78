import Foundation
import XCTest
import Diffusion
import Dynamics
import Tensor
import World
@testable import Checkpoints

/// Folders of every kind, written as the trainers write them (tiny models, built here).
class CheckpointFixtures: XCTestCase {
    func folder(_ name: String) -> String {
        let dir = NSTemporaryDirectory() + "vidgen-checkpoints-\(name)-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A tiny video model's folder: config.json and model.safetensors tagged `format`.
    func videoFolder(_ name: String, config: TrainConfig = .tiny, format: String? = "vidgen") throws -> String {
        let dir = folder(name)
        var rng = RNG(seed: 1)
        let model = Denoiser(config.model, rng: &rng)
        try Data(config.encoded()).write(to: URL(fileURLWithPath: dir + "/config.json"))
        try SafeTensors.write(model.namedParameters.map { $0.value.entry($0.name) },
                              metadata: format.map { ["format": $0] } ?? [:], to: dir + "/model.safetensors")
        return dir
    }

    /// A tiny codec folder: autoencoder.json and autoencoder.safetensors (with `range`).
    func codecFolder(_ name: String, range: LatentRange? = nil) throws -> (dir: String, codec: FrameAutoencoder, config: CodecConfig) {
        let dir = folder(name)
        let config = CodecConfig.tiny
        var rng = RNG(seed: 2)
        var codec = FrameAutoencoder(config.model, rng: &rng)
        if let range { codec.range = range }
        try PrettyJSON.write(config, to: dir + "/autoencoder.json")
        try SafeTensors.write(codec.fileEntries, metadata: ["format": "vidgen-codec"], to: dir + "/autoencoder.safetensors")
        return (dir, codec, config)
    }

    /// A tiny state model's folder of `kind`, saved by its trainer.
    func stateFolder(_ name: String, _ kind: StateModelKind) throws -> String {
        let dir = folder(name)
        switch kind {
        case .structured:
            var t = try DynamicsTrainer(config: DynamicsConfig.tiny, folder: dir)
            try t.save()
        case .generic:
            var t = try DynamicsTrainer(config: GenericStateConfig.tiny, folder: dir)
            try t.save()
        }
        return dir
    }

}

/// The one reader of a folder's format tag.
final class CheckpointKindTests: CheckpointFixtures {
    /// Each kind's folder is told by its tag, whatever its config.json says; a folder without
    /// a tag by its files (`migrate`); a tag vidgen does not write by nothing.
    func testKindIsReadFromTheFormatTag() throws {
        let video = try videoFolder("video")
        let codec = try codecFolder("codec").dir
        let structured = try stateFolder("structured", .structured), generic = try stateFolder("generic", .generic)
        for (dir, kind) in [(video, CheckpointKind.video), (codec, .codec), (structured, .state(.structured)),
                            (generic, .state(.generic))] {
            XCTAssertEqual(CheckpointFolder(dir).kind, kind, dir)
            XCTAssertEqual(CheckpointKind(format: kind.format), kind)
            XCTAssertEqual(CheckpointFolder(dir).isStateModel, kind != .video && kind != .codec, dir)
        }
        XCTAssertEqual(Set(CheckpointKind.all.map(\.format)).count, CheckpointKind.all.count)

        // The tag wins over config.json: a video folder whose config is a state model's is a video model.
        try Data(DynamicsConfig.tiny.encoded()).write(to: URL(fileURLWithPath: video + "/config.json"))
        XCTAssertEqual(CheckpointFolder(video).kind, .video)
        // No tag: a state model's config names its relation network; anything else is a video model.
        let untagged = try videoFolder("untagged", format: nil)
        XCTAssertEqual(CheckpointFolder(untagged).kind, .video)
        XCTAssertNoThrow(try CheckpointFolder(untagged).videoModel())
        try Data(DynamicsConfig.tiny.encoded()).write(to: URL(fileURLWithPath: untagged + "/config.json"))
        XCTAssertEqual(CheckpointFolder(untagged).kind, .state(.structured))
        XCTAssertThrowsError(try StateModel.load(untagged)) { e in
            XCTAssert("\(e)".contains("format 'none' is not a state model's"), "\(e)")
        }
        let unknown = try videoFolder("unknown", format: "someone-else")
        XCTAssertNil(CheckpointFolder(unknown).kind)
        XCTAssertFalse(CheckpointFolder(unknown).isStateModel)

        // A loader of one kind refuses a folder tagged another's, in one line.
        XCTAssertThrowsError(try CheckpointFolder(structured).videoModel()) { e in
            XCTAssertEqual("\(e)", structured + "/model.safetensors: format 'vidgen-dynamics' is a structured state model's, not a video model's")
        }
        XCTAssertThrowsError(try StateModel.load(video)) { e in
            XCTAssert("\(e)".contains("format 'vidgen' is not a state model's"), "\(e)")
        }
    }

    /// A sampling load reads config.json once and gives what videoModel, sampling and
    /// codec(for:) give one by one.
    func testVideoCheckpointIsItsPieces() throws {
        let dir = try videoFolder("pieces")
        try CheckpointFolder(dir).writeSampling(SamplingConfig(sampler: .ddpm, steps: 7, handoff: 0.05))
        let saved = try CheckpointFolder(dir).videoCheckpoint()
        let (model, config) = try CheckpointFolder(dir).videoModel()
        XCTAssertEqual(saved.config, config)
        XCTAssertEqual(saved.sampling, try CheckpointFolder(dir).sampling())
        XCTAssertEqual(saved.sampling.steps, 7)
        XCTAssertNil(saved.codec)
        XCTAssertEqual(saved.model.namedParameters.map(\.value.values), model.namedParameters.map(\.value.values))
    }
}

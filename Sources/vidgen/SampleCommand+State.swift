import Checkpoints
import Dynamics
import Foundation
import Tensor
import World

extension Vidgen.SampleCmd {
    /// Frames of a state model's video without --frames.
    static let stateFrames = 32

    /// A state model's video: the first --context frames from the simulator, the state
    /// perceived in them rolled forward and drawn. No noise: --seed only picks the scene
    /// (without --scenario), so the same seed and context give the same bytes.
    func runState(_ dir: String) throws {
        if sampling.sampler != nil || sampling.steps != nil || sampling.handoff != nil || sampling.guidance != nil
            || sampling.historyLevel != nil || sampling.seamProjection != nil {
            throw VidgenError.input("--sampler, --steps, --handoff, --guidance, --history-level and --seam-projection are settings of video models; a state model has no sampler")
        }
        if let scenario, DepthScenario.names.contains(scenario) {
            throw VidgenError.input("\(dir) holds a state model of the flat world; --scenario \(scenario) is the 3D box, whose state models `vidgen eval --scenario \(scenario)` scores")
        }
        let model = try StateModel.load(dir)
        let size = model.config.width
        let total = frames ?? Self.stateFrames
        let (clip, truth, contextFrames) = try scene(scenario ?? "id", size: size, frames: total)
        let context = contextFrames.values
        let video = context + model.rollout(contextFrames: context, frames: total - self.context)
        try write(video: video, truth: truth, clip: clip, frames: total, size: size,
                  summary: "\(total) frames, \(model.kind.name) from \(self.context) context frames")
    }

    /// The scene the context comes from (--scenario and --scene-seed, else a scene of
    /// `scenario` drawn from --seed), at `size` × `size` pixels: its clip of `total` frames,
    /// drawn planar, and its first --context frames [1, K, 3, H, W].
    func scene(_ scenario: String, size: Int, frames total: Int) throws -> (clip: WorldClip, truth: [Float], context: Tensor) {
        let clip = try WorldScenario.named(scenario).resized(to: size).clip(seed: sceneSeed ?? seed, frames: total)
        let truth = clip.planar(0..<total)
        return (clip, truth, Tensor(shape: [1, total, 3, size, size], values: truth).slice(axis: 1, 0..<context))
    }

    /// Writes the GIF (beside the simulator's with --scenario, and its states JSON) and the .npy.
    func write(video: [Float], truth: [Float], clip: WorldClip, frames total: Int, size: Int, summary: String) throws {
        let bytes = Frames.bytes(planar: video, frames: total, height: size, width: size)
        if let npy { try NPY.write(frames: bytes, shape: [total, size, size, 3], to: npy) }
        if scenario != nil {
            let truthBytes = Frames.bytes(planar: truth, frames: total, height: size, width: size)
            let (pair, width) = Frames.sideBySide([bytes, truthBytes], frames: total, height: size, width: size)
            try GIF.write(frames: pair, count: total, height: size, width: width, to: out)
            let statesPath = (out as NSString).deletingPathExtension + ".states.json"
            try AtomicFile.write(try clip.statesJSON(), to: statesPath)
            print("wrote \(out) (sample | simulator) and \(statesPath)")
        } else {
            try GIF.write(frames: bytes, count: total, height: size, width: size, to: out)
            print("wrote \(out): \(summary)")
        }
    }
}

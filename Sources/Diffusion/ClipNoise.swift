// Noise drawn clip by clip, for the samplers.
//
// A batch of B clips [B, …] takes clip i's noise from stream i alone, so what a clip gets
// does not depend on which clips share its batch: a score over many clips is the same at
// any batch size. One stream over a batch of one draws exactly what `Tensor.randn` would.

import Tensor

/// One random stream per clip of a batch.
public struct ClipNoise: Sendable {
    /// Stream i feeds clip i.
    public var streams: [RNG]

    public init(_ streams: [RNG]) {
        precondition(!streams.isEmpty, "a batch needs at least one noise stream")
        self.streams = streams
    }

    /// Streams `root.split(i)` for the clips numbered `clips` (their place in a larger set).
    public init(root: RNG, clips: Range<Int>) {
        self.init(clips.map { root.split($0) })
    }

    /// Clips in the batch (B).
    public var count: Int { streams.count }

    /// Standard normal noise of `shape` [B, …]: clip i's slab from stream i. A single stream
    /// fills a tensor of any shape, as `Tensor.randn` would.
    public mutating func randn(_ shape: [Int]) -> Tensor {
        if streams.count == 1 { return Tensor.randn(shape, rng: &streams[0]) }
        precondition(shape.first == streams.count, "noise of shape \(shape) for \(streams.count) clip streams")
        let per = shape.dropFirst().reduce(1, *)
        return Tensor(shape: shape) { buffer in
            for i in streams.indices {
                streams[i].fillNormal(UnsafeMutableBufferPointer(rebasing: buffer[(i * per)..<((i + 1) * per)]))
            }
        }
    }

    /// Every stream split by `index`: the streams of window `index` of a rollout.
    public func split(_ index: Int) -> ClipNoise { ClipNoise(streams.map { $0.split(index) }) }
}

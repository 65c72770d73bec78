// Error recycling (Stable Video Infinity; Li et al. 2025, "Stable Video Infinity:
// Infinite-Length Video Generation with Error Recycling"): the model's own one-step errors,
// banked by noise level, are added to the clean context of some training clips.
//
// A stitched window's context is the model's own frames, wrong in the ways the model is
// wrong; training only ever showed it the simulator's. Training on its own roll-outs with
// the simulator's targets taught it to distrust its context (the targets contradict the
// frames it was shown). Here the context is corrupted by errors of the model's own kind, and
// the target stays the clean clip's continuation, which the corrupted context does not
// contradict: the model learns to repair its context.
//
// Legend: each step, for every frame the loss covers (level t, input x_t, prediction v̂),
//   x̂₀ = α_t·x_t − σ_t·v̂,  e = x̂₀ − x₀   (no gradient)
// goes into the bin of t. A recycled clip's given context frames each get s·e, e drawn from
// a bin at level ≤ maxLevel, s ~ U(0, scale).

import Foundation
import Tensor

/// A bank of one-step errors, `capacity` per noise-level bin, each one latent frame.
public struct ErrorBank: Equatable, Sendable {
    /// Bins over t ∈ [0, 1].
    public let bins: Int
    /// Errors kept per bin; the oldest is replaced first.
    public let capacity: Int
    /// Floats per frame (C·H·W).
    public let frameSize: Int
    /// [bins, capacity, frameSize].
    public private(set) var errors: [Float]
    /// Per bin: errors held, and the slot the next deposit writes.
    public private(set) var filled: [Int]
    public private(set) var next: [Int]

    public init(bins: Int = 10, capacity: Int = 32, frameSize: Int) {
        precondition(bins >= 1 && capacity >= 1 && frameSize >= 1, "an error bank needs bins, slots and a frame")
        (self.bins, self.capacity, self.frameSize) = (bins, capacity, frameSize)
        errors = [Float](repeating: 0, count: bins * capacity * frameSize)
        filled = [Int](repeating: 0, count: bins)
        next = [Int](repeating: 0, count: bins)
    }

    /// The bin of level `t`.
    public func bin(_ t: Float) -> Int { min(bins - 1, max(0, Int(t * Float(bins)))) }

    /// Banks `error` (frameSize floats) made at level `t`, over the bin's oldest if it is full.
    public mutating func deposit(_ error: UnsafeBufferPointer<Float>, level t: Float) {
        precondition(error.count == frameSize, "an error of \(error.count) floats for frames of \(frameSize)")
        let b = bin(t)
        let base = (b * capacity + next[b]) * frameSize
        errors.withUnsafeMutableBufferPointer { p in
            for j in 0..<frameSize { p[base + j] = error[j] }
        }
        next[b] = (next[b] + 1) % capacity
        filled[b] = min(capacity, filled[b] + 1)
    }

    /// The error in `slot` of `bin`.
    public func error(bin b: Int, slot: Int) -> ArraySlice<Float> {
        let base = (b * capacity + slot) * frameSize
        return errors[base..<(base + frameSize)]
    }

    /// A banked error from a bin at level ≤ `maxLevel`: the bin uniform among those that hold
    /// any, the slot uniform among its filled ones; nil while they are all empty.
    public func draw(maxLevel: Float, rng: inout RNG) -> ArraySlice<Float>? {
        let usable = (0...bin(maxLevel)).filter { filled[$0] > 0 }
        guard !usable.isEmpty else { return nil }
        let b = usable[rng.int(in: 0...(usable.count - 1))]
        return error(bin: b, slot: rng.int(in: 0...(filled[b] - 1)))
    }

    // MARK: - In the train state

    /// Names of the bank's tensors in train-state.safetensors.
    static let errorsKey = "bank.errors", countsKey = "bank.counts"

    /// The bank as train-state entries: the errors, and each bin's filled count and next slot.
    public var entries: [SafeTensorsEntry] {
        [Tensor(shape: [bins, capacity, frameSize], values: errors).entry(Self.errorsKey),
         Tensor(shape: [2, bins], values: (filled + next).map(Float.init)).entry(Self.countsKey)]
    }

    /// The bank saved in `stored`, shaped as this one; an error naming the tensor if it is
    /// missing or misshapen.
    public func restored(from stored: SafeTensorsFile, file: String) throws -> ErrorBank {
        guard let e = stored[Self.errorsKey], let c = stored[Self.countsKey] else {
            throw VidgenError("\(file): no error bank ('\(Self.errorsKey)'), though the config recycles errors")
        }
        guard e.shape == [bins, capacity, frameSize], c.shape == [2, bins] else {
            throw VidgenError("\(file): the error bank has shape \(e.shape), the config needs \([bins, capacity, frameSize])")
        }
        var bank = self
        bank.errors = Tensor(e).values
        let counts = Tensor(c).values.map { Int($0) }
        (bank.filled, bank.next) = (Array(counts[0..<bins]), Array(counts[bins...]))
        guard bank.filled.allSatisfy({ (0...capacity).contains($0) }), bank.next.allSatisfy({ (0..<capacity).contains($0) }) else {
            throw VidgenError("\(file): the error bank's counts are out of range")
        }
        return bank
    }
}

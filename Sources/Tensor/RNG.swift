// The one source of randomness in vidgen: a seeded, splittable generator.
//
// The generator is xoshiro256** (Blackman & Vigna), seeded through SplitMix64 so that
// nearby seeds give unrelated streams. Streams are split by name (`rng.split("noise")`)
// or by index (`rng.split(3)`): a split derives a child from the parent's *seed*, not
// from its position, so the child is the same whatever the parent has drawn so far, and
// adding a draw in one stream never shifts another.

/// A seeded, splittable pseudo-random generator (xoshiro256**). A value type: copying it
/// copies the stream position. Same seed, same stream, on every run and machine.
public struct RNG: Equatable, Sendable {
    /// The four state words; save them to resume a stream exactly.
    public private(set) var state: (UInt64, UInt64, UInt64, UInt64)
    /// The key this stream was made from; splits derive from it.
    public let key: UInt64

    /// A generator for `seed`.
    public init(seed: UInt64) {
        self.init(key: RNG.mix(seed ^ 0x7669_6467_656E_2121))  // "vidgen!!"
    }

    private init(key: UInt64) {
        self.key = key
        var sm = key
        state = (RNG.splitMix(&sm), RNG.splitMix(&sm), RNG.splitMix(&sm), RNG.splitMix(&sm))
    }

    /// Restores a generator saved as `key` and `state` words.
    public init(key: UInt64, state: [UInt64]) {
        precondition(state.count == 4, "RNG state needs 4 words, got \(state.count)")
        self.key = key
        self.state = (state[0], state[1], state[2], state[3])
    }

    /// The state words, for checkpoints.
    public var stateWords: [UInt64] { [state.0, state.1, state.2, state.3] }

    public static func == (a: RNG, b: RNG) -> Bool {
        a.key == b.key && a.stateWords == b.stateWords
    }

    // MARK: - Splitting

    /// An independent stream named `label`, derived from this stream's key only.
    public func split(_ label: String) -> RNG {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325  // FNV-1a over the label's UTF-8 bytes
        for byte in label.utf8 {
            h ^= UInt64(byte)
            h &*= 0x0000_0100_0000_01B3
        }
        return RNG(key: RNG.mix(key ^ RNG.mix(h)))
    }

    /// An independent stream number `index`, derived from this stream's key only.
    public func split(_ index: Int) -> RNG {
        RNG(key: RNG.mix(key &+ RNG.mix(UInt64(bitPattern: Int64(index)) &+ 0x9E37_79B9_7F4A_7C15)))
    }

    // MARK: - Draws

    /// The next 64 random bits.
    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = rotl(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotl(state.3, 45)
        return result
    }

    /// Uniform in [0, 1) with 53 bits.
    @inline(__always)
    public mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform in [lo, hi).
    public mutating func uniform(_ lo: Double, _ hi: Double) -> Double {
        lo + (hi - lo) * uniform()
    }

    /// Uniform integer in `range` (unbiased, by rejection).
    public mutating func int(in range: ClosedRange<Int>) -> Int {
        let span = UInt64(range.upperBound - range.lowerBound) &+ 1
        if span == 0 { return Int(bitPattern: UInt(next())) }
        let limit = UInt64.max - UInt64.max % span
        var x = next()
        while x >= limit { x = next() }
        return range.lowerBound + Int(x % span)
    }

    /// A standard normal sample (Box–Muller; both halves are used in turn by `fillNormal`).
    public mutating func normal() -> Double {
        let u1 = 1.0 - uniform()  // (0, 1], so log is finite
        let u2 = uniform()
        return (-2.0 * Libm.log(u1)).squareRoot() * Libm.cos(2.0 * Double.pi * u2)
    }

    /// Fills `buffer` with standard normal samples times `std`.
    public mutating func fillNormal(_ buffer: UnsafeMutableBufferPointer<Float>, std: Float = 1) {
        var i = 0
        let n = buffer.count
        while i < n {
            let u1 = 1.0 - uniform()
            let u2 = uniform()
            let r = (-2.0 * Libm.log(u1)).squareRoot()
            let a = 2.0 * Double.pi * u2
            buffer[i] = Float(r * Libm.cos(a)) * std
            if i + 1 < n { buffer[i + 1] = Float(r * Libm.sin(a)) * std }
            i += 2
        }
    }

    /// Fills `buffer` with uniform samples in [lo, hi).
    public mutating func fillUniform(_ buffer: UnsafeMutableBufferPointer<Float>, _ lo: Float, _ hi: Float) {
        for i in 0..<buffer.count {
            buffer[i] = lo + (hi - lo) * Float(next() >> 40) * 0x1.0p-24
        }
    }

    // MARK: - Mixing

    @inline(__always)
    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    private static func splitMix(_ x: inout UInt64) -> UInt64 {
        x &+= 0x9E37_79B9_7F4A_7C15
        return mix(x)
    }

    /// SplitMix64's finalizer: a bijective 64-bit mix.
    static func mix(_ v: UInt64) -> UInt64 {
        var z = v
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

// Tensor: a Float32, row-major, contiguous n-dimensional array with value semantics.
//
// A `Tensor` is a struct over a final storage class; copies share storage until one of
// them is mutated (copy-on-write). Reshape is free (same storage, new shape); permute
// copies. A tensor may carry a reference to the `Tape` of the training step that made
// it: ops on tracked tensors record themselves there, ops on untracked tensors record
// nothing (inference pays nothing for autodiff).

/// Heap storage for tensor elements: 64-byte aligned, fixed size, freed on deinit.
public final class TensorStorage {
    public let count: Int
    @usableFromInline let base: UnsafeMutablePointer<Float>

    /// Uninitialized storage for `count` floats. Callers fill every element.
    @usableFromInline init(uninitialized count: Int) {
        precondition(count >= 0, "negative element count \(count)")
        self.count = count
        base = BufferPool.shared.take(count: count)
    }

    convenience init(repeating value: Float, count: Int) {
        self.init(uninitialized: count)
        base.initialize(repeating: value, count: count)
    }

    @usableFromInline func copy() -> TensorStorage {
        let s = TensorStorage(uninitialized: count)
        s.base.update(from: base, count: count)
        return s
    }

    deinit { BufferPool.shared.give(base, count: count) }
}

/// A Float32 n-dimensional array, row-major and contiguous.
public struct Tensor {
    /// Extent of each axis, outermost first. `[]` is a scalar.
    public private(set) var shape: [Int]
    @usableFromInline var storage: TensorStorage
    /// The tape this tensor was recorded on, and its node there; nil when untracked.
    var trace: Trace?

    struct Trace {
        let tape: Tape
        let id: Int
    }

    // MARK: - Creation

    /// Wraps existing storage; `shape` must describe exactly `storage.count` elements.
    init(shape: [Int], storage: TensorStorage) {
        precondition(Tensor.count(of: shape) == storage.count,
                     "shape \(shape) does not hold \(storage.count) elements")
        self.shape = shape
        self.storage = storage
    }

    /// A tensor of `shape` with every element `value`.
    public init(repeating value: Float, shape: [Int]) {
        self.init(shape: shape, storage: TensorStorage(repeating: value, count: Tensor.count(of: shape)))
    }

    /// A tensor of `shape` holding `values` in row-major order.
    public init(shape: [Int], values: [Float]) {
        precondition(Tensor.count(of: shape) == values.count,
                     "shape \(shape) needs \(Tensor.count(of: shape)) values, got \(values.count)")
        let s = TensorStorage(uninitialized: values.count)
        values.withUnsafeBufferPointer { s.base.initialize(from: $0.baseAddress!, count: values.count) }
        self.init(shape: shape, storage: s)
    }

    /// A scalar.
    public init(_ value: Float) { self.init(shape: [], values: [value]) }

    /// A tensor of `shape` whose elements are written by `fill` (it must write all of them).
    public init(shape: [Int], fill: (UnsafeMutableBufferPointer<Float>) -> Void) {
        let s = TensorStorage(uninitialized: Tensor.count(of: shape))
        fill(UnsafeMutableBufferPointer(start: s.base, count: s.count))
        self.init(shape: shape, storage: s)
    }

    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(repeating: 0, shape: shape) }
    public static func ones(_ shape: [Int]) -> Tensor { Tensor(repeating: 1, shape: shape) }

    /// Standard normal samples times `std`, drawn from `rng`.
    public static func randn(_ shape: [Int], std: Float = 1, rng: inout RNG) -> Tensor {
        Tensor(shape: shape) { rng.fillNormal($0, std: std) }
    }

    /// Uniform samples in [lo, hi), drawn from `rng`.
    public static func uniform(_ shape: [Int], _ lo: Float, _ hi: Float, rng: inout RNG) -> Tensor {
        Tensor(shape: shape) { rng.fillUniform($0, lo, hi) }
    }

    // MARK: - Shape facts

    /// Number of elements.
    @inlinable public var count: Int { storage.count }
    /// Number of axes.
    public var rank: Int { shape.count }

    static func count(of shape: [Int]) -> Int {
        var n = 1
        for d in shape {
            precondition(d >= 0, "negative axis extent in shape \(shape)")
            n *= d
        }
        return n
    }

    /// Resolves a possibly negative axis index.
    func axis(_ a: Int) -> Int {
        let r = a < 0 ? a + rank : a
        precondition(r >= 0 && r < rank, "axis \(a) out of range for shape \(shape)")
        return r
    }

    // MARK: - Element access

    /// The elements in row-major order.
    public var values: [Float] { Array(UnsafeBufferPointer(start: storage.base, count: count)) }

    /// The single element of a one-element tensor.
    public var item: Float {
        precondition(count == 1, "item needs one element, shape is \(shape)")
        return storage.base[0]
    }

    /// Calls `body` with read access to the elements; the pointer must not escape.
    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try withExtendedLifetime(storage) {
            try body(UnsafeBufferPointer(start: storage.base, count: storage.count))
        }
    }

    /// Calls `body` with write access to the elements (copying shared storage first).
    @inlinable
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return try withExtendedLifetime(storage) {
            try body(UnsafeMutableBufferPointer(start: storage.base, count: storage.count))
        }
    }

    /// Raw read pointer for kernels inside this module; callers keep `self` alive.
    @inline(__always) var ptr: UnsafeMutablePointer<Float> { storage.base }

    // MARK: - Tracking

    /// This tensor without its tape: same values, records nothing.
    public var detached: Tensor { Tensor(shape: shape, storage: storage) }

    /// Whether ops on this tensor are recorded on a tape.
    public var isTracked: Bool { trace != nil }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let head = values.prefix(8).map { String($0) }.joined(separator: ", ")
        return "Tensor(\(shape): [\(head)\(count > 8 ? ", …" : "")])"
    }
}

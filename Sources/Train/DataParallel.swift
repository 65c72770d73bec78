// Data-parallel training: N ranks share each step's global batch and sum their gradients.
//
// Batch s is a pure function of (seed, s) (ClipStream); rank r of N trains on clips
// ⌊r·B/N⌋ ..< ⌊(r+1)·B/N⌋ of it. Every rank holds the whole model, takes the same summed
// gradient and so makes the same AdamW update: weights never travel, only gradients.
//
// The sum, in a fixed order whatever MPI's algorithm (L = P gradient floats + 3 extras):
//   1. pack      s[k] = w_r · g_r[k]        w_r = loss weight of the rank's share (frames in its loss)
//                s[P] = w_r · loss_r, s[P+1] = w_r, s[P+2] = 1 if the rank asks to stop
//   2. alltoallv rank j receives chunk j (floats ⌊j·L/N⌋ ..< ⌊(j+1)·L/N⌋) of every rank's s
//   3. sum       rank j adds its N copies of chunk j in rank order 0, 1, …, N−1
//   4. allgatherv every rank receives every summed chunk: the whole sum S
//   5. unpack    g[k] = S[k] / S[P+1], loss = S[P] / S[P+1], stop = S[P+2] > 0
// The loss of a share is its mean over w_r frames, so (5) is the mean over the whole
// batch, as one process computes it (to float round-off: the terms are added in another
// order). MPI only moves bytes; every addition is vidgen's own, so equal N give equal bits.
// Each rank sends (N−1)/N · L floats in step 2 and again in step 4.

import Foundation
import Tensor

/// An error that every rank meets at the same point of the run (a bad launch, a
/// non-finite loss), so one rank reports it and all leave together.
public struct CollectiveError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// This process's place in a data-parallel run started by Open MPI's mpirun.
public final class DataParallel {
    /// This rank, 0 ..< size; rank 0 writes every file.
    public let rank: Int
    /// Number of ranks.
    public let size: Int
    let mpi: MPI

    /// Read before each sum: whether this rank wants to stop after the step (Ctrl-C).
    public var stopRequested: () -> Bool = { false }
    /// Whether any rank asked to stop in the last sum.
    public private(set) var stopAgreed = false
    /// Seconds spent in `sum` so far (packing, both exchanges, adding, unpacking — and
    /// waiting for the slowest rank), and how many sums that was.
    public private(set) var sumSeconds = 0.0
    public private(set) var sums = 0
    /// For benchmarks: wait for every rank (a barrier) before each sum, and count that
    /// wait in `waitSeconds` instead of `sumSeconds`.
    public var timesWait = false
    public private(set) var waitSeconds = 0.0

    private var send: [Float] = []
    private var received: [Float] = []
    private var total: [Float] = []
    private var chunk: [Float] = []

    init(_ mpi: MPI) {
        self.mpi = mpi
        (rank, size) = (mpi.rank, mpi.size)
    }

    /// The run this process is a rank of, or nil for a single process (not started by
    /// mpirun, or by `mpirun -np 1`, which trains exactly as a single process does).
    public static func launched(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> DataParallel? {
        guard let text = environment["OMPI_COMM_WORLD_SIZE"] else {
            if let other = ["PMI_RANK", "PMIX_RANK"].first(where: { environment[$0] != nil }) {
                throw VidgenError("started by an MPI launcher other than Open MPI's mpirun (\(other) is set); vidgen trains data-parallel under Open MPI's mpirun only")
            }
            return nil
        }
        guard let n = Int(text), n > 1 else { return nil }
        return DataParallel(try MPI())
    }

    /// Whether this rank writes files (checkpoints, logs, snapshots, progress).
    public var isWriter: Bool { rank == 0 }

    /// This rank's clips of a global batch of `batch`.
    public func share(of batch: Int) -> Range<Int> { (rank * batch / size)..<((rank + 1) * batch / size) }

    /// Throws unless every rank gets at least one clip of a global batch of `batch`.
    public func checkShare(of batch: Int) throws {
        if size > batch {
            throw CollectiveError("\(size) ranks cannot share a global batch of \(batch) clips: start at most \(batch) (mpirun -np \(batch))")
        }
    }

    /// Runs `body` on every rank; if it throws on any, every rank throws the same
    /// CollectiveError: the message of the lowest rank that failed (naming that rank unless
    /// every rank failed alike). So set-up problems are reported once and the ranks leave
    /// together instead of waiting for each other.
    public func together<R>(_ body: () throws -> R) throws -> R {
        let capacity = 1024
        var result: R?
        var message = [UInt8](repeating: 0, count: capacity)
        do {
            result = try body()
        } catch {
            let text = Array("\(error)".utf8.prefix(capacity - 2))
            message[0] = 1
            message.replaceSubrange(1..<(1 + text.count), with: text)
        }
        let all = mpi.allgather(message)
        let messages = (0..<size).map { r -> String? in
            let m = all[(r * capacity)..<((r + 1) * capacity)]
            guard m.first == 1 else { return nil }
            return String(decoding: m.dropFirst().prefix { $0 != 0 }, as: UTF8.self)
        }
        if let r = messages.firstIndex(where: { $0 != nil }), let text = messages[r] {
            let alike = messages.allSatisfy { $0 == text }
            throw CollectiveError(alike || r == 0 ? text : "rank \(r): \(text)")
        }
        return result!
    }

    /// Throws, naming the first rank that differs, unless every rank passes equal `text`.
    /// `problem` completes "rank r …".
    public func agree(on text: String, _ problem: String) throws {
        var h = Fingerprint()
        h.add(Array(text.utf8))
        try agree(h.value, problem)
    }

    /// Throws unless every rank's trainer holds the same step and bit-identical weights,
    /// EMA and AdamW moments.
    public func agree(on trainer: Trainer) throws {
        var h = Fingerprint()
        h.add(UInt64(trainer.step))
        for tensors in [trainer.model.namedParameters.map(\.value), trainer.ema, trainer.adam.m, trainer.adam.v] {
            for t in tensors { t.withUnsafeBufferPointer { h.add(UnsafeRawBufferPointer($0)) } }
        }
        try agree(h.value, "starts from other weights than rank 0: every rank must read the same --out folder (with several hosts, on a file system they share)")
    }

    private func agree(_ value: UInt64, _ problem: String) throws {
        let all = mpi.allgather(withUnsafeBytes(of: value.littleEndian) { Array($0) })
        let hashes = (0..<size).map { r in all[(r * 8)..<(r * 8 + 8)] }
        if let r = (1..<size).first(where: { hashes[$0] != hashes[0] }) {
            throw CollectiveError("rank \(r) \(problem)")
        }
    }

    // MARK: - The sum

    /// Replaces `grads` — of this rank's share, whose loss `loss` is a mean over `weight`
    /// frames — by the gradients of the whole batch's loss, and `loss` by that loss.
    /// Sets `stopAgreed`. Every rank must call it at every step.
    public func sum(_ grads: inout [Tensor], loss: inout Float, weight: Float) {
        if timesWait {
            let w0 = Stopwatch.now()
            mpi.barrier()
            waitSeconds += Stopwatch.now() - w0
        }
        let t0 = Stopwatch.now()
        let p = grads.reduce(0) { $0 + $1.count }
        let length = p + 3
        let bounds = (0...size).map { $0 * length / size }
        let counts = (0..<size).map { Int32(bounds[$0 + 1] - bounds[$0]) }
        let offsets = bounds.dropLast().map { Int32($0) }
        let mine = Int(counts[rank])
        if send.count != length {
            send = [Float](repeating: 0, count: length)
            total = send
            received = [Float](repeating: 0, count: mine * size)
            chunk = [Float](repeating: 0, count: mine)
        }
        send.withUnsafeMutableBufferPointer { s in
            // 1. pack
            var k = 0
            for g in grads {
                g.withUnsafeBufferPointer { src in
                    for x in src { s[k] = weight * x; k += 1 }
                }
            }
            s[p] = weight * loss
            s[p + 1] = weight
            s[p + 2] = stopRequested() ? 1 : 0
            received.withUnsafeMutableBufferPointer { r in
                chunk.withUnsafeMutableBufferPointer { c in
                    // 2. exchange chunks
                    mpi.alltoallv(s.baseAddress!, counts: counts, offsets: offsets, into: r.baseAddress!)
                    // 3. add in rank order
                    for j in 0..<mine {
                        var acc = r[j]
                        for i in 1..<size { acc += r[i * mine + j] }
                        c[j] = acc
                    }
                    // 4. share the sums
                    total.withUnsafeMutableBufferPointer { t in
                        mpi.allgatherv(c.baseAddress!, counts: counts, offsets: offsets, into: t.baseAddress!)
                    }
                }
            }
        }
        // 5. unpack
        let w = total[p + 1]
        total.withUnsafeBufferPointer { t in
            var k = 0
            for i in grads.indices {
                grads[i].withUnsafeMutableBufferPointer { dst in
                    for j in dst.indices { dst[j] = t[k] / w; k += 1 }
                }
            }
        }
        loss = total[p] / w
        stopAgreed = total[p + 2] > 0
        sumSeconds += Stopwatch.now() - t0
        sums += 1
    }

    /// Leaves MPI with the other ranks: at the end of a run, or after a CollectiveError.
    public func finish() { mpi.finalize() }
}

/// FNV-1a over 64-bit words: a fingerprint for comparing ranks, not a secure hash.
struct Fingerprint {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ word: UInt64) {
        value = (value ^ word) &* 0x0000_0100_0000_01b3
    }

    mutating func add(_ bytes: [UInt8]) { bytes.withUnsafeBytes { add($0) } }

    mutating func add(_ bytes: UnsafeRawBufferPointer) {
        var i = 0
        while i + 8 <= bytes.count {
            add(bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            i += 8
        }
        var tail: UInt64 = 0
        for j in i..<bytes.count { tail |= UInt64(bytes[j]) << (8 * UInt64(j - i)) }
        add(tail ^ (UInt64(bytes.count) << 56))
    }
}

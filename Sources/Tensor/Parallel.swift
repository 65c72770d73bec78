// Work splitting over the machine's cores with a fixed partition.
//
// Every parallel kernel in vidgen splits its index range into chunks whose boundaries
// depend only on the problem size (never on the number of threads or on timing), and
// each output element is computed by exactly one chunk in a fixed order. Results are
// therefore bit-identical run to run and across core counts.

import Dispatch

/// Fixed-partition parallel loops, run on the worker pool (`WorkerPool`, on Linux) or else
/// on Dispatch.
public enum Parallel {
    /// Threads this process computes on (the most chunks a large loop is split into):
    /// `VIDGEN_THREADS` if it is set; in a run started by Open MPI's mpirun, the host's
    /// cores shared among the ranks on it (OMPI_COMM_WORLD_LOCAL_SIZE: 2 ranks on 2 cores
    /// take 1 thread each); otherwise every core. Results do not depend on it.
    public static let cores: Int = threads(environment).count

    /// Why `VIDGEN_THREADS` cannot be used, if it cannot (then `cores` ignores it).
    public static let threadsProblem: String? = threads(environment).problem

    static func environment(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }

    static func threads(_ env: (String) -> String?) -> (count: Int, problem: String?) {
        let online = max(1, sysconfCores())
        if let text = env("VIDGEN_THREADS") {
            if let n = Int(text), (1...1024).contains(n) { return (n, nil) }
            return (online, "VIDGEN_THREADS must be a whole number of threads in 1...1024, got '\(text)'")
        }
        if let text = env("OMPI_COMM_WORLD_LOCAL_SIZE"), let ranks = Int(text), ranks > 1 {
            return (max(1, online / ranks), nil)
        }
        return (online, nil)
    }

    /// Below this many elements of simple work a loop runs on the calling thread.
    public static let minParallelElements = 1 << 15

    /// Calls `body` over disjoint ranges covering `0..<n`. Ranges come from `n` alone:
    /// `n` is cut into chunks of `grain` (rounded so there are at most 64 chunks).
    @inline(__always)
    public static func forChunks(_ n: Int, grain: Int = minParallelElements, _ body: (Range<Int>) -> Void) {
        if n <= grain || cores == 1 {
            body(0..<n)
            return
        }
        let chunks = min(64, (n + grain - 1) / grain)
        let size = (n + chunks - 1) / chunks
        withoutActuallyEscaping(body) { body in
            perform(chunks) { c in
                let lo = c * size
                let hi = min(n, lo + size)
                if lo < hi { body(lo..<hi) }
            }
        }
    }

    /// Calls `body(i)` for each `i` in `0..<n` (each item is a sizeable task, such as one
    /// attention head or one row block). Items run in parallel; each is independent.
    @inline(__always)
    public static func forEach(_ n: Int, minItems: Int = 2, _ body: (Int) -> Void) {
        if n < minItems || cores == 1 {
            for i in 0..<n { body(i) }
            return
        }
        let chunks = min(n, cores * 4)
        let size = (n + chunks - 1) / chunks
        withoutActuallyEscaping(body) { body in
            perform(chunks) { c in
                let lo = c * size
                let hi = min(n, lo + size)
                if lo < hi { for i in lo..<hi { body(i) } }
            }
        }
    }

    /// Runs `body(c)` for every chunk `c` in `0..<chunks`, on the calling thread and the
    /// worker pool's threads, and returns when all have run.
    @inline(__always)
    static func perform(_ chunks: Int, _ body: @escaping (Int) -> Void) {
        #if os(Linux)
        if WorkerPool.shared.run(chunks, body) { return }
        #endif
        DispatchQueue.concurrentPerform(iterations: chunks, execute: body)
    }
}

#if os(Linux)
import Foundation
import Synchronization

/// The threads `Parallel` hands chunks to: one per core beside the caller's, each spinning
/// for a few tens of microseconds after its last chunk before it sleeps. Dispatch's
/// concurrentPerform wakes a sleeping worker for every loop, which on a 2-core virtual
/// machine can take longer than the small loops of a denoiser call at batch 1: two chunks
/// of 19 µs each took 58 µs through concurrentPerform and 20 µs through this pool
/// (docs/performance.md).
///
/// One word holds the job: its generation (high 32 bits), its number of chunks (16 bits)
/// and the next chunk to claim (low 16 bits). A thread claims a chunk by raising the word
/// while the generation is the one it read and chunks remain, so a thread that arrives
/// late, after its job ended, can claim nothing of the next. The job's body is read only
/// by a thread holding an unfinished chunk of it, and the caller returns only when every
/// chunk has finished, so the body outlives every use. A loop started while one runs (from
/// inside a chunk, or from another thread) runs on the Dispatch pool instead.
final class WorkerPool: @unchecked Sendable {
    static let shared = WorkerPool(threads: Parallel.cores - 1)

    /// Spins of a waiting worker before it sleeps (tens of microseconds).
    static let spins = 40_000
    static let indexBits = 16, chunkMask = (1 << 16) - 1

    private let word = Atomic<Int>(0)
    private let finished = Atomic<Int>(0)
    private let inUse = Atomic<Bool>(false)
    private let sleepers = Atomic<Int>(0)
    private let condition = NSCondition()
    private var body: ((Int) -> Void)?
    private var generation = 0
    let threads: Int

    init(threads: Int) {
        self.threads = max(0, threads)
        for _ in 0..<self.threads {
            let t = Thread { [unowned self] in self.work() }
            t.name = "vidgen-worker"
            t.start()
        }
    }

    /// Runs `body` over `chunks` chunks with the pool's threads; false (having run nothing)
    /// when the pool has no threads, too many chunks, or is busy with another loop.
    func run(_ chunks: Int, _ body: @escaping (Int) -> Void) -> Bool {
        guard threads > 0, chunks <= Self.chunkMask,
              inUse.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return false }
        self.body = body
        finished.store(0, ordering: .relaxed)
        generation = (generation + 1) & 0x7FFF_FFFF
        let job = generation << 32 | chunks << Self.indexBits
        word.store(job, ordering: .sequentiallyConsistent)
        if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
            condition.lock()
            condition.broadcast()
            condition.unlock()
        }
        claimAll(job)
        while finished.load(ordering: .acquiring) < chunks {}
        self.body = nil
        inUse.store(false, ordering: .releasing)
        return true
    }

    /// Claims and runs chunks of the job whose word was `job` until none remain.
    private func claimAll(_ job: Int) {
        var seen = word.load(ordering: .acquiring)
        while seen >> 32 == job >> 32 {
            let chunks = seen >> Self.indexBits & Self.chunkMask, next = seen & Self.chunkMask
            if next >= chunks { return }
            let (exchanged, original) = word.compareExchange(expected: seen, desired: seen + 1, ordering: .acquiringAndReleasing)
            if exchanged {
                runChunk(next)
                finished.add(1, ordering: .releasing)
                seen = seen + 1
            } else {
                seen = original
            }
        }
    }

    @inline(never)
    private func runChunk(_ c: Int) { body!(c) }

    /// A worker's loop: wait for a new job (spinning, then asleep), take its chunks.
    private func work() {
        var last = word.load(ordering: .acquiring) >> 32
        while true {
            var seen = word.load(ordering: .acquiring)
            var spins = 0
            while seen >> 32 == last {
                spins += 1
                if spins >= Self.spins {
                    condition.lock()
                    sleepers.add(1, ordering: .sequentiallyConsistent)
                    while word.load(ordering: .sequentiallyConsistent) >> 32 == last { condition.wait() }
                    sleepers.subtract(1, ordering: .sequentiallyConsistent)
                    condition.unlock()
                    spins = 0
                }
                seen = word.load(ordering: .acquiring)
            }
            last = seen >> 32
            claimAll(seen)
        }
    }
}
#endif

#if canImport(Glibc)
import Glibc
private func sysconfCores() -> Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
#else
import Darwin
private func sysconfCores() -> Int { Int(sysconf(_SC_NPROCESSORS_ONLN)) }
#endif

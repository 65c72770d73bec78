// Work splitting over the machine's cores with a fixed partition.
//
// Every parallel kernel in vidgen splits its index range into chunks whose boundaries
// depend only on the problem size (never on the number of threads or on timing), and
// each output element is computed by exactly one chunk in a fixed order. Results are
// therefore bit-identical run to run and across core counts.

import Dispatch

/// Fixed-partition parallel loops.
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
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
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
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                let lo = c * size
                let hi = min(n, lo + size)
                if lo < hi { for i in lo..<hi { body(i) } }
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
private func sysconfCores() -> Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
#else
import Darwin
private func sysconfCores() -> Int { Int(sysconf(_SC_NPROCESSORS_ONLN)) }
#endif

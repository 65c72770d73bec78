// Work splitting over the machine's cores with a fixed partition.
//
// Every parallel kernel in vidgen splits its index range into chunks whose boundaries
// depend only on the problem size (never on the number of threads or on timing), and
// each output element is computed by exactly one chunk in a fixed order. Results are
// therefore bit-identical run to run and across core counts.

import Dispatch

/// Fixed-partition parallel loops.
public enum Parallel {
    /// Number of worker chunks a large loop is split into at most: the core count.
    public static let cores: Int = max(1, sysconfCores())

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

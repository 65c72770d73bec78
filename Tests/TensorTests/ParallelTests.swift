import Foundation
import XCTest
@testable import Tensor

/// The fixed-partition loops: every index runs exactly once, whatever the sizes, however
/// loops follow one another, nest or start from several threads at once.
final class ParallelTests: XCTestCase {
    /// How many times each index of `0..<n` ran in one forChunks loop of `grain`.
    func counts(_ n: Int, grain: Int) -> [Int] {
        let hits = UnsafeMutablePointer<Int>.allocate(capacity: max(n, 1))
        defer { hits.deallocate() }
        hits.initialize(repeating: 0, count: max(n, 1))
        Parallel.forChunks(n, grain: grain) { r in for i in r { hits[i] += 1 } }
        return Array(UnsafeBufferPointer(start: hits, count: n))
    }

    func testEveryIndexRunsOnceInLoopsAfterOneAnother() {
        for round in 0..<2000 {
            let n = 1 + (round * 7919) % 5000, grain = 1 + round % 97
            XCTAssertEqual(counts(n, grain: grain), [Int](repeating: 1, count: n), "n \(n), grain \(grain)")
        }
    }

    func testNestedLoopsAndLoopsFromSeveralThreads() {
        let n = 64, inner = 300
        let hits = UnsafeMutablePointer<Int>.allocate(capacity: n * inner)
        defer { hits.deallocate() }
        hits.initialize(repeating: 0, count: n * inner)
        Parallel.forEach(n) { i in
            Parallel.forChunks(inner, grain: 7) { r in for j in r { hits[i * inner + j] += 1 } }
        }
        XCTAssertEqual(Array(UnsafeBufferPointer(start: hits, count: n * inner)), [Int](repeating: 1, count: n * inner))
        // Four threads each running loops: every loop complete, none mixed with another's.
        final class Results: @unchecked Sendable {
            let ok = UnsafeMutablePointer<Bool>.allocate(capacity: 4)
            init() { ok.initialize(repeating: false, count: 4) }
            deinit { ok.deallocate() }
        }
        let results = Results()
        let group = DispatchGroup()
        for t in 0..<4 {
            group.enter()
            Thread {
                var good = true
                for round in 0..<300 { good = good && self.counts(500 + round + t, grain: 13) == [Int](repeating: 1, count: 500 + round + t) }
                results.ok[t] = good
                group.leave()
            }.start()
        }
        group.wait()
        XCTAssertEqual(Array(UnsafeBufferPointer(start: results.ok, count: 4)), [true, true, true, true])
    }
}

import XCTest
@testable import Tensor

final class RNGTests: XCTestCase {
    func testSameSeedSameStream() {
        var a = RNG(seed: 42), b = RNG(seed: 42)
        for _ in 0..<1000 { XCTAssertEqual(a.next(), b.next()) }
        var c = RNG(seed: 43)
        var d = RNG(seed: 42)
        XCTAssertNotEqual((0..<8).map { _ in c.next() }, (0..<8).map { _ in d.next() })
    }

    func testSplitDependsOnKeyNotPosition() {
        var parent = RNG(seed: 7)
        let before = parent.split("noise")
        _ = parent.next()
        XCTAssertEqual(parent.split("noise"), before)
        var x = parent.split("noise"), y = parent.split("data"), z = parent.split(0), w = parent.split(1)
        let xs = (0..<4).map { _ in x.next() }, ys = (0..<4).map { _ in y.next() }
        let zs = (0..<4).map { _ in z.next() }, ws = (0..<4).map { _ in w.next() }
        XCTAssertNotEqual(xs, ys)
        XCTAssertNotEqual(zs, ws)
        XCTAssertNotEqual(xs, zs)
    }

    func testSplitStreamsAreUncorrelated() {
        var a = RNG(seed: 1).split("a"), b = RNG(seed: 1).split("b")
        let n = 20000
        var sab = 0.0, sa = 0.0, sb = 0.0, saa = 0.0, sbb = 0.0
        for _ in 0..<n {
            let x = a.uniform(), y = b.uniform()
            sab += x * y; sa += x; sb += y; saa += x * x; sbb += y * y
        }
        let cov = sab / Double(n) - (sa / Double(n)) * (sb / Double(n))
        let va = saa / Double(n) - (sa / Double(n)) * (sa / Double(n))
        let vb = sbb / Double(n) - (sb / Double(n)) * (sb / Double(n))
        let corr = cov / (va * vb).squareRoot()
        XCTAssertLessThan(abs(corr), 0.03)  // 4 standard errors at n = 20000
    }

    func testNormalMeanAndVariance() {
        var rng = RNG(seed: 3)
        let n = 100_000
        var buf = [Float](repeating: 0, count: n)
        buf.withUnsafeMutableBufferPointer { rng.fillNormal($0) }
        let mean = buf.reduce(0.0) { $0 + Double($1) } / Double(n)
        let variance = buf.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(n)
        XCTAssertEqual(mean, 0, accuracy: 0.015)  // ~5 standard errors
        XCTAssertEqual(variance, 1, accuracy: 0.02)
    }

    func testUniformIntCoversRange() {
        var rng = RNG(seed: 9)
        var seen = Set<Int>()
        for _ in 0..<1000 {
            let v = rng.int(in: -2...3)
            XCTAssert((-2...3).contains(v))
            seen.insert(v)
        }
        XCTAssertEqual(seen.count, 6)
    }

    func testStateRoundTrip() {
        var a = RNG(seed: 5).split("x")
        _ = a.next()
        var b = RNG(key: a.key, state: a.stateWords)
        XCTAssertEqual(a.next(), b.next())
    }
}

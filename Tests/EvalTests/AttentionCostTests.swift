import Foundation
import XCTest
import Diffusion
import Tensor
@testable import Eval

final class AttentionCostTests: XCTestCase {
    /// The tiny model over a handful of small clips, one timed run each (also ReproduceTests').
    static var tinySetup: AttentionCostSetup {
        var s = AttentionCostSetup()
        s.model = .tiny
        s.frames = [2, 4, 8]
        s.framesSize = 16
        s.sizes = [8, 16]
        s.sizesFrames = 4
        s.runs = 1
        s.secondsPerFigure = 1
        s.checkBudget = false
        return s
    }

    // MARK: - Memory accounting

    /// Live bytes count every tensor, pooled or not, and return to where they were.
    func testLiveBytesReturnToBaseline() {
        let pool = BufferPool.shared
        let baseline = pool.liveBytes
        do {
            let small = Tensor.zeros([10]), large = Tensor.zeros([5000])
            withExtendedLifetime((small, large)) {
                XCTAssertEqual(pool.liveBytes, baseline + 4 * 5010)
                pool.resetPeak()
                XCTAssertEqual(pool.peakLiveBytes, baseline + 4 * 5010)
                let more = Tensor.zeros([8192])
                withExtendedLifetime(more) { XCTAssertEqual(pool.liveBytes, baseline + 4 * (5010 + 8192)) }
            }
        }
        XCTAssertEqual(pool.liveBytes, baseline)
        XCTAssertEqual(pool.peakLiveBytes, baseline + 4 * (5010 + 8192), "the peak stays until reset")
        pool.resetPeak()
        XCTAssertEqual(pool.peakLiveBytes, baseline)
    }

    /// Forward and forward+backward peaks grow with T, are identical run to run, and all
    /// of it is given back afterwards.
    func testPeakGrowsWithFrames() {
        let baseline = BufferPool.shared.liveBytes
        var m = ModelConfig.tiny
        let points = [2, 4, 8].map { t -> AttentionCostPoint in
            m.frames = t
            return AttentionCost.measure(m, setup: Self.tinySetup)
        }
        XCTAssertEqual(BufferPool.shared.liveBytes, baseline)
        for (a, b) in zip(points, points.dropFirst()) {
            XCTAssertLessThan(a.forwardPeakBytes, b.forwardPeakBytes)
            XCTAssertLessThan(a.trainPeakBytes, b.trainPeakBytes)
        }
        for p in points {
            XCTAssertGreaterThan(p.trainPeakBytes, p.forwardPeakBytes, "backward keeps activations and adds gradients")
            XCTAssertGreaterThan(p.forwardPeakBytes, p.baselineBytes)
            XCTAssertGreaterThan(p.baselineBytes, p.weightBytes)
        }
        let again = AttentionCost.measure(m, setup: Self.tinySetup)
        XCTAssertEqual(again.trainPeakBytes, points[2].trainPeakBytes)
        XCTAssertEqual(again.forwardPeakBytes, points[2].forwardPeakBytes)
    }

    // MARK: - Fits

    func testLogLogFitRecoversExponents() {
        let xs: [Double] = [4, 8, 16, 32, 64]
        for k in [1.0, 1.7, 2.0] {
            let fit = AttentionCost.logLogFit(xs, xs.map { 3 * pow($0, k) })
            XCTAssertEqual(fit.slope, k, accuracy: 1e-9)
            XCTAssertEqual(fit.intercept, log(3), accuracy: 1e-9)
        }
        // A constant plus a quadratic: the fitted slope sits between 0 and 2, the last
        // segment's nearer 2.
        let mixed = xs.map { 1000 + $0 * $0 }
        XCTAssertLessThan(AttentionCost.logLogFit(xs, mixed).slope, 1.5)
        XCTAssertGreaterThan(AttentionCost.logLogFit(xs, mixed).slope, 0.5)
    }

    func testQuadraticFitAndBudget() {
        let frames = [4, 8, 16, 32, 64]
        let law = { (t: Double) in 5e6 + 2e6 * t + 3e4 * t * t }
        let fit = AttentionCost.quadraticFit(frames.map(Double.init), frames.map { law(Double($0)) })
        XCTAssertEqual(fit[0], 5e6, accuracy: 1)
        XCTAssertEqual(fit[1], 2e6, accuracy: 1e-3)
        XCTAssertEqual(fit[2], 3e4, accuracy: 1e-5)
        let peaks = frames.map { Int(law(Double($0))) }
        // Beyond every measured T: the root of the law, rounded down.
        let far = AttentionCost.budget(.joint, size: 32, budgetBytes: 2 << 30, frames: frames, peaks: peaks)
        let root = (-2e6 + (4e12 + 4 * 3e4 * (Double(2 << 30) - 5e6)).squareRoot()) / 6e4
        XCTAssertEqual(far.maxFrames, Int(root))
        XCTAssertEqual(far.basis, "extrapolated")
        // Between measured points: the law, inside the measured bracket.
        let mid = AttentionCost.budget(.joint, size: 32, budgetBytes: Int(law(20)), frames: frames, peaks: peaks)
        XCTAssertEqual(mid.maxFrames, 20)
        XCTAssertEqual(mid.basis, "interpolated")
        // T and T + 1 both measured: the measurement decides.
        let exact = AttentionCost.budget(.joint, size: 32, budgetBytes: Int(law(8)), frames: [7, 8, 9],
                                         peaks: [7, 8, 9].map { Int(law(Double($0))) })
        XCTAssertEqual(exact.maxFrames, 8)
        XCTAssertEqual(exact.basis, "measured")
    }

    // MARK: - The experiment

    func testTinyRunHasEveryPointSlopeAndBudget() throws {
        let setup = Self.tinySetup
        var seen = 0
        let report = AttentionCost.run(setup) { _ in seen += 1 }
        // Per variant: 3 frame points + 2 resolution points, (T = 4, 16 px) shared.
        XCTAssertEqual(report.points.count, 8)
        XCTAssertEqual(seen, 8)
        XCTAssertEqual(Set(report.points.map(\.attention)), [.factorized, .joint])
        XCTAssertEqual(report.slopes.count, 2 * 2 * 2 * 2)  // variant × sweep × pass × quantity
        XCTAssertTrue(report.slopes.allSatisfy { $0.slope.isFinite && $0.lastSlope.isFinite })
        XCTAssertEqual(report.budgets.map(\.attention), [.factorized, .joint])
        XCTAssertTrue(report.budgets.allSatisfy { $0.maxFrames > 8 && $0.basis == "extrapolated" })
        for p in report.points {
            XCTAssertEqual(p.tokens, p.frames * (p.size / 4) * (p.size / 4))
            XCTAssertGreaterThan(p.forwardMs, 0)
            XCTAssertGreaterThan(p.trainMs, 0)
        }
        let text = report.lines.joined(separator: "\n")
        XCTAssertTrue(text.contains("approach 2"))
        XCTAssertTrue(text.contains("Longest clip"))
        // A budget that T = 6 just fits: measuring replaces the fit's answer by exactly 6.
        var small = setup
        var m = setup.model
        m.size = setup.framesSize
        m.frames = 6
        small.budgetBytes = AttentionCost.trainPeakBytes(m)
        var checked = AttentionCostReport(setup: small, points: report.points, seconds: 0)
        AttentionCost.checkBudgets(&checked)
        XCTAssertEqual(checked.budgets[0].attention, .factorized)
        XCTAssertEqual(checked.budgets[0].maxFrames, 6)
        XCTAssertEqual(checked.budgets[0].basis, "measured")
        XCTAssertNotNil(checked.budgets[0].fittedFrames)
        let decoded = try JSONDecoder().decode(AttentionCostReport.self, from: JSONEncoder().encode(report))
        XCTAssertEqual(decoded, report)
    }
}

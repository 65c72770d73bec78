import XCTest
@testable import Diffusion
@testable import Tensor

/// The multistep solvers, DPM-Solver++(2M) and UniPC: their order on a problem whose flow is
/// known, their update equations against the papers' forms, their agreement with DDIM where
/// they must agree, and each frame's own history on a staggered window.
final class SolverTests: XCTestCase {
    static let deterministic: [SamplerKind] = [.ddim, .dpmpp2m, .unipc]

    // MARK: - A Gaussian toy with a known flow

    /// Data x₀ ~ N(μ_j, s_j²) in component j, independently. Then
    ///   E[x₀ | x_t] = (α_t·s²·x_t + σ_t²·μ)/(α_t²·s² + σ_t²),  the ideal v̂ = (α_t·x_t − E[x₀ | x_t])/σ_t,
    /// and the probability-flow ODE carries each component along its quantile:
    ///   x_t = α_t·μ + √(α_t²·s² + σ_t²)·ζ,   ζ = (x_1 − α_1·μ)/√(α_1²·s² + σ_1²) fixed,
    /// the only increasing map that carries the marginal at 1 to the one at t (in one dimension a
    /// flow is increasing). μ and s are small, so x̂₀ stays inside [−1, 1]: no clipping.
    struct Gaussian {
        let mu: [Double] = [0.1, -0.2, 0.05, 0.2, -0.1, 0]
        let s: [Double] = [0.3, 0.2, 0.25, 0.15, 0.3, 0.1]
        /// x_1, the start of every chain [1, 1, 6].
        let start = Tensor(shape: [1, 1, 6], values: [0.8, -1.3, 0.4, 1.9, -0.6, 1.1])
        let schedule: CosineSchedule

        func posteriorMean(_ x: Double, _ j: Int, _ alpha: Double, _ sigma: Double) -> Double {
            (alpha * s[j] * s[j] * x + sigma * sigma * mu[j]) / (alpha * alpha * s[j] * s[j] + sigma * sigma)
        }

        /// The ideal v̂ for a one-frame window at `levels[0]`; `largest` records the largest |x̂₀|.
        func v(_ x: Tensor, _ levels: [Float], largest: inout Double) -> Tensor {
            let (a, sg) = schedule.alphaSigma(Double(levels[0]))
            return Tensor(shape: x.shape, values: x.values.enumerated().map { j, xj in
                let x0 = posteriorMean(Double(xj), j, a, sg)
                largest = max(largest, abs(x0))
                return Float((a * Double(xj) - x0) / sg)
            })
        }

        /// The flow's x_t from `start`.
        func flow(to level: Float) -> [Double] {
            let (a1, s1) = schedule.alphaSigma(1), (a, sg) = schedule.alphaSigma(Double(level))
            return start.values.enumerated().map { j, x1 in
                let zeta = (Double(x1) - a1 * mu[j]) / (a1 * a1 * s[j] * s[j] + s1 * s1).squareRoot()
                return a * mu[j] + (a * a * s[j] * s[j] + sg * sg).squareRoot() * zeta
            }
        }

        /// The chain of `kind` over `steps` steps, stopped at grid point `until` (steps: the end).
        func chain(_ kind: SamplerKind, steps: Int, until: Int, largest: inout Double) -> Tensor {
            let sampler = Sampler(kind, steps: steps, schedule: schedule)
            var (noise, history, x) = (ClipNoise([RNG(seed: 1)]), SolverHistory(), start)
            for i in 0..<until {
                let (t, s) = (sampler.levels(i, context: 0, frames: 1), sampler.levels(i + 1, context: 0, frames: 1))
                x = sampler.step(window: x, t: t, tPrev: s, v: v(x, t, largest: &largest), noise: &noise, history: &history)
            }
            return x
        }
    }

    static func maxError(_ x: Tensor, _ exact: [Double]) -> Double {
        zip(x.values, exact).map { abs(Double($0) - $1) }.max()!
    }

    /// Halfway down the chain (level 0.5, grid point steps/2) DDIM's error halves with each
    /// doubling of the steps, DPM-Solver++(2M)'s and UniPC's quarter (order ≥ 1.7), and UniPC's
    /// corrector beats its predictor alone.
    ///
    /// Why not at the end: the grid is uniform in t, and near t = 0 the cosine schedule has
    /// σ_t² ∝ t, so the last steps' λ-increments, ½·log(k/(k − 1)) for the k-th from last, do
    /// not shrink as steps grow. There the error of any update polynomial in λ scales with
    /// σ² ~ 1/steps: the final sample converges at first order for every solver (measured with
    /// up to 2560 steps, the second-order solvers' observed order falls back toward 1). Measured at a
    /// fixed level the solvers show their order; the end is checked in the next test.
    func testOrderOfConvergenceAtAFixedLevel() {
        for shift in [1.0, 2.0] {
            let toy = Gaussian(schedule: CosineSchedule(shift: shift))
            let exact = toy.flow(to: 0.5)
            var errors: [SamplerKind: [Double]] = [:]
            var largest = 0.0
            for kind in Self.deterministic {
                errors[kind] = [10, 20, 40].map { steps in
                    let x = toy.chain(kind, steps: steps, until: steps / 2, largest: &largest)
                    XCTAssertEqual(Sampler(kind, steps: steps).levels(steps / 2, context: 0, frames: 1), [0.5])
                    return Self.maxError(x, exact)
                }
            }
            XCTAssertLessThan(largest, 0.9, "the toy must stay clear of the clip at ±1")
            for kind in Self.deterministic {
                let e = errors[kind]!
                let orders = [log2(e[0] / e[1]), log2(e[1] / e[2])]
                let message = "\(kind) shift \(shift): errors \(e), orders \(orders)"
                for p in orders {
                    if kind == .ddim { XCTAssert(p >= 0.7 && p <= 1.3, message) } else { XCTAssertGreaterThanOrEqual(p, 1.7, message) }
                }
            }
            for i in 0..<3 {
                XCTAssertLessThan(errors[.dpmpp2m]![i], errors[.ddim]![i], "shift \(shift)")
                XCTAssertLessThan(errors[.unipc]![i], errors[.dpmpp2m]![i], "shift \(shift)")
            }
        }
    }

    /// At the end of the chain (x̂₀ at the last positive level t₁, which is what a chain
    /// returns) both second-order solvers land closer to the flow's point than DDIM, by a
    /// factor of at least 2 at every step count; and the hand-driven chain of these tests is
    /// `run`'s, to the bit.
    func testFinalSampleIsCloserThanDDIMs() {
        for shift in [1.0, 2.0] {
            let toy = Gaussian(schedule: CosineSchedule(shift: shift))
            for steps in [10, 20, 40] {
                let t1 = Sampler(.ddim, steps: steps).levels(steps - 1, context: 0, frames: 1)[0]
                let (a, sg) = toy.schedule.alphaSigma(Double(t1))
                let exact = toy.flow(to: t1).enumerated().map { j, x in toy.posteriorMean(x, j, a, sg) }
                var errors: [SamplerKind: Double] = [:]
                for kind in Self.deterministic {
                    var largest = 0.0
                    let x = toy.chain(kind, steps: steps, until: steps, largest: &largest)
                    var noise = ClipNoise([RNG(seed: 1)])
                    let run = Sampler(kind, steps: steps, schedule: toy.schedule)
                        .run(window: toy.start, context: 0, noise: &noise, predict: { x, t in toy.v(x, t, largest: &largest) })
                    XCTAssertEqual(x.values, run.values, "\(kind)")
                    errors[kind] = Self.maxError(x, exact)
                }
                for kind in [SamplerKind.dpmpp2m, .unipc] {
                    XCTAssertLessThan(errors[kind]!, 0.5 * errors[.ddim]!, "\(kind) shift \(shift), \(steps) steps: \(errors)")
                }
            }
        }
    }

    // MARK: - The update equations

    /// A smooth v̂ that depends on each number and its frame's level only.
    static func toyV(_ x: Tensor, _ levels: [Float], per: Int) -> Tensor {
        let frames = levels.count
        return Tensor(shape: x.shape, values: x.values.enumerated().map { i, xi in
            let t = levels[(i / per) % frames]
            return xi * (0.7 - 0.4 * t) + 0.1 * Float(Libm.sin(Double(3 * xi))) + 0.05
        })
    }

    /// Three steps of one frame on an uneven grid, against the papers' forms computed here in
    /// Double: DPM-Solver++(2M) as Lu et al.'s Algorithm 2 writes it; UniPC recomputing each
    /// corrected point from the previous corrected one, with ρ solved from R·ρ = b, b built
    /// from the φ recursion — not the closed forms and increments Sampler uses.
    func testStepsFollowThePapersForms() {
        let schedule = CosineSchedule(shift: 2)
        let levels: [Float] = [0.9, 0.75, 0.5, 0.3]
        var rng = RNG(seed: 3)
        let start = Tensor.randn([1, 1, 5], rng: &rng)
        func alphaSigma(_ k: Int) -> (Double, Double) { schedule.alphaSigma(Double(levels[k])) }
        func lambda(_ k: Int) -> Double { let (a, s) = alphaSigma(k); return Libm.log(a / s) }
        for kind in [SamplerKind.dpmpp2m, .unipc] {
            let sampler = Sampler(kind, steps: 3, schedule: schedule)
            var (noise, history) = (ClipNoise([RNG(seed: 4)]), SolverHistory())
            var xs = [start]  // the window after each step: x̃ for UniPC
            var m: [[Float]] = []  // x̂₀ at each point, as the sampler computes it
            for k in 0..<3 {
                let v = Self.toyV(xs[k], [levels[k]], per: 5)
                let (a, s) = alphaSigma(k)
                m.append(zip(xs[k].values, v.values).map { min(1, max(-1, $0 * Float(a) - $1 * Float(s))) })
                xs.append(sampler.step(window: xs[k], t: [levels[k]], tPrev: [levels[k + 1]], v: v, noise: &noise, history: &history))
            }
            // x_{k+1} from x_k (for UniPC the corrected x_k^c) by Lu et al.'s update.
            func predictor(_ k: Int, _ x: [Double]) -> [Double] {
                let (sk, (an, sn)) = (alphaSigma(k).1, alphaSigma(k + 1))
                let h = lambda(k + 1) - lambda(k)
                return x.indices.map { j in
                    var d = Double(m[k][j])
                    if k > 0 {
                        let r = (lambda(k) - lambda(k - 1)) / h
                        d = (1 + 1 / (2 * r)) * Double(m[k][j]) - Double(m[k - 1][j]) / (2 * r)
                    }
                    return sn / sk * x[j] - an * (Libm.exp(-h) - 1) * d
                }
            }
            // x_k^c from x_{k−1}^c: UniC of the step k − 1 → k, with m[k] made at x̃_k.
            func corrector(_ k: Int, _ xPrev: [Double]) -> [Double] {
                let (sp, (ak, sk)) = (alphaSigma(k - 1).1, alphaSigma(k))
                let h = lambda(k) - lambda(k - 1)
                let hPhi1 = Libm.exp(-h) - 1, bh = hPhi1  // B(h) = e^h − 1, taken at −h
                let b = Self.paperB(h)
                return xPrev.indices.map { j in
                    let base = sk / sp * xPrev[j] - ak * hPhi1 * Double(m[k - 1][j])
                    let dt = Double(m[k][j]) - Double(m[k - 1][j])
                    if k == 1 { return base - ak * bh * 0.5 * dt }
                    let r1 = (lambda(k - 2) - lambda(k - 1)) / h
                    let rho0 = (b[0] - b[1]) / (1 - r1), rho1 = (b[1] - r1 * b[0]) / (1 - r1)  // [1 1; r1 1]·ρ = b
                    let d1 = (Double(m[k - 2][j]) - Double(m[k - 1][j])) / r1
                    return base - ak * bh * (rho0 * d1 + rho1 * dt)
                }
            }
            var x = start.values.map(Double.init)  // where the next predictor starts, before UniC
            for k in 0..<3 {
                if kind == .unipc && k > 0 { x = corrector(k, x) }
                let next = predictor(k, x)
                for (got, want) in zip(xs[k + 1].values, next) {
                    XCTAssertEqual(Double(got), want, accuracy: 2e-6, "\(kind) step \(k + 1)")
                }
                if kind == .dpmpp2m { x = next }
            }
        }
    }

    /// UniC's (b₁, b₂) as the paper builds them for B(h) = e^h − 1 in data prediction (h → −h):
    /// b_k = k!·φ̃_k/B, φ̃_1 = (e^{−h} − 1)/(−h) − 1, φ̃_{k+1} = φ̃_k/(−h) − 1/(k + 1)!.
    static func paperB(_ h: Double) -> [Double] {
        let hh = -h, bh = Libm.exp(hh) - 1
        var (phi, factorial, b) = (bh / hh - 1, 1.0, [Double]())
        for i in 1...2 {
            b.append(phi * factorial / bh)
            factorial *= Double(i + 1)
            phi = phi / hh - 1 / factorial
        }
        return b
    }

    /// Sampler's closed forms and series for (b₁, b₂) against the paper's recursion, on both
    /// sides of the series' threshold; their limits ½, ⅓ as h → 0, and 1, 1 for a step from α = 0.
    func testUniCWeights() {
        for h in [0.01, 0.03, 0.0499, 0.0501, 0.2, 1, 5, 30] {
            let (b1, b2) = Sampler.unicB(h), want = Self.paperB(h)
            XCTAssertEqual(b1, want[0], accuracy: 1e-9, "h = \(h)")
            XCTAssertEqual(b2, want[1], accuracy: 1e-9, "h = \(h)")
        }
        let (b1, b2) = Sampler.unicB(1e-7)
        XCTAssertEqual(b1, 0.5, accuracy: 1e-7)
        XCTAssertEqual(b2, 1.0 / 3, accuracy: 1e-7)
        XCTAssert(Sampler.unicB(.infinity) == (1, 1))
    }

    // MARK: - Where they must agree with DDIM

    /// With one step every frame goes straight to x̂₀: the three deterministic solvers agree.
    func testOneStepIsTheSameForEverySolver() {
        var rng = RNG(seed: 5)
        let start = Tensor.randn([2, 4, 3], rng: &rng)
        for lag in [0.0, 0.5] {
            let outs = Self.deterministic.map { kind in
                var noise = ClipNoise([RNG(seed: 6)])
                return Sampler(kind, steps: 1, ramp: FrameRamp(lag: lag))
                    .run(window: start, context: 1, noise: &noise, predict: { Self.toyV($0, $1, per: 3) }).values
            }
            XCTAssertEqual(outs[1], outs[0], "dpmpp2m, lag \(lag)")
            XCTAssertEqual(outs[2], outs[0], "unipc, lag \(lag)")
        }
    }

    /// A frame's first moving step is DDIM's to the bit, even when the other frames of the
    /// window already have history; its second is not.
    func testFirstMovingStepIsDDIM() {
        var rng = RNG(seed: 7)
        let x = Tensor.randn([2, 5, 3], rng: &rng)
        let t1: [Float] = [0, 1, 1, 0.6, 0.3], s1: [Float] = [0, 1, 0.7, 0.45, 0]  // frame 1 waits
        let s2: [Float] = [0, 0.8, 0.5, 0.3, 0]  // frame 1's first move, frames 2 and 3's second
        func steps(_ kind: SamplerKind) -> (Tensor, Tensor) {
            let sampler = Sampler(kind, steps: 10, schedule: CosineSchedule(shift: 2))
            var (noise, history) = (ClipNoise([RNG(seed: 8)]), SolverHistory())
            let y = sampler.step(window: x, t: t1, tPrev: s1, v: Self.toyV(x, t1, per: 3), noise: &noise, history: &history)
            let z = sampler.step(window: y, t: s1, tPrev: s2, v: Self.toyV(y, s1, per: 3), noise: &noise, history: &history)
            return (y, z)
        }
        let (y, z) = steps(.ddim)
        func frame(_ a: Tensor, _ f: Int) -> [Float] {
            (0..<2).flatMap { i -> ArraySlice<Float> in a.values[((i * 5 + f) * 3)..<((i * 5 + f) * 3 + 3)] }
        }
        for kind in [SamplerKind.dpmpp2m, .unipc] {
            let (yk, zk) = steps(kind)
            XCTAssertEqual(yk.values, y.values, "\(kind): every frame's first step")
            XCTAssertEqual(frame(zk, 1), frame(z, 1), "\(kind): frame 1's first move")
            for f in [0, 4] { XCTAssertEqual(frame(zk, f), frame(z, f), "\(kind): frame \(f) does not move") }
            for f in [2, 3] { XCTAssertNotEqual(frame(zk, f), frame(z, f), "\(kind): frame \(f)'s second move reads its history") }
        }
    }

    // MARK: - A staggered window

    /// FrameRamp(lag: 0.5), 6 frames of which 2 are context: the context frames come back
    /// untouched; every frame ends at level 0 on its x̂₀; and frame f's bytes depend on its own
    /// data and levels only — the same when every other frame's data differs, and the same when
    /// frame f walks its levels alone in a one-frame window with a history of its own.
    func testStaggeredFramesKeepTheirOwnHistory() {
        let (b, frames, context, per) = (2, 6, 2, 3)
        var rng = RNG(seed: 9)
        let start = Tensor.randn([b, frames, per], rng: &rng), other = Tensor.randn([b, frames, per], rng: &rng)
        func slab(_ a: Tensor, _ f: Int, frames: Int) -> [Float] {
            (0..<b).flatMap { i -> ArraySlice<Float> in
                let base = (i * frames + f) * per
                return a.values[base..<(base + per)]
            }
        }
        for kind in [SamplerKind.dpmpp2m, .unipc] {
            let sampler = Sampler(kind, steps: 20, schedule: CosineSchedule(shift: 2), ramp: FrameRamp(lag: 0.5))
            func run(_ x: Tensor) -> Tensor {
                var noise = ClipNoise([RNG(seed: 10)])
                return sampler.run(window: x, context: context, noise: &noise, predict: { Self.toyV($0, $1, per: per) })
            }
            let out = run(start)
            XCTAssertEqual(sampler.levels(sampler.steps, context: context, frames: frames), [Float](repeating: 0, count: frames))
            for f in 0..<context { XCTAssertEqual(slab(out, f, frames: frames), slab(start, f, frames: frames), "\(kind): context frame \(f)") }
            XCTAssert(out.values.allSatisfy(\.isFinite), "\(kind)")
            for f in context..<frames {
                XCTAssert(slab(out, f, frames: frames).allSatisfy { abs($0) <= 1 }, "\(kind): frame \(f) ends on x̂₀")
                // Every other frame's data replaced.
                var mixed = other.values
                for i in 0..<b { for j in 0..<per { mixed[(i * frames + f) * per + j] = start.values[(i * frames + f) * per + j] } }
                XCTAssertEqual(slab(run(Tensor(shape: start.shape, values: mixed)), f, frames: frames), slab(out, f, frames: frames),
                               "\(kind): frame \(f) reads another frame's data")
                // Frame f alone, along its own levels.
                var x = Tensor(shape: [b, 1, per], values: slab(start, f, frames: frames))
                var (noise, history) = (ClipNoise([RNG(seed: 10)]), SolverHistory())
                var moves = 0
                for i in 0..<sampler.steps {
                    let t = [sampler.levels(i, context: context, frames: frames)[f]]
                    let s = [sampler.levels(i + 1, context: context, frames: frames)[f]]
                    if t != s { moves += 1 }
                    x = sampler.step(window: x, t: t, tPrev: s, v: Self.toyV(x, t, per: per), noise: &noise, history: &history)
                }
                XCTAssertGreaterThanOrEqual(moves, 4, "frame \(f) should take second-order and corrected steps")
                XCTAssertEqual(x.values, slab(out, f, frames: frames), "\(kind): frame \(f) alone")
            }
        }
    }
}

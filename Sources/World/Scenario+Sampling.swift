import Tensor

// Drawing starts from a scenario and enforcing its guarantees.

extension Scenario {
    /// Redraws tried per clip before a guarantee is declared unmeetable.
    static let maxAttempts = 4000

    /// The clip for `seed`: `frames` frames simulated from a start drawn from
    /// `RNG(seed: seed).split(name)`. Scenarios with a guarantee (`occluder`, `key`) redraw
    /// from `split(1)`, `split(2)`, … of that stream until it holds; a `blackout` clip too
    /// short for its darkness and the lit frames around it is an error.
    public func episode(seed: UInt64, frames: Int) throws -> Episode {
        guard frames > 0 else { throw WorldError.badFrameCount(frames) }
        let base = RNG(seed: seed).split(name)
        for attempt in 0..<(occluder == nil && key == nil ? 1 : Scenario.maxAttempts) {
            var rng = attempt == 0 ? base : base.split(attempt)
            let (scene, balls) = start(rng: &rng)
            var states = Simulator.run(scene: scene, balls: balls, frames: frames)
            if let spec = occluder {
                let shown = states.prefix(spec.shownFrames).allSatisfy { $0.visibleFraction.allSatisfy { $0 == 1 } }
                guard shown, Scenario.hiddenRun(states, longerThan: spec.minHidden) else { continue }
                return Episode(scenario: name, seed: seed, scene: scene, frames: states)
            }
            if let spec = key {
                guard let dark = Scenario.darkness(after: states, spec: spec, rng: &rng) else { continue }
                var lit = scene
                lit.darkness = [dark]
                states = states.map { lit.frameState(t: $0.t, balls: $0.balls) }
                return Episode(scenario: name, seed: seed, scene: lit, frames: states)
            }
            if let spec = blackout {
                let start = rng.int(in: spec.litBefore)
                let length = spec.minHidden + 1 + rng.int(in: spec.extraDark)
                guard start + length + spec.framesAfter <= frames else { break }
                var lit = scene
                lit.darkness = [start..<(start + length)]
                states = states.map { lit.frameState(t: $0.t, balls: $0.balls) }
                return Episode(scenario: name, seed: seed, scene: lit, frames: states)
            }
            return Episode(scenario: name, seed: seed, scene: scene, frames: states)
        }
        throw WorldError.guaranteeUnmet(scenario: name, frames: frames, seed: seed)
    }

    /// A random start: the scene (gravity, occluder) and non-overlapping balls with distinct
    /// colours. No guarantee is checked here.
    public func start(rng: inout RNG) -> (Scene, [Ball]) {
        var scene = Scene(width: width, height: height,
                          gravity: gravity[rng.int(in: 0...(gravity.count - 1))], restitution: restitution)
        if let key {
            scene.restitution = key.restitution
            scene.friction = key.friction
            scene.restSpeed = key.restSpeed
        }
        if let spec = occluder {
            let cx = rng.uniform(spec.centerX.lowerBound, spec.centerX.upperBound)
            scene.occluders = [Rect(x: cx - spec.width / 2, y: 0, width: spec.width, height: Double(height))]
        }
        let n = rng.int(in: ballCount)
        let colors = Scenario.distinctColors(n, rng: &rng)
        let radii: [Double] = (0..<n).map { _ in
            let band = radius[rng.int(in: 0...(radius.count - 1))]
            return rng.uniform(band.lowerBound, band.upperBound)
        }
        let positions = Scenario.place(radii: radii, width: Double(width), height: Double(height), rng: &rng)
        var balls: [Ball] = []
        for i in 0..<n {
            var p = positions[i]
            var v: Vec2
            if let key {
                p.y = Double(height) - radii[i] - rng.uniform(key.dropHeight.lowerBound, key.dropHeight.upperBound)
                p.y = max(p.y, radii[i])
                let vx = rng.uniform(key.horizontalSpeed.lowerBound, key.horizontalSpeed.upperBound)
                v = Vec2(rng.uniform() < 0.5 ? -vx : vx, 0)
            } else if let spec = occluder {
                let vx = rng.uniform(spec.horizontalSpeed.lowerBound, spec.horizontalSpeed.upperBound)
                v = Vec2(rng.uniform() < 0.5 ? -vx : vx, rng.uniform(-spec.verticalSpeed, spec.verticalSpeed))
            } else {
                v = Scenario.direction(rng: &rng) * rng.uniform(speed.lowerBound, speed.upperBound)
            }
            balls.append(Ball(id: i, position: p, velocity: v, radius: radii[i], color: colors[i]))
        }
        return (scene, balls)
    }

    // MARK: - Pieces

    /// `n` distinct palette indices in random order (a partial Fisher–Yates shuffle).
    static func distinctColors(_ n: Int, rng: inout RNG) -> [Int] {
        precondition(n <= Palette.colors.count, "at most \(Palette.colors.count) balls (one colour each)")
        var idx = Array(Palette.colors.indices)
        for i in 0..<n { idx.swapAt(i, rng.int(in: i...(idx.count - 1))) }
        return Array(idx[0..<n])
    }

    /// A uniform unit vector, by rejection from the square (no trigonometry, so the same on
    /// every libm).
    static func direction(rng: inout RNG) -> Vec2 {
        while true {
            let v = Vec2(rng.uniform(-1, 1), rng.uniform(-1, 1))
            let l2 = v.lengthSquared
            if l2 > 0.01 && l2 <= 1 { return v / l2.squareRoot() }
        }
    }

    /// Centres for discs of `radii` inside the box, at least 0.5 px from the walls and with
    /// at least 1.5 px between any two discs (so their anti-aliased edges do not touch).
    static func place(radii: [Double], width: Double, height: Double, rng: inout RNG) -> [Vec2] {
        while true {
            var placed: [Vec2] = []
            for (i, r) in radii.enumerated() {
                precondition(2 * r + 1 < min(width, height), "radius \(r) does not fit in \(width)×\(height)")
                for _ in 0..<1000 {
                    let p = Vec2(rng.uniform(r + 0.5, width - r - 0.5), rng.uniform(r + 0.5, height - r - 0.5))
                    let clear = placed.indices.allSatisfy { j in
                        (placed[j] - p).length >= radii[j] + r + 1.5
                    }
                    if clear {
                        placed.append(p)
                        break
                    }
                }
                if placed.count != i + 1 { break }
            }
            if placed.count == radii.count { return placed }
        }
    }

    // MARK: - Guarantees

    /// Whether some ball is fully in view, then hidden for more than `minHidden` consecutive
    /// frames, then fully in view again.
    static func hiddenRun(_ states: [FrameState], longerThan minHidden: Int) -> Bool {
        guard let first = states.first else { return false }
        for b in first.balls.indices {
            var seenWhole = false, hiddenLongAfterSeen = false
            var run = 0
            for s in states {
                if s.visible[b] {
                    if seenWhole && run > minHidden { hiddenLongAfterSeen = true }
                    run = 0
                } else {
                    run += 1
                }
                if s.visibleFraction[b] == 1 {
                    if hiddenLongAfterSeen { return true }
                    seenWhole = true
                }
            }
        }
        return false
    }

    /// The darkness interval for a `key` clip: it starts `darkDelay` frames after ball 0 has
    /// stopped and lasts more than `minHidden` frames, with `framesAfter` lit frames after
    /// it; nil if the clip is too short for that.
    static func darkness(after states: [FrameState], spec: KeySpec, rng: inout RNG) -> Range<Int>? {
        guard let rest = states.firstIndex(where: { $0.balls[0].resting && $0.balls[0].velocity == Vec2(0, 0) })
        else { return nil }
        let start = rest + rng.int(in: spec.darkDelay)
        let length = spec.minHidden + 1 + rng.int(in: spec.extraDark)
        guard start + length + spec.framesAfter <= states.count else { return nil }
        return start..<(start + length)
    }
}

// A simulated clip: the scene, and every ball's state and visibility at each frame.

/// The state of the world at one frame.
public struct FrameState: Equatable, Sendable {
    /// Frame index, from 0.
    public var t: Int
    /// The balls, in id order.
    public var balls: [Ball]
    /// Per ball: whether any of its drawn disc (radius + 0.5 px of anti-aliasing) can be seen.
    /// False when it is behind occluders, outside the image, or the scene is dark.
    public var visible: [Bool]
    /// Per ball: the share of its drawn disc that can be seen, in [0, 1]: exactly 1 when
    /// nothing covers it, 0 when hidden, else sampled on a grid of about 450 points (so a
    /// sliver under 0.2% of the disc counts as hidden).
    public var visibleFraction: [Double]
    /// The scene is dark at this frame.
    public var dark: Bool

    public init(t: Int, balls: [Ball], visible: [Bool], visibleFraction: [Double], dark: Bool) {
        self.t = t
        self.balls = balls
        self.visible = visible
        self.visibleFraction = visibleFraction
        self.dark = dark
    }
}

/// One clip from a scenario: what `vidgen data` writes and what experiments score against.
public struct Episode: Equatable, Sendable {
    /// Scenario name.
    public var scenario: String
    /// Seed the clip was drawn from.
    public var seed: UInt64
    /// The static world.
    public var scene: Scene
    /// States at frames 0 ..< T.
    public var frames: [FrameState]

    public init(scenario: String, seed: UInt64, scene: Scene, frames: [FrameState]) {
        self.scenario = scenario
        self.seed = seed
        self.scene = scene
        self.frames = frames
    }

    /// T, the number of frames.
    public var count: Int { frames.count }

    /// Frames `range` of the clip as a clip of their own: renumbered from 0, its darkness
    /// moved with them.
    public func cut(_ range: Range<Int>) -> Episode {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "cut \(range) of a \(count)-frame clip")
        var scene = self.scene
        scene.darkness = scene.darkness.compactMap { d in
            let lo = max(d.lowerBound - range.lowerBound, 0), hi = min(d.upperBound - range.lowerBound, range.count)
            return lo < hi ? lo..<hi : nil
        }
        let frames = self.frames[range].map { f -> FrameState in
            var f = f
            f.t -= range.lowerBound
            return f
        }
        return Episode(scenario: scenario, seed: seed, scene: scene, frames: frames)
    }
}

extension Simulator {
    /// Simulates `frames` frames (frame 0 is `balls` as given) and records visibility.
    public static func run(scene: Scene, balls: [Ball], frames: Int) -> [FrameState] {
        precondition(frames >= 0, "frames must be ≥ 0")
        var sim = Simulator(scene: scene, balls: balls)
        var out: [FrameState] = []
        out.reserveCapacity(frames)
        for t in 0..<frames {
            if t > 0 { sim.step() }
            out.append(scene.frameState(t: t, balls: sim.balls))
        }
        return out
    }
}

// MARK: - Visibility

extension Scene {
    /// How far a ball's drawing reaches beyond its radius (the anti-aliasing ramp).
    public static let drawMargin = 0.5

    /// The state at frame `t` with visibility filled in.
    public func frameState(t: Int, balls: [Ball]) -> FrameState {
        let dark = isDark(t)
        var visible: [Bool] = [], fraction: [Double] = []
        for b in balls {
            let v = visibility(of: b, dark: dark)
            visible.append(v.visible)
            fraction.append(v.fraction)
        }
        return FrameState(t: t, balls: balls, visible: visible, visibleFraction: fraction, dark: dark)
    }

    /// Whether any of the ball's drawn disc can be seen, and the share that can.
    public func visibility(of ball: Ball, dark: Bool) -> (visible: Bool, fraction: Double) {
        if dark { return (false, 0) }
        let reach = ball.radius + Scene.drawMargin
        let image = Rect(x: 0, y: 0, width: Double(width), height: Double(height))
        if image.missesDisc(center: ball.position, radius: reach) { return (false, 0) }
        if occluders.contains(where: { $0.containsDisc(center: ball.position, radius: reach) }) { return (false, 0) }
        if image.containsDisc(center: ball.position, radius: reach)
            && occluders.allSatisfy({ $0.missesDisc(center: ball.position, radius: reach) }) {
            return (true, 1)
        }
        // Partly covered: the share of a 24 × 24 grid of sample points inside the disc
        // (≈ 450 points) that are in view.
        let n = 24
        var inside = 0, seen = 0
        for i in 0..<n {
            for j in 0..<n {
                let o = Vec2((Double(i) + 0.5) / Double(n) * 2 - 1, (Double(j) + 0.5) / Double(n) * 2 - 1)
                guard o.lengthSquared <= 1 else { continue }
                inside += 1
                let p = ball.position + reach * o
                if image.contains(p) && !occluders.contains(where: { $0.contains(p) }) { seen += 1 }
            }
        }
        return (seen > 0, Double(seen) / Double(inside))
    }
}

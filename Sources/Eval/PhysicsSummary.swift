// The physics metrics of a set of clips (PhysicsMetrics.swift), averaged: what a report row,
// a plot and metrics.json hold.

import World

/// Physics metrics over a set of clips. Rates are shares in [0, 1]; distances px; nil where
/// nothing could be measured (no ball found, no free flight, no hiding).
public struct PhysicsSummary: Codable, Equatable, Sendable {
    public var clips: Int
    /// Generated frames scored.
    public var frames: Int
    /// Share of generated frames in which every blob is a valid disc on a clean background.
    public var realism: Double
    /// Share of generated frames whose valid-disc count differs from the balls in view.
    public var countWrong: Double
    /// Σ |n_f − n_{f−1}| of valid discs per 100 generated frames.
    public var countChangesPer100: Double
    /// Share of in-view ball-frames with no disc of the ball's colour.
    public var missRate: Double
    /// Mean position error, all horizons and per horizon (index h − 1), px.
    public var positionError: Double?
    public var positionErrorByHorizon: [Double?]
    /// Mean |Δp − Δp_sim|, all horizons and per horizon, px/frame.
    public var velocityError: Double?
    public var velocityErrorByHorizon: [Double?]
    /// Mean fitted gravity (gx, gy) over clips with a free flight, the simulator's mean, and
    /// the mean per-clip |g − g_sim|, px/frame².
    public var impliedGravity: [Double]?
    public var trueGravity: [Double]
    public var gravityError: Double?
    /// Free flights fitted.
    public var flights: Int
    /// Per window, the mean over clips of E/E_sim − 1.
    public var energyDriftByWindow: [Double?]
    /// Mean over clips of |E/E_sim − 1| in the clip's last window with a value.
    public var energyDrift: Double?
    /// Share of found ball-frames past a wall, and their mean depth (px).
    public var penetrationRate: Double
    public var penetrationDepth: Double?
    /// Colour swaps per 100 generated frames.
    public var swapsPer100: Double
    /// Mean |Δ²p| at seams and inside windows, and the simulator's at the same frames, px/frame².
    public var seamJump: Double?
    public var insideJump: Double?
    public var seamJumpPhysics: Double?
    public var insideJumpPhysics: Double?
    /// Hidings longer than the context, and the shares that reappeared (found within the
    /// grace frames), came back right (within tolerance: permanence), stuck at the
    /// last-seen spot, or never came back; mean error of those found, px.
    public var hidings: Int
    public var reappeared: Double?
    public var permanence: Double?
    public var stuck: Double?
    public var never: Double?
    public var returnError: Double?
    /// Per window, the mean over clips of the count offset: valid discs beyond the balls in view
    /// (partly hidden ones optional), or short of those wholly in view (negative).
    public var countOffsetByWindow: [Double?]
    /// Per window, its first frame (of the first clip; every clip has the same plan unless
    /// observed frames cut windows short).
    public var windowStarts: [Int]

    /// Averages the per-clip metrics of `traces`.
    public init(_ traces: [ClipTrace], config: PhysicsConfig = PhysicsConfig()) {
        let per = traces.map { $0.physics(config) }
        clips = traces.count
        frames = per.reduce(0) { $0 + $1.frames }
        let nf = Double(max(frames, 1))
        realism = Double(per.reduce(0) { $0 + $1.realistic }) / nf
        countWrong = Double(per.reduce(0) { $0 + $1.countWrong }) / nf
        countChangesPer100 = 100 * Double(per.reduce(0) { $0 + $1.countChanges }) / nf
        let inView = per.reduce(0) { $0 + $1.inView }
        missRate = inView == 0 ? 0 : 1 - Double(per.reduce(0) { $0 + $1.found }) / Double(inView)
        let horizons = per.map(\.positionErrors.count).max() ?? 0
        func byHorizon(_ key: KeyPath<ClipPhysics, [[Double]]>) -> [Double?] {
            (0..<horizons).map { h in mean(per.flatMap { h < $0[keyPath: key].count ? $0[keyPath: key][h] : [] }) }
        }
        positionError = mean(per.flatMap { $0.positionErrors.flatMap { $0 } })
        positionErrorByHorizon = byHorizon(\.positionErrors)
        velocityError = mean(per.flatMap { $0.velocityErrors.flatMap { $0 } })
        velocityErrorByHorizon = byHorizon(\.velocityErrors)
        let fitted = per.filter { $0.gravity != nil }
        impliedGravity = fitted.isEmpty ? nil : {
            let g = fitted.reduce(Vec2(0, 0)) { $0 + $1.gravity! } / Double(fitted.count)
            return [g.x, g.y]
        }()
        let g = per.reduce(Vec2(0, 0)) { $0 + $1.trueGravity } / Double(max(per.count, 1))
        trueGravity = [g.x, g.y]
        gravityError = mean(fitted.map { ($0.gravity! - $0.trueGravity).length })
        flights = per.reduce(0) { $0 + $1.flights }
        let windows = per.map(\.energyDrift.count).max() ?? 0
        func byWindow(_ key: KeyPath<ClipPhysics, [Double?]>) -> [Double?] {
            (0..<windows).map { w in mean(per.compactMap { w < $0[keyPath: key].count ? $0[keyPath: key][w] : nil }) }
        }
        energyDriftByWindow = byWindow(\.energyDrift)
        energyDrift = mean(per.compactMap { $0.energyDrift.last { $0 != nil }.flatMap { $0 }.map(abs) })
        let ballFrames = per.reduce(0) { $0 + $1.ballFrames }
        penetrationRate = ballFrames == 0 ? 0 : Double(per.reduce(0) { $0 + $1.penetrating }) / Double(ballFrames)
        penetrationDepth = mean(per.flatMap(\.penetrationDepth))
        swapsPer100 = 100 * Double(per.reduce(0) { $0 + $1.swaps }) / nf
        seamJump = mean(per.flatMap(\.seam))
        insideJump = mean(per.flatMap(\.inside))
        seamJumpPhysics = mean(per.flatMap(\.seamPhysics))
        insideJumpPhysics = mean(per.flatMap(\.insidePhysics))
        let all = per.flatMap(\.hidings)
        hidings = all.count
        func share(_ test: (ClipPhysics.Hiding) -> Bool) -> Double? {
            all.isEmpty ? nil : Double(all.filter(test).count) / Double(all.count)
        }
        reappeared = share { $0.error != nil }
        permanence = share { ($0.error ?? .infinity) <= config.tolerance }
        stuck = share(\.stuck)
        never = share { $0.error == nil }
        returnError = mean(all.compactMap(\.error))
        countOffsetByWindow = byWindow(\.countOffsetByWindow)
        windowStarts = traces.first?.windowStarts ?? []
    }

    /// The position error at the last horizon with a value.
    public var finalPositionError: Double? { positionErrorByHorizon.last { $0 != nil } ?? nil }
}

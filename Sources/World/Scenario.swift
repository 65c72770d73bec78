// Named, seeded scenarios: the training distribution `id` and the tests a video model is
// put to outside it. Each is a plain Codable value; docs/scenarios.md lists the numbers.

/// How clips of one scenario are drawn.
public struct Scenario: Codable, Equatable, Sendable {
    /// The name used on the command line.
    public var name: String
    /// One line for people.
    public var summary: String
    /// Image size, pixels.
    public var width: Int
    public var height: Int
    /// Number of balls, uniform.
    public var ballCount: ClosedRange<Int>
    /// Radius bands, pixels: each ball picks a band uniformly, then a radius uniformly in it.
    public var radius: [ClosedRange<Double>]
    /// Initial speed, pixels per frame, uniform, in a uniform direction.
    public var speed: ClosedRange<Double>
    /// Gravity choices, pixels per frame² (y down); one is picked per clip, uniformly.
    public var gravity: [Vec2]
    /// Restitution of walls and ball pairs (1 = elastic).
    public var restitution: Double
    /// A static bar balls pass behind, with a hiding guarantee.
    public var occluder: OccluderSpec?
    /// A ball that comes to rest and is then hidden in darkness.
    public var key: KeySpec?
    /// Darkness that falls while the balls are in flight.
    public var blackout: BlackoutSpec?
    /// Frames `vidgen data` writes when `--frames` is not given.
    public var defaultFrames: Int

    public init(
        name: String, summary: String, width: Int = 32, height: Int = 32, ballCount: ClosedRange<Int> = 1...3,
        radius: [ClosedRange<Double>] = [2.5...4], speed: ClosedRange<Double> = 0.3...1.5,
        gravity: [Vec2] = [Vec2(0, 0.1)], restitution: Double = 1, occluder: OccluderSpec? = nil,
        key: KeySpec? = nil, blackout: BlackoutSpec? = nil, defaultFrames: Int = 64
    ) {
        self.name = name
        self.summary = summary
        self.width = width
        self.height = height
        self.ballCount = ballCount
        self.radius = radius
        self.speed = speed
        self.gravity = gravity
        self.restitution = restitution
        self.occluder = occluder
        self.key = key
        self.blackout = blackout
        self.defaultFrames = defaultFrames
    }
}

/// A full-height vertical bar. The clip is redrawn (over seeds split from the clip's seed)
/// until some ball is fully in view, then wholly hidden behind the bar for more than
/// `minHidden` frames in a row, then fully in view again — and every ball is fully in view
/// in the first `shownFrames` frames, when that is asked for (a model given them has seen
/// each ball and its motion before any hides; it takes clips of about 100 frames).
public struct OccluderSpec: Codable, Equatable, Sendable {
    /// Bar width, pixels.
    public var width: Double = 14
    /// Bar centre x, pixels, uniform.
    public var centerX: ClosedRange<Double> = 12...20
    /// |vx| of every ball at frame 0, uniform (slow, so a crossing takes long enough).
    public var horizontalSpeed: ClosedRange<Double> = 0.15...0.45
    /// |vy| bound at frame 0 (vy uniform in ±this).
    public var verticalSpeed: Double = 1.2
    /// A ball must stay hidden for more than this many consecutive frames.
    public var minHidden: Int = 12
    /// Frames at the start in which every ball is fully in view (0: no such requirement).
    public var shownFrames: Int = 0

    public init() {}
}

/// One ball dropped onto the floor with low restitution and sliding friction, so that it
/// comes to rest; some frames after it stops, the scene goes dark for more than
/// `minHidden` frames, then light returns with the ball where it was.
public struct KeySpec: Codable, Equatable, Sendable {
    /// Height of the ball's lowest point above the floor at frame 0, pixels.
    public var dropHeight: ClosedRange<Double> = 0...10
    /// |vx| at frame 0, uniform.
    public var horizontalSpeed: ClosedRange<Double> = 0.2...0.8
    /// Restitution of the walls and floor.
    public var restitution: Double = 0.3
    /// Sliding friction μ on the floor (deceleration μ|g|).
    public var friction: Double = 0.5
    /// A floor bounce slower than this leaves the ball resting, pixels per frame.
    public var restSpeed: Double = 0.15
    /// Frames from coming to rest to darkness, uniform.
    public var darkDelay: ClosedRange<Int> = 2...6
    /// Darkness lasts `minHidden + 1 + extra` frames, extra uniform in `extraDark`.
    public var minHidden: Int = 12
    public var extraDark: ClosedRange<Int> = 0...8
    /// Visible frames required after the darkness.
    public var framesAfter: Int = 3

    public init() {}
}

/// The scene goes dark while the balls move (the `id` world: they fly and bounce the whole
/// time) and light returns with them where their motion took them. Unlike `key`, bringing a
/// ball back needs its dynamics, not just its last position.
public struct BlackoutSpec: Codable, Equatable, Sendable {
    /// Lit frames before the darkness, uniform: every ball is seen moving first.
    public var litBefore: ClosedRange<Int> = 4...8
    /// Darkness lasts `minHidden + 1 + extra` frames, extra uniform in `extraDark` (13–21).
    public var minHidden: Int = 12
    public var extraDark: ClosedRange<Int> = 0...8
    /// Lit frames required after the darkness.
    public var framesAfter: Int = 3

    public init() {}
}

/// Errors a user can reach through scenario names and frame counts.
public enum WorldError: Error, CustomStringConvertible, Equatable {
    /// A name not in the catalogue that was asked, and the names that are.
    case unknownScenario(String, valid: [String])
    case badFrameCount(Int)
    case guaranteeUnmet(scenario: String, frames: Int, seed: UInt64)

    public var description: String {
        switch self {
        case let .unknownScenario(name, valid):
            return "unknown scenario '\(name)'; valid scenarios: \(valid.joined(separator: ", "))"
        case let .badFrameCount(n):
            return "frames must be a positive integer, got \(n)"
        case let .guaranteeUnmet(name, frames, seed):
            return "scenario '\(name)' found no clip of \(frames) frames meeting its guarantee for seed \(seed); use more frames"
        }
    }
}

// MARK: - The catalogue

extension Scenario {
    /// The training distribution.
    public static let id = Scenario(
        name: "id", summary: "training distribution: 1–3 balls, r 2.5–4, speed 0.3–1.5, gravity (0, 0.1), elastic")

    /// Every named scenario, in the order docs/scenarios.md lists them.
    public static let all: [Scenario] = {
        var fast = id
        fast.name = "ood-fast"
        fast.summary = "as id, initial speed 2.25–3.0 (1.5–2× the training maximum)"
        fast.speed = 2.25...3.0

        var gravity = id
        gravity.name = "ood-gravity"
        gravity.summary = "as id, gravity per seed one of (0, 0), (0, 0.2), (0.1, 0), (-0.1, 0)"
        gravity.gravity = [Vec2(0, 0), Vec2(0, 0.2), Vec2(0.1, 0), Vec2(-0.1, 0)]
        var zero = id
        zero.name = "ood-gravity-zero"
        zero.summary = "as id, no gravity"
        zero.gravity = [Vec2(0, 0)]
        var double = id
        double.name = "ood-gravity-double"
        double.summary = "as id, gravity (0, 0.2)"
        double.gravity = [Vec2(0, 0.2)]
        var sideways = id
        sideways.name = "ood-gravity-sideways"
        sideways.summary = "as id, gravity (±0.1, 0), sign per seed"
        sideways.gravity = [Vec2(0.1, 0), Vec2(-0.1, 0)]

        var count = id
        count.name = "ood-count"
        count.summary = "as id, 4–6 balls"
        count.ballCount = 4...6

        var size = id
        size.name = "ood-size"
        size.summary = "as id, each radius from 1.5–2.0 or 5.0–6.0"
        size.radius = [1.5...2.0, 5.0...6.0]

        var occluder = id
        occluder.name = "occluder"
        occluder.summary = "1–2 balls, a grey full-height bar 14 px wide; a ball hides behind it > 12 frames"
        occluder.ballCount = 1...2
        occluder.occluder = OccluderSpec()

        var key = id
        key.name = "key"
        key.summary = "1 ball drops and comes to rest (restitution 0.3, friction 0.5); darkness > 12 frames; it is still there"
        key.ballCount = 1...1
        key.key = KeySpec()

        var blackout = id
        blackout.name = "blackout"
        blackout.summary = "as id; after 4–8 lit frames darkness for 13–21 frames while the balls fly and bounce, then light"
        blackout.blackout = BlackoutSpec()

        return [id, fast, gravity, zero, double, sideways, count, size, occluder, key, blackout]
    }()

    /// Valid scenario names.
    public static var names: [String] { all.map(\.name) }

    /// Whether clips of this scenario hide balls for a while (behind a bar, in the dark).
    public var hidesBalls: Bool { occluder != nil || key != nil || blackout != nil }

    /// The scenario called `name`.
    public static func named(_ name: String) throws -> Scenario {
        guard let s = all.first(where: { $0.name == name }) else { throw WorldError.unknownScenario(name, valid: names) }
        return s
    }
}

extension Scenario {
    /// The scenario drawn at `size`×`size` pixels: lengths, speeds and gravity scale with
    /// the frame, so a 16-pixel clip looks like a 32-pixel one at half resolution.
    public func resized(to size: Int) -> Scenario {
        guard size != width || size != height else { return self }
        var s = self
        let k = Double(size) / Double(width)
        s.width = size
        s.height = size
        s.radius = radius.map { ($0.lowerBound * k)...($0.upperBound * k) }
        s.speed = (speed.lowerBound * k)...(speed.upperBound * k)
        s.gravity = gravity.map { $0 * k }
        return s
    }
}

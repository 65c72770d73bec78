// A state model's own scores beside the window scores of `vidgen eval`: position error by
// horizon from the state perceived in the context (StateModel.score); the one-step velocity
// and position error by event on the simulator's states (StateModel.eventErrors) — where a
// roll-out's error comes from; and, in a scenario that hides balls, how they come back on
// experiment 4's memory clips.

import Dynamics
import Foundation
import World

/// What `vidgen eval` reports for a state model beside its window scores.
public struct StateModelScores: Codable, Equatable, Sendable {
    public var checkpoint: String
    public var scenario: String
    /// Clip i is scene seed `firstSeed` + i from its frame 0.
    public var firstSeed: UInt64
    public var context: Int
    /// The camera every given frame was seen through.
    public var camera: CameraNoise
    public var score: DynamicsScore
    public var events: [EventError]
    /// The pair collisions' velocity errors by the instant of first contact within the frame.
    public var pairsByInstant: [ContactInstantError]
    /// In a scenario that hides balls (occluder, key): roll-outs of its memory clips
    /// (`Experiments.memoryClip`, `context` + horizon frames) and how the hidden balls came back.
    public var memory: Memory?

    /// Hidden balls on a state model's roll-outs of memory clips.
    public struct Memory: Codable, Equatable, Sendable {
        public var clips: Int
        public var frames: Int
        /// Hidings of balls the context showed, longer than the context (PhysicsMetrics.swift).
        public var hidings: Int
        /// Shares back within the tolerance of the simulator (permanence), found again at all,
        /// never found.
        public var permanence: Double?
        public var reappeared: Double?
        public var never: Double?
        /// The tolerance, pixels.
        public var tolerance: Double
    }

    /// Scores `model` on `clips` clips of `scenario`: perceive `context` frames, roll
    /// `horizon` frames forward; the event errors over the transitions of the same clips'
    /// first `context` + `horizon` frames.
    public static func measure(_ model: StateModel, folder: String, scenario name: String, clips: Int, firstSeed: UInt64,
                               context: Int, horizon: Int, camera: CameraNoise = .none) throws -> StateModelScores {
        let scenario = try Scenario.named(name)
        let seeds = (0..<UInt64(clips)).map { firstSeed + $0 }
        let errors = try model.eventErrors(scenario: scenario, seeds: seeds, frames: max(context + horizon, 4))
        var scores = StateModelScores(checkpoint: folder, scenario: name, firstSeed: firstSeed, context: context, camera: camera,
                                      score: try model.score(scenario: scenario, seeds: seeds, context: context, horizon: horizon,
                                                             camera: camera),
                                      events: errors.events, pairsByInstant: errors.pairsByInstant)
        if scenario.hidesBalls {
            scores.memory = try memory(model, scenario: scenario, seeds: seeds, frames: context + horizon, context: context,
                                       camera: camera)
        }
        return scores
    }

    /// The hidden balls of `model`'s roll-outs of the memory clips of `scenario`.
    static func memory(_ model: StateModel, scenario: Scenario, seeds: [UInt64], frames: Int, context: Int,
                       camera: CameraNoise) throws -> Memory {
        var q = WindowQualityConfig()
        q.size = model.config.width
        let scorer = WindowQuality(scoring: q)
        var physics = PhysicsConfig()
        physics.context = context
        let traces = try seeds.map { seed in
            let truth = try Experiments.memoryClip(scenario, seed: seed, frames: frames, context: context)
            return Experiments.stateRollout(model, truth, context: context, windowStarts: [context], scorer: scorer,
                                            camera: camera).0
        }
        let summary = PhysicsSummary(traces, config: physics)
        return Memory(clips: seeds.count, frames: frames, hidings: summary.hidings, permanence: summary.permanence,
                      reappeared: summary.reappeared, never: summary.never, tolerance: physics.tolerance)
    }

    /// A plain-text summary.
    public func table() -> String {
        let e = score.positionError
        var picks: [Int] = []
        for h in [1, 5, 10, 20, 30, e.count] where h <= e.count && !picks.contains(h) { picks.append(h) }
        var out = "state model \((checkpoint as NSString).lastPathComponent): \(score.clips) \(scenario) clips from frame 0 "
            + "(scene seeds from \(firstSeed)), \(context) context frames"
            + (camera.isClean ? "" : String(format: " seen through a camera of noise σ %.3g (3×3 blur)", camera.sigma)) + "\n"
        if score.missedInContext > 0 {
            out += "  perception missed \(score.missedInContext) of the \(score.ballsInContext) balls wholly in view in the last "
                + "context frames: their roll-outs go on without them\n"
        }
        out += "  position error: " + picks.map { String(format: "h%d %.3f px", $0, e[$0 - 1]) }.joined(separator: ", ") + "\n"
        out += String(format: "  energy drift at h%d: %.2f%% (simulator %.2f%%); clips with a count change: %d\n",
                      e.count, 100 * score.energyDrift, 100 * score.simulatorEnergyDrift, score.countChanges)
        if let m = memory {
            out += "  hidden balls on \(m.clips) memory clips of \(m.frames) frames (every ball shown in the context): "
                + (m.hidings == 0 ? "none hidden longer than the context\n"
                   : String(format: "%d hidings, %.1f%% back within %.0f px, %.1f%% never found\n", m.hidings,
                            100 * (m.permanence ?? 0), m.tolerance, 100 * (m.never ?? 0)))
        }
        out += "  one-step errors by event (from the simulator's states):\n"
        for x in events {
            out += "    " + x.event.rawValue.padding(toLength: 5, withPad: " ", startingAt: 0)
                + String(format: " %6d balls  velocity mean %.5f  max %.4f px/frame  %5.1f%% of the squared error;  position mean %.5f px\n",
                         x.count, x.mean, x.max, 100 * x.shareOfSquaredError, x.positionMean)
        }
        out += "  pair collisions by the instant of first contact within the frame:\n"
        for x in pairsByInstant {
            out += "    " + x.instants.padding(toLength: 12, withPad: " ", startingAt: 0)
                + String(format: " %6d balls  velocity mean %.5f px/frame  %5.1f%% of the pairs' squared error\n",
                         x.count, x.mean, 100 * x.shareOfPairError)
        }
        return out
    }
}

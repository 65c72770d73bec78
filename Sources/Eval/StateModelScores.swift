// A state model's own scores beside the window scores of `vidgen eval`: position error by
// horizon from the state perceived in the context (StateModel.score), and the one-step
// velocity error by event on the simulator's states (StateModel.eventErrors) — where a
// roll-out's error comes from.

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
    public var score: DynamicsScore
    public var events: [EventError]

    /// Scores `model` on `clips` clips of `scenario`: perceive `context` frames, roll
    /// `horizon` frames forward; the event errors over the transitions of the same clips'
    /// first `context` + `horizon` frames.
    public static func measure(_ model: StateModel, folder: String, scenario name: String, clips: Int, firstSeed: UInt64,
                               context: Int, horizon: Int) throws -> StateModelScores {
        let scenario = try Scenario.named(name)
        let seeds = (0..<UInt64(clips)).map { firstSeed + $0 }
        return StateModelScores(checkpoint: folder, scenario: name, firstSeed: firstSeed, context: context,
                                score: try model.score(scenario: scenario, seeds: seeds, context: context, horizon: horizon),
                                events: try model.eventErrors(scenario: scenario, seeds: seeds,
                                                              frames: max(context + horizon, 4)))
    }

    /// A plain-text summary.
    public func table() -> String {
        let e = score.positionError
        var picks: [Int] = []
        for h in [1, 5, 10, 20, 30, e.count] where h <= e.count && !picks.contains(h) { picks.append(h) }
        var out = "state model \((checkpoint as NSString).lastPathComponent): \(score.clips) \(scenario) clips from frame 0 "
            + "(scene seeds from \(firstSeed)), \(context) context frames\n"
        out += "  position error: " + picks.map { String(format: "h%d %.3f px", $0, e[$0 - 1]) }.joined(separator: ", ") + "\n"
        out += String(format: "  energy drift at h%d: %.2f%% (simulator %.2f%%); clips with a count change: %d\n",
                      e.count, 100 * score.energyDrift, 100 * score.simulatorEnergyDrift, score.countChanges)
        out += "  one-step velocity error by event (from the simulator's states):\n"
        for x in events {
            out += "    " + x.event.rawValue.padding(toLength: 5, withPad: " ", startingAt: 0)
                + String(format: " %6d balls  mean %.5f  max %.4f px/frame  %5.1f%% of the squared error\n",
                         x.count, x.mean, x.max, 100 * x.shareOfSquaredError)
        }
        return out
    }
}

// Perception: frames → an explicit state, by the tracker. Balls are found by colour; a
// clip never repeats a colour, so the colour is the ball's identity across frames.

import World

/// Reads a `WorldState` from planar frames.
public struct Perception: Sendable {
    public var tracker: Tracker

    public init(tracker: Tracker = Tracker()) {
        self.tracker = tracker
    }

    /// Per frame of planar `frames` [T, 3, H, W], the valid detections by palette index
    /// (when a colour shows twice, the larger blob), centres and radii refitted to the
    /// pixels (DiscFit.swift).
    public func detections(planar frames: [Float], height H: Int, width W: Int) -> [[Int: Detection]] {
        let T = frames.count / (3 * H * W)
        precondition(T * 3 * H * W == frames.count, "perception: \(frames.count) floats are not [T,3,\(H),\(W)]")
        let hw = H * W
        var rgb = [Float](repeating: 0, count: hw * 3)
        return tracker.detect(planar: frames, frames: T, height: H, width: W).enumerated().map { t, dets in
            for c in 0..<3 {
                for i in 0..<hw {
                    let v = frames[(t * 3 + c) * hw + i]
                    rgb[i * 3 + c] = v.isNaN ? 0 : min(max((v + 1) / 2, 0), 1)
                }
            }
            var byColor: [Int: Detection] = [:]
            for d in dets where d.isValid {
                if let old = byColor[d.color], old.area >= d.area { continue }
                byColor[d.color] = d
            }
            for (k, d) in byColor {
                byColor[k] = DiscFit.refine(d, rgb: rgb, height: H, width: W, color: tracker.palette[k])
            }
            return byColor
        }
    }

    /// The state at the last of the context frames `frames` [C, 3, H, W]: every ball found
    /// in the last frame, its velocity from the last two frames (0 if C = 1 or it was not
    /// found in the one before), its last change of velocity from the last three (nil
    /// without them), its radius averaged over the frames it was found in.
    public func state(planar frames: [Float], height H: Int, width W: Int) -> WorldState {
        state(detections(planar: frames, height: H, width: W), height: H, width: W)
    }

    /// The state at the last frame of per-frame detections (see `state(planar:)`).
    public func state(_ frames: [[Int: Detection]], height H: Int, width W: Int) -> WorldState {
        guard let last = frames.last else { return WorldState(width: W, height: H, balls: []) }
        let before = frames.count >= 2 ? frames[frames.count - 2] : [:]
        let earlier = frames.count >= 3 ? frames[frames.count - 3] : [:]
        let balls = last.keys.sorted().map { k -> BallState in
            let d = last[k]!
            let radii = frames.compactMap { $0[k]?.radius }
            var v = Vec2(0, 0), change: Vec2? = nil
            if let b = before[k]?.position {
                v = d.position - b
                if let e = earlier[k]?.position { change = v - (b - e) }
            }
            return BallState(position: d.position, velocity: v, lastChange: change,
                             radius: radii.reduce(0, +) / Double(radii.count), color: k)
        }
        return WorldState(width: W, height: H, balls: balls)
    }
}

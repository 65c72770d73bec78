// Which scene seeds a run may train on and which are kept for judging.
//
// A clip is the scenario's episode for a scene seed. Two ranges are reserved:
//   validation  1,000,000,000 ..< 1,200,000,000   for choosing designs (recipes, steps,
//               solvers, snapshots); every choice so far was made on seeds here
//   test        3,000,000,000 ..< 3,100,000,000   for final figures only: no choice looks here
// Training draws each clip's seed as a full 64-bit number and draws again whenever it lands in
// either range, so no training clip is ever a held-out one — by construction, not by the
// 2⁻⁶⁴ odds of a draw. A redraw has never happened in practice (the ranges are 1.6·10⁻¹¹ of
// all seeds), so every training batch is the one it was before the ranges were reserved.

import Tensor

/// The reserved ranges of scene seeds and the training draw that avoids them.
public enum SceneSeeds {
    /// Seeds for choosing designs.
    public static let validation: Range<UInt64> = 1_000_000_000..<1_200_000_000
    /// Seeds for final figures, looked at by no design choice.
    public static let test: Range<UInt64> = 3_000_000_000..<3_100_000_000

    /// Whether `seed` is kept for judging (in either range).
    public static func isReserved(_ seed: UInt64) -> Bool { validation.contains(seed) || test.contains(seed) }

    /// A training clip's scene seed: the first of `draw()`'s values outside both ranges.
    public static func training(_ draw: () -> UInt64) -> UInt64 {
        var seed = draw()
        while isReserved(seed) { seed = draw() }
        return seed
    }

    /// A training clip's scene seed drawn from `rng` (see `training(_:)`).
    public static func training(_ rng: inout RNG) -> UInt64 { training { rng.next() } }
}

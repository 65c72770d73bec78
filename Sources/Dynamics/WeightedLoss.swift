// The loss both kinds of state law train with: per ball row, the error of a predicted change
// of velocity against its target (network units), weighted, as a squared error or as the
// pseudo-Huber error δ²(√(1 + (e/δ)²) − 1) — e²/2 below δ and δ|e| above, so the few rows
// the features cannot resolve pull on the fit like an absolute error, not a square.
//
// Shapes: R rows (balls, padded), C components per row (2: a velocity).

import Tensor

/// Weighted mean loss of `prediction` against `target` [R, C], each row weighted by `weight`
/// [R] (0 leaves it out): the squared error (`Tensor.maskedMSE`) with `robust` 0, else the
/// pseudo-Huber error of δ = `robust`, over the summed weight times C.
func weightedLoss(_ prediction: Tensor, _ target: Tensor, weight: Tensor, robust: Float) -> Tensor {
    guard robust > 0 else { return Tensor.maskedMSE(prediction, target, mask: weight) }
    let e = (prediction - target) * (1 / robust)
    let h = ((e * e + 1).sqrt() - 1) * (robust * robust)
    let rows = weight.count, total = weight.values.reduce(0, +)
    let weighted = (h * weight.reshaped([rows, 1])).sum(axes: [0, 1])
    return weighted * (1 / (max(total, 1e-12) * Float(h.count / max(rows, 1))))
}

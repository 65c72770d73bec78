// The roll-out loss: the network is unrolled K steps from a training state, as it is used, and
// every step's velocity and displacement are compared with the clip's,
//
//   L = (1/K) Σ_k [ MSE(v_k, v*_k) + MSE(p_k − p_0, p*_k − p*_0) ] / deltaScale²,
//
// p* the perceived positions of frames t + 1 … t + K, v*_k = p*_k − p*_{k−1}, p_0 the (noisy)
// start. Gradients flow back through time along the velocity and last-change inputs
// (v_{k+1} = v_k + Δv_k, c_{k+1} = Δv_k); the geometric inputs (gaps, contact times, pair
// offsets) are recomputed from each step's values and held constant, since they are capped
// and piecewise. With K = 1 this is the one-step velocity loss plus an equal displacement term.

import Tensor
import World

extension InteractionNetwork {
    /// The K-step roll-out loss of `states` (the inputs, noise already added) against `truth`,
    /// the transitions they were drawn from (`ahead` holds K frames for each), and the inputs
    /// of every step. With `frozen` (the inputs of an earlier call) the geometric inputs are
    /// taken from it instead of the roll-out: the function the gradient is exact for.
    func rolloutLoss(_ states: [WorldState], truth: [Transition], steps K: Int,
                     frozen: [InteractionBatch]? = nil) -> (loss: Tensor, inputs: [InteractionBatch]) {
        precondition(states.count == truth.count && truth.allSatisfy { $0.ahead.count >= K },
                     "rolloutLoss: \(states.count) states, \(truth.count) transitions, \(K) steps")
        let c = config, B = states.count, N = max(1, states.map(\.balls.count).max() ?? 1)
        let sv = Float(1 / c.velocityScale), unit = Float(1 / c.deltaScale)
        var s = states
        var v = Tensor(shape: [B * N, 2], values: Self.rows(states, N) { $0.velocity })  // pixels per frame
        var displacement = Tensor.zeros([B * N, 2])
        var change: Tensor? = nil
        var total: Tensor? = nil
        var inputs: [InteractionBatch] = []
        for k in 0..<K {
            var x = frozen?[k] ?? InteractionBatch(s, c)
            inputs.append(x)
            // The velocity and last-change columns of the object inputs carry the gradient.
            let rest = x.objects.slice(axis: 1, (change == nil ? 2 : 4)..<Self.objectInputs)
            x.objects = Tensor.concatenate([v * sv] + (change.map { [$0 * sv] } ?? []) + [rest], axis: 1)
            let dv = self(x) * Float(c.deltaScale) * x.ballMask.reshaped([B * N, 1])
            v = v + dv
            displacement = displacement + v
            change = dv
            // Targets and mask of step k.
            var tv = [Float](repeating: 0, count: B * N * 2), td = tv
            var mask = [Float](repeating: 0, count: B * N)
            for (b, tr) in truth.enumerated() {
                for i in tr.state.balls.indices {
                    guard let now = tr.ahead[k][i], let before = k == 0 ? tr.state.balls[i].position : tr.ahead[k - 1][i]
                    else { continue }
                    let o = b * N + i
                    let vel = now - before, disp = now - tr.state.balls[i].position
                    tv[o * 2] = Float(vel.x)
                    tv[o * 2 + 1] = Float(vel.y)
                    td[o * 2] = Float(disp.x)
                    td[o * 2 + 1] = Float(disp.y)
                    mask[o] = 1
                }
            }
            let m = Tensor(shape: [B * N], values: mask)
            let step = Tensor.maskedMSE(v * unit, Tensor(shape: [B * N, 2], values: tv) * unit, mask: m)
                + Tensor.maskedMSE(displacement * unit, Tensor(shape: [B * N, 2], values: td) * unit, mask: m)
            total = total.map { $0 + step } ?? step
            // The next step's inputs, in Double as StateModel.step computes them.
            let d = dv.values
            for b in s.indices {
                for i in s[b].balls.indices {
                    let o = (b * N + i) * 2
                    let dvi = Vec2(Double(d[o]), Double(d[o + 1]))
                    s[b].balls[i].velocity += dvi
                    s[b].balls[i].lastChange = dvi
                    s[b].balls[i].position += s[b].balls[i].velocity
                }
            }
        }
        return (total! * (1 / Float(K)), inputs)
    }

    /// `value` of every ball, padded to `N` balls per state, as [B·N·2] floats.
    static func rows(_ states: [WorldState], _ N: Int, _ value: (BallState) -> Vec2) -> [Float] {
        var out = [Float](repeating: 0, count: states.count * N * 2)
        for (b, s) in states.enumerated() {
            for (i, ball) in s.balls.enumerated() {
                let x = value(ball)
                out[(b * N + i) * 2] = Float(x.x)
                out[(b * N + i) * 2 + 1] = Float(x.y)
            }
        }
        return out
    }
}

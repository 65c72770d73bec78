// Multi-head attention read straight out of a packed projection.
//
// The model's qkv projection is one tensor [B, T, N, 3·D] (D = NH·DH: q, k, v each hold NH
// heads of DH). The per-group kernels take row strides, so heads are read in place and the
// output is written in place into [B, T, N, D] — no permute, slice or merge copies
// (about 11 ms per call at the reference batch). A group is one head over one axis:
//   space      group (b, t, h), the N tokens of a frame    rows 3·D apart
//   time       group (b, n, h), the T frames at a position  rows N·3·D apart
//   spaceTime  group (b, h), all T·N tokens of the clip     rows 3·D apart
// The packed gradient is written exactly once per element (groups partition the
// (token, q/k/v, head) triples), so nothing is zeroed or accumulated.

/// Which tokens attend to each other in a [B, T, N, D] token grid.
public enum AttentionAxis: String, Sendable, CaseIterable {
    case space, time, spaceTime
}

extension Tensor {
    /// Attention over `axis` with `heads` heads from packed qkv [B, T, N, 3·D] → [B, T, N, D].
    public static func attention(packed qkv: Tensor, heads: Int, over axis: AttentionAxis) -> Tensor {
        precondition(qkv.rank == 4 && qkv.shape[3] % (3 * heads) == 0,
                     "packed attention: qkv \(qkv.shape) must be [B, T, N, 3·D] with D divisible by \(heads) heads")
        let (b, t, n) = (qkv.shape[0], qkv.shape[1], qkv.shape[2])
        let d = qkv.shape[3] / 3, dh = d / heads
        let (l, groups, ld, ldo): (Int, Int, Int, Int)
        switch axis {
        case .space: (l, groups, ld, ldo) = (n, b * t * heads, 3 * d, d)
        case .time: (l, groups, ld, ldo) = (t, b * n * heads, n * 3 * d, n * d)
        case .spaceTime: (l, groups, ld, ldo) = (t * n, b * heads, 3 * d, d)
        }
        /// Token offset (in tokens) of group i's first row, and its head.
        func origin(_ i: Int) -> (token: Int, head: Int) {
            let h = i % heads, r = i / heads
            switch axis {
            case .space: return (r * n, h)                         // r = b·T + t
            case .time: return ((r / n) * t * n + r % n, h)        // r = b·N + n
            case .spaceTime: return (r * t * n, h)                 // r = b
            }
        }
        let scale = 1 / Float(dh).squareRoot()
        let lds = attentionScoreStride(l)
        let probs = lds == l ? Tensor(shape: [groups, l, lds]) { _ in } : Tensor.zeros([groups, l, lds])
        let out = Tensor(shape: [b, t, n, d]) { _ in }
        withExtendedLifetime((qkv, probs, out)) {
            let (px, pp, po) = (qkv.ptr, probs.ptr, out.ptr)
            forEachGroup(groups, scratch: dh * l) { i, scratch in
                let (tok, h) = origin(i)
                let q = px + tok * 3 * d + h * dh
                attentionForward(q, q + d, q + 2 * d, ld: ld, pp + i * l * lds, po + tok * d + h * dh, ldo: ldo,
                                 l, dh, scale, scratch: scratch)
            }
        }
        let x = qkv.detached
        return Tape.record(out, [qkv]) { gOut, _ in
            let gx = Tensor(shape: x.shape) { _ in }
            withExtendedLifetime((x, probs, gOut, gx)) {
                let (px, pp, pg, pgx) = (x.ptr, probs.ptr, gOut.ptr, gx.ptr)
                forEachGroup(groups, scratch: dh * l + l * lds) { i, scratch in
                    let (tok, h) = origin(i)
                    let o = tok * 3 * d + h * dh
                    attentionBackward(px + o, px + o + d, px + o + 2 * d, ld: ld, pp + i * l * lds,
                                      pg + tok * d + h * dh, ldo: ldo,
                                      pgx + o, pgx + o + d, pgx + o + 2 * d, l, dh, scale, scratch: scratch)
                }
            }
            return [gx]
        }
    }
}

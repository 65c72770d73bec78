// Reverse-mode autodiff: a tape owned by one training step.
//
// `Tape.watch` marks a tensor as a leaf; every op whose inputs include a tracked tensor
// appends a node (its inputs' node ids and a backward closure) and returns a tracked
// output. Nodes are appended in evaluation order, so walking them backwards is a
// topological order. Backward closures capture *detached* tensors, so the tape holds no
// reference to itself and is freed with the step.

/// The record of one differentiable computation. Create one per step; it is not global.
public final class Tape {
    struct Node {
        /// Node ids of the op's inputs; nil for untracked inputs.
        let inputs: [Int?]
        /// Given the gradient of the output and which inputs need one, returns the
        /// gradient for each input (nil where not needed).
        let backward: ((Tensor, [Bool]) -> [Tensor?])?
    }

    var nodes: [Node] = []

    public init() {}

    /// Number of recorded nodes (leaves included).
    public var count: Int { nodes.count }

    /// `x` as a leaf of this tape: gradients can be taken with respect to the result.
    public func watch(_ x: Tensor) -> Tensor {
        var t = x.detached
        t.trace = .init(tape: self, id: nodes.count)
        nodes.append(Node(inputs: [], backward: nil))
        return t
    }

    /// Gradients of the scalar `loss` with respect to each of `wrt` (tracked on this
    /// tape), in order. A tensor the loss does not depend on gets zeros.
    public func gradients(of loss: Tensor, wrt: [Tensor]) -> [Tensor] {
        precondition(loss.count == 1, "gradients need a scalar loss, got shape \(loss.shape)")
        guard let root = loss.trace, root.tape === self else {
            preconditionFailure("the loss was not recorded on this tape")
        }
        // Which nodes lie on a path from a wanted leaf to the loss.
        var needed = [Bool](repeating: false, count: nodes.count)
        var keep = Set<Int>()
        for w in wrt {
            guard let tr = w.trace, tr.tape === self else {
                preconditionFailure("a tensor to differentiate against is not on this tape")
            }
            needed[tr.id] = true
            keep.insert(tr.id)
        }
        for i in 0..<nodes.count where !needed[i] {
            for case let j? in nodes[i].inputs where needed[j] {
                needed[i] = true
                break
            }
        }
        var grads = [Tensor?](repeating: nil, count: nodes.count)
        grads[root.id] = Tensor(repeating: 1, shape: loss.shape)
        for i in stride(from: root.id, through: 0, by: -1) {
            guard let g = grads[i], let backward = nodes[i].backward else { continue }
            let inputs = nodes[i].inputs
            let needs = inputs.map { $0.map { needed[$0] } ?? false }
            guard needs.contains(true) else { continue }
            let gin = backward(g, needs)
            for (k, input) in inputs.enumerated() {
                guard let j = input, needs[k], let gk = gin[k] else { continue }
                if grads[j] == nil { grads[j] = gk } else { grads[j]!.accumulate(gk) }
            }
            if !keep.contains(i) { grads[i] = nil }  // free as we go
        }
        return wrt.map { w in grads[w.trace!.id] ?? Tensor.zeros(w.shape) }
    }

    /// Records `output` as computed from `inputs`; returns it tracked if any input is.
    static func record(
        _ output: Tensor, _ inputs: [Tensor],
        backward: @escaping (Tensor, [Bool]) -> [Tensor?]
    ) -> Tensor {
        var tape: Tape?
        for x in inputs {
            guard let tr = x.trace else { continue }
            if let t = tape {
                precondition(t === tr.tape, "inputs were recorded on different tapes")
            } else {
                tape = tr.tape
            }
        }
        guard let tape else { return output }
        var out = output.detached
        out.trace = .init(tape: tape, id: tape.nodes.count)
        tape.nodes.append(Node(inputs: inputs.map { $0.trace?.id }, backward: backward))
        return out
    }
}

/// The value of `f` at `xs` and its gradients with respect to each of `xs`.
/// `f` must return a scalar. A fresh tape is used and dropped afterwards.
public func valueAndGrad(
    _ xs: [Tensor], _ f: ([Tensor]) -> Tensor
) -> (value: Tensor, grads: [Tensor]) {
    let tape = Tape()
    let watched = xs.map { tape.watch($0) }
    let y = f(watched)
    return (y.detached, tape.gradients(of: y, wrt: watched))
}

extension Tensor {
    /// Adds `other` elementwise in place (same shape); used to sum gradients.
    public mutating func accumulate(_ other: Tensor) {
        precondition(shape == other.shape, "accumulate: shapes \(shape) and \(other.shape) differ")
        let n = count
        other.withUnsafeBufferPointer { src in
            withUnsafeMutableBufferPointer { dst in
                let s = src.baseAddress!, d = dst.baseAddress!
                Parallel.forChunks(n) { r in
                    for i in r { d[i] += s[i] }
                }
            }
        }
    }
}

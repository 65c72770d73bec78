// One optimizer step, the same for every trainer:
//
//   tape → watch the parameters → loss → gradients → (hook: e.g. sum over ranks)
//   → finiteness → global-norm clip → AdamW → write back into the model → EMA
//
// The pieces are Optimizer.swift's; this file fixes their order, which every trainer's
// bit-identical resume relies on.

/// The phases of a step, in order (for timing a step: `vidgen bench train`).
public enum StepPhase: Sendable { case forward, backward, optimizer }

/// What one optimizer step of a model does besides computing its loss.
public struct OptimizerStep {
    /// The step's learning rate.
    public var learningRate: Double
    /// The 1-based count of this step, for AdamW's bias correction.
    public var step: Int
    /// Per parameter, in visiting order: whether weight decay applies.
    public var decay: [Bool]
    /// AdamW's constants.
    public var settings: AdamSettings
    /// Gradients are scaled down to this global L2 norm when theirs is larger.
    public var clip: Double

    public init(learningRate: Double, step: Int, decay: [Bool], settings: AdamSettings, clip: Double) {
        (self.learningRate, self.step, self.decay, self.settings, self.clip) = (learningRate, step, decay, settings, clip)
    }

    /// Runs the step on `model`, its AdamW state `adam` and its EMA weights `ema` (in
    /// visiting order), which moves toward the updated weights with `emaDecay`.
    ///
    /// - Parameters:
    ///   - loss: the scalar loss of the model it is given (the model with its parameters
    ///     watched on the step's tape).
    ///   - gradientHook: sees the gradients (visiting order) and the loss before anything
    ///     else does, and may replace both (a data-parallel run sums them over its ranks).
    ///   - nonFinite: the error to throw when the loss or the gradients' norm is not finite,
    ///     given both; the model, `adam` and `ema` are then left as they were.
    ///   - lap: told when each phase ends.
    /// - Returns: the loss (as the hook left it) and the gradients' global norm before clipping.
    public func run<Model: ParameterVisitable>(
        _ model: inout Model, adam: inout AdamW, ema: inout [Tensor], emaDecay: Double,
        loss: (Model) throws -> Tensor,
        gradientHook: (_ grads: inout [Tensor], _ loss: inout Float) throws -> Void = { _, _ in },
        nonFinite: (_ loss: Float, _ gradNorm: Double) -> Error,
        lap: (StepPhase) -> Void = { _ in }
    ) throws -> (loss: Float, gradNorm: Double) {
        try update(&model, &adam, loss, gradientHook, nonFinite, lap) { updateEMA(&ema, $0, decay: emaDecay) }
    }

    /// Runs the step on `model` and its AdamW state `adam`, for a model without EMA weights;
    /// the arguments are as for `run(_:adam:ema:emaDecay:…)`.
    public func run<Model: ParameterVisitable>(
        _ model: inout Model, adam: inout AdamW,
        loss: (Model) throws -> Tensor,
        gradientHook: (_ grads: inout [Tensor], _ loss: inout Float) throws -> Void = { _, _ in },
        nonFinite: (_ loss: Float, _ gradNorm: Double) -> Error,
        lap: (StepPhase) -> Void = { _ in }
    ) throws -> (loss: Float, gradNorm: Double) {
        try update(&model, &adam, loss, gradientHook, nonFinite, lap) { _ in }
    }

    private func update<Model: ParameterVisitable>(
        _ model: inout Model, _ adam: inout AdamW, _ loss: (Model) throws -> Tensor,
        _ gradientHook: (inout [Tensor], inout Float) throws -> Void, _ nonFinite: (Float, Double) -> Error,
        _ lap: (StepPhase) -> Void, updated: ([Tensor]) -> Void
    ) throws -> (loss: Float, gradNorm: Double) {
        let tape = Tape()
        var watched = model
        watched.visit("") { _, t in t = tape.watch(t) }
        let lossTensor = try loss(watched)
        lap(.forward)
        var grads = tape.gradients(of: lossTensor, wrt: watched.parameters)
        lap(.backward)
        var lossValue = lossTensor.item
        try gradientHook(&grads, &lossValue)

        let norm = globalNorm(grads)
        guard lossValue.isFinite, norm.isFinite else { throw nonFinite(lossValue, norm) }
        grads = clipped(grads, norm: norm, to: clip)
        var params = model.parameters
        adam.update(&params, grads: grads, lr: learningRate, step: step, decay: decay, settings)
        model.parameters = params
        updated(params)
        lap(.optimizer)
        return (lossValue, norm)
    }
}

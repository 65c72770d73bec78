// The training run's optimizer settings, from its TrainConfig (the optimizer itself, AdamW,
// the EMA and clipping, is Tensor's Optimizer.swift).

import Checkpoints
import Tensor

/// Learning rate at `step` (0-based): linear warm-up to the peak, then cosine decay to
/// `minLRFraction`·peak at the last step.
public func learningRate(step: Int, _ c: TrainConfig) -> Double {
    learningRate(step: step, peak: c.learningRate, warmup: c.warmupSteps, steps: c.steps, floor: c.minLRFraction)
}

/// EMA decay at `step`: min(decay, (1 + s)/(10 + s)), so early averages are not
/// dominated by the random initialization.
public func emaDecay(step: Int, _ c: TrainConfig) -> Double {
    min(c.emaDecay, Double(1 + step) / Double(10 + step))
}

extension TrainConfig {
    /// The run's AdamW constants.
    public var adam: AdamSettings { AdamSettings(beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay) }
}

// Train: clip dataset, AdamW, EMA, learning-rate schedule, training loop, checkpoints.
import Diffusion
import World

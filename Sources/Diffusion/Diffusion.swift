// Diffusion: layers, the spatio-temporal denoiser, noise schedule, objective, samplers.
import Tensor

// World: the explicit-state physics that makes vidgen's training data and is the ground
// truth every experiment is scored against.
import Tensor

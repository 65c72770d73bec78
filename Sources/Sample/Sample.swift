// Sample: window sampling, stitching strategies, long rollouts.
import Train

// Eval: ball tracker, physics metrics, experiments, report.
import Sample

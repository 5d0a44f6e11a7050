package neuroflux.pipeline.baselines;

/**
 * One point of a run's accuracy over time: the wall time since the run began (profiling, verification, training
 * and the evaluation that produced the figure included) and the test accuracy of the model the run would write at
 * that moment.
 */
public record HistoryPoint(double wallSeconds, double testAccuracy) {}

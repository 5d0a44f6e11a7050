package neuroflux.stages.train;

/**
 * The learning rate (and optionally the momentum) for each optimizer step, counted from 0. Compiled steps take
 * both as inputs, so a schedule changes nothing in the graph.
 */
public interface LearningRateSchedule {
    double lr(long step);

    /** The momentum (SGD) or beta1 (AdamW) for the step; {@code base} unless the schedule cycles it. */
    default double momentum(long step, double base) {
        return base;
    }

    static LearningRateSchedule constant(double lr) {
        return step -> lr;
    }

    /** Cosine annealing from {@code a} at pct 0 to {@code b} at pct 1, as PyTorch's schedulers compute it. */
    static double cosine(double a, double b, double pct) {
        return b + (a - b) / 2 * (Math.cos(Math.PI * pct) + 1);
    }
}

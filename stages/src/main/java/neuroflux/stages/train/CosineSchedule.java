package neuroflux.stages.train;

/**
 * Linear warmup from near zero to {@code baseLr} over {@code warmupSteps}, then cosine annealing to {@code minLr}
 * at the last step.
 */
public record CosineSchedule(double baseLr, long totalSteps, long warmupSteps, double minLr)
        implements LearningRateSchedule {
    public CosineSchedule {
        if (totalSteps < 1 || warmupSteps < 0 || warmupSteps > totalSteps) {
            throw new IllegalArgumentException("a cosine schedule needs 0 <= warmup <= total steps, total >= 1");
        }
    }

    @Override
    public double lr(long step) {
        if (step < warmupSteps) return baseLr * (step + 1) / warmupSteps;
        long span = Math.max(1, totalSteps - 1 - warmupSteps);
        double pct = Math.min(1.0, (double) (step - warmupSteps) / span);
        return LearningRateSchedule.cosine(baseLr, minLr, pct);
    }
}

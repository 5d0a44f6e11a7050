package neuroflux.stages.train;

/**
 * The learning rate of a training at a given batch size: a peak rate, the schedule that carries it through the
 * steps, and optionally the batch size the peak rate is for.
 *
 * <p>With a reference batch {@code B}, a training at batch {@code b} peaks at {@code lr · b / B}, the linear scaling
 * rule (Goyal et al., 2017): trainings at different batch sizes then move their weights about as far per sample
 * seen, where with one rate for every batch a training at a large batch takes few steps of the same size and
 * learns less in the same epochs. Without one ({@code B = 0}) every batch size gets {@code lr}. Every method of a
 * comparison follows the same rule, backpropagation at its batch, each block of neuroflux at its own.
 *
 * @param schedule onecycle, cosine or constant
 * @param lr the peak rate, at the reference batch where there is one
 * @param referenceBatch the batch size {@code lr} is for; 0: {@code lr} at every batch size
 */
public record LearningRates(String schedule, double lr, int referenceBatch) {
    /** One-cycle: the share of the steps spent warming up to the peak (PyTorch's pct_start). */
    public static final double ONE_CYCLE_WARMUP = 0.15;
    /** Cosine: the share of the steps of linear warm-up before the decay. */
    public static final double COSINE_WARMUP = 0.05;
    /** The schedules there are. */
    public static final java.util.List<String> SCHEDULES = java.util.List.of("onecycle", "cosine", "constant");

    public LearningRates {
        if (!(lr > 0) || Double.isInfinite(lr)) throw new IllegalArgumentException("the learning rate is positive: " + lr);
        if (referenceBatch < 0) throw new IllegalArgumentException("the reference batch is not negative");
        if (!SCHEDULES.contains(schedule)) {
            throw new IllegalArgumentException("unknown schedule '" + schedule + "'");
        }
    }

    /** The peak rate of a training at this batch size. */
    public double peakAt(int batch) {
        if (batch < 1) throw new IllegalArgumentException("a batch has at least one sample: " + batch);
        return referenceBatch == 0 ? lr : lr * batch / referenceBatch;
    }

    /** The schedule of a training of {@code totalSteps} steps at this batch size. */
    public LearningRateSchedule at(int batch, long totalSteps) {
        double peak = peakAt(batch);
        long steps = Math.max(1, totalSteps);
        return switch (schedule) {
            case "onecycle" -> OneCycleSchedule.pytorch(peak, steps, ONE_CYCLE_WARMUP);
            case "cosine" -> new CosineSchedule(peak, steps, (long) (COSINE_WARMUP * steps), 0);
            default -> LearningRateSchedule.constant(peak);
        };
    }
}

package neuroflux.stages.plan;

/**
 * How long a unit's step takes per sample at a given batch size. Small batches are slower per sample (each step
 * pays a fixed overhead: launching the session's run, the optimizer's update of every parameter), so the planner
 * needs the whole curve, not one figure, to trade batch size against the number of blocks.
 */
@FunctionalInterface
public interface StepTime {
    /** Seconds per sample of a step at batch size {@code batch} (at least 1). */
    double secondsPerSample(int batch);

    /** The same time per sample at every batch size. */
    static StepTime perSample(double seconds) {
        return new Linear(0, seconds);
    }

    /** A step of {@code b} samples takes {@code overheadSecondsPerStep + b · secondsPerSample}. */
    static Linear linear(double overheadSecondsPerStep, double secondsPerSample) {
        return new Linear(overheadSecondsPerStep, secondsPerSample);
    }

    /**
     * The line through two measured steps: a step of {@code batchA} samples took {@code stepSecondsA}, one of
     * {@code batchB} took {@code stepSecondsB}. Where noise makes the slope or the intercept negative, it is taken
     * as zero (a step never gets faster with more samples, and never costs less than nothing).
     */
    static Linear fromTwoSteps(int batchA, double stepSecondsA, int batchB, double stepSecondsB) {
        if (batchA < 1 || batchB < 1 || batchA == batchB) {
            throw new IllegalArgumentException("two different positive batch sizes are needed, not " + batchA
                    + " and " + batchB);
        }
        if (!(stepSecondsA >= 0) || !(stepSecondsB >= 0)) {
            throw new IllegalArgumentException("step times must be non-negative: " + stepSecondsA + ", "
                    + stepSecondsB);
        }
        double perSample = Math.max(0, (stepSecondsB - stepSecondsA) / (batchB - batchA));
        double overhead = Math.max(0, stepSecondsA - batchA * perSample);
        return new Linear(overhead, perSample);
    }

    /** A step cost of a fixed overhead plus a time per sample. */
    record Linear(double overheadSecondsPerStep, double secondsPerSample) implements StepTime {
        public Linear {
            if (!(overheadSecondsPerStep >= 0) || !(secondsPerSample >= 0) || Double.isInfinite(overheadSecondsPerStep)
                    || Double.isInfinite(secondsPerSample)) {
                throw new IllegalArgumentException("step time needs finite non-negative overhead and time per"
                        + " sample, not " + overheadSecondsPerStep + " and " + secondsPerSample);
            }
        }

        @Override
        public double secondsPerSample(int batch) {
            return overheadSecondsPerStep / batch + secondsPerSample;
        }
    }
}

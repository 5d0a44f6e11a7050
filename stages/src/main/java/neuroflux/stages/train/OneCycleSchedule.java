package neuroflux.stages.train;

/**
 * PyTorch's OneCycleLR with cosine annealing, three_phase off: from maxLr / divFactor up to maxLr over the first
 * pctStart of the steps, then down to maxLr / (divFactor * finalDivFactor); the momentum cycles the other way,
 * from maxMomentum down to baseMomentum and back (cycle_momentum on).
 */
public record OneCycleSchedule(double maxLr, long totalSteps, double pctStart, double divFactor,
                               double finalDivFactor, double baseMomentum, double maxMomentum, boolean cycleMomentum)
        implements LearningRateSchedule {
    public OneCycleSchedule {
        if (totalSteps < 1) throw new IllegalArgumentException("one-cycle needs at least one step");
        if (pctStart <= 0 || pctStart >= 1) throw new IllegalArgumentException("pct_start must lie in (0, 1)");
    }

    /** PyTorch's defaults: div_factor 25, final_div_factor 1e4, momentum between 0.85 and 0.95. */
    public static OneCycleSchedule pytorch(double maxLr, long totalSteps, double pctStart) {
        return new OneCycleSchedule(maxLr, totalSteps, pctStart, 25, 1e4, 0.85, 0.95, true);
    }

    private double phaseEnd() {
        return pctStart * totalSteps - 1;
    }

    /** (start, end, pct) of the phase the step lies in; step beyond the end stays in the last phase. */
    private double[] phase(long step, double first, double peak, double last) {
        double end1 = phaseEnd();
        double end2 = totalSteps - 1;
        if (step <= end1) return new double[] {first, peak, step / end1};
        return new double[] {peak, last, (step - end1) / (end2 - end1)};
    }

    @Override
    public double lr(long step) {
        double initial = maxLr / divFactor;
        double[] p = phase(step, initial, maxLr, initial / finalDivFactor);
        return LearningRateSchedule.cosine(p[0], p[1], p[2]);
    }

    @Override
    public double momentum(long step, double base) {
        if (!cycleMomentum) return base;
        double[] p = phase(step, maxMomentum, baseMomentum, maxMomentum);
        return LearningRateSchedule.cosine(p[0], p[1], p[2]);
    }
}

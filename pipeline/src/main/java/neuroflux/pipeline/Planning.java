package neuroflux.pipeline;

import java.util.ArrayList;
import java.util.List;
import neuroflux.onnx.runtime.RuntimeOptions;
import neuroflux.stages.block.BlockRunner;
import neuroflux.stages.block.HeadedNetwork;
import neuroflux.stages.block.UnitStep;
import neuroflux.stages.compile.Optimizer;
import neuroflux.stages.memory.MemoryTrace;
import neuroflux.stages.memory.PeakMeasurement;
import neuroflux.stages.memory.PeakMemoryMeter;
import neuroflux.stages.plan.Block;
import neuroflux.stages.plan.BlockPlanner;
import neuroflux.stages.plan.Plan;
import neuroflux.stages.plan.PlannerSettings;
import neuroflux.stages.profile.UnitProfiler;

/**
 * The plan stage: blocks from the units' profiles, the end-to-end backprop batch size for comparison, and the
 * smallest budget that works. An infeasible budget is refused here, before any training, with a
 * {@code BudgetTooSmallException} naming the smallest budget.
 *
 * @param plan the blocks, their batch sizes and predicted peaks and times
 * @param backpropBatch the largest batch at which end-to-end backprop fits the same usable budget (0: none)
 * @param smallestBudgetBytes the smallest budget (same margin) for which a plan exists
 */
public record Planning(Plan plan, int backpropBatch, long smallestBudgetBytes) {
    /** Steps run per block when a plan is verified: one warm-up and two more, the peak is the largest. */
    public static final int VERIFY_STEPS = 3;

    public static Planning of(UnitProfiler.Profile profile, PlannerSettings settings) {
        return of(profile, settings, null);
    }

    /**
     * With {@code split} (block sizes in units, in order) the blocks are fixed and only batch sizes planned; a
     * split with a block that does not fit the budget is refused like an infeasible budget.
     */
    public static Planning of(UnitProfiler.Profile profile, PlannerSettings settings, List<Integer> split) {
        BlockPlanner planner = new BlockPlanner(settings);
        long smallest = planner.smallestBudget(profile.plannerProfiles());
        Plan plan = planner.plan(profile.plannerProfiles());
        if (split != null) {
            int total = split.stream().mapToInt(Integer::intValue).sum();
            if (total != profile.units().size() || split.stream().anyMatch(n -> n < 1)) {
                throw new neuroflux.onnx.BadInputException("--split " + split + " must be positive unit counts adding"
                        + " up to the model's " + profile.units().size() + " units");
            }
            plan = planner.planSplit(profile.plannerProfiles(), split);
            if (plan == null) {
                throw new neuroflux.stages.plan.BudgetTooSmallException("a block of --split " + split + " does not"
                        + " fit a budget of " + neuroflux.stages.memory.Budget.format(settings.budgetBytes())
                        + " even at batch size 1", smallest);
            }
        }
        var bp = profile.backprop().plannerLine();
        return new Planning(plan, planner.largestBackpropBatch(bp.fixedBytes(), bp.bytesPerSample()), smallest);
    }

    /**
     * What the process holds now, at rest, above the level an anchored meter counts from (0 where the meter cannot
     * tell): after profiling, the planner adds it to every block's predicted peak, since every measured figure of
     * the run contains it.
     */
    public static long residentBytes(PeakMemoryMeter anchored) {
        System.gc(); // the profile's direct buffers go now, as they would before the first block's measurement
        return Math.max(0, anchored.levelBytes());
    }

    /**
     * A block checked by measurement: the batch it was planned at, the batch it trains at, the measured peak at
     * that batch (unavailable where nothing could be measured), and the planner's prediction at that same batch,
     * which is what the measurement checks (the block's own predicted peak is at the planned batch).
     */
    public record VerifiedBlock(Block planned, int batch, PeakMeasurement peak, long predictedPeakBytes,
                                List<Attempt> attempts) {
        public VerifiedBlock {
            attempts = List.copyOf(attempts);
        }

        /** Measured once, at {@code batch}. */
        public VerifiedBlock(Block planned, int batch, PeakMeasurement peak, long predictedPeakBytes) {
            this(planned, batch, peak, predictedPeakBytes, List.of(new Attempt(batch, peak, predictedPeakBytes)));
        }

        public boolean lowered() {
            return batch != planned.batch();
        }

        /**
         * (predicted − measured) / measured at the measured batch: positive where the prediction was too high,
         * negative where it fell short; NaN where nothing was measured.
         */
        public double predictionError() {
            if (!peak.available() || peak.bytes() <= 0) return Double.NaN;
            return (predictedPeakBytes - peak.bytes()) / (double) peak.bytes();
        }
    }

    /**
     * One measurement of a block: at the planned batch first, then at each other one tried.
     *
     * @param batch the batch measured
     * @param peak the measured peak there
     * @param predictedPeakBytes the planner's prediction there
     */
    public record Attempt(int batch, PeakMeasurement peak, long predictedPeakBytes) {
        /** (predicted − measured) / measured; NaN where nothing was measured. */
        public double predictionError() {
            if (!peak.available() || peak.bytes() <= 0) return Double.NaN;
            return (predictedPeakBytes - peak.bytes()) / (double) peak.bytes();
        }
    }

    /**
     * Measures each block's peak for real: its unit steps compiled at its batch size, their sessions opened and
     * {@link #VERIFY_STEPS} steps run on random inputs inside the meter (what a block's training holds, without
     * the data loading around it). Where the peak exceeds the usable budget, the largest batch that fits is searched
     * for by measuring ({@link BatchSearch}). Each block's prediction at the batch it trains at comes with it.
     */
    public static List<VerifiedBlock> verify(Plan plan, UnitProfiler.Profile profile, HeadedNetwork net,
                                             Optimizer optimizer, RuntimeOptions runtime, PeakMemoryMeter meter,
                                             long seed) {
        long usable = plan.settings().usableBytes();
        BlockPlanner planner = new BlockPlanner(plan.settings());
        List<neuroflux.stages.plan.UnitProfile> units = profile.plannerProfiles();
        List<VerifiedBlock> verified = new ArrayList<>();
        for (Block b : plan.blocks()) {
            long fixed = planner.peakAt(units, b.firstUnit(), b.lastUnit(), 0);
            BatchSearch.Result r = BatchSearch.search(b.batch(),
                    batch -> measure(b, batch, net, optimizer, runtime, meter, seed), fixed, usable,
                    BatchSearch.MAX_MEASUREMENTS);
            List<Attempt> attempts = new ArrayList<>();
            for (BatchSearch.Measured m : r.measurements()) {
                attempts.add(new Attempt(m.batch(), m.peak(),
                        planner.peakAt(units, b.firstUnit(), b.lastUnit(), m.batch())));
            }
            int batch = r.batch();
            long predicted = planner.peakAt(units, b.firstUnit(), b.lastUnit(), batch);
            verified.add(new VerifiedBlock(b, batch, r.peak(), predicted, attempts));
        }
        return verified;
    }

    private static PeakMeasurement measure(Block b, int batch, HeadedNetwork net, Optimizer optimizer,
                                           RuntimeOptions runtime, PeakMemoryMeter meter, long seed) {
        List<UnitStep> steps = new ArrayList<>();
        for (int k = b.firstUnit(); k <= b.lastUnit(); k++) {
            steps.add(UnitStep.compile(net, k, batch, k < b.lastUnit(), optimizer));
        }
        long[] in = steps.getFirst().compiled().graph().shapeOf(steps.getFirst().input());
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        float[] images = new float[Math.toIntExact(neuroflux.onnx.Shapes.size(in))];
        for (int i = 0; i < images.length; i++) images[i] = (float) (random.nextDouble() * 2 - 1);
        long[] labels = new long[batch];
        for (int i = 0; i < labels.length; i++) labels[i] = random.nextInt(net.model().classes());
        System.gc(); // direct buffers of work before go now, not while the block is measured
        MemoryTrace.phase("verify units " + b.firstUnit() + ".." + b.lastUnit() + " at batch "
                + batch);
        PeakMeasurement m = meter.measure(() -> {
            try (BlockRunner runner = new BlockRunner(steps, runtime)) {
                for (int i = 0; i < VERIFY_STEPS; i++) runner.run(images, labels, 0, 0);
            }
        });
        System.gc(); // the batch's direct buffers go now, not into the next measurement
        return m;
    }

    /** The plan with each block at its verified batch size (predicted peaks and times stay the planner's). */
    public static Plan withVerifiedBatches(Plan plan, List<VerifiedBlock> verified) {
        List<Block> blocks = new ArrayList<>();
        for (VerifiedBlock v : verified) {
            Block b = v.planned();
            blocks.add(new Block(b.firstUnit(), b.lastUnit(), b.units(), v.batch(), b.predictedPeakBytes(),
                    b.predictedTrainSeconds(), b.predictedCacheSeconds(), b.overheadSeconds()));
        }
        return new Plan(blocks, plan.settings());
    }
}

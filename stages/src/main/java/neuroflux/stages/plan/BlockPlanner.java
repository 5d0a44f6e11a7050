package neuroflux.stages.plan;

import java.util.ArrayList;
import java.util.List;
import neuroflux.stages.memory.Budget;

/**
 * Splits a model's units into blocks of consecutive units and gives each block the largest batch size that fits
 * the budget, choosing the split that minimises the predicted training time.
 *
 * <p><b>Memory of a block.</b> Within a step the block's units train one after another: a unit's forward, its head's
 * loss, its backward and its update, then the next unit on the detached output of the one before. While unit
 * {@code k} trains, it needs its own step's peak {@code peak(k)} (as when it trains alone, its input batch
 * included: for the first unit that is the block's input batch, for a later one the output of the unit before),
 * and every other unit of the block holds what it keeps between its own steps, {@code held(j)} (session,
 * parameters, optimizer state; the profiler measures it, its own input batch not included). A later unit also has
 * the block's input batch beside it, held for the whole step. The block's last unit passes no output on, so its
 * step needs less than the profiled one, which did ({@link UnitProfile#endOfBlockPeakBytes}). On top comes what
 * the process holds before any block ({@link PlannerSettings#residentBytes()}). So at batch {@code b}
 * <pre>
 *   peak = resident + max over k of [ peak(k)(b) + Σ over j ≠ k of held(j)(b) + (k ≠ first ? b · in(first) : 0) ]
 *   (for k = last, peak(k)(b) less b · passed(k))
 * </pre>
 * and the block's batch is the largest {@code b ≤ cap} with {@code peak ≤ budget · (1 − margin)} (every term
 * grows with {@code b}, so it is found by bisection). With every unit's memory one line whose fixed part is all
 * held and whose per-sample part is not ({@link UnitProfile}'s line constructor), this is
 * {@code resident + Σ fixed(k) + b · (in(first) + max over k of [act(k) + (k ≠ first ? in(k) : 0)])}. The
 * caching pass (inference, which holds less than training) is assumed to fit whenever training does, and runs at
 * the same batch.
 *
 * <p><b>Time of a block</b> = epochs × samples × Σ train time per sample at its batch, plus, for every block but the
 * last (whose output no block reads), one caching pass (samples × Σ cache time per sample) and the cache traffic
 * (its output written once and read once per epoch, at the settings' cost per byte), plus the settings' fixed
 * overhead per block. Merging units saves cache traffic and block overheads but shares one batch size, set by the
 * most memory-hungry unit; so the cheapest split groups units of similar memory per sample.
 *
 * <p><b>Choice.</b> A dynamic programme over the end of the last block finds the split of least predicted time
 * among all contiguous splits; among splits of equal time it keeps the one with fewer blocks.
 */
public final class BlockPlanner {
    private static final double TIE = 1e-12;

    private final PlannerSettings settings;

    public BlockPlanner(PlannerSettings settings) {
        this.settings = settings;
    }

    public PlannerSettings settings() {
        return settings;
    }

    /**
     * The plan of least predicted time.
     *
     * @throws BudgetTooSmallException if some unit does not fit even alone at batch size 1
     */
    public Plan plan(List<UnitProfile> units) {
        if (units.isEmpty()) throw new IllegalArgumentException("there are no units to plan");
        checkFits(units);
        int n = units.size();
        double[] best = new double[n + 1];
        int[] blocksTo = new int[n + 1];
        int[] start = new int[n + 1];
        java.util.Arrays.fill(best, Double.POSITIVE_INFINITY);
        best[0] = 0;
        for (int end = 1; end <= n; end++) {
            for (int first = end - 1; first >= 0; first--) {
                if (best[first] == Double.POSITIVE_INFINITY) continue;
                Block block = block(units, first, end - 1);
                // no early exit on a block that does not fit: a longer one can need less per sample, when its
                // first unit reads a smaller input than the shorter block's first
                if (block == null) continue;
                double time = best[first] + block.predictedSeconds();
                int count = blocksTo[first] + 1;
                boolean tie = Math.abs(time - best[end]) <= TIE * Math.max(1, Math.abs(time));
                if (tie ? count < blocksTo[end] : time < best[end]) {
                    best[end] = time;
                    blocksTo[end] = count;
                    start[end] = first;
                }
            }
        }
        List<Block> blocks = new ArrayList<>();
        for (int end = n; end > 0; end = start[end]) blocks.addFirst(block(units, start[end], end - 1));
        return new Plan(blocks, settings);
    }

    /** The plan for a split fixed by the caller: block sizes in order. Null where some block does not fit. */
    public Plan planSplit(List<UnitProfile> units, List<Integer> blockSizes) {
        List<Block> blocks = new ArrayList<>();
        int first = 0;
        for (int size : blockSizes) {
            Block b = block(units, first, first + size - 1);
            if (b == null) return null;
            blocks.add(b);
            first += size;
        }
        if (first != units.size()) throw new IllegalArgumentException("the block sizes do not add up to the units");
        return new Plan(blocks, settings);
    }

    /** Units {@code first..last} as a block at its largest batch, or null where batch size 1 does not fit. */
    Block block(List<UnitProfile> units, int first, int last) {
        int batch = largestBatch(b -> peakAt(units, first, last, b));
        if (batch < 1) return null;
        long samples = settings.trainSamples();
        double train = 0;
        double cache = 0;
        for (int k = first; k <= last; k++) {
            UnitProfile u = units.get(k);
            train += secondsPerSample(u, u.trainTime(), batch, "training");
            cache += secondsPerSample(u, u.cacheTime(), batch, "caching");
        }
        train *= (double) settings.epochs() * samples;
        boolean lastBlock = last == units.size() - 1;
        double cacheSeconds = 0;
        if (!lastBlock) {
            double traffic = (double) samples * units.get(last).outputBytesPerSample() * (1 + settings.epochs());
            cacheSeconds = cache * samples + traffic * settings.cacheSecondsPerByte();
        }
        List<String> names = units.subList(first, last + 1).stream().map(UnitProfile::name).toList();
        return new Block(first, last, names, batch, peakAt(units, first, last, batch), train, cacheSeconds,
                settings.blockOverheadSeconds());
    }

    /**
     * The predicted peak of units {@code first..last} trained as one block at a batch size (see the class comment),
     * the settings' resident bytes included: what the verification of a block at another batch than the planned one
     * is compared with.
     */
    public long peakAt(List<UnitProfile> units, int first, int last, long batch) {
        long heldAll = 0;
        for (int k = first; k <= last; k++) heldAll = Math.addExact(heldAll, units.get(k).held().at(batch));
        long most = 0;
        for (int k = first; k <= last; k++) {
            UnitProfile u = units.get(k);
            long others = heldAll - u.held().at(batch);
            long input = k == first ? 0 : Math.multiplyExact(batch, units.get(first).inputBytesPerSample());
            long own = k == last ? u.endOfBlockPeakBytes(batch) : u.peak().at(batch);
            most = Math.max(most, Math.addExact(Math.addExact(own, others), input));
        }
        return Math.addExact(settings.residentBytes(), most);
    }

    /** The largest batch {@code b ≤ cap} whose (non-decreasing) peak fits the usable bytes, 0 where 1 does not. */
    private int largestBatch(java.util.function.LongUnaryOperator peak) {
        long usable = settings.usableBytes();
        if (peak.applyAsLong(1) > usable) return 0;
        if (peak.applyAsLong(settings.batchCap()) <= usable) return settings.batchCap();
        int fits = 1;
        int over = settings.batchCap();
        while (over - fits > 1) {
            int mid = (fits + over) >>> 1;
            if (peak.applyAsLong(mid) <= usable) fits = mid;
            else over = mid;
        }
        return fits;
    }

    private static double secondsPerSample(UnitProfile u, StepTime time, int batch, String what) {
        double s = time.secondsPerSample(batch);
        if (!(s >= 0) || Double.isInfinite(s)) {
            throw new IllegalArgumentException("unit '" + u.name() + "' has " + what + " time " + s
                    + " per sample at batch " + batch);
        }
        return s;
    }

    /**
     * The largest batch {@code b ≤ cap} with {@code resident + fixed + b · perSample ≤ usable}, or 0 where not even
     * batch size 1 fits.
     */
    public int largestBatch(long fixedBytes, long bytesPerSample) {
        long room = settings.usableBytes() - settings.residentBytes() - fixedBytes;
        if (room < bytesPerSample || room < 0) return 0;
        if (bytesPerSample == 0) return settings.batchCap();
        return (int) Math.min(settings.batchCap(), room / bytesPerSample);
    }

    /**
     * The largest batch at which end-to-end backpropagation of the whole model fits the same usable budget, or 0
     * where not even batch size 1 does.
     *
     * @param fixedBytes the whole model's parameters, gradients and optimizer state (and its one classifier)
     * @param activationBytesPerSample the whole model's training memory per sample, input batch and labels included
     */
    public int largestBackpropBatch(long fixedBytes, long activationBytesPerSample) {
        return largestBatch(fixedBytes, activationBytesPerSample);
    }

    /**
     * The smallest budget, at the settings' margin, with which every unit fits at batch size 1: the smallest for
     * which a plan exists, since splitting every unit into its own block needs the least memory.
     */
    public long smallestBudget(List<UnitProfile> units) {
        long need = aloneNeed(units, largestAloneNeed(units));
        double margin = settings.margin();
        long budget = Math.max(1, (long) Math.ceil(need / (1 - margin)));
        while (PlannerSettings.usableBytes(budget, margin) < need) budget++;
        while (budget > 1 && PlannerSettings.usableBytes(budget - 1, margin) >= need) budget--;
        return budget;
    }

    /** The unit whose block of its own needs the most at batch size 1. */
    private int largestAloneNeed(List<UnitProfile> units) {
        int worst = 0;
        for (int k = 1; k < units.size(); k++) if (aloneNeed(units, k) > aloneNeed(units, worst)) worst = k;
        return worst;
    }

    private long aloneNeed(List<UnitProfile> units, int k) {
        return peakAt(units, k, k, 1);
    }

    private void checkFits(List<UnitProfile> units) {
        int worst = largestAloneNeed(units);
        long need = aloneNeed(units, worst);
        if (need <= settings.usableBytes()) return;
        long smallest = smallestBudget(units);
        String resident = settings.residentBytes() == 0 ? "" : " (" + Budget.format(settings.residentBytes())
                + " of it held before any block)";
        throw new BudgetTooSmallException("a memory budget of " + Budget.format(settings.budgetBytes())
                + " is too small: unit '" + units.get(worst).name() + "' alone needs " + Budget.format(need) + resident
                + " at batch size 1, and the budget keeps a " + Math.round(settings.margin() * 100)
                + "% margin; the smallest budget that works is " + Budget.format(smallest) + " (" + smallest
                + " bytes)", smallest);
    }
}

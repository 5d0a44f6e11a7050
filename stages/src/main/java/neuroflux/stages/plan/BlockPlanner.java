package neuroflux.stages.plan;

import java.util.ArrayList;
import java.util.List;
import neuroflux.stages.memory.Budget;

/**
 * Splits a model's units into blocks of consecutive units and gives each block the largest batch size that fits
 * the budget, choosing the split that minimises the predicted training time.
 *
 * <p><b>Memory of a block.</b> Within a step the block's units train one after another: a unit's forward, its head's
 * loss, its backward and its update, then the next unit on the detached output of the one before. A unit's
 * activations are freed before the next unit starts, so only one unit's activations are alive at a time, while
 * every unit's fixed bytes (parameters, gradients, optimizer state, head) stay resident. Two input buffers come on
 * top: the block's input batch (read from the previous block's cache, or the dataset), held for the whole step, and,
 * while unit {@code k} trains, unit {@code k-1}'s output, which is unit {@code k}'s input. So at batch {@code b}
 * <pre>
 *   peak = Σ fixed(k) + b · ( in(first) + max over k of [ act(k) + (k ≠ first ? in(k) : 0) ] )
 * </pre>
 * and the block's batch is the largest {@code b ≤ cap} with {@code peak ≤ budget · (1 − margin)}. The caching pass
 * (inference, which holds less than training) is assumed to fit whenever training does, and runs at the same batch.
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
        long fixed = 0;
        long largest = 0;
        for (int k = first; k <= last; k++) {
            UnitProfile u = units.get(k);
            fixed = Math.addExact(fixed, u.fixedBytes());
            largest = Math.max(largest, u.activationBytesPerSample() + (k == first ? 0 : u.inputBytesPerSample()));
        }
        long perSample = Math.addExact(units.get(first).inputBytesPerSample(), largest);
        int batch = largestBatch(fixed, perSample);
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
        return new Block(first, last, names, batch, fixed + batch * perSample, train, cacheSeconds,
                settings.blockOverheadSeconds());
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
     * The largest batch {@code b ≤ cap} with {@code fixed + b · perSample ≤ usable}, or 0 where not even batch
     * size 1 fits.
     */
    public int largestBatch(long fixedBytes, long bytesPerSample) {
        long room = settings.usableBytes() - fixedBytes;
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
        long need = largestAloneNeed(units).aloneBytes(1);
        double margin = settings.margin();
        long budget = Math.max(1, (long) Math.ceil(need / (1 - margin)));
        while (PlannerSettings.usableBytes(budget, margin) < need) budget++;
        while (budget > 1 && PlannerSettings.usableBytes(budget - 1, margin) >= need) budget--;
        return budget;
    }

    private static UnitProfile largestAloneNeed(List<UnitProfile> units) {
        UnitProfile worst = units.get(0);
        for (UnitProfile u : units) if (u.aloneBytes(1) > worst.aloneBytes(1)) worst = u;
        return worst;
    }

    private void checkFits(List<UnitProfile> units) {
        UnitProfile worst = largestAloneNeed(units);
        if (worst.aloneBytes(1) <= settings.usableBytes()) return;
        long smallest = smallestBudget(units);
        throw new BudgetTooSmallException("a memory budget of " + Budget.format(settings.budgetBytes())
                + " is too small: unit '" + worst.name() + "' alone needs " + Budget.format(worst.aloneBytes(1))
                + " at batch size 1, and the budget keeps a " + Math.round(settings.margin() * 100)
                + "% margin; the smallest budget that works is " + Budget.format(smallest) + " (" + smallest
                + " bytes)", smallest);
    }
}

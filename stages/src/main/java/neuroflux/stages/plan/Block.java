package neuroflux.stages.plan;

import java.util.List;
import neuroflux.stages.memory.Budget;

/**
 * Consecutive units trained together, one after another within each step, at one batch size.
 *
 * @param firstUnit index of the first unit
 * @param lastUnit index of the last unit (inclusive)
 * @param units the units' names
 * @param batch the largest batch size at which the block fits the usable budget (at most the cap)
 * @param predictedPeakBytes the block's predicted peak at that batch (see {@link BlockPlanner})
 * @param predictedTrainSeconds predicted time of all its epochs
 * @param predictedCacheSeconds predicted time of its caching pass and cache traffic (zero for the last block)
 * @param overheadSeconds the fixed cost charged per block
 */
public record Block(int firstUnit, int lastUnit, List<String> units, int batch, long predictedPeakBytes,
                    double predictedTrainSeconds, double predictedCacheSeconds, double overheadSeconds) {
    public Block {
        units = List.copyOf(units);
    }

    public int size() {
        return lastUnit - firstUnit + 1;
    }

    public double predictedSeconds() {
        return predictedTrainSeconds + predictedCacheSeconds + overheadSeconds;
    }

    public String describe() {
        String names = units.size() == 1 ? units.get(0) : units.get(0) + " .. " + units.get(units.size() - 1);
        return "units " + names + " (" + size() + "): batch " + batch + ", predicted peak "
                + Budget.format(predictedPeakBytes) + ", predicted time "
                + String.format(java.util.Locale.ROOT, "%.1f s", predictedSeconds());
    }
}

package neuroflux.stages.plan;

import java.util.List;
import neuroflux.stages.memory.Budget;

/**
 * The blocks a model trains in, under one budget. All figures are predictions from the units' profiles.
 *
 * @param blocks consecutive blocks covering every unit in order
 * @param settings what was planned for
 */
public record Plan(List<Block> blocks, PlannerSettings settings) {
    public Plan {
        blocks = List.copyOf(blocks);
    }

    public double predictedSeconds() {
        return blocks.stream().mapToDouble(Block::predictedSeconds).sum();
    }

    /** The highest predicted peak of any block. */
    public long predictedPeakBytes() {
        return blocks.stream().mapToLong(Block::predictedPeakBytes).max().orElse(0);
    }

    /** The block's number of units, in order: the split the planner chose. */
    public List<Integer> blockSizes() {
        return blocks.stream().map(Block::size).toList();
    }

    public String describe() {
        StringBuilder b = new StringBuilder("plan for a budget of ").append(Budget.format(settings.budgetBytes()))
                .append(" (usable ").append(Budget.format(settings.usableBytes())).append("): ")
                .append(blocks.size()).append(" blocks, predicted peak ").append(Budget.format(predictedPeakBytes()))
                .append(String.format(java.util.Locale.ROOT, ", predicted time %.1f s", predictedSeconds()));
        for (int i = 0; i < blocks.size(); i++) b.append("\n  block ").append(i + 1).append(": ")
                .append(blocks.get(i).describe());
        return b.toString();
    }
}

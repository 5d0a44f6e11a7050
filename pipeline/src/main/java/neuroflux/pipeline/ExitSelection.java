package neuroflux.pipeline;

import java.util.List;

/**
 * Chooses the exit a run exports: the one with the fewest parameters (prefix and exit) whose validation accuracy
 * is within {@code tolerancePoints} percentage points of the best exit's. Validation, not test, decides, so the
 * test accuracy reported for the choice is not one the choice was fitted to.
 */
public final class ExitSelection {
    private ExitSelection() {}

    /** The index in {@code exits} of the chosen exit. */
    public static int select(List<CompressPipeline.ExitResult> exits, double tolerancePoints) {
        if (exits.isEmpty()) throw new IllegalArgumentException("no exits to choose from");
        double best = exits.stream().mapToDouble(CompressPipeline.ExitResult::valAccuracy).max().orElseThrow();
        double floor = best - tolerancePoints / 100;
        int chosen = -1;
        for (int i = 0; i < exits.size(); i++) {
            CompressPipeline.ExitResult e = exits.get(i);
            if (e.valAccuracy() < floor - 1e-12) continue;
            if (chosen < 0 || e.params() < exits.get(chosen).params()) chosen = i;
        }
        return chosen;
    }
}

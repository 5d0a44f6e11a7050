package neuroflux.stages.compile;

import java.util.List;
import java.util.Map;
import java.util.Set;
import neuroflux.onnx.Graph;

/**
 * What to compile into one training step.
 *
 * @param forward   the forward graph; its inputs' shapes fix the batch size the step is compiled for
 * @param losses    the loss attachments; the step minimises their sum
 * @param trainable the initializers to train
 * @param detached  values through which no gradient flows. To detach the input of a locally trained unit while
 *                  the previous unit's head still reads the same value, route the unit's input through an Identity
 *                  node and detach that Identity's output
 * @param optimizer how parameters are updated, or {@link Optimizer.GradientsOnly} to output gradients
 * @param seededGradients loss-free backward: a value of the forward graph to the name of a new step input that
 *                  holds the gradient of the objective with respect to it (a later segment's input gradient, for
 *                  activation recomputation); the step then back-propagates that gradient, exactly as the
 *                  surrogate loss {@code sum(value * gradient)} would
 * @param inputGradients forward inputs whose gradients the step outputs (as {@link StepNames#grad}), for the
 *                  segment before
 * @param updateStatistics whether the step outputs updated running statistics; a recomputed forward must not, so
 *                  that the statistics are updated once per batch
 */
public record StepSpec(Graph forward, List<LossAttachment> losses, Set<String> trainable, Set<String> detached,
                       Optimizer optimizer, Map<String, String> seededGradients, List<String> inputGradients,
                       boolean updateStatistics) {
    public StepSpec {
        losses = List.copyOf(losses);
        trainable = Set.copyOf(trainable);
        detached = Set.copyOf(detached);
        seededGradients = Map.copyOf(seededGradients);
        inputGradients = List.copyOf(inputGradients);
    }

    /** A step with losses, every running statistic updated, no input gradients. */
    public StepSpec(Graph forward, List<LossAttachment> losses, Set<String> trainable, Set<String> detached,
                    Optimizer optimizer) {
        this(forward, requireLoss(losses), trainable, detached, optimizer, Map.of(), List.of(), true);
    }

    private static List<LossAttachment> requireLoss(List<LossAttachment> losses) {
        if (losses.isEmpty()) throw new IllegalArgumentException("a training step needs at least one loss");
        return losses;
    }

    /** Whether the step back-propagates anything: without losses or seeded gradients it is a training forward. */
    public boolean hasBackward() {
        return !losses.isEmpty() || !seededGradients.isEmpty();
    }
}

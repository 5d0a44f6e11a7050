package neuroflux.stages.compile;

import java.util.List;
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
 */
public record StepSpec(Graph forward, List<LossAttachment> losses, Set<String> trainable, Set<String> detached,
                       Optimizer optimizer) {
    public StepSpec {
        losses = List.copyOf(losses);
        trainable = Set.copyOf(trainable);
        detached = Set.copyOf(detached);
        if (losses.isEmpty()) throw new IllegalArgumentException("a training step needs at least one loss");
    }
}

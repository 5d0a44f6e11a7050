package neuroflux.stages.compile;

import java.util.List;
import java.util.Map;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Tensor;

/**
 * A compiled training step: one ONNX graph and the roles of its inputs and outputs.
 *
 * @param graph        the step graph
 * @param dataInputs   the forward graph's inputs (the batch)
 * @param labelInputs  the int64 labels inputs, one per distinct labels name of the loss attachments
 * @param parameters   the trained parameters, in the forward graph's initializer order
 * @param state        every value carried from step to step (parameters, optimizer state, running statistics),
 *                     each an input under its name; {@code next} maps it to the output holding its new value
 * @param next         state name to output name
 * @param runningStats the running statistics among the state
 * @param losses       the output holding each attachment's loss
 * @param corrects     the output holding each attachment's number of correct predictions
 * @param gradients    parameter to its gradient output (gradients-only steps; empty otherwise)
 * @param initial      the starting value of every state input: parameters and statistics from the forward
 *                     graph, optimizer state zero
 * @param optimizer    the optimizer compiled in
 */
public record CompiledStep(Graph graph, List<String> dataInputs, List<String> labelInputs, List<String> parameters,
                           List<String> state, Map<String, String> next, List<String> runningStats,
                           List<String> losses, List<String> corrects, Map<String, String> gradients,
                           Map<String, Tensor> initial, Optimizer optimizer) {
    /** Whether the step takes the learning-rate, momentum and step-count inputs. */
    public boolean takesHyperparameters() {
        return !(optimizer instanceof Optimizer.GradientsOnly);
    }

    public boolean takesStepCount() {
        return optimizer instanceof Optimizer.AdamW;
    }
}

package neuroflux.stages.block;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import neuroflux.onnx.Graph;
import neuroflux.stages.compile.CompiledStep;
import neuroflux.stages.compile.LossAttachment;
import neuroflux.stages.compile.Optimizer;
import neuroflux.stages.compile.StepCompiler;
import neuroflux.stages.compile.StepNames;
import neuroflux.stages.compile.StepSpec;
import neuroflux.stages.models.TrainableParameters;

/**
 * End-to-end backpropagation with activation recomputation (gradient checkpointing at unit boundaries), compiled:
 * for every unit but the last a training forward (the unit's output and its running statistics' update) and a
 * recomputing backward (the unit's forward again from its saved input, then backward from the gradient of its
 * output to the parameter updates and the gradient of its input, running statistics not updated a second time);
 * for the last unit and the classifier one ordinary step with the loss that also outputs the gradient of its input.
 *
 * <p>Training-mode batch normalisation normalises with the statistics of the batch it sees; the recomputation sees
 * the same input and the same (not yet updated) parameters, so it normalises exactly as the first forward did.
 *
 * @param forwards each unit's training forward (units 0..n-2)
 * @param backwards each unit's recomputing backward (units 0..n-2)
 * @param last the last unit's and the classifier's step
 * @param units the units' input and output value names, in order
 */
public record RecomputeSteps(int batch, List<CompiledStep> forwards, List<CompiledStep> backwards, CompiledStep last,
                             List<String> inputs, List<String> outputs) {
    /** The input of a recomputing backward that holds the gradient of the unit's output. */
    public static final String OUTPUT_GRADIENT = "grad_output";

    public static RecomputeSteps compile(HeadedNetwork net, int batch, Optimizer optimizer) {
        List<CompiledStep> forwards = new ArrayList<>();
        List<CompiledStep> backwards = new ArrayList<>();
        List<String> inputs = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        int n = net.size();
        for (int k = 0; k < n - 1; k++) {
            Graph unit = net.unitForward(k, batch);
            Set<String> trainable = TrainableParameters.names(unit);
            String input = net.unit(k).inputName();
            String output = net.unit(k).outputName();
            forwards.add(StepCompiler.compile(new StepSpec(unit, List.of(), trainable, Set.of(), optimizer, Map.of(),
                    List.of(), true)));
            backwards.add(StepCompiler.compile(new StepSpec(unit, List.of(), trainable, Set.of(), optimizer,
                    Map.of(output, OUTPUT_GRADIENT), k > 0 ? List.of(input) : List.of(), false)));
            inputs.add(input);
            outputs.add(output);
        }
        Graph lastUnit = net.unitForward(n - 1, batch);
        String lastInput = net.unit(n - 1).inputName();
        CompiledStep last = StepCompiler.compile(new StepSpec(lastUnit,
                List.of(new LossAttachment(net.exitLogits(n - 1), UnitStep.LABELS)), TrainableParameters.names(lastUnit),
                Set.of(), optimizer, Map.of(), n > 1 ? List.of(lastInput) : List.of(), true));
        inputs.add(lastInput);
        outputs.add(net.exitLogits(n - 1));
        return new RecomputeSteps(batch, forwards, backwards, last, inputs, outputs);
    }

    public int units() {
        return inputs.size();
    }

    /** The output of unit k's step that holds the gradient of its input. */
    public String inputGradient(int k) {
        return StepNames.grad(inputs.get(k));
    }
}

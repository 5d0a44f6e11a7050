package neuroflux.stages.block;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import neuroflux.onnx.Graph;
import neuroflux.onnx.ValueInfo;
import neuroflux.stages.compile.CompiledStep;
import neuroflux.stages.compile.LossAttachment;
import neuroflux.stages.compile.Optimizer;
import neuroflux.stages.compile.StepCompiler;
import neuroflux.stages.compile.StepSpec;
import neuroflux.stages.memory.MemoryCategory;
import neuroflux.stages.memory.StaticMemoryPlan;
import neuroflux.stages.memory.ValueClassifier;

/**
 * One unit's training step at a fixed batch size: the unit's forward, its exit (head or the model's classifier),
 * the cross-entropy of the exit, backward into the unit and the exit only (the input is detached), and the
 * optimizer update. Where another unit of the block follows, the step also outputs the unit's output activation,
 * which that unit reads as its input: the only value that passes from one unit to the next.
 *
 * @param unit the unit's index
 * @param batch the batch size the step is compiled for
 * @param compiled the compiled step graph and the roles of its values
 * @param input the unit's input (a data input of the step)
 * @param labels the labels input
 * @param unitOutput the unit's output as a step output, or null where no unit of the block follows
 */
public record UnitStep(int unit, int batch, CompiledStep compiled, String input, String labels, String unitOutput) {
    public static final String LABELS = "labels";

    /** Compiles unit k's step; {@code passOutput}: another unit of the block reads its output. */
    public static UnitStep compile(HeadedNetwork net, int k, int batch, boolean passOutput, Optimizer optimizer) {
        Graph forward = net.trainingForward(k, batch, false);
        String input = net.unit(k).inputName();
        CompiledStep step = StepCompiler.compile(new StepSpec(forward,
                List.of(new LossAttachment(net.exitLogits(k), LABELS)), net.trainableParameters(k), Set.of(input),
                optimizer));
        String output = null;
        if (passOutput) {
            output = net.unit(k).outputName();
            ValueInfo v = step.graph().info(output);
            if (v == null) throw new IllegalStateException("the step of unit " + k + " lost its output '" + output + "'");
            step.graph().outputs().add(v);
        }
        return new UnitStep(k, batch, step, input, LABELS, output);
    }

    /**
     * The whole model's step for end-to-end backpropagation, the baseline a block plan is compared with: every
     * unit and the classifier, the classifier's loss, gradients through everything. Its unit index is -1.
     */
    public static UnitStep compileWhole(HeadedNetwork net, int batch, Optimizer optimizer) {
        Graph forward = net.wholeForward(batch);
        String input = net.model().inputName();
        CompiledStep step = StepCompiler.compile(new StepSpec(forward,
                List.of(new LossAttachment(net.model().outputName(), LABELS)),
                neuroflux.stages.models.TrainableParameters.names(forward), Set.of(), optimizer));
        return new UnitStep(-1, batch, step, input, LABELS, null);
    }

    /** The static memory plan of this step: a prediction from its shapes, no run. */
    public StaticMemoryPlan staticPlan() {
        Set<String> parameters = new HashSet<>(compiled.parameters());
        Set<String> statistics = new HashSet<>(compiled.runningStats());
        Set<String> optimizerState = new HashSet<>(compiled.state());
        optimizerState.removeAll(parameters);
        optimizerState.removeAll(statistics);
        ValueClassifier classifier = ValueClassifier.defaults()
                .withRule(statistics::contains, MemoryCategory.RUNNING_STATISTICS);
        // the compiler declares the shapes of what it emits only in part; the plan needs every value's size
        Graph g = compiled.graph().copy();
        neuroflux.onnx.shapes.ShapeInference.infer(g);
        return StaticMemoryPlan.of(g, parameters, optimizerState, classifier);
    }
}

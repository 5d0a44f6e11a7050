package neuroflux.stages.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import neuroflux.onnx.BadInputException;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Shapes;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.TensorCodec;
import neuroflux.onnx.runtime.OrtSession;
import neuroflux.onnx.runtime.RuntimeOptions;
import neuroflux.stages.compile.CompiledStep;
import neuroflux.stages.compile.LossAttachment;
import neuroflux.stages.compile.Optimizer;
import neuroflux.stages.compile.Rounding;
import neuroflux.stages.compile.StepCompiler;
import neuroflux.stages.compile.StepNames;
import neuroflux.stages.compile.StepSpec;
import neuroflux.stages.compile.ValueShapes;

/**
 * One training-mode forward and backward pass of a model compared with reference values: the mean
 * cross-entropy loss and each parameter's gradient. A gradient agrees when its largest absolute difference
 * from the reference is at most 1e-3 (M + 0.01 G), M being the largest magnitude of that parameter's reference
 * gradient and G the largest over all parameters; the loss agrees within 1e-4 (relative above 1).
 *
 * @param loss          the compiled step's loss
 * @param referenceLoss the reference loss
 * @param parameters    every compared parameter, worst first
 */
public record GradientComparison(double loss, double referenceLoss, List<Parameter> parameters) {
    public static final double GRADIENT_TOLERANCE = 1e-3;
    public static final double GLOBAL_SHARE = 0.01;
    public static final double LOSS_TOLERANCE = 1e-4;

    /** One parameter: its largest difference and what the rule allows it ({@code ratio} above 1 fails). */
    public record Parameter(String name, double maxDifference, double allowed) {
        public double ratio() {
            return maxDifference / allowed;
        }

        public boolean passed() {
            return maxDifference <= allowed;
        }
    }

    public double lossRatio() {
        return Math.abs(loss - referenceLoss) / (LOSS_TOLERANCE * Math.max(1, Math.abs(referenceLoss)));
    }

    /** The worst error relative to its allowance, loss included. */
    public double worstRatio() {
        double w = lossRatio();
        for (Parameter p : parameters) w = Math.max(w, p.ratio());
        return w;
    }

    public boolean passed() {
        return lossRatio() <= 1 && parameters.stream().allMatch(Parameter::passed);
    }

    public List<Parameter> failures() {
        return parameters.stream().filter(p -> !p.passed()).toList();
    }

    /** {@link #run(Graph, Tensor, Tensor, Path, RuntimeOptions, Rounding)} rounding as PyTorch's CPU kernels do. */
    public static GradientComparison run(Graph model, Tensor input, Tensor labels, Path reference,
                                         RuntimeOptions runtime) {
        return run(model, input, labels, reference, runtime, Rounding.PYTORCH_CPU);
    }

    /**
     * Runs the comparison on an imported model (shared initializers untied); the parameters compared are
     * those with a file {@code grad/<name>.pb} in {@code reference}, which also holds {@code loss.pb}. The step's
     * float32 forward rounds as {@code rounding} says: PyTorch's references are matched with
     * {@link Rounding#PYTORCH_CPU}, where one ulp can matter (see {@link Rounding}).
     */
    public static GradientComparison run(Graph model, Tensor input, Tensor labels, Path reference,
                                         RuntimeOptions runtime, Rounding rounding) {
        Map<String, Tensor> expected = referenceGradients(reference.resolve("grad"));
        Tensor referenceLoss = TensorCodec.read(reference.resolve("loss.pb"));
        Graph g = model.copy();
        if (g.inputs().size() != 1) {
            throw new BadInputException("the model has " + g.inputs().size() + " inputs; gradcheck handles one");
        }
        if (g.outputs().isEmpty()) throw new BadInputException("the model has no output");
        if (labels.rank() != 1 || labels.shape()[0] != input.shape()[0]) {
            throw new BadInputException("labels of shape " + Shapes.format(labels.shape()) + " do not match a batch"
                    + " of " + input.shape()[0]);
        }
        ValueShapes.setBatch(g, input.shape()[0]);
        ValueShapes.ensure(g);
        String logits = g.outputNames().get(0);
        CompiledStep step = StepCompiler.compile(new StepSpec(g, List.of(new LossAttachment(logits, "labels")),
                expected.keySet(), java.util.Set.of(), new Optimizer.GradientsOnly()), rounding);
        Map<String, Tensor> feeds = new LinkedHashMap<>(step.initial());
        feeds.put(step.dataInputs().get(0), input);
        feeds.put("labels", labels.cast(neuroflux.onnx.DataType.INT64));
        Map<String, Tensor> out;
        try (OrtSession s = OrtSession.open(step.graph(), runtime)) {
            out = s.run(feeds);
        }
        double global = 0;
        for (Tensor t : expected.values()) global = Math.max(global, maxAbs(t.doubles()));
        List<Parameter> params = new ArrayList<>();
        for (var e : expected.entrySet()) {
            Tensor got = out.get(step.gradients().get(e.getKey()));
            double[] a = got.doubles();
            double[] b = e.getValue().doubles();
            if (a.length != b.length) {
                throw new BadInputException("reference gradient of '" + e.getKey() + "' has shape "
                        + Shapes.format(e.getValue().shape()) + ", the parameter " + Shapes.format(got.shape()));
            }
            double diff = 0;
            for (int i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i] - b[i]));
            double allowed = GRADIENT_TOLERANCE * (maxAbs(b) + GLOBAL_SHARE * global);
            params.add(new Parameter(e.getKey(), diff, allowed));
        }
        params.sort((x, y) -> Double.compare(y.ratio(), x.ratio()));
        double loss = out.get(StepNames.TOTAL_LOSS).doubles()[0];
        return new GradientComparison(loss, referenceLoss.doubles()[0], params);
    }

    private static Map<String, Tensor> referenceGradients(Path dir) {
        if (!Files.isDirectory(dir)) throw new BadInputException("no reference gradients folder " + dir);
        Map<String, Tensor> m = new LinkedHashMap<>();
        try (var files = Files.list(dir)) {
            for (Path f : new TreeSet<>(files.filter(p -> p.toString().endsWith(".pb")).toList())) {
                String name = f.getFileName().toString();
                m.put(name.substring(0, name.length() - 3), TensorCodec.read(f));
            }
        } catch (IOException e) {
            throw new BadInputException("cannot list " + dir + ": " + e.getMessage());
        }
        if (m.isEmpty()) throw new BadInputException("no reference gradients (*.pb) in " + dir);
        return m;
    }

    private static double maxAbs(double[] v) {
        double m = 0;
        for (double x : v) m = Math.max(m, Math.abs(x));
        return m;
    }
}

package neuroflux.stages.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import neuroflux.onnx.BadInputException;
import neuroflux.onnx.DataType;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Node;
import neuroflux.onnx.OnnxModels;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.runtime.OrtSession;
import neuroflux.onnx.runtime.RuntimeOptions;
import neuroflux.onnx.shapes.ShapeInference;
import neuroflux.stages.importer.ModelImporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StepCompilerTest {
    private static Tensor random(Random r, long... shape) {
        float[] v = new float[Math.toIntExact(neuroflux.onnx.Shapes.size(shape))];
        for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian() * 0.3f;
        return Tensor.ofFloats(shape, v);
    }

    /**
     * Two locally trained units: unit 1 (conv1) with head 1, unit 2 (conv2) reading unit 1's output through an
     * Identity "a1.detached" (the value to detach, so that head 1 still reads a1 itself), with head 2.
     */
    private static Graph twoUnits() {
        Random r = new Random(3);
        Graph g = new Graph("units");
        g.inputs().add(new ValueInfo("x", DataType.FLOAT, new long[] {4, 2, 6, 6}));
        g.addInitializer("conv1", random(r, 3, 2, 3, 3));
        g.addInitializer("conv2", random(r, 3, 3, 3, 3));
        g.addInitializer("head1", random(r, 5, 3));
        g.addInitializer("head2", random(r, 5, 3));
        g.add(new Node("Conv", "c1", List.of("x", "conv1"), List.of("h1"))).withInts("pads", 1, 1, 1, 1);
        g.add(new Node("Relu", "r1", List.of("h1"), List.of("a1")));
        g.add(new Node("Identity", "cut", List.of("a1"), List.of("a1.detached")));
        g.add(new Node("Conv", "c2", List.of("a1.detached", "conv2"), List.of("h2"))).withInts("pads", 1, 1, 1, 1);
        int i = 0;
        for (String[] head : new String[][] {{"a1", "head1", "logits1"}, {"h2", "head2", "logits2"}}) {
            g.add(new Node("GlobalAveragePool", "gap" + i, List.of(head[0]), List.of("p" + i)));
            g.add(new Node("Flatten", "flat" + i, List.of("p" + i), List.of("f" + i)));
            g.add(new Node("Gemm", "fc" + i, List.of("f" + i, head[1]), List.of(head[2]))).with("transB", 1);
            i++;
        }
        g.outputs().add(new ValueInfo("logits2", DataType.FLOAT, new long[] {4, 5}));
        ShapeInference.infer(g);
        return g;
    }

    private static Map<String, Tensor> run(CompiledStep step, Map<String, Tensor> extra) {
        Map<String, Tensor> feeds = new java.util.LinkedHashMap<>(step.initial());
        feeds.putAll(extra);
        try (OrtSession s = OrtSession.open(step.graph(), RuntimeOptions.cpu(1))) {
            return s.run(feeds);
        }
    }

    @Test
    void detachedValuesStopTheGradient() {
        Graph g = twoUnits();
        Set<String> all = Set.of("conv1", "conv2", "head1", "head2");
        CompiledStep local = StepCompiler.compile(new StepSpec(g, List.of(new LossAttachment("logits1", "labels"),
                new LossAttachment("logits2", "labels")), all, Set.of("a1.detached"), new Optimizer.GradientsOnly()));
        // no gradient flows from unit 2 into unit 1: no input gradient of conv2 (a ConvTranspose) is emitted
        assertEquals(0, local.graph().nodes().stream().filter(n -> n.opType().equals("ConvTranspose")).count());
        CompiledStep unit1Only = StepCompiler.compile(new StepSpec(g, List.of(new LossAttachment("logits1",
                "labels")), all, Set.of(), new Optimizer.GradientsOnly()));
        Random r = new Random(5);
        Map<String, Tensor> batch = Map.of("x", random(r, 4, 2, 6, 6), "labels", Tensor.vector(0, 3, 4, 1));
        Map<String, Tensor> a = run(local, batch);
        Map<String, Tensor> b = run(unit1Only, batch);
        // with the detach, conv1's gradient comes from head 1's loss alone
        float[] ga = a.get(StepNames.grad("conv1")).floats();
        float[] gb = b.get(StepNames.grad("conv1")).floats();
        for (int i = 0; i < ga.length; i++) assertEquals(gb[i], ga[i], 1e-6);
        float[] headGrad = b.get(StepNames.grad("head2")).floats();
        for (float v : headGrad) assertEquals(0f, v, "head 2 gets no gradient from head 1's loss");
        assertEquals(a.get(StepNames.loss(0)).floats()[0] + a.get(StepNames.loss(1)).floats()[0],
                a.get(StepNames.TOTAL_LOSS).floats()[0], 1e-6);
        double lossFromTotal = a.get(StepNames.TOTAL_LOSS).floats()[0];
        assertTrue(lossFromTotal > 0);
    }

    @Test
    void correctCountsArgmaxHits() {
        Graph g = twoUnits();
        CompiledStep step = StepCompiler.compile(new StepSpec(g, List.of(new LossAttachment("logits2", "labels")),
                Set.of("head2"), Set.of(), new Optimizer.GradientsOnly()));
        Random r = new Random(6);
        Tensor x = random(r, 4, 2, 6, 6);
        Graph probe = g.copy();
        float[] logits;
        try (OrtSession s = OrtSession.open(probe, RuntimeOptions.cpu(1))) {
            logits = s.run(Map.of("x", x)).get("logits2").floats();
        }
        long[] labels = new long[4];
        long expected = 0;
        for (int i = 0; i < 4; i++) {
            int best = 0;
            for (int k = 1; k < 5; k++) if (logits[i * 5 + k] > logits[i * 5 + best]) best = k;
            labels[i] = i % 2 == 0 ? best : (best + 1) % 5;
            if (labels[i] == best) expected++;
        }
        Map<String, Tensor> out = run(step, Map.of("x", x, "labels", Tensor.ofLongs(new long[] {4}, labels)));
        assertEquals(expected, out.get(StepNames.correct(0)).longs()[0]);
    }

    @Test
    void compiledStepsAreValidOnnxThatShapeInferenceAcceptsAndThatCanBeWritten(@TempDir Path dir) throws Exception {
        Path fixtures = Path.of(System.getProperty("neuroflux.fixtures", "../../shared/fixtures"));
        for (String name : List.of("vgg-small-fmnist", "mobilenetv2-w025-cifar")) {
            Graph g = ModelImporter.load(fixtures.resolve(name).resolve("model.onnx")).atBatch(8);
            for (Optimizer o : List.of(Optimizer.Sgd.reference(), Optimizer.AdamW.defaults(0.01))) {
                CompiledStep step = StepCompiler.compile(new StepSpec(g, List.of(new LossAttachment(
                        g.outputNames().get(0), "labels")), TrainableParameters.of(g), Set.of(), o));
                Path file = dir.resolve(name + "-" + o.getClass().getSimpleName() + ".onnx");
                OnnxModels.write(step.graph(), file);
                Graph again = OnnxModels.read(file);
                ShapeInference.infer(again);
                for (String out : step.next().values()) {
                    assertTrue(java.util.Arrays.equals(again.shapeOf(out), step.graph().shapeOf(out)), out);
                }
                assertFalse(step.graph().isInitializer(step.parameters().get(0)), "parameters are inputs");
            }
        }
    }

    @Test
    void aTrainableNameThatIsNoInitializerIsBadInput() {
        Graph g = twoUnits();
        BadInputException e = assertThrows(BadInputException.class, () -> StepCompiler.compile(new StepSpec(g,
                List.of(new LossAttachment("logits2", "labels")), Set.of("h1"), Set.of(),
                new Optimizer.GradientsOnly())));
        assertTrue(e.getMessage().contains("'h1'"), e.getMessage());
    }
}

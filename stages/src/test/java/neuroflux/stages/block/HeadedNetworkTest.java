package neuroflux.stages.block;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Node;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.runtime.OrtSession;
import neuroflux.onnx.runtime.RuntimeOptions;
import neuroflux.stages.compile.Optimizer;
import neuroflux.stages.heads.AuxiliaryHeads;
import neuroflux.stages.heads.HeadWidthRule;
import neuroflux.stages.importer.ImportedModel;
import neuroflux.stages.importer.ModelImporter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HeadedNetworkTest {
    @TempDir
    static Path dir;
    static ImportedModel model;
    static HeadedNetwork net;

    @BeforeAll
    static void build() throws Exception {
        model = ModelImporter.load(TinyCnn.write(dir));
        net = HeadedNetwork.build(model, new AuxiliaryHeads(HeadWidthRule.adaptive(), 0));
    }

    static Tensor randomBatch(int n) {
        Random r = new Random(5);
        float[] v = new float[n * 64];
        for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian();
        return Tensor.ofFloats(new long[] {n, 1, 8, 8}, v);
    }

    @Test
    void everyUnitButTheLastGetsAHeadAndTheLastTheModelsClassifier() {
        assertEquals(3, net.size());
        assertNotNull(net.head(0));
        assertNotNull(net.head(1));
        assertNull(net.head(2));
        assertEquals(model.outputName(), net.exitLogits(2));
        assertTrue(net.exitParameters(0) < net.exitParameters(2));
        assertEquals(net.inputParameters(), net.exitParameters(2), "the last exit is the whole model");
    }

    @Test
    void countsEachUnitsMultiplyAddsFromItsConvolutions() {
        // unit0: 3x3 convolution from 1 to 4 channels at 8x8; unit1: from 4 to 8 channels at 4x4
        assertEquals(4L * 9 * 64, net.unitMultiplyAddsPerSample(0));
        assertEquals(8L * 4 * 9 * 16, net.unitMultiplyAddsPerSample(1));
        // the head on unit0's 4x4x4 output: its convolution and its classifier on the pooled 2x2 grid
        int f = net.head(0).filters();
        assertEquals(f * 4L * 9 * 16 + f * 4L * 4, net.head(0).multiplyAddsPerSample());
    }

    @Test
    void theLastExitModelComputesWhatTheModelComputes() {
        Tensor x = randomBatch(3);
        Graph whole = model.graph().copy();
        for (Node n : whole.nodes()) if (n.opType().equals("BatchNormalization")) n.attributes().remove("training_mode");
        Graph exit = net.exitModel(2);
        assertEquals(model.inputName(), exit.inputNames().getFirst());
        assertEquals(model.outputName(), exit.outputNames().getFirst());
        try (OrtSession a = OrtSession.open(whole, RuntimeOptions.cpu(1));
             OrtSession b = OrtSession.open(exit, RuntimeOptions.cpu(1))) {
            float[] expected = a.run(Map.of(model.inputName(), x)).get(model.outputName()).floats();
            float[] actual = b.run(Map.of(model.inputName(), x)).get(model.outputName()).floats();
            for (int i = 0; i < expected.length; i++) assertEquals(expected[i], actual[i], 1e-5);
        }
    }

    @Test
    void aUnitStepPassesItsOutputAndTrainsOnlyItsUnitAndExit() {
        UnitStep step = UnitStep.compile(net, 0, 4, true, new Optimizer.Sgd(0.9, true, 5e-4));
        assertTrue(step.compiled().graph().outputNames().contains(net.unit(0).outputName()));
        for (String p : step.compiled().parameters()) {
            assertTrue(net.unit(0).initializerNames().contains(p) || p.startsWith("unit0.head."), p);
        }
        assertTrue(step.staticPlan().peakBytes() > 0);
    }

    @Test
    void aBlockTrainsItsUnitsOneAfterAnotherAndLearns() {
        List<UnitStep> steps = List.of(UnitStep.compile(net, 0, 8, true, new Optimizer.Sgd(0.9, true, 0)),
                UnitStep.compile(net, 1, 8, false, new Optimizer.Sgd(0.9, true, 0)));
        float[] images = randomBatch(8).floats();
        long[] labels = {0, 1, 2, 3, 0, 1, 2, 3};
        long before0 = UnitRuns.of(0);
        long before1 = UnitRuns.of(1);
        try (BlockRunner runner = new BlockRunner(steps, RuntimeOptions.cpu(1))) {
            BlockRunner.Outcome first = runner.run(images, labels, 0.05, 0.9);
            BlockRunner.Outcome last = first;
            for (int i = 0; i < 30; i++) last = runner.run(images, labels, 0.05, 0.9);
            assertEquals(2, first.losses().length);
            assertTrue(last.losses()[0] < first.losses()[0], "unit 0's exit learns one batch");
            assertTrue(last.losses()[1] < first.losses()[1], "unit 1's exit learns one batch");
            Map<String, Tensor> values = runner.modelValues();
            assertTrue(values.keySet().containsAll(steps.get(1).compiled().parameters()));
        }
        assertEquals(31, UnitRuns.of(0) - before0);
        assertEquals(31, UnitRuns.of(1) - before1);
    }
}

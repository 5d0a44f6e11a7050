package neuroflux.pipeline.baselines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import neuroflux.onnx.OnnxModels;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.runtime.RuntimeOptions;
import neuroflux.pipeline.TinyCnn;
import neuroflux.stages.block.BlockRunner;
import neuroflux.stages.block.HeadedNetwork;
import neuroflux.stages.block.RecomputeSteps;
import neuroflux.stages.block.RecomputingRunner;
import neuroflux.stages.block.UnitStep;
import neuroflux.stages.compile.Optimizer;
import neuroflux.stages.heads.AuxiliaryHeads;
import neuroflux.stages.heads.HeadWidthRule;
import neuroflux.stages.importer.ModelImporter;
import neuroflux.stages.memory.MemoryProbe;
import neuroflux.stages.memory.PeakMeasurement;
import neuroflux.stages.models.Activation;
import neuroflux.stages.models.NetworkBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Backprop with activation recomputation computes what backprop computes, with less memory alive. */
class RecomputeTest {
    static final Optimizer SGD = new Optimizer.Sgd(0.9, true, 5e-4);
    static final RuntimeOptions RUNTIME = RuntimeOptions.cpu(1);

    @TempDir
    Path dir;

    static HeadedNetwork network(Path file) {
        return HeadedNetwork.build(ModelImporter.load(file), new AuxiliaryHeads(HeadWidthRule.adaptive(), 0));
    }

    static float[] images(int n, long sampleValues, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[Math.toIntExact(n * sampleValues)];
        for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
        return x;
    }

    static long[] labels(int n, int classes, long seed) {
        SplittableRandom r = new SplittableRandom(seed + 1);
        long[] y = new long[n];
        for (int i = 0; i < n; i++) y[i] = r.nextInt(classes);
        return y;
    }

    /** Parameters and running statistics after {@code steps} SGD steps of backprop and of recomputation. */
    static void assertSameAfter(int steps, HeadedNetwork net) {
        int batch = 8;
        float[] x = images(batch, 64, 1);
        long[] y = labels(batch, TinyCnn.CLASSES, 1);
        Map<String, Tensor> bp;
        try (BlockRunner r = new BlockRunner(java.util.List.of(UnitStep.compileWhole(net, batch, SGD)), RUNTIME)) {
            for (int i = 0; i < steps; i++) r.run(x, y, 0.1, 0.9);
            bp = r.modelValues();
        }
        Map<String, Tensor> checkpoint;
        try (RecomputingRunner r = new RecomputingRunner(RecomputeSteps.compile(net, batch, SGD), RUNTIME)) {
            for (int i = 0; i < steps; i++) r.run(x, y, 0.1, 0.9);
            checkpoint = r.modelValues();
        }
        assertEquals(bp.keySet(), checkpoint.keySet(), "the same parameters and statistics");
        int statistics = 0;
        for (var e : bp.entrySet()) {
            float[] expected = e.getValue().floats();
            float[] actual = checkpoint.get(e.getKey()).floats();
            float[] initial = net.value(e.getKey()).floats();
            assertFalse(java.util.Arrays.equals(expected, initial), e.getKey() + " did not change in training");
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], 1e-5 + 1e-4 * Math.abs(expected[i]), "after " + steps
                        + " step(s): " + e.getKey() + "[" + i + "]");
            }
            if (e.getKey().contains("running") || e.getKey().contains("mean") || e.getKey().contains("var")) {
                statistics++;
            }
        }
        assertTrue(statistics >= 6, "three batch norms' running mean and variance compared, got " + statistics);
    }

    /** One step: the same gradients, so the same update; BN statistics updated once, as by backprop. */
    @Test
    void parametersAndRunningStatisticsMatchBackpropAfterOneSgdStep() throws Exception {
        HeadedNetwork net = network(TinyCnn.write(dir));
        assertEquals(3, net.size());
        assertSameAfter(1, net);
    }

    /** Two steps: the second also uses the momentum buffers of the first. */
    @Test
    void parametersAndRunningStatisticsMatchBackpropAfterTwoSgdSteps() throws Exception {
        assertSameAfter(2, network(TinyCnn.write(dir)));
    }

    /** Four units at full resolution: backprop keeps all four units' activations, recomputation one and inputs. */
    static Path wideModel(Path dir) throws Exception {
        NetworkBuilder b = new NetworkBuilder("wide", new long[] {3, 32, 32}, 5);
        Activation x = b.input();
        for (int i = 0; i < 4; i++) {
            x = b.relu("u" + i + ".relu", b.batchNorm("u" + i + ".bn", b.conv("u" + i + ".conv", x, 16, 3, 1, 1, 1,
                    true)));
            if (i == 3) x = b.maxPool("u3.pool", x, 2, 2);
        }
        x = b.flatten("", b.globalAvgPool("", x));
        Path file = dir.resolve("wide.onnx");
        OnnxModels.write(b.finish(b.linear("classifier", x, 10)), file);
        return file;
    }

    @Test
    void recomputationPeaksLowerThanBackpropAtTheSameBatch() throws Exception {
        MemoryProbe probe = MemoryProbe.host();
        if (!probe.availability().available()) return; // not Linux: nothing to measure
        HeadedNetwork net = network(wideModel(dir));
        assertTrue(net.size() >= 3, "several units, got " + net.size());
        int batch = 48;
        float[] x = images(batch, 3 * 32 * 32, 2);
        long[] y = labels(batch, 10, 2);
        UnitStep whole = UnitStep.compileWhole(net, batch, SGD);
        RecomputeSteps recompute = RecomputeSteps.compile(net, batch, SGD);
        // both once unmeasured first, so neither figure holds ONNX Runtime's or the JIT's first-use memory
        Runnable backprop = () -> {
            try (BlockRunner r = new BlockRunner(java.util.List.of(whole), RUNTIME)) {
                for (int i = 0; i < 3; i++) r.run(x, y, 0.01, 0.9);
            }
        };
        Runnable recomputing = () -> {
            try (RecomputingRunner r = new RecomputingRunner(recompute, RUNTIME)) {
                for (int i = 0; i < 3; i++) r.run(x, y, 0.01, 0.9);
            }
        };
        backprop.run();
        recomputing.run();
        System.gc();
        PeakMeasurement checkpointFirst = probe.measure(recomputing);
        System.gc();
        PeakMeasurement bp = probe.measure(() -> {
            try (BlockRunner r = new BlockRunner(java.util.List.of(whole), RUNTIME)) {
                for (int i = 0; i < 3; i++) r.run(x, y, 0.01, 0.9);
            }
        });
        System.gc();
        PeakMeasurement checkpoint = probe.measure(() -> {
            try (RecomputingRunner r = new RecomputingRunner(recompute, RUNTIME)) {
                for (int i = 0; i < 3; i++) r.run(x, y, 0.01, 0.9);
            }
        });
        assertTrue(checkpoint.bytes() < bp.bytes(), "recomputation " + checkpoint.bytes() + " bytes, backprop "
                + bp.bytes());
        assertTrue(checkpointFirst.bytes() < bp.bytes(), "measured before backprop too: recomputation "
                + checkpointFirst.bytes() + " bytes, backprop " + bp.bytes());
    }
}

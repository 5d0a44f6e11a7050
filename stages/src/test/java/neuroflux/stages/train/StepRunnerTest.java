package neuroflux.stages.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.runtime.OrtSession;
import neuroflux.onnx.runtime.RuntimeOptions;
import neuroflux.stages.compile.CompiledStep;
import neuroflux.stages.compile.LossAttachment;
import neuroflux.stages.compile.Optimizer;
import neuroflux.stages.compile.StepCompiler;
import neuroflux.stages.compile.StepNames;
import neuroflux.stages.compile.StepSpec;
import neuroflux.stages.compile.TrainableParameters;
import neuroflux.stages.data.Augmentation;
import neuroflux.stages.data.Dataset;
import org.junit.jupiter.api.Test;

class StepRunnerTest {
    private static final int BATCH = 8;

    private static CompiledStep compile(Graph g, Optimizer o) {
        return StepCompiler.compile(new StepSpec(g, List.of(new LossAttachment("logits", "labels")),
                TrainableParameters.of(g), Set.of(), o));
    }

    private static float[] images(Dataset d, int from) {
        float[] x = new float[BATCH * d.sampleSize()];
        for (int i = 0; i < BATCH; i++) d.copySample(from + i, x, i * d.sampleSize());
        return x;
    }

    private static long[] labels(Dataset d, int from) {
        long[] y = new long[BATCH];
        for (int i = 0; i < BATCH; i++) y[i] = d.label(from + i);
        return y;
    }

    /** The gradients at given parameter values, from a gradients-only step (its rules are checked elsewhere). */
    private static Map<String, double[]> gradients(CompiledStep gradStep, Map<String, double[]> params,
                                                   Dataset d, int from) {
        Map<String, Tensor> feeds = new LinkedHashMap<>(gradStep.initial());
        params.forEach((k, v) -> {
            float[] f = new float[v.length];
            for (int i = 0; i < f.length; i++) f[i] = (float) v[i];
            feeds.put(k, Tensor.ofFloats(gradStep.initial().get(k).shape(), f));
        });
        feeds.put("input", Tensor.ofFloats(new long[] {BATCH, 2, 8, 8}, images(d, from)));
        feeds.put("labels", Tensor.ofLongs(new long[] {BATCH}, labels(d, from)));
        try (OrtSession s = OrtSession.open(gradStep.graph(), RuntimeOptions.cpu(1))) {
            Map<String, Tensor> out = s.run(feeds);
            Map<String, double[]> g = new HashMap<>();
            for (String p : gradStep.parameters()) g.put(p, out.get(StepNames.grad(p)).doubles());
            return g;
        }
    }

    private static void assertClose(double[] expected, float[] actual, String what) {
        double worst = 0;
        double scale = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
            scale = Math.max(scale, Math.abs(expected[i]));
        }
        assertTrue(worst <= 1e-5 * Math.max(1, scale), what + ": differs by " + worst);
    }

    @Test
    void sgdWithNesterovMomentumAndWeightDecayFollowsPyTorch() {
        Graph g = TinyModels.convNet(BATCH, 2, 4, 1);
        Dataset d = TinyModels.quadrants(32, 2, 2);
        CompiledStep gradStep = compile(g, new Optimizer.GradientsOnly());
        double wd = 0.01;
        double[] lrs = {0.1, 0.05, 0.08};
        double[] moms = {0.9, 0.85, 0.95};
        Map<String, double[]> p = new HashMap<>();
        Map<String, double[]> buf = new HashMap<>();
        for (String name : gradStep.parameters()) {
            p.put(name, g.initializers().get(name).doubles());
            buf.put(name, new double[p.get(name).length]);
        }
        try (StepRunner runner = new StepRunner(compile(g, new Optimizer.Sgd(0.9, true, wd)), RuntimeOptions.cpu(1))) {
            for (int k = 0; k < 3; k++) {
                Map<String, double[]> grad = gradients(gradStep, p, d, k * BATCH);
                for (String name : gradStep.parameters()) {
                    double[] w = p.get(name);
                    double[] b = buf.get(name);
                    double[] gr = grad.get(name);
                    for (int i = 0; i < w.length; i++) {
                        double dp = gr[i] + wd * w[i];
                        b[i] = moms[k] * b[i] + dp;
                        w[i] -= lrs[k] * (dp + moms[k] * b[i]);
                    }
                }
                runner.run(images(d, k * BATCH), labels(d, k * BATCH), lrs[k], moms[k]);
            }
            Map<String, Tensor> state = runner.state();
            for (String name : gradStep.parameters()) {
                assertClose(p.get(name), state.get(name).floats(), name);
                assertClose(buf.get(name), state.get(StepNames.state(name, StepNames.MOMENTUM_BUFFER)).floats(),
                        name + " momentum buffer");
            }
        }
    }

    @Test
    void adamWFollowsPyTorch() {
        Graph g = TinyModels.convNet(BATCH, 2, 4, 3);
        Dataset d = TinyModels.quadrants(32, 2, 4);
        CompiledStep gradStep = compile(g, new Optimizer.GradientsOnly());
        Optimizer.AdamW adam = new Optimizer.AdamW(0.9, 0.99, 1e-8, 0.05);
        double[] lrs = {1e-2, 3e-3, 5e-3};
        Map<String, double[]> p = new HashMap<>();
        Map<String, double[]> m = new HashMap<>();
        Map<String, double[]> v = new HashMap<>();
        for (String name : gradStep.parameters()) {
            p.put(name, g.initializers().get(name).doubles());
            m.put(name, new double[p.get(name).length]);
            v.put(name, new double[p.get(name).length]);
        }
        try (StepRunner runner = new StepRunner(compile(g, adam), RuntimeOptions.cpu(1))) {
            for (int k = 0; k < 3; k++) {
                Map<String, double[]> grad = gradients(gradStep, p, d, k * BATCH);
                int t = k + 1;
                for (String name : gradStep.parameters()) {
                    double[] w = p.get(name);
                    double[] gr = grad.get(name);
                    for (int i = 0; i < w.length; i++) {
                        w[i] *= 1 - lrs[k] * adam.weightDecay();
                        m.get(name)[i] = adam.beta1() * m.get(name)[i] + (1 - adam.beta1()) * gr[i];
                        v.get(name)[i] = adam.beta2() * v.get(name)[i] + (1 - adam.beta2()) * gr[i] * gr[i];
                        double c1 = 1 - Math.pow(adam.beta1(), t);
                        double c2 = 1 - Math.pow(adam.beta2(), t);
                        double denom = Math.sqrt(v.get(name)[i]) / Math.sqrt(c2) + adam.eps();
                        w[i] -= lrs[k] / c1 * m.get(name)[i] / denom;
                    }
                }
                runner.run(images(d, k * BATCH), labels(d, k * BATCH), lrs[k], adam.beta1());
            }
            Map<String, Tensor> state = runner.state();
            for (String name : gradStep.parameters()) {
                // A bias that feeds batch normalisation has a gradient of exactly zero, computed as rounding noise;
                // Adam scales noise up to a full step of either sign, so its value cannot be compared.
                if (name.equals("conv.bias")) continue;
                assertClose(p.get(name), state.get(name).floats(), name);
                assertClose(m.get(name), state.get(StepNames.state(name, StepNames.EXP_AVG)).floats(), name + " m");
            }
        }
    }

    @Test
    void batchNormRunningStatisticsFollowPyTorch() {
        Graph g = TinyModels.convNet(BATCH, 2, 4, 5);
        Dataset d = TinyModels.quadrants(16, 2, 6);
        CompiledStep step = compile(g, Optimizer.Sgd.reference());
        assertEquals(List.of("bn.running_mean", "bn.running_var"), step.runningStats());
        // the batch statistics of the convolution output, from a graph that exposes it
        Graph probe = g.copy();
        probe.outputs().clear();
        probe.outputs().add(new neuroflux.onnx.ValueInfo("c", neuroflux.onnx.DataType.FLOAT, null));
        float[] c;
        try (OrtSession s = OrtSession.open(probe, RuntimeOptions.cpu(1))) {
            c = s.run(Map.of("input", Tensor.ofFloats(new long[] {BATCH, 2, 8, 8}, images(d, 0)))).get("c").floats();
        }
        try (StepRunner runner = new StepRunner(step, RuntimeOptions.cpu(1))) {
            runner.run(images(d, 0), labels(d, 0), 0.1, 0.9);
            float[] mean = runner.state().get("bn.running_mean").floats();
            float[] var = runner.state().get("bn.running_var").floats();
            int perChannel = BATCH * 64;
            for (int ch = 0; ch < 8; ch++) {
                double sum = 0;
                for (int n = 0; n < BATCH; n++) for (int i = 0; i < 64; i++) sum += c[(n * 8 + ch) * 64 + i];
                double mu = sum / perChannel;
                double sq = 0;
                for (int n = 0; n < BATCH; n++) {
                    for (int i = 0; i < 64; i++) sq += Math.pow(c[(n * 8 + ch) * 64 + i] - mu, 2);
                }
                double unbiased = sq / (perChannel - 1);
                // PyTorch: momentum 0.1 (ONNX 0.9), running_mean 0 and running_var 1 before the step
                assertEquals(0.1 * mu, mean[ch], 1e-5, "running mean of channel " + ch);
                assertEquals(0.9 + 0.1 * unbiased, var[ch], 1e-5, "running var of channel " + ch);
            }
        }
    }

    @Test
    void trainingOnATinyProblemLowersTheLossAndLearnsIt() {
        Graph g = TinyModels.convNet(BATCH, 1, 4, 7);
        Dataset train = TinyModels.quadrants(256, 1, 8);
        Dataset test = TinyModels.quadrants(64, 1, 9);
        CompiledStep step = compile(g, Optimizer.Sgd.reference());
        List<Trainer.EpochReport> reports = new java.util.ArrayList<>();
        double accuracy;
        try (StepRunner runner = new StepRunner(step, RuntimeOptions.cpu(1));
             Evaluator eval = new Evaluator(g, "input", "logits", step.parameters(), RuntimeOptions.cpu(1))) {
            double before = eval.accuracy(test, 16, runner);
            Trainer trainer = new Trainer(runner, OneCycleSchedule.pytorch(0.1, Trainer.steps(train, BATCH, 4), 0.15),
                    0.9);
            trainer.train(train, 4, 11, Augmentation.NONE, reports::add);
            accuracy = eval.accuracy(test, 16, runner);
            assertTrue(accuracy > Math.max(0.8, before), "accuracy " + before + " -> " + accuracy);
        }
        assertEquals(4, reports.size());
        assertTrue(reports.get(3).meanLoss() < 0.5 * reports.get(0).meanLoss(), reports.toString());
    }

    @Test
    void evaluationUsesTheTrainedRunningStatistics() {
        Graph g = TinyModels.convNet(BATCH, 1, 4, 12);
        Dataset train = TinyModels.quadrants(64, 1, 13);
        CompiledStep step = compile(g, Optimizer.Sgd.reference());
        List<String> state = new java.util.ArrayList<>(step.parameters());
        state.addAll(step.runningStats());
        try (StepRunner runner = new StepRunner(step, RuntimeOptions.cpu(1));
             Evaluator eval = new Evaluator(g, "input", "logits", state, RuntimeOptions.cpu(1))) {
            new Trainer(runner, LearningRateSchedule.constant(0.05), 0.9).train(train, 2, 1, Augmentation.NONE,
                    r -> { });
            Graph exported = neuroflux.stages.compile.InferenceCompiler.withValues(g, runner.modelValues());
            // the exported model and the evaluator agree on every sample's prediction
            double fromEvaluator = eval.accuracy(train, 64, runner);
            double fromExport;
            try (OrtSession s = OrtSession.open(exported, RuntimeOptions.cpu(1))) {
                long correct = 0;
                for (int from = 0; from < 64; from += BATCH) {
                    float[] logits = s.run(Map.of("input", Tensor.ofFloats(new long[] {BATCH, 1, 8, 8},
                            images(train, from)))).get("logits").floats();
                    for (int i = 0; i < BATCH; i++) {
                        int best = 0;
                        for (int k = 1; k < 4; k++) if (logits[i * 4 + k] > logits[i * 4 + best]) best = k;
                        if (best == train.label(from + i)) correct++;
                    }
                }
                fromExport = correct / 64.0;
            }
            assertEquals(fromEvaluator, fromExport, 1e-9);
            float[] rv = runner.state().get("bn.running_var").floats();
            assertTrue(rv[0] != 1f, "the running variance moved");
        }
    }

    @Test
    void aLossThatIsNotFiniteStopsTrainingAsDivergence() {
        Graph g = TinyModels.convNet(BATCH, 1, 4, 14);
        Dataset train = TinyModels.quadrants(32, 1, 15);
        try (StepRunner runner = new StepRunner(compile(g, Optimizer.Sgd.reference()), RuntimeOptions.cpu(1))) {
            TrainingDivergedException e = org.junit.jupiter.api.Assertions.assertThrows(
                    TrainingDivergedException.class, () -> new Trainer(runner, LearningRateSchedule.constant(1e30),
                            0.9).train(train, 3, 1, Augmentation.NONE, r -> { }));
            assertEquals(4, e.exitStatus());
            assertTrue(e.getMessage().contains("diverged"), e.getMessage());
        }
    }
}

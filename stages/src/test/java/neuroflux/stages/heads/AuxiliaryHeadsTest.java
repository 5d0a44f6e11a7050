package neuroflux.stages.heads;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import neuroflux.onnx.DataType;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.runtime.OrtSession;
import neuroflux.onnx.runtime.RuntimeOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AuxiliaryHeadsTest {
    private static Graph unitGraph(long batch, long c, long h, long w) {
        Graph g = new Graph("unit");
        ValueInfo x = new ValueInfo("x", DataType.FLOAT, new long[] {batch, c, h, w});
        g.inputs().add(x);
        g.valueInfo().put("x", x);
        return g;
    }

    private static Tensor randomInput(long n, long c, long h, long w, long seed) {
        Random r = new Random(seed);
        float[] v = new float[(int) (n * c * h * w)];
        for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian();
        return Tensor.ofFloats(new long[] {n, c, h, w}, v);
    }

    @ParameterizedTest
    @CsvSource({"8, 32, 32", "16, 7, 7", "32, 2, 2", "8, 1, 5", "4, 1, 1"})
    void theHeadRunsInOnnxRuntimeAndGivesOneRowOfLogitsPerSample(long c, long h, long w) {
        Graph g = unitGraph(-1, c, h, w);
        Head head = new AuxiliaryHeads(HeadWidthRule.adaptive(), 1)
                .append(g, "head0", "x", new long[] {-1, c, h, w}, 10, new UnitCost(3 * c * h * w * 4, 9 * c * c * h * w));
        g.outputs().add(g.info(head.logits()));
        try (OrtSession s = OrtSession.open(g, RuntimeOptions.cpu(1))) {
            Tensor logits = s.run(Map.of("x", randomInput(3, c, h, w, 5))).get(head.logits());
            assertArrayEquals(new long[] {3, 10}, logits.shape());
            for (float v : logits.floats()) assertTrue(Float.isFinite(v));
        }
        assertArrayEquals(new long[] {-1, 10}, g.shapeOf(head.logits()), "shapes are declared for later stages");
    }

    @Test
    void poolingAveragesOnlyRealCellsOnOddMaps() {
        Graph g = unitGraph(2, 4, 7, 7);
        Head head = new AuxiliaryHeads(new HeadWidthRule.Fixed(8), 3).append(g, "h", "x", new long[] {2, 4, 7, 7},
                5, new UnitCost(0, 0));
        g.outputs().add(g.info("h.relu"));
        g.outputs().add(g.info("h.pool"));
        try (OrtSession s = OrtSession.open(g, RuntimeOptions.cpu(1))) {
            Map<String, Tensor> out = s.run(Map.of("x", randomInput(2, 4, 7, 7, 9)));
            float[] relu = out.get("h.relu").floats();
            float[] pool = out.get("h.pool").floats();
            assertArrayEquals(new long[] {2, 8, 2, 2}, out.get("h.pool").shape());
            // windows rows/columns 0..3 and 4..6 (the fourth, padded, cell is not counted)
            int[][] windows = {{0, 4}, {4, 7}};
            for (int plane = 0; plane < 2 * 8; plane++) {
                for (int gy = 0; gy < 2; gy++) {
                    for (int gx = 0; gx < 2; gx++) {
                        double sum = 0;
                        int count = 0;
                        for (int y = windows[gy][0]; y < windows[gy][1]; y++) {
                            for (int x = windows[gx][0]; x < windows[gx][1]; x++) {
                                sum += relu[plane * 49 + y * 7 + x];
                                count++;
                            }
                        }
                        assertEquals(sum / count, pool[plane * 4 + gy * 2 + gx], 1e-5);
                    }
                }
            }
        }
        assertEquals(8, head.filters());
    }

    @Test
    void reportsItsParametersAndNamesThemAfterItself() {
        Graph g = unitGraph(2, 16, 8, 8);
        Head head = new AuxiliaryHeads(new HeadWidthRule.Fixed(24), 1).append(g, "unit3.head", "x",
                new long[] {2, 16, 8, 8}, 10, new UnitCost(0, 0));
        // conv 24*16*9, bn scale+bias 2*24, classifier 10*(24*2*2) + 10
        assertEquals(24 * 16 * 9 + 2 * 24 + 10 * 96 + 10, head.parameterCount());
        long counted = head.parameterNames().stream().mapToLong(p -> g.initializers().get(p).size()).sum();
        assertEquals(head.parameterCount(), counted);
        for (String name : g.initializers().keySet()) assertTrue(name.startsWith("unit3.head."), name);
        assertEquals(List.of("unit3.head.bn.running_mean", "unit3.head.bn.running_var"),
                head.runningStatisticNames());
        assertEquals(24 * (3 * 64 + 4) * 4, head.activationBytesPerSample());
        // its 3x3 convolution on 16x8x8 and its classifier on 24x2x2 features
        assertEquals(24L * 16 * 9 * 64 + 96 * 10, head.multiplyAddsPerSample());
    }

    @Test
    void parametersAreSeededAndHeInitialised() {
        float[] a = convWeights(11, "a");
        float[] again = convWeights(11, "a");
        float[] other = convWeights(11, "b");
        assertArrayEquals(a, again);
        assertNotEquals(a[0], other[0]);
        double sumSquares = 0;
        for (float v : a) sumSquares += v * v;
        double std = Math.sqrt(sumSquares / a.length);
        double he = Math.sqrt(2.0 / (64 * 9));
        assertEquals(he, std, 0.03 * he, "He normal: std sqrt(2 / fan_in)");
    }

    private static float[] convWeights(long seed, String name) {
        Graph g = unitGraph(1, 64, 4, 4);
        new AuxiliaryHeads(new HeadWidthRule.Fixed(64), seed).append(g, name, "x", new long[] {1, 64, 4, 4}, 10, new UnitCost(0, 0));
        return g.initializers().get(name + ".conv.weight").floats();
    }
}

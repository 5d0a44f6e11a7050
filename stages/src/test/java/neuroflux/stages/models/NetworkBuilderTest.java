package neuroflux.stages.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import neuroflux.onnx.BadInputException;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Node;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.runtime.OrtSession;
import neuroflux.onnx.runtime.RuntimeOptions;
import org.junit.jupiter.api.Test;

class NetworkBuilderTest {
    @Test
    void convComputesOutputShapeAndNamesLikeTheExporter() {
        NetworkBuilder b = new NetworkBuilder("t", new long[] {3, 9, 8}, 1);
        Activation y = b.conv("layer1.0.conv1", b.input(), 16, 3, 2);
        assertArrayEquals(new long[] {16, 5, 4}, y.shape());
        Activation z = b.conv("features.0", y, 16, 3, 1, 1, 16, true);
        assertArrayEquals(new long[] {16, 5, 4}, z.shape());
        Graph g = b.finish(b.linear("fc", b.flatten("", b.globalAvgPool("", z)), 4));

        Node conv = g.nodes().get(0);
        assertEquals("/layer1/layer1.0/layer1.0.conv1/Conv", conv.name());
        assertEquals(List.of("input", "layer1.0.conv1.weight"), conv.inputs());
        assertArrayEquals(new long[] {2, 2}, conv.intsAttr("strides", null));
        assertArrayEquals(new long[] {1, 1, 1, 1}, conv.intsAttr("pads", null));
        assertArrayEquals(new long[] {16, 3, 3, 3}, g.shapeOf("layer1.0.conv1.weight"));

        Node depthwise = g.nodes().get(1);
        assertEquals(16, depthwise.intAttr("group", 1));
        assertArrayEquals(new long[] {16, 1, 3, 3}, g.shapeOf("features.0.weight"));
        assertEquals(List.of(y.name(), "features.0.weight", "features.0.bias"), depthwise.inputs());
        assertArrayEquals(new float[16], g.initializers().get("features.0.bias").floats());
    }

    @Test
    void inputAndLogitsHaveASymbolicBatch() {
        NetworkBuilder b = new NetworkBuilder("t", new long[] {2, 4, 4}, 1);
        Graph g = b.finish(b.linear("fc", b.flatten("", b.input()), 3));
        assertEquals("input", g.inputs().get(0).name());
        assertArrayEquals(new long[] {-1, 2, 4, 4}, g.inputs().get(0).shape());
        assertEquals("logits", g.outputs().get(0).name());
        assertArrayEquals(new long[] {-1, 3}, g.outputs().get(0).shape());
        assertEquals("logits", g.nodes().getLast().output(0));
    }

    @Test
    void batchNormStartsAsPyTorchsAndEveryParameterIsItsOwnInitializer() {
        NetworkBuilder b = new NetworkBuilder("t", new long[] {3, 4, 4}, 1);
        Activation x = b.batchNorm("bn1", b.conv("conv1", b.input(), 8, 3, 1));
        x = b.batchNorm("bn2", b.conv("conv2", x, 8, 3, 1));
        Graph g = b.finish(b.linear("fc", b.flatten("", b.globalAvgPool("", x)), 2));

        Node bn = g.nodes().stream().filter(n -> n.opType().equals("BatchNormalization")).findFirst().orElseThrow();
        assertEquals(List.of("bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var"),
                bn.inputs().subList(1, 5));
        assertEquals(1e-5f, bn.floatAttr("epsilon", 0));
        assertEquals(0.9f, bn.floatAttr("momentum", 0));
        for (String p : List.of("bn1", "bn2")) {
            assertAll(g.initializers().get(p + ".weight"), 1f);
            assertAll(g.initializers().get(p + ".bias"), 0f);
            assertAll(g.initializers().get(p + ".running_mean"), 0f);
            assertAll(g.initializers().get(p + ".running_var"), 1f);
        }
        // equal values (all the BN scales are ones) must still be separate tensors read by one node each
        Map<String, List<Node>> readers = g.consumers();
        for (String name : g.initializers().keySet()) assertEquals(1, readers.get(name).size(), name);
    }

    @Test
    void convWeightsAreKaimingNormalWithFanOut() {
        NetworkBuilder b = new NetworkBuilder("t", new long[] {128, 3, 3}, 7);
        Activation x = b.conv("wide", b.input(), 256, 3, 1);
        Activation d = b.conv("depthwise", x, 256, 3, 1, 1, 256, false);
        Graph g = b.finish(b.linear("fc", b.flatten("", b.globalAvgPool("", d)), 2));

        // fan_out = out channels × kernel area, whatever the groups (PyTorch's _calculate_fan_in_and_fan_out)
        assertStd(g.initializers().get("wide.weight").floats(), Math.sqrt(2.0 / (256 * 9)), 0.02);
        assertStd(g.initializers().get("depthwise.weight").floats(), Math.sqrt(2.0 / (256 * 9)), 0.06);
    }

    @Test
    void linearLayersUsePyTorchsDefaultUniformInit() {
        NetworkBuilder b = new NetworkBuilder("t", new long[] {400, 1, 1}, 3);
        Graph g = b.finish(b.linear("fc", b.flatten("", b.input()), 300));
        double bound = 1 / Math.sqrt(400);
        float[] w = g.initializers().get("fc.weight").floats();
        for (float v : w) assertTrue(Math.abs(v) <= bound, "weight " + v + " beyond " + bound);
        assertStd(w, bound / Math.sqrt(3), 0.02);
        float[] bias = g.initializers().get("fc.bias").floats();
        for (float v : bias) assertTrue(Math.abs(v) <= bound, "bias " + v + " beyond " + bound);
        assertNotEquals(0f, bias[0]);
    }

    @Test
    void runsInOnnxRuntimeComputingWhatTheLayersMean() {
        // relu6 -> global average -> linear, checked against the same sums done here
        NetworkBuilder b = new NetworkBuilder("t", new long[] {2, 1, 2}, 5);
        Activation x = b.relu6("act", b.input());
        Graph g = b.finish(b.linear("fc", b.flatten("", b.globalAvgPool("", x)), 3));
        float[] in = {-3f, 9f, 2f, 4f};
        double[] pooled = {(0 + 6) / 2.0, (2 + 4) / 2.0};
        float[] w = g.initializers().get("fc.weight").floats();
        float[] bias = g.initializers().get("fc.bias").floats();
        try (OrtSession s = OrtSession.open(g, RuntimeOptions.cpu(1))) {
            Tensor out = s.run(Map.of("input", Tensor.ofFloats(new long[] {1, 2, 1, 2}, in))).get("logits");
            assertArrayEquals(new long[] {1, 3}, out.shape());
            for (int k = 0; k < 3; k++) {
                double expected = bias[k] + w[k * 2] * pooled[0] + w[k * 2 + 1] * pooled[1];
                assertEquals(expected, out.floats()[k], 1e-5);
            }
        }
    }

    @Test
    void repeatedOperatorsInOneModuleGetNumberedNodes() {
        NetworkBuilder b = new NetworkBuilder("t", new long[] {1, 2, 2}, 1);
        Activation x = b.relu("block.relu", b.relu("block.relu", b.input()));
        Graph g = b.finish(b.linear("fc", b.flatten("", x), 2));
        assertEquals("/block/block.relu/Relu", g.nodes().get(0).name());
        assertEquals("/block/block.relu/Relu_1", g.nodes().get(1).name());
        assertEquals("/Flatten", g.nodes().get(2).name());
    }

    @Test
    void aWindowLargerThanTheFeatureMapIsBadInput() {
        NetworkBuilder b = new NetworkBuilder("t", new long[] {1, 1, 1}, 1);
        assertThrows(BadInputException.class, () -> b.maxPool("pool", b.input(), 2, 2));
    }

    @Test
    void aParameterNameUsedTwiceIsABug() {
        NetworkBuilder b = new NetworkBuilder("t", new long[] {1, 4, 4}, 1);
        Activation x = b.conv("c", b.input(), 2, 3, 1);
        assertThrows(IllegalStateException.class, () -> b.conv("c", x, 2, 3, 1));
    }

    private static void assertAll(Tensor t, float value) {
        for (float v : t.floats()) assertEquals(value, v);
    }

    static void assertStd(float[] values, double expected, double relativeTolerance) {
        double sum = 0;
        double squares = 0;
        for (float v : values) {
            sum += v;
            squares += (double) v * v;
        }
        double mean = sum / values.length;
        double std = Math.sqrt(squares / values.length - mean * mean);
        assertEquals(expected, std, expected * relativeTolerance, "sample std");
        assertEquals(0, mean, 5 * expected / Math.sqrt(values.length), "sample mean");
    }
}

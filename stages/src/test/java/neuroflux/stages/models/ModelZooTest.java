package neuroflux.stages.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import neuroflux.onnx.BadInputException;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Node;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.runtime.OrtSession;
import neuroflux.onnx.runtime.RuntimeOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ModelZooTest {
    /**
     * sum(p.numel() for p in model.parameters()) in PyTorch 2 for the same architectures written as torchvision
     * writes them (VGG with conv bias and BN, CIFAR ResNet with BasicBlocks, MobileNetV2 with _make_divisible),
     * 10 classes, for 1 and 3 input channels. MobileNetV2 at width 0.25 with 3 channels is also the parameter
     * count of the torchvision-exported fixture mobilenetv2-w025-cifar (250,922).
     */
    static Stream<Arguments> models() {
        return Stream.of(
                Arguments.of("vgg11", 1L, 9_229_962L), Arguments.of("vgg11", 3L, 9_231_114L),
                Arguments.of("vgg16", 1L, 14_727_114L), Arguments.of("vgg16", 3L, 14_728_266L),
                Arguments.of("vgg19", 1L, 20_039_370L), Arguments.of("vgg19", 3L, 20_040_522L),
                Arguments.of("resnet18", 1L, 11_172_810L), Arguments.of("resnet18", 3L, 11_173_962L),
                Arguments.of("resnet34", 1L, 21_280_970L), Arguments.of("resnet34", 3L, 21_282_122L),
                Arguments.of("mobilenet_v2", 1L, 2_236_106L), Arguments.of("mobilenet_v2", 3L, 2_236_682L),
                Arguments.of("mobilenet_v2:0.5", 1L, 700_202L), Arguments.of("mobilenet_v2:0.25", 3L, 250_922L));
    }

    @ParameterizedTest(name = "{0} with {1} channels")
    @MethodSource("models")
    void buildsRunsWithAnyBatchAndHasPyTorchsParameterCount(String name, long channels, long pytorchParameters) {
        long side = channels == 1 ? 28 : 32;
        Graph g = ModelZoo.build(name, new long[] {channels, side, side}, 10, 1);

        assertEquals(pytorchParameters, TrainableParameters.count(g));
        assertEveryInitializerIsReadOnce(g);
        assertEquals(List.of("input"), g.inputNames());
        assertEquals(List.of("logits"), g.outputNames());
        try (OrtSession s = OrtSession.open(g, RuntimeOptions.cpu(2))) {
            for (int batch : new int[] {2, 3}) {
                Tensor logits = s.run(Map.of("input", randomInput(batch, channels, side))).get("logits");
                assertArrayEquals(new long[] {batch, 10}, logits.shape());
                for (float v : logits.floats()) assertTrue(Float.isFinite(v), name + " gave " + v);
            }
        }
    }

    @Test
    void vggSkipsThePoolsASmallInputHasNoRoomFor() {
        assertEquals(4, count(ModelZoo.build("vgg11", new long[] {1, 28, 28}, 10, 0), "MaxPool"));
        assertEquals(5, count(ModelZoo.build("vgg11", new long[] {3, 32, 32}, 10, 0), "MaxPool"));
        Graph g = ModelZoo.build("vgg16", new long[] {3, 32, 32}, 10, 0);
        assertEquals(13, count(g, "Conv"));
        assertTrue(g.isInitializer("features.0.bias"), "VGG convs have biases as torchvision's");
        assertTrue(g.isInitializer("classifier.weight"));
    }

    @Test
    void resnetHasTorchvisionsBlocksAndShortcuts() {
        Graph g = ModelZoo.build("resnet18", new long[] {3, 32, 32}, 10, 0);
        assertEquals(8, count(g, "Add"));
        assertEquals(0, count(g, "MaxPool"));
        assertEquals(20, count(g, "Conv"));
        // projections where width or stride changes: the first block of layers 2 to 4 only
        assertFalse(g.isInitializer("layer1.0.downsample.0.weight"));
        assertArrayEquals(new long[] {128, 64, 1, 1}, g.shapeOf("layer2.0.downsample.0.weight"));
        assertArrayEquals(new long[] {64, 3, 3, 3}, g.shapeOf("conv1.weight"));
        assertArrayEquals(new long[] {10, 512}, g.shapeOf("fc.weight"));
        assertEquals(36, count(ModelZoo.build("resnet34", new long[] {3, 32, 32}, 10, 0), "Conv"));
    }

    @Test
    void mobilenetHasDepthwiseConvsReluSixAndResiduals() {
        Graph g = ModelZoo.build("mobilenet_v2", new long[] {3, 32, 32}, 10, 0);
        // blocks with stride 1 and equal widths: 1 + 2 + 3 + 2 + 2 over the stages of 24, 32, 64, 96, 160
        assertEquals(10, count(g, "Add"));
        assertEquals(count(g, "BatchNormalization") - 17, count(g, "Clip"));
        Node depthwise = g.consumers().get("features.2.conv.1.0.weight").get(0);
        assertEquals(96, depthwise.intAttr("group", 1));
        assertArrayEquals(new long[] {96, 1, 3, 3}, g.shapeOf("features.2.conv.1.0.weight"));
        assertArrayEquals(new long[] {1280, 320, 1, 1}, g.shapeOf("features.18.0.weight"));
        assertArrayEquals(new long[] {10, 1280}, g.shapeOf("classifier.1.weight"));
        Node clip = g.nodes().stream().filter(n -> n.opType().equals("Clip")).findFirst().orElseThrow();
        assertEquals(3, clip.inputs().size());

        Graph half = ModelZoo.build("mobilenet_v2:0.5", new long[] {3, 32, 32}, 10, 0);
        assertArrayEquals(new long[] {16, 3, 3, 3}, half.shapeOf("features.0.0.weight"));
        assertArrayEquals(new long[] {1280, 160, 1, 1}, half.shapeOf("features.18.0.weight"));
    }

    @Test
    void convWeightsOfABuiltNetworkHaveKaimingVariance() {
        Graph g = ModelZoo.build("resnet18", new long[] {3, 32, 32}, 10, 11);
        NetworkBuilderTest.assertStd(g.initializers().get("layer4.1.conv2.weight").floats(),
                Math.sqrt(2.0 / (512 * 9)), 0.02);
    }

    @Test
    void theSeedFixesTheWeights() {
        long[] chw = {3, 32, 32};
        Graph a = ModelZoo.build("mobilenet_v2:0.25", chw, 10, 42);
        Graph same = ModelZoo.build("mobilenet_v2:0.25", chw, 10, 42);
        Graph other = ModelZoo.build("mobilenet_v2:0.25", chw, 10, 43);
        assertEquals(a.initializers().keySet(), same.initializers().keySet());
        for (String name : a.initializers().keySet()) {
            assertArrayEquals(a.initializers().get(name).floats(), same.initializers().get(name).floats(), name);
        }
        assertFalse(Arrays.equals(a.initializers().get("features.0.0.weight").floats(),
                other.initializers().get("features.0.0.weight").floats()));
        assertFalse(Arrays.equals(a.initializers().get("classifier.1.weight").floats(),
                other.initializers().get("classifier.1.weight").floats()));
    }

    @Test
    void anUnknownNameIsBadInputListingTheKnownOnes() {
        BadInputException e = assertThrows(BadInputException.class,
                () -> ModelZoo.build("resnet50", new long[] {3, 32, 32}, 10, 0));
        for (String name : ModelZoo.NAMES) assertTrue(e.getMessage().contains(name), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void badWidthsClassesAndInputsAreBadInput() {
        long[] chw = {3, 32, 32};
        for (String name : List.of("mobilenet_v2:", "mobilenet_v2:abc", "mobilenet_v2:0", "mobilenet_v2:-1",
                "mobilenet_v2:NaN", "mobilenet_v2:100")) {
            assertThrows(BadInputException.class, () -> ModelZoo.build(name, chw, 10, 0), name);
        }
        assertThrows(BadInputException.class, () -> ModelZoo.build("vgg11", chw, 0, 0));
        assertThrows(BadInputException.class, () -> ModelZoo.build("vgg11", new long[] {3, 0, 32}, 10, 0));
        assertThrows(BadInputException.class, () -> ModelZoo.build("vgg11", new long[] {32, 32}, 10, 0));
    }

    private static void assertEveryInitializerIsReadOnce(Graph g) {
        Map<String, List<Node>> readers = g.consumers();
        for (String name : g.initializers().keySet()) {
            List<Node> r = readers.get(name);
            assertEquals(1, r == null ? 0 : r.size(), "initializer " + name + " read by " + r);
        }
    }

    private static long count(Graph g, String opType) {
        return g.nodes().stream().filter(n -> n.opType().equals(opType)).count();
    }

    private static Tensor randomInput(int batch, long channels, long side) {
        Random r = new Random(batch);
        float[] v = new float[Math.toIntExact(batch * channels * side * side)];
        for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian();
        return Tensor.ofFloats(new long[] {batch, channels, side, side}, v);
    }
}

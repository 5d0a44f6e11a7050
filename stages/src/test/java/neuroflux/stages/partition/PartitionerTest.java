package neuroflux.stages.partition;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import neuroflux.onnx.BadInputException;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Node;
import neuroflux.onnx.OnnxModels;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.TensorCodec;
import neuroflux.onnx.runtime.OrtSession;
import neuroflux.onnx.runtime.RuntimeOptions;
import neuroflux.stages.importer.ImportedModel;
import neuroflux.stages.importer.ModelImporter;
import neuroflux.stages.models.TrainableParameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

class PartitionerTest {
    static final List<String> FIXTURES = FixtureModels.NAMES;

    private static Graph fixture(String name) {
        return OnnxModels.read(FixtureModels.dir(name).resolve("model.onnx"));
    }

    private static List<String> hints(Partition p) {
        return p.units().stream().map(Unit::hint).toList();
    }

    @Test
    void vggHasOneUnitPerConvGroup() {
        Partition p = Partitioner.partition(fixture("vgg-small-fmnist"));
        assertEquals(List.of("0-3", "4-7", "8-10", "11-14", "15-17", "18-21", "22-24", "25-27"), hints(p));
        for (Unit u : p.units()) {
            assertEquals("Conv", u.operators().getFirst(), u.name());
            assertEquals(1, Collections.frequency(u.operators(), "Conv"), u.name() + ": " + u.operators());
        }
        assertEquals(List.of("GlobalAveragePool", "Flatten", "Gemm"), p.classifier().operators());
    }

    @Test
    void resnetHasTheStemAndOneUnitPerResidualBlock() {
        Partition p = Partitioner.partition(fixture("resnet8-cifar"));
        assertEquals(List.of("stem.0-2", "layers.0", "layers.1", "layers.2"), hints(p));
        assertEquals(List.of("Conv", "BatchNormalization", "Relu"), p.unit(0).operators());
        for (Unit block : p.units().subList(1, 4)) {
            assertEquals(1, Collections.frequency(block.operators(), "Add"), block.name());
            assertEquals("Relu", block.operators().getLast(), "the activation after the Add joins its block");
        }
        assertEquals(List.of("GlobalAveragePool", "Flatten", "Gemm"), p.classifier().operators());
    }

    @Test
    void mobilenetHasTheStemEachInvertedResidualBlockAndTheLastConv() {
        Partition p = Partitioner.partition(fixture("mobilenetv2-w025-cifar"));
        List<String> expected = IntStream.rangeClosed(0, 18).mapToObj(i -> "features." + i).toList();
        assertEquals(expected, hints(p));
        // blocks without a skip connection keep expansion, depthwise and projection together
        for (int i : new int[] {2, 4, 7, 11, 14, 17}) {
            assertEquals(3, Collections.frequency(p.unit(i).operators(), "Conv"), p.unit(i).hint());
        }
        assertEquals(List.of("GlobalAveragePool", "Flatten", "Gemm"), p.classifier().operators());
    }

    @ParameterizedTest
    @FieldSource("FIXTURES")
    void unitsAreSelfContainedAndCoverTheModelOnce(String fixture) {
        Graph g = fixture(fixture);
        Partition p = Partitioner.partition(g);
        String previous = p.inputName();
        for (Unit u : p.units()) {
            assertEquals(previous, u.inputName(), u.name() + " reads the previous unit's output");
            assertSelfContained(u.segment(), g);
            previous = u.outputName();
        }
        assertEquals(previous, p.classifier().inputName());
        assertSelfContained(p.classifier().segment(), g);
        assertEquals(p.outputName(), p.classifier().outputName());

        Map<Node, Integer> seen = new IdentityHashMap<>();
        for (Unit u : p.units()) for (Node n : u.nodes()) seen.merge(n, 1, Integer::sum);
        for (Node n : p.classifier().nodes()) seen.merge(n, 1, Integer::sum);
        Set<String> computed = new HashSet<>();
        seen.keySet().forEach(n -> computed.addAll(n.outputs()));
        for (Node n : g.nodes()) assertTrue(computed.containsAll(n.outputs()), "node " + n.describe() + " is in no unit");
        seen.forEach((n, count) -> {
            if (!n.opType().equals("Identity") && !n.opType().equals("Constant")) {
                assertEquals(1, count, n.describe() + " is in " + count + " units");
            }
        });
    }

    @ParameterizedTest
    @FieldSource("FIXTURES")
    void theImportedModelCutsTheSameWayAtAnyBatchWithShapesAndEachParameterInOneUnit(String fixture) {
        ImportedModel model = ModelImporter.load(FixtureModels.dir(fixture).resolve("model.onnx"));
        Partition raw = Partitioner.partition(fixture(fixture));
        Partition generic = Partitioner.partition(model.graph());
        Graph atThree = model.atBatch(3);
        Partition batched = Partitioner.partition(atThree);
        assertEquals(hints(raw), hints(generic));
        assertEquals(hints(raw), hints(batched));

        long total = 0;
        for (Unit u : batched.units()) {
            long[] shape = u.outputShape(atThree);
            assertEquals(4, shape.length, u.name());
            assertEquals(3, shape[0], u.name());
            assertEquals(u.outputName(), generic.unit(u.index()).outputName());
            total += u.parameterCount(atThree);
        }
        assertArrayEquals(new long[] {3, model.classes()}, batched.classifier().outputShape(atThree));
        total += batched.classifier().parameterCount(atThree);
        assertEquals(TrainableParameters.count(atThree), total, "every parameter is in exactly one segment");
    }

    /** Every node reads only the segment's input, its initializers and values computed before it inside it. */
    static void assertSelfContained(Segment s, Graph model) {
        Set<String> available = new HashSet<>(s.initializerNames());
        available.add(s.inputName());
        Set<String> read = new HashSet<>();
        for (Node n : s.nodes()) {
            for (String in : n.inputs()) {
                if (in.isEmpty()) continue;
                assertTrue(available.contains(in), n.describe() + " reads '" + in + "' from outside its unit");
                if (model.isInitializer(in)) read.add(in);
            }
            available.addAll(n.outputs());
        }
        assertTrue(available.contains(s.outputName()), "the segment computes its output");
        assertEquals(read, new HashSet<>(s.initializerNames()), "the segment lists exactly the initializers it reads");
    }

    @ParameterizedTest
    @FieldSource("FIXTURES")
    void unitsRunOneAfterAnotherComputeTheModelsReferenceOutput(String fixture) {
        Graph g = fixture(fixture);
        Partition p = Partitioner.partition(g);
        Tensor x = TensorCodec.read(FixtureModels.dir(fixture).resolve("test_data_set_0/input_0.pb"));
        Tensor expected = TensorCodec.read(FixtureModels.dir(fixture).resolve("test_data_set_0/output_0.pb"));
        for (Unit u : p.units()) x = run(u.toGraph(g), x);
        Tensor logits = run(p.classifier().toGraph(g), x);
        float[] a = logits.floats();
        float[] b = expected.floats();
        assertEquals(b.length, a.length);
        for (int i = 0; i < a.length; i++) assertEquals(b[i], a[i], 1e-4, "logit " + i);
    }

    static Tensor run(Graph g, Tensor input) {
        try (OrtSession s = OrtSession.open(g, RuntimeOptions.cpu(1))) {
            return s.run(Map.of(g.inputs().getFirst().name(), input)).values().iterator().next();
        }
    }

    @Test
    void aBranchAcrossTheWholeNetworkLeavesNothingToCut() {
        TestNets net = new TestNets(3, 8);
        String a = net.gemm("/a", net.flatten(net.globalAveragePool(net.convBnRelu("/a", "input", 3, 4, 3, 1))), 4, 2);
        String b = net.gemm("/b", net.flatten(net.globalAveragePool(net.convBnRelu("/b", "input", 3, 4, 3, 1))), 4, 2);
        Graph g = net.output(net.add("/sum", a, b));
        BadInputException e = assertThrows(BadInputException.class, () -> Partitioner.partition(g));
        assertTrue(e.getMessage().contains("no tensor between its input and its output"), e.getMessage());
    }

    @Test
    void aNetworkWithoutFeatureMapsIsRejected() {
        TestNets net = new TestNets(3, 4);
        String h = net.relu("/h", net.gemm("/fc1", net.flatten("input"), 48, 16));
        Graph g = net.output(net.gemm("/fc2", h, 16, 2));
        BadInputException e = assertThrows(BadInputException.class, () -> Partitioner.partition(g));
        assertTrue(e.getMessage().contains("4-D"), e.getMessage());
    }

    @Test
    void aSkipConnectionIsNeverCutWhateverTheNodeOrder() {
        TestNets net = new TestNets(3, 8);
        String stem = net.convBnRelu("/stem", "input", 3, 4, 3, 1);
        String inner = net.bn("/block/bn2", net.conv("/block/conv2", net.convBnRelu("/block/a", stem, 4, 4, 3, 1),
                4, 4, 3), 4);
        String shortcut = net.bn("/block/shortcut/bn", net.conv("/block/shortcut/conv", stem, 4, 4, 1), 4);
        String block = net.relu("/block/out", net.add("/block/add", inner, shortcut));
        Graph g = net.classify(net.convBnRelu("/last", block, 4, 8, 3, 1), 8, 2);
        Partition straight = Partitioner.partition(g);

        Graph shuffled = g.copy();
        Collections.reverse(shuffled.nodes()); // sorting then takes the latest-listed ready node first
        Partition reordered = Partitioner.partition(shuffled);
        Graph sorted = shuffled.copy();
        sorted.sortTopologically();
        assertTrue(!sorted.nodes().stream().map(Node::name).toList()
                .equals(g.nodes().stream().map(Node::name).toList()), "the branches run in another order");

        for (Partition p : List.of(straight, reordered)) {
            assertEquals(List.of("stem", "block", "last"), hints(p));
            assertEquals(stem, p.unit(1).inputName());
            assertTrue(p.unit(1).operators().contains("Add"));
            p.units().forEach(u -> assertSelfContained(u.segment(), g));
        }
    }

    @Test
    void parameterFreeLayersBeforeTheFirstConvolutionJoinTheFirstUnit() {
        TestNets net = new TestNets(3, 8);
        String x = net.relu("/pre", "input");
        Graph g = net.classify(net.convBnRelu("/stem", x, 3, 4, 3, 1), 4, 2);
        Partition p = Partitioner.partition(g);
        assertEquals(1, p.size());
        assertEquals(List.of("Relu", "Conv", "BatchNormalization", "Relu"), p.unit(0).operators());
        assertEquals("input", p.unit(0).inputName());
    }

    @Test
    void depthwiseSeparableBlocksPairTheDepthwiseWithThePointwiseAfterIt() {
        TestNets net = new TestNets(3, 8);
        String x = net.convBnRelu("/stem", "input", 3, 8, 3, 1);
        x = net.convBnRelu("/ds1/dw", x, 8, 8, 3, 8);
        x = net.convBnRelu("/ds1/pw", x, 8, 16, 1, 1);
        x = net.convBnRelu("/ds2/dw", x, 16, 16, 3, 16);
        x = net.convBnRelu("/ds2/pw", x, 16, 32, 1, 1);
        Partition p = Partitioner.partition(net.classify(x, 32, 2));
        assertEquals(List.of("stem", "ds1", "ds2"), hints(p));
    }

    @Test
    void anInvertedBottleneckWithoutSkipIsOneUnitButAPlainWideningConvIsNot() {
        TestNets net = new TestNets(3, 8);
        String x = net.convBnRelu("/stem", "input", 3, 8, 3, 1);
        x = net.convBnRelu("/ir/expand", x, 8, 32, 1, 1);
        x = net.convBnRelu("/ir/dw", x, 32, 32, 3, 32);
        x = net.bn("/ir/project/bn", net.conv("/ir/project/conv", x, 32, 12, 1), 12);
        x = net.convBnRelu("/widen", x, 12, 24, 1, 1);
        x = net.convBnRelu("/same", x, 24, 24, 3, 1);
        Partition p = Partitioner.partition(net.classify(x, 24, 2));
        assertEquals(List.of("stem", "ir", "widen", "same"), hints(p));
    }

    @Test
    void parametersCountWeightsButNotRunningStatistics() {
        TestNets net = new TestNets(3, 8);
        Graph g = net.classify(net.convBnRelu("/stem", "input", 3, 4, 3, 1), 4, 2);
        Partition p = Partitioner.partition(g);
        assertEquals(4 * 3 * 3 * 3 + 2 * 4, p.unit(0).parameterCount(g));
        assertEquals(4 * 2 + 2, p.classifier().parameterCount(g));
    }
}

package neuroflux.stages.partition;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import neuroflux.onnx.DataType;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.runtime.RuntimeOptions;
import org.junit.jupiter.api.Test;

class PartitionTest {
    /** stem, a residual block, a widening conv group: three units and a classifier. */
    private static Graph net() {
        TestNets net = new TestNets(3, 8);
        String stem = net.convBnRelu("/stem", "input", 3, 4, 3, 1);
        String inner = net.bn("/block/bn", net.conv("/block/conv", stem, 4, 4, 3), 4);
        String block = net.relu("/block/out", net.add("/block/add", inner, stem));
        String last = net.maxPool("/last/pool", net.convBnRelu("/last", block, 4, 6, 3, 1));
        return net.classify(last, 6, 3);
    }

    private static Tensor input(long batch) {
        Random r = new Random(5);
        float[] v = new float[(int) (batch * 3 * 8 * 8)];
        for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian();
        return Tensor.ofFloats(new long[] {batch, 3, 8, 8}, v);
    }

    @Test
    void aPrefixComputesWhatItsUnitsComputeOneAfterAnother() {
        Graph g = net();
        Partition p = Partitioner.partition(g);
        assertEquals(3, p.size());
        Graph prefix = p.prefix(2).toGraph(g);
        assertEquals(List.of("input"), prefix.inputNames());
        assertEquals(List.of(p.unit(1).outputName()), prefix.outputNames());
        PartitionerTest.assertSelfContained(p.prefix(2), g);

        Tensor x = input(2);
        Tensor chained = PartitionerTest.run(p.unit(1).toGraph(g), PartitionerTest.run(p.unit(0).toGraph(g), x));
        assertArrayEquals(chained.floats(), PartitionerTest.run(prefix, x).floats(), 1e-5f); // fusion rounds apart
    }

    @Test
    void aRangeStartsAtItsFirstUnitsInput() {
        Graph g = net();
        Partition p = Partitioner.partition(g);
        Segment middle = p.range(1, 3);
        assertEquals(p.unit(1).inputName(), middle.inputName());
        assertEquals(p.unit(2).outputName(), middle.outputName());
        assertEquals(p.unit(1).nodes().size() + p.unit(2).nodes().size(), middle.nodes().size());
        assertThrows(IndexOutOfBoundsException.class, () -> p.range(2, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> p.range(0, 4));
        assertThrows(IllegalArgumentException.class,
                () -> Segment.chain(List.of(p.unit(0).segment(), p.unit(2).segment())));
    }

    @Test
    void theWholePartitionMatchesTheModelInOnnxRuntime() {
        Graph g = net();
        Partition p = Partitioner.partition(g);
        assertEquals(p.inputName(), p.whole().inputName());
        assertEquals(p.outputName(), p.whole().outputName());
        double d = CompositionCheck.maxAbsDifference(g, p, input(2), RuntimeOptions.cpu(1));
        assertTrue(d < 1e-5, "difference " + d);
    }

    @Test
    void aUnitGraphCarriesTheShapesTheModelKnows() {
        Graph g = net();
        Partition p = Partitioner.partition(g);
        Unit block = p.unit(1);
        long[] shape = {2, 4, 8, 8};
        g.valueInfo().put(block.inputName(), new ValueInfo(block.inputName(), DataType.FLOAT, shape));
        g.valueInfo().put(block.outputName(), new ValueInfo(block.outputName(), DataType.FLOAT, shape));
        Graph unit = block.toGraph(g);
        assertEquals("unit1", unit.name());
        assertArrayEquals(shape, unit.inputs().getFirst().shape());
        assertArrayEquals(shape, unit.outputs().getFirst().shape());
        assertArrayEquals(shape, block.outputShape(g));
        assertEquals(List.copyOf(block.initializerNames()), List.copyOf(unit.initializers().keySet()));
        assertThrows(IllegalArgumentException.class, () -> block.toGraph(new Graph("another model")));
    }
}

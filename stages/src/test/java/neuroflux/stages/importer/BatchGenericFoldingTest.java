package neuroflux.stages.importer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import neuroflux.onnx.DataType;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Node;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.ValueInfo;
import org.junit.jupiter.api.Test;

class BatchGenericFoldingTest {
    private static final Node RESHAPE = new Node("Reshape", "r", List.of("x", "t"), List.of("y"));
    private static final long[] AT5 = {5, 4, 1, 1};
    private static final long[] AT7 = {7, 4, 1, 1};

    @Test
    void batchEntryBecomesCopyFromInput() {
        assertArrayEquals(new long[] {0, -1},
                BatchGenericFolding.genericTarget(RESHAPE, new long[] {5, -1}, new long[] {7, -1}, AT5, AT7));
    }

    @Test
    void entryProportionalToTheBatchBecomesInferred() {
        assertArrayEquals(new long[] {-1, 1, 1},
                BatchGenericFolding.genericTarget(RESHAPE, new long[] {20, 1, 1}, new long[] {28, 1, 1}, AT5, AT7));
    }

    @Test
    void withAllowZeroTheBatchEntryCannotCopy() {
        Node allowZero = RESHAPE.copy().with("allowzero", 1);
        assertArrayEquals(new long[] {-1, 4},
                BatchGenericFolding.genericTarget(allowZero, new long[] {5, 4}, new long[] {7, 4}, AT5, AT7));
    }

    @Test
    void twoInferredEntriesAreNotPossible() {
        assertNull(BatchGenericFolding.genericTarget(RESHAPE, new long[] {10, -1}, new long[] {14, -1}, AT5, AT7));
    }

    /** Expand to Shape(x) depends on the batch in a way no constant captures: it must stay computed at run time. */
    @Test
    void otherBatchDependentArithmeticStaysInTheGraph() {
        Graph g = new Graph("expand");
        g.inputs().add(new ValueInfo("x", DataType.FLOAT, new long[] {-1, 2, 3, 3}));
        g.addInitializer("one", Tensor.scalar(1f));
        g.add(new Node("Shape", "shape", List.of("x"), List.of("s")));
        g.add(new Node("Expand", "expand", List.of("one", "s"), List.of("ones")));
        g.add(new Node("Mul", "mul", List.of("x", "ones"), List.of("y")));
        g.outputs().add(new ValueInfo("y", DataType.FLOAT, null));
        BatchGenericFolding.Result r = BatchGenericFolding.apply(g, "x");
        assertTrue(r.atFirst().isInitializer("ones"), "at a fixed batch the expanded value folds");
        assertEquals(List.of("Shape", "Expand", "Mul"), r.generic().nodes().stream().map(Node::opType).toList());
        assertArrayEquals(new long[] {-1, 2, 3, 3}, r.generic().outputs().get(0).shape());
        assertArrayEquals(new long[] {5, 2, 3, 3}, r.atFirst().outputs().get(0).shape());
    }
}

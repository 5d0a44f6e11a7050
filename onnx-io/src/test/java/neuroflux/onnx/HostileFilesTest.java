package neuroflux.onnx;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.protobuf.ByteString;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import neuroflux.onnx.proto.Onnx.AttributeProto;
import neuroflux.onnx.proto.Onnx.GraphProto;
import neuroflux.onnx.proto.Onnx.ModelProto;
import neuroflux.onnx.proto.Onnx.NodeProto;
import neuroflux.onnx.proto.Onnx.TensorProto;
import neuroflux.onnx.proto.Onnx.TensorShapeProto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files that are not ONNX models, or are models built to exhaust memory or the stack, are one-line rejections. */
class HostileFilesTest {
    @TempDir
    Path tmp;

    /** x [1, 4] → Relu → y, a valid model to break. */
    static ModelProto tiny() {
        Graph g = new Graph("tiny");
        g.inputs().add(new ValueInfo("x", DataType.FLOAT, new long[] {1, 4}));
        g.add(new Node("Relu", "relu", List.of("x"), List.of("y")));
        g.outputs().add(new ValueInfo("y", DataType.FLOAT, new long[] {1, 4}));
        return OnnxModels.toProto(g);
    }

    static BadInputException rejected(byte[] bytes, String expected) {
        BadInputException e = assertThrows(BadInputException.class,
                () -> OnnxModels.fromBytes(bytes, null, "hostile.onnx"));
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
        return e;
    }

    static byte[] changed(Consumer<ModelProto.Builder> change) {
        ModelProto.Builder m = tiny().toBuilder();
        change.accept(m);
        return m.build().toByteArray();
    }

    @Test
    void textAndEmptyFilesAreNotModels() {
        rejected("name,value\n1,2\n".getBytes(), "hostile.onnx");
        rejected(new byte[0], "holds no graph");
        rejected(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff}, "not a valid ONNX model");
    }

    @Test
    void everyTruncationIsReadOrRejected() {
        byte[] whole = tiny().toByteArray();
        for (int n = 0; n < whole.length; n++) {
            byte[] part = java.util.Arrays.copyOf(whole, n);
            try {
                OnnxModels.fromBytes(part, null, "part");
            } catch (BadInputException expected) {
                // a cut at a field boundary is a smaller valid model; any other cut must be rejected like this
            }
        }
    }

    /** Unknown groups nested far deeper than the stack allows: protobuf would keep them all. */
    @Test
    void deeplyNestedGroupsAreRefusedWithoutExhaustingTheStack() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int depth = 200_000;
        for (int i = 0; i < depth; i++) b.writeBytes(new byte[] {(byte) 0x9b, 0x06}); // field 99, start group
        for (int i = 0; i < depth; i++) b.writeBytes(new byte[] {(byte) 0x9c, 0x06}); // field 99, end group
        rejected(b.toByteArray(), "levels deep");
    }

    @Test
    void deeplyNestedGraphAttributesAreRefused() {
        GraphProto inner = tiny().getGraph();
        for (int i = 0; i < 60; i++) {
            NodeProto wrapper = NodeProto.newBuilder().setOpType("If").addAttribute(AttributeProto.newBuilder()
                    .setName("then_branch").setType(AttributeProto.AttributeType.GRAPH).setG(inner)).build();
            inner = GraphProto.newBuilder().addNode(wrapper).build();
        }
        GraphProto nested = inner;
        rejected(changed(m -> m.setGraph(nested)), "levels deep");
    }

    /** Two bytes per empty node in the file, some hundred bytes each once parsed: a memory bomb. */
    @Test
    void millionsOfRepeatedFieldsAreRefusedBeforeParsing() {
        int nodes = (int) WireScan.MAX_ITEMS + 1;
        ByteArrayOutputStream graph = new ByteArrayOutputStream(2 * nodes);
        for (int i = 0; i < nodes; i++) graph.writeBytes(new byte[] {0x0a, 0x00});
        byte[] model = ModelProto.newBuilder().setGraph(GraphProto.newBuilder().build()).build().toByteArray();
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.writeBytes(model);
        file.write(0x3a); // field 7, the graph, again: protobuf merges the two
        writeVarint(file, graph.size());
        file.writeBytes(graph.toByteArray());
        rejected(file.toByteArray(), "protobuf fields");
    }

    @Test
    void aModelFileMustBeARegularFile() throws IOException {
        BadInputException e = assertThrows(BadInputException.class, () -> OnnxModels.read(tmp));
        assertTrue(e.getMessage().contains("is a folder"), e.getMessage());
        Path zero = Path.of("/dev/zero");
        assumeTrue(Files.exists(zero), "no /dev/zero here");
        e = assertThrows(BadInputException.class, () -> OnnxModels.read(zero));
        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> TensorCodec.read(zero));
        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
    }

    @Test
    void twoInitializersOfOneNameAreRefused() {
        TensorProto w = TensorCodec.toProto("w", Tensor.vector(1, 2));
        rejected(changed(m -> m.getGraphBuilder().addInitializer(w).addInitializer(w)),
                "two initializers are named 'w'");
    }

    @Test
    void declaredTerabyteTensorsAreRefusedBeforeAnyAllocation() {
        rejected(changed(m -> m.getGraphBuilder().addInitializer(TensorProto.newBuilder().setName("tb")
                .setDataType(1).addDims(1L << 20).addDims(1L << 20).addDims(1L << 10))),
                "larger than neuroflux accepts");
        // 2^31 booleans: one byte past what a Java array holds, once a negative-capacity crash
        rejected(changed(m -> m.getGraphBuilder().addInitializer(TensorProto.newBuilder().setName("b")
                .setDataType(DataType.BOOL.code).addDims(1L << 31))), "larger than neuroflux accepts");
        // a gigabyte declared, no values given: refused before the gigabyte is allocated
        rejected(changed(m -> m.getGraphBuilder().addInitializer(TensorProto.newBuilder().setName("g")
                .setDataType(1).addDims(1L << 28))), "holds 0 values, its shape needs 268435456");
        rejected(changed(m -> m.getGraphBuilder().addInitializer(TensorProto.newBuilder().setName("r")
                .setDataType(1).addDims(4).setRawData(ByteString.copyFrom(new byte[3])))), "holds 3 bytes");
    }

    @Test
    void absurdRanksAreRefused() {
        rejected(changed(m -> {
            TensorShapeProto.Builder s = m.getGraphBuilder().getInputBuilder(0).getTypeBuilder().getTensorTypeBuilder()
                    .getShapeBuilder();
            for (int i = 0; i < 100_000; i++) s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(1));
        }), "value 'x' declares 100002 dimensions");
        rejected(changed(m -> {
            TensorProto.Builder t = TensorProto.newBuilder().setName("deep").setDataType(1)
                    .setRawData(ByteString.copyFrom(new byte[4]));
            for (int i = 0; i < 65; i++) t.addDims(1);
            m.getGraphBuilder().addInitializer(t);
        }), "tensor 'deep' has 65 dimensions");
    }

    @Test
    void unknownElementTypesAndAttributeKindsAreRefused() {
        rejected(changed(m -> m.getGraphBuilder().getInputBuilder(0).getTypeBuilder().getTensorTypeBuilder()
                .setElemType(8)), "unsupported tensor element type 8");
        rejected(changed(m -> m.getGraphBuilder().getNodeBuilder(0).addAttribute(AttributeProto.newBuilder()
                .setName("g").setType(AttributeProto.AttributeType.GRAPH))), "of kind GRAPH");
    }

    private static void writeVarint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7fL) != 0) {
            out.write((int) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }
}

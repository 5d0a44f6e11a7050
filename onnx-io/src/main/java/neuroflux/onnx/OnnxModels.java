package neuroflux.onnx;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import neuroflux.onnx.proto.Onnx.AttributeProto;
import neuroflux.onnx.proto.Onnx.GraphProto;
import neuroflux.onnx.proto.Onnx.ModelProto;
import neuroflux.onnx.proto.Onnx.NodeProto;
import neuroflux.onnx.proto.Onnx.OperatorSetIdProto;
import neuroflux.onnx.proto.Onnx.TensorProto;
import neuroflux.onnx.proto.Onnx.TensorShapeProto;
import neuroflux.onnx.proto.Onnx.TypeProto;
import neuroflux.onnx.proto.Onnx.ValueInfoProto;

/** Reads and writes ONNX model files as {@link Graph}s. */
public final class OnnxModels {
    /** IR version written: 8 goes with opset 17 and is read by every ONNX Runtime since 1.10. */
    public static final long IR_VERSION = 8;

    private OnnxModels() {}

    public static Graph read(Path file) {
        byte[] bytes = InputFiles.read(file, "model file");
        Path dir = file.toAbsolutePath().getParent();
        return fromBytes(bytes, dir, file.toString());
    }

    /** Parses a model; {@code dir} is where its external data lies, {@code what} names it in messages. */
    public static Graph fromBytes(byte[] bytes, Path dir, String what) {
        ModelProto m;
        try {
            WireScan.check(bytes, ModelProto.getDescriptor(), what);
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            // the scan has bounded the nesting already; this is a second line of defence
            in.setRecursionLimit(2 * WireScan.MAX_DEPTH);
            // weights then share the file's bytes instead of being copied out of them
            in.enableAliasing(true);
            m = ModelProto.parseFrom(in);
        } catch (IOException e) {
            throw new BadInputException(what + " is not a valid ONNX model (" + firstLine(e.getMessage()) + ")");
        }
        if (!m.hasGraph() || m.getGraph().getNodeCount() == 0) {
            throw new BadInputException(what + " is not an ONNX model: it holds no graph");
        }
        try {
            return fromProto(m, dir == null ? ExternalData.none() : ExternalData.in(dir));
        } catch (BadInputException e) {
            throw new BadInputException(what + ": " + e.getMessage(), e);
        }
    }

    private static String firstLine(String s) {
        if (s == null) return "unreadable";
        int i = s.indexOf('\n');
        return i < 0 ? s : s.substring(0, i);
    }

    static Graph fromProto(ModelProto m, ExternalData external) {
        GraphProto gp = m.getGraph();
        Graph g = new Graph(gp.getName().isEmpty() ? "graph" : gp.getName());
        g.opsets().clear();
        for (OperatorSetIdProto o : m.getOpsetImportList()) g.opsets().put(o.getDomain(), o.getVersion());
        if (m.getOpsetImportCount() == 0) g.opsets().put("", 1L);
        for (TensorProto t : gp.getInitializerList()) {
            if (t.getName().isEmpty()) throw new BadInputException("an initializer has no name");
            // a second initializer of the same name would silently replace the first
            if (g.isInitializer(t.getName())) {
                throw new BadInputException("two initializers are named '" + t.getName() + "'");
            }
            g.addInitializer(t.getName(), TensorCodec.fromProto(t, external));
        }
        for (ValueInfoProto v : gp.getInputList()) {
            if (!g.isInitializer(v.getName())) g.inputs().add(valueInfo(v));
        }
        for (ValueInfoProto v : gp.getOutputList()) g.outputs().add(valueInfo(v));
        for (ValueInfo v : g.inputs()) g.valueInfo().put(v.name(), v);
        for (ValueInfo v : g.outputs()) g.valueInfo().put(v.name(), v);
        for (ValueInfoProto v : gp.getValueInfoList()) g.valueInfo().putIfAbsent(v.getName(), valueInfo(v));
        for (NodeProto n : gp.getNodeList()) g.add(node(n, external));
        return g;
    }

    private static ValueInfo valueInfo(ValueInfoProto v) {
        if (!v.hasType() || !v.getType().hasTensorType()) {
            throw new BadInputException("value '" + v.getName() + "' is not a tensor");
        }
        TypeProto.Tensor t = v.getType().getTensorType();
        DataType type = t.getElemType() == 0 ? null : DataType.fromCode(t.getElemType());
        long[] shape = null;
        if (t.hasShape()) {
            if (t.getShape().getDimCount() > Shapes.MAX_RANK) {
                throw new BadInputException("value '" + v.getName() + "' declares " + t.getShape().getDimCount()
                        + " dimensions, more than neuroflux accepts (" + Shapes.MAX_RANK + ")");
            }
            shape = new long[t.getShape().getDimCount()];
            for (int i = 0; i < shape.length; i++) {
                TensorShapeProto.Dimension d = t.getShape().getDim(i);
                shape[i] = d.hasDimValue() && d.getDimValue() >= 0 ? d.getDimValue() : -1;
            }
        }
        return new ValueInfo(v.getName(), type, shape);
    }

    private static Node node(NodeProto n, ExternalData external) {
        Node node = new Node(n.getOpType(), n.getName(), n.getDomain(), n.getInputList(), n.getOutputList(),
                new java.util.LinkedHashMap<>());
        for (AttributeProto a : n.getAttributeList()) {
            node.attributes().put(a.getName(), attribute(a, n, external));
        }
        return node;
    }

    private static Attribute attribute(AttributeProto a, NodeProto n, ExternalData external) {
        AttributeProto.AttributeType type = a.getType();
        return switch (type) {
            case FLOAT -> Attribute.of(a.getF());
            case INT -> Attribute.of(a.getI());
            case STRING -> Attribute.of(a.getS().toStringUtf8());
            case TENSOR -> Attribute.of(TensorCodec.fromProto(a.getT(), external));
            case FLOATS -> {
                float[] f = new float[a.getFloatsCount()];
                for (int i = 0; i < f.length; i++) f[i] = a.getFloats(i);
                yield Attribute.ofFloats(f);
            }
            case INTS -> Attribute.ofInts(a.getIntsList().stream().mapToLong(Long::longValue).toArray());
            case STRINGS -> Attribute.ofStrings(a.getStringsList().stream().map(ByteString::toStringUtf8).toList());
            default -> throw new BadInputException("node '" + n.getName() + "' (" + n.getOpType() + ") has attribute '"
                    + a.getName() + "' of kind " + type + ", which neuroflux does not support");
        };
    }

    public static ModelProto toProto(Graph g) {
        GraphProto.Builder gb = GraphProto.newBuilder().setName(g.name());
        for (Node n : g.nodes()) gb.addNode(nodeProto(n));
        g.initializers().forEach((name, t) -> gb.addInitializer(TensorCodec.toProto(name, t)));
        for (ValueInfo v : g.inputs()) gb.addInput(valueInfoProto(v));
        for (ValueInfo v : g.outputs()) gb.addOutput(valueInfoProto(v));
        ModelProto.Builder mb = ModelProto.newBuilder().setIrVersion(IR_VERSION).setProducerName("neuroflux")
                .setGraph(gb);
        g.opsets().forEach((domain, version) ->
                mb.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(domain).setVersion(version)));
        return mb.build();
    }

    public static byte[] toBytes(Graph g) {
        return toProto(g).toByteArray();
    }

    public static void write(Graph g, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        Files.write(file, toBytes(g));
    }

    private static ValueInfoProto valueInfoProto(ValueInfo v) {
        TypeProto.Tensor.Builder t = TypeProto.Tensor.newBuilder();
        if (v.type() != null) t.setElemType(v.type().code);
        if (v.shape() != null) {
            TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
            for (int i = 0; i < v.shape().length; i++) {
                long d = v.shape()[i];
                s.addDim(d >= 0 ? TensorShapeProto.Dimension.newBuilder().setDimValue(d)
                        : TensorShapeProto.Dimension.newBuilder().setDimParam(i == 0 ? "batch" : "d" + i));
            }
            t.setShape(s);
        }
        return ValueInfoProto.newBuilder().setName(v.name()).setType(TypeProto.newBuilder().setTensorType(t)).build();
    }

    private static NodeProto nodeProto(Node n) {
        NodeProto.Builder b = NodeProto.newBuilder().setOpType(n.opType()).setName(n.name())
                .addAllInput(n.inputs()).addAllOutput(n.outputs());
        if (!n.domain().isEmpty()) b.setDomain(n.domain());
        n.attributes().forEach((name, a) -> b.addAttribute(attributeProto(name, a)));
        return b.build();
    }

    private static AttributeProto attributeProto(String name, Attribute a) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(name);
        switch (a.kind()) {
            case FLOAT -> b.setType(AttributeProto.AttributeType.FLOAT).setF(a.asFloat());
            case INT -> b.setType(AttributeProto.AttributeType.INT).setI(a.asInt());
            case STRING -> b.setType(AttributeProto.AttributeType.STRING).setS(ByteString.copyFromUtf8(a.asString()));
            case TENSOR -> b.setType(AttributeProto.AttributeType.TENSOR).setT(TensorCodec.toProto("", a.asTensor()));
            case FLOATS -> {
                b.setType(AttributeProto.AttributeType.FLOATS);
                for (float f : a.asFloats()) b.addFloats(f);
            }
            case INTS -> {
                b.setType(AttributeProto.AttributeType.INTS);
                for (long i : a.asInts()) b.addInts(i);
            }
            case STRINGS -> {
                b.setType(AttributeProto.AttributeType.STRINGS);
                List<ByteString> l = new ArrayList<>();
                for (String s : a.asStrings()) l.add(ByteString.copyFromUtf8(s));
                b.addAllStrings(l);
            }
        }
        return b.build();
    }
}

package neuroflux.stages.importer;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import neuroflux.onnx.proto.Onnx.AttributeProto;
import neuroflux.onnx.proto.Onnx.AttributeProto.AttributeType;
import neuroflux.onnx.proto.Onnx.GraphProto;
import neuroflux.onnx.proto.Onnx.ModelProto;
import neuroflux.onnx.proto.Onnx.NodeProto;
import neuroflux.onnx.proto.Onnx.OperatorSetIdProto;
import neuroflux.onnx.proto.Onnx.StringStringEntryProto;
import neuroflux.onnx.proto.Onnx.TensorProto;
import neuroflux.onnx.proto.Onnx.TensorShapeProto;
import neuroflux.onnx.proto.Onnx.ValueInfoProto;

/**
 * Damage to a model through its protobuf structure: a well-formed file that says something wrong or hostile.
 * Each mutation changes one thing and says what; the fuzzer applies one to three of them to a fixture.
 */
final class ModelMutations {
    /** Integers that break arithmetic that is not careful: zero, signs, int and long edges, huge sizes. */
    static final long[] EXTREMES = {0, 1, -1, 2, -2, 3, 7, 64, 1 << 16, 1 << 20, Integer.MAX_VALUE,
        Integer.MIN_VALUE, 1L << 31, 1L << 32, 1L << 40, 1L << 62, Long.MAX_VALUE, Long.MIN_VALUE, -(1L << 40)};
    private static final float[] FLOAT_EXTREMES = {0f, -1f, 1e30f, -1e30f, Float.NaN, Float.POSITIVE_INFINITY,
        Float.NEGATIVE_INFINITY, Float.MIN_VALUE};
    private static final String[] OPERATORS = {"Conv", "Relu", "Add", "Gemm", "Flatten", "Reshape", "Expand",
        "Tile", "ConstantOfShape", "Range", "Pad", "Slice", "Concat", "MaxPool", "AveragePool", "GlobalAveragePool",
        "BatchNormalization", "ConvTranspose", "Identity", "Constant", "Split", "Squeeze", "Unsqueeze", "Gather",
        "Where", "Cast", "Shape", "MatMul", "Transpose", "Softmax", "OneHot", "Loop", "If", "Selu", ""};
    private static final String[] ATTRIBUTES = {"strides", "pads", "kernel_shape", "dilations", "group", "axis",
        "perm", "to", "value", "auto_pad", "ceil_mode", "transB", "alpha", "axes", "output_shape", "keepdims",
        "allowzero", "split", "num_outputs"};
    private static final String[] LOCATIONS = {"../outside.bin", "/etc/passwd", "sub/../../outside.bin", "",
        "missing.bin", "a\u0000b", ".", "..", "/dev/zero", "//server/share/x", "model.onnx"};
    private static final String[] SHAPE_OPS = {"Reshape", "Expand", "Tile", "ConstantOfShape", "Range", "Pad",
        "Slice", "Unsqueeze", "Squeeze", "Transpose", "Gather", "Concat", "Split", "Cast", "OneHot"};

    private interface Mutation {
        String apply(ModelProto.Builder m, Random r);
    }

    private record Named(String name, int weight, Mutation mutation) {}

    private static final List<Named> ALL = List.of(
            new Named("drop node", 6, ModelMutations::dropNode),
            new Named("duplicate node", 5, ModelMutations::duplicateNode),
            new Named("reorder nodes", 4, ModelMutations::reorderNodes),
            new Named("dangling input", 6, ModelMutations::danglingInput),
            new Named("rename output", 5, ModelMutations::renameOutput),
            new Named("graph input/output", 5, ModelMutations::graphInputOutput),
            new Named("attribute value", 14, ModelMutations::attributeValue),
            new Named("attribute kind", 4, ModelMutations::attributeKind),
            new Named("add attribute", 6, ModelMutations::addAttribute),
            new Named("tensor dims", 6, ModelMutations::tensorDims),
            new Named("value dims", 8, ModelMutations::valueDims),
            new Named("data type", 6, ModelMutations::dataType),
            new Named("tensor data", 4, ModelMutations::tensorData),
            new Named("opset", 5, ModelMutations::opset),
            new Named("operator", 5, ModelMutations::operator),
            new Named("shape op", 14, ModelMutations::shapeOp),
            new Named("shape arithmetic", 8, ModelMutations::shapeArithmetic),
            new Named("external data", 5, ModelMutations::externalData),
            new Named("huge repetition", 1, ModelMutations::hugeRepetition));
    private static final int TOTAL_WEIGHT = ALL.stream().mapToInt(Named::weight).sum();

    private ModelMutations() {}

    /** One to three structural mutations of a model. */
    static Mutant mutate(ModelProto model, Random r) {
        ModelProto.Builder m = model.toBuilder();
        int count = 1 + (r.nextInt(4) == 0 ? 1 + r.nextInt(2) : 0);
        List<String> done = new ArrayList<>();
        String kind = null;
        for (int i = 0; i < count; i++) {
            Named n = pick(r);
            if (kind == null) kind = n.name() + (count > 1 ? " and more" : "");
            done.add(n.name() + ": " + n.mutation().apply(m, r));
        }
        return new Mutant("model: " + kind, String.join("; ", done), m.build().toByteArray());
    }

    private static Named pick(Random r) {
        int x = r.nextInt(TOTAL_WEIGHT);
        for (Named n : ALL) {
            x -= n.weight();
            if (x < 0) return n;
        }
        throw new AssertionError();
    }

    private static String dropNode(ModelProto.Builder m, Random r) {
        GraphProto.Builder g = m.getGraphBuilder();
        if (g.getNodeCount() == 0) return "no nodes";
        int i = r.nextInt(g.getNodeCount());
        String what = describe(g.getNode(i));
        g.removeNode(i);
        return what;
    }

    private static String duplicateNode(ModelProto.Builder m, Random r) {
        GraphProto.Builder g = m.getGraphBuilder();
        if (g.getNodeCount() == 0) return "no nodes";
        int i = r.nextInt(g.getNodeCount());
        NodeProto n = g.getNode(i);
        if (r.nextBoolean()) {
            g.addNode(r.nextInt(g.getNodeCount() + 1), n);
            return describe(n) + " twice, writing the same values";
        }
        NodeProto.Builder copy = n.toBuilder();
        for (int k = 0; k < copy.getOutputCount(); k++) copy.setOutput(k, copy.getOutput(k) + "_dup");
        g.addNode(i + 1, copy);
        return describe(n) + " twice, the copy writing new values";
    }

    private static String reorderNodes(ModelProto.Builder m, Random r) {
        GraphProto.Builder g = m.getGraphBuilder();
        List<NodeProto> nodes = new ArrayList<>(g.getNodeList());
        if (r.nextBoolean()) {
            Collections.shuffle(nodes, r);
        } else {
            Collections.reverse(nodes);
        }
        g.clearNode().addAllNode(nodes);
        return "shuffled or reversed";
    }

    private static String danglingInput(ModelProto.Builder m, Random r) {
        NodeProto.Builder n = randomNode(m, r);
        if (n == null || n.getInputCount() == 0) return "no input";
        int k = r.nextInt(n.getInputCount());
        n.setInput(k, r.nextInt(4) == 0 ? "" : "nowhere_" + k);
        return n.getName() + " input " + k;
    }

    private static String renameOutput(ModelProto.Builder m, Random r) {
        NodeProto.Builder n = randomNode(m, r);
        if (n == null || n.getOutputCount() == 0) return "no output";
        int k = r.nextInt(n.getOutputCount());
        String name = switch (r.nextInt(4)) {
            case 0 -> "";
            case 1 -> m.getGraph().getInputCount() > 0 ? m.getGraph().getInput(0).getName() : "";
            case 2 -> n.getInputCount() > 0 ? n.getInput(0) : "";
            default -> "renamed_" + k;
        };
        n.setOutput(k, name);
        return n.getName() + " output " + k + " -> '" + name + "'";
    }

    private static String graphInputOutput(ModelProto.Builder m, Random r) {
        GraphProto.Builder g = m.getGraphBuilder();
        if (g.getInputCount() == 0 || g.getOutputCount() == 0 || g.getNodeCount() == 0) return "nothing to change";
        return switch (r.nextInt(6)) {
            case 0 -> {
                g.getOutputBuilder(0).setName("nowhere");
                yield "output renamed to a value nobody writes";
            }
            case 1 -> {
                g.getInputBuilder(0).setName("other_input");
                yield "input renamed, nodes read the old name";
            }
            case 2 -> {
                NodeProto n = g.getNode(r.nextInt(g.getNodeCount()));
                g.addOutput(g.getOutput(0).toBuilder().setName(n.getOutputCount() > 0 ? n.getOutput(0) : ""));
                yield "second output";
            }
            case 3 -> {
                g.clearOutput();
                yield "no outputs";
            }
            case 4 -> {
                g.addInput(g.getInput(0).toBuilder().setName("extra"));
                yield "second input";
            }
            default -> {
                NodeProto n = g.getNode(r.nextInt(g.getNodeCount()));
                g.getOutputBuilder(0).setName(n.getOutputCount() > 0 ? n.getOutput(0) : "");
                yield "output is " + describe(n) + "'s value";
            }
        };
    }

    private static String attributeValue(ModelProto.Builder m, Random r) {
        NodeProto.Builder n = randomNodeWithAttributes(m, r);
        if (n == null) return "no attributes";
        AttributeProto.Builder a = n.getAttributeBuilder(r.nextInt(n.getAttributeCount()));
        String what = n.getName() + "." + a.getName();
        switch (a.getType()) {
            case INT -> a.setI(extreme(r));
            case INTS -> a.clearInts().addAllInts(extremes(r, a.getIntsCount()));
            case FLOAT -> a.setF(FLOAT_EXTREMES[r.nextInt(FLOAT_EXTREMES.length)]);
            case FLOATS -> a.clearFloats().addFloats(FLOAT_EXTREMES[r.nextInt(FLOAT_EXTREMES.length)]);
            case STRING -> a.setS(ByteString.copyFromUtf8(r.nextBoolean() ? "SAME_UPPER" : "bogus\nline"));
            case TENSOR -> a.setT(a.getT().toBuilder().clearDims().addAllDims(extremes(r, a.getT().getDimsCount())));
            default -> a.setI(extreme(r));
        }
        return what + " = " + summary(a);
    }

    private static String attributeKind(ModelProto.Builder m, Random r) {
        NodeProto.Builder n = randomNodeWithAttributes(m, r);
        if (n == null) return "no attributes";
        int k = r.nextInt(n.getAttributeCount());
        AttributeProto.Builder a = n.getAttributeBuilder(k);
        if (r.nextInt(3) == 0) {
            n.removeAttribute(k);
            return n.getName() + "." + a.getName() + " removed";
        }
        AttributeType[] kinds = AttributeType.values();
        a.setType(kinds[r.nextInt(kinds.length)]);
        if (r.nextBoolean()) a.setF(1.5f).setI(3).addInts(2).setT(TensorProto.newBuilder().setDataType(1).addDims(1)
                .setRawData(ByteString.copyFrom(new byte[4])));
        return n.getName() + "." + a.getName() + " now of kind " + a.getType();
    }

    private static String addAttribute(ModelProto.Builder m, Random r) {
        NodeProto.Builder n = randomNode(m, r);
        if (n == null) return "no nodes";
        String name = ATTRIBUTES[r.nextInt(ATTRIBUTES.length)];
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name);
        switch (r.nextInt(4)) {
            case 0 -> a.setType(AttributeType.INT).setI(extreme(r));
            case 1 -> a.setType(AttributeType.INTS).addAllInts(extremes(r, r.nextInt(7)));
            case 2 -> a.setType(AttributeType.STRING).setS(ByteString.copyFromUtf8("VALID"));
            default -> a.setType(AttributeType.TENSOR).setT(int64Tensor("", extremes(r, r.nextInt(4))));
        }
        for (int k = 0; k < n.getAttributeCount(); k++) {
            if (n.getAttribute(k).getName().equals(name)) {
                n.setAttribute(k, a);
                return n.getName() + "." + name + " replaced by " + summary(a);
            }
        }
        n.addAttribute(a);
        return n.getName() + "." + name + " added: " + summary(a);
    }

    private static String tensorDims(ModelProto.Builder m, Random r) {
        GraphProto.Builder g = m.getGraphBuilder();
        if (g.getInitializerCount() == 0) return "no initializers";
        TensorProto.Builder t = g.getInitializerBuilder(r.nextInt(g.getInitializerCount()));
        List<Long> dims = new ArrayList<>(t.getDimsList());
        switch (r.nextInt(4)) {
            case 0 -> { if (!dims.isEmpty()) dims.set(r.nextInt(dims.size()), extreme(r)); }
            case 1 -> dims.add(extreme(r));
            case 2 -> { if (!dims.isEmpty()) dims.remove(r.nextInt(dims.size())); }
            default -> Collections.reverse(dims);
        }
        t.clearDims().addAllDims(dims);
        return t.getName() + " dims " + dims;
    }

    private static String valueDims(ModelProto.Builder m, Random r) {
        GraphProto.Builder g = m.getGraphBuilder();
        if (g.getInputCount() == 0 || g.getOutputCount() == 0) return "nothing to change";
        ValueInfoProto.Builder v = r.nextInt(3) == 0 ? g.getOutputBuilder(0) : g.getInputBuilder(0);
        TensorShapeProto.Builder s = v.getTypeBuilder().getTensorTypeBuilder().getShapeBuilder();
        switch (r.nextInt(5)) {
            case 0 -> { if (s.getDimCount() > 0) s.getDimBuilder(r.nextInt(s.getDimCount())).setDimValue(extreme(r)); }
            case 1 -> s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(extreme(r)));
            case 2 -> { if (s.getDimCount() > 0) s.removeDim(r.nextInt(s.getDimCount())); }
            case 3 -> { if (s.getDimCount() > 0) s.getDimBuilder(r.nextInt(s.getDimCount())).setDimParam("d"); }
            default -> v.getTypeBuilder().getTensorTypeBuilder().clearShape();
        }
        return v.getName() + " shape " + summary(s);
    }

    private static String dataType(ModelProto.Builder m, Random r) {
        GraphProto.Builder g = m.getGraphBuilder();
        int type = r.nextInt(5) == 0 ? (int) extreme(r) : r.nextInt(18);
        if (r.nextBoolean() && g.getInitializerCount() > 0) {
            TensorProto.Builder t = g.getInitializerBuilder(r.nextInt(g.getInitializerCount()));
            t.setDataType(type);
            return t.getName() + " of type " + type;
        }
        if (g.getInputCount() == 0 || g.getOutputCount() == 0) return "nothing to change";
        ValueInfoProto.Builder v = r.nextBoolean() ? g.getOutputBuilder(0) : g.getInputBuilder(0);
        v.getTypeBuilder().getTensorTypeBuilder().setElemType(type);
        return v.getName() + " of type " + type;
    }

    private static String tensorData(ModelProto.Builder m, Random r) {
        GraphProto.Builder g = m.getGraphBuilder();
        if (g.getInitializerCount() == 0) return "no initializers";
        TensorProto.Builder t = g.getInitializerBuilder(r.nextInt(g.getInitializerCount()));
        ByteString raw = t.getRawData();
        switch (r.nextInt(4)) {
            case 0 -> t.setRawData(raw.substring(0, r.nextInt(raw.size() + 1)));
            case 1 -> t.clearRawData().addFloatData(1f).addInt64Data(2);
            case 2 -> t.clearRawData();
            default -> t.setRawData(raw.concat(ByteString.copyFrom(new byte[1 + r.nextInt(9)])));
        }
        return t.getName() + " data changed";
    }

    private static String opset(ModelProto.Builder m, Random r) {
        switch (r.nextInt(4)) {
            case 0 -> {
                long v = r.nextBoolean() ? extreme(r) : 7 + r.nextInt(20);
                if (m.getOpsetImportCount() > 0) m.getOpsetImportBuilder(0).setVersion(v);
                return "default opset " + v;
            }
            case 1 -> {
                m.clearOpsetImport();
                return "no opset";
            }
            case 2 -> {
                if (m.getOpsetImportCount() > 0) m.getOpsetImportBuilder(0).setDomain("com.example");
                return "opset domain com.example";
            }
            default -> {
                m.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(extreme(r)));
                return "second default opset";
            }
        }
    }

    private static String operator(ModelProto.Builder m, Random r) {
        NodeProto.Builder n = randomNode(m, r);
        if (n == null) return "no nodes";
        if (r.nextInt(4) == 0) {
            n.setDomain(r.nextBoolean() ? "com.microsoft" : "ai.onnx");
            return n.getName() + " in domain " + n.getDomain();
        }
        String op = OPERATORS[r.nextInt(OPERATORS.length)];
        n.setOpType(op);
        return n.getName() + " now " + op;
    }

    /**
     * Puts a shape operator with hostile constant arguments between some value and one of its readers: what a
     * model does to make folding or shape inference compute something enormous or impossible.
     */
    private static String shapeOp(ModelProto.Builder m, Random r) {
        GraphProto.Builder g = m.getGraphBuilder();
        if (g.getNodeCount() == 0 || g.getInputCount() == 0) return "nothing to change";
        int reader = r.nextInt(g.getNodeCount());
        NodeProto.Builder n = g.getNodeBuilder(reader);
        if (n.getInputCount() == 0) return "no input to intercept";
        int slot = r.nextInt(n.getInputCount());
        String value = n.getInput(slot);
        String op = SHAPE_OPS[r.nextInt(SHAPE_OPS.length)];
        String out = "fuzz_" + op + "_" + reader;
        NodeProto.Builder node = NodeProto.newBuilder().setOpType(op).setName(out).addOutput(out);
        // half the time as many arguments as a 4-D image value needs (two per axis for Pad), to get past the
        // length checks into the arithmetic
        int fits = op.equals("Pad") ? 8 : 4;
        List<Long> args = extremes(r, r.nextBoolean() ? fits : r.nextInt(6));
        String argName = "fuzz_arg_" + reader;
        switch (op) {
            case "ConstantOfShape" -> node.addInput(argName).addAttribute(AttributeProto.newBuilder().setName("value")
                    .setType(AttributeType.TENSOR).setT(floatTensor(1f)));
            case "Range" -> {
                for (int k = 0; k < 3; k++) {
                    g.addInitializer(int64Tensor(argName + k, List.of(extreme(r))).toBuilder().clearDims());
                    node.addInput(argName + k);
                }
            }
            case "Transpose", "Cast", "Squeeze" -> node.addInput(value).addAttribute(AttributeProto.newBuilder()
                    .setName(op.equals("Cast") ? "to" : op.equals("Squeeze") ? "axes" : "perm")
                    .setType(op.equals("Cast") ? AttributeType.INT : AttributeType.INTS)
                    .setI(extreme(r)).addAllInts(args));
            case "Concat", "Split" -> node.addInput(value).addInput(r.nextBoolean() ? value : argName)
                    .addAttribute(AttributeProto.newBuilder().setName("axis").setType(AttributeType.INT)
                            .setI(extreme(r)));
            case "OneHot" -> node.addInput(value).addInput(argName).addInput(argName);
            case "Slice" -> {
                g.addInitializer(int64Tensor(argName + "_ends", extremes(r, args.size())));
                node.addInput(value).addInput(argName).addInput(argName + "_ends");
            }
            default -> node.addInput(value).addInput(argName);
        }
        if (!op.equals("Range")) g.addInitializer(int64Tensor(argName, args));
        g.addNode(reader, node);
        g.getNodeBuilder(reader + 1).setInput(slot, out);
        return op + " of " + value + " by " + args + " read by " + n.getName();
    }

    /**
     * Computes an argument of a shape operator from Shape(value) with hostile arithmetic, so that the folder has to
     * evaluate it: Shape, Gather, then Mul/Add/Div/Sub by an extreme constant, then Reshape/Expand/ConstantOfShape.
     */
    private static String shapeArithmetic(ModelProto.Builder m, Random r) {
        GraphProto.Builder g = m.getGraphBuilder();
        if (g.getNodeCount() == 0 || g.getInputCount() == 0) return "nothing to change";
        int reader = r.nextInt(g.getNodeCount());
        NodeProto.Builder n = g.getNodeBuilder(reader);
        if (n.getInputCount() == 0) return "no input to intercept";
        String value = n.getInput(0);
        String p = "fuzz_sa" + reader + "_";
        String[] arith = {"Mul", "Add", "Div", "Sub", "Max", "Min", "Concat"};
        String a = arith[r.nextInt(arith.length)];
        String[] target = {"Reshape", "Expand", "ConstantOfShape", "Tile"};
        String t = target[r.nextInt(target.length)];
        g.addInitializer(int64Tensor(p + "k", extremes(r, 1 + r.nextInt(4))));
        List<NodeProto> chain = new ArrayList<>();
        chain.add(NodeProto.newBuilder().setOpType("Shape").setName(p + "shape").addInput(value)
                .addOutput(p + "s").build());
        NodeProto.Builder arithmetic = NodeProto.newBuilder().setOpType(a).setName(p + a).addInput(p + "s")
                .addInput(p + "k").addOutput(p + "t");
        if (a.equals("Concat")) arithmetic.addAttribute(AttributeProto.newBuilder().setName("axis")
                .setType(AttributeType.INT).setI(0));
        chain.add(arithmetic.build());
        NodeProto.Builder use = NodeProto.newBuilder().setOpType(t).setName(p + t).addOutput(p + "y");
        if (!t.equals("ConstantOfShape")) use.addInput(value);
        use.addInput(p + "t");
        chain.add(use.build());
        for (int k = 0; k < chain.size(); k++) g.addNode(reader + k, chain.get(k));
        g.getNodeBuilder(reader + chain.size()).setInput(0, p + "y");
        return t + " of " + value + " by " + a + "(Shape, " + g.getInitializer(g.getInitializerCount() - 1)
                .getInt64DataList() + ")";
    }

    private static String externalData(ModelProto.Builder m, Random r) {
        GraphProto.Builder g = m.getGraphBuilder();
        if (g.getInitializerCount() == 0) return "no initializers";
        TensorProto.Builder t = g.getInitializerBuilder(r.nextInt(g.getInitializerCount()));
        String location = LOCATIONS[r.nextInt(LOCATIONS.length)];
        t.clearRawData().setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(entry("location", location));
        if (r.nextBoolean()) t.addExternalData(entry("offset", Long.toString(extreme(r))));
        if (r.nextBoolean()) t.addExternalData(entry("length", r.nextBoolean() ? "x" : Long.toString(extreme(r))));
        return t.getName() + " stored at '" + location + "' " + t.getExternalDataList().size() + " entries";
    }

    /** Enormous repetition that a careless importer handles in quadratic time or memory. */
    private static String hugeRepetition(ModelProto.Builder m, Random r) {
        GraphProto.Builder g = m.getGraphBuilder();
        if (g.getNodeCount() == 0 || g.getInputCount() == 0) return "nothing to change";
        int n = 20_000;
        switch (r.nextInt(5)) {
            case 0 -> {
                NodeProto.Builder node = g.getNodeBuilder(r.nextInt(g.getNodeCount()));
                String in = node.getInputCount() > 0 ? node.getInput(0) : "x";
                for (int i = 0; i < 10 * n; i++) node.addInput(in);
                return node.getName() + " reads " + in + " " + 10 * n + " more times";
            }
            case 1 -> {
                NodeProto first = g.getNode(r.nextInt(g.getNodeCount()));
                for (int i = 0; i < n; i++) {
                    g.addNode(first.toBuilder().setName(first.getName()).clearOutput()
                            .addOutput("fuzz_dead_" + i).build());
                }
                return n + " dead copies of " + first.getName() + " with the same name";
            }
            case 2 -> {
                TensorShapeProto.Builder s = g.getInputBuilder(0).getTypeBuilder().getTensorTypeBuilder()
                        .getShapeBuilder();
                for (int i = 0; i < 10 * n; i++) s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(1));
                return "input of rank " + s.getDimCount();
            }
            case 3 -> {
                for (int i = 0; i < n; i++) m.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("d" + i));
                return n + " opsets";
            }
            default -> {
                String value = g.getNode(0).getOutputCount() > 0 ? g.getNode(0).getOutput(0) : "x";
                for (int i = 0; i < n; i++) {
                    g.addNode(NodeProto.newBuilder().setOpType("Relu").addInput(i == 0 ? value : "fuzz_relu_" + (i - 1))
                            .addOutput("fuzz_relu_" + i));
                }
                return "a dead chain of " + n + " Relu nodes";
            }
        }
    }

    private static NodeProto.Builder randomNode(ModelProto.Builder m, Random r) {
        GraphProto.Builder g = m.getGraphBuilder();
        return g.getNodeCount() == 0 ? null : g.getNodeBuilder(r.nextInt(g.getNodeCount()));
    }

    private static NodeProto.Builder randomNodeWithAttributes(ModelProto.Builder m, Random r) {
        GraphProto.Builder g = m.getGraphBuilder();
        List<Integer> with = new ArrayList<>();
        for (int i = 0; i < g.getNodeCount(); i++) if (g.getNode(i).getAttributeCount() > 0) with.add(i);
        return with.isEmpty() ? null : g.getNodeBuilder(with.get(r.nextInt(with.size())));
    }

    static long extreme(Random r) {
        return r.nextInt(4) == 0 ? r.nextInt(16) - 4 : EXTREMES[r.nextInt(EXTREMES.length)];
    }

    /** {@code n} values (or another count, sometimes) that are mostly ordinary with an extreme one among them. */
    private static List<Long> extremes(Random r, int n) {
        int count = r.nextInt(5) == 0 ? r.nextInt(7) : n;
        List<Long> v = new ArrayList<>();
        for (int i = 0; i < count; i++) v.add(r.nextInt(3) == 0 ? extreme(r) : 1 + r.nextInt(4));
        return v;
    }

    private static TensorProto int64Tensor(String name, List<Long> values) {
        return TensorProto.newBuilder().setName(name).setDataType(7).addDims(values.size()).addAllInt64Data(values)
                .build();
    }

    private static TensorProto floatTensor(float value) {
        ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(value);
        return TensorProto.newBuilder().setDataType(1).addDims(1).setRawData(ByteString.copyFrom(b.array())).build();
    }

    private static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    private static String describe(NodeProto n) {
        return "'" + n.getName() + "' (" + n.getOpType() + ")";
    }

    private static String summary(AttributeProto.Builder a) {
        return a.getType() + " i=" + a.getI() + " ints=" + a.getIntsList() + " f=" + a.getF();
    }

    private static String summary(TensorShapeProto.Builder s) {
        List<String> dims = new ArrayList<>();
        for (TensorShapeProto.Dimension d : s.getDimList()) dims.add(d.hasDimValue() ? "" + d.getDimValue() : "?");
        return dims.toString();
    }
}

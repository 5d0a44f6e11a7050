package neuroflux.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One operator application. Inputs and outputs name values of the graph; an empty input name stands for an
 * optional input that is absent, as in ONNX.
 */
public final class Node {
    private String name;
    private final String opType;
    private String domain;
    private final List<String> inputs;
    private final List<String> outputs;
    private final Map<String, Attribute> attributes;

    public Node(String opType, String name, List<String> inputs, List<String> outputs) {
        this(opType, name, "", inputs, outputs, new LinkedHashMap<>());
    }

    public Node(String opType, String name, String domain, List<String> inputs, List<String> outputs,
                Map<String, Attribute> attributes) {
        this.opType = opType;
        this.name = name == null ? "" : name;
        this.domain = domain == null ? "" : domain;
        this.inputs = new ArrayList<>(inputs);
        this.outputs = new ArrayList<>(outputs);
        this.attributes = new LinkedHashMap<>(attributes);
    }

    /** A copy that can be changed without touching this node. */
    public Node copy() {
        return new Node(opType, name, domain, inputs, outputs, attributes);
    }

    public String opType() {
        return opType;
    }

    public String name() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String domain() {
        return domain;
    }

    /** The inputs; the list may be changed to rewire the node. */
    public List<String> inputs() {
        return inputs;
    }

    public List<String> outputs() {
        return outputs;
    }

    public String input(int i) {
        return i < inputs.size() ? inputs.get(i) : "";
    }

    public boolean hasInput(int i) {
        return i < inputs.size() && !inputs.get(i).isEmpty();
    }

    public String output(int i) {
        return outputs.get(i);
    }

    public Map<String, Attribute> attributes() {
        return attributes;
    }

    public Node with(String attr, Attribute value) {
        attributes.put(attr, value);
        return this;
    }

    public Node with(String attr, long value) {
        return with(attr, Attribute.of(value));
    }

    public Node with(String attr, float value) {
        return with(attr, Attribute.of(value));
    }

    public Node withInts(String attr, long... value) {
        return with(attr, Attribute.ofInts(value));
    }

    public boolean has(String attr) {
        return attributes.containsKey(attr);
    }

    public long intAttr(String attr, long fallback) {
        Attribute a = attribute(attr, Attribute.Kind.INT);
        return a == null ? fallback : a.asInt();
    }

    /** A float attribute; an int one is read as a float, as ONNX tools write either for alpha, say. */
    public float floatAttr(String attr, float fallback) {
        Attribute a = attribute(attr, Attribute.Kind.FLOAT, Attribute.Kind.INT);
        return a == null ? fallback : a.asFloat();
    }

    public String stringAttr(String attr, String fallback) {
        Attribute a = attribute(attr, Attribute.Kind.STRING);
        return a == null ? fallback : a.asString();
    }

    public long[] intsAttr(String attr, long[] fallback) {
        Attribute a = attribute(attr, Attribute.Kind.INTS);
        return a == null ? fallback : a.asInts();
    }

    public float[] floatsAttr(String attr, float[] fallback) {
        Attribute a = attribute(attr, Attribute.Kind.FLOATS);
        return a == null ? fallback : a.asFloats();
    }

    public Tensor tensorAttr(String attr) {
        Attribute a = attribute(attr, Attribute.Kind.TENSOR);
        return a == null ? null : a.asTensor();
    }

    /**
     * The attribute if present, checked to be of one of the expected kinds: a file can declare {@code group} as a
     * float or {@code pads} as a tensor, and that is a broken model, not a reason to fail with a cast error.
     */
    private Attribute attribute(String attr, Attribute.Kind... expected) {
        Attribute a = attributes.get(attr);
        if (a == null) return null;
        for (Attribute.Kind k : expected) if (a.kind() == k) return a;
        throw new BadInputException("node " + describe() + ": attribute '" + attr + "' is of kind " + a.kind()
                + ", expected " + expected[0]);
    }

    /** How the node is named in messages: its name and operator, so a user can find it in a model viewer. */
    public String describe() {
        return (name.isEmpty() ? "(unnamed)" : "'" + name + "'") + " (" + opType + ")";
    }

    @Override
    public String toString() {
        return opType + " " + name + " " + inputs + " -> " + outputs
                + (attributes.isEmpty() ? "" : " " + Arrays.toString(attributes.keySet().toArray()));
    }
}

package neuroflux.onnx;

import java.util.List;

/** A node attribute: one of the ONNX attribute kinds that CNN graphs use. */
public record Attribute(Kind kind, Object value) {
    public enum Kind { FLOAT, INT, STRING, TENSOR, FLOATS, INTS, STRINGS }

    public static Attribute of(long v) {
        return new Attribute(Kind.INT, v);
    }

    public static Attribute of(float v) {
        return new Attribute(Kind.FLOAT, v);
    }

    public static Attribute of(String v) {
        return new Attribute(Kind.STRING, v);
    }

    public static Attribute of(Tensor v) {
        return new Attribute(Kind.TENSOR, v);
    }

    public static Attribute ofInts(long... v) {
        return new Attribute(Kind.INTS, v.clone());
    }

    public static Attribute ofFloats(float... v) {
        return new Attribute(Kind.FLOATS, v.clone());
    }

    public static Attribute ofStrings(List<String> v) {
        return new Attribute(Kind.STRINGS, List.copyOf(v));
    }

    public long asInt() {
        return (Long) value;
    }

    public float asFloat() {
        return kind == Kind.INT ? (float) (long) (Long) value : (Float) value;
    }

    public String asString() {
        return (String) value;
    }

    public Tensor asTensor() {
        return (Tensor) value;
    }

    public long[] asInts() {
        return ((long[]) value).clone();
    }

    public float[] asFloats() {
        return ((float[]) value).clone();
    }

    @SuppressWarnings("unchecked")
    public List<String> asStrings() {
        return (List<String>) value;
    }
}

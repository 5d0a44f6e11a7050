package neuroflux.onnx;

/** The declared or inferred type and shape of a graph value; unknown dimensions are -1, an unknown shape null. */
public record ValueInfo(String name, DataType type, long[] shape) {
    public ValueInfo withShape(long[] newShape) {
        return new ValueInfo(name, type, newShape);
    }

    public ValueInfo withName(String newName) {
        return new ValueInfo(newName, type, shape);
    }

    @Override
    public String toString() {
        return name + ":" + type + "[" + Shapes.format(shape) + "]";
    }
}

package neuroflux.onnx.shapes.fold;

/** Equal. */
final class EqualFold extends ComparisonFold {
    @Override
    boolean test(double a, double b) {
        return a == b;
    }
}

package neuroflux.onnx.shapes.fold;

/** Greater. */
final class GreaterFold extends ComparisonFold {
    @Override
    boolean test(double a, double b) {
        return a > b;
    }
}

package neuroflux.onnx.shapes.fold;

/** Less. */
final class LessFold extends ComparisonFold {
    @Override
    boolean test(double a, double b) {
        return a < b;
    }
}

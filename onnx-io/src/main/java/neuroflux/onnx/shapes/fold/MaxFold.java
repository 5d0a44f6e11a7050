package neuroflux.onnx.shapes.fold;

/** Max. */
final class MaxFold extends ElementwiseFold {
    @Override
    long apply(long a, long b) {
        return Math.max(a, b);
    }

    @Override
    double apply(double a, double b) {
        return Math.max(a, b);
    }
}

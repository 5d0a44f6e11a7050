package neuroflux.onnx.shapes.fold;

/** Sub. */
final class SubFold extends ElementwiseFold {
    @Override
    long apply(long a, long b) {
        return Math.subtractExact(a, b);
    }

    @Override
    double apply(double a, double b) {
        return a - b;
    }
}

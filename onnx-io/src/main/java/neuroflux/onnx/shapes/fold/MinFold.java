package neuroflux.onnx.shapes.fold;

/** Min. */
final class MinFold extends ElementwiseFold {
    @Override
    long apply(long a, long b) {
        return Math.min(a, b);
    }

    @Override
    double apply(double a, double b) {
        return Math.min(a, b);
    }
}

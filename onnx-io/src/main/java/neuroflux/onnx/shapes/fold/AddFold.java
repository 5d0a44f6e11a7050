package neuroflux.onnx.shapes.fold;

/** Add and Sum. */
final class AddFold extends ElementwiseFold {
    @Override
    long apply(long a, long b) {
        return Math.addExact(a, b);
    }

    @Override
    double apply(double a, double b) {
        return a + b;
    }
}

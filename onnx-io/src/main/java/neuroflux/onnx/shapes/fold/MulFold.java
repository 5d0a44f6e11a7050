package neuroflux.onnx.shapes.fold;

/** Mul. */
final class MulFold extends ElementwiseFold {
    @Override
    long apply(long a, long b) {
        return Math.multiplyExact(a, b);
    }

    @Override
    double apply(double a, double b) {
        return a * b;
    }
}

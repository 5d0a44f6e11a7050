package neuroflux.onnx.shapes.fold;

/** Div (integers truncate toward zero, like C++ and ONNX Runtime). */
final class DivFold extends ElementwiseFold {
    @Override
    long apply(long a, long b) {
        return a / b;
    }

    @Override
    double apply(double a, double b) {
        return a / b;
    }
}

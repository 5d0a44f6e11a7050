package neuroflux.onnx.shapes.fold;

import java.util.List;
import neuroflux.onnx.DataType;
import neuroflux.onnx.Node;
import neuroflux.onnx.Shapes;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.Broadcasting;
import neuroflux.onnx.shapes.InferenceContext;

/**
 * An elementwise operator over one or more broadcast inputs, folded left to right. Integer inputs are computed in
 * 64-bit integers (as ONNX Runtime does), floating ones in doubles and rounded to the output type at the end.
 */
abstract class ElementwiseFold implements ConstantOp {
    abstract long apply(long a, long b);

    abstract double apply(double a, double b);

    @Override
    public List<Tensor> evaluate(Node node, List<Tensor> inputs, List<ValueInfo> outputs, InferenceContext ctx) {
        long[] y = outputs.get(0).shape();
        DataType type = outputs.get(0).type();
        boolean integer = Values.isInteger(inputs.get(0).type());
        int n = Math.toIntExact(Shapes.size(y));
        long[] l = new long[n];
        double[] d = new double[n];
        for (int k = 0; k < inputs.size(); k++) {
            Tensor t = inputs.get(k);
            long[] tl = integer ? t.longs() : null;
            double[] td = integer ? null : t.doubles();
            for (int i = 0; i < n; i++) {
                int at = (int) Broadcasting.sourceIndex(i, y, t.shape());
                try {
                    if (integer) l[i] = k == 0 ? tl[at] : apply(l[i], tl[at]);
                    else d[i] = k == 0 ? td[at] : apply(d[i], td[at]);
                } catch (ArithmeticException e) {
                    throw ctx.error(node, "folding its constant inputs fails: " + e.getMessage());
                }
            }
        }
        return List.of(integer ? Values.fromLongs(type, y, l) : Values.fromDoubles(type, y, d));
    }
}

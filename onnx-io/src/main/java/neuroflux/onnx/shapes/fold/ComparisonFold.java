package neuroflux.onnx.shapes.fold;

import java.util.List;
import neuroflux.onnx.DataType;
import neuroflux.onnx.Node;
import neuroflux.onnx.Shapes;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.Broadcasting;
import neuroflux.onnx.shapes.InferenceContext;

/** A comparison of two broadcast inputs giving booleans. */
abstract class ComparisonFold implements ConstantOp {
    abstract boolean test(double a, double b);

    @Override
    public List<Tensor> evaluate(Node node, List<Tensor> inputs, List<ValueInfo> outputs, InferenceContext ctx) {
        long[] y = outputs.get(0).shape();
        Tensor a = inputs.get(0);
        Tensor b = inputs.get(1);
        double[] av = a.doubles();
        double[] bv = b.doubles();
        long[] r = new long[Math.toIntExact(Shapes.size(y))];
        for (int i = 0; i < r.length; i++) {
            double x = av[(int) Broadcasting.sourceIndex(i, y, a.shape())];
            double z = bv[(int) Broadcasting.sourceIndex(i, y, b.shape())];
            r[i] = test(x, z) ? 1 : 0;
        }
        return List.of(Values.fromLongs(DataType.BOOL, y, r));
    }
}
